// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "execution/order_commands.hpp"
#include "execution/order_events.hpp"

namespace td::execution {

/// Receives order events from an execution client (acks, rejects, fills, timeouts). May be called from
/// inside Submit/Modify/Cancel (a paper broker fills at once); always on the kernel thread.
class ExecutionEventSink {
 public:
  virtual ~ExecutionEventSink() = default;
  virtual void OnOrderEvent(const OrderEvent& event) = 0;
};

/// The broker's view of one order, as listed by its order book.
enum class BrokerOrderStatus : std::uint8_t { kOpen, kFilled, kCanceled, kRejected, kExpired };

struct BrokerOrderReport {
  VenueOrderId venue_order_id;
  std::optional<ClientOrderId> client_order_id;  // our tag, when the order carries one
  InstrumentId instrument_id;
  Side side = Side::kBuy;
  OrderType type = OrderType::kMarket;
  Product product = Product::kMis;
  Quantity quantity;
  Quantity filled_qty;
  Price avg_fill_px;
  std::optional<Price> price;
  std::optional<Price> trigger_price;
  BrokerOrderStatus status = BrokerOrderStatus::kOpen;
  std::string reason;  // reject or cancel text
};

/// The broker's order book at `as_of`. `complete` means the broker returned every order of the session (not
/// one page, not a cached partial list): only a complete snapshot can prove that an order does not exist.
struct BrokerOrderSnapshot {
  UnixNanos as_of;
  bool complete = false;
  std::vector<BrokerOrderReport> orders;
};

/// The port every broker adapter (paper, OpenAlgo, ...) implements. Requests return at once; outcomes
/// arrive as events on the sink. An ambiguous outcome (timeout, disconnect, 5xx, parse failure after send)
/// must be reported as OrderUpdateTimedOut, never as OrderRejected: only proven non-acceptance is a reject.
class ExecutionClient {
 public:
  virtual ~ExecutionClient() = default;

  virtual void SetSink(ExecutionEventSink* sink) = 0;
  virtual void Submit(const SubmitOrder& command) = 0;
  /// `venue_order_id` is empty when the broker has not named the order yet.
  virtual void Modify(const ModifyOrder& command, const std::optional<VenueOrderId>& venue_order_id) = 0;
  virtual void Cancel(const CancelOrder& command, const std::optional<VenueOrderId>& venue_order_id) = 0;
  /// The broker's current order book (for reconciliation).
  virtual Result<BrokerOrderSnapshot> QueryOrders() = 0;
  /// Called at start-up, after the journal was replayed, for each of our orders that was sent (or about to be)
  /// when the process stopped and that the broker never named. A client whose wire carries no client tag uses
  /// it to recognise such an order in the broker's book instead of treating it as foreign. Default: ignored.
  virtual void ExpectInFlight(const SubmitOrder& command, UnixNanos last_event) {
    (void)command;
    (void)last_event;
  }
};

}  // namespace td::execution
