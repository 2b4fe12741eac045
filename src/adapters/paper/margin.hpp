// SPDX-License-Identifier: MIT
#pragma once

#include <optional>

#include "core/fixed_point.hpp"
#include "model/instrument.hpp"
#include "model/order_types.hpp"

namespace td::adapters::paper {

/// Margin as a share of notional (price × quantity × multiplier). Defaults follow OpenAlgo's sandbox leverage
/// (equity MIS 5×, CNC 1×, futures 10×, option buying = full premium) and replace its "option selling = premium"
/// with a SPAN-like share of the underlying's notional, which is what an exchange actually blocks for a short.
struct MarginRules {
  double equity_mis = 0.20;        // 5× intraday leverage
  double equity_cnc = 1.00;        // delivery: full value
  double futures_nrml = 0.10;      // 10×
  double futures_mis = 0.10;       // SEBI's peak-margin rules left no extra intraday leverage on F&O
  double short_option_nrml = 0.12; // SPAN + exposure on the underlying notional (index options ≈ 12%)
  double short_option_mis = 0.12;
  /// The exposure-margin part of the derivative shares above, as a share of notional (NSE: 2% for index
  /// derivatives). It is part of those shares, not added on top: it only splits what /margin reports.
  double derivative_exposure = 0.02;
};

/// Margin of one unit split as exchanges report it: SPAN (or VaR, or the premium of a long option) and exposure.
struct MarginParts {
  double span = 0.0;
  double exposure = 0.0;
  double total() const { return span + exposure; }
};

/// What one unit of a new position costs in margin, in account currency.
/// `underlying_price` is the last known price of the option's underlying (the strike stands in without one).
/// Prices are doubles here because position averages are (portfolio keeps them as doubles).
double MarginPerUnit(const MarginRules& rules, const Instrument& instrument, Product product, Side side,
                     double price, std::optional<double> underlying_price);
/// MarginPerUnit in its two parts (their sum is MarginPerUnit): futures and short options carry
/// `derivative_exposure` of the notional (underlying notional for options) as exposure, the rest is SPAN; long
/// options (premium) and equities (VaR + the broker's share) are reported whole as SPAN.
MarginParts MarginPartsPerUnit(const MarginRules& rules, const Instrument& instrument, Product product, Side side,
                               double price, std::optional<double> underlying_price);

}  // namespace td::adapters::paper
