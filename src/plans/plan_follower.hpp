// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/exchange.hpp"
#include "core/fixed_point.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "model/bar.hpp"
#include "model/tick.hpp"
#include "plans/plan_events.hpp"
#include "scanner/plan.hpp"

namespace td::plans {

/// How the entry order is worked. kAuto decides from the first price seen after the plan was issued: above
/// the entry (long) it is a limit (buy the pull-back), below it a stop trigger (buy the break), at it a fill.
enum class EntryOrder : std::uint8_t { kAuto, kLimit, kStopTrigger };

/// Knobs of one follower; the defaults are the rules documented in README.md.
struct FollowerOptions {
  /// The exchange whose regular session ends scalp and intraday plans.
  calendar::Exchange exchange = calendar::Exchange::kNyse;
  /// The bars this follower reads; bars of any other spec are ignored (a book may route 1m and 5m alike).
  BarSpec bar_spec{1, BarUnit::kMinute};
  EntryOrder entry_order = EntryOrder::kAuto;
  /// At risk when a close has covered this share of the way from the reference (entry, or the last target hit)
  /// to the active stop.
  double at_risk_fraction = 0.5;
  /// How long after the plan's data time the entry may still fill; empty: the style default (scalp 30 min,
  /// intraday 2 h, swing 3 days, leaps 10 days). Scalp and intraday windows also end with the session.
  std::optional<Duration> entry_window;
  bool breakeven_after_tp1 = true;   // TP1 moves the stop to the fill price
  bool lock_previous_target = true;  // TPn (n ≥ 2) moves the stop to TP(n−1)
  bool trail_runner = true;          // after the last target trail the runner; false: exit there
  bool auto_rearm = false;           // adopt a replan at once instead of offering it
  std::size_t history_bars = 512;    // recent bars handed to the replan callback
  int max_replans = 20;              // replans one follower may chain (guards a runaway callback)
};

/// What the replan callback is given after a stop-out or exit.
struct ReplanRequest {
  const scanner::Plan& previous;
  DeltaKind after;  // kStoppedOut or kExited
  ExitReason exit_reason;
  UnixNanos as_of;  // when the position left (bar end or tick time)
  Price last_price;
  std::span<const Bar> recent_bars;  // the follower's latest bars of its spec, oldest first (≤ history_bars)
  BarSpec bar_spec;
};

/// Computes a follow-up plan, or nothing. Must be deterministic for replays (no wall clock, no I/O it cannot
/// repeat). The returned plan's plan_id names it in every later event.
using ReplanFn = std::function<std::optional<scanner::Plan>(const ReplanRequest&)>;

/// Follows one issued plan bar by bar (and tick by tick when given trades or quotes): plan health and trade
/// state, emitting a PlanDelta for every change. Deterministic and free of I/O: time comes only from the bars,
/// ticks and AdvanceTo. Every method appends its events to `out` (nothing is appended when nothing changed,
/// and then nothing is allocated).
class PlanFollower {
 public:
  /// Validates the plan (stop and targets on the right sides of the entry, targets in order, a positive
  /// tick) and looks up the session end for scalp/intraday plans. Errors name the offending field.
  static Result<PlanFollower> Create(scanner::Plan plan, FollowerOptions options = {}, ReplanFn replan = {});

  /// A closed bar of the follower's spec (others are ignored, as are bars not after the last one).
  void OnBar(const Bar& bar, BarSpec spec, std::vector<PlanDelta>& out);
  /// A trade print: fills and stops at its price.
  void OnTrade(const TradeTick& trade, std::vector<PlanDelta>& out);
  /// A quote: entries fill at the side one would pay (ask for longs), exits at the side one would get.
  void OnQuote(const QuoteTick& quote, std::vector<PlanDelta>& out);
  /// Applies the time rules (entry window, session end) at `now` when no bar arrives to do it.
  void AdvanceTo(UnixNanos now, std::vector<PlanDelta>& out);
  /// Adopts the offered replan by hand (what auto-rearm does by itself). FailedPrecondition when none.
  Status AdoptOffered(UnixNanos now, std::vector<PlanDelta>& out);

  const scanner::Plan& plan() const { return *plan_; }
  const std::string& plan_id() const { return plan_->plan_id; }
  const std::string& symbol() const { return plan_->symbol; }
  PlanHealth health() const { return health_; }
  TradeState state() const { return state_; }
  /// The protective stop in force (the plan's stop until a stage or the trail moves it).
  Price active_stop() const;
  std::optional<Price> fill_price() const;
  int targets_hit() const { return targets_hit_; }
  ExitReason exit_reason() const { return exit_reason_; }
  std::uint64_t last_seq() const { return seq_; }
  /// True once the plan is exited or invalidated and no adopted plan took over.
  bool finished() const { return state_ == TradeState::kExited || health_ == PlanHealth::kInvalidated; }
  /// The replan offered after the last exit (empty when none or after adoption).
  const std::optional<scanner::Plan>& offered_plan() const { return offered_; }
  /// Every plan id this follower has followed, the first one first.
  const std::vector<std::string>& chain() const { return chain_; }
  UnixNanos entry_deadline() const { return entry_deadline_; }
  std::optional<UnixNanos> session_close() const { return session_close_; }

 private:
  PlanFollower() = default;
  Status Reset(scanner::Plan plan);

  // Prices inside are raw 1e-9 units multiplied by the direction sign, so every rule is written once, as for
  // a long: "favourable" is up, the stop is below.
  struct Step {
    std::int64_t open, high, low, close;
    UnixNanos ts;
    bool is_bar;
  };
  // How an entry filled, which decides what the rest of its bar may prove.
  enum class FillMode : std::uint8_t { kNone, kAtOpen, kLimitInBar, kStopInBar };
  void Process(const Step& entry_step, const Step& exit_step, std::vector<PlanDelta>& out);
  FillMode TryEnter(const Step& step, std::vector<PlanDelta>& out);
  void ManagePosition(const Step& step, bool opened_in_position, bool limit_fill_in_bar, std::vector<PlanDelta>& out);
  void CreditTarget(std::size_t index, std::int64_t at, UnixNanos ts, const std::string& why,
                    std::vector<PlanDelta>& out);
  void TightenStop(std::int64_t level, DeltaKind kind, UnixNanos ts, const std::string& why,
                   std::vector<PlanDelta>& out);
  void Exit(DeltaKind kind, ExitReason reason, std::int64_t at, UnixNanos ts, const std::string& why,
            std::vector<PlanDelta>& out);
  void Invalidate(UnixNanos ts, const std::string& why, std::vector<PlanDelta>& out);
  void CloseWork(const Step& step, std::vector<PlanDelta>& out);
  void Trail(const Step& step, std::vector<PlanDelta>& out);
  void TimeRules(UnixNanos now, std::vector<PlanDelta>& out);
  void UpdateRunnerAtr(const Bar& bar);
  void UpdateHealth(std::int64_t close, UnixNanos ts, std::vector<PlanDelta>& out);
  void OfferReplan(DeltaKind after, UnixNanos ts, std::vector<PlanDelta>& out);
  void Adopt(scanner::Plan next, UnixNanos ts, std::vector<PlanDelta>& out);
  PlanDelta& Emit(DeltaKind kind, UnixNanos ts, std::string_view what, std::string from, std::string to,
                  std::string why, std::int64_t at, std::vector<PlanDelta>& out);
  std::optional<double> RrToNextTarget() const;
  Price ToPrice(std::int64_t signed_raw) const;
  std::string Text(std::int64_t signed_raw) const { return ToPrice(signed_raw).ToString(); }
  // The real-world names of the long frame's extremes: a short's favourable extreme is the bar's low.
  std::string High() const { return sign_ > 0 ? " high " : " low "; }
  std::string Low() const { return sign_ > 0 ? " low " : " high "; }
  void RememberBar(const Bar& bar);

  FollowerOptions options_;
  ReplanFn replan_;
  std::unique_ptr<scanner::Plan> plan_;  // stable address: ReplanRequest refers to it
  std::optional<scanner::Plan> offered_;
  std::vector<std::string> chain_;
  std::vector<Bar> history_;  // capacity reserved once; trimmed by halves so it never reallocates

  // Plan geometry in signed raw units (see Step).
  std::int64_t sign_ = 1;
  std::int64_t entry_ = 0;
  std::int64_t initial_stop_ = 0;
  std::vector<std::int64_t> targets_;
  std::int64_t tick_ = 1;
  int precision_ = 2;

  // Follow state.
  PlanHealth health_ = PlanHealth::kIntact;
  TradeState state_ = TradeState::kPlanned;
  ExitReason exit_reason_ = ExitReason::kNone;
  EntryOrder order_ = EntryOrder::kAuto;  // resolved on the first price
  std::int64_t stop_ = 0;
  std::int64_t fill_ = 0;
  std::int64_t extreme_ = 0;  // best signed price since the fill
  std::int64_t last_ = 0;     // last signed price seen
  std::int64_t bar_fav_ = 0;  // the best price of the current step that provably came after the fill
  bool have_last_ = false;
  bool step_over_ = false;  // the plan exited or was voided during the current bar or tick
  int targets_hit_ = 0;
  std::uint64_t seq_ = 0;
  int replans_ = 0;
  UnixNanos entry_deadline_;
  std::optional<UnixNanos> session_close_;
  UnixNanos last_bar_end_;
  UnixNanos last_tick_;

  // Runner ATR: Wilder ATR(length) of bars aggregated to the runner timeframe (UTC-aligned buckets).
  std::int64_t runner_bucket_ns_ = 0;
  std::int64_t bucket_id_ = -1;
  double bucket_high_ = 0, bucket_low_ = 0, bucket_close_ = 0;
  double prev_close_ = 0;
  bool have_prev_close_ = false;
  int atr_count_ = 0;
  double atr_sum_ = 0;
  double atr_ = 0;  // 0 until `length` runner bars completed: the plan's ladder ATR stands in
};

/// Receives every event of a PlanBook, in order.
using DeltaSink = std::function<void(const PlanDelta&)>;

/// Many followers keyed by plan id, with bars and ticks routed by symbol. Per bar it costs one map lookup by
/// symbol and one step per follower of that symbol; when nothing changes nothing is allocated.
class PlanBook {
 public:
  explicit PlanBook(DeltaSink sink);

  /// Starts following a plan. AlreadyExists (field "plan_id") when the id is followed already; the
  /// follower's own validation errors otherwise.
  Status Follow(scanner::Plan plan, FollowerOptions options = {}, ReplanFn replan = {});
  /// Stops following (by any id of the follower's chain). False when unknown.
  bool Remove(std::string_view plan_id);

  void OnBar(std::string_view symbol, const Bar& bar, BarSpec spec);
  void OnTrade(std::string_view symbol, const TradeTick& trade);
  void OnQuote(std::string_view symbol, const QuoteTick& quote);
  /// Time rules for every follower (the kernel calls it from a clock timer).
  void AdvanceTo(UnixNanos now);
  /// Adopts a follower's offered replan by hand.
  Status Adopt(std::string_view plan_id, UnixNanos now);

  /// The follower following `plan_id` (any id of its chain), or nullptr.
  const PlanFollower* Find(std::string_view plan_id) const;
  std::size_t size() const { return followers_.size(); }

 private:
  template <typename F>
  void Route(std::string_view symbol, F&& step);
  void Deliver(PlanFollower& follower);

  DeltaSink sink_;
  std::vector<std::unique_ptr<PlanFollower>> followers_;
  std::map<std::string, PlanFollower*, std::less<>> by_id_;
  std::map<std::string, std::vector<PlanFollower*>, std::less<>> by_symbol_;
  std::vector<PlanDelta> scratch_;  // reused: cleared, never shrunk
  bool dispatching_ = false;        // the sink is running: the book must not change under it
};

}  // namespace td::plans
