// SPDX-License-Identifier: MIT
#include "adapters/paper/paper_broker.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "calendar/exchange_calendar.hpp"
#include "core/check.hpp"

namespace td::adapters::paper {

using execution::BrokerOrderStatus;
using execution::OrderEvent;

namespace {

/// At least 12 digits, zero-padded: the counter in timer names (ids use StrongId::Sequenced).
std::string Padded(std::uint64_t n) {
  char buffer[20];
  char* end = buffer + sizeof buffer;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  while (end - p < 12) {
    *--p = '0';
  }
  return std::string(p, end);
}

std::string Money(double value) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

/// The calendar that proves an exchange segment open: cash and F&O of NSE/BSE share theirs; US equities and
/// their options follow NYSE hours (equity options close with the stock market).
const calendar::ExchangeCalendar* CalendarFor(std::string_view exchange) {
  if (exchange == "US" || exchange == "OPRA") {
    return &calendar::ExchangeCalendar::Get(calendar::Exchange::kNyse);
  }
  if (exchange == "NSE" || exchange == "NFO" || exchange == "BSE" || exchange == "BFO") {
    auto parsed = calendar::ParseExchange(exchange);
    TD_CHECK(parsed.ok());
    return &calendar::ExchangeCalendar::Get(*parsed);
  }
  return nullptr;
}

std::string_view StatusWord(BrokerOrderStatus status) {
  switch (status) {
    case BrokerOrderStatus::kOpen: return "open";
    case BrokerOrderStatus::kFilled: return "filled";
    case BrokerOrderStatus::kCanceled: return "cancelled";
    case BrokerOrderStatus::kRejected: return "rejected";
    case BrokerOrderStatus::kExpired: return "expired";
  }
  return "closed";
}

Quantity ZeroQty(Quantity like) { return Quantity::FromRaw(0, like.precision()); }

Quantity MinQty(Quantity a, Quantity b) { return a < b ? a : b; }

}  // namespace

PaperBroker::Scope::~Scope() {
  if (--broker_.depth_ == 0) {
    broker_.Flush();
  }
}

PaperBroker::PaperBroker(PaperBrokerConfig config, Clock& clock, std::unique_ptr<FillModel> fill_model,
                         std::unique_ptr<FeeModel> fee_model, std::unique_ptr<LatencyModel> latency_model)
    : config_(std::move(config)),
      clock_(clock),
      fill_model_(std::move(fill_model)),
      fee_model_(std::move(fee_model)),
      latency_model_(std::move(latency_model)),
      venue_order_prefix_(config_.venue_prefix + "-"),
      trade_prefix_(config_.venue_prefix + "-F") {
  TD_CHECK(fill_model_ && fee_model_ && latency_model_) << "the paper broker needs all three models";
  for (const auto& [key, cutoff] : config_.mis_cutoffs) {
    ScheduleSquareOff(key);
  }
}

PaperBroker::~PaperBroker() {
  for (const auto& name : pending_alarms_) {
    clock_.Cancel(name);
  }
}

Status PaperBroker::AddInstrument(const Instrument& instrument) {
  if (auto status = instrument.Validate(); !status.ok()) {
    return status;
  }
  instruments_.insert_or_assign(instrument.id, instrument);
  expired_from_.erase(instrument.id);
  if (instrument.expiry) {
    // The instant the contract counts as expired (local midnight after its expiry day), found once here so the
    // submit path compares two integers instead of converting every order's time to the exchange's date.
    if (const calendar::ExchangeCalendar* cal = CalendarFor(instrument.exchange()); cal != nullptr) {
      const CivilDate next_day = CivilFromDays(DaysFromCivil(*instrument.expiry) + 1);
      if (auto instant = cal->time_zone().ToUtc(calendar::LocalDateTime{next_day, 0, 0, 0, 0}); instant.ok()) {
        expired_from_.insert_or_assign(instrument.id, *instant);
      }
    }
  }
  for (auto& book : books_) {
    book.RegisterInstrument(instrument);
  }
  return {};
}

const Instrument* PaperBroker::FindInstrument(const InstrumentId& id) const {
  auto it = instruments_.find(id);
  return it == instruments_.end() ? nullptr : &it->second;
}

std::string PaperBroker::NextName(std::string_view kind) {
  // The counter leads so that alarms due at the same instant fire in creation order (ties go by name).
  return "paper-" + Padded(++next_timer_) + "-" + std::string(kind);
}

void PaperBroker::SetAlarm(std::string name, UnixNanos at, std::function<void()> work) {
  pending_alarms_.insert(name);
  auto status = clock_.SetAlarm(name, at, [this, name, work = std::move(work)](const TimeEvent&) {
    pending_alarms_.erase(name);
    work();
  });
  TD_CHECK(status.ok()) << status.error().ToString();
}

// ------------------------------------------------------------------------------------------ market data

std::optional<Price> PaperBroker::Mark(const InstrumentId& id) const {
  auto it = tops_.find(id);
  if (it == tops_.end()) {
    return std::nullopt;
  }
  const TopOfBook& top = it->second;
  if (top.last) {
    return top.last;
  }
  if (top.bid && top.ask) {
    return Midpoint(*top.bid, *top.ask);
  }
  return top.bid ? top.bid : top.ask;
}

std::optional<double> PaperBroker::UnderlyingPrice(const Instrument& instrument) const {
  if (instrument.underlying.empty()) {
    return std::nullopt;
  }
  auto mark = Mark(instrument.underlying);
  if (!mark) {
    return std::nullopt;
  }
  return mark->AsDouble();
}

void PaperBroker::OnQuote(const QuoteTick& quote) {
  Scope scope(*this);
  TopOfBook& top = tops_[quote.instrument_id];
  // A one-sided or crossed quote still updates what it can prove; a crossed book is never traded against.
  if (quote.bid.is_positive() && quote.ask.is_positive() && quote.bid > quote.ask) {
    log_.Warn("crossed quote ignored", {{"instrument", quote.instrument_id.value()}});
    return;
  }
  top.bid = quote.bid.is_positive() ? std::optional<Price>(quote.bid) : std::nullopt;
  top.ask = quote.ask.is_positive() ? std::optional<Price>(quote.ask) : std::nullopt;
  top.bid_size = quote.bid_size;
  top.ask_size = quote.ask_size;
  top.bid_left = quote.bid_size.is_positive() ? std::optional(quote.bid_size) : std::nullopt;
  top.ask_left = quote.ask_size.is_positive() ? std::optional(quote.ask_size) : std::nullopt;
  if (auto mark = Mark(quote.instrument_id)) {
    for (auto& book : books_) {
      book.UpdateMark(quote.instrument_id, *mark);
    }
  }
  std::vector<ClientOrderId> working;
  for (const auto& [sequence, id] : open_by_sequence_) {
    working.push_back(id);
  }
  for (const auto& id : working) {
    WorkingOrder& order = orders_.at(id);
    if (order.status != BrokerOrderStatus::kOpen || order.command.instrument_id != quote.instrument_id) {
      continue;
    }
    Match(order, /*aggressive=*/false);
  }
}

void PaperBroker::OnTrade(const TradeTick& trade) {
  Scope scope(*this);
  if (!trade.price.is_positive()) {
    return;
  }
  tops_[trade.instrument_id].last = trade.price;
  for (auto& book : books_) {
    book.UpdateMark(trade.instrument_id, trade.price);
  }
  std::vector<ClientOrderId> working;
  for (const auto& [sequence, id] : open_by_sequence_) {
    working.push_back(id);
  }
  for (const auto& id : working) {
    WorkingOrder& order = orders_.at(id);
    if (order.status == BrokerOrderStatus::kOpen && order.command.instrument_id == trade.instrument_id) {
      MatchTrade(order, trade.price, trade.size);
    }
  }
}

// ------------------------------------------------------------------------------------------- requests

template <typename Request, typename Process>
void PaperBroker::Arrive(const Request& request, Process process) {
  const UnixNanos now = clock_.Now();
  const Duration delay = latency_model_->RequestDelay();
  if (delay <= Duration::zero() && last_arrival_ <= now) {
    process(request);
    return;
  }
  // One session is one ordered channel: a later request never overtakes an earlier one.
  const UnixNanos at = std::max(now + delay, last_arrival_);
  last_arrival_ = at;
  SetAlarm(NextName("request"), at, [this, request, process] {
    Scope scope(*this);
    process(request);
  });
}

void PaperBroker::Submit(const execution::SubmitOrder& command) {
  Scope scope(*this);
  if (command.client_order_id.empty() || !seen_client_ids_.insert(command.client_order_id).second) {
    // The only id we could answer under belongs to the existing order: a reject would end that order.
    ++duplicate_submits_;
    log_.Warn("duplicate client order id: submit dropped, no second order",
              {{"client_order_id", command.client_order_id.value()}});
    return;
  }
  Arrive(command, [this](const execution::SubmitOrder& c) { ProcessSubmit(c); });
}

void PaperBroker::Modify(const execution::ModifyOrder& command, const std::optional<VenueOrderId>& /*venue_id*/) {
  Scope scope(*this);
  Arrive(command, [this](const execution::ModifyOrder& c) { ProcessModify(c); });
}

void PaperBroker::Cancel(const execution::CancelOrder& command, const std::optional<VenueOrderId>& /*venue_id*/) {
  Scope scope(*this);
  Arrive(command, [this](const execution::CancelOrder& c) { ProcessCancel(c); });
}

std::string PaperBroker::CheckTerms(const Instrument& instrument, Quantity quantity, const std::optional<Price>& price,
                                    const std::optional<Price>& trigger, OrderType type, Side side) const {
  if (!quantity.is_positive()) {
    return "quantity must be positive";
  }
  if (!quantity.IsMultipleOf(instrument.lot_size)) {
    return "quantity " + quantity.ToString() + " is not a multiple of the lot size " + instrument.lot_size.ToString();
  }
  if (NeedsLimitPrice(type) && !price) {
    return std::string(ToString(type)) + " order needs a price";
  }
  if (NeedsTriggerPrice(type) && !trigger) {
    return std::string(ToString(type)) + " order needs a trigger price";
  }
  if (NeedsLimitPrice(type)) {
    if (!price->is_positive()) {
      return "price must be positive";
    }
    if (!instrument.IsOnTick(*price)) {
      return "price " + price->ToString() + " is not a multiple of the tick size " + instrument.tick_size.ToString();
    }
  }
  if (NeedsTriggerPrice(type)) {
    if (!trigger->is_positive()) {
      return "trigger price must be positive";
    }
    if (!instrument.IsOnTick(*trigger)) {
      return "trigger price " + trigger->ToString() + " is not a multiple of the tick size " +
             instrument.tick_size.ToString();
    }
  }
  if (type == OrderType::kStopLimit) {
    if (side == Side::kBuy && *trigger > *price) {
      return "a BUY SL order needs trigger price <= limit price";
    }
    if (side == Side::kSell && *trigger < *price) {
      return "a SELL SL order needs trigger price >= limit price";
    }
  }
  return {};
}

std::string PaperBroker::CheckSession(const Instrument& instrument, Product product) const {
  if (!config_.enforce_market_hours) {
    return {};
  }
  const calendar::ExchangeCalendar* cal = CalendarFor(instrument.exchange());
  if (cal == nullptr) {
    return "market closed: no trading calendar for exchange " + std::string(instrument.exchange());
  }
  const UnixNanos now = clock_.Now();
  auto status = cal->StatusAt(now);
  if (!status.ok()) {
    return "market closed: " + status.error().message;
  }
  if (status->status != calendar::MarketStatus::kOpen) {
    return "market closed for " + std::string(instrument.exchange()) + " (next open " +
           status->next_open.ToIso8601() + ")";
  }
  if (product == Product::kMis) {
    auto cutoff = config_.mis_cutoffs.find(instrument.exchange());
    if (cutoff != config_.mis_cutoffs.end()) {
      const calendar::LocalDateTime local = cal->time_zone().ToLocal(now);
      if (local.hour * 60 + local.minute >= cutoff->second.hour * 60 + cutoff->second.minute) {
        char text[8];
        std::snprintf(text, sizeof text, "%02d:%02d", cutoff->second.hour, cutoff->second.minute);
        return std::string("MIS orders are not accepted after the ") + text + " square-off";
      }
    }
  }
  return {};
}

std::optional<double> PaperBroker::MarginPerUnitFor(const Instrument& instrument, Product product, Side side,
                                                    OrderType type, const std::optional<Price>& price,
                                                    const std::optional<Price>& trigger) const {
  std::optional<Price> reference;
  if (NeedsLimitPrice(type)) {
    reference = price;
  } else if (type == OrderType::kStopMarket) {
    reference = trigger;
  } else if (auto it = tops_.find(instrument.id); it != tops_.end()) {
    reference = side == Side::kBuy ? it->second.ask : it->second.bid;
    if (!reference) {
      reference = it->second.last;
    }
  }
  if (!reference) {
    return std::nullopt;
  }
  return MarginPerUnit(config_.margin, instrument, product, side, reference->AsDouble(), UnderlyingPrice(instrument));
}

Quantity PaperBroker::OpeningQuantity(const InstrumentId& id, Product product, Side side, Quantity quantity) const {
  if (product == Product::kCnc && side == Side::kSell) {
    return ZeroQty(quantity);  // a delivery sale only ever reduces (holdings are checked separately)
  }
  const std::int64_t net = Book(product).NetQuantityRaw(id);
  const bool closes = (net > 0 && side == Side::kSell) || (net < 0 && side == Side::kBuy);
  if (!closes) {
    return quantity;
  }
  const std::int64_t closable = std::min(std::abs(net), quantity.raw());
  return Quantity::FromRaw(quantity.raw() - closable, quantity.precision());
}

std::string PaperBroker::Validate(const execution::SubmitOrder& command, const Instrument& instrument) const {
  if (instrument.kind == InstrumentKind::kIndex) {
    return "an index is not tradable";
  }
  if (auto why = CheckTerms(instrument, command.quantity, command.price, command.trigger_price, command.type,
                            command.side);
      !why.empty()) {
    return why;
  }
  if (instrument.expiry) {
    bool expired = false;
    if (auto from = expired_from_.find(instrument.id); from != expired_from_.end()) {
      expired = clock_.Now() >= from->second;
    } else if (const calendar::ExchangeCalendar* cal = CalendarFor(instrument.exchange()); cal != nullptr) {
      expired = instrument.IsExpiredAsOf(cal->time_zone().LocalDate(clock_.Now()));
    }
    if (expired) {
      return "contract expired on " + calendar::FormatCivilDate(*instrument.expiry);
    }
  }
  if (command.product == Product::kCnc && instrument.IsDerivative()) {
    return "product CNC is for equity delivery; use NRML or MIS for derivatives";
  }
  if (command.product == Product::kNrml && !instrument.IsDerivative()) {
    return "product NRML is for derivatives; use CNC or MIS for equities";
  }
  if (auto why = CheckSession(instrument, command.product); !why.empty()) {
    return why;
  }
  if (NeedsTriggerPrice(command.type)) {
    auto top = tops_.find(instrument.id);
    if (top != tops_.end() && top->second.last) {
      const Price last = *top->second.last;
      const Price trigger = *command.trigger_price;
      if (command.side == Side::kBuy && trigger <= last) {
        return "trigger price " + trigger.ToString() + " is at or below the last trade " + last.ToString() +
               ": a BUY stop would trigger at once";
      }
      if (command.side == Side::kSell && trigger >= last) {
        return "trigger price " + trigger.ToString() + " is at or above the last trade " + last.ToString() +
               ": a SELL stop would trigger at once";
      }
    }
  }
  if (command.product == Product::kCnc && command.side == Side::kSell) {
    std::int64_t sellable = std::max<std::int64_t>(0, Book(Product::kCnc).NetQuantityRaw(instrument.id));
    if (auto h = holdings_.find(instrument.id); h != holdings_.end()) {
      sellable += h->second.qty_raw;
    }
    for (const auto& [sequence, id] : open_by_sequence_) {
      const WorkingOrder& other = orders_.at(id);
      if (other.command.instrument_id == instrument.id && other.command.product == Product::kCnc &&
          other.command.side == Side::kSell) {
        sellable -= (other.quantity - other.filled).raw();
      }
    }
    if (command.quantity.raw() > sellable) {
      return "insufficient holdings: CNC sell of " + command.quantity.ToString() + " exceeds the " +
             Quantity::FromRaw(std::max<std::int64_t>(sellable, 0), command.quantity.precision()).ToString() +
             " held";
    }
  }
  auto per_unit = MarginPerUnitFor(instrument, command.product, command.side, command.type, command.price,
                                   command.trigger_price);
  if (!per_unit) {
    return "no market price to value the order: no quote or trade seen for " + instrument.id.value();
  }
  const Quantity opening = OpeningQuantity(instrument.id, command.product, command.side, command.quantity);
  const double required = *per_unit * opening.AsDouble();
  const double available = Available();
  if (required > available + 1e-6) {
    return "insufficient funds: margin required " + Money(required) + ", available " + Money(available);
  }
  return {};
}

void PaperBroker::ProcessSubmit(const execution::SubmitOrder& command) {
  WorkingOrder order;
  order.command = command;
  order.sequence = ++next_sequence_;
  order.venue_order_id = VenueOrderId::Sequenced(venue_order_prefix_, order.sequence, 12);
  order.quantity = command.quantity;
  order.price = command.price;
  order.trigger_price = command.trigger_price;
  order.filled = ZeroQty(command.quantity);
  order.opening_leaves = ZeroQty(command.quantity);

  const Instrument* instrument = FindInstrument(command.instrument_id);
  std::string why = instrument == nullptr ? "unknown instrument " + command.instrument_id.value()
                                          : Validate(command, *instrument);
  if (!why.empty()) {
    order.status = BrokerOrderStatus::kRejected;
    order.reason = why;
    const UnixNanos now = clock_.Now();
    orders_.insert_or_assign(command.client_order_id, order);
    Emit(execution::OrderRejected{command.client_order_id, why, now, now});
    return;
  }
  order.opening_leaves = OpeningQuantity(command.instrument_id, command.product, command.side, command.quantity);
  order.margin_per_unit = MarginPerUnitFor(*instrument, command.product, command.side, command.type, command.price,
                                           command.trigger_price)
                              .value_or(0.0);
  Accept(std::move(order));
}

void PaperBroker::Accept(WorkingOrder order) {
  const UnixNanos now = clock_.Now();
  auto it = orders_.try_emplace(order.command.client_order_id).first;
  it->second = std::move(order);
  const ClientOrderId& id = it->first;
  WorkingOrder& placed = it->second;
  open_by_sequence_.emplace_hint(open_by_sequence_.end(), placed.sequence, id);
  Emit(execution::OrderAccepted{id, placed.venue_order_id, now, now});
  Match(placed, /*aggressive=*/true);
  if (placed.status != BrokerOrderStatus::kOpen) {
    return;
  }
  if (placed.command.time_in_force == TimeInForce::kIoc && !NeedsTriggerPrice(placed.command.type)) {
    CloseOrder(placed, BrokerOrderStatus::kCanceled);
    placed.reason = "IOC: unfilled quantity cancelled";
    Emit(execution::OrderCanceled{id, now, now});
    return;
  }
  placed.resting = !NeedsTriggerPrice(placed.command.type);
}

void PaperBroker::ProcessModify(const execution::ModifyOrder& command) {
  const UnixNanos now = clock_.Now();
  auto reject = [&](std::string why) {
    Emit(execution::OrderModifyRejected{command.client_order_id, std::move(why), now, now});
  };
  auto it = orders_.find(command.client_order_id);
  if (it == orders_.end()) {
    reject("unknown order");
    return;
  }
  WorkingOrder& order = it->second;
  if (order.status != BrokerOrderStatus::kOpen) {
    reject("order is " + std::string(StatusWord(order.status)) + ": nothing to modify");
    return;
  }
  const Instrument& instrument = *FindInstrument(order.command.instrument_id);
  const Quantity quantity = command.quantity.value_or(order.quantity);
  const std::optional<Price> price = command.price ? command.price : order.price;
  const std::optional<Price> trigger = command.trigger_price ? command.trigger_price : order.trigger_price;
  if (auto why = CheckTerms(instrument, quantity, price, trigger, order.command.type, order.command.side);
      !why.empty()) {
    reject(why);
    return;
  }
  if (quantity <= order.filled) {
    reject("quantity " + quantity.ToString() + " must exceed the filled " + order.filled.ToString());
    return;
  }
  if (NeedsTriggerPrice(order.command.type) && !order.triggered) {
    auto top = tops_.find(instrument.id);
    if (top != tops_.end() && top->second.last &&
        (order.command.side == Side::kBuy ? *trigger <= *top->second.last : *trigger >= *top->second.last)) {
      reject("trigger price " + trigger->ToString() + " already crossed by the last trade " +
             top->second.last->ToString());
      return;
    }
  }
  const double per_unit =
      MarginPerUnitFor(instrument, order.command.product, order.command.side, order.command.type, price, trigger)
          .value_or(order.margin_per_unit);
  const Quantity leaves = quantity - order.filled;
  const Quantity opening = MinQty(leaves, OpeningQuantity(instrument.id, order.command.product,
                                                          order.command.side, leaves));
  const double extra = per_unit * opening.AsDouble() - order.margin_per_unit * order.opening_leaves.AsDouble();
  if (extra > 0 && extra > Available() + 1e-6) {
    reject("insufficient funds: modify needs " + Money(extra) + " more margin, available " + Money(Available()));
    return;
  }
  order.quantity = quantity;
  order.price = price;
  order.trigger_price = trigger;
  order.margin_per_unit = per_unit;
  order.opening_leaves = opening;
  Emit(execution::OrderModified{order.command.client_order_id, quantity, price, trigger, now, now});
  // New terms may cross the book: they take liquidity like a new order.
  Match(order, /*aggressive=*/true);
}

void PaperBroker::ProcessCancel(const execution::CancelOrder& command) {
  const UnixNanos now = clock_.Now();
  auto it = orders_.find(command.client_order_id);
  if (it == orders_.end()) {
    Emit(execution::OrderCancelRejected{command.client_order_id, "unknown order", now, now});
    return;
  }
  WorkingOrder& order = it->second;
  if (order.status != BrokerOrderStatus::kOpen) {
    const std::string why = order.status == BrokerOrderStatus::kFilled
                                ? "order already filled"
                                : "order is " + std::string(StatusWord(order.status)) + ": nothing to cancel";
    Emit(execution::OrderCancelRejected{command.client_order_id, why, now, now});
    return;
  }
  CloseOrder(order, BrokerOrderStatus::kCanceled);
  order.reason = "cancelled by request";
  Emit(execution::OrderCanceled{command.client_order_id, now, now});
}

// ------------------------------------------------------------------------------------------- matching

void PaperBroker::Match(WorkingOrder& order, bool aggressive) {
  if (order.status != BrokerOrderStatus::kOpen) {
    return;
  }
  const OrderType type = order.command.type;
  if (NeedsTriggerPrice(type) && !order.triggered) {
    return;
  }
  const Instrument& instrument = *FindInstrument(order.command.instrument_id);
  TopOfBook& top = tops_[instrument.id];
  const bool buy = order.command.side == Side::kBuy;
  const std::optional<Price> touch = buy ? top.ask : top.bid;
  std::optional<Quantity>& left = buy ? top.ask_left : top.bid_left;
  if (touch && left && left->is_zero()) {
    return;  // this quote's size went to orders ahead of us
  }
  Quantity displayed = left.value_or(ZeroQty(order.quantity));
  Price px;
  const bool market = type == OrderType::kMarket || type == OrderType::kStopMarket;
  if (market) {
    if (touch) {
      const Price slip = instrument.tick_size * config_.market_slippage_ticks;
      px = buy ? *touch + slip : *touch - slip;
      if (!px.is_positive()) {
        px = instrument.tick_size;
      }
    } else if (top.last) {
      px = *top.last;  // no quote on this side: the last trade is the only price there is
      displayed = ZeroQty(displayed);
    } else {
      return;  // nothing to price against yet: wait for data
    }
  } else {
    if (!touch) {
      return;
    }
    const Price limit = *order.price;
    if (buy ? *touch > limit : *touch < limit) {
      return;
    }
    // Taking liquidity gets the touch (price improvement); a resting order the market came through trades at
    // its own price.
    px = aggressive || !order.resting ? *touch : limit;
  }
  const Quantity leaves = order.quantity - order.filled;
  const Quantity qty = fill_model_->FillQuantity(leaves, displayed, instrument.lot_size);
  if (!qty.is_positive()) {
    return;
  }
  TD_CHECK(qty <= leaves) << "fill model overfilled";
  if (touch && left) {
    *left = left->raw() > qty.raw() ? *left - qty : ZeroQty(qty);
  }
  Fill(order, qty, px);
}

void PaperBroker::MatchTrade(WorkingOrder& order, Price trade_price, Quantity trade_size) {
  const OrderType type = order.command.type;
  const bool buy = order.command.side == Side::kBuy;
  if (NeedsTriggerPrice(type) && !order.triggered) {
    const Price trigger = *order.trigger_price;
    if (buy ? trade_price < trigger : trade_price > trigger) {
      return;
    }
    order.triggered = true;  // SL-M becomes a market order, SL a limit order, entering the book now
    Match(order, /*aggressive=*/true);
    if (order.status == BrokerOrderStatus::kOpen) {
      order.resting = true;
    }
    return;
  }
  if (type == OrderType::kMarket || type == OrderType::kStopMarket) {
    Match(order, /*aggressive=*/true);  // a market order that found no price until now
    return;
  }
  // A print strictly through a resting limit proves the queue at that price was cleared.
  const Price limit = *order.price;
  if (!order.resting || (buy ? trade_price >= limit : trade_price <= limit)) {
    return;
  }
  const Instrument& instrument = *FindInstrument(order.command.instrument_id);
  const Quantity qty = fill_model_->FillQuantity(order.quantity - order.filled, trade_size, instrument.lot_size);
  if (qty.is_positive()) {
    Fill(order, qty, limit);
  }
}

void PaperBroker::Fill(WorkingOrder& order, Quantity qty, Price px) {
  const UnixNanos now = clock_.Now();
  const Instrument& instrument = *FindInstrument(order.command.instrument_id);
  order.filled += qty;
  order.fill_notional += px.AsDouble() * qty.AsDouble();
  ++order.fill_count;
  const Quantity leaves = order.quantity - order.filled;
  order.opening_leaves = MinQty(order.opening_leaves, leaves);

  const TradeId trade_id = TradeId::Sequenced(trade_prefix_, ++next_fill_, 12);
  const Charges charges = fee_model_->Compute(
      FeeInput{&instrument, order.command.side, order.command.product, qty, px, order.fill_count == 1});
  charges_total_ += charges.Total().AsDouble();
  ApplyFillToBooks(order, qty, px, trade_id);
  trades_.push_back(TradeRow{trade_id, order.command.client_order_id, order.venue_order_id, instrument.id,
                             order.command.side, order.command.product, qty, px, charges, now});
  Emit(execution::OrderFilled{order.command.client_order_id, order.venue_order_id, trade_id, instrument.id,
                              order.command.side, qty, px, order.filled, now, now});
  if (leaves.is_zero()) {
    CloseOrder(order, BrokerOrderStatus::kFilled);
  }
}

void PaperBroker::ApplyFillToBooks(const WorkingOrder& order, Quantity qty, Price px, const TradeId& trade_id) {
  const InstrumentId& id = order.command.instrument_id;
  Quantity to_book = qty;
  if (order.command.product == Product::kCnc && order.command.side == Side::kSell) {
    // A delivery sale first closes today's delivery buys, then draws on holdings.
    const std::int64_t today_long = std::max<std::int64_t>(0, Book(Product::kCnc).NetQuantityRaw(id));
    const std::int64_t from_today = std::min(today_long, qty.raw());
    const std::int64_t from_holdings = qty.raw() - from_today;
    if (from_holdings > 0) {
      Holding& holding = holdings_[id];
      TD_CHECK(holding.qty_raw >= from_holdings) << "CNC sale beyond holdings passed validation";
      const double multiplier = FindInstrument(id)->multiplier.AsDouble();
      const double units = static_cast<double>(from_holdings) / static_cast<double>(kFixedScale);
      holding.realised += (px.AsDouble() - holding.avg_cost) * units * multiplier;
      holding.qty_raw -= from_holdings;
    }
    to_book = Quantity::FromRaw(from_today, qty.precision());
  }
  if (to_book.is_positive()) {
    auto status = Book(order.command.product).ApplyFill(id, order.command.side, to_book, px, trade_id);
    TD_CHECK(status.ok()) << status.error().ToString();
  }
}

void PaperBroker::CloseOrder(WorkingOrder& order, BrokerOrderStatus status) {
  order.status = status;
  order.opening_leaves = ZeroQty(order.opening_leaves);
  open_by_sequence_.erase(order.sequence);
}

// ------------------------------------------------------------------------------------ events and time

void PaperBroker::Emit(OrderEvent event) { outbox_.push_back(std::move(event)); }

void PaperBroker::Flush() {
  if (flushing_) {
    return;  // the outer flush picks these up after the events queued before them
  }
  flushing_ = true;
  while (!outbox_.empty()) {
    OrderEvent event = std::move(outbox_.front());
    outbox_.pop_front();
    const UnixNanos now = clock_.Now();
    const Duration delay = latency_model_->ReportDelay();
    if (delay <= Duration::zero() && last_delivery_ <= now) {
      Deliver(std::move(event));
      continue;
    }
    // Reports travel one ordered channel too: an ack is never overtaken by its fill.
    const UnixNanos at = std::max(now + delay, last_delivery_);
    last_delivery_ = at;
    SetAlarm(NextName("report"), at, [this, event = std::move(event)]() mutable { Deliver(std::move(event)); });
  }
  flushing_ = false;
}

void PaperBroker::Deliver(OrderEvent event) {
  const UnixNanos now = clock_.Now();
  std::visit([now](auto& e) { e.ts_init = now; }, event);
  if (sink_ != nullptr) {
    sink_->OnOrderEvent(event);
  }
}

void PaperBroker::ScheduleSquareOff(const std::string& key) {
  const calendar::ExchangeCalendar* cal = CalendarFor(key);
  auto cutoff = config_.mis_cutoffs.find(key);
  if (cal == nullptr || cutoff == config_.mis_cutoffs.end()) {
    log_.Warn("no calendar for MIS square-off: not scheduled", {{"exchange", key}});
    return;
  }
  const UnixNanos now = clock_.Now();
  CivilDate date = cal->time_zone().LocalDate(now);
  for (int attempt = 0; attempt < 15; ++attempt) {
    auto trades = cal->IsTradingDay(date);
    if (!trades.ok()) {
      log_.Warn("MIS square-off not scheduled", {{"exchange", key}, {"why", trades.error().message}});
      return;
    }
    if (*trades) {
      calendar::LocalDateTime local{date, cutoff->second.hour, cutoff->second.minute, 0, 0};
      auto at = cal->time_zone().ToUtc(local, {calendar::NonexistentPolicy::kShiftForward,
                                               calendar::AmbiguousPolicy::kEarliest});
      if (at.ok() && *at > now) {
        SetAlarm("paper-squareoff-" + key, *at, [this, key] {
          SquareOffMis(key);
          ScheduleSquareOff(key);
        });
        return;
      }
    }
    date = CivilFromDays(DaysFromCivil(date) + 1);
  }
}

void PaperBroker::SquareOffMis(std::string_view cutoff_key) {
  Scope scope(*this);
  const UnixNanos now = clock_.Now();
  std::vector<ClientOrderId> working;
  for (const auto& [sequence, id] : open_by_sequence_) {
    working.push_back(id);
  }
  for (const auto& id : working) {
    WorkingOrder& order = orders_.at(id);
    if (order.command.product == Product::kMis && order.command.instrument_id.exchange() == cutoff_key) {
      CloseOrder(order, BrokerOrderStatus::kCanceled);
      order.reason = "MIS square-off";
      Emit(execution::OrderCanceled{id, now, now});
    }
  }
  std::vector<std::pair<InstrumentId, std::int64_t>> open_positions;
  for (const auto& [id, position] : Book(Product::kMis).positions()) {
    if (id.exchange() == cutoff_key && !position.is_flat()) {
      open_positions.emplace_back(id, position.net_raw);
    }
  }
  for (const auto& [id, net] : open_positions) {
    const Instrument& instrument = *FindInstrument(id);
    execution::SubmitOrder command;
    command.client_order_id = ClientOrderId::Sequenced("SQOFF-", ++next_squareoff_, 12);
    command.strategy_id = StrategyId::Of("EXTERNAL");
    command.instrument_id = id;
    command.side = net > 0 ? Side::kSell : Side::kBuy;
    command.type = OrderType::kMarket;
    command.product = Product::kMis;
    command.quantity = Quantity::FromRaw(std::abs(net), instrument.lot_size.precision());
    command.ts_init = now;
    seen_client_ids_.insert(command.client_order_id);
    Emit(execution::OrderInitialized{command.client_order_id, command.strategy_id, id, command.side, command.type,
                                     command.product, command.time_in_force, command.quantity, std::nullopt,
                                     std::nullopt, /*external=*/true, now, now});
    WorkingOrder order;
    order.command = command;
    order.sequence = ++next_sequence_;
    order.venue_order_id = VenueOrderId::Sequenced(venue_order_prefix_, order.sequence, 12);
    order.quantity = command.quantity;
    order.filled = ZeroQty(command.quantity);
    order.opening_leaves = ZeroQty(command.quantity);
    Accept(std::move(order));
  }
}

void PaperBroker::EndOfDay() {
  Scope scope(*this);
  const UnixNanos now = clock_.Now();
  std::vector<ClientOrderId> working;
  for (const auto& [sequence, id] : open_by_sequence_) {
    working.push_back(id);
  }
  for (const auto& id : working) {
    WorkingOrder& order = orders_.at(id);
    if (order.command.time_in_force == TimeInForce::kDay) {
      CloseOrder(order, BrokerOrderStatus::kExpired);
      order.reason = "day order expired at end of day";
      Emit(execution::OrderExpired{id, now, now});
    }
  }
  portfolio::Portfolio& cnc = Book(Product::kCnc);
  archived_realised_ += cnc.RealisedPnl();
  for (const auto& [id, position] : cnc.positions()) {
    if (position.net_raw <= 0) {
      continue;
    }
    Holding& holding = holdings_[id];
    const double old_units = static_cast<double>(holding.qty_raw);
    const double new_units = static_cast<double>(position.net_raw);
    holding.avg_cost = (holding.avg_cost * old_units + position.avg_px * new_units) / (old_units + new_units);
    holding.qty_raw += position.net_raw;
  }
  cnc = portfolio::Portfolio{};
  for (const auto& [id, instrument] : instruments_) {
    cnc.RegisterInstrument(instrument);
    if (auto mark = Mark(id)) {
      cnc.UpdateMark(id, *mark);
    }
  }
  for (auto& book : books_) {
    book.StartNewDay();
  }
}

// ---------------------------------------------------------------------------------------------- views

double PaperBroker::PositionMargin(const InstrumentId& id, Product product, const portfolio::Position& position) const {
  if (position.is_flat()) {
    return 0.0;
  }
  const Instrument& instrument = *FindInstrument(id);
  const Side side = position.net_raw > 0 ? Side::kBuy : Side::kSell;
  return MarginPerUnit(config_.margin, instrument, product, side, position.avg_px, UnderlyingPrice(instrument)) *
         std::abs(position.net_qty());
}

double PaperBroker::TotalUsedMargin() const {
  double used = 0.0;
  for (std::size_t p = 0; p < books_.size(); ++p) {
    for (const auto& [id, position] : books_[p].positions()) {
      used += PositionMargin(id, static_cast<Product>(p), position);
    }
  }
  for (const auto& [sequence, id] : open_by_sequence_) {
    const WorkingOrder& order = orders_.at(id);
    used += order.margin_per_unit * order.opening_leaves.AsDouble();
  }
  return used;
}

double PaperBroker::HoldingsCost() const {
  double cost = 0.0;
  for (const auto& [id, holding] : holdings_) {
    cost += holding.avg_cost * static_cast<double>(holding.qty_raw) / static_cast<double>(kFixedScale) *
            FindInstrument(id)->multiplier.AsDouble();
  }
  return cost;
}

FundsSnapshot PaperBroker::Funds() const {
  FundsSnapshot funds;
  funds.realised_pnl = archived_realised_;
  for (const auto& book : books_) {
    funds.realised_pnl += book.RealisedPnl();
    funds.unrealised_pnl += book.UnrealisedPnl();
  }
  for (const auto& row : Holdings()) {
    funds.unrealised_pnl += row.pnl;
  }
  for (const auto& [id, holding] : holdings_) {
    funds.realised_pnl += holding.realised;
  }
  funds.used_margin = TotalUsedMargin();
  funds.charges = charges_total_;
  // M2M losses reduce what can be used; M2M gains are not spendable until realised (as brokers do).
  funds.available = config_.starting_capital + funds.realised_pnl - funds.charges - funds.used_margin -
                    HoldingsCost() + std::min(funds.unrealised_pnl, 0.0);
  return funds;
}

double PaperBroker::Available() const { return Funds().available; }

std::vector<PositionRow> PaperBroker::Positions() const {
  std::vector<PositionRow> rows;
  for (std::size_t p = 0; p < books_.size(); ++p) {
    const auto product = static_cast<Product>(p);
    for (const auto& [id, position] : books_[p].positions()) {
      rows.push_back(PositionRow{id, product, position.net_raw, position.avg_px, Mark(id), position.realised_pnl,
                                 position.UnrealisedPnl(), PositionMargin(id, product, position)});
    }
  }
  return rows;
}

std::vector<HoldingRow> PaperBroker::Holdings() const {
  std::vector<HoldingRow> rows;
  for (const auto& [id, holding] : holdings_) {
    if (holding.qty_raw == 0) {
      continue;
    }
    const Instrument& instrument = *FindInstrument(id);
    const auto mark = Mark(id);
    const double units = static_cast<double>(holding.qty_raw) / static_cast<double>(kFixedScale);
    const double pnl = mark ? (mark->AsDouble() - holding.avg_cost) * units * instrument.multiplier.AsDouble() : 0.0;
    rows.push_back(HoldingRow{id, Quantity::FromRaw(holding.qty_raw, instrument.lot_size.precision()),
                              holding.avg_cost, mark, pnl});
  }
  return rows;
}

Result<double> PaperBroker::RequiredMargin(const execution::SubmitOrder& command) const {
  const Instrument* instrument = FindInstrument(command.instrument_id);
  if (instrument == nullptr) {
    return Error::NotFound("unknown instrument " + command.instrument_id.value(), "instrument_id");
  }
  auto per_unit = MarginPerUnitFor(*instrument, command.product, command.side, command.type, command.price,
                                   command.trigger_price);
  if (!per_unit) {
    return Error::Unprocessable("no market price to value the order", "price");
  }
  return *per_unit * OpeningQuantity(instrument->id, command.product, command.side, command.quantity).AsDouble();
}

// -------------------------------------------------------------------------------------- restart recovery

void PaperBroker::ContinueNumberingAfter(std::string_view id) {
  auto counter_after = [&](std::string_view prefix, std::uint64_t& counter) {
    if (!id.starts_with(prefix)) {
      return false;
    }
    std::uint64_t value = 0;
    const std::string_view digits = id.substr(prefix.size());
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc() && end == digits.data() + digits.size()) {
      counter = std::max(counter, value);
    }
    return true;
  };
  (void)(counter_after(trade_prefix_, next_fill_) ||
         counter_after(venue_order_prefix_, next_sequence_) || counter_after("SQOFF-", next_squareoff_));
}

Status PaperBroker::RestoreFill(const execution::SubmitOrder& order, const VenueOrderId& venue_order_id,
                                const TradeId& trade_id, Quantity quantity, Price price, bool first_fill,
                                UnixNanos ts) {
  const Instrument* instrument = FindInstrument(order.instrument_id);
  if (instrument == nullptr) {
    return Error::NotFound("unknown instrument " + order.instrument_id.value(), "instrument_id");
  }
  WorkingOrder booked;
  booked.command = order;
  const Charges charges =
      fee_model_->Compute(FeeInput{instrument, order.side, order.product, quantity, price, first_fill});
  charges_total_ += charges.Total().AsDouble();
  ApplyFillToBooks(booked, quantity, price, trade_id);
  trades_.push_back(TradeRow{trade_id, order.client_order_id, venue_order_id, instrument->id, order.side,
                             order.product, quantity, price, charges, ts});
  seen_client_ids_.insert(order.client_order_id);
  ContinueNumberingAfter(trade_id.value());
  ContinueNumberingAfter(venue_order_id.value());
  ContinueNumberingAfter(order.client_order_id.value());
  return {};
}

Status PaperBroker::RestoreWorkingOrder(const execution::SubmitOrder& order, const VenueOrderId& venue_order_id,
                                        Quantity filled, double fill_notional, bool triggered) {
  const Instrument* instrument = FindInstrument(order.instrument_id);
  if (instrument == nullptr) {
    return Error::NotFound("unknown instrument " + order.instrument_id.value(), "instrument_id");
  }
  if (filled >= order.quantity) {
    return Error::InvalidArgument("order " + order.client_order_id.str() + " has nothing left to work", "quantity");
  }
  ContinueNumberingAfter(venue_order_id.value());
  ContinueNumberingAfter(order.client_order_id.value());
  seen_client_ids_.insert(order.client_order_id);
  WorkingOrder working;
  working.command = order;
  working.venue_order_id = venue_order_id;
  working.sequence = ++next_sequence_;  // time priority among restored orders follows the journal's order
  working.quantity = order.quantity;
  working.price = order.price;
  working.trigger_price = order.trigger_price;
  working.filled = filled;
  working.fill_notional = fill_notional;
  working.fill_count = filled.is_positive() ? 1 : 0;
  working.triggered = triggered;
  working.resting = !NeedsTriggerPrice(order.type) || triggered;
  working.opening_leaves = OpeningQuantity(order.instrument_id, order.product, order.side, order.quantity - filled);
  working.margin_per_unit =
      MarginPerUnitFor(*instrument, order.product, order.side, order.type, order.price, order.trigger_price)
          .value_or(0.0);
  const ClientOrderId id = order.client_order_id;
  open_by_sequence_.emplace(working.sequence, id);
  orders_.insert_or_assign(id, std::move(working));
  return {};
}

Result<execution::BrokerOrderSnapshot> PaperBroker::QueryOrders() {
  execution::BrokerOrderSnapshot snapshot;
  snapshot.as_of = clock_.Now();
  snapshot.complete = true;
  std::vector<const WorkingOrder*> by_sequence;
  for (const auto& [id, order] : orders_) {
    by_sequence.push_back(&order);
  }
  std::sort(by_sequence.begin(), by_sequence.end(),
            [](const WorkingOrder* a, const WorkingOrder* b) { return a->sequence < b->sequence; });
  for (const WorkingOrder* order : by_sequence) {
    execution::BrokerOrderReport report;
    report.venue_order_id = order->venue_order_id;
    report.client_order_id = order->command.client_order_id;
    report.instrument_id = order->command.instrument_id;
    report.side = order->command.side;
    report.type = order->command.type;
    report.product = order->command.product;
    report.quantity = order->quantity;
    report.filled_qty = order->filled;
    report.avg_fill_px = Price::FromRaw(0, 2);
    if (order->filled.is_positive()) {
      auto avg = Price::FromDouble(order->fill_notional / order->filled.AsDouble(), 6);
      if (avg.ok()) {
        report.avg_fill_px = *avg;
      }
    }
    report.price = order->price;
    report.trigger_price = order->trigger_price;
    report.status = order->status;
    report.reason = order->reason;
    snapshot.orders.push_back(std::move(report));
  }
  return snapshot;
}

}  // namespace td::adapters::paper
