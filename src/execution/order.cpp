// SPDX-License-Identifier: MIT
#include "execution/order.hpp"

#include <algorithm>
#include <type_traits>

#include "core/check.hpp"

namespace td::execution {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

bool In(OrderStatus status, std::initializer_list<OrderStatus> set) {
  for (OrderStatus s : set) {
    if (s == status) {
      return true;
    }
  }
  return false;
}

std::string NotFrom(std::string_view event, OrderStatus status) {
  return std::string(event) + " is illegal in status " + std::string(ToString(status));
}

}  // namespace

std::string_view ToString(OrderStatus status) {
  switch (status) {
    case OrderStatus::kInitialized:
      return "initialized";
    case OrderStatus::kDenied:
      return "denied";
    case OrderStatus::kSubmitted:
      return "submitted";
    case OrderStatus::kAccepted:
      return "accepted";
    case OrderStatus::kRejected:
      return "rejected";
    case OrderStatus::kPendingUpdate:
      return "pending_update";
    case OrderStatus::kPendingCancel:
      return "pending_cancel";
    case OrderStatus::kPartiallyFilled:
      return "partially_filled";
    case OrderStatus::kFilled:
      return "filled";
    case OrderStatus::kCanceled:
      return "canceled";
    case OrderStatus::kExpired:
      return "expired";
  }
  return "unknown";
}

bool IsTerminal(OrderStatus status) {
  return In(status, {OrderStatus::kDenied, OrderStatus::kRejected, OrderStatus::kFilled, OrderStatus::kCanceled,
                     OrderStatus::kExpired});
}

Order::Order(const SubmitOrder& command)
    : client_order_id_(command.client_order_id),
      strategy_id_(command.strategy_id),
      idempotency_key_(command.idempotency_key),
      instrument_id_(command.instrument_id),
      side_(command.side),
      type_(command.type),
      product_(command.product),
      time_in_force_(command.time_in_force),
      quantity_(command.quantity),
      price_(command.price),
      trigger_price_(command.trigger_price),
      ts_last_(command.ts_init) {
  TD_CHECK(!client_order_id_.empty()) << "an order needs a client order id";
  TD_CHECK(quantity_.is_positive()) << "order quantity must be positive";
}

Order::Order(const OrderInitialized& event)
    : client_order_id_(event.client_order_id),
      strategy_id_(event.strategy_id),
      instrument_id_(event.instrument_id),
      side_(event.side),
      type_(event.type),
      product_(event.product),
      time_in_force_(event.time_in_force),
      quantity_(event.quantity),
      price_(event.price),
      trigger_price_(event.trigger_price),
      external_(event.external),
      event_count_(1),
      ts_last_(event.ts_event) {
  TD_CHECK(!client_order_id_.empty()) << "an order needs a client order id";
  TD_CHECK(quantity_.is_positive()) << "order quantity must be positive";
}

double Order::avg_px() const {
  return filled_qty_.is_zero() ? 0.0 : fill_notional_ / filled_qty_.AsDouble();
}

bool Order::is_open() const {
  return In(status_, {OrderStatus::kSubmitted, OrderStatus::kAccepted, OrderStatus::kPendingUpdate,
                      OrderStatus::kPendingCancel, OrderStatus::kPartiallyFilled});
}

bool Order::is_in_flight() const {
  return outcome_unknown_ ||
         In(status_, {OrderStatus::kSubmitted, OrderStatus::kPendingUpdate, OrderStatus::kPendingCancel});
}

bool Order::HasFill(const TradeId& trade_id) const {
  return std::find(fill_ids_.begin(), fill_ids_.end(), trade_id) != fill_ids_.end();
}

bool Order::CanApply(const OrderEvent& event) const {
  return Check(event).empty();
}

std::string Order::WhyIllegal(const OrderEvent& event) const {
  return Check(event);
}

std::string Order::Check(const OrderEvent& event) const {
  if (EventOrderId(event) != client_order_id_) {
    return "event for " + EventOrderId(event).str() + " applied to " + client_order_id_.str();
  }
  const OrderStatus s = status_;
  using S = OrderStatus;
  const bool pending = In(s, {S::kPendingUpdate, S::kPendingCancel});
  return std::visit(
      Overloaded{
          [&](const OrderInitialized&) -> std::string { return "order_initialized only creates an order"; },
          [&](const OrderDenied&) -> std::string { return s == S::kInitialized ? "" : NotFrom("order_denied", s); },
          [&](const OrderSubmitted&) -> std::string {
            return s == S::kInitialized ? "" : NotFrom("order_submitted", s);
          },
          [&](const OrderAccepted&) -> std::string {
            if (s == S::kSubmitted || (pending && previous_status_ == S::kSubmitted)) {
              return "";
            }
            // A fill may overtake the acknowledgement; the late ack only names the order.
            if (s == S::kPartiallyFilled && !venue_order_id_) {
              return "";
            }
            return NotFrom("order_accepted", s);
          },
          [&](const OrderRejected&) -> std::string {
            if (!filled_qty_.is_zero()) {
              return "order_rejected is illegal after a fill";
            }
            return In(s, {S::kSubmitted, S::kAccepted, S::kPendingUpdate, S::kPendingCancel})
                       ? ""
                       : NotFrom("order_rejected", s);
          },
          [&](const OrderFilled& fill) -> std::string {
            if (HasFill(fill.trade_id)) {
              return "";  // duplicate: ignored
            }
            if (!In(s, {S::kSubmitted, S::kAccepted, S::kPartiallyFilled, S::kPendingUpdate, S::kPendingCancel})) {
              return NotFrom("order_filled", s);
            }
            if (!fill.last_qty.is_positive()) {
              return "fill quantity must be positive";
            }
            if (fill.instrument_id != instrument_id_ || fill.side != side_) {
              return "fill instrument or side differs from the order";
            }
            if (fill.last_qty > quantity_ - filled_qty_) {
              return "overfill: " + fill.last_qty.ToString() + " with only " + (quantity_ - filled_qty_).ToString() +
                     " left";
            }
            return "";
          },
          [&](const OrderModifyRequested& m) -> std::string {
            if (!In(s, {S::kSubmitted, S::kAccepted, S::kPartiallyFilled})) {
              return NotFrom("order_modify_requested", s);
            }
            if (m.quantity && *m.quantity < filled_qty_) {
              return "modify below the filled quantity";
            }
            return "";
          },
          [&](const OrderModified& m) -> std::string {
            if (!In(s, {S::kPendingUpdate, S::kAccepted, S::kPartiallyFilled})) {
              return NotFrom("order_modified", s);
            }
            if (!m.quantity.is_positive() || m.quantity < filled_qty_) {
              return "modified quantity below the filled quantity";
            }
            return "";
          },
          [&](const OrderModifyRejected&) -> std::string {
            return s == S::kPendingUpdate ? "" : NotFrom("order_modify_rejected", s);
          },
          [&](const OrderCancelRequested&) -> std::string {
            return In(s, {S::kSubmitted, S::kAccepted, S::kPartiallyFilled, S::kPendingUpdate})
                       ? ""
                       : NotFrom("order_cancel_requested", s);
          },
          [&](const OrderCancelRejected&) -> std::string {
            return s == S::kPendingCancel ? "" : NotFrom("order_cancel_rejected", s);
          },
          [&](const OrderCanceled&) -> std::string {
            return In(s, {S::kSubmitted, S::kAccepted, S::kPartiallyFilled, S::kPendingUpdate, S::kPendingCancel})
                       ? ""
                       : NotFrom("order_canceled", s);
          },
          [&](const OrderExpired&) -> std::string {
            return In(s, {S::kSubmitted, S::kAccepted, S::kPartiallyFilled, S::kPendingUpdate, S::kPendingCancel})
                       ? ""
                       : NotFrom("order_expired", s);
          },
          [&](const OrderUpdateTimedOut&) -> std::string {
            return is_open() ? "" : NotFrom("order_update_timed_out", s);
          },
      },
      event);
}

void Order::SetFilledStatus() {
  const bool complete = filled_qty_ == quantity_;
  if (complete) {
    status_ = OrderStatus::kFilled;
    return;
  }
  if (status_ == OrderStatus::kPendingUpdate || status_ == OrderStatus::kPendingCancel) {
    previous_status_ = OrderStatus::kPartiallyFilled;
  } else if (!filled_qty_.is_zero()) {
    status_ = OrderStatus::kPartiallyFilled;
  }
}

bool Order::Apply(const OrderEvent& event) {
  const std::string why = Check(event);
  TD_CHECK(why.empty()) << "illegal order transition for " << client_order_id_.value() << ": " << why;
  if (const auto* fill = std::get_if<OrderFilled>(&event); fill != nullptr && HasFill(fill->trade_id)) {
    return false;
  }
  using S = OrderStatus;
  auto enter_pending = [&](S next) {
    if (status_ != S::kPendingUpdate && status_ != S::kPendingCancel) {
      previous_status_ = status_;
    }
    status_ = next;
  };
  std::visit(Overloaded{
                 [&](const OrderInitialized&) { TD_UNREACHABLE(); },
                 [&](const OrderDenied& e) {
                   status_ = S::kDenied;
                   ts_last_ = e.ts_event;
                 },
                 [&](const OrderSubmitted& e) {
                   status_ = S::kSubmitted;
                   ts_last_ = e.ts_event;
                 },
                 [&](const OrderAccepted& e) {
                   venue_order_id_ = e.venue_order_id;
                   if (status_ == S::kSubmitted) {
                     status_ = S::kAccepted;
                   } else if (status_ == S::kPendingUpdate || status_ == S::kPendingCancel) {
                     previous_status_ = S::kAccepted;
                   }
                   outcome_unknown_ = false;
                   ts_last_ = e.ts_event;
                 },
                 [&](const OrderRejected& e) {
                   status_ = S::kRejected;
                   outcome_unknown_ = false;
                   ts_last_ = e.ts_event;
                 },
                 [&](const OrderFilled& e) {
                   fill_ids_.push_back(e.trade_id);
                   filled_qty_ += e.last_qty;
                   fill_notional_ += e.last_px.AsDouble() * e.last_qty.AsDouble();
                   if (!venue_order_id_ && !e.venue_order_id.empty()) {
                     venue_order_id_ = e.venue_order_id;
                   }
                   SetFilledStatus();
                   outcome_unknown_ = false;
                   ts_last_ = e.ts_event;
                 },
                 [&](const OrderModifyRequested& e) {
                   enter_pending(S::kPendingUpdate);
                   ts_last_ = e.ts_event;
                 },
                 [&](const OrderModified& e) {
                   quantity_ = e.quantity;
                   price_ = e.price;
                   trigger_price_ = e.trigger_price;
                   if (status_ == S::kPendingUpdate) {
                     status_ = previous_status_;
                   }
                   SetFilledStatus();
                   outcome_unknown_ = false;
                   ts_last_ = e.ts_event;
                 },
                 [&](const OrderModifyRejected& e) {
                   status_ = previous_status_;
                   outcome_unknown_ = false;
                   ts_last_ = e.ts_event;
                 },
                 [&](const OrderCancelRequested& e) {
                   enter_pending(S::kPendingCancel);
                   ts_last_ = e.ts_event;
                 },
                 [&](const OrderCancelRejected& e) {
                   status_ = previous_status_;
                   outcome_unknown_ = false;
                   ts_last_ = e.ts_event;
                 },
                 [&](const OrderCanceled& e) {
                   status_ = S::kCanceled;
                   outcome_unknown_ = false;
                   ts_last_ = e.ts_event;
                 },
                 [&](const OrderExpired& e) {
                   status_ = S::kExpired;
                   outcome_unknown_ = false;
                   ts_last_ = e.ts_event;
                 },
                 [&](const OrderUpdateTimedOut& e) {
                   outcome_unknown_ = true;
                   ts_last_ = e.ts_event;
                 },
             },
             event);
  ++event_count_;
  return true;
}

const ClientOrderId& EventOrderId(const OrderEvent& event) {
  return std::visit([](const auto& e) -> const ClientOrderId& { return e.client_order_id; }, event);
}

std::string_view EventName(const OrderEvent& event) {
  return std::visit(Overloaded{
                        [](const OrderInitialized&) { return std::string_view("order_initialized"); },
                        [](const OrderDenied&) { return std::string_view("order_denied"); },
                        [](const OrderSubmitted&) { return std::string_view("order_submitted"); },
                        [](const OrderAccepted&) { return std::string_view("order_accepted"); },
                        [](const OrderRejected&) { return std::string_view("order_rejected"); },
                        [](const OrderFilled&) { return std::string_view("order_filled"); },
                        [](const OrderModifyRequested&) { return std::string_view("order_modify_requested"); },
                        [](const OrderModified&) { return std::string_view("order_modified"); },
                        [](const OrderModifyRejected&) { return std::string_view("order_modify_rejected"); },
                        [](const OrderCancelRequested&) { return std::string_view("order_cancel_requested"); },
                        [](const OrderCancelRejected&) { return std::string_view("order_cancel_rejected"); },
                        [](const OrderCanceled&) { return std::string_view("order_canceled"); },
                        [](const OrderExpired&) { return std::string_view("order_expired"); },
                        [](const OrderUpdateTimedOut&) { return std::string_view("order_update_timed_out"); },
                    },
                    event);
}

}  // namespace td::execution
