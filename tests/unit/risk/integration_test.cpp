// SPDX-License-Identifier: MIT
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "execution/execution_engine.hpp"
#include "risk/risk_engine.hpp"

namespace td::risk {
namespace {

/// Accepts and (unless told not to) fills every order at its limit price at once (inside Submit), like a paper broker.
class InstantFillClient final : public execution::ExecutionClient {
 public:
  void SetSink(execution::ExecutionEventSink* sink) override { sink_ = sink; }
  void Submit(const execution::SubmitOrder& c) override {
    ++submits;
    const VenueOrderId venue = VenueOrderId::Of("V" + std::to_string(submits));
    sink_->OnOrderEvent(execution::OrderAccepted{c.client_order_id, venue, c.ts_init, c.ts_init});
    if (!fill_orders) {
      return;
    }
    execution::OrderFilled fill;
    fill.client_order_id = c.client_order_id;
    fill.venue_order_id = venue;
    fill.trade_id = TradeId::Of("F" + std::to_string(submits));
    fill.instrument_id = c.instrument_id;
    fill.side = c.side;
    fill.last_qty = c.quantity;
    fill.last_px = *c.price;
    fill.cumulative_qty = c.quantity;
    sink_->OnOrderEvent(execution::OrderEvent(fill));
  }
  void Modify(const execution::ModifyOrder&, const std::optional<VenueOrderId>&) override { ++modifies; }
  void Cancel(const execution::CancelOrder&, const std::optional<VenueOrderId>&) override { ++cancels; }
  Result<execution::BrokerOrderSnapshot> QueryOrders() override { return execution::BrokerOrderSnapshot{}; }

  int submits = 0;
  int cancels = 0;
  int modifies = 0;
  bool fill_orders = true;

 private:
  execution::ExecutionEventSink* sink_ = nullptr;
};

TEST(RiskIntegrationTest, EngineSubmitsGoThroughRiskAndFillsReachThePortfolio) {
  std::random_device random;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("td-risk-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  std::filesystem::create_directories(dir);
  {
    TestClock clock(UnixNanos::FromSeconds(1'700'000'000));
    portfolio::Portfolio portfolio;
    auto sbin =
        *Instrument::Equity(InstrumentId::Of("NSE:SBIN"),
                            ContractSpec{*Price::Parse("0.05"), Quantity::FromUnits(1), Quantity::FromUnits(1), 2});
    portfolio.RegisterInstrument(sbin);
    InstantFillClient client;
    execution::ExecutionEngineOptions options;
    options.journal_path = dir / "orders.journal";
    options.journal.fsync = persistence::FsyncPolicy::kNone;
    options.on_event = [&](const execution::OrderEvent& e) { ASSERT_TRUE(ApplyToPortfolio(portfolio, e).ok()); };
    auto engine = std::move(execution::ExecutionEngine::Open(options, clock, client)).value();
    RiskLimits limits;
    RiskEngine risk(clock, limits, portfolio, [&] { return engine->OpenOrderCount(); });
    risk.AddInstrument(sbin);
    risk.UpdateReferencePrice(sbin.id, *Price::Parse("800.00"), clock.Now());
    engine->SetGate(&risk);

    execution::SubmitOrder buy;
    buy.strategy_id = StrategyId::Of("ORB");
    buy.instrument_id = sbin.id;
    buy.type = OrderType::kLimit;
    buy.quantity = Quantity::FromUnits(10);
    buy.price = *Price::Parse("800.00");
    auto filled = engine->Submit(buy);
    ASSERT_TRUE(filled.ok());
    EXPECT_EQ(filled->status, execution::OrderStatus::kFilled);
    EXPECT_EQ(portfolio.NetQuantityRaw(sbin.id), 10 * kFixedScale);

    execution::SubmitOrder off_band = buy;
    off_band.price = *Price::Parse("900.00");
    auto denied = engine->Submit(off_band);
    ASSERT_TRUE(denied.ok());
    EXPECT_EQ(denied->status, execution::OrderStatus::kDenied);
    EXPECT_EQ(client.submits, 1);

    risk.SetTradingState(TradingState::kReducing, {});
    EXPECT_EQ(engine->Submit(buy)->status, execution::OrderStatus::kDenied);
    execution::SubmitOrder sell = buy;
    sell.side = Side::kSell;
    sell.quantity = Quantity::FromUnits(4);
    sell.price = *Price::Parse("810.00");
    EXPECT_EQ(engine->Submit(sell)->status, execution::OrderStatus::kFilled);
    EXPECT_DOUBLE_EQ(portfolio.RealisedPnl(), 40.0);
    EXPECT_EQ(client.submits, 2);

    // A modify is gated too: refused on its new terms, journaled as requested + rejected, and never sent.
    risk.SetTradingState(TradingState::kActive, {});
    client.fill_orders = false;
    auto resting = engine->Submit(buy);
    ASSERT_TRUE(resting.ok());
    ASSERT_EQ(resting->status, execution::OrderStatus::kAccepted);
    execution::ModifyOrder off_tick;
    off_tick.client_order_id = resting->client_order_id;
    off_tick.price = *Price::Parse("800.03");
    const Status refused = engine->Modify(off_tick);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("price_not_on_tick"), std::string::npos);
    EXPECT_EQ(client.modifies, 0);
    EXPECT_EQ(engine->FindOrder(resting->client_order_id)->status(), execution::OrderStatus::kAccepted);
    execution::ModifyOrder on_tick = off_tick;
    on_tick.price = *Price::Parse("799.95");
    EXPECT_TRUE(engine->Modify(on_tick).ok());
    EXPECT_EQ(client.modifies, 1);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace td::risk
