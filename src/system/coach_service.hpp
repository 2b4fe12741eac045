// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "plans/plan_store.hpp"
#include "scanner/context.hpp"
#include "scanner/plan.hpp"
#include "scanner/scan.hpp"
#include "scanner/strategies.hpp"
#include "system/market_service.hpp"

namespace td::system {

/// The instant a request is answered for: what was asked, what was used, and why they differ.
struct EffectiveAsOf {
  UnixNanos requested;  // the caller's as_of, or the clock's now when none was given
  UnixNanos used;       // the instant the data speaks for (the last regular close when the market is closed)
  bool given = false;   // the caller named an as_of
  bool frozen = false;  // the regular session was not open at `requested`
  std::string note;     // "Market closed: computed as of the 2025-09-19 close" (empty when live)
};

/// One chart zone drawn with a plan (supply/demand base or fair value gap), prices at the instrument's tick.
struct PlanZone {
  std::string kind;  // "supply", "demand", "fvg"
  double top = 0.0;
  double bottom = 0.0;
  std::string label;
  std::string status;  // "fresh", "tested", "open", "partly_filled"
};

/// An anchored VWAP drawn with a plan: where it is anchored (bar start) and its value at as_of.
struct PlanAvwap {
  std::string label;
  std::int64_t anchor_ts = 0;  // Unix seconds of the anchor bar's start
  double value = 0.0;
};

/// A plan computed for one symbol and style as of an instant, with the layers drawn beside it.
struct PlanComputation {
  scanner::Plan plan;
  EffectiveAsOf as_of;
  std::string exchange_time_zone;
  bool fallback = false;            // no detector fired for the style: built from the trend bias
  std::string fallback_reason;      // why no detector plan exists
  double last_price = 0.0;          // close of the last bar used
  std::vector<PlanZone> zones;      // supply/demand zones and open fair value gaps on 5-minute bars
  std::vector<PlanAvwap> avwaps;    // the context's anchored VWAPs
  std::string data_source;          // "simulator"
};

/// The texts stored with one plan version: the /idea payload and the chart-layers payload.
struct RenderedPlan {
  std::string plan_json;
  std::string layers_json;
};

/// Renders a computation under its final id and version (the API's JSON writer lives above this layer).
using PlanRenderer =
    std::function<RenderedPlan(const PlanComputation& computation, std::string_view plan_id, int version)>;

/// A scan over a universe.
struct ScanQuery {
  std::string universe = "top_liquidity";  // a universe name (see README) when `symbols` is empty
  std::vector<std::string> symbols;        // an explicit universe; wins over `universe`
  scanner::ScanRequest request;
  std::optional<UnixNanos> as_of;
};

/// A scan page and what it was computed over.
struct ScanOutcome {
  scanner::ScanPage page;
  EffectiveAsOf as_of;
  std::string universe;              // the universe's name ("explicit" for a symbol list)
  std::vector<std::string> symbols;  // the resolved instruments, "EXCHANGE:SYMBOL"
  std::string data_source;
};

/// A plan request for one symbol.
struct PlanQuery {
  std::string symbol;  // "SPY", "US:SPY", "NSE_INDEX:NIFTY"
  scanner::Style style = scanner::Style::kIntraday;
  std::optional<scanner::StrategyId> strategy;  // a named strategy must fire, else unprocessable
  std::optional<UnixNanos> as_of;
};

/// The coach's scan and plan surface over the running market: builds scanner inputs from `MarketService`
/// as of an instant (no data after it), runs the scanner, and issues plans into the `PlanStore`.
/// Thread-safe (the market service and the store carry their own locks; this class holds no mutable state).
class CoachService {
 public:
  /// Sessions of 1-minute bars fetched per symbol (the scanner's RVOL looks back up to 10 sessions).
  static constexpr int kIntradayLookbackDays = 21;
  /// Calendar days of daily history fetched per symbol (the 200-day EMA needs about 210 sessions).
  static constexpr int kDailyLookbackDays = 420;
  /// How many names "top_liquidity" keeps unless it is given a count ("top_liquidity:N").
  static constexpr std::size_t kTopLiquidityDefault = 25;

  /// `store` may be null (the CLI computes without issuing); `market` and `clock` must outlive the service.
  CoachService(MarketService& market, plans::PlanStore* store, const Clock& clock);

  /// Checks an as_of (not in the future; default now) and, for an exchange, moves a closed-market instant
  /// back to the last regular close. Errors name field "as_of".
  Result<EffectiveAsOf> ResolveAsOf(std::optional<UnixNanos> requested, calendar::Exchange exchange) const;

  /// Resolves a universe name to instruments: "all", "us", "india", "top_liquidity[:N]" (by traded value,
  /// price × volume, over the 20 sessions before as_of), "watchlist:NAME" (from the store, for `scope`).
  /// Errors: unknown name (field "universe"), empty universe, a watchlist symbol the market does not have.
  Result<std::vector<InstrumentInfo>> ResolveUniverse(const plans::UserScope& scope, std::string_view universe,
                                                     UnixNanos as_of) const;
  /// Resolves explicit symbols; an unknown one is an error naming field "<field>[i]".
  Result<std::vector<InstrumentInfo>> ResolveSymbols(std::span<const std::string> symbols,
                                                    std::string_view field) const;

  /// The scanner's input for one instrument from bars that end at or before `as_of`.
  Result<scanner::SymbolInput> BuildInput(const InstrumentInfo& info, UnixNanos as_of) const;

  /// Scans a universe for a style. Data problems give a labelled fallback page, never an error.
  Result<ScanOutcome> Scan(const plans::UserScope& scope, const ScanQuery& query) const;
  /// Computes a plan for a symbol and style (not stored). Without a strategy the best detector plan of the
  /// style wins (the scan's ranking); when none fires, a trend-bias fallback plan says so.
  Result<PlanComputation> ComputePlan(const PlanQuery& query) const;
  /// Stores a computed plan as a new plan of `scope.user` (version 1) rendered under its new id.
  Result<plans::StoredPlan> IssuePlan(const plans::UserScope& scope, PlanComputation computation,
                                      const PlanRenderer& render) const;

  MarketService& market() const { return market_; }
  plans::PlanStore* store() const { return store_; }
  const Clock& clock() const { return clock_; }

 private:
  Result<scanner::SymbolContext> BuildContextFor(const InstrumentInfo& info, UnixNanos as_of) const;

  MarketService& market_;
  plans::PlanStore* store_;
  const Clock& clock_;
};

/// Facts about a simulated instrument the market service does not carry: its exchange calendar, sector,
/// tick, kind and volatility index. Nullopt for an id the simulator does not know.
struct InstrumentFacts {
  Instrument instrument;
  calendar::Exchange exchange = calendar::Exchange::kNyse;
  std::string sector;
  bool tradable = true;   // false for indices and volatility indices
  bool vol_index = false;
  bool india = false;
  std::string vol_index_id;  // "GLOBAL_INDEX:VIX" / "NSE_INDEX:INDIAVIX"; empty for a vol index itself
};
std::optional<InstrumentFacts> FactsOf(const InstrumentId& id);

}  // namespace td::system
