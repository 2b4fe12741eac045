// SPDX-License-Identifier: MIT
#include "app/static_dir.hpp"

#include <system_error>

namespace td::app {

Result<std::filesystem::path> ResolveStaticDir(const std::filesystem::path& configured,
                                               const std::filesystem::path& source_tree,
                                               const std::filesystem::path& cwd) {
  std::error_code ec;
  if (!configured.empty()) {
    const std::filesystem::path absolute = configured.is_absolute() ? configured : cwd / configured;
    if (!std::filesystem::is_directory(absolute, ec)) {
      return Error::InvalidArgument("directory " + absolute.string() + " does not exist", "server.static_dir");
    }
    return absolute.lexically_normal();
  }
  for (const std::filesystem::path& base : {source_tree, cwd}) {
    if (base.empty()) {
      continue;
    }
    const std::filesystem::path candidate = base / "web" / "dist";
    if (std::filesystem::is_directory(candidate, ec)) {
      return candidate.lexically_normal();
    }
  }
  return std::filesystem::path();
}

}  // namespace td::app
