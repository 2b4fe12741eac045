// SPDX-License-Identifier: MIT
#pragma once

namespace td::options {

inline constexpr double kInvSqrt2Pi = 0.398942280401432677939946059934381868;  // 1/sqrt(2 pi)
inline constexpr double kSqrt2Pi = 2.50662827463100050241576528481104525;
inline constexpr double kInvSqrt2 = 0.707106781186547524400844362104849039;

/// Standard normal density.
double NormPdf(double z);

/// Standard normal CDF, accurate to a few ulp relative also deep in the lower tail (erfc-based, with the
/// rounding of z/sqrt(2) corrected), so that OTM option values far in the wings keep their digits.
double NormCdf(double z);

/// Scaled complementary error function exp(u^2) erfc(u); finite for all u up to the overflow of exp(u^2)
/// on the negative side. Used to evaluate Black prices without underflow.
double Erfcx(double u);

/// Inverse of NormCdf for p in (0, 1), to full double precision (rational start, two Halley steps).
double InverseNormCdf(double p);

}  // namespace td::options
