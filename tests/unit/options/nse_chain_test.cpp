// SPDX-License-Identifier: MIT
// Our IVs beside NSE's published IV column on a real NIFTY option-chain snapshot (29-Aug-2025).
//
// Conventions chosen here: Black-76 on the forward implied by put-call parity (NIFTY pays a small dividend
// yield and the chain carries no underlying column, so a forward is both necessary and cleaner than a spot
// with an assumed q); discount rate 6.5 % (Indian T-bill level in Aug 2025; with 4 days to expiry its effect
// on IV is negligible); calendar time from NSE's as-of time to expiry at 15:30 IST, / 365 days. NSE computes
// its IV with Black-Scholes on the spot with its own rate and time conventions (not published), from the
// last traded price, so the two agree only to within some tenths of a vol point (see the assertion).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nse_snapshot.hpp"
#include "options/chain.hpp"
#include "options/implied_vol.hpp"
#include "test_data.hpp"

namespace td::options {
namespace {

constexpr const char* kSnapshot = "20250829_123446";  // NSE as-of 29-Aug-2025 12:33:51 IST
constexpr const char* kExpiry = "02-Sep-2025";
// 29-Aug 12:33:51 -> 02-Sep 15:30:00 IST: 4 days 2 h 56 min 9 s.
constexpr double kDaysToExpiry = 4.0 + (2.0 * 3600.0 + 56.0 * 60.0 + 9.0) / 86400.0;

// Parsed once per test run; both tests use the same expiry of the same snapshot.
const std::vector<testing::NseRow>& LoadSnapshot(const std::string& path) {
  static const std::vector<testing::NseRow> rows =
      testing::RowsOfExpiry(testing::ReadNseSnapshot(path, kSnapshot), kExpiry);
  return rows;
}

double MedianOf(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

TEST(NseChainTest, OurIvAgreesWithNsePublishedIvNearTheMoney) {
  const std::string path = testing::DataFile("india/nifty_option_chain_snapshots/20250829_NIFTY.csv.gz");
  if (path.empty()) {
    GTEST_SKIP() << "NIFTY snapshots not found under " << testing::DataDir();
  }
  const auto rows = LoadSnapshot(path);
  ASSERT_GT(rows.size(), 50u);
  ChainSlice slice;
  slice.t_years = kDaysToExpiry / 365.0;
  slice.rate = 0.065;
  slice.multiplier = 75.0;  // NIFTY lot size from 2025
  for (const testing::NseRow& r : rows) {
    slice.strikes.push_back(r.quote);
  }
  auto fwd = ImpliedForward(slice);
  ASSERT_TRUE(fwd.ok()) << fwd.error().ToString();
  const double f = fwd->forward;
  // NIFTY traded around 24,430 at midday on 29-Aug-2025.
  EXPECT_GT(f, 24000.0);
  EXPECT_LT(f, 25000.0);

  const auto ivs = StrikeIvs(slice, f);
  std::vector<double> diff_mid;   // our IV from mids minus NSE IV, vol points, OTM side
  std::vector<double> diff_last;  // our IV from LTP minus NSE IV
  std::printf("forward %.2f (from %d strikes), T = %.5f y\n", f, fwd->strikes_used, slice.t_years);
  std::printf("%8s %6s %8s %8s %8s\n", "strike", "side", "ours_mid", "ours_ltp", "nse");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const StrikeQuote& q = rows[i].quote;
    if (std::fabs(q.strike / f - 1.0) > 0.05) {
      continue;
    }
    const bool call_side = q.strike >= f;
    const double bid = call_side ? q.call_bid : q.put_bid;
    const double ask = call_side ? q.call_ask : q.put_ask;
    const double last = call_side ? q.call_last : q.put_last;
    const double nse = call_side ? rows[i].call_iv_nse : rows[i].put_iv_nse;
    if (!(bid > 0.0 && ask > 0.0 && nse > 0.0)) {
      continue;
    }
    const double ours_mid = 100.0 * ivs[i].otm_iv;
    const OptionType type = call_side ? OptionType::kCall : OptionType::kPut;
    auto ltp_iv = ImpliedVolBlack76(type, {f, q.strike, slice.t_years, slice.rate}, last);
    const double ours_last = ltp_iv.ok() ? 100.0 * *ltp_iv : std::nan("");
    std::printf("%8.0f %6s %8.3f %8.3f %8.3f\n", q.strike, call_side ? "C" : "P", ours_mid, ours_last, nse);
    if (std::isfinite(ours_mid)) {
      diff_mid.push_back(std::fabs(ours_mid - nse));
    }
    if (std::isfinite(ours_last)) {
      diff_last.push_back(std::fabs(ours_last - nse));
    }
  }
  ASSERT_GE(diff_mid.size(), 20u);
  const double median_mid = MedianOf(diff_mid);
  const double median_last = MedianOf(diff_last);
  std::printf("median |ours - NSE|: from mids %.3f vol points, from LTP %.3f vol points (n=%zu)\n", median_mid,
              median_last, diff_mid.size());
  // Observed: ours is systematically ~0.2 vol points below NSE's across the smile (median 0.195 from mids,
  // 0.196 from LTP on this snapshot) — consistent with NSE measuring a slightly shorter time to expiry
  // (~5 % less variance time) and using the spot; the shape of the smile matches to a few hundredths.
  EXPECT_LT(median_mid, 0.3);
  EXPECT_LT(median_last, 0.3);
}

TEST(NseChainTest, ChainAnalyticsOnTheRealSnapshot) {
  const std::string path = testing::DataFile("india/nifty_option_chain_snapshots/20250829_NIFTY.csv.gz");
  if (path.empty()) {
    GTEST_SKIP() << "NIFTY snapshots not found";
  }
  const auto rows = LoadSnapshot(path);
  ChainSlice slice;
  slice.t_years = kDaysToExpiry / 365.0;
  slice.rate = 0.065;
  slice.multiplier = 75.0;
  for (const testing::NseRow& r : rows) {
    slice.strikes.push_back(r.quote);
  }
  const double f = ImpliedForward(slice)->forward;
  const auto ivs = StrikeIvs(slice, f);
  auto atm = AtmIv(ivs, f);
  ASSERT_TRUE(atm.ok());
  EXPECT_GT(*atm, 0.05);
  EXPECT_LT(*atm, 0.20);
  auto skew = Skew25Delta(ivs, f, slice.t_years);
  ASSERT_TRUE(skew.ok()) << skew.error().ToString();
  auto straddle = AtmStraddle(slice, f);
  ASSERT_TRUE(straddle.ok());
  // The straddle-implied one-sigma move and the IV-based move agree to within ~10 % on a liquid index.
  EXPECT_NEAR(straddle->sigma_move / IvExpectedMove(f, *atm, slice.t_years), 1.0, 0.1);
  auto pain = MaxPain(slice);
  ASSERT_TRUE(pain.ok());
  EXPECT_NEAR(*pain, f, 0.03 * f);
  const PutCallRatios pcr = PutCallRatio(slice);
  EXPECT_GT(pcr.by_oi, 0.2);
  EXPECT_LT(pcr.by_oi, 3.0);
  const GammaExposure gex = GammaExposureAt(slice, ivs, f);
  auto flip = ZeroGammaLevel(slice, ivs, f);
  std::printf(
      "ATM IV %.2f%%, RR25 %.2f, BF25 %.2f vol pts, straddle %.1f at %.0f, max pain %.0f, PCR(OI) %.3f, "
      "GEX %.3g INR/1%%, flip %s\n",
      100.0 * *atm, 100.0 * skew->risk_reversal, 100.0 * skew->butterfly, straddle->straddle, straddle->strike, *pain,
      pcr.by_oi, gex.total, flip.ok() ? std::to_string(*flip).c_str() : flip.error().message.c_str());
  // Index skew: puts richer than calls.
  EXPECT_LT(skew->risk_reversal, 0.0);
}

}  // namespace
}  // namespace td::options
