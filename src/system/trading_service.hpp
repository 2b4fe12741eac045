// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/paper/paper_broker.hpp"
#include "core/clock.hpp"
#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "execution/order.hpp"
#include "model/instrument.hpp"
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

  /// Exchange freeze quantities (units per order) of F&O contracts by underlying symbol, for both its options
  /// and futures. Orders above it are refused; splitorder slices under it. Defaults: NSE/BSE limits in force
  /// in 2025 (NSE circulars on index derivative freeze limits; change them here when the exchange does).
  std::map<std::string, std::int64_t, std::less<>> freeze_quantities = {
      {"NIFTY", 1800}, {"BANKNIFTY", 900}, {"FINNIFTY", 1800}, {"MIDCPNIFTY", 2800}, {"SENSEX", 1000}};

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

/// One option leg as OpenAlgo's optionsorder and optionsmultiorder name it: the strike by its offset from the
/// at-the-money strike of one expiry.
struct OptionLegRequest {
  std::optional<CivilDate> expiry;  // nullopt: the nearest listed expiry
  std::string offset;               // "ATM", "ITM1".."ITM50", "OTM1".."OTM50"
  OptionRight right = OptionRight::kCall;
  Side side = Side::kBuy;
  OrderType type = OrderType::kMarket;
  Product product = Product::kMis;
  Quantity quantity;
  std::optional<Price> price;
  std::optional<Price> trigger_price;
  Quantity split_size;  // positive: placed as slices of this size (PlaceSplit rules)
};

/// Options orders on one underlying.
struct OptionsOrderRequest {
  std::string underlying;  // "NIFTY", or a future ("NIFTY28NOV24FUT") named as the reference
  std::string exchange;    // NSE_INDEX, NSE, NFO, BSE_INDEX, BSE, BFO (India); US, OPRA (US listed options)
  std::vector<OptionLegRequest> legs;
  std::string strategy;
  std::string idempotency_key;  // legs get "<key>#<leg>"
};

/// What happened to one leg (or one order of a batch): the contract it resolved to and the placed order, or
/// the error that kept it from being placed (its field names the leg's own field).
struct LegResult {
  std::size_t index = 0;  // 1-based position in the request
  InstrumentId instrument_id;  // empty when the leg did not resolve
  Side side = Side::kBuy;
  Quantity quantity;
  std::optional<PlaceResult> placed;
  std::optional<Error> error;
  std::vector<LegResult> slices;  // a leg placed in slices: each slice (then `placed` is empty)
};

/// The answer to an options request: the reference the strikes were chosen around and each leg, in the order
/// they were sent (every BUY leg before any SELL leg, as OpenAlgo does, so hedges are in place first).
struct OptionsOrderResult {
  InstrumentId underlying;
  Price underlying_ltp;
  std::vector<LegResult> legs;
};

/// A large order split into slices: the slice size used (the request's, lowered to the exchange freeze quantity
/// when it is above it) and each slice's outcome in order (the last slice takes the remainder).
struct SplitResult {
  Quantity slice;
  std::optional<Quantity> freeze_quantity;
  std::vector<LegResult> slices;
};

/// Margin a list of new positions would block in the paper broker's model, summed over the list.
struct MarginEstimate {
  double total = 0.0;
  double span = 0.0;
  double exposure = 0.0;
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
  /// Resolves each leg's contract (expiry, ATM strike of the chain's underlying price, offset) and places it.
  /// Errors (the whole request): unknown underlying or exchange. Leg failures are in the leg's result.
  Result<OptionsOrderResult> PlaceOptions(const OptionsOrderRequest& request);
  /// Places a list of orders, BUY orders first when `buys_first`; each order's outcome in its LegResult.
  Result<std::vector<LegResult>> PlaceBatch(const std::vector<OrderRequest>& orders, bool buys_first);
  /// Splits `request.quantity` into slices of `slice` (lowered to the freeze quantity; lot multiples) and places
  /// them in order. Errors: unknown symbol, a slice or total that is not a lot multiple (field "splitsize" or
  /// "quantity"), more than `kMaxSplitOrders` slices.
  Result<SplitResult> PlaceSplit(const OrderRequest& request, Quantity slice);
  static constexpr std::size_t kMaxSplitOrders = 100;
  /// Margin of new positions at their price (LIMIT/SL: the limit; SL-M: the trigger; MARKET: the touch for the
  /// side, else the last price). Errors name the position: field "positions[<i>].<field>".
  Result<MarginEstimate> Margin(const std::vector<OrderRequest>& positions);

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
