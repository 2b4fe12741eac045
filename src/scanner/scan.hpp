// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "scanner/context.hpp"
#include "scanner/plan.hpp"
#include "scanner/strategies.hpp"

namespace td::scanner {

/// Which symbols a scan considers.
struct ScanFilters {
  double min_rvol = 0.0;               // session relative volume; symbols without volume pass only at 0
  std::vector<std::string> exclude;    // symbols to leave out (any case)
  std::size_t min_liquidity_rank = 0;  // keep the N most liquid by dollar volume (0 = all)
};

/// A scan request over an explicit universe.
struct ScanRequest {
  Style style = Style::kIntraday;
  std::size_t limit = 20;  // page size, 1..50
  ScanFilters filters;
  std::string cursor;             // empty = first page
  double max_sector_share = 0.4;  // at most this share of the first `limit` ranks per sector (>= 1 name)
};

/// The ranking inputs of one candidate, each in [0, 1] (weights per style in README.md).
struct RankingFeatures {
  double entry_quality = 0.0, rr1 = 0.0, rr2 = 0.0, confidence = 0.0, liquidity = 0.0, trend = 0.0, momentum = 0.0,
         geometry = 0.0;
  double pen_event = 0.0, pen_data = 0.0, pen_chop = 0.0;
};

/// One ranked symbol with its best plan for the style (none on a fallback page).
struct ScanCandidate {
  std::string symbol;
  std::string sector;
  std::size_t rank = 0;  // 1-based position in the whole ranking
  double score = 0.0;
  double confidence = 0.0;
  std::optional<StrategyId> strategy;
  std::vector<std::string> reasons;  // at most 5
  std::optional<Plan> plan;
  RankingFeatures features;
  double rvol = 0.0;           // NaN when the symbol carries no volume
  double dollar_volume = 0.0;  // price × mean volume of the last 20 bars
  std::size_t liquidity_rank = 0;
};

/// What was missing or degraded.
struct DataQuality {
  bool ok = true;
  std::vector<std::string> missing;  // "SYM: reason"
  std::size_t stale = 0;
  std::string error;  // "", "market_data_unavailable", "filters_removed_all", "no_signals"
};

/// A symbol whose context could not be built, and why.
struct MissingSymbol {
  std::string symbol;
  std::string reason;
};

/// One page of scan results.
struct ScanPage {
  std::string scan_id;
  UnixNanos as_of;               // the instant the data speaks for (the close when frozen)
  std::string planning_context;  // "live" or "frozen"
  std::string banner;
  Style style = Style::kIntraday;
  std::size_t limit = 20;
  std::size_t universe_size = 0;
  std::size_t total = 0;  // candidates in the whole ranking
  bool fallback = false;
  std::string mode;  // "signals", "fallback_live", "fallback_frozen", "empty"
  std::string label;
  std::vector<ScanCandidate> candidates;
  DataQuality data_quality;
  std::string next_cursor;  // empty on the last page
};

/// Ranking weights of one style (features, then penalties).
struct RankingWeights {
  double entry_quality, rr1, rr2, confidence, liquidity, trend, momentum, geometry;
  double pen_event, pen_data, pen_chop;
};
const RankingWeights& WeightsFor(Style style);

/// Scans prepared contexts. Never fails on data problems (a labelled fallback page instead); the only error is
/// a cursor that is malformed or belongs to another scan (field "cursor") or a bad limit (field "limit").
Result<ScanPage> Scan(std::span<const SymbolContext> contexts, std::span<const MissingSymbol> missing, UnixNanos as_of,
                      const ScanRequest& request);
/// Builds every context as of `as_of` (symbols that fail become `missing`) and scans them.
Result<ScanPage> ScanInputs(std::span<const SymbolInput> inputs, UnixNanos as_of, const ScanRequest& request,
                            const ContextOptions& options = {});

/// The opaque cursor: base64url of "v1:<scan_id>:<offset>".
std::string EncodeCursor(std::string_view scan_id, std::size_t offset);
struct CursorValue {
  std::string scan_id;
  std::size_t offset = 0;
};
Result<CursorValue> DecodeCursor(std::string_view cursor);

}  // namespace td::scanner
