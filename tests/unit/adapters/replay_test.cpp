// SPDX-License-Identifier: MIT
#include "adapters/replay/replay_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "data/bar_aggregator.hpp"
#include "data/data_engine.hpp"
#include "runtime/kernel.hpp"
#include "runtime/message_bus.hpp"

namespace td::adapters::replay {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;

std::int64_t Ts(std::string_view iso) {
  return UnixNanos::ParseIso8601(iso).value().nanos();
}

std::filesystem::path DataDir() {
  if (const char* env = std::getenv("TRADEDESK_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::filesystem::path(TD_SOURCE_DIR) / ".." / "shared" / "data";
}

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("td_replay_test_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Records what a replay emits, with the clock time at emission.
class RecordingSink final : public data::MarketEventSink {
 public:
  explicit RecordingSink(const Clock* clock) : clock_(clock) {}
  void OnEvent(data::MarketEvent event) override {
    std::lock_guard lock(mutex_);
    std::int64_t ts = 0;
    std::string id;
    if (auto* trade = std::get_if<TradeTick>(&event)) {
      ts = trade->ts_event.nanos();
      id = trade->instrument_id.value();
    } else if (auto* bar = std::get_if<data::BarUpdate>(&event)) {
      ts = bar->bar.ts_event.nanos();
      id = bar->instrument.value();
    }
    events.push_back({id, ts, clock_ != nullptr ? clock_->Now().nanos() : 0});
  }
  struct Entry {
    std::string instrument;
    std::int64_t ts = 0;
    std::int64_t clock = 0;
    friend bool operator==(const Entry&, const Entry&) = default;
  };
  std::vector<Entry> Events() {
    std::lock_guard lock(mutex_);
    return events;
  }
  std::vector<Entry> events;

 private:
  const Clock* clock_;
  std::mutex mutex_;
};

std::vector<TradeTick> Trades(const char* id, std::int64_t start, std::int64_t step, int count) {
  std::vector<TradeTick> out;
  for (int i = 0; i < count; ++i) {
    const UnixNanos ts(start + i * step);
    out.push_back(TradeTick{InstrumentId::Of(id), Price::FromUnits(100 + i, 2), Quantity::FromUnits(1),
                            AggressorSide::kNone, ts, ts});
  }
  return out;
}

data::Subscription TradesOf(const char* id) {
  return {InstrumentId::Of(id), data::DataKind::kTrades, {}};
}

TEST(Replay, MergesInstrumentsInTimeOrderAndDrivesTheClock) {
  const std::int64_t t0 = Ts("2024-03-05T15:00:00Z");
  TestClock clock(UnixNanos(t0 - kSecond));
  runtime::Kernel kernel(clock);
  ReplayClient replay;
  ASSERT_TRUE(replay.AddTrades(Trades("NYSE:AAA", t0, 3 * kSecond, 10)).ok());
  ASSERT_TRUE(replay.AddTrades(Trades("NYSE:BBB", t0, 2 * kSecond, 15)).ok());
  ASSERT_TRUE(replay.AddTrades(Trades("NYSE:CCC", t0 + kSecond, 5 * kSecond, 6)).ok());
  ASSERT_TRUE(replay.AddTrades(Trades("NYSE:DDD", t0, kSecond, 5)).ok());  // never subscribed
  RecordingSink sink(&clock);
  ASSERT_TRUE(replay.Connect(sink).ok());
  for (const char* id : {"NYSE:CCC", "NYSE:AAA", "NYSE:BBB"}) {
    ASSERT_TRUE(replay.Subscribe(TradesOf(id)).ok());
  }
  EXPECT_EQ(replay.PlayAll(kernel), 31U);
  const auto events = sink.Events();
  ASSERT_EQ(events.size(), 31U);
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].clock, events[i].ts) << "the clock stands at each event's time";
    EXPECT_NE(events[i].instrument, "NYSE:DDD");
    if (i > 0) {
      ASSERT_LE(events[i - 1].ts, events[i].ts);
      if (events[i - 1].ts == events[i].ts) {
        EXPECT_LT(events[i - 1].instrument, events[i].instrument) << "ties go to the stream added first";
      }
    }
  }
  EXPECT_TRUE(replay.finished());
  EXPECT_EQ(clock.Now().nanos(), events.back().ts);
}

TEST(Replay, SeekPauseAndResumeAreDeterministic) {
  const std::int64_t t0 = Ts("2024-03-05T15:00:00Z");
  TestClock clock(UnixNanos(t0 - kSecond));
  runtime::Kernel kernel(clock);
  ReplayClient replay;
  ASSERT_TRUE(replay.AddTrades(Trades("NYSE:AAA", t0, kSecond, 100)).ok());
  RecordingSink sink(&clock);
  ASSERT_TRUE(replay.Connect(sink).ok());
  ASSERT_TRUE(replay.Subscribe(TradesOf("NYSE:AAA")).ok());
  EXPECT_EQ(replay.PlayUntil(kernel, UnixNanos(t0 + 9 * kSecond)), 10U);
  EXPECT_EQ(clock.Now().nanos(), t0 + 9 * kSecond);
  replay.Pause();
  EXPECT_EQ(replay.PlayUntil(kernel, UnixNanos(t0 + 20 * kSecond)), 0U) << "paused";
  EXPECT_EQ(clock.Now().nanos(), t0 + 9 * kSecond) << "time does not move while paused";
  replay.Resume();
  replay.Seek(UnixNanos(t0 + 50 * kSecond));  // forward: skips 10..49
  EXPECT_EQ(replay.NextEventTime()->nanos(), t0 + 50 * kSecond);
  EXPECT_EQ(replay.PlayUntil(kernel, UnixNanos(t0 + 59 * kSecond)), 10U);
  const auto events = sink.Events();
  ASSERT_EQ(events.size(), 20U);
  EXPECT_EQ(events[10].ts, t0 + 50 * kSecond);
  // Backwards: a fresh run over the same data from the seek point repeats the same events.
  replay.Seek(UnixNanos(t0 + 50 * kSecond));
  TestClock clock2{UnixNanos(t0)};
  runtime::Kernel kernel2(clock2);
  RecordingSink sink2(&clock2);
  ASSERT_TRUE(replay.Connect(sink2).ok());
  EXPECT_EQ(replay.PlayUntil(kernel2, UnixNanos(t0 + 59 * kSecond)), 10U);
  const auto again = sink2.Events();
  ASSERT_EQ(again.size(), 10U);
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(again[i], events[10 + i]);
  }
}

TEST(Replay, StoreBarsThroughTheEngineMatchOfflineResamplingForEveryInstrument) {
  TempDir dir;
  data::BarStore store(dir.path());
  const BarSpec minute{1, BarUnit::kMinute};
  const BarSpec five{5, BarUnit::kMinute};
  const std::vector<InstrumentId> ids = {InstrumentId::Of("NYSE:SPY"), InstrumentId::Of("NYSE:QQQ")};
  std::map<std::string, data::BarColumns> source;
  // Two sessions, the second a half day (NYSE 2024-11-29 closes 13:00): bars only inside the sessions.
  for (const auto& id : ids) {
    data::BarColumns bars;
    bars.price_precision = 2;
    std::mt19937 rng(static_cast<unsigned>(id.value().size()));
    std::int64_t price = 50'000;
    for (const auto& [open, count] : {std::pair{Ts("2024-11-27T14:30:00Z"), 390}, {Ts("2024-11-29T14:30:00Z"), 210}}) {
      for (int i = 0; i < count; ++i) {
        const std::int64_t o = price;
        price += static_cast<std::int64_t>(rng() % 21) - 10;
        const std::int64_t c = price;
        const std::int64_t h = std::max(o, c) + static_cast<std::int64_t>(rng() % 5);
        const std::int64_t l = std::min(o, c) - static_cast<std::int64_t>(rng() % 5);
        bars.Push(open + i * kMinute, o * 10'000'000, h * 10'000'000, l * 10'000'000, c * 10'000'000,
                  static_cast<std::int64_t>(1 + rng() % 1000) * 1'000'000'000);
      }
    }
    ASSERT_TRUE(store.Append(id, minute, bars).ok());
    source[id.value()] = bars;
  }

  auto run = [&](std::map<std::string, std::vector<Bar>>* out) {
    TestClock clock(UnixNanos(Ts("2024-11-27T14:00:00Z")));
    runtime::Kernel kernel(clock);
    runtime::MessageBus bus;
    ReplayClient replay(ReplayConfig{"replay", ReplayPace::kSimulated, 1.0});
    for (const auto& id : ids) {
      ASSERT_TRUE(replay.AddBarsFromStore(store, id, minute, UnixNanos(0), UnixNanos(INT64_MAX)).ok());
    }
    data::DataEngine engine(bus, kernel, nullptr, nullptr);
    ASSERT_TRUE(engine.AddClient(replay).ok());
    engine.Start();
    ASSERT_TRUE(engine.Connect("replay").ok());
    for (const auto& id : ids) {
      ASSERT_TRUE(engine.Subscribe(data::Subscription{id, data::DataKind::kBars, five}, "replay").ok());
      ASSERT_TRUE(bus.Subscribe<data::BarUpdate>(
                         data::BarTopic(id, five),
                         [out](const data::BarUpdate& u) { (*out)[u.instrument.value()].push_back(u.bar); })
                      .ok());
    }
    EXPECT_EQ(replay.PlayAll(kernel), 2U * 600U);
    kernel.RunUntil(clock.Now() + std::chrono::hours(1));
  };
  std::map<std::string, std::vector<Bar>> first;
  std::map<std::string, std::vector<Bar>> second;
  run(&first);
  run(&second);
  for (const auto& id : ids) {
    data::ResampleOptions options;
    options.target = five;
    options.session = data::NyseRegularSession();
    const data::BarColumns expected = data::ResampleBars(source[id.value()], minute, options).value();
    const auto& ours = first[id.value()];
    ASSERT_EQ(ours.size(), expected.size()) << id.value();
    ASSERT_EQ(ours.size(), 78U + 42U);
    for (std::size_t i = 0; i < ours.size(); ++i) {
      EXPECT_EQ(ours[i].ts_event.nanos(), expected.ts[i]);
      EXPECT_EQ(ours[i].open.raw(), expected.open[i]);
      EXPECT_EQ(ours[i].high.raw(), expected.high[i]);
      EXPECT_EQ(ours[i].low.raw(), expected.low[i]);
      EXPECT_EQ(ours[i].close.raw(), expected.close[i]);
      EXPECT_EQ(ours[i].volume.raw(), expected.volume[i]);
      EXPECT_EQ(ours[i].ts_event, second[id.value()][i].ts_event) << "deterministic";
      EXPECT_EQ(ours[i].close.raw(), second[id.value()][i].close.raw()) << "deterministic";
    }
    EXPECT_EQ(ours.back().ts_event.nanos(), Ts("2024-11-29T17:55:00Z")) << "the half day's last bar is 12:55 ET";
  }
}

TEST(Replay, HistoryComesFromTheRecordedBars) {
  ReplayClient replay;
  data::BarColumns bars;
  const std::int64_t open = Ts("2024-03-05T14:30:00Z");
  for (int i = 0; i < 30; ++i) {
    bars.Push(open + i * kMinute, (100 + i) * 1'000'000'000LL, (101 + i) * 1'000'000'000LL, (99 + i) * 1'000'000'000LL,
              (100 + i) * 1'000'000'000LL, 10'000'000'000LL);
  }
  ASSERT_TRUE(replay.AddBars(InstrumentId::Of("NYSE:SPY"), {1, BarUnit::kMinute}, bars).ok());
  auto exact = replay.RequestBars(InstrumentId::Of("NYSE:SPY"), {1, BarUnit::kMinute}, UnixNanos(open + 5 * kMinute),
                                  UnixNanos(open + 10 * kMinute));
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->size(), 5U);
  auto five = replay.RequestBars(InstrumentId::Of("NYSE:SPY"), {5, BarUnit::kMinute}, UnixNanos(open),
                                 UnixNanos(open + 30 * kMinute));
  ASSERT_TRUE(five.ok());
  ASSERT_EQ(five->size(), 6U);
  EXPECT_EQ((*five)[1].open.raw(), 105'000'000'000LL);
  EXPECT_EQ((*five)[1].close.raw(), 109'000'000'000LL);
  EXPECT_EQ((*five)[1].volume.raw(), 50'000'000'000LL);
  EXPECT_FALSE(
      replay
          .RequestBars(InstrumentId::Of("NYSE:QQQ"), {1, BarUnit::kMinute}, UnixNanos(open), UnixNanos(open + kMinute))
          .ok());
}

TEST(Replay, WallClockPaceWithPauseAndResume) {
  const std::int64_t t0 = Ts("2024-03-05T15:00:00Z");
  ReplayClient replay(ReplayConfig{"demo", ReplayPace::kWallClock, 6000.0});  // a minute of data in 10 ms
  ASSERT_TRUE(replay.AddTrades(Trades("NYSE:AAA", t0, kMinute, 12)).ok());
  ASSERT_TRUE(replay.AddTrades(Trades("NYSE:BBB", t0 + 30 * kSecond, kMinute, 12)).ok());
  RecordingSink sink(nullptr);
  ASSERT_TRUE(replay.Connect(sink).ok());
  ASSERT_TRUE(replay.Subscribe(TradesOf("NYSE:AAA")).ok());
  ASSERT_TRUE(replay.Subscribe(TradesOf("NYSE:BBB")).ok());
  replay.Pause();
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(replay.Start().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(replay.emitted(), 0U) << "paused before the first event";
  replay.Resume();
  replay.Wait();
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(replay.emitted(), 24U);
  // 11.5 minutes of data at x6000 take at least 115 ms of wall time.
  EXPECT_GE(elapsed, std::chrono::milliseconds(110));
  const auto events = sink.Events();
  ASSERT_EQ(events.size(), 24U);
  for (std::size_t i = 1; i < events.size(); ++i) {
    EXPECT_LT(events[i - 1].ts, events[i].ts);
  }
  replay.Disconnect();
}

// The demo path end to end: the playback thread feeds the engine's sink while the kernel runs on its own thread.
TEST(Replay, WallClockReplayFeedsAKernelThread) {
  const std::int64_t t0 = Ts("2024-03-05T15:00:00Z");
  LiveClock clock;
  runtime::Kernel kernel(clock);
  runtime::MessageBus bus;
  ReplayClient replay(ReplayConfig{"demo", ReplayPace::kWallClock, 1e6});
  ASSERT_TRUE(replay.AddTrades(Trades("NYSE:AAA", t0, kSecond, 500)).ok());
  ASSERT_TRUE(replay.AddTrades(Trades("NYSE:BBB", t0 + kSecond / 2, kSecond, 500)).ok());
  data::DataEngine engine(bus, kernel, nullptr, nullptr);
  ASSERT_TRUE(engine.AddClient(replay).ok());
  engine.Start();
  ASSERT_TRUE(engine.Connect("demo").ok());
  ASSERT_TRUE(engine.Subscribe(TradesOf("NYSE:AAA"), "demo").ok());
  ASSERT_TRUE(engine.Subscribe(TradesOf("NYSE:BBB"), "demo").ok());
  std::int64_t published = 0;
  std::int64_t last_ts = 0;
  bool ordered = true;
  ASSERT_TRUE(bus.Subscribe<TradeTick>("data.trades.>",
                                       [&](const TradeTick& t) {
                                         ordered = ordered && t.ts_event.nanos() > last_ts;
                                         last_ts = t.ts_event.nanos();
                                         ++published;
                                       })
                  .ok());
  std::thread loop([&] { kernel.Run(); });
  ASSERT_TRUE(replay.Start().ok());
  replay.Wait();
  std::atomic<bool> drained{false};
  while (!kernel.Post([&drained] { drained.store(true); })) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  while (!drained.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  kernel.Stop();
  loop.join();
  EXPECT_EQ(replay.emitted(), 1000U);
  EXPECT_EQ(published, 1000);
  EXPECT_TRUE(ordered);
  const data::SourceCounters counters = engine.Counters().sources[0];
  EXPECT_EQ(counters.ticks.accepted, 1000U);
  EXPECT_EQ(counters.queue_drops, 0U);
}

TEST(Replay, LeanTicksThroughTheEngineMatchLeanMinuteBars) {
  const auto ticks = DataDir() / "ticks/lean_equity_20131007/tick_spy_20131007_trade.zip";
  const auto minute = DataDir() / "us_equity/intraday/lean_spy_minute_201310/spy_minute_20131007_trade.zip";
  if (!std::filesystem::exists(ticks) || !std::filesystem::exists(minute)) {
    GTEST_SKIP() << "market data not found under " << DataDir();
  }
  const InstrumentId spy = InstrumentId::Of("NYSE:SPY");
  ReplayClient replay;
  auto count = replay.AddLeanTicks(ticks, spy, CivilDate{2013, 10, 7}, LeanTickKind::kTrade);
  ASSERT_TRUE(count.ok()) << count.error().ToString();
  EXPECT_EQ(*count, 250601U);
  TestClock clock(UnixNanos(Ts("2013-10-07T12:00:00Z")));
  runtime::Kernel kernel(clock);
  runtime::MessageBus bus;
  data::DataEngineConfig config;
  config.dedup_trades = false;  // equal prints in a file are real trades
  data::DataEngine engine(bus, kernel, nullptr, nullptr, config);
  ASSERT_TRUE(engine.AddClient(replay).ok());
  engine.Start();
  ASSERT_TRUE(engine.Connect("replay").ok());
  ASSERT_TRUE(engine.Subscribe(data::Subscription{spy, data::DataKind::kBars, {1, BarUnit::kMinute}}, "replay").ok());
  std::vector<Bar> bars;
  ASSERT_TRUE(bus.Subscribe<data::BarUpdate>(data::BarTopic(spy, {1, BarUnit::kMinute}),
                                             [&](const data::BarUpdate& u) { bars.push_back(u.bar); })
                  .ok());
  EXPECT_EQ(replay.PlayAll(kernel), 250601U);
  kernel.RunUntil(clock.Now() + std::chrono::hours(1));
  // Lean's minute file also covers pre- and post-market; the engine keeps the regular session (09:30–16:00
  // EDT, which 2013 takes from the NYSE template: the holiday tables start in 2022).
  const data::ParsedBars lean = data::ParseBarFile(minute, {}).value();
  std::vector<std::size_t> regular;
  for (std::size_t i = 0; i < lean.bars.size(); ++i) {
    if (lean.bars.ts[i] >= Ts("2013-10-07T13:30:00Z") && lean.bars.ts[i] < Ts("2013-10-07T20:00:00Z")) {
      regular.push_back(i);
    }
  }
  ASSERT_EQ(regular.size(), 390U);
  ASSERT_EQ(bars.size(), regular.size());
  std::size_t same_volume = 0;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    EXPECT_EQ(bars[i].ts_event.nanos(), lean.bars.ts[regular[i]]);
    same_volume += bars[i].volume.raw() == lean.bars.volume[regular[i]] ? 1 : 0;
  }
  EXPECT_GE(same_volume, bars.size() * 97 / 100) << "Lean's bar builder filters a few sale conditions";
  const data::SourceCounters counters = engine.Counters().sources[0];
  EXPECT_EQ(counters.ticks.accepted, 250601U);
  EXPECT_EQ(counters.queue_drops, 0U);
}

}  // namespace
}  // namespace td::adapters::replay
