// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "scanner/context.hpp"
#include "system/coach_service.hpp"
#include "system/iv_history.hpp"

namespace td::system {

/// The bar intervals a context is served in. Intraday bars are regular-session bars aligned to each session's
/// open (an NYSE 4h bar is 09:30–13:30 and 13:30–16:00); 1D and 1W are sessions and weeks.
enum class ContextInterval : std::uint8_t { k1m, k5m, k15m, k30m, k1h, k4h, k1D, k1W };

/// "1m", "5m", "15m", "30m", "1h", "4h", "1D", "1W".
std::string_view ContextIntervalName(ContextInterval interval);
/// Accepts the canonical names and the usual spellings (1, 1min, 60, 60m, 1hr, 240, d, day, daily, w, week, ...),
/// any case. Errors name `field`.
Result<ContextInterval> ParseContextInterval(std::string_view text, std::string_view field);

/// A number or the reason it is missing: the GPT-facing rule "every field a number or null with a reason".
struct Metric {
  double value = 0.0;
  std::string reason;  // empty when the value is known
  bool known() const { return reason.empty(); }
  static Metric Of(double v);
  static Metric Missing(std::string why);
};

/// Per-bar indicator series aligned with an interval's bars (NaN in warm-up or where undefined).
struct IndicatorSeries {
  std::vector<double> ema9, ema20, ema50, ema200, vwap, rsi14, atr14, adx14;
};

struct ZoneOverlay {
  std::string kind;  // "supply" or "demand"
  double top = 0.0, bottom = 0.0;
  double strength = 0.0;  // 0..1
  std::string freshness;  // "fresh" or "tested" (broken zones are left out)
  int touches = 0;
  std::int64_t formed_ts = 0;  // Unix nanos of the base's first bar
};

struct GapOverlay {
  std::string direction;  // "bullish" or "bearish"
  double top = 0.0, bottom = 0.0;
  double filled_fraction = 0.0;  // 0..1 (fully filled gaps are left out)
  std::int64_t ts = 0;
};

struct PoolOverlay {
  std::string side;  // "equal_highs" or "equal_lows"
  double price = 0.0;
  int members = 0;
  bool swept = false;
  std::int64_t last_ts = 0;
};

/// A volume profile over named bars; absent (with a reason) for instruments without volume.
struct ProfileOverlay {
  bool present = false;
  std::string reason;
  std::string basis;  // what the profile covers, e.g. "current session (1m bars)" or "last 100 bars"
  double poc = 0.0, vah = 0.0, val = 0.0;
  double value_area_fraction = 0.0;
};

/// One interval of a symbol's context: every bar available up to as_of (capped at kMaxBarsKept), indicator
/// series on them, and the overlays found on them.
struct IntervalContext {
  ContextInterval interval = ContextInterval::k5m;
  scanner::BarSeries bars;
  IndicatorSeries indicators;
  std::size_t bars_available = 0;  // bars of this interval up to as_of before the keep cap
  bool last_bar_forming = false;   // the last bar had not closed at as_of
  std::vector<ZoneOverlay> zones;
  std::vector<GapOverlay> fvgs;
  std::vector<PoolOverlay> liquidity_pools;
  ProfileOverlay volume_profile;
  std::string trend;  // "up" (close > EMA20 > EMA50), "down" (mirror), "flat", "unknown" (warm-up)
};

/// The market snapshot: the live quote when the context is live, else the last bar's figures.
struct MarketSnapshot {
  std::string source;  // "quote" or "bars"
  UnixNanos ts;
  double last = 0.0;
  std::optional<double> bid, ask;
  double session_open = 0.0, session_high = 0.0, session_low = 0.0;
  double prev_close = 0.0;  // NaN when unknown
  double session_volume = 0.0;
  double change = 0.0, change_pct = 0.0;  // NaN without a previous close
};

/// The volatility block: IV from our option chain and our persisted IV history, HV from daily closes.
struct VolatilityBlock {
  std::string underlying;
  CivilDate session;  // the session the readings belong to
  Metric atm_iv_front;
  std::string front_expiry;  // YYYY-MM-DD or empty
  Metric front_days;         // calendar days to the front expiry's close
  Metric atm_iv_30d;
  std::string atm_iv_30d_source;  // "chain" or the stored row's source
  Metric iv_rank, iv_percentile;  // 0..100 over the stored history (never HV)
  std::size_t iv_history_days = 0;
  Metric hv20, hv60, hv120;  // annualised with the exchange's trading days per year
  double trading_days_per_year = 252.0;
  Metric iv_hv_ratio;  // atm_iv_30d / hv20
  Metric risk_reversal_25d, butterfly_25d;
  std::string skew_expiry;
  Metric term_slope;  // vol points (decimal) per year, least squares over expiries
  Metric expected_move_straddle, expected_move_straddle_sigma, expected_move_iv;  // front expiry, price units
  bool recorded = false;  // this computation wrote today's history row
  std::string chain_note;
};

/// The symbol-wide part of a context, shared by every interval asked for the same symbol and instant.
struct ContextBase {
  InstrumentInfo info;
  InstrumentFacts facts;
  EffectiveAsOf as_of;
  std::shared_ptr<const scanner::SymbolContext> context;
  MarketSnapshot snapshot;
  ProfileOverlay session_profile;  // the current session's profile on 1-minute bars
  UnixNanos computed_at;
  bool live = false;  // keyed as "live" (no as_of given and the market open): short TTL
};

/// A request for one interval.
struct ContextQuery {
  std::string symbol;
  ContextInterval interval = ContextInterval::k5m;
  std::optional<UnixNanos> as_of;
};

/// A request for several intervals plus the volatility block.
struct MultiContextQuery {
  std::string symbol;
  std::vector<ContextInterval> intervals;  // distinct, in the order asked
  std::optional<UnixNanos> as_of;
};

struct ContextReport {
  std::shared_ptr<const ContextBase> base;
  std::shared_ptr<const IntervalContext> interval;
  std::shared_ptr<const VolatilityBlock> volatility;
  bool cached = false;  // every part came from the cache
};

struct MultiContextReport {
  std::shared_ptr<const ContextBase> base;
  std::vector<std::shared_ptr<const IntervalContext>> intervals;
  std::shared_ptr<const VolatilityBlock> volatility;
  bool cached = false;
};

/// Market context for the GPT surface: bars, indicator series, key levels, overlays, a market snapshot and a
/// volatility block, computed from data at or before as_of, with short-lived caches keyed by
/// (symbol, interval, as_of). Maintains the daily IV history (records live readings, backfills the simulator's
/// past from its vol index, and can run a once-per-session recorder thread). Thread-safe.
class ContextService {
 public:
  struct Options {
    std::size_t max_entries = 512;                    // per cache (bases, intervals, volatility)
    Duration live_ttl = std::chrono::seconds(5);      // entries computed for "now" while the market is open
    Duration frozen_ttl = std::chrono::minutes(10);   // entries for a fixed instant (as_of or a closed market)
    std::size_t iv_history_sessions = 252;            // the rank/percentile window
    std::size_t iv_history_min_sessions = 20;         // fewer stored sessions: rank and percentile are null
    std::size_t max_bars_kept = 1000;                 // most recent bars kept per interval
  };

  /// `coach` supplies the market, the clock and as_of resolution; `iv_store` may be null (no rank/percentile,
  /// nothing recorded). Both must outlive the service.
  ContextService(CoachService& coach, IvHistoryStore* iv_store, Options options);
  ContextService(CoachService& coach, IvHistoryStore* iv_store) : ContextService(coach, iv_store, Options{}) {}
  ~ContextService();
  ContextService(const ContextService&) = delete;
  ContextService& operator=(const ContextService&) = delete;

  /// One interval. Errors: unknown symbol (field "symbol"), a volatility index (field "symbol"), as_of in the
  /// future or outside the calendar (field "as_of"), no data before as_of (422, field "as_of").
  Result<ContextReport> Context(const ContextQuery& query);
  /// Several intervals and the volatility block. Errors as Context, plus an empty interval list ("intervals").
  Result<MultiContextReport> MultiContext(const MultiContextQuery& query);

  /// Resolves a symbol the way the routes do (errors name field "symbol").
  Result<InstrumentInfo> ResolveSymbol(std::string_view symbol) const;

  /// Records the current session's 30-day ATM IV of every option underlying whose session has closed and has
  /// no reading taken after its close yet; returns how many rows were written. The recorder thread calls it.
  std::size_t RecordClosedSessions();
  /// Starts a thread that calls RecordClosedSessions every `period` (for a LiveClock); stopped by the destructor.
  void StartRecorder(Duration period);
  void StopRecorder();

  /// Fills the history of a simulator-backed underlying from its market's vol-index daily closes (source
  /// "simulator_vol_index"), sessions before `before`. Returns rows added (0 for non-simulator sources).
  Result<std::size_t> BackfillFromVolIndex(const InstrumentInfo& info, CivilDate before);

  CoachService& coach() const { return coach_; }
  IvHistoryStore* iv_store() const { return iv_store_; }
  const Options& options() const { return options_; }

 private:
  template <typename V>
  struct Cache {
    struct Entry {
      std::shared_ptr<const V> value;
      UnixNanos expires;
      std::list<std::string>::iterator order;
    };
    std::map<std::string, Entry, std::less<>> entries;
    std::list<std::string> order;  // most recently inserted last
  };

  struct Resolved {
    InstrumentInfo info;
    InstrumentFacts facts;
    EffectiveAsOf as_of;
    std::string key;  // "US:SPY|live" or "US:SPY|<nanos>"
    bool live = false;
  };
  Result<Resolved> Resolve(std::string_view symbol, std::optional<UnixNanos> as_of) const;
  Result<std::shared_ptr<const ContextBase>> Base(const Resolved& r, bool& hit);
  std::shared_ptr<const IntervalContext> Interval(const Resolved& r, const ContextBase& base, ContextInterval interval,
                                                  bool& hit);
  std::shared_ptr<const VolatilityBlock> Volatility(const Resolved& r, const ContextBase& base, bool& hit);
  VolatilityBlock ComputeVolatility(const Resolved& r, const ContextBase& base);

  template <typename V>
  std::shared_ptr<const V> Lookup(Cache<V>& cache, std::string_view key);
  template <typename V>
  void Store(Cache<V>& cache, std::string key, std::shared_ptr<const V> value, bool live);

  CoachService& coach_;
  IvHistoryStore* iv_store_;
  Options options_;

  std::mutex mutex_;  // guards the caches and backfilled_
  Cache<ContextBase> bases_;
  Cache<IntervalContext> intervals_;
  Cache<VolatilityBlock> volatility_;
  std::set<std::string> backfilled_;

  std::mutex recorder_mutex_;
  std::condition_variable recorder_wake_;
  bool recorder_stop_ = false;
  std::thread recorder_;
};

/// Annualised close-to-close historical volatility (decimal) of the last `period` log returns (sample standard
/// deviation) × sqrt(trading_days_per_year); NaN with fewer than period + 1 closes.
double HistoricalVolatility(const std::vector<double>& closes, int period, double trading_days_per_year);

/// Trading sessions of `exchange` in the year (365 calendar days) ending on `date`; 252 when the calendar does
/// not cover that year.
double TradingDaysPerYear(calendar::Exchange exchange, CivilDate date);

}  // namespace td::system
