// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "adapters/paper/margin.hpp"
#include "adapters/paper/models.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "execution/execution_client.hpp"
#include "model/instrument.hpp"
#include "model/tick.hpp"
#include "portfolio/portfolio.hpp"

namespace td::adapters::paper {

/// A local exchange time of day (the MIS square-off cut-off).
struct LocalCutoff {
  int hour = 15;
  int minute = 15;
};

struct PaperBrokerConfig {
  double starting_capital = 10'000'000.0;  // ₹1 crore, as OpenAlgo's sandbox
  /// Ticks added to the touch against a market order (and a triggered SL-M): BUY pays ask + n ticks.
  int market_slippage_ticks = 0;
  MarginRules margin;
  /// Refuse orders outside the exchange's regular session (calendar module). Exchanges without a calendar
  /// (MCX, CDS, ...) are then refused too: we cannot prove they are open.
  bool enforce_market_hours = true;
  /// MIS square-off time per exchange code, exchange local time. Defaults follow OpenAlgo's sandbox
  /// (NSE/BSE segments 15:15). Only exchanges with a calendar (NSE, BSE, NFO, BFO) are squared off.
  std::map<std::string, LocalCutoff, std::less<>> mis_cutoffs = {
      {"NSE", {15, 15}}, {"BSE", {15, 15}}, {"NFO", {15, 15}}, {"BFO", {15, 15}}};
  /// Prefix of venue order ids ("PAPER-000000000001") and of fill ids.
  std::string venue_prefix = "PAPER";
};

/// Funds in account currency, as OpenAlgo's /funds reports them.
struct FundsSnapshot {
  double available = 0.0;    // capital + realised − charges − used margin − holdings cost + M2M losses
  double used_margin = 0.0;  // open positions (at entry) + working orders' opening quantity
  double realised_pnl = 0.0;
  double unrealised_pnl = 0.0;
  double charges = 0.0;
};

/// One row of the position book: an (instrument, product) pair, open or closed today.
struct PositionRow {
  InstrumentId instrument_id;
  Product product = Product::kMis;
  std::int64_t net_raw = 0;  // signed net quantity, raw 1e-9 units
  double avg_px = 0.0;
  std::optional<Price> ltp;
  double realised_pnl = 0.0;
  double unrealised_pnl = 0.0;
  double margin = 0.0;
};

/// Delivery holdings (CNC bought on an earlier day).
struct HoldingRow {
  InstrumentId instrument_id;
  Quantity quantity;
  double avg_cost = 0.0;
  std::optional<Price> ltp;
  double pnl = 0.0;
};

/// One execution, with its charges.
struct TradeRow {
  TradeId trade_id;
  ClientOrderId client_order_id;
  VenueOrderId venue_order_id;
  InstrumentId instrument_id;
  Side side = Side::kBuy;
  Product product = Product::kMis;
  Quantity quantity;
  Price price;
  Charges charges;
  UnixNanos ts;
};

/// A simulated broker: matches MARKET, LIMIT, SL and SL-M orders against the best bid/ask and last trade fed
/// to it (OnQuote/OnTrade), with pluggable fill, fee and latency models, margin, funds, positions, holdings,
/// charges and MIS auto square-off. Deterministic: the same seeds and the same inputs give the same event
/// stream. Single-threaded (kernel thread); delays run on the injected clock's alarms, never sleeps.
/// Rules in README.md.
class PaperBroker final : public execution::ExecutionClient {
 public:
  PaperBroker(PaperBrokerConfig config, Clock& clock, std::unique_ptr<FillModel> fill_model,
              std::unique_ptr<FeeModel> fee_model, std::unique_ptr<LatencyModel> latency_model);
  ~PaperBroker() override;
  PaperBroker(const PaperBroker&) = delete;
  PaperBroker& operator=(const PaperBroker&) = delete;

  /// Makes an instrument tradable (validated). Orders for unknown instruments are rejected.
  Status AddInstrument(const Instrument& instrument);

  /// Market data: the best bid/ask (with displayed sizes) and trade prints. Quotes fill market and
  /// crossable limit orders; trades trigger stops and fill limits they trade through.
  void OnQuote(const QuoteTick& quote);
  void OnTrade(const TradeTick& trade);

  // ExecutionClient
  void SetSink(execution::ExecutionEventSink* sink) override { sink_ = sink; }
  void Submit(const execution::SubmitOrder& command) override;
  void Modify(const execution::ModifyOrder& command, const std::optional<VenueOrderId>& venue_order_id) override;
  void Cancel(const execution::CancelOrder& command, const std::optional<VenueOrderId>& venue_order_id) override;
  /// Every order the venue has seen this run (complete = true).
  Result<execution::BrokerOrderSnapshot> QueryOrders() override;

  /// Squares off every MIS position of the exchanges whose cut-off is `cutoff_key` (e.g. "NSE"): cancels
  /// their working MIS orders and sends closing MARKET orders (client order ids "SQOFF-n", strategy
  /// EXTERNAL). Runs by itself at each configured cut-off; public for operators and tests.
  void SquareOffMis(std::string_view cutoff_key);
  /// Ends the trading day: working DAY orders expire, CNC positions move to holdings, the day's realised
  /// P&L starts again from zero. The composition root calls it after the close.
  void EndOfDay();

  FundsSnapshot Funds() const;
  std::vector<PositionRow> Positions() const;
  std::vector<HoldingRow> Holdings() const;
  const std::deque<TradeRow>& Trades() const { return trades_; }
  /// Margin the order would block now (OpenAlgo's /margin), or why it cannot be priced.
  Result<double> RequiredMargin(const execution::SubmitOrder& command) const;
  /// Submits dropped because their client order id was already known (no second order was made).
  std::uint64_t duplicate_submits() const { return duplicate_submits_; }

  // Restart recovery: the venue keeps its book in memory, so the composition root hands back what the order
  // journal proves, oldest first. Nothing is emitted; id counters continue after every restored id.
  /// Books one journaled fill of `order` as the fill itself did: positions (a CNC sale draws on holdings),
  /// charges (`first_fill` pays the per-order fee) and the trade row. Errors: unknown instrument.
  Status RestoreFill(const execution::SubmitOrder& order, const VenueOrderId& venue_order_id, const TradeId& trade_id,
                     Quantity quantity, Price price, bool first_fill, UnixNanos ts);
  /// Puts a journaled working order back on the book with its terms and filled quantity, resting (a later
  /// cross fills it at its own limit) and blocking margin for its opening leaves. `triggered`: a stop whose
  /// trigger has already been hit. Errors: unknown instrument, nothing left to work.
  Status RestoreWorkingOrder(const execution::SubmitOrder& order, const VenueOrderId& venue_order_id,
                             Quantity filled, double fill_notional, bool triggered);

 private:
  struct TopOfBook {
    std::optional<Price> bid;
    std::optional<Price> ask;
    Quantity bid_size;
    Quantity ask_size;
    // What this quote still shows after the fills it already gave (nullopt: the feed carries no sizes).
    // Every match consumes it, so two orders, or an order and its modify, never trade the same size twice.
    std::optional<Quantity> bid_left;
    std::optional<Quantity> ask_left;
    std::optional<Price> last;
  };
  struct WorkingOrder {
    execution::SubmitOrder command;
    VenueOrderId venue_order_id;
    std::uint64_t sequence = 0;  // time priority
    Quantity quantity;
    std::optional<Price> price;
    std::optional<Price> trigger_price;
    Quantity filled;
    double fill_notional = 0.0;
    execution::BrokerOrderStatus status = execution::BrokerOrderStatus::kOpen;
    std::string reason;
    bool triggered = false;        // stops: the trigger was hit (SL → limit, SL-M → market)
    bool resting = false;          // missed its first match: a later cross fills at the order's own price
    Quantity opening_leaves;       // part of the leaves that opens exposure and blocks margin
    double margin_per_unit = 0.0;  // blocked per unit of opening_leaves
    std::uint32_t fill_count = 0;
  };
  struct Holding {
    std::int64_t qty_raw = 0;
    double avg_cost = 0.0;
    double realised = 0.0;
  };

  // Request arrival at the venue (after the request delay, in FIFO order): `process(request)` runs at once when
  // nothing delays it (no copy of the request, no std::function), else on an alarm holding a copy.
  template <typename Request, typename Process>
  void Arrive(const Request& request, Process process);
  void ProcessSubmit(const execution::SubmitOrder& command);
  void ProcessModify(const execution::ModifyOrder& command);
  void ProcessCancel(const execution::CancelOrder& command);
  /// Why the venue refuses a new order; empty when it accepts.
  std::string Validate(const execution::SubmitOrder& command, const Instrument& instrument) const;
  std::string CheckTerms(const Instrument& instrument, Quantity quantity, const std::optional<Price>& price,
                         const std::optional<Price>& trigger, OrderType type, Side side) const;
  std::string CheckSession(const Instrument& instrument, Product product) const;
  /// Margin the order's opening quantity blocks; nullopt when it cannot be priced.
  std::optional<double> MarginPerUnitFor(const Instrument& instrument, Product product, Side side, OrderType type,
                                         const std::optional<Price>& price, const std::optional<Price>& trigger) const;
  double Available() const;
  double HoldingsCost() const;
  Quantity OpeningQuantity(const InstrumentId& id, Product product, Side side, Quantity quantity) const;
  void Accept(WorkingOrder order);
  /// Tries to fill one working order against the book; `aggressive` = it has just arrived or triggered.
  /// Fills what the book allows now. `aggressive`: the order has just arrived, triggered or been modified, so
  /// it takes the touch price; otherwise it rested and trades at its own limit.
  void Match(WorkingOrder& order, bool aggressive);
  /// A trade print: triggers stops, fills resting limits it traded through.
  void MatchTrade(WorkingOrder& order, Price trade_price, Quantity trade_size);
  void Fill(WorkingOrder& order, Quantity qty, Price px);
  void ApplyFillToBooks(const WorkingOrder& order, Quantity qty, Price px, const TradeId& trade_id);
  void CloseOrder(WorkingOrder& order, execution::BrokerOrderStatus status);
  void Emit(execution::OrderEvent event);
  void Flush();
  void Deliver(execution::OrderEvent event);
  void SetAlarm(std::string name, UnixNanos at, std::function<void()> work);
  /// Every public entry point holds one: events made inside go out, in order, when the outermost returns.
  class Scope {
   public:
    explicit Scope(PaperBroker& broker) : broker_(broker) { ++broker_.depth_; }
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    PaperBroker& broker_;
  };
  void ScheduleSquareOff(const std::string& key);
  /// Restart recovery: ids made by this venue ("PAPER-n", "PAPER-Fn", "SQOFF-n") are never issued twice.
  void ContinueNumberingAfter(std::string_view id);
  const Instrument* FindInstrument(const InstrumentId& id) const;
  double TotalUsedMargin() const;
  double PositionMargin(const InstrumentId& id, Product product, const portfolio::Position& position) const;
  std::optional<double> UnderlyingPrice(const Instrument& instrument) const;
  std::optional<Price> Mark(const InstrumentId& id) const;
  std::string NextName(std::string_view kind);
  portfolio::Portfolio& Book(Product product) { return books_[static_cast<std::size_t>(product)]; }
  const portfolio::Portfolio& Book(Product product) const { return books_[static_cast<std::size_t>(product)]; }

  PaperBrokerConfig config_;
  Clock& clock_;
  std::unique_ptr<FillModel> fill_model_;
  std::unique_ptr<FeeModel> fee_model_;
  std::unique_ptr<LatencyModel> latency_model_;
  execution::ExecutionEventSink* sink_ = nullptr;

  // Hash maps: instrument ids hash and compare as one pointer, and every listing sorts by sequence anyway.
  std::unordered_map<InstrumentId, Instrument> instruments_;
  std::unordered_map<InstrumentId, TopOfBook> tops_;
  std::unordered_map<InstrumentId, UnixNanos> expired_from_;  // contracts with an expiry, on a known calendar
  std::unordered_map<ClientOrderId, WorkingOrder> orders_;
  std::map<std::uint64_t, ClientOrderId> open_by_sequence_;
  std::unordered_set<ClientOrderId> seen_client_ids_;  // at Submit, before the venue sees them: duplicate guard
  std::array<portfolio::Portfolio, 3> books_;  // MIS, NRML, CNC (Product's order)
  std::map<InstrumentId, Holding> holdings_;
  double archived_realised_ = 0.0;  // realised P&L of CNC positions already moved to holdings
  std::deque<TradeRow> trades_;  // a deque: the day's fills grow without copying them all at each doubling
  double charges_total_ = 0.0;

  std::uint64_t next_sequence_ = 0;
  std::uint64_t next_fill_ = 0;
  const std::string venue_order_prefix_;  // "<venue prefix>-": venue order ids
  const std::string trade_prefix_;        // "<venue prefix>-F": trade ids
  std::uint64_t next_squareoff_ = 0;
  std::uint64_t next_timer_ = 0;
  std::uint64_t duplicate_submits_ = 0;
  UnixNanos last_arrival_;
  UnixNanos last_delivery_;
  std::set<std::string> pending_alarms_;  // cancelled on destruction: their callbacks point at us
  std::deque<execution::OrderEvent> outbox_;  // events of the current call, dispatched when it returns
  int depth_ = 0;
  bool flushing_ = false;
  Logger log_{"paper"};
};

}  // namespace td::adapters::paper
