// SPDX-License-Identifier: MIT
// Plan-builder properties over thousands of real and synthetic snapshots, and the no-look-ahead check.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "calendar/exchange_calendar.hpp"
#include "scanner/json.hpp"
#include "scanner/plan.hpp"
#include "unit/scanner/market_data.hpp"

namespace td::scanner::testing {
namespace {

using calendar::Exchange;
constexpr std::int64_t kMinuteNs = 60'000'000'000;
constexpr std::int64_t kDayNs = 86'400'000'000'000;

struct Tally {
  std::size_t plans = 0;
  std::size_t snapped = 0;
  std::size_t snapshots = 0;
};

/// Every invariant a plan must keep, whatever the market did.
void CheckPlan(const SymbolContext& ctx, const Plan& p, const std::string& where, Tally& tally) {
  SCOPED_TRACE(where + " " + std::string(Spec(p.strategy).key) + " " + std::string(StyleName(p.style)) + " " +
               std::string(DirectionName(p.direction)));
  ++tally.plans;
  const double g = Sign(p.direction);
  const double entry = p.entry.AsDouble();
  const Price tick = ctx.instrument.tick_size;
  EXPECT_GT(g * (entry - p.stop.AsDouble()), 0.0) << "stop on the wrong side";
  EXPECT_TRUE(p.entry.IsMultipleOf(tick));
  EXPECT_TRUE(p.stop.IsMultipleOf(tick));
  ASSERT_GE(p.targets.size(), 2u);
  ASSERT_LE(p.targets.size(), 3u);
  const auto has_warning = [&](std::string_view text) {
    return std::any_of(p.warnings.begin(), p.warnings.end(),
                       [&](const std::string& w) { return w.find(text) != std::string::npos; });
  };
  for (std::size_t i = 0; i < p.targets.size(); ++i) {
    const Target& t = p.targets[i];
    const double price = t.price.AsDouble();
    EXPECT_GT(g * (price - entry), 0.0) << "TP" << i + 1 << " not beyond entry";
    EXPECT_TRUE(t.price.IsMultipleOf(tick)) << "TP" << i + 1 << " off the tick grid: " << t.price.ToString();
    EXPECT_GE(g * (price - t.seed), -1e-9) << "snapping pulled TP" << i + 1 << " closer than its seed";
    if (t.rr < p.min_rr - 1e-9) {
      EXPECT_TRUE(has_warning("R:R")) << "TP" << i + 1 << " R:R " << t.rr << " below " << p.min_rr << " silently";
    }
    EXPECT_NEAR(t.rr, std::fabs(price - entry) / p.risk, 1e-9);
    if (t.snapped) {
      ++tally.snapped;
      EXPECT_TRUE(ctx.key_levels.Contains(price)) << "snapped TP" << i + 1 << " " << price << " is not a key level";
      EXPECT_TRUE(p.key_levels.Contains(price));
    }
    EXPECT_FALSE(t.reason.empty());
    if (i > 0) {
      const double gap = g * (price - p.targets[i - 1].price.AsDouble());
      EXPECT_GT(gap, 0.0) << "targets out of order";
      EXPECT_GE(gap, p.ladder.min_spacing - 1e-9) << "TP" << i + 1 << " closer than the minimum spacing";
    }
  }
  EXPECT_GE(p.confidence, 0.0);
  EXPECT_LE(p.confidence, 1.0);
  EXPECT_EQ(p.tp_reasons.size(), p.targets.size());
  EXPECT_FALSE(p.plan_id.empty());
  EXPECT_EQ(p.runner.initial_stop, p.stop);
}

/// Detector plans, plus plans for a forced signal in both directions in every style, at one snapshot.
void CheckSnapshot(const SymbolContext& ctx, const std::string& where, Tally& tally) {
  ++tally.snapshots;
  for (const Detection& d : DetectAll(ctx)) {
    if (d.status != DetectStatus::kSignal)
      continue;
    auto plan = BuildPlan(ctx, *d.signal);
    ASSERT_TRUE(plan.ok()) << plan.error().ToString();
    CheckPlan(ctx, *plan, where, tally);
  }
  const std::size_t i = ctx.last();
  const std::size_t from = i >= 9 ? i - 9 : 0;
  double lo = ctx.bars.low[i], hi = ctx.bars.high[i];
  for (std::size_t k = from; k <= i; ++k) {
    lo = std::min(lo, ctx.bars.low[k]);
    hi = std::max(hi, ctx.bars.high[k]);
  }
  for (Style style : kAllStyles) {
    for (Direction dir : {Direction::kLong, Direction::kShort}) {
      Signal s;
      s.strategy = StrategyId::kMomentum;
      s.direction = dir;
      s.entry = ctx.price();
      s.structure_stop = dir == Direction::kLong ? lo : hi;
      s.stop_basis = "10-bar extreme";
      s.conditions = {{"a", true}, {"b", false}};
      auto plan = BuildPlan(ctx, s, PlanOptions{style, true});
      if (!plan.ok())
        continue;  // ATR unknown for the style
      CheckPlan(ctx, *plan, where, tally);
    }
  }
}

void ReplayReal(const BarSeries& bars, Exchange ex, const std::string& symbol, std::size_t sessions, int step_minutes,
                const BarSeries* daily, Tally& tally) {
  const auto& zone = calendar::ExchangeCalendar::Get(ex).time_zone();
  std::int64_t day = -1;
  std::size_t seen = 0;
  for (std::size_t i = 0; i < bars.size() && seen <= sessions; ++i) {
    const UnixNanos end(bars.ts[i] + bars.spec.IntradayLength().count());
    const auto local = zone.ToLocal(end);
    const std::int64_t d = DaysFromCivil(local.date);
    if (d != day) {
      day = d;
      ++seen;
    }
    if ((local.hour * 60 + local.minute) % step_minutes != 0)
      continue;
    SymbolInput in = ex == Exchange::kNse ? NiftyInput(end, 4) : UsInput(symbol, bars, end, 4, daily);
    auto ctx = BuildContext(in, end);
    ASSERT_TRUE(ctx.ok()) << ctx.error().ToString();
    CheckSnapshot(*ctx, symbol + " " + end.ToIso8601(), tally);
  }
}

TEST(PlanProperties, RealSnapshots) {
  if (DataDir().empty())
    GTEST_SKIP() << "no market data ($TRADEDESK_DATA_DIR)";
  Tally tally;
  ReplayReal(Spy1m(), Exchange::kNyse, "SPY", 30, 15, &SpyDaily(), tally);
  ReplayReal(Qqq1m(), Exchange::kNyse, "QQQ", 20, 15, nullptr, tally);
  ReplayReal(Nifty1m(), Exchange::kNse, "NIFTY", 25, 20, nullptr, tally);
  ReplayReal(Bars5m("TSLA"), Exchange::kNyse, "TSLA", 25, 30, nullptr, tally);
  EXPECT_GT(tally.snapshots, 1500u);
  EXPECT_GT(tally.plans, 10000u);
  EXPECT_GT(tally.snapped, tally.plans / 4) << "snapping almost never happens: suspicious";
}

/// A random-walk session series on the NYSE calendar with a given tick and price level.
SymbolInput SyntheticInput(std::mt19937_64& rng, double start, const char* tick, int sessions) {
  SymbolInput in;
  in.symbol = "SYN";
  in.exchange = Exchange::kNyse;
  in.instrument =
      Instrument::Equity(InstrumentId::Of("NYSE:SYN"),
                         ContractSpec{Price::Parse(tick).value(), Quantity::FromUnits(1), Quantity::FromUnits(1), 2})
          .value();
  in.intraday.spec = BarSpec{5, BarUnit::kMinute};
  const auto& cal = calendar::ExchangeCalendar::Get(Exchange::kNyse);
  std::normal_distribution<double> step(0.0, 0.0015);
  std::uniform_real_distribution<double> wick(0.0, 0.001);
  std::uniform_real_distribution<double> vol(2e5, 2e6);
  double price = start;
  CivilDate date{2025, 3, 3};
  for (int s = 0; s < sessions; ++s) {
    const auto session = cal.Session(date).value();
    for (std::int64_t t = session.regular_open.nanos(); t < session.regular_close.nanos(); t += 5 * kMinuteNs) {
      const double open = price;
      price *= std::exp(step(rng));
      const double high = std::max(open, price) * (1.0 + wick(rng));
      const double low = std::min(open, price) * (1.0 - wick(rng));
      in.intraday.Push(t, open, high, low, price, vol(rng));
    }
    date = cal.NextTradingDay(date).value();
  }
  return in;
}

TEST(PlanProperties, SyntheticSnapshots) {
  std::mt19937_64 rng(20250303);
  Tally tally;
  const char* ticks[] = {"0.01", "0.05", "0.25"};
  const double starts[] = {12.5, 180.0, 4200.0};
  for (int k = 0; k < 3; ++k) {
    const SymbolInput in = SyntheticInput(rng, starts[k], ticks[k], 14);
    for (std::size_t i = 200; i < in.intraday.size(); i += 2) {
      const UnixNanos as_of(in.intraday.ts[i] + 5 * kMinuteNs);
      auto ctx = BuildContext(in, as_of);
      ASSERT_TRUE(ctx.ok()) << ctx.error().ToString();
      CheckSnapshot(*ctx, "synthetic " + std::string(ticks[k]) + " " + as_of.ToIso8601(), tally);
    }
  }
  EXPECT_GT(tally.snapshots, 1000u);
  EXPECT_GT(tally.plans, 8000u);
}

TEST(PlanProperties, RejectsAnUnknownAtrAndABadEntry) {
  std::mt19937_64 rng(7);
  const SymbolInput in = SyntheticInput(rng, 100.0, "0.01", 2);
  const SymbolContext ctx = BuildContext(in, UnixNanos(in.intraday.ts.back() + 5 * kMinuteNs)).value();
  Signal s;
  s.entry = std::numeric_limits<double>::quiet_NaN();
  s.structure_stop = 99.0;
  auto bad = BuildPlan(ctx, s, PlanOptions{Style::kScalp, true});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "entry");
  // A structure stop on the wrong side becomes the ATR floor, with a geometry warning.
  s.entry = ctx.price();
  s.structure_stop = ctx.price() + 1.0;
  auto plan = BuildPlan(ctx, s, PlanOptions{Style::kScalp, true});
  ASSERT_TRUE(plan.ok());
  EXPECT_LT(plan->stop, plan->entry);
  ASSERT_FALSE(plan->warnings.empty());
  EXPECT_NE(plan->warnings[0].find("stop side"), std::string::npos);
}

/// Plans computed as of T must not change when bars after T are added (to the intraday and daily inputs).
TEST(NoLookAhead, FutureBarsDoNotChangeContextsOrPlans) {
  if (DataDir().empty())
    GTEST_SKIP() << "no market data ($TRADEDESK_DATA_DIR)";
  const char* times[] = {"2025-09-16 10:05", "2025-09-24 13:50", "2025-10-08 15:20", "2025-10-15 10:20"};
  std::size_t plans = 0;
  for (const char* local : times) {
    const UnixNanos as_of = LocalTime(Exchange::kNyse, local);
    SymbolInput past = UsInput("SPY", Spy1m(), as_of, 6, &SpyDaily());
    past.intraday = Slice(past.intraday, 0, as_of.nanos());  // nothing after as_of
    past.vol_index = std::make_shared<const BarSeries>(Slice(*Vix5m(), 0, as_of.nanos()));
    SymbolInput future = past;
    future.intraday = Slice(Spy1m(), as_of.nanos() - 6 * kDayNs, as_of.nanos() + 5 * kDayNs);
    future.daily = Slice(SpyDaily(), 0, as_of.nanos() + 10 * kDayNs);
    future.vol_index = Vix5m();
    ASSERT_GT(future.intraday.size(), past.intraday.size() + 1000);
    const SymbolContext a = BuildContext(past, as_of).value();
    const SymbolContext b = BuildContext(future, as_of).value();
    EXPECT_EQ(a.bars.size(), b.bars.size());
    EXPECT_EQ(a.daily.close, b.daily.close);
    ASSERT_EQ(a.key_levels.levels().size(), b.key_levels.levels().size());
    const auto da = DetectAll(a);
    const auto db = DetectAll(b);
    for (std::size_t k = 0; k < da.size(); ++k) {
      EXPECT_EQ(da[k].status, db[k].status) << Spec(da[k].strategy).key << " " << local;
      EXPECT_EQ(da[k].reason, db[k].reason);
      if (da[k].signal && db[k].signal) {
        EXPECT_EQ(PlanToJson(BuildPlan(a, *da[k].signal).value()), PlanToJson(BuildPlan(b, *db[k].signal).value()));
        ++plans;
      }
    }
  }
  EXPECT_GE(plans, 4u);
}

}  // namespace
}  // namespace td::scanner::testing

namespace td::scanner::testing {
namespace {

TEST(BarSeriesTest, FromModelBarsConvertsFixedPointAtTheBoundary) {
  std::vector<Bar> bars(2);
  bars[0] = Bar{UnixNanos(60'000'000'000),      UnixNanos(0),
                Price::Parse("100.25").value(), Price::Parse("101.5").value(),
                Price::Parse("99.75").value(),  Price::Parse("101").value(),
                Quantity::FromUnits(1200)};
  bars[1] = bars[0];
  bars[1].ts_event = UnixNanos(120'000'000'000);
  const BarSeries s = BarSeries::FromBars(bars, BarSpec{1, BarUnit::kMinute});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.ts[1], 120'000'000'000);
  EXPECT_DOUBLE_EQ(s.open[0], 100.25);
  EXPECT_DOUBLE_EQ(s.high[0], 101.5);
  EXPECT_DOUBLE_EQ(s.low[0], 99.75);
  EXPECT_DOUBLE_EQ(s.close[0], 101.0);
  EXPECT_DOUBLE_EQ(s.volume[1], 1200.0);
  const levels::BarsView v = s.View(1, 5);
  EXPECT_EQ(v.size(), 1u);
  EXPECT_TRUE(v.IsWellFormed());
}

TEST(MfeSamplesTest, MatchesANaiveWindowMaximum) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(90.0, 110.0);
  BarSeries s;
  for (int i = 0; i < 300; ++i) {
    const double c = u(rng);
    s.Push(i, c, c + u(rng) / 50.0, c - u(rng) / 50.0, c, 1.0);
  }
  for (Direction d : {Direction::kLong, Direction::kShort}) {
    std::vector<double> naive;
    for (std::size_t k = 0; k + 20 < s.size(); ++k) {
      double best = d == Direction::kLong ? s.high[k + 1] : s.low[k + 1];
      for (std::size_t j = k + 1; j <= k + 20; ++j)
        best = d == Direction::kLong ? std::max(best, s.high[j]) : std::min(best, s.low[j]);
      naive.push_back(
          std::max(0.0, d == Direction::kLong ? (best - s.close[k]) / s.close[k] : (s.close[k] - best) / s.close[k]));
    }
    std::sort(naive.begin(), naive.end());
    EXPECT_EQ(MfeSamples(s, {}, 20, d), naive);
  }
}

}  // namespace
}  // namespace td::scanner::testing
