// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>

#include "indicators/rolling.hpp"

namespace td::indicators::detail {

/// LogRatio's series covers s² < 1/64² with s = (a − b)/(a + b), i.e. a/b within about ±3.1 % of 1: bar-to-bar
/// returns and bar ranges of intraday bars and of nearly all daily bars. Other ratios go to std::log (a branch
/// that is predicted while they stay rare). Testing s², which the series needs anyway, saves taking |s|.
inline constexpr double kLogRatioSeriesLimit = 0x1p-12;

/// Coefficients of Q(t) ≈ (atanh(√t)/√t − 1)/t = 1/3 + t/5 + t²/7 + …, fitted at the Chebyshev points of
/// [0, 1/64²] (computed at 60 digits, rounded to double). The fit's error moves the result by < 0.12 ulp.
inline constexpr double kAtanhQ0 = 0x1.55555555558e4p-2;
inline constexpr double kAtanhQ1 = 0x1.999999199024bp-3;
inline constexpr double kAtanhQ2 = 0x1.24a79fb427175p-3;
/// The same, twice each, for the packed form.
alignas(16) inline constexpr double kAtanhQ0Pair[2] = {kAtanhQ0, kAtanhQ0};
alignas(16) inline constexpr double kAtanhQ1Pair[2] = {kAtanhQ1, kAtanhQ1};
alignas(16) inline constexpr double kAtanhQ2Pair[2] = {kAtanhQ2, kAtanhQ2};

/// ln(a/b) for a/b near 1 (one price over another), as 2·atanh(s) with s = (a − b)/(a + b), the odd series
/// 2s + 2s·t·Q(t), t = s². a − b is exact (Sterbenz) and s carries two roundings (the sum and the quotient, 2^-52
/// relative), so the result is within 2.5 ulp of the exact ln(a/b) (2.05 ulp measured; log_ratio_test.cpp checks
/// 2.5 against long double on millions of ratios and on real bars). std::log(a / b) instead rounds the quotient
/// first, which near 1 costs up to 2^-53 in absolute terms (16 ulp at a 4 % move, thousands for tiny ones); the
/// two forms differ by at most that plus their own few ulp. Why atanh rather than a series of q − 1 after the
/// division: the series in s² < 2^-12 needs three terms where ln(1 + r) needs nine dependent multiply-adds, and
/// a streaming caller's bars overlap in the CPU only as far as its scheduler holds their pending operations
/// (fewer and shorter chains, more overlap). Outside the range (and for NaN, zero, negative or infinite input)
/// it is std::log(a / b).
inline double LogRatio(double a, double b) {
  const double s = (a - b) / (a + b);
  const double t = s * s;
  if (t < kLogRatioSeriesLimit) [[likely]] {  // false for NaN
    const double twice = s + s;
    const double q = (kAtanhQ0 + kAtanhQ1 * t) + kAtanhQ2 * (t * t);
    return twice + (twice * t) * q;
  }
  return std::log(a / b);
}

/// LogRatio of both lanes: one packed series when both are in range (each lane the IEEE arithmetic of the
/// scalar form in the same order, so the same bits), else the scalar function per lane.
inline DoublePair LogRatio(DoublePair a, DoublePair b) {
  const DoublePair s = Divide(Subtract(a, b), Add(a, b));
  const DoublePair t = Multiply(s, s);
  if (BothBelow(t, kLogRatioSeriesLimit)) [[likely]] {
    const DoublePair twice = Add(s, s);
    const DoublePair q = Add(Add(LoadPair(kAtanhQ0Pair), Multiply(LoadPair(kAtanhQ1Pair), t)),
                             Multiply(LoadPair(kAtanhQ2Pair), Multiply(t, t)));
    return Add(twice, Multiply(Multiply(twice, t), q));
  }
  return MakePair(LogRatio(First(a), First(b)), LogRatio(Second(a), Second(b)));
}

/// Coefficients of R(t) ≈ ((atanh(√t)/√t)² − 1)/t = 2/3 + 23t/45 + 44t²/105 + …, three terms as Q, for
/// WeightedSquaredLogRatio and WeightedSquaredLogRatioAndLogRatio, fitted at the Chebyshev points of [0, 1/64²]
/// (computed at 60 digits, rounded to double): 1 + t·R(t) within 2^-54.4 relative (0.2 ulp).
inline constexpr double kAtanhSquaredShortR0 = 0x1.5555555555b0ep-1;
inline constexpr double kAtanhSquaredShortR1 = 0x1.05b05a9eb5616p-1;
inline constexpr double kAtanhSquaredShortR2 = 0x1.ad3d24bc022ebp-2;

/// WeightedSquaredLogRatio's weight folded into its series once: c0 = 4·weight, c_{k+1} = 4·weight·R_k.
struct SquaredLogRatioWeights {
  double c0;
  double c1;
  double c2;
  double c3;
  double weight;
};

inline SquaredLogRatioWeights MakeSquaredLogRatioWeights(double weight) {
  const double outer = 4.0 * weight;
  return SquaredLogRatioWeights{outer, outer * kAtanhSquaredShortR0, outer * kAtanhSquaredShortR1,
                                outer * kAtanhSquaredShortR2, weight};
}

/// WeightedSquaredLogRatio outside the series range. Out of line and cold: with the call inline GCC kept a
/// streaming caller's running values on the stack for the whole loop, not only around the (rare) call.
[[gnu::noinline, gnu::cold]] inline double WeightedSquaredLogRatioOutsideSeries(double a, double b, double weight) {
  const double l = std::log(a / b);
  return weight * (l * l);
}

/// weight·ln(a/b)², for the range volatilities, which need only the square: ln(a/b)² = 4·atanh(s)² = 4t·P(t)
/// with s = (a − b)/(a + b), t = s² and P = (atanh(√t)/√t)² = 1 + t·R(t) (three-term R above), with the weight
/// folded into the coefficients (SquaredLogRatioWeights) and evaluated as t·(c0 + c1·t) + t³·(c2 + c3·t): four
/// operations deep after t, where u·(1 + r0·t) + (u·t²)·(r1 + r2·t + r3·t²) with u = 4·weight·t took five and
/// two more instructions; every bar of a streaming caller waits for it between the division and the square root.
/// Roundings for the weight as given: two in s, so five of 2^-53 relative in t, then c0 + c1·t, the product and
/// the sum (t³'s part is below 2^-24 of the term, so its own roundings count for nothing): with the fit's 0.2
/// ulp, within 8.4·2^-53 relative of weight·ln(a/b)². Measured against long double: 5.29 ulp on 3.3 M random
/// ratios and 4.48 on real bars (the form it replaces: 5.97 and 4.85); log_ratio_test checks 5.5 on both.
/// Outside LogRatio's series range (and for NaN, zero, negative or infinite input): weight·(L·L) with
/// L = std::log(a / b).
inline double WeightedSquaredLogRatio(double a, double b, const SquaredLogRatioWeights& w) {
  const double s = (a - b) / (a + b);
  const double t = s * s;
  if (t < kLogRatioSeriesLimit) [[likely]] {  // false for NaN
    return t * (w.c0 + w.c1 * t) + (t * (t * t)) * (w.c2 + w.c3 * t);
  }
  return WeightedSquaredLogRatioOutsideSeries(a, b, w.weight);
}

inline double WeightedSquaredLogRatio(double a, double b, double weight) {
  return WeightedSquaredLogRatio(a, b, MakeSquaredLogRatioWeights(weight));
}

/// SquaredLogRatioWeights of two lanes, each with its own weight.
struct SquaredLogRatioPairWeights {
  DoublePair c0;
  DoublePair c1;
  DoublePair c2;
  DoublePair c3;
  DoublePair weight;
};

inline SquaredLogRatioPairWeights MakeSquaredLogRatioPairWeights(double first, double second) {
  const SquaredLogRatioWeights a = MakeSquaredLogRatioWeights(first);
  const SquaredLogRatioWeights b = MakeSquaredLogRatioWeights(second);
  return SquaredLogRatioPairWeights{MakePair(a.c0, b.c0), MakePair(a.c1, b.c1), MakePair(a.c2, b.c2),
                                    MakePair(a.c3, b.c3), MakePair(first, second)};
}

/// The scalar function per lane, out of line and cold for the reason given at
/// WeightedSquaredLogRatioOutsideSeries (inline, GCC also kept copies of the scalar inputs for it every bar).
[[gnu::noinline, gnu::cold]] inline DoublePair WeightedSquaredLogRatioPerLane(DoublePair a, DoublePair b,
                                                                              DoublePair weight) {
  return MakePair(WeightedSquaredLogRatio(First(a), First(b), First(weight)),
                  WeightedSquaredLogRatio(Second(a), Second(b), Second(weight)));
}

/// The larger lane of a pair of squares (each ≥ 0 or NaN), for the range test of both lanes at once: a shuffle
/// and a MAXPD before the compare, where BothBelow's mask took a compare, two moves to integer registers and a
/// shift. A NaN in the low lane gives NaN (the test fails); a NaN in the high lane gives the low lane, which may
/// pass, and then the packed series gives NaN in that lane, as the scalar function does (std::log of a NaN
/// ratio).
inline double LargerLane(DoublePair p) {
#if defined(__SSE2__)
  const Lanes x = p.lanes;
  const Lanes high = __builtin_shuffle(x, LaneMask{1, 1});
  return (x < high ? high : x)[0];
#else
  return First(p) < Second(p) ? Second(p) : First(p);
#endif
}

/// WeightedSquaredLogRatio of both lanes, each with its own weight: one packed series when both are in range
/// (each lane the IEEE arithmetic of the scalar form in the same order, so the same bits), else the scalar
/// function per lane.
inline DoublePair WeightedSquaredLogRatio(DoublePair a, DoublePair b, const SquaredLogRatioPairWeights& w) {
  const DoublePair s = Divide(Subtract(a, b), Add(a, b));
  const DoublePair t = Multiply(s, s);
  if (LargerLane(t) < kLogRatioSeriesLimit) [[likely]] {
    return Add(Multiply(t, Add(w.c0, Multiply(w.c1, t))),
               Multiply(Multiply(t, Multiply(t, t)), Add(w.c2, Multiply(w.c3, t))));
  }
  return WeightedSquaredLogRatioPerLane(a, b, w.weight);
}

/// The weights of WeightedSquaredLogRatioAndLogRatio folded into its series once: lane for lane,
/// outer = (4·square_weight, 2·log_weight) and c_k = outer ⊙ (R_k, Q_k) (R the three-term one above).
struct LogRatioMomentWeights {
  DoublePair outer;
  DoublePair c0;
  DoublePair c1;
  DoublePair c2;
  double square_weight;
  double log_weight;
};

inline LogRatioMomentWeights MakeLogRatioMomentWeights(double square_weight, double log_weight) {
  const DoublePair outer = MakePair(4.0 * square_weight, 2.0 * log_weight);
  return LogRatioMomentWeights{outer,
                               Multiply(outer, MakePair(kAtanhSquaredShortR0, kAtanhQ0)),
                               Multiply(outer, MakePair(kAtanhSquaredShortR1, kAtanhQ1)),
                               Multiply(outer, MakePair(kAtanhSquaredShortR2, kAtanhQ2)),
                               square_weight,
                               log_weight};
}

/// WeightedSquaredLogRatioAndLogRatio outside the series range; out of line and cold, see
/// WeightedSquaredLogRatioOutsideSeries.
[[gnu::noinline, gnu::cold]] inline DoublePair WeightedSquaredLogRatioAndLogRatioOutsideSeries(double a, double b,
                                                                                               double square_weight,
                                                                                               double log_weight) {
  const double l = std::log(a / b);
  return MakePair(square_weight * (l * l), log_weight * l);
}

/// (square_weight·ln(a/b)², log_weight·ln(a/b)) in one packed series, for the close-to-close volatility, which
/// sums both. With s = (a − b)/(a + b) and t = s², ln(a/b)² = 4t·(1 + t·R(t)) and ln(a/b) = 2s·(1 + t·Q(t)):
/// the same shape on the pair (t, s), so the result is (t, s) ⊙ F with F = outer + t·(c0 + t·(c1 + t·c2))
/// (weights folded into the coefficients, see LogRatioMomentWeights, and F's powers of t paired so that its
/// chain is four operations deep): after s, ten packed operations for both, where LogRatio alone takes ten
/// scalar ones. The pair (t, s) is s broadcast and its low lane squared
/// (no register copy; the two-operand SSE forms otherwise need one per reused value).
///
/// Roundings for the weights as given: two in s, so about five half-ulps in t; in F only the sum with outer
/// counts (the series' part is below 2^-12 of it, so its own roundings and the fits' 0.2 ulp stay below 0.1
/// ulp), then the final product: within 6 ulp of square_weight·ln(a/b)² and 4 ulp of log_weight·ln(a/b) (5.42
/// and 3.40 measured on 3.3 M random ratios; log_ratio_test checks 6 and 4 against long double, and on real
/// bars). Outside LogRatio's series range (and for zero, negative or infinite prices with a finite s):
/// (square_weight·(L·L), log_weight·L) with L = std::log(a / b). A NaN s (a NaN price, 0/0, one infinite price)
/// takes the series and gives NaN in both lanes: the test is written !(t >= limit) so that COMISD can take the
/// limit from memory (t < limit, false for NaN, needs it in a register: one more load per bar, 0.04 ns measured).
inline DoublePair WeightedSquaredLogRatioAndLogRatio(double a, double b, const LogRatioMomentWeights& w) {
  const double s = (a - b) / (a + b);
#if defined(__SSE2__)
  const __m128d ss = _mm_set1_pd(s);
  const __m128d ts = _mm_mul_sd(ss, ss);  // (t, s)
  const double t = _mm_cvtsd_f64(ts);
#else
  const double t = s * s;
#endif
  if (!(t >= kLogRatioSeriesLimit)) [[likely]] {  // true for NaN, see above
#if defined(__SSE2__)
    // PSHUFD broadcasts t into a fresh register; UNPCKLPD would need a copy of (t, s) first.
    const DoublePair tt{_mm_castsi128_pd(_mm_shuffle_epi32(_mm_castpd_si128(ts), 0x44))};
    const DoublePair pair{ts};
#else
    const DoublePair tt = MakePair(t, t);
    const DoublePair pair = MakePair(t, s);
#endif
    const DoublePair f =
        Add(Add(w.outer, Multiply(tt, w.c0)), Multiply(Multiply(tt, tt), Add(w.c1, Multiply(tt, w.c2))));
    return Multiply(pair, f);
  }
  return WeightedSquaredLogRatioAndLogRatioOutsideSeries(a, b, w.square_weight, w.log_weight);
}

}  // namespace td::indicators::detail
