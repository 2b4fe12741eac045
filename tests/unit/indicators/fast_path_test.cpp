// SPDX-License-Identifier: MIT
// The streaming fast paths (packed pairs, masks instead of branches, doubling windows, per-slot commits) are
// checked bit for bit against plain textbook forms written here with ordinary branches and scalars, on six
// months of real SPY 1-minute bars and on a synthetic series with gaps, flat stretches and zero volumes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "indicators/batch.hpp"
#include "indicators/block_kernels.hpp"
#include "indicators/ichimoku.hpp"
#include "unit/indicators/test_data.hpp"

namespace td::indicators {
namespace {

using testing::FirstDifference;
using testing::MinuteBars;

/// Real bars when the data folder is present, else nothing (the synthetic series still runs).
const MinuteBars* RealBars() {
  static const std::optional<MinuteBars> bars = testing::LoadMinuteBars(testing::kSpyMinutes);
  return bars && bars->size() > 1000 ? &*bars : nullptr;
}

/// A random walk with flat stretches (equal closes and highs), zero-volume bars, sessions of varying length and
/// slots that some sessions skip.
MinuteBars SyntheticBars() {
  MinuteBars b;
  std::mt19937_64 rng(42);
  std::normal_distribution<double> step(0.0, 0.001);
  std::exponential_distribution<double> wick(2000.0);
  std::uniform_int_distribution<int> dice(0, 9);
  double price = 100.0;
  std::int64_t session = 1;
  std::int32_t slot = 0;
  for (int i = 0; i < 40000; ++i) {
    const double open = price;
    if (i % 997 >= 40) {  // the first 40 bars of every 997 are flat
      price *= std::exp(step(rng));
    }
    const bool flat = i % 997 < 40;
    b.open.push_back(open);
    b.close.push_back(price);
    b.high.push_back(flat ? price : std::max(open, price) * (1.0 + wick(rng)));
    b.low.push_back(flat ? price : std::min(open, price) * (1.0 - wick(rng)));
    b.volume.push_back(dice(rng) == 0 ? 0.0 : std::floor(1000.0 * (1.0 + wick(rng) * 500.0)));
    b.session.push_back(session);
    b.slot.push_back(slot);
    slot += dice(rng) == 0 ? 2 : 1;  // a skipped slot now and then
    if (slot >= (session % 5 == 0 ? 30 : 60)) {
      slot = dice(rng) == 0 ? 1 : 0;
      ++session;
    }
  }
  return b;
}

template <typename Check>
void ForEachSeries(Check check) {
  check(SyntheticBars(), "synthetic");
  if (const MinuteBars* real = RealBars()) {
    check(*real, "SPY");
  }
}

/// Runs a packed high/low window against a RollingMax and a RollingMin of the same period; returns the first
/// bar that differs in a bit or in readiness, or -1.
long FirstHighLowDifference(const MinuteBars& b, int period) {
  RollingHighLow window(period);
  RollingMax max(period);
  RollingMin min(period);
  for (std::size_t i = 0; i < b.size(); ++i) {
    window.Update(b.high[i], b.low[i]);
    max.Update(b.high[i]);
    min.Update(b.low[i]);
    if (!testing::SameBits(window.High(), max.Value()) || !testing::SameBits(window.Low(), min.Value()) ||
        window.Ready() != max.Ready()) {
      return static_cast<long>(i);
    }
  }
  return -1;
}

TEST(FastPath, PackedHighLowWindowEqualsRollingMaxAndMin) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    for (const int period : {1, 2, 3, 9, 26, 52, 64, 100}) {
      EXPECT_EQ(FirstHighLowDifference(b, period), -1) << what << " period " << period;
    }
  });
}

TEST(FastPath, PackedHighLowWindowKeepsNaNAsRollingMaxAndMin) {
  // A NaN high or low passes through the same comparisons as in RollingMax/RollingMin.
  MinuteBars b = SyntheticBars();
  for (std::size_t i = 0; i < b.size(); i += 97) {
    b.high[i] = kNaN;
    b.low[(i + 13) % b.size()] = kNaN;
  }
  for (const int period : {1, 5, 26}) {
    EXPECT_EQ(FirstHighLowDifference(b, period), -1) << "period " << period;
  }
}

/// A copy, a copy assignment over a window of another period and a move, each taken mid-block from a window
/// that is then destroyed, carry on bit for bit as a window fed every bar: the copies walk their own buffers.
TEST(FastPath, PackedHighLowWindowCopiedMidBlockCarriesOn) {
  const MinuteBars b = SyntheticBars();
  for (const int period : {1, 9, 26}) {
    RollingHighLow reference(period);
    auto original = std::make_unique<RollingHighLow>(period);
    const std::size_t split = static_cast<std::size_t>(3 * period + period / 2 + 1);
    for (std::size_t i = 0; i < split; ++i) {
      reference.Update(b.high[i], b.low[i]);
      original->Update(b.high[i], b.low[i]);
    }
    RollingHighLow copied(*original);
    RollingHighLow assigned(period + 7);
    assigned.Update(1.0, 0.5);
    assigned = *original;
    RollingHighLow moved_from(*original);
    RollingHighLow moved(std::move(moved_from));
    original.reset();
    for (std::size_t i = split; i < std::min<std::size_t>(b.size(), 2000); ++i) {
      for (RollingHighLow* w : {&reference, &copied, &assigned, &moved}) {
        w->Update(b.high[i], b.low[i]);
      }
      for (const RollingHighLow* w : {&copied, &assigned, &moved}) {
        ASSERT_TRUE(testing::SameBits(w->High(), reference.High())) << "period " << period << " bar " << i;
        ASSERT_TRUE(testing::SameBits(w->Low(), reference.Low())) << "period " << period << " bar " << i;
      }
    }
  }
}

TEST(FastPath, IchimokuCopiedMidStreamCarriesOn) {
  const MinuteBars b = SyntheticBars();
  Ichimoku reference;
  auto original = std::make_unique<Ichimoku>();
  const std::size_t split = 100;  // inside a tenkan and a kijun block, with every window full
  for (std::size_t i = 0; i < split; ++i) {
    reference.Update(b.high[i], b.low[i], b.close[i]);
    original->Update(b.high[i], b.low[i], b.close[i]);
  }
  Ichimoku copied(*original);
  Ichimoku assigned(5, 10, 21, 7);
  assigned = *original;
  original.reset();
  for (std::size_t i = split; i < std::min<std::size_t>(b.size(), 2000); ++i) {
    for (Ichimoku* x : {&reference, &copied, &assigned}) {
      x->Update(b.high[i], b.low[i], b.close[i]);
    }
    for (const Ichimoku* x : {&copied, &assigned}) {
      ASSERT_TRUE(testing::SameBits(x->Tenkan(), reference.Tenkan())) << "bar " << i;
      ASSERT_TRUE(testing::SameBits(x->Kijun(), reference.Kijun())) << "bar " << i;
      ASSERT_TRUE(testing::SameBits(x->SenkouB(), reference.SenkouB())) << "bar " << i;
      ASSERT_TRUE(testing::SameBits(x->CloudA(), reference.CloudA())) << "bar " << i;
    }
  }
}

/// Every line of `a` and `b` has the same bits (NaN matching NaN).
bool SameIchimokuLines(const Ichimoku& a, const Ichimoku& b) {
  return testing::SameBits(a.Tenkan(), b.Tenkan()) && testing::SameBits(a.Kijun(), b.Kijun()) &&
         testing::SameBits(a.SenkouA(), b.SenkouA()) && testing::SameBits(a.SenkouB(), b.SenkouB()) &&
         testing::SameBits(a.CloudA(), b.CloudA()) && testing::SameBits(a.CloudB(), b.CloudB()) &&
         testing::SameBits(a.LaggedClose(), b.LaggedClose()) && a.Ready() == b.Ready();
}

// The warm-up has no count of its own: a filling window reports (+∞, +∞), so Reset must restore that state in
// every window and in the ring, and a copy taken during the warm-up must carry it. Senkou B as two kijun windows
// (52) and as a window of its own (51).
TEST(FastPath, IchimokuResetAndCopiesDuringWarmUpStartOver) {
  const MinuteBars b = SyntheticBars();
  for (const int senkou_b : {52, 51}) {
    Ichimoku fresh(9, 26, senkou_b, 26);
    Ichimoku reset(9, 26, senkou_b, 26);
    for (std::size_t i = 0; i < 100; ++i) {
      reset.Update(b.high[i] * 1.5, b.low[i] * 0.5, b.close[i]);
    }
    reset.Reset();
    std::unique_ptr<Ichimoku> copied;
    long nan_bars = 0;
    for (std::size_t i = 0; i < 300; ++i) {
      fresh.Update(b.high[i], b.low[i], b.close[i]);
      reset.Update(b.high[i], b.low[i], b.close[i]);
      if (i == 20) {
        copied = std::make_unique<Ichimoku>(fresh);
      } else if (copied) {
        copied->Update(b.high[i], b.low[i], b.close[i]);
        ASSERT_TRUE(SameIchimokuLines(*copied, fresh)) << "copy, senkou B " << senkou_b << " bar " << i;
      }
      ASSERT_TRUE(SameIchimokuLines(reset, fresh)) << "reset, senkou B " << senkou_b << " bar " << i;
      nan_bars += std::isnan(fresh.SenkouB()) ? 1 : 0;
    }
    EXPECT_EQ(nan_bars, senkou_b - 1) << "senkou B is NaN exactly while its window fills";
  }
}

/// Ichimoku's lines against their definitions on RollingMax/RollingMin (one window per line, the shifted lines
/// from a plain history); returns the first bar where a line differs in a bit, or -1. Covers senkou B as two
/// kijun windows (52 = 2 × 26, 120 = 2 × 60) and as a window of its own, and shifts shorter than kijun.
long FirstIchimokuDifference(const MinuteBars& b, int tenkan, int kijun, int senkou_b, int displacement) {
  Ichimoku ichimoku(tenkan, kijun, senkou_b, displacement);
  RollingMax tenkan_high(tenkan), kijun_high(kijun), senkou_high(senkou_b);
  RollingMin tenkan_low(tenkan), kijun_low(kijun), senkou_low(senkou_b);
  std::vector<double> senkou_a_history, senkou_b_history;
  for (std::size_t i = 0; i < b.size(); ++i) {
    ichimoku.Update(b.high[i], b.low[i], b.close[i]);
    tenkan_high.Update(b.high[i]);
    kijun_high.Update(b.high[i]);
    senkou_high.Update(b.high[i]);
    tenkan_low.Update(b.low[i]);
    kijun_low.Update(b.low[i]);
    senkou_low.Update(b.low[i]);
    const double t = 0.5 * (tenkan_high.Value() + tenkan_low.Value());
    const double k = 0.5 * (kijun_high.Value() + kijun_low.Value());
    const double a = 0.5 * (t + k);
    const double sb = 0.5 * (senkou_high.Value() + senkou_low.Value());
    senkou_a_history.push_back(a);
    senkou_b_history.push_back(sb);
    const bool shifted = i >= static_cast<std::size_t>(displacement);
    const double cloud_a = shifted ? senkou_a_history[i - static_cast<std::size_t>(displacement)] : kNaN;
    const double cloud_b = shifted ? senkou_b_history[i - static_cast<std::size_t>(displacement)] : kNaN;
    const double lagged = shifted ? b.close[i - static_cast<std::size_t>(displacement)] : kNaN;
    if (!testing::SameBits(ichimoku.Tenkan(), t) || !testing::SameBits(ichimoku.Kijun(), k) ||
        !testing::SameBits(ichimoku.SenkouA(), a) || !testing::SameBits(ichimoku.SenkouB(), sb) ||
        !testing::SameBits(ichimoku.CloudA(), cloud_a) || !testing::SameBits(ichimoku.CloudB(), cloud_b) ||
        !testing::SameBits(ichimoku.LaggedClose(), lagged) || !testing::SameBits(ichimoku.Chikou(), b.close[i])) {
      return static_cast<long>(i);
    }
  }
  return -1;
}

TEST(FastPath, IchimokuLinesEqualTheirDefinitions) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    EXPECT_EQ(FirstIchimokuDifference(b, 9, 26, 52, 26), -1) << what << " 9/26/52/26";
    EXPECT_EQ(FirstIchimokuDifference(b, 9, 26, 51, 26), -1) << what << " 9/26/51/26";
    EXPECT_EQ(FirstIchimokuDifference(b, 20, 60, 120, 30), -1) << what << " 20/60/120/30";
    EXPECT_EQ(FirstIchimokuDifference(b, 9, 26, 52, 5), -1) << what << " 9/26/52/5";
    EXPECT_EQ(FirstIchimokuDifference(b, 2, 3, 6, 40), -1) << what << " 2/3/6/40";
    EXPECT_EQ(FirstIchimokuDifference(b, 1, 1, 2, 1), -1) << what << " 1/1/2/1";
    EXPECT_EQ(FirstIchimokuDifference(b, 2, 3, 4, 2), -1) << what << " 2/3/4/2";
  });
}

/// Which rounding ReferenceAdx follows. kAsAdx is Adx's own: the TR and DM averages are kept n times over (the
/// seed sum, then x + β·avg), DI = DM average / (TR average × 0.01) (the n cancels), and the ADX averages
/// DX/n = |+DM − −DM| / ((+DM + −DM)·n/100) (its seed is the sum of n such terms). kTextbook is the usual order:
/// DM averages of DM, DI = 100·DM/TR, DX = 100·|+DM − −DM|/(+DM + −DM) from the DM averages, ADX = Wilder average
/// of DX. kDxFromDi takes DX from the rounded DI instead (the form before both).
enum class AdxRounding { kAsAdx, kTextbook, kDxFromDi };

/// The textbook ADX with scalars and branches, TR as the largest of the three differences, in any of the three
/// roundings; T is double, or long double for the accuracy reference.
template <typename T>
struct ReferenceAdx {
  ReferenceAdx(int n, AdxRounding r) : period(n), rounding(r) {}
  static T Max(T a, T b) { return a < b ? b : a; }
  void Update(T h, T l, T c) {
    if (has_prev) {
      const T t = Max(h - l, Max(std::abs(h - pc), std::abs(l - pc)));
      const T up = h - ph;
      const T down = pl - l;
      const T plus_move = up > down && up > 0 ? up : T{0};
      const T minus_move = down > up && down > 0 ? down : T{0};
      const bool as_adx = rounding == AdxRounding::kAsAdx;
      const T alpha = T{1} / period;
      const T beta = T{1} - T{1} / period;
      ++changes;
      if (changes <= period) {
        tr += t;
        plus += plus_move;
        minus += minus_move;
        if (changes == period && !as_adx && period != 1) {
          tr = tr * alpha;
          plus = plus * alpha;
          minus = minus * alpha;
        }
      } else if (as_adx) {
        tr = t + beta * tr;
        plus = plus_move + beta * plus;
        minus = minus_move + beta * minus;
      } else {
        tr = alpha * t + beta * tr;
        plus = alpha * plus_move + beta * plus;
        minus = alpha * minus_move + beta * minus;
      }
      if (changes >= period) {
        pdi = tr > 0 ? (as_adx ? plus / (tr * T(0.01)) : 100 * plus / tr) : T{0};
        mdi = tr > 0 ? (as_adx ? minus / (tr * T(0.01)) : 100 * minus / tr) : T{0};
        const T p = rounding == AdxRounding::kDxFromDi ? pdi : plus;
        const T m = rounding == AdxRounding::kDxFromDi ? mdi : minus;
        T term;  // DX/n for kAsAdx, DX otherwise
        if (as_adx) {
          const T divisor = (p + m) * (T(period) / 100);
          term = divisor > 0 ? std::abs(p - m) / divisor : T{0};
        } else {
          const T sum = p + m;
          term = sum > 0 ? 100 * std::abs(p - m) / sum : T{0};
        }
        const int dx_count = changes - period + 1;
        if (dx_count <= period) {
          adx += term;
          if (dx_count == period && !as_adx) {
            adx = period == 1 ? adx : adx * (T{1} / period);
          }
        } else {
          adx = as_adx ? term + beta * adx : T{1} / period * term + beta * adx;
        }
      }
    }
    has_prev = true;
    ph = h;
    pl = l;
    pc = c;
  }
  bool DiReady() const { return changes >= period; }
  bool Ready() const { return changes >= 2 * period - 1; }
  double Adx() const { return Ready() ? static_cast<double>(adx) : kNaN; }
  double PlusDi() const { return DiReady() ? static_cast<double>(pdi) : kNaN; }
  double MinusDi() const { return DiReady() ? static_cast<double>(mdi) : kNaN; }

  int period;
  AdxRounding rounding;
  int changes = 0;
  bool has_prev = false;
  T ph = 0, pl = 0, pc = 0, tr = 0, plus = 0, minus = 0, adx = 0, pdi = 0, mdi = 0;
};

/// Runs `adx` and a fresh textbook ADX in Adx's rounding over the bars; fails on the first bar whose readiness
/// differs and on any line (ADX, +DI, −DI) that differs in a bit.
void ExpectAdxEqualsTextbookForm(Adx& adx, int period, const MinuteBars& b, const std::string& what) {
  ReferenceAdx<double> ref(period, AdxRounding::kAsAdx);
  std::vector<double> got[3];
  std::vector<double> want[3];
  for (std::size_t i = 0; i < b.size(); ++i) {
    adx.Update(b.high[i], b.low[i], b.close[i]);
    ref.Update(b.high[i], b.low[i], b.close[i]);
    ASSERT_EQ(adx.Ready(), ref.Ready()) << what << " bar " << i;
    got[0].push_back(adx.Value());
    got[1].push_back(adx.PlusDi());
    got[2].push_back(adx.MinusDi());
    want[0].push_back(ref.Adx());
    want[1].push_back(ref.PlusDi());
    want[2].push_back(ref.MinusDi());
  }
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(FirstDifference(got[k], want[k]), -1) << what << " line " << k;
  }
}

TEST(FastPath, AdxEqualsTextbookForm) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    for (const int period : {1, 3, 14}) {
      Adx adx(period);
      ExpectAdxEqualsTextbookForm(adx, period, b, std::string(what) + " period " + std::to_string(period));
    }
  });
}

/// TR as max(H, Cprev) − min(L, Cprev) is the largest of the three differences bit for bit whenever L ≤ H,
/// infinities, NaN and gaps beyond either end included (the textbook form runs the three-way max).
TEST(FastPath, AdxTrueRangeOfTheOuterPairEqualsTheLargestDifference) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> prices = {-inf, -2.5, -0.0, 0.0, 1e-310, 1.0, 1.0 + 1e-15, 3.0, 1e300, inf, kNaN};
  MinuteBars b;
  for (const double high : prices) {
    for (const double low : prices) {
      if (low > high) {
        continue;
      }
      for (const double close : prices) {
        b.high.push_back(high);
        b.low.push_back(low);
        b.close.push_back(close);
      }
    }
  }
  for (const int period : {1, 2}) {
    Adx adx(period);
    ExpectAdxEqualsTextbookForm(adx, period, b, "special values, period " + std::to_string(period));
  }
}

/// The worst relative error of `got` against the long double reference over bars where the reference is not 0.
struct WorstError {
  double worst = 0.0;
  long compared = 0;
  void Add(double got, long double want) {
    if (std::isnan(got) || want == 0) {
      return;
    }
    worst = std::max(worst, static_cast<double>(std::abs((static_cast<long double>(got) - want) / want)));
    ++compared;
  }
};

/// Adx's rounding (TR and DM averages kept n times over, DI as one quotient by TR × 0.01, DX/n with n/100 in
/// the divisor) against the textbook arithmetic in long double. Each Wilder step adds a rounding or two to an
/// error the step damps by β = 1 − 1/n, except where the average itself decays (no move, flat bars): there the
/// relative error grows by about an ulp per bar of the run. Bound: 2⁻⁴⁴ relative (5.7·10⁻¹⁴, 256 ulp); measured
/// 3.5·10⁻¹⁴ on the synthetic series (40-bar flat stretches), 4.6·10⁻¹⁵ on SPY. The textbook order in double,
/// measured alongside, behaves the same (1.9·10⁻¹⁴ and 7.1·10⁻¹⁵) and must meet the same bound.
TEST(FastPath, AdxWithinItsBoundOfLongDouble) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    for (const int period : {3, 14, 50}) {
      Adx adx(period);
      ReferenceAdx<double> textbook(period, AdxRounding::kTextbook);
      ReferenceAdx<long double> exact(period, AdxRounding::kTextbook);
      WorstError ours[3];
      WorstError theirs[3];
      for (std::size_t i = 0; i < b.size(); ++i) {
        adx.Update(b.high[i], b.low[i], b.close[i]);
        textbook.Update(b.high[i], b.low[i], b.close[i]);
        exact.Update(b.high[i], b.low[i], b.close[i]);
        ASSERT_EQ(adx.Ready(), exact.Ready());
        if (!exact.DiReady()) {
          continue;
        }
        ours[1].Add(adx.PlusDi(), exact.pdi);
        ours[2].Add(adx.MinusDi(), exact.mdi);
        theirs[1].Add(textbook.PlusDi(), exact.pdi);
        theirs[2].Add(textbook.MinusDi(), exact.mdi);
        if (exact.Ready()) {
          ours[0].Add(adx.Value(), exact.adx);
          theirs[0].Add(textbook.Adx(), exact.adx);
        }
      }
      const double bound = std::ldexp(1.0, -44);
      for (int k = 0; k < 3; ++k) {
        EXPECT_GT(ours[k].compared, 10000) << what << " line " << k;
        EXPECT_LE(ours[k].worst, bound) << what << " period " << period << " line " << k;
        EXPECT_LE(theirs[k].worst, bound) << what << " period " << period << " line " << k << " (textbook order)";
        std::printf("ADX(%d, %s) line %d vs long double: ours %.3g, textbook order %.3g relative\n", period, what, k,
                    ours[k].worst, theirs[k].worst);
      }
    }
  });
}

TEST(FastPath, AdxWithinAFewUlpOfDxFromRoundedDi) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    for (const int period : {3, 14}) {
      Adx adx(period);
      ReferenceAdx<double> from_di(period, AdxRounding::kDxFromDi);
      double worst = 0.0;
      long compared = 0;
      for (std::size_t i = 0; i < b.size(); ++i) {
        adx.Update(b.high[i], b.low[i], b.close[i]);
        from_di.Update(b.high[i], b.low[i], b.close[i]);
        ASSERT_EQ(adx.Ready(), from_di.Ready());
        if (adx.Ready() && from_di.Adx() > 0.0) {
          worst = std::max(worst, std::abs(adx.Value() - from_di.Adx()) / from_di.Adx());
          ++compared;
        }
      }
      EXPECT_GT(compared, 10000) << what;
      EXPECT_LE(worst, 1e-12) << what << " period " << period;
      std::printf("ADX(%d, %s) vs DX from rounded DI: worst %.3g relative\n", period, what, worst);
    }
  });
}

/// The textbook Supertrend, with branches.
struct ReferenceSupertrend {
  ReferenceSupertrend(int n, double m) : atr(n), mult(m) {}
  void Update(double h, double l, double c) {
    atr.Update(h, l, c);
    if (atr.Ready()) {
      double up = 0.5 * (h + l) + mult * atr.Value();
      double lo = 0.5 * (h + l) - mult * atr.Value();
      if (ready) {
        if (!(up < upper || pc > upper)) {
          up = upper;
        }
        if (!(lo > lower || pc < lower)) {
          lo = lower;
        }
        dir = dir < 0 ? (c > up ? 1 : -1) : (c < lo ? -1 : 1);
      }
      ready = true;
      upper = up;
      lower = lo;
    }
    pc = c;
  }
  Atr atr;
  double mult;
  bool ready = false;
  int dir = -1;
  double upper = 0, lower = 0, pc = 0;
};

TEST(FastPath, SupertrendEqualsTextbookForm) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    Supertrend st(10, 3.0);
    ReferenceSupertrend ref(10, 3.0);
    std::vector<double> got[3];
    std::vector<double> want[3];
    for (std::size_t i = 0; i < b.size(); ++i) {
      st.Update(b.high[i], b.low[i], b.close[i]);
      ref.Update(b.high[i], b.low[i], b.close[i]);
      got[0].push_back(st.UpperBand());
      got[1].push_back(st.LowerBand());
      got[2].push_back(st.Direction());
      want[0].push_back(ref.ready ? ref.upper : kNaN);
      want[1].push_back(ref.ready ? ref.lower : kNaN);
      want[2].push_back(ref.ready ? ref.dir : 0);
    }
    for (int k = 0; k < 3; ++k) {
      EXPECT_EQ(FirstDifference(got[k], want[k]), -1) << what << " line " << k;
    }
  });
}

/// The textbook time-of-day RVOL: every slot seen in a session is moved into its history when the session
/// changes (a sweep over all slots), as the indicator did before its per-slot commits.
struct ReferenceTimeOfDay {
  ReferenceTimeOfDay(int slots, int n)
      : depth(n), history(static_cast<std::size_t>(slots * n)), history_cum(history.size()), count(slots), head(slots),
        sum(slots), sum_cum(slots), today(slots), today_cum(slots), seen(slots) {}
  void Update(double v, std::int64_t key, int slot) {
    if (!started || key != session) {
      for (std::size_t s = 0; s < seen.size(); ++s) {
        if (seen[s] == 0) {
          continue;
        }
        const std::size_t cell = s * static_cast<std::size_t>(depth) + static_cast<std::size_t>(head[s]);
        if (count[s] >= depth) {
          sum[s] -= history[cell];
          sum_cum[s] -= history_cum[cell];
        } else {
          ++count[s];
        }
        history[cell] = today[s];
        history_cum[cell] = today_cum[s];
        sum[s] += today[s];
        sum_cum[s] += today_cum[s];
        if (++head[s] == depth) {
          head[s] = 0;
          double a = 0.0;
          double c = 0.0;
          for (int k = 0; k < depth; ++k) {
            a += history[s * static_cast<std::size_t>(depth) + static_cast<std::size_t>(k)];
            c += history_cum[s * static_cast<std::size_t>(depth) + static_cast<std::size_t>(k)];
          }
          sum[s] = a;
          sum_cum[s] = c;
        }
        today[s] = today_cum[s] = 0.0;
        seen[s] = 0;
      }
      cumulative = 0.0;
      session = key;
      started = true;
    }
    const auto s = static_cast<std::size_t>(slot);
    today[s] += v;
    cumulative += v;
    today_cum[s] = cumulative;
    seen[s] = 1;
    const bool ready = count[s] >= depth;
    const double avg = sum[s] * (1.0 / depth);
    const double avg_cum = sum_cum[s] * (1.0 / depth);
    value = ready && avg > 0.0 ? today[s] / avg : kNaN;
    value_cum = ready && avg_cum > 0.0 ? cumulative / avg_cum : kNaN;
  }
  int depth;
  std::vector<double> history, history_cum;
  std::vector<int> count, head;
  std::vector<double> sum, sum_cum, today, today_cum;
  std::vector<int> seen;
  bool started = false;
  std::int64_t session = 0;
  double cumulative = 0.0, value = kNaN, value_cum = kNaN;
};

TEST(FastPath, TimeOfDayRelativeVolumeEqualsSessionSweep) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    for (const int sessions : {1, 3, 10}) {
      RelVolumeTimeOfDay tod(390, sessions);
      ReferenceTimeOfDay ref(390, sessions);
      std::vector<double> got[2];
      std::vector<double> want[2];
      for (std::size_t i = 0; i < b.size(); ++i) {
        tod.Update(b.volume[i], b.session[i], b.slot[i]);
        ref.Update(b.volume[i], b.session[i], b.slot[i]);
        got[0].push_back(tod.Value());
        got[1].push_back(tod.CumulativeValue());
        want[0].push_back(ref.value);
        want[1].push_back(ref.value_cum);
      }
      for (int k = 0; k < 2; ++k) {
        EXPECT_EQ(FirstDifference(got[k], want[k]), -1) << what << " N " << sessions << " line " << k;
      }
    }
  });
}

TEST(FastPath, ElderImpulseEqualsTextbookBranches) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    for (const ImpulseRule rule : {ImpulseRule::kElder, ImpulseRule::kNotRising}) {
      ElderImpulse impulse(13, 12, 26, 9, EmaSeed::kSma, rule);
      Ema ema(13);
      Macd macd;
      bool has_prev = false;
      double pe = 0.0;
      double ph = 0.0;
      std::vector<double> got;
      std::vector<double> want;
      for (std::size_t i = 0; i < b.size(); ++i) {
        impulse.Update(b.close[i]);
        ema.Update(b.close[i]);
        macd.Update(b.close[i]);
        double expected = kNaN;
        if (ema.Ready() && macd.Ready()) {
          const double e = ema.Value();
          const double h = macd.Histogram();
          if (has_prev) {
            const bool up = e > pe && h > ph;
            const bool down = rule == ImpulseRule::kElder ? (e < pe && h < ph) : (!(e > pe) && !(h > ph));
            expected = up ? 1.0 : (down ? -1.0 : 0.0);
          }
          pe = e;
          ph = h;
          has_prev = true;
        }
        got.push_back(impulse.Value());
        want.push_back(expected);
      }
      EXPECT_EQ(FirstDifference(got, want), -1) << what << " rule " << static_cast<int>(rule);
    }
  });
}

TEST(FastPath, VwapBandsEqualValuePlusKSigma) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    SessionVwap vwap;
    std::vector<double> got[2];
    std::vector<double> want[2];
    for (std::size_t i = 0; i < b.size(); ++i) {
      vwap.Update(b.high[i], b.low[i], b.close[i], b.volume[i], b.session[i]);
      got[0].push_back(vwap.Upper(2.0));
      got[1].push_back(vwap.Lower(1.5));
      want[0].push_back(vwap.Value() + 2.0 * vwap.StdDev());
      want[1].push_back(vwap.Value() - 1.5 * vwap.StdDev());
    }
    for (int k = 0; k < 2; ++k) {
      EXPECT_EQ(FirstDifference(got[k], want[k]), -1) << what << " band " << k;
    }
  });
}

/// The VWAP's σ against a long double two-pass computation of the same session (mean first, then
/// Σv·(p − mean)²/V), relative to σ, over bars whose σ is not a rounding residue (above 1e-9 of the price: a
/// flat session's σ is 0 in exact arithmetic and noise in any arrangement). Also returns the same for the
/// arrangement the accumulator used before, √(W₂/V − (W₁/V)²), computed here on the same shifted sums.
struct SigmaErrors {
  double ours = 0.0;
  double quotient_form = 0.0;
};
SigmaErrors WorstVwapSigmaErrors(const MinuteBars& b) {
  SessionVwap vwap;
  std::vector<long double> prices, volumes;
  std::int64_t session = b.session.empty() ? 0 : b.session[0];
  double reference = 0.0, v1 = 0.0, w1 = 0.0, w2 = 0.0;
  SigmaErrors worst;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const double p = (b.high[i] + b.low[i] + b.close[i]) * (1.0 / 3.0);
    if (i == 0 || b.session[i] != session) {
      prices.clear();
      volumes.clear();
      session = b.session[i];
      reference = p;
      v1 = w1 = w2 = 0.0;
    }
    vwap.Update(b.high[i], b.low[i], b.close[i], b.volume[i], b.session[i]);
    const double d = p - reference;
    v1 += b.volume[i];
    w1 += b.volume[i] * d;
    w2 += b.volume[i] * d * d;
    prices.push_back((static_cast<long double>(b.high[i]) + b.low[i] + b.close[i]) / 3.0L);
    volumes.push_back(b.volume[i]);
    long double v = 0.0L, w = 0.0L;
    for (std::size_t j = 0; j < prices.size(); ++j) {
      v += volumes[j];
      w += volumes[j] * prices[j];
    }
    if (v <= 0.0L) {
      continue;
    }
    const long double mean = w / v;
    long double sq = 0.0L;
    for (std::size_t j = 0; j < prices.size(); ++j) {
      sq += volumes[j] * (prices[j] - mean) * (prices[j] - mean);
    }
    const double want = static_cast<double>(std::sqrt(sq / v));
    if (!(want > 1e-9 * b.close[i])) {
      continue;
    }
    const double quotient_form = std::sqrt(std::max(w2 / v1 - (w1 / v1) * (w1 / v1), 0.0));
    worst.ours = std::max(worst.ours, std::fabs(vwap.StdDev() - want) / want);
    worst.quotient_form = std::max(worst.quotient_form, std::fabs(quotient_form - want) / want);
  }
  return worst;
}

TEST(FastPath, VwapSigmaIsAsAccurateAsTheQuotientForm) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    // Both arrangements lose what the cancellation between Σv·d² and (Σv·d)²/V costs when a session's σ is
    // small next to its drift from the first price; on minute bars that is ~4e-11 of σ at worst, far below a
    // price tick. Ours must not be materially worse; a wrong formula (a wrong power of V) is off by far more.
    const SigmaErrors e = WorstVwapSigmaErrors(b);
    EXPECT_LT(e.ours, 1e-9) << what;
    EXPECT_LE(e.ours, 2.0 * e.quotient_form + 1e-15) << what << " quotient form " << e.quotient_form;
  });
}

/// The session VWAP against the exact Σv·p/Σv of the same typical prices (long double sums, 2^-64 per step), in
/// units of the exact value's ulp; also the quotient form reference + W₁/V on the same shifted sums, which the
/// accumulator used before it took the product W₁·(1/V).
struct VwapUlpErrors {
  double ours = 0.0;
  double quotient_form = 0.0;
};
VwapUlpErrors WorstVwapUlpErrors(const MinuteBars& b) {
  SessionVwap vwap;
  double reference = 0.0, v1 = 0.0, w1 = 0.0;
  long double volume = 0.0L, weighted = 0.0L;
  VwapUlpErrors worst;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const double p = (b.high[i] + b.low[i] + b.close[i]) * (1.0 / 3.0);
    if (i == 0 || b.session[i] != b.session[i - 1]) {
      reference = p;
      v1 = w1 = 0.0;
      volume = weighted = 0.0L;
    }
    vwap.Update(b.high[i], b.low[i], b.close[i], b.volume[i], b.session[i]);
    v1 += b.volume[i];
    w1 += b.volume[i] * (p - reference);
    volume += b.volume[i];
    weighted += static_cast<long double>(b.volume[i]) * p;
    if (!(volume > 0.0L)) {
      continue;
    }
    const double exact = static_cast<double>(weighted / volume);
    const double ulp = std::nextafter(exact, INFINITY) - exact;
    worst.ours = std::max(worst.ours, std::fabs(vwap.Value() - exact) / ulp);
    worst.quotient_form = std::max(worst.quotient_form, std::fabs(reference + w1 / v1 - exact) / ulp);
  }
  return worst;
}

TEST(FastPath, VwapIsAsAccurateAsTheQuotientForm) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    // The offset W₁/V from the first price is a small part of the VWAP, so the product's extra rounding in it
    // is a small part of an ulp of the VWAP: both forms stay within a rounding or two of the exact value.
    const VwapUlpErrors e = WorstVwapUlpErrors(b);
    EXPECT_LE(e.ours, 2.0) << what;
    EXPECT_LE(e.ours, e.quotient_form + 0.5) << what << " quotient form " << e.quotient_form;
  });
}

// The asm helpers against the plain expressions they replace, on ordinary values, signed zeros, infinities and
// NaN on every side.
TEST(FastPath, MaskAndSqrtHelpersEqualPlainForms) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> v = {-2.5, -0.0, 0.0, 1e-310, 1.0, 2.0, 1e300, inf, -inf, std::nan("")};
  for (const double a : v) {
    EXPECT_TRUE(testing::SameBits(detail::SqrtOfClamped(a), std::sqrt(a > 0.0 ? a : 0.0))) << a;
    for (const double b : v) {
      ASSERT_EQ(detail::OneIfLess(a, b), a < b ? 1.0 : 0.0) << a << " " << b;
    }
  }
}

/// Bars whose previous close lies above, inside, below or on the edge of the bar (gaps both ways, closes equal
/// to the high or the low), with flat stretches; the synthetic series above never gaps.
MinuteBars GappingBars() {
  MinuteBars b;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> step(0.0, 0.002);
  std::exponential_distribution<double> wick(1000.0);
  std::uniform_int_distribution<int> dice(0, 5);
  double close = 50.0;
  for (int i = 0; i < 20000; ++i) {
    const double open = close * std::exp(dice(rng) == 0 ? 5.0 * step(rng) : 0.0);  // a gap now and then
    const int shape = dice(rng);
    close = i % 500 < 30 ? open : open * std::exp(step(rng));
    double high = std::max(open, close) * (1.0 + wick(rng));
    double low = std::min(open, close) * (1.0 - wick(rng));
    if (shape == 1) {
      high = std::max(open, close);  // the previous close can be the high ...
    } else if (shape == 2) {
      low = std::min(open, close);  // ... or the low
    } else if (i % 500 < 30) {
      high = low = close;  // no range at all
    }
    b.open.push_back(open);
    b.high.push_back(high);
    b.low.push_back(low);
    b.close.push_back(close);
  }
  return b;
}

TEST(FastPath, SqueezeValueEqualsOn) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    Squeeze squeeze;
    long on = 0;
    long off = 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
      squeeze.Update(b.high[i], b.low[i], b.close[i]);
      if (!squeeze.Ready()) {
        ASSERT_TRUE(std::isnan(squeeze.Value()));
        continue;
      }
      ASSERT_EQ(squeeze.Value(), squeeze.On() ? 1.0 : 0.0) << what << " bar " << i;
      on += squeeze.On() ? 1 : 0;
      off += squeeze.On() ? 0 : 1;
    }
    EXPECT_GT(on, 100) << what;  // both states occur
    EXPECT_GT(off, 100) << what;
  });
}

/// Squeeze's state-based test against its definition on the four lines (Bollinger strictly inside Keltner),
/// with several parameter sets. The two forms round differently, so they may disagree only where a band and
/// the channel line it is compared with are within rounding (1e-12 relative) of each other.
TEST(FastPath, SqueezeAgreesWithTheFourLineDefinition) {
  struct Params {
    int bb_period;
    double bb_k;
    int kc_period;
    int kc_atr_period;
    double kc_mult;
  };
  for (const Params p : {Params{20, 2.0, 20, 20, 1.5}, Params{20, 2.0, 20, 10, 2.0}, Params{10, 1.0, 14, 14, 1.0},
                         Params{20, 0.0, 20, 20, 1.5}, Params{5, 3.0, 30, 7, 0.5}}) {
    const auto check = [&](const MinuteBars& b, const char* what) {
      Squeeze squeeze(p.bb_period, p.bb_k, p.kc_period, p.kc_atr_period, p.kc_mult);
      long on = 0;
      long ties = 0;
      for (std::size_t i = 0; i < b.size(); ++i) {
        squeeze.Update(b.high[i], b.low[i], b.close[i]);
        if (!squeeze.Ready()) {
          continue;
        }
        const Bands bb = squeeze.bollinger().Values();
        const Bands kc = squeeze.keltner().Values();
        const bool inside = bb.upper < kc.upper && bb.lower > kc.lower;
        on += inside ? 1 : 0;
        if (squeeze.On() != inside) {
          const double tolerance = 1e-12 * std::fabs(b.close[i]);
          ASSERT_TRUE(std::fabs(bb.upper - kc.upper) < tolerance || std::fabs(bb.lower - kc.lower) < tolerance)
              << what << " k " << p.bb_k << " bar " << i << ": upper " << bb.upper << " vs " << kc.upper << ", lower "
              << bb.lower << " vs " << kc.lower;
          ++ties;
        }
      }
      EXPECT_LE(ties, 2) << what;
      if (p.bb_k > 0.0) {
        EXPECT_GT(on, 10) << what << " k " << p.bb_k;  // the squeeze occurs, so both answers are exercised
      }
    };
    ForEachSeries(check);
    check(GappingBars(), "gapping");  // also bars without range: σ = 0 and an ATR decaying towards 0
  }
}

TEST(FastPath, SqueezeRefusesANegativeBollingerMultiple) {
  EXPECT_DEATH(Squeeze(20, -1.0), "must not be negative");
}

/// Keltner's true range max(high, prev close) − min(low, prev close) against Atr's TrueRange: every line the
/// same bits, on gapping bars and real ones, through a Reset.
TEST(FastPath, KeltnerEqualsEmaAndAtr) {
  struct Params {
    int ema_period;
    int atr_period;
    double mult;
    EmaSeed seed;
  };
  const MinuteBars gapping = GappingBars();
  std::vector<const MinuteBars*> series = {&gapping};
  if (const MinuteBars* real = RealBars()) {
    series.push_back(real);
  }
  for (const Params p : {Params{20, 10, 2.0, EmaSeed::kSma}, Params{20, 20, 1.5, EmaSeed::kSma},
                         Params{20, 10, 2.0, EmaSeed::kFirstValue}, Params{1, 1, 1.0, EmaSeed::kSma},
                         Params{3, 30, 0.5, EmaSeed::kFirstValue}}) {
    for (const MinuteBars* b : series) {
      Keltner keltner(p.ema_period, p.atr_period, p.mult, p.seed);
      for (int pass = 0; pass < 2; ++pass) {
        Ema ema(p.ema_period, p.seed);
        Atr atr(p.atr_period);
        for (std::size_t i = 0; i < b->size(); ++i) {
          keltner.Update(b->high[i], b->low[i], b->close[i]);
          ema.Update(b->close[i]);
          atr.Update(b->high[i], b->low[i], b->close[i]);
          const Bands got = keltner.Values();
          const bool ready = ema.Ready() && atr.Ready();
          ASSERT_EQ(keltner.Ready(), ready) << "bar " << i;
          const double m = ready ? ema.Value() : kNaN;
          const double offset = p.mult * atr.Value();
          ASSERT_TRUE(testing::SameBits(got.middle, m)) << "bar " << i;
          ASSERT_TRUE(testing::SameBits(got.upper, ready ? m + offset : kNaN)) << "bar " << i;
          ASSERT_TRUE(testing::SameBits(got.lower, ready ? m - offset : kNaN)) << "bar " << i;
          ASSERT_TRUE(testing::SameBits(got.width, ready ? (offset + offset) / m : kNaN)) << "bar " << i;
        }
        keltner.Reset();
      }
    }
  }
}

/// The textbook volume flow: an integer tick direction, branches, and two RollingSum windows.
struct ReferenceVolumeFlow {
  explicit ReferenceVolumeFlow(int n) : up(n), down(n) {}
  void Update(double price, double volume) {
    if (has_prev) {
      if (price > prev) {
        direction = 1;
      } else if (price < prev) {
        direction = -1;
      }
    }
    has_prev = true;
    prev = price;
    up.Update(direction > 0 ? volume : 0.0);
    down.Update(direction < 0 ? volume : 0.0);
  }
  double Ratio() const {
    if (!up.Full() || !(up.Sum() + down.Sum() > 0.0)) {
      return kNaN;
    }
    return down.Sum() > 0.0 ? up.Sum() / down.Sum() : std::numeric_limits<double>::infinity();
  }
  double Imbalance() const {
    const double u = up.Sum();
    const double d = down.Sum();
    return up.Full() && u + d > 0.0 ? (u - d) / (u + d) : kNaN;
  }
  RollingSum up, down;
  bool has_prev = false;
  int direction = 0;
  double prev = 0.0;
};

TEST(FastPath, VolumeFlowEqualsTwoRollingSums) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    for (const int period : {1, 7, 50}) {
      VolumeFlow flow(period);
      ReferenceVolumeFlow ref(period);
      std::vector<double> got[4];
      std::vector<double> want[4];
      for (int pass = 0; pass < 2; ++pass) {  // the second pass after Reset() must start afresh
        for (std::size_t i = 0; i < b.size(); ++i) {
          flow.Update(b.close[i], b.volume[i]);
          ref.Update(b.close[i], b.volume[i]);
          got[0].push_back(flow.Ratio());
          got[1].push_back(flow.Imbalance());
          got[2].push_back(flow.UpVolume());
          got[3].push_back(flow.DownVolume());
          want[0].push_back(ref.Ratio());
          want[1].push_back(ref.Imbalance());
          want[2].push_back(ref.up.Full() ? ref.up.Sum() : kNaN);
          want[3].push_back(ref.down.Full() ? ref.down.Sum() : kNaN);
        }
        flow.Reset();
        ref = ReferenceVolumeFlow(period);
      }
      for (int k = 0; k < 4; ++k) {
        EXPECT_EQ(FirstDifference(got[k], want[k]), -1) << what << " period " << period << " line " << k;
      }
    }
  });
  // An unchanged or NaN price keeps the direction; the first update is unclassified.
  VolumeFlow flow(2);
  flow.Update(10.0, 5.0);
  flow.Update(std::nan(""), 3.0);
  EXPECT_EQ(flow.UpVolume(), 0.0);
  EXPECT_EQ(flow.DownVolume(), 0.0);
  flow.Update(11.0, 2.0);  // against a NaN: unclassified
  flow.Update(12.0, 4.0);  // up
  flow.Update(12.0, 1.0);  // unchanged: still up
  EXPECT_EQ(flow.UpVolume(), 5.0);
  flow.Update(11.5, 7.0);  // down
  EXPECT_EQ(flow.UpVolume(), 1.0);
  EXPECT_EQ(flow.DownVolume(), 7.0);
}

// Bollinger's width is offset × (2/m) (the reciprocal starts before the square root ends); against the
// correctly rounded (2·offset)/m it may differ by the one extra rounding: two roundings against one, at most
// 1.5·2^-52 relative in theory (2^-52 seen), so at most 2 ulp.
TEST(FastPath, BollingerWidthWithinTwoUlpOfTheQuotient) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    for (const double k : {2.0, 2.5}) {
      Bollinger bb(20, k);
      double worst = 0.0;
      long differing = 0;
      long compared = 0;
      for (std::size_t i = 0; i < b.size(); ++i) {
        bb.Update(b.close[i]);
        if (!bb.Ready()) {
          continue;
        }
        const Bands lines = bb.Values();
        const double offset = k * bb.StdDev();
        const double want = (offset + offset) / lines.middle;
        ASSERT_EQ(lines.upper, lines.middle + offset) << what << " bar " << i;
        ++compared;
        if (lines.width != want) {
          ++differing;
          worst = std::max(worst, std::abs(lines.width - want) / want);
        }
      }
      EXPECT_LE(worst, 1.5 * std::ldexp(1.0, -52)) << what << " k " << k;
      EXPECT_GT(compared, 10000) << what;
      std::printf("Bollinger width (%s, k %.1f): %ld of %ld differ from (2·offset)/m, worst %.3g relative\n", what,
                  k, differing, compared, worst);
    }
  });
}

/// The textbook RSI and StochRSI: two scalar Wilder averages with branches, the RSI 100·g/(g + l) (50 when both
/// are 0), and its position between a RollingMax and a RollingMin of it, (x − lo)/(hi − lo) (0.5 when flat).
struct ReferenceStochRsi {
  ReferenceStochRsi(int rsi_period, int stoch_period)
      : gain(rsi_period), loss(rsi_period), max(stoch_period), min(stoch_period) {}
  void Update(double close) {
    if (has_prev) {
      const double change = close - prev;
      gain.Update(change > 0.0 ? change : 0.0);
      loss.Update(change < 0.0 ? -change : 0.0);
      if (gain.Ready()) {
        const double total = gain.Value() + loss.Value();
        rsi = total > 0.0 ? 100.0 * gain.Value() / total : 50.0;
        max.Update(rsi);
        min.Update(rsi);
      }
    }
    has_prev = true;
    prev = close;
  }
  double Rsi() const { return gain.Ready() ? rsi : kNaN; }
  double Stoch() const {
    if (!max.Ready()) {
      return kNaN;
    }
    const double range = max.Value() - min.Value();
    return range > 0.0 ? (rsi - min.Value()) / range : 0.5;
  }
  Wilder gain, loss;
  RollingMax max;
  RollingMin min;
  bool has_prev = false;
  double prev = 0.0;
  double rsi = 0.0;
};

/// The packed RSI (gain and loss as one pair, the weighted change max(0, (c, c)·(b, −b))), its (RSI, −RSI) pair
/// from one packed division and the packed (x, −x) window of StochRsi against the textbook forms, bit for bit,
/// and again after Reset(). The synthetic series starts flat (RSI 50, flat stochastic range); closes of 0 and NaN
/// are mixed into a copy.
TEST(FastPath, RsiAndStochRsiEqualTextbookForm) {
  const auto first_difference = [](const std::vector<double>& close, int rsi_period, int stoch_period) {
    Rsi rsi(rsi_period);
    StochRsi stoch(rsi_period, stoch_period);
    std::vector<double> got[3];
    std::vector<double> want[3];
    for (int pass = 0; pass < 2; ++pass) {
      ReferenceStochRsi ref(rsi_period, stoch_period);
      for (const double c : close) {
        rsi.Update(c);
        stoch.Update(c);
        ref.Update(c);
        got[0].push_back(rsi.Value());
        got[1].push_back(stoch.RsiValue());
        got[2].push_back(stoch.Value());
        want[0].push_back(ref.Rsi());
        want[1].push_back(ref.Rsi());
        want[2].push_back(ref.Stoch());
      }
      rsi.Reset();
      stoch.Reset();
    }
    for (int k = 0; k < 3; ++k) {
      if (const long at = FirstDifference(got[k], want[k]); at >= 0) {
        return at;
      }
    }
    return -1L;
  };
  ForEachSeries([&](const MinuteBars& b, const char* what) {
    std::vector<double> odd = b.close;
    for (std::size_t i = 500; i < odd.size(); i += 1009) {
      odd[i] = i % 2 == 0 ? kNaN : 0.0;
    }
    for (const int rsi_period : {1, 2, 14}) {
      for (const int stoch_period : {1, 3, 14}) {
        EXPECT_EQ(first_difference(b.close, rsi_period, stoch_period), -1)
            << what << " RSI " << rsi_period << " stochastic " << stoch_period;
        EXPECT_EQ(first_difference(odd, rsi_period, stoch_period), -1)
            << what << " with zeros and NaN, RSI " << rsi_period << " stochastic " << stoch_period;
      }
    }
  });
}

/// RollingStochastic's packed (x, −x) window and its x + (−lo) against RollingMax, RollingMin and (x − lo)/(hi − lo),
/// on closes with flat stretches and NaN.
TEST(FastPath, RollingStochasticEqualsTextbookForm) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    std::vector<double> close = b.close;
    for (std::size_t i = 700; i < close.size(); i += 1511) {
      close[i] = kNaN;
    }
    for (const int period : {1, 2, 14, 50}) {
      RollingStochastic stoch(period);
      RollingMax max(period);
      RollingMin min(period);
      std::vector<double> got;
      std::vector<double> want;
      for (const double x : close) {
        stoch.Update(x);
        max.Update(x);
        min.Update(x);
        const double range = max.Value() - min.Value();
        got.push_back(stoch.Value());
        want.push_back(!max.Ready() ? kNaN : range > 0.0 ? (x - min.Value()) / range : 0.5);
      }
      EXPECT_EQ(FirstDifference(got, want), -1) << what << " period " << period;
    }
  });
}

/// Adx keeps one count for its three warm-ups and sums each seed in the average itself: NaN inputs, Reset() and a
/// second run give the textbook bits and readiness too.
TEST(FastPath, AdxWithNaNAndResetEqualsTextbookForm) {
  MinuteBars b = SyntheticBars();
  for (std::size_t i = 300; i < b.size(); i += 4999) {
    b.high[i] = kNaN;
    b.low[i + 7] = kNaN;
    b.close[i + 11] = kNaN;
  }
  for (const int period : {1, 2, 14}) {
    Adx adx(period);
    for (int pass = 0; pass < 2; ++pass) {
      ExpectAdxEqualsTextbookForm(adx, period, b, "period " + std::to_string(period) + " pass " + std::to_string(pass));
      adx.Reset();
    }
  }
}

// The two-pass RSI and Bollinger loops are compiled for plain x86-64 and for AVX2; the batch functions take the
// widest this CPU runs. Each build must equal streaming bit for bit, the one the batch functions do not take
// included (it is what a CPU without AVX2 runs).
TEST(FastPath, TwoPassLoopsEqualStreamingInEveryInstructionSet) {
  std::vector<kernels::Isa> isas{kernels::Isa::kBaseline};
  if (kernels::BestIsa() == kernels::Isa::kAvx2) {
    isas.push_back(kernels::Isa::kAvx2);
  } else {
    std::printf("this CPU has no AVX2: only the plain x86-64 build is checked\n");
  }
  ForEachSeries([&](const MinuteBars& b, const char* what) {
    for (const kernels::Isa isa : isas) {
      for (const int period : {1, 2, 14, 20, 600}) {
        const std::size_t n = b.size();
        std::vector<double> rsi(n);
        std::vector<std::vector<double>> bands(4, std::vector<double>(n));
        Rsi rsi_run(period);
        Bollinger bb_run(period, 2.0);
        // Two calls, the first ending mid-block, as the fused pass calls them.
        for (const auto& [from, to] : {std::pair<std::size_t, std::size_t>{0, 700}, {700, n}}) {
          kernels::RsiRun(rsi_run, b.close.data() + from, rsi.data() + from, to - from, isa);
          kernels::BollingerRun(bb_run, b.close.data() + from, bands[0].data() + from, bands[1].data() + from,
                                bands[2].data() + from, bands[3].data() + from, to - from, isa);
        }
        Rsi rsi_stream(period);
        Bollinger bb_stream(period, 2.0);
        long first_rsi = -1;
        long first_bb = -1;
        for (std::size_t i = 0; i < n && (first_rsi < 0 || first_bb < 0); ++i) {
          rsi_stream.Update(b.close[i]);
          bb_stream.Update(b.close[i]);
          const Bands s = bb_stream.Values();
          if (first_rsi < 0 && !testing::SameBits(rsi[i], rsi_stream.Value())) {
            first_rsi = static_cast<long>(i);
          }
          if (first_bb < 0 && !(testing::SameBits(bands[0][i], s.middle) && testing::SameBits(bands[1][i], s.upper) &&
                                testing::SameBits(bands[2][i], s.lower) && testing::SameBits(bands[3][i], s.width))) {
            first_bb = static_cast<long>(i);
          }
        }
        const char* isa_name = isa == kernels::Isa::kAvx2 ? "AVX2" : "x86-64";
        EXPECT_EQ(first_rsi, -1) << what << " RSI " << period << " " << isa_name;
        EXPECT_EQ(first_bb, -1) << what << " Bollinger " << period << " " << isa_name;
      }
    }
  });
}

}  // namespace
}  // namespace td::indicators
