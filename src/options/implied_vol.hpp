// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.hpp"
#include "options/black.hpp"

namespace td::options {

/// Implied total standard deviation s = sigma sqrt(T) of an out-of-the-money normalised price: solves
/// NormalisedBlackOtm(x, s) = beta for x <= 0 and 0 < beta < e^{x/2} (the caller checks the bounds).
/// Region-wise asymptotic initial guess, then third-order Householder steps on a well-conditioned
/// objective (ln b below the inflection point, b in the middle, ln(e^{x/2} - b) near the upper bound).
/// `iterations`, when given, receives the number of Householder steps taken.
double ImpliedTotalStdDevOtm(double beta, double x, int* iterations = nullptr);

/// Implied total standard deviation from a normalised price of either type (intrinsic included).
/// Errors: beta below the normalised intrinsic or at/above the upper bound (e^{theta x/2}).
/// A price exactly at intrinsic (including a zero price out of the money) gives s = 0.
Result<double> ImpliedTotalStdDev(double beta, double x, OptionType type);

/// Black-76 implied volatility (per sqrt(year)) of a discounted option price.
/// Errors (ErrorCode::kInvalidArgument, field "price"): price below the discounted intrinsic value, or at
/// or above the upper bound (df F for a call, df K for a put), or not finite; field "market" for
/// F, K or T not strictly positive and finite. A price exactly at intrinsic gives 0.
Result<double> ImpliedVolBlack76(OptionType type, const Black76Market& market, double price);

/// Black-Scholes-Merton implied volatility (spot, rate, dividend yield); same bounds and errors, with
/// forward = S e^{(r-q)T}.
Result<double> ImpliedVolBsm(OptionType type, const BsmMarket& market, double price);

}  // namespace td::options
