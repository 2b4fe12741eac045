// SPDX-License-Identifier: MIT
// The GPT's watchlist and trade-journal routes over a real socket: a real SQLite plan store, the real key store
// (auth on), symbols resolved against the seeded simulator, and plans issued by the coach routes.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <random>

#include "api/auth_context.hpp"
#include "api/coach_routes.hpp"
#include "api/http_server.hpp"
#include "api/journal_routes.hpp"
#include "api_world.hpp"
#include "http_client.hpp"
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

class JournalRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = testing::ApiWorld::Create("td-journal-api", At("2025-09-16T15:00:00Z")).release();
    ASSERT_TRUE(world_->market && world_->auth);
    clock_ = world_->clock.get();
    market_ = world_->market.get();
    dir_ = &world_->dir;
    auth_ = world_->auth.get();
    alice_ = &world_->alice;
    bob_ = &world_->bob;
    root_ = &world_->root;
  }
  static void TearDownTestSuite() {
    delete world_;  // last: it owns the market, the keys and the directory the stores live in
  }
  void SetUp() override {
    // A fresh store per test, so listings see only the test's own records.
    const auto db = *dir_ / (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db");
    auto store = plans::PlanStore::Open(db, store_clock_);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    store_ = std::move(store).value();
    coach_ = std::make_unique<system::CoachService>(*market_, store_.get(), *clock_);
    HttpServerOptions options;
    options.listen_port = 0;
    options.io_threads = 1;
    server_ = std::make_unique<HttpServer>(std::move(options));
    InstallAuth(server_->router(), *auth_);
    AddCoachRoutes(server_->router(), *coach_, *auth_);
    AddJournalRoutes(server_->router(), *store_, *market_, *auth_);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(); }

  HttpResult Call(std::string_view method, std::string_view target, std::string_view body = {},
                  const std::string* key = alice_) {
    std::string headers = key != nullptr ? *key : std::string();
    if (!body.empty())
      headers += "Content-Type: application/json\r\n";
    return Fetch(server_->port(), method, target, headers, body);
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

  static std::vector<std::string> Symbols(const json::object& watchlist) {
    std::vector<std::string> out;
    for (const auto& s : watchlist.at("symbols").as_array())
      out.emplace_back(s.as_string());
    return out;
  }

  static testing::ApiWorld* world_;
  static TestClock* clock_;
  static system::MarketService* market_;
  static AuthContext* auth_;
  static std::filesystem::path* dir_;
  static std::string* alice_;
  static std::string* bob_;
  static std::string* root_;
  // The store's own clock stamps entries, so a test can move it without moving the simulated market.
  TestClock store_clock_{At("2025-09-16T15:00:00Z")};
  std::unique_ptr<plans::PlanStore> store_;
  std::unique_ptr<system::CoachService> coach_;
  std::unique_ptr<HttpServer> server_;
};

testing::ApiWorld* JournalRoutesTest::world_ = nullptr;
TestClock* JournalRoutesTest::clock_ = nullptr;
system::MarketService* JournalRoutesTest::market_ = nullptr;
AuthContext* JournalRoutesTest::auth_ = nullptr;
std::filesystem::path* JournalRoutesTest::dir_ = nullptr;
std::string* JournalRoutesTest::alice_ = nullptr;
std::string* JournalRoutesTest::bob_ = nullptr;
std::string* JournalRoutesTest::root_ = nullptr;

TEST_F(JournalRoutesTest, WatchlistLifecycle) {
  const HttpResult created =
      Call("POST", "/gpt/watchlists", R"({"name":"momentum","symbols":["spy","NIFTY","US:QQQ","SPY"]})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Symbols(Json(created)), (std::vector<std::string>{"US:SPY", "NSE_INDEX:NIFTY", "US:QQQ"}));
  ExpectError(Call("POST", "/gpt/watchlists", R"({"name":"momentum","symbols":["AAPL"]})"), 409, "already_exists",
              "name");

  const HttpResult got = Call("GET", "/gpt/watchlists/momentum");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Json(got).at("count").as_int64(), 3);

  const HttpResult added = Call("PUT", "/gpt/watchlists/momentum", R"({"add":["AAPL"],"remove":["nifty"]})");
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(Symbols(Json(added)), (std::vector<std::string>{"US:SPY", "US:QQQ", "US:AAPL"}));
  const HttpResult replaced = Call("PUT", "/gpt/watchlists/momentum", R"({"symbols":["NVDA"]})");
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(Symbols(Json(replaced)), (std::vector<std::string>{"US:NVDA"}));

  ASSERT_EQ(Call("POST", "/gpt/watchlists", R"({"name":"india","symbols":["BANKNIFTY"]})").status, 201);
  const HttpResult list = Call("GET", "/gpt/watchlists");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto lists = Json(list);
  ASSERT_EQ(lists.at("watchlists").as_array().size(), 2u);
  EXPECT_EQ(lists.at("watchlists").as_array()[0].at("name").as_string(), "india");
  EXPECT_FALSE(lists.at("truncated").as_bool());

  const HttpResult deleted = Call("DELETE", "/gpt/watchlists/momentum");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  ExpectError(Call("GET", "/gpt/watchlists/momentum"), 404, "not_found", "name");
  ExpectError(Call("DELETE", "/gpt/watchlists/momentum"), 404, "not_found", "name");
}

TEST_F(JournalRoutesTest, WatchlistsAreEachUsersOwn) {
  ASSERT_EQ(Call("POST", "/gpt/watchlists", R"({"name":"core","symbols":["SPY"]})").status, 201);
  ExpectError(Call("GET", "/gpt/watchlists/core", {}, bob_), 404, "not_found", "name");
  ExpectError(Call("PUT", "/gpt/watchlists/core", R"({"symbols":["QQQ"]})", bob_), 404, "not_found", "name");
  ExpectError(Call("DELETE", "/gpt/watchlists/core", {}, bob_), 404, "not_found", "name");
  EXPECT_TRUE(Json(Call("GET", "/gpt/watchlists", {}, bob_)).at("watchlists").as_array().empty());
  // Bob may use the same name for his own list; Alice's is untouched.
  ASSERT_EQ(Call("POST", "/gpt/watchlists", R"({"name":"core","symbols":["QQQ"]})", bob_).status, 201);
  EXPECT_EQ(Symbols(Json(Call("GET", "/gpt/watchlists/core"))), (std::vector<std::string>{"US:SPY"}));
  EXPECT_EQ(Call("GET", "/gpt/watchlists", {}, nullptr).status, 401);
}

TEST_F(JournalRoutesTest, WatchlistBadInputNamesTheField) {
  auto bad = [&](std::string_view method, std::string_view target, std::string_view body, std::string_view field,
                 int status = 400, std::string_view code = "invalid_argument") {
    SCOPED_TRACE(std::string(target) + " " + std::string(body));
    ExpectError(Call(method, target, body), status, code, field);
  };
  bad("POST", "/gpt/watchlists", R"({"symbols":["SPY"]})", "name");
  bad("POST", "/gpt/watchlists", R"({"name":"","symbols":["SPY"]})", "name");
  bad("POST", "/gpt/watchlists", R"({"name":")" + std::string(65, 'n') + R"(","symbols":["SPY"]})", "name");
  bad("POST", "/gpt/watchlists", R"({"name":"x"})", "symbols");
  bad("POST", "/gpt/watchlists", R"({"name":"x","symbols":[]})", "symbols");
  bad("POST", "/gpt/watchlists", R"({"name":"x","symbols":["SPY",7]})", "symbols[1]");
  bad("POST", "/gpt/watchlists", R"({"name":"x","symbols":["SPY","NOSUCHTHING"]})", "symbols[1]");
  std::string many = R"({"name":"x","symbols":[)";
  for (int i = 0; i < 201; ++i)
    many += std::string(i ? "," : "") + "\"SPY\"";
  bad("POST", "/gpt/watchlists", many + "]}", "symbols");
  bad("POST", "/gpt/watchlists", R"({"name":"x","symbols":["SPY"],"colour":"red"})", "colour");
  bad("POST", "/gpt/watchlists", "", "body");
  ASSERT_EQ(Call("POST", "/gpt/watchlists", R"({"name":"x","symbols":["SPY"]})").status, 201);
  bad("PUT", "/gpt/watchlists/x", R"({})", "body");
  bad("PUT", "/gpt/watchlists/x", R"({"symbols":["QQQ"],"add":["AAPL"]})", "symbols");
  bad("PUT", "/gpt/watchlists/x", R"({"add":["NOSUCHTHING"]})", "add[0]");
  bad("PUT", "/gpt/watchlists/x", R"({"remove":["QQQ"]})", "remove[0]", 404, "not_found");
  bad("PUT", "/gpt/watchlists/x", R"({"remove":["SPY"]})", "remove");
  bad("PUT", "/gpt/watchlists/missing", R"({"symbols":["SPY"]})", "name", 404, "not_found");
}

TEST_F(JournalRoutesTest, JournalLifecycleWithPlanLinkAndFilters) {
  const HttpResult plan = Call("POST", "/gpt/plan", R"({"symbol":"SPY","style":"intraday"})");
  ASSERT_EQ(plan.status, 201) << plan.body;
  const std::string plan_id(Json(plan).at("plan_id").as_string());

  const HttpResult first =
      Call("POST", "/gpt/journal",
           R"({"text":"Took the plan at the open","plan_id":")" + plan_id + R"(","outcome":"open"})");
  ASSERT_EQ(first.status, 201) << first.body;
  const auto e1 = Json(first);
  EXPECT_EQ(e1.at("symbol").as_string(), "US:SPY") << "a linked entry takes the plan's symbol";
  EXPECT_EQ(e1.at("plan_id").as_string(), plan_id);
  EXPECT_TRUE(e1.at("pnl").is_null());
  const std::int64_t id1 = e1.at("id").as_int64();

  store_clock_.Advance(std::chrono::hours(24));
  const HttpResult second =
      Call("POST", "/gpt/journal", R"({"text":"NIFTY fade, stopped","symbol":"nifty","outcome":"loss","pnl":-3250.5})");
  ASSERT_EQ(second.status, 201) << second.body;
  const std::int64_t id2 = Json(second).at("id").as_int64();
  EXPECT_EQ(Json(second).at("symbol").as_string(), "NSE_INDEX:NIFTY");

  const HttpResult got = Call("GET", "/gpt/journal/" + std::to_string(id1));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Json(got).at("text").as_string(), "Took the plan at the open");

  // Update: given fields replace, absent ones stay, null clears.
  const HttpResult updated =
      Call("PUT", "/gpt/journal/" + std::to_string(id1), R"({"outcome":"win","pnl":412.25,"plan_id":null})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  const auto u = Json(updated);
  EXPECT_EQ(u.at("outcome").as_string(), "win");
  EXPECT_EQ(u.at("pnl").as_double(), 412.25);
  EXPECT_TRUE(u.at("plan_id").is_null());
  EXPECT_EQ(u.at("text").as_string(), "Took the plan at the open");
  EXPECT_EQ(u.at("symbol").as_string(), "US:SPY");
  ASSERT_EQ(Call("PUT", "/gpt/journal/" + std::to_string(id1), R"({"plan_id":")" + plan_id + R"("})").status, 200);

  auto ids = [&](const std::string& query) {
    const HttpResult r = Call("GET", "/gpt/journal" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    std::vector<std::int64_t> out;
    if (r.status != 200)
      return out;
    const auto body = Json(r);
    for (const auto& e : body.at("entries").as_array())
      out.push_back(e.at("id").as_int64());
    return out;
  };
  EXPECT_EQ(ids(""), (std::vector<std::int64_t>{id2, id1}));
  EXPECT_EQ(ids("?symbol=SPY"), (std::vector<std::int64_t>{id1}));
  EXPECT_EQ(ids("?symbol=NSE_INDEX:NIFTY"), (std::vector<std::int64_t>{id2}));
  EXPECT_EQ(ids("?plan_id=" + plan_id), (std::vector<std::int64_t>{id1}));
  EXPECT_EQ(ids("?from=2025-09-17"), (std::vector<std::int64_t>{id2}));
  EXPECT_EQ(ids("?to=2025-09-16"), (std::vector<std::int64_t>{id1}));
  EXPECT_EQ(ids("?from=2025-09-16T00:00:00Z&to=2025-09-16T15:00:01Z"), (std::vector<std::int64_t>{id1}));
  EXPECT_EQ(ids("?limit=1"), (std::vector<std::int64_t>{id2}));
}

TEST_F(JournalRoutesTest, JournalEntriesAreEachUsersOwn) {
  const HttpResult mine = Call("POST", "/gpt/journal", R"({"text":"private note","symbol":"SPY"})");
  ASSERT_EQ(mine.status, 201);
  const std::string path = "/gpt/journal/" + std::to_string(Json(mine).at("id").as_int64());
  ExpectError(Call("GET", path, {}, bob_), 404, "not_found", "id");
  ExpectError(Call("PUT", path, R"({"text":"mine now"})", bob_), 404, "not_found", "id");
  EXPECT_TRUE(Json(Call("GET", "/gpt/journal", {}, bob_)).at("entries").as_array().empty());
  EXPECT_EQ(Json(Call("GET", path)).at("text").as_string(), "private note");
  // Bob cannot link his entry to Alice's plan either.
  const HttpResult plan = Call("POST", "/gpt/plan", R"({"symbol":"QQQ"})");
  ASSERT_EQ(plan.status, 201) << plan.body;
  const std::string plan_id(Json(plan).at("plan_id").as_string());
  ExpectError(Call("POST", "/gpt/journal", R"({"text":"x","plan_id":")" + plan_id + R"("})", bob_), 404, "not_found",
              "plan_id");
  // An admin reads anyone's entry.
  EXPECT_EQ(Call("GET", path, {}, root_).status, 200);
  EXPECT_EQ(Call("GET", path, {}, nullptr).status, 401);
}

TEST_F(JournalRoutesTest, JournalBadInputNamesTheField) {
  auto bad = [&](std::string_view method, std::string_view target, std::string_view body, std::string_view field,
                 int status = 400, std::string_view code = "invalid_argument") {
    SCOPED_TRACE(std::string(method) + " " + std::string(target) + " " + std::string(body));
    ExpectError(Call(method, target, body), status, code, field);
  };
  bad("POST", "/gpt/journal", R"({"symbol":"SPY"})", "text");
  bad("POST", "/gpt/journal", R"({"text":""})", "text");
  bad("POST", "/gpt/journal", R"({"text":7})", "text");
  bad("POST", "/gpt/journal", R"({"text":")" + std::string(4001, 'a') + R"("})", "text");
  bad("POST", "/gpt/journal", R"({"text":"ok","symbol":"NOSUCHTHING"})", "symbol");
  bad("POST", "/gpt/journal", R"({"text":"ok","symbol":5})", "symbol");
  bad("POST", "/gpt/journal", R"({"text":"ok","outcome":"breakeven"})", "outcome");
  bad("POST", "/gpt/journal", R"({"text":"ok","pnl":"lots"})", "pnl");
  bad("POST", "/gpt/journal", R"({"text":"ok","pnl":1e13})", "pnl");
  bad("POST", "/gpt/journal", R"({"text":"ok","plan_id":""})", "plan_id");
  bad("POST", "/gpt/journal", R"({"text":"ok","plan_id":"pl_000000000000000000000000"})", "plan_id", 404, "not_found");
  bad("POST", "/gpt/journal", R"({"text":"ok","mood":"great"})", "mood");
  bad("POST", "/gpt/journal", R"(["text"])", "body");
  // 4000 characters is the cap in characters, not bytes: 4000 two-byte characters are accepted.
  std::string wide;
  for (int i = 0; i < 4000; ++i)
    wide += "\xc3\xa9";
  EXPECT_EQ(Call("POST", "/gpt/journal", R"({"text":")" + wide + R"("})").status, 201);

  bad("GET", "/gpt/journal/abc", {}, "id");
  bad("GET", "/gpt/journal/0", {}, "id");
  bad("GET", "/gpt/journal/999999", {}, "id", 404, "not_found");
  bad("PUT", "/gpt/journal/1", R"({})", "body");
  bad("PUT", "/gpt/journal/1", R"({"outcome":"meh"})", "outcome");
  bad("PUT", "/gpt/journal/999999", R"({"text":"x"})", "id", 404, "not_found");
  bad("GET", "/gpt/journal?limit=0", {}, "limit");
  bad("GET", "/gpt/journal?limit=201", {}, "limit");
  bad("GET", "/gpt/journal?from=yesterday", {}, "from");
  bad("GET", "/gpt/journal?to=2025-13-01", {}, "to");
  bad("GET", "/gpt/journal?from=2025-09-18&to=2025-09-16", {}, "from");
  bad("GET", "/gpt/journal?symbol=NOSUCHTHING", {}, "symbol");
  bad("GET", "/gpt/journal?sort=asc", {}, "sort");
}

TEST_F(JournalRoutesTest, LongListsStayUnderTheGptLimit) {
  const std::string text(3900, 'x');
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(Call("POST", "/gpt/journal", R"({"text":")" + text + R"("})").status, 201);
  }
  const HttpResult r = Call("GET", "/gpt/journal?limit=200");
  ASSERT_EQ(r.status, 200);
  EXPECT_LT(r.body.size(), 100'000u);
  const auto body = Json(r);
  EXPECT_TRUE(body.at("truncated").as_bool());
  EXPECT_LT(body.at("count").as_int64(), 40);
  EXPECT_EQ(static_cast<std::int64_t>(body.at("entries").as_array().size()), body.at("count").as_int64());
}

TEST_F(JournalRoutesTest, OpenApiNamesEveryOperation) {
  const HttpResult r = Fetch(server_->port(), "GET", "/openapi.json");
  ASSERT_EQ(r.status, 200);
  const auto paths = Json(r).at("paths").as_object();
  EXPECT_EQ(paths.at("/gpt/watchlists").at("get").at("operationId").as_string(), "listWatchlists");
  EXPECT_EQ(paths.at("/gpt/watchlists").at("post").at("operationId").as_string(), "createWatchlist");
  EXPECT_EQ(paths.at("/gpt/watchlists/{name}").at("get").at("operationId").as_string(), "getWatchlist");
  EXPECT_EQ(paths.at("/gpt/watchlists/{name}").at("put").at("operationId").as_string(), "updateWatchlist");
  EXPECT_EQ(paths.at("/gpt/watchlists/{name}").at("delete").at("operationId").as_string(), "deleteWatchlist");
  EXPECT_EQ(paths.at("/gpt/journal").at("get").at("operationId").as_string(), "listJournalEntries");
  EXPECT_EQ(paths.at("/gpt/journal").at("post").at("operationId").as_string(), "createJournalEntry");
  EXPECT_EQ(paths.at("/gpt/journal/{id}").at("get").at("operationId").as_string(), "getJournalEntry");
  EXPECT_EQ(paths.at("/gpt/journal/{id}").at("put").at("operationId").as_string(), "updateJournalEntry");
}

}  // namespace
}  // namespace td::api
