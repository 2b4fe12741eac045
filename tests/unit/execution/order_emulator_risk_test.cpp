// SPDX-License-Identifier: MIT
// The emulator's releases go through the real risk engine installed as the engine's gate: what risk refuses
// never reaches the broker, and exits still pass when only reducing is allowed.
#include <gtest/gtest.h>

#include "portfolio/portfolio.hpp"
#include "risk/risk_engine.hpp"
#include "unit/execution/emulator_harness.hpp"

namespace td::execution {
namespace {

using testing::Desk;
using testing::EmulatorTempDir;
using testing::Px;
using testing::Qty;
using testing::TapeBroker;

TEST(EmulatorWithRiskEngineTest, ReleasesAreGatedByRiskAndExitsPassWhileReducing) {
  const InstrumentId id = InstrumentId::Of("NFO:NIFTY24NOV24000CE");
  const Instrument option = *Instrument::Option(id, InstrumentId::Of("NSE:NIFTY"), CivilDate{2024, 11, 28},
                                                Px("24000"), OptionRight::kCall,
                                                ContractSpec{Px("0.05"), Qty(25), Qty(1), 2});
  EmulatorTempDir dir;
  TestClock clock(UnixNanos::FromSeconds(1'700'000'000));
  TapeBroker broker;
  portfolio::Portfolio portfolio;
  portfolio.RegisterInstrument(option);
  Desk desk(dir / "", clock, broker, {option});
  desk.before_emulator = [&](const OrderEvent& event) { ASSERT_TRUE(risk::ApplyToPortfolio(portfolio, event).ok()); };
  risk::RiskEngine risk(clock, risk::RiskLimits{}, portfolio, [&] { return desk.engine->OpenOrderCount(); });
  risk.AddInstrument(option);
  desk.engine->SetGate(&risk);
  auto tick = [&](std::string_view px, bool update_reference = true) {
    if (update_reference) {
      risk.UpdateReferencePrice(id, Px(px), clock.Now());
    }
    broker.tape_price = Px(px);
    desk.emulator->OnTrade(TradeTick{id, Px(px), Qty(1), AggressorSide::kNone, clock.Now(), clock.Now()});
  };
  auto last_entry_close = [&]() -> const EmulatedEntryClosed* {
    for (auto it = desk.events.rbegin(); it != desk.events.rend(); ++it) {
      if (const auto* closed = std::get_if<EmulatedEntryClosed>(&*it)) {
        return closed;
      }
    }
    return nullptr;
  };
  EntryRequest trigger;
  trigger.instrument_id = id;
  trigger.side = Side::kBuy;
  trigger.kind = EntryKind::kTrigger;
  trigger.product = Product::kNrml;
  trigger.quantity = Qty(50);
  trigger.bracket.take_profit_points = Px("8");
  trigger.bracket.stop_loss_points = Px("5");

  tick("100.00");
  trigger.price = Px("101.00");
  ASSERT_TRUE(desk.emulator->PlaceEntry(trigger).ok());
  tick("101.00");
  ASSERT_EQ(broker.submits.size(), 1u) << "ACTIVE: the release passes";
  EXPECT_EQ(portfolio.NetQuantityRaw(id), Qty(50).raw());

  // A stale reference price fails closed: the trigger fires, risk denies, nothing reaches the broker.
  trigger.price = Px("101.50");
  auto stale = desk.emulator->PlaceEntry(trigger);
  ASSERT_TRUE(stale.ok());
  clock.Advance(std::chrono::seconds(10));
  tick("101.50", false);
  EXPECT_EQ(broker.submits.size(), 1u);
  ASSERT_NE(last_entry_close(), nullptr);
  EXPECT_EQ(last_entry_close()->reason_code, "denied");
  EXPECT_NE(last_entry_close()->reason.find("reference_price_stale"), std::string::npos) << last_entry_close()->reason;

  // REDUCING: a new entry is denied, the record's stop exit still goes out.
  const auto open = desk.engine->OpenOrders();
  (void)risk.SetTradingState(risk::TradingState::kReducing, open);
  tick("101.50");
  trigger.price = Px("102.00");
  ASSERT_TRUE(desk.emulator->PlaceEntry(trigger).ok());
  tick("102.00");
  EXPECT_EQ(broker.submits.size(), 1u);
  EXPECT_NE(last_entry_close()->reason.find("reducing_only"), std::string::npos) << last_entry_close()->reason;
  tick("96.00");
  ASSERT_EQ(broker.submits.size(), 2u);
  EXPECT_EQ(broker.submits[1].side, Side::kSell);
  EXPECT_EQ(broker.submits[1].quantity, Qty(50));
  EXPECT_EQ(portfolio.NetQuantityRaw(id), 0);
  EXPECT_TRUE(desk.emulator->brackets().empty());
}

}  // namespace
}  // namespace td::execution
