// SPDX-License-Identifier: MIT
#pragma once

// The broker conformance matrix: numbered cases (C01..) that any ExecutionClient must pass, written as data so
// that every broker adapter runs the same list.
//
// How to run it against another broker (the OpenAlgo adapter and its loopback server, for example):
//   1. Implement BrokerUnderTest for it. Reset() starts a fresh broker (for OpenAlgo: a fresh loopback server
//      whose simulated book is fed by Quote()/Trade()), registers the instruments of ConformanceInstruments()
//      and records every event the client delivers; Settle() waits until nothing is in flight (real sockets
//      are asynchronous); Has() names what the broker can show (funds, charges, simulated time, ...).
//   2. Write a parameterised gtest over BrokerConformanceCases() that calls RunConformanceCase(case, broker).
//      A case whose capabilities the broker lacks, or whose profile it cannot honour, is skipped with its
//      reason; every other case must pass unchanged.
// Expected events are compared in order and exhaustively: an extra, missing or reordered event fails.
//
// One list for every broker: the paper broker (tests/unit/adapters/paper_conformance_test.cpp) and the OpenAlgo
// adapter (tests/unit/vendors/openalgo_execution_test.cpp, through a loopback OpenAlgo server whose venue is the
// paper broker, conformance/paper_venue.hpp) both instantiate it. Every case applies to every broker unless it
// cannot, and then it says why in words: a capability the broker lacks (BrokerUnderTest::WhyNot) or an entry in
// ConformanceCase::exempt. C42..C56 are wire cases (custom bodies that script the OpenAlgo fake: 429, stalled
// and 5xx answers, restarts); the in-process paper broker is exempt from them with the reason.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "execution/execution_client.hpp"
#include "model/instrument.hpp"
#include "model/tick.hpp"

namespace td::conformance {

using execution::BrokerOrderStatus;
using execution::OrderEvent;

/// What a broker under test can show or do beyond the ExecutionClient port.
enum class Capability : std::uint8_t {
  kSimulatedTime,  // time moves only when the harness advances it (latency, cut-offs)
  kMarketHours,    // refuses orders outside the session by its own clock
  kFunds,          // funds and used margin (OpenAlgo /funds)
  kCharges,        // the charges of fills (contract-note fees)
  kPositions,      // net position per (instrument, product) (OpenAlgo /positionbook)
  kMisSquareOff,   // squares off MIS positions at the exchange cut-off by itself
  kSeededModels,   // fill/latency models driven by a seed (determinism)
};

inline std::string_view CapabilityName(Capability capability) {
  switch (capability) {
    case Capability::kSimulatedTime: return "simulated time";
    case Capability::kMarketHours: return "market hours";
    case Capability::kFunds: return "funds";
    case Capability::kCharges: return "charges";
    case Capability::kPositions: return "positions";
    case Capability::kMisSquareOff: return "MIS square-off";
    case Capability::kSeededModels: return "seeded models";
  }
  return "?";
}

/// How the simulated venue behaves in one case.
struct BrokerProfile {
  enum class FillKind : std::uint8_t { kFull, kDisplayedSize };
  enum class FeeKind : std::uint8_t { kNone, kMarket };
  FillKind fill = FillKind::kFull;
  double min_share = 1.0;  // kDisplayedSize: smallest share of the displayed size that is ours
  Duration request_latency{0};
  Duration report_latency{0};
  Duration jitter{0};
  std::uint64_t seed = 1;
  int slippage_ticks = 0;
  FeeKind fees = FeeKind::kNone;
  double starting_capital = 10'000'000.0;
};

struct FundsView {
  double available = 0.0;
  double used_margin = 0.0;
  double realised_pnl = 0.0;
  double unrealised_pnl = 0.0;
  double charges = 0.0;
};

struct ConformanceCase;

/// The broker as the matrix drives it.
class BrokerUnderTest {
 public:
  virtual ~BrokerUnderTest() = default;
  /// "paper", "openalgo": the key of ConformanceCase::exempt.
  virtual std::string_view name() const = 0;
  virtual bool Has(Capability capability) const = 0;
  /// Why the broker lacks `capability` (the skip message says it).
  virtual std::string WhyNot(Capability capability) const { return "lacks " + std::string(CapabilityName(capability)); }
  /// False when the broker cannot run a case configured this way (say, jitter on a real server).
  virtual bool CanHonour(const BrokerProfile& profile) const = 0;
  /// A fresh broker at `start` with `profile` and these instruments; recorded events cleared.
  virtual void Reset(const BrokerProfile& profile, UnixNanos start, const std::vector<Instrument>& instruments) = 0;
  virtual execution::ExecutionClient& client() = 0;
  virtual void Quote(const QuoteTick& quote) = 0;
  virtual void Trade(const TradeTick& trade) = 0;
  /// Moves simulated time forward (kSimulatedTime only).
  virtual void Advance(Duration by) = 0;
  virtual UnixNanos Now() const = 0;
  /// Waits until nothing is in flight (no-op for a synchronous broker).
  virtual void Settle() {}
  /// The events delivered since the last call, in delivery order.
  virtual std::vector<OrderEvent> TakeEvents() = 0;
  virtual std::optional<FundsView> Funds() const = 0;
  /// Signed net quantity in whole units, nullopt when the broker cannot tell.
  virtual std::optional<double> NetPosition(const InstrumentId& id, Product product) const = 0;
  /// Runs a custom case (ConformanceCase::custom) by its id; a broker without custom cases never gets one (they
  /// are exempt for it).
  virtual void RunCustom(const ConformanceCase& c);
};

// ------------------------------------------------------------------------------------ the instruments

inline const InstrumentId kEquity = InstrumentId::Of("NSE:SBIN");
inline const InstrumentId kIndex = InstrumentId::Of("NSE_INDEX:NIFTY");
inline const InstrumentId kOption = InstrumentId::Of("NFO:NIFTY29DEC2624000CE");
inline const InstrumentId kFuture = InstrumentId::Of("NFO:NIFTY29DEC26FUT");
inline const InstrumentId kUsOption = InstrumentId::Of("OPRA:SPY261218C00600000");
inline const InstrumentId kExpiredOption = InstrumentId::Of("NFO:NIFTY27OCT2624000CE");

inline ContractSpec Spec(std::string_view tick, std::int64_t lot, std::int64_t multiplier) {
  return ContractSpec{*Price::Parse(tick), Quantity::FromUnits(lot), Quantity::FromUnits(multiplier), 2};
}

/// NIFTY lot 65 (NSE, from Jan 2026), tick 0.05; SPY options multiplier 100, tick 0.01.
inline std::vector<Instrument> ConformanceInstruments() {
  const CivilDate december{2026, 12, 29};
  return {
      *Instrument::Equity(kEquity, Spec("0.05", 1, 1)),
      *Instrument::Index(kIndex, 2),
      *Instrument::Option(kOption, kIndex, december, *Price::Parse("24000"), OptionRight::kCall, Spec("0.05", 65, 1)),
      *Instrument::Future(kFuture, kIndex, december, Spec("0.05", 65, 1)),
      *Instrument::Option(kUsOption, InstrumentId::Of("US:SPY"), CivilDate{2026, 12, 18}, *Price::Parse("600"),
                          OptionRight::kCall, Spec("0.01", 1, 100)),
      *Instrument::Option(kExpiredOption, kIndex, CivilDate{2026, 10, 27}, *Price::Parse("24000"),
                          OptionRight::kCall, Spec("0.05", 65, 1)),
  };
}

/// Thursday 19-Nov-2026, a trading day on NSE and NYSE.
inline constexpr UnixNanos kIndiaMorning = UnixNanos::FromSeconds(1'795'062'600);  // 10:00 IST = 04:30Z
inline constexpr UnixNanos kIndiaEvening = UnixNanos::FromSeconds(1'795'084'200);  // 16:00 IST = 10:30Z
inline constexpr UnixNanos kIndiaCloseToCutoff =
    UnixNanos::FromSeconds(1'795'081'200);  // 15:10 IST = 09:40Z, five minutes before the 15:15 square-off
inline constexpr UnixNanos kNewYorkMorning = UnixNanos::FromSeconds(1'795'100'400);  // 10:00 EST = 15:00Z

// ----------------------------------------------------------------------------------------- the steps

struct QuoteStep { QuoteTick quote; };
struct TradeStep { TradeTick trade; };
struct SubmitStep { execution::SubmitOrder command; };
struct ModifyStep { execution::ModifyOrder command; };
struct CancelStep { execution::CancelOrder command; };
struct AdvanceStep { Duration by; };

/// One expected event. `client_order_id` ending in '*' matches by prefix (ids the broker makes itself).
struct ExpectedEvent {
  std::string name;  // EventName: "order_accepted", "order_filled", ...
  std::string client_order_id;
  std::optional<std::int64_t> last_qty;    // fills: whole units
  std::optional<std::string> last_px;      // fills
  std::optional<std::int64_t> cumulative;  // fills
  std::optional<std::string> reason;       // rejects: a substring of the reason
  std::optional<std::int64_t> quantity;    // modified: the new quantity
  std::optional<std::string> price;        // modified: the new price
};
struct ExpectEventsStep { std::vector<ExpectedEvent> events; };
/// The order as QueryOrders reports it.
struct ExpectOrderStep {
  std::string client_order_id;
  BrokerOrderStatus status = BrokerOrderStatus::kOpen;
  std::int64_t filled = 0;
};
struct ExpectOrderCountStep { std::size_t count = 0; };
struct ExpectFundsStep {
  enum class Field : std::uint8_t { kUsedMargin, kCharges, kRealised, kAvailableChange };
  Field field = Field::kUsedMargin;
  double value = 0.0;  // kAvailableChange: available minus the profile's starting capital
};
struct ExpectPositionStep {
  InstrumentId instrument_id;
  Product product = Product::kMis;
  double net = 0.0;
};

using Step = std::variant<QuoteStep, TradeStep, SubmitStep, ModifyStep, CancelStep, AdvanceStep, ExpectEventsStep,
                          ExpectOrderStep, ExpectOrderCountStep, ExpectFundsStep, ExpectPositionStep>;

struct ConformanceCase {
  std::string id;     // "C01"
  std::string title;  // what it shows
  std::set<Capability> needs;
  BrokerProfile profile;
  UnixNanos start = kIndiaMorning;
  std::vector<Step> steps;
  /// Run twice from scratch and require byte-identical event streams (determinism under a seed).
  bool repeat_identical = false;
  /// Brokers (by BrokerUnderTest::name) the case cannot apply to, each with the written reason.
  std::map<std::string, std::string, std::less<>> exempt;
  /// A case that is not a script of steps: it drives the broker itself (wire faults, restarts). Runs only on a
  /// broker that implements RunCustom for its id; every other broker must list it in `exempt`.
  bool custom = false;
};

/// gtest prints a case by its number and title (not its bytes).
inline void PrintTo(const ConformanceCase& c, std::ostream* out) { *out << c.id << " " << c.title; }

// ------------------------------------------------------------------------------------ step builders

inline Price Px(std::string_view text) { return *Price::Parse(text); }

inline Step Quote(const InstrumentId& id, std::string_view bid, std::string_view ask, std::int64_t bid_size = 0,
                  std::int64_t ask_size = 0) {
  QuoteTick q;
  q.instrument_id = id;
  q.bid = Px(bid);
  q.ask = Px(ask);
  q.bid_size = Quantity::FromUnits(bid_size);
  q.ask_size = Quantity::FromUnits(ask_size);
  return QuoteStep{q};
}

inline Step Trade(const InstrumentId& id, std::string_view price, std::int64_t size = 0) {
  TradeTick t;
  t.instrument_id = id;
  t.price = Px(price);
  t.size = Quantity::FromUnits(size);
  return TradeStep{t};
}

inline execution::SubmitOrder Order(std::string_view id, const InstrumentId& instrument, Side side, OrderType type,
                                    std::int64_t quantity, Product product = Product::kMis) {
  execution::SubmitOrder c;
  c.client_order_id = ClientOrderId::Of(id);
  c.strategy_id = StrategyId::Of("CONFORMANCE");
  c.instrument_id = instrument;
  c.side = side;
  c.type = type;
  c.product = product;
  c.quantity = Quantity::FromUnits(quantity);
  return c;
}

inline Step Market(std::string_view id, const InstrumentId& instrument, Side side, std::int64_t quantity,
                   Product product = Product::kMis) {
  return SubmitStep{Order(id, instrument, side, OrderType::kMarket, quantity, product)};
}

inline Step Limit(std::string_view id, const InstrumentId& instrument, Side side, std::int64_t quantity,
                  std::string_view price, Product product = Product::kMis,
                  TimeInForce time_in_force = TimeInForce::kDay) {
  auto c = Order(id, instrument, side, OrderType::kLimit, quantity, product);
  c.price = Px(price);
  c.time_in_force = time_in_force;
  return SubmitStep{c};
}

inline Step StopMarket(std::string_view id, const InstrumentId& instrument, Side side, std::int64_t quantity,
                       std::string_view trigger) {
  auto c = Order(id, instrument, side, OrderType::kStopMarket, quantity);
  c.trigger_price = Px(trigger);
  return SubmitStep{c};
}

inline Step StopLimit(std::string_view id, const InstrumentId& instrument, Side side, std::int64_t quantity,
                      std::string_view trigger, std::string_view price) {
  auto c = Order(id, instrument, side, OrderType::kStopLimit, quantity);
  c.trigger_price = Px(trigger);
  c.price = Px(price);
  return SubmitStep{c};
}

inline Step Modify(std::string_view id, std::optional<std::int64_t> quantity, std::optional<std::string> price) {
  execution::ModifyOrder m;
  m.client_order_id = ClientOrderId::Of(id);
  m.strategy_id = StrategyId::Of("CONFORMANCE");
  if (quantity) {
    m.quantity = Quantity::FromUnits(*quantity);
  }
  if (price) {
    m.price = Px(*price);
  }
  return ModifyStep{m};
}

inline Step Cancel(std::string_view id) {
  execution::CancelOrder c;
  c.client_order_id = ClientOrderId::Of(id);
  c.strategy_id = StrategyId::Of("CONFORMANCE");
  return CancelStep{c};
}

inline Step Advance(Duration by) { return AdvanceStep{by}; }

inline ExpectedEvent Event(std::string name, std::string id) {
  ExpectedEvent e;
  e.name = std::move(name);
  e.client_order_id = std::move(id);
  return e;
}
inline ExpectedEvent Accepted(std::string id) { return Event("order_accepted", std::move(id)); }
inline ExpectedEvent Rejected(std::string id, std::string reason) {
  ExpectedEvent e = Event("order_rejected", std::move(id));
  e.reason = std::move(reason);
  return e;
}
inline ExpectedEvent Filled(std::string id, std::int64_t qty, std::string px, std::int64_t cumulative) {
  ExpectedEvent e = Event("order_filled", std::move(id));
  e.last_qty = qty;
  e.last_px = std::move(px);
  e.cumulative = cumulative;
  return e;
}
inline ExpectedEvent Modified(std::string id, std::int64_t quantity, std::string price) {
  ExpectedEvent e = Event("order_modified", std::move(id));
  e.quantity = quantity;
  e.price = std::move(price);
  return e;
}
inline ExpectedEvent ModifyRejected(std::string id, std::string reason) {
  ExpectedEvent e = Event("order_modify_rejected", std::move(id));
  e.reason = std::move(reason);
  return e;
}
inline ExpectedEvent Canceled(std::string id) { return Event("order_canceled", std::move(id)); }
inline ExpectedEvent CancelRejected(std::string id, std::string reason) {
  ExpectedEvent e = Event("order_cancel_rejected", std::move(id));
  e.reason = std::move(reason);
  return e;
}
inline ExpectedEvent Initialized(std::string id) { return Event("order_initialized", std::move(id)); }

inline Step Expect(std::vector<ExpectedEvent> events) { return ExpectEventsStep{std::move(events)}; }
inline Step ExpectNothing() { return ExpectEventsStep{}; }
inline Step ExpectOrder(std::string id, BrokerOrderStatus status, std::int64_t filled) {
  return ExpectOrderStep{std::move(id), status, filled};
}
inline Step ExpectOrderCount(std::size_t count) { return ExpectOrderCountStep{count}; }
inline Step ExpectFunds(ExpectFundsStep::Field field, double value) { return ExpectFundsStep{field, value}; }
inline Step ExpectPosition(const InstrumentId& id, Product product, double net) {
  return ExpectPositionStep{id, product, net};
}

// ------------------------------------------------------------------------------------------ the cases

inline std::vector<ConformanceCase> BrokerConformanceCases() {
  using C = Capability;
  using F = ExpectFundsStep::Field;
  const Side buy = Side::kBuy;
  const Side sell = Side::kSell;
  std::vector<ConformanceCase> cases;
  auto add = [&](std::string id, std::string title, std::set<Capability> needs, std::vector<Step> steps) {
    ConformanceCase c;
    c.id = std::move(id);
    c.title = std::move(title);
    c.needs = std::move(needs);
    c.steps = std::move(steps);
    cases.push_back(std::move(c));
    return &cases.back();
  };

  add("C01", "market buy fills at the ask", {},
      {Quote(kEquity, "500.00", "500.10"), Market("C01-1", kEquity, buy, 10),
       Expect({Accepted("C01-1"), Filled("C01-1", 10, "500.10", 10)}),
       ExpectOrder("C01-1", BrokerOrderStatus::kFilled, 10)});
  add("C02", "market sell fills at the bid", {},
      {Quote(kEquity, "500.00", "500.10"), Market("C02-1", kEquity, sell, 10),
       Expect({Accepted("C02-1"), Filled("C02-1", 10, "500.00", 10)})});
  add("C03", "market order pays the configured slippage in ticks", {},
       {Quote(kEquity, "500.00", "500.10"), Market("C03-1", kEquity, buy, 10),
        Expect({Accepted("C03-1"), Filled("C03-1", 10, "500.20", 10)})})
      ->profile.slippage_ticks = 2;
  add("C04", "limit buy rests, then fills at its price when the market comes through it", {},
      {Quote(kEquity, "500.00", "500.10"), Limit("C04-1", kEquity, buy, 10, "499.50"), Expect({Accepted("C04-1")}),
       Quote(kEquity, "499.40", "499.60"), ExpectNothing(), Quote(kEquity, "499.00", "499.40"),
       Expect({Filled("C04-1", 10, "499.50", 10)})});
  add("C05", "marketable limit fills at once at the better touch price", {},
      {Quote(kEquity, "500.00", "500.10"), Limit("C05-1", kEquity, buy, 10, "501.00"),
       Expect({Accepted("C05-1"), Filled("C05-1", 10, "500.10", 10)})});
  add("C06", "resting limit fills on a trade through its price, not on a trade at it", {},
      {Quote(kEquity, "500.00", "500.10"), Limit("C06-1", kEquity, buy, 10, "499.50"), Expect({Accepted("C06-1")}),
       Trade(kEquity, "499.50", 100), ExpectNothing(), Trade(kEquity, "499.45", 100),
       Expect({Filled("C06-1", 10, "499.50", 10)})});
  add("C07", "SL-M buy triggers on the last trade (not on quotes) and fills at the ask", {},
      {Quote(kEquity, "500.00", "500.10"), Trade(kEquity, "500.05", 10),
       StopMarket("C07-1", kEquity, buy, 10, "501.00"), Expect({Accepted("C07-1")}),
       Quote(kEquity, "500.95", "501.05"), ExpectNothing(), Trade(kEquity, "501.00", 10),
       Expect({Filled("C07-1", 10, "501.05", 10)})});
  add("C08", "SL-M sell triggers on a trade at or below the trigger and fills at the bid", {},
      {Quote(kEquity, "500.00", "500.10"), Trade(kEquity, "500.05", 10),
       StopMarket("C08-1", kEquity, sell, 10, "499.00"), Expect({Accepted("C08-1")}), Trade(kEquity, "499.00", 10),
       Expect({Filled("C08-1", 10, "500.00", 10)})});
  add("C09", "SL triggers, then rests as a limit until the market comes to it", {},
      {Quote(kEquity, "501.20", "501.30"), Trade(kEquity, "500.50", 10),
       StopLimit("C09-1", kEquity, buy, 10, "501.00", "501.10"), Expect({Accepted("C09-1")}),
       Trade(kEquity, "501.00", 10), ExpectNothing(), ExpectOrder("C09-1", BrokerOrderStatus::kOpen, 0),
       Quote(kEquity, "500.95", "501.05"), Expect({Filled("C09-1", 10, "501.10", 10)})});
  add("C10", "modify the price of a resting limit; it fills at the new price", {},
      {Quote(kEquity, "500.00", "500.10"), Limit("C10-1", kEquity, buy, 10, "499.50"), Expect({Accepted("C10-1")}),
       Modify("C10-1", std::nullopt, "499.80"), Expect({Modified("C10-1", 10, "499.80")}),
       Quote(kEquity, "499.60", "499.70"), Expect({Filled("C10-1", 10, "499.80", 10)})});
  add("C11", "modify the quantity of a resting limit; the fill is the new quantity", {},
      {Quote(kEquity, "500.00", "500.10"), Limit("C11-1", kEquity, buy, 10, "499.50"), Expect({Accepted("C11-1")}),
       Modify("C11-1", 20, std::nullopt), Expect({Modified("C11-1", 20, "499.50")}),
       Quote(kEquity, "499.00", "499.40"), Expect({Filled("C11-1", 20, "499.50", 20)})});
  add("C12", "a modify that makes the order marketable fills at once at the touch", {},
      {Quote(kEquity, "500.00", "500.10"), Limit("C12-1", kEquity, buy, 10, "499.50"), Expect({Accepted("C12-1")}),
       Modify("C12-1", std::nullopt, "501.00"),
       Expect({Modified("C12-1", 10, "501.00"), Filled("C12-1", 10, "500.10", 10)})});
  add("C13", "cancel a resting order; a later cross does not fill it", {},
      {Quote(kEquity, "500.00", "500.10"), Limit("C13-1", kEquity, buy, 10, "499.50"), Expect({Accepted("C13-1")}),
       Cancel("C13-1"), Expect({Canceled("C13-1")}), Quote(kEquity, "499.00", "499.40"), ExpectNothing(),
       ExpectOrder("C13-1", BrokerOrderStatus::kCanceled, 0)});
  add("C14", "cancel after the fill is rejected with a reason", {},
      {Quote(kEquity, "500.00", "500.10"), Market("C14-1", kEquity, buy, 10),
       Expect({Accepted("C14-1"), Filled("C14-1", 10, "500.10", 10)}), Cancel("C14-1"),
       Expect({CancelRejected("C14-1", "already filled")}), ExpectOrder("C14-1", BrokerOrderStatus::kFilled, 10)});
  add("C15", "modify of a filled order is rejected with a reason", {},
      {Quote(kEquity, "500.00", "500.10"), Market("C15-1", kEquity, buy, 10),
       Expect({Accepted("C15-1"), Filled("C15-1", 10, "500.10", 10)}), Modify("C15-1", 20, std::nullopt),
       Expect({ModifyRejected("C15-1", "filled")})});
  add("C16", "cancel of an order the broker never saw is rejected", {},
      {Cancel("C16-unknown"), Expect({CancelRejected("C16-unknown", "unknown order")})});
  add("C17", "reject: quantity not a multiple of the lot", {},
      {Quote(kOption, "100.00", "100.05"), Market("C17-1", kOption, buy, 70),
       Expect({Rejected("C17-1", "not a multiple of the lot size 65")}),
       ExpectOrder("C17-1", BrokerOrderStatus::kRejected, 0)});
  add("C18", "reject: price off the tick grid", {},
      {Quote(kOption, "100.00", "100.05"), Limit("C18-1", kOption, buy, 65, "100.03"),
       Expect({Rejected("C18-1", "not a multiple of the tick size 0.05")})});
  add("C19", "reject: insufficient funds", {},
       {Quote(kOption, "199.95", "200.00"), Market("C19-1", kOption, buy, 650),
        Expect({Rejected("C19-1", "insufficient funds")}), ExpectOrderCount(1)})
      ->profile.starting_capital = 100'000.0;
  add("C20", "reject: market closed", {C::kMarketHours},
       {Quote(kEquity, "500.00", "500.10"), Market("C20-1", kEquity, buy, 10),
        Expect({Rejected("C20-1", "market closed")})})
      ->start = kIndiaEvening;
  add("C21", "reject: a stop whose trigger the last trade already crossed", {},
      {Quote(kEquity, "500.00", "500.10"), Trade(kEquity, "500.05", 10),
       StopMarket("C21-1", kEquity, buy, 10, "500.00"), Expect({Rejected("C21-1", "would trigger at once")})});
  add("C22", "reject: unknown instrument", {},
      {Market("C22-1", InstrumentId::Of("NSE:NOSUCHSTOCK"), buy, 1),
       Expect({Rejected("C22-1", "unknown instrument")})});
  add("C23", "partial fills by displayed size sum to the order quantity", {C::kSeededModels},
       {Quote(kOption, "99.95", "100.00", 130, 130), Market("C23-1", kOption, buy, 260),
        Expect({Accepted("C23-1"), Filled("C23-1", 130, "100.00", 130)}),
        ExpectOrder("C23-1", BrokerOrderStatus::kOpen, 130), Quote(kOption, "100.00", "100.05", 65, 65),
        Expect({Filled("C23-1", 65, "100.05", 195)}), Quote(kOption, "100.05", "100.10", 130, 130),
        Expect({Filled("C23-1", 65, "100.10", 260)}), ExpectOrder("C23-1", BrokerOrderStatus::kFilled, 260)})
      ->profile.fill = BrokerProfile::FillKind::kDisplayedSize;
  add("C24", "duplicate client order id is refused without a second order", {},
      {Quote(kEquity, "500.00", "500.10"), Limit("C24-1", kEquity, buy, 10, "499.50"),
       Limit("C24-1", kEquity, buy, 10, "499.50"), Expect({Accepted("C24-1")}), ExpectOrderCount(1),
       ExpectOrder("C24-1", BrokerOrderStatus::kOpen, 0)});
  {
    auto* c = add("C25", "latency: nothing before the delay, then the ack before the fill", {C::kSimulatedTime},
                  {Quote(kEquity, "500.00", "500.10"), Market("C25-1", kEquity, buy, 10), ExpectNothing(),
                   Advance(std::chrono::milliseconds(4)), ExpectNothing(), ExpectOrderCount(1),
                   Advance(std::chrono::milliseconds(1)),
                   Expect({Accepted("C25-1"), Filled("C25-1", 10, "500.10", 10)})});
    c->profile.request_latency = std::chrono::milliseconds(3);
    c->profile.report_latency = std::chrono::milliseconds(2);
  }
  add("C26", "latency: the order meets the book as it is when it arrives", {C::kSimulatedTime},
       {Quote(kEquity, "500.00", "500.10"), Market("C26-1", kEquity, buy, 10), Quote(kEquity, "500.20", "500.30"),
        ExpectNothing(), Advance(std::chrono::milliseconds(5)),
        Expect({Accepted("C26-1"), Filled("C26-1", 10, "500.30", 10)})})
      ->profile.request_latency = std::chrono::milliseconds(5);
  add("C27", "MIS square-off at the cut-off cancels working MIS orders and closes MIS positions",
       {C::kSimulatedTime, C::kMisSquareOff, C::kPositions},
       {Quote(kOption, "99.95", "100.00"), Market("C27-1", kOption, buy, 130),
        Expect({Accepted("C27-1"), Filled("C27-1", 130, "100.00", 130)}),
        Limit("C27-2", kOption, buy, 65, "90.00"), Expect({Accepted("C27-2")}),
        Advance(std::chrono::minutes(4)), ExpectNothing(), Advance(std::chrono::minutes(1)),
        Expect({Canceled("C27-2"), Initialized("SQOFF-*"), Accepted("SQOFF-*"), Filled("SQOFF-*", 130, "99.95", 130)}),
        ExpectPosition(kOption, Product::kMis, 0), Market("C27-3", kOption, buy, 65),
        Expect({Rejected("C27-3", "square-off")})})
      ->start = kIndiaCloseToCutoff;
  add("C28", "NRML positions carry through the MIS cut-off", {C::kSimulatedTime, C::kMisSquareOff, C::kPositions},
       {Quote(kOption, "99.95", "100.00"), Market("C28-1", kOption, buy, 65, Product::kNrml),
        Expect({Accepted("C28-1"), Filled("C28-1", 65, "100.00", 65)}), Advance(std::chrono::minutes(6)),
        ExpectNothing(), ExpectPosition(kOption, Product::kNrml, 65)})
      ->start = kIndiaCloseToCutoff;
  // Hand-computed contract note (README.md, "Charges"): buy 65 @ 100.00 = 26.50, sell 65 @ 120.00 = 38.53.
  add("C29", "charges equal the hand-computed NSE options contract note", {C::kCharges, C::kFunds},
       {Quote(kOption, "99.95", "100.00"), Market("C29-1", kOption, buy, 65),
        Expect({Accepted("C29-1"), Filled("C29-1", 65, "100.00", 65)}), ExpectFunds(F::kCharges, 26.50),
        Quote(kOption, "120.00", "120.05"), Market("C29-2", kOption, sell, 65),
        Expect({Accepted("C29-2"), Filled("C29-2", 65, "120.00", 65)}), ExpectFunds(F::kCharges, 65.03),
        ExpectFunds(F::kRealised, 1300.0), ExpectFunds(F::kAvailableChange, 1300.0 - 65.03)})
      ->profile.fees = BrokerProfile::FeeKind::kMarket;
  {
    // Buy 10 SPY calls @ 2.50: $6.50 commission. Sell 10 @ 2.60: $6.50 + SEC 0.08 + TAF 0.03 = 6.61.
    auto* c = add("C30", "charges equal the hand-computed US options example", {C::kCharges, C::kFunds},
                  {Quote(kUsOption, "2.45", "2.50"), Market("C30-1", kUsOption, buy, 10),
                   Expect({Accepted("C30-1"), Filled("C30-1", 10, "2.50", 10)}), ExpectFunds(F::kCharges, 6.50),
                   Quote(kUsOption, "2.60", "2.65"), Market("C30-2", kUsOption, sell, 10),
                   Expect({Accepted("C30-2"), Filled("C30-2", 10, "2.60", 10)}), ExpectFunds(F::kCharges, 13.11),
                   ExpectFunds(F::kRealised, 100.0)});
    c->profile.fees = BrokerProfile::FeeKind::kMarket;
    c->start = kNewYorkMorning;
  }
  add("C31", "futures margin is blocked by a working order, moves to the position, and is released",
      {C::kFunds},
      {Quote(kFuture, "23999.95", "24000.00"), Limit("C31-1", kFuture, buy, 65, "23900.00", Product::kNrml),
       Expect({Accepted("C31-1")}), ExpectFunds(F::kUsedMargin, 0.10 * 23900.0 * 65), Cancel("C31-1"),
       Expect({Canceled("C31-1")}), ExpectFunds(F::kUsedMargin, 0.0),
       Market("C31-2", kFuture, buy, 65, Product::kNrml),
       Expect({Accepted("C31-2"), Filled("C31-2", 65, "24000.00", 65)}),
       ExpectFunds(F::kUsedMargin, 0.10 * 24000.0 * 65), Market("C31-3", kFuture, sell, 65, Product::kNrml),
       Expect({Accepted("C31-3"), Filled("C31-3", 65, "23999.95", 65)}), ExpectFunds(F::kUsedMargin, 0.0),
       ExpectFunds(F::kRealised, -0.05 * 65)});
  add("C32", "a short option blocks a SPAN-like share of the underlying, a long one its premium", {C::kFunds},
      {Quote(kIndex, "24000.00", "24000.00"), Quote(kOption, "100.00", "100.05"),
       Market("C32-1", kOption, sell, 65, Product::kNrml),
       Expect({Accepted("C32-1"), Filled("C32-1", 65, "100.00", 65)}),
       ExpectFunds(F::kUsedMargin, 0.12 * 24000.0 * 65), Market("C32-2", kOption, buy, 130, Product::kNrml),
       Expect({Accepted("C32-2"), Filled("C32-2", 130, "100.05", 130)}),
       ExpectFunds(F::kUsedMargin, 100.05 * 65)});
  add("C33", "equity MIS uses 5x leverage, CNC the full value", {C::kFunds},
      {Quote(kEquity, "500.00", "500.10"), Market("C33-1", kEquity, buy, 100),
       Expect({Accepted("C33-1"), Filled("C33-1", 100, "500.10", 100)}),
       ExpectFunds(F::kUsedMargin, 0.20 * 500.10 * 100), Market("C33-2", kEquity, buy, 100, Product::kCnc),
       Expect({Accepted("C33-2"), Filled("C33-2", 100, "500.10", 100)}),
       ExpectFunds(F::kUsedMargin, 0.20 * 500.10 * 100 + 500.10 * 100)});
  add("C34", "reject: CNC sell without holdings", {},
      {Quote(kEquity, "500.00", "500.10"), Market("C34-1", kEquity, sell, 10, Product::kCnc),
       Expect({Rejected("C34-1", "insufficient holdings")})});
  add("C35", "IOC limit that cannot fill is cancelled at once", {},
      {Quote(kEquity, "500.00", "500.10"),
       Limit("C35-1", kEquity, buy, 10, "499.00", Product::kMis, TimeInForce::kIoc),
       Expect({Accepted("C35-1"), Canceled("C35-1")})});
  add("C36", "QueryOrders returns a complete snapshot of every order", {},
      {Quote(kEquity, "500.00", "500.10"), Market("C36-1", kEquity, buy, 10), Limit("C36-2", kEquity, buy, 10, "499.00"),
       Market("C36-3", kEquity, buy, 7, Product::kNrml), Limit("C36-4", kEquity, sell, 10, "505.00"),
       Cancel("C36-4"),
       Expect({Accepted("C36-1"), Filled("C36-1", 10, "500.10", 10), Accepted("C36-2"),
               Rejected("C36-3", "NRML is for derivatives"), Accepted("C36-4"), Canceled("C36-4")}),
       ExpectOrderCount(4), ExpectOrder("C36-1", BrokerOrderStatus::kFilled, 10),
       ExpectOrder("C36-2", BrokerOrderStatus::kOpen, 0), ExpectOrder("C36-3", BrokerOrderStatus::kRejected, 0),
       ExpectOrder("C36-4", BrokerOrderStatus::kCanceled, 0)});
  {
    auto* c = add("C37", "deterministic under a seed: partial fills and jittered latency replay identically",
                  {C::kSimulatedTime, C::kSeededModels},
                  {Quote(kOption, "99.95", "100.00", 650, 650), Market("C37-1", kOption, buy, 650),
                   Limit("C37-2", kOption, buy, 1300, "99.50"), Advance(std::chrono::milliseconds(3)),
                   Quote(kOption, "99.40", "99.45", 520, 520), Advance(std::chrono::milliseconds(3)),
                   Quote(kOption, "99.30", "99.40", 390, 455), Modify("C37-2", 1950, std::nullopt),
                   Advance(std::chrono::milliseconds(3)), Quote(kOption, "99.20", "99.30", 975, 975),
                   Advance(std::chrono::milliseconds(10)), Cancel("C37-2"), Advance(std::chrono::milliseconds(10))});
    c->profile.fill = BrokerProfile::FillKind::kDisplayedSize;
    c->profile.min_share = 0.3;
    c->profile.request_latency = std::chrono::microseconds(500);
    c->profile.report_latency = std::chrono::microseconds(300);
    c->profile.jitter = std::chrono::microseconds(900);
    c->profile.seed = 42;
    c->repeat_identical = true;
  }
  add("C38", "a partially filled order that is cancelled keeps its fills", {C::kSeededModels},
       {Quote(kOption, "99.95", "100.00", 130, 130), Limit("C38-1", kOption, buy, 260, "100.00"),
        Expect({Accepted("C38-1"), Filled("C38-1", 130, "100.00", 130)}), Cancel("C38-1"),
        Expect({Canceled("C38-1")}), ExpectOrder("C38-1", BrokerOrderStatus::kCanceled, 130),
        Quote(kOption, "99.00", "99.05", 130, 130), ExpectNothing()})
      ->profile.fill = BrokerProfile::FillKind::kDisplayedSize;
  add("C39", "a modify off the tick grid is rejected and the order keeps its terms", {},
      {Quote(kEquity, "500.00", "500.10"), Limit("C39-1", kEquity, buy, 10, "499.50"), Expect({Accepted("C39-1")}),
       Modify("C39-1", std::nullopt, "499.52"), Expect({ModifyRejected("C39-1", "tick size")}),
       Quote(kEquity, "499.00", "499.40"), Expect({Filled("C39-1", 10, "499.50", 10)})});
  {
    auto* c = add("C40", "a cancel sent right behind its submit arrives after it, never before",
                  {C::kSimulatedTime, C::kSeededModels},
                  {Quote(kEquity, "500.00", "500.10"), Limit("C40-1", kEquity, buy, 10, "499.00"), Cancel("C40-1"),
                   Advance(std::chrono::milliseconds(20)), Expect({Accepted("C40-1"), Canceled("C40-1")}),
                   ExpectOrder("C40-1", BrokerOrderStatus::kCanceled, 0)});
    // Jitter larger than the base delay: without the ordered channel the cancel would often overtake.
    c->profile.request_latency = std::chrono::milliseconds(1);
    c->profile.report_latency = std::chrono::milliseconds(1);
    c->profile.jitter = std::chrono::milliseconds(5);
    c->profile.seed = 11;
  }
  add("C41", "reject: a contract past its expiry", {C::kMarketHours},
      {Quote(kExpiredOption, "0.05", "0.10"), Market("C41-1", kExpiredOption, buy, 65),
       Expect({Rejected("C41-1", "expired")})});

  // Where OpenAlgo's wire itself rules a scripted case out, the case says so (the rest of the list runs on it).
  auto exempt = [&](std::string_view id, std::string broker, std::string reason) {
    for (ConformanceCase& c : cases) {
      if (c.id == id) {
        c.exempt.emplace(std::move(broker), std::move(reason));
      }
    }
  };
  exempt("C16", "openalgo",
         "the adapter refuses a cancel of an order it never placed before any request is made (no order id to "
         "send), so the broker's own 'unknown order' answer is never reached");
  exempt("C17", "openalgo",
         "OpenAlgo's wire carries no client order tag: an order refused on placement gets no order id, so the "
         "broker's book row for it cannot be attributed to ours (the reject itself is checked by C18-C22)");
  exempt("C35", "openalgo", "OpenAlgo's placeorder has no validity field: an IOC order cannot be sent as one");
  exempt("C36", "openalgo",
         "fills reach the adapter by polling the books after its requests are answered: with several orders in one "
         "step a later order's accept comes before an earlier order's fill, so the exact interleaving differs");

  // Wire cases: a broker reached over a network can fail in ways an in-process venue cannot (a 429, an answer
  // that never comes, a 5xx after the order was taken, a process restart between request and fill). They drive
  // the real ExecutionEngine against a broker whose wire can be scripted; each broker runs them its own way
  // (RunCustom), and a broker without a wire is exempt with the reason.
  const std::string no_wire =
      "the paper broker runs in process: there is no wire to script (429, stalled or 5xx answers, refusals in the "
      "body, fills or status changes made at the broker, a restart of the client against a broker that kept "
      "running)";
  auto wire = [&](std::string id, std::string title) {
    ConformanceCase* c = add(std::move(id), std::move(title), {}, {});
    c->custom = true;
    c->exempt.emplace("paper", no_wire);
  };
  wire("C42", "a market buy goes out with the broker's wire fields, is acknowledged, then filled");
  wire("C43", "a limit rests across polls, then fills in two parts with the right average, never doubled");
  wire("C44", "an SL-M carries its trigger and fills when the broker triggers it");
  wire("C45", "a modify sends every field the broker requires, with the changed price");
  wire("C46", "a cancel is reported only once the broker's book says cancelled");
  wire("C47", "a cancel that loses the race with a fill ends filled");
  wire("C48", "a refusal in the body and a 400 are rejects with the broker's reason, nothing booked");
  wire("C49", "a 429 is waited out (Retry-After) and the order is placed exactly once");
  wire("C50", "a timeout after the broker took the order stays in flight, is never resent, and the late fill lands "
              "on our order");
  wire("C51", "a 5xx after the broker took the order is an unknown outcome resolved by reconciliation");
  wire("C52", "two identical unanswered submits cannot be told apart: neither is guessed");
  wire("C53", "after a restart, fills made while down arrive exactly once through reconciliation");
  wire("C54", "a modify after a restart reads the order's terms from the broker first");
  wire("C55", "a rejection by the broker after acceptance ends the order rejected");
  wire("C56", "a duplicate submit (same idempotency key) sends nothing");
  return cases;
}

// ----------------------------------------------------------------------------------------- the runner

/// One line per event with every field, ts included: two runs are identical when their lines are.
inline std::string DescribeEvent(const OrderEvent& event) {
  std::ostringstream out;
  out << execution::EventName(event) << ' ' << execution::EventOrderId(event).value();
  std::visit(
      [&out](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, execution::OrderAccepted>) {
          out << " venue=" << e.venue_order_id.value();
        } else if constexpr (std::is_same_v<T, execution::OrderFilled>) {
          out << " venue=" << e.venue_order_id.value() << " trade=" << e.trade_id.value()
              << " qty=" << e.last_qty.ToString() << " px=" << e.last_px.ToString()
              << " cum=" << e.cumulative_qty.ToString();
        } else if constexpr (std::is_same_v<T, execution::OrderRejected> ||
                             std::is_same_v<T, execution::OrderModifyRejected> ||
                             std::is_same_v<T, execution::OrderCancelRejected>) {
          out << " reason=" << e.reason;
        } else if constexpr (std::is_same_v<T, execution::OrderModified>) {
          out << " qty=" << e.quantity.ToString() << " px=" << (e.price ? e.price->ToString() : "-");
        }
        out << " ts_event=" << e.ts_event.nanos() << " ts_init=" << e.ts_init.nanos();
      },
      event);
  return out.str();
}

inline bool IdMatches(const std::string& expected, const std::string& actual) {
  if (!expected.empty() && expected.back() == '*') {
    return actual.rfind(expected.substr(0, expected.size() - 1), 0) == 0;
  }
  return expected == actual;
}

/// Checks one delivered event against its expectation; returns the mismatch ("" when it matches).
inline std::string CompareEvent(const ExpectedEvent& want, const OrderEvent& got) {
  std::ostringstream why;
  if (execution::EventName(got) != want.name || !IdMatches(want.client_order_id, execution::EventOrderId(got).str())) {
    why << "expected " << want.name << ' ' << want.client_order_id;
    return why.str();
  }
  auto reason_of = [](const OrderEvent& e) -> std::optional<std::string> {
    if (const auto* r = std::get_if<execution::OrderRejected>(&e)) return r->reason;
    if (const auto* r = std::get_if<execution::OrderModifyRejected>(&e)) return r->reason;
    if (const auto* r = std::get_if<execution::OrderCancelRejected>(&e)) return r->reason;
    return std::nullopt;
  };
  if (want.reason) {
    auto reason = reason_of(got);
    if (!reason || reason->find(*want.reason) == std::string::npos) {
      return "reason should contain '" + *want.reason + "'";
    }
  }
  if (const auto* fill = std::get_if<execution::OrderFilled>(&got)) {
    if (want.last_qty && fill->last_qty != Quantity::FromUnits(*want.last_qty)) return "wrong fill quantity";
    if (want.last_px && fill->last_px != Px(*want.last_px)) return "wrong fill price, expected " + *want.last_px;
    if (want.cumulative && fill->cumulative_qty != Quantity::FromUnits(*want.cumulative)) {
      return "wrong cumulative quantity";
    }
  }
  if (const auto* modified = std::get_if<execution::OrderModified>(&got)) {
    if (want.quantity && modified->quantity != Quantity::FromUnits(*want.quantity)) return "wrong modified quantity";
    if (want.price && (!modified->price || *modified->price != Px(*want.price))) return "wrong modified price";
  }
  return {};
}

/// Drains the delivered events into `stream` (described) and returns them.
inline std::vector<OrderEvent> DrainEvents(BrokerUnderTest& broker, std::vector<std::string>& stream) {
  broker.Settle();
  auto events = broker.TakeEvents();
  for (const auto& e : events) {
    stream.push_back(DescribeEvent(e));
  }
  return events;
}

/// Performs one step; expectation steps report through gtest.
inline void RunStep(const ConformanceCase& c, const Step& step, BrokerUnderTest& broker,
                    std::vector<std::string>& stream) {
  std::visit(
      [&](const auto& s) {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, QuoteStep>) {
          QuoteTick quote = s.quote;
          quote.ts_event = quote.ts_init = broker.Now();
          broker.Quote(quote);
        } else if constexpr (std::is_same_v<T, TradeStep>) {
          TradeTick trade = s.trade;
          trade.ts_event = trade.ts_init = broker.Now();
          broker.Trade(trade);
        } else if constexpr (std::is_same_v<T, SubmitStep>) {
          auto command = s.command;
          command.ts_init = broker.Now();
          broker.client().Submit(command);
        } else if constexpr (std::is_same_v<T, ModifyStep>) {
          auto command = s.command;
          command.ts_init = broker.Now();
          broker.client().Modify(command, std::nullopt);
        } else if constexpr (std::is_same_v<T, CancelStep>) {
          auto command = s.command;
          command.ts_init = broker.Now();
          broker.client().Cancel(command, std::nullopt);
        } else if constexpr (std::is_same_v<T, AdvanceStep>) {
          broker.Advance(s.by);
        } else if constexpr (std::is_same_v<T, ExpectEventsStep>) {
          const auto events = DrainEvents(broker, stream);
          std::ostringstream got;
          for (const auto& e : events) {
            got << "\n  " << DescribeEvent(e);
          }
          ASSERT_EQ(events.size(), s.events.size()) << "events delivered:" << got.str();
          for (std::size_t k = 0; k < events.size(); ++k) {
            const std::string mismatch = CompareEvent(s.events[k], events[k]);
            EXPECT_TRUE(mismatch.empty()) << "event " << k + 1 << ": " << mismatch << "; got "
                                          << DescribeEvent(events[k]);
          }
        } else if constexpr (std::is_same_v<T, ExpectOrderStep>) {
          broker.Settle();
          auto snapshot = broker.client().QueryOrders();
          ASSERT_TRUE(snapshot.ok());
          EXPECT_TRUE(snapshot->complete);
          const execution::BrokerOrderReport* found = nullptr;
          for (const auto& report : snapshot->orders) {
            if (report.client_order_id && report.client_order_id->value() == s.client_order_id) {
              found = &report;
            }
          }
          ASSERT_NE(found, nullptr) << s.client_order_id << " missing from the broker's order book";
          EXPECT_EQ(found->status, s.status) << s.client_order_id;
          EXPECT_EQ(found->filled_qty, Quantity::FromUnits(s.filled)) << s.client_order_id;
        } else if constexpr (std::is_same_v<T, ExpectOrderCountStep>) {
          broker.Settle();
          auto snapshot = broker.client().QueryOrders();
          ASSERT_TRUE(snapshot.ok());
          EXPECT_EQ(snapshot->orders.size(), s.count);
        } else if constexpr (std::is_same_v<T, ExpectFundsStep>) {
          broker.Settle();
          auto funds = broker.Funds();
          ASSERT_TRUE(funds.has_value());
          double actual = 0.0;
          switch (s.field) {
            case ExpectFundsStep::Field::kUsedMargin: actual = funds->used_margin; break;
            case ExpectFundsStep::Field::kCharges: actual = funds->charges; break;
            case ExpectFundsStep::Field::kRealised: actual = funds->realised_pnl; break;
            case ExpectFundsStep::Field::kAvailableChange:
              actual = funds->available - c.profile.starting_capital;
              break;
          }
          EXPECT_NEAR(actual, s.value, 1e-6);
        } else if constexpr (std::is_same_v<T, ExpectPositionStep>) {
          broker.Settle();
          auto net = broker.NetPosition(s.instrument_id, s.product);
          ASSERT_TRUE(net.has_value());
          EXPECT_NEAR(*net, s.net, 1e-9);
        }
      },
      step);
}

inline void BrokerUnderTest::RunCustom(const ConformanceCase& c) {
  ADD_FAILURE() << c.id << " is a custom case and " << name() << " has no runner for it";
}

/// Runs one case once from a fresh broker; returns the event stream it produced (described).
inline std::vector<std::string> RunCaseOnce(const ConformanceCase& c, BrokerUnderTest& broker) {
  std::vector<std::string> stream;
  broker.Reset(c.profile, c.start, ConformanceInstruments());
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    SCOPED_TRACE(c.id + " step " + std::to_string(i + 1));
    RunStep(c, c.steps[i], broker, stream);
    if (::testing::Test::HasFatalFailure()) {
      return stream;
    }
  }
  DrainEvents(broker, stream);  // whatever is left counts for the determinism comparison
  return stream;
}

/// Runs a case against a broker: skips when the broker lacks a capability or cannot honour the profile.
inline void RunConformanceCase(const ConformanceCase& c, BrokerUnderTest& broker) {
  if (auto exempt = c.exempt.find(broker.name()); exempt != c.exempt.end()) {
    GTEST_SKIP() << c.id << " does not apply to " << broker.name() << ": " << exempt->second;
  }
  for (Capability needed : c.needs) {
    if (!broker.Has(needed)) {
      GTEST_SKIP() << c.id << " needs " << CapabilityName(needed) << ": " << broker.WhyNot(needed);
    }
  }
  if (c.custom) {
    broker.RunCustom(c);
    return;
  }
  if (!broker.CanHonour(c.profile)) {
    GTEST_SKIP() << c.id << ": profile not supported by this broker";
  }
  const auto first = RunCaseOnce(c, broker);
  if (!c.repeat_identical || ::testing::Test::HasFailure()) {
    return;
  }
  EXPECT_GT(first.size(), 3u) << "a determinism case must produce events";
  const auto second = RunCaseOnce(c, broker);
  std::string a;
  std::string b;
  for (const auto& line : first) a += line + "\n";
  for (const auto& line : second) b += line + "\n";
  EXPECT_EQ(a, b) << "same seed and inputs must give a byte-identical event stream";
}

}  // namespace td::conformance
