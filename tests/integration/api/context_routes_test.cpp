// SPDX-License-Identifier: MIT
// The context routes over a real socket: the seeded simulator at a fixed instant, a real SQLite IV history and
// the real key store (auth on), as `serve` wires them. Every field, the errors with their field names, auth, the
// GPT Actions size limit and the session header.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <random>
#include <regex>

#include "api/auth_context.hpp"
#include "api/context_routes.hpp"
#include "api/http_server.hpp"
#include "api_world.hpp"
#include "http_client.hpp"
#include "system/coach_service.hpp"
#include "system/context_service.hpp"
#include "system/market_service.hpp"

namespace td::api {
namespace {

using testing::BuildRequest;
using testing::HttpResult;
using testing::RawConnection;

UnixNanos At(const char* iso) { return *UnixNanos::ParseIso8601(iso); }

class ContextRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A Tuesday, 15:00 UTC = 11:00 ET: NYSE open, NSE closed for the day.
    world_ = testing::ApiWorld::Create("td-context-api", At("2025-09-16T15:00:00Z")).release();
    ASSERT_TRUE(world_->market && world_->auth);
    clock_ = world_->clock.get();
    market_ = world_->market.get();
    dir_ = &world_->dir;
    auth_ = world_->auth.get();
    alice_ = &world_->alice;
    auto store = system::IvHistoryStore::Open(*dir_ / "iv_history.db", *clock_);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = store->release();
    coach_ = new system::CoachService(*market_, nullptr, *clock_);
    service_ = new system::ContextService(*coach_, store_);
  }
  static void TearDownTestSuite() {
    delete service_;
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
    AddContextRoutes(server_->router(), *service_, auth_->Protected());
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(); }

  HttpResult Call(std::string_view method, std::string_view target, std::string_view body = {},
                  const std::string* key = alice_) {
    RawConnection connection;
    EXPECT_TRUE(connection.Connect(server_->port()));
    std::string headers = key != nullptr ? *key : std::string();
    if (!body.empty()) headers += "Content-Type: application/json\r\n";
    connection.Send(BuildRequest(method, target, headers, body));
    return connection.ReadResponse(std::chrono::seconds(60));
  }

  static boost::json::object Json(const HttpResult& result) { return boost::json::parse(result.body).as_object(); }

  static void ExpectError(const HttpResult& result, int status, std::string_view field) {
    EXPECT_EQ(result.status, status) << result.body;
    if (result.body.empty()) return;
    const auto body = Json(result);
    const auto& error = body.at("error").as_object();
    ASSERT_TRUE(error.at("field").is_string()) << result.body;
    EXPECT_EQ(error.at("field").as_string(), field) << result.body;
  }

  static testing::ApiWorld* world_;
  static TestClock* clock_;
  static system::MarketService* market_;
  static system::IvHistoryStore* store_;
  static system::CoachService* coach_;
  static system::ContextService* service_;
  static AuthContext* auth_;
  static std::filesystem::path* dir_;
  static std::string* alice_;
  std::unique_ptr<HttpServer> server_;
};

testing::ApiWorld* ContextRoutesTest::world_ = nullptr;
TestClock* ContextRoutesTest::clock_ = nullptr;
system::MarketService* ContextRoutesTest::market_ = nullptr;
system::IvHistoryStore* ContextRoutesTest::store_ = nullptr;
system::CoachService* ContextRoutesTest::coach_ = nullptr;
system::ContextService* ContextRoutesTest::service_ = nullptr;
AuthContext* ContextRoutesTest::auth_ = nullptr;
std::filesystem::path* ContextRoutesTest::dir_ = nullptr;
std::string* ContextRoutesTest::alice_ = nullptr;

constexpr std::string_view kOpenSession =
    "status=open; as_of=2025-09-16T15:00:00.000Z; next_open=2025-09-17T13:30:00.000Z; tz=America/New_York";

TEST_F(ContextRoutesTest, ContextAnswersEveryField) {
  const HttpResult result = Call("GET", "/gpt/context/SPY?interval=15m&bars=40");
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.Header("x-market-session"), kOpenSession);
  EXPECT_EQ(result.Header("cache-control"), "private, max-age=5");
  const auto body = Json(result);
  EXPECT_EQ(body.at("symbol").as_string(), "US:SPY");
  EXPECT_EQ(body.at("interval").as_string(), "15m");
  EXPECT_EQ(body.at("planning_context").as_string(), "live");
  EXPECT_EQ(body.at("session").at("status").as_string(), "open");
  EXPECT_EQ(body.at("session").at("next_open").as_string(), "2025-09-17T13:30:00.000Z");
  EXPECT_EQ(body.at("session").at("tz").as_string(), "America/New_York");
  const auto& bars = body.at("bars").as_array();
  ASSERT_EQ(bars.size(), 40U);
  EXPECT_EQ(body.at("bars_returned").as_int64(), 40);
  EXPECT_GT(body.at("bars_available").as_int64(), 40);
  // The last 15m bar starts at 14:45Z (10:45 ET) and is still forming at 15:00Z? No: it closes at 15:00Z.
  EXPECT_EQ(bars.back().at("time").as_string(), "2025-09-16T14:45:00Z");
  for (const auto& bar : bars) {
    for (const char* key : {"time", "open", "high", "low", "close", "volume"}) {
      ASSERT_TRUE(bar.as_object().contains(key)) << key;
    }
    EXPECT_LE(bar.at("low").to_number<double>(), bar.at("high").to_number<double>());
  }
  const auto& indicators = body.at("indicators").as_object();
  for (const char* key : {"ema9", "ema20", "ema50", "ema200", "vwap", "rsi14", "atr14", "adx14"}) {
    ASSERT_TRUE(indicators.contains(key)) << key;
    EXPECT_EQ(indicators.at(key).as_array().size(), 40U) << key;
    // 15m bars of 5 sessions and a morning are too few for the 200-bar EMA: null, not a made-up number.
    const bool enough = std::string_view(key) != "ema200" || body.at("bars_available").as_int64() >= 200;
    EXPECT_EQ(body.at("indicators_last").at(key).is_number(), enough) << key;
  }
  EXPECT_EQ(body.at("indicators_last").at("ema20").to_number<double>(),
            indicators.at("ema20").as_array().back().to_number<double>());
  EXPECT_FALSE(body.at("key_levels").as_array().empty());
  EXPECT_TRUE(body.at("session_levels").at("prev_day_close").is_number());
  EXPECT_TRUE(body.at("session_levels").at("opening_range_high").is_number());
  const auto& overlays = body.at("overlays").as_object();
  for (const char* key : {"supply_zones", "demand_zones", "fvgs", "liquidity_pools"}) {
    EXPECT_TRUE(overlays.at(key).is_array()) << key;
  }
  EXPECT_TRUE(overlays.at("volume_profile").at("poc").is_number());
  EXPECT_FALSE(body.at("avwaps").as_array().empty());
  EXPECT_TRUE(body.at("session_volume_profile").at("vah").is_number());
  EXPECT_TRUE(body.at("htf").at("label").is_string());
  const auto& snapshot = body.at("snapshot").as_object();
  EXPECT_EQ(snapshot.at("source").as_string(), "quote");
  // Bid/ask come from the last quote tick (none yet when the simulator has not ticked since it was built).
  if (snapshot.at("bid").is_number() && snapshot.at("ask").is_number()) {
    EXPECT_LE(snapshot.at("bid").to_number<double>(), snapshot.at("ask").to_number<double>());
  }
  EXPECT_TRUE(snapshot.at("last").is_number());
  EXPECT_TRUE(snapshot.at("session_open").is_number());
  EXPECT_TRUE(snapshot.at("prev_close").is_number());
  const auto& vol = body.at("volatility").as_object();
  for (const char* key : {"atm_iv_front", "atm_iv_30d", "iv_rank", "iv_percentile", "hv20", "hv60", "hv120",
                          "iv_hv_ratio", "risk_reversal_25d", "butterfly_25d", "term_slope"}) {
    EXPECT_TRUE(vol.at(key).is_number()) << key << ": " << (vol.contains(std::string(key) + "_reason")
                                                                   ? vol.at(std::string(key) + "_reason").as_string()
                                                                   : "");
    EXPECT_FALSE(vol.contains(std::string(key) + "_reason")) << key;
  }
  const double rank = vol.at("iv_rank").to_number<double>();
  EXPECT_TRUE(rank >= 0.0 && rank <= 100.0);
  EXPECT_TRUE(vol.at("expected_move").at("straddle").is_number());
  EXPECT_TRUE(vol.at("expected_move").at("iv_based").is_number());
  EXPECT_FALSE(body.at("truncated").as_bool());
  EXPECT_TRUE(body.at("truncation").is_null());
}

TEST_F(ContextRoutesTest, StyleChoosesTheDefaultIntervalAndAddsItsAtr) {
  const HttpResult result = Call("GET", "/gpt/context/QQQ?style=swing&bars=10");
  ASSERT_EQ(result.status, 200) << result.body;
  const auto body = Json(result);
  EXPECT_EQ(body.at("interval").as_string(), "1h");
  EXPECT_EQ(body.at("style").as_string(), "swing");
  EXPECT_TRUE(body.at("style_atr").is_number());
  const HttpResult daily = Call("GET", "/gpt/context/QQQ?interval=1D&bars=5");
  ASSERT_EQ(daily.status, 200) << daily.body;
  const auto d = Json(daily);
  EXPECT_EQ(d.at("bars").as_array().back().at("time").as_string(), "2025-09-16");
  EXPECT_TRUE(d.at("last_bar_forming").as_bool());
  EXPECT_TRUE(d.at("indicators_last").at("vwap").is_null());
  EXPECT_TRUE(d.at("vwap_reason").is_string());
}

TEST_F(ContextRoutesTest, MultiContextServesEveryIntervalAndTheVolatilityBlock) {
  const std::string request =
      R"({"symbol":"SPY","intervals":["5m","15m","1h","4h","1D","1W"],"bars_per_interval":30})";
  const HttpResult result = Call("POST", "/gpt/multi-context", request);
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.Header("x-market-session"), kOpenSession);
  const auto body = Json(result);
  const auto& contexts = body.at("contexts").as_array();
  ASSERT_EQ(contexts.size(), 6U);
  const std::array<const char*, 6> names = {"5m", "15m", "1h", "4h", "1D", "1W"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(contexts[i].at("interval").as_string(), names[i]);
    EXPECT_LE(contexts[i].at("bars").as_array().size(), 30U);
    EXPECT_TRUE(body.at("summary").at("trend_notes").as_object().contains(names[i]));
  }
  // 4h bars of the NYSE session: 09:30 and 13:30 ET (13:30Z and 17:30Z in September).
  for (const auto& bar : contexts[3].at("bars").as_array()) {
    const std::string time(bar.at("time").as_string());
    EXPECT_TRUE(time.ends_with("T13:30:00Z") || time.ends_with("T17:30:00Z")) << time;
  }
  const auto& vol = body.at("volatility").as_object();
  EXPECT_TRUE(vol.at("atm_iv_30d").is_number());
  EXPECT_EQ(vol.at("atm_iv_30d_source").as_string(), "chain");
  EXPECT_EQ(vol.at("iv_history_days").as_int64(), 252);
  EXPECT_TRUE(vol.at("iv_percentile").is_number());
  EXPECT_EQ(vol.at("trading_days_per_year").to_number<double>(), 250.0);
  EXPECT_FALSE(body.at("cached").as_bool());
  // The same call again comes from the caches.
  const HttpResult again = Call("POST", "/gpt/multi-context", request);
  ASSERT_EQ(again.status, 200);
  EXPECT_TRUE(Json(again).at("cached").as_bool());
  // Series can be left out: last values only.
  const HttpResult lean =
      Call("POST", "/gpt/multi-context", R"({"symbol":"SPY","frames":["1h","4h"],"include_series":false})");
  ASSERT_EQ(lean.status, 200) << lean.body;
  const auto l = Json(lean);
  EXPECT_FALSE(l.at("contexts").as_array()[0].as_object().contains("bars"));
  EXPECT_TRUE(l.at("contexts").as_array()[0].at("indicators_last").at("ema20").is_number());
}

TEST_F(ContextRoutesTest, AClosedMarketAnswersAsOfItsCloseWithReasonsForMissingFigures) {
  const HttpResult result = Call("POST", "/gpt/multi-context", R"({"symbol":"NIFTY","intervals":["5m"]})");
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.Header("x-market-session"),
            "status=closed; as_of=2025-09-16T10:00:00.000Z; next_open=2025-09-17T03:45:00.000Z; tz=Asia/Kolkata");
  const auto body = Json(result);
  EXPECT_EQ(body.at("symbol").as_string(), "NSE_INDEX:NIFTY");
  EXPECT_EQ(body.at("planning_context").as_string(), "frozen");
  EXPECT_EQ(body.at("as_of").as_string(), "2025-09-16T10:00:00.000Z");
  EXPECT_EQ(body.at("session").at("status").as_string(), "closed");
  // NIFTY prints no volume: the profile is null with its reason.
  const auto& profile = body.at("contexts").as_array()[0].at("overlays").at("volume_profile");
  EXPECT_TRUE(profile.at("poc").is_null());
  EXPECT_TRUE(profile.at("reason").is_string());
  EXPECT_TRUE(body.at("volatility").at("atm_iv_30d").is_number());

  // A past instant: chain figures are null, each with a reason.
  const HttpResult past =
      Call("POST", "/gpt/multi-context", R"({"symbol":"SPY","intervals":["1h"],"as_of":"2025-09-15T18:00:00Z"})");
  ASSERT_EQ(past.status, 200) << past.body;
  const auto p = Json(past);
  EXPECT_TRUE(p.at("as_of_given").as_bool());
  EXPECT_TRUE(p.at("volatility").at("atm_iv_front").is_null());
  EXPECT_NE(std::string(p.at("volatility").at("atm_iv_front_reason").as_string()).find("as of now only"),
            std::string::npos);
  EXPECT_EQ(p.at("snapshot").at("source").as_string(), "bars");
  EXPECT_EQ(past.Header("cache-control"), "private, max-age=600");
}

TEST_F(ContextRoutesTest, ErrorsNameTheFieldAndCarryTheSession) {
  ExpectError(Call("GET", "/gpt/context/NOSUCH"), 404, "symbol");
  const HttpResult interval = Call("GET", "/gpt/context/SPY?interval=7m");
  ExpectError(interval, 400, "interval");
  EXPECT_EQ(interval.Header("x-market-session"), kOpenSession) << "errors carry the session once the symbol is known";
  ExpectError(Call("GET", "/gpt/context/SPY?bars=0"), 400, "bars");
  ExpectError(Call("GET", "/gpt/context/SPY?bars=5000"), 400, "bars");
  ExpectError(Call("GET", "/gpt/context/SPY?as_of=yesterday"), 400, "as_of");
  ExpectError(Call("GET", "/gpt/context/SPY?as_of=2025-09-17T15:00:00Z"), 400, "as_of");
  ExpectError(Call("GET", "/gpt/context/SPY?style=daytrade"), 400, "style");
  ExpectError(Call("GET", "/gpt/context/SPY?lookback=10"), 400, "lookback");
  ExpectError(Call("GET", "/gpt/context/VIX"), 400, "symbol");
  ExpectError(Call("GET", "/gpt/context/SPY?as_of=2024-01-10T15:00:00Z"), 422, "as_of");
  ExpectError(Call("POST", "/gpt/multi-context", R"({"intervals":["5m"]})"), 400, "symbol");
  ExpectError(Call("POST", "/gpt/multi-context", R"({"symbol":"SPY","intervals":["5m","7m"]})"), 400,
              "intervals[1]");
  ExpectError(Call("POST", "/gpt/multi-context", R"({"symbol":"SPY","intervals":[]})"), 400, "intervals");
  ExpectError(Call("POST", "/gpt/multi-context", R"({"symbol":"SPY","bars_per_interval":5000})"), 400,
              "bars_per_interval");
  ExpectError(Call("POST", "/gpt/multi-context", R"({"symbol":"SPY","include_series":"yes"})"), 400,
              "include_series");
  ExpectError(Call("POST", "/gpt/multi-context", R"({"symbol":"SPY","lookback":300})"), 400, "lookback");
  ExpectError(Call("POST", "/gpt/multi-context", R"({"symbol":"SPY","as_of":"noon"})"), 400, "as_of");
  ExpectError(Call("POST", "/gpt/multi-context", "[1,2]"), 400, "body");
}

TEST_F(ContextRoutesTest, RoutesNeedAnApiKey) {
  EXPECT_EQ(Call("GET", "/gpt/context/SPY", {}, nullptr).status, 401);
  const std::string wrong = "Authorization: Bearer td_wrong_key\r\n";
  EXPECT_EQ(Call("GET", "/gpt/context/SPY", {}, &wrong).status, 401);
  EXPECT_EQ(Call("POST", "/gpt/multi-context", R"({"symbol":"SPY"})", nullptr).status, 401);
}

TEST_F(ContextRoutesTest, LargeAnswersAreTrimmedBelowTheGptActionsLimitAndSaySo) {
  const HttpResult result = Call(
      "POST", "/gpt/multi-context",
      R"({"symbol":"SPY","intervals":["1m","5m","15m","30m","1h","4h","1D","1W"],"bars_per_interval":1000})");
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_LT(result.body.size(), kGptActionsResponseLimit);
  const auto body = Json(result);
  ASSERT_TRUE(body.at("truncated").as_bool());
  const std::string note(body.at("truncation").as_string());
  std::smatch match;
  ASSERT_TRUE(std::regex_match(note, match,
                               std::regex(R"(kept the last (\d+) of (\d+) bars per interval to stay under the )"
                                          R"(100,000-character GPT Actions limit)")))
      << note;
  const std::size_t kept = std::stoul(match[1]);
  EXPECT_EQ(std::stoul(match[2]), 1000U);
  EXPECT_GT(kept, 10U) << "the trim keeps as many bars as fit";
  EXPECT_LT(kept, 1000U);
  for (const auto& context : body.at("contexts").as_array()) {
    EXPECT_LE(context.at("bars").as_array().size(), kept);
    EXPECT_EQ(context.at("bars_returned").as_int64(), static_cast<std::int64_t>(context.at("bars").as_array().size()));
  }
  EXPECT_EQ(body.at("contexts").as_array()[0].at("bars").as_array().size(), kept);
  // The single-interval route trims too.
  const HttpResult single = Call("GET", "/gpt/context/SPY?interval=1m&bars=1000");
  ASSERT_EQ(single.status, 200);
  EXPECT_LT(single.body.size(), kGptActionsResponseLimit);
  const auto s = Json(single);
  EXPECT_TRUE(s.at("truncated").as_bool());
  EXPECT_LT(s.at("bars").as_array().size(), 1000U);
  EXPECT_GT(s.at("bars").as_array().size(), 100U);
}

TEST_F(ContextRoutesTest, OpenApiDescribesBothOperationsWithinGptLimits) {
  const HttpResult result = Call("GET", "/openapi.json", {}, nullptr);
  ASSERT_EQ(result.status, 200);
  const auto doc = Json(result);
  const auto& paths = doc.at("paths").as_object();
  const auto& context = paths.at("/gpt/context/{symbol}").at("get").as_object();
  const auto& multi = paths.at("/gpt/multi-context").at("post").as_object();
  EXPECT_EQ(context.at("operationId").as_string(), "coachContext");
  EXPECT_EQ(multi.at("operationId").as_string(), "coachMultiContext");
  for (const auto* op : {&context, &multi}) {
    EXPECT_LE(op->at("summary").as_string().size(), 300U);
    EXPECT_LE(op->at("description").as_string().size(), 300U);
    EXPECT_TRUE(op->at("responses").as_object().contains("200"));
  }
  for (const auto& parameter : context.at("parameters").as_array()) {
    EXPECT_LE(parameter.at("description").as_string().size(), 700U);
  }
  const auto& schemas = doc.at("components").at("schemas").as_object();
  for (const char* name : {"CoachContext", "CoachMultiContext", "CoachIntervalContext", "CoachVolatility"}) {
    EXPECT_TRUE(schemas.contains(name)) << name;
  }
}

}  // namespace
}  // namespace td::api
