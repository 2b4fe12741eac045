// SPDX-License-Identifier: MIT
// In-process tests of the building blocks; the socket-level behaviour is in server_test.cpp.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/auth.hpp"
#include "api/error_response.hpp"
#include "api/json_body.hpp"
#include "api/json_writer.hpp"
#include "api/metrics.hpp"
#include "api/rate_limiter.hpp"
#include "api/router.hpp"
#include "api/static_files.hpp"
#include "api/stream.hpp"

namespace td::api {
namespace {

namespace json = boost::json;

TEST(JsonWriter, WritesNestedValuesCompactly) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a").Int(-3).Key("b").Uint(18446744073709551615ull).Key("c").Bool(true).Key("d").Null();
  w.Key("e").BeginArray().Int(1).String("x").BeginObject().EndObject().BeginArray().EndArray().EndArray();
  w.EndObject();
  EXPECT_TRUE(w.complete());
  EXPECT_EQ(w.Take(), R"({"a":-3,"b":18446744073709551615,"c":true,"d":null,"e":[1,"x",{},[]]})");
}

TEST(JsonWriter, EscapesStringsAndRepairsInvalidUtf8) {
  JsonWriter w;
  w.String(std::string("q\"b\\n\n\t\x01\x1f", 9) + "\xc3\xa9" + "\xff" + "\xe2\x80\xa8");
  EXPECT_EQ(w.Take(), R"("q\"b\\n\n\t\u0001\u001fé\ufffd\u2028")");
  // The output always parses, and parses back to the repaired text.
  JsonWriter again;
  again.String("bad \xc0\xaf overlong and \xed\xa0\x80 surrogate");
  const json::value parsed = json::parse(again.Take());
  EXPECT_EQ(parsed.as_string(),
            "bad \xef\xbf\xbd\xef\xbf\xbd overlong and \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd surrogate");
}

TEST(JsonWriter, DoublesAreShortestRoundTripAndNonFiniteIsNull) {
  JsonWriter w;
  w.BeginArray().Double(1.5).Double(0.1).Double(1e21).Double(-0.0).Double(3.0);
  w.Double(std::numeric_limits<double>::quiet_NaN()).Double(std::numeric_limits<double>::infinity()).EndArray();
  const std::string text = w.Take();
  EXPECT_EQ(text, "[1.5,0.1,1e+21,-0,3,null,null]");
  EXPECT_EQ(text.find('E'), std::string::npos);
  const json::array parsed = json::parse(text).as_array();
  EXPECT_EQ(parsed[1].as_double(), 0.1);
}

TEST(JsonWriter, PricesAtTheirPrecision) {
  JsonWriter w;
  w.BeginObject().Key("px").PriceValue(Price::Parse("24000.50").value());
  w.Key("qty").QuantityValue(Quantity::FromUnits(75)).Key("neg").PriceValue(Price::Parse("-0.05").value());
  w.EndObject();
  EXPECT_EQ(w.Take(), R"({"px":24000.50,"qty":75,"neg":-0.05})");
}

TEST(JsonWriterDeathTest, MisuseAborts) {
  EXPECT_DEATH(
      {
        JsonWriter w;
        w.BeginObject().Int(1);
      },
      "without a key");
  EXPECT_DEATH(
      {
        JsonWriter w;
        w.BeginArray();
        (void)w.Take();
      },
      "unclosed");
}

TEST(ErrorResponse, MapsCodesToStatusAndHidesServerFaults) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnprocessable), 422);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kRateLimited), 429);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kTimeout), 504);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500);

  const Response bad = ErrorResponse(Error::InvalidArgument("symbol is empty", "symbol"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body, R"({"error":{"code":"invalid_argument","message":"symbol is empty","field":"symbol"}})");
  const Response internal = ErrorResponse(Error::Io("disk /var/secret failed"));
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("secret"), std::string::npos);
  EXPECT_EQ(ErrorResponse(404, "not_found", "nope").body,
            R"({"error":{"code":"not_found","message":"nope","field":null}})");
}

TEST(JsonBody, ReportsThePositionOfMalformedInput) {
  auto ok = ParseJsonBody(R"({"a": [1, 2]}  )");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->as_object().at("a").as_array().size(), 2u);

  auto bad = ParseJsonBody("{\"a\":\n  [1, }");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("offset 12"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("line 2"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(ParseJsonBody("").ok());
  EXPECT_FALSE(ParseJsonBody("{} x").ok());
  EXPECT_FALSE(ParseJsonBody("[1,2").ok());
}

Handler Named(std::string name) {
  return [name](const Request& r) -> Result<Response> {
    std::string body = name;
    for (const auto& [k, v] : r.path_params)
      body += " " + k + "=" + v;
    return Response::Text(body);
  };
}

TEST(Router, MatchesParametersAndPrefersLiteralSegments) {
  Router router;
  router.Get("/idea/{plan_id}/{version}", Named("idea"));
  router.Get("/idea/latest/{version}", Named("latest"));
  router.Post("/idea/{plan_id}/{version}", Named("post"));
  router.Get("/", Named("root"));

  Resolution r = router.Resolve(Method::kGet, "/idea/p1/7");
  ASSERT_NE(r.route, nullptr);
  EXPECT_EQ(r.route->pattern, "/idea/{plan_id}/{version}");
  EXPECT_EQ(r.params, (NameValueList{{"plan_id", "p1"}, {"version", "7"}}));

  r = router.Resolve(Method::kGet, "/idea/latest/3");
  ASSERT_NE(r.route, nullptr);
  EXPECT_EQ(r.route->pattern, "/idea/latest/{version}");

  EXPECT_EQ(router.Resolve(Method::kPost, "/idea/p1/7").route->method, Method::kPost);
  r = router.Resolve(Method::kHead, "/idea/p1/7");
  ASSERT_NE(r.route, nullptr);
  EXPECT_EQ(r.route->method, Method::kGet);
  EXPECT_NE(router.Resolve(Method::kGet, "/").route, nullptr);

  r = router.Resolve(Method::kDelete, "/idea/p1/7");
  EXPECT_EQ(r.route, nullptr);
  EXPECT_EQ(r.allow, "GET, HEAD, POST, OPTIONS");

  r = router.Resolve(Method::kGet, "/idea/p1");
  EXPECT_FALSE(r.path_exists());
  EXPECT_FALSE(router.Resolve(Method::kGet, "/idea/p1/7/extra").path_exists());
  EXPECT_FALSE(router.Resolve(Method::kGet, "/idea//7").path_exists());
}

TEST(Router, ParsesTargetsWithPercentDecoding) {
  auto target = ParseTarget("/idea/NSE%3ANIFTY/2?symbol=M%26M&x=a+b&flag");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->segments, (std::vector<std::string>{"idea", "NSE:NIFTY", "2"}));
  EXPECT_EQ(target->path, "/idea/NSE:NIFTY/2");
  EXPECT_EQ(target->query, (NameValueList{{"symbol", "M&M"}, {"x", "a b"}, {"flag", ""}}));
  EXPECT_FALSE(ParseTarget("no-slash").ok());
  EXPECT_FALSE(ParseTarget("/bad%zz").ok());
}

TEST(RouterDeathTest, DuplicateRoutesAndOperationIdsAbort) {
  EXPECT_DEATH(
      {
        Router router;
        router.Get("/a", Named("a"));
        router.Get("/a", Named("b"));
      },
      "duplicate route");
  EXPECT_DEATH(
      {
        Router router;
        router.Get("/a", Named("a"), MakeDoc("A", "same"));
        router.Get("/b", Named("b"), MakeDoc("B", "same"));
      },
      "duplicate operationId");
  EXPECT_DEATH(
      {
        Router router;
        RouteDoc doc;
        doc.request_body_schema = "{not json";
        router.Post("/a", Named("a"), doc);
      },
      "not valid JSON");
}

TEST(Router, InvokeMapsErrorsAndExceptions) {
  Router router;
  router.Get("/unprocessable",
             [](const Request&) -> Result<Response> { return Error::Unprocessable("market closed", "session"); });
  router.Get("/throws", [](const Request&) -> Result<Response> { throw std::runtime_error("db password=hunter2"); });
  Request request;
  Response response = router.Invoke(*router.Resolve(Method::kGet, "/unprocessable").route, request);
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(response.body, R"({"error":{"code":"unprocessable","message":"market closed","field":"session"}})");
  response = router.Invoke(*router.Resolve(Method::kGet, "/throws").route, request);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("hunter2"), std::string::npos);
}

TEST(OpenApi, DocumentIsOpenApi31WithEveryVisibleRoute) {
  Router router;
  router.SetInfo("tradedesk", "9.9.9", "test");
  router.AddSchema("Plan", R"({"type":"object","properties":{"id":{"type":"string"}}})");
  RouteDoc doc = MakeDoc("Get one idea", "getIdea", {"ideas"});
  doc.parameters = {{"fields", ParamLocation::kQuery, false, "Fields to include", R"({"type":"string"})"}};
  doc.responses = {{200, "The idea", R"({"$ref":"#/components/schemas/Plan"})", "application/json"}};
  router.Get("/idea/{plan_id}/{version}", Named("idea"), doc);
  RouteDoc place = MakeDoc("Place an order", "placeOrder", {"orders"});
  place.request_body_schema = R"({"type":"object","properties":{"symbol":{"type":"string"}},"required":["symbol"]})";
  place.consequential = true;
  RouteOptions options;
  options.requires_auth = true;
  options.rate_limiter = std::make_shared<RateLimiter>(10, 10);
  router.Post("/api/v1/orders", Named("place"), place, options);
  RouteDoc hidden = MakeDoc("internal");
  hidden.hidden = true;
  router.Get("/internal", Named("internal"), hidden);

  const json::value document = json::parse(router.OpenApiJson());
  const json::object& root = document.as_object();
  EXPECT_EQ(root.at("openapi").as_string(), "3.1.0");
  EXPECT_EQ(root.at("info").at("version").as_string(), "9.9.9");
  EXPECT_FALSE(root.at("servers").as_array().empty());
  const json::object& paths = root.at("paths").as_object();
  EXPECT_EQ(paths.size(), 2u);
  EXPECT_FALSE(paths.contains("/internal"));

  const json::object& get = paths.at("/idea/{plan_id}/{version}").at("get").as_object();
  EXPECT_EQ(get.at("operationId").as_string(), "getIdea");
  int path_params = 0;
  for (const auto& param : get.at("parameters").as_array()) {
    if (param.at("in").as_string() == "path") {
      ++path_params;
      EXPECT_TRUE(param.at("required").as_bool());
    }
  }
  EXPECT_EQ(path_params, 2);
  EXPECT_EQ(get.at("responses").at("200").at("content").at("application/json").at("schema").at("$ref").as_string(),
            "#/components/schemas/Plan");
  EXPECT_EQ(get.at("responses").at("default").at("content").at("application/json").at("schema").at("$ref").as_string(),
            "#/components/schemas/Error");

  const json::object& post = paths.at("/api/v1/orders").at("post").as_object();
  EXPECT_TRUE(post.at("x-openai-isConsequential").as_bool());
  EXPECT_TRUE(post.at("requestBody").at("required").as_bool());
  EXPECT_TRUE(post.at("responses").as_object().contains("401"));
  EXPECT_TRUE(post.at("responses").as_object().contains("429"));
  EXPECT_TRUE(post.at("security").as_array()[0].as_object().contains("bearerAuth"));

  const json::object& components = root.at("components").as_object();
  const json::object& error = components.at("schemas").at("Error").as_object();
  EXPECT_EQ(error.at("properties").at("error").at("required").as_array().size(), 3u);
  EXPECT_TRUE(components.at("schemas").as_object().contains("Plan"));
  EXPECT_EQ(components.at("securitySchemes").at("bearerAuth").at("scheme").as_string(), "bearer");
}

TEST(RateLimiter, RefillsAtTheConfiguredRate) {
  auto now = std::chrono::steady_clock::time_point{};
  RateLimiter limiter(2.0, 3.0, [&] { return now; });
  EXPECT_TRUE(limiter.Acquire("a").allowed);
  EXPECT_TRUE(limiter.Acquire("a").allowed);
  EXPECT_TRUE(limiter.Acquire("a").allowed);
  RateLimiter::Decision refused = limiter.Acquire("a");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, std::chrono::milliseconds(500));
  EXPECT_TRUE(limiter.Acquire("b").allowed);  // keys are independent
  now += std::chrono::milliseconds(499);
  EXPECT_FALSE(limiter.Acquire("a").allowed);
  now += std::chrono::milliseconds(1);
  EXPECT_TRUE(limiter.Acquire("a").allowed);
  now += std::chrono::hours(1);  // never more than the burst
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(limiter.Acquire("a").allowed);
  EXPECT_FALSE(limiter.Acquire("a").allowed);
}

TEST(RateLimiter, MemoryIsBounded) {
  auto now = std::chrono::steady_clock::time_point{};
  RateLimiter limiter(
      1.0, 1.0, [&] { return now; }, 160);
  for (int i = 0; i < 5000; ++i) {
    (void)limiter.Acquire("k" + std::to_string(i));
  }
  EXPECT_LE(limiter.size(), 160u);
}

TEST(Auth, BearerTokensMapToPrincipals) {
  Authenticator auth = BearerTokenAuthenticator({{"tok-alice", "alice"}, {"tok-bob", "bob"}});
  Request request;
  request.headers = {{"authorization", "Bearer tok-bob"}};
  auto who = auth(request);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->principal, "bob");
  EXPECT_FALSE(who->admin);
  request.headers = {{"authorization", "bearer tok-alice"}};
  EXPECT_EQ(auth(request)->principal, "alice");
  request.headers = {{"authorization", "Bearer tok-carol"}};
  EXPECT_EQ(auth(request).error().code, ErrorCode::kUnauthenticated);
  request.headers = {{"authorization", "Basic dG9rOmFsaWNl"}};
  EXPECT_FALSE(auth(request).ok());
  request.headers.clear();
  EXPECT_FALSE(auth(request).ok());
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(Broadcaster, DeliversInOrderAndReplaysHistoryWithoutGaps) {
  Broadcaster hub(4);
  auto early = std::make_shared<StreamClient>(100);
  hub.Subscribe(early);
  for (int i = 1; i <= 6; ++i)
    hub.Publish("tick", std::to_string(i));
  std::deque<std::shared_ptr<const StreamEvent>> events;
  EXPECT_EQ(early->Drain(events), CloseReason::kOpen);
  ASSERT_EQ(events.size(), 6u);
  for (std::size_t i = 0; i < events.size(); ++i)
    EXPECT_EQ(events[i]->id, i + 1);

  auto resumed = std::make_shared<StreamClient>(100);
  hub.Subscribe(resumed, 3);  // history holds ids 3..6: replays 4, 5, 6
  hub.Publish("tick", "7");
  events.clear();
  resumed->Drain(events);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events.front()->id, 4u);
  EXPECT_EQ(events.back()->id, 7u);
  EXPECT_EQ(hub.last_id(), 7u);
}

TEST(Broadcaster, OverflowingClientIsDroppedWithoutBlockingOthers) {
  Broadcaster hub(0);
  auto slow = std::make_shared<StreamClient>(3);
  auto fast = std::make_shared<StreamClient>(100);
  hub.Subscribe(slow);
  hub.Subscribe(fast);
  int wakes = 0;
  slow->SetWaker([&] { ++wakes; });
  for (int i = 0; i < 10; ++i)
    hub.Publish({}, "x");
  EXPECT_TRUE(slow->closed());
  EXPECT_EQ(slow->close_reason(), CloseReason::kOverflow);
  EXPECT_FALSE(slow->SendText("late"));
  EXPECT_GE(wakes, 2);  // woken for data and again, forcibly, for the drop
  EXPECT_EQ(hub.dropped_count(), 1u);
  EXPECT_EQ(hub.client_count(), 1u);
  std::deque<std::shared_ptr<const StreamEvent>> events;
  EXPECT_EQ(fast->Drain(events), CloseReason::kOpen);
  EXPECT_EQ(events.size(), 10u);
}

TEST(StaticFiles, HttpDatesRoundTrip) {
  EXPECT_EQ(StaticFiles::HttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(StaticFiles::ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(StaticFiles::ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), -1);
  EXPECT_EQ(StaticFiles::ContentTypeFor(".JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticFiles::ContentTypeFor(".bin"), "application/octet-stream");
}

TEST(Metrics, RendersPrometheusText) {
  HttpMetrics metrics;
  const int slot = metrics.RegisterRoute("/idea/{plan_id}");
  metrics.Record(slot, Method::kGet, 200, std::chrono::microseconds(300));
  metrics.Record(slot, Method::kGet, 200, std::chrono::milliseconds(30));
  metrics.Record(slot, Method::kPost, 418, std::chrono::milliseconds(1));
  EXPECT_EQ(metrics.RequestCount("/idea/{plan_id}", Method::kGet, 200), 2u);
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("td_http_requests_total{route=\"/idea/{plan_id}\",method=\"GET\",status=\"200\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("td_http_requests_total{route=\"/idea/{plan_id}\",method=\"POST\",status=\"4xx\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("td_http_request_duration_seconds_bucket{route=\"/idea/{plan_id}\",le=\"0.0005\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("td_http_request_duration_seconds_bucket{route=\"/idea/{plan_id}\",le=\"0.05\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("td_http_request_duration_seconds_bucket{route=\"/idea/{plan_id}\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("td_http_request_duration_seconds_count{route=\"/idea/{plan_id}\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE td_http_request_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE process_start_time_seconds gauge\n"), std::string::npos);
  const double start = ProcessStartTimeSeconds();
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 3600);
}

}  // namespace
}  // namespace td::api
