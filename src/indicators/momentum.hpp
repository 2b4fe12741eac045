// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "indicators/moving_average.hpp"
#include "indicators/rolling.hpp"
#include "model/bar.hpp"

namespace td::indicators {

/// Wilder's RSI: average gain and loss over n changes, each seeded with the plain mean of the first n changes
/// and then Wilder-smoothed; RSI = 100·g/(g + l), 50 when both are zero. Ready after n + 1 closes.
class Rsi {
 public:
  explicit Rsi(int period) : period_(period), inv_period_(1.0 / period), a_(1.0 - 1.0 / period), b_(1.0 / period) {
    TD_CHECK(period >= 1) << "period must be >= 1, was " << period;
  }

  void Update(double close) {
    if (!has_prev_) [[unlikely]] {
      prev_ = close;
      has_prev_ = true;
      return;
    }
    const double change = close - prev_;
    prev_ = close;
    // max(0, x) is (0 < x ? x : 0): exactly change > 0 ? change : 0 and change < 0 ? −change : 0, NaN and
    // signed zeros included, and it compiles to one maxsd instead of a compare-and-blend.
    const double gain = std::max(0.0, change);
    const double loss = std::max(0.0, -change);
    if (count_ >= period_) [[likely]] {
      gain_ = a_ * gain_ + b_ * gain;
      loss_ = a_ * loss_ + b_ * loss;
      return;
    }
    gain_ += gain;
    loss_ += loss;
    if (++count_ == period_) {
      gain_ *= inv_period_;
      loss_ *= inv_period_;
    }
  }
  void Update(const Bar& bar) { Update(bar.close.AsDouble()); }

  bool Ready() const { return count_ >= period_; }
  double Value() const {
    if (!Ready()) {
      return kNaN;
    }
    return FromAverages(gain_, loss_);
  }
  /// RSI from the Wilder averages (50 when both are zero); the one formula of Value() and of the batch passes.
  // The quotient is formed unconditionally so a batch loop of it vectorises; it is discarded when total is 0.
  static double FromAverages(double gain, double loss) {
    const double total = gain + loss;
    const double rsi = 100.0 * gain / total;
    return total > 0.0 ? rsi : 50.0;
  }
  double AverageGain() const { return Ready() ? gain_ : kNaN; }
  /// The running averages without the readiness test (warm-up sums until Ready()), for batch passes that
  /// track readiness themselves.
  double RawAverageGain() const { return gain_; }
  double RawAverageLoss() const { return loss_; }
  double AverageLoss() const { return Ready() ? loss_ : kNaN; }
  int WarmupBars() const { return period_ + 1; }
  void Reset() {
    has_prev_ = false;
    count_ = 0;
    gain_ = loss_ = prev_ = 0.0;
  }

 private:
  int period_;
  double inv_period_;
  double a_;
  double b_;
  bool has_prev_ = false;
  int count_ = 0;
  double prev_ = 0.0;
  double gain_ = 0.0;
  double loss_ = 0.0;
};

/// Stochastic RSI: where the RSI sits within its own range over the last m RSI values, in [0, 1] (0.5 when
/// the range is flat). Ready after rsi_period + stoch_period closes. No %K/%D smoothing.
class StochRsi {
 public:
  explicit StochRsi(int rsi_period = 14, int stoch_period = 14) : rsi_(rsi_period), stoch_(stoch_period) {}
  void Update(double close) {
    rsi_.Update(close);
    if (rsi_.Ready()) {
      stoch_.Update(rsi_.Value());
    }
  }
  bool Ready() const { return stoch_.Ready(); }
  double Value() const { return stoch_.Value(); }
  double RsiValue() const { return rsi_.Value(); }
  int WarmupBars() const { return rsi_.WarmupBars() + stoch_.WarmupBars() - 1; }
  void Reset() {
    rsi_.Reset();
    stoch_.Reset();
  }

 private:
  Rsi rsi_;
  RollingStochastic stoch_;
};

/// MACD: line = EMA(fast) − EMA(slow); signal = EMA(signal) of the line; histogram = line − signal.
/// With SMA seeding the line starts when the slow EMA is ready and the signal after `signal` line values
/// (12/26/9: ready after 34 closes); with first-value seeding everything is ready at once.
class Macd {
 public:
  explicit Macd(int fast = 12, int slow = 26, int signal = 9, EmaSeed seed = EmaSeed::kSma)
      : fast_(fast, seed), slow_(slow, seed), signal_(signal, seed) {
    TD_CHECK(fast <= slow) << "fast period " << fast << " exceeds slow period " << slow;
  }
  void Update(double close) {
    fast_.Update(close);
    slow_.Update(close);
    if (slow_.Ready()) [[likely]] {
      line_ = fast_.Value() - slow_.Value();
      signal_.Update(line_);
    }
  }
  bool Ready() const { return signal_.Ready(); }
  /// The MACD line, available before the signal (NaN until the slow EMA is ready).
  double Line() const { return slow_.Ready() ? line_ : kNaN; }
  double Signal() const { return signal_.Value(); }
  double Histogram() const { return Ready() ? line_ - signal_.Value() : kNaN; }
  double Value() const { return Line(); }
  int WarmupBars() const { return slow_.WarmupBars() + signal_.WarmupBars() - 1; }
  void Reset() {
    fast_.Reset();
    slow_.Reset();
    signal_.Reset();
    line_ = 0.0;
  }

 private:
  Ema fast_;
  Ema slow_;
  Ema signal_;
  double line_ = 0.0;
};

/// Wilder's ADX with +DI and −DI. From the second bar: TR, +DM, −DM (a move counts only when it is the larger
/// one and positive), each Wilder-smoothed over n (seeded with the mean of the first n, which gives the same
/// DI as Wilder's running sums); DI = 100·DM/TR, DX = 100·|+DI − −DI|/(+DI + −DI), ADX = Wilder average of DX.
/// DI ready after n + 1 bars, ADX after 2n bars.
class Adx {
 public:
  explicit Adx(int period = 14) : tr_(period), plus_dm_(period), minus_dm_(period), adx_(period) {}

  void Update(double high, double low, double close) {
    if (!has_prev_) [[unlikely]] {
      has_prev_ = true;
    } else {
      const double tr = std::max(high - low, std::max(std::abs(high - prev_close_), std::abs(low - prev_close_)));
      const double up = high - prev_high_;
      const double down = prev_low_ - low;
      tr_.Update(tr);
      plus_dm_.Update(up > down && up > 0.0 ? up : 0.0);
      minus_dm_.Update(down > up && down > 0.0 ? down : 0.0);
      if (tr_.Ready()) [[likely]] {
        const double atr = tr_.Value();
        plus_di_ = atr > 0.0 ? 100.0 * plus_dm_.Value() / atr : 0.0;
        minus_di_ = atr > 0.0 ? 100.0 * minus_dm_.Value() / atr : 0.0;
        const double sum = plus_di_ + minus_di_;
        adx_.Update(sum > 0.0 ? 100.0 * std::abs(plus_di_ - minus_di_) / sum : 0.0);
      }
    }
    prev_high_ = high;
    prev_low_ = low;
    prev_close_ = close;
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }

  bool Ready() const { return adx_.Ready(); }
  double Value() const { return adx_.Value(); }
  double PlusDi() const { return tr_.Ready() ? plus_di_ : kNaN; }
  double MinusDi() const { return tr_.Ready() ? minus_di_ : kNaN; }
  int WarmupBars() const { return tr_.WarmupBars() + adx_.WarmupBars(); }
  int DiWarmupBars() const { return tr_.WarmupBars() + 1; }
  void Reset() {
    tr_.Reset();
    plus_dm_.Reset();
    minus_dm_.Reset();
    adx_.Reset();
    has_prev_ = false;
  }

 private:
  Wilder tr_;
  Wilder plus_dm_;
  Wilder minus_dm_;
  Wilder adx_;
  bool has_prev_ = false;
  double prev_high_ = 0.0;
  double prev_low_ = 0.0;
  double prev_close_ = 0.0;
  double plus_di_ = 0.0;
  double minus_di_ = 0.0;
};

/// How Elder's impulse system names a bar whose EMA and histogram do not move together.
enum class ImpulseRule : std::uint8_t {
  kElder,      // green: EMA and histogram both rise; red: both fall; otherwise blue
  kNotRising,  // TOMIC's variant: red whenever neither rises (flat counts as not rising)
};

/// Elder's impulse: +1 green, −1 red, 0 blue from the direction of EMA(13) and of the MACD(12,26,9)
/// histogram against the previous bar. Ready once both have a previous value (35 closes with SMA seeding).
class ElderImpulse {
 public:
  explicit ElderImpulse(int ema_period = 13, int fast = 12, int slow = 26, int signal = 9, EmaSeed seed = EmaSeed::kSma,
                        ImpulseRule rule = ImpulseRule::kElder)
      : ema_(ema_period, seed), macd_(fast, slow, signal, seed), rule_(rule) {}

  void Update(double close) {
    ema_.Update(close);
    macd_.Update(close);
    if (!ema_.Ready() || !macd_.Ready()) [[unlikely]] {
      return;
    }
    const double e = ema_.Value();
    const double h = macd_.Histogram();
    if (has_prev_) [[likely]] {
      const bool ema_up = e > prev_ema_;
      const bool hist_up = h > prev_hist_;
      const bool ema_down = e < prev_ema_;
      const bool hist_down = h < prev_hist_;
      if (ema_up && hist_up) {
        impulse_ = 1;
      } else if (rule_ == ImpulseRule::kElder ? (ema_down && hist_down) : (!ema_up && !hist_up)) {
        impulse_ = -1;
      } else {
        impulse_ = 0;
      }
      ready_ = true;
    }
    prev_ema_ = e;
    prev_hist_ = h;
    has_prev_ = true;
  }

  bool Ready() const { return ready_; }
  /// +1 green, −1 red, 0 blue; NaN during warm-up.
  double Value() const { return ready_ ? static_cast<double>(impulse_) : kNaN; }
  int Impulse() const { return impulse_; }
  int WarmupBars() const { return std::max(ema_.WarmupBars(), macd_.WarmupBars()) + 1; }
  void Reset() {
    ema_.Reset();
    macd_.Reset();
    has_prev_ = ready_ = false;
    impulse_ = 0;
  }

 private:
  Ema ema_;
  Macd macd_;
  ImpulseRule rule_;
  bool has_prev_ = false;
  bool ready_ = false;
  int impulse_ = 0;
  double prev_ema_ = 0.0;
  double prev_hist_ = 0.0;
};

}  // namespace td::indicators
