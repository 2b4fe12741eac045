// SPDX-License-Identifier: MIT
#include "adapters/simulator/vol_surface.hpp"

#include <cmath>

namespace td::adapters::simulator {

double VarianceForecast::Integrated(double t_years) const {
  if (t_years <= 0.0) {
    return 0.0;
  }
  // (1 - e^{-kT}) / k without cancellation for small kT.
  const double x = kappa * t_years;
  const double decay = x < 1e-8 ? t_years : -std::expm1(-x) / kappa;
  return idio_var * t_years + beta * beta * (h_bar * t_years + (h - h_bar) * decay);
}

double SsviSurface::TotalVariance(double k, double theta) const {
  if (theta <= 0.0) {
    return 0.0;
  }
  const double phi = eta_ / (std::pow(theta, gamma_) * std::pow(1.0 + theta, 1.0 - gamma_));
  const double pk = phi * k;
  return 0.5 * theta * (1.0 + rho_ * pk + std::sqrt((pk + rho_) * (pk + rho_) + 1.0 - rho_ * rho_));
}

double SsviSurface::ImpliedVol(double k, double theta, double t_years) const {
  if (t_years <= 0.0) {
    return 0.0;
  }
  return std::sqrt(TotalVariance(k, theta) / t_years);
}

}  // namespace td::adapters::simulator
