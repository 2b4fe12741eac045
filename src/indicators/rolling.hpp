// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/check.hpp"

namespace td::indicators {

/// The value every indicator reports before it is ready (and every batch output holds during warm-up).
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The last `period` values with running sums of (x − s) and (x − s)², s being the newest value at the last
/// re-summation. Every `period` updates the sums are recomputed exactly from the window (amortised O(1)), so
/// rounding never drifts over millions of updates, and the shift avoids the cancellation of Σx² − (Σx)²/n.
class RollingMoments {
 public:
  /// Everything but the window buffer. Trivially copyable, so a batch loop can hold it in registers and drive
  /// it with Step over its own buffer: the arithmetic stays the one of Update.
  struct State {
    int count = 0;
    int pos = 0;
    int laps = 0;  // window wraps since the last re-sum
    double shift = 0.0;
    double s1 = 0.0;
    double s2 = 0.0;
  };

  /// Wraps of the window between exact re-sums: the running sums drift by rounding only, a few ulps per lap,
  /// so re-summing every fourth lap keeps the error far below the prices' precision at a quarter of the cost.
  static constexpr int kLapsPerResum = 4;

  explicit RollingMoments(int period) : period_(period), inv_period_(1.0 / period) {
    TD_CHECK(period >= 1) << "period must be >= 1, was " << period;
    window_.assign(static_cast<std::size_t>(period), 0.0);
  }

  void Update(double x) { Step(state_, window_.data(), period_, x); }

  /// One update of `st` whose window is `window[0, period)`.
  static void Step(State& st, double* window, int period, double x) {
    const auto pos = static_cast<std::size_t>(st.pos);
    if (st.count < period) [[unlikely]] {
      window[pos] = x;
      ++st.count;
    } else {
      const double old = window[pos];
      window[pos] = x;
      const double dn = x - st.shift;
      const double dold = old - st.shift;
      st.s1 += dn - dold;
      st.s2 += dn * dn - dold * dold;
    }
    if (++st.pos == period) [[unlikely]] {
      st.pos = 0;
      // The first wrap turns the warm-up values into sums; after that, every kLapsPerResum-th wrap re-sums.
      if (st.laps == 0 || st.laps == kLapsPerResum) {
        st.laps = 1;
        Resum(st, window, period);
      } else {
        ++st.laps;
      }
    }
  }

  /// Updates with x[0, n) in order, calling after(j, state) once x[j] is in; the state stays in locals
  /// (registers) for the whole run. Same arithmetic as n calls of Update.
  template <typename After>
  void UpdateMany(const double* x, std::size_t n, After&& after) {
    State st = state_;
    double* const window = window_.data();
    const int period = period_;
    for (std::size_t j = 0; j < n; ++j) {
      Step(st, window, period, x[j]);
      after(j, st);
    }
    state_ = st;
  }

  /// The mean from the sums (one formula for Mean() and for batch loops holding a State).
  static double MeanOf(const State& st, double inv_period) { return st.shift + st.s1 * inv_period; }
  /// The population variance from the sums, never negative.
  static double PopulationVarianceOf(const State& st, double inv_period) {
    const double m = st.s1 * inv_period;
    const double v = st.s2 * inv_period - m * m;
    return v > 0.0 ? v : 0.0;
  }

  /// True once `period` values have been seen.
  bool Full() const { return state_.count >= period_; }
  int period() const { return period_; }
  double inv_period() const { return inv_period_; }
  const State& state() const { return state_; }
  /// The mean of the window (valid when Full()).
  double Mean() const { return MeanOf(state_, inv_period_); }
  /// The population variance (divides by n), never negative.
  double PopulationVariance() const { return PopulationVarianceOf(state_, inv_period_); }
  /// The sample variance (divides by n − 1); zero for a window of one.
  double SampleVariance() const {
    if (period_ < 2) {
      return 0.0;
    }
    const double v = (state_.s2 - state_.s1 * state_.s1 * inv_period_) / (period_ - 1);
    return v > 0.0 ? v : 0.0;
  }
  /// The value that the next Update will push out of the window (valid when Full()).
  double Oldest() const { return window_[static_cast<std::size_t>(state_.pos)]; }

  void Reset() { state_ = State{}; }

 private:
  // The shift is the newest value (window[period − 1] when pos has just wrapped): as close to the window as
  // its mean for the cancellation that matters, and it needs no extra pass over the window. Two interleaved
  // accumulator pairs halve the dependent chain; both forms (streaming and batch) run this same code.
  static void Resum(State& st, const double* window, int period) {
    const auto n = static_cast<std::size_t>(period);
    const double shift = window[n - 1];
    double s1a = 0.0;
    double s2a = 0.0;
    double s1b = 0.0;
    double s2b = 0.0;
    std::size_t k = 0;
    for (; k + 1 < n; k += 2) {
      const double da = window[k] - shift;
      const double db = window[k + 1] - shift;
      s1a += da;
      s2a += da * da;
      s1b += db;
      s2b += db * db;
    }
    if (k < n) {
      const double da = window[k] - shift;
      s1a += da;
      s2a += da * da;
    }
    st.shift = shift;
    st.s1 = s1a + s1b;
    st.s2 = s2a + s2b;
  }

  std::vector<double> window_;
  int period_;
  double inv_period_;
  State state_;
};

/// The plain running sum of the last `period` values, re-summed exactly every `period` updates. Exact for
/// integer-valued inputs such as share volumes (below 2^53), which the shifted sums above are not.
class RollingSum {
 public:
  explicit RollingSum(int period) : period_(period) {
    TD_CHECK(period >= 1) << "period must be >= 1, was " << period;
    window_.assign(static_cast<std::size_t>(period), 0.0);
  }
  void Update(double x) {
    if (count_ < period_) [[unlikely]] {
      ++count_;
    } else {
      sum_ -= window_[pos_];
    }
    window_[pos_] = x;
    sum_ += x;
    if (++pos_ == static_cast<std::size_t>(period_)) {
      pos_ = 0;
      double sum = 0.0;
      for (const double v : window_) {
        sum += v;
      }
      sum_ = sum;
    }
  }
  bool Full() const { return count_ >= period_; }
  int period() const { return period_; }
  double Sum() const { return sum_; }
  void Reset() {
    count_ = 0;
    pos_ = 0;
    sum_ = 0.0;
  }

 private:
  std::vector<double> window_;
  int period_;
  int count_ = 0;
  std::size_t pos_ = 0;
  double sum_ = 0.0;
};

/// The maximum (kMax) or minimum of the last `period` values, by the van Herk/Gil-Werman block method: the
/// stream is cut into blocks of `period`; the window ending at offset k of the current block is the running
/// extreme of the block so far combined with the suffix extreme of the previous block from offset k + 1. The
/// suffix extremes are rebuilt once per block (amortised O(1)); each update is branch-free, and nothing is
/// allocated after construction. The result is exact (a max/min of the inputs).
template <bool kMax>
class RollingExtreme {
 public:
  explicit RollingExtreme(int period) : period_(period) {
    TD_CHECK(period >= 1) << "period must be >= 1, was " << period;
    block_.assign(static_cast<std::size_t>(period), kIdentity);
    suffix_.assign(static_cast<std::size_t>(period) + 1, kIdentity);
  }

  void Update(double x) {
    block_[offset_] = x;
    running_ = Pick(running_, x);
    value_ = Pick(suffix_[offset_ + 1], running_);
    if (++offset_ == block_.size()) [[unlikely]] {
      // The finished block becomes the previous one: its suffix extremes serve the next `period` windows.
      double acc = kIdentity;
      for (std::size_t j = block_.size(); j-- > 0;) {
        acc = Pick(block_[j], acc);
        suffix_[j] = acc;
      }
      offset_ = 0;
      running_ = kIdentity;
    }
    ++count_;
  }

  bool Ready() const { return count_ >= period_; }
  /// The extreme of the window so far (of fewer values during warm-up); NaN before any update.
  double Current() const { return count_ > 0 ? value_ : kNaN; }
  /// The extreme of a full window, NaN during warm-up.
  double Value() const { return Ready() ? value_ : kNaN; }
  int period() const { return static_cast<int>(period_); }

  void Reset() {
    std::fill(suffix_.begin(), suffix_.end(), kIdentity);
    offset_ = 0;
    running_ = kIdentity;
    value_ = kIdentity;
    count_ = 0;
  }

 private:
  static constexpr double kIdentity =
      kMax ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  static double Pick(double a, double b) {
    if constexpr (kMax) {
      return a < b ? b : a;
    } else {
      return b < a ? b : a;
    }
  }

  std::vector<double> block_;
  std::vector<double> suffix_;  // suffix_[j] = extreme of the previous block from offset j; suffix_[period] = identity
  std::int64_t period_;
  std::size_t offset_ = 0;
  std::int64_t count_ = 0;
  double running_ = kIdentity;
  double value_ = kIdentity;
};

using RollingMax = RollingExtreme<true>;
using RollingMin = RollingExtreme<false>;

namespace detail {

/// Two doubles side by side in one SSE2 register (two plain doubles elsewhere), for two quantities that take
/// the same steps: every operation is lane-wise the IEEE operation of the scalar code, so results are bit for
/// bit those of two scalar computations, at the cost of one. Lane-wise Max(a, b) = a < b ? b : a, the
/// comparison of RollingExtreme<true>; a minimum is kept as the maximum of the negated values, which is exact
/// (negation is exact and −a < −b exactly when b < a), so one packed instruction serves a rolling high and low.
#if defined(__SSE2__)
struct DoublePair {
  __m128d lanes;
};
inline DoublePair MakePair(double first, double second) { return DoublePair{_mm_set_pd(second, first)}; }
/// The pair stored at p (16-byte aligned), for constant pairs. GCC rebuilds a known (c, c) from the scalar c
/// with a load and an unpack, in the loop when registers are short; the empty asm hides the address, so the
/// value stays one 16-byte load (or a memory operand) — a load instead of two floating-point operations.
inline DoublePair LoadPair(const double* p) {
#if defined(__GNUC__)
  asm("" : "+r"(p));
#endif
  return DoublePair{_mm_load_pd(p)};
}
// MAXPD returns its first operand when it is greater, else the second: max_pd(b, a) = a < b ? b : a.
inline DoublePair Max(DoublePair a, DoublePair b) { return DoublePair{_mm_max_pd(b.lanes, a.lanes)}; }
inline DoublePair Add(DoublePair a, DoublePair b) { return DoublePair{_mm_add_pd(a.lanes, b.lanes)}; }
inline DoublePair Scale(double k, DoublePair a) { return DoublePair{_mm_mul_pd(_mm_set1_pd(k), a.lanes)}; }
inline DoublePair DivideBy(DoublePair a, double d) { return DoublePair{_mm_div_pd(a.lanes, _mm_set1_pd(d))}; }
inline DoublePair Subtract(DoublePair a, DoublePair b) { return DoublePair{_mm_sub_pd(a.lanes, b.lanes)}; }
inline DoublePair Multiply(DoublePair a, DoublePair b) { return DoublePair{_mm_mul_pd(a.lanes, b.lanes)}; }
inline DoublePair Divide(DoublePair a, DoublePair b) { return DoublePair{_mm_div_pd(a.lanes, b.lanes)}; }
/// Both lanes < limit (false when either is NaN).
inline bool BothBelow(DoublePair a, double limit) {
  return _mm_movemask_pd(_mm_cmplt_pd(a.lanes, _mm_set1_pd(limit))) == 3;
}
/// Lane-wise x > other && x > 0 ? x : +0.0 with other = the other lane: Wilder's directional-move rule for
/// the pair (up, down). CMPLTPD(swapped, x) is other < x and MAXPD(x, 0) is x > 0 ? x : 0, NaN included.
inline DoublePair LargerPositiveMove(DoublePair moves) {
  const __m128d swapped = _mm_shuffle_pd(moves.lanes, moves.lanes, 1);
  return DoublePair{_mm_and_pd(_mm_cmplt_pd(swapped, moves.lanes), _mm_max_pd(moves.lanes, _mm_setzero_pd()))};
}
inline double First(DoublePair p) { return _mm_cvtsd_f64(p.lanes); }
inline double Second(DoublePair p) { return _mm_cvtsd_f64(_mm_unpackhi_pd(p.lanes, p.lanes)); }
#else
struct DoublePair {
  double first;
  double second;
};
inline DoublePair MakePair(double first, double second) { return DoublePair{first, second}; }
inline DoublePair LoadPair(const double* p) { return DoublePair{p[0], p[1]}; }
inline DoublePair Max(DoublePair a, DoublePair b) {
  return DoublePair{a.first < b.first ? b.first : a.first, a.second < b.second ? b.second : a.second};
}
inline DoublePair Add(DoublePair a, DoublePair b) { return DoublePair{a.first + b.first, a.second + b.second}; }
inline DoublePair Scale(double k, DoublePair a) { return DoublePair{k * a.first, k * a.second}; }
inline DoublePair DivideBy(DoublePair a, double d) { return DoublePair{a.first / d, a.second / d}; }
inline DoublePair Subtract(DoublePair a, DoublePair b) { return DoublePair{a.first - b.first, a.second - b.second}; }
inline DoublePair Multiply(DoublePair a, DoublePair b) { return DoublePair{a.first * b.first, a.second * b.second}; }
inline DoublePair Divide(DoublePair a, DoublePair b) { return DoublePair{a.first / b.first, a.second / b.second}; }
inline bool BothBelow(DoublePair a, double limit) { return a.first < limit && a.second < limit; }
inline DoublePair LargerPositiveMove(DoublePair moves) {
  return DoublePair{moves.first > moves.second && moves.first > 0.0 ? moves.first : 0.0,
                    moves.second > moves.first && moves.second > 0.0 ? moves.second : 0.0};
}
inline double First(DoublePair p) { return p.first; }
inline double Second(DoublePair p) { return p.second; }
#endif

/// Supertrend's band ratchet without branches (whether a band tightens is a coin flip from bar to bar), on
/// bands kept as one pair (upper, −lower): upper = upper < upper_prev || prev_close > upper_prev ? upper :
/// upper_prev, and the mirror for the lower band, which in the negated lane is the same test (−l < −lp exactly
/// when l > lp, −c > −lp exactly when c < lp). Bit for bit the scalar tests; the bands stay packed from bar to
/// bar, so the loop-carried chain is one compare and one blend.
inline DoublePair RatchetBands(DoublePair band, DoublePair prev, double prev_close) {
#if defined(__SSE2__)
  const __m128d close = _mm_set_pd(-prev_close, prev_close);
  const __m128d take = _mm_or_pd(_mm_cmplt_pd(band.lanes, prev.lanes), _mm_cmplt_pd(prev.lanes, close));
  return DoublePair{_mm_or_pd(_mm_and_pd(take, band.lanes), _mm_andnot_pd(take, prev.lanes))};
#else
  return DoublePair{band.first < prev.first || prev_close > prev.first ? band.first : prev.first,
                 band.second < prev.second || -prev_close > prev.second ? band.second : prev.second};
#endif
}

/// The tick rule's state after one price: the direction as a pair of lane masks (up, down), each all-ones or
/// zero, and the volume split by it: (v, 0), (0, v) or (0, 0).
struct TickSplit {
  DoublePair direction;
  DoublePair volumes;
};
/// A price above `prev` makes the direction (up, 0), below makes it (0, down), unchanged (or a NaN on either
/// side) keeps `direction`. The same decisions as price > prev and price < prev with an integer direction,
/// without leaving the vector registers (the direction is a coin flip from bar to bar, so no branch either).
inline TickSplit TickRule(DoublePair direction, double prev, double price, double v) {
#if defined(__SSE2__)
  // (prev < price, price < prev) in one compare.
  const __m128d now = _mm_cmplt_pd(_mm_set_pd(price, prev), _mm_set_pd(prev, price));
  const __m128d changed = _mm_or_pd(now, _mm_shuffle_pd(now, now, 1));
  const __m128d next = _mm_or_pd(now, _mm_andnot_pd(changed, direction.lanes));
  return TickSplit{DoublePair{next}, DoublePair{_mm_and_pd(next, _mm_set1_pd(v))}};
#else
  const auto mask = [](bool on) { return std::bit_cast<double>(std::uint64_t{0} - static_cast<std::uint64_t>(on)); };
  const auto on = [](double m) { return std::bit_cast<std::uint64_t>(m) != 0; };
  const bool up = prev < price;
  const bool down = price < prev;
  const DoublePair next = up || down ? DoublePair{mask(up), mask(down)} : direction;
  return TickSplit{next, DoublePair{on(next.first) ? v : 0.0, on(next.second) ? v : 0.0}};
#endif
}

/// keep ? v : +0.0, as a mask instead of a branch (for conditions that are coin flips on market data).
inline double KeepIf(bool keep, double v) {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(v) & (std::uint64_t{0} - static_cast<std::uint64_t>(keep)));
}
/// a < b && c < d ? 1.0 : 0.0 from two compare masks ANDed with 1.0: no flags, no round trip through an integer
/// register and back (CMPLTSD is false for NaN, as <).
inline double OneIfBothLess(double a, double b, double c, double d) {
#if defined(__SSE2__) && defined(__GNUC__)
  // As asm: the intrinsics would zero the upper lane of each operand first (four more instructions).
  double r = a;
  double other = c;
  asm("cmpltsd %[b], %[r]\n\tcmpltsd %[d], %[other]\n\tandpd %[other], %[r]\n\tandpd %[one], %[r]"
      : [r] "+x"(r), [other] "+x"(other)
      : [b] "x"(b), [d] "x"(d), [one] "x"(1.0));
  return r;
#elif defined(__SSE2__)
  const __m128d first = _mm_cmplt_sd(_mm_set_sd(a), _mm_set_sd(b));
  const __m128d second = _mm_cmplt_sd(_mm_set_sd(c), _mm_set_sd(d));
  return _mm_cvtsd_f64(_mm_and_pd(_mm_and_pd(first, second), _mm_set_sd(1.0)));
#else
  return a < b && c < d ? 1.0 : 0.0;
#endif
}
/// std::sqrt(v > 0 ? v : 0) as MAXSD and SQRTSD: the same bits, without the errno test std::sqrt keeps in
/// callers built without -fno-math-errno — which also makes it pure, so repeated reads fold into one.
inline double SqrtOfClamped(double v) {
#if defined(__SSE2__) && defined(__GNUC__)
  // The intrinsics would first zero the upper lane of v's register (one more dependent instruction per call);
  // MAXSD and SQRTSD ignore it. Without volatile, so identical calls still fold into one.
  double r = v;
  asm("maxsd %1, %0\n\tsqrtsd %0, %0" : "+x"(r) : "x"(0.0));
  return r;
#elif defined(__SSE2__)
  const __m128d clamped = _mm_max_sd(_mm_set_sd(v), _mm_setzero_pd());
  return _mm_cvtsd_f64(_mm_sqrt_sd(clamped, clamped));
#else
  return std::sqrt(v > 0.0 ? v : 0.0);
#endif
}

/// Two quotients a/c and b/d, one packed division on SSE2 (each lane is the same IEEE division as a scalar
/// one, so the results are bit for bit those of two divisions, at the divider cost of one).
struct Quotients {
  double first;
  double second;
};
inline Quotients DivideBoth(double a, double b, double c, double d) {
#if defined(__SSE2__)
  const __m128d q = _mm_div_pd(_mm_set_pd(b, a), _mm_set_pd(d, c));
  return Quotients{_mm_cvtsd_f64(q), _mm_cvtsd_f64(_mm_unpackhi_pd(q, q))};
#else
  return Quotients{a / c, b / d};
#endif
}

/// ok && c > 0 ? a/c : NaN and ok && d > 0 ? b/d : NaN: one packed division and one packed select (the same
/// IEEE quotients as two scalar divisions, without the compare-and-branch per lane).
inline Quotients RatiosOrNaN(double a, double b, double c, double d, bool ok) {
#if defined(__SSE2__)
  const __m128d den = _mm_set_pd(d, c);
  const __m128d q = _mm_div_pd(_mm_set_pd(b, a), den);
  const __m128d ok_mask = _mm_castsi128_pd(_mm_set1_epi64x(-static_cast<long long>(ok)));
  const __m128d take = _mm_and_pd(_mm_cmplt_pd(_mm_setzero_pd(), den), ok_mask);
  const __m128d r = _mm_or_pd(_mm_and_pd(take, q), _mm_andnot_pd(take, _mm_set1_pd(kNaN)));
  return Quotients{_mm_cvtsd_f64(r), _mm_cvtsd_f64(_mm_unpackhi_pd(r, r))};
#else
  return Quotients{ok && c > 0.0 ? a / c : kNaN, ok && d > 0.0 ? b / d : kNaN};
#endif
}

}  // namespace detail

/// The highest high and lowest low over several window lengths at once (Ichimoku's 9, 26 and 52), by doubling
/// instead of blocks: level j holds M_j(t), the extremes of the last 2^j updates, from
/// M_j(t) = max(M_j−1(t), M_j−1(t − 2^(j−1))), in a power-of-two ring per level; a window of n with
/// 2^k <= n < 2^(k+1) is max(M_k(t), M_k(t − (n − 2^k))), two overlapping halves. Each update costs one packed max
/// per level plus one per window, with no branch and no per-block rebuild, and all indexing comes from one
/// counter. Exact (every value is a max/min of the inputs): equal to RollingMax/RollingMin of each length.
class RollingHighLowWindows {
 public:
  static constexpr std::size_t kMaxWindows = 4;
  /// Windows up to 2^(kMaxLevels+1) − 1 updates long.
  static constexpr int kMaxLevels = 16;

  explicit RollingHighLowWindows(std::initializer_list<int> periods) {
    TD_CHECK(periods.size() >= 1 && periods.size() <= kMaxWindows)
        << "between 1 and " << kMaxWindows << " windows, not " << periods.size();
    int longest = 1;
    for (const int period : periods) {
      TD_CHECK(period >= 1) << "period must be >= 1, was " << period;
      int level = 0;
      while ((std::int64_t{2} << level) <= period) {
        ++level;
      }
      TD_CHECK(level <= kMaxLevels) << "period " << period << " is too long";
      window_[windows_++] = Window{period, level, period - (std::int64_t{1} << level)};
      levels_ = std::max(levels_, level);
      longest = std::max(longest, period);
    }
    std::size_t size = 1;
    while (size < static_cast<std::size_t>(longest)) {
      size <<= 1;
    }
    mask_ = size - 1;
    ring_.assign(size * static_cast<std::size_t>(levels_ + 1), Identity());
  }

  void Update(double high, double low) {
    detail::DoublePair* const ring = ring_.data();
    const std::size_t size = mask_ + 1;
    const auto t = static_cast<std::size_t>(count_);
    const std::size_t now = t & mask_;
    detail::DoublePair level = detail::MakePair(high, -low);
    ring[now] = level;
    // Fully unrolled (constant shifts, no loop counter); the exits are taken at the same level every update.
#pragma GCC unroll 16
    for (int j = 1; j <= kMaxLevels; ++j) {
      if (j > levels_) {
        break;
      }
      const detail::DoublePair* const below = ring + static_cast<std::size_t>(j - 1) * size;
      level = detail::Max(level, below[(t - (std::size_t{1} << (j - 1))) & mask_]);
      ring[static_cast<std::size_t>(j) * size + now] = level;
    }
#pragma GCC unroll 4
    for (std::size_t w = 0; w < kMaxWindows; ++w) {
      if (w == windows_) {
        break;
      }
      const detail::DoublePair* const at = ring + static_cast<std::size_t>(window_[w].level) * size;
      value_[w] = detail::Max(at[now], at[(t - static_cast<std::size_t>(window_[w].lag)) & mask_]);
    }
    ++count_;
  }

  /// Window w (in constructor order) has seen `period` updates.
  bool Ready(std::size_t w) const { return count_ >= window_[w].period; }
  /// Highest high / lowest low of window w, NaN during its warm-up.
  double High(std::size_t w) const { return Ready(w) ? detail::First(value_[w]) : kNaN; }
  double Low(std::size_t w) const { return Ready(w) ? -detail::Second(value_[w]) : kNaN; }
  int period(std::size_t w) const { return static_cast<int>(window_[w].period); }
  std::int64_t count() const { return count_; }

  void Reset() {
    std::fill(ring_.begin(), ring_.end(), Identity());
    value_.fill(Identity());
    count_ = 0;
  }

 private:
  struct Window {
    std::int64_t period = 1;
    int level = 0;          // k with 2^k <= period < 2^(k+1)
    std::int64_t lag = 0;   // period − 2^k
  };
  static detail::DoublePair Identity() {
    return detail::MakePair(-std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity());
  }

  std::vector<detail::DoublePair> ring_;  // level-major: level j occupies [j·size, (j+1)·size)
  std::array<Window, kMaxWindows> window_{};
  std::array<detail::DoublePair, kMaxWindows> value_{};
  std::size_t windows_ = 0;
  std::size_t mask_ = 0;
  int levels_ = 0;
  std::int64_t count_ = 0;
};

/// Where a value sits within the range of its own last `period` values, in [0, 1]; 0.5 for a flat window.
/// This is the %K step of the stochastic oscillator applied to a single series (StochRSI uses it on RSI).
class RollingStochastic {
 public:
  explicit RollingStochastic(int period) : max_(period), min_(period) {}

  void Update(double x) {
    max_.Update(x);
    min_.Update(x);
    last_ = x;
  }
  bool Ready() const { return max_.Ready(); }
  double Value() const {
    if (!Ready()) {
      return kNaN;
    }
    const double hi = max_.Value();
    const double lo = min_.Value();
    const double range = hi - lo;
    return range > 0.0 ? (last_ - lo) / range : 0.5;
  }
  int WarmupBars() const { return max_.period(); }
  void Reset() {
    max_.Reset();
    min_.Reset();
    last_ = 0.0;
  }

 private:
  RollingMax max_;
  RollingMin min_;
  double last_ = 0.0;
};

}  // namespace td::indicators
