// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "execution/emulator_events.hpp"
#include "execution/execution_engine.hpp"
#include "model/instrument.hpp"
#include "model/tick.hpp"
#include "persistence/journal.hpp"

namespace td::execution {

/// A request for an emulated entry.
struct EntryRequest {
  InstrumentId instrument_id;
  Side side = Side::kBuy;
  EntryKind kind = EntryKind::kMarket;
  Product product = Product::kMis;
  Quantity quantity;           // units (lots × lot size)
  std::optional<Price> price;  // LIMIT price or TRIGGER level; none for MARKET
  BracketTemplate bracket;     // attached to each fill
  std::string tag = "manual";
};

/// A request to protect a position already held (a fill made elsewhere) with virtual TP/SL lines.
struct BracketRequest {
  InstrumentId instrument_id;
  Side position_side = Side::kBuy;  // BUY: the position is long
  Product product = Product::kMis;
  Quantity quantity;
  Price entry_price;
  std::optional<Price> take_profit;
  std::optional<Price> stop_loss;
  TrailingPlan trailing;
  std::string tag = "manual";
};

/// The broker's (or portfolio's) net position of one instrument and product as of `as_of`.
struct PositionReport {
  InstrumentId instrument_id;
  Product product = Product::kMis;
  Side side = Side::kBuy;  // direction of a non-zero position
  Quantity quantity;       // 0 = flat
  UnixNanos as_of;
};

/// An emulated entry line as it stands.
struct EmulatedEntry {
  enum class State : std::uint8_t { kArmed, kReleased };
  EmulatedLineId id = 0;
  InstrumentId instrument_id;
  Side side = Side::kBuy;
  EntryKind kind = EntryKind::kMarket;
  Product product = Product::kMis;
  Quantity quantity;
  std::optional<Price> price;
  BracketTemplate bracket;
  std::string tag;
  UnixNanos created;
  State state = State::kArmed;
  std::optional<ClientOrderId> order_id;  // the released order
  bool cancel_requested = false;
  Quantity attached_qty;          // filled quantity already turned into brackets
  double attached_notional = 0.;  // Σ fill price × quantity of those brackets (recovery of missed fills)
};

/// A position record with its virtual TP/SL lines as it stands.
struct EmulatedBracket {
  EmulatedLineId id = 0;
  EmulatedLineId entry_id = 0;
  TradeId fill_id;
  InstrumentId instrument_id;
  Side position_side = Side::kBuy;
  Product product = Product::kMis;
  Quantity quantity;  // still open
  Price entry_price;
  std::optional<Price> take_profit;
  std::optional<Price> stop_loss;
  TrailingPlan trailing;
  std::optional<Price> best_price;  // best price in the position's favour since entry (trailing)
  std::string tag;
  UnixNanos created;
  // The exit in flight, if any: while it is set no line of this record can fire again.
  std::optional<ClientOrderId> exit_order;
  std::optional<ClientOrderId> last_exit_order;  // the newest exit ever released (kept after it ends)
  ExitLeg exit_leg = ExitLeg::kClose;
  Quantity exit_filled;  // cumulative filled quantity of exit_order already applied
  UnixNanos rearm_after;  // after a failed exit, the lines fire again only from this time
  std::uint32_t failed_exits = 0;  // consecutive exits that ended unfilled (backoff; not journaled)

  Side exit_side() const { return Opposite(position_side); }
  bool exiting() const { return exit_order.has_value(); }
};

/// A line as its creation event describes it (the emulator and the journal reader build lines the same way).
EmulatedEntry EntryFromEvent(EmulatedLineId line, const EmulatedEntryCreated& event);
/// A bracket record as its attach event describes it.
EmulatedBracket BracketFromEvent(EmulatedLineId line, const EmulatedBracketAttached& event);

struct OrderEmulatorOptions {
  std::filesystem::path journal_path;
  persistence::JournalOptions journal;  // keep kEveryFrame outside tests: lines must survive a crash
  StrategyId strategy_id = StrategyId::Of("EMULATOR");
  /// After an exit is proven not to have happened (denied, rejected), the lines fire again after this delay,
  /// doubled for each further consecutive failure up to 64 times (a gate that keeps denying is not hammered).
  Duration exit_retry_delay = std::chrono::seconds(1);
  /// Instruments the emulator may trade; lines restored from the journal must name one of them.
  std::vector<Instrument> instruments;
  /// Called for every applied emulator event, replayed ones included. Must not call back into the emulator.
  std::function<void(const EmulatorEvent&)> on_event;
};

/// Holds virtual orders on the kernel thread between market data and the ExecutionEngine and releases them as
/// real orders through ExecutionEngine::Submit, so every release passes the pre-trade (risk) gate.
///
/// - TRIGGER entries fire once when the price crosses (BUY: at or above, SELL: at or below) and go as MARKET;
///   a trigger that would fire at once is refused. LIMIT entries rest at the broker; MARKET entries go at once.
/// - Every fill of an entry becomes its own bracket record (its own quantity, TP/SL from its own fill price),
///   so a partial fill is protected for exactly what filled.
/// - A record's TP and SL race on the same price: the first to fire releases one MARKET exit for the record's
///   quantity on the record's own instrument (hence exchange) and product, and disarms the other in the same
///   step. While an exit is in flight nothing of that record fires again; an unknown outcome keeps it in flight.
/// - Trailing plans tighten the stop by stages and never loosen it.
/// - Every change is journaled before it takes effect and before any order leaves; Open() rebuilds the lines
///   from the journal and reconciles them with the engine's orders.
/// Released orders carry the client order id "EMU-<line id>-<attempt>", so they are found again after a crash.
/// Single-threaded: kernel thread only.
class OrderEmulator {
 public:
  /// Opens (recovers) the emulator journal, rebuilds every line, and reconciles released orders with `engine`
  /// (which must already be open). Call OnOrderEvent for every event the engine applies from then on.
  static Result<std::unique_ptr<OrderEmulator>> Open(OrderEmulatorOptions options, Clock& clock,
                                                     ExecutionEngine& engine);
  ~OrderEmulator();
  OrderEmulator(const OrderEmulator&) = delete;
  OrderEmulator& operator=(const OrderEmulator&) = delete;

  /// Registers (or replaces) an instrument: its tick grid, lot and exchange.
  void AddInstrument(const Instrument& instrument);

  // Market data. Lines that release a BUY compare against the ask (quotes) or the last trade; lines that
  // release a SELL against the bid or the last trade. Allocates nothing unless a line fires or trails.
  void OnTrade(const TradeTick& tick);
  void OnQuote(const QuoteTick& quote);
  void OnPrice(const InstrumentId& instrument_id, Price buy_price, Price sell_price, UnixNanos ts);

  /// Feeds an order event the engine applied (wire ExecutionEngineOptions::on_event to it).
  void OnOrderEvent(const OrderEvent& event);

  /// Places an entry line. Refusals (nothing journaled): unknown instrument, quantity not positive or not a lot
  /// multiple, price missing/forbidden/off the tick grid, bracket points not positive or off the grid, an
  /// invalid trailing plan, a TRIGGER with no last price or that would fire at once, an entry opposite to
  /// records or entries already held on the instrument, a failed journal.
  Result<EmulatedLineId> PlaceEntry(const EntryRequest& request);
  /// Moves a LIMIT price (modifies the broker order when released) or a TRIGGER level (refused if it would fire
  /// at once, or once it has fired).
  Status MoveEntry(EmulatedLineId id, Price price);
  /// Removes an entry: a virtual one at once; a released one by cancelling its broker order (the line ends
  /// when the broker confirms; fills before that keep their brackets).
  Status CancelEntry(EmulatedLineId id);

  /// Protects a position held elsewhere with a bracket record.
  Result<EmulatedLineId> AttachBracket(const BracketRequest& request);
  /// Moves (or with nullopt removes) a record's TP / SL. Refused while its exit is in flight, off the tick
  /// grid, or when the new line would fire at once at the last price.
  Status MoveTakeProfit(EmulatedLineId id, std::optional<Price> price);
  Status MoveStopLoss(EmulatedLineId id, std::optional<Price> price);
  /// Releases a MARKET exit for the record now (refused while an exit is in flight).
  Status CloseBracket(EmulatedLineId id);
  /// Stops tracking a record without any order (the user manages the position).
  Status RemoveBracket(EmulatedLineId id);

  /// Aligns records with the broker's position: when the records of (instrument, product) that existed at
  /// `as_of` hold more than the broker reports, the overflow is trimmed newest first (whole records, then part
  /// of the next). Ignored while an exit of that instrument is in flight (the report may already include fills
  /// we have not heard of). Returns the quantity trimmed.
  Result<Quantity> SyncPosition(const PositionReport& report);

  const EmulatedEntry* FindEntry(EmulatedLineId id) const;
  const EmulatedBracket* FindBracket(EmulatedLineId id) const;
  const std::map<EmulatedLineId, EmulatedEntry>& entries() const { return entries_; }
  const std::map<EmulatedLineId, EmulatedBracket>& brackets() const { return brackets_; }
  /// Σ open quantity of the records of an instrument and product.
  Quantity TrackedQuantity(const InstrumentId& instrument_id, Product product) const;
  /// The last price seen for the instrument (sell side for trades and quotes' bids).
  std::optional<Price> LastPrice(const InstrumentId& instrument_id) const;
  bool journal_failed() const { return journal_failed_; }
  std::uint64_t replayed_frames() const { return replayed_frames_; }
  /// The client order id of attempt `attempt` (1, 2, ...) of a line's release.
  static ClientOrderId ReleaseOrderId(EmulatedLineId id, std::uint32_t attempt);

 private:
  /// Everything kept per instrument for the tick path.
  struct Book {
    Instrument instrument;
    bool has_price = false;
    Price last_buy;
    Price last_sell;
    std::vector<EmulatedEntry*> armed;      // armed TRIGGER entries
    std::vector<EmulatedBracket*> records;  // open records
    // Thresholds: nothing can fire while buy_down < buy < buy_up and sell_down < sell < sell_up.
    std::int64_t buy_up = INT64_MAX;
    std::int64_t buy_down = INT64_MIN;
    std::int64_t sell_up = INT64_MAX;
    std::int64_t sell_down = INT64_MIN;
    bool dirty = true;  // lines changed: rebuild the lists and thresholds before the next evaluation
  };
  struct Fire {
    EmulatedLineId id = 0;
    bool entry = false;
    ExitLeg leg = ExitLeg::kClose;
    Price price;
  };

  OrderEmulator(OrderEmulatorOptions options, Clock& clock, ExecutionEngine& engine,
                persistence::JournalWriter journal);

  Status Replay();
  void Reconcile();
  void ReconcileEntry(EmulatedLineId id);
  void ReconcileBracket(EmulatedLineId id);
  /// Journals, then applies. Returns the journal error (the event is then not applied).
  Status Record(const EmulatorEvent& event);
  /// The one apply path of live operation and replay.
  Status Apply(const EmulatorEvent& event);
  void ApplyNoFail(const EmulatorEvent& event);

  Book* FindBook(const InstrumentId& id);
  const Book* FindBook(const InstrumentId& id) const;
  void Rebuild(Book& book);
  void Evaluate(Book& book, UnixNanos ts);
  bool Trail(EmulatedBracket& record, Price sell_or_buy, const Book& book, UnixNanos ts);
  void ReleaseEntry(EmulatedLineId id, UnixNanos ts);
  void ReleaseExit(EmulatedLineId id, ExitLeg leg, Price price, UnixNanos ts);
  void AttachFill(EmulatedEntry& entry, const TradeId& fill_id, Quantity qty, Price px, UnixNanos ts);
  void OnEntryOrderEvent(EmulatedLineId id, const OrderEvent& event);
  /// Brings an entry in line with its order as the engine holds it: fills not yet attached become one record
  /// (priced so the records' average is the order's), and a terminal order ends the line.
  void CatchUpEntry(EmulatedLineId id, const Order& order, UnixNanos ts, std::string reason);
  void OnExitOrderEvent(EmulatedLineId id, const OrderEvent& event);
  void ApplyExitProgress(EmulatedLineId id, const Order& order, UnixNanos ts);
  void EndEntry(EmulatedLineId id, std::string code, std::string reason, UnixNanos ts);
  void EndExit(EmulatedLineId id, const ClientOrderId& order_id, std::string reason, UnixNanos ts);
  Status CheckNotOpposite(const InstrumentId& instrument_id, Side position_side) const;
  Status ValidateLines(const Book& book, Side position_side, const std::optional<Price>& tp,
                       const std::optional<Price>& sl, bool check_against_last) const;
  Status ValidateTrailing(const Book& book, const TrailingPlan& plan) const;
  std::uint32_t NextAttempt(EmulatedLineId id) const;
  /// The engine's order of the line's highest release attempt, if any.
  const Order* LatestEngineOrder(EmulatedLineId id) const;
  void MarkDirty(const InstrumentId& instrument_id);

  OrderEmulatorOptions options_;
  Clock& clock_;
  ExecutionEngine& engine_;
  persistence::JournalWriter journal_;
  std::map<EmulatedLineId, EmulatedEntry> entries_;
  std::map<EmulatedLineId, EmulatedBracket> brackets_;
  std::unordered_map<InstrumentId, Book> books_;
  std::unordered_map<ClientOrderId, EmulatedLineId> order_lines_;  // released client order id → line
  std::vector<Fire> fires_;                                      // scratch for Evaluate (capacity kept)
  EmulatedLineId last_line_id_ = 0;
  // Lines from this id on were made after Open reconciled: no order under their prefix can predate this run.
  EmulatedLineId first_live_line_ = std::numeric_limits<EmulatedLineId>::max();
  std::uint64_t replayed_frames_ = 0;
  bool replaying_ = false;
  bool journal_failed_ = false;
  Logger log_{"emulator"};
};

}  // namespace td::execution
