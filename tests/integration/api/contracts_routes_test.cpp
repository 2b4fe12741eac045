// SPDX-License-Identifier: MIT
// POST /gpt/contracts over a real socket: the seeded simulator at a fixed instant, a real SQLite plan store,
// the real key store (auth on) and the coach routes issuing the plans, as `serve` wires them.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <random>

#include "api/auth_context.hpp"
#include "api/coach_routes.hpp"
#include "api/contracts_routes.hpp"
#include "api/http_server.hpp"
#include "api_world.hpp"
#include "http_client.hpp"
#include "model/symbology.hpp"
#include "plans/plan_store.hpp"
#include "system/coach_service.hpp"
#include "system/market_service.hpp"

namespace td::api {
namespace {

using testing::Fetch;
using testing::HttpResult;
namespace json = boost::json;

UnixNanos At(const char* iso) {
  return *UnixNanos::ParseIso8601(iso);
}

class ContractsRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A Tuesday, 15:00 UTC = 11:00 ET: NYSE open.
    world_ = testing::ApiWorld::Create("td-contracts-api", At("2025-09-16T15:00:00Z")).release();
    ASSERT_TRUE(world_->market && world_->auth);
    clock_ = world_->clock.get();
    market_ = world_->market.get();
    dir_ = &world_->dir;
    auth_ = world_->auth.get();
    alice_ = &world_->alice;
    bob_ = &world_->bob;
    auto store = plans::PlanStore::Open(*dir_ / "plans.db", *clock_);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = store->release();
    coach_ = new system::CoachService(*market_, store_, *clock_);
  }
  static void TearDownTestSuite() {
    delete coach_;
    delete store_;
    delete world_;  // last: it owns the market, the keys and the directory the stores live in
  }
  void SetUp() override {
    HttpServerOptions options;
    options.listen_port = 0;
    options.io_threads = 1;
    server_ = std::make_unique<HttpServer>(std::move(options));
    InstallAuth(server_->router(), *auth_);
    AddCoachRoutes(server_->router(), *coach_, *auth_);
    AddContractsRoutes(server_->router(), *market_, store_, *auth_);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(); }

  HttpResult Post(std::string_view target, std::string_view body, const std::string* key = alice_) {
    std::string headers = key != nullptr ? *key : std::string();
    headers += "Content-Type: application/json\r\n";
    return Fetch(server_->port(), "POST", target, headers, body);
  }

  static json::object Json(const HttpResult& r) { return json::parse(r.body).as_object(); }

  static void ExpectError(const HttpResult& r, int status, std::string_view code, std::string_view field) {
    EXPECT_EQ(r.status, status) << r.body;
    if (r.body.empty())
      return;
    const auto body = Json(r);
    ASSERT_TRUE(body.contains("error")) << r.body;
    EXPECT_EQ(body.at("error").at("code").as_string(), code) << r.body;
    ASSERT_TRUE(body.at("error").at("field").is_string()) << r.body;
    EXPECT_EQ(body.at("error").at("field").as_string(), field) << r.body;
  }

  double Spot(const char* symbol) {
    auto info = market_->Resolve(symbol);
    return market_->Chain(info->id)->underlying_price.AsDouble();
  }

  std::string ExplicitBody(const char* symbol, const char* bias, double spot, std::string extra = {}) {
    const bool long_bias = std::string_view(bias) == "long";
    char body[512];
    std::snprintf(body, sizeof(body), R"({"symbol":"%s","bias":"%s","entry":%.2f,"stop":%.2f,"targets":[%.2f,%.2f]%s})",
                  symbol, bias, spot, long_bias ? spot * 0.995 : spot * 1.005, long_bias ? spot * 1.005 : spot * 0.995,
                  long_bias ? spot * 1.01 : spot * 0.99, extra.c_str());
    return body;
  }

  static void ExpectContractShape(const json::object& c, const json::object& answer) {
    for (const char* key : {"symbol", "exchange", "expiry", "strike", "right", "dte", "price", "spread_pct", "iv",
                            "greeks", "tradeability", "scenarios", "sizing", "open_interest", "volume"}) {
      EXPECT_TRUE(c.contains(key)) << key;
    }
    const auto& greeks = c.at("greeks").as_object();
    for (const char* key : {"delta", "gamma", "theta_per_day", "vega_per_point"})
      EXPECT_TRUE(greeks.contains(key));
    const auto& components = c.at("tradeability").at("components").as_object();
    for (const char* key : {"spread", "open_interest", "volume", "delta", "dte", "iv"}) {
      EXPECT_TRUE(components.contains(key)) << key;
    }
    const auto& scenarios = c.at("scenarios").as_array();
    const std::size_t targets = answer.at("plan").at("targets").as_array().size();
    ASSERT_EQ(scenarios.size(), 2 + targets);
    EXPECT_EQ(scenarios[0].at("anchor").as_string(), "entry");
    EXPECT_EQ(scenarios[1].at("anchor").as_string(), "stop");
    EXPECT_EQ(scenarios[2].at("anchor").as_string(), "tp1");
    for (const auto& s : scenarios) {
      EXPECT_TRUE(s.at("pnl").is_number());
      EXPECT_TRUE(s.at("pnl_estimate").is_number());
    }
  }

  static testing::ApiWorld* world_;
  static TestClock* clock_;
  static system::MarketService* market_;
  static plans::PlanStore* store_;
  static system::CoachService* coach_;
  static AuthContext* auth_;
  static std::filesystem::path* dir_;
  static std::string* alice_;
  static std::string* bob_;
  std::unique_ptr<HttpServer> server_;
};

testing::ApiWorld* ContractsRoutesTest::world_ = nullptr;
TestClock* ContractsRoutesTest::clock_ = nullptr;
system::MarketService* ContractsRoutesTest::market_ = nullptr;
plans::PlanStore* ContractsRoutesTest::store_ = nullptr;
system::CoachService* ContractsRoutesTest::coach_ = nullptr;
AuthContext* ContractsRoutesTest::auth_ = nullptr;
std::filesystem::path* ContractsRoutesTest::dir_ = nullptr;
std::string* ContractsRoutesTest::alice_ = nullptr;
std::string* ContractsRoutesTest::bob_ = nullptr;

TEST_F(ContractsRoutesTest, UsAnchorsAnswerOccContractsWithEverything) {
  const HttpResult r = Post("/gpt/contracts", ExplicitBody("SPY", "long", Spot("SPY"), R"(,"risk_amount":1000)"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_LT(r.body.size(), 100'000u);
  const auto a = Json(r);
  EXPECT_EQ(a.at("symbol").as_string(), "US:SPY");
  EXPECT_EQ(a.at("symbology").as_string(), "occ");
  EXPECT_EQ(a.at("right").as_string(), "call");
  EXPECT_EQ(a.at("premium").as_string(), "debit");
  EXPECT_EQ(a.at("plan").at("source").as_string(), "explicit");
  EXPECT_EQ(a.at("plan").at("style").as_string(), "intraday");
  EXPECT_FALSE(a.at("truncated").as_bool());
  ASSERT_TRUE(a.at("best").is_object()) << r.body.substr(0, 2000);
  const auto& best = a.at("best").as_object();
  ExpectContractShape(best, a);
  EXPECT_EQ(best.at("exchange").as_string(), "OPRA");
  auto occ = OccSymbol::Parse(best.at("symbol").as_string());
  ASSERT_TRUE(occ.ok()) << best.at("symbol").as_string();
  EXPECT_EQ(occ->root, "SPY");
  EXPECT_TRUE(best.at("sizing").at("contracts").is_int64());
  EXPECT_LE(a.at("alternatives").as_array().size(), 7u);
  // Rejections: listed with gate and reason, capped, and counted by gate in full.
  const auto& rejected = a.at("rejected").as_array();
  EXPECT_LE(rejected.size(), kDefaultRejectedListed);
  std::int64_t counted = 0;
  for (const auto& [gate, n] : a.at("rejected_by_gate").as_object())
    counted += n.as_int64();
  EXPECT_EQ(counted, a.at("rejected_total").as_int64());
  EXPECT_GT(a.at("rejected_by_gate").at("wrong_right").as_int64(), 0);
  for (const auto& item : rejected) {
    EXPECT_FALSE(item.at("reason").as_string().empty());
    EXPECT_NE(item.at("gate").as_string(), "wrong_right");
    EXPECT_TRUE(OccSymbol::Parse(item.at("symbol").as_string()).ok());
  }
}

TEST_F(ContractsRoutesTest, IndianAnchorsAnswerOpenAlgoSymbolsOnNfo) {
  const HttpResult r = Post("/gpt/contracts", ExplicitBody("NIFTY", "short", Spot("NIFTY"), R"(,"max_results":3)"));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto a = Json(r);
  EXPECT_EQ(a.at("symbology").as_string(), "openalgo");
  EXPECT_EQ(a.at("right").as_string(), "put");
  EXPECT_EQ(a.at("contract_size").to_number<double>(), 65.0);
  ASSERT_TRUE(a.at("best").is_object());
  EXPECT_LE(a.at("alternatives").as_array().size(), 2u);
  const auto& best = a.at("best").as_object();
  EXPECT_EQ(best.at("exchange").as_string(), "NFO");
  auto symbol = OpenAlgoSymbol::Parse(best.at("symbol").as_string());
  ASSERT_TRUE(symbol.ok()) << best.at("symbol").as_string();
  EXPECT_EQ(symbol->base, "NIFTY");
  EXPECT_EQ(symbol->right, OptionRight::kPut);
}

TEST_F(ContractsRoutesTest, PlanIdIsReadForItsOwnerOnly) {
  const HttpResult plan = Post("/gpt/plan", R"({"symbol":"QQQ","style":"intraday"})");
  ASSERT_EQ(plan.status, 201) << plan.body;
  const std::string plan_id(Json(plan).at("plan_id").as_string());
  const std::string body = R"({"plan_id":")" + plan_id + R"(","max_rejected":5})";
  const HttpResult mine = Post("/gpt/contracts", body);
  ASSERT_EQ(mine.status, 200) << mine.body;
  const auto a = Json(mine);
  EXPECT_EQ(a.at("plan").at("source").as_string(), "plan");
  EXPECT_EQ(a.at("plan").at("plan_id").as_string(), plan_id);
  EXPECT_EQ(a.at("plan").at("version").as_int64(), 1);
  EXPECT_EQ(a.at("symbol").as_string(), "US:QQQ");
  EXPECT_LE(a.at("rejected").as_array().size(), 5u);
  EXPECT_EQ(a.at("right").as_string(), Json(plan).at("bias").as_string() == "long" ? "call" : "put");

  ExpectError(Post("/gpt/contracts", body, bob_), 404, "not_found", "plan_id");
  ExpectError(Post("/gpt/contracts", R"({"plan_id":")" + plan_id + R"(","version":9})"), 404, "not_found", "version");
  EXPECT_EQ(Post("/gpt/contracts", body, nullptr).status, 401);
}

TEST_F(ContractsRoutesTest, TheLadderShowsInTheAnswer) {
  const double spot = Spot("SPY");
  const HttpResult strict =
      Post("/gpt/contracts", ExplicitBody("SPY", "long", spot, R"(,"max_spread_pct":0.01,"relax":false)"));
  ASSERT_EQ(strict.status, 200) << strict.body;
  const auto s = Json(strict);
  EXPECT_TRUE(s.at("best").is_null());
  EXPECT_TRUE(s.at("relaxations_applied").as_array().empty());
  EXPECT_GT(s.at("rejected_by_gate").at("spread").as_int64(), 0);
  EXPECT_FALSE(s.at("notes").as_array().empty());

  // An OI floor no contract meets: every rung fires in order and only removing the floors lets contracts in.
  const HttpResult relaxed = Post("/gpt/contracts", ExplicitBody("SPY", "long", spot, R"(,"min_oi":1e11)"));
  ASSERT_EQ(relaxed.status, 200) << relaxed.body;
  const auto a = Json(relaxed);
  EXPECT_TRUE(a.at("relaxed").as_bool());
  const auto& rungs = a.at("relaxations_applied").as_array();
  ASSERT_EQ(rungs.size(), 5u) << relaxed.body.substr(0, 3000);
  const char* order[] = {"spread_widened", "delta_widened", "dte_widened", "floors_halved", "floors_removed"};
  for (std::size_t i = 0; i < rungs.size(); ++i) {
    EXPECT_EQ(rungs[i].at("step").as_string(), order[i]);
  }
  EXPECT_EQ(rungs[3].at("filters").at("min_oi").to_number<double>(), 5e10);
  EXPECT_EQ(a.at("filters_used").at("min_oi").to_number<double>(), 0.0);
  EXPECT_EQ(a.at("filters").at("min_oi").to_number<double>(), 1e11);
  EXPECT_GE(rungs[4].at("passing").as_int64(), 3);
  ASSERT_TRUE(a.at("best").is_object());
  EXPECT_LT(a.at("best").at("open_interest").to_number<double>(), 1e11);

  const HttpResult none = Post("/gpt/contracts", ExplicitBody("SPY", "long", spot, R"(,"max_rejected":0)"));
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(Json(none).at("rejected").as_array().empty());
  EXPECT_GT(Json(none).at("rejected_total").as_int64(), 0);
}

TEST_F(ContractsRoutesTest, TheLargestAnswerStaysUnderTheGptLimit) {
  // Every list at its maximum: 10 contracts with 10 targets each, 100 rejections listed, the widest style.
  const double spot = Spot("SPY");
  std::string body = R"({"symbol":"SPY","bias":"long","entry":)" + std::to_string(spot) + R"(,"stop":)" +
                     std::to_string(spot * 0.98) + R"(,"targets":[)";
  for (int i = 1; i <= 10; ++i)
    body += (i > 1 ? "," : "") + std::to_string(spot * (1.0 + 0.005 * i));
  body += R"(],"style":"swing","max_results":10,"max_rejected":100,"min_delta":0.05,"max_delta":0.95,"max_dte":400})";
  const HttpResult r = Post("/gpt/contracts", body);
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  EXPECT_LT(r.body.size(), kMaxContractsResponseChars);
  const auto a = Json(r);
  EXPECT_FALSE(a.at("truncated").as_bool());
  EXPECT_EQ(a.at("alternatives").as_array().size(), 9u);
  EXPECT_EQ(a.at("rejected").as_array().size(), 100u);
  EXPECT_EQ(a.at("best").at("scenarios").as_array().size(), 12u);
  std::printf("largest /gpt/contracts answer: %zu characters\n", r.body.size());
}

TEST_F(ContractsRoutesTest, EveryBadFieldIsNamed) {
  const double spot = Spot("SPY");
  auto bad = [&](std::string body, std::string_view field, int status = 400,
                 std::string_view code = "invalid_argument") {
    SCOPED_TRACE(body);
    ExpectError(Post("/gpt/contracts", body), status, code, field);
  };
  char anchors[160];
  std::snprintf(anchors, sizeof(anchors), R"("entry":%.2f,"stop":%.2f,"targets":[%.2f])", spot, spot * 0.99,
                spot * 1.01);
  const std::string a(anchors);
  bad(R"({"bias":"long",)" + a + "}", "symbol");
  bad(R"({"symbol":"SPY",)" + a + "}", "bias");
  bad(R"({"symbol":"SPY","bias":"up",)" + a + "}", "bias");
  bad(R"({"symbol":"S P Y","bias":"long",)" + a + "}", "symbol");
  bad(R"({"symbol":"NOSUCH","bias":"long",)" + a + "}", "symbol", 404, "not_found");
  bad(R"({"symbol":"SPY","bias":"long","entry":-1,"stop":1,"targets":[2]})", "entry");
  bad(R"({"symbol":"SPY","bias":"long","entry":100,"stop":"x","targets":[200]})", "stop");
  bad(R"({"symbol":"SPY","bias":"long","entry":100,"stop":90,"targets":[]})", "targets");
  bad(R"({"symbol":"SPY","bias":"long","entry":100,"stop":90,"targets":[110,"x"]})", "targets[1]");
  bad(R"({"symbol":"SPY","bias":"long","entry":100,"stop":90})", "targets");
  bad(R"({"symbol":"SPY","bias":"long","entry":100,"stop":110,"targets":[120]})", "stop");
  bad(R"({"symbol":"SPY","bias":"long","entry":100,"stop":90,"targets":[95]})", "targets");
  bad(ExplicitBody("SPY", "long", spot, R"(,"style":"daytrade")"), "style");
  bad(ExplicitBody("SPY", "long", spot, R"(,"horizon_days":-1)"), "horizon_days");
  bad(ExplicitBody("SPY", "long", spot, R"(,"min_dte":-1)"), "min_dte");
  bad(ExplicitBody("SPY", "long", spot, R"(,"min_dte":30,"max_dte":5)"), "min_dte");
  bad(ExplicitBody("SPY", "long", spot, R"(,"max_delta":1.5)"), "max_delta");
  bad(ExplicitBody("SPY", "long", spot, R"(,"min_delta":0.9)"), "min_delta");
  bad(ExplicitBody("SPY", "long", spot, R"(,"max_spread_pct":0)"), "max_spread_pct");
  bad(ExplicitBody("SPY", "long", spot, R"(,"min_oi":-5)"), "min_oi");
  bad(ExplicitBody("SPY", "long", spot, R"(,"min_volume":"many")"), "min_volume");
  bad(ExplicitBody("SPY", "long", spot, R"(,"premium":"both")"), "premium");
  bad(ExplicitBody("SPY", "long", spot, R"(,"max_results":11)"), "max_results");
  bad(ExplicitBody("SPY", "long", spot, R"(,"max_results":1.5)"), "max_results");
  bad(ExplicitBody("SPY", "long", spot, R"(,"risk_amount":0)"), "risk_amount");
  bad(ExplicitBody("SPY", "long", spot, R"(,"iv_shift":500)"), "iv_shift");
  bad(ExplicitBody("SPY", "long", spot, R"(,"contract_size":0)"), "contract_size");
  bad(ExplicitBody("SPY", "long", spot, R"(,"expiry":"next friday")"), "expiry");
  bad(ExplicitBody("SPY", "long", spot, R"(,"expiry":"2025-09-14")"), "expiry", 404, "not_found");
  bad(ExplicitBody("SPY", "long", spot, R"(,"relax":"yes")"), "relax");
  bad(ExplicitBody("SPY", "long", spot, R"(,"max_rejected":1000)"), "max_rejected");
  bad(ExplicitBody("SPY", "long", spot, R"(,"colour":"blue")"), "colour");
  bad(ExplicitBody("SPY", "long", spot, R"(,"version":2)"), "version");
  bad(R"({"plan_id":"pl_000000000000000000000000","symbol":"SPY"})", "symbol");
  bad(R"({"plan_id":"pl_000000000000000000000000"})", "plan_id", 404, "not_found");
  bad(R"({"plan_id":""})", "plan_id");
  bad(R"([1,2])", "body");
  bad(R"({"symbol":)", "body");
}

TEST_F(ContractsRoutesTest, OpenApiDescribesTheRoute) {
  const HttpResult r = Fetch(server_->port(), "GET", "/openapi.json");
  ASSERT_EQ(r.status, 200);
  const auto doc = Json(r);
  const auto& op = doc.at("paths").at("/gpt/contracts").at("post").as_object();
  EXPECT_EQ(op.at("operationId").as_string(), "coachContracts");
  EXPECT_TRUE(doc.at("components").at("schemas").as_object().contains("RankedContract"));
  EXPECT_TRUE(op.at("requestBody")
                  .at("content")
                  .at("application/json")
                  .at("schema")
                  .at("properties")
                  .as_object()
                  .contains("max_spread_pct"));
}

}  // namespace
}  // namespace td::api
