// SPDX-License-Identifier: MIT
#include "options/black.hpp"

#include <cmath>

#include "core/check.hpp"
#include "options/normal.hpp"
#include "options/pricing_detail.hpp"

namespace td::options {
namespace {

constexpr double kSqrtHalfPi = 1.25331413731550025120788264240552263;  // sqrt(pi/2)

// Y(z) = N(z) / n(z), the inverse Mills ratio, evaluated through erfcx so it never underflows.
double MillsY(double z) {
  return kSqrtHalfPi * Erfcx(-z * kInvSqrt2);
}

// True where the scaled form e^{-(h^2+t^2)/2} (Y(h+t) - Y(h-t)) / sqrt(2 pi) is used: both normal
// arguments negative, where the direct difference of CDFs would underflow or lose relative accuracy
// (measured: the direct form is worse in the wings even with an accurate NormCdf).
bool UseScaledForm(double h, double t) {
  return h + t < 0.0;
}

void CheckMarket(double forward, double strike, double t_years, double vol) {
  TD_CHECK(forward > 0.0 && strike > 0.0 && t_years >= 0.0 && vol >= 0.0 && std::isfinite(forward) &&
           std::isfinite(strike) && std::isfinite(t_years) && std::isfinite(vol))
      << "option inputs out of domain: F=" << forward << " K=" << strike << " T=" << t_years << " vol=" << vol;
}

// Undiscounted Black-76 price and greeks with respect to the forward; discounting is applied by callers.
struct Undiscounted {
  double price;
  double delta;  // dV/dF
  double gamma;
  double vega;
  double dprice_dt;  // dV/dT
  double vanna;
  double ddelta_dt;  // dDelta/dT
  double dual_delta;
};

// Undiscounted price and greeks from prepared inputs: x = ln(F/K) and sqrt(T).
Undiscounted BlackUndiscounted(OptionType type, double forward, double strike, double t_years, double sqrt_t, double x,
                               double vol) {
  const double theta = Theta(type);
  const double s = vol * sqrt_t;
  Undiscounted out{};
  if (s <= 0.0) {
    const double intrinsic = theta * (forward - strike);
    out.price = intrinsic > 0.0 ? intrinsic : 0.0;
    // At the money the limit of N(d1) is 1/2.
    const double step = forward == strike ? 0.5 : (intrinsic > 0.0 ? 1.0 : 0.0);
    out.delta = theta * step;
    out.dual_delta = -theta * step;
    return out;
  }
  // Intrinsic in price units (exact for F - K), time value from the normalised function.
  const double intrinsic = theta * (forward - strike);
  const double d1 = x / s + 0.5 * s;
  const double d2 = d1 - s;
  // The out-of-the-money value at -|x|, as NormalisedBlackOtm computes it. For an out-of-the-money option its
  // first CDF is N(theta d1) itself (bitwise: the same expression, or its exact negation), so delta reuses it.
  const double x_otm = -std::fabs(x);
  const double h = x_otm / s;
  const double t = 0.5 * s;
  double otm;
  double delta_cdf;
  if (UseScaledForm(h, t)) {
    otm = NormalisedBlackOtm(x_otm, s);
    delta_cdf = NormCdf(theta * d1);
  } else {
    const double cdf_plus = NormCdf(h + t);
    const double cdf_minus = NormCdf(h - t);
    const double value = std::exp(0.5 * x_otm) * cdf_plus - std::exp(-0.5 * x_otm) * cdf_minus;
    otm = value > 0.0 ? value : 0.0;
    if (type == OptionType::kCall && x <= 0.0) {
      delta_cdf = cdf_plus;  // h + t is x/s + s/2 = d1
    } else if (type == OptionType::kPut && x >= 0.0) {
      delta_cdf = cdf_minus;  // h - t is -x/s - s/2 = -d1
    } else {
      delta_cdf = NormCdf(theta * d1);
    }
  }
  out.price = (intrinsic > 0.0 ? intrinsic : 0.0) + std::sqrt(forward * strike) * otm;
  const double pdf = NormPdf(d1);
  out.delta = theta * delta_cdf;
  out.dual_delta = -theta * NormCdf(theta * d2);
  out.gamma = pdf / (forward * s);
  out.vega = forward * pdf * sqrt_t;
  out.dprice_dt = forward * pdf * vol / (2.0 * sqrt_t);
  out.vanna = -pdf * d2 / vol;
  // dd1/dT = -d2 / (2T) for a fixed forward.
  out.ddelta_dt = -pdf * d2 / (2.0 * t_years);
  return out;
}

Undiscounted BlackUndiscounted(OptionType type, double forward, double strike, double t_years, double vol) {
  return BlackUndiscounted(type, forward, strike, t_years, std::sqrt(t_years), std::log(forward / strike), vol);
}

}  // namespace

double NormalisedVega(double x, double s) {
  const double h = x / s;
  const double t = 0.5 * s;
  return kInvSqrt2Pi * std::exp(-0.5 * (h * h + t * t));
}

double NormalisedBlackOtm(double x, double s) {
  if (!(s > 0.0)) {
    return 0.0;
  }
  const double h = x / s;
  const double t = 0.5 * s;
  if (UseScaledForm(h, t)) {
    const double diff = MillsY(h + t) - MillsY(h - t);
    return kInvSqrt2Pi * std::exp(-0.5 * (h * h + t * t)) * diff;
  }
  const double value = std::exp(0.5 * x) * NormCdf(h + t) - std::exp(-0.5 * x) * NormCdf(h - t);
  return value > 0.0 ? value : 0.0;
}

double LogNormalisedBlackOtm(double x, double s) {
  const double h = x / s;
  const double t = 0.5 * s;
  if (UseScaledForm(h, t)) {
    const double diff = MillsY(h + t) - MillsY(h - t);
    return -0.5 * (h * h + t * t) + std::log(kInvSqrt2Pi * diff);
  }
  return std::log(NormalisedBlackOtm(x, s));
}

double NormalisedBlackOtmGap(double x, double s) {
  if (!(s > 0.0)) {
    return std::exp(0.5 * x);
  }
  const double h = x / s;
  const double t = 0.5 * s;
  return std::exp(0.5 * x) * NormCdf(-h - t) + std::exp(-0.5 * x) * NormCdf(h - t);
}

double NormalisedBlack(double x, double s, OptionType type) {
  const double theta_x = Theta(type) * x;
  const double otm = NormalisedBlackOtm(-std::fabs(x), s);
  if (theta_x > 0.0) {
    // In the money: add the normalised intrinsic 2 sinh(theta x / 2).
    return 2.0 * std::sinh(0.5 * theta_x) + otm;
  }
  return otm;
}

double Black76Price(OptionType type, const Black76Market& market, double vol) {
  CheckMarket(market.forward, market.strike, market.t_years, vol);
  const double df = std::exp(-market.rate * market.t_years);
  const double s = vol * std::sqrt(market.t_years);
  const double intrinsic = Theta(type) * (market.forward - market.strike);
  const double otm = std::sqrt(market.forward * market.strike) *
                     NormalisedBlackOtm(-std::fabs(std::log(market.forward / market.strike)), s);
  // Intrinsic in price units (exact for F - K), time value from the normalised function.
  return df * ((intrinsic > 0.0 ? intrinsic : 0.0) + otm);
}

Greeks Black76Greeks(OptionType type, const Black76Market& market, double vol) {
  CheckMarket(market.forward, market.strike, market.t_years, vol);
  detail::ExpiryTerms expiry;
  expiry.forward = market.forward;
  expiry.t_years = market.t_years;
  expiry.rate = market.rate;
  expiry.sqrt_t = std::sqrt(market.t_years);
  expiry.discount = std::exp(-market.rate * market.t_years);
  return detail::Black76GreeksPrepared(type, expiry, market.strike, std::log(market.forward / market.strike), vol);
}

Greeks detail::Black76GreeksPrepared(OptionType type, const ExpiryTerms& expiry, double strike, double log_fk,
                                     double vol) {
  const double df = expiry.discount;
  const Undiscounted u = BlackUndiscounted(type, expiry.forward, strike, expiry.t_years, expiry.sqrt_t, log_fk, vol);
  Greeks g;
  g.price = df * u.price;
  g.delta = df * u.delta;
  g.gamma = df * u.gamma;
  g.vega = df * u.vega;
  g.theta = expiry.rate * g.price - df * u.dprice_dt;
  g.rho = -expiry.t_years * g.price;
  g.vanna = df * u.vanna;
  g.charm = expiry.rate * g.delta - df * u.ddelta_dt;
  g.dual_delta = df * u.dual_delta;
  return g;
}

double BsmForward(const BsmMarket& market) {
  return market.spot * std::exp((market.rate - market.dividend_yield) * market.t_years);
}

double BsmPrice(OptionType type, const BsmMarket& market, double vol) {
  return Black76Price(type, Black76Market{BsmForward(market), market.strike, market.t_years, market.rate}, vol);
}

Greeks BsmGreeks(OptionType type, const BsmMarket& market, double vol) {
  CheckMarket(market.spot, market.strike, market.t_years, vol);
  const double t = market.t_years;
  const double forward = BsmForward(market);
  const double df = std::exp(-market.rate * t);
  const double carry = std::exp((market.rate - market.dividend_yield) * t);  // dF/dS
  const Undiscounted u = BlackUndiscounted(type, forward, market.strike, t, vol);
  Greeks g;
  g.price = df * u.price;
  const double qdf = df * carry;  // e^{-qT}
  g.delta = qdf * u.delta;
  g.gamma = qdf * carry * u.gamma;
  g.vega = df * u.vega;
  // V(T) = e^{-rT} B(F(T), T); dF/dT = (r - q) F.
  const double dv_dt =
      -market.rate * g.price + df * (u.delta * (market.rate - market.dividend_yield) * forward + u.dprice_dt);
  g.theta = -dv_dt;
  // dV/dr with q fixed: -T V + e^{-rT} dB/dF * T F.
  g.rho = -t * g.price + df * u.delta * t * forward;
  g.vanna = qdf * u.vanna;
  // Delta(T) = e^{-qT} dB/dF(F(T), T); dDelta/dT = -q Delta + e^{-qT} (gamma_F (r-q) F + ddelta_dt).
  const double ddelta_dt = -market.dividend_yield * g.delta +
                           qdf * (u.gamma * (market.rate - market.dividend_yield) * forward + u.ddelta_dt);
  g.charm = -ddelta_dt;
  g.dual_delta = df * u.dual_delta;
  return g;
}

}  // namespace td::options
