// SPDX-License-Identifier: MIT
#include "options/normal.hpp"

#include <cmath>
#include <limits>

namespace td::options {
namespace {

constexpr double kSqrtPi = 1.77245385090551602729816748334114518;
// 1/sqrt(2) split in a double and its rounding remainder, so -z/sqrt(2) can be formed to ~2^-106.
constexpr double kInvSqrt2Lo = -4.8336466567264567e-17;

}  // namespace

double NormPdf(double z) {
  return kInvSqrt2Pi * std::exp(-0.5 * z * z);
}

double NormCdf(double z) {
  if (z >= -1.0) {
    return 0.5 * std::erfc(-z * kInvSqrt2);
  }
  // Lower tail: erfc(u) loses about 2u^2 ulp per ulp of error in u, so correct the rounding of u.
  const double u = -z * kInvSqrt2;
  const double du = std::fma(-z, kInvSqrt2, -u) + (-z) * kInvSqrt2Lo;
  const double value = std::erfc(u);
  // d/du ln erfc(u) = -2 / (sqrt(pi) erfcx(u)) ~ -(2u + 1/u) for u >= 0.7; du is ~1e-17 u, so the
  // asymptotic slope is ample for the first-order correction.
  return 0.5 * value * (1.0 - du * (2.0 * u + 1.0 / u));
}

double Erfcx(double u) {
  if (u < 0.0) {
    const double u2 = u * u;
    const double err = std::fma(u, u, -u2);
    return 2.0 * std::exp(u2) * (1.0 + err) - Erfcx(-u);
  }
  if (u < 26.0) {
    // Form exp(u^2) with the rounding error of u^2 put back, so large u keeps full precision.
    const double u2 = u * u;
    const double err = std::fma(u, u, -u2);
    return std::exp(u2) * (1.0 + err) * std::erfc(u);
  }
  // Asymptotic series 1/(u sqrt(pi)) * sum (-1)^n (2n-1)!! / (2u^2)^n; at u >= 26 eight terms reach 1e-19.
  const double w = 1.0 / (2.0 * u * u);
  double term = 1.0;
  double sum = 1.0;
  for (int n = 1; n <= 8; ++n) {
    term *= -(2.0 * n - 1.0) * w;
    sum += term;
  }
  return sum / (u * kSqrtPi);
}

double InverseNormCdf(double p) {
  if (!(p > 0.0)) {
    return p == 0.0 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  }
  if (!(p < 1.0)) {
    return p == 1.0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  }
  // Abramowitz & Stegun 26.2.23 as the start (|error| < 4.5e-4), then Halley on NormCdf(z) - p.
  const double q = p < 0.5 ? p : 1.0 - p;
  const double t = std::sqrt(-2.0 * std::log(q));
  double z = t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308)));
  if (p < 0.5) {
    z = -z;
  }
  for (int i = 0; i < 3; ++i) {
    // Work on the smaller tail so the residual keeps relative precision.
    const double e = z < 0.0 ? NormCdf(z) - p : (1.0 - p) - NormCdf(-z);
    const double u = e * kSqrt2Pi * std::exp(0.5 * z * z);
    const double step = u / (1.0 + 0.5 * z * u);
    z -= step;
    if (std::fabs(step) <= 1e-16 * std::fabs(z)) {
      break;
    }
  }
  return z;
}

}  // namespace td::options
