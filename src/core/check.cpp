// SPDX-License-Identifier: MIT
#include "core/check.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace td {
namespace {
void (*g_check_failure_hook)(std::string_view) = nullptr;
}  // namespace

void SetCheckFailureHook(void (*hook)(std::string_view message)) { g_check_failure_hook = hook; }

CheckFailure::CheckFailure(std::string_view condition, std::string_view file, int line) {
  stream_ << "check failed: " << condition << " at " << file << ':' << line << ": ";
}

CheckFailure::~CheckFailure() {
  const std::string message = stream_.str();
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  if (g_check_failure_hook != nullptr) {
    g_check_failure_hook(message);
  }
  std::abort();
}

}  // namespace td
