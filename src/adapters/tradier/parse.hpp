// SPDX-License-Identifier: MIT
// Pure functions between Tradier's market-data wire format and model types. No I/O.
//
// Tradier's JSON comes from XML: a list of one element arrives as a bare object or string instead of an array,
// and an empty list as null ("expirations": null, "options": null). Every list here accepts all three forms.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "model/option_chain.hpp"
#include "model/tick.hpp"

namespace td::adapters::tradier {

/// Tradier's symbol for an underlying: "US:SPY" -> "SPY", "US:^SPX" -> "SPX"; an OPRA option -> its compact
/// OCC symbol. Other exchanges are refused.
Result<std::string> TradierSymbol(const InstrumentId& instrument);

struct ParseOptions {
  int price_precision = 2;
  int volume_precision = 0;
};

/// "YYYY-MM-DD".
std::string FormatDate(CivilDate date);

/// Decodes {"expirations":{"date":["2024-01-19",...]}} (or one date, or null) into ascending unique dates.
Result<std::vector<CivilDate>> ParseExpirations(std::string_view body);

/// A chain answer: the chain plus what was skipped.
struct ChainParse {
  OptionChain chain;
  std::size_t rejected = 0;        // rows that failed validation (wrong types, crossed quotes, bad symbols)
  std::string first_reject;
  std::size_t missing_greeks = 0;  // rows without a greeks object
};

/// Decodes {"options":{"option":[{symbol, option_type, strike, expiration_date, bid, ask, last, bidsize,
/// asksize, volume, open_interest, greeks:{mid_iv, smv_vol, ...}}]}} into a chain of `underlying`. A zero bid or
/// ask and a null last mean not quoted; vendor_iv is greeks.mid_iv (else smv_vol) when positive. Bad rows are
/// skipped and counted; null options is an empty chain.
Result<ChainParse> ParseChain(std::string_view body, const InstrumentId& underlying, Price underlying_price,
                              const ParseOptions& options, UnixNanos ts_init);

/// One /markets/quotes entry.
struct TradierQuote {
  std::string symbol;
  InstrumentId instrument;  // "US:<symbol>" for stocks and ETFs, "OPRA:<symbol>" for options
  std::optional<Price> last;
  std::optional<Price> bid;
  std::optional<Price> ask;
  Quantity bid_size;
  Quantity ask_size;
  Quantity volume;
  UnixNanos ts;  // the later of bid_date and ask_date (epoch ms), else ts_init

  /// The quote as a QuoteTick when at least one side is quoted (the other side zero).
  std::optional<QuoteTick> ToQuoteTick(UnixNanos ts_init) const;
};

/// The quotes in an answer and the symbols Tradier did not recognise.
struct QuotesParse {
  std::vector<TradierQuote> quotes;
  std::vector<std::string> unmatched;
  std::size_t rejected = 0;
  std::string first_reject;
};

/// Decodes {"quotes":{"quote":[...] or {...}, "unmatched_symbols":{"symbol":...}}}.
Result<QuotesParse> ParseQuotes(std::string_view body, const ParseOptions& options, UnixNanos ts_init);

/// The error an unsuccessful answer stands for, with Tradier's fault string when the body carries one:
/// 400 invalid argument, 401 unauthenticated, 403 permission denied, 404 not found, 429 rate limited,
/// anything else unavailable.
Error ErrorFromResponse(int http_status, std::string_view body);

}  // namespace td::adapters::tradier
