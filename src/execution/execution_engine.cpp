// SPDX-License-Identifier: MIT
#include "execution/execution_engine.hpp"

#include <unordered_set>
#include <utility>

#include "execution/journal_replay.hpp"

namespace td::execution {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

Status ValidateSubmit(const SubmitOrder& c) {
  if (c.instrument_id.empty()) {
    return Error::InvalidArgument("instrument is required", "instrument_id");
  }
  if (c.strategy_id.empty()) {
    return Error::InvalidArgument("strategy id is required", "strategy_id");
  }
  if (!c.quantity.is_positive()) {
    return Error::InvalidArgument("quantity must be positive", "quantity");
  }
  if (NeedsLimitPrice(c.type) != c.price.has_value()) {
    return Error::InvalidArgument(NeedsLimitPrice(c.type) ? "price is required" : "price is not allowed", "price");
  }
  if (NeedsTriggerPrice(c.type) != c.trigger_price.has_value()) {
    return Error::InvalidArgument(
        NeedsTriggerPrice(c.type) ? "trigger price is required" : "trigger price is not allowed", "trigger_price");
  }
  return {};
}

/// Turns a venue order id into the deterministic client order id of an adopted external order, so that a
/// replayed or repeated reconciliation finds the same order instead of adopting it twice.
ClientOrderId ExternalId(const VenueOrderId& venue) {
  std::string text = "EXT-" + venue.str();
  if (text.size() > 64) {
    text.resize(64);
  }
  return ClientOrderId::Of(text);
}

TradeId ReconTradeId(const VenueOrderId& venue, Quantity cumulative) {
  std::string text = "RECON-" + std::to_string(cumulative.raw()) + "-" + venue.str();
  if (text.size() > 64) {
    text.resize(64);
  }
  return TradeId::Of(text);
}

}  // namespace

Result<std::unique_ptr<ExecutionEngine>> ExecutionEngine::Open(ExecutionEngineOptions options, Clock& clock,
                                                               ExecutionClient& client) {
  auto journal = persistence::JournalWriter::Open(options.journal_path, options.journal);
  if (!journal.ok()) {
    return journal.error();
  }
  std::unique_ptr<ExecutionEngine> engine(
      new ExecutionEngine(std::move(options), clock, client, std::move(journal).value()));
  // The same reader and decoder as `tradedesk replay` (ReadExecutionJournal), then the live apply path.
  auto tail = ReadExecutionJournal(engine->options_.journal_path,
                                   [&](const persistence::FrameView&, const JournalEntry& entry) -> Status {
                                     const auto* message = std::get_if<OrderMessage>(&entry);
                                     if (message == nullptr) {
                                       return {};  // not an order frame
                                     }
                                     ++engine->replayed_frames_;
                                     return engine->ApplyMessage(*message);
                                   });
  if (!tail.ok()) {
    return tail.error();
  }
  TD_TRY(engine->SettleOrdersCutShortByTheStop());
  for (const Order& order : engine->orders_) {
    if (!order.is_external() && order.status() == OrderStatus::kSubmitted && !order.venue_order_id()) {
      SubmitOrder sent;
      sent.client_order_id = order.client_order_id();
      sent.idempotency_key = order.idempotency_key();
      sent.strategy_id = order.strategy_id();
      sent.instrument_id = order.instrument_id();
      sent.side = order.side();
      sent.type = order.type();
      sent.product = order.product();
      sent.time_in_force = order.time_in_force();
      sent.quantity = order.quantity();
      sent.price = order.price();
      sent.trigger_price = order.trigger_price();
      sent.ts_init = order.ts_last();
      client.ExpectInFlight(sent, order.ts_last());
    }
  }
  client.SetSink(engine.get());
  return engine;
}

Status ExecutionEngine::SettleOrdersCutShortByTheStop() {
  std::vector<ClientOrderId> ours_never_sent, external_half_adopted;
  for (const Order& order : orders_) {
    if (order.status() == OrderStatus::kInitialized) {
      (order.is_external() ? external_half_adopted : ours_never_sent).push_back(order.client_order_id());
    }
  }
  const UnixNanos now = clock_.Now();
  // The client is called only after OrderSubmitted is durable, so an order still initialized was never sent.
  // Sending it now would place a stale intent long after the moment it was meant for: it is denied instead.
  for (const ClientOrderId& id : ours_never_sent) {
    TD_TRY(RecordEvent(OrderDenied{id, "not_sent_before_stop",
                                   "never sent: the process stopped after recording the order and before "
                                   "submitting it",
                                   now, now}));
    log_.Warn("order recorded but never sent before the stop: denied", {{"client_order_id", id.value()}});
  }
  // An adoption cut short: the broker reported the order, so it was submitted; reconciliation accepts it.
  for (const ClientOrderId& id : external_half_adopted) {
    TD_TRY(RecordEvent(OrderSubmitted{id, now, now}));
  }
  return {};
}

ExecutionEngine::ExecutionEngine(ExecutionEngineOptions options, Clock& clock, ExecutionClient& client,
                                 persistence::JournalWriter journal)
    : options_(std::move(options)),
      clock_(clock),
      client_(client),
      journal_(std::move(journal)),
      ids_(options_.id_prefix) {
  orders_.Reserve(options_.expected_orders_per_day);
}

ExecutionEngine::~ExecutionEngine() {
  client_.SetSink(nullptr);
}

Order* ExecutionEngine::Find(const ClientOrderId& id) {
  if (last_found_ != nullptr && last_found_->client_order_id() == id) {
    return last_found_;
  }
  Order* found = orders_.Find(id);
  if (found != nullptr) {
    last_found_ = found;
  }
  return found;
}

const Order* ExecutionEngine::FindOrder(const ClientOrderId& id) const {
  // The same lookup; only the remembered last order changes, and it is a cache (mutable).
  return const_cast<ExecutionEngine*>(this)->Find(id);
}

Order& ExecutionEngine::Insert(Order order) {
  Order& placed = orders_.Add(std::move(order));
  ids_.Observe(placed.client_order_id());
  open_orders_ += placed.is_open() ? 1 : 0;
  last_found_ = &placed;
  return placed;
}

const Order* ExecutionEngine::FindByIdempotencyKey(const std::string& key) const {
  auto it = submit_keys_.find(std::string_view(key));
  return it == submit_keys_.end() ? nullptr : it->second;
}

std::vector<const Order*> ExecutionEngine::OpenOrders() const {
  std::vector<const Order*> out;
  for (const Order& order : orders_) {
    if (order.is_open()) {
      out.push_back(&order);
    }
  }
  return out;
}

std::size_t ExecutionEngine::OpenOrderCount() const {
  return open_orders_;
}

Status ExecutionEngine::ApplyMessage(const OrderMessage& message) {
  if (const auto* command = std::get_if<OrderCommand>(&message)) {
    return ApplyCommand(*command);
  }
  return ApplyEvent(std::get<OrderEvent>(message));
}

Status ExecutionEngine::ApplyCommand(const OrderCommand& command) {
  return std::visit(Overloaded{
                        [&](const SubmitOrder& c) -> Status { return ApplySubmit(c); },
                        [&](const auto& modify_or_cancel) -> Status {
                          if (!modify_or_cancel.idempotency_key.empty()) {
                            request_keys_.try_emplace(modify_or_cancel.idempotency_key,
                                                      modify_or_cancel.client_order_id);
                          }
                          return {};
                        },
                    },
                    command);
}

Status ExecutionEngine::ApplySubmit(const SubmitOrder& c) {
  if (Find(c.client_order_id) != nullptr) {
    return Error::Corrupt("second submit for " + c.client_order_id.str());
  }
  if (!c.quantity.is_positive()) {
    return Error::Corrupt("submit with zero quantity for " + c.client_order_id.str());
  }
  const Order& order = Insert(Order(c));
  if (!c.idempotency_key.empty()) {
    submit_keys_.try_emplace(std::string_view(order.idempotency_key()), &order);
  }
  return {};
}

Status ExecutionEngine::ApplyEvent(const OrderEvent& event) {
  if (const auto* init = std::get_if<OrderInitialized>(&event)) {
    if (Find(init->client_order_id) != nullptr) {
      return Error::Corrupt("second initialization of " + init->client_order_id.str());
    }
    if (!init->quantity.is_positive()) {
      return Error::Corrupt("initialized with zero quantity: " + init->client_order_id.str());
    }
    Insert(Order(*init));
  } else {
    Order* order = Find(EventOrderId(event));
    if (order == nullptr) {
      return Error::Corrupt(std::string(EventName(event)) + " for unknown order " + EventOrderId(event).str());
    }
    if (!order->CanApply(event)) {
      return Error::Corrupt(std::string(EventName(event)) + ": " + order->WhyIllegal(event));
    }
    const bool had_venue_id = order->venue_order_id().has_value();
    const bool was_open = order->is_open();
    if (!order->Apply(event)) {
      return {};  // duplicate fill
    }
    if (order->is_open() != was_open) {
      open_orders_ = was_open ? open_orders_ - 1 : open_orders_ + 1;
    }
    if (const auto* accepted = std::get_if<OrderAccepted>(&event)) {
      by_venue_id_.try_emplace(accepted->venue_order_id, accepted->client_order_id);
    } else if (const auto* fill = std::get_if<OrderFilled>(&event);
               fill && !had_venue_id && !fill->venue_order_id.empty()) {
      by_venue_id_.try_emplace(fill->venue_order_id, fill->client_order_id);
    }
  }
  if (options_.on_event) {
    options_.on_event(event);
  }
  return {};
}

Status ExecutionEngine::Append(EncodedFrame&& frame) {
  auto appended = journal_.Append(frame.type_id, clock_.Now(), frame.payload);
  Recycle(std::move(frame));
  if (!appended.ok()) {
    if (!journal_failed_) {
      log_.Critical("order journal write failed: new orders halted", {{"error", appended.error().ToString()}});
    }
    journal_failed_ = true;
    return appended.error();
  }
  return {};
}

Status ExecutionEngine::Record(const OrderCommand& command) {
  TD_TRY(Append(Encode(command)));
  return ApplyCommand(command);
}

Status ExecutionEngine::Record(const OrderEvent& event) {
  TD_TRY(Append(Encode(event)));
  return ApplyEvent(event);
}

Status ExecutionEngine::RecordEvent(const OrderEvent& event) {
  const Order* order = FindOrder(EventOrderId(event));
  if (!std::holds_alternative<OrderInitialized>(event)) {
    if (order == nullptr || !order->CanApply(event)) {
      return Error::Internal("cannot apply " + std::string(EventName(event)));
    }
    if (const auto* fill = std::get_if<OrderFilled>(&event); fill && order->HasFill(fill->trade_id)) {
      return {};
    }
  }
  return Record(event);
}

Result<SubmitResult> ExecutionEngine::Submit(SubmitOrder command) {
  if (!command.idempotency_key.empty()) {
    if (const Order* existing = FindByIdempotencyKey(command.idempotency_key)) {
      return SubmitResult{existing->client_order_id(), true, existing->status()};
    }
  }
  if (!command.client_order_id.empty()) {
    if (const Order* existing = FindOrder(command.client_order_id)) {
      return SubmitResult{existing->client_order_id(), true, existing->status()};
    }
  }
  TD_TRY(ValidateSubmit(command));
  if (journal_failed_) {
    return Error{ErrorCode::kUnavailable, "order journal failed: new orders are halted until restart", {}};
  }
  if (command.client_order_id.empty()) {
    command.client_order_id = ids_.Next();
  }
  const UnixNanos now = clock_.Now();
  if (command.ts_init == UnixNanos{}) {
    command.ts_init = now;
  }
  std::optional<OrderDenied> denial;
  if (gate_ != nullptr) {
    denial = gate_->CheckSubmit(command);
  }
  // The intent is durable before anything else happens to it.
  TD_TRY(Append(Encode(command)));
  TD_TRY(ApplySubmit(command));
  const ClientOrderId& id = command.client_order_id;
  if (denial) {
    OrderDenied event = *denial;
    event.client_order_id = id;
    event.ts_event = now;
    event.ts_init = now;
    TD_TRY(RecordEvent(event));
    return SubmitResult{id, false, OrderStatus::kDenied};
  }
  TD_TRY(RecordEvent(OrderSubmitted{id, now, now}));
  client_.Submit(command);
  return SubmitResult{id, false, FindOrder(id)->status()};
}

Status ExecutionEngine::Modify(ModifyOrder command) {
  if (!command.idempotency_key.empty() && request_keys_.contains(command.idempotency_key)) {
    return {};
  }
  const Order* order = FindOrder(command.client_order_id);
  if (order == nullptr) {
    return Error::NotFound("no order " + command.client_order_id.str(), "client_order_id");
  }
  if (!command.quantity && !command.price && !command.trigger_price) {
    return Error::InvalidArgument("modify changes nothing");
  }
  const UnixNanos now = clock_.Now();
  if (command.ts_init == UnixNanos{}) {
    command.ts_init = now;
  }
  OrderModifyRequested requested{
      command.client_order_id, command.quantity, command.price, command.trigger_price, now, now};
  if (!order->CanApply(requested)) {
    return Error::Unprocessable(order->WhyIllegal(requested), "client_order_id");
  }
  if (journal_failed_) {
    return Error{ErrorCode::kUnavailable, "order journal failed: modifies are halted until restart", {}};
  }
  std::optional<OrderModifyRejected> refusal = gate_ != nullptr ? gate_->CheckModify(*order, command) : std::nullopt;
  TD_TRY(Record(OrderCommand(command)));
  TD_TRY(RecordEvent(requested));
  if (refusal) {
    refusal->client_order_id = command.client_order_id;
    refusal->ts_event = now;
    refusal->ts_init = now;
    TD_TRY(RecordEvent(*refusal));
    return Error::Unprocessable("modify denied: " + refusal->reason, "client_order_id");
  }
  client_.Modify(command, order->venue_order_id());
  return {};
}

Status ExecutionEngine::Cancel(CancelOrder command) {
  if (!command.idempotency_key.empty() && request_keys_.contains(command.idempotency_key)) {
    return {};
  }
  const Order* order = FindOrder(command.client_order_id);
  if (order == nullptr) {
    return Error::NotFound("no order " + command.client_order_id.str(), "client_order_id");
  }
  const UnixNanos now = clock_.Now();
  if (command.ts_init == UnixNanos{}) {
    command.ts_init = now;
  }
  const OrderCancelRequested requested{command.client_order_id, now, now};
  if (!order->CanApply(requested)) {
    return Error::Unprocessable(order->WhyIllegal(requested), "client_order_id");
  }
  if (!journal_failed_) {
    if (Record(OrderCommand(command)).ok()) {
      (void)RecordEvent(requested);
    }
  }
  client_.Cancel(command, order->venue_order_id());
  return {};
}

std::vector<CancelOrder> ExecutionEngine::CancelAllCommands(const StrategyId& strategy_id) const {
  std::vector<CancelOrder> out;
  const UnixNanos now = clock_.Now();
  for (const Order* order : OpenOrders()) {
    if (order->status() == OrderStatus::kPendingCancel) {
      continue;
    }
    out.push_back(CancelOrder{order->client_order_id(), {}, strategy_id, now});
  }
  return out;
}

void ExecutionEngine::OnOrderEvent(const OrderEvent& event) {
  const Order* order = FindOrder(EventOrderId(event));
  if (order == nullptr) {
    log_.Warn("event for an unknown order dropped; reconciliation adopts it",
              {{"event", EventName(event)}, {"client_order_id", EventOrderId(event).value()}});
    return;
  }
  if (std::holds_alternative<OrderInitialized>(event) || !order->CanApply(event)) {
    log_.Warn("illegal order event dropped", {{"event", EventName(event)},
                                              {"client_order_id", EventOrderId(event).value()},
                                              {"why", order->WhyIllegal(event)}});
    return;
  }
  if (const auto* fill = std::get_if<OrderFilled>(&event); fill && order->HasFill(fill->trade_id)) {
    return;
  }
  if (auto status = Record(event); !status.ok()) {
    // The broker's event is a fact even when it cannot be journaled: apply it so in-memory state is right;
    // the restart reconciliation restores the journal.
    if (journal_failed_) {
      (void)ApplyEvent(event);
    }
  }
}

Status ExecutionEngine::Adopt(const BrokerOrderReport& report, ReconcileReport& out) {
  const ClientOrderId id = ExternalId(report.venue_order_id);
  const UnixNanos now = clock_.Now();
  OrderInitialized init;
  init.client_order_id = id;
  init.strategy_id = StrategyId::Of("EXTERNAL");
  init.instrument_id = report.instrument_id;
  init.side = report.side;
  init.type = report.type;
  init.product = report.product;
  init.quantity = report.quantity;
  init.price = report.price;
  init.trigger_price = report.trigger_price;
  init.external = true;
  init.ts_event = now;
  init.ts_init = now;
  TD_TRY(RecordEvent(init));
  TD_TRY(RecordEvent(OrderSubmitted{id, now, now}));
  TD_TRY(RecordEvent(OrderAccepted{id, report.venue_order_id, now, now}));
  out.events_generated += 3;
  ++out.adopted_external;
  return {};
}

Status ExecutionEngine::ReconcileKnown(Order& order, const BrokerOrderReport& report,
                                       const BrokerOrderSnapshot& snapshot, ReconcileReport& out) {
  const ClientOrderId id = order.client_order_id();
  const UnixNanos now = clock_.Now();
  auto emit = [&](const OrderEvent& event) -> Status {
    if (!order.CanApply(event)) {
      log_.Warn("reconciliation cannot apply event",
                {{"event", EventName(event)}, {"client_order_id", id.value()}, {"why", order.WhyIllegal(event)}});
      return {};
    }
    TD_TRY(RecordEvent(event));
    ++out.events_generated;
    return {};
  };
  (void)snapshot;
  if (!order.venue_order_id() && report.status != BrokerOrderStatus::kRejected) {
    TD_TRY(emit(OrderAccepted{id, report.venue_order_id, now, now}));
  }
  if (report.filled_qty > order.filled_qty()) {
    OrderFilled fill;
    fill.client_order_id = id;
    fill.venue_order_id = report.venue_order_id;
    fill.trade_id = ReconTradeId(report.venue_order_id, report.filled_qty);
    fill.instrument_id = order.instrument_id();
    fill.side = order.side();
    fill.last_qty = report.filled_qty - order.filled_qty();
    // The missing fills are booked at the price that makes our average equal the broker's.
    const double missing_notional =
        report.avg_fill_px.AsDouble() * report.filled_qty.AsDouble() - order.avg_px() * order.filled_qty().AsDouble();
    auto px =
        Price::FromDouble(missing_notional / fill.last_qty.AsDouble(), std::max(report.avg_fill_px.precision(), 2));
    fill.last_px = px.ok() ? *px : report.avg_fill_px;
    fill.cumulative_qty = report.filled_qty;
    fill.ts_event = now;
    fill.ts_init = now;
    TD_TRY(emit(fill));
  }
  if (order.is_terminal()) {
    return {};
  }
  switch (report.status) {
    case BrokerOrderStatus::kOpen:
    case BrokerOrderStatus::kFilled:
      break;
    case BrokerOrderStatus::kCanceled:
      TD_TRY(emit(OrderCanceled{id, now, now}));
      break;
    case BrokerOrderStatus::kRejected:
      TD_TRY(emit(OrderRejected{id, report.reason.empty() ? "rejected at broker" : report.reason, now, now}));
      break;
    case BrokerOrderStatus::kExpired:
      TD_TRY(emit(OrderExpired{id, now, now}));
      break;
  }
  return {};
}

Result<ReconcileReport> ExecutionEngine::Reconcile(const BrokerOrderSnapshot& snapshot) {
  ReconcileReport out;
  std::unordered_set<ClientOrderId> seen;  // client order ids the snapshot covers
  for (const BrokerOrderReport& report : snapshot.orders) {
    if (report.instrument_id.empty() || report.venue_order_id.empty() || !report.quantity.is_positive() ||
        report.filled_qty > report.quantity) {
      // A malformed report must never reach the journal (it would not replay); a human has to look.
      log_.Error("malformed broker order report skipped", {{"venue_order_id", report.venue_order_id.value()}});
      ++out.unresolved;
      continue;
    }
    Order* order = nullptr;
    if (report.client_order_id) {
      order = Find(*report.client_order_id);
    }
    if (order == nullptr) {
      if (auto it = by_venue_id_.find(report.venue_order_id); it != by_venue_id_.end()) {
        order = Find(it->second);
      }
    }
    if (order == nullptr) {
      order = Find(ExternalId(report.venue_order_id));
    }
    if (order == nullptr) {
      TD_TRY(Adopt(report, out));
      order = Find(ExternalId(report.venue_order_id));
    }
    seen.insert(order->client_order_id());
    TD_TRY(ReconcileKnown(*order, report, snapshot, out));
  }
  for (std::size_t i = 0; i < orders_.size(); ++i) {
    const Order& order = orders_.At(i);
    const ClientOrderId id = order.client_order_id();
    if (!order.is_open() || seen.contains(id)) {
      continue;
    }
    // Silence proves nothing unless the broker listed everything, well after our request could arrive,
    // and the order was never acknowledged (an acknowledged order cannot vanish: that needs a human).
    const bool provable = snapshot.complete && !order.venue_order_id() && order.status() == OrderStatus::kSubmitted &&
                          snapshot.as_of >= order.ts_last() + options_.reconcile_grace;
    if (!provable) {
      ++out.unresolved;
      log_.Warn("open order not in the broker snapshot; left in flight", {{"client_order_id", id.value()}});
      continue;
    }
    const UnixNanos now = clock_.Now();
    TD_TRY(RecordEvent(OrderRejected{id,
                                     "not found at broker: complete order book at " + snapshot.as_of.ToIso8601() +
                                         " has no order tagged " + id.str(),
                                     now, now}));
    ++out.rejected_not_found;
    ++out.events_generated;
  }
  return out;
}

Result<ReconcileReport> ExecutionEngine::ReconcileWithBroker() {
  auto snapshot = client_.QueryOrders();
  if (!snapshot.ok()) {
    return snapshot.error();
  }
  return Reconcile(*snapshot);
}

}  // namespace td::execution
