// SPDX-License-Identifier: MIT
#include "options/chain.hpp"

#include <cmath>
#include <numbers>
#include <vector>

#include <gtest/gtest.h>

namespace td::options {
namespace {

// A chain priced by Black-76 from `vol_of(strike)`, with symmetric half-spreads around model prices.
ChainSlice SyntheticChain(double forward, double t, double rate, double (*vol_of)(double, double)) {
  ChainSlice slice;
  slice.underlying = forward * std::exp(-0.02 * t);  // spot below forward: carry 2 %
  slice.t_years = t;
  slice.rate = rate;
  slice.multiplier = 75.0;
  for (double k = forward * 0.8; k <= forward * 1.2 + 1e-9; k += forward * 0.01) {
    const double strike = std::round(k);
    const double vol = vol_of(strike, forward);
    const Black76Market m{forward, strike, t, rate};
    const double call = Black76Price(OptionType::kCall, m, vol);
    const double put = Black76Price(OptionType::kPut, m, vol);
    StrikeQuote q;
    q.strike = strike;
    q.call_bid = call - 0.05;
    q.call_ask = call + 0.05;
    q.put_bid = put - 0.05;
    q.put_ask = put + 0.05;
    if (q.call_bid <= 0.0) {
      q.call_bid = q.call_ask = 0.0;
    }
    if (q.put_bid <= 0.0) {
      q.put_bid = q.put_ask = 0.0;
    }
    slice.strikes.push_back(q);
  }
  return slice;
}

double FlatVol(double, double) {
  return 0.18;
}
double SkewedVol(double k, double f) {
  return 0.18 - 0.4 * std::log(k / f);
}  // puts richer

TEST(ChainTest, ForwardFromParityEqualsTheGeneratingForward) {
  const ChainSlice slice = SyntheticChain(20000.0, 30.0 / 365.0, 0.065, SkewedVol);
  auto fwd = ImpliedForward(slice);
  ASSERT_TRUE(fwd.ok()) << fwd.error().ToString();
  EXPECT_NEAR(fwd->forward, 20000.0, 1e-6);
  EXPECT_EQ(fwd->strikes_used, 5);
  EXPECT_NEAR(fwd->implied_carry, 0.02, 1e-9);
  EXPECT_NEAR(fwd->discount_factor, std::exp(-0.065 * 30.0 / 365.0), 1e-15);
}

TEST(ChainTest, ForwardIsRobustToOneBadQuote) {
  ChainSlice slice = SyntheticChain(20000.0, 30.0 / 365.0, 0.065, FlatVol);
  // Corrupt the ATM call (a stale quote 40 points too high): the median ignores it.
  for (StrikeQuote& q : slice.strikes) {
    if (q.strike == 20000.0) {
      q.call_bid += 40.0;
      q.call_ask += 40.0;
    }
  }
  auto fwd = ImpliedForward(slice);
  ASSERT_TRUE(fwd.ok());
  EXPECT_NEAR(fwd->forward, 20000.0, 1e-6);
  ChainSlice empty;
  empty.t_years = 0.1;
  EXPECT_FALSE(ImpliedForward(empty).ok());
}

TEST(ChainTest, StrikeIvsRecoverTheSmileAndAtmIsInterpolatedAtTheForward) {
  const double f = 20000.0;
  const ChainSlice slice = SyntheticChain(f, 30.0 / 365.0, 0.065, SkewedVol);
  const auto ivs = StrikeIvs(slice, f);
  ASSERT_EQ(ivs.size(), slice.strikes.size());
  for (const StrikeIv& iv : ivs) {
    // Mids equal model prices exactly (symmetric spread), so IVs are exact.
    if (std::isfinite(iv.call_iv)) {
      EXPECT_NEAR(iv.call_iv, SkewedVol(iv.strike, f), 1e-9) << iv.strike;
    }
    // Far wings fall back to the deep ITM side, where the price carries fewer digits of time value.
    EXPECT_NEAR(iv.otm_iv, SkewedVol(iv.strike, f), 1e-7) << iv.strike;
  }
  auto atm = AtmIv(ivs, f);
  ASSERT_TRUE(atm.ok());
  EXPECT_NEAR(*atm, 0.18, 1e-9);
  // Between strikes: linear interpolation in strike.
  auto between = AtmIv(ivs, 20100.0);
  ASSERT_TRUE(between.ok());
  EXPECT_NEAR(*between, 0.5 * (SkewedVol(20000.0, f) + SkewedVol(20200.0, f)), 1e-9);
}

TEST(ChainTest, ThirtyDayConstantMaturityInterpolatesTotalVariance) {
  const TermPoint points[] = {{40.0 / 365.0, 0.25}, {20.0 / 365.0, 0.20}, {90.0 / 365.0, 0.30}};
  auto cm = ConstantMaturityIv(points);
  ASSERT_TRUE(cm.ok());
  // w(20d) = 0.04 * 20/365, w(40d) = 0.0625 * 40/365; halfway in time: w(30d) = (0.8 + 2.5)/2/365.
  EXPECT_NEAR(*cm, std::sqrt((0.04 * 20 + 0.0625 * 40) / 2.0 / 30.0), 1e-15);
  // Outside the range the nearest expiry's vol is held flat.
  EXPECT_NEAR(*ConstantMaturityIv(points, 5.0 / 365.0), 0.20, 1e-15);
  EXPECT_NEAR(*ConstantMaturityIv(points, 1.0), 0.30, 1e-15);
  EXPECT_FALSE(ConstantMaturityIv(std::span<const TermPoint>{}).ok());
  auto slope = TermStructureSlope(points);
  ASSERT_TRUE(slope.ok());
  EXPECT_GT(*slope, 0.0);  // contango
  const TermPoint line[] = {{0.1, 0.20}, {0.3, 0.24}};
  EXPECT_NEAR(*TermStructureSlope(line), 0.2, 1e-12);
}

TEST(ChainTest, IvRankAndPercentileFromIvHistory) {
  const std::vector<double> history = {0.10, 0.12, 0.15, 0.20, 0.30};
  EXPECT_NEAR(*IvRank(history, 0.20), 50.0, 1e-12);        // (0.20 - 0.10) / (0.30 - 0.10)
  EXPECT_NEAR(*IvPercentile(history, 0.20), 60.0, 1e-12);  // 3 of 5 days strictly below
  EXPECT_EQ(*IvRank(history, 0.50), 100.0);
  EXPECT_EQ(*IvRank(history, 0.05), 0.0);
  EXPECT_EQ(*IvPercentile(history, 0.05), 0.0);
  EXPECT_EQ(*IvRank(std::vector<double>{0.2, 0.2}, 0.2), 50.0);
  EXPECT_FALSE(IvRank({}, 0.2).ok());
  EXPECT_FALSE(IvPercentile({}, 0.2).ok());
  EXPECT_NEAR(IvHvRatio(0.18, 0.12), 1.5, 1e-15);
  EXPECT_TRUE(std::isnan(IvHvRatio(0.18, 0.0)));
}

TEST(ChainTest, TwentyFiveDeltaRiskReversalAndButterfly) {
  const double f = 20000.0;
  const double t = 30.0 / 365.0;
  const ChainSlice flat = SyntheticChain(f, t, 0.065, FlatVol);
  auto flat_skew = Skew25Delta(StrikeIvs(flat, f), f, t);
  ASSERT_TRUE(flat_skew.ok()) << flat_skew.error().ToString();
  EXPECT_NEAR(flat_skew->risk_reversal, 0.0, 1e-9);
  EXPECT_NEAR(flat_skew->butterfly, 0.0, 1e-9);
  const ChainSlice skewed = SyntheticChain(f, t, 0.065, SkewedVol);
  auto skew = Skew25Delta(StrikeIvs(skewed, f), f, t);
  ASSERT_TRUE(skew.ok());
  // The 25-delta put sits below the forward where the smile is higher: negative risk reversal. With a
  // smile linear in log-strike, RR ~ -0.4 (ln K25c - ln K25p) and the butterfly is ~ 0.
  EXPECT_LT(skew->risk_reversal, -0.01);
  const double k_25c = f * std::exp(0.6745 * 0.18 * std::sqrt(t));  // rough 25-delta strikes
  const double k_25p = f * std::exp(-0.6745 * 0.18 * std::sqrt(t));
  EXPECT_NEAR(skew->risk_reversal, -0.4 * std::log(k_25c / k_25p), 0.005);
  EXPECT_NEAR(skew->butterfly, 0.0, 0.002);
}

TEST(ChainTest, StraddleAndExpectedMoves) {
  const double f = 20000.0;
  const double t = 30.0 / 365.0;
  const ChainSlice slice = SyntheticChain(f, t, 0.0, FlatVol);
  auto straddle = AtmStraddle(slice, f);
  ASSERT_TRUE(straddle.ok());
  EXPECT_EQ(straddle->strike, 20000.0);
  // ATM straddle = 2 F (2 N(s/2) - 1) ~ F s sqrt(2/pi); its sigma_move ~ F s (within O(s^2)).
  const double s = 0.18 * std::sqrt(t);
  EXPECT_NEAR(straddle->straddle, 2.0 * f * (std::erf(s / (2.0 * std::numbers::sqrt2))), 1e-6);
  EXPECT_NEAR(straddle->sigma_move, f * s, 1e-3 * f * s);
  EXPECT_NEAR(IvExpectedMove(f, 0.18, t), f * s, 1e-9);
}

TEST(ChainTest, MaxPainAndPutCallRatios) {
  // Hand-built: strikes 90/100/110. Payout at settle S = sum call_oi (S-K)+ + put_oi (K-S)+:
  // S=90: calls 0; puts 100:200*10 + 110:50*20 = 3000          -> 3000
  // S=100: calls 90:100*10 = 1000; puts 110:50*10 = 500        -> 1500
  // S=110: calls 90:100*20 + 100:300*10 = 5000; puts 0         -> 5000
  ChainSlice slice;
  slice.t_years = 0.05;
  slice.strikes = {{.strike = 90, .call_oi = 100, .put_oi = 400, .call_volume = 10, .put_volume = 30},
                   {.strike = 100, .call_oi = 300, .put_oi = 200, .call_volume = 50, .put_volume = 20},
                   {.strike = 110, .call_oi = 600, .put_oi = 50, .call_volume = 40, .put_volume = 10}};
  auto pain = MaxPain(slice);
  ASSERT_TRUE(pain.ok());
  EXPECT_EQ(*pain, 100.0);
  const PutCallRatios pcr = PutCallRatio(slice);
  EXPECT_NEAR(pcr.by_oi, 650.0 / 1000.0, 1e-15);
  EXPECT_NEAR(pcr.by_volume, 60.0 / 100.0, 1e-15);
  EXPECT_TRUE(std::isnan(PutCallRatio(ChainSlice{}).by_oi));
  EXPECT_FALSE(MaxPain(ChainSlice{}).ok());
}

TEST(ChainTest, GammaExposureSignConventionAndUnits) {
  const double f = 100.0;
  ChainSlice slice;
  slice.t_years = 0.1;
  slice.rate = 0.0;
  slice.multiplier = 50.0;
  slice.strikes = {{.strike = 100, .call_oi = 1000}};
  std::vector<StrikeIv> ivs = {{.strike = 100, .call_iv = 0.2, .put_iv = 0.2, .otm_iv = 0.2}};
  const double gamma = Black76Greeks(OptionType::kCall, {f, 100, 0.1, 0.0}, 0.2).gamma;
  const GammaExposure calls = GammaExposureAt(slice, ivs, f);
  // Currency per 1 % move: gamma * OI * multiplier * S^2 * 0.01, calls positive.
  EXPECT_NEAR(calls.total, gamma * 1000 * 50 * f * f * 0.01, 1e-9);
  EXPECT_GT(calls.by_strike[0], 0.0);
  slice.strikes[0] = {.strike = 100, .put_oi = 1000};
  EXPECT_NEAR(TotalGammaExposure(slice, ivs, f), -gamma * 1000 * 50 * f * f * 0.01, 1e-9);
}

TEST(ChainTest, ZeroGammaFlipBetweenPutAndCallWalls) {
  // Heavy put OI at 95, heavy call OI at 105: GEX is negative below ~100 and positive above.
  ChainSlice slice;
  slice.t_years = 7.0 / 365.0;
  slice.rate = 0.0;
  slice.strikes = {{.strike = 95, .put_oi = 5000}, {.strike = 105, .call_oi = 5000}};
  const std::vector<StrikeIv> ivs = {{.strike = 95, .call_iv = 0.2, .put_iv = 0.2, .otm_iv = 0.2},
                                     {.strike = 105, .call_iv = 0.2, .put_iv = 0.2, .otm_iv = 0.2}};
  EXPECT_LT(TotalGammaExposure(slice, ivs, 96.0), 0.0);
  EXPECT_GT(TotalGammaExposure(slice, ivs, 104.0), 0.0);
  auto flip = ZeroGammaLevel(slice, ivs, 100.0);
  ASSERT_TRUE(flip.ok()) << flip.error().ToString();
  EXPECT_GT(*flip, 99.0);
  EXPECT_LT(*flip, 101.0);
  EXPECT_NEAR(TotalGammaExposure(slice, ivs, *flip), 0.0, 1e-6 * std::fabs(TotalGammaExposure(slice, ivs, 104.0)));
  // With only calls there is no flip.
  slice.strikes[0].put_oi = 0.0;
  EXPECT_FALSE(ZeroGammaLevel(slice, ivs, 100.0).ok());
}

}  // namespace
}  // namespace td::options
