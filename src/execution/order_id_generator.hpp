// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/ids.hpp"

namespace td::execution {

/// Makes client order ids "<PREFIX>-<12-digit counter>": unique, and increasing in both number and string
/// order. Unique across restarts because the engine feeds every id found in the journal to Observe() before
/// generating: the counter resumes after the highest one seen.
class ClientOrderIdGenerator {
 public:
  /// `prefix`: 1..16 of [A-Z0-9] (e.g. the trader or session tag). Aborts otherwise.
  explicit ClientOrderIdGenerator(std::string prefix, std::uint64_t last_counter = 0);

  ClientOrderId Next();
  /// Raises the counter past `id` when it is one of ours; ids of other formats are ignored.
  void Observe(const ClientOrderId& id);
  std::uint64_t last_counter() const { return counter_; }
  const std::string& prefix() const { return prefix_; }

 private:
  std::string prefix_;
  std::string dashed_prefix_;  // prefix_ + "-"
  std::uint64_t counter_;
};

}  // namespace td::execution
