// SPDX-License-Identifier: MIT
// MarketService::Start composed from typed config (the simulator, and the replay source over a real bar
// store in a temp dir), and its feed health served over real HTTP: GET /api/v1/feeds and /metrics.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "api/feed_routes.hpp"
#include "api/http_server.hpp"
#include "data/bar_columns.hpp"
#include "data/bar_store.hpp"
#include "integration/api/http_client.hpp"
#include "system/market_service.hpp"

using namespace std::chrono_literals;

namespace td {
namespace {

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("td_market_service_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

boost::json::object Json(const api::testing::HttpResult& result) {
  return boost::json::parse(result.body).as_object();
}

TEST(MarketServiceStart, SimulatorFeedsAreServedAsJsonAndPrometheus) {
  TempDir dir;
  LiveClock clock;
  config::DataConfig data;
  data.source = "simulator";
  data.seed = 7;
  data.history_days = 1;
  auto market = system::MarketService::Start(data, dir.path(), clock);
  ASSERT_TRUE(market.ok()) << market.error().ToString();
  EXPECT_EQ((*market)->source(), "simulator");
  EXPECT_EQ((*market)->backup(), "");
  auto spy = (*market)->Resolve("spy");
  ASSERT_TRUE(spy.ok()) << spy.error().ToString();
  EXPECT_EQ(spy->id.value(), "US:SPY");
  EXPECT_EQ(spy->time_zone, "America/New_York");
  const UnixNanos now = clock.Now();
  auto bars = (*market)->Bars(spy->id, BarSpec{1, BarUnit::kDay}, now - Duration(std::chrono::hours(24 * 30)), now);
  ASSERT_TRUE(bars.ok()) << bars.error().ToString();
  EXPECT_FALSE(bars->empty()) << "daily history reaches back a year";
  EXPECT_EQ((*market)->Resolve("NOPE:XYZ").error().code, ErrorCode::kNotFound);
  // Quotes and chains come from the same simulator through the engine (bid/ask need an open session).
  auto quote = (*market)->Quote(spy->id);
  ASSERT_TRUE(quote.ok()) << quote.error().ToString();
  EXPECT_TRUE(quote->ltp.is_positive());
  EXPECT_TRUE(quote->prev_close.is_positive());
  if (quote->bid && quote->ask) {
    EXPECT_LE(*quote->bid, *quote->ask);
  }
  auto chain = (*market)->Chain(spy->id);
  ASSERT_TRUE(chain.ok()) << chain.error().ToString();
  EXPECT_FALSE(chain->expiries.empty());
  EXPECT_FALSE((*market)->OptionUnderlyings().empty());

  api::HttpServerOptions options;
  options.listen_port = 0;
  options.io_threads = 1;
  api::HttpServer server(options);
  api::AddFeedRoutes(server.router(), server.metrics(), **market);
  ASSERT_TRUE(server.Start().ok());

  auto all = api::testing::Fetch(server.port(), "GET", "/api/v1/feeds");
  ASSERT_EQ(all.status, 200) << all.body;
  auto body = Json(all);
  EXPECT_EQ(body.at("source"), "simulator");
  EXPECT_TRUE(body.at("backup").is_null());
  const auto& feeds = body.at("feeds").as_array();
  ASSERT_EQ(feeds.size(), 3U) << all.body;  // one feed per exchange calendar of the simulated universe
  EXPECT_EQ(feeds[0].as_object().at("name"), "BSE");
  EXPECT_EQ(feeds[1].as_object().at("name"), "NSE");
  EXPECT_EQ(feeds[2].as_object().at("name"), "NYSE");
  for (const auto& feed : feeds) {
    const auto& f = feed.as_object();
    EXPECT_EQ(f.at("active_source"), "simulator");
    EXPECT_EQ(f.at("connected"), true);
    EXPECT_EQ(f.at("failovers"), 0);
    EXPECT_EQ(f.at("gaps"), 0);
    EXPECT_TRUE(f.at("fallback").is_null());
    EXPECT_EQ(f.at("threshold_ms"), 10000);
  }
  const auto& sources = body.at("sources").as_array();
  ASSERT_EQ(sources.size(), 1U);
  EXPECT_EQ(sources[0].as_object().at("source"), "simulator");
  EXPECT_EQ(sources[0].as_object().at("role"), "primary");
  EXPECT_EQ(sources[0].as_object().at("connected"), true);
  EXPECT_TRUE(sources[0].as_object().at("rejects_by_reason").as_object().contains("crossed_quote"));

  auto one = api::testing::Fetch(server.port(), "GET", "/api/v1/feeds?feed=NSE");
  ASSERT_EQ(one.status, 200);
  ASSERT_EQ(Json(one).at("feeds").as_array().size(), 1U);
  auto missing = api::testing::Fetch(server.port(), "GET", "/api/v1/feeds?feed=LSE");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json(missing).at("error").as_object().at("field"), "feed");
  auto empty = api::testing::Fetch(server.port(), "GET", "/api/v1/feeds?feed=");
  EXPECT_EQ(empty.status, 400);

  auto metrics = api::testing::Fetch(server.port(), "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("td_http_requests_total"), std::string::npos) << "the server's own metrics stay";
  EXPECT_NE(metrics.body.find("td_feed_connected{feed=\"NSE\",active_source=\"simulator\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("td_data_source_rejects_total{source=\"simulator\",reason=\"duplicate\"} 0"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("# TYPE td_feed_failovers_total counter"), std::string::npos);
  EXPECT_NE(metrics.body.find("td_feed_gaps_total{feed=\"NYSE\"} 0"), std::string::npos);
  server.Stop();
}

// A quote built from the session's daily bar is stamped with the bar's last update, not with the session's
// open: on a Saturday the last SPY quote is Friday's close (16:00 New York, 21:00 UTC in November), and in the
// middle of a session it is the end of the last finished minute.
TEST(MarketServiceQuote, IsStampedWithTheLastUpdateNotTheSessionOpen) {
  const auto at = [](const char* iso) { return UnixNanos::ParseIso8601(iso).value(); };
  {
    TestClock clock(at("2026-11-21T20:00:00Z"));  // Saturday
    auto market = system::MarketService::StartSimulator({.seed = 7, .history_days = 3}, clock);
    ASSERT_TRUE(market.ok()) << market.error().ToString();
    auto quote = (*market)->Quote(InstrumentId::Of("US:SPY"));
    ASSERT_TRUE(quote.ok()) << quote.error().ToString();
    EXPECT_EQ(quote->ts.ToIso8601(), at("2026-11-20T21:00:00Z").ToIso8601());
  }
  {
    TestClock clock(at("2026-11-20T18:00:30Z"));  // Friday, 13:00:30 in New York
    auto market = system::MarketService::StartSimulator({.seed = 7, .history_days = 3}, clock);
    ASSERT_TRUE(market.ok()) << market.error().ToString();
    auto quote = (*market)->Quote(InstrumentId::Of("US:SPY"));
    ASSERT_TRUE(quote.ok()) << quote.error().ToString();
    EXPECT_LE(quote->ts, clock.Now());
    EXPECT_GE(quote->ts, at("2026-11-20T18:00:00Z")) << quote->ts.ToIso8601();
  }
}

TEST(MarketServiceStart, ReplayPlaysTheBarStoreThroughTheEngine) {
  TempDir dir;
  const InstrumentId id = InstrumentId::Of("NSE:NIFTY");
  const BarSpec minute{1, BarUnit::kMinute};
  // Thursday 21-Nov-2024 09:15 IST onwards: 30 one-minute bars.
  const std::int64_t start = UnixNanos::ParseIso8601("2024-11-21T03:45:00Z").value().nanos();
  data::BarColumns columns;
  for (int i = 0; i < 30; ++i) {
    const std::int64_t base = 2'400'000 + i * 10;
    Bar bar;
    bar.ts_event = UnixNanos(start + i * 60'000'000'000LL);
    bar.open = Price::FromRaw(base * 10'000'000, 2);
    bar.high = Price::FromRaw((base + 25) * 10'000'000, 2);
    bar.low = Price::FromRaw((base - 15) * 10'000'000, 2);
    bar.close = Price::FromRaw((base + 5) * 10'000'000, 2);
    bar.volume = Quantity::FromUnits(100 + i);
    columns.Push(bar);
  }
  data::BarStore store(dir.path());
  ASSERT_TRUE(store.Append(id, minute, columns).ok());

  LiveClock clock;
  config::DataConfig data;
  data.source = "replay";
  data.replay_speed = 1'000'000;
  auto market = system::MarketService::Start(data, dir.path(), clock);
  ASSERT_TRUE(market.ok()) << market.error().ToString();
  ASSERT_EQ((*market)->Instruments().size(), 1U);
  EXPECT_EQ((*market)->Resolve("nifty")->id, id);

  // The replay thread plays every stored bar through the engine.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  std::uint64_t played = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    auto snapshot = (*market)->Feeds();
    ASSERT_TRUE(snapshot.ok()) << snapshot.error().ToString();
    ASSERT_EQ(snapshot->sources.size(), 1U);
    played = snapshot->sources[0].counters.bars;
    if (played == 30) {
      EXPECT_EQ(snapshot->sources[0].counters.rejects(), 0U);
      EXPECT_EQ(snapshot->sources[0].status.source, "replay");
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(played, 30U);

  auto bars = (*market)->Bars(id, minute, UnixNanos(start), UnixNanos(start + 30 * 60'000'000'000LL));
  ASSERT_TRUE(bars.ok()) << bars.error().ToString();
  ASSERT_EQ(bars->size(), 30U);
  EXPECT_EQ((*bars)[29].close, columns.At(29).close);
  // 5-minute bars are not stored: the engine asks the replay source, which resamples its 1-minute stream.
  auto five = (*market)->Bars(id, BarSpec{5, BarUnit::kMinute}, UnixNanos(start), UnixNanos(start + 30 * 60'000'000'000LL));
  ASSERT_TRUE(five.ok()) << five.error().ToString();
  ASSERT_EQ(five->size(), 6U);
  EXPECT_EQ((*five)[0].open, columns.At(0).open);
  EXPECT_EQ((*five)[0].close, columns.At(4).close);
  EXPECT_EQ((*five)[0].volume, Quantity::FromUnits(100 + 101 + 102 + 103 + 104));
}

TEST(MarketServiceStart, UnusableSettingsAreNamed) {
  TempDir dir;
  LiveClock clock;
  config::DataConfig data;
  data.source = "openalgo";
  auto no_key = system::MarketService::Start(data, dir.path(), clock);
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.error().field, "data.openalgo_api_key");

  data.source = "yahoo";
  data.backup = "yahoo";
  auto same = system::MarketService::Start(data, dir.path(), clock);
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error().field, "data.backup");

  data.source = "replay";
  data.backup.clear();
  auto empty_store = system::MarketService::Start(data, dir.path(), clock);
  ASSERT_FALSE(empty_store.ok());
  EXPECT_EQ(empty_store.error().code, ErrorCode::kNotFound);

  data.source = "simulator";
  data.history_days = 1;
  data.symbols = "US:NOT_SIMULATED";
  auto unknown = system::MarketService::Start(data, dir.path(), clock);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().field, "data.symbols");
}

}  // namespace
}  // namespace td
