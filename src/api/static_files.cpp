// SPDX-License-Identifier: MIT
#include "api/static_files.hpp"

#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>

#include "api/error_response.hpp"

namespace td::api {
namespace {

namespace fs = std::filesystem;

Response NotFound(const Request& request) {
  return ErrorResponse(404, "not_found",
                       "no route for " + std::string(MethodName(request.method)) + " " + request.path);
}

bool SafeSegment(std::string_view segment) {
  if (segment == "." || segment == "..") {
    return false;
  }
  for (char c : segment) {
    if (c == '/' || c == '\\' || c == '\0') {
      return false;
    }
  }
  return true;
}

/// True when `path` is `root` or inside it (both canonical).
bool Within(const fs::path& root, const fs::path& path) {
  auto r = root.begin();
  auto p = path.begin();
  for (; r != root.end(); ++r, ++p) {
    if (p == path.end() || *r != *p) {
      return false;
    }
  }
  return true;
}

bool EtagMatches(std::string_view header, std::string_view etag) {
  // If-None-Match is a comma-separated list; weak comparison ignores a W/ prefix.
  auto strip = [](std::string_view tag) {
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t'))
      tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t'))
      tag.remove_suffix(1);
    if (tag.substr(0, 2) == "W/")
      tag.remove_prefix(2);
    return tag;
  };
  const std::string_view wanted = strip(etag);
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    const std::string_view tag = strip(header.substr(0, comma));
    if (tag == "*" || tag == wanted) {
      return true;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    header.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

StaticFiles::StaticFiles(std::filesystem::path root, std::vector<std::string> api_prefixes)
    : api_prefixes_(std::move(api_prefixes)) {
  std::error_code ec;
  root_ = fs::canonical(root, ec);
  if (ec) {
    root_ = fs::absolute(root).lexically_normal();
  }
}

std::string_view StaticFiles::ContentTypeFor(std::string_view extension) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 24> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".csv", "text/csv; charset=utf-8"},
      {".xml", "application/xml"},
      {".wasm", "application/wasm"},
      {".pdf", "application/pdf"},
      {".md", "text/markdown; charset=utf-8"},
  }};
  for (const auto& [ext, type] : kTypes) {
    if (EqualsIgnoreCase(ext, extension)) {
      return type;
    }
  }
  return "application/octet-stream";
}

std::string StaticFiles::HttpDate(std::int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[40];
  const std::size_t n = std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buffer, n);
}

std::int64_t StaticFiles::ParseHttpDate(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") {
    return -1;
  }
  auto number = [&](std::size_t pos, std::size_t len) -> int {
    int value = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') {
        return -1;
      }
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  std::tm tm{};
  tm.tm_mday = number(5, 2);
  tm.tm_mon = -1;
  for (std::size_t m = 0; m < kMonths.size(); ++m) {
    if (text.substr(8, 3) == kMonths[m]) {
      tm.tm_mon = static_cast<int>(m);
    }
  }
  tm.tm_year = number(12, 4) - 1900;
  tm.tm_hour = number(17, 2);
  tm.tm_min = number(20, 2);
  tm.tm_sec = number(23, 2);
  if (tm.tm_mday < 1 || tm.tm_mon < 0 || tm.tm_year < 0 || tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0 ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':') {
    return -1;
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

bool StaticFiles::IsApiPath(const std::vector<std::string>& segments) const {
  if (segments.empty()) {
    return false;
  }
  for (const std::string& prefix : api_prefixes_) {
    if (segments.front() == prefix) {
      return true;
    }
  }
  return false;
}

Response StaticFiles::Serve(const Request& request, const std::vector<std::string>& segments) const {
  for (const std::string& segment : segments) {
    if (!SafeSegment(segment)) {
      return NotFound(request);
    }
  }
  if (IsApiPath(segments)) {
    return NotFound(request);
  }
  const bool immutable = !segments.empty() && segments.front() == "assets";
  fs::path candidate = root_;
  for (const std::string& segment : segments) {
    if (!segment.empty()) {
      candidate /= segment;
    }
  }
  std::error_code ec;
  if (fs::is_directory(candidate, ec)) {
    candidate /= "index.html";
  }
  if (fs::is_regular_file(candidate, ec)) {
    const fs::path real = fs::canonical(candidate, ec);
    if (ec || !Within(root_, real)) {
      return NotFound(request);  // a symlink pointing outside the root
    }
    return ServeFile(request, real, immutable);
  }
  // Unknown paths that do not look like files belong to the single-page app's client-side router.
  const bool looks_like_file = !segments.empty() && segments.back().find('.') != std::string::npos;
  if (!looks_like_file && !immutable) {
    const fs::path index = root_ / "index.html";
    if (fs::is_regular_file(index, ec)) {
      return ServeFile(request, index, false);
    }
  }
  return NotFound(request);
}

Response StaticFiles::ServeFile(const Request& request, const std::filesystem::path& file, bool immutable) const {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) {
    return NotFound(request);
  }
  const std::int64_t mtime_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
  char etag[64];
  std::snprintf(etag, sizeof(etag), "\"%llx-%llx\"", static_cast<unsigned long long>(info.st_size),
                static_cast<unsigned long long>(mtime_ns));
  const std::string last_modified = HttpDate(info.st_mtim.tv_sec);
  Response response;
  response.SetHeader("ETag", etag);
  response.SetHeader("Last-Modified", last_modified);
  response.SetHeader("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  response.SetHeader("X-Content-Type-Options", "nosniff");

  bool not_modified = false;
  if (const auto if_none_match = request.Header("if-none-match")) {
    not_modified = EtagMatches(*if_none_match, etag);
  } else if (const auto if_modified_since = request.Header("if-modified-since")) {
    const std::int64_t since = ParseHttpDate(*if_modified_since);
    not_modified = since >= 0 && static_cast<std::int64_t>(info.st_mtim.tv_sec) <= since;
  }
  if (not_modified) {
    response.status = 304;
    response.content_type.clear();
    return response;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return NotFound(request);
  }
  response.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  response.content_type = std::string(ContentTypeFor(file.extension().string()));
  return response;
}

}  // namespace td::api
