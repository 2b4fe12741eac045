// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.hpp"

namespace td::api {

/// Serves the web UI from a directory: content types by extension, ETag/Last-Modified with 304, immutable
/// caching for hashed files under /assets/, index.html for "/" and for unknown non-API paths (the SPA
/// handles its own routes such as /tv). Paths that climb out of the root are refused.
class StaticFiles {
 public:
  /// `api_prefixes` are first path segments that never fall back to index.html (they answer JSON 404s).
  explicit StaticFiles(std::filesystem::path root,
                       std::vector<std::string> api_prefixes = {"api", "gpt", "stream", "ws", "mcp"});

  /// Answers a GET or HEAD for the decoded path segments.
  Response Serve(const Request& request, const std::vector<std::string>& segments) const;

  /// The Content-Type for a file extension such as ".js" (application/octet-stream when unknown).
  static std::string_view ContentTypeFor(std::string_view extension);
  /// Formats seconds since the epoch as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
  static std::string HttpDate(std::int64_t seconds);
  /// Parses an IMF-fixdate; -1 when it is not one.
  static std::int64_t ParseHttpDate(std::string_view text);

  const std::filesystem::path& root() const { return root_; }

 private:
  Response ServeFile(const Request& request, const std::filesystem::path& file, bool immutable) const;
  bool IsApiPath(const std::vector<std::string>& segments) const;

  std::filesystem::path root_;  // canonical
  std::vector<std::string> api_prefixes_;
};

}  // namespace td::api
