// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/fixed_point.hpp"
#include "core/time.hpp"

namespace td::plans {

/// Is the idea behind a plan still good? Intact and at-risk may alternate; invalidated is final.
enum class PlanHealth : std::uint8_t { kIntact, kAtRisk, kInvalidated };

/// Where the trade a plan describes stands. Moves only forward: planned → entered → scaled → trailing → exited
/// (a step may be skipped, e.g. entered → exited on a stop).
enum class TradeState : std::uint8_t { kPlanned, kEntered, kScaled, kTrailing, kExited };

/// What a PlanDelta reports.
enum class DeltaKind : std::uint8_t {
  kEntered,        // the entry filled
  kTargetHit,      // a profit target traded (TP1 scales the position out in part)
  kStopMoved,      // the protective stop tightened by a management stage (breakeven, lock a target)
  kTrailMoved,     // the runner's chandelier trail tightened
  kStoppedOut,     // the position left at its stop or trail stop
  kExited,         // the position left at the final target or on the time rule
  kHealthChanged,  // intact ↔ at risk
  kInvalidated,    // the setup became void before entry
  kReplanOffered,  // a new plan follows this one (offered, or adopted when auto-rearm is on)
};

/// Why a position left.
enum class ExitReason : std::uint8_t { kNone, kStop, kTrailStop, kFinalTarget, kTimeExit };

/// "intact", "at_risk", "invalidated".
std::string_view HealthName(PlanHealth health);
/// "planned", "entered", "scaled", "trailing", "exited".
std::string_view TradeStateName(TradeState state);
/// "entered", "target_hit", "stop_moved", "trail_moved", "stopped_out", "exited", "health_changed",
/// "invalidated", "replan_offered".
std::string_view DeltaKindName(DeltaKind kind);
/// "", "stop", "trail_stop", "final_target", "time_exit".
std::string_view ExitReasonName(ExitReason reason);

/// One change of a followed plan. Events are values: a follower fills one in and hands it out as const&;
/// nothing changes it afterwards. `seq` counts 1, 2, ... per follower and keeps counting across plans the
/// follower adopts (auto-rearm), so a client resumes one stream.
struct PlanDelta {
  std::string plan_id;  // the plan this event is about (replan_offered names the finished plan)
  std::uint64_t seq = 0;
  UnixNanos ts;  // bar end (bar-driven), tick time (tick-driven) or the clock time given to AdvanceTo
  DeltaKind kind = DeltaKind::kHealthChanged;
  std::string_view what;  // the field that changed: "trade_state", "stop", "trail_stop", "health", "next_plan"
  std::string from;       // its old value as text ("planned", "661.50", "intact", "")
  std::string to;         // its new value as text
  std::string why;        // a sentence with the prices that decided it
  Price price;            // the price the change happened at (fill, target, stop level, exit)
  std::optional<Price> last_price;          // the last price seen when this was emitted (none before any price)
  std::optional<double> rr_to_t1;           // reward:risk from last_price to the next open target (absent when flat)
  PlanHealth health = PlanHealth::kIntact;  // after the change
  TradeState state = TradeState::kPlanned;  // after the change
  ExitReason exit_reason = ExitReason::kNone;
  int target_index = -1;     // 0-based target for kTargetHit
  std::string next_plan_id;  // kReplanOffered
  bool adopted = false;      // kReplanOffered with auto-rearm: the follower now follows next_plan_id
};

/// The status word the /tv viewer shows for an event (`PlanDeltaChanges.status`): the health for health and
/// invalidation events, "stopped" for stop-outs, otherwise the trade state.
std::string_view DeltaStatus(const PlanDelta& delta);
/// The suggested next step (`PlanDeltaChanges.next_step`), snake_case: "wait_for_entry", "hold_for_tp1", ...
std::string DeltaNextStep(const PlanDelta& delta);

/// `PlanDeltaChanges` of web/src/api/types.ts: {"status","next_step","note","rr_to_t1","last_price",
/// "timestamp","next_plan_id"} (rr_to_t1, last_price and next_plan_id only when present).
std::string PlanDeltaChangesToJson(const PlanDelta& delta);
/// The WebSocket frame `PlanSocketMessage`: {"plan_id", "event": {"t":"plan_delta","seq","kind","what",
/// "from","to","changes":{...}}}. `next_plan_vt` (a view token for the next plan, minted by the API layer) is
/// written into `changes` after `next_plan_id` when both are present.
std::string PlanDeltaMessageToJson(const PlanDelta& delta, std::string_view next_plan_vt = {});

}  // namespace td::plans
