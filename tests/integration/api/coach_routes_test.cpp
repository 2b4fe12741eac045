// SPDX-License-Identifier: MIT
// The coach routes over a real socket: the seeded simulator at a fixed instant, a real SQLite plan store and
// the real key store and view tokens (auth on), as `serve` wires them.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <random>
#include <regex>

#include "api/auth_context.hpp"
#include "api/coach_routes.hpp"
#include "api/http_server.hpp"
#include "api_world.hpp"
#include "http_client.hpp"
#include "plans/plan_store.hpp"
#include "system/coach_service.hpp"
#include "system/market_service.hpp"

namespace td::api {
namespace {

using testing::BuildRequest;
using testing::HttpResult;
using testing::RawConnection;

UnixNanos At(const char* iso) { return *UnixNanos::ParseIso8601(iso); }
UnixNanos Instant(const boost::json::value& v) { return *UnixNanos::ParseIso8601(v.as_string()); }

class CoachRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A Tuesday, 15:00 UTC = 11:00 ET: NYSE open, NSE closed for the day.
    world_ = testing::ApiWorld::Create("td-coach-api", At("2025-09-16T15:00:00Z")).release();
    ASSERT_TRUE(world_->market && world_->auth);
    clock_ = world_->clock.get();
    market_ = world_->market.get();
    dir_ = &world_->dir;
    auth_ = world_->auth.get();
    alice_ = &world_->alice;
    bob_ = &world_->bob;
    root_ = &world_->root;
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

  static void ExpectError(const HttpResult& result, int status, std::string_view code, std::string_view field) {
    EXPECT_EQ(result.status, status) << result.body;
    if (result.body.empty()) return;
    const auto body = Json(result);
    const auto& error = body.at("error").as_object();
    EXPECT_EQ(error.at("code").as_string(), code) << result.body;
    if (field == "*") {
      return;
    }
    if (field.empty()) {
      EXPECT_TRUE(error.at("field").is_null() || error.at("field").as_string().empty()) << result.body;
    } else {
      ASSERT_TRUE(error.at("field").is_string()) << result.body;
      EXPECT_EQ(error.at("field").as_string(), field) << result.body;
    }
  }

  /// Issues a plan for alice and returns its parsed payload.
  boost::json::object IssuePlan(std::string_view body) {
    const HttpResult result = Call("POST", "/gpt/plan", body);
    EXPECT_EQ(result.status, 201) << result.body;
    return result.status == 201 ? Json(result) : boost::json::object{};
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
  static std::string* root_;
  std::unique_ptr<HttpServer> server_;
};

testing::ApiWorld* CoachRoutesTest::world_ = nullptr;
TestClock* CoachRoutesTest::clock_ = nullptr;
system::MarketService* CoachRoutesTest::market_ = nullptr;
plans::PlanStore* CoachRoutesTest::store_ = nullptr;
system::CoachService* CoachRoutesTest::coach_ = nullptr;
AuthContext* CoachRoutesTest::auth_ = nullptr;
std::filesystem::path* CoachRoutesTest::dir_ = nullptr;
std::string* CoachRoutesTest::alice_ = nullptr;
std::string* CoachRoutesTest::bob_ = nullptr;
std::string* CoachRoutesTest::root_ = nullptr;

TEST_F(CoachRoutesTest, ScanAnswersAPageForTheUniverse) {
  const HttpResult result = Call("POST", "/gpt/scan", R"({"universe":"us","style":"intraday","limit":5})");
  ASSERT_EQ(result.status, 200) << result.body;
  const auto body = Json(result);
  EXPECT_EQ(Instant(body.at("requested_as_of")), At("2025-09-16T15:00:00Z"));
  EXPECT_FALSE(body.at("as_of_given").as_bool());
  EXPECT_EQ(body.at("planning_context").as_string(), "live");
  EXPECT_EQ(body.at("universe").at("name").as_string(), "us");
  EXPECT_GT(body.at("universe").at("size").as_int64(), 50);
  EXPECT_EQ(body.at("data_source").as_string(), "simulator");
  EXPECT_LE(body.at("candidates").as_array().size(), 5U);
  EXPECT_EQ(body.at("meta").at("style").as_string(), "intraday");
  EXPECT_TRUE(body.at("data_quality").at("ok").as_bool());
  // The session state, in the body (GPT Actions read bodies only) and in the header: 11:00 ET, NYSE open.
  EXPECT_EQ(body.at("session").at("status").as_string(), "open");
  EXPECT_EQ(body.at("session").at("tz").as_string(), "America/New_York");
  EXPECT_EQ(Instant(body.at("session").at("as_of")), At("2025-09-16T15:00:00Z"));
  EXPECT_EQ(Instant(body.at("session").at("next_open")), At("2025-09-17T13:30:00Z"));
  EXPECT_EQ(result.Header("x-market-session"),
            "status=open; as_of=2025-09-16T15:00:00.000Z; next_open=2025-09-17T13:30:00.000Z; tz=America/New_York");
  EXPECT_FALSE(body.contains("sessions")) << "one exchange";
  // A universe over two exchanges lists both; NSE is closed at 20:30 IST.
  const HttpResult mixed = Call("POST", "/gpt/scan", R"({"universe":["SPY","NIFTY"],"style":"intraday","limit":2})");
  ASSERT_EQ(mixed.status, 200) << mixed.body;
  const auto both = Json(mixed).at("sessions").as_array();
  ASSERT_EQ(both.size(), 2U);
  EXPECT_EQ(both[1].at("tz").as_string(), "Asia/Kolkata");
  EXPECT_EQ(both[1].at("status").as_string(), "closed");

  // A list universe (the seed's shape) and the next page by cursor.
  const HttpResult list = Call("POST", "/gpt/scan", R"({"universe":["SPY","QQQ","AAPL"],"style":"scalp","limit":1})");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto page = Json(list);
  EXPECT_EQ(page.at("universe").at("name").as_string(), "explicit");
  ASSERT_EQ(page.at("universe").at("symbols").as_array().size(), 3U);
  EXPECT_EQ(page.at("universe").at("symbols").as_array()[0].as_string(), "US:SPY");
  if (page.at("next_cursor").is_string()) {
    const std::string next = R"({"universe":["SPY","QQQ","AAPL"],"style":"scalp","limit":1,"cursor":")" +
                             std::string(page.at("next_cursor").as_string()) + "\"}";
    const HttpResult second = Call("POST", "/gpt/scan", next);
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(Json(second).at("candidates").as_array()[0].at("rank").as_int64(), 2);
  }
}

TEST_F(CoachRoutesTest, ScanAsOfIsEchoedAndChangesTheAnswer) {
  const HttpResult now = Call("POST", "/gpt/scan", R"({"universe":"us","style":"intraday","limit":3})");
  const HttpResult earlier =
      Call("POST", "/gpt/scan", R"({"universe":"us","style":"intraday","limit":3,"as_of":"2025-09-16T14:00:00Z"})");
  ASSERT_EQ(now.status, 200) << now.body;
  ASSERT_EQ(earlier.status, 200) << earlier.body;
  const auto a = Json(now);
  const auto b = Json(earlier);
  EXPECT_EQ(Instant(b.at("requested_as_of")), At("2025-09-16T14:00:00Z"));
  EXPECT_TRUE(b.at("as_of_given").as_bool());
  EXPECT_EQ(Instant(b.at("as_of")), At("2025-09-16T14:00:00Z"));
  EXPECT_NE(a.at("scan_id").as_string(), b.at("scan_id").as_string());

  // After the close: computed as of the close, and the answer says so.
  const HttpResult closed =
      Call("POST", "/gpt/scan", R"({"universe":"us","style":"swing","limit":3,"as_of":"2025-09-15T23:00:00Z"})");
  ASSERT_EQ(closed.status, 200) << closed.body;
  const auto c = Json(closed);
  EXPECT_EQ(c.at("planning_context").as_string(), "frozen");
  EXPECT_NE(std::string(c.at("as_of_note").as_string()).find("2025-09-15 close"), std::string::npos);
  EXPECT_LE(At(c.at("as_of").as_string().c_str()), At("2025-09-15T20:00:00Z"));
}

TEST_F(CoachRoutesTest, ScanValidationNamesTheField) {
  ExpectError(Call("POST", "/gpt/scan", R"({"universe":"us","style":"daytrade"})"), 400, "invalid_argument", "style");
  ExpectError(Call("POST", "/gpt/scan", R"({"universe":"us"})"), 400, "invalid_argument", "style");
  ExpectError(Call("POST", "/gpt/scan", R"({"universe":[],"style":"scalp"})"), 400, "invalid_argument", "universe");
  ExpectError(Call("POST", "/gpt/scan", R"({"universe":"","style":"scalp"})"), 400, "invalid_argument", "universe");
  ExpectError(Call("POST", "/gpt/scan", R"({"universe":"mars","style":"scalp"})"), 400, "invalid_argument",
              "universe");
  ExpectError(Call("POST", "/gpt/scan", R"({"universe":"watchlist:none","style":"scalp"})"), 404, "not_found",
              "universe");
  ExpectError(Call("POST", "/gpt/scan", R"({"universe":["SPY","NOPE"],"style":"scalp"})"), 404, "not_found",
              "universe[1]");
  ExpectError(Call("POST", "/gpt/scan", R"({"universe":["SPY",7],"style":"scalp"})"), 400, "invalid_argument",
              "universe[1]");
  ExpectError(Call("POST", "/gpt/scan", R"({"style":"scalp","limit":0})"), 400, "invalid_argument", "limit");
  ExpectError(Call("POST", "/gpt/scan", R"({"style":"scalp","limit":51})"), 400, "invalid_argument", "limit");
  ExpectError(Call("POST", "/gpt/scan", R"({"style":"scalp","limit":2.5})"), 400, "invalid_argument", "limit");
  ExpectError(Call("POST", "/gpt/scan", R"({"style":"scalp","sort":"score"})"), 400, "invalid_argument", "sort");
  ExpectError(Call("POST", "/gpt/scan", R"({"style":"scalp","filters":{"min_rvol":-1}})"), 400, "invalid_argument",
              "filters.min_rvol");
  ExpectError(Call("POST", "/gpt/scan", R"({"style":"scalp","filters":{"max_price":9}})"), 400, "invalid_argument",
              "filters.max_price");
  ExpectError(Call("POST", "/gpt/scan", R"({"style":"scalp","as_of":"yesterday"})"), 400, "invalid_argument", "as_of");
  ExpectError(Call("POST", "/gpt/scan", R"({"style":"scalp","as_of":"2025-09-16T15:00:01Z"})"), 400,
              "invalid_argument", "as_of");
  ExpectError(Call("POST", "/gpt/scan", R"({"style":"scalp","cursor":"bm90LWEtY3Vyc29y"})"), 400, "invalid_argument",
              "cursor");
  ExpectError(Call("POST", "/gpt/scan", R"([1,2])"), 400, "invalid_argument", "body");
  ExpectError(Call("POST", "/gpt/scan", R"({"style":"scalp"})", nullptr), 401, "unauthenticated", "*");
}

TEST_F(CoachRoutesTest, StaleDataGivesAFallbackScanAndAnUnprocessablePlan) {
  // Before the simulated history: no data up to as_of. The scan labels it; the plan cannot be built.
  const HttpResult scan =
      Call("POST", "/gpt/scan", R"({"universe":["SPY","QQQ"],"style":"intraday","as_of":"2024-03-05T15:00:00Z"})");
  ASSERT_EQ(scan.status, 200) << scan.body;
  const auto page = Json(scan);
  EXPECT_EQ(page.at("meta").at("mode").as_string(), "empty");
  EXPECT_EQ(page.at("data_quality").at("error").as_string(), "market_data_unavailable");
  EXPECT_EQ(page.at("data_quality").at("missing").as_array().size(), 2U);
  ExpectError(Call("POST", "/gpt/plan", R"({"symbol":"SPY","as_of":"2024-03-05T15:00:00Z"})"), 422, "unprocessable",
              "as_of");
}

TEST_F(CoachRoutesTest, PlanIsStoredAndMatchesTheViewerContract) {
  const auto plan = IssuePlan(R"({"symbol":"spy","style":"intraday","as_of":"2025-09-16T14:30:00Z"})");
  ASSERT_FALSE(plan.empty());
  const std::string id(plan.at("plan_id").as_string());
  EXPECT_TRUE(std::regex_match(id, std::regex("pl_[0-9a-f]{24}"))) << id;
  EXPECT_EQ(plan.at("version").as_int64(), 1);
  EXPECT_EQ(plan.at("symbol").as_string(), "US:SPY");
  EXPECT_EQ(plan.at("style").as_string(), "intraday");
  EXPECT_EQ(Instant(plan.at("as_of")), At("2025-09-16T14:30:00Z"));
  EXPECT_EQ(Instant(plan.at("requested_as_of")), At("2025-09-16T14:30:00Z"));
  EXPECT_EQ(plan.at("planning_context").as_string(), "live");
  EXPECT_EQ(plan.at("data_source").as_string(), "simulator");
  EXPECT_EQ(plan.at("interval").as_string(), "5m");
  EXPECT_EQ(plan.at("decimals").as_int64(), 2);
  const std::string direction(plan.at("direction").as_string());
  ASSERT_TRUE(direction == "long" || direction == "short");
  const double sign = direction == "long" ? 1.0 : -1.0;
  const double entry = plan.at("entry").to_number<double>();
  const double stop = plan.at("stop").to_number<double>();
  EXPECT_GT((entry - stop) * sign, 0.0);
  double previous = entry;
  for (const auto& t : plan.at("targets").as_array()) {
    const double price = t.to_number<double>();
    EXPECT_GT((price - previous) * sign, 0.0);
    previous = price;
  }
  const std::string status(plan.at("status").as_string());
  EXPECT_TRUE(status == "intact" || status == "at_risk" || status == "invalidated");
  EXPECT_FALSE(plan.at("levels").as_array().empty());
  for (const auto& level : plan.at("levels").as_array()) {
    EXPECT_TRUE(level.at("price").is_number());
    EXPECT_TRUE(level.at("label").is_string());
  }
  EXPECT_TRUE(plan.at("zones").is_array());
  EXPECT_TRUE(plan.at("avwaps").is_array());
  for (const auto& avwap : plan.at("avwaps").as_array()) {
    EXPECT_LT(avwap.at("anchor_ts").as_int64(), At("2025-09-16T14:30:00Z").seconds());
  }
  // Prices on the wire carry the instrument's precision (2 decimals for SPY).
  const HttpResult raw = Call("GET", "/idea/" + id);
  ASSERT_EQ(raw.status, 200) << raw.body;
  EXPECT_TRUE(std::regex_search(raw.body, std::regex(R"("entry":[0-9]+\.[0-9]{2},"stop":[0-9]+\.[0-9]{2},)")))
      << raw.body.substr(0, 600);
  EXPECT_EQ(Json(raw).at("plan_id").as_string(), id);
  EXPECT_EQ(Json(raw).at("session").at("status").as_string(), "open");
  EXPECT_NE(raw.Header("x-market-session").find("tz=America/New_York"), std::string::npos);
  EXPECT_EQ(plan.at("session").at("tz").as_string(), "America/New_York");
  const std::string chart(plan.at("chart_url").as_string());
  EXPECT_NE(chart.find("/tv?"), std::string::npos);
  EXPECT_NE(chart.find("plan_id=" + id), std::string::npos);
  EXPECT_NE(chart.find("vt="), std::string::npos);

  // The same instant, again: the same numbers, a new plan id.
  const auto again = IssuePlan(R"({"symbol":"US:SPY","style":"intraday","as_of":"2025-09-16T14:30:00Z"})");
  EXPECT_NE(again.at("plan_id").as_string(), plan.at("plan_id").as_string());
  EXPECT_EQ(again.at("entry"), plan.at("entry"));
  EXPECT_EQ(again.at("targets"), plan.at("targets"));
  // Another instant: another answer.
  const auto later = IssuePlan(R"({"symbol":"SPY","style":"intraday","as_of":"2025-09-16T14:55:00Z"})");
  EXPECT_EQ(Instant(later.at("as_of")), At("2025-09-16T14:55:00Z"));
  EXPECT_NE(later.at("last_price"), plan.at("last_price"));
}

TEST_F(CoachRoutesTest, PlanValidationNamesTheField) {
  ExpectError(Call("POST", "/gpt/plan", R"({"style":"scalp"})"), 400, "invalid_argument", "symbol");
  ExpectError(Call("POST", "/gpt/plan", R"({"symbol":"SP Y"})"), 400, "invalid_argument", "symbol");
  ExpectError(Call("POST", "/gpt/plan", R"({"symbol":"ZZZZ"})"), 404, "not_found", "symbol");
  ExpectError(Call("POST", "/gpt/plan", R"({"symbol":"SPY","style":"position"})"), 400, "invalid_argument", "style");
  ExpectError(Call("POST", "/gpt/plan", R"({"symbol":"SPY","strategy":"astrology"})"), 400, "invalid_argument",
              "strategy");
  ExpectError(Call("POST", "/gpt/plan", R"({"symbol":"SPY","strategy":"pmcc","style":"leaps"})"), 422,
              "unprocessable", "strategy");
  ExpectError(Call("POST", "/gpt/plan", R"({"symbol":"SPY","size":100})"), 400, "invalid_argument", "size");
  ExpectError(Call("POST", "/gpt/plan", R"({"symbol":"SPY","as_of":"2025-13-01T00:00:00Z"})"), 400,
              "invalid_argument", "as_of");
  ExpectError(Call("POST", "/gpt/plan", R"({"symbol":"SPY","as_of":"2030-01-01T00:00:00Z"})"), 400,
              "invalid_argument", "as_of");
  ExpectError(Call("POST", "/gpt/plan", R"({"symbol":"SPY","plan_id":"pl_000000000000000000000000"})"), 404,
              "not_found", "plan_id");
  ExpectError(Call("POST", "/gpt/plan", "{\"symbol\":", alice_), 400, "invalid_argument", "*");
}

TEST_F(CoachRoutesTest, IdeasAreScopedToTheirOwnerOrAViewToken) {
  const auto plan = IssuePlan(R"({"symbol":"QQQ","style":"scalp"})");
  ASSERT_FALSE(plan.empty());
  const std::string id(plan.at("plan_id").as_string());
  EXPECT_EQ(Call("GET", "/idea/" + id).status, 200);
  EXPECT_EQ(Call("GET", "/idea/" + id + "/1").status, 200);
  EXPECT_EQ(Call("GET", "/idea/" + id, {}, root_).status, 200) << "admins read every plan";
  ExpectError(Call("GET", "/idea/" + id, {}, bob_), 404, "not_found", "plan_id");
  ExpectError(Call("GET", "/idea/" + id, {}, nullptr), 401, "unauthenticated", "Authorization");
  ExpectError(Call("GET", "/idea/" + id + "/2"), 404, "not_found", "version");
  ExpectError(Call("GET", "/idea/" + id + "/zero"), 400, "invalid_argument", "version");
  ExpectError(Call("GET", "/idea/pl_000000000000000000000000"), 404, "not_found", "plan_id");

  // The chart link's view token opens this plan (and its layers) without a key, and nothing else.
  const std::string chart(plan.at("chart_url").as_string());
  const auto vt_at = chart.find("vt=");
  ASSERT_NE(vt_at, std::string::npos);
  std::string token = chart.substr(vt_at + 3);
  token = token.substr(0, token.find('&'));
  const HttpResult anonymous = Call("GET", "/idea/" + id + "?vt=" + token, {}, nullptr);
  ASSERT_EQ(anonymous.status, 200) << anonymous.body;
  EXPECT_EQ(Json(anonymous).at("plan_id").as_string(), id);
  EXPECT_EQ(Call("GET", "/api/v1/gpt/chart-layers?plan_id=" + id + "&vt=" + token, {}, nullptr).status, 200);
  const auto other = IssuePlan(R"({"symbol":"SPY","style":"scalp"})");
  const std::string other_id(other.at("plan_id").as_string());
  ExpectError(Call("GET", "/idea/" + other_id + "?vt=" + token, {}, nullptr), 401, "unauthenticated", "vt");

  // A replan appends version 2 of the same plan.
  const HttpResult replan = Call("POST", "/gpt/plan", R"({"symbol":"QQQ","style":"scalp","plan_id":")" + id + "\"}");
  ASSERT_EQ(replan.status, 201) << replan.body;
  EXPECT_EQ(Json(replan).at("version").as_int64(), 2);
  EXPECT_EQ(Json(replan).at("updated_from_version").as_int64(), 1);
  EXPECT_EQ(Json(Call("GET", "/idea/" + id)).at("version").as_int64(), 2);
  EXPECT_EQ(Json(Call("GET", "/idea/" + id + "/1")).at("version").as_int64(), 1);
  ExpectError(Call("POST", "/gpt/plan", R"({"symbol":"QQQ","plan_id":")" + id + "\"}", bob_), 404, "not_found",
              "plan_id");
  ExpectError(Call("POST", "/gpt/plan", R"({"symbol":"SPY","plan_id":")" + id + "\"}"), 400, "invalid_argument",
              "plan_id");
}

/// The `vt` of a /gpt/plan answer's chart link.
std::string ViewTokenOf(const boost::json::object& plan) {
  const std::string chart(plan.at("chart_url").as_string());
  const auto at = chart.find("vt=");
  if (at == std::string::npos) return {};
  std::string token = chart.substr(at + 3);
  return token.substr(0, token.find('&'));
}

std::size_t PlansOf(plans::PlanStore& store, const std::string& user) {
  auto listed = store.List(plans::UserScope{user, false}, plans::kMaxListLimit);
  return listed.ok() ? listed->size() : 0;
}

TEST_F(CoachRoutesTest, AViewTokenPreviewsPlansOfItsOwnSymbolWithoutStoringThem) {
  const auto plan = IssuePlan(R"({"symbol":"SPY","style":"intraday","as_of":"2025-09-16T14:30:00Z"})");
  ASSERT_FALSE(plan.empty());
  const std::string id(plan.at("plan_id").as_string());
  const std::string token = ViewTokenOf(plan);
  ASSERT_FALSE(token.empty());
  const std::size_t alice_plans = PlansOf(*store_, "alice");
  const std::string preview_target = "/gpt/plan?vt=" + token;

  // The link's own symbol, any style: computed like a stored plan, answered as a preview (200, no id).
  const HttpResult same = Call("POST", preview_target,
                               R"({"symbol":"SPY","style":"intraday","as_of":"2025-09-16T14:30:00Z"})", nullptr);
  ASSERT_EQ(same.status, 200) << same.body;
  const auto preview = Json(same);
  EXPECT_TRUE(preview.at("preview").as_bool());
  EXPECT_FALSE(preview.contains("plan_id")) << same.body.substr(0, 300);
  EXPECT_FALSE(preview.contains("version"));
  EXPECT_FALSE(preview.contains("chart_url"));
  EXPECT_FALSE(preview.contains("idea_url"));
  EXPECT_EQ(preview.at("symbol").as_string(), "US:SPY");
  EXPECT_EQ(preview.at("entry"), plan.at("entry"));
  EXPECT_EQ(preview.at("stop"), plan.at("stop"));
  EXPECT_EQ(preview.at("targets"), plan.at("targets"));
  EXPECT_EQ(same.Header("cache-control"), "private, no-store");
  const HttpResult swing = Call("POST", preview_target, R"({"symbol":"us:spy","style":"swing"})", nullptr);
  ASSERT_EQ(swing.status, 200) << swing.body;
  EXPECT_EQ(Json(swing).at("style").as_string(), "swing");
  EXPECT_EQ(Json(swing).at("interval").as_string(), "1h");

  // Nothing was stored, and the token cannot store: a new version (plan_id) is refused.
  ExpectError(Call("POST", preview_target, R"({"symbol":"SPY","plan_id":")" + id + R"("})", nullptr), 403,
              "permission_denied", "plan_id");
  EXPECT_EQ(PlansOf(*store_, "alice"), alice_plans);
  EXPECT_EQ(Json(Call("GET", "/idea/" + id)).at("version").as_int64(), 1);

  // Another symbol, real or not, is 403 naming the symbol; field errors are still the body's own.
  ExpectError(Call("POST", preview_target, R"({"symbol":"QQQ","style":"swing"})", nullptr), 403, "permission_denied",
              "symbol");
  ExpectError(Call("POST", preview_target, R"({"symbol":"ZZZZ"})", nullptr), 403, "permission_denied", "symbol");
  ExpectError(Call("POST", preview_target, R"({"symbol":"SPY","style":"position"})", nullptr), 400,
              "invalid_argument", "style");
  EXPECT_EQ(PlansOf(*store_, "alice"), alice_plans);
}

TEST_F(CoachRoutesTest, PreviewsRefuseMissingForgedExpiredAndOrphanTokens) {
  const auto plan = IssuePlan(R"({"symbol":"SPY","style":"scalp","as_of":"2025-09-16T14:40:00Z"})");
  ASSERT_FALSE(plan.empty());
  const std::string id(plan.at("plan_id").as_string());
  const std::string token = ViewTokenOf(plan);
  ASSERT_FALSE(token.empty());
  const std::string body = R"({"symbol":"SPY","style":"swing"})";

  ExpectError(Call("POST", "/gpt/plan", body, nullptr), 401, "unauthenticated", "Authorization");
  ExpectError(Call("POST", "/gpt/plan?vt=bogus", body, nullptr), 401, "unauthenticated", "vt");
  // A token whose signature was tampered with (one character of the MAC changed).
  std::string forged = token;
  char& flipped = forged[token.find('.') + 5];
  flipped = flipped == 'A' ? 'B' : 'A';
  ExpectError(Call("POST", "/gpt/plan?vt=" + forged, body, nullptr), 401, "unauthenticated", "vt");
  // A payload re-signed by nobody: another plan id spliced in front of the real signature.
  const std::string other_payload = auth_->view_tokens->Mint("pl_000000000000000000000000", "alice",
                                                             clock_->Now() + std::chrono::hours(1));
  const std::string spliced = other_payload.substr(0, other_payload.find('.')) + token.substr(token.find('.'));
  ExpectError(Call("POST", "/gpt/plan?vt=" + spliced, body, nullptr), 401, "unauthenticated", "vt");
  // Expired: signed correctly, but its time is up.
  const std::string expired = auth_->view_tokens->Mint(id, "alice", clock_->Now());
  ExpectError(Call("POST", "/gpt/plan?vt=" + expired, body, nullptr), 401, "unauthenticated", "vt");
  // Correctly signed for a plan that does not exist: it opens nothing.
  ExpectError(Call("POST", "/gpt/plan?vt=" + other_payload, body, nullptr), 401, "unauthenticated", "vt");
  // A wrong key is never ignored because a good token comes along.
  const std::string wrong_key = "Authorization: Bearer " + std::string(64, '0') + "\r\n";
  ExpectError(Call("POST", "/gpt/plan?vt=" + token, body, &wrong_key), 401, "unauthenticated", "Authorization");
  // The valid token still works, so the refusals above were the tokens' own.
  EXPECT_EQ(Call("POST", "/gpt/plan?vt=" + token, body, nullptr).status, 200);
}

TEST_F(CoachRoutesTest, PreviewsAreRateLimitedPerClientLikeOtherRequests) {
  AuthSettings settings;
  settings.pepper = std::string(64, 'a');
  settings.rate_per_second = 1;
  settings.burst = 2;
  settings.rate_time_source = [] { return std::chrono::steady_clock::time_point{}; };  // time stands still
  auto limited = OpenAuth(*dir_, settings, *clock_);
  ASSERT_TRUE(limited.ok()) << limited.error().ToString();
  HttpServerOptions options;
  options.listen_port = 0;
  options.io_threads = 1;
  HttpServer server(std::move(options));
  InstallAuth(server.router(), *limited);
  AddCoachRoutes(server.router(), *coach_, *limited);
  ASSERT_TRUE(server.Start().ok());

  const auto plan = IssuePlan(R"({"symbol":"SPY","style":"intraday","as_of":"2025-09-16T14:30:00Z"})");
  const std::string target = "/gpt/plan?vt=" + ViewTokenOf(plan);
  const std::string body = R"({"symbol":"SPY","style":"swing"})";
  auto call = [&] {
    RawConnection connection;
    EXPECT_TRUE(connection.Connect(server.port()));
    connection.Send(BuildRequest("POST", target, "Content-Type: application/json\r\n", body));
    return connection.ReadResponse(std::chrono::seconds(60));
  };
  EXPECT_EQ(call().status, 200);
  EXPECT_EQ(call().status, 200);
  const HttpResult third = call();
  ExpectError(third, 429, "rate_limited", "*");
  EXPECT_FALSE(third.Header("retry-after").empty());
  server.Stop();
}

TEST_F(CoachRoutesTest, ChartLayersMatchThePlanAndStaleLayersAre409) {
  const auto plan = IssuePlan(R"({"symbol":"SPY","style":"intraday","as_of":"2025-09-16T14:45:00Z"})");
  const std::string id(plan.at("plan_id").as_string());
  const HttpResult result = Call("GET", "/api/v1/gpt/chart-layers?plan_id=" + id);
  ASSERT_EQ(result.status, 200) << result.body;
  const auto layers = Json(result);
  EXPECT_EQ(layers.at("plan_id").as_string(), id);
  EXPECT_EQ(Instant(layers.at("as_of")), At("2025-09-16T14:45:00Z"));
  EXPECT_EQ(layers.at("levels"), plan.at("levels"));
  EXPECT_EQ(layers.at("zones"), plan.at("zones"));
  EXPECT_EQ(layers.at("overlays").at("avwaps"), plan.at("avwaps"));
  EXPECT_EQ(layers.at("precision").as_int64(), 2);
  ExpectError(Call("GET", "/api/v1/gpt/chart-layers?plan_id=" + id, {}, bob_), 404, "not_found", "plan_id");
  ExpectError(Call("GET", "/api/v1/gpt/chart-layers"), 400, "invalid_argument", "plan_id");

  // A version whose layers were computed for another instant is stale.
  const auto stored = store_->Get(plans::UserScope{"alice", false}, id);
  ASSERT_TRUE(stored.ok());
  plans::NewPlan next;
  next.symbol = stored->symbol;
  next.style = stored->style;
  next.strategy = stored->strategy;
  next.reason = "replan";
  next.as_of = At("2025-09-16T14:50:00Z");
  next.plan_json = stored->plan_json;
  next.layers_json = stored->layers_json;
  next.layers_as_of = stored->as_of;
  ASSERT_TRUE(store_->AddVersion(plans::UserScope{"alice", false}, id, std::move(next)).ok());
  const HttpResult stale = Call("GET", "/api/v1/gpt/chart-layers?plan_id=" + id);
  ExpectError(stale, 409, "stale_layers", "plan_id");
  EXPECT_EQ(Instant(Json(stale).at("error").at("plan_as_of")), At("2025-09-16T14:50:00Z"));
  EXPECT_EQ(Instant(Json(stale).at("error").at("layers_as_of")), At("2025-09-16T14:45:00Z"));
  // Version 1 is still consistent.
  EXPECT_EQ(Call("GET", "/api/v1/gpt/chart-layers?plan_id=" + id + "&version=1").status, 200);
}

TEST_F(CoachRoutesTest, ChartUrlIsCanonicalAndRejectsUnknownParameters) {
  // The seed's test vector: keys sorted, prices at the instrument's precision with trailing zeros dropped.
  const HttpResult result = Call("POST", "/gpt/chart-url",
                                 R"({"symbol":"SPY","interval":"5m","direction":"long","entry":430.10,"stop":428.8,
"tp":[432.1,433.55],"focus":"plan","center_time":"latest","view":"6M"})");
  ASSERT_EQ(result.status, 200) << result.body;
  const auto body = Json(result);
  EXPECT_EQ(body.at("path").as_string(),
            "/tv?center_time=latest&direction=long&entry=430.1&focus=plan&interval=5m&stop=428.8&symbol=US:SPY&"
            "tp=432.1,433.55&view=6M");
  EXPECT_EQ(body.at("precision").as_int64(), 2);
  EXPECT_TRUE(body.at("view_token_expires_at").is_null());
  EXPECT_NE(std::string(body.at("url").as_string()).find("http://"), std::string::npos);

  const HttpResult rounded = Call("POST", "/gpt/chart-url",
                                  R"({"symbol":"NIFTY","entry":"24000.456","stop":23950,"tp":"24100.004,24200",
"ema":[9,21],"levels":[{"price":24080.5,"label":"PDH|x"}],"theme":"light","resolution":"15m"})");
  ASSERT_EQ(rounded.status, 200) << rounded.body;
  EXPECT_EQ(Json(rounded).at("path").as_string(),
            "/tv?ema=9,21&entry=24000.46&interval=15m&levels=24080.5|PDHx&stop=23950&symbol=NSE_INDEX:NIFTY&"
            "theme=light&tp=24100,24200");

  ExpectError(Call("POST", "/gpt/chart-url", R"({"symbol":"SPY","notes":"hi"})"), 400, "invalid_argument", "notes");
  ExpectError(Call("POST", "/gpt/chart-url", R"({"symbol":"SPY","interval":"7m"})"), 400, "invalid_argument",
              "interval");
  ExpectError(Call("POST", "/gpt/chart-url", R"({"symbol":"SPY","entry":430,"stop":431,"direction":"long"})"), 400,
              "invalid_argument", "stop");
  ExpectError(Call("POST", "/gpt/chart-url", R"({"symbol":"SPY","entry":430,"stop":429,"tp":[431,430.5]})"), 400,
              "invalid_argument", "tp");
  ExpectError(Call("POST", "/gpt/chart-url", R"({"symbol":"SPY","entry":-1})"), 400, "invalid_argument", "entry");
  ExpectError(Call("POST", "/gpt/chart-url", R"({"symbol":"SPY","overlays":["smoke"]})"), 400, "invalid_argument",
              "overlays");
  ExpectError(Call("POST", "/gpt/chart-url", R"({"interval":"5m"})"), 400, "invalid_argument", "symbol");
  ExpectError(Call("POST", "/gpt/chart-url", R"({"symbol":"NOPE"})"), 404, "not_found", "symbol");

  // A plan-bound link: the plan's symbol and version, focus on the plan, a view token for its owner.
  const auto plan = IssuePlan(R"({"symbol":"QQQ","style":"swing"})");
  const std::string id(plan.at("plan_id").as_string());
  const HttpResult bound = Call("POST", "/gpt/chart-url", R"({"plan_id":")" + id + R"(","theme":"dark"})");
  ASSERT_EQ(bound.status, 200) << bound.body;
  const auto link = Json(bound);
  const std::string path(link.at("path").as_string());
  EXPECT_TRUE(path.starts_with("/tv?focus=plan&interval=1h&plan_id=" + id +
                               "&plan_version=1&symbol=US:QQQ&theme=dark&vt="))
      << path;
  EXPECT_EQ(link.at("view_token_expires_at").as_string(), (clock_->Now() + std::chrono::hours(24 * 7)).ToIso8601());
  ExpectError(Call("POST", "/gpt/chart-url", R"({"plan_id":")" + id + R"("})", bob_), 404, "not_found", "plan_id");
}

TEST_F(CoachRoutesTest, OpenApiDescribesEveryCoachRoute) {
  const HttpResult result = Call("GET", "/openapi.json", {}, nullptr);
  ASSERT_EQ(result.status, 200);
  const auto doc = Json(result);
  const auto& paths = doc.at("paths").as_object();
  EXPECT_EQ(paths.at("/gpt/scan").at("post").at("operationId").as_string(), "coachScan");
  EXPECT_EQ(paths.at("/gpt/plan").at("post").at("operationId").as_string(), "coachPlan");
  EXPECT_EQ(paths.at("/gpt/chart-url").at("post").at("operationId").as_string(), "coachChartUrl");
  EXPECT_EQ(paths.at("/idea/{plan_id}").at("get").at("operationId").as_string(), "getIdea");
  EXPECT_EQ(paths.at("/idea/{plan_id}/{version}").at("get").at("operationId").as_string(), "getIdeaVersion");
  EXPECT_EQ(paths.at("/api/v1/gpt/chart-layers").at("get").at("operationId").as_string(), "getChartLayers");
  EXPECT_TRUE(paths.at("/gpt/scan").at("post").as_object().contains("requestBody"));
  EXPECT_TRUE(doc.at("components").at("schemas").as_object().contains("CoachPlan"));
  // /gpt/plan takes a key or, for previews, a view token.
  const auto& plan = paths.at("/gpt/plan").at("post").as_object();
  EXPECT_EQ(plan.at("parameters").at(0).at("name").as_string(), "vt");
  EXPECT_TRUE(plan.at("responses").as_object().contains("403"));
  EXPECT_EQ(plan.at("security").as_array().size(), 2u);
  EXPECT_TRUE(doc.at("components").at("schemas").as_object().contains("CoachPlanPreview"));
}

}  // namespace
}  // namespace td::api
