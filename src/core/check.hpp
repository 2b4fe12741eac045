// SPDX-License-Identifier: MIT
#pragma once

#include <sstream>
#include <string_view>

namespace td {

/// Collects the message of a failed TD_CHECK and aborts the process when it goes out of scope.
/// Broken invariants are not recoverable: crash-only, and restart replays the journal.
class CheckFailure {
 public:
  CheckFailure(std::string_view condition, std::string_view file, int line);
  CheckFailure(const CheckFailure&) = delete;
  CheckFailure& operator=(const CheckFailure&) = delete;
  [[noreturn]] ~CheckFailure();

  template <typename T>
  CheckFailure& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  std::ostringstream stream_;
};

/// Installs a hook run just before abort (the logger uses it to flush). Not thread-safe; set once at start.
void SetCheckFailureHook(void (*hook)(std::string_view message));

}  // namespace td

/// Aborts with file, line, condition and the streamed context when `condition` is false.
#define TD_CHECK(condition) \
  if (condition) [[likely]] { \
  } else \
    ::td::CheckFailure(#condition, __FILE__, __LINE__)

/// Marks a code path that is unreachable by construction.
#define TD_UNREACHABLE() ::td::CheckFailure("unreachable", __FILE__, __LINE__)
