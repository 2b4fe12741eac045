// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
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

namespace detail {

/// The element `offset` bytes past `base`, for rings whose elements are wider than x86's largest index scale
/// (8): a byte offset is one addressing mode where an element index costs a shift and an add per access, and
/// unlike a pointer it stays valid in a copy of the ring.
template <typename T>
T& AtByteOffset(T* base, std::size_t offset) {
  using Byte = std::conditional_t<std::is_const_v<T>, const char, char>;
  return *reinterpret_cast<T*>(reinterpret_cast<Byte*>(base) + offset);
}

/// The van Herk/Gil-Werman block method for the extreme of the last `period` values: the stream is cut into
/// blocks of `period`; the window ending at offset k of the current block is the running extreme of the block
/// so far combined with the suffix extreme of the previous block from offset k + 1. The suffix extremes are
/// rebuilt once per block (amortised O(1)); nothing is allocated after construction, and the result is exact
/// (an extreme of the inputs). `Order` gives the Value type's Identity() and Pick(a, b); Update returns the
/// extreme of the last `period` values once that many have come in (of all so far before).
///
/// One array of cells walked by one pointer: where two arrays, an index and their size kept four registers
/// busy in a caller's loop (Ichimoku's two windows spilled), this keeps two.
///
/// `before_full` stands in for the previous block while the first one fills. Order::Identity() (the default)
/// makes the first `period − 1` windows the extreme of all values so far. A value that wins every Pick makes
/// them that value instead, which a caller can map to "not ready" without a count or a test of its own.
///
/// With kRecalls, each cell also keeps the window's extreme of the last update at its offset, so UpdateRecalling
/// returns the window that ended `period` updates earlier beside the current one (two back-to-back windows, for
/// Ichimoku's senkou B) from the cell already under the cursor: no ring and no offset arithmetic of the caller's.
/// Before any such update the recalled extreme is `before_full`.
template <typename Value, typename Order, bool kRecalls = false>
class BlockExtremes {
 public:
  explicit BlockExtremes(int period, Value before_full = Order::Identity()) : before_full_(before_full) {
    TD_CHECK(period >= 1) << "period must be >= 1, was " << period;
    cells_.assign(static_cast<std::size_t>(period), Cell{});
    FillBeforeFull();
    AimLike(*this);
  }
  BlockExtremes(const BlockExtremes& other)
      : cells_(other.cells_), running_(other.running_), before_full_(other.before_full_) {
    AimLike(other);
  }
  BlockExtremes& operator=(const BlockExtremes& other) {
    if (this != &other) {
      cells_ = other.cells_;
      running_ = other.running_;
      before_full_ = other.before_full_;
      AimLike(other);
    }
    return *this;
  }
  BlockExtremes(BlockExtremes&&) noexcept = default;  // the buffer moves with its cells, so the cursors stay valid
  BlockExtremes& operator=(BlockExtremes&&) noexcept = default;
  ~BlockExtremes() = default;

  Value Update(Value x) {
    Cell& cell = *cursor_;
    cell.value = x;
    running_ = Order::Pick(running_, x);
    const Value extreme = Order::Pick(cell.suffix_after, running_);
    if constexpr (kRecalls) {
      cell.window = extreme;
    }
    Advance();
    return extreme;
  }
  /// The extremes of the last `period` values and of the `period` values before them.
  struct NowAndBefore {
    Value now;
    Value before;
  };
  NowAndBefore UpdateRecalling(Value x)
    requires kRecalls
  {
    const Value before = cursor_->window;
    return NowAndBefore{Update(x), before};
  }
  int period() const { return static_cast<int>(cells_.size()); }

  void Reset() {
    FillBeforeFull();
    cursor_ = cells_.data();
    running_ = Order::Identity();
  }

 private:
  void Advance() {
    if (++cursor_ == end_) [[unlikely]] {
      // The finished block becomes the previous one: its suffix extremes serve the next `period` windows.
      Value acc = Order::Identity();
      Cell* const first = cells_.data();
#pragma GCC unroll 2
      for (Cell* c = end_ - 1; c != first; --c) {
        acc = Order::Pick(c->value, acc);
        c[-1].suffix_after = acc;
      }
      cursor_ = first;
      running_ = Order::Identity();
    }
  }

  /// One offset of the block: this block's value there, and the previous block's extreme from the next
  /// offset on (identity at the last offset, which no rebuild writes); with kRecalls, also the extreme of the
  /// window that last ended here.
  struct PlainCell {
    Value value = Order::Identity();
    Value suffix_after = Order::Identity();
  };
  struct RecallingCell : PlainCell {
    Value window = Order::Identity();
  };
  using Cell = std::conditional_t<kRecalls, RecallingCell, PlainCell>;
  /// The previous block's suffixes before there is one: `before_full_` at every offset but the last, whose
  /// window is the whole first block; and the recalled windows, which no update has ended yet.
  void FillBeforeFull() {
    for (Cell& c : cells_) {
      c.suffix_after = before_full_;
      if constexpr (kRecalls) {
        c.window = before_full_;
      }
    }
    cells_.back().suffix_after = Order::Identity();
  }
  /// Points the cursors into this object's own cells, at the offset `other` has reached.
  void AimLike(const BlockExtremes& other) {
    cursor_ = cells_.data() + (other.cursor_ == nullptr ? 0 : other.cursor_ - other.cells_.data());
    end_ = cells_.data() + cells_.size();
  }

  std::vector<Cell> cells_;
  Cell* cursor_ = nullptr;  // the cell of the next update
  Cell* end_ = nullptr;
  Value running_ = Order::Identity();
  Value before_full_;
};

/// The orders of RollingMax and RollingMin. A NaN passes through the same comparisons in the same order as
/// in the plain loops of their tests.
struct Greatest {
  static double Identity() { return -std::numeric_limits<double>::infinity(); }
  static double Pick(double a, double b) { return a < b ? b : a; }
};
struct Least {
  static double Identity() { return std::numeric_limits<double>::infinity(); }
  static double Pick(double a, double b) { return b < a ? b : a; }
};

}  // namespace detail

/// The maximum (kMax) or minimum of the last `period` values (detail::BlockExtremes), exact.
template <bool kMax>
class RollingExtreme {
 public:
  explicit RollingExtreme(int period) : blocks_(period) {}

  void Update(double x) {
    value_ = blocks_.Update(x);
    ++count_;
  }

  bool Ready() const { return count_ >= blocks_.period(); }
  /// The extreme of the window so far (of fewer values during warm-up); NaN before any update.
  double Current() const { return count_ > 0 ? value_ : kNaN; }
  /// The extreme of a full window, NaN during warm-up.
  double Value() const { return Ready() ? value_ : kNaN; }
  int period() const { return blocks_.period(); }

  void Reset() {
    blocks_.Reset();
    value_ = Order::Identity();
    count_ = 0;
  }

 private:
  using Order = std::conditional_t<kMax, detail::Greatest, detail::Least>;
  detail::BlockExtremes<double, Order> blocks_;
  std::int64_t count_ = 0;
  double value_ = Order::Identity();
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
// Some helpers are written in GCC's vector extension rather than with intrinsics such as _mm_max_pd,
// _mm_unpackhi_pd, _mm_cmplt_pd or _mm_and_pd: the same instructions (GCC emits MAXPD for exactly a < b ? b : a,
// NaN and signed zeros included), but plain GIMPLE instead of calls to target builtins. GCC 12 does no store
// motion at all in a loop that contains such a call, so an indicator that owns a vector (a window: not
// scalarised) would keep every field in memory, its recurrences included, when a caller's loop updates it.
using Lanes = double __attribute__((vector_size(16)));
using LaneMask = long long __attribute__((vector_size(16)));
inline DoublePair Max(DoublePair a, DoublePair b) {
  const Lanes x = a.lanes;
  const Lanes y = b.lanes;
  return DoublePair{x < y ? y : x};
}
inline DoublePair Add(DoublePair a, DoublePair b) { return DoublePair{_mm_add_pd(a.lanes, b.lanes)}; }
inline DoublePair Scale(double k, DoublePair a) { return DoublePair{_mm_mul_pd(_mm_set1_pd(k), a.lanes)}; }
inline DoublePair DivideBy(DoublePair a, double d) { return DoublePair{_mm_div_pd(a.lanes, _mm_set1_pd(d))}; }
inline DoublePair Subtract(DoublePair a, DoublePair b) { return DoublePair{_mm_sub_pd(a.lanes, b.lanes)}; }
inline DoublePair Multiply(DoublePair a, DoublePair b) { return DoublePair{_mm_mul_pd(a.lanes, b.lanes)}; }
inline DoublePair Divide(DoublePair a, DoublePair b) { return DoublePair{_mm_div_pd(a.lanes, b.lanes)}; }
/// Both lanes < limit (false when either is NaN).
inline bool BothBelow(DoublePair a, double limit) {
  const LaneMask below = Lanes(a.lanes) < Lanes{limit, limit};
  return (below[0] & below[1]) != 0;
}
/// Lane-wise x > other && x > 0 ? x : +0.0 with other = the other lane: Wilder's directional-move rule for
/// the pair (up, down). CMPLTPD(swapped, x) is other < x and MAXPD(x, 0) is x > 0 ? x : 0, NaN included.
inline DoublePair LargerPositiveMove(DoublePair moves) {
  const __m128d swapped = _mm_shuffle_pd(moves.lanes, moves.lanes, 1);
  return DoublePair{_mm_and_pd(_mm_cmplt_pd(swapped, moves.lanes), _mm_max_pd(moves.lanes, _mm_setzero_pd()))};
}
inline double First(DoublePair p) { return _mm_cvtsd_f64(p.lanes); }
inline double Second(DoublePair p) { return p.lanes[1]; }
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
/// a < b ? 1.0 : 0.0 from a compare mask ANDed with 1.0: no flags, no round trip through an integer register
/// and back (CMPLTSD is false for NaN, as <). For conditions that are coin flips on market data (the squeeze).
inline double OneIfLess(double a, double b) {
#if defined(__SSE2__) && defined(__GNUC__)
  // As asm: the intrinsics would zero the upper lane of each operand first (two more instructions).
  double r = a;
  asm("cmpltsd %[b], %[r]\n\tandpd %[one], %[r]" : [r] "+x"(r) : [b] "x"(b), [one] "x"(1.0));
  return r;
#else
  return a < b ? 1.0 : 0.0;
#endif
}
/// The true range max(H, Cprev) − min(L, Cprev): for L ≤ H the same bits as max(H − L, |H − Cprev|,
/// |L − Cprev|) (each of those differences is exactly at most the outer one, and rounding is monotonic), in
/// three operations instead of seven; a NaN previous close gives H − L (the first bar's true range), a NaN high
/// or low gives NaN. A bar with L > H, which has no true range, gets another number.
inline double TrueRangeOfOuterPair(double high, double low, double prev_close) {
  return (high < prev_close ? prev_close : high) - (prev_close < low ? prev_close : low);
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

/// Lane-wise den > 0 ? num/den : NaN: one packed division and one packed select (the same IEEE quotients as
/// two scalar divisions, without the compare-and-branch per lane; a NaN denominator gives NaN).
inline DoublePair RatiosOrNaN(DoublePair num, DoublePair den) {
#if defined(__SSE2__)
  Lanes q = Lanes(num.lanes) / Lanes(den.lanes);
#if defined(__GNUC__)
  // The lanes to refuse, !(0 < den), as an all-ones mask, which is itself a NaN: OR-ing it in is the whole
  // select (a zeroing idiom, CMPNLTPD and ORPD), where `den > 0 ? q : NaN` is a branch per lane on SSE2 and a
  // blend with a NaN constant two ANDs and an OR. As asm because GCC turns q | ~mask back into that blend.
  // Refused lanes hold the all-ones NaN (sign bit set).
  Lanes refuse;
  asm("xorpd %[refuse], %[refuse]\n\t"
      "cmpnltpd %[den], %[refuse]\n\t"
      "orpd %[refuse], %[q]"
      : [refuse] "=&x"(refuse), [q] "+x"(q)
      : [den] "x"(Lanes(den.lanes)));
  return DoublePair{q};
#else
  const LaneMask take = Lanes(den.lanes) > Lanes{0.0, 0.0};
  const LaneMask nan = reinterpret_cast<LaneMask>(Lanes{kNaN, kNaN});
  return DoublePair{reinterpret_cast<Lanes>((reinterpret_cast<LaneMask>(q) & take) | (nan & ~take))};
#endif
#else
  return DoublePair{den.first > 0.0 ? num.first / den.first : kNaN,
                    den.second > 0.0 ? num.second / den.second : kNaN};
#endif
}

}  // namespace detail

namespace detail {

/// The order of HighLowBlocks: the lane-wise maximum of (high, −low) pairs.
struct GreatestPair {
  static DoublePair Identity() {
    return MakePair(-std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity());
  }
  static DoublePair Pick(DoublePair a, DoublePair b) { return Max(a, b); }
};

/// BlockExtremes on the pair (high, −low), one MAXPD per step (a low's minimum is the maximum of the negated
/// lows, see DoublePair), without a count of its own: the engine of RollingHighLow and of Ichimoku's lines,
/// which keep one count for all their windows and park the values where they need them. Update returns the
/// pair (highest high, −lowest low) of the last `period` pairs once that many have come in.
template <bool kRecalls>
class HighLowBlocksOf : public BlockExtremes<DoublePair, GreatestPair, kRecalls> {
 public:
  using BlockExtremes<DoublePair, GreatestPair, kRecalls>::BlockExtremes;

  static DoublePair Identity() { return GreatestPair::Identity(); }
  /// (+∞, +∞), which wins every Pick: as `before_full`, the windows of a filling first block report a high of
  /// +∞ and a low of −∞, whose midpoint is NaN (∞ − ∞).
  static DoublePair NotFull() {
    return MakePair(std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity());
  }
  static double High(DoublePair v) { return First(v); }
  static double Low(DoublePair v) { return -Second(v); }
};
using HighLowBlocks = HighLowBlocksOf<false>;
/// HighLowBlocks that also recall the window that ended `period` updates ago (BlockExtremes::UpdateRecalling).
using RecallingHighLowBlocks = HighLowBlocksOf<true>;

}  // namespace detail

/// The highest high and lowest low of the last `period` bars in one packed window (detail::HighLowBlocks): a
/// high/low window for what one RollingMax costs. Exact, and bit for bit RollingMax and RollingMin of the same
/// length, NaN inputs included (the same comparisons in the same order).
class RollingHighLow {
 public:
  explicit RollingHighLow(int period) : blocks_(period) {}

  void Update(double high, double low) { UpdatePair(detail::MakePair(high, -low)); }
  /// Update with the pair (high, −low), for a caller that has it at hand.
  void UpdatePair(detail::DoublePair high_neg_low) {
    value_ = blocks_.Update(high_neg_low);
    ++count_;
  }
  bool Ready() const { return count_ >= blocks_.period(); }
  /// Highest high / lowest low of a full window, NaN during warm-up.
  double High() const { return Ready() ? detail::HighLowBlocks::High(value_) : kNaN; }
  double Low() const { return Ready() ? detail::HighLowBlocks::Low(value_) : kNaN; }
  /// (highest high, −lowest low) without the warm-up test.
  detail::DoublePair Extremes() const { return value_; }
  int period() const { return blocks_.period(); }

  void Reset() {
    blocks_.Reset();
    value_ = detail::HighLowBlocks::Identity();
    count_ = 0;
  }

 private:
  detail::HighLowBlocks blocks_;
  detail::DoublePair value_ = detail::HighLowBlocks::Identity();
  std::int64_t count_ = 0;
};

/// Where a value sits within the range of its own last `period` values, in [0, 1]; 0.5 for a flat window.
/// This is the %K step of the stochastic oscillator applied to a single series (StochRSI uses it on RSI).
/// The maximum and minimum are one packed window of (x, −x) (detail::HighLowBlocks): bit for bit RollingMax
/// and RollingMin, for the steps of one.
class RollingStochastic {
 public:
  explicit RollingStochastic(int period) : window_(period) {}

  void Update(double x) { UpdatePair(detail::MakePair(x, -x)); }
  /// Update with the pair (x, −x), for a caller that has it at hand (Rsi::ValuePair).
  void UpdatePair(detail::DoublePair x_neg_x) {
    window_.UpdatePair(x_neg_x);
    last_ = detail::First(x_neg_x);
  }
  bool Ready() const { return window_.Ready(); }
  double Value() const {
    if (!Ready()) {
      return kNaN;
    }
    // The window keeps −lo, and a − b is by definition the IEEE sum a + (−b): the same bits as x − lo and
    // hi − lo, one negation fewer.
    const detail::DoublePair extremes = window_.Extremes();
    const double neg_lo = detail::Second(extremes);
    const double range = detail::First(extremes) + neg_lo;
    return range > 0.0 ? (last_ + neg_lo) / range : 0.5;
  }
  int WarmupBars() const { return window_.period(); }
  void Reset() {
    window_.Reset();
    last_ = 0.0;
  }

 private:
  RollingHighLow window_;  // of x as (x, −x): (hi, −lo)
  double last_ = 0.0;
};

}  // namespace td::indicators
