// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.hpp"
#include "api/rate_limiter.hpp"
#include "api/stream.hpp"

namespace td::api {

/// Where an OpenAPI parameter lives.
enum class ParamLocation : std::uint8_t { kPath, kQuery, kHeader };

/// OpenAPI description of one parameter. `schema` is JSON Schema text.
struct ParamDoc {
  std::string name;
  ParamLocation in = ParamLocation::kQuery;
  bool required = false;
  std::string description;
  std::string schema = R"({"type":"string"})";
};

/// OpenAPI description of one response. `schema` is JSON Schema text; empty means no body.
struct ResponseDoc {
  int status = 200;
  std::string description = "OK";
  std::string schema;
  std::string content_type = "application/json";
};

/// OpenAPI metadata carried by each route; the router generates /openapi.json from it.
struct RouteDoc {
  std::string summary;  // <= 300 characters (GPT Actions limit)
  std::string description;
  std::string operation_id;  // unique; generated from method and path when empty
  std::vector<std::string> tags;
  std::vector<ParamDoc> parameters;  // path parameters missing here are added as required strings
  std::string request_body_schema;   // JSON Schema text; empty: no body
  bool request_body_required = true;
  std::vector<ResponseDoc> responses;  // empty: a bare 200
  bool consequential = false;          // x-openai-isConsequential: ChatGPT confirms before calling
  bool hidden = false;                 // left out of the OpenAPI document
};

/// Shorthand for the common RouteDoc fields (designated initializers trip -Wmissing-field-initializers).
RouteDoc MakeDoc(std::string summary, std::string operation_id = {}, std::vector<std::string> tags = {});
/// One documented response: status, description and an optional JSON Schema text.
ResponseDoc ResponseDocOf(int status, std::string description, std::string_view schema = {});
/// One documented parameter (a string unless `schema` says otherwise).
ParamDoc ParamDocOf(std::string name, ParamLocation in, bool required, std::string description,
                    std::string schema = R"({"type":"string"})");

/// Per-route behaviour around the handler.
struct RouteOptions {
  bool requires_auth = false;  // run the authenticator; 401 when it fails
  // With requires_auth: a request that presents no credential at all is admitted anonymously (principal empty)
  // so the handler can accept another proof, e.g. a view token; a wrong credential is still 401.
  bool credentials_optional = false;
  std::shared_ptr<RateLimiter> rate_limiter;  // keyed by API key, else principal, else client IP; 429 + Retry-After
};

/// Called once when an SSE client connects; typically subscribes `client` to a Broadcaster. Returning an
/// Error answers with the JSON error instead of opening the stream.
using SseHandler = std::function<Status(const Request&, const std::shared_ptr<StreamClient>& client)>;

/// The callbacks of a WebSocket route. on_open may refuse the upgrade with an Error; on_message receives
/// each text message; whatever is sent to the client goes out as text messages.
struct WebSocketHandler {
  std::function<Status(const Request&, const std::shared_ptr<StreamClient>& client)> on_open;
  std::function<void(const std::shared_ptr<StreamClient>& client, std::string_view message)> on_message;
  std::function<void(const std::shared_ptr<StreamClient>& client)> on_close;
};

enum class RouteKind : std::uint8_t { kHandler, kSse, kWebSocket };

/// One entry of the route table.
struct Route {
  Method method = Method::kGet;
  std::string pattern;
  RouteKind kind = RouteKind::kHandler;
  Handler handler;
  SseHandler sse_handler;
  WebSocketHandler ws_handler;
  RouteDoc doc;
  RouteOptions options;
  int metrics_slot = -1;  // set when the server starts

  struct Segment {
    std::string text;
    bool is_param = false;
  };
  std::vector<Segment> segments;
};

/// The outcome of looking up a method and path.
struct Resolution {
  const Route* route = nullptr;  // set when method and path matched
  NameValueList params;          // path parameters of the match
  std::string allow;             // when the path exists for other methods: "GET, HEAD, POST"
  bool path_exists() const { return route != nullptr || !allow.empty(); }
};

/// A parsed request target.
struct ParsedTarget {
  std::string path;                   // decoded, segments joined by '/'
  std::vector<std::string> segments;  // decoded path segments
  NameValueList query;                // decoded query parameters
};

/// Parses an origin-form request target ("/a/b%20c?x=1") with Boost.URL.
Result<ParsedTarget> ParseTarget(std::string_view target);

/// The route table: method + path pattern ("/idea/{plan_id}/{version}") to handler, with OpenAPI metadata.
/// Routes are added before the server starts; afterwards the table is read-only and shared by io threads.
class Router {
 public:
  Router();

  /// Adds a request/response route. Aborts on a duplicate method+pattern or duplicate operationId.
  Route& Add(Method method, std::string pattern, Handler handler, RouteDoc doc = {}, RouteOptions options = {});
  Route& Get(std::string pattern, Handler handler, RouteDoc doc = {}, RouteOptions options = {}) {
    return Add(Method::kGet, std::move(pattern), std::move(handler), std::move(doc), std::move(options));
  }
  Route& Post(std::string pattern, Handler handler, RouteDoc doc = {}, RouteOptions options = {}) {
    return Add(Method::kPost, std::move(pattern), std::move(handler), std::move(doc), std::move(options));
  }
  /// Adds a server-sent-events route (GET).
  Route& AddSse(std::string pattern, SseHandler handler, RouteDoc doc = {}, RouteOptions options = {});
  /// Adds a WebSocket route (GET with Upgrade).
  Route& AddWebSocket(std::string pattern, WebSocketHandler handler, RouteDoc doc = {}, RouteOptions options = {});

  /// Adds a named schema to components.schemas (JSON Schema text, validated now).
  void AddSchema(std::string name, std::string schema_json);
  /// Sets the authenticator used by routes with requires_auth. Without one those routes answer 401.
  void SetAuthenticator(Authenticator authenticator) { authenticator_ = std::move(authenticator); }
  /// OpenAPI info block and server URLs.
  void SetInfo(std::string title, std::string version, std::string description = {});
  void SetServers(std::vector<std::string> urls) { servers_ = std::move(urls); }

  /// Finds the route for a method and decoded path segments. HEAD falls back to GET.
  Resolution Resolve(Method method, const std::vector<std::string>& segments) const;
  /// Convenience for tests: splits a decoded path on '/'.
  Resolution Resolve(Method method, std::string_view path) const;

  /// Runs authentication and rate limiting for a route; returns the refusal, if any. Sets request.principal,
  /// request.admin and request.key_id.
  std::optional<Response> Admit(const Route& route, Request& request) const;
  /// Admits and invokes a handler route, mapping Errors and exceptions to the JSON error shape.
  Response Invoke(const Route& route, Request& request) const;

  /// The OpenAPI 3.1.0 document for every route not marked hidden.
  std::string OpenApiJson() const;

  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }
  std::vector<std::unique_ptr<Route>>& mutable_routes() { return routes_; }
  /// Forbids further changes (the server calls it on Start).
  void Freeze() { frozen_ = true; }

 private:
  Route& AddRoute(std::unique_ptr<Route> route);

  std::vector<std::unique_ptr<Route>> routes_;
  std::vector<std::pair<std::string, std::string>> schemas_;
  Authenticator authenticator_;
  std::string title_ = "tradedesk";
  std::string version_ = "0.1.0";
  std::string description_;
  std::vector<std::string> servers_ = {"/"};
  bool frozen_ = false;
};

/// Splits a pattern or decoded path into segments ("/a/{b}" -> "a", "{b}").
std::vector<std::string> SplitPath(std::string_view path);

}  // namespace td::api
