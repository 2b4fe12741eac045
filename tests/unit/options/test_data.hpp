// SPDX-License-Identifier: MIT
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace td::options::testing {

/// The shared market-data folder: $TRADEDESK_DATA_DIR, else ../shared/data next to the source tree.
inline std::string DataDir() {
  if (const char* env = std::getenv("TRADEDESK_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::string(TD_SOURCE_DIR) + "/../shared/data";
}

/// Full path of a data file, or empty when it does not exist (the caller skips).
inline std::string DataFile(const std::string& relative) {
  const std::string path = DataDir() + "/" + relative;
  return std::filesystem::exists(path) ? path : std::string();
}

}  // namespace td::options::testing
