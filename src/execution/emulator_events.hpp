// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "execution/codec.hpp"
#include "model/order_types.hpp"

namespace td::execution {

/// Identifies one emulated line (an entry or a bracket record); unique across both and across restarts.
using EmulatedLineId = std::uint64_t;

/// How an emulated entry reaches the broker: MARKET and LIMIT are released at once (LIMIT rests at the broker
/// as a real order); TRIGGER stays virtual until the price crosses it, then goes as MARKET.
enum class EntryKind : std::uint8_t { kMarket, kLimit, kTrigger };
/// Which line of a bracket released the exit.
enum class ExitLeg : std::uint8_t { kTakeProfit, kStopLoss, kClose };

std::string_view ToString(EntryKind kind);
std::string_view ToString(ExitLeg leg);

/// One trailing stage. Reached once the best price since entry is `trigger_profit` (points) in the position's
/// favour; then the candidate stop is entry ± `amount` (kLock; amount 0 = breakeven) or best ∓ `amount` (kTrail).
struct TrailStage {
  enum class Mode : std::uint8_t { kLock, kTrail };
  Price trigger_profit;
  Mode mode = Mode::kLock;
  Price amount;
  friend bool operator==(const TrailStage&, const TrailStage&) = default;
};

/// Stages in increasing trigger_profit; the highest reached stage gives the candidate stop, and the stop only
/// ever tightens. Empty = no trailing.
struct TrailingPlan {
  std::vector<TrailStage> stages;
  bool empty() const { return stages.empty(); }
  friend bool operator==(const TrailingPlan&, const TrailingPlan&) = default;
};

/// What each fill of an entry gets: TP/SL as distances (points) from that fill's price, and a trailing plan.
struct BracketTemplate {
  std::optional<Price> take_profit_points;
  std::optional<Price> stop_loss_points;
  TrailingPlan trailing;
  friend bool operator==(const BracketTemplate&, const BracketTemplate&) = default;
};

// The emulator's journaled facts, named in the past tense. Replaying them in order rebuilds every line.

/// An entry line was accepted (TRIGGER: virtual; MARKET/LIMIT: about to be released).
struct EmulatedEntryCreated {
  EmulatedLineId line_id = 0;
  InstrumentId instrument_id;
  Side side = Side::kBuy;
  EntryKind kind = EntryKind::kMarket;
  Product product = Product::kMis;
  Quantity quantity;
  std::optional<Price> price;  // LIMIT price or TRIGGER level
  BracketTemplate bracket;
  std::string tag;  // who placed it ("manual", "hotkey", an agent, ...)
  UnixNanos ts_event;
  friend bool operator==(const EmulatedEntryCreated&, const EmulatedEntryCreated&) = default;
};

/// An entry's LIMIT price or TRIGGER level moved (a released LIMIT also had a modify requested).
struct EmulatedEntryMoved {
  EmulatedLineId line_id = 0;
  Price price;
  UnixNanos ts_event;
  friend bool operator==(const EmulatedEntryMoved&, const EmulatedEntryMoved&) = default;
};

/// An entry is about to be submitted under `client_order_id` (journaled before the submit).
struct EmulatedEntryReleased {
  EmulatedLineId line_id = 0;
  ClientOrderId client_order_id;
  UnixNanos ts_event;
  friend bool operator==(const EmulatedEntryReleased&, const EmulatedEntryReleased&) = default;
};

/// An entry line ended: its order is done (filled, canceled, rejected, denied) or it was removed.
struct EmulatedEntryClosed {
  EmulatedLineId line_id = 0;
  std::string reason_code;  // snake_case: "filled", "canceled", "removed", "denied", ...
  std::string reason;
  UnixNanos ts_event;
  friend bool operator==(const EmulatedEntryClosed&, const EmulatedEntryClosed&) = default;
};

/// A position record: one fill (or a manually attached position) with its own quantity and TP/SL lines.
struct EmulatedBracketAttached {
  EmulatedLineId line_id = 0;
  EmulatedLineId entry_line_id = 0;  // 0: attached by hand
  TradeId fill_id;                   // the trade id of the fill it anchors to (empty when none)
  InstrumentId instrument_id;
  Side position_side = Side::kBuy;  // BUY: long (exits sell), SELL: short (exits buy)
  Product product = Product::kMis;
  Quantity quantity;
  Price entry_price;
  std::optional<Price> take_profit;
  std::optional<Price> stop_loss;
  TrailingPlan trailing;
  std::string tag;
  UnixNanos ts_event;
  friend bool operator==(const EmulatedBracketAttached&, const EmulatedBracketAttached&) = default;
};

/// A bracket's TP/SL changed: moved by hand or tightened by the trailing plan.
struct EmulatedBracketChanged {
  EmulatedLineId line_id = 0;
  std::optional<Price> take_profit;
  std::optional<Price> stop_loss;
  std::optional<Price> best_price;  // the trailing reference at the time
  std::string cause;                // "moved" or "trailed"
  UnixNanos ts_event;
  friend bool operator==(const EmulatedBracketChanged&, const EmulatedBracketChanged&) = default;
};

/// A bracket's exit is about to be submitted under `client_order_id` (journaled before the submit).
struct EmulatedExitReleased {
  EmulatedLineId line_id = 0;
  ExitLeg leg = ExitLeg::kClose;
  ClientOrderId client_order_id;
  Quantity quantity;
  Price trigger_price;  // the price that fired it (the last price for kClose)
  UnixNanos ts_event;
  friend bool operator==(const EmulatedExitReleased&, const EmulatedExitReleased&) = default;
};

/// A bracket's quantity shrank: an exit fill (`client_order_id` names the exit, `order_filled` is that
/// order's cumulative filled quantity) or a trim to the broker's smaller position (no order).
struct EmulatedBracketReduced {
  EmulatedLineId line_id = 0;
  Quantity quantity;  // what remains
  ClientOrderId client_order_id;
  Quantity order_filled;
  UnixNanos ts_event;
  friend bool operator==(const EmulatedBracketReduced&, const EmulatedBracketReduced&) = default;
};

/// A bracket's exit order ended without closing it (rejected, denied, canceled, or found never sent after a
/// restart): the lines are armed again from `rearm_after`.
struct EmulatedExitEnded {
  EmulatedLineId line_id = 0;
  ClientOrderId client_order_id;
  std::string reason;
  UnixNanos rearm_after;
  UnixNanos ts_event;
  friend bool operator==(const EmulatedExitEnded&, const EmulatedExitEnded&) = default;
};

/// A bracket ended: fully exited, trimmed away, or removed by hand.
struct EmulatedBracketClosed {
  EmulatedLineId line_id = 0;
  std::string reason_code;  // "take_profit", "stop_loss", "closed", "trimmed", "removed"
  std::string reason;
  UnixNanos ts_event;
  friend bool operator==(const EmulatedBracketClosed&, const EmulatedBracketClosed&) = default;
};

using EmulatorEvent =
    std::variant<EmulatedEntryCreated, EmulatedEntryMoved, EmulatedEntryReleased, EmulatedEntryClosed,
                 EmulatedBracketAttached, EmulatedBracketChanged, EmulatedExitReleased, EmulatedBracketReduced,
                 EmulatedExitEnded, EmulatedBracketClosed>;

/// The line an event concerns.
EmulatedLineId EventLineId(const EmulatorEvent& event);
/// The stable snake_case name of the event (the frame type's name).
std::string_view EventName(const EmulatorEvent& event);

/// Journal encoding (same conventions as codec.hpp: u8 version | fields little-endian; one frame type per
/// event, ids 7xx of persistence::FrameType).
inline constexpr std::uint8_t kEmulatorCodecVersion = 1;
EncodedFrame Encode(const EmulatorEvent& event);
/// True when `type_id` is an emulator frame (7xx).
bool IsEmulatorFrame(std::uint32_t type_id);
/// Decodes an emulator frame; malformed, truncated or trailing bytes are a CorruptData error.
Result<EmulatorEvent> DecodeEmulatorEvent(std::uint32_t type_id, std::span<const std::byte> payload);

}  // namespace td::execution
