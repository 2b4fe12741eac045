// SPDX-License-Identifier: MIT
#pragma once

#include <span>

#include "core/result.hpp"
#include "options/black.hpp"

namespace td::options {

/// The shared inputs of one expiry: forward F, time T in years, discount rate r (Black-76).
struct ExpiryMarket {
  double forward = 0.0;
  double t_years = 0.0;
  double rate = 0.0;
};

/// One option of an expiry: right, strike and the discounted price to invert (e.g. the mid).
struct ExpiryOption {
  OptionType type = OptionType::kCall;
  double strike = 0.0;
  double price = 0.0;
};

/// Implied volatility and all greeks at it. `iv` is NaN and the greeks are zero when the price has no implied
/// volatility (outside the no-arbitrage bounds, not finite, or a strike that is not positive).
struct IvGreeks {
  double iv = 0.0;
  Greeks greeks;
};

/// Black-76 IV and all greeks for every option of one expiry. Per-expiry quantities (sqrt T, e^{+-rT}) are
/// computed once and ln(F/K) once per option for both the solve and the greeks; results are bitwise equal
/// to ImpliedVolBlack76 followed by Black76Greeks at the solved IV (a price exactly at intrinsic gives
/// iv = 0 and the zero-vol greeks). `out` must have the size of `options`. Error (field "market") when F or
/// T is not positive and finite or r is not finite. Allocates nothing for prices that have a solution.
Status ImpliedVolsAndGreeks(const ExpiryMarket& expiry, std::span<const ExpiryOption> options, std::span<IvGreeks> out);

}  // namespace td::options
