// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/paper/paper_broker.hpp"
#include "core/clock.hpp"
#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "execution/order.hpp"
#include "model/order_types.hpp"
#include "risk/risk_engine.hpp"

namespace td::system {

class MarketService;

struct TradingServiceOptions {
  std::filesystem::path data_dir;  // the order journal lives at <data_dir>/orders.journal
  adapters::paper::PaperBrokerConfig broker;
  risk::RiskLimits limits = DefaultLimits();
  /// How often the prices of instruments with working orders or open positions are refreshed.
  Duration price_poll_interval = std::chrono::seconds(1);
  /// A last bar that ended longer ago than this is not a live price: the risk reference keeps the bar's own
  /// time, so the risk engine calls it stale.
  Duration live_price_window = std::chrono::minutes(3);
  /// How long an API call waits for the trading thread before answering "unavailable".
  Duration command_timeout = std::chrono::seconds(5);

  /// Limits for a paper account of ₹1 crore: 5% price band, 10 000 units and 5 000 000 per order, 200 open
  /// orders, 20 submits per second (burst 40).
  static risk::RiskLimits DefaultLimits();
};

/// How an instrument's prices and times are shown.
struct InstrumentDisplay {
  int price_precision = 2;
  std::string time_zone = "UTC";
};

/// A new order as the API hands it over (already validated for shape).
struct OrderRequest {
  InstrumentId instrument_id;
  Side side = Side::kBuy;
  OrderType type = OrderType::kMarket;
  Product product = Product::kMis;
  Quantity quantity;
  std::optional<Price> price;
  std::optional<Price> trigger_price;
  std::string strategy;         // the client's strategy tag (kept for display; orders are tagged "API")
  std::string idempotency_key;  // empty: none, every request is a new order
};

/// What happened to a new order: its id and status; `reason` says why a denied or rejected order was refused.
struct PlaceResult {
  ClientOrderId order_id;
  execution::OrderStatus status = execution::OrderStatus::kInitialized;
  bool duplicate = false;
  std::string reason;
};

/// A read-only copy of one order, for the order book.
struct OrderView {
  ClientOrderId order_id;
  InstrumentId instrument_id;
  Side side = Side::kBuy;
  OrderType type = OrderType::kMarket;
  Product product = Product::kMis;
  Quantity quantity;
  Quantity filled_qty;
  double avg_px = 0.0;
  std::optional<Price> price;
  std::optional<Price> trigger_price;
  execution::OrderStatus status = execution::OrderStatus::kInitialized;
  std::string reason;  // last reject/deny/cancel text
  UnixNanos ts_created;
  int price_precision = 2;
};

/// One fill, as journaled (survives restarts).
struct FillView {
  TradeId trade_id;
  ClientOrderId order_id;
  InstrumentId instrument_id;
  Side side = Side::kBuy;
  Product product = Product::kMis;
  Quantity quantity;
  Price price;
  UnixNanos ts;
};

/// Per-order outcome of a bulk action (cancel all, close all).
struct BulkResult {
  std::vector<ClientOrderId> done;
  std::vector<std::pair<ClientOrderId, std::string>> failed;
};

/// The smart order's plan: the trade that moves the net position to the target, or nothing.
struct SmartOrderPlan {
  std::int64_t current_raw = 0;
  std::optional<Side> side;  // nullopt: already at the target
  Quantity quantity;
};

/// The paper account behind the OpenAlgo API: ExecutionEngine (journal fsynced per frame) + RiskEngine (the
/// engine's pre-trade gate) + PaperBroker + a journal-fed Portfolio, all owned by ONE thread (a
/// runtime::Kernel). Every public call posts a command to that thread and waits up to `command_timeout` for
/// the reply, so API threads never touch the engines. Prices: the last 1-minute bar close from MarketService,
/// fed to the broker (as trade and zero-spread quote) and to risk, for instruments with working orders or open
/// positions (polled) and for an instrument just before an order on it. Start-up replays the journal and
/// reconciles with the (fresh) paper venue. Thread-safe.
class TradingService {
 public:
  /// `market` and `time` must outlive the service. The service keeps its own timers (on a clock that reads
  /// `time`), so it never fires the market's timers.
  static Result<std::unique_ptr<TradingService>> Start(TradingServiceOptions options, MarketService& market,
                                                       const Clock& time);
  ~TradingService();
  TradingService(const TradingService&) = delete;
  TradingService& operator=(const TradingService&) = delete;

  /// Errors: unknown or untradable instrument (field "symbol"), engine unavailable.
  Result<PlaceResult> Place(const OrderRequest& request);
  /// Plans the trade to reach `target_raw` (signed raw units) in (instrument, product) against the current
  /// net position, and places it when there is one (nullopt result = no action required).
  Result<std::pair<SmartOrderPlan, std::optional<PlaceResult>>> PlaceSmart(const OrderRequest& request,
                                                                          std::int64_t target_raw);
  /// Modifies a working order. Errors: unknown order (kNotFound, field "orderid"), not working, refused.
  Status Modify(const ClientOrderId& id, std::optional<Quantity> quantity, std::optional<Price> price,
                std::optional<Price> trigger_price, std::string idempotency_key);
  /// Cancels a working order. Errors: unknown (kNotFound), already final (kFailedPrecondition).
  Status Cancel(const ClientOrderId& id, std::string idempotency_key);
  BulkResult CancelAll();
  /// Sends a MARKET order closing each open position (every product). `done` holds the orders placed.
  Result<BulkResult> CloseAllPositions();

  Result<OrderView> FindOrder(const ClientOrderId& id);
  Result<std::vector<OrderView>> Orders();
  Result<std::vector<FillView>> Fills();
  Result<std::vector<adapters::paper::PositionRow>> Positions();
  Result<std::vector<adapters::paper::HoldingRow>> Holdings();
  Result<adapters::paper::FundsSnapshot> Funds();
  /// Signed net quantity (raw units) the broker holds for (instrument, product).
  Result<std::int64_t> NetPosition(const InstrumentId& id, Product product);
  /// How `id` is shown: price decimals and the exchange's IANA time zone (2 and "UTC" when unknown).
  InstrumentDisplay Display(const InstrumentId& id) const;

  /// Frames replayed from the journal at start.
  std::uint64_t replayed_frames() const { return replayed_frames_; }

  /// Order updates: `listener` receives the order's view after every state change of an order (submitted,
  /// accepted, denied, rejected, filled or partially filled, modified, cancelled, expired, pending states), in
  /// the order the changes happened. Replayed history is not sent. Listeners run on the service's notifier
  /// thread, never on the engine thread, one call at a time: a listener may call back into the service, and a
  /// slow one delays later notifications but never trading. The queue between the two threads holds at most
  /// `kMaxPendingOrderUpdates` views; beyond that new updates are dropped (counted, logged) rather than block
  /// the engine. Returns the id to remove the listener with.
  std::uint64_t AddOrderListener(std::function<void(const OrderView&)> listener);
  /// After it returns the listener is never called again (from inside a listener: after that call returns).
  void RemoveOrderListener(std::uint64_t id);
  /// Order updates dropped because the notifier queue was full.
  std::uint64_t dropped_order_updates() const;
  static constexpr std::size_t kMaxPendingOrderUpdates = 65'536;

 private:
  struct State;
  explicit TradingService(std::unique_ptr<State> state);
  template <typename T, typename Fn>
  Result<T> Call(Fn&& fn);

  std::unique_ptr<State> state_;
  std::uint64_t replayed_frames_ = 0;
};

/// OpenAlgo's order_status word: complete, open, pending, rejected, cancelled.
std::string_view OpenAlgoStatus(execution::OrderStatus status);

}  // namespace td::system
