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

}  // namespace td::indicators::detail
