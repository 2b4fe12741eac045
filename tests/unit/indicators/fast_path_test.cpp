// SPDX-License-Identifier: MIT
// The streaming fast paths (packed pairs, masks instead of branches, doubling windows, per-slot commits) are
// checked bit for bit against plain textbook forms written here with ordinary branches and scalars, on six
// months of real SPY 1-minute bars and on a synthetic series with gaps, flat stretches and zero volumes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "indicators/batch.hpp"
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

/// Runs `windows` against one RollingMax/RollingMin per period; returns the first bar that differs, or -1.
long FirstDoublingDifference(const MinuteBars& b, RollingHighLowWindows windows, const std::vector<int>& periods) {
  std::vector<RollingMax> max;
  std::vector<RollingMin> min;
  for (const int p : periods) {
    max.emplace_back(p);
    min.emplace_back(p);
  }
  for (std::size_t i = 0; i < b.size(); ++i) {
    windows.Update(b.high[i], b.low[i]);
    for (std::size_t w = 0; w < periods.size(); ++w) {
      max[w].Update(b.high[i]);
      min[w].Update(b.low[i]);
      if (!testing::SameBits(windows.High(w), max[w].Value()) || !testing::SameBits(windows.Low(w), min[w].Value()) ||
          windows.Ready(w) != max[w].Ready()) {
        return static_cast<long>(i);
      }
    }
  }
  return -1;
}

TEST(FastPath, DoublingWindowsEqualRollingMaxAndMin) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    EXPECT_EQ(FirstDoublingDifference(b, RollingHighLowWindows({9, 26, 52}), {9, 26, 52}), -1) << what;
    EXPECT_EQ(FirstDoublingDifference(b, RollingHighLowWindows({1, 3, 100, 64}), {1, 3, 100, 64}), -1) << what;
    EXPECT_EQ(FirstDoublingDifference(b, RollingHighLowWindows({2}), {2}), -1) << what;
  });
}

/// The textbook ADX: four Wilder averages and branches.
struct ReferenceAdx {
  explicit ReferenceAdx(int n) : tr(n), plus(n), minus(n), adx(n) {}
  void Update(double h, double l, double c) {
    if (has_prev) {
      const double t = std::max(h - l, std::max(std::abs(h - pc), std::abs(l - pc)));
      const double up = h - ph;
      const double down = pl - l;
      tr.Update(t);
      plus.Update(up > down && up > 0.0 ? up : 0.0);
      minus.Update(down > up && down > 0.0 ? down : 0.0);
      if (tr.Ready()) {
        const double atr = tr.Value();
        pdi = atr > 0.0 ? 100.0 * plus.Value() / atr : 0.0;
        mdi = atr > 0.0 ? 100.0 * minus.Value() / atr : 0.0;
        const double sum = pdi + mdi;
        adx.Update(sum > 0.0 ? 100.0 * std::abs(pdi - mdi) / sum : 0.0);
      }
    }
    has_prev = true;
    ph = h;
    pl = l;
    pc = c;
  }
  Wilder tr, plus, minus, adx;
  bool has_prev = false;
  double ph = 0, pl = 0, pc = 0, pdi = 0, mdi = 0;
};

TEST(FastPath, AdxEqualsTextbookForm) {
  ForEachSeries([](const MinuteBars& b, const char* what) {
    for (const int period : {1, 3, 14}) {
      Adx adx(period);
      ReferenceAdx ref(period);
      std::vector<double> got[3];
      std::vector<double> want[3];
      for (std::size_t i = 0; i < b.size(); ++i) {
        adx.Update(b.high[i], b.low[i], b.close[i]);
        ref.Update(b.high[i], b.low[i], b.close[i]);
        got[0].push_back(adx.Value());
        got[1].push_back(adx.PlusDi());
        got[2].push_back(adx.MinusDi());
        want[0].push_back(ref.adx.Value());
        want[1].push_back(ref.tr.Ready() ? ref.pdi : kNaN);
        want[2].push_back(ref.tr.Ready() ? ref.mdi : kNaN);
      }
      for (int k = 0; k < 3; ++k) {
        EXPECT_EQ(FirstDifference(got[k], want[k]), -1) << what << " period " << period << " line " << k;
      }
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

}  // namespace
}  // namespace td::indicators
