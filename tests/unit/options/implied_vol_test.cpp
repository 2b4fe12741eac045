// SPDX-License-Identifier: MIT
#include "options/implied_vol.hpp"

#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

namespace td::options {
namespace {

TEST(ImpliedVolTest, MillionRandomRoundTripsToFullPrecision) {
  // |ln(F/K)| up to 3 standard deviations, sigma 5..100 %, T from one day to two years, calls and puts
  // (so both OTM and ITM), a non-zero rate. Seeded for reproducibility.
  std::mt19937_64 rng(20250829);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  constexpr int kCases = 1'000'000;
  double worst = 0.0;
  long iterations = 0;
  int max_iterations = 0;
  for (int i = 0; i < kCases; ++i) {
    const double sigma = 0.05 + 0.95 * unit(rng);
    const double t = 1.0 / 365.0 + (2.0 - 1.0 / 365.0) * unit(rng);
    const double s = sigma * std::sqrt(t);
    const double x = (2.0 * unit(rng) - 1.0) * 3.0 * s;
    const OptionType type = unit(rng) < 0.5 ? OptionType::kCall : OptionType::kPut;
    const Black76Market market{.forward = 100.0, .strike = 100.0 * std::exp(-x), .t_years = t, .rate = 0.03};
    const double price = Black76Price(type, market, sigma);
    const auto iv = ImpliedVolBlack76(type, market, price);
    ASSERT_TRUE(iv.ok()) << iv.error().ToString() << " sigma=" << sigma << " t=" << t << " x=" << x;
    worst = std::max(worst, std::fabs(*iv - sigma));
    int n = 0;
    ImpliedTotalStdDevOtm(NormalisedBlackOtm(-std::fabs(x), s), -std::fabs(x), &n);
    iterations += n;
    max_iterations = std::max(max_iterations, n);
  }
  EXPECT_LE(worst, 1e-12);
  const double mean_iterations = static_cast<double>(iterations) / kCases;
  EXPECT_LE(mean_iterations, 3.0);
  EXPECT_LE(max_iterations, 4);
  RecordProperty("worst_abs_vol_error", std::to_string(worst));
  RecordProperty("mean_householder_iterations", std::to_string(mean_iterations));
  std::printf("1M round trip: worst |dsigma| = %.3g, mean iterations %.3f, max %d\n", worst, mean_iterations,
              max_iterations);
}

TEST(ImpliedVolTest, NormalisedSolverIsRelativelyAccurateFarOutsideTheTestBox) {
  // Out-of-the-money normalised prices from deep wings (|x|/s up to ~30) to very large s, as long as
  // b is a normal double: relative error of s stays near the evaluation noise.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  double worst = 0.0;
  for (int i = 0; i < 200'000; ++i) {
    const double s = std::exp(-7.0 + 9.0 * unit(rng));  // 1e-3 .. 7.4
    const double x = -8.0 * unit(rng);
    const double b = NormalisedBlackOtm(x, s);
    if (!(b > 1e-300)) {
      continue;
    }
    const double back = ImpliedTotalStdDevOtm(b, x);
    worst = std::max(worst, std::fabs(back - s) / s);
  }
  EXPECT_LE(worst, 1e-12);
}

TEST(ImpliedVolTest, TinyPricesUseTheLogObjective) {
  // b ~ 1e-200: deep OTM, short-dated. Solved from ln b, no underflow.
  const double x = -3.0;
  const double s = 0.1;
  const double b = NormalisedBlackOtm(x, s);
  ASSERT_GT(b, 0.0);
  ASSERT_LT(b, 1e-150);
  EXPECT_NEAR(ImpliedTotalStdDevOtm(b, x), s, 1e-14 * s);
}

TEST(ImpliedVolTest, BoundsAreStructuredErrors) {
  const Black76Market m{.forward = 100, .strike = 90, .t_years = 0.5, .rate = 0.05};
  const double df = std::exp(-0.05 * 0.5);
  // Below intrinsic (ITM call worth less than df (F - K)).
  auto below = ImpliedVolBlack76(OptionType::kCall, m, 9.0 * df);
  ASSERT_FALSE(below.ok());
  EXPECT_EQ(below.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(below.error().field, "price");
  // At and above the upper bound df F for a call, df K for a put.
  EXPECT_FALSE(ImpliedVolBlack76(OptionType::kCall, m, 100.0 * df).ok());
  EXPECT_FALSE(ImpliedVolBlack76(OptionType::kCall, m, 150.0).ok());
  EXPECT_FALSE(ImpliedVolBlack76(OptionType::kPut, m, 90.0 * df).ok());
  // Negative, NaN and infinite prices; bad market inputs.
  EXPECT_FALSE(ImpliedVolBlack76(OptionType::kPut, m, -1.0).ok());
  EXPECT_FALSE(ImpliedVolBlack76(OptionType::kPut, m, std::numeric_limits<double>::quiet_NaN()).ok());
  EXPECT_FALSE(ImpliedVolBlack76(OptionType::kPut, m, std::numeric_limits<double>::infinity()).ok());
  auto bad_t = ImpliedVolBlack76(OptionType::kCall, {100, 90, 0.0, 0.05}, 12.0);
  ASSERT_FALSE(bad_t.ok());
  EXPECT_EQ(bad_t.error().field, "market");
  EXPECT_FALSE(ImpliedVolBlack76(OptionType::kCall, {-100, 90, 0.5, 0.05}, 12.0).ok());
  EXPECT_FALSE(ImpliedVolBsm(OptionType::kCall, {0.0, 90, 0.5, 0.05, 0.0}, 12.0).ok());
}

TEST(ImpliedVolTest, PriceExactlyAtIntrinsicGivesZeroVol) {
  const Black76Market m{.forward = 100, .strike = 90, .t_years = 0.5, .rate = 0.0};
  // A zero price out of the money and an ITM price equal to intrinsic both mean sigma = 0.
  auto zero = ImpliedVolBlack76(OptionType::kPut, m, 0.0);
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(*zero, 0.0);
  auto intrinsic = ImpliedVolBlack76(OptionType::kCall, m, 10.0);
  ASSERT_TRUE(intrinsic.ok());
  EXPECT_EQ(*intrinsic, 0.0);
  // Normalised API: same conventions.
  EXPECT_EQ(*ImpliedTotalStdDev(0.0, -0.1, OptionType::kCall), 0.0);
  EXPECT_FALSE(ImpliedTotalStdDev(1.0, 0.0, OptionType::kCall).ok());  // b_max = e^0 = 1
}

TEST(ImpliedVolTest, ExtremesNearTheBoundsAndShortExpiries) {
  // Deep ITM and OTM with very short expiry (one hour) and very long (30 years at 200 % vol).
  const struct {
    double k;
    double t;
    double sigma;
  } cases[] = {{100.0, 1.0 / (365.0 * 24.0), 0.2},
               {101.0, 1.0 / (365.0 * 24.0), 0.2},
               {99.0, 1.0 / (365.0 * 24.0), 0.2},
               {100.0, 30.0, 2.0},
               {1e4, 30.0, 2.0},
               {1.0, 1.0 / 365.0, 3.0},
               {60.0, 1.0, 0.05},
               {250.0, 0.25, 0.9}};
  for (const auto& c : cases) {
    for (OptionType type : {OptionType::kCall, OptionType::kPut}) {
      const Black76Market m{.forward = 100.0, .strike = c.k, .t_years = c.t, .rate = 0.0};
      const Greeks g = Black76Greeks(type, m, c.sigma);
      auto iv = ImpliedVolBlack76(type, m, g.price);
      const double intrinsic = std::max(0.0, Theta(type) * (100.0 - c.k));
      if (g.price - intrinsic <= 1e-14 * std::max(1.0, g.price)) {
        // No information left in the price: either 0 vol or (rounding) any small vol is acceptable.
        ASSERT_TRUE(iv.ok());
        continue;
      }
      ASSERT_TRUE(iv.ok()) << iv.error().ToString() << " K=" << c.k << " T=" << c.t;
      EXPECT_NEAR(*iv, c.sigma, 4e-16 * std::max(1.0, g.price) / g.vega + 5e-14 * c.sigma)
          << "K=" << c.k << " T=" << c.t << " type=" << (type == OptionType::kCall ? "C" : "P");
    }
  }
  // Price a hair below the upper bound: a huge but finite vol.
  const Black76Market m{.forward = 100, .strike = 100, .t_years = 1.0, .rate = 0.0};
  auto huge = ImpliedVolBlack76(OptionType::kCall, m, 100.0 * (1.0 - 1e-12));
  ASSERT_TRUE(huge.ok());
  EXPECT_GT(*huge, 10.0);
  EXPECT_NEAR(Black76Price(OptionType::kCall, m, *huge), 100.0 * (1.0 - 1e-12), 1e-12);
}

TEST(ImpliedVolTest, BsmAndBlack76Agree) {
  const BsmMarket m{.spot = 42, .strike = 40, .t_years = 0.5, .rate = 0.10, .dividend_yield = 0.02};
  const double price = BsmPrice(OptionType::kPut, m, 0.27);
  auto iv = ImpliedVolBsm(OptionType::kPut, m, price);
  ASSERT_TRUE(iv.ok());
  EXPECT_NEAR(*iv, 0.27, 1e-14);
}

}  // namespace
}  // namespace td::options
