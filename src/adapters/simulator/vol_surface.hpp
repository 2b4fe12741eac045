// SPDX-License-Identifier: MIT
#pragma once

namespace td::adapters::simulator {

/// Expected integrated variance of an underlying whose instantaneous annual variance is
/// beta^2 h(t) + idio^2, where the market variance h mean-reverts to h_bar at `kappa` per year
/// (the continuous-time limit of the GARCH(1,1) forecast): the ATM total variance before the risk premium.
struct VarianceForecast {
  double h = 0.0;         // current market (factor) annual variance
  double h_bar = 0.0;     // its long-run level
  double kappa = 0.0;     // mean reversion per calendar year
  double beta = 1.0;      // loading of the underlying on the factor
  double idio_var = 0.0;  // idiosyncratic annual variance

  /// Integral over [0, T] of E[variance]: increasing in T because the integrand is positive.
  double Integrated(double t_years) const;
};

/// An SSVI surface (Gatheral-Jacquier 2014) with power-law curvature phi(theta) = eta / (theta^g (1+theta)^(1-g)):
/// w(k, theta) = theta/2 (1 + rho phi k + sqrt((phi k + rho)^2 + 1 - rho^2)), k = ln(K/F), theta = ATM total
/// variance. Free of butterfly arbitrage when eta (1 + |rho|) <= 2 and of calendar arbitrage when theta(T) is
/// increasing, which VarianceForecast guarantees.
class SsviSurface {
 public:
  SsviSurface(double rho, double eta, double gamma = 0.5) : rho_(rho), eta_(eta), gamma_(gamma) {}

  /// Total implied variance at log-moneyness k for ATM total variance theta.
  double TotalVariance(double k, double theta) const;
  /// Black implied volatility at log-moneyness k for expiry T (years) and ATM total variance theta.
  double ImpliedVol(double k, double theta, double t_years) const;

  double rho() const { return rho_; }
  double eta() const { return eta_; }

 private:
  double rho_;
  double eta_;
  double gamma_;
};

}  // namespace td::adapters::simulator
