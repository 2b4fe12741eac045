// SPDX-License-Identifier: MIT
#include "system/trading_service.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <variant>

#include "adapters/paper/margin.hpp"
#include "adapters/simulator/universe.hpp"
#include "calendar/expiry.hpp"
#include "core/log.hpp"
#include "execution/execution_engine.hpp"
#include "model/bar.hpp"
#include "model/option_chain.hpp"
#include "model/symbology.hpp"
#include "portfolio/portfolio.hpp"
#include "runtime/kernel.hpp"
#include "system/coach_service.hpp"
#include "system/market_service.hpp"

namespace td::system {
namespace {

using adapters::paper::PaperBroker;
using execution::OrderStatus;

constexpr std::string_view kPollTimer = "trading.price_poll";
constexpr Duration kOneMinute = std::chrono::minutes(1);
// Before an order: far enough back to find the last bar across a long weekend (so a closed market gives a
// stale price with its age, not none). The periodic poll looks back only this short window: a feed with no
// recent bar has no live price to give, and a long history request every second could reach a vendor.
constexpr Duration kOrderLookback = std::chrono::hours(24 * 5);
constexpr Duration kPollLookback = std::chrono::minutes(15);

/// Reads the injected time but keeps its own timers: the market's kernel fires the timers of the clock it was
/// given, ours fires these, and neither ever touches the other's timer table.
class ServiceClock final : public Clock {
 public:
  explicit ServiceClock(const Clock& time) : time_(time) {}
  UnixNanos Now() const override { return time_.Now(); }

 private:
  const Clock& time_;
};

StrategyId ApiStrategy() { return StrategyId::Of("API"); }

/// |raw| as a quantity, shown whole when it is whole.
Quantity AbsQuantity(std::int64_t raw) {
  const std::int64_t magnitude = raw < 0 ? -raw : raw;
  return Quantity::FromRaw(magnitude, magnitude % kFixedScale == 0 ? 0 : 9);
}

using adapters::simulator::OptionSymbology;
using adapters::simulator::UnderlyingSpec;

/// Exchanges whose contracts are F&O (options, and futures for the Indian ones): resolved from the chain.
bool IsDerivativeExchange(std::string_view exchange) {
  return exchange == "NFO" || exchange == "BFO" || exchange == "OPRA";
}

/// The simulated underlying whose contracts list on `option_exchange` under `symbol`, or null.
const UnderlyingSpec* OptionableSpec(std::string_view option_exchange, std::string_view symbol) {
  for (const UnderlyingSpec& spec : adapters::simulator::Universe()) {
    if (spec.option_symbology != OptionSymbology::kNone && spec.option_exchange == option_exchange &&
        spec.symbol == symbol) {
      return &spec;
    }
  }
  return nullptr;
}

std::string OptionableSymbols(std::string_view option_exchange) {
  std::string out;
  for (const UnderlyingSpec& spec : adapters::simulator::Universe()) {
    if (spec.option_symbology != OptionSymbology::kNone && spec.option_exchange == option_exchange) {
      out += (out.empty() ? "" : ", ") + std::string(spec.symbol);
    }
  }
  return out.empty() ? "none" : out;
}

std::string DateText(CivilDate date) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", date.year, date.month, date.day);
  return text;
}

/// `price` moved onto the tick grid: down for a bid, up for an ask.
Price OnTick(Price price, Price tick, bool up) {
  const std::int64_t step = tick.raw();
  std::int64_t ticks = price.raw() / step;
  if (up && ticks * step < price.raw()) {
    ++ticks;
  }
  return Price::FromRaw(ticks * step, tick.precision());
}

struct DerivativeQuote {
  std::optional<Price> bid;
  std::optional<Price> ask;
  std::optional<Price> last;
};

/// A future's price from the options of its expiry (put-call parity at the ATM strike: K + call - put): the
/// bid sells the call and buys the put, the ask the reverse.
std::optional<DerivativeQuote> SyntheticFuture(const ExpirySlice& slice, Price underlying_price, Price tick) {
  auto strike = slice.AtmStrike(underlying_price);
  const StrikeRow* row = strike ? slice.FindRow(*strike) : nullptr;
  if (row == nullptr || !row->call || !row->put) {
    return std::nullopt;
  }
  const OptionQuote& call = *row->call;
  const OptionQuote& put = *row->put;
  DerivativeQuote out;
  if (call.bid && put.ask) {
    out.bid = OnTick(row->strike + *call.bid - *put.ask, tick, false);
  }
  if (call.ask && put.bid) {
    out.ask = OnTick(row->strike + *call.ask - *put.bid, tick, true);
  }
  auto call_mid = call.Mid() ? call.Mid() : call.last;
  auto put_mid = put.Mid() ? put.Mid() : put.last;
  if (call_mid && put_mid) {
    out.last = OnTick(row->strike + *call_mid - *put_mid, tick, false);
  }
  return out;
}

/// Where a derivative's prices come from: its strike and expiry in the underlying's chain.
struct DerivativeSource {
  InstrumentId underlying;
  CivilDate expiry;
  bool future = false;
  Price strike;  // options
  OptionRight right = OptionRight::kCall;
};

/// The prices last fed for an instrument (margin estimates value MARKET orders at them).
struct Touch {
  std::optional<Price> bid;
  std::optional<Price> ask;
  std::optional<Price> last;
  Price underlying;  // derivatives: the underlying's price; zero otherwise
};

/// Hands order views from the engine thread to the listeners on a thread of its own, in order, through a
/// bounded queue (the engine never waits for a listener).
class OrderUpdateNotifier {
 public:
  using Listener = std::function<void(const OrderView&)>;

  OrderUpdateNotifier() : thread_([this] { Run(); }) {}
  ~OrderUpdateNotifier() { Stop(); }
  OrderUpdateNotifier(const OrderUpdateNotifier&) = delete;
  OrderUpdateNotifier& operator=(const OrderUpdateNotifier&) = delete;

  /// Cheap check for the engine thread: views are built only when someone listens.
  bool has_listeners() const { return listener_count_.load(std::memory_order_acquire) > 0; }

  std::uint64_t Add(Listener listener) {
    std::lock_guard lock(listeners_mutex_);
    const std::uint64_t id = ++next_id_;
    listeners_.emplace(id, std::make_shared<Listener>(std::move(listener)));
    listener_count_.store(listeners_.size(), std::memory_order_release);
    return id;
  }

  void Remove(std::uint64_t id) {
    {
      std::lock_guard lock(listeners_mutex_);
      listeners_.erase(id);
      listener_count_.store(listeners_.size(), std::memory_order_release);
    }
    // Wait out a delivery in progress so the listener is never called after Remove returns (a listener removing
    // itself would wait for itself: skip the wait on the notifier thread).
    if (std::this_thread::get_id() != thread_.get_id()) {
      std::lock_guard delivering(delivery_mutex_);
    }
  }

  /// Engine thread: queues one view; drops it when the queue is full.
  bool Push(OrderView view) {
    {
      std::lock_guard lock(queue_mutex_);
      if (queue_.size() >= TradingService::kMaxPendingOrderUpdates) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
      queue_.push_back(std::move(view));
    }
    wake_.notify_one();
    return true;
  }

  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  void Stop() {
    {
      std::lock_guard lock(queue_mutex_);
      if (stopping_) {
        return;
      }
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

 private:
  void Run() {
    std::unique_lock lock(queue_mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) {
        return;
      }
      std::deque<OrderView> batch;
      batch.swap(queue_);
      lock.unlock();
      {
        std::lock_guard delivering(delivery_mutex_);
        for (const OrderView& view : batch) {
          Deliver(view);
        }
      }
      lock.lock();
    }
  }

  void Deliver(const OrderView& view) {
    std::vector<std::pair<std::uint64_t, std::shared_ptr<Listener>>> current;
    {
      std::lock_guard lock(listeners_mutex_);
      current.assign(listeners_.begin(), listeners_.end());
    }
    for (const auto& [id, listener] : current) {
      {
        std::lock_guard lock(listeners_mutex_);
        if (!listeners_.contains(id)) {
          continue;  // removed by an earlier listener of this update
        }
      }
      (*listener)(view);
    }
  }

  std::mutex listeners_mutex_;
  std::map<std::uint64_t, std::shared_ptr<Listener>> listeners_;
  std::uint64_t next_id_ = 0;
  std::atomic<std::size_t> listener_count_{0};
  std::mutex delivery_mutex_;
  std::mutex queue_mutex_;
  std::condition_variable wake_;
  std::deque<OrderView> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> dropped_{0};
  std::thread thread_;  // last: it starts in the constructor and uses everything above
};

}  // namespace

std::string_view OpenAlgoStatus(OrderStatus status) {
  switch (status) {
    case OrderStatus::kFilled: return "complete";
    case OrderStatus::kDenied:
    case OrderStatus::kRejected: return "rejected";
    case OrderStatus::kCanceled:
    case OrderStatus::kExpired: return "cancelled";
    case OrderStatus::kInitialized:
    case OrderStatus::kSubmitted: return "pending";
    case OrderStatus::kAccepted:
    case OrderStatus::kPartiallyFilled:
    case OrderStatus::kPendingUpdate:
    case OrderStatus::kPendingCancel: return "open";
  }
  return "open";
}

risk::RiskLimits TradingServiceOptions::DefaultLimits() {
  risk::RiskLimits limits;
  limits.price_band_fraction = 0.05;
  limits.max_reference_age = std::chrono::seconds(5);
  limits.max_order_quantity = Quantity::FromUnits(10'000);
  limits.max_order_value = 5'000'000.0;
  limits.max_open_orders = 200;
  limits.submit_rate_per_second = 20.0;
  limits.submit_burst = 40.0;
  return limits;
}

struct TradingService::State {
  State(TradingServiceOptions opts, MarketService& market_service, const Clock& time)
      : options(std::move(opts)), market(market_service), clock(time), kernel(clock) {}

  // --- everything below runs on the kernel thread only ---

  Result<Instrument> EnsureInstrument(const InstrumentId& id) {
    if (auto it = instruments.find(id); it != instruments.end()) {
      return it->second;
    }
    if (IsDerivativeExchange(id.exchange())) {
      return EnsureDerivative(id);
    }
    auto info = market.Resolve(id.value());
    if (!info.ok()) {
      return Error::InvalidArgument("unknown symbol " + id.value(), "symbol");
    }
    Result<Instrument> instrument = Error::Internal("unset");
    if (auto facts = FactsOf(info->id)) {
      if (!facts->tradable) {
        return Error::InvalidArgument(info->id.value() + " is an index: it cannot be traded", "symbol");
      }
      instrument = facts->instrument;
    } else {
      if (info->id.exchange().ends_with("_INDEX")) {
        return Error::InvalidArgument(info->id.value() + " is an index: it cannot be traded", "symbol");
      }
      const int precision = std::clamp(info->price_precision, 0, 9);
      const Price tick =
          Price::FromRaw(static_cast<std::int64_t>(std::llround(std::pow(10.0, 9 - precision))), precision);
      instrument = Instrument::Equity(info->id, ContractSpec{tick, Quantity::FromUnits(1), Quantity::FromUnits(1),
                                                             precision});
    }
    if (!instrument.ok()) {
      return instrument.error();
    }
    return Register(*instrument, info->time_zone, std::nullopt);
  }

  Result<Instrument> Register(const Instrument& instrument, const std::string& time_zone,
                              std::optional<Quantity> freeze_qty) {
    if (auto added = broker->AddInstrument(instrument); !added.ok()) {
      return added.error();
    }
    risk->AddInstrument(instrument, freeze_qty);
    portfolio.RegisterInstrument(instrument);
    instruments.emplace(instrument.id, instrument);
    if (freeze_qty) {
      freeze.emplace(instrument.id, *freeze_qty);
    }
    {
      std::lock_guard lock(precision_mutex);
      displays[instrument.id] = InstrumentDisplay{instrument.price_precision, time_zone};
    }
    return instrument;
  }

  /// An option (OpenAlgo symbol on NFO/BFO, OCC symbol on OPRA) or an Indian future: a contract of a simulated
  /// underlying, listed in its chain now. Lot, tick and multiplier come from the underlying's option contract
  /// terms; prices from the chain (RefreshDerivative).
  Result<Instrument> EnsureDerivative(const InstrumentId& id) {
    const std::string_view exchange = id.exchange();
    const UnderlyingSpec* spec = nullptr;
    CivilDate expiry;
    std::optional<Price> strike;
    OptionRight right = OptionRight::kCall;
    if (exchange == "OPRA") {
      auto occ = OccSymbol::Parse(id.symbol());
      if (!occ.ok()) {
        return Error::InvalidArgument("'" + std::string(id.symbol()) + "' is not an OCC option symbol (ROOT + YYMMDD + C|P + strike x 1000 in 8 digits): " + occ.error().message, "symbol");
      }
      spec = OptionableSpec(exchange, occ->root == "SPXW" ? std::string_view("SPX") : std::string_view(occ->root));
      expiry = occ->expiry;
      strike = occ->strike;
      right = occ->right;
    } else {
      auto symbol = OpenAlgoSymbol::Parse(id.symbol());
      if (!symbol.ok()) {
        return Error::InvalidArgument("'" + std::string(id.symbol()) + "' is not an OpenAlgo F&O symbol: " + symbol.error().message, "symbol");
      }
      if (symbol->kind == OpenAlgoSymbolKind::kPlain) {
        return Error::InvalidArgument("'" + std::string(id.symbol()) + "' on " + std::string(exchange) +
                                          " names no contract: use BASE + DDMMMYY + FUT, or + strike + CE|PE",
                                      "symbol");
      }
      spec = OptionableSpec(exchange, symbol->base);
      expiry = symbol->expiry;
      if (symbol->kind == OpenAlgoSymbolKind::kOption) {
        strike = symbol->strike;
        right = symbol->right;
      }
    }
    if (spec == nullptr) {
      return Error::InvalidArgument("no paper contracts for " + id.value() + ": " + std::string(exchange) +
                                        " contracts exist on " + OptionableSymbols(exchange),
                                    "symbol");
    }
    const InstrumentId underlying = InstrumentId::Of(std::string(spec->exchange_code) + ":" + std::string(spec->symbol));
    const ContractSpec terms{Price::FromRaw(std::llround(spec->option_tick * 1e9), spec->option_price_precision),
                             Quantity::FromUnits(spec->lot_size), Quantity::FromUnits(spec->multiplier),
                             spec->option_price_precision};
    auto chain = market.Chain(underlying, expiry);
    Result<Instrument> instrument = Error::Internal("unset");
    if (!chain.ok() || chain->expiries.empty()) {
      if (engine != nullptr) {
        return Error::InvalidArgument("unknown contract " + id.value() + ": " + underlying.value() +
                                          " has no listed expiry on " + DateText(expiry),
                                      "symbol");
      }
      // Replaying the journal: the contract was traded, so it existed; it may since have expired. Keep it as the
      // journal names it so its fills and positions come back (it is no longer priced).
      instrument = strike ? Instrument::Option(id, underlying, expiry, *strike, right, terms)
                          : Instrument::Future(id, underlying, expiry, terms);
    } else if (strike.has_value()) {
      const ExpirySlice& slice = chain->expiries.front();
      const StrikeRow* row = slice.FindRow(*strike);
      const std::optional<OptionQuote>* quote = row != nullptr ? &row->Quote(right) : nullptr;
      if (quote == nullptr || !quote->has_value() || (*quote)->instrument_id.empty()) {
        const auto strikes = slice.Strikes();
        return Error::InvalidArgument("unknown contract " + id.value() + ": strike " + strike->ToString() +
                                          " is not listed for " + DateText(expiry) + " (listed " +
                                          strikes.front().ToString() + " to " + strikes.back().ToString() + ")",
                                      "symbol");
      }
      const InstrumentId listed = (*quote)->instrument_id;
      if (auto it = instruments.find(listed); it != instruments.end()) {
        return it->second;  // the same contract asked under another spelling
      }
      instrument = Instrument::Option(listed, underlying, expiry, *strike, right, terms);
    } else {
      // A future: its expiry must be a listed monthly one.
      auto kind = calendar::ClassifyExpiry(spec->expiry_calendar, spec->symbol, expiry);
      if (!kind.ok() || *kind != calendar::ExpiryKind::kMonthly) {
        return Error::InvalidArgument("unknown contract " + id.value() + ": futures expire on the monthly expiry, " +
                                          DateText(expiry) + " is not one",
                                      "symbol");
      }
      auto canonical = OpenAlgoSymbol::Future(spec->symbol, expiry);
      if (!canonical.ok()) {
        return canonical.error();
      }
      const InstrumentId listed = InstrumentId::Of(std::string(exchange) + ":" + canonical->ToString());
      if (auto it = instruments.find(listed); it != instruments.end()) {
        return it->second;
      }
      instrument = Instrument::Future(listed, underlying, expiry, terms);
    }
    if (!instrument.ok()) {
      return instrument.error();
    }
    std::optional<Quantity> freeze_qty;
    if (auto it = options.freeze_quantities.find(spec->symbol); it != options.freeze_quantities.end()) {
      freeze_qty = Quantity::FromUnits(it->second);
    }
    std::string zone = "UTC";
    if (auto info = market.Resolve(underlying.value()); info.ok()) {
      zone = info->time_zone;
    }
    derivatives[instrument->id] =
        DerivativeSource{underlying, expiry, !strike.has_value(), strike.value_or(Price()), right};
    return Register(*instrument, zone, freeze_qty);
  }

  /// Feeds a contract's chain quote (bid/ask of its strike and expiry; a future's synthetic quote) to the broker
  /// and its last price to risk; the underlying's price too (short-option margin is a share of it).
  void RefreshDerivative(const InstrumentId& id, const DerivativeSource& source) {
    auto chain = market.Chain(source.underlying, source.expiry);
    if (!chain.ok() || chain->expiries.empty()) {
      return;
    }
    const ExpirySlice& slice = chain->expiries.front();
    DerivativeQuote quote;
    if (source.future) {
      auto synthetic = SyntheticFuture(slice, chain->underlying_price, instruments.at(id).tick_size);
      if (!synthetic) {
        return;
      }
      quote = *synthetic;
    } else {
      const StrikeRow* row = slice.FindRow(source.strike);
      if (row == nullptr || !row->Quote(source.right)) {
        return;
      }
      const OptionQuote& listed = *row->Quote(source.right);
      quote = DerivativeQuote{listed.bid, listed.ask, listed.last ? listed.last : listed.Mid()};
    }
    if (quote.bid && !quote.bid->is_positive()) {
      quote.bid.reset();  // nobody bids: a market sell must wait, never fill at zero
    }
    if (quote.ask && !quote.ask->is_positive()) {
      quote.ask.reset();
    }
    const UnixNanos now = clock.Now();
    if (chain->underlying_price.is_positive()) {
      broker->OnTrade(TradeTick{source.underlying, chain->underlying_price, Quantity(), AggressorSide::kNone, now, now});
    }
    if (quote.bid || quote.ask) {
      broker->OnQuote(QuoteTick{id, quote.bid.value_or(Price()), quote.ask.value_or(Price()), Quantity(), Quantity(),
                                now, now});
    }
    if (quote.last && quote.last->is_positive()) {
      auto& fed = last_fed[id];
      if (fed.second != *quote.last) {
        fed = {now, *quote.last};
        broker->OnTrade(TradeTick{id, *quote.last, Quantity(), AggressorSide::kNone, now, now});
      }
      risk->UpdateReferencePrice(id, *quote.last, now);
    }
    touches[id] = Touch{quote.bid, quote.ask, quote.last, chain->underlying_price};
  }

  /// Feeds the last 1-minute close to the broker (when it changed) and to risk as the reference price.
  void RefreshPrice(const InstrumentId& id, Duration lookback = kOrderLookback) {
    if (auto derivative = derivatives.find(id); derivative != derivatives.end()) {
      RefreshDerivative(id, derivative->second);
      return;
    }
    const UnixNanos now = clock.Now();
    static const BarSpec kMinute = *BarSpec::Parse("1m");
    auto bars = market.Bars(id, kMinute, now - lookback, now + kOneMinute);
    if (!bars.ok() || bars->empty()) {
      return;
    }
    const Bar& last = bars->back();
    const UnixNanos bar_end = last.ts_event + kOneMinute;
    const UnixNanos observed = bar_end >= now - options.live_price_window ? now : bar_end;
    auto& fed = last_fed[id];
    if (fed.first != last.ts_event || fed.second != last.close) {
      fed = {last.ts_event, last.close};
      broker->OnQuote(QuoteTick{id, last.close, last.close, Quantity(), Quantity(), observed, now});
      broker->OnTrade(TradeTick{id, last.close, last.volume, AggressorSide::kNone, observed, now});
    }
    risk->UpdateReferencePrice(id, last.close, observed);
    touches[id] = Touch{std::nullopt, std::nullopt, last.close, Price()};
  }

  void PollPrices() {
    std::set<InstrumentId> wanted;
    for (const execution::Order* order : engine->OpenOrders()) {
      wanted.insert(order->instrument_id());
    }
    for (const auto& row : broker->Positions()) {
      if (row.net_raw != 0) {
        wanted.insert(row.instrument_id);
      }
    }
    for (const auto& id : wanted) {
      if (instruments.contains(id)) {
        RefreshPrice(id, kPollLookback);
      }
    }
  }

  void OnEvent(const execution::OrderEvent& event) {
    Record(event);
    // Replayed history (no engine yet) is not news; live changes go to the listeners once applied.
    if (engine != nullptr && notifier.has_listeners()) {
      if (const execution::Order* order = engine->FindOrder(execution::EventOrderId(event))) {
        if (!notifier.Push(View(*order))) {
          log.Warn("order update dropped: the listeners are behind", {{"order", order->client_order_id().value()}});
        }
      }
    }
  }

  void Record(const execution::OrderEvent& event) {
    std::visit(
        [this, &event](const auto& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, execution::OrderDenied>) {
            // The stable code first ("reference_price_stale: ..."), so a client can tell risk refusals apart.
            reasons[e.client_order_id] = e.reason_code.empty() ? e.reason : e.reason_code + ": " + e.reason;
            created.try_emplace(e.client_order_id, e.ts_event);
          } else if constexpr (std::is_same_v<E, execution::OrderSubmitted> ||
                               std::is_same_v<E, execution::OrderInitialized>) {
            created.try_emplace(e.client_order_id, e.ts_event);
          } else if constexpr (std::is_same_v<E, execution::OrderRejected>) {
            reasons[e.client_order_id] = e.reason;
          } else if constexpr (std::is_same_v<E, execution::OrderModifyRejected>) {
            last_modify_reject[e.client_order_id] = e.reason;
          } else if constexpr (std::is_same_v<E, execution::OrderCancelRejected>) {
            last_cancel_reject[e.client_order_id] = e.reason;
          } else if constexpr (std::is_same_v<E, execution::OrderFilled>) {
            if (!instruments.contains(e.instrument_id)) {
              (void)EnsureInstrument(e.instrument_id);  // replayed fill of an instrument not seen this run
            }
            if (auto applied = risk::ApplyToPortfolio(portfolio, event); !applied.ok()) {
              const std::string why = applied.error().ToString();
              log.Warn("fill not applied to the portfolio", {{"error", why}});
            }
            fills.push_back(FillView{e.trade_id, e.client_order_id, e.instrument_id, e.side, Product::kMis,
                                     e.last_qty, e.last_px, e.ts_event});
          }
        },
        event);
  }

  OrderView View(const execution::Order& order) const {
    OrderView view;
    view.order_id = order.client_order_id();
    view.instrument_id = order.instrument_id();
    view.side = order.side();
    view.type = order.type();
    view.product = order.product();
    view.quantity = order.quantity();
    view.filled_qty = order.filled_qty();
    view.avg_px = order.avg_px();
    view.price = order.price();
    view.trigger_price = order.trigger_price();
    view.status = order.status();
    if (auto it = reasons.find(order.client_order_id()); it != reasons.end()) {
      view.reason = it->second;
    }
    auto when = created.find(order.client_order_id());
    view.ts_created = when != created.end() ? when->second : order.ts_last();
    if (auto it = instruments.find(order.instrument_id()); it != instruments.end()) {
      view.price_precision = it->second.price_precision;
    }
    return view;
  }

  Result<PlaceResult> Place(const OrderRequest& request) {
    auto instrument = EnsureInstrument(request.instrument_id);
    if (!instrument.ok()) {
      return instrument.error();
    }
    if (auto limit = freeze.find(instrument->id); limit != freeze.end() && request.quantity > limit->second) {
      return Error::InvalidArgument("quantity " + request.quantity.ToString() + " is above the exchange freeze quantity " +
                                        limit->second.ToString() + " of " + instrument->id.value() +
                                        ": split it (splitorder)",
                                    "quantity");
    }
    RefreshPrice(instrument->id);
    execution::SubmitOrder command;
    command.idempotency_key = request.idempotency_key;
    command.strategy_id = ApiStrategy();
    command.instrument_id = instrument->id;
    command.side = request.side;
    command.type = request.type;
    command.product = request.product;
    command.quantity = request.quantity;
    command.price = request.price;
    command.trigger_price = request.trigger_price;
    auto submitted = engine->Submit(command);
    if (!submitted.ok()) {
      return submitted.error();
    }
    PlaceResult result;
    result.order_id = submitted->client_order_id;
    result.duplicate = submitted->duplicate;
    const execution::Order* order = engine->FindOrder(submitted->client_order_id);
    result.status = order != nullptr ? order->status() : submitted->status;
    if (auto it = reasons.find(result.order_id); it != reasons.end()) {
      result.reason = it->second;
    }
    return result;
  }

  /// The order in `order` placed as one entry of a batch: its outcome, or the error that kept it out.
  LegResult PlaceEntry(std::size_t index, const OrderRequest& order) {
    LegResult out;
    out.index = index;
    out.instrument_id = order.instrument_id;
    out.side = order.side;
    out.quantity = order.quantity;
    auto placed = Place(order);
    if (placed.ok()) {
      out.placed = *placed;
      if (const execution::Order* made = engine->FindOrder(placed->order_id)) {
        out.instrument_id = made->instrument_id();
      }
    } else {
      out.error = placed.error();
    }
    return out;
  }

  /// Positions of `count` entries in execution order: every BUY before any SELL (stable), or as given.
  template <typename SideOf>
  static std::vector<std::size_t> ExecutionOrder(std::size_t count, bool buys_first, SideOf side_of) {
    std::vector<std::size_t> order(count);
    for (std::size_t i = 0; i < count; ++i) {
      order[i] = i;
    }
    if (buys_first) {
      std::stable_partition(order.begin(), order.end(), [&](std::size_t i) { return side_of(i) == Side::kBuy; });
    }
    return order;
  }

  static std::string KeyFor(const std::string& key, std::size_t index) {
    return key.empty() ? std::string() : key + "#" + std::to_string(index);
  }

  Result<OptionsOrderResult> PlaceOptions(const OptionsOrderRequest& request) {
    std::string option_exchange;
    const std::string& exchange = request.exchange;
    if (exchange == "NSE_INDEX" || exchange == "NSE" || exchange == "NFO") {
      option_exchange = "NFO";
    } else if (exchange == "BSE_INDEX" || exchange == "BSE" || exchange == "BFO") {
      option_exchange = "BFO";
    } else if (exchange == "US" || exchange == "OPRA" || exchange == "GLOBAL_INDEX") {
      option_exchange = "OPRA";
    } else {
      return Error::InvalidArgument("exchange must be NSE_INDEX, NSE, NFO, BSE_INDEX, BSE, BFO, US or OPRA, was '" +
                                        exchange + "'",
                                    "exchange");
    }
    auto symbol = OpenAlgoSymbol::Parse(request.underlying);
    if (!symbol.ok() || symbol->kind == OpenAlgoSymbolKind::kOption) {
      return Error::InvalidArgument("underlying must be an index, a stock or a future, was '" + request.underlying + "'",
                                    "underlying");
    }
    const UnderlyingSpec* spec = OptionableSpec(option_exchange, symbol->base);
    if (spec == nullptr) {
      return Error::InvalidArgument("no option chain for '" + symbol->base + "' on " + option_exchange +
                                        " (chains: " + OptionableSymbols(option_exchange) + ")",
                                    "underlying");
    }
    const InstrumentId underlying = InstrumentId::Of(std::string(spec->exchange_code) + ":" + std::string(spec->symbol));
    OptionsOrderResult result;
    result.underlying = underlying;
    std::optional<Price> reference;  // a future named as the reference: strikes sit around its price
    if (symbol->kind == OpenAlgoSymbolKind::kFuture) {
      auto future = EnsureInstrument(InstrumentId::Of(option_exchange + ":" + symbol->ToString()));
      if (!future.ok()) {
        Error error = future.error();
        error.field = "underlying";
        return error;
      }
      RefreshPrice(future->id);
      auto touch = touches.find(future->id);
      if (touch == touches.end() || !touch->second.last) {
        return Error::Unprocessable("no price for the future " + future->id.value() + " yet", "underlying");
      }
      reference = touch->second.last;
      result.underlying = future->id;
      result.underlying_ltp = *reference;
    }
    std::map<std::optional<CivilDate>, OptionChain> chains;
    const auto order = ExecutionOrder(request.legs.size(), true, [&](std::size_t i) { return request.legs[i].side; });
    for (std::size_t position : order) {
      const OptionLegRequest& leg = request.legs[position];
      LegResult out;
      out.index = position + 1;
      out.side = leg.side;
      out.quantity = leg.quantity;
      auto found = chains.find(leg.expiry);
      if (found == chains.end()) {
        auto chain = market.Chain(underlying, leg.expiry);
        if (!chain.ok() || chain->expiries.empty()) {
          out.error = Error::InvalidArgument(
              leg.expiry ? "no listed expiry " + DateText(*leg.expiry) + " for " + underlying.value()
                         : "no option chain for " + underlying.value() + " now",
              "expiry_date");
          result.legs.push_back(std::move(out));
          continue;
        }
        found = chains.emplace(leg.expiry, *std::move(chain)).first;
      }
      const OptionChain& chain = found->second;
      const ExpirySlice& slice = chain.expiries.front();
      const Price around = reference.value_or(chain.underlying_price);
      if (!reference) {
        result.underlying_ltp = chain.underlying_price;
      }
      auto strike = slice.StrikeAtOffset(around, leg.right, leg.offset);
      if (!strike.ok()) {
        out.error = Error::InvalidArgument(strike.error().message, "offset");
        result.legs.push_back(std::move(out));
        continue;
      }
      const StrikeRow* row = slice.FindRow(*strike);
      if (row == nullptr || !row->Quote(leg.right) || row->Quote(leg.right)->instrument_id.empty()) {
        out.error = Error::InvalidArgument("no " + std::string(ToString(leg.right)) + " listed at strike " +
                                               strike->ToString() + " for " + DateText(slice.expiry),
                                           "offset");
        result.legs.push_back(std::move(out));
        continue;
      }
      OrderRequest placed;
      placed.instrument_id = row->Quote(leg.right)->instrument_id;
      placed.side = leg.side;
      placed.type = leg.type;
      placed.product = leg.product;
      placed.quantity = leg.quantity;
      placed.price = leg.price;
      placed.trigger_price = leg.trigger_price;
      placed.strategy = request.strategy;
      placed.idempotency_key = KeyFor(request.idempotency_key, position + 1);
      if (leg.split_size.is_positive()) {
        out.instrument_id = placed.instrument_id;
        auto split = PlaceSplit(placed, leg.split_size);
        if (split.ok()) {
          out.slices = std::move(split->slices);
        } else {
          out.error = split.error();
        }
        result.legs.push_back(std::move(out));
        continue;
      }
      result.legs.push_back(PlaceEntry(position + 1, placed));
    }
    return result;
  }

  /// The largest whole number of lots within a freeze quantity (at least one lot).
  static Quantity WholeLotsWithin(Quantity freeze_qty, Quantity lot) {
    return Quantity::FromRaw(std::max(lot.raw(), freeze_qty.raw() / lot.raw() * lot.raw()), lot.precision());
  }

  /// `quantity` cut into orders the exchange accepts: whole lots of at most the freeze quantity each (one order
  /// when the instrument has no freeze quantity or the quantity is within it).
  std::vector<Quantity> FreezeSlices(const InstrumentId& id, Quantity quantity) {
    auto limit = freeze.find(id);
    if (limit == freeze.end() || quantity <= limit->second) {
      return {quantity};
    }
    auto instrument = EnsureInstrument(id);
    if (!instrument.ok()) {
      return {quantity};
    }
    const std::int64_t slice = WholeLotsWithin(limit->second, instrument->lot_size).raw();
    std::vector<Quantity> out;
    for (std::int64_t left = quantity.raw(); left > 0; left -= slice) {
      out.push_back(Quantity::FromRaw(std::min(left, slice), quantity.precision()));
    }
    return out;
  }

  Result<SplitResult> PlaceSplit(const OrderRequest& request, Quantity slice) {
    auto instrument = EnsureInstrument(request.instrument_id);
    if (!instrument.ok()) {
      return instrument.error();
    }
    SplitResult result;
    result.slice = slice;
    const Quantity lot = instrument->lot_size;
    if (auto limit = freeze.find(instrument->id); limit != freeze.end()) {
      result.freeze_quantity = limit->second;
      if (slice > limit->second) {
        result.slice = WholeLotsWithin(limit->second, lot);
      }
    }
    if (!request.quantity.IsMultipleOf(lot)) {
      return Error::InvalidArgument("quantity " + request.quantity.ToString() + " is not a multiple of the lot " +
                                        lot.ToString() + " of " + instrument->id.value(),
                                    "quantity");
    }
    if (!result.slice.IsMultipleOf(lot)) {
      return Error::InvalidArgument("splitsize " + slice.ToString() + " is not a multiple of the lot " + lot.ToString() +
                                        " of " + instrument->id.value(),
                                    "splitsize");
    }
    const std::int64_t count = (request.quantity.raw() + result.slice.raw() - 1) / result.slice.raw();
    if (count > static_cast<std::int64_t>(TradingService::kMaxSplitOrders)) {
      return Error::InvalidArgument("splitting " + request.quantity.ToString() + " into slices of " +
                                        result.slice.ToString() + " makes " + std::to_string(count) +
                                        " orders; at most " + std::to_string(TradingService::kMaxSplitOrders),
                                    "splitsize");
    }
    std::int64_t left = request.quantity.raw();
    for (std::int64_t n = 1; left > 0; ++n) {
      const std::int64_t raw = std::min(left, result.slice.raw());
      left -= raw;
      OrderRequest part = request;
      part.instrument_id = instrument->id;
      part.quantity = Quantity::FromRaw(raw, request.quantity.precision());
      part.idempotency_key = KeyFor(request.idempotency_key, static_cast<std::size_t>(n));
      result.slices.push_back(PlaceEntry(static_cast<std::size_t>(n), part));
    }
    return result;
  }

  Result<MarginEstimate> Margin(const std::vector<OrderRequest>& positions) {
    MarginEstimate estimate;
    for (std::size_t i = 0; i < positions.size(); ++i) {
      const OrderRequest& position = positions[i];
      const std::string at = "positions[" + std::to_string(i) + "].";
      auto instrument = EnsureInstrument(position.instrument_id);
      if (!instrument.ok()) {
        Error error = instrument.error();
        error.field = at + (error.field.empty() ? "symbol" : error.field);
        return error;
      }
      if (!position.quantity.IsMultipleOf(instrument->lot_size)) {
        return Error::InvalidArgument(at + "quantity " + position.quantity.ToString() + " is not a multiple of the lot " +
                                          instrument->lot_size.ToString() + " of " + instrument->id.value(),
                                      at + "quantity");
      }
      RefreshPrice(instrument->id);
      const Touch touch = touches.contains(instrument->id) ? touches.at(instrument->id) : Touch{};
      std::optional<Price> price;
      if (NeedsLimitPrice(position.type)) {
        price = position.price;
      } else if (NeedsTriggerPrice(position.type)) {
        price = position.trigger_price;
      } else {
        price = position.side == Side::kBuy ? touch.ask : touch.bid;
        if (!price) {
          price = touch.last;
        }
      }
      if (!price || !price->is_positive()) {
        return Error::Unprocessable(at + "no price to value " + instrument->id.value() + ": give a LIMIT price",
                                    at + "price");
      }
      std::optional<double> underlying;
      if (touch.underlying.is_positive()) {
        underlying = touch.underlying.AsDouble();
      }
      const adapters::paper::MarginParts parts = adapters::paper::MarginPartsPerUnit(
          options.broker.margin, *instrument, position.product, position.side, price->AsDouble(), underlying);
      const double units = position.quantity.AsDouble();
      estimate.span += parts.span * units;
      estimate.exposure += parts.exposure * units;
    }
    estimate.total = estimate.span + estimate.exposure;
    return estimate;
  }

  static execution::SubmitOrder TermsOf(const execution::Order& order) {
    execution::SubmitOrder terms;
    terms.client_order_id = order.client_order_id();
    terms.strategy_id = order.strategy_id();
    terms.instrument_id = order.instrument_id();
    terms.side = order.side();
    terms.type = order.type();
    terms.product = order.product();
    terms.time_in_force = order.time_in_force();
    terms.quantity = order.quantity();
    terms.price = order.price();
    terms.trigger_price = order.trigger_price();
    return terms;
  }

  /// Start-up, before the kernel runs: rebuilds the paper venue's funds, positions, holdings and working
  /// orders from the journal (the engine's replayed orders and fills), so a restart changes nothing the
  /// account shows.
  void RestoreVenue() {
    std::set<ClientOrderId> has_fill;
    std::set<InstrumentId> touched;
    for (FillView& fill : fills) {
      const execution::Order* order = engine->FindOrder(fill.order_id);
      if (order == nullptr || !instruments.contains(fill.instrument_id)) {
        log.Warn("journaled fill not restored: order or instrument unknown", {{"order", fill.order_id.value()}});
        continue;
      }
      fill.product = order->product();
      const bool first = has_fill.insert(fill.order_id).second;
      auto restored = broker->RestoreFill(TermsOf(*order), order->venue_order_id().value_or(VenueOrderId()),
                                          fill.trade_id, fill.quantity, fill.price, first, fill.ts);
      if (!restored.ok()) {
        log.Warn("journaled fill not restored", {{"order", fill.order_id.value()}, {"error", restored.error().message}});
      }
      touched.insert(fill.instrument_id);
    }
    for (const execution::Order* order : engine->OpenOrders()) {
      const OrderStatus status = order->status();
      // A cancel that was on the wire when the process stopped is honoured by not working the order again.
      const bool working = status == OrderStatus::kAccepted || status == OrderStatus::kPartiallyFilled ||
                           status == OrderStatus::kPendingUpdate;
      if (!working || !order->venue_order_id().has_value() || !EnsureInstrument(order->instrument_id()).ok()) {
        continue;
      }
      const double notional = order->avg_px() * order->filled_qty().AsDouble();
      auto restored = broker->RestoreWorkingOrder(TermsOf(*order), *order->venue_order_id(), order->filled_qty(),
                                                  notional, order->filled_qty().is_positive());
      if (!restored.ok()) {
        log.Warn("working order not restored", {{"order", order->client_order_id().value()},
                                                {"error", restored.error().message}});
        continue;
      }
      touched.insert(order->instrument_id());
    }
    for (const InstrumentId& id : touched) {
      RefreshPrice(id);  // marks for the restored positions, the reference for risk
    }
  }

  Result<const execution::Order*> WorkingOrder(const ClientOrderId& id) const {
    const execution::Order* order = engine->FindOrder(id);
    if (order == nullptr) {
      return Error::NotFound("order " + id.str() + " not found", "orderid");
    }
    if (!order->is_open()) {
      return Error{ErrorCode::kUnprocessable,
                   "order " + id.str() + " is " + std::string(OpenAlgoStatus(order->status())) + ", not open",
                   "orderid"};
    }
    return order;
  }

  TradingServiceOptions options;
  MarketService& market;
  ServiceClock clock;
  runtime::Kernel kernel;
  std::unique_ptr<PaperBroker> broker;
  portfolio::Portfolio portfolio;
  std::unique_ptr<risk::RiskEngine> risk;
  std::unique_ptr<execution::ExecutionEngine> engine;
  std::map<InstrumentId, Instrument> instruments;
  std::map<InstrumentId, DerivativeSource> derivatives;  // contracts priced from their chain
  std::map<InstrumentId, Quantity> freeze;                // exchange freeze quantities
  std::map<InstrumentId, Touch> touches;
  std::map<InstrumentId, std::pair<UnixNanos, Price>> last_fed;
  std::map<ClientOrderId, std::string> reasons;
  std::map<ClientOrderId, UnixNanos> created;
  std::map<ClientOrderId, std::string> last_modify_reject;
  std::map<ClientOrderId, std::string> last_cancel_reject;
  std::vector<FillView> fills;
  mutable std::mutex precision_mutex;
  std::map<InstrumentId, InstrumentDisplay> displays;  // read by API threads
  std::thread thread;
  Logger log{"trading"};
  OrderUpdateNotifier notifier;
};

template <typename T, typename Fn>
Result<T> TradingService::Call(Fn&& fn) {
  struct Job {
    std::function<Result<T>()> work;
    std::promise<Result<T>> promise;
  };
  auto job = std::make_shared<Job>();
  job->work = std::forward<Fn>(fn);
  std::future<Result<T>> future = job->promise.get_future();
  if (!state_->kernel.Post([job] { job->promise.set_value(job->work()); })) {
    return Error{ErrorCode::kUnavailable, "the trading engine is overloaded; retry", {}};
  }
  if (future.wait_for(state_->options.command_timeout) != std::future_status::ready) {
    // The command may still run: callers treat this as an unknown outcome, never as a refusal.
    return Error{ErrorCode::kTimeout, "the trading engine did not answer in time; check the order book", {}};
  }
  return future.get();
}

Result<std::unique_ptr<TradingService>> TradingService::Start(TradingServiceOptions options, MarketService& market,
                                                              const Clock& time) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return Error::Io("cannot create " + options.data_dir.string() + ": " + ec.message());
  }
  auto state = std::make_unique<State>(std::move(options), market, time);
  State& s = *state;
  s.broker = std::make_unique<PaperBroker>(s.options.broker, s.clock, std::make_unique<adapters::paper::FullFillModel>(),
                                           std::make_unique<adapters::paper::MarketFeeModel>(),
                                           std::make_unique<adapters::paper::FixedLatencyModel>(Duration{0}, Duration{0}));
  s.risk = std::make_unique<risk::RiskEngine>(s.clock, s.options.limits, s.portfolio,
                                              [&s] { return s.engine ? s.engine->OpenOrderCount() : 0; });
  execution::ExecutionEngineOptions engine_options;
  engine_options.journal_path = s.options.data_dir / "orders.journal";
  engine_options.id_prefix = "TD";
  engine_options.journal.fsync = persistence::FsyncPolicy::kEveryFrame;
  engine_options.on_event = [&s](const execution::OrderEvent& event) { s.OnEvent(event); };
  auto engine = execution::ExecutionEngine::Open(std::move(engine_options), s.clock, *s.broker);
  if (!engine.ok()) {
    return engine.error();
  }
  s.engine = std::move(engine).value();
  s.engine->SetGate(s.risk.get());
  // The paper venue keeps its book in memory: after a restart it knows none of our orders. Hand it back what the
  // journal proves (every fill, then the working orders), reconcile (it proves never-acknowledged ones absent),
  // then end what the venue still cannot work as expired.
  s.RestoreVenue();
  if (auto report = s.engine->ReconcileWithBroker(); !report.ok()) {
    const std::string why = report.error().ToString();
    s.log.Warn("reconciliation failed", {{"error", why}});
  }
  std::set<ClientOrderId> worked_by_venue;
  if (auto snapshot = s.broker->QueryOrders(); snapshot.ok()) {
    for (const auto& report : snapshot->orders) {
      if (report.status == execution::BrokerOrderStatus::kOpen && report.client_order_id.has_value()) {
        worked_by_venue.insert(*report.client_order_id);
      }
    }
  }
  std::vector<ClientOrderId> lost;
  for (const execution::Order* order : s.engine->OpenOrders()) {
    if (!worked_by_venue.contains(order->client_order_id())) {
      lost.push_back(order->client_order_id());
    }
  }
  for (const ClientOrderId& id : lost) {
    s.log.Warn("working order lost by the restarted paper venue: expired", {{"order", id.value()}});
    const UnixNanos now = s.clock.Now();
    s.engine->OnOrderEvent(execution::OrderExpired{id, now, now});
  }
  const Duration poll = s.options.price_poll_interval;
  if (auto timer = s.clock.SetTimer(std::string(kPollTimer), poll, s.clock.Now() + poll, std::nullopt,
                                    [&s](const TimeEvent&) { s.PollPrices(); });
      !timer.ok()) {
    return timer.error();
  }
  const std::uint64_t replayed = s.engine->replayed_frames();
  s.thread = std::thread([&s] { s.kernel.Run(); });
  auto service = std::unique_ptr<TradingService>(new TradingService(std::move(state)));
  service->replayed_frames_ = replayed;
  return service;
}

TradingService::TradingService(std::unique_ptr<State> state) : state_(std::move(state)) {}

TradingService::~TradingService() {
  state_->kernel.Stop();
  if (state_->thread.joinable()) {
    state_->thread.join();
  }
  state_->notifier.Stop();
  state_->clock.Cancel(kPollTimer);
}

std::uint64_t TradingService::AddOrderListener(std::function<void(const OrderView&)> listener) {
  return state_->notifier.Add(std::move(listener));
}

void TradingService::RemoveOrderListener(std::uint64_t id) { state_->notifier.Remove(id); }

std::uint64_t TradingService::dropped_order_updates() const { return state_->notifier.dropped(); }

Result<PlaceResult> TradingService::Place(const OrderRequest& request) {
  return Call<PlaceResult>([this, request] { return state_->Place(request); });
}

Result<std::pair<SmartOrderPlan, std::optional<PlaceResult>>> TradingService::PlaceSmart(const OrderRequest& request,
                                                                                         std::int64_t target_raw) {
  using Answer = std::pair<SmartOrderPlan, std::optional<PlaceResult>>;
  return Call<Answer>([this, request, target_raw]() -> Result<Answer> {
    State& s = *state_;
    auto instrument = s.EnsureInstrument(request.instrument_id);
    if (!instrument.ok()) {
      return instrument.error();
    }
    SmartOrderPlan plan;
    for (const auto& row : s.broker->Positions()) {
      if (row.instrument_id == instrument->id && row.product == request.product) {
        plan.current_raw = row.net_raw;
      }
    }
    const std::int64_t difference = target_raw - plan.current_raw;
    if (difference == 0) {
      return Answer{plan, std::nullopt};
    }
    plan.side = difference > 0 ? Side::kBuy : Side::kSell;
    plan.quantity = AbsQuantity(difference);
    OrderRequest order = request;
    order.instrument_id = instrument->id;
    order.side = *plan.side;
    order.quantity = plan.quantity;
    auto placed = s.Place(order);
    if (!placed.ok()) {
      return placed.error();
    }
    return Answer{plan, *placed};
  });
}

Result<OptionsOrderResult> TradingService::PlaceOptions(const OptionsOrderRequest& request) {
  return Call<OptionsOrderResult>([this, request] { return state_->PlaceOptions(request); });
}

Result<std::vector<LegResult>> TradingService::PlaceBatch(const std::vector<OrderRequest>& orders, bool buys_first) {
  return Call<std::vector<LegResult>>([this, orders, buys_first]() -> Result<std::vector<LegResult>> {
    State& s = *state_;
    std::vector<LegResult> out;
    for (std::size_t i : State::ExecutionOrder(orders.size(), buys_first, [&](std::size_t n) { return orders[n].side; })) {
      out.push_back(s.PlaceEntry(i + 1, orders[i]));
    }
    return out;
  });
}

Result<SplitResult> TradingService::PlaceSplit(const OrderRequest& request, Quantity slice) {
  return Call<SplitResult>([this, request, slice] { return state_->PlaceSplit(request, slice); });
}

Result<MarginEstimate> TradingService::Margin(const std::vector<OrderRequest>& positions) {
  return Call<MarginEstimate>([this, positions] { return state_->Margin(positions); });
}

Status TradingService::Modify(const ClientOrderId& id, std::optional<Quantity> quantity, std::optional<Price> price,
                              std::optional<Price> trigger_price, std::string idempotency_key) {
  return Call<void>([this, id, quantity, price, trigger_price, key = std::move(idempotency_key)]() -> Status {
    State& s = *state_;
    auto order = s.WorkingOrder(id);
    if (!order.ok()) {
      return order.error();
    }
    s.RefreshPrice((*order)->instrument_id());
    s.last_modify_reject.erase(id);
    execution::ModifyOrder command;
    command.client_order_id = id;
    command.idempotency_key = key;
    command.strategy_id = ApiStrategy();
    command.quantity = quantity;
    command.price = price;
    command.trigger_price = trigger_price;
    if (auto status = s.engine->Modify(command); !status.ok()) {
      return status;
    }
    if (auto it = s.last_modify_reject.find(id); it != s.last_modify_reject.end()) {
      return Error::Unprocessable("modify refused: " + it->second, "orderid");
    }
    return {};
  });
}

Status TradingService::Cancel(const ClientOrderId& id, std::string idempotency_key) {
  return Call<void>([this, id, key = std::move(idempotency_key)]() -> Status {
    State& s = *state_;
    auto order = s.WorkingOrder(id);
    if (!order.ok()) {
      return order.error();
    }
    s.last_cancel_reject.erase(id);
    if (auto status = s.engine->Cancel(execution::CancelOrder{id, key, ApiStrategy(), s.clock.Now()});
        !status.ok()) {
      return status;
    }
    if (auto it = s.last_cancel_reject.find(id); it != s.last_cancel_reject.end()) {
      return Error::Unprocessable("cancel refused: " + it->second, "orderid");
    }
    return {};
  });
}

BulkResult TradingService::CancelAll() {
  auto result = Call<BulkResult>([this]() -> Result<BulkResult> {
    State& s = *state_;
    BulkResult out;
    for (execution::CancelOrder command : s.engine->CancelAllCommands(ApiStrategy())) {
      const ClientOrderId id = command.client_order_id;
      s.last_cancel_reject.erase(id);
      auto status = s.engine->Cancel(std::move(command));
      if (!status.ok()) {
        out.failed.emplace_back(id, status.error().message);
      } else if (auto it = s.last_cancel_reject.find(id); it != s.last_cancel_reject.end()) {
        out.failed.emplace_back(id, it->second);
      } else {
        out.done.push_back(id);
      }
    }
    return out;
  });
  if (!result.ok()) {
    BulkResult out;
    out.failed.emplace_back(ClientOrderId::Of("all"), result.error().message);
    return out;
  }
  return *std::move(result);
}

Result<BulkResult> TradingService::CloseAllPositions() {
  return Call<BulkResult>([this]() -> Result<BulkResult> {
    State& s = *state_;
    BulkResult out;
    for (const auto& row : s.broker->Positions()) {
      if (row.net_raw == 0) {
        continue;
      }
      OrderRequest request;
      request.instrument_id = row.instrument_id;
      request.side = row.net_raw > 0 ? Side::kSell : Side::kBuy;
      request.type = OrderType::kMarket;
      request.product = row.product;
      // A position above the exchange freeze quantity closes in several orders, each within it.
      for (const Quantity slice : s.FreezeSlices(row.instrument_id, AbsQuantity(row.net_raw))) {
        request.quantity = slice;
        auto placed = s.Place(request);
        if (!placed.ok()) {
          out.failed.emplace_back(ClientOrderId::Of("none"), row.instrument_id.value() + ": " + placed.error().message);
        } else if (placed->status == OrderStatus::kDenied || placed->status == OrderStatus::kRejected) {
          out.failed.emplace_back(placed->order_id, placed->reason);
        } else {
          out.done.push_back(placed->order_id);
        }
      }
    }
    return out;
  });
}

Result<OrderView> TradingService::FindOrder(const ClientOrderId& id) {
  return Call<OrderView>([this, id]() -> Result<OrderView> {
    const execution::Order* order = state_->engine->FindOrder(id);
    if (order == nullptr) {
      return Error::NotFound("order " + id.str() + " not found", "orderid");
    }
    return state_->View(*order);
  });
}

Result<std::vector<OrderView>> TradingService::Orders() {
  return Call<std::vector<OrderView>>([this]() -> Result<std::vector<OrderView>> {
    std::vector<OrderView> out;
    for (const execution::Order& order : state_->engine->orders()) {
      out.push_back(state_->View(order));
    }
    return out;
  });
}

Result<std::vector<FillView>> TradingService::Fills() {
  return Call<std::vector<FillView>>([this]() -> Result<std::vector<FillView>> {
    std::vector<FillView> out = state_->fills;
    for (FillView& fill : out) {
      if (const execution::Order* order = state_->engine->FindOrder(fill.order_id)) {
        fill.product = order->product();
      }
    }
    return out;
  });
}

Result<std::vector<adapters::paper::PositionRow>> TradingService::Positions() {
  return Call<std::vector<adapters::paper::PositionRow>>(
      [this]() -> Result<std::vector<adapters::paper::PositionRow>> { return state_->broker->Positions(); });
}

Result<std::vector<adapters::paper::HoldingRow>> TradingService::Holdings() {
  return Call<std::vector<adapters::paper::HoldingRow>>(
      [this]() -> Result<std::vector<adapters::paper::HoldingRow>> { return state_->broker->Holdings(); });
}

Result<adapters::paper::FundsSnapshot> TradingService::Funds() {
  return Call<adapters::paper::FundsSnapshot>(
      [this]() -> Result<adapters::paper::FundsSnapshot> { return state_->broker->Funds(); });
}

Result<std::int64_t> TradingService::NetPosition(const InstrumentId& id, Product product) {
  return Call<std::int64_t>([this, id, product]() -> Result<std::int64_t> {
    std::int64_t net = 0;
    for (const auto& row : state_->broker->Positions()) {
      if (row.instrument_id == id && row.product == product) {
        net = row.net_raw;
      }
    }
    return net;
  });
}

InstrumentDisplay TradingService::Display(const InstrumentId& id) const {
  std::lock_guard lock(state_->precision_mutex);
  auto it = state_->displays.find(id);
  return it == state_->displays.end() ? InstrumentDisplay{} : it->second;
}

}  // namespace td::system
