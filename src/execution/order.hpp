// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "execution/order_commands.hpp"
#include "execution/order_events.hpp"

namespace td::execution {

/// Where an order is in its lifecycle.
enum class OrderStatus : std::uint8_t {
  kInitialized,
  kDenied,
  kSubmitted,
  kAccepted,
  kRejected,
  kPendingUpdate,
  kPendingCancel,
  kPartiallyFilled,
  kFilled,
  kCanceled,
  kExpired,
};

/// "initialized", "submitted", "partially_filled", ...
std::string_view ToString(OrderStatus status);
/// True for DENIED, REJECTED, FILLED, CANCELED, EXPIRED: no event moves the order again.
bool IsTerminal(OrderStatus status);

/// One order's state, built only by applying events in order. Apply() enforces the legal transitions
/// (an illegal one is a broken invariant and aborts); CanApply() answers the same question without aborting,
/// so the engine can drop a broker event that raced a terminal state. A fill id seen before is ignored;
/// a fill that would exceed the order quantity is illegal.
class Order {
 public:
  /// An order we created: status INITIALIZED with the command's terms.
  explicit Order(const SubmitOrder& command);
  /// An order adopted from the broker (external).
  explicit Order(const OrderInitialized& event);

  /// True when `event` is a legal next event (a duplicate fill counts as legal: it is ignored).
  bool CanApply(const OrderEvent& event) const;
  /// Why CanApply is false ("" when it is true).
  std::string WhyIllegal(const OrderEvent& event) const;
  /// Applies `event`; returns false when it was a duplicate fill and changed nothing. Aborts when illegal.
  bool Apply(const OrderEvent& event);

  const ClientOrderId& client_order_id() const { return client_order_id_; }
  const std::optional<VenueOrderId>& venue_order_id() const { return venue_order_id_; }
  const StrategyId& strategy_id() const { return strategy_id_; }
  const std::string& idempotency_key() const { return idempotency_key_; }
  const InstrumentId& instrument_id() const { return instrument_id_; }
  Side side() const { return side_; }
  OrderType type() const { return type_; }
  Product product() const { return product_; }
  TimeInForce time_in_force() const { return time_in_force_; }
  Quantity quantity() const { return quantity_; }
  Quantity filled_qty() const { return filled_qty_; }
  /// Quantity still working: quantity - filled.
  Quantity leaves_qty() const { return quantity_ - filled_qty_; }
  const std::optional<Price>& price() const { return price_; }
  const std::optional<Price>& trigger_price() const { return trigger_price_; }
  /// Volume-weighted average fill price (0 before the first fill).
  double avg_px() const;
  OrderStatus status() const { return status_; }
  bool is_external() const { return external_; }
  /// True after OrderUpdateTimedOut until a broker event or reconciliation resolves the order.
  bool outcome_unknown() const { return outcome_unknown_; }
  bool is_terminal() const { return IsTerminal(status_); }
  /// Working at (or on its way to) the broker: submitted, accepted, pending, partially filled.
  bool is_open() const;
  /// Sent but not yet acknowledged, or a modify/cancel not yet answered.
  bool is_in_flight() const;
  bool HasFill(const TradeId& trade_id) const;
  std::size_t event_count() const { return event_count_; }
  UnixNanos ts_last() const { return ts_last_; }

 private:
  std::string Check(const OrderEvent& event) const;
  void SetFilledStatus();

  ClientOrderId client_order_id_;
  std::optional<VenueOrderId> venue_order_id_;
  StrategyId strategy_id_;
  std::string idempotency_key_;
  InstrumentId instrument_id_;
  Side side_ = Side::kBuy;
  OrderType type_ = OrderType::kMarket;
  Product product_ = Product::kMis;
  TimeInForce time_in_force_ = TimeInForce::kDay;
  Quantity quantity_;
  Quantity filled_qty_;
  std::optional<Price> price_;
  std::optional<Price> trigger_price_;
  double fill_notional_ = 0.0;  // sum of last_px * last_qty, for the average price
  OrderStatus status_ = OrderStatus::kInitialized;
  OrderStatus previous_status_ = OrderStatus::kInitialized;  // to return to from PENDING_*
  bool external_ = false;
  bool outcome_unknown_ = false;
  // An order has a handful of fills: a linear scan beats a hash set and costs no allocation until the first.
  std::vector<TradeId> fill_ids_;
  std::size_t event_count_ = 0;
  UnixNanos ts_last_;
};

}  // namespace td::execution
