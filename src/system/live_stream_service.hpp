// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/fixed_point.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "model/bar.hpp"
#include "plans/plan_events.hpp"
#include "plans/plan_follower.hpp"
#include "plans/plan_store.hpp"
#include "system/coach_service.hpp"
#include "system/market_service.hpp"

namespace td::system {

/// The symbol's 1-minute bar changed: the forming bar (partial) or a bar that just closed.
struct BarUpdated {
  Bar bar;
  bool partial = false;
};
/// The symbol's last price changed (the close of its newest bar).
struct LastPriceChanged {
  Price price;
  UnixNanos ts;
};
/// The symbol's exchange moved to another session phase ("regular", "pre_market", ..., "closed").
struct MarketPhaseChanged {
  std::string phase;
  std::string note;  // "NYSE regular session", "NYSE closed; next open 2025-09-17T13:30:00Z"
};
using SymbolEvent = std::variant<BarUpdated, LastPriceChanged, MarketPhaseChanged>;

/// Where the publisher thread delivers its output, and how it learns what is still watched. Every callback
/// runs on the publisher thread and must not block (queue and return) nor call back into the service.
struct LiveStreamSinks {
  std::function<void(const std::string& symbol, const SymbolEvent& event)> on_symbol_event;
  std::function<void(const plans::PlanDelta& delta)> on_plan_delta;
  /// A followed plan could not be followed (its inputs no longer compute): the reason, for its watchers.
  std::function<void(const std::string& plan_id, const std::string& reason)> on_plan_error;
  /// Every heartbeat interval, with the clock's time.
  std::function<void(UnixNanos now)> on_heartbeat;
  /// Does any client still watch this symbol / plan? Asked every tick; a symbol or plan nobody watched for
  /// `Options::unwatch_grace` is dropped.
  std::function<bool(const std::string& symbol)> symbol_watched;
  std::function<bool(const std::string& plan_id)> plan_watched;
};

/// Drives the live streams from the MarketService: one publisher thread that, once per poll interval, reads
/// the 1-minute bars of the watched symbols (only those), publishes the forming and newly closed bars, the
/// last price and session changes, feeds closed bars to the followed plans (plans::PlanBook) and emits their
/// deltas. A followed plan is rebuilt from its stored inputs (symbol, style, strategy, as_of) and replayed over
/// the bars since its as_of, so the same plan always yields the same delta sequence (seq included). Replans the
/// follower offers are computed with the coach and stored as new plans (parent_plan_id = the stopped plan).
/// Work per tick is bounded: at most `max_symbols` symbols, `max_plans` plans, `catch_up` of bars each.
class LiveStreamService {
 public:
  struct Options {
    std::chrono::milliseconds poll_interval{1000};
    std::chrono::milliseconds heartbeat_interval{5000};
    std::chrono::milliseconds unwatch_grace{10000};         // real time a symbol or plan stays after its last watcher
    Duration catch_up = std::chrono::minutes(60);           // the most bar history one tick reads per symbol
    Duration follow_lookback = std::chrono::hours(24 * 4);  // the most history a plan is replayed over
    std::size_t max_symbols = 256;
    std::size_t max_plans = 256;
    plans::FollowerOptions follower;
  };

  /// `market`, `coach` and `clock` must outlive the service. `render` renders replans for the store.
  LiveStreamService(MarketService& market, CoachService& coach, PlanRenderer render, const Clock& clock,
                    Options options);
  ~LiveStreamService();
  LiveStreamService(const LiveStreamService&) = delete;
  LiveStreamService& operator=(const LiveStreamService&) = delete;

  /// Starts the publisher thread. Called once.
  void Start(LiveStreamSinks sinks);
  /// Stops and joins the publisher thread (idempotent; the destructor calls it).
  void Stop();

  /// Resolves a symbol ("SPY", "NYSE:SPY") and watches it; returns its canonical "EXCHANGE:SYMBOL".
  /// ResourceExhausted when `max_symbols` are watched already.
  Result<std::string> WatchSymbol(std::string_view text);
  /// Follows a stored plan (asynchronously: the publisher rebuilds and replays it on its next tick).
  /// ResourceExhausted when `max_plans` are followed already.
  Status FollowPlan(const plans::StoredPlan& plan);

  /// Symbols and plans currently handled by the publisher (for tests and metrics).
  std::size_t watched_symbols() const;
  std::size_t followed_plans() const;
  /// Publisher ticks completed since Start.
  std::uint64_t ticks() const;

 private:
  struct SymbolState;
  struct PlanState;

  void Run();
  void Tick();
  void TickSymbol(const std::string& symbol, SymbolState& state, UnixNanos now);
  void StartFollowing(PlanState& plan, UnixNanos now);
  std::optional<scanner::Plan> Replan(const std::string& owner, const plans::ReplanRequest& request);
  std::optional<MarketPhaseChanged> PhaseAt(const InstrumentId& id, UnixNanos now) const;

  MarketService& market_;
  CoachService& coach_;
  PlanRenderer render_;
  const Clock& clock_;
  const Options options_;
  LiveStreamSinks sinks_;

  mutable std::mutex mutex_;  // guards the maps below, the stop flag and ticks_
  std::condition_variable wake_;
  bool stop_ = false;
  std::uint64_t ticks_ = 0;
  std::map<std::string, std::unique_ptr<SymbolState>, std::less<>> symbols_;
  std::map<std::string, std::unique_ptr<PlanState>, std::less<>> plans_;

  // Publisher-thread state.
  std::unique_ptr<plans::PlanBook> book_;
  std::chrono::steady_clock::time_point last_heartbeat_{};
  std::thread thread_;
};

}  // namespace td::system
