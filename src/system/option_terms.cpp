// SPDX-License-Identifier: MIT
#include "system/option_terms.hpp"

#include <cmath>

#include "adapters/simulator/universe.hpp"

namespace td::system {

std::optional<OptionTerms> OptionTermsOf(const InstrumentId& underlying) {
  for (const adapters::simulator::UnderlyingSpec& spec : adapters::simulator::Universe()) {
    if (spec.exchange_code != underlying.exchange() || spec.symbol != underlying.symbol() ||
        spec.option_exchange.empty()) {
      continue;
    }
    OptionTerms terms;
    terms.underlying = underlying;
    terms.option_exchange = std::string(spec.option_exchange);
    terms.price_precision = spec.option_price_precision;
    terms.tick_size = Price::FromRaw(std::llround(spec.option_tick * 1e9), spec.option_price_precision);
    terms.lot_size = Quantity::FromUnits(spec.lot_size);
    terms.multiplier = Quantity::FromUnits(spec.multiplier);
    const int step_precision = spec.strike_step == std::floor(spec.strike_step) ? 0 : 2;
    terms.strike_step = Price::FromRaw(std::llround(spec.strike_step * 1e9), step_precision);
    terms.expiry_calendar = spec.expiry_calendar;
    return terms;
  }
  return std::nullopt;
}

}  // namespace td::system
