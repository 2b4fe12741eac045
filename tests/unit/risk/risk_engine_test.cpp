// SPDX-License-Identifier: MIT
#include "risk/risk_engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace td::risk {
namespace {

using execution::SubmitOrder;
using ::testing::HasSubstr;

const InstrumentId kOpt = InstrumentId::Of("NFO:NIFTY28NOV2424000CE");

class RiskTest : public ::testing::Test {
 protected:
  RiskTest() {
    limits_.price_band_fraction = 0.10;
    limits_.max_reference_age = std::chrono::seconds(5);
    limits_.max_order_quantity = Quantity::FromUnits(1800);
    limits_.max_order_value = 500'000.0;
    limits_.max_open_orders = 3;
    limits_.max_daily_loss = 10'000.0;
    limits_.submit_rate_per_second = 2.0;
    limits_.submit_burst = 5.0;
    ContractSpec spec{*Price::Parse("0.05"), Quantity::FromUnits(75), Quantity::FromUnits(1), 2};
    auto opt = Instrument::Option(kOpt, InstrumentId::Of("NSE:NIFTY"), CivilDate{2024, 11, 28}, *Price::Parse("24000"),
                                  OptionRight::kCall, spec);
    EXPECT_TRUE(opt.ok()) << opt.error().ToString();
    instrument_ = *opt;
    portfolio_.RegisterInstrument(instrument_);
    engine_ = std::make_unique<RiskEngine>(clock_, limits_, portfolio_, [this] { return open_orders_; });
    engine_->AddInstrument(instrument_, Quantity::FromUnits(1800));
    engine_->UpdateReferencePrice(kOpt, *Price::Parse("120.00"), clock_.Now());
  }

  static SubmitOrder Order(Side side, std::int64_t qty, std::optional<std::string_view> px = "120.00") {
    SubmitOrder c;
    c.client_order_id = ClientOrderId::Of("TD-1");
    c.strategy_id = StrategyId::Of("ORB");
    c.instrument_id = kOpt;
    c.side = side;
    c.type = px ? OrderType::kLimit : OrderType::kMarket;
    c.quantity = Quantity::FromUnits(qty);
    if (px) {
      c.price = *Price::Parse(*px);
    }
    return c;
  }
  std::string Reason(const SubmitOrder& c) {
    auto denied = engine_->CheckSubmit(c);
    return denied ? denied->reason_code : "";
  }
  void Hold(Side side, std::int64_t qty, std::string_view px) {
    ASSERT_TRUE(portfolio_
                    .ApplyFill(kOpt, side, Quantity::FromUnits(qty), *Price::Parse(px),
                               TradeId::Of("F" + std::to_string(++fills_)))
                    .ok());
  }

  TestClock clock_{UnixNanos::FromSeconds(1'700'000'000)};
  RiskLimits limits_;
  Instrument instrument_;
  portfolio::Portfolio portfolio_;
  std::size_t open_orders_ = 0;
  int fills_ = 0;
  std::unique_ptr<RiskEngine> engine_;
};

TEST_F(RiskTest, PassesAValidOrder) {
  auto denied = engine_->CheckSubmit(Order(Side::kBuy, 75));
  EXPECT_FALSE(denied.has_value()) << denied->reason;
}

TEST_F(RiskTest, EachCheckDeniesWithItsReason) {
  EXPECT_EQ(Reason(Order(Side::kBuy, 70)), "quantity_not_lot_multiple");
  EXPECT_EQ(Reason(Order(Side::kBuy, 75, "120.02")), "price_not_on_tick");
  EXPECT_EQ(Reason(Order(Side::kBuy, 1875, "120.00")), "quantity_above_max");
  EXPECT_EQ(Reason(Order(Side::kBuy, 75, "132.05")), "price_outside_band");
  EXPECT_EQ(Reason(Order(Side::kBuy, 75, "107.95")), "price_outside_band");
  EXPECT_EQ(Reason(Order(Side::kBuy, 75, "132.00")), "");  // on the band edge
  EXPECT_EQ(Reason(Order(Side::kBuy, 1800, "130.00")), "");
  SubmitOrder unknown = Order(Side::kBuy, 75);
  unknown.instrument_id = InstrumentId::Of("NSE:SBIN");
  EXPECT_EQ(Reason(unknown), "unknown_instrument");
}

TEST_F(RiskTest, NotionalLimitUsesReferenceForMarketOrders) {
  RiskLimits tight = limits_;
  tight.max_order_value = 100'000.0;
  RiskEngine engine(clock_, tight, portfolio_, [] { return std::size_t{0}; });
  engine.AddInstrument(instrument_);
  engine.UpdateReferencePrice(kOpt, *Price::Parse("120.00"), clock_.Now());
  EXPECT_FALSE(engine.CheckSubmit(Order(Side::kBuy, 825)).has_value());                      // 99,000
  EXPECT_EQ(engine.CheckSubmit(Order(Side::kBuy, 900))->reason_code, "notional_above_max");  // 108,000
  EXPECT_EQ(engine.CheckSubmit(Order(Side::kBuy, 900, std::nullopt))->reason_code, "notional_above_max");
}

TEST_F(RiskTest, ReferencePriceMissingOrStale) {
  RiskEngine fresh(clock_, limits_, portfolio_, [] { return std::size_t{0}; });
  fresh.AddInstrument(instrument_);
  EXPECT_EQ(fresh.CheckSubmit(Order(Side::kBuy, 75))->reason_code, "reference_price_missing");
  fresh.UpdateReferencePrice(kOpt, *Price::Parse("120.00"), clock_.Now());
  clock_.Advance(std::chrono::seconds(5));
  EXPECT_FALSE(fresh.CheckSubmit(Order(Side::kBuy, 75)).has_value());
  clock_.Advance(std::chrono::milliseconds(1));
  const auto stale = fresh.CheckSubmit(Order(Side::kBuy, 75, std::nullopt));
  ASSERT_TRUE(stale.has_value());
  EXPECT_EQ(stale->reason_code, "reference_price_stale");
  // The reason says when the last price was and how old it is, in units a person reads.
  EXPECT_THAT(stale->reason, HasSubstr("is from " + (clock_.Now() - std::chrono::milliseconds(5001)).ToIso8601()));
  EXPECT_THAT(stale->reason, HasSubstr("5001 ms ago (the limit is 5000 ms)"));
  clock_.Advance(std::chrono::hours(23) + std::chrono::minutes(25));
  EXPECT_THAT(fresh.CheckSubmit(Order(Side::kBuy, 75))->reason, HasSubstr("23.4 h ago"));
}

TEST_F(RiskTest, MaxOpenOrders) {
  open_orders_ = 2;
  EXPECT_EQ(Reason(Order(Side::kBuy, 75)), "");
  open_orders_ = 3;
  EXPECT_EQ(Reason(Order(Side::kBuy, 75)), "too_many_open_orders");
}

TEST_F(RiskTest, ThrottleRefillsOnTheInjectedClock) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Reason(Order(Side::kBuy, 75)), "") << i;
  }
  EXPECT_EQ(Reason(Order(Side::kBuy, 75)), "throttled");
  clock_.Advance(std::chrono::milliseconds(499));
  EXPECT_EQ(Reason(Order(Side::kBuy, 75)), "throttled");
  clock_.Advance(std::chrono::milliseconds(1));  // 0.5 s at 2/s = one token
  engine_->UpdateReferencePrice(kOpt, *Price::Parse("120.00"), clock_.Now());
  EXPECT_EQ(Reason(Order(Side::kBuy, 75)), "");
  EXPECT_EQ(Reason(Order(Side::kBuy, 75)), "throttled");
}

TEST_F(RiskTest, ReducingAllowsOnlyExits) {
  Hold(Side::kBuy, 150, "120.00");
  EXPECT_TRUE(engine_->SetTradingState(TradingState::kReducing, {}).empty());
  EXPECT_EQ(Reason(Order(Side::kBuy, 75)), "reducing_only");
  EXPECT_EQ(Reason(Order(Side::kSell, 75)), "");
  EXPECT_EQ(Reason(Order(Side::kSell, 150)), "");
  EXPECT_EQ(Reason(Order(Side::kSell, 225)), "reducing_only");  // would flip short
  Hold(Side::kSell, 150, "120.00");
  EXPECT_EQ(Reason(Order(Side::kSell, 75)), "reducing_only");  // flat: anything opens
  engine_->SetTradingState(TradingState::kActive, {});
  EXPECT_EQ(Reason(Order(Side::kSell, 75)), "");
}

TEST_F(RiskTest, HaltDeniesEverythingAndCancelsOpenOrders) {
  SubmitOrder a = Order(Side::kBuy, 75);
  a.client_order_id = ClientOrderId::Of("TD-A");
  SubmitOrder b = Order(Side::kBuy, 75);
  b.client_order_id = ClientOrderId::Of("TD-B");
  execution::Order open(a);
  open.Apply(execution::OrderSubmitted{a.client_order_id, clock_.Now(), clock_.Now()});
  execution::Order done(b);
  done.Apply(execution::OrderDenied{b.client_order_id, "x", "y", clock_.Now(), clock_.Now()});
  const execution::Order* orders[] = {&open, &done};
  const auto cancels = engine_->SetTradingState(TradingState::kHalted, orders);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].client_order_id, a.client_order_id);
  EXPECT_EQ(cancels[0].strategy_id.value(), "RISK");
  Hold(Side::kBuy, 75, "120.00");
  EXPECT_EQ(Reason(Order(Side::kBuy, 75)), "trading_halted");
  EXPECT_EQ(Reason(Order(Side::kSell, 75)), "trading_halted");
  EXPECT_TRUE(engine_->SetTradingState(TradingState::kHalted, orders).empty());  // already halted
}

TEST_F(RiskTest, DailyLossLimitBlocksEntriesNotExits) {
  Hold(Side::kBuy, 750, "120.00");
  portfolio_.UpdateMark(kOpt, *Price::Parse("106.00"));  // -14 × 750 = -10,500
  EXPECT_EQ(Reason(Order(Side::kBuy, 75, "110.00")), "daily_loss_limit");
  EXPECT_EQ(Reason(Order(Side::kSell, 75, "110.00")), "");
  portfolio_.UpdateMark(kOpt, *Price::Parse("107.00"));  // -9,750
  EXPECT_EQ(Reason(Order(Side::kBuy, 75, "110.00")), "");
}

TEST_F(RiskTest, DenialCarriesOrderIdAndText) {
  auto denied = engine_->CheckSubmit(Order(Side::kBuy, 70));
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->client_order_id.value(), "TD-1");
  EXPECT_NE(denied->reason.find("lot"), std::string::npos);
  EXPECT_EQ(denied->ts_event, clock_.Now());
}

TEST(FreezeSplitTest, SplitsIntoLotMultiplesAtMostTheFreeze) {
  auto parts = SplitByFreeze(Quantity::FromUnits(4050), Quantity::FromUnits(1800), Quantity::FromUnits(75));
  ASSERT_TRUE(parts.ok());
  std::vector<std::int64_t> units;
  for (Quantity q : *parts) {
    units.push_back(q.raw() / kFixedScale);
  }
  EXPECT_EQ(units, (std::vector<std::int64_t>{1800, 1800, 450}));
  // A freeze that is not a lot multiple: children are the largest lot multiple below it.
  auto odd = SplitByFreeze(Quantity::FromUnits(1000), Quantity::FromUnits(401), Quantity::FromUnits(50));
  ASSERT_TRUE(odd.ok());
  ASSERT_EQ(odd->size(), 3u);
  EXPECT_EQ((*odd)[0], Quantity::FromUnits(400));
  EXPECT_EQ((*odd)[2], Quantity::FromUnits(200));
  EXPECT_FALSE(SplitByFreeze(Quantity::FromUnits(1010), Quantity::FromUnits(401), Quantity::FromUnits(50)).ok());
  EXPECT_FALSE(SplitByFreeze(Quantity::FromUnits(100), Quantity::FromUnits(40), Quantity::FromUnits(50)).ok());
}

TEST_F(RiskTest, SplitForFreezeBuildsChildCommands) {
  SubmitOrder big = Order(Side::kBuy, 3750);
  big.idempotency_key = "k";
  auto children = engine_->SplitForFreeze(big);
  ASSERT_TRUE(children.ok());
  ASSERT_EQ(children->size(), 3u);
  EXPECT_EQ((*children)[0].quantity, Quantity::FromUnits(1800));
  EXPECT_EQ((*children)[2].quantity, Quantity::FromUnits(150));
  EXPECT_EQ((*children)[1].idempotency_key, "k#2");
  EXPECT_TRUE((*children)[0].client_order_id.empty());
  auto small = engine_->SplitForFreeze(Order(Side::kBuy, 1800));
  ASSERT_EQ(small->size(), 1u);
  EXPECT_EQ((*small)[0].client_order_id.value(), "TD-1");
}

TEST(ApplyToPortfolioTest, FillsMovePositions) {
  portfolio::Portfolio portfolio;
  auto eq = Instrument::Equity(InstrumentId::Of("NSE:SBIN"),
                               ContractSpec{*Price::Parse("0.05"), Quantity::FromUnits(1), Quantity::FromUnits(1), 2});
  portfolio.RegisterInstrument(*eq);
  execution::OrderFilled fill;
  fill.client_order_id = ClientOrderId::Of("TD-1");
  fill.trade_id = TradeId::Of("T1");
  fill.instrument_id = eq->id;
  fill.side = Side::kSell;
  fill.last_qty = Quantity::FromUnits(10);
  fill.last_px = *Price::Parse("800.00");
  ASSERT_TRUE(ApplyToPortfolio(portfolio, fill).ok());
  ASSERT_TRUE(ApplyToPortfolio(portfolio, execution::OrderCanceled{fill.client_order_id, {}, {}}).ok());
  EXPECT_EQ(portfolio.NetQuantityRaw(eq->id), -10 * kFixedScale);
}

/// A working order as the engine would hold it (accepted, nothing filled).
execution::Order Working(const SubmitOrder& c) {
  execution::Order order(c);
  order.Apply(execution::OrderSubmitted{c.client_order_id, c.ts_init, c.ts_init});
  order.Apply(execution::OrderAccepted{c.client_order_id, VenueOrderId::Of("V1"), c.ts_init, c.ts_init});
  return order;
}

execution::ModifyOrder Modify(std::optional<std::string_view> px, std::optional<std::int64_t> qty = std::nullopt) {
  execution::ModifyOrder m;
  m.client_order_id = ClientOrderId::Of("TD-1");
  if (px) {
    m.price = *Price::Parse(*px);
  }
  if (qty) {
    m.quantity = Quantity::FromUnits(*qty);
  }
  return m;
}

TEST_F(RiskTest, ModifiesAreCheckedOnTheirNewTerms) {
  const execution::Order order = Working(Order(Side::kBuy, 75, "120.00"));
  auto reason = [&](const execution::ModifyOrder& m) {
    auto refused = engine_->CheckModify(order, m);
    return refused ? refused->reason.substr(0, refused->reason.find(':')) : std::string();
  };
  EXPECT_EQ(reason(Modify("121.00")), "");
  EXPECT_EQ(reason(Modify("121.03")), "price_not_on_tick");
  EXPECT_EQ(reason(Modify("140.00")), "price_outside_band");
  EXPECT_EQ(reason(Modify(std::nullopt, 80)), "quantity_not_lot_multiple");
  EXPECT_EQ(reason(Modify(std::nullopt, 1875)), "quantity_above_max");
  open_orders_ = 3;  // a modify adds no order: the open-order cap does not apply
  EXPECT_EQ(reason(Modify("119.00")), "");
  clock_.Advance(std::chrono::seconds(6));
  EXPECT_EQ(reason(Modify("119.00")), "reference_price_stale");
}

TEST_F(RiskTest, ModifiesCountAgainstTheThrottle) {
  const execution::Order order = Working(Order(Side::kBuy, 75, "120.00"));
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(engine_->CheckModify(order, Modify("121.00")).has_value()) << i;
  }
  EXPECT_NE(engine_->CheckModify(order, Modify("121.00"))->reason.find("throttled"), std::string::npos);
}

TEST_F(RiskTest, TradingStateGovernsModifies) {
  Hold(Side::kBuy, 150, "120.00");
  const execution::Order entry = Working(Order(Side::kBuy, 75, "119.00"));
  const execution::Order exit = Working(Order(Side::kSell, 75, "125.00"));
  engine_->SetTradingState(TradingState::kReducing, {});
  EXPECT_NE(engine_->CheckModify(entry, Modify("118.00"))->reason.find("reducing_only"), std::string::npos);
  EXPECT_FALSE(engine_->CheckModify(exit, Modify("124.00")).has_value());
  engine_->SetTradingState(TradingState::kHalted, {});
  EXPECT_NE(engine_->CheckModify(exit, Modify("124.00"))->reason.find("trading_halted"), std::string::npos);
}

TEST_F(RiskTest, OpenPositionCapDeniesOnlyANewPosition) {
  RiskLimits capped = limits_;
  capped.max_open_positions = 1;
  RiskEngine engine(clock_, capped, portfolio_, [] { return std::size_t{0}; });
  const InstrumentId other_id = InstrumentId::Of("NFO:NIFTY28NOV2424100CE");
  ContractSpec spec{*Price::Parse("0.05"), Quantity::FromUnits(75), Quantity::FromUnits(1), 2};
  const Instrument other = *Instrument::Option(other_id, InstrumentId::Of("NSE:NIFTY"), CivilDate{2024, 11, 28},
                                               *Price::Parse("24100"), OptionRight::kCall, spec);
  portfolio_.RegisterInstrument(other);
  engine.AddInstrument(instrument_);
  engine.AddInstrument(other);
  engine.UpdateReferencePrice(kOpt, *Price::Parse("120.00"), clock_.Now());
  engine.UpdateReferencePrice(other_id, *Price::Parse("90.00"), clock_.Now());
  SubmitOrder second = Order(Side::kBuy, 75, "90.00");
  second.instrument_id = other_id;
  EXPECT_FALSE(engine.CheckSubmit(second).has_value());  // no position yet
  Hold(Side::kBuy, 75, "120.00");
  EXPECT_EQ(engine.CheckSubmit(second)->reason_code, "too_many_positions");
  EXPECT_FALSE(engine.CheckSubmit(Order(Side::kBuy, 75)).has_value());   // adds to the open one
  EXPECT_FALSE(engine.CheckSubmit(Order(Side::kSell, 75)).has_value());  // closes it
}

TEST_F(RiskTest, ProfitLockKeepsPartOfTheDaysGain) {
  RiskLimits locking = limits_;
  locking.lock_profit_trigger = 1'000.0;
  locking.lock_profit_keep_fraction = 0.5;
  RiskEngine engine(clock_, locking, portfolio_, [] { return std::size_t{0}; });
  engine.AddInstrument(instrument_);
  Hold(Side::kBuy, 75, "100.00");
  portfolio_.UpdateMark(kOpt, *Price::Parse("116.00"));  // +1,200
  engine.UpdateReferencePrice(kOpt, *Price::Parse("116.00"), clock_.Now());
  EXPECT_DOUBLE_EQ(engine.peak_day_pnl(), 1'200.0);
  portfolio_.UpdateMark(kOpt, *Price::Parse("108.00"));  // +600: still above the 500 kept
  engine.UpdateReferencePrice(kOpt, *Price::Parse("108.00"), clock_.Now());
  EXPECT_FALSE(engine.CheckSubmit(Order(Side::kBuy, 75, "108.00")).has_value());
  portfolio_.UpdateMark(kOpt, *Price::Parse("106.00"));  // +450
  engine.UpdateReferencePrice(kOpt, *Price::Parse("106.00"), clock_.Now());
  EXPECT_EQ(engine.CheckSubmit(Order(Side::kBuy, 75, "106.00"))->reason_code, "profit_locked");
  EXPECT_FALSE(engine.CheckSubmit(Order(Side::kSell, 75, "106.00")).has_value());  // exits pass
  engine.StartNewDay();
  portfolio_.StartNewDay();
  EXPECT_EQ(engine.peak_day_pnl(), 0.0);
}

}  // namespace
}  // namespace td::risk
