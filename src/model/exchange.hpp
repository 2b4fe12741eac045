// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string_view>

#include "core/result.hpp"

namespace td {

/// The exchange segments OpenAlgo names in requests and instrument ids, plus US venues for OCC options.
enum class Exchange : std::uint8_t {
  kNse,          // "NSE"        NSE cash equities
  kBse,          // "BSE"        BSE cash equities
  kNfo,          // "NFO"        NSE futures and options
  kBfo,          // "BFO"        BSE futures and options
  kCds,          // "CDS"        NSE currency derivatives
  kBcd,          // "BCD"        BSE currency derivatives
  kMcx,          // "MCX"        commodity derivatives
  kNcdex,        // "NCDEX"
  kNco,          // "NCO"        NSE commodity derivatives
  kNseIndex,     // "NSE_INDEX"  NSE index values (NIFTY, BANKNIFTY, INDIAVIX...)
  kBseIndex,     // "BSE_INDEX"  BSE index values (SENSEX, BANKEX...)
  kMcxIndex,     // "MCX_INDEX"
  kGlobalIndex,  // "GLOBAL_INDEX"
  kUs,           // "US"         US listed equities and ETFs
  kOpra,         // "OPRA"       US listed options (OCC symbols)
};

/// Parses an exchange code. Codes are upper case; lower and mixed case are normalised (InstrumentId does the same).
Result<Exchange> ParseExchange(std::string_view text);
/// The canonical upper-case code, e.g. "NSE_INDEX".
std::string_view ToString(Exchange exchange);
/// True for segments that list futures and options (NFO, BFO, CDS, BCD, MCX, NCDEX, NCO, OPRA).
bool IsDerivativeExchange(Exchange exchange);
/// True for segments that carry index values only (NSE_INDEX, BSE_INDEX, MCX_INDEX, GLOBAL_INDEX).
bool IsIndexExchange(Exchange exchange);

}  // namespace td
