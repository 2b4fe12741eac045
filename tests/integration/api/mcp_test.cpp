// SPDX-License-Identifier: MIT
// An MCP client session over real HTTP on loopback: initialize, tools/list, tools/call of every tool, and the
// protocol's refusals (missing or foreign session, malformed JSON, unknown tool, bad origin).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include <boost/json.hpp>

#include "api/auth_context.hpp"
#include "api/context_routes.hpp"
#include "api/contracts_routes.hpp"
#include "api/http_server.hpp"
#include "api/json_writer.hpp"
#include "api/log.hpp"
#include "api/mcp.hpp"
#include "http_client.hpp"
#include "model/symbology.hpp"
#include "system/coach_service.hpp"
#include "system/context_service.hpp"
#include "system/market_service.hpp"

namespace td::api {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::Fetch;
using testing::HttpResult;

class McpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.listen_port = 0;
    options.io_threads = 2;
    options.shutdown_grace = 2s;
    server_ = std::make_unique<HttpServer>(std::move(options));
    Router& router = server_->router();
    router.SetAuthenticator([](const Request& r) -> Result<Identity> {
      const auto auth = r.Header("authorization");
      if (auth == std::optional<std::string_view>("Bearer alice-key")) {
        return Identity{"alice", false, "k_alice"};
      }
      if (auth == std::optional<std::string_view>("Bearer bob-key")) {
        return Identity{"bob", false, "k_bob"};
      }
      return Error{ErrorCode::kUnauthenticated, "missing or invalid credentials", {}};
    });
    router.AddSchema("EchoRequest", R"({"type":"object","additionalProperties":false,
        "properties":{"symbol":{"type":"string"},"style":{"type":"string","enum":["scalp","swing"]}},
        "required":["symbol"]})");
    RouteOptions auth;
    auth.requires_auth = true;
    RouteDoc echo = MakeDoc("Echo a plan request", "echoPlan", {"test"});
    echo.request_body_schema = R"({"$ref":"#/components/schemas/EchoRequest"})";
    router.Post(
        "/gpt/echo",
        [](const Request& r) -> Result<Response> {
          const json::value body = json::parse(r.body);
          const json::object& in = body.as_object();
          if (!in.contains("symbol")) {
            return Error::InvalidArgument("symbol is required", "symbol");
          }
          JsonWriter w;
          w.BeginObject().Key("user").String(r.principal).Key("symbol").String(in.at("symbol").as_string());
          w.Key("fields").Int(static_cast<std::int64_t>(in.size())).EndObject();
          return Response::Json(w.Take());
        },
        echo, auth);
    RouteDoc thing = MakeDoc("Get a thing", "getThing", {"test"});
    thing.parameters = {{"detail", ParamLocation::kQuery, false, "Detail level", R"({"type":"string"})"}};
    router.Get(
        "/things/{thing_id}",
        [](const Request& r) -> Result<Response> {
          JsonWriter w;
          w.BeginObject().Key("thing_id").String(r.PathParam("thing_id"));
          w.Key("detail").String(r.Query("detail").value_or("none")).Key("user").String(r.principal).EndObject();
          return Response::Json(w.Take());
        },
        thing, auth);
    AddMcpRoutes(router,
                 {{"echo", "echoPlan", ""}, {"thing", "getThing", "Read one thing by id."},
                  {"absent", "noSuchOperation", ""}},
                 auth);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
  }
  void TearDown() override { server_->Stop(); }

  HttpResult Post(const std::string& body, const std::string& key = "alice-key", const std::string& session = "",
                  const std::string& extra = "") {
    std::string headers = "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";
    if (!key.empty()) {
      headers += "Authorization: Bearer " + key + "\r\n";
    }
    if (!session.empty()) {
      headers += "Mcp-Session-Id: " + session + "\r\n";
    }
    return Fetch(port_, "POST", "/mcp", headers + extra, body);
  }

  std::string Initialize(const std::string& key = "alice-key") {
    const HttpResult r = Post(
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26",
            "capabilities":{},"clientInfo":{"name":"test","version":"1"}}})",
        key);
    EXPECT_EQ(r.status, 200) << r.body;
    const json::object result = json::parse(r.body).at("result").as_object();
    EXPECT_EQ(result.at("protocolVersion").as_string(), "2025-03-26");
    EXPECT_TRUE(result.at("capabilities").as_object().contains("tools"));
    EXPECT_EQ(result.at("serverInfo").at("name").as_string(), "tradedesk");
    const std::string session = r.Header("mcp-session-id");
    EXPECT_EQ(session.size(), 32u);
    const HttpResult initialized = Post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", key, session);
    EXPECT_EQ(initialized.status, 202);
    EXPECT_TRUE(initialized.body.empty());
    return session;
  }

  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
};

TEST_F(McpTest, SessionListsAndCallsEveryTool) {
  const std::string session = Initialize();
  const HttpResult list = Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", "alice-key", session);
  ASSERT_EQ(list.status, 200) << list.body;
  const json::array tools = json::parse(list.body).at("result").at("tools").as_array();
  ASSERT_EQ(tools.size(), 2u) << "a binding without a route is left out";
  EXPECT_EQ(tools[0].at("name").as_string(), "echo");
  // The component schema is inlined: MCP clients do not resolve $ref.
  const json::object echo_schema = tools[0].at("inputSchema").as_object();
  EXPECT_EQ(echo_schema.at("type").as_string(), "object");
  EXPECT_TRUE(echo_schema.at("properties").as_object().contains("style"));
  EXPECT_EQ(echo_schema.at("required").as_array().size(), 1u);
  EXPECT_EQ(tools[1].at("description").as_string(), "Read one thing by id.");
  const json::object thing_schema = tools[1].at("inputSchema").as_object();
  EXPECT_TRUE(thing_schema.at("properties").as_object().contains("thing_id"));
  EXPECT_TRUE(thing_schema.at("properties").as_object().contains("detail"));

  const HttpResult echo = Post(
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"symbol":"SPY","style":"swing"}}})",
      "alice-key", session);
  ASSERT_EQ(echo.status, 200) << echo.body;
  const json::object echo_result = json::parse(echo.body).at("result").as_object();
  EXPECT_FALSE(echo_result.at("isError").as_bool());
  EXPECT_EQ(echo_result.at("structuredContent").at("user").as_string(), "alice");
  EXPECT_EQ(echo_result.at("structuredContent").at("fields").as_int64(), 2);
  EXPECT_EQ(json::parse(echo_result.at("content").at(0).at("text").as_string()).at("symbol").as_string(), "SPY");

  const HttpResult thing = Post(
      R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"thing","arguments":{"thing_id":"t 1","detail":"full"}}})",
      "alice-key", session);
  const json::object thing_result = json::parse(thing.body).at("result").as_object();
  EXPECT_EQ(thing_result.at("structuredContent").at("thing_id").as_string(), "t 1");
  EXPECT_EQ(thing_result.at("structuredContent").at("detail").as_string(), "full");

  // The route's own validation answers through the tool as an error result, not a protocol error.
  const HttpResult invalid = Post(
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":{"style":"swing"}}})",
      "alice-key", session);
  const json::object invalid_result = json::parse(invalid.body).at("result").as_object();
  EXPECT_TRUE(invalid_result.at("isError").as_bool());
  EXPECT_EQ(invalid_result.at("structuredContent").at("error").at("field").as_string(), "symbol");

  const HttpResult ping = Post(R"({"jsonrpc":"2.0","id":"p","method":"ping"})", "alice-key", session);
  EXPECT_EQ(json::parse(ping.body).at("id").as_string(), "p");
}

TEST_F(McpTest, BatchesAnswerEachRequestInOneArray) {
  const std::string session = Initialize();
  const HttpResult batch = Post(R"([{"jsonrpc":"2.0","id":10,"method":"ping"},
      {"jsonrpc":"2.0","method":"notifications/cancelled","params":{}},
      {"jsonrpc":"2.0","id":11,"method":"no/such"}])",
                                "alice-key", session);
  ASSERT_EQ(batch.status, 200) << batch.body;
  const json::array replies = json::parse(batch.body).as_array();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].at("id").as_int64(), 10);
  EXPECT_EQ(replies[1].at("error").at("code").as_int64(), -32601);
}

TEST_F(McpTest, ProtocolRefusals) {
  // No credentials: the route's authentication refuses before any MCP work.
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})", "").status, 401);
  const std::string session = Initialize();
  // Requests after initialize need the session.
  const HttpResult missing = Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(json::parse(missing.body).at("error").at("code").as_int64(), -32600);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", "alice-key", "0123").status, 404);
  // Another user cannot ride alice's session.
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", "bob-key", session).status, 404);
  // Malformed JSON, wrong version, unknown tool.
  const HttpResult malformed = Post("{nope", "alice-key", session);
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(json::parse(malformed.body).at("error").at("code").as_int64(), -32700);
  const HttpResult version = Post(R"({"jsonrpc":"1.0","id":3,"method":"ping"})", "alice-key", session);
  EXPECT_EQ(json::parse(version.body).at("error").at("code").as_int64(), -32600);
  const HttpResult unknown =
      Post(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"absent"}})", "alice-key", session);
  EXPECT_EQ(json::parse(unknown.body).at("error").at("code").as_int64(), -32602);
  // A page on another origin may not drive the tools (DNS rebinding).
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":5,"method":"ping"})", "alice-key", session, "Origin: http://evil.test\r\n")
                .status,
            403);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":5,"method":"ping"})", "alice-key", session, "Origin: http://localhost:3000\r\n")
                .status,
            200);
  // No server-initiated stream; DELETE ends the session.
  EXPECT_EQ(Fetch(port_, "GET", "/mcp", "Authorization: Bearer alice-key\r\n").status, 405);
  EXPECT_EQ(Fetch(port_, "DELETE", "/mcp", "Authorization: Bearer alice-key\r\nMcp-Session-Id: " + session + "\r\n").status,
            204);
  EXPECT_EQ(Post(R"({"jsonrpc":"2.0","id":6,"method":"ping"})", "alice-key", session).status, 404);
  // The MCP routes stay out of the GPT Actions document.
  EXPECT_EQ(Fetch(port_, "GET", "/openapi.json").body.find("/mcp"), std::string::npos);
}

// The coach's context tools over MCP: the real context routes on the seeded simulator, bound by operationId.
TEST(McpContextToolsTest, ContextAndMultiContextAreToolsCalledOverHttp) {
  TestClock clock(*UnixNanos::ParseIso8601("2025-09-16T15:00:00Z"));
  auto market = system::MarketService::StartSimulator({.seed = 7, .history_days = 3}, clock);
  ASSERT_TRUE(market.ok()) << market.error().ToString();
  system::CoachService coach(**market, nullptr, clock);
  system::ContextService context(coach, nullptr);

  HttpServerOptions options;
  options.listen_port = 0;
  options.io_threads = 1;
  HttpServer server(std::move(options));
  Router& router = server.router();
  router.SetAuthenticator([](const Request& r) -> Result<Identity> {
    if (r.Header("authorization") == std::optional<std::string_view>("Bearer alice-key")) {
      return Identity{"alice", false, "k_alice"};
    }
    return Error{ErrorCode::kUnauthenticated, "missing or invalid credentials", {}};
  });
  RouteOptions auth;
  auth.requires_auth = true;
  AddContextRoutes(router, context, auth);
  AddMcpRoutes(router, CoachMcpTools(), auth);
  ASSERT_TRUE(server.Start().ok());
  const std::string headers =
      "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nAuthorization: Bearer alice-key\r\n";
  const HttpResult init = Fetch(server.port(), "POST", "/mcp", headers,
                                R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26",
                                    "capabilities":{},"clientInfo":{"name":"test","version":"1"}}})");
  ASSERT_EQ(init.status, 200) << init.body;
  const std::string session_headers = headers + "Mcp-Session-Id: " + init.Header("mcp-session-id") + "\r\n";
  EXPECT_EQ(Fetch(server.port(), "POST", "/mcp", session_headers, R"({"jsonrpc":"2.0","method":"notifications/initialized"})")
                .status,
            202);

  const HttpResult list = Fetch(server.port(), "POST", "/mcp", session_headers, R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  ASSERT_EQ(list.status, 200) << list.body;
  std::map<std::string, json::object> tools;
  const json::value listed = json::parse(list.body);
  for (const auto& tool : listed.at("result").at("tools").as_array()) {
    tools[std::string(tool.at("name").as_string())] = tool.as_object();
  }
  ASSERT_TRUE(tools.count("context")) << list.body;
  ASSERT_TRUE(tools.count("multi_context")) << list.body;
  const json::object& context_schema = tools["context"].at("inputSchema").as_object();
  EXPECT_TRUE(context_schema.at("properties").as_object().contains("symbol"));
  EXPECT_TRUE(context_schema.at("properties").as_object().contains("interval"));
  EXPECT_TRUE(tools["multi_context"].at("inputSchema").at("properties").as_object().contains("intervals"));

  const HttpResult one = Fetch(server.port(), "POST", "/mcp", session_headers,
                               R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"context",
                                   "arguments":{"symbol":"SPY","interval":"15m","bars":12}}})");
  ASSERT_EQ(one.status, 200) << one.body;
  const json::object one_result = json::parse(one.body).at("result").as_object();
  EXPECT_FALSE(one_result.at("isError").as_bool()) << one.body.substr(0, 400);
  EXPECT_EQ(one_result.at("structuredContent").at("symbol").as_string(), "US:SPY");
  EXPECT_EQ(one_result.at("structuredContent").at("bars").as_array().size(), 12U);
  EXPECT_EQ(one_result.at("structuredContent").at("session").at("status").as_string(), "open");

  const HttpResult many = Fetch(server.port(), "POST", "/mcp", session_headers,
                                R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"multi_context",
                                    "arguments":{"symbol":"QQQ","intervals":["1h","4h"],"bars_per_interval":8}}})");
  ASSERT_EQ(many.status, 200) << many.body;
  const json::object many_result = json::parse(many.body).at("result").as_object();
  EXPECT_FALSE(many_result.at("isError").as_bool()) << many.body.substr(0, 400);
  const auto& contexts = many_result.at("structuredContent").at("contexts").as_array();
  ASSERT_EQ(contexts.size(), 2U);
  EXPECT_EQ(contexts[1].at("interval").as_string(), "4h");
  EXPECT_TRUE(many_result.at("structuredContent").at("volatility").at("hv20").is_number());

  // The route's validation answers through the tool, naming the field.
  const HttpResult bad = Fetch(server.port(), "POST", "/mcp", session_headers,
                               R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"context",
                                   "arguments":{"symbol":"SPY","interval":"7m"}}})");
  const json::object bad_result = json::parse(bad.body).at("result").as_object();
  EXPECT_TRUE(bad_result.at("isError").as_bool());
  EXPECT_EQ(bad_result.at("structuredContent").at("error").at("field").as_string(), "interval");
  server.Stop();
}

// The contracts tool over MCP: the real /gpt/contracts route on the seeded simulator, bound as coachContracts.
TEST(McpContractsToolTest, ContractsIsAToolCalledOverHttp) {
  TestClock clock(*UnixNanos::ParseIso8601("2025-09-16T15:00:00Z"));
  auto market = system::MarketService::StartSimulator({.seed = 7, .history_days = 3}, clock);
  ASSERT_TRUE(market.ok()) << market.error().ToString();

  HttpServerOptions options;
  options.listen_port = 0;
  options.io_threads = 1;
  HttpServer server(std::move(options));
  Router& router = server.router();
  AuthContext auth;
  auth.authenticator = [](const Request& r) -> Result<Identity> {
    if (r.Header("authorization") == std::optional<std::string_view>("Bearer alice-key")) {
      return Identity{"alice", false, "k_alice"};
    }
    return Error{ErrorCode::kUnauthenticated, "missing or invalid credentials", {}};
  };
  auth.clock = &clock;
  InstallAuth(router, auth);
  AddContractsRoutes(router, **market, nullptr, auth);
  AddMcpRoutes(router, CoachMcpTools(), auth.Protected());
  ASSERT_TRUE(server.Start().ok());
  const std::string headers =
      "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nAuthorization: Bearer alice-key\r\n";
  const HttpResult init = Fetch(server.port(), "POST", "/mcp", headers,
                                R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26",
                                    "capabilities":{},"clientInfo":{"name":"test","version":"1"}}})");
  ASSERT_EQ(init.status, 200) << init.body;
  const std::string session_headers = headers + "Mcp-Session-Id: " + init.Header("mcp-session-id") + "\r\n";

  const HttpResult list =
      Fetch(server.port(), "POST", "/mcp", session_headers, R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  ASSERT_EQ(list.status, 200) << list.body;
  std::map<std::string, json::object> tools;
  const json::value listed = json::parse(list.body);
  for (const auto& tool : listed.at("result").at("tools").as_array()) {
    tools[std::string(tool.at("name").as_string())] = tool.as_object();
  }
  ASSERT_TRUE(tools.count("contracts")) << list.body;
  const json::object& properties = tools["contracts"].at("inputSchema").at("properties").as_object();
  for (const char* field : {"plan_id", "symbol", "bias", "entry", "stop", "targets", "max_spread_pct", "min_oi"}) {
    EXPECT_TRUE(properties.contains(field)) << field;
  }

  const double spot = (*market)->Chain(*InstrumentId::Make("US", "SPY"))->underlying_price.AsDouble();
  char call[512];
  std::snprintf(call, sizeof(call),
                R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"contracts","arguments":)"
                R"({"symbol":"SPY","bias":"long","entry":%.2f,"stop":%.2f,"targets":[%.2f],"max_results":2}}})",
                spot, spot * 0.995, spot * 1.01);
  const HttpResult ranked = Fetch(server.port(), "POST", "/mcp", session_headers, call);
  ASSERT_EQ(ranked.status, 200) << ranked.body;
  const json::object result = json::parse(ranked.body).at("result").as_object();
  EXPECT_FALSE(result.at("isError").as_bool()) << ranked.body.substr(0, 400);
  const json::object& answer = result.at("structuredContent").as_object();
  EXPECT_EQ(answer.at("symbology").as_string(), "occ");
  ASSERT_TRUE(answer.at("best").is_object());
  EXPECT_TRUE(OccSymbol::Parse(answer.at("best").at("symbol").as_string()).ok());
  EXPECT_LE(answer.at("alternatives").as_array().size(), 1U);

  // The route's validation answers through the tool, naming the field; a plan_id needs the store.
  const HttpResult bad = Fetch(server.port(), "POST", "/mcp", session_headers,
                               R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"contracts",
                                   "arguments":{"symbol":"SPY","bias":"sideways","entry":1,"stop":0.5,"targets":[2]}}})");
  const json::object bad_result = json::parse(bad.body).at("result").as_object();
  EXPECT_TRUE(bad_result.at("isError").as_bool());
  EXPECT_EQ(bad_result.at("structuredContent").at("error").at("field").as_string(), "bias");
  const HttpResult no_store = Fetch(server.port(), "POST", "/mcp", session_headers,
                                    R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"contracts",
                                        "arguments":{"plan_id":"pl_000000000000000000000000"}}})");
  const json::object no_store_result = json::parse(no_store.body).at("result").as_object();
  EXPECT_TRUE(no_store_result.at("isError").as_bool());
  EXPECT_EQ(no_store_result.at("structuredContent").at("error").at("field").as_string(), "plan_id");
  server.Stop();
}

}  // namespace
}  // namespace td::api
