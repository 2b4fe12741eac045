// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "indicators/log_ratio.hpp"
#include "indicators/moving_average.hpp"
#include "indicators/rolling.hpp"
#include "model/bar.hpp"

namespace td::indicators {

/// True range: max(high − low, |high − prev close|, |low − prev close|); the first bar has no previous close,
/// so its true range is high − low (as in StockCharts' ATR sheet). Ready after one bar.
class TrueRange {
 public:
  void Update(double high, double low, double close) {
    const double hl = high - low;
    if (has_prev_) [[likely]] {
      value_ = std::max(hl, std::max(std::abs(high - prev_close_), std::abs(low - prev_close_)));
    } else {
      value_ = hl;
      has_prev_ = true;
    }
    prev_close_ = close;
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }
  /// Update once a previous close exists (the likely branch of Update), for callers that know it does.
  void UpdateReady(double high, double low, double close) {
    value_ = std::max(high - low, std::max(std::abs(high - prev_close_), std::abs(low - prev_close_)));
    prev_close_ = close;
  }
  bool Ready() const { return has_prev_; }
  double Value() const { return has_prev_ ? value_ : kNaN; }
  double RawValue() const { return value_; }
  int WarmupBars() const { return 1; }
  void Reset() { has_prev_ = false; }

 private:
  bool has_prev_ = false;
  double prev_close_ = 0.0;
  double value_ = 0.0;
};

/// Wilder's ATR: the Wilder average of the true range, seeded with the mean of the first n true ranges (the
/// first being high − low). Ready after n bars, exactly as StockCharts' ATR(14) sheet.
class Atr {
 public:
  explicit Atr(int period = 14) : average_(period) {}
  void Update(double high, double low, double close) {
    tr_.Update(high, low, close);
    average_.Update(tr_.Value());
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }
  /// Update of a ready ATR without its warm-up tests (same arithmetic), for callers that track readiness.
  void UpdateReady(double high, double low, double close) {
    tr_.UpdateReady(high, low, close);
    average_.UpdateReady(tr_.RawValue());
  }
  bool Ready() const { return average_.Ready(); }
  double Value() const { return average_.Value(); }
  /// The average without the readiness test.
  double RawValue() const { return average_.RawValue(); }
  double TrueRangeValue() const { return tr_.Value(); }
  int WarmupBars() const { return average_.WarmupBars(); }
  void Reset() {
    tr_.Reset();
    average_.Reset();
  }

 private:
  TrueRange tr_;
  Wilder average_;
};

/// The EMA-smoothed ATR (α = 2/(n + 1)) — NOT Wilder's. The coach's "ATR(14)" is this with first-value
/// seeding; it reacts faster than Atr and must never be confused with it.
class AtrEma {
 public:
  explicit AtrEma(int period = 14, EmaSeed seed = EmaSeed::kSma) : average_(period, seed) {}
  void Update(double high, double low, double close) {
    tr_.Update(high, low, close);
    average_.Update(tr_.Value());
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }
  bool Ready() const { return average_.Ready(); }
  double Value() const { return average_.Value(); }
  int WarmupBars() const { return average_.WarmupBars(); }
  void Reset() {
    tr_.Reset();
    average_.Reset();
  }

 private:
  TrueRange tr_;
  Ema average_;
};

/// A channel's lines: middle, upper, lower, and width = (upper − lower)/middle as a fraction.
struct Bands {
  double middle = kNaN;
  double upper = kNaN;
  double lower = kNaN;
  double width = kNaN;
};

/// Bollinger bands: middle = SMA(n), bands = middle ± k·σ with the POPULATION standard deviation (divide by n,
/// as StockCharts and Bollinger himself); width = (upper − lower)/middle as a fraction (StockCharts' BandWidth
/// is this × 100). Ready after n values.
class Bollinger {
 public:
  explicit Bollinger(int period = 20, double k = 2.0) : window_(period), k_(k) {}
  void Update(double close) {
    window_.Update(close);
    last_ = close;
  }
  /// Updates with close[0, n), calling after(j, sums) after each (see RollingMoments::UpdateMany); a batch
  /// pass turns the sums into lines later with BandsOf.
  template <typename After>
  void UpdateMany(const double* close, std::size_t n, After&& after) {
    window_.UpdateMany(close, n, after);
    if (n > 0) {
      last_ = close[n - 1];
    }
  }
  bool Ready() const { return window_.Full(); }
  int period() const { return window_.period(); }
  double inv_period() const { return window_.inv_period(); }
  /// All four lines at once (NaN during warm-up); the accessors below return the same numbers.
  Bands Values() const {
    if (!Ready()) {
      return Bands{};
    }
    return StreamingBandsOf(window_.state(), window_.inv_period(), k_);
  }
  /// The lines of a full window from its sums: the one formula of Values() and of the batch passes.
  /// width = offset × (2/m): the quotient depends on the mean alone, so the divider starts on it while the
  /// square root is still running, instead of waiting for the offset (a streaming bar's chain is ~20 cycles
  /// shorter). Two roundings instead of one: within 2^-52 relative of (2·offset)/m, at most 2 ulp
  /// (fast_path_test checks it); StockCharts' BandWidth is printed to 4 decimals.
  static Bands BandsOf(const RollingMoments::State& st, double inv_period, double k) {
    const double m = RollingMoments::MeanOf(st, inv_period);
    const double twice_over_mean = 2.0 / m;
    const double offset = k * std::sqrt(RollingMoments::PopulationVarianceOf(st, inv_period));
    return Bands{m, m + offset, m - offset, offset * twice_over_mean};
  }
  /// BandsOf for one bar at a time: the clamped square root is detail::SqrtOfClamped (no errno test in
  /// callers built without -fno-math-errno). Same operations in the same order, so the same bits (the
  /// streaming == batch tests compare them bitwise); BandsOf stays the form the batch passes vectorise.
  static Bands StreamingBandsOf(const RollingMoments::State& st, double inv_period, double k) {
    const double m = RollingMoments::MeanOf(st, inv_period);
    const double mean_shift = st.s1 * inv_period;
    const double twice_over_mean = 2.0 / m;
    const double offset = k * detail::SqrtOfClamped(st.s2 * inv_period - mean_shift * mean_shift);
    return Bands{m, m + offset, m - offset, offset * twice_over_mean};
  }
  double k() const { return k_; }
  double Middle() const { return Values().middle; }
  double Upper() const { return Values().upper; }
  double Lower() const { return Values().lower; }
  double Width() const { return Values().width; }
  double StdDev() const { return Ready() ? std::sqrt(window_.PopulationVariance()) : kNaN; }
  /// %B: where the last close sits between the bands (0 at lower, 1 at upper); NaN when the bands coincide.
  double PercentB() const {
    const Bands b = Values();
    return b.upper > b.lower ? (last_ - b.lower) / (b.upper - b.lower) : kNaN;
  }
  double Value() const { return Middle(); }
  int WarmupBars() const { return window_.period(); }
  void Reset() { window_.Reset(); }

 private:
  RollingMoments window_;
  double k_;
  double last_ = 0.0;
};

/// Keltner channels: middle = EMA(ema_period) of the close, bands = middle ± mult·ATR(atr_period) (Wilder).
/// StockCharts' default is (20, 10, 2); the coach uses EMA20 ± 1.5·ATR20. Ready when both averages are.
class Keltner {
 public:
  explicit Keltner(int ema_period = 20, int atr_period = 10, double mult = 2.0, EmaSeed seed = EmaSeed::kSma)
      : ema_(ema_period, seed), atr_(atr_period), mult_(mult) {}
  void Update(double high, double low, double close) {
    ema_.Update(close);
    atr_.Update(high, low, close);
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }
  bool Ready() const { return ema_.Ready() && atr_.Ready(); }
  /// All four lines at once (NaN during warm-up); the accessors below return the same numbers.
  Bands Values() const {
    if (!Ready()) {
      return Bands{};
    }
    const double m = ema_.Value();
    const double offset = mult_ * atr_.Value();
    return Bands{m, m + offset, m - offset, (offset + offset) / m};
  }
  double Middle() const { return Values().middle; }
  double Upper() const { return Values().upper; }
  double Lower() const { return Values().lower; }
  double Width() const { return Values().width; }
  double Value() const { return Middle(); }
  int WarmupBars() const { return std::max(ema_.WarmupBars(), atr_.WarmupBars()); }
  void Reset() {
    ema_.Reset();
    atr_.Reset();
  }

 private:
  Ema ema_;
  Atr atr_;
  double mult_;
};

/// TTM-style squeeze: on while the Bollinger bands (20, 2σ) lie strictly inside the Keltner channel
/// (EMA 20 ± 1.5·Wilder ATR 20). Value() is 1 (on) or 0 (off), NaN during warm-up.
class Squeeze {
 public:
  explicit Squeeze(int bb_period = 20, double bb_k = 2.0, int kc_period = 20, int kc_atr_period = 20,
                   double kc_mult = 1.5)
      : bollinger_(bb_period, bb_k), keltner_(kc_period, kc_atr_period, kc_mult) {}
  void Update(double high, double low, double close) {
    bollinger_.Update(close);
    keltner_.Update(high, low, close);
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }
  bool Ready() const { return bollinger_.Ready() && keltner_.Ready(); }
  bool On() const {
    if (!Ready()) {
      return false;
    }
    const Bands bb = bollinger_.Values();
    const Bands kc = keltner_.Values();
    // Both tests, combined without a branch: whether the squeeze holds changes often.
    return static_cast<bool>(static_cast<int>(bb.upper < kc.upper) & static_cast<int>(bb.lower > kc.lower));
  }
  /// 1 or 0 as On(), NaN during warm-up; the two tests as compare masks (see detail::OneIfBothLess).
  double Value() const {
    if (!Ready()) {
      return kNaN;
    }
    const Bands bb = bollinger_.Values();
    const Bands kc = keltner_.Values();
    return detail::OneIfBothLess(bb.upper, kc.upper, kc.lower, bb.lower);
  }
  const Bollinger& bollinger() const { return bollinger_; }
  const Keltner& keltner() const { return keltner_; }
  int WarmupBars() const { return std::max(bollinger_.WarmupBars(), keltner_.WarmupBars()); }
  void Reset() {
    bollinger_.Reset();
    keltner_.Reset();
  }

 private:
  Bollinger bollinger_;
  Keltner keltner_;
};

/// Supertrend on hl2 ± mult·ATR(n) (Wilder). The bands only tighten while the trend holds: the lower band
/// never falls unless the previous close broke below it, the upper never rises unless the previous close broke
/// above it. The trend flips up when the close crosses above the upper band and down when it crosses below the
/// lower band; it starts down (line = upper band) like TradingView's. Value() is the active band.
class Supertrend {
 public:
  explicit Supertrend(int atr_period = 10, double mult = 3.0) : atr_(atr_period), mult_(mult) {}

  void Update(double high, double low, double close) {
    if (ready_) [[likely]] {
      atr_.UpdateReady(high, low, close);  // ready_ implies a ready ATR: skip its warm-up tests
    } else {
      atr_.Update(high, low, close);
      if (!atr_.Ready()) {
        prev_close_ = close;
        return;
      }
    }
    const double mid = 0.5 * (high + low);
    const double offset = mult_ * atr_.RawValue();
    const detail::DoublePair band = detail::MakePair(mid + offset, -(mid - offset));
    if (ready_) [[likely]] {
      // Whether a band tightens is a coin flip from bar to bar (masks, see RatchetBands); a flip is rare.
      bands_ = detail::RatchetBands(band, bands_, prev_close_);
      if (direction_ < 0) {
        direction_ = close > UpperRaw() ? 1 : -1;
      } else {
        direction_ = close < LowerRaw() ? -1 : 1;
      }
    } else {
      bands_ = band;
      direction_ = -1;
      ready_ = true;
    }
    prev_close_ = close;
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }

  bool Ready() const { return ready_; }
  double Value() const { return ready_ ? (direction_ > 0 ? LowerRaw() : UpperRaw()) : kNaN; }
  /// +1 in an up-trend (line below price), −1 in a down-trend; 0 during warm-up.
  int Direction() const { return ready_ ? direction_ : 0; }
  double UpperBand() const { return ready_ ? UpperRaw() : kNaN; }
  double LowerBand() const { return ready_ ? LowerRaw() : kNaN; }
  int WarmupBars() const { return atr_.WarmupBars(); }
  void Reset() {
    atr_.Reset();
    ready_ = false;
    direction_ = -1;
  }

 private:
  double UpperRaw() const { return detail::First(bands_); }
  double LowerRaw() const { return -detail::Second(bands_); }

  Atr atr_;
  double mult_;
  bool ready_ = false;
  int direction_ = -1;
  detail::DoublePair bands_ = detail::MakePair(0.0, 0.0);  // (upper, −lower), see RatchetBands
  double prev_close_ = 0.0;
};

/// Chandelier exit: long stop = highest high(n) − mult·ATR(n), short stop = lowest low(n) + mult·ATR(n)
/// (Wilder ATR; defaults 22 and 3). Ready after n bars.
class ChandelierExit {
 public:
  explicit ChandelierExit(int period = 22, double mult = 3.0)
      : highest_(period), lowest_(period), atr_(period), mult_(mult) {}
  void Update(double high, double low, double close) {
    highest_.Update(high);
    lowest_.Update(low);
    atr_.Update(high, low, close);
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }
  bool Ready() const { return atr_.Ready() && highest_.Ready(); }
  double LongStop() const { return Ready() ? highest_.Value() - mult_ * atr_.Value() : kNaN; }
  double ShortStop() const { return Ready() ? lowest_.Value() + mult_ * atr_.Value() : kNaN; }
  double Value() const { return LongStop(); }
  int WarmupBars() const { return atr_.WarmupBars(); }
  void Reset() {
    highest_.Reset();
    lowest_.Reset();
    atr_.Reset();
  }

 private:
  RollingMax highest_;
  RollingMin lowest_;
  Atr atr_;
  double mult_;
};

/// The returns close-to-close volatility is measured on.
enum class ReturnKind : std::uint8_t { kLog, kSimple };
/// Which standard deviation: sample (n − 1) or population (n).
enum class StdDevKind : std::uint8_t { kSample, kPopulation };

/// Close-to-close historical volatility: the standard deviation of the last n returns × √periods_per_year,
/// as a fraction (0.20 = 20 %). Default: log returns, sample stdev (TOMIC's HV). The coach's HV is simple
/// returns with the population stdev, times 100. Ready after n + 1 closes.
///
/// The log return is detail::LogRatio(close, previous close): within 2.5 ulp of the exact log of the price
/// ratio, and off the glibc call. The sample variance is scaled by periods_per_year/(n − 1) computed once, one
/// multiplication instead of a division and a multiplication per value: at most 2 ulp from the old form in the
/// variance, 1 after the square root (log_ratio_test checks 2^-51 relative).
class HistVolCloseToClose {
 public:
  HistVolCloseToClose(int period, double periods_per_year, ReturnKind returns = ReturnKind::kLog,
                      StdDevKind stdev = StdDevKind::kSample)
      : window_(period),
        periods_per_year_(periods_per_year),
        sample_scale_(period >= 2 ? periods_per_year / (period - 1) : 0.0),
        returns_(returns),
        stdev_(stdev) {
    TD_CHECK(periods_per_year > 0.0) << "periods_per_year must be positive";
  }
  void Update(double close) {
    if (has_prev_) [[likely]] {
      window_.Update(returns_ == ReturnKind::kLog ? detail::LogRatio(close, prev_) : close / prev_ - 1.0);
    }
    has_prev_ = true;
    prev_ = close;
  }
  void Update(const Bar& bar) { Update(bar.close.AsDouble()); }
  bool Ready() const { return window_.Full(); }
  double Value() const {
    if (!Ready()) {
      return kNaN;
    }
    const RollingMoments::State& st = window_.state();
    // Sample: (Σd² − (Σd)²/n)/(n − 1) × ppy as one product with the cached ppy/(n − 1) (a window of one has
    // a zero scale, so a zero variance, as before); population: the clamped variance × ppy, bit for bit.
    const double var_per_year =
        stdev_ == StdDevKind::kSample
            ? (st.s2 - st.s1 * st.s1 * window_.inv_period()) * sample_scale_
            : RollingMoments::PopulationVarianceOf(st, window_.inv_period()) * periods_per_year_;
    return detail::SqrtOfClamped(var_per_year);
  }
  int WarmupBars() const { return window_.period() + 1; }
  void Reset() {
    window_.Reset();
    has_prev_ = false;
  }

 private:
  RollingMoments window_;
  double periods_per_year_;
  double sample_scale_;  // periods_per_year / (period − 1), 0 for a window of one
  ReturnKind returns_;
  StdDevKind stdev_;
  bool has_prev_ = false;
  double prev_ = 0.0;
};

/// Parkinson (1980) range volatility: σ² = mean over n bars of ln(H/L)² / (4 ln 2), annualised by
/// √periods_per_year. Ready after n bars.
class HistVolParkinson {
 public:
  HistVolParkinson(int period, double periods_per_year)
      : window_(period), scale_(kInvFourLn2 * periods_per_year) {
    TD_CHECK(periods_per_year > 0.0) << "periods_per_year must be positive";
  }
  void Update(double high, double low) {
    const double hl = detail::LogRatio(high, low);
    window_.Update(hl * hl);
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble()); }
  bool Ready() const { return window_.Full(); }
  double Value() const {
    if (!Ready()) {
      return kNaN;
    }
    // mean × (ppy/(4 ln 2)) with the product of the constants made once: one rounding fewer per value.
    return detail::SqrtOfClamped(window_.Mean() * scale_);  // clamps a negative or NaN product to 0, as before
  }
  int WarmupBars() const { return window_.period(); }
  void Reset() { window_.Reset(); }

 private:
  static constexpr double kInvFourLn2 = 1.0 / (4.0 * std::numbers::ln2);
  RollingMoments window_;
  double scale_;  // periods_per_year / (4 ln 2)
};

/// Garman–Klass (1980) OHLC volatility: σ² = mean over n bars of ½·ln(H/L)² − (2 ln 2 − 1)·ln(C/O)²,
/// annualised by √periods_per_year. Ignores overnight gaps. Ready after n bars.
class HistVolGarmanKlass {
 public:
  HistVolGarmanKlass(int period, double periods_per_year) : window_(period), periods_per_year_(periods_per_year) {
    TD_CHECK(periods_per_year > 0.0) << "periods_per_year must be positive";
  }
  void Update(double open, double high, double low, double close) {
    // Both logs in one packed division and series (the same bits as two scalar LogRatio calls), both squares
    // and weights in two packed products: ½·(hl·hl) − (2 ln 2 − 1)·(co·co).
    const detail::DoublePair logs = detail::LogRatio(detail::MakePair(high, close), detail::MakePair(low, open));
    const detail::DoublePair terms = detail::Multiply(detail::Multiply(logs, logs), detail::LoadPair(kWeights));
    window_.Update(detail::First(terms) - detail::Second(terms));
  }
  void Update(const Bar& bar) {
    Update(bar.open.AsDouble(), bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble());
  }
  bool Ready() const { return window_.Full(); }
  double Value() const {
    if (!Ready()) {
      return kNaN;
    }
    const double var = window_.Mean();
    return detail::SqrtOfClamped(var * periods_per_year_);  // clamps a negative or NaN product to 0, as before
  }
  int WarmupBars() const { return window_.period(); }
  void Reset() { window_.Reset(); }

 private:
  static constexpr double kCloseWeight = 2.0 * std::numbers::ln2 - 1.0;
  alignas(16) static constexpr double kWeights[2] = {0.5, kCloseWeight};
  RollingMoments window_;
  double periods_per_year_;
};

}  // namespace td::indicators
