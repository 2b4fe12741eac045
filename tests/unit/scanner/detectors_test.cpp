// SPDX-License-Identifier: MIT
// Every detector decides on real sessions: a positive fixture (the pattern is there) and a negative one (same
// or nearby session, pattern absent). The sessions were found with fixture_finder.cpp; only the date and time
// are hard-coded. Inputs hold a day of bars after as_of, so these also check that nothing looks ahead.
#include <cmath>

#include <gtest/gtest.h>

#include "scanner/strategies.hpp"
#include "unit/scanner/market_data.hpp"

namespace td::scanner::testing {
namespace {

using calendar::Exchange;

SymbolContext SpyAt(const std::string& local) {
  const UnixNanos as_of = LocalTime(Exchange::kNyse, local);
  SymbolInput in = UsInput("SPY", Spy1m(), as_of, 6, &SpyDaily());
  in.vol_index = Vix5m();
  return BuildContext(in, as_of).value();
}

struct Fixture {
  StrategyId id;
  const char* positive;  // ET wall clock (as_of = end of the last bar)
  Direction direction;
  const char* negative;
};

// SPY 1-minute RTH bars, daily history from Stooq, VIX 5-minute bars.
const Fixture kSpyFixtures[] = {
    {StrategyId::kOrbRetest, "2025-09-16 10:05", Direction::kShort, "2025-09-16 10:40"},
    {StrategyId::kPowerHourTrend, "2025-10-08 15:20", Direction::kLong, "2025-10-08 15:55"},
    {StrategyId::kVwapAvwap, "2025-09-19 14:50", Direction::kLong, "2025-09-19 15:25"},
    {StrategyId::kGapFillOpen, "2025-09-18 09:55", Direction::kShort, "2025-09-18 10:30"},
    {StrategyId::kGapBreakaway, "2025-10-15 10:20", Direction::kLong, "2025-10-15 11:40"},
    {StrategyId::kMiddayMeanRevert, "2025-09-24 13:50", Direction::kLong, "2025-09-24 14:25"},
    {StrategyId::kLiquiditySweep, "2025-09-22 10:45", Direction::kShort, "2025-09-22 11:20"},
    {StrategyId::kInsideBreakout, "2025-09-15 14:30", Direction::kShort, "2025-09-15 15:05"},
    {StrategyId::kInsideDay, "2025-09-22 11:10", Direction::kLong, "2025-09-22 10:45"},
    {StrategyId::kEmaPullback, "2025-09-25 10:00", Direction::kLong, "2025-10-08 12:00"},
    {StrategyId::kVixGate, "2025-09-17 15:20", Direction::kLong, "2025-09-17 15:55"},
    {StrategyId::kBreakRetestScalp, "2025-09-22 14:50", Direction::kLong, "2025-09-22 15:25"},
    {StrategyId::kBreakRetest, "2025-09-17 11:00", Direction::kShort, "2025-09-17 11:50"},
    {StrategyId::kBreakRetestSwing, "2025-10-07 12:00", Direction::kLong, "2025-10-07 11:35"},
    {StrategyId::kMomentum, "2025-09-23 13:40", Direction::kShort, "2025-09-23 14:15"},
};

class SpyDetectors : public ::testing::TestWithParam<Fixture> {
 protected:
  void SetUp() override {
    if (DataDir().empty())
      GTEST_SKIP() << "no market data ($TRADEDESK_DATA_DIR)";
  }
};

TEST_P(SpyDetectors, FiresOnThePatternAndNotWithoutIt) {
  const Fixture& f = GetParam();
  const SymbolContext pos = SpyAt(f.positive);
  const Detection hit = Detect(f.id, pos);
  ASSERT_EQ(hit.status, DetectStatus::kSignal) << Spec(f.id).key << " at " << f.positive << ": " << hit.reason;
  ASSERT_TRUE(hit.signal.has_value());
  EXPECT_EQ(hit.signal->direction, f.direction);
  EXPECT_EQ(hit.signal->entry, pos.price());
  EXPECT_FALSE(hit.signal->conditions.empty());
  EXPECT_FALSE(hit.signal->trigger.empty());
  // The structure stop is a real price on the stop side of entry (or the plan builder will say otherwise).
  EXPECT_TRUE(std::isfinite(hit.signal->structure_stop));

  const Detection miss = Detect(f.id, SpyAt(f.negative));
  EXPECT_EQ(miss.status, DetectStatus::kNoSignal) << Spec(f.id).key << " at " << f.negative << ": " << miss.reason;
  EXPECT_FALSE(miss.signal.has_value());
  EXPECT_FALSE(miss.reason.empty());
}

INSTANTIATE_TEST_SUITE_P(RealSessions, SpyDetectors, ::testing::ValuesIn(kSpyFixtures),
                         [](const ::testing::TestParamInfo<Fixture>& p) { return std::string(Spec(p.param.id).key); });

class InputDetectors : public ::testing::Test {
 protected:
  void SetUp() override {
    if (DataDir().empty())
      GTEST_SKIP() << "no market data ($TRADEDESK_DATA_DIR)";
  }
};

TEST_F(InputDetectors, VixGateIsNotApplicableWithoutTheVolIndex) {
  const UnixNanos as_of = LocalTime(Exchange::kNyse, "2025-09-17 15:20");
  const SymbolContext ctx = BuildContext(UsInput("SPY", Spy1m(), as_of, 6, &SpyDaily()), as_of).value();
  const Detection d = Detect(StrategyId::kVixGate, ctx);
  EXPECT_EQ(d.status, DetectStatus::kNotApplicable);
  EXPECT_NE(d.reason.find("volatility index"), std::string::npos);
}

TEST_F(InputDetectors, EarningsDriftNeedsADateAndFollowsTheReaction) {
  // NVDA reported on 19-Nov-2025 after the close; the 20-Nov reaction closed lower and the drift continued.
  const UnixNanos as_of = LocalTime(Exchange::kNyse, "2025-12-01 10:00");
  SymbolInput in = UsInput("NVDA", Bars5m("NVDA"), as_of, 30);
  EXPECT_EQ(Detect(StrategyId::kEarningsDrift, BuildContext(in, as_of).value()).status, DetectStatus::kNotApplicable);
  in.earnings_date = CivilDate{2025, 11, 19};
  const Detection hit = Detect(StrategyId::kEarningsDrift, BuildContext(in, as_of).value());
  ASSERT_EQ(hit.status, DetectStatus::kSignal) << hit.reason;
  EXPECT_EQ(hit.signal->direction, Direction::kShort);
  // Before the report the drift cannot exist.
  const UnixNanos before = LocalTime(Exchange::kNyse, "2025-11-18 15:00");
  SymbolInput early = UsInput("NVDA", Bars5m("NVDA"), before, 30);
  early.earnings_date = CivilDate{2025, 11, 19};
  const Detection miss = Detect(StrategyId::kEarningsDrift, BuildContext(early, before).value());
  EXPECT_EQ(miss.status, DetectStatus::kNoSignal);
  EXPECT_EQ(miss.reason, "earnings still ahead");
}

TEST_F(InputDetectors, HighIvRankSellsPremiumOnlyWhenRankIsHigh) {
  const UnixNanos as_of = LocalTime(Exchange::kNyse, "2025-10-08 15:20");
  SymbolInput in = UsInput("SPY", Spy1m(), as_of, 6, &SpyDaily());
  EXPECT_EQ(Detect(StrategyId::kHighIvRank, BuildContext(in, as_of).value()).status, DetectStatus::kNotApplicable);
  in.options.iv_rank = 78.0;
  const SymbolContext ctx = BuildContext(in, as_of).value();
  const Detection hit = Detect(StrategyId::kHighIvRank, ctx);
  ASSERT_EQ(hit.status, DetectStatus::kSignal) << hit.reason;
  // The daily trend was up in October 2025: sell puts below support.
  EXPECT_EQ(hit.signal->direction, Direction::kLong);
  EXPECT_LT(hit.signal->structure_stop, ctx.price());
  EXPECT_TRUE(ctx.key_levels.Contains(hit.signal->structure_stop));
  in.options.iv_rank = 35.0;
  EXPECT_EQ(Detect(StrategyId::kHighIvRank, BuildContext(in, as_of).value()).status, DetectStatus::kNoSignal);
}

TEST_F(InputDetectors, PmccNeedsAQualifyingLeapsCall) {
  const UnixNanos as_of = LocalTime(Exchange::kNyse, "2025-10-08 15:20");
  SymbolInput in = UsInput("SPY", Spy1m(), as_of, 6, &SpyDaily());
  EXPECT_EQ(Detect(StrategyId::kPmcc, BuildContext(in, as_of).value()).status, DetectStatus::kNotApplicable);
  in.options.leaps = {{300, 560.0, 0.55, 130.0, 131.0, 5000, 800}};  // delta too low for a PMCC
  EXPECT_EQ(Detect(StrategyId::kPmcc, BuildContext(in, as_of).value()).status, DetectStatus::kNoSignal);
  in.options.leaps.push_back({300, 600.0, 0.78, 98.0, 99.5, 4200, 700});
  const Detection hit = Detect(StrategyId::kPmcc, BuildContext(in, as_of).value());
  ASSERT_EQ(hit.status, DetectStatus::kSignal) << hit.reason;
  EXPECT_NE(hit.signal->trigger.find("600.00"), std::string::npos);
}

TEST_F(InputDetectors, GexFlipFiresOnACrossOfTheSuppliedLevel) {
  const UnixNanos as_of = LocalTime(Exchange::kNyse, "2025-10-08 15:20");
  SymbolInput in = UsInput("SPY", Spy1m(), as_of, 6, &SpyDaily());
  const SymbolContext plain = BuildContext(in, as_of).value();
  EXPECT_EQ(Detect(StrategyId::kGexFlip, plain).status, DetectStatus::kNotApplicable);
  // A flip between the close 6 bars ago and the last close was crossed in the direction of the move.
  const std::size_t i = plain.last();
  const double then = plain.bars.close[i - 6];
  const double now = plain.bars.close[i];
  ASSERT_GT(std::fabs(now - then), 0.05);
  in.options.gamma_flip = 0.5 * (then + now);
  const Detection hit = Detect(StrategyId::kGexFlip, BuildContext(in, as_of).value());
  ASSERT_EQ(hit.status, DetectStatus::kSignal) << hit.reason;
  EXPECT_EQ(hit.signal->direction, now > then ? Direction::kLong : Direction::kShort);
  in.options.gamma_flip = now * 0.97;  // far below: nothing crossed
  EXPECT_EQ(Detect(StrategyId::kGexFlip, BuildContext(in, as_of).value()).status, DetectStatus::kNoSignal);
}

TEST_F(InputDetectors, NiftyIndexWithoutVolume) {
  // NIFTY 1-minute bars (IST, bar-end labels) carry no volume: VWAP strategies are not applicable, price
  // strategies still work.
  const UnixNanos pos = LocalTime(Exchange::kNse, "2022-11-01 09:55");
  const SymbolContext ctx = BuildContext(NiftyInput(pos), pos).value();
  EXPECT_FALSE(ctx.has_volume);
  EXPECT_EQ(Detect(StrategyId::kVwapAvwap, ctx).status, DetectStatus::kNotApplicable);
  EXPECT_EQ(Detect(StrategyId::kMiddayMeanRevert, ctx).status, DetectStatus::kNotApplicable);
  const Detection hit = Detect(StrategyId::kOrbRetest, ctx);
  ASSERT_EQ(hit.status, DetectStatus::kSignal) << hit.reason;
  EXPECT_EQ(hit.signal->direction, Direction::kLong);
  const UnixNanos neg = LocalTime(Exchange::kNse, "2022-11-01 12:30");
  EXPECT_EQ(Detect(StrategyId::kOrbRetest, BuildContext(NiftyInput(neg), neg).value()).status, DetectStatus::kNoSignal);
}

TEST(StrategyTable, EveryStrategyHasASpecInOrder) {
  ASSERT_EQ(AllStrategies().size(), kStrategyCount);
  for (std::size_t i = 0; i < kStrategyCount; ++i) {
    const StrategySpec& s = AllStrategies()[i];
    EXPECT_EQ(static_cast<std::size_t>(s.id), i);
    EXPECT_GE(s.min_rr, 1.2);
    EXPECT_EQ(ParseStrategyKey(s.key), s.id);
    EXPECT_LE(s.options.dte_min, s.options.dte_max);
    EXPECT_LT(s.options.delta_min, s.options.delta_max);
  }
}

}  // namespace
}  // namespace td::scanner::testing
