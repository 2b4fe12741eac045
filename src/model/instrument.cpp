// SPDX-License-Identifier: MIT
#include "model/instrument.hpp"

#include <string>

namespace td {
namespace {

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

std::string DateText(CivilDate date) {
  return std::to_string(date.year) + "-" + std::to_string(date.month) + "-" + std::to_string(date.day);
}

Instrument FromSpec(InstrumentId id, InstrumentKind kind, const ContractSpec& spec) {
  Instrument instrument;
  instrument.id = std::move(id);
  instrument.kind = kind;
  instrument.tick_size = spec.tick_size;
  instrument.lot_size = spec.lot_size;
  instrument.multiplier = spec.multiplier;
  instrument.price_precision = spec.price_precision;
  return instrument;
}

Result<Instrument> Validated(Instrument instrument) {
  if (auto status = instrument.Validate(); !status.ok()) {
    return status.error();
  }
  return instrument;
}

}  // namespace

std::string_view ToString(InstrumentKind kind) {
  switch (kind) {
    case InstrumentKind::kEquity:
      return "equity";
    case InstrumentKind::kIndex:
      return "index";
    case InstrumentKind::kFuture:
      return "future";
    case InstrumentKind::kOption:
      return "option";
  }
  TD_UNREACHABLE() << "instrument kind " << static_cast<int>(kind);
}

Result<InstrumentKind> ParseInstrumentKind(std::string_view text) {
  const std::string upper = Upper(text);
  if (upper == "EQUITY") {
    return InstrumentKind::kEquity;
  }
  if (upper == "INDEX") {
    return InstrumentKind::kIndex;
  }
  if (upper == "FUTURE") {
    return InstrumentKind::kFuture;
  }
  if (upper == "OPTION") {
    return InstrumentKind::kOption;
  }
  return Error::InvalidArgument(
      "instrument kind must be equity, index, future or option, was '" + std::string(text) + "'", "kind");
}

std::string_view ToString(OptionRight right) {
  return right == OptionRight::kCall ? "call" : "put";
}

Result<OptionRight> ParseOptionRight(std::string_view text) {
  const std::string upper = Upper(text);
  if (upper == "CE" || upper == "C" || upper == "CALL") {
    return OptionRight::kCall;
  }
  if (upper == "PE" || upper == "P" || upper == "PUT") {
    return OptionRight::kPut;
  }
  return Error::InvalidArgument("option right must be CE/PE, C/P or CALL/PUT, was '" + std::string(text) + "'",
                                "option_type");
}

Result<Instrument> Instrument::Equity(InstrumentId id, const ContractSpec& spec) {
  return Validated(FromSpec(std::move(id), InstrumentKind::kEquity, spec));
}

Result<Instrument> Instrument::Index(InstrumentId id, int price_precision) {
  if (price_precision < 0 || price_precision > kFixedPrecision) {
    return Error::InvalidArgument("price precision must be within 0..9, was " + std::to_string(price_precision),
                                  "price_precision");
  }
  const ContractSpec spec{Price::FromRaw(Pow10(kFixedPrecision - price_precision), price_precision),
                          Quantity::FromUnits(1), Quantity::FromUnits(1), price_precision};
  return Validated(FromSpec(std::move(id), InstrumentKind::kIndex, spec));
}

Result<Instrument> Instrument::Future(InstrumentId id, InstrumentId underlying, CivilDate expiry,
                                      const ContractSpec& spec) {
  Instrument instrument = FromSpec(std::move(id), InstrumentKind::kFuture, spec);
  instrument.underlying = std::move(underlying);
  instrument.expiry = expiry;
  return Validated(std::move(instrument));
}

Result<Instrument> Instrument::Option(InstrumentId id, InstrumentId underlying, CivilDate expiry, Price strike,
                                      OptionRight right, const ContractSpec& spec) {
  Instrument instrument = FromSpec(std::move(id), InstrumentKind::kOption, spec);
  instrument.underlying = std::move(underlying);
  instrument.expiry = expiry;
  instrument.strike = strike;
  instrument.right = right;
  return Validated(std::move(instrument));
}

Status Instrument::Validate() const {
  if (id.empty()) {
    return Error::InvalidArgument("instrument id must be set", "id");
  }
  if (price_precision < 0 || price_precision > kFixedPrecision) {
    return Error::InvalidArgument("price precision must be within 0..9, was " + std::to_string(price_precision),
                                  "price_precision");
  }
  if (!tick_size.is_positive()) {
    return Error::InvalidArgument("tick size must be positive, was " + tick_size.ToString(), "tick_size");
  }
  if (tick_size.raw() % Pow10(kFixedPrecision - price_precision) != 0) {
    return Error::InvalidArgument("tick size " + tick_size.ToString() + " has more decimals than the price precision " +
                                      std::to_string(price_precision),
                                  "tick_size");
  }
  if (!lot_size.is_positive()) {
    return Error::InvalidArgument("lot size must be positive, was " + lot_size.ToString(), "lot_size");
  }
  if (!multiplier.is_positive()) {
    return Error::InvalidArgument("multiplier must be positive, was " + multiplier.ToString(), "multiplier");
  }
  const std::string what(ToString(kind));
  if (!IsDerivative()) {
    if (!underlying.empty()) {
      return Error::InvalidArgument("an " + what + " has no underlying", "underlying");
    }
    if (expiry.has_value()) {
      return Error::InvalidArgument("an " + what + " has no expiry", "expiry");
    }
  } else {
    if (underlying.empty()) {
      return Error::InvalidArgument("a " + what + " needs an underlying", "underlying");
    }
    if (underlying == id) {
      return Error::InvalidArgument("a " + what + " cannot be its own underlying", "underlying");
    }
    if (!expiry.has_value()) {
      return Error::InvalidArgument("a " + what + " needs an expiry date", "expiry");
    }
    if (!IsValidDate(*expiry) || expiry->year < 1970 || expiry->year > 2199) {
      return Error::InvalidArgument("expiry " + DateText(*expiry) + " is not a valid date in 1970..2199", "expiry");
    }
  }
  if (kind != InstrumentKind::kOption) {
    if (strike.has_value()) {
      return Error::InvalidArgument("only options have a strike", "strike");
    }
    if (right.has_value()) {
      return Error::InvalidArgument("only options have a right (call/put)", "option_type");
    }
    return {};
  }
  if (!strike.has_value()) {
    return Error::InvalidArgument("an option needs a strike", "strike");
  }
  if (!strike->is_positive()) {
    return Error::InvalidArgument("strike must be positive, was " + strike->ToString(), "strike");
  }
  if (!strike->IsMultipleOf(tick_size)) {
    return Error::InvalidArgument(
        "strike " + strike->ToString() + " is not on the tick grid of " + tick_size.ToString(), "strike");
  }
  if (!right.has_value()) {
    return Error::InvalidArgument("an option needs a right (call/put)", "option_type");
  }
  return {};
}

Price Instrument::RoundToTick(Price price, RoundingMode mode) const {
  const Price rounded = price.RoundToStep(tick_size, mode);
  return Price::FromRaw(rounded.raw(), price_precision);
}

}  // namespace td
