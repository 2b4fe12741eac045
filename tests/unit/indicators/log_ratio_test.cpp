// SPDX-License-Identifier: MIT
// detail::LogRatio (the log of a price ratio used by the historical volatilities) against the exact log in long
// double (64-bit mantissa: its own error is ~2^-9 of a double ulp) on millions of random ratios and on real SPY
// bars; against std::log(a / b); packed == scalar bit for bit; and the volatilities built on it against a plain
// long double recomputation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "indicators/log_ratio.hpp"
#include "indicators/volatility.hpp"
#include "unit/indicators/test_data.hpp"

namespace td::indicators {
namespace {

using testing::SameBits;

/// ln(a/b) to ~2^-62 relative: a − b is exact in long double for ratios this close to 1.
long double ExactLogRatio(double a, double b) {
  return std::log1p((static_cast<long double>(a) - static_cast<long double>(b)) / static_cast<long double>(b));
}

/// |got − exact| in units of the last place of the double nearest to exact.
double UlpError(double got, long double exact) {
  const double nearest = static_cast<double>(exact);
  const double ulp = std::nextafter(std::abs(nearest), std::numeric_limits<double>::infinity()) - std::abs(nearest);
  return static_cast<double>(std::abs(static_cast<long double>(got) - exact) / static_cast<long double>(ulp));
}

bool InSeriesRange(double a, double b) {
  const double s = (a - b) / (a + b);
  return s * s < detail::kLogRatioSeriesLimit;
}

/// Worst error over pairs (a, b), split into the series range and the std::log fallback.
struct ErrorStats {
  double worst_series_ulp = 0.0;
  double worst_fallback_ulp = 0.0;
  long series = 0;
  long fallback = 0;
  long differs_from_std_log_beyond_bound = 0;
  long fallback_not_std_log = 0;

  void Add(double a, double b) {
    const double got = detail::LogRatio(a, b);
    const long double exact = ExactLogRatio(a, b);
    if (exact == 0.0L) {
      EXPECT_EQ(got, 0.0) << a << " " << b;
      return;
    }
    const double err = UlpError(got, exact);
    const double std_log = std::log(a / b);
    if (InSeriesRange(a, b)) {
      ++series;
      worst_series_ulp = std::max(worst_series_ulp, err);
      // std::log(a / b) logs the rounded quotient: up to 2^-53·(a/b) away from ln(a/b) in absolute terms, plus its
      // own ~1 ulp. LogRatio is within 2.5 ulp of ln(a/b), so the two may differ by the sum, never more.
      const double exact_d = static_cast<double>(exact);
      const double ulp = std::nextafter(std::abs(exact_d), 1e300) - std::abs(exact_d);
      const double bound = 3.5 * ulp + std::ldexp(a / b, -53);
      if (std::abs(got - std_log) > bound) {
        ++differs_from_std_log_beyond_bound;
      }
    } else {
      ++fallback;
      worst_fallback_ulp = std::max(worst_fallback_ulp, err);
      if (!SameBits(got, std_log)) {
        ++fallback_not_std_log;
      }
    }
  }
};

TEST(LogRatio, WithinTwoAndAHalfUlpOfTheExactLogOnMillionsOfRandomRatios) {
  std::mt19937_64 rng(77);
  // Denominators over nine decades (prices from paise to index points), ratios within ±4 % of 1 (so both the
  // series and the fallback run), a quarter of them tiny moves within ±0.01 %, where cancellation would show.
  std::uniform_real_distribution<double> log_price(std::log(0.01), std::log(1e7));
  std::uniform_real_distribution<double> move(-0.04, 0.04);
  std::uniform_real_distribution<double> tiny(-1e-4, 1e-4);
  ErrorStats stats;
  for (int i = 0; i < 4'000'000; ++i) {
    const double b = std::exp(log_price(rng));
    const double a = b * (1.0 + (i % 4 == 0 ? tiny(rng) : move(rng)));
    stats.Add(a, b);
  }
  EXPECT_GT(stats.series, 2'500'000);
  EXPECT_GT(stats.fallback, 500'000);
  EXPECT_LE(stats.worst_series_ulp, 2.5);
  EXPECT_EQ(stats.differs_from_std_log_beyond_bound, 0);
  EXPECT_EQ(stats.fallback_not_std_log, 0);
  // The fallback's figure is std::log(a / b)'s own distance from ln(a/b): the rounding of the quotient.
  std::printf("LogRatio: worst %.3f ulp over %ld series ratios; fallback (std::log) worst %.3f ulp over %ld\n",
              stats.worst_series_ulp, stats.series, stats.worst_fallback_ulp, stats.fallback);
}

TEST(LogRatio, WithinTwoAndAHalfUlpOnRealBars) {
  const auto bars = testing::LoadMinuteBars(testing::kSpyMinutes);
  if (!bars || bars->size() < 1000) {
    GTEST_SKIP() << "SPY minute bars not found under " << testing::DataDir();
  }
  ErrorStats stats;
  for (std::size_t i = 0; i < bars->size(); ++i) {
    stats.Add(bars->high[i], bars->low[i]);
    stats.Add(bars->close[i], bars->open[i]);
    if (i > 0) {
      stats.Add(bars->close[i], bars->close[i - 1]);
    }
  }
  EXPECT_GT(stats.series, 140'000);
  EXPECT_LE(stats.worst_series_ulp, 2.5);
  EXPECT_EQ(stats.differs_from_std_log_beyond_bound, 0);
  EXPECT_EQ(stats.fallback_not_std_log, 0);
}

TEST(LogRatio, EdgeCases) {
  EXPECT_TRUE(SameBits(detail::LogRatio(523.17, 523.17), 0.0));
  EXPECT_TRUE(std::isnan(detail::LogRatio(std::nan(""), 1.0)));
  EXPECT_TRUE(std::isnan(detail::LogRatio(1.0, std::nan(""))));
  EXPECT_TRUE(std::isnan(detail::LogRatio(-1.0, 1.0)));
  EXPECT_TRUE(std::isnan(detail::LogRatio(0.0, 0.0)));
  EXPECT_EQ(detail::LogRatio(0.0, 1.0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(detail::LogRatio(1.0, 0.0), std::numeric_limits<double>::infinity());
  // Antisymmetric: (b − a)/(b + a) is exactly −s.
  EXPECT_EQ(detail::LogRatio(100.25, 100.0), -detail::LogRatio(100.0, 100.25));
  // Both sides of the series limit (s = 1/64 at a/b = 65/63).
  EXPECT_TRUE(InSeriesRange(65.0 * (1.0 - 1e-12), 63.0));
  EXPECT_FALSE(InSeriesRange(65.0 * (1.0 + 1e-12), 63.0));
  EXPECT_LE(UlpError(detail::LogRatio(65.0 * (1.0 - 1e-12), 63.0), ExactLogRatio(65.0 * (1.0 - 1e-12), 63.0)), 2.5);
  EXPECT_TRUE(SameBits(detail::LogRatio(66.0, 63.0), std::log(66.0 / 63.0)));
}

TEST(LogRatio, PackedEqualsScalarBitForBit) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> price(50.0, 600.0);
  std::uniform_real_distribution<double> move(-0.05, 0.05);
  long mixed = 0;
  for (int i = 0; i < 200'000; ++i) {
    const double b1 = price(rng);
    const double b2 = price(rng);
    const double a1 = b1 * (1.0 + move(rng));
    const double a2 = b2 * (1.0 + move(rng));
    const detail::DoublePair both = detail::LogRatio(detail::MakePair(a1, a2), detail::MakePair(b1, b2));
    ASSERT_TRUE(SameBits(detail::First(both), detail::LogRatio(a1, b1))) << a1 << "/" << b1;
    ASSERT_TRUE(SameBits(detail::Second(both), detail::LogRatio(a2, b2))) << a2 << "/" << b2;
    mixed += InSeriesRange(a1, b1) != InSeriesRange(a2, b2) ? 1 : 0;
  }
  EXPECT_GT(mixed, 10'000);  // one lane in range, the other not, was exercised
}

// HistVolCloseToClose scales the sample variance by a cached ppy/(n − 1) instead of dividing by n − 1 and then
// multiplying by ppy: against that form, fed the same log returns, at most two roundings apart (2^-51 relative).
TEST(LogRatio, CachedSampleScaleWithinTwoUlpOfDivideThenMultiply) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> step(0.0, 0.01);
  for (const int period : {2, 5, 20, 30}) {
    for (const double ppy : {252.0, 252.0 * 390.0, 365.25}) {
      HistVolCloseToClose hv(period, ppy);
      RollingMoments returns(period);
      double price = 100.0;
      double worst = 0.0;
      for (int i = 0; i < 20'000; ++i) {
        const double next = price * std::exp(step(rng));
        hv.Update(i == 0 ? price : next);
        if (i > 0) {
          returns.Update(detail::LogRatio(next, price));
          price = next;
        }
        if (hv.Ready()) {
          ASSERT_TRUE(returns.Full());
          const double old_form = std::sqrt(returns.SampleVariance() * ppy);
          worst = std::max(worst, std::abs(hv.Value() - old_form) / old_form);
        }
      }
      EXPECT_LE(worst, std::ldexp(1.0, -51)) << "period " << period << " ppy " << ppy;
    }
  }
}

/// Sample (or population) standard deviation of values[end − n, end) × √ppy, two-pass in long double.
double NaiveVolatility(const std::vector<long double>& values, std::size_t end, std::size_t n, double ppy,
                       bool sample) {
  long double mean = 0.0L;
  for (std::size_t k = end - n; k < end; ++k) {
    mean += values[k];
  }
  mean /= static_cast<long double>(n);
  long double ss = 0.0L;
  for (std::size_t k = end - n; k < end; ++k) {
    ss += (values[k] - mean) * (values[k] - mean);
  }
  const long double var = ss / static_cast<long double>(sample ? n - 1 : n);
  return static_cast<double>(std::sqrt(var * ppy));
}

TEST(LogRatio, VolatilitiesMatchLongDoubleRecomputationOnRealBars) {
  const auto bars = testing::LoadMinuteBars(testing::kSpyMinutes);
  if (!bars || bars->size() < 1000) {
    GTEST_SKIP() << "SPY minute bars not found under " << testing::DataDir();
  }
  const std::size_t n = bars->size();
  constexpr std::size_t kPeriod = 30;
  constexpr double kPpy = 252.0 * 390.0;
  std::vector<long double> returns(n, 0.0L);
  std::vector<long double> park(n);
  std::vector<long double> gk(n);
  const long double close_weight = 2.0L * std::log(2.0L) - 1.0L;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) {
      returns[i] = ExactLogRatio(bars->close[i], bars->close[i - 1]);
    }
    const long double hl = ExactLogRatio(bars->high[i], bars->low[i]);
    const long double co = ExactLogRatio(bars->close[i], bars->open[i]);
    park[i] = hl * hl / (4.0L * std::log(2.0L));
    gk[i] = 0.5L * hl * hl - close_weight * co * co;
  }
  HistVolCloseToClose c2c(static_cast<int>(kPeriod), kPpy);
  HistVolParkinson parkinson(static_cast<int>(kPeriod), kPpy);
  HistVolGarmanKlass garman_klass(static_cast<int>(kPeriod), kPpy);
  double worst_c2c = 0.0;
  double worst_park = 0.0;
  double worst_gk = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    c2c.Update(bars->close[i]);
    parkinson.Update(bars->high[i], bars->low[i]);
    garman_klass.Update(bars->open[i], bars->high[i], bars->low[i], bars->close[i]);
    if (i + 1 >= kPeriod + 1) {
      const double want = NaiveVolatility(returns, i + 1, kPeriod, kPpy, true);
      worst_c2c = std::max(worst_c2c, std::abs(c2c.Value() - want) / want);
    }
    if (i + 1 >= kPeriod) {
      long double park_mean = 0.0L;
      long double gk_mean = 0.0L;
      for (std::size_t k = i + 1 - kPeriod; k <= i; ++k) {
        park_mean += park[k];
        gk_mean += gk[k];
      }
      const double want_park = static_cast<double>(std::sqrt(park_mean / kPeriod * kPpy));
      const double want_gk = static_cast<double>(std::sqrt(std::max(gk_mean / kPeriod, 0.0L) * kPpy));
      worst_park = std::max(worst_park, std::abs(parkinson.Value() - want_park) / want_park);
      if (want_gk > 0.0) {
        worst_gk = std::max(worst_gk, std::abs(garman_klass.Value() - want_gk) / want_gk);
      }
    }
  }
  // The running sums' rounding (re-summed every four windows) dominates; the log and the cached scale add a few
  // ulp, far inside these bounds, which the old std::log form met as well.
  EXPECT_LT(worst_c2c, 1e-10);
  EXPECT_LT(worst_park, 1e-10);
  EXPECT_LT(worst_gk, 1e-9);
  std::printf("HV vs long double: close-to-close %.3g, Parkinson %.3g, Garman-Klass %.3g (relative)\n", worst_c2c,
              worst_park, worst_gk);
}

}  // namespace
}  // namespace td::indicators
