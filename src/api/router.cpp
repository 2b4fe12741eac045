// SPDX-License-Identifier: MIT
#include "api/router.hpp"

#include <algorithm>
#include <array>
#include <exception>

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "api/auth.hpp"
#include "api/error_response.hpp"
#include "api/log.hpp"
#include "core/check.hpp"

namespace td::api {
namespace {

std::string GeneratedOperationId(Method method, std::string_view pattern) {
  std::string id(MethodName(method));
  std::transform(id.begin(), id.end(), id.begin(), [](char c) { return static_cast<char>(c - 'A' + 'a'); });
  bool separator = true;
  for (char c : pattern) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      if (separator) {
        id += '_';
      }
      id += c;
      separator = false;
    } else {
      separator = true;
    }
  }
  return id;
}

bool IsParamSegment(std::string_view segment) {
  return segment.size() >= 3 && segment.front() == '{' && segment.back() == '}';
}

/// True when `a` is more specific than `b`: at the first segment where they differ, a literal beats a parameter.
bool MoreSpecific(const Route& a, const Route& b) {
  for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].is_param != b.segments[i].is_param) {
      return !a.segments[i].is_param;
    }
  }
  return false;
}

bool Matches(const Route& route, const std::vector<std::string>& segments) {
  if (route.segments.size() != segments.size()) {
    return false;
  }
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Route::Segment& segment = route.segments[i];
    if (segment.is_param ? segments[i].empty() : segment.text != segments[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

ResponseDoc ResponseDocOf(int status, std::string description, std::string_view schema) {
  ResponseDoc doc;
  doc.status = status;
  doc.description = std::move(description);
  doc.schema = std::string(schema);
  return doc;
}

ParamDoc ParamDocOf(std::string name, ParamLocation in, bool required, std::string description, std::string schema) {
  ParamDoc doc;
  doc.name = std::move(name);
  doc.in = in;
  doc.required = required;
  doc.description = std::move(description);
  doc.schema = std::move(schema);
  return doc;
}

RouteDoc MakeDoc(std::string summary, std::string operation_id, std::vector<std::string> tags) {
  RouteDoc doc;
  doc.summary = std::move(summary);
  doc.operation_id = std::move(operation_id);
  doc.tags = std::move(tags);
  return doc;
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> segments;
  if (path.empty() || path == "/") {
    return segments;
  }
  std::size_t start = path.front() == '/' ? 1 : 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    segments.emplace_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return segments;
}

Result<ParsedTarget> ParseTarget(std::string_view target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) {
    return Error::InvalidArgument("malformed request target: " + parsed.error().message(), "target");
  }
  const boost::urls::url_view& url = *parsed;
  ParsedTarget out;
  for (auto segment : url.segments()) {
    out.segments.push_back(std::string(segment));
  }
  out.path = "/";
  for (std::size_t i = 0; i < out.segments.size(); ++i) {
    if (i > 0) {
      out.path += '/';
    }
    out.path += out.segments[i];
  }
  if (url.has_query()) {
    for (auto param : url.params()) {
      out.query.emplace_back(std::string(param.key), param.has_value ? std::string(param.value) : std::string());
    }
  }
  return out;
}

Router::Router() {
  AddSchema("Error", R"({"type":"object","required":["error"],"properties":{"error":{"type":"object",)"
                     R"("required":["code","message","field"],"properties":{"code":{"type":"string",)"
                     R"("description":"Stable snake_case error code, e.g. invalid_argument"},)"
                     R"("message":{"type":"string"},"field":{"type":["string","null"],)"
                     R"("description":"The offending input field, when one applies"}}}}})");
}

void Router::SetInfo(std::string title, std::string version, std::string description) {
  title_ = std::move(title);
  version_ = std::move(version);
  description_ = std::move(description);
}

void Router::AddSchema(std::string name, std::string schema_json) {
  TD_CHECK(!frozen_) << "routes are frozen once the server starts";
  boost::system::error_code ec;
  boost::json::parse(schema_json, ec);
  TD_CHECK(!ec) << "schema " << name << " is not valid JSON: " << ec.message();
  for (auto& [existing, text] : schemas_) {
    if (existing == name) {
      text = std::move(schema_json);
      return;
    }
  }
  schemas_.emplace_back(std::move(name), std::move(schema_json));
}

Route& Router::AddRoute(std::unique_ptr<Route> route) {
  TD_CHECK(!frozen_) << "routes are frozen once the server starts";
  TD_CHECK(!route->pattern.empty() && route->pattern.front() == '/')
      << "pattern must start with '/': " << route->pattern;
  TD_CHECK(route->doc.summary.size() <= 300) << "summary over 300 characters: " << route->pattern;
  for (const std::string& text : SplitPath(route->pattern)) {
    const bool is_param = IsParamSegment(text);
    TD_CHECK(is_param || (text.find('{') == std::string::npos && text.find('}') == std::string::npos))
        << "bad pattern segment '" << text << "' in " << route->pattern;
    route->segments.push_back({is_param ? text.substr(1, text.size() - 2) : text, is_param});
  }
  if (route->doc.operation_id.empty()) {
    route->doc.operation_id = GeneratedOperationId(route->method, route->pattern);
  }
  auto check_json = [&](const std::string& text, std::string_view what) {
    if (text.empty()) {
      return;
    }
    boost::system::error_code ec;
    boost::json::parse(text, ec);
    TD_CHECK(!ec) << what << " of " << route->pattern << " is not valid JSON: " << ec.message();
  };
  check_json(route->doc.request_body_schema, "request body schema");
  for (const ParamDoc& param : route->doc.parameters) {
    check_json(param.schema, "parameter schema");
  }
  for (const ResponseDoc& response : route->doc.responses) {
    check_json(response.schema, "response schema");
  }
  for (const auto& existing : routes_) {
    TD_CHECK(!(existing->method == route->method && existing->pattern == route->pattern))
        << "duplicate route " << MethodName(route->method) << ' ' << route->pattern;
    TD_CHECK(existing->doc.operation_id != route->doc.operation_id)
        << "duplicate operationId " << route->doc.operation_id;
  }
  routes_.push_back(std::move(route));
  return *routes_.back();
}

Route& Router::Add(Method method, std::string pattern, Handler handler, RouteDoc doc, RouteOptions options) {
  TD_CHECK(method != Method::kHead && method != Method::kOptions && method != Method::kOther)
      << "HEAD and OPTIONS are answered automatically";
  TD_CHECK(static_cast<bool>(handler)) << "empty handler for " << pattern;
  auto route = std::make_unique<Route>();
  route->method = method;
  route->pattern = std::move(pattern);
  route->kind = RouteKind::kHandler;
  route->handler = std::move(handler);
  route->doc = std::move(doc);
  route->options = std::move(options);
  return AddRoute(std::move(route));
}

Route& Router::AddSse(std::string pattern, SseHandler handler, RouteDoc doc, RouteOptions options) {
  TD_CHECK(static_cast<bool>(handler)) << "empty SSE handler for " << pattern;
  auto route = std::make_unique<Route>();
  route->method = Method::kGet;
  route->pattern = std::move(pattern);
  route->kind = RouteKind::kSse;
  route->sse_handler = std::move(handler);
  route->doc = std::move(doc);
  route->options = std::move(options);
  return AddRoute(std::move(route));
}

Route& Router::AddWebSocket(std::string pattern, WebSocketHandler handler, RouteDoc doc, RouteOptions options) {
  auto route = std::make_unique<Route>();
  route->method = Method::kGet;
  route->pattern = std::move(pattern);
  route->kind = RouteKind::kWebSocket;
  route->ws_handler = std::move(handler);
  route->doc = std::move(doc);
  route->options = std::move(options);
  return AddRoute(std::move(route));
}

Resolution Router::Resolve(Method method, const std::vector<std::string>& segments) const {
  Resolution resolution;
  std::array<bool, kMethodCount> allowed{};
  for (const auto& route : routes_) {
    if (!Matches(*route, segments)) {
      continue;
    }
    allowed[static_cast<std::size_t>(route->method)] = true;
    if (route->method == Method::kGet && route->kind == RouteKind::kHandler) {
      allowed[static_cast<std::size_t>(Method::kHead)] = true;
    }
    const bool method_matches = route->method == method || (method == Method::kHead && route->method == Method::kGet &&
                                                            route->kind == RouteKind::kHandler);
    if (method_matches && (resolution.route == nullptr || MoreSpecific(*route, *resolution.route))) {
      resolution.route = route.get();
    }
  }
  if (resolution.route != nullptr) {
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const Route::Segment& segment = resolution.route->segments[i];
      if (segment.is_param) {
        resolution.params.emplace_back(segment.text, segments[i]);
      }
    }
    return resolution;
  }
  bool any = false;
  for (bool flag : allowed) {
    any = any || flag;
  }
  if (any) {
    allowed[static_cast<std::size_t>(Method::kOptions)] = true;
    for (std::size_t m = 0; m < kMethodCount; ++m) {
      if (allowed[m]) {
        if (!resolution.allow.empty()) {
          resolution.allow += ", ";
        }
        resolution.allow += MethodName(static_cast<Method>(m));
      }
    }
  }
  return resolution;
}

Resolution Router::Resolve(Method method, std::string_view path) const {
  return Resolve(method, SplitPath(path));
}

std::optional<Response> Router::Admit(const Route& route, Request& request) const {
  // Identity comes only from the authenticator, never from whatever a caller put in the request.
  request.principal.clear();
  request.admin = false;
  request.key_id.clear();
  if (route.options.requires_auth) {
    std::optional<Result<Identity>> identity;
    if (authenticator_) {
      try {
        identity.emplace(authenticator_(request));
      } catch (const std::exception& e) {
        Log(LogLevel::kError, std::string("authenticator threw: ") + e.what(), request.request_id);
        return ErrorResponse(500, "internal", kInternalErrorMessage);
      }
    } else {
      identity.emplace(Error{ErrorCode::kUnauthenticated, "authentication is required", "Authorization"});
    }
    if (identity->ok()) {
      request.principal = std::move((*identity)->principal);
      request.admin = (*identity)->admin;
      request.key_id = std::move((*identity)->key_id);
    } else if (!(route.options.credentials_optional && identity->error().code == ErrorCode::kUnauthenticated &&
                 !PresentsCredentials(request))) {
      const Error& error = identity->error();
      if (IsServerFault(error.code)) {
        Log(LogLevel::kError, "authenticator failed: " + error.ToString(), request.request_id);
      }
      Response response = ErrorResponse(error);
      if (error.code == ErrorCode::kUnauthenticated) {
        response.SetHeader("WWW-Authenticate", "Bearer");
      }
      return response;
    }
  }
  if (route.options.rate_limiter) {
    const std::string key = !request.key_id.empty()      ? "k:" + request.key_id
                            : !request.principal.empty() ? "p:" + request.principal
                                                         : "ip:" + request.remote_address;
    const RateLimiter::Decision decision = route.options.rate_limiter->Acquire(key);
    if (!decision.allowed) {
      const auto seconds = (decision.retry_after.count() + 999) / 1000;
      Response response = ErrorResponse(429, "rate_limited", "rate limit exceeded; retry later");
      response.SetHeader("Retry-After", std::to_string(std::max<std::int64_t>(1, seconds)));
      return response;
    }
  }
  return std::nullopt;
}

Response Router::Invoke(const Route& route, Request& request) const {
  TD_CHECK(route.kind == RouteKind::kHandler) << "Invoke on a streaming route " << route.pattern;
  if (auto refusal = Admit(route, request)) {
    return std::move(*refusal);
  }
  try {
    Result<Response> result = route.handler(request);
    if (result.ok()) {
      return std::move(result).value();
    }
    const Error& error = result.error();
    if (IsServerFault(error.code)) {
      Log(LogLevel::kError, "handler " + route.pattern + " failed: " + error.ToString(), request.request_id);
    }
    return ErrorResponse(error);
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "handler " + route.pattern + " threw: " + e.what(), request.request_id);
  } catch (...) {
    Log(LogLevel::kError, "handler " + route.pattern + " threw a non-standard exception", request.request_id);
  }
  return ErrorResponse(500, "internal", kInternalErrorMessage);
}

}  // namespace td::api
