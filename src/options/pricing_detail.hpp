// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.hpp"
#include "options/black.hpp"

// Building blocks shared by the per-option API and the batch API (batch.hpp). Internal to the module: the
// per-option functions are thin wrappers over these, so both paths give bitwise identical results.
namespace td::options::detail {

/// Quantities that depend only on the expiry: T, sqrt(T), the discount factor e^{-rT} and its inverse.
struct ExpiryTerms {
  double forward = 0.0;
  double t_years = 0.0;
  double rate = 0.0;
  double sqrt_t = 0.0;
  double growth = 1.0;    // e^{rT}: undiscounts a price
  double discount = 1.0;  // e^{-rT}
};

/// Fills the derived fields of ExpiryTerms from forward, T and rate.
ExpiryTerms MakeExpiryTerms(double forward, double t_years, double rate);

/// ImpliedTotalStdDevOtm with the upper bound e^{x/2} already computed by the caller's bound check.
double ImpliedTotalStdDevOtmBounded(double beta, double x, double b_max, int* iterations);

/// ImpliedVolBlack76 on prepared expiry terms and log_fk = ln(F/K) (the caller validated F, T, rate).
Result<double> ImpliedVolBlack76Prepared(OptionType type, const ExpiryTerms& expiry, double strike, double log_fk,
                                         double price);

/// Black76Greeks on prepared expiry terms and log_fk = ln(F/K).
Greeks Black76GreeksPrepared(OptionType type, const ExpiryTerms& expiry, double strike, double log_fk, double vol);

}  // namespace td::options::detail
