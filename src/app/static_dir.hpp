// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>

#include "core/result.hpp"

namespace td::app {

/// Chooses the directory of web files for `serve`. A configured directory must exist (else an error naming
/// server.static_dir). Otherwise the first existing of <source_tree>/web/dist and <cwd>/web/dist; an empty
/// path when neither exists (no static files). Returned paths are absolute.
Result<std::filesystem::path> ResolveStaticDir(const std::filesystem::path& configured,
                                               const std::filesystem::path& source_tree,
                                               const std::filesystem::path& cwd);

}  // namespace td::app
