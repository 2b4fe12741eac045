// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace td::persistence {

/// The stable numeric ids of journal frame types. These numbers are on disk: never renumber or reuse one;
/// add new ids at the end of their family. tests/unit/persistence/frame_types_test.cpp holds the golden list.
enum class FrameType : std::uint32_t {
  // market data (1xx)
  kQuoteTick = 100,
  kTradeTick = 101,
  kBar = 102,
  // order commands (2xx)
  kSubmitOrder = 200,
  kModifyOrder = 201,
  kCancelOrder = 202,
  // order events (3xx)
  kOrderInitialized = 300,
  kOrderDenied = 301,
  kOrderSubmitted = 302,
  kOrderAccepted = 303,
  kOrderRejected = 304,
  kOrderUpdated = 305,
  kOrderTriggered = 306,
  kOrderFilled = 307,
  kOrderCanceled = 308,
  kOrderExpired = 309,
  // positions and accounts (4xx)
  kPositionOpened = 400,
  kPositionChanged = 401,
  kPositionClosed = 402,
  kAccountState = 410,
  // risk (5xx)
  kTradingStateChanged = 500,
  // trade plans (6xx)
  kPlanCreated = 600,
  kPlanUpdated = 601,
  kPlanClosed = 602,
  // order emulator: virtual entries and TP/SL brackets (7xx)
  kEmulatedEntryCreated = 700,
  kEmulatedEntryMoved = 701,
  kEmulatedEntryReleased = 702,
  kEmulatedEntryClosed = 703,
  kEmulatedBracketAttached = 710,
  kEmulatedBracketChanged = 711,
  kEmulatedExitReleased = 712,
  kEmulatedBracketReduced = 713,
  kEmulatedExitEnded = 714,
  kEmulatedBracketClosed = 715,
  // system (9xx)
  kComponentStateChanged = 900,
  kSnapshotMarker = 901,
};

/// One registry row: id and stable snake_case name.
struct FrameTypeInfo {
  FrameType type;
  std::string_view name;
  constexpr std::uint32_t id() const { return static_cast<std::uint32_t>(type); }
};

/// Every known frame type, in id order.
inline constexpr std::array kFrameTypes{
    FrameTypeInfo{FrameType::kQuoteTick, "quote_tick"},
    FrameTypeInfo{FrameType::kTradeTick, "trade_tick"},
    FrameTypeInfo{FrameType::kBar, "bar"},
    FrameTypeInfo{FrameType::kSubmitOrder, "submit_order"},
    FrameTypeInfo{FrameType::kModifyOrder, "modify_order"},
    FrameTypeInfo{FrameType::kCancelOrder, "cancel_order"},
    FrameTypeInfo{FrameType::kOrderInitialized, "order_initialized"},
    FrameTypeInfo{FrameType::kOrderDenied, "order_denied"},
    FrameTypeInfo{FrameType::kOrderSubmitted, "order_submitted"},
    FrameTypeInfo{FrameType::kOrderAccepted, "order_accepted"},
    FrameTypeInfo{FrameType::kOrderRejected, "order_rejected"},
    FrameTypeInfo{FrameType::kOrderUpdated, "order_updated"},
    FrameTypeInfo{FrameType::kOrderTriggered, "order_triggered"},
    FrameTypeInfo{FrameType::kOrderFilled, "order_filled"},
    FrameTypeInfo{FrameType::kOrderCanceled, "order_canceled"},
    FrameTypeInfo{FrameType::kOrderExpired, "order_expired"},
    FrameTypeInfo{FrameType::kPositionOpened, "position_opened"},
    FrameTypeInfo{FrameType::kPositionChanged, "position_changed"},
    FrameTypeInfo{FrameType::kPositionClosed, "position_closed"},
    FrameTypeInfo{FrameType::kAccountState, "account_state"},
    FrameTypeInfo{FrameType::kTradingStateChanged, "trading_state_changed"},
    FrameTypeInfo{FrameType::kPlanCreated, "plan_created"},
    FrameTypeInfo{FrameType::kPlanUpdated, "plan_updated"},
    FrameTypeInfo{FrameType::kPlanClosed, "plan_closed"},
    FrameTypeInfo{FrameType::kEmulatedEntryCreated, "emulated_entry_created"},
    FrameTypeInfo{FrameType::kEmulatedEntryMoved, "emulated_entry_moved"},
    FrameTypeInfo{FrameType::kEmulatedEntryReleased, "emulated_entry_released"},
    FrameTypeInfo{FrameType::kEmulatedEntryClosed, "emulated_entry_closed"},
    FrameTypeInfo{FrameType::kEmulatedBracketAttached, "emulated_bracket_attached"},
    FrameTypeInfo{FrameType::kEmulatedBracketChanged, "emulated_bracket_changed"},
    FrameTypeInfo{FrameType::kEmulatedExitReleased, "emulated_exit_released"},
    FrameTypeInfo{FrameType::kEmulatedBracketReduced, "emulated_bracket_reduced"},
    FrameTypeInfo{FrameType::kEmulatedExitEnded, "emulated_exit_ended"},
    FrameTypeInfo{FrameType::kEmulatedBracketClosed, "emulated_bracket_closed"},
    FrameTypeInfo{FrameType::kComponentStateChanged, "component_state_changed"},
    FrameTypeInfo{FrameType::kSnapshotMarker, "snapshot_marker"},
};

/// True when ids strictly increase (hence are unique) and names are unique and non-empty.
constexpr bool FrameTypeRegistryIsValid() {
  for (std::size_t i = 0; i < kFrameTypes.size(); ++i) {
    if (kFrameTypes[i].name.empty() || (i > 0 && kFrameTypes[i - 1].id() >= kFrameTypes[i].id())) {
      return false;
    }
    for (std::size_t j = i + 1; j < kFrameTypes.size(); ++j) {
      if (kFrameTypes[i].name == kFrameTypes[j].name) {
        return false;
      }
    }
  }
  return true;
}
static_assert(FrameTypeRegistryIsValid(), "frame type ids must be unique and ascending, names unique");

/// The name of a frame type id, or nothing when the id is unknown.
std::optional<std::string_view> FrameTypeName(std::uint32_t id);
/// The frame type with this name, or nothing.
std::optional<FrameType> FrameTypeFromName(std::string_view name);

}  // namespace td::persistence
