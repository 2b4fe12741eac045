// SPDX-License-Identifier: MIT
#include "data/bar_aggregator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "data_test_util.hpp"

namespace td::data {
namespace {

using testing::Ts;

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;

Price Px(std::string_view text) {
  return Price::Parse(text).value();
}
Quantity Qty(std::int64_t units) {
  return Quantity::FromUnits(units);
}

std::int64_t Label(BarBoundaries& boundaries, std::string_view iso) {
  return boundaries.Locate(Ts(iso)).label;
}

TEST(BarBoundaries, NseIntradayBucketsStartAtTheOpen) {
  auto five = BarBoundaries::Create(BarSpec{5, BarUnit::kMinute}, "Asia/Kolkata", NseRegularSession()).value();
  // 09:15 IST = 03:45Z.
  EXPECT_EQ(Label(five, "2022-11-01T03:45:00Z"), Ts("2022-11-01T03:45:00Z"));
  EXPECT_EQ(Label(five, "2022-11-01T03:49:59Z"), Ts("2022-11-01T03:45:00Z"));
  EXPECT_EQ(Label(five, "2022-11-01T03:50:00Z"), Ts("2022-11-01T03:50:00Z"));
  EXPECT_EQ(Label(five, "2022-11-01T09:59:59Z"), Ts("2022-11-01T09:55:00Z"));  // 15:25 bar
  auto hour = BarBoundaries::Create(BarSpec{1, BarUnit::kHour}, "Asia/Kolkata", NseRegularSession()).value();
  EXPECT_EQ(Label(hour, "2022-11-01T04:44:00Z"), Ts("2022-11-01T03:45:00Z"));  // 10:14 → 09:15 bar
  EXPECT_EQ(Label(hour, "2022-11-01T04:45:00Z"), Ts("2022-11-01T04:45:00Z"));  // 10:15 bar
  const auto last = hour.Locate(Ts("2022-11-01T09:50:00Z"));                   // 15:20 IST
  EXPECT_EQ(last.label, Ts("2022-11-01T09:45:00Z"));                           // 15:15 bar
  EXPECT_EQ(last.end, Ts("2022-11-01T10:00:00Z")) << "cut at the 15:30 close";
  auto day = BarBoundaries::Create(BarSpec{1, BarUnit::kDay}, "Asia/Kolkata", NseRegularSession()).value();
  EXPECT_EQ(Label(day, "2022-11-01T09:59:00Z"), Ts("2022-11-01T03:45:00Z"));
  EXPECT_EQ(Label(day, "2022-11-01T18:00:00Z"), Ts("2022-11-01T03:45:00Z")) << "23:30 IST is still Nov 1";
  EXPECT_EQ(Label(day, "2022-11-01T18:31:00Z"), Ts("2022-11-02T03:45:00Z")) << "00:01 IST is Nov 2";
  EXPECT_TRUE(five.InSession(Ts("2022-11-01T03:45:00Z")));
  EXPECT_FALSE(five.InSession(Ts("2022-11-01T03:44:59Z")));
  EXPECT_FALSE(five.InSession(Ts("2022-11-01T10:00:00Z")));
  EXPECT_TRUE(five.InSession(Ts("2022-11-01T03:37:00Z"), 10 * kMinute)) << "a bar overlapping the open";
}

TEST(BarBoundaries, NyseFollowsDaylightSaving) {
  auto hour = BarBoundaries::Create(BarSpec{1, BarUnit::kHour}, "America/New_York", NyseRegularSession()).value();
  EXPECT_EQ(Label(hour, "2024-03-08T15:00:00Z"), Ts("2024-03-08T14:30:00Z"));  // EST: 09:30 = 14:30Z
  EXPECT_EQ(Label(hour, "2024-03-11T14:00:00Z"), Ts("2024-03-11T13:30:00Z"));  // EDT: 09:30 = 13:30Z
  const auto close = hour.Locate(Ts("2024-03-11T19:45:00Z"));                  // 15:45 EDT
  EXPECT_EQ(close.label, Ts("2024-03-11T19:30:00Z"));
  EXPECT_EQ(close.end, Ts("2024-03-11T20:00:00Z"));
  auto plain = BarBoundaries::Create(BarSpec{15, BarUnit::kMinute}, "UTC", std::nullopt).value();
  EXPECT_EQ(Label(plain, "2024-03-11T19:44:59Z"), Ts("2024-03-11T19:30:00Z"));
  EXPECT_FALSE(BarBoundaries::Create(BarSpec{1, BarUnit::kWeek}, "UTC", std::nullopt).ok());
  EXPECT_FALSE(BarBoundaries::Create(BarSpec{1, BarUnit::kMinute}, "Mars/Olympus", std::nullopt).ok());
}

TEST(TickBarAggregator, BuildsBarsAndExposesThePartialBar) {
  AggregatorOptions options;
  options.spec = BarSpec{1, BarUnit::kMinute};
  auto agg = TickBarAggregator::Create(options).value();
  const std::int64_t t0 = Ts("2024-01-02T10:00:00Z");
  EXPECT_FALSE(agg.Partial().has_value());
  EXPECT_FALSE(agg.OnTrade(UnixNanos(t0 + 1 * kSecond), Px("100.10"), Qty(5)).has_value());
  EXPECT_FALSE(agg.OnTrade(UnixNanos(t0 + 20 * kSecond), Px("100.50"), Qty(1)).has_value());
  EXPECT_FALSE(agg.OnTrade(UnixNanos(t0 + 40 * kSecond), Px("99.90"), Qty(2)).has_value());
  auto partial = agg.Partial();
  ASSERT_TRUE(partial.has_value());
  EXPECT_EQ(partial->ts_event.nanos(), t0);
  EXPECT_EQ(partial->close, Px("99.90"));
  EXPECT_EQ(partial->volume, Qty(8));
  EXPECT_FALSE(agg.OnTrade(UnixNanos(t0 + 59 * kSecond), Px("100.00"), Qty(1)).has_value());
  auto done = agg.OnTrade(UnixNanos(t0 + 61 * kSecond), Px("101.00"), Qty(3));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->ts_event.nanos(), t0);
  EXPECT_EQ(done->open, Px("100.10"));
  EXPECT_EQ(done->high, Px("100.50"));
  EXPECT_EQ(done->low, Px("99.90"));
  EXPECT_EQ(done->close, Px("100.00"));
  EXPECT_EQ(done->volume, Qty(9));
  EXPECT_EQ(done->open.precision(), 2);
  EXPECT_EQ(agg.Partial()->ts_event.nanos(), t0 + kMinute);
  // A gap: the next tick three minutes later closes the 10:01 bar; no empty bars are made.
  auto after_gap = agg.OnTrade(UnixNanos(t0 + 4 * kMinute), Px("102.00"), Qty(1));
  ASSERT_TRUE(after_gap.has_value());
  EXPECT_EQ(after_gap->ts_event.nanos(), t0 + kMinute);
  EXPECT_FALSE(agg.AdvanceTo(UnixNanos(t0 + 5 * kMinute - 1)).has_value());
  auto timed = agg.AdvanceTo(UnixNanos(t0 + 5 * kMinute));
  ASSERT_TRUE(timed.has_value());
  EXPECT_EQ(timed->ts_event.nanos(), t0 + 4 * kMinute);
  EXPECT_FALSE(agg.Partial().has_value());
  EXPECT_EQ(agg.counters().accepted, 6U);
  EXPECT_EQ(agg.counters().rejected(), 0U);
}

TEST(TickBarAggregator, RejectsAndCountsBadTicks) {
  AggregatorOptions options;
  options.spec = BarSpec{1, BarUnit::kMinute};
  options.out_of_order_tolerance = std::chrono::seconds(2);
  auto agg = TickBarAggregator::Create(options).value();
  const std::int64_t t0 = Ts("2024-01-02T10:00:00Z");
  const UnixNanos init(t0 + 5);
  ASSERT_FALSE(agg.OnTrade(UnixNanos(t0 + 10 * kSecond), Px("100"), Qty(1), init).has_value());
  agg.OnTrade(UnixNanos(t0 + 10 * kSecond), Px("100"), Qty(1), init);               // duplicate message
  agg.OnTrade(UnixNanos(t0 + 10 * kSecond), Px("100"), Qty(1), UnixNanos(t0 + 6));  // same print, new message
  agg.OnTrade(UnixNanos(t0 + 20 * kSecond), Px("0"), Qty(1));                       // zero price
  agg.OnTrade(UnixNanos(t0 + 20 * kSecond), Px("-1.5"), Qty(1));                    // negative price
  agg.OnTrade(UnixNanos(t0 + 20 * kSecond), std::numeric_limits<double>::quiet_NaN(), 1.0, 2);
  agg.OnTrade(UnixNanos(t0 + 20 * kSecond), std::numeric_limits<double>::infinity(), 1.0, 2);
  agg.OnTrade(UnixNanos(t0 + 30 * kSecond), 101.25, 2.0, 2);    // fine
  agg.OnTrade(UnixNanos(t0 + 29 * kSecond), Px("99"), Qty(1));  // late, within tolerance
  agg.OnTrade(UnixNanos(t0 + 20 * kSecond), Px("98"), Qty(1));  // beyond tolerance
  QuoteTick crossed;
  crossed.bid = Px("101");
  crossed.ask = Px("100");
  crossed.ts_event = UnixNanos(t0 + 31 * kSecond);
  agg.OnQuote(crossed);
  QuoteTick one_sided = crossed;
  one_sided.bid = Px("0");
  agg.OnQuote(one_sided);
  const TickCounters& c = agg.counters();
  EXPECT_EQ(c.duplicate, 1U);
  EXPECT_EQ(c.non_positive_price, 2U);
  EXPECT_EQ(c.non_finite, 2U);
  EXPECT_EQ(c.out_of_order, 1U);
  EXPECT_EQ(c.crossed_quote, 1U);
  EXPECT_EQ(c.one_sided_quote, 1U);
  EXPECT_EQ(c.accepted, 4U);
  const Bar bar = agg.Partial().value();
  EXPECT_EQ(bar.close, Px("101.25")) << "a late tick does not become the close";
  EXPECT_EQ(bar.low, Px("99")) << "but it counts for the range";
  EXPECT_EQ(bar.volume, Qty(5));
  // A tick for a bar already closed is out of order even within the tolerance.
  ASSERT_TRUE(agg.OnTrade(UnixNanos(t0 + 60 * kSecond), Px("100"), Qty(1)).has_value());
  agg.OnTrade(UnixNanos(t0 + 59 * kSecond), Px("100"), Qty(1));
  EXPECT_EQ(agg.counters().out_of_order, 2U);
}

TEST(TickBarAggregator, QuoteMidsAndSessionFilter) {
  AggregatorOptions options;
  options.spec = BarSpec{5, BarUnit::kMinute};
  options.session = NseRegularSession();
  auto agg = TickBarAggregator::Create(options).value();
  QuoteTick q;
  q.bid = Px("100.10");
  q.ask = Px("100.15");
  q.ts_event = UnixNanos(Ts("2022-11-01T03:44:00Z"));  // 09:14 IST, before the open
  agg.OnQuote(q);
  EXPECT_EQ(agg.counters().outside_session, 1U);
  q.ts_event = UnixNanos(Ts("2022-11-01T03:46:00Z"));
  agg.OnQuote(q);
  q.ts_event = UnixNanos(Ts("2022-11-01T03:46:00Z"));
  agg.OnQuote(q);  // identical quote again
  EXPECT_EQ(agg.counters().duplicate, 1U);
  const Bar bar = agg.Partial().value();
  EXPECT_EQ(bar.ts_event.nanos(), Ts("2022-11-01T03:45:00Z"));
  EXPECT_EQ(bar.close.ToString(), "100.125");
  EXPECT_TRUE(bar.volume.is_zero());
}

TEST(BarResampler, OneMinuteToFiveAndDaily) {
  BarColumns one;
  one.price_precision = 2;
  const std::int64_t open = Ts("2022-11-01T03:45:00Z");  // 09:15 IST
  for (int i = 0; i < 375; ++i) {
    const std::int64_t p = (100 + i) * 1'000'000'000LL;
    one.Push(open + i * kMinute, p, p + 500'000'000, p - 500'000'000, p + 100'000'000, 10 + i);
  }
  ResampleOptions options;
  options.session = NseRegularSession();
  options.target = BarSpec{5, BarUnit::kMinute};
  TickCounters counters;
  const BarColumns five = ResampleBars(one, BarSpec{1, BarUnit::kMinute}, options, &counters).value();
  ASSERT_EQ(five.size(), 75U);
  EXPECT_EQ(five.ts[1], open + 5 * kMinute);
  EXPECT_EQ(five.open[1], one.open[5]);
  EXPECT_EQ(five.high[1], one.high[9]);
  EXPECT_EQ(five.low[1], one.low[5]);
  EXPECT_EQ(five.close[1], one.close[9]);
  EXPECT_EQ(five.volume[1], 15 + 16 + 17 + 18 + 19);
  EXPECT_EQ(counters.accepted, 375U);
  EXPECT_EQ(counters.misaligned, 0U);
  options.target = BarSpec{1, BarUnit::kHour};
  const BarColumns hours = ResampleBars(one, BarSpec{1, BarUnit::kMinute}, options).value();
  ASSERT_EQ(hours.size(), 7U);
  EXPECT_EQ(hours.ts[6], open + 6 * 60 * kMinute);  // 15:15
  EXPECT_EQ(hours.close[6], one.close[374]);
  options.target = BarSpec{1, BarUnit::kDay};
  const BarColumns day = ResampleBars(one, BarSpec{1, BarUnit::kMinute}, options).value();
  ASSERT_EQ(day.size(), 1U);
  EXPECT_EQ(day.ts[0], open);
  EXPECT_EQ(day.high[0], one.high[374]);
  EXPECT_EQ(day.volume[0], 375 * 10 + 374 * 375 / 2);
  // Streaming API agrees with the batch one and drops repeats.
  options.target = BarSpec{5, BarUnit::kMinute};
  auto streaming = BarResampler::Create(BarSpec{1, BarUnit::kMinute}, options).value();
  std::size_t emitted = 0;
  for (std::size_t i = 0; i < one.size(); ++i) {
    if (auto bar = streaming.OnBar(one.At(i))) {
      EXPECT_EQ(bar->ts_event.nanos(), five.ts[emitted]);
      EXPECT_EQ(bar->close.raw(), five.close[emitted]);
      EXPECT_EQ(bar->volume.raw(), five.volume[emitted]);
      ++emitted;
    }
    if (i == 10) {
      EXPECT_FALSE(streaming.OnBar(one.At(3)).has_value());
    }
  }
  EXPECT_EQ(emitted, 74U);
  EXPECT_EQ(streaming.Partial()->ts_event.nanos(), five.ts[74]);
  EXPECT_EQ(streaming.counters().out_of_order, 1U);
  EXPECT_FALSE(BarResampler::Create(BarSpec{7, BarUnit::kMinute}, options).ok()) << "7m does not divide 5m";
}

}  // namespace
}  // namespace td::data
