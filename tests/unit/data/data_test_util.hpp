// SPDX-License-Identifier: MIT
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "core/time.hpp"

namespace td::data::testing {

/// The shared market-data folder: $TRADEDESK_DATA_DIR, else ../shared/data next to the repository.
inline std::filesystem::path DataDir() {
  if (const char* env = std::getenv("TRADEDESK_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::filesystem::path(TD_SOURCE_DIR) / ".." / "shared" / "data";
}

/// A fresh, empty directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("td_data_test_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// UTC nanoseconds of an ISO-8601 text (test literals only).
inline std::int64_t Ts(std::string_view iso) {
  return UnixNanos::ParseIso8601(iso).value().nanos();
}

}  // namespace td::data::testing

/// Skips the test when the file under the shared data folder is absent.
#define TD_REQUIRE_DATA(relative)                                                               \
  if (!std::filesystem::exists(::td::data::testing::DataDir() / (relative))) {                  \
    GTEST_SKIP() << "market data not found: " << (::td::data::testing::DataDir() / (relative)); \
  }
