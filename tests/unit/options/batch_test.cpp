// SPDX-License-Identifier: MIT
#include "options/batch.hpp"

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "options/implied_vol.hpp"

namespace td::options {
namespace {

bool SameBits(double a, double b) {
  return std::memcmp(&a, &b, sizeof(double)) == 0;
}

TEST(BatchTest, BitwiseEqualToPerOptionSolveAndGreeks) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int e = 0; e < 40; ++e) {
    const ExpiryMarket expiry{100.0 * std::exp(0.3 * (unit(rng) - 0.5)), 1.0 / 365.0 + 3.0 * unit(rng),
                              0.1 * (unit(rng) - 0.3)};
    std::vector<ExpiryOption> options;
    for (int i = 0; i < 60; ++i) {
      const double vol = 0.05 + unit(rng);
      const double strike = expiry.forward * std::exp(2.0 * vol * std::sqrt(expiry.t_years) * (unit(rng) - 0.5));
      const OptionType type = i % 2 == 0 ? OptionType::kCall : OptionType::kPut;
      const double price = Black76Price(type, {expiry.forward, strike, expiry.t_years, expiry.rate}, vol);
      options.push_back({type, strike, price});
    }
    // Edge rows: price at intrinsic (iv 0), below intrinsic, above the bound, bad strike.
    const double df = std::exp(-expiry.rate * expiry.t_years);
    options.push_back({OptionType::kCall, 0.9 * expiry.forward, df * 0.1 * expiry.forward});
    options.push_back({OptionType::kCall, 0.9 * expiry.forward, 0.5 * df * 0.1 * expiry.forward});
    options.push_back({OptionType::kPut, 0.9 * expiry.forward, expiry.forward});
    options.push_back({OptionType::kPut, -1.0, 1.0});
    std::vector<IvGreeks> out(options.size());
    ASSERT_TRUE(ImpliedVolsAndGreeks(expiry, options, out).ok());
    for (std::size_t i = 0; i < options.size(); ++i) {
      const ExpiryOption& o = options[i];
      if (!(o.strike > 0.0)) {
        EXPECT_TRUE(std::isnan(out[i].iv));
        continue;
      }
      const Black76Market m{expiry.forward, o.strike, expiry.t_years, expiry.rate};
      const auto iv = ImpliedVolBlack76(o.type, m, o.price);
      if (!iv.ok()) {
        EXPECT_TRUE(std::isnan(out[i].iv)) << i;
        EXPECT_EQ(out[i].greeks.price, 0.0);
        continue;
      }
      ASSERT_TRUE(SameBits(out[i].iv, *iv)) << i << " " << out[i].iv << " " << *iv;
      const Greeks g = Black76Greeks(o.type, m, *iv);
      const double* a = &out[i].greeks.price;
      const double* b = &g.price;
      for (int k = 0; k < 9; ++k) {
        EXPECT_TRUE(SameBits(a[k], b[k])) << "option " << i << " greek " << k;
      }
    }
  }
}

TEST(BatchTest, PriceAtIntrinsicGivesZeroVolAndTheZeroVolGreeks) {
  std::vector<ExpiryOption> options{{OptionType::kCall, 90.0, 10.0}, {OptionType::kPut, 90.0, 0.0}};
  std::vector<IvGreeks> out(2);
  ASSERT_TRUE(ImpliedVolsAndGreeks({100.0, 0.5, 0.0}, options, out).ok());
  EXPECT_EQ(out[0].iv, 0.0);
  EXPECT_EQ(out[0].greeks.price, 10.0);
  EXPECT_EQ(out[0].greeks.delta, 1.0);
  EXPECT_EQ(out[1].iv, 0.0);
  EXPECT_EQ(out[1].greeks.delta, 0.0);
}

TEST(BatchTest, BadExpiryIsAnError) {
  std::vector<ExpiryOption> options{{OptionType::kCall, 100.0, 5.0}};
  std::vector<IvGreeks> out(1);
  const Status s = ImpliedVolsAndGreeks({100.0, 0.0, 0.05}, options, out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().field, "market");
}

}  // namespace
}  // namespace td::options
