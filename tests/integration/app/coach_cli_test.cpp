// SPDX-License-Identifier: MIT
// `tradedesk scan` and `tradedesk plan` run as subprocesses on the seeded simulator and answer what the API
// answers for the same seed and as_of (the API served in-process over a real socket, auth off).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "api/auth_context.hpp"
#include "api/coach_routes.hpp"
#include "api/http_server.hpp"
#include "calendar/exchange_calendar.hpp"
#include "config/config.hpp"
#include "integration/api/http_client.hpp"
#include "plans/plan_store.hpp"
#include "system/coach_service.hpp"
#include "system/market_service.hpp"

namespace td {
namespace {

constexpr std::uint64_t kSeed = 7;

struct CliRun {
  int exit_code = -1;
  std::string out;
};

/// Runs the binary in `cwd` (no tradedesk.toml there) and captures stdout.
CliRun RunTradedesk(const std::filesystem::path& cwd, const std::string& args) {
  const std::string command = "cd '" + cwd.string() + "' && '" TD_TRADEDESK_BIN "' " + args + " 2>&1";
  CliRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return run;
  }
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    run.out.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

/// An instant after the last completed NYSE session within the simulator's minute history: both processes
/// compute it as of that close, from bars generated identically by the same seed on the same day.
UnixNanos AfterLastClose(UnixNanos now) {
  const auto& cal = calendar::ExchangeCalendar::Get(calendar::Exchange::kNyse);
  auto day = cal.TradingDayOnOrBefore(cal.time_zone().LocalDate(now));
  EXPECT_TRUE(day.ok());
  auto session = cal.Session(*day);
  if (!session.ok() || session->regular_close > now) {
    session = cal.Session(*cal.PreviousTradingDay(*day));
  }
  EXPECT_TRUE(session.ok());
  return std::min(session->regular_close + std::chrono::minutes(45), now);
}

/// Drops the fields that name the stored copy (random plan id, links to it) rather than the plan itself, and the
/// API's `session` (the exchange's state when the answer was sent, not part of the plan).
boost::json::object PlanWithoutIdentity(boost::json::object plan) {
  for (const char* key :
       {"plan_id", "session", "idea_url", "layers_url", "chart_url", "trade_detail", "updated_from_version"}) {
    plan.erase(key);
  }
  return plan;
}

/// One in-process API (simulator, store, server) for the suite: building the simulated history is the slow part.
class CoachCliTest : public ::testing::Test {
 protected:
  struct Api {
    LiveClock clock;
    std::filesystem::path dir;
    std::unique_ptr<system::MarketService> market;
    std::unique_ptr<plans::PlanStore> store;
    std::unique_ptr<system::CoachService> coach;
    std::unique_ptr<api::AuthContext> auth;
    std::unique_ptr<api::HttpServer> server;
  };

  static void SetUpTestSuite() {
    api_ = new Api;
    std::random_device random;
    api_->dir = std::filesystem::temp_directory_path() / ("td-coach-cli-" + std::to_string(random()));
    std::filesystem::create_directories(api_->dir / "work");
    auto market = system::MarketService::StartSimulator(
        {.seed = kSeed, .history_days = config::Config{}.data.history_days}, api_->clock);
    ASSERT_TRUE(market.ok()) << market.error().ToString();
    api_->market = std::move(market).value();
    auto store = plans::PlanStore::Open(api_->dir / "plans.db", api_->clock);
    ASSERT_TRUE(store.ok()) << store.error().ToString();
    api_->store = std::move(store).value();
    api_->coach = std::make_unique<system::CoachService>(*api_->market, api_->store.get(), api_->clock);
    api::AuthSettings settings;
    settings.enabled = false;
    auto auth = api::OpenAuth(api_->dir, settings, api_->clock);
    ASSERT_TRUE(auth.ok()) << auth.error().ToString();
    api_->auth = std::make_unique<api::AuthContext>(std::move(auth).value());
    api::HttpServerOptions options;
    options.listen_port = 0;
    options.io_threads = 1;
    api_->server = std::make_unique<api::HttpServer>(std::move(options));
    api::InstallAuth(api_->server->router(), *api_->auth);
    api::AddCoachRoutes(api_->server->router(), *api_->coach, *api_->auth);
    ASSERT_TRUE(api_->server->Start().ok());
  }
  static void TearDownTestSuite() {
    if (api_->server) api_->server->Stop();
    std::error_code ignored;
    std::filesystem::remove_all(api_->dir, ignored);
    delete api_;
  }
  void SetUp() override { ASSERT_TRUE(api_->server != nullptr); }

  static api::testing::HttpResult Post(std::string_view target, std::string_view body) {
    return api::testing::Fetch(api_->server->port(), "POST", target, "Content-Type: application/json\r\n", body);
  }
  static std::filesystem::path Work() { return api_->dir / "work"; }
  static UnixNanos Now() { return api_->clock.Now(); }

  static Api* api_;
};

CoachCliTest::Api* CoachCliTest::api_ = nullptr;

TEST_F(CoachCliTest, PlanJsonEqualsTheApiAnswerForTheSameAsOf) {
  const std::string as_of = AfterLastClose(Now()).ToIso8601();
  const CliRun cli = RunTradedesk(Work(), "plan SPY --style intraday --json --seed 7 --as-of " + as_of);
  ASSERT_EQ(cli.exit_code, 0) << cli.out;
  const auto api_answer =
      Post("/gpt/plan", R"({"symbol":"SPY","style":"intraday","as_of":")" + as_of + "\"}");
  ASSERT_EQ(api_answer.status, 201) << api_answer.body;
  const auto from_cli = boost::json::parse(cli.out).as_object();
  const auto from_api = boost::json::parse(api_answer.body).as_object();
  EXPECT_EQ(from_cli.at("requested_as_of").as_string(), as_of);
  EXPECT_EQ(from_cli.at("planning_context").as_string(), "frozen");
  EXPECT_EQ(from_cli.at("slug"), from_api.at("slug"));
  EXPECT_EQ(boost::json::serialize(PlanWithoutIdentity(from_cli)), boost::json::serialize(PlanWithoutIdentity(from_api)));

  // The readable form names the same numbers.
  const CliRun table = RunTradedesk(Work(), "plan SPY --seed 7 --as-of " + as_of);
  ASSERT_EQ(table.exit_code, 0) << table.out;
  char entry[32];
  std::snprintf(entry, sizeof(entry), "%.2f", from_api.at("entry").to_number<double>());
  EXPECT_NE(table.out.find(std::string("entry        ") + entry), std::string::npos) << table.out;
}

TEST_F(CoachCliTest, ScanJsonEqualsTheApiAnswer) {
  const std::string as_of = AfterLastClose(Now()).ToIso8601();
  const CliRun cli =
      RunTradedesk(Work(), "scan --universe SPY,QQQ,AAPL --style scalp --limit 2 --json --seed 7 --as-of " + as_of);
  ASSERT_EQ(cli.exit_code, 0) << cli.out;
  const auto api_answer = Post(
      "/gpt/scan", R"({"universe":["SPY","QQQ","AAPL"],"style":"scalp","limit":2,"as_of":")" + as_of + "\"}");
  ASSERT_EQ(api_answer.status, 200) << api_answer.body;
  auto from_api = boost::json::parse(api_answer.body).as_object();
  ASSERT_TRUE(from_api.contains("session"));
  from_api.erase("session");  // the exchange's state when the answer was sent; the CLI prints the scan only
  EXPECT_EQ(boost::json::parse(cli.out), boost::json::value(from_api));
}

TEST_F(CoachCliTest, BadUsageExitsWithTwo) {
  EXPECT_EQ(RunTradedesk(Work(), "plan SPY --style position --seed 7").exit_code, 2);
  EXPECT_EQ(RunTradedesk(Work(), "plan SPY --as-of nonsense --seed 7").exit_code, 2);
  EXPECT_EQ(RunTradedesk(Work(), "scan --limit 99 --seed 7").exit_code, 2);
  const CliRun unknown = RunTradedesk(Work(), "plan NOPE --seed 7");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.out.find("symbol"), std::string::npos) << unknown.out;
}

}  // namespace
}  // namespace td
