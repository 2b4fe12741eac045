// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace td {

/// What an instrument is; decides which of the derivative fields of Instrument are set.
enum class InstrumentKind : std::uint8_t { kEquity, kIndex, kFuture, kOption };
/// An option's right: call (CE, C) or put (PE, P).
enum class OptionRight : std::uint8_t { kCall, kPut };

/// "equity", "index", "future", "option".
std::string_view ToString(InstrumentKind kind);
/// Parses the names ToString gives, in any case.
Result<InstrumentKind> ParseInstrumentKind(std::string_view text);
/// "call" or "put".
std::string_view ToString(OptionRight right);
/// Parses "CE"/"PE" (OpenAlgo), "C"/"P" (OCC) and "CALL"/"PUT", in any case.
Result<OptionRight> ParseOptionRight(std::string_view text);

/// Trading terms shared by every kind: the price grid, how many units make a lot, the contract multiplier.
struct ContractSpec {
  Price tick_size;          // smallest price step, > 0 (NSE F&O 0.05, US equities 0.01)
  Quantity lot_size;        // units per lot, > 0 (NIFTY 75; 1 for cash equities)
  Quantity multiplier;      // value of one point per unit, > 0 (1 in India, 100 for US equity options)
  int price_precision = 2;  // decimals prices are shown with, 0..9; the tick must fit in them
};

/// A tradable or observable instrument. One flat struct: the derivative fields are set exactly when the kind
/// needs them (future: underlying + expiry; option: underlying + expiry + strike + right). Build with the
/// factories, which validate; a hand-built value can be checked with Validate().
struct Instrument {
  InstrumentId id;  // "EXCHANGE:SYMBOL"; the exchange is id.exchange()
  InstrumentKind kind = InstrumentKind::kEquity;
  Price tick_size;
  Quantity lot_size;
  Quantity multiplier;
  int price_precision = 2;
  InstrumentId underlying;           // futures and options only
  std::optional<CivilDate> expiry;   // futures and options: the expiry day (exchange-local civil date)
  std::optional<Price> strike;       // options only
  std::optional<OptionRight> right;  // options only

  static Result<Instrument> Equity(InstrumentId id, const ContractSpec& spec);
  /// An index is observed, not traded: tick 10^-precision, lot and multiplier 1.
  static Result<Instrument> Index(InstrumentId id, int price_precision);
  static Result<Instrument> Future(InstrumentId id, InstrumentId underlying, CivilDate expiry,
                                   const ContractSpec& spec);
  static Result<Instrument> Option(InstrumentId id, InstrumentId underlying, CivilDate expiry, Price strike,
                                   OptionRight right, const ContractSpec& spec);

  /// Checks every field and their consistency with the kind; the error names the offending field.
  Status Validate() const;

  std::string_view exchange() const { return id.exchange(); }
  bool IsDerivative() const { return kind == InstrumentKind::kFuture || kind == InstrumentKind::kOption; }
  /// True when the price lies on this instrument's tick grid.
  bool IsOnTick(Price price) const { return price.IsMultipleOf(tick_size); }
  /// Moves a price onto the tick grid and shows it at the instrument's precision.
  Price RoundToTick(Price price, RoundingMode mode = RoundingMode::kNearest) const;
  /// True once the expiry day has ended as of `today` (trading on the expiry day itself is allowed).
  bool IsExpiredAsOf(CivilDate today) const { return expiry.has_value() && *expiry < today; }

  friend bool operator==(const Instrument&, const Instrument&) = default;
};

}  // namespace td
