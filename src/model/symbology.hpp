// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/fixed_point.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "model/instrument.hpp"

namespace td {

/// Which of OpenAlgo's three symbol shapes a symbol has.
enum class OpenAlgoSymbolKind : std::uint8_t {
  kPlain,   // equity or index: the base alone ("SBIN", "NIFTY", "M&M")
  kFuture,  // BASE + DDMMMYY + "FUT" ("NIFTY28NOV24FUT")
  kOption,  // BASE + DDMMMYY + strike + "CE"|"PE" ("NIFTY28NOV2424000CE", "VEDL25APR24292.5CE")
};

/// An OpenAlgo trading symbol in structured form.
///
/// Parse rules: input is upper-cased first (lower case is normalised). A symbol ending in "FUT" must be a future;
/// one ending in "CE"/"PE" right after a digit must be an option; anything else is plain ("RELIANCE" ends in "CE"
/// but after a letter). The base is 1+ of [A-Z0-9&_-]; the expiry is DD (two digits) + JAN..DEC + YY (20YY) and
/// must exist; the strike is positive, written canonically (no leading zeros, no trailing fractional zeros) with
/// at most 4 decimals. ToString() gives the upper-case form, so ToString(Parse(x)) == upper(x) for every accepted x.
struct OpenAlgoSymbol {
  OpenAlgoSymbolKind kind = OpenAlgoSymbolKind::kPlain;
  std::string base;
  CivilDate expiry{};                      // futures and options
  Price strike;                            // options
  OptionRight right = OptionRight::kCall;  // options

  static Result<OpenAlgoSymbol> Parse(std::string_view text);
  static Result<OpenAlgoSymbol> Plain(std::string_view base);
  static Result<OpenAlgoSymbol> Future(std::string_view base, CivilDate expiry);
  static Result<OpenAlgoSymbol> Option(std::string_view base, CivilDate expiry, Price strike, OptionRight right);

  /// The canonical symbol text, e.g. "NIFTY28NOV2424000CE".
  std::string ToString() const;

  friend bool operator==(const OpenAlgoSymbol&, const OpenAlgoSymbol&) = default;
};

/// Parses an OpenAlgo expiry: "28NOV24" (request form) or "28-NOV-24" (master-contract form), any case.
Result<CivilDate> ParseOpenAlgoExpiry(std::string_view text);
/// Formats an expiry as "28NOV24"; the year must be within 2000..2099.
std::string FormatOpenAlgoExpiry(CivilDate date);

/// A US listed option symbol (OCC/OSI): root + YYMMDD + C|P + strike × 1000 in 8 digits.
///
/// Two spellings are accepted: the 21-character padded form, root left-aligned in 6 characters with trailing
/// spaces ("SPY   240119C00470000"), and the compact form without padding ("SPY240119C00470000"). Lower case
/// is normalised. The root is 1..6 of [A-Z0-9] starting with a letter (a digit marks an adjusted contract); the
/// date must exist (20YY); the strike must be positive.
struct OccSymbol {
  std::string root;
  CivilDate expiry{};
  OptionRight right = OptionRight::kCall;
  Price strike;  // shown with as few decimals as it needs (470, 17.5, 2.125)

  static Result<OccSymbol> Parse(std::string_view text);
  static Result<OccSymbol> Make(std::string_view root, CivilDate expiry, OptionRight right, Price strike);

  /// The 21-character padded form.
  std::string ToString() const;
  /// The form without padding spaces.
  std::string ToCompactString() const;

  friend bool operator==(const OccSymbol&, const OccSymbol&) = default;
};

/// Returns the price shown with the fewest decimals that keep its value (24000.50 -> 24000.5).
Price WithMinimalPrecision(Price price);

}  // namespace td
