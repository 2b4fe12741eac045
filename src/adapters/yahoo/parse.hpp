// SPDX-License-Identifier: MIT
// Pure functions between Yahoo's chart API (v8) wire format and model types. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "model/bar.hpp"

namespace td::adapters::yahoo {

/// Yahoo's symbol for an instrument: "US:AAPL" -> "AAPL", "US:BRK.B" -> "BRK-B", "US:^GSPC" -> "^GSPC",
/// "NSE:RELIANCE" -> "RELIANCE.NS", "BSE:RELIANCE" -> "RELIANCE.BO", and the Indian indices NIFTY -> "^NSEI",
/// BANKNIFTY -> "^NSEBANK", INDIAVIX -> "^INDIAVIX", SENSEX -> "^BSESN" (on NSE/NSE_INDEX or BSE/BSE_INDEX).
Result<std::string> YahooSymbol(const InstrumentId& instrument);

/// Yahoo's interval for a bar spec: 1m 2m 5m 15m 30m 60m 90m 1d 5d 1wk 1mo 3mo; anything else is refused.
Result<std::string> YahooInterval(BarSpec spec);

/// "/v8/finance/chart/<symbol, percent-encoded>?period1=<s>&period2=<s>&interval=<i>&includePrePost=<b>"
std::string ChartPath(std::string_view symbol, std::int64_t period1, std::int64_t period2, std::string_view interval,
                      bool include_pre_post);

struct ParseOptions {
  int price_precision = 2;
  bool use_price_hint = true;
  int volume_precision = 0;
};

/// Bars decoded from a chart answer.
struct ChartParse {
  std::vector<Bar> bars;
  std::size_t skipped_nulls = 0;  // rows with a null open/high/low/close (Yahoo's gaps): skipped, not errors
  std::size_t rejected = 0;       // rows with a wrong type, negative value or low > high
  std::string first_reject;
  std::string symbol;
  std::string exchange_timezone;  // meta.exchangeTimezoneName
  std::optional<int> price_hint;
};

/// Decodes {"chart":{"result":[{"meta":{...},"timestamp":[...],"indicators":{"quote":[{open,high,low,close,
/// volume}]}}],"error":null}}. Rows whose price fields are null are skipped; a null volume is zero. A missing
/// timestamp array is an empty answer. chart.error becomes kNotFound ("Not Found") or kInvalidArgument; arrays
/// of a length other than timestamp's are an error.
Result<ChartParse> ParseChart(std::string_view body, const ParseOptions& options, UnixNanos ts_init);

/// The error an unsuccessful answer stands for, with chart.error's (or finance.error's) description:
/// 400 invalid argument, 401/403 permission denied, 404 not found, 429 rate limited, else unavailable.
Error ErrorFromResponse(int http_status, std::string_view body);

}  // namespace td::adapters::yahoo
