// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

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
