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
///
/// Gain and loss are one pair (detail::DoublePair), lane for lane the scalar arithmetic. Once seeded, the new
/// change enters as max(0, (c, c)·(b, −b)) = (b·max(0, c), b·max(0, −c)): for b = 1/n > 0 the same bits (b·c and
/// (−b)·c = −(b·c) round alike; a product that underflows to ±0, a −0 and a NaN all give +0 both ways), one
/// multiply and no negation on the path from the close to the averages.
class Rsi {
 public:
  explicit Rsi(int period)
      : period_(period),
        inv_period_(1.0 / period),
        a_(1.0 - 1.0 / period),
        new_weights_(detail::MakePair(1.0 / period, -1.0 / period)) {
    TD_CHECK(period >= 1) << "period must be >= 1, was " << period;
  }

  void Update(double close) {
    const double change = close - prev_;
    prev_ = close;
    const detail::DoublePair zero = detail::MakePair(0.0, 0.0);
    if (count_ >= period_) [[likely]] {
      const detail::DoublePair weighted = detail::Multiply(detail::MakePair(change, change), new_weights_);
      averages_ = detail::Add(detail::Scale(a_, averages_), detail::Max(zero, weighted));
      return;
    }
    if (count_ < 0) {
      count_ = 0;  // the first close: no change yet
      return;
    }
    // Max(0, x) is (0 < x ? x : 0) lane-wise: exactly change > 0 ? change : 0 and change < 0 ? −change : 0,
    // NaN and signed zeros included.
    averages_ = detail::Add(averages_, detail::Max(zero, detail::MakePair(change, -change)));
    if (++count_ == period_) {
      averages_ = detail::Scale(inv_period_, averages_);
    }
  }
  void Update(const Bar& bar) { Update(bar.close.AsDouble()); }

  bool Ready() const { return count_ >= period_; }
  double Value() const {
    if (!Ready()) {
      return kNaN;
    }
    return FromAverages(detail::First(averages_), detail::Second(averages_));
  }
  /// (RSI, −RSI) of a ready RSI, the pair a packed max/min window takes (StochRsi), bit for bit Value() and its
  /// negation: the total comes as (g + l, l + g) and the quotient as (100·g, −100·g)/(total, total) in one
  /// packed division (−a/b and a/b round alike), so nothing is left to do after the division.
  detail::DoublePair ValuePair() const {
    const double gain = detail::First(averages_);
    const detail::DoublePair total =
        detail::Add(averages_, detail::MakePair(detail::Second(averages_), detail::First(averages_)));
    if (!(detail::First(total) > 0.0)) {
      return detail::MakePair(50.0, -50.0);
    }
    return detail::Divide(detail::Multiply(detail::MakePair(gain, gain), detail::MakePair(100.0, -100.0)), total);
  }
  /// RSI from the Wilder averages (50 when both are zero); the one formula of Value() and of the batch passes.
  // The quotient is formed unconditionally so a batch loop of it vectorises; it is discarded when total is 0.
  static double FromAverages(double gain, double loss) {
    const double total = gain + loss;
    const double rsi = 100.0 * gain / total;
    return total > 0.0 ? rsi : 50.0;
  }
  double AverageGain() const { return Ready() ? detail::First(averages_) : kNaN; }
  /// The running averages without the readiness test (warm-up sums until Ready()), for batch passes that
  /// track readiness themselves.
  double RawAverageGain() const { return detail::First(averages_); }
  double RawAverageLoss() const { return detail::Second(averages_); }
  double AverageLoss() const { return Ready() ? detail::Second(averages_) : kNaN; }
  int WarmupBars() const { return period_ + 1; }
  void Reset() {
    count_ = -1;
    prev_ = 0.0;
    averages_ = detail::MakePair(0.0, 0.0);
  }

 private:
  int period_;
  double inv_period_;
  double a_;
  detail::DoublePair new_weights_;  // (b, −b), b = 1/n
  int count_ = -1;  // changes seen, up to n (the first close makes it 0): one test on the path of a ready RSI
  double prev_ = 0.0;
  detail::DoublePair averages_ = detail::MakePair(0.0, 0.0);  // (gain, loss): sums during warm-up
};

/// Stochastic RSI: where the RSI sits within its own range over the last m RSI values, in [0, 1] (0.5 when
/// the range is flat). Ready after rsi_period + stoch_period closes. No %K/%D smoothing. The RSI enters the
/// packed window as the pair (RSI, −RSI) straight from its packed division (Rsi::ValuePair): no negation and no
/// shuffle between the division and the window, whose extremes then feed the second division.
class StochRsi {
 public:
  explicit StochRsi(int rsi_period = 14, int stoch_period = 14) : rsi_(rsi_period), stoch_(stoch_period) {}
  void Update(double close) {
    rsi_.Update(close);
    if (rsi_.Ready()) {
      stoch_.UpdatePair(rsi_.ValuePair());
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
///
/// The arithmetic is that of four `Wilder` averages (v = α·x + (1 − α)·v after an SMA seed; three of them kept
/// n times over, see below), with +DM and −DM kept as one pair (detail::DoublePair): they take the same steps,
/// so one packed instruction does both, the two DI come from one packed division, and which move wins is a
/// mask, not a branch.
///
/// DX is computed as 100·|+DM − −DM|/(+DM + −DM), the same quantity (TR cancels), from the averages rather than
/// from the rounded DI: its division no longer waits for the DI one, which shortens each bar's chain by a
/// division. It differs from the DI form by a few ulp of DX (more exact, not less), and ADX by as little
/// (fast_path_test checks 1e-12 relative; StockCharts' sheet matches to its 7 printed decimals as before).
///
/// The factors 100 and α ride along instead of costing a multiply each. The TR and DM averages are kept n times
/// over (avg ← x + β·avg, seeded with the sum; α·x + β·avg is the same divided by n): their steps take no
/// weight, the DX ratio does not see the scale, and a DI is one quotient when read, DM average / (TR average ×
/// 0.01), the n cancelling and the 100 riding on the divisor, which is ready long before the DM average. The
/// ADX's Wilder step takes DX/n = |+DM − −DM| / ((+DM + −DM)·n/100) directly (its seed: the sum of n such
/// terms), with the weight on the divisor, which is ready before the difference. No weight sits on a bar's
/// chain from the moves to the ADX or the DI (ADX with both DI read every bar: 16.6 → 15.5–15.7 cycles). Both
/// orders are within 3.5·10⁻¹⁴ of the textbook arithmetic in long double (fast_path_test's bound 2⁻⁴⁴ holds
/// them to it).
///
/// Little lives from bar to bar, so that with a caller's own values it fits the 16 xmm registers (GCC kept the
/// ADX average in memory before, a store and a reload in its recurrence every bar): one count serves the three
/// warm-ups, each average sums its own seed, and the DI are divided when read (one packed division, which the
/// compiler shares between PlusDi and MinusDi) instead of being kept.
class Adx {
 public:
  explicit Adx(int period = 14)
      : period_(period),
        steady_(2 * period - 1),
        beta_(1.0 - 1.0 / period),
        dx_denominator_scale_(period / 100.0),
        beta_pair_(detail::MakePair(beta_, beta_)) {
    TD_CHECK(period >= 1) << "period must be >= 1, was " << period;
  }

  void Update(double high, double low, double close) {
    if (changes_ >= steady_) [[likely]] {
      WilderStep(MovesFrom(high, low));
      adx_ = WeightedDx() + beta_ * adx_;
    } else {
      WarmUp(high, low);
    }
    prev_high_ = high;
    prev_low_ = low;
    prev_close_ = close;
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }

  bool Ready() const { return changes_ >= steady_; }
  double Value() const { return Ready() ? adx_ : kNaN; }
  double PlusDi() const { return changes_ >= period_ ? detail::First(Di()) : kNaN; }
  double MinusDi() const { return changes_ >= period_ ? detail::Second(Di()) : kNaN; }
  int WarmupBars() const { return 2 * period_; }
  int DiWarmupBars() const { return period_ + 1; }
  void Reset() {
    changes_ = -1;
    tr_ = adx_ = prev_high_ = prev_low_ = prev_close_ = 0.0;
    dm_ = detail::MakePair(0.0, 0.0);
  }

 private:
  struct Moves {
    double tr;
    detail::DoublePair dm;  // (+DM, −DM)
  };
  Moves MovesFrom(double high, double low) const {
    return Moves{detail::TrueRangeOfOuterPair(high, low, prev_close_),
                 detail::LargerPositiveMove(detail::MakePair(high - prev_high_, prev_low_ - low))};
  }
  /// The Wilder step of the TR and DM averages, each n times over (see the class comment).
  void WilderStep(const Moves& m) {
    tr_ = m.tr + beta_ * tr_;
    dm_ = detail::Add(m.dm, detail::Multiply(beta_pair_, dm_));
  }
  /// The first 2n − 1 changes (and the first bar, which has none): the TR and DM averages sum their seeds (n
  /// times the SMA seed, as kept), then take Wilder steps, and the ADX sums the DX/n of changes n to 2n − 1.
  void WarmUp(double high, double low) {
    if (changes_ < 0) {
      changes_ = 0;
      return;
    }
    const Moves m = MovesFrom(high, low);
    ++changes_;
    if (changes_ <= period_) {
      tr_ += m.tr;
      dm_ = detail::Add(dm_, m.dm);
      if (changes_ < period_) {
        return;
      }
    } else {
      WilderStep(m);
    }
    adx_ += WeightedDx();
  }
  /// Both DI from the (ready) averages: n·DM average / (n·TR average × 0.01), one quotient.
  detail::DoublePair Di() const {
    return tr_ > 0.0 ? detail::DivideBy(dm_, tr_ * 0.01) : detail::MakePair(0.0, 0.0);
  }
  /// This bar's DX/n, the DX term of the ADX's Wilder step and of its seed sum, from the (ready) DM averages:
  /// |+DM − −DM| / ((+DM + −DM)·n/100), the weight in the divisor, where the sum is ready before the difference.
  /// When TR is 0 so are both DM, as a move never exceeds the true range, and DX is 0 either way.
  double WeightedDx() const {
    const double plus = detail::First(dm_);
    const double minus = detail::Second(dm_);
    const double divisor = (plus + minus) * dx_denominator_scale_;
    return divisor > 0.0 ? std::abs(plus - minus) / divisor : 0.0;
  }

  int period_;
  int steady_;        // 2n − 1: from this many changes on, every average (the ADX's too) takes Wilder steps
  int changes_ = -1;  // TR/DM values seen, up to steady_; −1 before the first bar
  double beta_;
  double dx_denominator_scale_;  // n/100
  // β as a pair too: short of registers, GCC otherwise rebuilds (β, β) every bar.
  detail::DoublePair beta_pair_;
  double prev_high_ = 0.0;
  double prev_low_ = 0.0;
  double prev_close_ = 0.0;
  double tr_ = 0.0;                                     // n × the TR average (its seed sum during warm-up)
  detail::DoublePair dm_ = detail::MakePair(0.0, 0.0);  // n × the averages of (+DM, −DM) (their seed sums first)
  double adx_ = 0.0;                                    // the ADX (its seed sum during its warm-up)
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
      // The colour is a coin flip from bar to bar: computed with integer masks, not branches.
      const int ema_up = static_cast<int>(e > prev_ema_);
      const int hist_up = static_cast<int>(h > prev_hist_);
      const int green = ema_up & hist_up;
      const int red = rule_ == ImpulseRule::kElder
                          ? static_cast<int>(e < prev_ema_) & static_cast<int>(h < prev_hist_)
                          : (ema_up | hist_up) ^ 1;
      impulse_ = green - (red & (green ^ 1));  // green ? 1 : red ? −1 : 0
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
