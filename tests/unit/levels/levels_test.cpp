// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cmath>

#include "levels/anchors.hpp"
#include "levels/gaps.hpp"
#include "levels/key_levels.hpp"
#include "levels/swings.hpp"
#include "levels/volume_profile.hpp"
#include "levels/zones.hpp"
#include "bar_columns.hpp"

namespace td::levels {
namespace {

using testing::BarColumns;

BarColumns FromHighsLows(const std::vector<double>& highs, const std::vector<double>& lows) {
  BarColumns bars;
  for (std::size_t i = 0; i < highs.size(); ++i) {
    const double mid = (highs[i] + lows[i]) / 2;
    bars.Add(mid, highs[i], lows[i], mid);
  }
  return bars;
}

TEST(SwingsTest, FindsFractalsOfWidthTwo) {
  const BarColumns bars = FromHighsLows({1, 2, 3, 2, 1, 2, 5, 2, 1}, {0, 1, 2, 1, 0, 1, 4, 1, 0});
  const auto swings = FindSwings(bars.View(), 2);
  std::vector<std::pair<std::size_t, SwingKind>> got;
  for (const auto& s : swings) {
    got.emplace_back(s.index, s.kind);
  }
  const std::vector<std::pair<std::size_t, SwingKind>> want{{2, SwingKind::kHigh}, {4, SwingKind::kLow},
                                                             {6, SwingKind::kHigh}};
  EXPECT_EQ(got, want);
  EXPECT_DOUBLE_EQ(swings[2].price, 5.0);
}

TEST(SwingsTest, FlatTopYieldsItsFirstBarAndUnconfirmedEdgesAreSkipped) {
  const BarColumns bars = FromHighsLows({1, 3, 3, 1, 0}, {0.5, 2, 2, 0.5, -1});
  const auto swings = FindSwings(bars.View(), 1);
  ASSERT_EQ(swings.size(), 1U);
  EXPECT_EQ(swings[0].index, 1U);
  EXPECT_TRUE(FindSwings(bars.View(), 3).empty());
  EXPECT_TRUE(FindSwings(bars.View(), 0).empty());
}

TEST(FairValueGapTest, BullishGapFillsProgressively) {
  BarColumns bars;
  bars.Add(9.5, 10, 9, 9.8);
  bars.Add(9.8, 12, 9.8, 11.9);  // displacement
  bars.Add(11.9, 12.5, 11, 12.2);  // low 11 > high 10 two bars back: gap [10, 11]
  bars.Add(12.2, 12.4, 10.5, 10.8);
  auto gaps = FindFairValueGaps(bars.View());
  ASSERT_EQ(gaps.size(), 1U);
  EXPECT_EQ(gaps[0].direction, GapDirection::kBullish);
  EXPECT_EQ(gaps[0].index, 1U);
  EXPECT_DOUBLE_EQ(gaps[0].top, 11.0);
  EXPECT_DOUBLE_EQ(gaps[0].bottom, 10.0);
  EXPECT_DOUBLE_EQ(gaps[0].filled_fraction, 0.5);
  bars.Add(10.8, 11, 9.5, 9.7);
  gaps = FindFairValueGaps(bars.View());
  ASSERT_FALSE(gaps.empty());
  EXPECT_TRUE(gaps[0].Filled());
  EXPECT_TRUE(FindFairValueGaps(bars.View(), 1.5).empty());  // narrower than the minimum
}

TEST(FairValueGapTest, OverlappingBarsHaveNoGap) {
  const BarColumns bars = FromHighsLows({10, 11, 12, 13}, {9, 9.5, 9.8, 10.9});
  EXPECT_TRUE(FindFairValueGaps(bars.View()).empty());
}

TEST(VolumeProfileTest, ConservesVolumeAndFindsValueArea) {
  BarColumns bars;
  bars.Add(100, 110, 100, 105, 1000);  // spread over the whole range
  bars.Add(104, 104, 104, 104, 5000);  // a zero-range print lands in one bin
  bars.Add(101, 102, 101, 101.5, 500);
  auto profile = BuildVolumeProfile(bars.View(), 10);
  ASSERT_TRUE(profile.ok());
  double sum = 0;
  for (double v : profile->volume) {
    sum += v;
  }
  EXPECT_NEAR(sum, 6500.0, 1e-9);
  EXPECT_DOUBLE_EQ(profile->poc, 104.5);  // the bin [104, 105)
  EXPECT_GE(profile->value_area_fraction, 0.70);
  EXPECT_LE(profile->val, 104.0);
  EXPECT_GE(profile->vah, 105.0);
  EXPECT_LE(profile->val, profile->poc);
  EXPECT_GE(profile->vah, profile->poc);
}

TEST(VolumeProfileTest, RejectsBadArguments) {
  BarColumns bars;
  EXPECT_EQ(BuildVolumeProfile(bars.View()).error().field, "bars");
  bars.Add(1, 2, 1, 2, 0);
  EXPECT_EQ(BuildVolumeProfile(bars.View()).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(BuildVolumeProfile(bars.View(), 0).error().field, "bins");
  EXPECT_EQ(BuildVolumeProfile(bars.View(), 10, 1.5).error().field, "value_area_share");
}

TEST(FibonacciTest, RetracementsAndExtensionsOfAnUpAndDownLeg) {
  auto up = FibonacciLevels(100, 200);
  EXPECT_DOUBLE_EQ(up[3].price, 138.2);  // 0.618 retracement
  EXPECT_DOUBLE_EQ(up[2].price, 150.0);
  EXPECT_NEAR(up[6].price, 261.8, 1e-9);  // 1.618 extension
  EXPECT_TRUE(up[6].extension);
  auto down = FibonacciLevels(200, 100);
  EXPECT_DOUBLE_EQ(down[3].price, 161.8);
  EXPECT_NEAR(down[6].price, 38.2, 1e-9);
}

BarColumns DemandZoneFixture() {
  BarColumns bars;
  for (int i = 0; i < 14; ++i) {
    bars.Add(100, 101, 99, 100);  // ATR ~2
  }
  bars.Add(100.2, 100.6, 99.8, 100.4);  // base (range 0.8)
  bars.Add(100.4, 104.5, 100.3, 104.3);  // impulse up, range 4.2
  bars.Add(104.3, 105, 103.5, 104.8);
  return bars;
}

TEST(ZonesTest, DemandZoneIsFreshThenTestedThenBroken) {
  BarColumns bars = DemandZoneFixture();
  auto zones = FindZones(bars.View(), {}, 2.0);
  ASSERT_EQ(zones.size(), 1U);
  EXPECT_EQ(zones[0].kind, ZoneKind::kDemand);
  EXPECT_DOUBLE_EQ(zones[0].proximal, 100.4);
  EXPECT_DOUBLE_EQ(zones[0].distal, 99.8);
  EXPECT_EQ(zones[0].freshness, Freshness::kFresh);
  const double fresh_strength = zones[0].strength;

  bars.Add(104.8, 104.9, 100.2, 101);  // dips into the zone, closes above the distal edge
  zones = FindZones(bars.View(), {}, 2.0);
  ASSERT_EQ(zones.size(), 1U);
  EXPECT_EQ(zones[0].freshness, Freshness::kTested);
  EXPECT_EQ(zones[0].touches, 1);
  EXPECT_LT(zones[0].strength, fresh_strength);

  bars.Add(101, 101.2, 99, 99.5);  // closes below the distal edge
  zones = FindZones(bars.View(), {}, 2.0);
  EXPECT_EQ(zones.back().freshness, Freshness::kBroken);
}

TEST(ZonesTest, NoImpulseNoZone) {
  BarColumns bars;
  for (int i = 0; i < 30; ++i) {
    bars.Add(100, 101, 99, 100.5);
  }
  EXPECT_TRUE(FindZones(bars.View()).empty());
}

TEST(LiquidityPoolTest, EqualHighsFormAPoolThatGetsSwept) {
  const BarColumns bars =
      FromHighsLows({10, 11, 15, 11, 10, 11, 15.02, 11, 10, 12}, {9, 10, 14, 10, 9, 10, 14, 10, 9, 11});
  auto pools = FindLiquidityPools(bars.View(), 2, 0.05);
  ASSERT_EQ(pools.size(), 1U);
  EXPECT_TRUE(pools[0].above);
  EXPECT_EQ(pools[0].members, 2);
  EXPECT_DOUBLE_EQ(pools[0].price, 15.02);
  EXPECT_FALSE(pools[0].swept);

  BarColumns swept = bars;
  swept.Add(12, 15.5, 12, 14.5);  // wick through, close back below
  pools = FindLiquidityPools(swept.View(), 2, 0.05);
  ASSERT_EQ(pools.size(), 2U);  // the new bar also confirms a second equal low at 9
  EXPECT_TRUE(pools[0].above);
  EXPECT_TRUE(pools[0].swept);
  EXPECT_FALSE(pools[0].taken);
  EXPECT_FALSE(pools[1].above);
  EXPECT_DOUBLE_EQ(pools[1].price, 9.0);
  swept.Add(14.5, 15.6, 14, 15.4);  // closes above: the pool is taken
  EXPECT_TRUE(FindLiquidityPools(swept.View(), 2, 0.05)[0].taken);
  EXPECT_TRUE(FindLiquidityPools(bars.View(), 2, 0.001).empty());  // too far apart to be "equal"
}

TEST(KeyLevelSetTest, MergesWithinToleranceKeepingTheStrongestPrice) {
  std::vector<LevelCandidate> candidates{
      {100.00, LevelKind::kSwingHigh, "swing high", 0.5},
      {100.05, LevelKind::kPriorDayHigh, "PDH", 1.0},
      {100.08, LevelKind::kSwingHigh, "swing high", 0.5},
      {105.00, LevelKind::kRoundNumber, "105", 0.5},
      {95.00, LevelKind::kVwap, "VWAP", 1.0},
      {std::nan(""), LevelKind::kEma, "EMA20", 1.0},
      {-1.0, LevelKind::kEma, "EMA50", 1.0},
  };
  const KeyLevelSet set = BuildKeyLevelSet(candidates, 0.1, 2);
  ASSERT_EQ(set.levels().size(), 3U);
  const KeyLevel& merged = set.levels()[1];
  EXPECT_DOUBLE_EQ(merged.price, 100.05);
  EXPECT_EQ(merged.label, "PDH + swing high");
  EXPECT_EQ(merged.kinds.size(), 2U);
  EXPECT_NEAR(merged.score, 0.9 + 0.1, 1e-12);
  EXPECT_TRUE(merged.primary);
  EXPECT_TRUE(set.levels()[0].primary);  // VWAP 0.8
  EXPECT_FALSE(set.levels()[2].primary);
  EXPECT_TRUE(set.Contains(100.05));
  EXPECT_FALSE(set.Contains(100.0));

  const auto above = set.Above(96.0, 5);
  ASSERT_EQ(above.size(), 2U);
  EXPECT_DOUBLE_EQ(above[0].price, 100.05);
  const auto below = set.Below(105.0, 5);
  ASSERT_EQ(below.size(), 2U);
  EXPECT_DOUBLE_EQ(below[0].price, 100.05);
  EXPECT_DOUBLE_EQ(below[1].price, 95.0);
  EXPECT_EQ(set.Above(96.0, 5, true).size(), 1U);
  EXPECT_DOUBLE_EQ(set.Nearest(104.9, 0.2)->price, 105.0);
  EXPECT_FALSE(set.Nearest(102.0, 0.5).has_value());
}

TEST(AnchorsTest, PicksSessionOpenPriorExtremesAndGap) {
  BarColumns bars;
  std::vector<std::int32_t> sessions;
  const double day1[][4] = {{100, 101, 99, 100}, {100, 103, 100, 102}, {102, 102, 97, 98}, {98, 99, 98, 99}};
  for (const auto& b : day1) {
    bars.Add(b[0], b[1], b[2], b[3]);
    sessions.push_back(1);
  }
  const double day2[][4] = {{104, 105, 103.5, 104.5}, {104.5, 105, 104, 104.2}};
  for (const auto& b : day2) {
    bars.Add(b[0], b[1], b[2], b[3]);
    sessions.push_back(2);
  }
  const auto anchors = SelectVwapAnchors(bars.View(), sessions, {.swing_width = 1, .swing_lookback = 50, .gap_atr = 0.5});
  std::vector<std::pair<std::size_t, AnchorReason>> got;
  for (const auto& a : anchors) {
    got.emplace_back(a.index, a.reason);
    EXPECT_TRUE(std::isfinite(a.vwap));
  }
  EXPECT_NE(std::find(got.begin(), got.end(), std::pair<std::size_t, AnchorReason>{4, AnchorReason::kSessionOpen}), got.end());
  EXPECT_NE(std::find(got.begin(), got.end(), std::pair<std::size_t, AnchorReason>{1, AnchorReason::kPriorSessionHigh}), got.end());
  EXPECT_NE(std::find(got.begin(), got.end(), std::pair<std::size_t, AnchorReason>{2, AnchorReason::kPriorSessionLow}), got.end());
  EXPECT_NE(std::find(got.begin(), got.end(), std::pair<std::size_t, AnchorReason>{4, AnchorReason::kGap}), got.end());
  // AVWAP from the last bar alone is that bar's typical price.
  EXPECT_DOUBLE_EQ(AnchoredVwap(bars.View(), 5), (105 + 104 + 104.2) / 3.0);
}

}  // namespace
}  // namespace td::levels
