// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>

#include "calendar/exchange.hpp"
#include "core/fixed_point.hpp"
#include "core/ids.hpp"

namespace td::system {

/// The listing terms of an underlying's options as the simulated market lists them: the derivatives segment
/// (NFO, BFO, OPRA), the price grid, the lot, the strike step and the calendar whose session ends each expiry.
/// The OpenAlgo symbol and chain endpoints show them; MarketService carries prices, not contract terms.
struct OptionTerms {
  InstrumentId underlying;
  std::string option_exchange;  // "NFO", "BFO", "OPRA"
  Price tick_size;
  Quantity lot_size;    // units per lot (NIFTY 65); 1 for US contracts, whose size is the multiplier
  Quantity multiplier;  // 1 in India, 100 for US listed options
  Price strike_step;
  int price_precision = 2;
  calendar::Exchange expiry_calendar = calendar::Exchange::kNse;
};

/// The terms of `underlying`'s options, or nullopt when the simulated universe lists none for it (a vendor
/// source's open universe: the terms are the vendor's and unknown here).
std::optional<OptionTerms> OptionTermsOf(const InstrumentId& underlying);

}  // namespace td::system
