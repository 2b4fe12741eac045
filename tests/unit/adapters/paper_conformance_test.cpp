// SPDX-License-Identifier: MIT
// The broker conformance matrix (conformance/broker_conformance.hpp) run against the paper broker, plus the
// paper broker's own checks: charge schedules against hand-computed notes, seeds, the engine end to end.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include <unistd.h>

#include "adapters/paper/paper_broker.hpp"
#include "conformance/broker_conformance.hpp"
#include "conformance/paper_venue.hpp"
#include "execution/execution_engine.hpp"

namespace td::adapters::paper {
namespace {

using conformance::BrokerProfile;
using conformance::Capability;

class Recorder final : public execution::ExecutionEventSink {
 public:
  void OnOrderEvent(const execution::OrderEvent& event) override { events.push_back(event); }
  std::vector<execution::OrderEvent> events;
};

std::unique_ptr<PaperBroker> MakeBroker(const BrokerProfile& profile, Clock& clock) {
  return conformance::MakePaperBroker(profile, clock);
}

class PaperUnderTest final : public conformance::BrokerUnderTest {
 public:
  std::string_view name() const override { return "paper"; }
  bool Has(Capability) const override { return true; }
  bool CanHonour(const BrokerProfile&) const override { return true; }
  void Reset(const BrokerProfile& profile, UnixNanos start, const std::vector<Instrument>& instruments) override {
    broker_.reset();
    clock_ = std::make_unique<TestClock>(start);
    broker_ = MakeBroker(profile, *clock_);
    broker_->SetSink(&recorder_);
    recorder_.events.clear();
    for (const auto& instrument : instruments) {
      ASSERT_TRUE(broker_->AddInstrument(instrument).ok());
    }
  }
  execution::ExecutionClient& client() override { return *broker_; }
  void Quote(const QuoteTick& quote) override { broker_->OnQuote(quote); }
  void Trade(const TradeTick& trade) override { broker_->OnTrade(trade); }
  void Advance(Duration by) override { clock_->Advance(by); }
  UnixNanos Now() const override { return clock_->Now(); }
  std::vector<execution::OrderEvent> TakeEvents() override { return std::exchange(recorder_.events, {}); }
  std::optional<conformance::FundsView> Funds() const override {
    const FundsSnapshot f = broker_->Funds();
    return conformance::FundsView{f.available, f.used_margin, f.realised_pnl, f.unrealised_pnl, f.charges};
  }
  std::optional<double> NetPosition(const InstrumentId& id, Product product) const override {
    for (const auto& row : broker_->Positions()) {
      if (row.instrument_id == id && row.product == product) {
        return static_cast<double>(row.net_raw) / static_cast<double>(kFixedScale);
      }
    }
    return 0.0;
  }
  PaperBroker& broker() { return *broker_; }

 private:
  std::unique_ptr<TestClock> clock_;
  Recorder recorder_;
  std::unique_ptr<PaperBroker> broker_;
};

class PaperConformance : public ::testing::TestWithParam<conformance::ConformanceCase> {};

TEST_P(PaperConformance, Case) {
  PaperUnderTest broker;
  conformance::RunConformanceCase(GetParam(), broker);
}

INSTANTIATE_TEST_SUITE_P(Matrix, PaperConformance, ::testing::ValuesIn(conformance::BrokerConformanceCases()),
                         [](const ::testing::TestParamInfo<conformance::ConformanceCase>& param) {
                           return param.param.id;
                         });

TEST(PaperConformanceMatrix, CaseIdsAreNumberedInOrderWithoutGaps) {
  const auto cases = conformance::BrokerConformanceCases();
  ASSERT_GE(cases.size(), 30u);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    char expected[32];
    std::snprintf(expected, sizeof expected, "C%02zu", i + 1);
    EXPECT_EQ(cases[i].id, expected);
    EXPECT_NE(cases[i].steps.empty(), !cases[i].custom) << cases[i].id;
    // A case applies to every broker unless it says, in words, why it cannot.
    for (const auto& [broker, reason] : cases[i].exempt) {
      EXPECT_GT(reason.size(), 20u) << cases[i].id << " exempts " << broker << " without a reason";
    }
  }
}

// ------------------------------------------------------------------------------------ beyond the matrix

std::vector<std::string> RunSeeded(std::uint64_t seed) {
  conformance::ConformanceCase c;
  for (const auto& candidate : conformance::BrokerConformanceCases()) {
    if (candidate.repeat_identical) {
      c = candidate;
    }
  }
  c.profile.seed = seed;
  PaperUnderTest broker;
  return conformance::RunCaseOnce(c, broker);
}

TEST(PaperBrokerSeed, ADifferentSeedChangesTheStream) {
  // Guards the determinism case against passing vacuously: the seed must actually drive fills and delays.
  EXPECT_EQ(RunSeeded(42), RunSeeded(42));
  EXPECT_NE(RunSeeded(42), RunSeeded(7));
}

Instrument Find(const InstrumentId& id) {
  for (const auto& instrument : conformance::ConformanceInstruments()) {
    if (instrument.id == id) {
      return instrument;
    }
  }
  ADD_FAILURE() << "no instrument " << id.value();
  return {};
}

TEST(PaperFees, IndianOptionsSellNoteLineByLine) {
  const Instrument option = Find(conformance::kOption);
  const Charges c = IndianFeeModel{}.Compute(
      FeeInput{&option, Side::kSell, Product::kMis, Quantity::FromUnits(65), *Price::Parse("120.00"), true});
  EXPECT_EQ(c.brokerage.ToString(), "20.00");
  EXPECT_EQ(c.stt.ToString(), "11.70");        // 0.15% of 7,800
  EXPECT_EQ(c.exchange.ToString(), "2.73");    // 0.03503% of 7,800 = 2.73234
  EXPECT_EQ(c.sebi.ToString(), "0.01");        // ₹10 per crore of 7,800 = 0.0078
  EXPECT_EQ(c.stamp_duty.ToString(), "0.00");  // sells pay no stamp duty
  EXPECT_EQ(c.gst.ToString(), "4.09");         // 18% of 22.74
  EXPECT_EQ(c.Total().ToString(), "38.53");
}

TEST(PaperFees, IndianEquityDeliveryAndIntraday) {
  const Instrument equity = Find(conformance::kEquity);
  // CNC buy 100 @ 500: STT 0.1% = 50.00, stamp 0.015% = 7.50, exchange 0.00297% = 1.485 -> 1.49,
  // SEBI 0.05, GST 18% of (20 + 1.49 + 0.05) = 3.8772 -> 3.88.
  const Charges cnc = IndianFeeModel{}.Compute(
      FeeInput{&equity, Side::kBuy, Product::kCnc, Quantity::FromUnits(100), *Price::Parse("500"), true});
  EXPECT_EQ(cnc.stt.ToString(), "50.00");
  EXPECT_EQ(cnc.stamp_duty.ToString(), "7.50");
  EXPECT_EQ(cnc.exchange.ToString(), "1.49");
  EXPECT_EQ(cnc.gst.ToString(), "3.88");
  // MIS buy pays no STT and 0.003% stamp duty; a second fill of the same order pays no brokerage.
  const Charges mis = IndianFeeModel{}.Compute(
      FeeInput{&equity, Side::kBuy, Product::kMis, Quantity::FromUnits(100), *Price::Parse("500"), false});
  EXPECT_EQ(mis.stt.ToString(), "0.00");
  EXPECT_EQ(mis.stamp_duty.ToString(), "1.50");
  EXPECT_EQ(mis.brokerage.ToString(), "0.00");
}

TEST(PaperFees, UsEquitySaleTafIsCapped) {
  auto stock = *Instrument::Equity(InstrumentId::Of("US:SPY"), conformance::Spec("0.01", 1, 1));
  // 100,000 shares × $0.000166 = $16.60, capped at $8.30; SEC on $1,000,000 at $27.80 per million.
  const Charges c = UsFeeModel{}.Compute(
      FeeInput{&stock, Side::kSell, Product::kMis, Quantity::FromUnits(100'000), *Price::Parse("10"), true});
  EXPECT_EQ(c.finra_taf.ToString(), "8.30");
  EXPECT_EQ(c.sec_fee.ToString(), "27.80");
  EXPECT_EQ(c.brokerage.ToString(), "0.00");
}

TEST(PaperModels, DisplayedSizeFillsWholeLotsWithinTheShownSize) {
  DisplayedSizeFillModel model(3, 0.0);
  const Quantity lot = Quantity::FromUnits(65);
  for (int i = 0; i < 200; ++i) {
    const Quantity q = model.FillQuantity(Quantity::FromUnits(650), Quantity::FromUnits(325), lot);
    EXPECT_TRUE(q.IsMultipleOf(lot));
    EXPECT_GE(q, lot);
    EXPECT_LE(q, Quantity::FromUnits(325));
  }
  EXPECT_TRUE(model.FillQuantity(Quantity::FromUnits(650), Quantity::FromUnits(60), lot).is_zero());
  EXPECT_EQ(model.FillQuantity(Quantity::FromUnits(650), Quantity{}, lot), Quantity::FromUnits(650));
}

TEST(PaperBroker, CncMovesToHoldingsAtEndOfDayAndCanBeSoldNextDay) {
  TestClock clock(conformance::kIndiaMorning);
  BrokerProfile profile;
  auto broker = MakeBroker(profile, clock);
  Recorder recorder;
  broker->SetSink(&recorder);
  for (const auto& instrument : conformance::ConformanceInstruments()) {
    ASSERT_TRUE(broker->AddInstrument(instrument).ok());
  }
  QuoteTick quote{conformance::kEquity, *Price::Parse("500.00"), *Price::Parse("500.10"), {}, {}, clock.Now(),
                  clock.Now()};
  broker->OnQuote(quote);
  auto buy = conformance::Order("EOD-1", conformance::kEquity, Side::kBuy, OrderType::kMarket, 100, Product::kCnc);
  broker->Submit(buy);
  broker->EndOfDay();
  ASSERT_EQ(broker->Holdings().size(), 1u);
  EXPECT_EQ(broker->Holdings()[0].quantity, Quantity::FromUnits(100));
  EXPECT_NEAR(broker->Funds().used_margin, 0.0, 1e-9);
  // The holding is marked at the mid, 500.05: its 5.00 M2M loss counts against what is available.
  EXPECT_NEAR(broker->Funds().unrealised_pnl, -5.0, 1e-6);
  EXPECT_NEAR(broker->Funds().available, profile.starting_capital - 50'010.0 - 5.0, 1e-6);

  clock.Advance(std::chrono::hours(24));  // Friday 20-Nov-2026, 10:00 IST
  broker->OnQuote(QuoteTick{conformance::kEquity, *Price::Parse("510.00"), *Price::Parse("510.10"), {}, {},
                            clock.Now(), clock.Now()});
  broker->Submit(conformance::Order("EOD-2", conformance::kEquity, Side::kSell, OrderType::kMarket, 100,
                                    Product::kCnc));
  EXPECT_TRUE(broker->Holdings().empty());
  EXPECT_NEAR(broker->Funds().realised_pnl, (510.00 - 500.10) * 100, 1e-6);
  EXPECT_NEAR(broker->Funds().available, profile.starting_capital + (510.00 - 500.10) * 100, 1e-6);
}

TEST(PaperBroker, RequiredMarginAnswersOpenAlgosMarginQuestion) {
  TestClock clock(conformance::kIndiaMorning);
  auto broker = MakeBroker(BrokerProfile{}, clock);
  for (const auto& instrument : conformance::ConformanceInstruments()) {
    ASSERT_TRUE(broker->AddInstrument(instrument).ok());
  }
  auto sell = conformance::Order("M-1", conformance::kOption, Side::kSell, OrderType::kLimit, 130, Product::kNrml);
  sell.price = *Price::Parse("100.00");
  // No underlying price seen yet: the strike stands in (12% of 24,000 = 2,880 per unit > the 100 premium).
  auto margin = broker->RequiredMargin(sell);
  ASSERT_TRUE(margin.ok());
  EXPECT_NEAR(*margin, 2'880.0 * 130, 1e-6);
  broker->OnQuote(QuoteTick{conformance::kIndex, *Price::Parse("25000"), *Price::Parse("25000"), {}, {},
                            clock.Now(), clock.Now()});
  EXPECT_NEAR(*broker->RequiredMargin(sell), 3'000.0 * 130, 1e-6);
  // A market order cannot be valued before any price is seen; an unknown instrument is an error.
  auto market = conformance::Order("M-2", conformance::kFuture, Side::kBuy, OrderType::kMarket, 65, Product::kNrml);
  EXPECT_FALSE(broker->RequiredMargin(market).ok());
  market.instrument_id = InstrumentId::Of("NFO:NOSUCH");
  EXPECT_EQ(broker->RequiredMargin(market).error().code, ErrorCode::kNotFound);
}

TEST(PaperBroker, DayOrdersExpireAtEndOfDay) {
  TestClock clock(conformance::kIndiaMorning);
  auto broker = MakeBroker(BrokerProfile{}, clock);
  Recorder recorder;
  broker->SetSink(&recorder);
  for (const auto& instrument : conformance::ConformanceInstruments()) {
    ASSERT_TRUE(broker->AddInstrument(instrument).ok());
  }
  broker->OnQuote(QuoteTick{conformance::kEquity, *Price::Parse("500.00"), *Price::Parse("500.10"), {}, {},
                            clock.Now(), clock.Now()});
  auto limit = conformance::Order("EXP-1", conformance::kEquity, Side::kBuy, OrderType::kLimit, 10);
  limit.price = *Price::Parse("490.00");
  broker->Submit(limit);
  broker->EndOfDay();
  ASSERT_EQ(recorder.events.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<execution::OrderExpired>(recorder.events[1]));
  EXPECT_NEAR(broker->Funds().used_margin, 0.0, 1e-9);
}

TEST(PaperBroker, AContractTradesThroughItsExpiryDayAndIsRefusedFromTheNextLocalMidnight) {
  // Expiring "today" (Thursday 19-Nov-2026); the day ends at midnight IST (18:30Z), not at midnight UTC.
  const InstrumentId weekly = InstrumentId::Of("NFO:NIFTY19NOV2624000CE");
  TestClock clock(conformance::kIndiaMorning);
  auto broker = MakeBroker(BrokerProfile{}, clock);
  Recorder recorder;
  broker->SetSink(&recorder);
  ASSERT_TRUE(broker->AddInstrument(*Instrument::Index(conformance::kIndex, 2)).ok());
  ASSERT_TRUE(broker
                  ->AddInstrument(*Instrument::Option(weekly, conformance::kIndex, CivilDate{2026, 11, 19},
                                                      *Price::Parse("24000"), OptionRight::kCall,
                                                      conformance::Spec("0.05", 65, 1)))
                  .ok());
  const auto reason_of_last = [&]() -> std::string {
    const auto* rejected = std::get_if<execution::OrderRejected>(&recorder.events.back());
    return rejected == nullptr ? std::string() : rejected->reason;
  };
  int n = 0;
  const auto submit = [&] {
    broker->OnQuote(QuoteTick{weekly, *Price::Parse("10.00"), *Price::Parse("10.05"), {}, {}, clock.Now(),
                              clock.Now()});
    broker->Submit(conformance::Order("X-" + std::to_string(++n), weekly, Side::kBuy, OrderType::kMarket, 65,
                                      Product::kNrml));
  };
  submit();  // 10:00 IST on the expiry day
  EXPECT_EQ(reason_of_last().find("expired"), std::string::npos) << reason_of_last();
  clock.AdvanceTo(UnixNanos::FromSeconds(1'795'113'000 - 1));  // 23:59:59 IST, still the expiry day
  submit();
  EXPECT_EQ(reason_of_last().find("expired"), std::string::npos) << reason_of_last();
  clock.AdvanceTo(UnixNanos::FromSeconds(1'795'113'000));  // 00:00:00 IST Friday = 18:30Z Thursday
  submit();
  EXPECT_EQ(reason_of_last(), "contract expired on 2026-11-19");
}

TEST(PaperBroker, DrivesTheExecutionEngineToFilled) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("td_paper_engine_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  TestClock clock(conformance::kIndiaMorning);
  BrokerProfile profile;
  profile.request_latency = std::chrono::milliseconds(2);
  profile.report_latency = std::chrono::milliseconds(1);
  auto broker = MakeBroker(profile, clock);
  for (const auto& instrument : conformance::ConformanceInstruments()) {
    ASSERT_TRUE(broker->AddInstrument(instrument).ok());
  }
  execution::ExecutionEngineOptions options;
  options.journal_path = dir / "orders.journal";
  auto engine = execution::ExecutionEngine::Open(options, clock, *broker);
  ASSERT_TRUE(engine.ok()) << engine.error().ToString();
  broker->OnQuote(QuoteTick{conformance::kOption, *Price::Parse("99.95"), *Price::Parse("100.00"), {}, {},
                            clock.Now(), clock.Now()});
  auto command = conformance::Order("ENGINE", conformance::kOption, Side::kBuy, OrderType::kMarket, 65);
  command.client_order_id = {};
  command.idempotency_key = "paper-engine-1";
  auto submitted = (*engine)->Submit(command);
  ASSERT_TRUE(submitted.ok());
  EXPECT_EQ((*engine)->FindOrder(submitted->client_order_id)->status(), execution::OrderStatus::kSubmitted);
  clock.Advance(std::chrono::milliseconds(3));
  const execution::Order* order = (*engine)->FindOrder(submitted->client_order_id);
  EXPECT_EQ(order->status(), execution::OrderStatus::kFilled);
  EXPECT_EQ(order->filled_qty(), Quantity::FromUnits(65));
  // A retry with the same key sends nothing new: the broker still has one order.
  auto again = (*engine)->Submit(command);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(broker->QueryOrders()->orders.size(), 1u);
  // Reconciling against the paper broker's complete snapshot changes nothing.
  auto report = (*engine)->ReconcileWithBroker();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->events_generated, 0u);
  EXPECT_EQ(report->unresolved, 0u);
  engine->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace td::adapters::paper
