// SPDX-License-Identifier: MIT
#include "options/normal.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "options/black.hpp"

namespace td::options {
namespace {

// Reference values computed with mpmath at 30 significant digits (ncdf, exp(u^2) erfc(u)).
TEST(NormalTest, CdfIsRelativelyAccurateDeepInTheTail) {
  const struct {
    double z;
    double expected;
  } cases[] = {{-0.5, 0.30853753872598689636},  {-1.5, 0.066807201268858066004},  {-5, 2.8665157187919391167e-7},
               {-10, 7.619853024160526066e-24}, {-20, 2.7536241186062336951e-89}, {-37.5, 4.6053530095819548438e-308},
               {2.5, 0.99379033467422386483}};
  for (const auto& c : cases) {
    EXPECT_NEAR(NormCdf(c.z) / c.expected, 1.0, 4e-15) << "z=" << c.z;
  }
}

TEST(NormalTest, ErfcxMatchesReference) {
  const struct {
    double u;
    double expected;
  } cases[] = {{0.3, 0.73459933456765514992},
               {4, 0.13699945762506138989},
               {12, 0.04685422101489376262},
               {30, 0.018795888861416751497},
               {-2.5, 1035.8148429726229083}};
  for (const auto& c : cases) {
    EXPECT_NEAR(Erfcx(c.u) / c.expected, 1.0, 4e-15) << "u=" << c.u;
  }
}

TEST(NormalTest, InverseCdfRoundTripsToFullPrecision) {
  for (double z = -37.0; z <= 8.0; z += 0.125) {
    const double p = NormCdf(z);
    const double back = InverseNormCdf(p);
    // For z > 0, p is close to 1 and carries an absolute error of half an ulp of 1, which maps to
    // 1.1e-16 / n(z) in z; below zero p has full relative precision.
    if (z < 6.0) {
      EXPECT_NEAR(back, z, 2e-14 * std::max(1.0, std::fabs(z)) + (z > 0.0 ? 2.3e-16 / NormPdf(z) : 0.0)) << "z=" << z;
    }
    EXPECT_NEAR(NormCdf(back), p, 4e-16 * p) << "z=" << z;
  }
  EXPECT_TRUE(std::isinf(InverseNormCdf(0.0)));
  EXPECT_TRUE(std::isnan(InverseNormCdf(1.5)));
}

// mpmath, 30 digits: e^{x/2} N(x/s + s/2) - e^{-x/2} N(x/s - s/2).
TEST(NormalTest, NormalisedBlackMatchesHighPrecisionReference) {
  const struct {
    double x;
    double s;
    double expected;
  } cases[] = {{-2.0, 0.1, 1.3683094548416367185e-91},
               {-0.5, 0.3, 0.0058982326105348201846},
               {-10.0, 0.5, 6.6403280345503210583e-91},
               {-0.001, 0.01, 0.0035093369186425419024},
               {-1.0, 3.0, 0.4777039972474732004}};
  for (const auto& c : cases) {
    EXPECT_NEAR(NormalisedBlackOtm(c.x, c.s) / c.expected, 1.0, 2e-13) << c.x << " " << c.s;
    EXPECT_NEAR(LogNormalisedBlackOtm(c.x, c.s), std::log(c.expected), 2e-13 * std::fabs(std::log(c.expected)));
  }
  // Where b underflows, its logarithm stays finite: x = -20, s = 0.1 gives ln b ~ -20000.
  EXPECT_EQ(NormalisedBlackOtm(-20.0, 0.1), 0.0);
  EXPECT_TRUE(std::isfinite(LogNormalisedBlackOtm(-20.0, 0.1)));
  EXPECT_LT(LogNormalisedBlackOtm(-20.0, 0.1), -19000.0);
}

}  // namespace
}  // namespace td::options
