// SPDX-License-Identifier: MIT
#include "risk/risk_engine.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace td::risk {

std::string_view ToString(TradingState state) {
  switch (state) {
    case TradingState::kActive:
      return "active";
    case TradingState::kReducing:
      return "reducing";
    case TradingState::kHalted:
      return "halted";
  }
  return "unknown";
}

std::string_view ReasonCode(DenyReason reason) {
  switch (reason) {
    case DenyReason::kTradingHalted:
      return "trading_halted";
    case DenyReason::kReducingOnly:
      return "reducing_only";
    case DenyReason::kUnknownInstrument:
      return "unknown_instrument";
    case DenyReason::kQuantityNotLotMultiple:
      return "quantity_not_lot_multiple";
    case DenyReason::kPriceNotOnTick:
      return "price_not_on_tick";
    case DenyReason::kQuantityAboveMax:
      return "quantity_above_max";
    case DenyReason::kDailyLossLimit:
      return "daily_loss_limit";
    case DenyReason::kReferencePriceMissing:
      return "reference_price_missing";
    case DenyReason::kReferencePriceStale:
      return "reference_price_stale";
    case DenyReason::kPriceOutsideBand:
      return "price_outside_band";
    case DenyReason::kNotionalAboveMax:
      return "notional_above_max";
    case DenyReason::kTooManyOpenOrders:
      return "too_many_open_orders";
    case DenyReason::kThrottled:
      return "throttled";
    case DenyReason::kTooManyPositions:
      return "too_many_positions";
    case DenyReason::kProfitLocked:
      return "profit_locked";
  }
  return "unknown";
}

namespace {

/// A duration as a person reads it: "850 ms", "42 s", "12 min", "23.4 h".
std::string AgeText(Duration age) {
  const std::int64_t ms = age.count() / 1'000'000;
  if (ms < 10'000) {
    return std::to_string(ms) + " ms";
  }
  if (ms < 600'000) {
    return std::to_string(ms / 1000) + " s";
  }
  if (ms < 10'800'000) {
    return std::to_string(ms / 60'000) + " min";
  }
  const std::int64_t tenths_of_hours = ms / 360'000;
  return std::to_string(tenths_of_hours / 10) + "." + std::to_string(tenths_of_hours % 10) + " h";
}

}  // namespace

TokenBucket::TokenBucket(double rate_per_second, double capacity, UnixNanos now)
    : rate_(rate_per_second), capacity_(capacity), tokens_(capacity), last_(now) {
  TD_CHECK(rate_ > 0.0 && capacity_ >= 1.0) << "token bucket needs a positive rate and a capacity of at least 1";
}

void TokenBucket::Refill(UnixNanos now) {
  if (now <= last_) {
    return;
  }
  const double elapsed = static_cast<double>((now - last_).count()) / 1e9;
  tokens_ = std::min(capacity_, tokens_ + elapsed * rate_);
  last_ = now;
}

bool TokenBucket::TryTake(UnixNanos now) {
  Refill(now);
  if (tokens_ < 1.0) {
    return false;
  }
  tokens_ -= 1.0;
  return true;
}

double TokenBucket::tokens(UnixNanos now) {
  Refill(now);
  return tokens_;
}

Result<std::vector<Quantity>> SplitByFreeze(Quantity total, Quantity freeze_qty, Quantity lot_size) {
  if (!lot_size.is_positive()) {
    return Error::InvalidArgument("lot size must be positive", "lot_size");
  }
  if (!total.is_positive() || !total.IsMultipleOf(lot_size)) {
    return Error::InvalidArgument(
        "quantity " + total.ToString() + " is not a positive multiple of the lot " + lot_size.ToString(), "quantity");
  }
  if (freeze_qty < lot_size) {
    return Error::InvalidArgument("freeze quantity is below one lot", "freeze_qty");
  }
  const std::int64_t lots_per_child = freeze_qty.raw() / lot_size.raw();
  const std::int64_t child_raw = detail::CheckedMul(lots_per_child, lot_size.raw());
  const int precision = std::max(total.precision(), lot_size.precision());
  std::vector<Quantity> out;
  std::int64_t left = total.raw();
  while (left > 0) {
    const std::int64_t take = std::min(left, child_raw);
    out.push_back(Quantity::FromRaw(take, precision));
    left -= take;
  }
  return out;
}

Status ApplyToPortfolio(portfolio::Portfolio& portfolio, const execution::OrderEvent& event) {
  if (const auto* fill = std::get_if<execution::OrderFilled>(&event)) {
    return portfolio.ApplyFill(fill->instrument_id, fill->side, fill->last_qty, fill->last_px, fill->trade_id);
  }
  return {};
}

RiskEngine::RiskEngine(const Clock& clock, RiskLimits limits, const portfolio::Portfolio& portfolio,
                       std::function<std::size_t()> open_order_count)
    : clock_(clock),
      limits_(limits),
      portfolio_(portfolio),
      open_order_count_(std::move(open_order_count)),
      throttle_(limits.submit_rate_per_second, limits.submit_burst, clock.Now()) {}

void RiskEngine::AddInstrument(const Instrument& instrument, std::optional<Quantity> freeze_qty) {
  instruments_[instrument.id] = InstrumentRisk{instrument, freeze_qty};
}

void RiskEngine::UpdateReferencePrice(const InstrumentId& instrument_id, Price price, UnixNanos ts) {
  references_[instrument_id] = Reference{price, ts};
  SamplePnl();
}

void RiskEngine::SamplePnl() {
  peak_day_pnl_ = std::max(peak_day_pnl_, portfolio_.DayPnl());
}

std::vector<execution::CancelOrder> RiskEngine::SetTradingState(TradingState state,
                                                                std::span<const execution::Order* const> open_orders) {
  const TradingState previous = state_;
  state_ = state;
  std::vector<execution::CancelOrder> cancels;
  if (state == TradingState::kHalted && previous != TradingState::kHalted) {
    const UnixNanos now = clock_.Now();
    for (const execution::Order* order : open_orders) {
      if (order->is_open() && order->status() != execution::OrderStatus::kPendingCancel) {
        cancels.push_back(execution::CancelOrder{order->client_order_id(), {}, StrategyId::Of("RISK"), now});
      }
    }
  }
  return cancels;
}

bool RiskEngine::IncreasesExposure(const InstrumentId& instrument_id, Side side, Quantity qty) const {
  const std::int64_t net = portfolio_.NetQuantityRaw(instrument_id);
  const std::int64_t after = detail::CheckedAdd(net, SignOf(side) * qty.raw());
  if (after == 0) {
    return false;
  }
  const bool crosses = net != 0 && (after > 0) != (net > 0);
  return crosses || std::abs(after) > std::abs(net);
}

execution::OrderDenied RiskEngine::Deny(const execution::SubmitOrder& command, DenyReason reason,
                                        std::string text) const {
  const UnixNanos now = clock_.Now();
  return execution::OrderDenied{command.client_order_id, std::string(ReasonCode(reason)), std::move(text), now, now};
}

std::optional<execution::OrderDenied> RiskEngine::CheckSubmit(const execution::SubmitOrder& c) {
  return CheckTerms(c, true, true);
}

std::optional<execution::OrderModifyRejected> RiskEngine::CheckModify(const execution::Order& order,
                                                                      const execution::ModifyOrder& command) {
  execution::SubmitOrder terms;
  terms.client_order_id = order.client_order_id();
  terms.strategy_id = order.strategy_id();
  terms.instrument_id = order.instrument_id();
  terms.side = order.side();
  terms.type = order.type();
  terms.product = order.product();
  terms.quantity = command.quantity.value_or(order.quantity());
  terms.price = command.price ? command.price : order.price();
  terms.trigger_price = command.trigger_price ? command.trigger_price : order.trigger_price();
  const bool grows = terms.quantity > order.quantity();
  std::optional<execution::OrderDenied> denied;
  if (state_ == TradingState::kReducing && IncreasesExposure(terms.instrument_id, terms.side, order.leaves_qty())) {
    denied = Deny(terms, DenyReason::kReducingOnly, "trading is reducing-only: this order adds to the position");
  } else {
    denied = CheckTerms(terms, false, grows);
  }
  if (!denied) {
    return std::nullopt;
  }
  return execution::OrderModifyRejected{order.client_order_id(), denied->reason_code + ": " + denied->reason,
                                        denied->ts_event, denied->ts_init};
}

std::optional<execution::OrderDenied> RiskEngine::CheckTerms(const execution::SubmitOrder& c, bool new_order,
                                                             bool exposure_check) {
  SamplePnl();
  if (state_ == TradingState::kHalted) {
    return Deny(c, DenyReason::kTradingHalted, "trading is halted (kill switch)");
  }
  auto found = instruments_.find(c.instrument_id);
  if (found == instruments_.end()) {
    return Deny(c, DenyReason::kUnknownInstrument, "no risk data for " + c.instrument_id.value());
  }
  const Instrument& ins = found->second.instrument;
  if (!c.quantity.IsMultipleOf(ins.lot_size)) {
    return Deny(c, DenyReason::kQuantityNotLotMultiple,
                "quantity " + c.quantity.ToString() + " is not a multiple of the lot " + ins.lot_size.ToString());
  }
  for (const auto& px : {c.price, c.trigger_price}) {
    if (px && !ins.IsOnTick(*px)) {
      return Deny(c, DenyReason::kPriceNotOnTick,
                  "price " + px->ToString() + " is not a multiple of the tick " + ins.tick_size.ToString());
    }
  }
  if (limits_.max_order_quantity.is_positive() && c.quantity > limits_.max_order_quantity) {
    return Deny(c, DenyReason::kQuantityAboveMax,
                "quantity " + c.quantity.ToString() + " above the maximum " + limits_.max_order_quantity.ToString());
  }
  const bool increases = exposure_check && IncreasesExposure(c.instrument_id, c.side, c.quantity);
  if (state_ == TradingState::kReducing && increases) {
    return Deny(c, DenyReason::kReducingOnly, "trading is reducing-only: this order would increase the position");
  }
  if (limits_.max_daily_loss > 0.0 && increases && portfolio_.DayPnl() <= -limits_.max_daily_loss) {
    return Deny(c, DenyReason::kDailyLossLimit,
                "day P&L " + std::to_string(portfolio_.DayPnl()) + " has reached the loss limit; exits only");
  }
  if (limits_.lock_profit_trigger > 0.0 && increases && peak_day_pnl_ >= limits_.lock_profit_trigger &&
      portfolio_.DayPnl() <= limits_.lock_profit_trigger * limits_.lock_profit_keep_fraction) {
    return Deny(c, DenyReason::kProfitLocked,
                "day P&L fell from " + std::to_string(peak_day_pnl_) + " to " + std::to_string(portfolio_.DayPnl()) +
                    ": the locked profit is kept; exits only");
  }
  if (new_order && limits_.max_open_positions > 0 && increases && portfolio_.NetQuantityRaw(c.instrument_id) == 0) {
    std::size_t open = 0;
    for (const auto& [id, position] : portfolio_.positions()) {
      open += position.net_raw != 0 ? 1 : 0;
    }
    if (open >= limits_.max_open_positions) {
      return Deny(c, DenyReason::kTooManyPositions,
                  "already " + std::to_string(open) + " open positions (maximum " +
                      std::to_string(limits_.max_open_positions) + ")");
    }
  }
  auto ref = references_.find(c.instrument_id);
  if (ref == references_.end() || !ref->second.price.is_positive()) {
    return Deny(c, DenyReason::kReferencePriceMissing, "no live reference price for " + c.instrument_id.value());
  }
  const UnixNanos now = clock_.Now();
  if (now - ref->second.ts > limits_.max_reference_age) {
    return Deny(c, DenyReason::kReferencePriceStale,
                "the last price of " + c.instrument_id.value() + " is from " + ref->second.ts.ToIso8601() + ", " +
                    AgeText(now - ref->second.ts) + " ago (the limit is " + AgeText(limits_.max_reference_age) +
                    "): orders need a live price, which a closed session or a silent feed does not give");
  }
  const double reference = ref->second.price.AsDouble();
  const double low = reference * (1.0 - limits_.price_band_fraction);
  const double high = reference * (1.0 + limits_.price_band_fraction);
  for (const auto& px : {c.price, c.trigger_price}) {
    if (px && (px->AsDouble() < low || px->AsDouble() > high)) {
      return Deny(c, DenyReason::kPriceOutsideBand,
                  "price " + px->ToString() + " outside the band around reference " + ref->second.price.ToString());
    }
  }
  const double multiplier = ins.multiplier.is_zero() ? 1.0 : ins.multiplier.AsDouble();
  const double value = (c.price ? c.price->AsDouble() : reference) * c.quantity.AsDouble() * multiplier;
  if (limits_.max_order_value > 0.0 && value > limits_.max_order_value) {
    return Deny(
        c, DenyReason::kNotionalAboveMax,
        "order value " + std::to_string(value) + " above the maximum " + std::to_string(limits_.max_order_value));
  }
  if (new_order && limits_.max_open_orders > 0 && open_order_count_ && open_order_count_() >= limits_.max_open_orders) {
    return Deny(c, DenyReason::kTooManyOpenOrders,
                "already " + std::to_string(limits_.max_open_orders) + " open orders");
  }
  if (!throttle_.TryTake(now)) {
    return Deny(c, DenyReason::kThrottled, "order rate above the submit throttle");
  }
  return std::nullopt;
}

Result<std::vector<execution::SubmitOrder>> RiskEngine::SplitForFreeze(const execution::SubmitOrder& command) const {
  auto found = instruments_.find(command.instrument_id);
  if (found == instruments_.end() || !found->second.freeze_qty || command.quantity <= *found->second.freeze_qty) {
    return std::vector<execution::SubmitOrder>{command};
  }
  auto parts = SplitByFreeze(command.quantity, *found->second.freeze_qty, found->second.instrument.lot_size);
  if (!parts.ok()) {
    return parts.error();
  }
  std::vector<execution::SubmitOrder> children;
  children.reserve(parts->size());
  for (std::size_t i = 0; i < parts->size(); ++i) {
    execution::SubmitOrder child = command;
    child.client_order_id = ClientOrderId{};
    child.quantity = (*parts)[i];
    if (!command.idempotency_key.empty()) {
      child.idempotency_key = command.idempotency_key + "#" + std::to_string(i + 1);
    }
    children.push_back(std::move(child));
  }
  return children;
}

}  // namespace td::risk
