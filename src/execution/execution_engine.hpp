// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "execution/codec.hpp"
#include "execution/execution_client.hpp"
#include "execution/order.hpp"
#include "execution/order_id_generator.hpp"
#include "execution/order_store.hpp"
#include "persistence/journal.hpp"

namespace td::execution {

/// A pre-trade check every submit goes through (the risk engine implements it; execution cannot see risk).
class PreTradeGate {
 public:
  virtual ~PreTradeGate() = default;
  /// Returns the denial when the order must not be sent; nothing when it may go.
  virtual std::optional<OrderDenied> CheckSubmit(const SubmitOrder& command) = 0;
  /// Returns the refusal when a modify of `order` must not be sent (new terms off tick, out of band, above a
  /// limit, or the trading state forbids it); nothing when it may go. Default: every modify may go.
  virtual std::optional<OrderModifyRejected> CheckModify(const Order& order, const ModifyOrder& command) {
    (void)order;
    (void)command;
    return std::nullopt;
  }
};

struct ExecutionEngineOptions {
  std::filesystem::path journal_path;
  std::string id_prefix = "TD";
  persistence::JournalOptions journal;  // order-critical: keep fsync = kEveryFrame outside tests
  /// A never-acknowledged order missing from a complete broker snapshot is rejected only when the snapshot
  /// was taken at least this long after the order's last event (the request may still be on the wire).
  Duration reconcile_grace = std::chrono::seconds(5);
  /// Orders a day is sized for: the order index is made this large up front, so it never rehashes (a pause
  /// proportional to the day's orders) while orders are flowing. More orders still work.
  std::size_t expected_orders_per_day = 65'536;
  /// Called for every applied event, replayed ones included (portfolio, risk, API streams).
  std::function<void(const OrderEvent&)> on_event;
};

/// What Submit did.
struct SubmitResult {
  ClientOrderId client_order_id;
  bool duplicate = false;  // the idempotency key (or client order id) was seen: nothing new was sent
  OrderStatus status = OrderStatus::kInitialized;
};

/// What Reconcile changed.
struct ReconcileReport {
  std::size_t adopted_external = 0;
  std::size_t events_generated = 0;
  std::size_t rejected_not_found = 0;
  std::size_t unresolved = 0;  // ours, in flight, not provable either way: still waiting
};

/// Owns every order. Order-critical commands are journaled (fsynced) before they reach the client; every
/// event is journaled before it is applied; start-up replays the journal through the same apply path.
/// Unknown outcomes stay in flight until Reconcile resolves them: nothing is ever resubmitted blindly.
/// Single-threaded: call from the kernel thread only.
class ExecutionEngine final : public ExecutionEventSink {
 public:
  /// Opens (recovers) the journal, rebuilds all orders from it and connects to `client`.
  static Result<std::unique_ptr<ExecutionEngine>> Open(ExecutionEngineOptions options, Clock& clock,
                                                       ExecutionClient& client);
  ~ExecutionEngine() override;
  ExecutionEngine(const ExecutionEngine&) = delete;
  ExecutionEngine& operator=(const ExecutionEngine&) = delete;

  /// Installs the pre-trade gate every submit passes through (nullptr: none).
  void SetGate(PreTradeGate* gate) { gate_ = gate; }

  /// Submits an order. An empty client order id is assigned; ts_init is stamped when zero. A known
  /// idempotency key or client order id returns the existing order with duplicate = true. A gate denial
  /// journals the order with OrderDenied and returns it with status DENIED. Errors: invalid command, or the
  /// journal failed (then nothing was sent and every later submit is refused).
  Result<SubmitResult> Submit(SubmitOrder command);
  /// Requests a modify of a working order (journaled before sending). A repeated idempotency key is a no-op.
  /// A gate refusal is journaled as OrderModifyRequested + OrderModifyRejected (nothing is sent) and returned
  /// as kUnprocessable with the gate's reason.
  Status Modify(ModifyOrder command);
  /// Requests a cancel of a working order. Still sent when the journal has failed: reducing risk wins.
  Status Cancel(CancelOrder command);
  /// Builds (does not send) a CancelOrder for every open order, e.g. for the kill switch.
  std::vector<CancelOrder> CancelAllCommands(const StrategyId& strategy_id) const;

  /// Brings our orders in line with the broker's order book (rules in README.md).
  Result<ReconcileReport> Reconcile(const BrokerOrderSnapshot& snapshot);
  /// Queries the client and reconciles.
  Result<ReconcileReport> ReconcileWithBroker();

  /// Sink for the client's events: drops unknown orders and illegal transitions (logged), ignores duplicate
  /// fills, otherwise journals and applies.
  void OnOrderEvent(const OrderEvent& event) override;

  const Order* FindOrder(const ClientOrderId& id) const;
  const Order* FindByIdempotencyKey(const std::string& key) const;
  std::vector<const Order*> OpenOrders() const;
  std::size_t OpenOrderCount() const;
  /// Every order of the day, in creation order.
  const OrderStore& orders() const { return orders_; }
  /// Frames replayed at start.
  std::uint64_t replayed_frames() const { return replayed_frames_; }
  /// True once a journal write failed: new orders are refused until restart.
  bool journal_failed() const { return journal_failed_; }
  const ClientOrderIdGenerator& id_generator() const { return ids_; }

 private:
  ExecutionEngine(ExecutionEngineOptions options, Clock& clock, ExecutionClient& client,
                  persistence::JournalWriter journal);

  /// The one apply path of live operation and replay.
  Status ApplyMessage(const OrderMessage& message);
  Status ApplyCommand(const OrderCommand& command);
  Status ApplySubmit(const SubmitOrder& command);
  Status ApplyEvent(const OrderEvent& event);
  /// Journals then applies.
  Status Record(const OrderCommand& command);
  Status Record(const OrderEvent& event);
  Status Append(EncodedFrame&& frame);
  /// Adds a new order to the map and its lookup index.
  Order& Insert(Order order);
  /// Applies a locally generated event when legal (reconciliation, submit flow).
  Status RecordEvent(const OrderEvent& event);
  Order* Find(const ClientOrderId& id);
  Status ReconcileKnown(Order& order, const BrokerOrderReport& report, const BrokerOrderSnapshot& snapshot,
                        ReconcileReport& out);
  Status Adopt(const BrokerOrderReport& report, ReconcileReport& out);
  /// After replay: settles the orders a stop cut off between two of their frames (recorded, never sent: denied;
  /// an adoption half journaled: submitted).
  Status SettleOrdersCutShortByTheStop();

  ExecutionEngineOptions options_;
  Clock& clock_;
  ExecutionClient& client_;
  persistence::JournalWriter journal_;
  PreTradeGate* gate_ = nullptr;
  ClientOrderIdGenerator ids_;
  OrderStore orders_;
  // One tick's events all concern the same order: the last order found is checked before the index.
  mutable Order* last_found_ = nullptr;
  std::size_t open_orders_ = 0;  // kept as events apply, so the risk gate's open-order cap costs nothing
  // Idempotency key → order; the key views the order's own copy (set once, never changed).
  std::unordered_map<std::string_view, const Order*> submit_keys_;
  std::unordered_map<std::string, ClientOrderId> request_keys_;  // modify and cancel keys
  std::unordered_map<VenueOrderId, ClientOrderId> by_venue_id_;
  std::uint64_t replayed_frames_ = 0;
  bool journal_failed_ = false;
  Logger log_{"execution"};
};

}  // namespace td::execution
