// SPDX-License-Identifier: MIT
#include "data/data_engine.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "data/bar_import.hpp"
#include "data_test_util.hpp"
#include "runtime/cache.hpp"
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

DataCapabilities TickCaps() {
  DataCapabilities caps;
  caps.trades = true;
  caps.quotes = true;
  caps.history = true;
  return caps;
}

TradeTick Trade(std::int64_t ts, std::int64_t price_cents, std::int64_t size, InstrumentId id = kSpy) {
  return TradeTick{std::move(id),
                   Price::FromRaw(price_cents * 10'000'000, 2),
                   Quantity::FromUnits(size),
                   AggressorSide::kNone,
                   UnixNanos(ts),
                   UnixNanos(ts)};
}

QuoteTick Quote(std::int64_t ts, std::int64_t bid_cents, std::int64_t ask_cents) {
  return QuoteTick{kSpy,
                   Price::FromRaw(bid_cents * 10'000'000, 2),
                   Price::FromRaw(ask_cents * 10'000'000, 2),
                   Quantity::FromUnits(100),
                   Quantity::FromUnits(200),
                   UnixNanos(ts),
                   UnixNanos(ts)};
}

Subscription Bars(BarSpec spec, InstrumentId id = kSpy) {
  return Subscription{std::move(id), DataKind::kBars, spec};
}

/// Clock, kernel, bus, cache and one engine with a scripted tick source "feed".
struct Rig {
  explicit Rig(std::int64_t start, DataEngineConfig config = {}, BarStore* store = nullptr,
               runtime::KernelConfig kernel_config = {})
      : clock(UnixNanos(start)),
        kernel(clock, kernel_config),
        client("feed", TickCaps()),
        engine(bus, kernel, &cache, store, std::move(config)) {
    EXPECT_TRUE(engine.AddClient(client).ok());
    engine.Start();
    EXPECT_TRUE(engine.Connect("feed").ok());
  }
  /// Emits `event` at its own time after moving the kernel there.
  void At(std::int64_t ts, MarketEvent event) {
    kernel.RunUntil(UnixNanos(std::max(ts, clock.Now().nanos())));
    client.Emit(std::move(event));
    kernel.RunUntil(clock.Now());
  }

  TestClock clock;
  runtime::Kernel kernel;
  runtime::MessageBus bus;
  runtime::Cache cache;
  ScriptedClient client;
  DataEngine engine;
};

/// Collects closed and partial bars of one topic pair.
struct BarLog {
  BarLog(runtime::MessageBus& bus, const InstrumentId& id, BarSpec spec, Clock* clock = nullptr) {
    EXPECT_TRUE(bus.Subscribe<BarUpdate>(BarTopic(id, spec),
                                         [this, clock](const BarUpdate& u) {
                                           EXPECT_TRUE(u.closed);
                                           closed.push_back(u.bar);
                                           if (clock != nullptr) {
                                             closed_at.push_back(clock->Now().nanos());
                                           }
                                         })
                    .ok());
    EXPECT_TRUE(bus.Subscribe<BarUpdate>(PartialBarTopic(id, spec),
                                         [this](const BarUpdate& u) {
                                           EXPECT_FALSE(u.closed);
                                           partial.push_back(u.bar);
                                         })
                    .ok());
  }
  std::vector<Bar> closed;
  std::vector<std::int64_t> closed_at;
  std::vector<Bar> partial;
};

void ExpectSameBar(const Bar& a, const Bar& b, const std::string& where) {
  EXPECT_EQ(a.ts_event, b.ts_event) << where;
  EXPECT_EQ(a.open.raw(), b.open.raw()) << where;
  EXPECT_EQ(a.high.raw(), b.high.raw()) << where;
  EXPECT_EQ(a.low.raw(), b.low.raw()) << where;
  EXPECT_EQ(a.close.raw(), b.close.raw()) << where;
  EXPECT_EQ(a.volume.raw(), b.volume.raw()) << where;
}

TEST(DataEngine, ValidationRejectsAndCountsEveryBadTickKind) {
  DataEngineConfig config;
  config.out_of_order_tolerance = std::chrono::seconds(1);
  const std::int64_t t0 = Ts("2024-03-05T15:00:00Z");
  Rig rig(t0, config);
  ASSERT_TRUE(rig.engine.Subscribe(Subscription{kSpy, DataKind::kTrades, {}}, "feed").ok());
  ASSERT_TRUE(rig.engine.Subscribe(Subscription{kSpy, DataKind::kQuotes, {}}, "feed").ok());
  int trades_seen = 0;
  int quotes_seen = 0;
  ASSERT_TRUE(rig.bus.Subscribe<TradeTick>(TradeTopic(kSpy), [&](const TradeTick&) { ++trades_seen; }).ok());
  ASSERT_TRUE(rig.bus.Subscribe<QuoteTick>(QuoteTopic(kSpy), [&](const QuoteTick&) { ++quotes_seen; }).ok());

  const std::int64_t t = t0 + 10 * kSecond;
  rig.client.Emit(Trade(t, 50'000, 10));               // accepted
  rig.client.Emit(Trade(t, 50'000, 10));               // duplicate
  rig.client.Emit(Trade(t - 5 * kSecond, 50'001, 1));  // out of order beyond 1 s
  rig.client.Emit(Trade(t - kSecond / 2, 50'002, 1));  // late but within tolerance: accepted
  rig.client.Emit(Trade(t + 1, 0, 1));                 // zero price
  TradeTick negative = Trade(t + 2, 1, 1);
  negative.price = Price::FromRaw(-10'000'000, 2);
  rig.client.Emit(negative);                      // negative price
  rig.client.Emit(Quote(t + 3, 50'010, 50'000));  // crossed
  rig.client.Emit(Quote(t + 4, 0, 0));            // zero
  rig.client.Emit(Quote(t + 5, 50'000, 0));       // one-sided
  rig.client.Emit(Quote(t + 6, 49'999, 50'001));  // accepted
  rig.client.Emit(Quote(t + 6, 49'999, 50'001));  // duplicate
  RawTick raw;
  raw.instrument_id = kSpy;
  raw.price = std::numeric_limits<double>::quiet_NaN();
  raw.size = 1;
  raw.ts_event = raw.ts_init = UnixNanos(t + 7);
  rig.client.EmitRaw(raw);  // NaN
  raw.price = std::numeric_limits<double>::infinity();
  rig.client.EmitRaw(raw);  // infinite
  raw.price = -3.5;
  rig.client.EmitRaw(raw);  // negative
  raw.price = 500.25;
  rig.client.EmitRaw(raw);  // accepted
  rig.kernel.RunUntil(UnixNanos(t0 + 20 * kSecond));

  const DataEngineCounters counters = rig.engine.Counters();
  ASSERT_EQ(counters.sources.size(), 1U);
  const SourceCounters& feed = counters.sources[0];
  EXPECT_EQ(feed.source, "feed");
  EXPECT_EQ(feed.messages, 15U);
  EXPECT_EQ(feed.ticks.accepted, 4U);
  EXPECT_EQ(feed.ticks.duplicate, 2U);
  EXPECT_EQ(feed.ticks.out_of_order, 1U);
  EXPECT_EQ(feed.ticks.non_positive_price, 4U);  // zero trade, negative trade, zero quote, negative raw
  EXPECT_EQ(feed.ticks.crossed_quote, 1U);
  EXPECT_EQ(feed.ticks.one_sided_quote, 1U);
  EXPECT_EQ(feed.ticks.non_finite, 2U);
  EXPECT_EQ(feed.rejects(), 11U);
  EXPECT_EQ(feed.queue_drops, 0U);
  EXPECT_EQ(trades_seen, 3);
  EXPECT_EQ(quotes_seen, 1);
  ASSERT_NE(rig.cache.Trade(kSpy), nullptr);
  EXPECT_EQ(rig.cache.Trade(kSpy)->price.ToString(), "500.25");
  ASSERT_NE(rig.cache.Quote(kSpy), nullptr);
  EXPECT_EQ(rig.cache.Quote(kSpy)->bid.ToString(), "499.99");
  const FeedStatus* status = rig.engine.SourceStatus("feed");
  ASSERT_NE(status, nullptr);
  EXPECT_TRUE(status->connected);
}

TEST(DataEngine, SinkNeverBlocksAndCountsQueueDrops) {
  runtime::KernelConfig small;
  small.queue_capacity = 4;
  const std::int64_t t0 = Ts("2024-03-05T15:00:00Z");
  Rig rig(t0, {}, nullptr, small);
  ASSERT_TRUE(rig.engine.Subscribe(Subscription{kSpy, DataKind::kTrades, {}}, "feed").ok());
  for (int i = 0; i < 10; ++i) {
    rig.client.Emit(Trade(t0 + i, 50'000 + i, 1));
  }
  rig.kernel.RunUntil(UnixNanos(t0 + kSecond));
  const SourceCounters feed = rig.engine.Counters().sources[0];
  EXPECT_EQ(feed.queue_drops, 6U);
  EXPECT_EQ(feed.ticks.accepted, 4U);
}

TEST(DataEngine, SubscriptionsAreReferenceCountedPerSource) {
  Rig rig(Ts("2024-03-05T15:00:00Z"));
  const Subscription trades{kSpy, DataKind::kTrades, {}};
  ASSERT_TRUE(rig.engine.Subscribe(trades, "feed").ok());
  ASSERT_TRUE(rig.engine.Subscribe(trades, "feed").ok());
  ASSERT_TRUE(rig.engine.Subscribe(Bars({1, BarUnit::kMinute}), "feed").ok());
  ASSERT_TRUE(rig.engine.Subscribe(Bars({5, BarUnit::kMinute}), "feed").ok());
  EXPECT_EQ(rig.client.subscribe_calls, 1) << "bars are built from the same trade stream";
  EXPECT_EQ(rig.engine.SubscriptionCount(trades, "feed"), 2);
  ASSERT_TRUE(rig.engine.Unsubscribe(trades, "feed").ok());
  ASSERT_TRUE(rig.engine.Unsubscribe(trades, "feed").ok());
  ASSERT_TRUE(rig.engine.Unsubscribe(Bars({1, BarUnit::kMinute}), "feed").ok());
  EXPECT_EQ(rig.client.unsubscribe_calls, 0);
  ASSERT_TRUE(rig.engine.Unsubscribe(Bars({5, BarUnit::kMinute}), "feed").ok());
  EXPECT_EQ(rig.client.unsubscribe_calls, 1);
  EXPECT_TRUE(rig.client.subscribed.empty());
  EXPECT_FALSE(rig.engine.Unsubscribe(trades, "feed").ok());
  EXPECT_FALSE(rig.engine.Subscribe(trades, "nope").ok());
  EXPECT_FALSE(rig.engine.Subscribe(Bars({1, BarUnit::kWeek}), "feed").ok());
  DataCapabilities depthless = TickCaps();
  EXPECT_FALSE(rig.engine.Subscribe(Subscription{kSpy, DataKind::kDepth, {}}, "feed").ok());
  (void)depthless;
}

TEST(DataEngine, StandbySourceIsValidatedNotPublishedAndTakesOverWhenTheActiveOneLeaves) {
  const std::int64_t t0 = Ts("2024-03-05T15:00:00Z");
  Rig rig(t0);
  ScriptedClient standby("standby", TickCaps());
  ASSERT_TRUE(rig.engine.AddClient(standby).ok());
  ASSERT_TRUE(rig.engine.Connect("standby").ok());
  EXPECT_FALSE(rig.engine.AddClient(standby).ok()) << "names are unique";
  const Subscription trades{kSpy, DataKind::kTrades, {}};
  ASSERT_TRUE(rig.engine.Subscribe(trades, "feed").ok());
  ASSERT_TRUE(rig.engine.Subscribe(trades, "standby").ok());
  EXPECT_EQ(rig.engine.ActiveSource(kSpy), "feed");
  std::vector<std::int64_t> published;
  ASSERT_TRUE(
      rig.bus.Subscribe<TradeTick>(TradeTopic(kSpy), [&](const TradeTick& t) { published.push_back(t.price.raw()); })
          .ok());
  rig.client.Emit(Trade(t0 + 1, 50'000, 1));
  standby.Emit(Trade(t0 + 2, 60'000, 1));
  rig.kernel.RunUntil(UnixNanos(t0 + kSecond));
  ASSERT_EQ(published.size(), 1U);
  EXPECT_EQ(published[0], 50'000 * 10'000'000LL);
  const DataEngineCounters counters = rig.engine.Counters();
  EXPECT_EQ(counters.sources[1].source, "standby");
  EXPECT_EQ(counters.sources[1].ticks.accepted, 1U);
  EXPECT_EQ(counters.sources[1].standby, 1U);
  EXPECT_EQ(rig.engine.LastEvent("standby", kSpy), UnixNanos(t0));
  ASSERT_TRUE(rig.engine.Unsubscribe(trades, "feed").ok());
  EXPECT_EQ(rig.engine.ActiveSource(kSpy), "standby");
  standby.Emit(Trade(t0 + 3, 60'001, 1));
  rig.kernel.RunUntil(UnixNanos(t0 + 2 * kSecond));
  ASSERT_EQ(published.size(), 2U);
  EXPECT_EQ(published[1], 60'001 * 10'000'000LL);
  rig.engine.Disconnect("standby");  // `standby` dies before the engine
  EXPECT_FALSE(standby.connected());
}

TEST(DataEngine, PartialBarOnEveryTickAndClosedBarEqualsFinalPartial) {
  const std::int64_t open = Ts("2024-03-05T15:00:00Z");  // 10:00 ET
  Rig rig(open);
  BarLog one(rig.bus, kSpy, {1, BarUnit::kMinute}, &rig.clock);
  ASSERT_TRUE(rig.engine.Subscribe(Bars({1, BarUnit::kMinute}), "feed").ok());
  int ticks = 0;
  for (std::int64_t s = 0; s < 150; s += 7) {
    rig.At(open + s * kSecond, Trade(open + s * kSecond, 50'000 + (s * 37) % 23 - 11, 1 + s % 4));
    ++ticks;
  }
  rig.kernel.RunUntil(UnixNanos(open + 5 * kMinute));
  EXPECT_EQ(one.partial.size(), static_cast<std::size_t>(ticks));
  ASSERT_EQ(one.closed.size(), 3U) << "10:00, 10:01 and 10:02 (closed by the timer at 10:03)";
  EXPECT_EQ(one.closed_at.back(), open + 3 * kMinute);
  for (const Bar& bar : one.closed) {
    const Bar* last_partial = nullptr;
    for (const Bar& partial : one.partial) {
      if (partial.ts_event == bar.ts_event) {
        last_partial = &partial;
      }
    }
    ASSERT_NE(last_partial, nullptr);
    ExpectSameBar(bar, *last_partial, bar.ts_event.ToIso8601());
  }
  const Bar* cached = rig.cache.LastBar(kSpy, {1, BarUnit::kMinute});
  ASSERT_NE(cached, nullptr);
  ExpectSameBar(*cached, one.closed.back(), "cache");
}

TEST(DataEngine, HalfDayAndHolidayFollowTheCalendar) {
  // NYSE closes at 13:00 ET on 29-Nov-2024 (the day after Thanksgiving, a holiday).
  const std::int64_t thanksgiving = Ts("2024-11-28T17:00:00Z");  // 12:00 ET
  const std::int64_t half_day = Ts("2024-11-29T17:50:00Z");      // 12:50 ET
  const std::int64_t close = Ts("2024-11-29T18:00:00Z");         // 13:00 ET
  Rig rig(thanksgiving);
  BarLog one(rig.bus, kSpy, {1, BarUnit::kMinute}, &rig.clock);
  BarLog hour(rig.bus, kSpy, {1, BarUnit::kHour}, &rig.clock);
  BarLog day(rig.bus, kSpy, {1, BarUnit::kDay}, &rig.clock);
  for (BarSpec spec : {BarSpec{1, BarUnit::kMinute}, BarSpec{1, BarUnit::kHour}, BarSpec{1, BarUnit::kDay}}) {
    ASSERT_TRUE(rig.engine.Subscribe(Bars(spec), "feed").ok());
  }
  for (std::int64_t s = 0; s < 600; s += 30) {
    rig.At(thanksgiving + s * kSecond, Trade(thanksgiving + s * kSecond, 60'000, 1));
  }
  for (std::int64_t s = 0; s < 1200; s += 30) {  // 12:50 to 13:10 ET
    rig.At(half_day + s * kSecond, Trade(half_day + s * kSecond, 60'000 + s, 1));
  }
  rig.kernel.RunUntil(UnixNanos(close + 3600 * kSecond));
  ASSERT_EQ(one.closed.size(), 10U) << "12:50 ... 12:59; nothing on the holiday, nothing after 13:00";
  EXPECT_EQ(one.closed.front().ts_event.nanos(), half_day);
  EXPECT_EQ(one.closed.back().ts_event.nanos(), close - kMinute);
  EXPECT_EQ(one.closed.back().close.raw(), (60'000 + 570) * 10'000'000LL);
  EXPECT_EQ(one.closed_at.back(), close) << "the last bar closes at the early close";
  ASSERT_EQ(hour.closed.size(), 1U);
  EXPECT_EQ(hour.closed[0].ts_event.nanos(), Ts("2024-11-29T17:30:00Z")) << "12:30 bucket, cut at 13:00";
  EXPECT_EQ(hour.closed_at[0], close);
  ASSERT_EQ(day.closed.size(), 1U);
  EXPECT_EQ(day.closed[0].ts_event.nanos(), Ts("2024-11-29T14:30:00Z")) << "labelled at the 09:30 open";
  EXPECT_EQ(day.closed_at[0], close) << "the daily bar is complete at the early close";
  EXPECT_EQ(day.closed[0].volume.raw(), 20 * 1'000'000'000LL);
}

TEST(DataEngine, HistoryBackfillsTheStoreAndServesTheNextRequestFromIt) {
  testing::TempDir dir;
  BarStore store(dir.path());
  Rig rig(Ts("2024-03-07T00:00:00Z"), {}, &store);
  const BarSpec minute{1, BarUnit::kMinute};
  auto make_day = [&](const char* open_iso) {
    const std::int64_t open = Ts(open_iso);
    for (int i = 0; i < 390; ++i) {
      const std::int64_t p = 50'000 + i % 17;
      rig.client.history_bars.push_back(Bar{UnixNanos(open + i * kMinute), UnixNanos(open + (i + 1) * kMinute),
                                            Price::FromRaw(p * 10'000'000, 2), Price::FromRaw((p + 5) * 10'000'000, 2),
                                            Price::FromRaw((p - 5) * 10'000'000, 2), Price::FromRaw(p * 10'000'000, 2),
                                            Quantity::FromUnits(100 + i)});
    }
  };
  make_day("2024-03-05T14:30:00Z");
  make_day("2024-03-06T14:30:00Z");
  std::sort(rig.client.history_bars.begin(), rig.client.history_bars.end(),
            [](const Bar& a, const Bar& b) { return a.ts_event < b.ts_event; });

  const UnixNanos day2_from(Ts("2024-03-06T14:30:00Z"));
  const UnixNanos day2_to(Ts("2024-03-06T21:00:00Z"));
  auto first = rig.engine.History(kSpy, minute, day2_from, day2_to);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->size(), 390U);
  EXPECT_EQ(rig.client.history_calls, 1);
  ASSERT_EQ(store.Open(kSpy, minute).value().size(), 390U);

  auto second = rig.engine.History(kSpy, minute, day2_from, day2_to);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(rig.client.history_calls, 1) << "served from the store";
  ASSERT_EQ(second->size(), first->size());
  for (std::size_t i = 0; i < first->size(); ++i) {
    ExpectSameBar((*first)[i], (*second)[i], "bar " + std::to_string(i));
  }

  // The evening after the close has no session: no request for it.
  auto evening = rig.engine.History(kSpy, minute, day2_from, UnixNanos(Ts("2024-03-07T00:00:00Z")));
  ASSERT_TRUE(evening.ok());
  EXPECT_EQ(rig.client.history_calls, 1);

  // An older day is a gap before the stored bars: fetched and written back in order (the series is rebuilt).
  auto both = rig.engine.History(kSpy, minute, UnixNanos(Ts("2024-03-05T00:00:00Z")), day2_to);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->size(), 780U);
  EXPECT_EQ(rig.client.history_calls, 2);
  auto stored = store.Open(kSpy, minute).value();
  ASSERT_EQ(stored.size(), 780U);
  EXPECT_TRUE(stored.Verify().ok());
  EXPECT_EQ(stored.ts().front(), Ts("2024-03-05T14:30:00Z"));
  auto again = rig.engine.History(kSpy, minute, UnixNanos(Ts("2024-03-05T00:00:00Z")), day2_to);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 780U);
  EXPECT_EQ(rig.client.history_calls, 2);
  // A weekend range has no session: nothing to ask for.
  auto weekend =
      rig.engine.History(kSpy, minute, UnixNanos(Ts("2024-03-02T00:00:00Z")), UnixNanos(Ts("2024-03-04T00:00:00Z")));
  ASSERT_TRUE(weekend.ok());
  EXPECT_EQ(rig.client.history_calls, 2);
  EXPECT_EQ(rig.engine.Counters().backfilled_bars, 780U);
}

// Real data: SPY 1-minute bars (Sep 2025 – Mar 2026) become ticks (open, high, low, close of each minute)
// and source bars; the engine's 1m and 5m bars equal the data module's offline resampling on every bar.
BarColumns LoadSpy() {
  ImportOptions import;
  import.session = NyseRegularSession();
  auto parsed = ParseBarFile(testing::DataDir() / "us_equity/intraday/SPY_1min_20250915_20260319_rth.csv", import);
  EXPECT_TRUE(parsed.ok());
  return parsed.ok() ? std::move(parsed->bars) : BarColumns{};
}

// The data module's offline resampling with the same calendar sessions the engine uses.
BarColumns Offline(const BarColumns& one, BarSpec target, bool calendar = true) {
  ResampleOptions options;
  options.session = NyseRegularSession();
  if (calendar) {
    options.sessions = DefaultSessionRule(kSpy).sessions;
  }
  options.target = target;
  return ResampleBars(one, BarSpec{1, BarUnit::kMinute}, options).value();
}

BarColumns OfflineFive(const BarColumns& one) {
  return Offline(one, BarSpec{5, BarUnit::kMinute});
}

void ExpectColumnsEqual(const std::vector<Bar>& ours, const BarColumns& offline, const std::string& what) {
  if (ours.size() != offline.size()) {
    std::size_t j = 0;
    int shown = 0;
    for (std::size_t i = 0; i < offline.size() && shown < 8; ++i) {
      if (j < ours.size() && ours[j].ts_event.nanos() == offline.ts[i]) {
        ++j;
      } else {
        ADD_FAILURE() << what << ": missing " << UnixNanos(offline.ts[i]).ToIso8601();
        ++shown;
      }
    }
  }
  ASSERT_EQ(ours.size(), offline.size()) << what;
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const Bar& a = ours[i];
    const bool same = a.ts_event.nanos() == offline.ts[i] && a.open.raw() == offline.open[i] &&
                      a.high.raw() == offline.high[i] && a.low.raw() == offline.low[i] &&
                      a.close.raw() == offline.close[i] && a.volume.raw() == offline.volume[i];
    if (!same && ++mismatches < 5) {
      ADD_FAILURE() << what << " differs at " << a.ts_event.ToIso8601() << ": ours " << a.open.raw() << " "
                    << a.high.raw() << " " << a.low.raw() << " " << a.close.raw() << " " << a.volume.raw()
                    << ", offline " << offline.ts[i] << " " << offline.open[i] << " " << offline.high[i] << " "
                    << offline.low[i] << " " << offline.close[i] << " " << offline.volume[i];
    }
  }
  EXPECT_EQ(mismatches, 0U) << what;
}

TEST(DataEngineRealData, TickAggregationEqualsOfflineResampling) {
  TD_REQUIRE_DATA("us_equity/intraday/SPY_1min_20250915_20260319_rth.csv");
  const BarColumns one = LoadSpy();
  ASSERT_EQ(one.size(), 49885U);
  const BarColumns five = OfflineFive(one);
  const BarColumns one_in_session = Offline(one, BarSpec{1, BarUnit::kMinute});
  // The file has prints after the 13:00 early close of 28-Nov-2025 and 24-Dec-2025; the calendar drops them.
  const BarColumns five_template = Offline(one, BarSpec{5, BarUnit::kMinute}, false);
  ASSERT_EQ(five_template.size(), five.size() + 4);
  EXPECT_EQ(one.size() - one_in_session.size(), 6U);
  testing::TempDir dir;
  BarStore store(dir.path());
  Rig rig(one.ts.front() - kMinute, {}, &store);
  BarLog log1(rig.bus, kSpy, {1, BarUnit::kMinute});
  BarLog log5(rig.bus, kSpy, {5, BarUnit::kMinute});
  ASSERT_TRUE(rig.engine.Subscribe(Bars({1, BarUnit::kMinute}), "feed").ok());
  ASSERT_TRUE(rig.engine.Subscribe(Bars({5, BarUnit::kMinute}), "feed").ok());
  for (std::size_t i = 0; i < one.size(); ++i) {
    const std::int64_t prices[4] = {one.open[i], one.high[i], one.low[i], one.close[i]};
    for (int k = 0; k < 4; ++k) {
      const std::int64_t ts = one.ts[i] + k * 15 * kSecond;
      const Quantity size = k == 3 ? Quantity::FromRaw(one.volume[i], one.volume_precision) : Quantity::FromUnits(0);
      rig.At(ts, TradeTick{kSpy, Price::FromRaw(prices[k], one.price_precision), size, AggressorSide::kNone,
                           UnixNanos(ts), UnixNanos(ts)});
    }
  }
  rig.kernel.RunUntil(UnixNanos(one.ts.back() + 10 * kMinute));
  ExpectColumnsEqual(log1.closed, one_in_session, "1m from ticks");
  ExpectColumnsEqual(log5.closed, five, "5m from ticks");
  EXPECT_EQ(log1.partial.size(), one_in_session.size() * 4);
  const DataEngineCounters counters = rig.engine.Counters();
  EXPECT_EQ(counters.sources[0].rejects(), 0U);
  EXPECT_EQ(counters.bars_persisted, one_in_session.size() + five.size());
  EXPECT_EQ(store.Open(kSpy, {5, BarUnit::kMinute}).value().size(), five.size());
}

TEST(DataEngineRealData, SourceBarsResampleLikeOffline) {
  TD_REQUIRE_DATA("us_equity/intraday/SPY_1min_20250915_20260319_rth.csv");
  const BarColumns one = LoadSpy();
  const BarColumns five = OfflineFive(one);
  TestClock clock(UnixNanos(one.ts.front()));
  runtime::Kernel kernel(clock);
  runtime::MessageBus bus;
  DataCapabilities caps;
  caps.bars = true;
  ScriptedClient client("bars", caps);
  DataEngine engine(bus, kernel, nullptr, nullptr);
  ASSERT_TRUE(engine.AddClient(client).ok());
  engine.Start();
  ASSERT_TRUE(engine.Connect("bars").ok());
  BarLog log5(bus, kSpy, {5, BarUnit::kMinute});
  ASSERT_TRUE(engine.Subscribe(Bars({5, BarUnit::kMinute}), "bars").ok());
  ASSERT_EQ(client.subscribed.size(), 1U);
  EXPECT_EQ(client.subscribed[0].bar_spec, (BarSpec{1, BarUnit::kMinute})) << "asks the source for 1m bars";
  for (std::size_t i = 0; i < one.size(); ++i) {
    const std::int64_t done = one.ts[i] + kMinute;
    kernel.RunUntil(UnixNanos(std::max(done, clock.Now().nanos())));
    Bar bar = one.At(i);
    client.Emit(BarUpdate{kSpy, {1, BarUnit::kMinute}, bar, true});
  }
  kernel.RunUntil(UnixNanos(one.ts.back() + 10 * kMinute));
  ExpectColumnsEqual(log5.closed, five, "5m from source bars");
}

}  // namespace
}  // namespace td::data
