// SPDX-License-Identifier: MIT
#include "adapters/paper/margin.hpp"

#include <algorithm>

namespace td::adapters::paper {

double MarginPerUnit(const MarginRules& rules, const Instrument& instrument, Product product, Side side,
                     double price, std::optional<double> underlying_price) {
  const double multiplier = instrument.multiplier.is_zero() ? 1.0 : instrument.multiplier.AsDouble();
  const double unit_value = price * multiplier;
  switch (instrument.kind) {
    case InstrumentKind::kOption: {
      if (side == Side::kBuy) {
        return unit_value;  // a long option can lose at most its premium
      }
      const double share = product == Product::kMis ? rules.short_option_mis : rules.short_option_nrml;
      const double strike = instrument.strike ? instrument.strike->AsDouble() : price;
      const double reference = underlying_price.value_or(strike);
      return std::max(unit_value, share * reference * multiplier);
    }
    case InstrumentKind::kFuture:
      return unit_value * (product == Product::kMis ? rules.futures_mis : rules.futures_nrml);
    case InstrumentKind::kEquity:
    case InstrumentKind::kIndex:
      return unit_value * (product == Product::kCnc ? rules.equity_cnc : rules.equity_mis);
  }
  return unit_value;
}

MarginParts MarginPartsPerUnit(const MarginRules& rules, const Instrument& instrument, Product product, Side side,
                               double price, std::optional<double> underlying_price) {
  const double total = MarginPerUnit(rules, instrument, product, side, price, underlying_price);
  const double multiplier = instrument.multiplier.is_zero() ? 1.0 : instrument.multiplier.AsDouble();
  double exposure_base = 0.0;
  if (instrument.kind == InstrumentKind::kFuture) {
    exposure_base = price * multiplier;
  } else if (instrument.kind == InstrumentKind::kOption && side == Side::kSell) {
    const double strike = instrument.strike ? instrument.strike->AsDouble() : price;
    exposure_base = underlying_price.value_or(strike) * multiplier;
  }
  const double exposure = std::clamp(rules.derivative_exposure * exposure_base, 0.0, total);
  return MarginParts{total - exposure, exposure};
}

}  // namespace td::adapters::paper
