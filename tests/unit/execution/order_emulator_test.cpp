// SPDX-License-Identifier: MIT
#include "execution/order_emulator.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "persistence/frame_types.hpp"
#include "persistence/journal.hpp"
#include "unit/execution/emulator_harness.hpp"

namespace td::execution {
namespace {

using testing::Desk;
using testing::EmulatorTempDir;
using testing::Px;
using testing::Qty;
using testing::SwitchGate;
using testing::TapeBroker;

const InstrumentId kOption = InstrumentId::Of("NFO:NIFTY24NOV24000CE");
const InstrumentId kStock = InstrumentId::Of("NSE:SBIN");

std::vector<Instrument> Instruments() {
  ContractSpec option_spec{Px("0.05"), Qty(25), Qty(1), 2};
  ContractSpec stock_spec{Px("0.05"), Qty(1), Qty(1), 2};
  return {
      *Instrument::Option(kOption, InstrumentId::Of("NSE:NIFTY"), CivilDate{2024, 11, 28}, Px("24000"),
                          OptionRight::kCall, option_spec),
      *Instrument::Equity(kStock, stock_spec),
  };
}

class EmulatorTest : public ::testing::Test {
 protected:
  std::unique_ptr<Desk> OpenDesk() { return std::make_unique<Desk>(dir_ / "", clock_, broker_, Instruments(), &gate_); }
  void Tick(Desk& desk, const InstrumentId& id, std::string_view px) {
    broker_.tape_price = Px(px);
    desk.emulator->OnTrade(TradeTick{id, Px(px), Qty(1), AggressorSide::kNone, clock_.Now(), clock_.Now()});
  }
  static EntryRequest Trigger(Side side, std::string_view level, std::int64_t qty = 50) {
    EntryRequest request;
    request.instrument_id = kOption;
    request.side = side;
    request.kind = EntryKind::kTrigger;
    request.product = Product::kNrml;
    request.quantity = Qty(qty);
    request.price = Px(level);
    request.bracket.take_profit_points = Px("8");
    request.bracket.stop_loss_points = Px("5");
    return request;
  }
  static EntryRequest Limit(Side side, std::string_view price, std::int64_t qty = 75) {
    EntryRequest request = Trigger(side, price, qty);
    request.kind = EntryKind::kLimit;
    return request;
  }
  static BracketRequest Long(std::string_view entry, std::optional<std::string_view> tp,
                             std::optional<std::string_view> sl, std::int64_t qty = 25) {
    BracketRequest request;
    request.instrument_id = kOption;
    request.position_side = Side::kBuy;
    request.product = Product::kNrml;
    request.quantity = Qty(qty);
    request.entry_price = Px(entry);
    if (tp) {
      request.take_profit = Px(*tp);
    }
    if (sl) {
      request.stop_loss = Px(*sl);
    }
    return request;
  }
  std::vector<const EmulatedBracket*> Records(const Desk& desk) const {
    std::vector<const EmulatedBracket*> out;
    for (const auto& [id, record] : desk.emulator->brackets()) {
      out.push_back(&record);
    }
    return out;
  }

  EmulatorTempDir dir_;
  TestClock clock_{UnixNanos::FromSeconds(1'700'000'000)};
  TapeBroker broker_;
  SwitchGate gate_;
};

// ---- refusals ----------------------------------------------------------------------------------------------

TEST_F(EmulatorTest, BuyTriggerAtOrBelowTheLastPriceIsRefusedBecauseItWouldFireAtOnce) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  for (std::string_view level : {"100.00", "99.95"}) {
    auto placed = desk->emulator->PlaceEntry(Trigger(Side::kBuy, level));
    ASSERT_FALSE(placed.ok());
    EXPECT_EQ(placed.error().code, ErrorCode::kUnprocessable);
    EXPECT_EQ(placed.error().field, "price");
    EXPECT_NE(placed.error().message.find("would fire at once"), std::string::npos) << placed.error().message;
  }
  EXPECT_TRUE(desk->emulator->PlaceEntry(Trigger(Side::kBuy, "100.05")).ok());
  EXPECT_TRUE(broker_.submits.empty());
}

TEST_F(EmulatorTest, SellTriggerAtOrAboveTheLastPriceIsRefused) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  EXPECT_FALSE(desk->emulator->PlaceEntry(Trigger(Side::kSell, "100.00")).ok());
  EXPECT_FALSE(desk->emulator->PlaceEntry(Trigger(Side::kSell, "100.50")).ok());
  EXPECT_TRUE(desk->emulator->PlaceEntry(Trigger(Side::kSell, "99.95")).ok());
}

TEST_F(EmulatorTest, TriggerWithoutAnyLastPriceIsRefused) {
  auto desk = OpenDesk();
  auto placed = desk->emulator->PlaceEntry(Trigger(Side::kBuy, "100.00"));
  ASSERT_FALSE(placed.ok());
  EXPECT_EQ(placed.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(placed.error().message.find("no last price"), std::string::npos);
}

TEST_F(EmulatorTest, MalformedEntriesAreRefusedWithTheOffendingField) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  struct Case {
    std::string name;
    EntryRequest request;
    std::string field;
  };
  std::vector<Case> cases;
  {
    EntryRequest r = Trigger(Side::kBuy, "101");
    r.instrument_id = InstrumentId::Of("NFO:UNKNOWN");
    cases.push_back({"unknown instrument", r, "instrument_id"});
  }
  {
    EntryRequest r = Trigger(Side::kBuy, "101", 30);
    cases.push_back({"not a lot multiple", r, "quantity"});
  }
  {
    EntryRequest r = Trigger(Side::kBuy, "101", 0);
    cases.push_back({"zero quantity", r, "quantity"});
  }
  {
    EntryRequest r = Trigger(Side::kBuy, "101.02");
    cases.push_back({"off the tick grid", r, "price"});
  }
  {
    EntryRequest r = Limit(Side::kBuy, "99");
    r.price.reset();
    cases.push_back({"limit without price", r, "price"});
  }
  {
    EntryRequest r = Limit(Side::kBuy, "99");
    r.kind = EntryKind::kMarket;
    cases.push_back({"market with price", r, "price"});
  }
  {
    EntryRequest r = Trigger(Side::kBuy, "101");
    r.bracket.take_profit_points = Px("-1");
    cases.push_back({"negative take profit points", r, "bracket.take_profit_points"});
  }
  {
    EntryRequest r = Trigger(Side::kBuy, "101");
    r.bracket.stop_loss_points = Px("0.03");
    cases.push_back({"stop points off the grid", r, "bracket.stop_loss_points"});
  }
  {
    EntryRequest r = Trigger(Side::kBuy, "101");
    r.bracket.trailing.stages = {{Px("10"), TrailStage::Mode::kLock, Px("1")},
                                 {Px("5"), TrailStage::Mode::kTrail, Px("2")}};
    cases.push_back({"stages not increasing", r, "trailing.stages[1].trigger_profit"});
  }
  {
    EntryRequest r = Trigger(Side::kBuy, "101");
    r.bracket.trailing.stages = {{Px("10"), TrailStage::Mode::kLock, Px("10")}};
    cases.push_back({"lock at the trigger would exit at once", r, "trailing.stages[0].amount"});
  }
  {
    EntryRequest r = Trigger(Side::kBuy, "101");
    r.bracket.trailing.stages = {{Px("10"), TrailStage::Mode::kTrail, Px("0")}};
    cases.push_back({"zero trailing distance", r, "trailing.stages[0].amount"});
  }
  for (const Case& c : cases) {
    auto placed = desk->emulator->PlaceEntry(c.request);
    ASSERT_FALSE(placed.ok()) << c.name;
    EXPECT_EQ(placed.error().field, c.field) << c.name << ": " << placed.error().ToString();
  }
  EXPECT_TRUE(desk->emulator->entries().empty());
  EXPECT_TRUE(broker_.submits.empty());
}

TEST_F(EmulatorTest, EntryOppositeToAnOpenRecordIsRefused) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  ASSERT_TRUE(desk->emulator->AttachBracket(Long("100", "110", "95")).ok());
  auto placed = desk->emulator->PlaceEntry(Trigger(Side::kSell, "99"));
  ASSERT_FALSE(placed.ok());
  EXPECT_EQ(placed.error().field, "side");
}

TEST_F(EmulatorTest, BracketLinesThatWouldFireAtOnceOrCrossAreRefused) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  EXPECT_EQ(desk->emulator->AttachBracket(Long("100", "99", std::nullopt)).error().field, "take_profit");
  EXPECT_EQ(desk->emulator->AttachBracket(Long("100", std::nullopt, "100.50")).error().field, "stop_loss");
  EXPECT_EQ(desk->emulator->AttachBracket(Long("100", "95", "96")).error().field, "take_profit");
  EXPECT_EQ(desk->emulator->AttachBracket(Long("100", std::nullopt, std::nullopt)).error().code,
            ErrorCode::kInvalidArgument);
  auto id = desk->emulator->AttachBracket(Long("100", "105", "95"));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(desk->emulator->MoveStopLoss(*id, Px("100.10")).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(desk->emulator->MoveTakeProfit(*id, Px("100.00")).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(desk->emulator->MoveTakeProfit(*id, Px("104.02")).error().field, "take_profit");
  EXPECT_EQ(desk->emulator->MoveStopLoss(99, Px("90")).error().code, ErrorCode::kNotFound);
}

// ---- triggers ---------------------------------------------------------------------------------------------

TEST_F(EmulatorTest, BuyTriggerFiresOnceWhenThePriceReachesItAsMarketOnTheOwnExchange) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  broker_.fill_market = false;
  auto id = desk->emulator->PlaceEntry(Trigger(Side::kBuy, "101.00", 50));
  ASSERT_TRUE(id.ok()) << id.error().ToString();
  Tick(*desk, kOption, "100.95");
  EXPECT_TRUE(broker_.submits.empty());
  Tick(*desk, kOption, "101.00");
  ASSERT_EQ(broker_.submits.size(), 1u);
  const SubmitOrder& sent = broker_.submits[0];
  EXPECT_EQ(sent.instrument_id, kOption);
  EXPECT_EQ(sent.instrument_id.exchange(), "NFO");
  EXPECT_EQ(sent.side, Side::kBuy);
  EXPECT_EQ(sent.type, OrderType::kMarket);
  EXPECT_EQ(sent.product, Product::kNrml);
  EXPECT_EQ(sent.quantity, Qty(50));
  EXPECT_EQ(sent.strategy_id.value(), "EMULATOR");
  EXPECT_EQ(sent.client_order_id, OrderEmulator::ReleaseOrderId(*id, 1));
  EXPECT_EQ(gate_.checked.size(), 1u);  // the release went through the pre-trade gate
  Tick(*desk, kOption, "101.50");
  Tick(*desk, kOption, "102.00");
  EXPECT_EQ(broker_.submits.size(), 1u) << "a fired trigger never fires again";
  EXPECT_EQ(desk->emulator->FindEntry(*id)->state, EmulatedEntry::State::kReleased);
}

TEST_F(EmulatorTest, EachFillOfATriggeredEntryBecomesItsOwnRecordAnchoredAtItsPrice) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  broker_.fill_market = false;
  auto id = desk->emulator->PlaceEntry(Trigger(Side::kBuy, "101.00", 75));
  Tick(*desk, kOption, "101.10");
  const ClientOrderId order = broker_.submits.at(0).client_order_id;
  broker_.Fill(order, Qty(25), Px("101.10"));
  broker_.Fill(order, Qty(50), Px("101.30"));
  auto records = Records(*desk);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]->quantity, Qty(25));
  EXPECT_EQ(records[0]->entry_price, Px("101.10"));
  EXPECT_EQ(records[0]->take_profit, Px("109.10"));
  EXPECT_EQ(records[0]->stop_loss, Px("96.10"));
  EXPECT_EQ(records[1]->quantity, Qty(50));
  EXPECT_EQ(records[1]->entry_price, Px("101.30"));
  EXPECT_EQ(records[1]->take_profit, Px("109.30"));
  EXPECT_EQ(records[1]->stop_loss, Px("96.30"));
  EXPECT_EQ(records[1]->entry_id, *id);
  EXPECT_EQ(desk->emulator->FindEntry(*id), nullptr) << "the entry line ends once its order is filled";
  EXPECT_EQ(desk->emulator->TrackedQuantity(kOption, Product::kNrml), Qty(75));
}

TEST_F(EmulatorTest, SellTriggerFiresAtOrBelowAndItsRecordIsShort) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  ASSERT_TRUE(desk->emulator->PlaceEntry(Trigger(Side::kSell, "99.00", 25)).ok());
  Tick(*desk, kOption, "99.05");
  EXPECT_TRUE(broker_.submits.empty());
  Tick(*desk, kOption, "98.90");  // a gap through the level fires at the price seen
  ASSERT_EQ(broker_.submits.size(), 1u);
  EXPECT_EQ(broker_.submits[0].side, Side::kSell);
  auto records = Records(*desk);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]->position_side, Side::kSell);
  EXPECT_EQ(records[0]->take_profit, Px("90.90"));
  EXPECT_EQ(records[0]->stop_loss, Px("103.90"));
}

TEST_F(EmulatorTest, MovingATriggerRevalidatesAndRemovingItSendsNothing) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  auto id = desk->emulator->PlaceEntry(Trigger(Side::kBuy, "101.00"));
  EXPECT_EQ(desk->emulator->MoveEntry(*id, Px("99.50")).error().code, ErrorCode::kUnprocessable);
  ASSERT_TRUE(desk->emulator->MoveEntry(*id, Px("102.00")).ok());
  Tick(*desk, kOption, "101.50");
  EXPECT_TRUE(broker_.submits.empty()) << "the old level no longer fires";
  ASSERT_TRUE(desk->emulator->CancelEntry(*id).ok());
  Tick(*desk, kOption, "103.00");
  EXPECT_TRUE(broker_.submits.empty());
  EXPECT_TRUE(broker_.cancels.empty());
  EXPECT_TRUE(desk->emulator->entries().empty());
}

TEST_F(EmulatorTest, ATriggerDeniedByRiskEndsWithTheReason) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  auto id = desk->emulator->PlaceEntry(Trigger(Side::kBuy, "101.00"));
  gate_.deny = true;
  Tick(*desk, kOption, "101.00");
  EXPECT_TRUE(broker_.submits.empty());
  EXPECT_EQ(desk->emulator->FindEntry(*id), nullptr);
  const auto* closed = std::get_if<EmulatedEntryClosed>(&desk->events.back());
  ASSERT_NE(closed, nullptr);
  EXPECT_EQ(closed->reason_code, "denied");
  EXPECT_NE(closed->reason.find("throttled"), std::string::npos);
}

// ---- pending limits --------------------------------------------------------------------------------------

TEST_F(EmulatorTest, PendingLimitGoesToTheBrokerAndAttachesOnlyOnFillsProportionally) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  auto id = desk->emulator->PlaceEntry(Limit(Side::kBuy, "99.00", 75));
  ASSERT_TRUE(id.ok());
  ASSERT_EQ(broker_.submits.size(), 1u);
  EXPECT_EQ(broker_.submits[0].type, OrderType::kLimit);
  EXPECT_EQ(broker_.submits[0].price, Px("99.00"));
  EXPECT_TRUE(desk->emulator->brackets().empty()) << "no TP/SL before a fill";
  broker_.OnTape(Px("99.00"), Qty(25), 1);
  auto records = Records(*desk);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]->quantity, Qty(25));
  EXPECT_EQ(records[0]->stop_loss, Px("94.00"));
  ASSERT_NE(desk->emulator->FindEntry(*id), nullptr) << "still working for the rest";
  broker_.OnTape(Px("98.95"), Qty(100), 2);
  records = Records(*desk);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1]->quantity, Qty(50));
  EXPECT_EQ(desk->emulator->FindEntry(*id), nullptr);
}

TEST_F(EmulatorTest, MovingAPendingLimitModifiesTheBrokerOrderAndRemovingItCancels) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  auto id = desk->emulator->PlaceEntry(Limit(Side::kBuy, "99.00", 75));
  ASSERT_TRUE(desk->emulator->MoveEntry(*id, Px("98.50")).ok());
  ASSERT_EQ(broker_.modifies.size(), 1u);
  EXPECT_EQ(broker_.modifies[0].price, Px("98.50"));
  EXPECT_EQ(desk->emulator->FindEntry(*id)->price, Px("98.50"));
  broker_.OnTape(Px("98.50"), Qty(25), 1);  // a partial fill before the cancel keeps its bracket
  ASSERT_TRUE(desk->emulator->CancelEntry(*id).ok());
  ASSERT_EQ(broker_.cancels.size(), 1u);
  EXPECT_EQ(broker_.cancels[0].client_order_id, broker_.submits[0].client_order_id);
  EXPECT_EQ(desk->emulator->FindEntry(*id), nullptr);
  ASSERT_EQ(desk->emulator->brackets().size(), 1u);
  EXPECT_EQ(desk->emulator->brackets().begin()->second.quantity, Qty(25));
  EXPECT_EQ(desk->emulator->MoveEntry(*id, Px("98.00")).error().code, ErrorCode::kNotFound);
}

TEST_F(EmulatorTest, ALimitEntryRejectedByTheBrokerEndsWithItsReason) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  broker_.reject_next = true;
  auto id = desk->emulator->PlaceEntry(Limit(Side::kBuy, "99.00", 25));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(desk->emulator->FindEntry(*id), nullptr);
  const auto* closed = std::get_if<EmulatedEntryClosed>(&desk->events.back());
  ASSERT_NE(closed, nullptr);
  EXPECT_EQ(closed->reason_code, "rejected");
  EXPECT_EQ(closed->reason, "RMS: margin shortfall");
}

// ---- brackets --------------------------------------------------------------------------------------------

TEST_F(EmulatorTest, TakeProfitWinsTheRaceAndTheStopIsDisarmedInTheSameStep) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  broker_.fill_market = false;
  auto id = desk->emulator->AttachBracket(Long("100", "105", "95", 50));
  ASSERT_TRUE(id.ok());
  Tick(*desk, kOption, "104.95");
  EXPECT_TRUE(broker_.submits.empty());
  Tick(*desk, kOption, "105.00");
  ASSERT_EQ(broker_.submits.size(), 1u);
  EXPECT_EQ(broker_.submits[0].side, Side::kSell);
  EXPECT_EQ(broker_.submits[0].quantity, Qty(50));
  EXPECT_EQ(broker_.submits[0].instrument_id.exchange(), "NFO");
  EXPECT_EQ(broker_.submits[0].product, Product::kNrml);
  EXPECT_TRUE(desk->emulator->FindBracket(*id)->exiting());
  Tick(*desk, kOption, "94.00");  // the stop's price, while the exit is in flight
  Tick(*desk, kOption, "106.00");
  EXPECT_EQ(broker_.submits.size(), 1u) << "no second exit: the position would be oversold";
  broker_.Fill(broker_.submits[0].client_order_id, Qty(50), Px("104.90"));
  EXPECT_EQ(desk->emulator->FindBracket(*id), nullptr);
  const auto* closed = std::get_if<EmulatedBracketClosed>(&desk->events.back());
  ASSERT_NE(closed, nullptr);
  EXPECT_EQ(closed->reason_code, "take_profit");
}

TEST_F(EmulatorTest, ShortRecordStopsOnTheBuyPriceAndExitsByBuying) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  BracketRequest request = Long("100", "90", "104");
  request.position_side = Side::kSell;
  auto id = desk->emulator->AttachBracket(request);
  ASSERT_TRUE(id.ok()) << id.error().ToString();
  Tick(*desk, kOption, "103.95");
  EXPECT_TRUE(broker_.submits.empty());
  Tick(*desk, kOption, "104.00");
  ASSERT_EQ(broker_.submits.size(), 1u);
  EXPECT_EQ(broker_.submits[0].side, Side::kBuy);
  EXPECT_EQ(desk->emulator->FindBracket(*id), nullptr);  // filled at once by the tape broker
  EXPECT_EQ(std::get<EmulatedBracketClosed>(desk->events.back()).reason_code, "stop_loss");
}

TEST_F(EmulatorTest, QuotesTriggerOnTheSideTheExitTradesAndCrossedBooksAreIgnored) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  auto id = desk->emulator->AttachBracket(Long("100", "105", "95"));
  auto quote = [&](std::string_view bid, std::string_view ask) {
    desk->emulator->OnQuote(QuoteTick{kOption, Px(bid), Px(ask), Qty(1), Qty(1), clock_.Now(), clock_.Now()});
  };
  quote("104.90", "105.10");  // the ask is above TP, but a long exits by selling at the bid
  EXPECT_TRUE(broker_.submits.empty());
  quote("105.20", "105.00");  // crossed: no price
  EXPECT_TRUE(broker_.submits.empty());
  broker_.tape_price = Px("105.00");
  quote("105.00", "105.05");
  ASSERT_EQ(broker_.submits.size(), 1u);
  EXPECT_EQ(desk->emulator->FindBracket(*id), nullptr);
}

TEST_F(EmulatorTest, ADeniedExitIsArmedAgainAfterTheRetryDelayNotOnEveryTick) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  auto id = desk->emulator->AttachBracket(Long("100", "105", "95"));
  gate_.deny = true;
  Tick(*desk, kOption, "94.50");
  EXPECT_EQ(gate_.checked.size(), 1u);
  EXPECT_FALSE(desk->emulator->FindBracket(*id)->exiting());
  Tick(*desk, kOption, "94.40");
  EXPECT_EQ(gate_.checked.size(), 1u) << "not retried before the delay";
  gate_.deny = false;
  clock_.Advance(std::chrono::seconds(1));
  Tick(*desk, kOption, "94.30");
  EXPECT_EQ(gate_.checked.size(), 2u);
  ASSERT_EQ(broker_.submits.size(), 1u);
  EXPECT_EQ(broker_.submits[0].client_order_id, OrderEmulator::ReleaseOrderId(*id, 2));
  EXPECT_EQ(desk->emulator->FindBracket(*id), nullptr);
}

TEST_F(EmulatorTest, AnUnknownExitOutcomeStaysInFlightAndIsNeverResent) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  auto id = desk->emulator->AttachBracket(Long("100", "105", "95"));
  broker_.silent = true;
  Tick(*desk, kOption, "95.00");
  ASSERT_EQ(broker_.submits.size(), 1u);
  broker_.silent = false;
  broker_.Emit(OrderUpdateTimedOut{broker_.submits[0].client_order_id, PendingRequest::kSubmit, "timeout", {}, {}});
  clock_.Advance(std::chrono::seconds(30));
  Tick(*desk, kOption, "94.00");
  Tick(*desk, kOption, "93.00");
  EXPECT_EQ(broker_.submits.size(), 1u);
  EXPECT_TRUE(desk->emulator->FindBracket(*id)->exiting());
}

TEST_F(EmulatorTest, ExitPartlyFilledThenCanceledLeavesTheRestProtected) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  broker_.fill_market = false;
  auto id = desk->emulator->AttachBracket(Long("100", "105", "95", 75));
  Tick(*desk, kOption, "95.00");
  const ClientOrderId exit = broker_.submits.at(0).client_order_id;
  broker_.Fill(exit, Qty(25), Px("95.00"));
  EXPECT_EQ(desk->emulator->FindBracket(*id)->quantity, Qty(50));
  broker_.Cancel(CancelOrder{exit, {}, StrategyId::Of("X"), {}}, std::nullopt);
  const EmulatedBracket* record = desk->emulator->FindBracket(*id);
  ASSERT_NE(record, nullptr);
  EXPECT_FALSE(record->exiting());
  EXPECT_EQ(record->quantity, Qty(50));
  clock_.Advance(std::chrono::seconds(2));
  broker_.fill_market = true;
  Tick(*desk, kOption, "94.90");
  ASSERT_EQ(broker_.submits.size(), 2u);
  EXPECT_EQ(broker_.submits[1].quantity, Qty(50)) << "exactly what is left, never the original 75";
  EXPECT_EQ(desk->emulator->FindBracket(*id), nullptr);
}

TEST_F(EmulatorTest, MovingAndRemovingLines) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  auto id = desk->emulator->AttachBracket(Long("100", "105", "95"));
  ASSERT_TRUE(desk->emulator->MoveStopLoss(*id, std::nullopt).ok());
  Tick(*desk, kOption, "90.00");
  EXPECT_TRUE(broker_.submits.empty()) << "no stop line any more";
  ASSERT_TRUE(desk->emulator->MoveTakeProfit(*id, Px("92.00")).ok());
  broker_.silent = true;
  Tick(*desk, kOption, "92.00");
  ASSERT_EQ(broker_.submits.size(), 1u);
  EXPECT_EQ(desk->emulator->MoveStopLoss(*id, Px("80")).error().code, ErrorCode::kConflict);
  EXPECT_EQ(desk->emulator->RemoveBracket(*id).error().code, ErrorCode::kConflict);
  EXPECT_EQ(desk->emulator->CloseBracket(*id).error().code, ErrorCode::kConflict);
  auto other = desk->emulator->AttachBracket(Long("92", "99", "85"));
  ASSERT_TRUE(desk->emulator->RemoveBracket(*other).ok());
  EXPECT_EQ(desk->emulator->FindBracket(*other), nullptr);
}

TEST_F(EmulatorTest, CloseReleasesAMarketExitForTheRecordNow) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  auto id = desk->emulator->AttachBracket(Long("100", "105", "95", 50));
  ASSERT_TRUE(desk->emulator->CloseBracket(*id).ok());
  ASSERT_EQ(broker_.submits.size(), 1u);
  EXPECT_EQ(broker_.submits[0].quantity, Qty(50));
  EXPECT_EQ(std::get<EmulatedBracketClosed>(desk->events.back()).reason_code, "closed");
}

// ---- trailing --------------------------------------------------------------------------------------------

TEST_F(EmulatorTest, TrailingStopMovesByStagesAndNeverLoosens) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  BracketRequest request = Long("100", std::nullopt, "95");
  request.trailing.stages = {{Px("2"), TrailStage::Mode::kLock, Px("0")},     // +2: breakeven
                             {Px("3"), TrailStage::Mode::kLock, Px("1")},     // +3: lock +1
                             {Px("4"), TrailStage::Mode::kTrail, Px("1.5")}};  // +4: trail by 1.5
  auto id = desk->emulator->AttachBracket(request);
  ASSERT_TRUE(id.ok()) << id.error().ToString();
  auto stop = [&] { return *desk->emulator->FindBracket(*id)->stop_loss; };
  Tick(*desk, kOption, "101.00");
  EXPECT_EQ(stop(), Px("95"));
  Tick(*desk, kOption, "102.00");
  EXPECT_EQ(stop(), Px("100"));
  Tick(*desk, kOption, "101.00");
  EXPECT_EQ(stop(), Px("100"));
  Tick(*desk, kOption, "103.00");
  EXPECT_EQ(stop(), Px("101"));
  Tick(*desk, kOption, "104.00");
  EXPECT_EQ(stop(), Px("102.50"));
  Tick(*desk, kOption, "105.30");
  EXPECT_EQ(stop(), Px("103.80"));
  Tick(*desk, kOption, "104.00");
  EXPECT_EQ(stop(), Px("103.80")) << "never loosens";
  EXPECT_TRUE(broker_.submits.empty());
  Tick(*desk, kOption, "103.80");
  ASSERT_EQ(broker_.submits.size(), 1u);
  EXPECT_EQ(broker_.submits[0].side, Side::kSell);
  EXPECT_EQ(std::get<EmulatedBracketClosed>(desk->events.back()).reason_code, "stop_loss");
}

TEST_F(EmulatorTest, TrailingOnAShortRoundsAwayFromThePrice) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  BracketRequest request = Long("100", std::nullopt, "105");
  request.position_side = Side::kSell;
  request.trailing.stages = {{Px("1"), TrailStage::Mode::kTrail, Px("0.70")}};
  auto id = desk->emulator->AttachBracket(request);
  ASSERT_TRUE(id.ok()) << id.error().ToString();
  Tick(*desk, kOption, "98.95");
  EXPECT_EQ(desk->emulator->FindBracket(*id)->stop_loss, Px("99.65"));
  Tick(*desk, kOption, "99.10");
  EXPECT_EQ(desk->emulator->FindBracket(*id)->stop_loss, Px("99.65"));
  Tick(*desk, kOption, "99.65");
  EXPECT_EQ(broker_.submits.size(), 1u);
  EXPECT_EQ(broker_.submits[0].side, Side::kBuy);
}

// ---- position sync ---------------------------------------------------------------------------------------

TEST_F(EmulatorTest, ASmallerBrokerPositionTrimsTheNewestRecordsFirst) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  auto a = desk->emulator->AttachBracket(Long("100", "105", "95"));
  clock_.Advance(std::chrono::seconds(1));
  auto b = desk->emulator->AttachBracket(Long("100.5", "105", "95"));
  clock_.Advance(std::chrono::seconds(1));
  auto c = desk->emulator->AttachBracket(Long("101", "105", "95"));
  const UnixNanos as_of = clock_.Now();
  clock_.Advance(std::chrono::seconds(1));
  auto late = desk->emulator->AttachBracket(Long("101", "105", "95"));  // after the report: not comparable
  auto trimmed = desk->emulator->SyncPosition({kOption, Product::kNrml, Side::kBuy, Qty(40), as_of});
  ASSERT_TRUE(trimmed.ok());
  EXPECT_EQ(*trimmed, Qty(35));
  EXPECT_EQ(desk->emulator->FindBracket(*c), nullptr);
  EXPECT_EQ(desk->emulator->FindBracket(*b)->quantity, Qty(15));
  EXPECT_EQ(desk->emulator->FindBracket(*a)->quantity, Qty(25));
  EXPECT_EQ(desk->emulator->FindBracket(*late)->quantity, Qty(25));
  // A flat report trims the rest of what existed at its time.
  auto flat = desk->emulator->SyncPosition({kOption, Product::kNrml, Side::kBuy, Qty(0), as_of});
  EXPECT_EQ(*flat, Qty(40));
  EXPECT_EQ(desk->emulator->brackets().size(), 1u);
}

TEST_F(EmulatorTest, PositionSyncWaitsWhileAnExitIsInFlight) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  broker_.silent = true;
  auto a = desk->emulator->AttachBracket(Long("100", "105", "95"));
  auto b = desk->emulator->AttachBracket(Long("100", "110", "90"));
  Tick(*desk, kOption, "105.00");  // a exits; the broker may already have filled it
  auto trimmed = desk->emulator->SyncPosition({kOption, Product::kNrml, Side::kBuy, Qty(25), clock_.Now()});
  EXPECT_EQ(*trimmed, Qty(0));
  EXPECT_NE(desk->emulator->FindBracket(*a), nullptr);
  EXPECT_EQ(desk->emulator->FindBracket(*b)->quantity, Qty(25));
}

// ---- codec -----------------------------------------------------------------------------------------------

std::vector<EmulatorEvent> SampleEvents() {
  TrailingPlan plan;
  plan.stages = {{Px("10"), TrailStage::Mode::kLock, Px("1")}, {Px("25"), TrailStage::Mode::kTrail, Px("5.5")}};
  const UnixNanos t = UnixNanos::FromSeconds(1'700'000'123);
  EmulatedEntryCreated created{7, kOption, Side::kSell, EntryKind::kTrigger, Product::kNrml, Qty(75),
                               Px("101.05"), BracketTemplate{Px("8"), Px("5"), plan}, "hotkey", t};
  EmulatedBracketAttached attached{9, 7, TradeId::Of("T-55"), kOption, Side::kSell, Product::kMis, Qty(25), Px("100.95"),
                                   Px("92.95"), std::nullopt, plan, "auto", t};
  return {created,
          EmulatedEntryMoved{7, Px("100.50"), t},
          EmulatedEntryReleased{7, OrderEmulator::ReleaseOrderId(7, 1), t},
          EmulatedEntryClosed{7, "filled", "order EMU is filled", t},
          attached,
          EmulatedBracketChanged{9, std::nullopt, Px("99.00"), Px("94.00"), "trailed", t},
          EmulatedExitReleased{9, ExitLeg::kStopLoss, OrderEmulator::ReleaseOrderId(9, 3), Qty(25), Px("99.00"), t},
          EmulatedBracketReduced{9, Qty(10), OrderEmulator::ReleaseOrderId(9, 3), Qty(15), t},
          EmulatedBracketReduced{9, Qty(5), ClientOrderId{}, Qty(0), t},
          EmulatedExitEnded{9, OrderEmulator::ReleaseOrderId(9, 3), "rejected", t + std::chrono::seconds(1), t},
          EmulatedBracketClosed{9, "trimmed", "smaller", t}};
}

TEST(EmulatorCodecTest, EveryEventRoundTripsUnderItsOwnStableFrameType) {
  for (const EmulatorEvent& event : SampleEvents()) {
    const EncodedFrame frame = Encode(event);
    EXPECT_TRUE(IsEmulatorFrame(frame.type_id)) << frame.type_id;
    EXPECT_EQ(persistence::FrameTypeName(frame.type_id), EventName(event));
    auto decoded = DecodeEmulatorEvent(frame.type_id, frame.payload);
    ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
    EXPECT_EQ(*decoded, event) << EventName(event);
  }
  EXPECT_EQ(Encode(SampleEvents()[0]).type_id, 700u);
  EXPECT_EQ(Encode(SampleEvents()[4]).type_id, 710u);
  EXPECT_FALSE(IsEmulatorFrame(307));
}

TEST(EmulatorCodecTest, TruncationTrailingBytesBadVersionAndForeignTypesAreCorrupt) {
  for (const EmulatorEvent& event : SampleEvents()) {
    const EncodedFrame frame = Encode(event);
    for (std::size_t cut = 0; cut < frame.payload.size(); ++cut) {
      auto decoded = DecodeEmulatorEvent(frame.type_id, std::span(frame.payload).first(cut));
      ASSERT_FALSE(decoded.ok()) << EventName(event) << " cut at " << cut;
      EXPECT_EQ(decoded.error().code, ErrorCode::kCorruptData);
    }
    std::vector<std::byte> longer = frame.payload;
    longer.push_back(std::byte{0});
    EXPECT_FALSE(DecodeEmulatorEvent(frame.type_id, longer).ok());
    std::vector<std::byte> version = frame.payload;
    version[0] = std::byte{9};
    EXPECT_FALSE(DecodeEmulatorEvent(frame.type_id, version).ok());
  }
  EXPECT_FALSE(DecodeEmulatorEvent(307, Encode(SampleEvents()[1]).payload).ok());
}

// ---- restart ---------------------------------------------------------------------------------------------

/// Everything that must survive a restart, in comparable form.
struct Snapshot {
  struct Line {
    EmulatedLineId id;
    std::string text;
    friend bool operator==(const Line&, const Line&) = default;
  };
  std::vector<Line> lines;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

std::string Describe(const std::optional<Price>& p) {
  return p ? p->ToString() : "-";
}

Snapshot Capture(const OrderEmulator& emulator) {
  Snapshot snapshot;
  for (const auto& [id, e] : emulator.entries()) {
    snapshot.lines.push_back(
        {id, "entry " + e.instrument_id.value() + " " + std::string(ToString(e.side)) + " " +
                 std::string(ToString(e.kind)) + " " + e.quantity.ToString() + " @" + Describe(e.price) +
                 " state=" + std::to_string(static_cast<int>(e.state)) +
                 " order=" + (e.order_id ? e.order_id->str() : "-") + " attached=" + e.attached_qty.ToString() +
                 " tp+" + Describe(e.bracket.take_profit_points) + " sl-" + Describe(e.bracket.stop_loss_points) +
                 " stages=" + std::to_string(e.bracket.trailing.stages.size())});
  }
  for (const auto& [id, r] : emulator.brackets()) {
    snapshot.lines.push_back(
        {id, "bracket " + r.instrument_id.value() + " " + std::string(ToString(r.position_side)) + " " +
                 r.quantity.ToString() + " @" + r.entry_price.ToString() + " tp=" + Describe(r.take_profit) +
                 " sl=" + Describe(r.stop_loss) + " best=" + Describe(r.best_price) +
                 " exit=" + (r.exit_order ? r.exit_order->str() : "-") + " filled=" + r.exit_filled.ToString() +
                 " entry=" + std::to_string(r.entry_id) + " fill=" + r.fill_id.str() +
                 " stages=" + std::to_string(r.trailing.stages.size())});
  }
  return snapshot;
}

TEST_F(EmulatorTest, AfterARestartEveryVirtualLineIsBackExactlyOnce) {
  Snapshot before;
  std::size_t submits_before = 0;
  {
    auto desk = OpenDesk();
    Tick(*desk, kOption, "100.00");
    EntryRequest trailing_trigger = Trigger(Side::kBuy, "101.00", 50);
    trailing_trigger.bracket.trailing.stages = {{Px("2"), TrailStage::Mode::kLock, Px("0")},
                                                {Px("4"), TrailStage::Mode::kTrail, Px("1.5")}};
    ASSERT_TRUE(desk->emulator->PlaceEntry(trailing_trigger).ok());
    ASSERT_TRUE(desk->emulator->PlaceEntry(Trigger(Side::kBuy, "110.00", 25)).ok());  // stays virtual
    Tick(*desk, kOption, "101.00");  // fires and fills: a record with a trailing plan
    Tick(*desk, kOption, "103.50");  // the trail moves the stop to breakeven
    auto limit = desk->emulator->PlaceEntry(Limit(Side::kBuy, "99.00", 75));
    ASSERT_TRUE(limit.ok());
    ASSERT_TRUE(desk->emulator->MoveEntry(*limit, Px("98.00")).ok());
    broker_.OnTape(Px("98.00"), Qty(25), 1);  // a partial fill of the pending limit: one more record
    auto manual = desk->emulator->AttachBracket(Long("99", "108", "94", 25));
    ASSERT_TRUE(desk->emulator->MoveTakeProfit(*manual, Px("107.50")).ok());
    broker_.silent = true;
    auto exiting = desk->emulator->AttachBracket(Long("99", "104", "90", 25));
    ASSERT_TRUE(desk->emulator->CloseBracket(*exiting).ok());  // an exit in flight at the crash
    before = Capture(*desk->emulator);
    submits_before = broker_.submits.size();
    ASSERT_EQ(before.lines.size(), 6u);  // 2 entries (trigger, limit) + 4 records
  }  // dropped without any shutdown step
  TapeBroker after_broker;
  Desk desk(dir_ / "", clock_, after_broker, Instruments(), &gate_);
  ASSERT_NE(desk.emulator, nullptr);
  EXPECT_EQ(Capture(*desk.emulator), before);
  EXPECT_GT(desk.emulator->replayed_frames(), 0u);
  EXPECT_TRUE(after_broker.submits.empty()) << "nothing is sent again by a restart";
  // The restored lines work: the in-flight exit is still in flight, the virtual trigger still fires once.
  after_broker.tape_price = Px("110.00");
  desk.emulator->OnTrade(TradeTick{kOption, Px("110.00"), Qty(1), AggressorSide::kNone, clock_.Now(), clock_.Now()});
  // The 110 trigger, then the take profits of the three records not already exiting (109, 106, 107.50).
  ASSERT_EQ(after_broker.submits.size(), 4u);
  EXPECT_EQ(after_broker.submits[0].side, Side::kBuy);
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(after_broker.submits[i].side, Side::kSell);
    EXPECT_EQ(after_broker.submits[i].quantity, Qty(i == 1 ? 50 : 25));
  }
  EXPECT_GT(submits_before, 0u);
  // New lines never reuse an old id.
  auto next = desk.emulator->AttachBracket(Long("110", "120", "100", 25));
  ASSERT_TRUE(next.ok());
  for (const auto& line : before.lines) {
    EXPECT_NE(line.id, *next);
  }
}

TEST_F(EmulatorTest, AReleaseThatNeverReachedTheEngineIsArmedAgainNotLost) {
  EmulatedLineId trigger = 0;
  {
    auto desk = OpenDesk();
    Tick(*desk, kOption, "100.00");
    trigger = *desk->emulator->PlaceEntry(Trigger(Side::kBuy, "101.00", 25));
  }
  {
    // The crash window: the emulator journaled the release, the engine never saw the order.
    auto writer = persistence::JournalWriter::Open(dir_ / "emulator.journal");
    ASSERT_TRUE(writer.ok());
    const EncodedFrame frame =
        Encode(EmulatedEntryReleased{trigger, OrderEmulator::ReleaseOrderId(trigger, 1), clock_.Now()});
    ASSERT_TRUE(writer->Append(frame.type_id, clock_.Now(), frame.payload).ok());
    ASSERT_TRUE(writer->Close().ok());
  }
  auto desk = OpenDesk();
  const EmulatedEntry* entry = desk->emulator->FindEntry(trigger);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->state, EmulatedEntry::State::kArmed);
  EXPECT_TRUE(broker_.submits.empty());
  Tick(*desk, kOption, "101.00");
  ASSERT_EQ(broker_.submits.size(), 1u);
  EXPECT_EQ(broker_.submits[0].client_order_id, OrderEmulator::ReleaseOrderId(trigger, 1));
}

TEST_F(EmulatorTest, FillsTheEngineRecordedButTheEmulatorMissedAreAttachedOnRestart) {
  EmulatedLineId entry = 0;
  {
    auto desk = OpenDesk();
    Tick(*desk, kOption, "100.00");
    entry = *desk->emulator->PlaceEntry(Limit(Side::kBuy, "99.00", 75));
    broker_.OnTape(Px("99.00"), Qty(25), 1);  // seen: one record
    desk->forward_events = false;               // the crash window: the engine journals, the emulator does not
    broker_.Fill(broker_.submits[0].client_order_id, Qty(50), Px("98.00"));
    ASSERT_EQ(desk->emulator->brackets().size(), 1u);
  }
  auto desk = OpenDesk();
  ASSERT_EQ(desk->emulator->brackets().size(), 2u);
  const EmulatedBracket& recovered = std::prev(desk->emulator->brackets().end())->second;
  EXPECT_EQ(recovered.quantity, Qty(50));
  EXPECT_EQ(recovered.entry_price, Px("98.00")) << "priced so the average matches the broker's";
  EXPECT_EQ(recovered.stop_loss, Px("93.00"));
  EXPECT_EQ(recovered.entry_id, entry);
  EXPECT_EQ(desk->emulator->FindEntry(entry), nullptr) << "the order is filled: the entry line ended";
  // A second restart finds the same state: recovery is journaled, not repeated.
  const Snapshot once = Capture(*desk->emulator);
  desk.reset();
  desk = OpenDesk();
  EXPECT_EQ(Capture(*desk->emulator), once);
}

TEST_F(EmulatorTest, AnExitInFlightAcrossARestartCompletesFromTheBrokersLateFill) {
  EmulatedLineId id = 0;
  ClientOrderId exit;
  {
    auto desk = OpenDesk();
    Tick(*desk, kOption, "100.00");
    broker_.silent = true;
    id = *desk->emulator->AttachBracket(Long("100", "105", "95", 50));
    Tick(*desk, kOption, "95.00");
    exit = broker_.submits.at(0).client_order_id;
  }
  broker_.silent = false;
  broker_.submits.clear();
  auto desk = OpenDesk();
  ASSERT_TRUE(desk->emulator->FindBracket(id)->exiting());
  Tick(*desk, kOption, "94.00");
  EXPECT_TRUE(broker_.submits.empty());
  // Reconciliation later learns that the exit filled while we were down.
  BrokerOrderSnapshot book;
  book.as_of = clock_.Now();
  book.complete = true;
  BrokerOrderReport report;
  report.venue_order_id = VenueOrderId::Of("V77");
  report.client_order_id = exit;
  report.instrument_id = kOption;
  report.side = Side::kSell;
  report.quantity = Qty(50);
  report.filled_qty = Qty(50);
  report.avg_fill_px = Px("95.00");
  report.status = BrokerOrderStatus::kFilled;
  book.orders.push_back(report);
  ASSERT_TRUE(desk->engine->Reconcile(book).ok());
  EXPECT_EQ(desk->emulator->FindBracket(id), nullptr);
  EXPECT_TRUE(broker_.submits.empty());
}


class EmulatorRestartReleaseTest : public EmulatorTest {
 protected:
  /// A journal holding one LIMIT entry that was created but never released (the crash came in between).
  void WriteUnreleasedLimit() {
    auto writer = persistence::JournalWriter::Open(dir_ / "emulator.journal");
    ASSERT_TRUE(writer.ok());
    EmulatedEntryCreated created;
    created.line_id = 1;
    created.instrument_id = kOption;
    created.side = Side::kBuy;
    created.kind = EntryKind::kLimit;
    created.product = Product::kNrml;
    created.quantity = Qty(25);
    created.price = Px("99.00");
    created.bracket.stop_loss_points = Px("5");
    created.ts_event = clock_.Now();
    const EncodedFrame frame = Encode(created);
    ASSERT_TRUE(writer->Append(frame.type_id, clock_.Now(), frame.payload).ok());
    ASSERT_TRUE(writer->Close().ok());
  }
};

TEST_F(EmulatorRestartReleaseTest, ALimitNeverReleasedBeforeTheCrashIsReleasedOnceAtRestart) {
  WriteUnreleasedLimit();
  {
    auto desk = OpenDesk();
    ASSERT_EQ(broker_.submits.size(), 1u);
    EXPECT_EQ(broker_.submits[0].client_order_id, OrderEmulator::ReleaseOrderId(1, 1));
    EXPECT_EQ(broker_.submits[0].type, OrderType::kLimit);
    EXPECT_EQ(desk->emulator->FindEntry(1)->state, EmulatedEntry::State::kReleased);
  }
  auto desk = OpenDesk();
  EXPECT_EQ(broker_.submits.size(), 1u) << "released once, not again on the next start";
  EXPECT_EQ(desk->emulator->FindEntry(1)->order_id, OrderEmulator::ReleaseOrderId(1, 1));
}

TEST_F(EmulatorRestartReleaseTest, AnOutcomeThatArrivesBeforeTheEmulatorIsWiredIsCaughtUpFromTheEngine) {
  WriteUnreleasedLimit();
  broker_.reject_next = true;  // answered inside Submit, while Open is still reconciling
  auto desk = OpenDesk();
  EXPECT_EQ(desk->emulator->FindEntry(1), nullptr);
  const auto* closed = std::get_if<EmulatedEntryClosed>(&desk->events.back());
  ASSERT_NE(closed, nullptr);
  EXPECT_EQ(closed->reason_code, "rejected");
}

TEST_F(EmulatorTest, AMarketEntryFoundUnsentAfterARestartIsNotSentLate) {
  {
    auto writer = persistence::JournalWriter::Open(dir_ / "emulator.journal");
    ASSERT_TRUE(writer.ok());
    EmulatedEntryCreated created;
    created.line_id = 4;
    created.instrument_id = kStock;
    created.kind = EntryKind::kMarket;
    created.quantity = Qty(10);
    created.ts_event = clock_.Now();
    const EncodedFrame frame = Encode(created);
    ASSERT_TRUE(writer->Append(frame.type_id, clock_.Now(), frame.payload).ok());
  }
  auto desk = OpenDesk();
  EXPECT_TRUE(broker_.submits.empty());
  EXPECT_TRUE(desk->emulator->entries().empty());
  EXPECT_EQ(std::get<EmulatedEntryClosed>(desk->events.back()).reason_code, "not_sent");
}


TEST_F(EmulatorTest, ExitsThatKeepFailingBackOffInsteadOfHammeringTheGate) {
  auto desk = OpenDesk();
  Tick(*desk, kOption, "100.00");
  auto id = desk->emulator->AttachBracket(Long("100", "105", "95"));
  gate_.deny = true;  // e.g. a HALTED desk
  Tick(*desk, kOption, "94.00");
  ASSERT_EQ(gate_.checked.size(), 1u);
  clock_.Advance(std::chrono::seconds(1));
  Tick(*desk, kOption, "94.00");
  ASSERT_EQ(gate_.checked.size(), 2u);  // second try after 1 s
  clock_.Advance(std::chrono::seconds(1));
  Tick(*desk, kOption, "94.00");
  EXPECT_EQ(gate_.checked.size(), 2u) << "the third waits 2 s";
  clock_.Advance(std::chrono::seconds(1));
  Tick(*desk, kOption, "94.00");
  ASSERT_EQ(gate_.checked.size(), 3u);
  gate_.deny = false;
  clock_.Advance(std::chrono::seconds(4));
  Tick(*desk, kOption, "94.00");
  ASSERT_EQ(gate_.checked.size(), 4u);
  EXPECT_EQ(desk->emulator->FindBracket(*id), nullptr);
  EXPECT_EQ(broker_.submits.size(), 1u) << "only the allowed exit reached the broker";
}

}  // namespace
}  // namespace td::execution
