// SPDX-License-Identifier: MIT
#include "system/trading_service.hpp"

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <variant>

#include "core/log.hpp"
#include "execution/execution_engine.hpp"
#include "model/bar.hpp"
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
    if (auto added = broker->AddInstrument(*instrument); !added.ok()) {
      return added.error();
    }
    risk->AddInstrument(*instrument);
    portfolio.RegisterInstrument(*instrument);
    instruments.emplace(instrument->id, *instrument);
    {
      std::lock_guard lock(precision_mutex);
      displays[instrument->id] = InstrumentDisplay{instrument->price_precision, info->time_zone};
    }
    return *instrument;
  }

  /// Feeds the last 1-minute close to the broker (when it changed) and to risk as the reference price.
  void RefreshPrice(const InstrumentId& id, Duration lookback = kOrderLookback) {
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

  Result<const execution::Order*> WorkingOrder(const ClientOrderId& id) const {
    const execution::Order* order = engine->FindOrder(id);
    if (order == nullptr) {
      return Error::NotFound("order " + id.value() + " not found", "orderid");
    }
    if (!order->is_open()) {
      return Error{ErrorCode::kUnprocessable,
                   "order " + id.value() + " is " + std::string(OpenAlgoStatus(order->status())) + ", not open",
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
  // The paper venue keeps its book in memory: after a restart it knows none of our orders. Reconcile first (it
  // proves never-acknowledged ones absent), then end what the venue no longer works as expired.
  if (auto report = s.engine->ReconcileWithBroker(); !report.ok()) {
    const std::string why = report.error().ToString();
    s.log.Warn("reconciliation failed", {{"error", why}});
  }
  std::vector<ClientOrderId> lost;
  for (const execution::Order* order : s.engine->OpenOrders()) {
    lost.push_back(order->client_order_id());
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
      request.quantity = AbsQuantity(row.net_raw);
      auto placed = s.Place(request);
      if (!placed.ok()) {
        out.failed.emplace_back(ClientOrderId::Of("none"), row.instrument_id.value() + ": " + placed.error().message);
      } else if (placed->status == OrderStatus::kDenied || placed->status == OrderStatus::kRejected) {
        out.failed.emplace_back(placed->order_id, placed->reason);
      } else {
        out.done.push_back(placed->order_id);
      }
    }
    return out;
  });
}

Result<OrderView> TradingService::FindOrder(const ClientOrderId& id) {
  return Call<OrderView>([this, id]() -> Result<OrderView> {
    const execution::Order* order = state_->engine->FindOrder(id);
    if (order == nullptr) {
      return Error::NotFound("order " + id.value() + " not found", "orderid");
    }
    return state_->View(*order);
  });
}

Result<std::vector<OrderView>> TradingService::Orders() {
  return Call<std::vector<OrderView>>([this]() -> Result<std::vector<OrderView>> {
    std::vector<OrderView> out;
    for (const auto& [id, order] : state_->engine->orders()) {
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
