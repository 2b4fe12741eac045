// SPDX-License-Identifier: MIT
#include "options/implied_vol.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "options/normal.hpp"

namespace td::options {
namespace {

constexpr int kMaxIterations = 12;
// Householder steps converge cubically: once a step is below 1e-7 relative, the remaining error is
// below 1e-20 relative, so the loop stops without spending an evaluation to confirm it.
constexpr double kStopTolerance = 1e-7;
constexpr double kHalfLog2Pi = 0.918938533204672741780329736405617640;  // ln(2 pi) / 2

enum class Region : std::uint8_t { kLow, kMiddle, kHigh };

// Below the inflection point s_c = sqrt(2|x|) the price behaves like its small-s asymptote
// b ~ s^3 / x^2 n(x/s), which overestimates b, so its solution is a lower bound. With u = ln s the
// asymptotic equation reads x^2 / (2 s^2) = L(u) = 3u + C, C = -2 ln|x| - ln(2pi)/2 - ln beta; Newton runs
// on phi(u) = ln(x^2/2) - 2u - ln L(u), which is nearly linear, convex and decreasing, so starting from
// the leading-order solution s = |x| / sqrt(2C) (left of the root when s < 1) it climbs monotonically.
double LowGuess(double beta, double x, double s_c) {
  const double c = -2.0 * std::log(-x) - kHalfLog2Pi - std::log(beta);
  if (!(c > 0.0)) {
    return s_c;
  }
  const double log_half_x2 = std::log(0.5 * x * x);
  double u = 0.5 * (log_half_x2 - std::log(c));
  for (int i = 0; i < 6; ++i) {
    double l = 3.0 * u + c;
    if (!(l > 0.0)) {
      u = (1e-3 - c) / 3.0;
      l = 1e-3;
    }
    const double phi = log_half_x2 - 2.0 * u - std::log(l);
    const double step = phi / (2.0 + 3.0 / l);
    u += step;
    if (std::fabs(step) < 1e-4) {
      break;
    }
  }
  const double s = std::exp(u);
  return s < s_c ? s : s_c;
}

// For large s, e^{x/2} - b ~ (e^{x/2} + e^{-x/2}) N(-s/2), exact at x = 0.
double HighGuess(double gap, double x) {
  const double p = gap / (std::exp(0.5 * x) + std::exp(-0.5 * x));
  return -2.0 * InverseNormCdf(p);
}

Error PriceError(const std::string& message) {
  return Error::InvalidArgument(message, "price");
}

}  // namespace

double ImpliedTotalStdDevOtm(double beta, double x, int* iterations) {
  const double b_max = std::exp(0.5 * x);
  const double s_c = std::sqrt(-2.0 * x);
  const double b_c = s_c > 0.0 ? NormalisedBlackOtm(x, s_c) : 0.0;
  const double v_c = s_c > 0.0 ? NormalisedVega(x, s_c) : kInvSqrt2Pi;

  Region region;
  double s;
  if (beta < b_c) {
    region = Region::kLow;
    const double s_asym = LowGuess(beta, x, s_c);
    const double s_tan = s_c + (beta - b_c) / v_c;
    // The asymptote is good when |h| = |x|/s is large (relative error ~ 3/h^2) and poor near the money,
    // where the tangent at s_c (an upper bound in this convex region) is close; blend by 1/h^2.
    const double h = x / s_asym;
    const double w = std::min(1.0, 1.0 / (h * h));
    s = s_tan > s_asym ? s_asym + w * (s_tan - s_asym) : s_asym;
  } else {
    // The tangent at the inflection point reaches b_max at s_u. Prices in the top 30 % of the range
    // above b_c are flat enough in s that the gap to b_max is the better-conditioned quantity (a fixed
    // fraction instead of b(s_u) saves one evaluation; iteration counts are the same on tests).
    const double s_u = s_c + (b_max - b_c) / v_c;
    const double b_u = b_c + 0.7 * (b_max - b_c);
    if (beta <= b_u) {
      region = Region::kMiddle;
      // b is concave above s_c, so the tangent root is a lower bound of the solution.
      s = s_c + (beta - b_c) / v_c;
    } else {
      region = Region::kHigh;
      const double guess = HighGuess(b_max - beta, x);
      s = guess > s_u ? guess : s_u;
    }
  }
  const double log_beta = region == Region::kLow ? std::log(beta) : 0.0;
  const double log_gap = region == Region::kHigh ? std::log(b_max - beta) : 0.0;
  const double x2 = x * x;

  int n = 0;
  for (; n < kMaxIterations; ++n) {
    const double s2 = s * s;
    const double vega = NormalisedVega(x, s);
    // Logarithmic derivatives of the normalised vega: b''/b' and b'''/b'.
    const double a = x2 / (s2 * s) - 0.25 * s;
    const double a3 = a * a - 3.0 * x2 / (s2 * s2) - 0.25;
    double g;
    double gamma;  // g'' / g'
    double delta;  // g''' / g'
    double g1;     // g'
    if (region == Region::kLow) {
      const double log_b = LogNormalisedBlackOtm(x, s);
      // r = b'/b computed as exp(ln b' - ln b) so it stays finite where b and b' underflow.
      const double r = std::exp(-0.5 * (x2 / s2 + 0.25 * s2) - kHalfLog2Pi - log_b);
      g = log_b - log_beta;
      g1 = r;
      gamma = a - r;
      delta = a3 - 3.0 * a * r + 2.0 * r * r;
    } else if (region == Region::kMiddle) {
      g = NormalisedBlackOtm(x, s) - beta;
      g1 = vega;
      gamma = a;
      delta = a3;
    } else {
      const double gap = NormalisedBlackOtmGap(x, s);
      const double q = vega / gap;
      g = std::log(gap) - log_gap;
      g1 = -q;
      gamma = a + q;
      delta = a3 + 3.0 * a * q + 2.0 * q * q;
    }
    if (!(g1 != 0.0) || !std::isfinite(g)) {
      break;
    }
    const double nu = -g / g1;
    const double denom = 1.0 + nu * (gamma + delta * nu / 6.0);
    double step = nu * (1.0 + 0.5 * gamma * nu) / denom;
    if (!std::isfinite(step) || denom <= 0.0 || std::fabs(step) > std::fabs(nu) * 2.0) {
      step = nu;  // fall back to Newton where the third-order correction is not trustworthy
    }
    double next = s + step;
    if (next <= 0.0) {
      next = 0.5 * s;
    }
    s = next;
    if (std::fabs(step) <= kStopTolerance * s) {
      ++n;
      break;
    }
  }
  if (iterations != nullptr) {
    *iterations = n;
  }
  return s;
}

Result<double> ImpliedTotalStdDev(double beta, double x, OptionType type) {
  if (!std::isfinite(beta) || !std::isfinite(x)) {
    return PriceError("normalised price and log-moneyness must be finite");
  }
  const double theta_x = Theta(type) * x;
  const double intrinsic = theta_x > 0.0 ? 2.0 * std::sinh(0.5 * theta_x) : 0.0;
  const double upper = std::exp(0.5 * theta_x);
  if (beta < intrinsic) {
    return PriceError("price is below the intrinsic value");
  }
  if (beta >= upper) {
    return PriceError("price is at or above the upper no-arbitrage bound");
  }
  const double otm = beta - intrinsic;
  if (otm <= 0.0) {
    return 0.0;
  }
  const double x_otm = -std::fabs(x);
  if (otm >= std::exp(0.5 * x_otm)) {
    return PriceError("time value is at or above the upper no-arbitrage bound");
  }
  return ImpliedTotalStdDevOtm(otm, x_otm);
}

Result<double> ImpliedVolBlack76(OptionType type, const Black76Market& market, double price) {
  const double f = market.forward;
  const double k = market.strike;
  const double t = market.t_years;
  if (!(f > 0.0 && k > 0.0 && t > 0.0 && std::isfinite(f) && std::isfinite(k) && std::isfinite(t) &&
        std::isfinite(market.rate))) {
    return Error::InvalidArgument("forward, strike and time must be positive and finite", "market");
  }
  if (!std::isfinite(price)) {
    return PriceError("price must be finite");
  }
  const double undiscounted = price * std::exp(market.rate * t);
  const double theta = Theta(type);
  const double intrinsic = theta * (f - k) > 0.0 ? theta * (f - k) : 0.0;
  const double upper = type == OptionType::kCall ? f : k;
  if (undiscounted < intrinsic) {
    return PriceError("price is below the discounted intrinsic value");
  }
  if (undiscounted >= upper) {
    return PriceError("price is at or above the upper no-arbitrage bound");
  }
  // Strip the intrinsic value in price units (exact for F - K) and solve for the out-of-the-money part.
  const double time_value = undiscounted - intrinsic;
  if (time_value <= 0.0) {
    return 0.0;
  }
  const double root_fk = std::sqrt(f * k);
  const double x = -std::fabs(std::log(f / k));
  const double beta = time_value / root_fk;
  if (beta >= std::exp(0.5 * x)) {
    return PriceError("time value is at or above the upper no-arbitrage bound");
  }
  return ImpliedTotalStdDevOtm(beta, x) / std::sqrt(t);
}

Result<double> ImpliedVolBsm(OptionType type, const BsmMarket& market, double price) {
  if (!(market.spot > 0.0 && std::isfinite(market.spot) && std::isfinite(market.dividend_yield))) {
    return Error::InvalidArgument("spot must be positive and finite", "market");
  }
  return ImpliedVolBlack76(type, Black76Market{BsmForward(market), market.strike, market.t_years, market.rate}, price);
}

}  // namespace td::options
