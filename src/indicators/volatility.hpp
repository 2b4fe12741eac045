// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <type_traits>
#include <vector>

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
  /// The window's running sums (Squeeze tests the bands against the channel from them).
  const RollingMoments& moments() const { return window_; }
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
///
/// The true range is detail::TrueRangeOfOuterPair, max(high, prev close) − min(low, prev close): for a bar with
/// low ≤ high bit for bit TrueRange's, in three operations instead of seven. Once both averages are seeded they run as
/// one pair (EMA, ATR) = α·(close, TR) + β·(EMA, ATR): one packed multiply-add, each lane the same bits as the
/// scalar Ema and Wilder (fast_path_test compares every line with Ema and Atr).
class Keltner {
 public:
  explicit Keltner(int ema_period = 20, int atr_period = 10, double mult = 2.0, EmaSeed seed = EmaSeed::kSma)
      : ema_(ema_period, seed),
        atr_(atr_period),
        alphas_(detail::MakePair(ema_.alpha(), 1.0 / atr_period)),
        betas_(detail::MakePair(1.0 - ema_.alpha(), 1.0 - 1.0 / atr_period)),
        mult_(mult) {}
  void Update(double high, double low, double close) {
    if (ready_) [[likely]] {
      UpdateReady(high, low, close);
      return;
    }
    ema_.Update(close);
    atr_.Update(detail::TrueRangeOfOuterPair(high, low, prev_close_));  // H − L on the first bar (NaN close)
    prev_close_ = close;
    if (ema_.Ready() && atr_.Ready()) {
      ready_ = true;
      averages_ = detail::MakePair(ema_.RawValue(), atr_.RawValue());
    }
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }
  /// Update of a ready channel without the warm-up test, for a caller that tracks readiness (Squeeze).
  void UpdateReady(double high, double low, double close) {
    const detail::DoublePair inputs = detail::MakePair(close, detail::TrueRangeOfOuterPair(high, low, prev_close_));
    averages_ = detail::Add(detail::Multiply(alphas_, inputs), detail::Multiply(betas_, averages_));
    prev_close_ = close;
  }
  bool Ready() const { return ready_; }
  /// All four lines at once (NaN during warm-up); the accessors below return the same numbers.
  Bands Values() const {
    if (!Ready()) {
      return Bands{};
    }
    const double m = MiddleRaw();
    const double offset = OffsetRaw();
    return Bands{m, m + offset, m - offset, (offset + offset) / m};
  }
  double Middle() const { return Values().middle; }
  double Upper() const { return Values().upper; }
  double Lower() const { return Values().lower; }
  double Width() const { return Values().width; }
  double Value() const { return Middle(); }
  /// Middle line and mult·ATR without the warm-up test, for a caller that has made it (Squeeze).
  double MiddleRaw() const { return detail::First(averages_); }
  double OffsetRaw() const { return mult_ * detail::Second(averages_); }
  int WarmupBars() const { return std::max(ema_.WarmupBars(), atr_.WarmupBars()); }
  void Reset() {
    ema_.Reset();
    atr_.Reset();
    prev_close_ = kNaN;
    ready_ = false;
  }

 private:
  // The warm-up: the averages' own seeding, handed to averages_ once both are ready.
  Ema ema_;
  Wilder atr_;  // of the true range
  detail::DoublePair alphas_;  // (EMA's α, Wilder's 1/n)
  detail::DoublePair betas_;   // 1 − α of each
  detail::DoublePair averages_ = detail::MakePair(0.0, 0.0);  // (EMA, ATR) once ready_
  double mult_;
  bool ready_ = false;
  double prev_close_ = kNaN;  // NaN before the first bar
};

/// TTM-style squeeze: on while the Bollinger bands (20, 2σ) lie strictly inside the Keltner channel
/// (EMA 20 ± 1.5·Wilder ATR 20). Value() is 1 (on) or 0 (off), NaN during warm-up.
///
/// The test is made on the state, not on the four lines: m ± k·σ lies strictly inside e ± M·ATR exactly when
/// k·σ < M·ATR − |e − m|, and as k·σ ≥ 0 that holds exactly when the margin M·ATR − |e − m| is positive and
/// k²·σ² is below its square, that is when k²·σ² < margin·|margin|. So no square root is taken and no band is
/// formed, which keeps the divider free and the chain short, and one compare decides. In floating point the two
/// forms round differently, so they can disagree only where a band and the channel line are within rounding of
/// each other; fast_path_test compares every bar of real, synthetic and gapping data with the four-line form
/// and allows a disagreement only at such a tie (within 1e-12 of the close).
class Squeeze {
 public:
  explicit Squeeze(int bb_period = 20, double bb_k = 2.0, int kc_period = 20, int kc_atr_period = 20,
                   double kc_mult = 1.5)
      : bollinger_(bb_period, bb_k), keltner_(kc_period, kc_atr_period, kc_mult), k_squared_(bb_k * bb_k) {
    TD_CHECK(bb_k >= 0.0) << "the Bollinger multiple must not be negative, was " << bb_k;
  }
  void Update(double high, double low, double close) {
    bollinger_.Update(close);
    if (ready_) [[likely]] {
      keltner_.UpdateReady(high, low, close);
      return;
    }
    keltner_.Update(high, low, close);
    ready_ = bollinger_.Ready() && keltner_.Ready();
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }
  bool Ready() const { return ready_; }
  bool On() const { return Ready() && InsideMask() != 0.0; }
  /// 1 or 0 as On(), NaN during warm-up.
  double Value() const { return Ready() ? InsideMask() : kNaN; }
  const Bollinger& bollinger() const { return bollinger_; }
  const Keltner& keltner() const { return keltner_; }
  int WarmupBars() const { return std::max(bollinger_.WarmupBars(), keltner_.WarmupBars()); }
  void Reset() {
    bollinger_.Reset();
    keltner_.Reset();
    ready_ = false;
  }

 private:
  /// 1.0 when the bands lie strictly inside the channel, else 0.0 (also for NaN anywhere: every comparison
  /// with NaN is false), as a compare mask: whether the squeeze holds changes often, so no branch.
  double InsideMask() const {
    const RollingMoments::State& st = bollinger_.moments().state();
    const double inv = bollinger_.inv_period();
    const double mean_shift = st.s1 * inv;
    // Not clamped at 0 like PopulationVarianceOf: see SignedSquare.
    const double variance = st.s2 * inv - mean_shift * mean_shift;
    // e − m as (e − shift) − mean_shift, without forming m: one register copy fewer per bar, and only rounding
    // apart from e − m (a tie, as below).
    const double margin = keltner_.OffsetRaw() - std::fabs((keltner_.MiddleRaw() - st.shift) - mean_shift);
    return detail::OneIfLess(k_squared_ * variance, SignedSquare(margin));
  }
  /// margin·|margin|: k²·σ² below it holds exactly when margin > 0 and k²·σ² < margin² (σ² ≥ 0), one compare
  /// instead of two. A variance rounded below 0 (a window constant to rounding) could only pass with a margin
  /// within k·√|variance| below 0: the bands then coincide with the mean, which lies on the channel line to
  /// within that rounding — a tie.
  static double SignedSquare(double margin) { return margin * std::fabs(margin); }

  Bollinger bollinger_;
  Keltner keltner_;
  double k_squared_;
  bool ready_ = false;
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
/// (Wilder ATR; defaults 22 and 3). Ready after n bars. The highest high and lowest low come from one packed
/// window (RollingHighLow), bit for bit a RollingMax and a RollingMin.
class ChandelierExit {
 public:
  explicit ChandelierExit(int period = 22, double mult = 3.0) : extremes_(period), atr_(period), mult_(mult) {}
  void Update(double high, double low, double close) {
    extremes_.Update(high, low);
    atr_.Update(high, low, close);
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }
  bool Ready() const { return atr_.Ready() && extremes_.Ready(); }
  double LongStop() const {
    return Ready() ? detail::HighLowBlocks::High(extremes_.Extremes()) - mult_ * atr_.Value() : kNaN;
  }
  double ShortStop() const {
    return Ready() ? detail::HighLowBlocks::Low(extremes_.Extremes()) + mult_ * atr_.Value() : kNaN;
  }
  double Value() const { return LongStop(); }
  int WarmupBars() const { return atr_.WarmupBars(); }
  void Reset() {
    extremes_.Reset();
    atr_.Reset();
  }

 private:
  RollingHighLow extremes_;
  Atr atr_;
  double mult_;
};

/// The returns close-to-close volatility is measured on.
enum class ReturnKind : std::uint8_t { kLog, kSimple };
/// Which standard deviation: sample (n − 1) or population (n).
enum class StdDevKind : std::uint8_t { kSample, kPopulation };

namespace detail {

/// The sum of the last `period` values (T = double), or the lane-wise sums of the last `period` pairs
/// (T = DoublePair, one packed subtract and add per update), for the volatilities, whose weights and 1/n are
/// folded into each term before it comes in. The window starts as zeros, so warm-up is the same step as a full
/// window (x − 0 is exact) without a count to test; every wrap re-sums the window exactly, so the running sum's
/// rounding never lasts longer than one window. The leaving value is subtracted first: that can start before
/// the new value is ready, so only one addition lies between the new value and the sum (and no register copy
/// of the new value is needed, as x − leaving would take). A pair's lanes are bit for bit two scalar windows.
template <typename T>
class WindowSumOf {
 public:
  explicit WindowSumOf(int period) {
    TD_CHECK(period >= 1) << "period must be >= 1, was " << period;
    window_.assign(static_cast<std::size_t>(period), Zero());
  }
  void Update(T x) {
    T& slot = window_[pos_];
    sum_ = Plus(Minus(sum_, slot), x);
    slot = x;
    if (++pos_ == window_.size()) [[unlikely]] {
      pos_ = 0;
      full_ = true;
      Resum();
    }
  }
  bool Full() const { return full_; }
  int period() const { return static_cast<int>(window_.size()); }
  T Sum() const { return sum_; }
  void Reset() {
    std::fill(window_.begin(), window_.end(), Zero());
    pos_ = 0;
    full_ = false;
    sum_ = Zero();
  }

 private:
  static T Zero() {
    if constexpr (std::is_same_v<T, double>) {
      return 0.0;
    } else {
      return MakePair(0.0, 0.0);
    }
  }
  static T Plus(T a, T b) {
    if constexpr (std::is_same_v<T, double>) {
      return a + b;
    } else {
      return Add(a, b);
    }
  }
  static T Minus(T a, T b) {
    if constexpr (std::is_same_v<T, double>) {
      return a - b;
    } else {
      return Subtract(a, b);
    }
  }
  // Two interleaved accumulators halve the dependent chain of the re-sum.
  void Resum() {
    const std::size_t n = window_.size();
    T a = Zero();
    T b = Zero();
    std::size_t k = 0;
    for (; k + 1 < n; k += 2) {
      a = Plus(a, window_[k]);
      b = Plus(b, window_[k + 1]);
    }
    if (k < n) {
      a = Plus(a, window_[k]);
    }
    sum_ = Plus(a, b);
  }

  std::vector<T> window_;
  std::size_t pos_ = 0;
  bool full_ = false;
  T sum_ = Zero();
};
using WindowSum = WindowSumOf<double>;
using PairWindowSum = WindowSumOf<DoublePair>;

/// √max(p.first − p.second², 0), for the close-to-close volatility's window sums (Σ A·r², Σ B·r): as
/// SqrtOfClamped(p.first − p.second · p.second), the same bits (a negative or NaN difference gives 0). As asm,
/// because GCC spent three register copies on the intrinsics' form (PSHUFD brings the high lane down into a
/// fresh register, so the one copy left is the one the loop-carried sums need; MAXSD takes its zero from memory).
inline double SqrtOfClampedFirstMinusSquaredSecond(DoublePair p) {
#if defined(__SSE2__) && defined(__GNUC__)
  static constexpr double kZero = 0.0;
  double r;
  __m128d square;
  asm("pshufd $0xee, %[p], %[square]\n\t"
      "mulsd %[square], %[square]\n\t"
      "movapd %[p], %[r]\n\t"
      "subsd %[square], %[r]\n\t"
      "maxsd %[zero], %[r]\n\t"
      "sqrtsd %[r], %[r]"
      : [r] "=&x"(r), [square] "=&x"(square)
      : [p] "x"(p.lanes), [zero] "m"(kZero));
  return r;
#else
  return SqrtOfClamped(First(p) - Second(p) * Second(p));
#endif
}

}  // namespace detail

/// Close-to-close historical volatility: the standard deviation of the last n returns × √periods_per_year,
/// as a fraction (0.20 = 20 %). Default: log returns, sample stdev (TOMIC's HV). The coach's HV is simple
/// returns with the population stdev, times 100. Ready after n + 1 closes.
///
/// The variance × periods_per_year is Σ(A·r²) − (Σ(B·r))² over the window's returns r, with A = ppy/(n − 1),
/// B = √(ppy/(n(n − 1))) for the sample stdev and A = ppy/n, B = √ppy/n for the population one (both zero for
/// a window of one, whose variance is zero). Each bar adds the pre-weighted pair (A·r², B·r) to a window of
/// pairs (detail::PairWindowSum, re-summed exactly every wrap), and the value is √max(S_A − S_B², 0): no mean,
/// shift or scale step per bar. For log returns the pair comes from one packed series
/// (detail::WeightedSquaredLogRatioAndLogRatio, each lane within 6 ulp of the exact term). The
/// returns are not shifted: S_A − S_B² loses log2(κ) bits to cancellation, κ = Σr²/Σ(r − r̄)² = 1 + n·r̄²/
/// ((n − 1)·s²) (r̄ the mean return, s the sample stdev), which is about 1 + 1/(n − 1) on a random walk and
/// below 2 unless the drift over the window is comparable to its noise; a window of equal non-zero returns
/// (κ infinite) gives about √(2^-52·S_A) instead of 0. Against long double (log_ratio_test): the variance × ppy
/// within 24·2^-52 of A·Σr² over the last 2n returns (the running sums' span since the last re-sum; 15.6
/// measured on random walks, drifting or not), and the value within 2^-46 relative on real minute bars (6.7e-15
/// measured; the running moments it replaces measured 5.8e-14).
class HistVolCloseToClose {
 public:
  HistVolCloseToClose(int period, double periods_per_year, ReturnKind returns = ReturnKind::kLog,
                      StdDevKind stdev = StdDevKind::kSample)
      : window_(period), weights_(WeightsFor(period, periods_per_year, stdev)), returns_(returns) {
    TD_CHECK(periods_per_year > 0.0) << "periods_per_year must be positive";
  }
  void Update(double close) {
    if (has_prev_) [[likely]] {
      window_.Update(returns_ == ReturnKind::kLog ? detail::WeightedSquaredLogRatioAndLogRatio(close, prev_, weights_)
                                                  : SimpleReturnTerms(close / prev_ - 1.0));
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
    // (S_A, S_B); a negative (rounding) or NaN difference gives 0
    return detail::SqrtOfClampedFirstMinusSquaredSecond(window_.Sum());
  }
  int WarmupBars() const { return window_.period() + 1; }
  void Reset() {
    window_.Reset();
    has_prev_ = false;
  }

 private:
  // A and B for the lanes (A·r², B·r); B in long double, so that B² is within about 1.5 ulp of A/n.
  static detail::LogRatioMomentWeights WeightsFor(int period, double periods_per_year, StdDevKind stdev) {
    if (period < 2) {
      return detail::MakeLogRatioMomentWeights(0.0, 0.0);
    }
    const long double n = period;
    const long double ppy = periods_per_year;
    const long double degrees = stdev == StdDevKind::kSample ? n - 1.0L : n;
    return detail::MakeLogRatioMomentWeights(static_cast<double>(ppy / degrees),
                                             static_cast<double>(std::sqrt(ppy / (n * degrees))));
  }
  detail::DoublePair SimpleReturnTerms(double r) const {
    return detail::MakePair(weights_.square_weight * (r * r), weights_.log_weight * r);
  }

  detail::PairWindowSum window_;
  detail::LogRatioMomentWeights weights_;  // lanes (A, B), see the class comment
  ReturnKind returns_;
  bool has_prev_ = false;
  double prev_ = 0.0;
};

/// Parkinson (1980) range volatility: σ² = mean over n bars of ln(H/L)² / (4 ln 2), annualised by
/// √periods_per_year. Ready after n bars.
///
/// Each bar adds w·ln(H/L)² with w = periods_per_year/(4 ln 2 · n) (detail::WeightedSquaredLogRatio, w folded
/// into its coefficients once, within 8.4·2^-53 relative of the exact term for the rounded w; no log is squared
/// afterwards) to a plain window sum, and the value is the square root of that sum: no second moment, no mean or
/// scale step between the window and the root. Within 2^-48 relative of the exact volatility on real bars
/// (1.15e-15 measured; log_ratio_test).
class HistVolParkinson {
 public:
  HistVolParkinson(int period, double periods_per_year)
      : window_(period), weights_(detail::MakeSquaredLogRatioWeights(kInvFourLn2 * periods_per_year / period)) {
    TD_CHECK(periods_per_year > 0.0) << "periods_per_year must be positive";
  }
  void Update(double high, double low) { window_.Update(detail::WeightedSquaredLogRatio(high, low, weights_)); }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble()); }
  bool Ready() const { return window_.Full(); }
  double Value() const {
    if (!Ready()) {
      return kNaN;
    }
    return detail::SqrtOfClamped(window_.Sum());  // clamps a negative (rounding) or NaN sum to 0, as before
  }
  int WarmupBars() const { return window_.period(); }
  void Reset() { window_.Reset(); }

 private:
  static constexpr double kInvFourLn2 = 1.0 / (4.0 * std::numbers::ln2);
  detail::WindowSum window_;
  detail::SquaredLogRatioWeights weights_;  // for periods_per_year / (4 ln 2 · period)
};

/// Garman–Klass (1980) OHLC volatility: σ² = mean over n bars of ½·ln(H/L)² − (2 ln 2 − 1)·ln(C/O)²,
/// annualised by √periods_per_year. Ignores overnight gaps. Ready after n bars.
///
/// As HistVolParkinson: both weighted squares in one packed detail::WeightedSquaredLogRatio (weights
/// ½·ppy/n and (2 ln 2 − 1)·ppy/n folded into its coefficients once, each square within 8.4·2^-53 relative),
/// their difference into a plain window sum, the value the square root of the sum. The difference can cancel
/// (a close far from the open), so its error is relative to the two squares, not to the term; on real bars the
/// value is within 2^-47 relative of the exact one (1.3e-15 measured; log_ratio_test).
class HistVolGarmanKlass {
 public:
  HistVolGarmanKlass(int period, double periods_per_year)
      : window_(period),
        weights_(detail::MakeSquaredLogRatioPairWeights(0.5 * periods_per_year / period,
                                                        kCloseWeight * periods_per_year / period)) {
    TD_CHECK(periods_per_year > 0.0) << "periods_per_year must be positive";
  }
  void Update(double open, double high, double low, double close) {
    const detail::DoublePair terms =
        detail::WeightedSquaredLogRatio(detail::MakePair(high, close), detail::MakePair(low, open), weights_);
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
    return detail::SqrtOfClamped(window_.Sum());  // clamps a negative or NaN sum to 0, as before
  }
  int WarmupBars() const { return window_.period(); }
  void Reset() { window_.Reset(); }

 private:
  static constexpr double kCloseWeight = 2.0 * std::numbers::ln2 - 1.0;
  detail::WindowSum window_;
  detail::SquaredLogRatioPairWeights weights_;  // for (½, 2 ln 2 − 1) × periods_per_year / period
};

}  // namespace td::indicators
