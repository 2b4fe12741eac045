// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <vector>

#include "core/check.hpp"
#include "indicators/rolling.hpp"

namespace td::indicators {

/// How an exponential average gets its first value.
enum class EmaSeed : std::uint8_t {
  kSma,         // the simple mean of the first n values; ready after n values (StockCharts, TA-Lib)
  kFirstValue,  // the first value itself; ready at once (pandas ewm(adjust=False); the coach and TOMIC variant)
};

/// Simple moving average of the last n values. Ready after n updates.
class Sma {
 public:
  explicit Sma(int period) : window_(period) {}
  void Update(double x) { window_.Update(x); }
  bool Ready() const { return window_.Full(); }
  double Value() const { return Ready() ? window_.Mean() : kNaN; }
  int WarmupBars() const { return window_.period(); }
  void Reset() { window_.Reset(); }

 private:
  RollingMoments window_;
};

/// Exponential average v = α·x + (1 − α)·v. With EmaSeed::kSma the first value is the mean of the first n
/// inputs (ready after n updates); with kFirstValue it is the first input (ready after one).
class Ema {
 public:
  /// The classic EMA: α = 2 / (n + 1).
  explicit Ema(int period, EmaSeed seed = EmaSeed::kSma) : Ema(period, 2.0 / (period + 1.0), seed) {}
  /// Any smoothing factor, e.g. Wilder's α = 1/n (see Wilder below).
  Ema(int period, double alpha, EmaSeed seed)
      : alpha_(alpha), beta_(1.0 - alpha), inv_period_(1.0 / period), warmup_(seed == EmaSeed::kSma ? period : 1) {
    TD_CHECK(period >= 1) << "period must be >= 1, was " << period;
    TD_CHECK(alpha > 0.0 && alpha <= 1.0) << "alpha must be in (0, 1], was " << alpha;
  }

  void Update(double x) {
    if (count_ >= warmup_) [[likely]] {
      value_ = alpha_ * x + beta_ * value_;
      return;
    }
    seed_sum_ += x;
    if (++count_ == warmup_) {
      value_ = warmup_ == 1 ? seed_sum_ : seed_sum_ * inv_period_;
    }
  }
  /// The update of a ready average (the first branch of Update), for callers that track readiness
  /// themselves and keep several averages in step.
  void UpdateReady(double x) { value_ = alpha_ * x + beta_ * value_; }
  bool Ready() const { return count_ >= warmup_; }
  double Value() const { return Ready() ? value_ : kNaN; }
  /// The average without the readiness test (0 until the seed is complete).
  double RawValue() const { return value_; }
  int WarmupBars() const { return warmup_; }
  double alpha() const { return alpha_; }
  void Reset() {
    count_ = 0;
    seed_sum_ = 0.0;
    value_ = 0.0;
  }

 private:
  double alpha_;
  double beta_;
  double inv_period_;
  int warmup_;
  int count_ = 0;
  double seed_sum_ = 0.0;
  double value_ = 0.0;
};

/// Wilder's smoothing (RMA, SMMA): an EMA with α = 1/n seeded with the SMA of the first n values, i.e.
/// v = (v·(n − 1) + x) / n, computed as v·((n − 1)/n) + x·(1/n). Used by RSI, ATR and ADX.
class Wilder {
 public:
  explicit Wilder(int period) : ema_(period, 1.0 / period, EmaSeed::kSma) {}
  void Update(double x) { ema_.Update(x); }
  /// See Ema::UpdateReady.
  void UpdateReady(double x) { ema_.UpdateReady(x); }
  bool Ready() const { return ema_.Ready(); }
  double Value() const { return ema_.Value(); }
  double RawValue() const { return ema_.RawValue(); }
  int WarmupBars() const { return ema_.WarmupBars(); }
  void Reset() { ema_.Reset(); }

 private:
  Ema ema_;
};

/// Linearly weighted moving average: weights 1..n, the newest value weighing n. Ready after n updates.
/// Keeps Σx and Σk·x incrementally (W' = W + n·x − S) and re-sums exactly every n updates against drift.
class Wma {
 public:
  explicit Wma(int period) : period_(period), inv_denominator_(2.0 / (period * (period + 1.0))) {
    TD_CHECK(period >= 1) << "period must be >= 1, was " << period;
    window_.assign(static_cast<std::size_t>(period), 0.0);
  }

  void Update(double x) {
    if (count_ < period_) [[unlikely]] {
      window_[pos_] = x;
      ++count_;
    } else {
      const double old = window_[pos_];
      window_[pos_] = x;
      weighted_ += period_ * x - sum_;
      sum_ += x - old;
    }
    if (++pos_ == static_cast<std::size_t>(period_)) {
      pos_ = 0;
      Resum();
    }
  }
  bool Ready() const { return count_ >= period_; }
  double Value() const { return Ready() ? weighted_ * inv_denominator_ : kNaN; }
  int WarmupBars() const { return period_; }
  void Reset() {
    count_ = 0;
    pos_ = 0;
    sum_ = weighted_ = 0.0;
  }

 private:
  void Resum() {
    // Called when pos_ is back at 0, so window_[0] is the oldest value.
    double sum = 0.0;
    double weighted = 0.0;
    for (std::size_t k = 0; k < window_.size(); ++k) {
      sum += window_[k];
      weighted += static_cast<double>(k + 1) * window_[k];
    }
    sum_ = sum;
    weighted_ = weighted;
  }

  std::vector<double> window_;
  int period_;
  double inv_denominator_;
  int count_ = 0;
  std::size_t pos_ = 0;
  double sum_ = 0.0;
  double weighted_ = 0.0;
};

}  // namespace td::indicators
