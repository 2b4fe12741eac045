// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/simulator/universe.hpp"
#include "calendar/expiry.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "model/bar.hpp"
#include "model/instrument.hpp"
#include "model/option_chain.hpp"
#include "model/tick.hpp"

namespace td::adapters::simulator {

/// Which listed expiries a chain shows, applied to the calendar's expiry list (calendar::ListExpiries).
struct ListingPolicy {
  int daily_days = 8;     // daily (0DTE-style) expiries within this many calendar days
  int weekly_days = 35;   // weekly expiries within this many calendar days
  int monthly_count = 3;  // the first N monthly expiries
};

/// Everything that makes a run: the same config gives the same history, ticks and chains.
struct SimulatorConfig {
  std::uint64_t seed = 1;
  UnixNanos start;                                   // the simulator's "now" when created (from the caller's clock)
  int history_days = 5;                              // sessions of 1-minute bars kept before start
  int daily_history_sessions = 260;                  // sessions simulated before start (daily bars, ~1 year)
  Duration tick_interval = std::chrono::seconds(1);  // live step; must divide one minute
  std::vector<std::string> symbols;                  // "NSE_INDEX:NIFTY" or "NIFTY"; empty means every underlying
  ListingPolicy listing;
  int max_strikes_per_side = 60;  // per expiry, around the ATM strike
  double strike_range_sd = 4.0;   // strikes span +-this many ATM standard deviations (within the cap)
};

/// Receives the simulator's events, in time order (ties: universe order, quote before trade).
class TickSink {
 public:
  virtual ~TickSink() = default;
  virtual void OnQuote(const QuoteTick& quote) = 0;
  virtual void OnTrade(const TradeTick& trade) = 0;
};

/// One listed expiry as the chain prices it.
struct ExpiryPoint {
  CivilDate expiry;
  calendar::ExpiryKind kind = calendar::ExpiryKind::kWeekly;
  UnixNanos expires_at;   // the regular close of the expiry day on the option's exchange
  double t_years = 0.0;   // (expires_at - as_of) / 365 days
  double forward = 0.0;   // spot * exp((r - q) T)
  double discount = 1.0;  // exp(-r T)
  double atm_vol = 0.0;   // the surface's ATM-forward implied vol
};

/// A seeded, reproducible market: indices, ETFs and stocks on their exchange sessions, a volatility index per
/// market consistent with the option surface, and option chains. Time comes only from the caller. Not
/// thread-safe: one owner (the kernel thread, through the DataClient wrapper).
class MarketSimulator {
 public:
  /// Builds the universe and simulates the history up to config.start. Errors: unknown symbols, a tick interval
  /// that does not divide a minute, or a history that leaves the calendars' coverage.
  static Result<MarketSimulator> Create(SimulatorConfig config);

  MarketSimulator(MarketSimulator&&) noexcept;
  MarketSimulator& operator=(MarketSimulator&&) noexcept;
  ~MarketSimulator();

  /// The simulated underlyings (indices, vol indices, ETFs, stocks) in emission order.
  const std::vector<Instrument>& Instruments() const;
  /// The static description of an underlying, or null when it is not simulated.
  const UnderlyingSpec* Spec(const InstrumentId& id) const;
  /// The underlyings that have option chains.
  std::vector<InstrumentId> OptionUnderlyings() const;
  /// The contract terms of an underlying's options (tick, lot, multiplier).
  Result<ContractSpec> OptionContractSpec(const InstrumentId& underlying) const;
  /// The time the simulator has been advanced to.
  UnixNanos Now() const;

  /// Bars of [from, to) by start time: minutes (1m..) and hours are built from the 1-minute bars (kept for
  /// history_days sessions before start and everything since), anchored at the session open; 1D/1W/1M from
  /// the daily bars. The bar still forming is included. Seconds are not kept (InvalidArgument).
  Result<std::vector<Bar>> History(const InstrumentId& id, BarSpec spec, UnixNanos from, UnixNanos to) const;

  /// Simulates up to `t` and emits every event with Now() < ts_event <= t in time order. Allocation-free per
  /// tick. Returns the number of events emitted. Moving backwards is a no-op.
  std::size_t AdvanceTo(UnixNanos t, TickSink& sink);

  /// The latest value (last tick's price) of an underlying.
  std::optional<Price> LastPrice(const InstrumentId& id) const;

  /// The listed expiries of an underlying as of `at` (>= Now()), with the surface's forward and ATM vol.
  Result<std::vector<ExpiryPoint>> ExpiryCurve(const InstrumentId& underlying, UnixNanos at) const;
  /// A chain snapshot as of `at` (>= Now()): the current state of the market, priced to `at`.
  Result<OptionChain> Chain(const InstrumentId& underlying, UnixNanos at) const;
  /// 100 x the 30-day ATM implied vol of an optionable underlying's surface (what its vol index shows).
  Result<double> VolIndexLevel(const InstrumentId& underlying) const;

  struct Impl;

 private:
  explicit MarketSimulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The 30-day ATM implied vol (a decimal: 0.18 = 18 %) that an optionable underlying's surface showed when its
/// market's volatility index printed `vol_index_level`. The index is 100 x the 30-day ATM vol of its own
/// underlying (VIX: SPX, INDIAVIX: NIFTY); both are functions of the one market variance state, so the index
/// level fixes that state and with it every other underlying's 30-day vol. Pure: reads only the static universe
/// tables, so past vol-index closes give past IVs. Errors: not a simulated optionable underlying, no vol index
/// in its market, or a non-positive level.
Result<double> AtmIv30FromVolIndex(const InstrumentId& underlying, double vol_index_level);

}  // namespace td::adapters::simulator
