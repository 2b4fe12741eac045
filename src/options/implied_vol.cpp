// SPDX-License-Identifier: MIT
#include "options/implied_vol.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "options/normal.hpp"
#include "options/pricing_detail.hpp"

namespace td::options {
namespace {

constexpr int kMaxIterations = 12;
// Householder steps converge cubically: once a step is below 1e-7 relative, the remaining error is
// below 1e-20 relative, so the loop stops without spending an evaluation to confirm it.
constexpr double kStopTolerance = 1e-7;
// Error bound for the adaptive stop (a safety factor of ~100 below double precision).
constexpr double kPredictedError = 1e-18;
constexpr double kHalfLog2Pi = 0.918938533204672741780329736405617640;  // ln(2 pi) / 2
constexpr double kLn2 = 0.693147180559945309417232121458176568;

enum class Region : std::uint8_t { kLow, kMiddle, kHigh };

// Below the inflection point s_c = sqrt(2|x|) the price behaves like its small-s asymptote
// b ~ s^3 / x^2 n(x/s), which overestimates b, so its solution is a lower bound. With u = ln s the
// asymptotic equation reads x^2 / (2 s^2) = L(u) = 3u + C, C = -2 ln|x| - ln(2pi)/2 - ln beta; Newton runs
// on phi(u) = ln(x^2/2) - 2u - ln L(u), which is nearly linear, convex and decreasing, so starting from
// the leading-order solution s = |x| / sqrt(2C) (left of the root when s < 1) it climbs monotonically.
double LowGuess(double log_beta, double x, double s_c) {
  const double log_abs_x = std::log(-x);
  const double c = -2.0 * log_abs_x - kHalfLog2Pi - log_beta;
  if (!(c > 0.0)) {
    return s_c;
  }
  const double log_half_x2 = 2.0 * log_abs_x - kLn2;
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

// NormalisedBlackOtm with e^{x/2} and e^{-x/2} computed once per solve instead of once per evaluation; the
// same expressions as in black.cpp, so the values are bitwise equal.
double OtmValue(double x, double s, double eh, double eh_inv) {
  const double h = x / s;
  const double t = 0.5 * s;
  if (h + t < 0.0) {
    return NormalisedBlackOtm(x, s);
  }
  const double value = eh * NormCdf(h + t) - eh_inv * NormCdf(h - t);
  return value > 0.0 ? value : 0.0;
}

// NormalisedBlackOtmGap with the exponentials precomputed (s > 0).
double OtmGap(double x, double s, double eh, double eh_inv) {
  const double h = x / s;
  const double t = 0.5 * s;
  return eh * NormCdf(-h - t) + eh_inv * NormCdf(h - t);
}

constexpr double kSqrtHalfPi = 1.25331413731550025120788264240552263;  // sqrt(pi/2)

// ln b and b'/b (normalised vega over value) together. Where black.cpp's scaled form applies,
// b = n-factor * (Y(h+t) - Y(h-t)) / sqrt(2 pi) and b' = n-factor / sqrt(2 pi), so b'/b = 1 / (Y(h+t) - Y(h-t))
// costs no further exponential; ln b is computed exactly as LogNormalisedBlackOtm does (bitwise equal).
struct LogValue {
  double log_b;
  double vega_over_b;
};

LogValue LogOtmValue(double x, double s, double eh, double eh_inv) {
  const double h = x / s;
  const double t = 0.5 * s;
  if (h + t < 0.0) {
    const double diff = kSqrtHalfPi * Erfcx(-(h + t) * kInvSqrt2) - kSqrtHalfPi * Erfcx(-(h - t) * kInvSqrt2);
    return {-0.5 * (h * h + t * t) + std::log(kInvSqrt2Pi * diff), 1.0 / diff};
  }
  const double log_b = std::log(OtmValue(x, s, eh, eh_inv));
  return {log_b, std::exp(-0.5 * (x * x / (s * s) + 0.25 * s * s) - kHalfLog2Pi - log_b)};
}

Error PriceError(const std::string& message) {
  return Error::InvalidArgument(message, "price");
}

}  // namespace

double ImpliedTotalStdDevOtm(double beta, double x, int* iterations) {
  return detail::ImpliedTotalStdDevOtmBounded(beta, x, std::exp(0.5 * x), iterations);
}

double detail::ImpliedTotalStdDevOtmBounded(double beta, double x, double b_max, int* iterations) {
  const double eh_inv = std::exp(-0.5 * x);
  const double s_c = std::sqrt(-2.0 * x);
  const double b_c = s_c > 0.0 ? OtmValue(x, s_c, b_max, eh_inv) : 0.0;
  const double v_c = s_c > 0.0 ? NormalisedVega(x, s_c) : kInvSqrt2Pi;

  Region region;
  double s;
  double log_beta = 0.0;
  if (beta < b_c) {
    region = Region::kLow;
    log_beta = std::log(beta);
    const double s_asym = LowGuess(log_beta, x, s_c);
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
  const double log_gap = region == Region::kHigh ? std::log(b_max - beta) : 0.0;
  const double x2 = x * x;

  int n = 0;
  double previous_rel_step = 0.0;
  for (; n < kMaxIterations; ++n) {
    const double s2 = s * s;
    // Logarithmic derivatives of the normalised vega: b''/b' and b'''/b'.
    const double a = x2 / (s2 * s) - 0.25 * s;
    const double a3 = a * a - 3.0 * x2 / (s2 * s2) - 0.25;
    double g;
    double gamma;  // g'' / g'
    double delta;  // g''' / g'
    double g1;     // g'
    if (region == Region::kLow) {
      // r = b'/b, finite where b and b' underflow (exp(ln b' - ln b) outside the scaled form).
      const auto [log_b, r] = LogOtmValue(x, s, b_max, eh_inv);
      g = log_b - log_beta;
      g1 = r;
      gamma = a - r;
      delta = a3 - 3.0 * a * r + 2.0 * r * r;
    } else if (region == Region::kMiddle) {
      g = OtmValue(x, s, b_max, eh_inv) - beta;
      g1 = NormalisedVega(x, s);
      gamma = a;
      delta = a3;
    } else {
      const double gap = OtmGap(x, s, b_max, eh_inv);
      const double q = NormalisedVega(x, s) / gap;
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
    const double rel_step = std::fabs(step) / s;
    // A step is the error of the point it started from; with e_{n+1} ~ K e_n^3, the error left after this
    // step is K rel_step^3, K measured from the last two steps. Stop once that is below kPredictedError.
    const bool converged =
        rel_step <= kStopTolerance ||
        (previous_rel_step > 0.0 && rel_step < previous_rel_step &&
         rel_step * rel_step * rel_step * (rel_step / (previous_rel_step * previous_rel_step * previous_rel_step)) <=
             kPredictedError);
    if (converged) {
      ++n;
      break;
    }
    previous_rel_step = rel_step;
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
  const double b_max = std::exp(0.5 * x_otm);
  if (otm >= b_max) {
    return PriceError("time value is at or above the upper no-arbitrage bound");
  }
  return detail::ImpliedTotalStdDevOtmBounded(otm, x_otm, b_max, nullptr);
}

detail::ExpiryTerms detail::MakeExpiryTerms(double forward, double t_years, double rate) {
  ExpiryTerms terms;
  terms.forward = forward;
  terms.t_years = t_years;
  terms.rate = rate;
  terms.sqrt_t = std::sqrt(t_years);
  terms.growth = std::exp(rate * t_years);
  terms.discount = std::exp(-rate * t_years);
  return terms;
}

Result<double> ImpliedVolBlack76(OptionType type, const Black76Market& market, double price) {
  const double f = market.forward;
  const double k = market.strike;
  const double t = market.t_years;
  if (!(f > 0.0 && k > 0.0 && t > 0.0 && std::isfinite(f) && std::isfinite(k) && std::isfinite(t) &&
        std::isfinite(market.rate))) {
    return Error::InvalidArgument("forward, strike and time must be positive and finite", "market");
  }
  // Only the growth factor is needed to undiscount; the discount factor is left unset.
  detail::ExpiryTerms terms;
  terms.forward = f;
  terms.t_years = t;
  terms.rate = market.rate;
  terms.sqrt_t = std::sqrt(t);
  terms.growth = std::exp(market.rate * t);
  return detail::ImpliedVolBlack76Prepared(type, terms, k, std::log(f / k), price);
}

Result<double> detail::ImpliedVolBlack76Prepared(OptionType type, const ExpiryTerms& expiry, double strike,
                                                 double log_fk, double price) {
  const double f = expiry.forward;
  const double k = strike;
  if (!std::isfinite(price)) {
    return PriceError("price must be finite");
  }
  const double undiscounted = price * expiry.growth;
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
  const double x = -std::fabs(log_fk);
  const double beta = time_value / root_fk;
  const double b_max = std::exp(0.5 * x);
  if (beta >= b_max) {
    return PriceError("time value is at or above the upper no-arbitrage bound");
  }
  return ImpliedTotalStdDevOtmBounded(beta, x, b_max, nullptr) / expiry.sqrt_t;
}

Result<double> ImpliedVolBsm(OptionType type, const BsmMarket& market, double price) {
  if (!(market.spot > 0.0 && std::isfinite(market.spot) && std::isfinite(market.dividend_yield))) {
    return Error::InvalidArgument("spot must be positive and finite", "market");
  }
  return ImpliedVolBlack76(type, Black76Market{BsmForward(market), market.strike, market.t_years, market.rate}, price);
}

}  // namespace td::options
