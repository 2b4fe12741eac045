// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace td::options {

/// Call or put.
enum class OptionType : std::uint8_t { kCall, kPut };

/// +1 for a call, -1 for a put.
constexpr double Theta(OptionType type) {
  return type == OptionType::kCall ? 1.0 : -1.0;
}

/// Market inputs of Black-76 (options on a forward or future): forward F, strike K, time to expiry T in
/// years, and the continuously compounded discount rate r used only to discount the payoff.
struct Black76Market {
  double forward = 0.0;
  double strike = 0.0;
  double t_years = 0.0;
  double rate = 0.0;
};

/// Market inputs of Black-Scholes-Merton (options on a spot with continuous dividend yield q):
/// forward = spot * exp((rate - dividend_yield) * t_years).
struct BsmMarket {
  double spot = 0.0;
  double strike = 0.0;
  double t_years = 0.0;
  double rate = 0.0;
  double dividend_yield = 0.0;
};

/// Price and sensitivities in raw units (see src/options/README.md): per 1.00 of the underlying, per 1.00
/// of volatility, per year of calendar time, per 1.00 of rate. The helpers convert to display units.
struct Greeks {
  double price = 0.0;
  double delta = 0.0;       // dV/dS (BSM) or dV/dF (Black-76)
  double gamma = 0.0;       // d2V/dS2 or d2V/dF2
  double vega = 0.0;        // dV/dsigma, per 1.00 volatility
  double theta = 0.0;       // dV/dt = -dV/dT, per year (negative for a long option, usually)
  double rho = 0.0;         // dV/dr, per 1.00 rate (Black-76: F held fixed, so rho = -T V)
  double vanna = 0.0;       // d2V/dS dsigma = dDelta/dsigma
  double charm = 0.0;       // dDelta/dt = -dDelta/dT, per year
  double dual_delta = 0.0;  // dV/dK

  /// Vega per one volatility point (0.01).
  double VegaPerPoint() const { return vega * 0.01; }
  /// Theta per calendar day (year / 365).
  double ThetaPerDay() const { return theta / 365.0; }
  /// Rho per one percentage point of rate (0.01).
  double RhoPerPoint() const { return rho * 0.01; }
  /// Charm per calendar day.
  double CharmPerDay() const { return charm / 365.0; }
  /// Vanna per one volatility point.
  double VannaPerPoint() const { return vanna * 0.01; }
};

/// Normalised Black value of an out-of-the-money call, b(x, s) = e^{x/2} N(x/s + s/2) - e^{-x/2} N(x/s - s/2)
/// for x = ln(F/K) <= 0 and total standard deviation s = sigma sqrt(T) >= 0. Equals the undiscounted price
/// divided by sqrt(F K). Accurate in relative terms down to the underflow of the result.
double NormalisedBlackOtm(double x, double s);

/// ln b(x, s) for x <= 0, s > 0, finite even where b itself underflows.
double LogNormalisedBlackOtm(double x, double s);

/// e^{x/2} - b(x, s) for x <= 0, without cancellation when b is close to its upper bound.
double NormalisedBlackOtmGap(double x, double s);

/// db/ds = e^{-(x^2/s^2 + s^2/4)/2} / sqrt(2 pi): the normalised vega.
double NormalisedVega(double x, double s);

/// Normalised Black value for any moneyness: intrinsic e^{theta x/2} - e^{-theta x/2} (when positive)
/// plus the out-of-the-money value at -|x|.
double NormalisedBlack(double x, double s, OptionType type);

/// Black-76 price. Needs forward > 0, strike > 0, t_years >= 0, vol >= 0 (checked); vol*sqrt(T) = 0
/// gives the discounted intrinsic value.
double Black76Price(OptionType type, const Black76Market& market, double vol);

/// Black-76 price and all greeks (sensitivities to the forward). At zero total volatility the greeks
/// take their limits: delta is the discounted step, the second-order greeks are zero.
Greeks Black76Greeks(OptionType type, const Black76Market& market, double vol);

/// Black-Scholes-Merton price (spot, rate, continuous dividend yield).
double BsmPrice(OptionType type, const BsmMarket& market, double vol);

/// Black-Scholes-Merton price and all greeks (sensitivities to the spot; rho with q held fixed).
Greeks BsmGreeks(OptionType type, const BsmMarket& market, double vol);

/// The forward of a BSM market: spot * exp((r - q) T).
double BsmForward(const BsmMarket& market);

}  // namespace td::options
