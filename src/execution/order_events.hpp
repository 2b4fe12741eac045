// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"
#include "model/order_types.hpp"

namespace td::execution {

// Immutable order events, named in the past tense. Every event names its order by client order id and
// carries ts_event (when it happened, broker time where known) and ts_init (when we created the object).

/// An order the broker reported that we never sent (placed from the broker app): adopted as EXTERNAL.
struct OrderInitialized {
  ClientOrderId client_order_id;
  StrategyId strategy_id;
  InstrumentId instrument_id;
  Side side = Side::kBuy;
  OrderType type = OrderType::kMarket;
  Product product = Product::kMis;
  TimeInForce time_in_force = TimeInForce::kDay;
  Quantity quantity;
  std::optional<Price> price;
  std::optional<Price> trigger_price;
  bool external = true;
  UnixNanos ts_event;
  UnixNanos ts_init;
  friend bool operator==(const OrderInitialized&, const OrderInitialized&) = default;
};

/// Refused before it left the process (risk, local validation): never reached a broker.
struct OrderDenied {
  ClientOrderId client_order_id;
  std::string reason_code;  // machine-readable snake_case, e.g. "price_outside_band"
  std::string reason;       // human-readable text
  UnixNanos ts_event;
  UnixNanos ts_init;
  friend bool operator==(const OrderDenied&, const OrderDenied&) = default;
};

/// Handed to the execution client (the intent was durable before this).
struct OrderSubmitted {
  ClientOrderId client_order_id;
  UnixNanos ts_event;
  UnixNanos ts_init;
  friend bool operator==(const OrderSubmitted&, const OrderSubmitted&) = default;
};

/// The broker acknowledged the order and named it. Acknowledged is not executed.
struct OrderAccepted {
  ClientOrderId client_order_id;
  VenueOrderId venue_order_id;
  UnixNanos ts_event;
  UnixNanos ts_init;
  friend bool operator==(const OrderAccepted&, const OrderAccepted&) = default;
};

/// The broker proved non-acceptance (also after an acknowledgement: an RMS reject).
struct OrderRejected {
  ClientOrderId client_order_id;
  std::string reason;
  UnixNanos ts_event;
  UnixNanos ts_init;
  friend bool operator==(const OrderRejected&, const OrderRejected&) = default;
};

/// One execution. Partial or complete follows from the order's quantity; the order derives its status.
struct OrderFilled {
  ClientOrderId client_order_id;
  VenueOrderId venue_order_id;  // may be empty when the fill arrives before the acknowledgement
  TradeId trade_id;             // the fill id: a fill id seen twice is applied once
  InstrumentId instrument_id;
  Side side = Side::kBuy;
  Quantity last_qty;
  Price last_px;
  Quantity cumulative_qty;  // as reported by the broker (informational; the order sums its own fills)
  UnixNanos ts_event;
  UnixNanos ts_init;
  friend bool operator==(const OrderFilled&, const OrderFilled&) = default;
};

/// A modify was sent; the order is pending update until the broker answers.
struct OrderModifyRequested {
  ClientOrderId client_order_id;
  std::optional<Quantity> quantity;
  std::optional<Price> price;
  std::optional<Price> trigger_price;
  UnixNanos ts_event;
  UnixNanos ts_init;
  friend bool operator==(const OrderModifyRequested&, const OrderModifyRequested&) = default;
};

/// The broker applied a modify; the fields are the order's new terms.
struct OrderModified {
  ClientOrderId client_order_id;
  Quantity quantity;
  std::optional<Price> price;
  std::optional<Price> trigger_price;
  UnixNanos ts_event;
  UnixNanos ts_init;
  friend bool operator==(const OrderModified&, const OrderModified&) = default;
};

/// The broker refused a modify; the order keeps its previous terms and status.
struct OrderModifyRejected {
  ClientOrderId client_order_id;
  std::string reason;
  UnixNanos ts_event;
  UnixNanos ts_init;
  friend bool operator==(const OrderModifyRejected&, const OrderModifyRejected&) = default;
};

/// A cancel was sent; the order is pending cancel until the broker answers.
struct OrderCancelRequested {
  ClientOrderId client_order_id;
  UnixNanos ts_event;
  UnixNanos ts_init;
  friend bool operator==(const OrderCancelRequested&, const OrderCancelRequested&) = default;
};

/// The broker refused a cancel (e.g. already filled); the order returns to its previous status.
struct OrderCancelRejected {
  ClientOrderId client_order_id;
  std::string reason;
  UnixNanos ts_event;
  UnixNanos ts_init;
  friend bool operator==(const OrderCancelRejected&, const OrderCancelRejected&) = default;
};

/// The broker canceled the order (fills before the cancel are kept).
struct OrderCanceled {
  ClientOrderId client_order_id;
  UnixNanos ts_event;
  UnixNanos ts_init;
  friend bool operator==(const OrderCanceled&, const OrderCanceled&) = default;
};

/// The order's time in force ran out.
struct OrderExpired {
  ClientOrderId client_order_id;
  UnixNanos ts_event;
  UnixNanos ts_init;
  friend bool operator==(const OrderExpired&, const OrderExpired&) = default;
};

/// Which request an unknown outcome concerns.
enum class PendingRequest : std::uint8_t { kSubmit, kModify, kCancel };

/// A request's outcome is unknown (timeout, disconnect, 5xx): the order stays in flight, is never resubmitted
/// blindly, and is resolved by reconciliation against the broker's order book.
struct OrderUpdateTimedOut {
  ClientOrderId client_order_id;
  PendingRequest request = PendingRequest::kSubmit;
  std::string reason;
  UnixNanos ts_event;
  UnixNanos ts_init;
  friend bool operator==(const OrderUpdateTimedOut&, const OrderUpdateTimedOut&) = default;
};

/// Any order event, as journaled and as delivered by an ExecutionClient.
using OrderEvent =
    std::variant<OrderInitialized, OrderDenied, OrderSubmitted, OrderAccepted, OrderRejected, OrderFilled,
                 OrderModifyRequested, OrderModified, OrderModifyRejected, OrderCancelRequested, OrderCancelRejected,
                 OrderCanceled, OrderExpired, OrderUpdateTimedOut>;

/// The client order id an event concerns.
const ClientOrderId& EventOrderId(const OrderEvent& event);
/// The stable snake_case name of the event's type ("order_filled").
std::string_view EventName(const OrderEvent& event);

}  // namespace td::execution
