// SPDX-License-Identifier: MIT
// Pure functions between Polygon's aggregates (v2 aggs range) wire format and model types. No I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "model/bar.hpp"

namespace td::adapters::polygon {

/// Polygon's ticker for an instrument: "US:AAPL" -> "AAPL", "US:^SPX" -> "I:SPX" (indices), an OCC option on
/// OPRA -> "O:SPY240119C00470000". Other exchanges are refused.
Result<std::string> PolygonTicker(const InstrumentId& instrument);

/// A bar spec as Polygon's multiplier and timespan ("second", "minute", "hour", "day", "week", "month").
struct Timespan {
  std::uint32_t multiplier = 1;
  std::string_view unit;
};
Timespan TimespanFor(BarSpec spec);

/// "/v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{from_ms}/{to_ms}?adjusted=..&sort=asc&limit=.."
/// (both ends inclusive, in epoch milliseconds).
std::string AggregatesPath(std::string_view ticker, BarSpec spec, std::int64_t from_ms, std::int64_t to_ms,
                           bool adjusted, int limit);

struct ParseOptions {
  int price_precision = 2;
  int volume_precision = 0;
};

/// One page of aggregates. Bad rows are skipped and counted; bars are sorted by start, a repeated start keeps
/// the last row.
struct AggregatesPage {
  std::vector<Bar> bars;
  std::size_t rejected = 0;
  std::string first_reject;  // "results[3].h: missing"
  std::string status;        // "OK" or "DELAYED"
  std::string next_url;      // empty on the last page
  std::string request_id;
};

/// Decodes {status, results:[{t, o, h, l, c, v, vw, n}], next_url, request_id}. A missing `results` with status
/// OK is an empty page. status "ERROR" is kUnavailable, "NOT_AUTHORIZED" kPermissionDenied, with Polygon's text.
Result<AggregatesPage> ParseAggregates(std::string_view body, const ParseOptions& options, UnixNanos ts_init);

/// The error an unsuccessful answer stands for, with Polygon's "error"/"message" text and request_id:
/// 400 invalid argument, 401 unauthenticated, 403 permission denied, 404 not found, 429 rate limited,
/// anything else unavailable.
Error ErrorFromResponse(int http_status, std::string_view body);

}  // namespace td::adapters::polygon
