// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace td::api {

/// HTTP request methods the router knows; anything else is kOther (answered with 405 or 501).
enum class Method : std::uint8_t { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };
inline constexpr std::size_t kMethodCount = 8;

/// Upper-case method name ("GET"); "OTHER" for kOther.
std::string_view MethodName(Method method);
/// Parses an upper-case method token; unknown tokens give kOther.
Method ParseMethod(std::string_view token);

/// Header or parameter list: ordered name/value pairs. Request header names are stored lower-case.
using NameValueList = std::vector<std::pair<std::string, std::string>>;

/// ASCII case-insensitive equality, for header names.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

/// One parsed HTTP request as a handler sees it (no Beast types, so any module may include this).
struct Request {
  Method method = Method::kGet;
  std::string target;         // raw request-target, e.g. "/idea/p1/2?x=1"
  std::string path;           // percent-decoded path, e.g. "/idea/p1/2"
  NameValueList path_params;  // from the route pattern, e.g. {"plan_id","p1"}
  NameValueList query;        // percent-decoded query parameters, in order
  NameValueList headers;      // names lower-case
  std::string body;
  std::string request_id;      // sanitised X-Request-Id or a generated one
  std::string principal;       // the acting user, set by the authenticator on routes that require auth
  bool admin = false;          // the credential is an admin key (or auth is off)
  std::string key_id;          // id of the API key used ("k_..."); empty for anonymous or --no-auth requests
  std::string remote_address;  // peer IP address
  std::string route_pattern;   // the matched pattern, e.g. "/idea/{plan_id}/{version}"

  /// First header with this name (case-insensitive).
  std::optional<std::string_view> Header(std::string_view name) const;
  /// First query parameter with this name.
  std::optional<std::string_view> Query(std::string_view name) const;
  /// The value of a path parameter; empty when the pattern has no such parameter.
  std::string_view PathParam(std::string_view name) const;
};

/// A complete (non-streaming) HTTP response.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  NameValueList headers;  // extra headers (Allow, Retry-After, ETag, Cache-Control, ...)
  std::string body;

  /// A JSON response; `body` must already be JSON text.
  static Response Json(std::string body, int status = 200);
  /// A plain response with an explicit content type.
  static Response Text(std::string body, std::string content_type = "text/plain; charset=utf-8", int status = 200);
  /// 204 No Content.
  static Response NoContent();

  Response& SetHeader(std::string name, std::string value);
  std::optional<std::string_view> Header(std::string_view name) const;
};

/// A route handler: returns a Response or an Error that the router maps to the JSON error shape.
using Handler = std::function<Result<Response>(const Request&)>;

/// Who a request acts as, as decided by the authenticator.
struct Identity {
  std::string principal;  // the user the request acts as
  bool admin = false;
  std::string key_id;  // the API key's id, when a key was used; rate limits are per key
};

/// Authenticates a request: returns its identity or an Error (kUnauthenticated is answered with 401).
using Authenticator = std::function<Result<Identity>(const Request&)>;

}  // namespace td::api
