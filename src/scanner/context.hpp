// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calendar/exchange.hpp"
#include "calendar/exchange_calendar.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "levels/key_levels.hpp"
#include "model/instrument.hpp"
#include "scanner/types.hpp"

namespace td::scanner {

/// A long-dated call offered for a poor man's covered call (PMCC): what the caller's chain says about it.
struct LeapsCall {
  int dte = 0;
  double strike = 0.0;
  double delta = 0.0;
  double bid = 0.0;
  double ask = 0.0;
  double open_interest = 0.0;
  double volume = 0.0;
};

/// Option-market inputs a few strategies need. Absent fields make those detectors "not applicable".
struct OptionsInputs {
  std::optional<double> iv_rank;     // 0..100 (options::IvRank)
  std::optional<double> atm_iv;      // decimal per year (0.18 = 18 %); feeds the expected move when present
  std::optional<double> gamma_flip;  // zero-gamma level of the underlying (options::ZeroGammaLevel)
  std::vector<LeapsCall> leaps;      // long-dated calls for PMCC
};

/// Everything the caller knows about one symbol: bars of the trading timeframe (1m or 5m; extended-hours bars
/// are allowed and dropped), optional longer daily history, an optional volatility index (VIX, India VIX) and
/// optional option/event inputs.
struct SymbolInput {
  std::string symbol;
  std::string sector;  // empty = unknown; each unknown symbol counts as its own sector when diversifying
  Instrument instrument;
  calendar::Exchange exchange = calendar::Exchange::kNyse;
  BarSeries intraday;                          // bar-start labels, UTC; spec must be intraday
  BarSeries daily;                             // optional; used only for sessions before the first intraday session
  std::shared_ptr<const BarSeries> vol_index;  // optional intraday series of the volatility index
  OptionsInputs options;
  std::optional<CivilDate> earnings_date;
};

/// One regular session seen in the intraday bars.
struct SessionSpan {
  CivilDate date;
  std::int64_t open_ns = 0;
  std::int64_t close_ns = 0;
  std::size_t first = 0;  // index of its first bar in SymbolContext::bars
  std::size_t last = 0;   // index of its last bar (inclusive)
};

/// Session and period levels of the current session; NaN when unknown.
struct SessionLevels {
  double session_open = 0.0, session_high = 0.0, session_low = 0.0;
  double orh = 0.0, orl = 0.0;  // opening range (first 15 minutes); NaN until complete
  double pdh = 0.0, pdl = 0.0, pdc = 0.0;
  double pwh = 0.0, pwl = 0.0;
  double pivot = 0.0, r1 = 0.0, s1 = 0.0, r2 = 0.0, s2 = 0.0;
};

/// An anchored VWAP drawn from a chosen bar to the last bar.
struct AvwapLevel {
  std::string label;
  std::size_t anchor = 0;
  double value = 0.0;
};

/// The higher-timeframe trend vote: each timeframe votes +1 (close > EMA20 > EMA50), −1 (mirror) or 0.
struct HtfVote {
  int weekly = 0, daily = 0, hourly = 0, m15 = 0;
  double bias = 0.0;       // weighted: weekly .20, daily .40, hourly .25, 15m .15; in [−1, 1]
  std::string_view label;  // "bullish" (bias ≥ 0.2), "bearish" (≤ −0.2) or "neutral"
};

/// The volatility index at as_of.
struct VolIndexState {
  double last = 0.0;
  double ema20 = 0.0;
  double change_6 = 0.0;  // last − value 6 bars earlier
};

/// Knobs of context building.
struct ContextOptions {
  std::size_t structure_bars = 300;  // most recent bars given to levels::StructureCandidates
  Duration opening_range = std::chrono::minutes(15);
  std::size_t rvol_sessions = 10;
};

/// The market context of one symbol at one instant, computed only from bars that ended at or before as_of.
struct SymbolContext {
  std::string symbol;
  std::string sector;
  Instrument instrument;
  calendar::Exchange exchange = calendar::Exchange::kNyse;
  UnixNanos as_of;       // the instant asked for
  UnixNanos data_as_of;  // end of the last bar used
  calendar::MarketStatus status = calendar::MarketStatus::kClosed;
  bool live = false;              // regular session open at as_of and the last bar is fresh
  bool stale = false;             // session open but the last bar ended more than max(15 min, 3 bars) ago
  bool session_complete = false;  // as_of is at or after the current session's close

  BarSeries bars;                         // regular-session bars of the trading timeframe
  std::vector<std::int64_t> session_key;  // per bar: its session's open time (ns)
  std::vector<SessionSpan> sessions;
  BarSeries m5, m15, h1, daily, weekly;  // resampled (m5 only when bars are finer; daily includes today so far)

  // Per-bar indicators on `bars` (NaN in warm-up).
  std::vector<double> ema9, ema20, ema50, ema200, atr, rsi, stoch_rsi, vwap, adx, rvol_bar;
  // Daily indicators.
  std::vector<double> d_ema20, d_ema50, d_ema200, d_stoch_rsi, d_atr;
  double atr_5m = 0.0, atr_15m = 0.0, atr_1h = 0.0, atr_daily = 0.0, atr_weekly = 0.0;
  double rvol_session = 0.0;   // session volume so far / mean of previous sessions at the same bar offset
  double volume_median = 0.0;  // median bar volume of the current session
  bool has_volume = false;     // false for indices (NIFTY bars carry no volume)

  SessionLevels session;
  std::vector<AvwapLevel> avwaps;
  HtfVote htf;
  DayPhase phase = DayPhase::kOpenDrive;
  std::optional<VolIndexState> vol_index;
  OptionsInputs options;
  std::optional<CivilDate> earnings_date;
  CivilDate trading_date;  // date of the current session

  levels::KeyLevelSet key_levels;  // the one set used for snapping and returned with plans (tick-rounded)

  std::size_t last() const { return bars.size() - 1; }
  double price() const { return bars.close.back(); }
  const SessionSpan& current() const { return sessions.back(); }
  /// The ATR of the timeframe a style trades (scalp 5m, intraday 15m, swing daily, leaps weekly), falling
  /// back to the next finer one that is known.
  double StyleAtr(Style style) const;
  /// Rounds a price to the instrument's tick grid (as a double of the exact fixed-point value).
  double RoundToTick(double price, RoundingMode mode = RoundingMode::kNearest) const;
};

/// Builds the context of one symbol as of an instant. Bars that end after `as_of` are ignored (no look-ahead);
/// extended-hours bars are dropped. Errors: no intraday bars before as_of (field "bars"), a non-intraday
/// spec ("bars.spec"), bars out of order, or dates outside the calendar's coverage.
Result<SymbolContext> BuildContext(const SymbolInput& input, UnixNanos as_of, const ContextOptions& options = {});

/// Aggregates intraday bars into `minutes`-long bars aligned to each session's open (never across sessions).
BarSeries ResampleIntraday(const BarSeries& bars, std::span<const SessionSpan> sessions, int minutes);

}  // namespace td::scanner
