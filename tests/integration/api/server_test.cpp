// SPDX-License-Identifier: MIT
// The HTTP server over real sockets on 127.0.0.1, port 0.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <boost/json.hpp>

#include "api/auth.hpp"
#include "api/http_server.hpp"
#include "api/json_body.hpp"
#include "api/json_writer.hpp"
#include "api/log.hpp"
#include "http_client.hpp"

namespace td::api {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::BuildRequest;
using testing::Fetch;
using testing::HttpResult;
using testing::RawConnection;

/// Parses an error body and checks it has exactly the one error shape.
json::object ErrorOf(const HttpResult& result) {
  const json::value value = json::parse(result.body);
  const json::object& root = value.as_object();
  EXPECT_EQ(root.size(), 1u) << result.body;
  const json::object& error = root.at("error").as_object();
  EXPECT_EQ(error.size(), 3u) << result.body;
  EXPECT_TRUE(error.at("code").is_string());
  EXPECT_TRUE(error.at("message").is_string());
  EXPECT_TRUE(error.at("field").is_string() || error.at("field").is_null());
  EXPECT_EQ(result.Header("content-type"), "application/json");
  return error;
}

class ServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_) {
      server_->Stop();
    }
    SetLogSink({});
    if (!temp_dir_.empty()) {
      std::filesystem::remove_all(temp_dir_);
    }
  }

  static HttpServerOptions Options() {
    HttpServerOptions options;
    options.listen_port = 0;
    options.io_threads = 2;
    options.max_header_bytes = 8 * 1024;
    options.max_body_bytes = 64 * 1024;
    options.shutdown_grace = 3s;
    return options;
  }

  void Start(HttpServerOptions options = Options()) {
    server_ = std::make_unique<HttpServer>(std::move(options));
    AddRoutes(*server_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  void AddRoutes(HttpServer& server) {
    Router& router = server.router();
    RouteDoc idea = MakeDoc("Get an idea version", "getIdea", {"ideas"});
    idea.parameters = {{"detail", ParamLocation::kQuery, false, "Detail level", R"({"type":"string"})"}};
    router.Get(
        "/idea/{plan_id}/{version}",
        [](const Request& r) -> Result<Response> {
          JsonWriter w;
          w.BeginObject().Key("plan_id").String(r.PathParam("plan_id")).Key("version").String(r.PathParam("version"));
          w.Key("detail").StringOrNull(r.Query("detail").value_or("")).Key("route").String(r.route_pattern);
          w.EndObject();
          return Response::Json(w.Take());
        },
        idea);
    RouteDoc orders = MakeDoc("Validate an order", "postOrder", {"orders"});
    orders.request_body_schema = R"({"type":"object","properties":{"symbol":{"type":"string"}}})";
    router.Post(
        "/orders",
        [](const Request& r) -> Result<Response> {
          auto body = ParseJsonBody(r.body);
          if (!body.ok()) {
            return body.error();
          }
          const json::object* object = body->if_object();
          if (object == nullptr || !object->contains("symbol") || !object->at("symbol").is_string()) {
            return Error::InvalidArgument("symbol is required", "symbol");
          }
          if (object->at("symbol").as_string() == "HALTED") {
            return Error::Unprocessable("symbol is halted", "symbol");
          }
          JsonWriter w;
          w.BeginObject().Key("symbol").String(object->at("symbol").as_string()).EndObject();
          return Response::Json(w.Take(), 201);
        },
        orders);
    router.Get("/boom", [](const Request&) -> Result<Response> { throw std::runtime_error("secret=42 leaked?"); });
    router.Get("/fault", [](const Request&) -> Result<Response> { return Error::Io("disk /srv/private full"); });
    RouteOptions auth;
    auth.requires_auth = true;
    router.Get(
        "/private",
        [](const Request& r) -> Result<Response> { return Response::Json("{\"principal\":\"" + r.principal + "\"}"); },
        {}, auth);
    RouteOptions limited;
    limited.rate_limiter = std::make_shared<RateLimiter>(1.0, 2.0);
    router.Get(
        "/limited", [](const Request&) -> Result<Response> { return Response::Json("{}"); }, {}, limited);
    router.Get("/slow", [](const Request&) -> Result<Response> {
      std::this_thread::sleep_for(300ms);
      return Response::Json(R"({"slow":true})");
    });
    router.SetAuthenticator(BearerTokenAuthenticator({{"s3cret-token", "alice"}}));
    server.AddReadinessCheck("feed", [this]() -> Status {
      if (feed_ready_.load())
        return {};
      return Error{ErrorCode::kUnavailable, "feed is stale", {}};
    });
  }

  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  std::atomic<bool> feed_ready_{true};
  std::filesystem::path temp_dir_;
};

TEST_F(ServerTest, HealthzAndGeneratedRequestId) {
  Start();
  const HttpResult result = Fetch(port_, "GET", "/healthz");
  ASSERT_TRUE(result.ok);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, R"({"status":"ok"})");
  EXPECT_EQ(result.Header("content-type"), "application/json");
  EXPECT_EQ(result.Header("x-request-id").size(), 16u);
  EXPECT_NE(Fetch(port_, "GET", "/healthz").Header("x-request-id"), result.Header("x-request-id"));
}

TEST_F(ServerTest, RequestIdIsHonouredAndSanitised) {
  Start();
  EXPECT_EQ(Fetch(port_, "GET", "/healthz", "X-Request-Id: abc-123.x\r\n").Header("x-request-id"), "abc-123.x");
  EXPECT_EQ(Fetch(port_, "GET", "/healthz", "X-Request-Id: a b<script>\"\r\n").Header("x-request-id"), "abscript");
  EXPECT_EQ(Fetch(port_, "GET", "/healthz", "X-Request-Id: " + std::string(100, 'z') + "\r\n").Header("x-request-id"),
            std::string(64, 'z'));
  EXPECT_EQ(Fetch(port_, "GET", "/healthz", "X-Request-Id: <>\r\n").Header("x-request-id").size(), 16u);
}

TEST_F(ServerTest, PathAndQueryParameters) {
  Start();
  const HttpResult result = Fetch(port_, "GET", "/idea/NSE%3ANIFTY/3?detail=full%20view");
  ASSERT_EQ(result.status, 200) << result.body;
  const json::value body = json::parse(result.body);
  EXPECT_EQ(body.at("plan_id").as_string(), "NSE:NIFTY");
  EXPECT_EQ(body.at("version").as_string(), "3");
  EXPECT_EQ(body.at("detail").as_string(), "full view");
  EXPECT_EQ(body.at("route").as_string(), "/idea/{plan_id}/{version}");
}

TEST_F(ServerTest, EveryErrorHasTheOneShape) {
  Start();
  HttpResult r = Fetch(port_, "POST", "/orders", "Content-Type: application/json\r\n", R"({"qty":1})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "invalid_argument");
  EXPECT_EQ(ErrorOf(r).at("field").as_string(), "symbol");

  r = Fetch(port_, "POST", "/orders", "", R"({"symbol":"HALTED"})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "unprocessable");

  r = Fetch(port_, "POST", "/orders", "", R"({"symbol":"NSE:INFY"})");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, R"({"symbol":"NSE:INFY"})");

  r = Fetch(port_, "GET", "/private");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "unauthenticated");
  EXPECT_EQ(r.Header("www-authenticate"), "Bearer");

  r = Fetch(port_, "GET", "/no/such/route");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "not_found");
  EXPECT_TRUE(ErrorOf(r).at("field").is_null());

  r = Fetch(port_, "DELETE", "/orders");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "method_not_allowed");
  EXPECT_EQ(r.Header("allow"), "POST, OPTIONS");
  r = Fetch(port_, "PUT", "/healthz", "", "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "GET, HEAD, OPTIONS");

  r = Fetch(port_, "GET", "/limited");
  EXPECT_EQ(r.status, 200);
  r = Fetch(port_, "GET", "/limited");
  EXPECT_EQ(r.status, 200);
  r = Fetch(port_, "GET", "/limited");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "rate_limited");
  EXPECT_EQ(r.Header("retry-after"), "1");
}

TEST_F(ServerTest, ExceptionsAndServerFaultsBecomeGeneric500s) {
  std::mutex mutex;
  std::vector<std::string> lines;
  SetLogSink([&](LogLevel, std::string_view line) {
    std::lock_guard lock(mutex);
    lines.emplace_back(line);
  });
  Start();
  HttpResult r = Fetch(port_, "GET", "/boom", "X-Request-Id: req-boom\r\n");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "internal");
  EXPECT_EQ(ErrorOf(r).at("message").as_string(), "internal server error");
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
  r = Fetch(port_, "GET", "/fault");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("private"), std::string::npos);
  std::lock_guard lock(mutex);
  bool logged = false;
  for (const std::string& line : lines) {
    logged = logged || (line.find("secret=42") != std::string::npos && line.find("req-boom") != std::string::npos);
  }
  EXPECT_TRUE(logged) << "the exception is logged with its request id";
}

TEST_F(ServerTest, AuthenticatedRoute) {
  Start();
  HttpResult r = Fetch(port_, "GET", "/private", "Authorization: Bearer s3cret-token\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"principal":"alice"})");
  r = Fetch(port_, "GET", "/private", "Authorization: Bearer wrong\r\n");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorOf(r).at("field").as_string(), "Authorization");
}

TEST_F(ServerTest, MalformedJsonGives400WithPosition) {
  Start();
  const HttpResult r = Fetch(port_, "POST", "/orders", "", "{\"symbol\": \"X\",, }");
  EXPECT_EQ(r.status, 400);
  const json::object error = ErrorOf(r);
  EXPECT_EQ(error.at("code").as_string(), "invalid_argument");
  EXPECT_NE(std::string(error.at("message").as_string()).find("offset 15"), std::string::npos) << r.body;
}

TEST_F(ServerTest, MalformedRequestLineGives400AndCloses) {
  Start();
  RawConnection connection;
  ASSERT_TRUE(connection.Connect(port_));
  connection.Send("THIS IS NOT HTTP\r\n\r\n");
  const HttpResult r = connection.ReadResponse();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "invalid_argument");
  EXPECT_TRUE(connection.WaitForClose(2s));

  RawConnection second;
  ASSERT_TRUE(second.Connect(port_));
  second.Send("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n");
  EXPECT_EQ(second.ReadResponse().status, 400);
}

TEST_F(ServerTest, OversizedHeadersGive431AndOversizedBodiesGive413) {
  Start();
  RawConnection connection;
  ASSERT_TRUE(connection.Connect(port_));
  connection.Send(BuildRequest("GET", "/healthz", "X-Filler: " + std::string(10 * 1024, 'a') + "\r\n"));
  HttpResult r = connection.ReadResponse();
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "header_too_large");

  RawConnection body;
  ASSERT_TRUE(body.Connect(port_));
  // Announce 2 MiB but send only part of it: the limit is enforced from Content-Length, before the body.
  body.Send("POST /orders HTTP/1.1\r\nHost: x\r\nX-Request-Id: big-1\r\nContent-Length: 2097152\r\n\r\n" +
            std::string(100 * 1024, 'x'));
  r = body.ReadResponse();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "payload_too_large");
  EXPECT_EQ(r.Header("x-request-id"), "big-1");
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_EQ(server_->metrics().RequestCount("(malformed)", Method::kPost, 413), 1u);
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  Start();
  RawConnection connection;
  ASSERT_TRUE(connection.Connect(port_));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(connection.Send(BuildRequest("GET", "/idea/p/" + std::to_string(i))));
    const HttpResult r = connection.ReadResponse();
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(json::parse(r.body).at("version").as_string(), std::to_string(i));
    EXPECT_NE(r.Header("connection"), "close");
  }
  // HEAD carries the GET's Content-Length but no body; the next response must still parse.
  connection.Send(BuildRequest("HEAD", "/healthz"));
  HttpResult head = connection.ReadResponse(5s, true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), "15");
  EXPECT_TRUE(head.body.empty());
  // Two pipelined requests in one write.
  connection.Send(BuildRequest("GET", "/healthz") + BuildRequest("OPTIONS", "/orders"));
  EXPECT_EQ(connection.ReadResponse().status, 200);
  const HttpResult options = connection.ReadResponse();
  EXPECT_EQ(options.status, 204);
  EXPECT_EQ(options.Header("allow"), "POST, OPTIONS");
  EXPECT_EQ(server_->open_connections(), 1u);
}

TEST_F(ServerTest, IdleKeepAliveConnectionsAreClosed) {
  HttpServerOptions options = Options();
  options.idle_timeout = 200ms;
  Start(options);
  RawConnection connection;
  ASSERT_TRUE(connection.Connect(port_));
  connection.Send(BuildRequest("GET", "/healthz"));
  ASSERT_EQ(connection.ReadResponse().status, 200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(connection.WaitForClose(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
}

TEST_F(ServerTest, SlowRequestReadTimesOut) {
  HttpServerOptions options = Options();
  options.read_timeout = 200ms;
  Start(options);
  RawConnection connection;
  ASSERT_TRUE(connection.Connect(port_));
  connection.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // never finishes the headers
  EXPECT_TRUE(connection.WaitForClose(3s));
}

TEST_F(ServerTest, MetricsCountRequestsByRouteMethodAndStatus) {
  Start();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Fetch(port_, "GET", "/idea/a/" + std::to_string(i)).status, 200);
  }
  ASSERT_EQ(Fetch(port_, "GET", "/nowhere").status, 404);
  EXPECT_EQ(server_->metrics().RequestCount("/idea/{plan_id}/{version}", Method::kGet, 200), 3u);
  const HttpResult r = Fetch(port_, "GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(
      r.body.find("td_http_requests_total{route=\"/idea/{plan_id}/{version}\",method=\"GET\",status=\"200\"} 3\n"),
      std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("td_http_requests_total{route=\"(unmatched)\",method=\"GET\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(r.body.find("td_http_request_duration_seconds_count{route=\"/idea/{plan_id}/{version}\"} 3\n"),
            std::string::npos);
  // The /metrics request itself is in flight while it renders.
  EXPECT_NE(r.body.find("td_http_requests_in_flight 1\n"), std::string::npos);
  EXPECT_NE(r.body.find("process_start_time_seconds "), std::string::npos);
}

TEST_F(ServerTest, OpenApiListsEveryVisibleRoute) {
  Start();
  const HttpResult r = Fetch(port_, "GET", "/openapi.json");
  ASSERT_EQ(r.status, 200);
  const json::value document = json::parse(r.body);
  EXPECT_EQ(document.at("openapi").as_string(), "3.1.0");
  EXPECT_TRUE(document.at("info").as_object().contains("title"));
  EXPECT_FALSE(document.at("servers").as_array().empty());
  EXPECT_TRUE(document.at("components").at("schemas").as_object().contains("Error"));
  const json::object& paths = document.at("paths").as_object();
  std::set<std::string> operation_ids;
  int visible = 0;
  for (const auto& route : server_->router().routes()) {
    if (route->doc.hidden) {
      continue;
    }
    ++visible;
    std::string method(MethodName(route->method));
    for (char& c : method)
      c = static_cast<char>(std::tolower(c));
    ASSERT_TRUE(paths.contains(route->pattern)) << route->pattern;
    ASSERT_TRUE(paths.at(route->pattern).as_object().contains(method)) << route->pattern;
    const auto& operation = paths.at(route->pattern).at(method);
    EXPECT_TRUE(operation_ids.insert(std::string(operation.at("operationId").as_string())).second);
    EXPECT_TRUE(operation.as_object().contains("responses"));
  }
  EXPECT_GE(visible, 8);
  EXPECT_EQ(static_cast<int>(operation_ids.size()), visible);
}

TEST_F(ServerTest, ReadinessReflectsChecks) {
  Start();
  HttpResult r = Fetch(port_, "GET", "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("status").as_string(), "ready");
  feed_ready_ = false;
  r = Fetch(port_, "GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  const json::value body = json::parse(r.body);
  EXPECT_EQ(body.at("status").as_string(), "not_ready");
  EXPECT_EQ(body.at("error").at("code").as_string(), "unavailable");
  EXPECT_NE(std::string(body.at("error").at("message").as_string()).find("feed"), std::string::npos);
  EXPECT_FALSE(body.at("checks").as_array()[0].at("ok").as_bool());
  EXPECT_EQ(Fetch(port_, "GET", "/healthz").status, 200);  // liveness does not depend on readiness
}

class StaticServerTest : public ServerTest {
 protected:
  void SetUp() override {
    temp_dir_ = std::filesystem::temp_directory_path() / ("td_api_static_" + std::to_string(::getpid()));
    std::filesystem::remove_all(temp_dir_);
    std::filesystem::create_directories(temp_dir_ / "www" / "assets");
    Write(temp_dir_ / "secret.txt", "TOP-SECRET");
    Write(temp_dir_ / "www" / "index.html", "<!doctype html><title>tradedesk</title>");
    Write(temp_dir_ / "www" / "assets" / "app.3f9a1c.js", "console.log('ui')");
    Write(temp_dir_ / "www" / "style.css", "body{}");
    std::filesystem::create_symlink(temp_dir_ / "secret.txt", temp_dir_ / "www" / "link.txt");
    HttpServerOptions options = Options();
    options.static_dir = temp_dir_ / "www";
    Start(options);
  }
  static void Write(const std::filesystem::path& path, std::string_view text) {
    std::ofstream(path, std::ios::binary) << text;
  }
};

TEST_F(StaticServerTest, ServesFilesWithTypesAndCaching) {
  HttpResult r = Fetch(port_, "GET", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.body, "<!doctype html><title>tradedesk</title>");
  EXPECT_EQ(r.Header("cache-control"), "no-cache");

  r = Fetch(port_, "GET", "/assets/app.3f9a1c.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(r.Header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Fetch(port_, "GET", "/style.css").Header("content-type"), "text/css; charset=utf-8");

  // The single-page app owns unknown non-API paths; API paths and missing files stay 404.
  r = Fetch(port_, "GET", "/tv");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<!doctype html><title>tradedesk</title>");
  EXPECT_EQ(Fetch(port_, "GET", "/scalping/options").status, 200);
  r = Fetch(port_, "GET", "/api/v1/unknown");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "not_found");
  EXPECT_EQ(Fetch(port_, "GET", "/missing.png").status, 404);
  EXPECT_EQ(Fetch(port_, "GET", "/assets/missing").status, 404);
  EXPECT_EQ(Fetch(port_, "POST", "/tv", "", "{}").status, 404);
}

TEST_F(StaticServerTest, ConditionalRequestsGet304) {
  const HttpResult first = Fetch(port_, "GET", "/assets/app.3f9a1c.js");
  const std::string etag = first.Header("etag");
  const std::string last_modified = first.Header("last-modified");
  ASSERT_FALSE(etag.empty());
  ASSERT_FALSE(last_modified.empty());
  HttpResult r = Fetch(port_, "GET", "/assets/app.3f9a1c.js", "If-None-Match: \"other\", " + etag + "\r\n");
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.Header("etag"), etag);
  r = Fetch(port_, "GET", "/assets/app.3f9a1c.js", "If-Modified-Since: " + last_modified + "\r\n");
  EXPECT_EQ(r.status, 304);
  r = Fetch(port_, "GET", "/assets/app.3f9a1c.js", "If-None-Match: \"stale\"\r\n");
  EXPECT_EQ(r.status, 200);
  r = Fetch(port_, "GET", "/assets/app.3f9a1c.js", "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
  EXPECT_EQ(r.status, 200);
}

TEST_F(StaticServerTest, PathTraversalIsBlocked) {
  for (const char* target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
        "/..%5csecret.txt", "/link.txt", "/assets/../../secret.txt"}) {
    const HttpResult r = Fetch(port_, "GET", target);
    EXPECT_TRUE(r.ok) << target;
    EXPECT_NE(r.status, 200) << target;
    EXPECT_EQ(r.body.find("TOP-SECRET"), std::string::npos) << target;
  }
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequestsAndRefusesNewConnections) {
  Start();
  RawConnection idle;
  ASSERT_TRUE(idle.Connect(port_));
  idle.Send(BuildRequest("GET", "/healthz"));
  ASSERT_EQ(idle.ReadResponse().status, 200);

  RawConnection slow;
  ASSERT_TRUE(slow.Connect(port_));
  slow.Send(BuildRequest("GET", "/slow"));
  std::this_thread::sleep_for(50ms);  // the handler is now sleeping
  const auto stop_started = std::chrono::steady_clock::now();
  std::thread stopper([&] { server_->Stop(); });
  std::this_thread::sleep_for(100ms);

  RawConnection late;
  EXPECT_FALSE(late.Connect(port_)) << "new connections are refused once stopping";
  EXPECT_TRUE(idle.WaitForClose(1s)) << "idle keep-alive connections are closed";

  const HttpResult r = slow.ReadResponse();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"slow":true})");
  EXPECT_EQ(r.Header("connection"), "close");
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 2s);
  EXPECT_EQ(server_->open_connections(), 0u);
}

TEST_F(ServerTest, StopGivesUpAfterTheGracePeriod) {
  HttpServerOptions options = Options();
  options.shutdown_grace = 100ms;
  Start(options);
  RawConnection reading;
  ASSERT_TRUE(reading.Connect(port_));
  reading.Send("GET /healthz HTTP/1.1\r\n");  // a request that never completes
  std::this_thread::sleep_for(50ms);
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
  EXPECT_TRUE(reading.WaitForClose(1s));
}

}  // namespace
}  // namespace td::api
