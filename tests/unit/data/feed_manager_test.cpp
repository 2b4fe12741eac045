// SPDX-License-Identifier: MIT
#include "data/feed_manager.hpp"

#include <gtest/gtest.h>

#include "data/data_engine.hpp"
#include "data_test_util.hpp"
#include "runtime/kernel.hpp"
#include "runtime/message_bus.hpp"
#include "scripted_client.hpp"

namespace td::data {
namespace {

using testing::ScriptedClient;
using testing::Ts;

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;
const InstrumentId kSpy = InstrumentId::Of("NYSE:SPY");
const BarSpec kOneMinute{1, BarUnit::kMinute};

DataCapabilities Caps() {
  DataCapabilities caps;
  caps.trades = true;
  caps.history = true;
  return caps;
}

// One trade a second, the same market on both sources.
std::vector<TradeTick> Script(std::int64_t from, std::int64_t to) {
  std::vector<TradeTick> ticks;
  std::int64_t i = 0;
  for (std::int64_t ts = from; ts < to; ts += kSecond, ++i) {
    const std::int64_t cents = 50'000 + (i * 7919) % 200 - 100 + i / 60;
    ticks.push_back(TradeTick{kSpy, Price::FromRaw(cents * 10'000'000, 2), Quantity::FromUnits(1 + i % 5),
                              AggressorSide::kNone, UnixNanos(ts), UnixNanos(ts)});
  }
  return ticks;
}

struct Switch {
  std::string to;
  std::int64_t at = 0;
};

TEST(FeedManager, FailsOverWithinThresholdBackfillsTheGapAndFailsBackAfterHysteresis) {
  const std::int64_t start = Ts("2024-03-05T15:00:00Z");   // 10:00 ET
  const std::int64_t silent = Ts("2024-03-05T15:30:00Z");  // the primary stops sending at 10:30
  const std::int64_t back = Ts("2024-03-05T15:40:00Z");    // ... and resumes at 10:40
  const std::int64_t end = Ts("2024-03-05T15:50:00Z");
  const std::vector<TradeTick> ticks = Script(start, end);

  TestClock clock(UnixNanos(start - kSecond));
  runtime::Kernel kernel(clock);
  runtime::MessageBus bus;
  ScriptedClient primary("primary", Caps());
  ScriptedClient fallback("fallback", Caps());
  primary.history_ticks = ticks;  // the vendor's history is complete even while its stream is down
  fallback.history_ticks = ticks;
  DataEngine engine(bus, kernel, nullptr, nullptr);
  ASSERT_TRUE(engine.AddClient(primary).ok());
  ASSERT_TRUE(engine.AddClient(fallback).ok());
  engine.Start();
  ASSERT_TRUE(engine.Connect("primary").ok());
  ASSERT_TRUE(engine.Connect("fallback").ok());
  FeedManager feeds(bus, clock, engine);
  feeds.Start();

  std::vector<Bar> bars;
  ASSERT_TRUE(
      bus.Subscribe<BarUpdate>(BarTopic(kSpy, kOneMinute), [&](const BarUpdate& u) { bars.push_back(u.bar); }).ok());
  std::vector<Switch> switches;
  std::string active = "primary";
  ASSERT_TRUE(bus.Subscribe<FeedHealth>(FeedTopic("US equity"),
                                        [&](const FeedHealth& h) {
                                          if (h.active_source != active) {
                                            active = h.active_source;
                                            switches.push_back({h.active_source, h.ts_event.nanos()});
                                          }
                                        })
                  .ok());

  FeedConfig config;
  config.name = "US equity";
  config.primary = "primary";
  config.fallback = "fallback";
  config.subscriptions = {Subscription{kSpy, DataKind::kBars, kOneMinute}};
  config.staleness = {StalenessRule{DataKind::kBars, kOneMinute, std::chrono::seconds(5)}};
  config.failback_after = std::chrono::seconds(60);
  ASSERT_TRUE(feeds.AddFeed(config).ok());
  EXPECT_EQ(primary.subscribed.size(), 1U);
  EXPECT_EQ(fallback.subscribed.size(), 1U) << "hot standby";

  for (const TradeTick& tick : ticks) {
    const std::int64_t ts = tick.ts_event.nanos();
    kernel.RunUntil(UnixNanos(ts));
    if (ts < silent || ts >= back) {
      primary.Emit(tick);
    }
    fallback.Emit(tick);
    kernel.RunUntil(UnixNanos(ts));
  }
  kernel.RunUntil(UnixNanos(end + 2 * kMinute));

  ASSERT_EQ(switches.size(), 2U);
  EXPECT_EQ(switches[0].to, "fallback");
  const std::int64_t last_primary_tick = silent - kSecond;
  EXPECT_GT(switches[0].at, last_primary_tick + 5 * kSecond);
  EXPECT_LE(switches[0].at, last_primary_tick + 5 * kSecond + kSecond) << "threshold plus one check interval";
  EXPECT_EQ(switches[1].to, "primary");
  EXPECT_GE(switches[1].at, back + 60 * kSecond) << "failback only after the hysteresis";
  EXPECT_LE(switches[1].at, back + 61 * kSecond);

  // The 1m sequence equals the bars of the full tick stream: no hole, no duplicate, exact values.
  AggregatorOptions options;
  options.spec = kOneMinute;
  options.session = NyseRegularSession();
  options.trade_dedup = TradeDedup::kOff;
  auto offline = TickBarAggregator::Create(options).value();
  std::vector<Bar> expected;
  for (const TradeTick& tick : ticks) {
    if (auto bar = offline.OnTrade(tick)) {
      expected.push_back(*bar);
    }
  }
  expected.push_back(*offline.Flush());
  ASSERT_EQ(bars.size(), expected.size());
  ASSERT_EQ(bars.size(), 50U);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    EXPECT_EQ(bars[i].ts_event.nanos(), start + static_cast<std::int64_t>(i) * kMinute);
    EXPECT_EQ(bars[i].ts_event, expected[i].ts_event) << i;
    EXPECT_EQ(bars[i].open.raw(), expected[i].open.raw()) << i;
    EXPECT_EQ(bars[i].high.raw(), expected[i].high.raw()) << i;
    EXPECT_EQ(bars[i].low.raw(), expected[i].low.raw()) << i;
    EXPECT_EQ(bars[i].close.raw(), expected[i].close.raw()) << i;
    EXPECT_EQ(bars[i].volume.raw(), expected[i].volume.raw()) << i;
  }

  const FeedHealth* health = feeds.Health("US equity");
  ASSERT_NE(health, nullptr);
  EXPECT_EQ(health->failovers, 1U);
  EXPECT_EQ(health->failbacks, 1U);
  EXPECT_EQ(health->active_source, "primary");
  EXPECT_FALSE(health->on_fallback);
  EXPECT_EQ(engine.ActiveSource(kSpy), "primary");
  EXPECT_EQ(engine.Counters().backfill_requests, 2U);
  EXPECT_EQ(fallback.history_calls, 1);
  EXPECT_EQ(primary.history_calls, 1);
}

TEST(FeedManager, SilenceOutsideTheSessionIsNotStale) {
  // 17:00 ET: the session is over; neither source says anything, and nothing fails over.
  const std::int64_t evening = Ts("2024-03-05T22:00:00Z");
  TestClock clock{UnixNanos(evening)};
  runtime::Kernel kernel(clock);
  runtime::MessageBus bus;
  ScriptedClient primary("primary", Caps());
  ScriptedClient fallback("fallback", Caps());
  DataEngine engine(bus, kernel, nullptr, nullptr);
  ASSERT_TRUE(engine.AddClient(primary).ok());
  ASSERT_TRUE(engine.AddClient(fallback).ok());
  engine.Start();
  ASSERT_TRUE(engine.Connect("primary").ok());
  ASSERT_TRUE(engine.Connect("fallback").ok());
  FeedManager feeds(bus, clock, engine);
  feeds.Start();
  FeedConfig config;
  config.name = "US equity";
  config.primary = "primary";
  config.fallback = "fallback";
  config.subscriptions = {Subscription{kSpy, DataKind::kTrades, {}}};
  config.default_staleness = std::chrono::seconds(5);
  ASSERT_TRUE(feeds.AddFeed(config).ok());
  kernel.RunUntil(UnixNanos(evening + 600 * kSecond));
  const FeedHealth* health = feeds.Health("US equity");
  ASSERT_NE(health, nullptr);
  EXPECT_FALSE(health->stale);
  EXPECT_FALSE(health->in_session);
  EXPECT_EQ(health->failovers, 0U);

  // A disconnected primary fails over even outside the session.
  engine.Disconnect("primary");
  kernel.RunUntil(UnixNanos(evening + 602 * kSecond));
  EXPECT_EQ(feeds.Health("US equity")->active_source, "fallback");
  EXPECT_EQ(feeds.Health("US equity")->failovers, 1U);
}

}  // namespace
}  // namespace td::data
