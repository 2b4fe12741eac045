// SPDX-License-Identifier: MIT
#include "options/black.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace td::options {
namespace {

TEST(BlackTest, HullTextbookExample) {
  // Hull, "Options, Futures and Other Derivatives", Example 15.6 (BS): S=42, K=40, r=10%, sigma=20%,
  // T=0.5 -> call 4.76, put 0.81 (4.7594 / 0.8086 to four decimals).
  const BsmMarket m{.spot = 42.0, .strike = 40.0, .t_years = 0.5, .rate = 0.10};
  EXPECT_NEAR(BsmPrice(OptionType::kCall, m, 0.20), 4.7594, 5e-5);
  EXPECT_NEAR(BsmPrice(OptionType::kPut, m, 0.20), 0.8086, 5e-5);
}

TEST(BlackTest, HaugTextbookExamples) {
  // Haug (2007), The Complete Guide to Option Pricing Formulas, 2nd ed.
  // Black-Scholes call S=60 K=65 T=0.25 r=8% sigma=30% -> 2.1334.
  EXPECT_NEAR(BsmPrice(OptionType::kCall, {.spot = 60, .strike = 65, .t_years = 0.25, .rate = 0.08}, 0.30), 2.1334,
              5e-5);
  // Generalized BS put S=75 K=70 T=0.5 r=10% b=5% (so q = r - b = 5%) sigma=35% -> 4.0870.
  EXPECT_NEAR(BsmPrice(OptionType::kPut,
                       {.spot = 75, .strike = 70, .t_years = 0.5, .rate = 0.10, .dividend_yield = 0.05}, 0.35),
              4.0870, 5e-5);
  // Merton with continuous dividend yield: put S=100 K=95 T=0.5 r=10% q=5% sigma=20% -> 2.4648.
  EXPECT_NEAR(BsmPrice(OptionType::kPut,
                       {.spot = 100, .strike = 95, .t_years = 0.5, .rate = 0.10, .dividend_yield = 0.05}, 0.20),
              2.4648, 5e-5);
  // Black-76: F=19 K=19 T=0.75 r=10% sigma=28% -> call = put = 1.7011.
  const Black76Market b{.forward = 19, .strike = 19, .t_years = 0.75, .rate = 0.10};
  EXPECT_NEAR(Black76Price(OptionType::kCall, b, 0.28), 1.7011, 5e-5);
  EXPECT_NEAR(Black76Price(OptionType::kPut, b, 0.28), 1.7011, 5e-5);
}

TEST(BlackTest, PutCallParityHoldsForBothModels) {
  for (double k : {50.0, 90.0, 100.0, 110.0, 200.0}) {
    for (double vol : {0.05, 0.3, 1.5}) {
      const BsmMarket m{.spot = 100, .strike = k, .t_years = 0.7, .rate = 0.04, .dividend_yield = 0.015};
      const double lhs = BsmPrice(OptionType::kCall, m, vol) - BsmPrice(OptionType::kPut, m, vol);
      const double rhs = 100.0 * std::exp(-0.015 * 0.7) - k * std::exp(-0.04 * 0.7);
      EXPECT_NEAR(lhs, rhs, 1e-12 * 200.0) << k << " " << vol;
      const Black76Market b{.forward = 100, .strike = k, .t_years = 0.7, .rate = 0.04};
      EXPECT_NEAR(Black76Price(OptionType::kCall, b, vol) - Black76Price(OptionType::kPut, b, vol),
                  std::exp(-0.04 * 0.7) * (100.0 - k), 1e-12 * 200.0);
      // Greeks obey parity too: delta_c - delta_p = e^{-qT}, gammas and vegas equal.
      const Greeks c = BsmGreeks(OptionType::kCall, m, vol);
      const Greeks p = BsmGreeks(OptionType::kPut, m, vol);
      EXPECT_NEAR(c.delta - p.delta, std::exp(-0.015 * 0.7), 1e-14);
      EXPECT_NEAR(c.gamma, p.gamma, 1e-15);
      EXPECT_NEAR(c.vega, p.vega, 1e-12);
    }
  }
}

TEST(BlackTest, UnitConventions) {
  // Raw greeks are per 1.00 vol, per year, per 1.00 rate; the helpers give per point and per day.
  const BsmMarket m{.spot = 100, .strike = 100, .t_years = 0.25, .rate = 0.05};
  const Greeks g = BsmGreeks(OptionType::kCall, m, 0.2);
  EXPECT_DOUBLE_EQ(g.VegaPerPoint(), g.vega / 100.0);
  EXPECT_DOUBLE_EQ(g.ThetaPerDay(), g.theta / 365.0);
  EXPECT_DOUBLE_EQ(g.RhoPerPoint(), g.rho / 100.0);
  // A one-point vol move changes the price by about VegaPerPoint.
  EXPECT_NEAR(BsmPrice(OptionType::kCall, m, 0.21) - g.price, g.VegaPerPoint(), 1e-3 * g.VegaPerPoint());
  // One calendar day less to expiry changes the price by about ThetaPerDay (negative: decay).
  BsmMarket next_day = m;
  next_day.t_years -= 1.0 / 365.0;
  EXPECT_LT(g.ThetaPerDay(), 0.0);
  EXPECT_NEAR(BsmPrice(OptionType::kCall, next_day, 0.2) - g.price, g.ThetaPerDay(), 0.01 * std::fabs(g.ThetaPerDay()));
  // One percentage point of rate changes the price by about RhoPerPoint.
  BsmMarket rate_up = m;
  rate_up.rate += 0.01;
  EXPECT_NEAR(BsmPrice(OptionType::kCall, rate_up, 0.2) - g.price, g.RhoPerPoint(), 0.01 * g.RhoPerPoint());
  // ATM 3-month 20% vol on 100: vega per point is about S sqrt(T) n(d1) / 100 ~ 0.198.
  EXPECT_NEAR(g.VegaPerPoint(), 0.1974, 1e-3);
}

TEST(BlackTest, ZeroVolatilityGivesDiscountedIntrinsic) {
  const Black76Market b{.forward = 110, .strike = 100, .t_years = 1.0, .rate = 0.05};
  EXPECT_NEAR(Black76Price(OptionType::kCall, b, 0.0), 10.0 * std::exp(-0.05), 1e-12);
  EXPECT_EQ(Black76Price(OptionType::kPut, b, 0.0), 0.0);
  const Greeks g = Black76Greeks(OptionType::kCall, b, 0.0);
  EXPECT_NEAR(g.delta, std::exp(-0.05), 1e-15);
  EXPECT_EQ(g.gamma, 0.0);
  EXPECT_EQ(g.vega, 0.0);
  const Black76Market expired{.forward = 110, .strike = 100, .t_years = 0.0, .rate = 0.05};
  EXPECT_EQ(Black76Price(OptionType::kCall, expired, 0.3), 10.0);
}

// Central differences of the price for every greek. `Pricer` maps bumped inputs to a price.
struct Inputs {
  double s, k, t, vol, r, q;
};

template <typename Pricer>
void CheckGreeksByBumping(const Greeks& g, const Inputs& in, Pricer price, const char* label) {
  auto at = [&](double ds, double dk, double dt, double dvol, double dr) {
    return price(Inputs{in.s + ds, in.k + dk, in.t + dt, in.vol + dvol, in.r + dr, in.q});
  };
  const double hs = 1e-5 * in.s;  // first derivatives
  const double hg = 5e-5 * in.s;  // second derivative in S
  const double hx = 1e-4 * in.s;  // cross derivatives
  const double hk = 1e-6 * in.k;
  const double ht = 1e-5;
  const double hv = 1e-5;
  const double hr = 1e-6;
  const double scale = in.s;  // absolute tolerances scale with the price level
  const double v0 = at(0, 0, 0, 0, 0);
  EXPECT_NEAR(g.price, v0, 1e-13 * scale) << label;
  const double delta = (at(hs, 0, 0, 0, 0) - at(-hs, 0, 0, 0, 0)) / (2 * hs);
  EXPECT_NEAR(g.delta, delta, 1e-7) << label;
  const double gamma = (at(hg, 0, 0, 0, 0) - 2 * v0 + at(-hg, 0, 0, 0, 0)) / (hg * hg);
  EXPECT_NEAR(g.gamma, gamma, 1e-6 / scale + 1e-5 * std::fabs(g.gamma)) << label;
  const double vega = (at(0, 0, 0, hv, 0) - at(0, 0, 0, -hv, 0)) / (2 * hv);
  EXPECT_NEAR(g.vega, vega, 1e-6 * scale) << label;
  const double theta = -(at(0, 0, ht, 0, 0) - at(0, 0, -ht, 0, 0)) / (2 * ht);
  EXPECT_NEAR(g.theta, theta, 1e-5 * scale + 1e-5 * std::fabs(theta)) << label;
  const double rho = (at(0, 0, 0, 0, hr) - at(0, 0, 0, 0, -hr)) / (2 * hr);
  EXPECT_NEAR(g.rho, rho, 1e-6 * scale) << label;
  const double hvx = 1e-4;
  const double vanna =
      (at(hx, 0, 0, hvx, 0) - at(hx, 0, 0, -hvx, 0) - at(-hx, 0, 0, hvx, 0) + at(-hx, 0, 0, -hvx, 0)) / (4 * hx * hvx);
  EXPECT_NEAR(g.vanna, vanna, 1e-5 + 1e-4 * std::fabs(vanna)) << label;
  const double th = 1e-5;
  const double charm =
      -(at(hx, 0, th, 0, 0) - at(hx, 0, -th, 0, 0) - at(-hx, 0, th, 0, 0) + at(-hx, 0, -th, 0, 0)) / (4 * hx * th);
  EXPECT_NEAR(g.charm, charm, 1e-5 + 1e-4 * std::fabs(charm)) << label;
  const double dual = (at(0, hk, 0, 0, 0) - at(0, -hk, 0, 0, 0)) / (2 * hk);
  EXPECT_NEAR(g.dual_delta, dual, 1e-7) << label;
}

TEST(BlackTest, EveryGreekMatchesBumpAndRepriceInBothModels) {
  const Inputs cases[] = {{100, 100, 0.5, 0.2, 0.05, 0.02},  {100, 80, 0.1, 0.35, 0.03, 0.0},
                          {100, 130, 1.5, 0.25, 0.07, 0.04}, {24500, 24000, 0.02, 0.12, 0.06, 0.01},
                          {50, 55, 2.0, 0.9, 0.01, 0.03},    {100, 100, 0.01, 0.15, -0.005, 0.0}};
  for (const Inputs& in : cases) {
    for (OptionType type : {OptionType::kCall, OptionType::kPut}) {
      const bool call = type == OptionType::kCall;
      const Greeks bsm = BsmGreeks(type, {in.s, in.k, in.t, in.r, in.q}, in.vol);
      CheckGreeksByBumping(
          bsm, in,
          [&](const Inputs& b) {
            return BsmPrice(type, {b.s, b.k, b.t, b.r, b.q}, b.vol);
          },
          call ? "bsm call" : "bsm put");
      // Black-76: the first input is the forward, q is unused.
      const Greeks b76 = Black76Greeks(type, {in.s, in.k, in.t, in.r}, in.vol);
      CheckGreeksByBumping(
          b76, in,
          [&](const Inputs& b) {
            return Black76Price(type, {b.s, b.k, b.t, b.r}, b.vol);
          },
          call ? "black76 call" : "black76 put");
    }
  }
}

}  // namespace
}  // namespace td::options
