// SPDX-License-Identifier: MIT
// The OpenAlgo execution client against a loopback server that keeps an order book and speaks OpenAlgo's REST
// wire format (numbers as strings, {"status":"error","message"} refusals, 429 with Retry-After), driven through
// the real ExecutionEngine with a journal: the numbered cases are the broker conformance matrix for this adapter.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "adapters/openalgo/execution_client.hpp"
#include "adapters/openalgo/order_wire.hpp"
#include "core/clock.hpp"
#include "execution/execution_engine.hpp"
#include "unit/adapters/conformance/broker_conformance.hpp"
#include "unit/adapters/conformance/paper_venue.hpp"
#include "unit/vendors/fake_openalgo_broker.hpp"
#include "unit/vendors/paper_venue_openalgo.hpp"
#include "unit/vendors/test_support.hpp"

namespace td::adapters::openalgo {
namespace {

namespace json = boost::json;
using execution::ExecutionEngine;
using execution::OrderStatus;
using execution::SubmitOrder;
using vendors_test::FakeOpenAlgo;
using vendors_test::PlaceScript;
using vendors_test::PostedTasks;
using namespace std::chrono_literals;

/// The OpenAlgo adapter's wire cases of the shared conformance list (C42..C56 of
/// unit/adapters/conformance/broker_conformance.hpp): the real ExecutionEngine with a journal, the client, and
/// the scripted loopback broker. One instance per case.
class OpenAlgoWire {
 public:
  void C42MarketBuyIsPlacedAcknowledgedAndFilled();
  void C43LimitRestsThenFillsPartiallyThenFully();
  void C44StopMarketCarriesTriggerAndFills();
  void C45ModifyRewritesPriceKeepingOtherFields();
  void C46CancelIsConfirmedFromTheBook();
  void C47CancelRacingAFillEndsFilled();
  void C48RefusalsAreRejectsWithTheBrokersReason();
  void C49RateLimitIsRetriedAfterRetryAfterAndPlacedOnce();
  void C50TimeoutThenLateFillIsMatchedNotResent();
  void C51ServerErrorIsUnknownAndReconciledToOurOrder();
  void C52AmbiguousLateOrdersAreNotGuessed();
  void C53RestartReconcilesFillsWhileDownExactlyOnce();
  void C54ModifyAfterRestartReadsTheOrderFromTheBroker();
  void C55BrokerRejectionAfterAcceptance();
  void C56DuplicateSubmitSendsNothing();

  OpenAlgoWire() {
    dir_ = std::filesystem::temp_directory_path() /
           ("td_oa_exec_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Start();
  }
  ~OpenAlgoWire() {
    engine_.reset();
    client_.reset();
    std::filesystem::remove_all(dir_);
  }

  /// (Re)starts client and engine on the same journal, as a process restart would.
  void Start() {
    engine_.reset();
    client_.reset();
    OpenAlgoExecutionConfig config;
    config.rest_base_url = fake_.url();
    config.api_key = "k3y";
    config.strategy = "conformance";
    config.http_timeout = 400ms;
    config.poll_interval = 0ms;
    config.orders_per_second = 1000;
    config.order_burst = 100;
    client_ = std::make_unique<OpenAlgoExecutionClient>(config, clock_, tasks_.poster());
    execution::ExecutionEngineOptions options;
    options.journal_path = dir_ / "orders.journal";
    options.journal.fsync = persistence::FsyncPolicy::kNone;
    options.reconcile_grace = 0s;
    auto engine = ExecutionEngine::Open(options, clock_, *client_);
    ASSERT_TRUE(engine.ok()) << engine.error().ToString();
    engine_ = std::move(*engine);
  }

  /// Lets the client finish its queue and applies what it posted.
  void Settle() {
    client_->WaitIdle();
    tasks_.RunAll();
  }
  void PollAndSettle() {
    client_->Poll();
    Settle();
  }

  SubmitOrder Order(OrderType type, Side side, std::int64_t qty, std::optional<std::string> px = {},
                    std::optional<std::string> trigger = {}) {
    SubmitOrder c;
    c.strategy_id = StrategyId::Of("conformance");
    c.instrument_id = InstrumentId::Of("NFO:NIFTY30JAN2521500CE");
    c.side = side;
    c.type = type;
    c.product = Product::kMis;
    c.quantity = Quantity::FromUnits(qty);
    if (px) {
      c.price = *Price::Parse(*px);
    }
    if (trigger) {
      c.trigger_price = *Price::Parse(*trigger);
    }
    return c;
  }

  const execution::Order& Submit(SubmitOrder command) {
    auto result = engine_->Submit(std::move(command));
    EXPECT_TRUE(result.ok()) << result.error().ToString();
    Settle();
    last_id_ = result->client_order_id;
    return *engine_->FindOrder(last_id_);
  }
  const execution::Order& Find(const ClientOrderId& id) { return *engine_->FindOrder(id); }

  LiveClock clock_;
  FakeOpenAlgo fake_;
  PostedTasks tasks_;
  std::filesystem::path dir_;
  std::unique_ptr<OpenAlgoExecutionClient> client_;
  std::unique_ptr<ExecutionEngine> engine_;
  ClientOrderId last_id_;
};

// C42: a market buy is placed with OpenAlgo's fields (numbers as strings), acknowledged, then filled.
void OpenAlgoWire::C42MarketBuyIsPlacedAcknowledgedAndFilled() {
  const auto& order = Submit(Order(OrderType::kMarket, Side::kBuy, 75));
  EXPECT_EQ(order.status(), OrderStatus::kAccepted);
  ASSERT_TRUE(order.venue_order_id().has_value());
  const json::object body = json::parse(fake_.last_body("placeorder")).as_object();
  EXPECT_EQ(body.at("symbol").as_string(), "NIFTY30JAN2521500CE");
  EXPECT_EQ(body.at("exchange").as_string(), "NFO");
  EXPECT_EQ(body.at("action").as_string(), "BUY");
  EXPECT_EQ(body.at("quantity").as_string(), "75");
  EXPECT_EQ(body.at("pricetype").as_string(), "MARKET");
  EXPECT_EQ(body.at("product").as_string(), "MIS");
  EXPECT_EQ(body.at("price").as_string(), "0");
  EXPECT_EQ(body.at("strategy").as_string(), "conformance");

  fake_.Fill(order.venue_order_id()->str(), 75, 102.35);
  PollAndSettle();
  const auto& filled = Find(last_id_);
  EXPECT_EQ(filled.status(), OrderStatus::kFilled);
  EXPECT_EQ(filled.filled_qty().raw(), Quantity::FromUnits(75).raw());
  EXPECT_NEAR(filled.avg_px(), 102.35, 1e-9);
}

// C43: a limit order rests (polls change nothing), then fills in two parts with the right average.
void OpenAlgoWire::C43LimitRestsThenFillsPartiallyThenFully() {
  const auto& order = Submit(Order(OrderType::kLimit, Side::kBuy, 150, "101.50"));
  const std::string venue = order.venue_order_id()->str();
  PollAndSettle();
  PollAndSettle();
  EXPECT_EQ(Find(last_id_).status(), OrderStatus::kAccepted);
  EXPECT_EQ(json::parse(fake_.last_body("placeorder")).as_object().at("price").as_string(), "101.50");

  fake_.Fill(venue, 50, 101.50);
  PollAndSettle();
  PollAndSettle();  // a repeated poll must not double the fill
  EXPECT_EQ(Find(last_id_).status(), OrderStatus::kPartiallyFilled);
  EXPECT_EQ(Find(last_id_).filled_qty().raw(), Quantity::FromUnits(50).raw());

  fake_.Fill(venue, 100, 101.20);
  PollAndSettle();
  EXPECT_EQ(Find(last_id_).status(), OrderStatus::kFilled);
  EXPECT_NEAR(Find(last_id_).avg_px(), (50 * 101.50 + 100 * 101.20) / 150.0, 1e-6);
}

// C44: an SL-M sell carries its trigger and fills when the broker triggers it.
void OpenAlgoWire::C44StopMarketCarriesTriggerAndFills() {
  const auto& order = Submit(Order(OrderType::kStopMarket, Side::kSell, 75, std::nullopt, "95.00"));
  const json::object body = json::parse(fake_.last_body("placeorder")).as_object();
  EXPECT_EQ(body.at("pricetype").as_string(), "SL-M");
  EXPECT_EQ(body.at("trigger_price").as_string(), "95.00");
  fake_.Fill(order.venue_order_id()->str(), 75, 94.90);
  PollAndSettle();
  EXPECT_EQ(Find(last_id_).status(), OrderStatus::kFilled);
}

// C45: modify sends every field OpenAlgo requires, with the changed price.
void OpenAlgoWire::C45ModifyRewritesPriceKeepingOtherFields() {
  const auto& order = Submit(Order(OrderType::kLimit, Side::kBuy, 75, "100.00"));
  execution::ModifyOrder modify;
  modify.client_order_id = order.client_order_id();
  modify.strategy_id = StrategyId::Of("conformance");
  modify.price = *Price::Parse("100.50");
  ASSERT_TRUE(engine_->Modify(modify).ok());
  Settle();
  const json::object body = json::parse(fake_.last_body("modifyorder")).as_object();
  EXPECT_EQ(body.at("orderid").as_string(), order.venue_order_id()->value());
  EXPECT_EQ(body.at("price").as_string(), "100.50");
  EXPECT_EQ(body.at("quantity").as_string(), "75");
  EXPECT_EQ(body.at("action").as_string(), "BUY");
  EXPECT_EQ(body.at("product").as_string(), "MIS");
  EXPECT_EQ(Find(last_id_).status(), OrderStatus::kAccepted);
  EXPECT_EQ(Find(last_id_).price()->raw(), Price::Parse("100.50")->raw());
}

// C46: a cancel is reported only once the book says cancelled.
void OpenAlgoWire::C46CancelIsConfirmedFromTheBook() {
  const auto& order = Submit(Order(OrderType::kLimit, Side::kBuy, 75, "99.00"));
  execution::CancelOrder cancel;
  cancel.client_order_id = order.client_order_id();
  cancel.strategy_id = StrategyId::Of("conformance");
  ASSERT_TRUE(engine_->Cancel(cancel).ok());
  Settle();
  EXPECT_EQ(fake_.order(order.venue_order_id()->str()).status, "cancelled");
  EXPECT_EQ(Find(last_id_).status(), OrderStatus::kCanceled);
}

// C47: a cancel that loses the race with a fill ends filled, not cancelled.
void OpenAlgoWire::C47CancelRacingAFillEndsFilled() {
  const auto& order = Submit(Order(OrderType::kLimit, Side::kBuy, 75, "99.00"));
  fake_.Fill(order.venue_order_id()->str(), 75, 99.00);
  execution::CancelOrder cancel;
  cancel.client_order_id = order.client_order_id();
  cancel.strategy_id = StrategyId::Of("conformance");
  ASSERT_TRUE(engine_->Cancel(cancel).ok());
  Settle();
  PollAndSettle();
  EXPECT_EQ(Find(last_id_).status(), OrderStatus::kFilled);
}

// C48: a refusal in the body and a 400 are rejects with OpenAlgo's message.
void OpenAlgoWire::C48RefusalsAreRejectsWithTheBrokersReason() {
  fake_.Script(PlaceScript::kRejectInBody);
  const auto& first = Submit(Order(OrderType::kMarket, Side::kBuy, 75));
  EXPECT_EQ(first.status(), OrderStatus::kRejected);
  fake_.Script(PlaceScript::kBadRequest);
  const auto& second = Submit(Order(OrderType::kMarket, Side::kBuy, 75));
  EXPECT_EQ(second.status(), OrderStatus::kRejected);
  EXPECT_TRUE(fake_.order_ids().empty());
}

// C49: a 429 is waited out and the order is placed exactly once.
void OpenAlgoWire::C49RateLimitIsRetriedAfterRetryAfterAndPlacedOnce() {
  fake_.Script(PlaceScript::kRateLimitedOnce);
  const auto start = std::chrono::steady_clock::now();
  const auto& order = Submit(Order(OrderType::kMarket, Side::kBuy, 75));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 190ms);
  EXPECT_EQ(order.status(), OrderStatus::kAccepted);
  EXPECT_EQ(fake_.place_requests(), 2);
  EXPECT_EQ(fake_.order_ids().size(), 1u);
  EXPECT_EQ(client_->counters().rate_limited, 1u);
}

// C50: a timeout after the broker took the order: in flight, never resent; the poll finds it by its fields and
// the late fill lands on our order.
void OpenAlgoWire::C50TimeoutThenLateFillIsMatchedNotResent() {
  fake_.Script(PlaceScript::kCreateThenStall);
  const auto& order = Submit(Order(OrderType::kLimit, Side::kBuy, 75, "101.00"));
  EXPECT_EQ(order.status(), OrderStatus::kSubmitted);
  EXPECT_TRUE(order.outcome_unknown());
  ASSERT_EQ(fake_.order_ids().size(), 1u);
  const std::string venue = fake_.order_ids().front();
  fake_.Fill(venue, 75, 100.95);
  PollAndSettle();
  const auto& after = Find(last_id_);
  EXPECT_EQ(after.status(), OrderStatus::kFilled);
  EXPECT_EQ(after.venue_order_id()->value(), venue);
  EXPECT_EQ(fake_.place_requests(), 1);
  EXPECT_EQ(client_->counters().matched_late, 1u);
  EXPECT_EQ(engine_->orders().size(), 1u);  // nothing adopted as external
}

// C51: a 500 after the broker took the order is an unknown outcome, resolved by reconciliation.
void OpenAlgoWire::C51ServerErrorIsUnknownAndReconciledToOurOrder() {
  fake_.Script(PlaceScript::kCreateThenServerError);
  const auto& order = Submit(Order(OrderType::kLimit, Side::kSell, 75, "110.00"));
  EXPECT_EQ(order.status(), OrderStatus::kSubmitted);
  EXPECT_TRUE(order.outcome_unknown());
  auto report = engine_->ReconcileWithBroker();
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  Settle();
  EXPECT_EQ(report->adopted_external, 0u);
  EXPECT_EQ(Find(last_id_).status(), OrderStatus::kAccepted);
  EXPECT_EQ(Find(last_id_).venue_order_id()->value(), fake_.order_ids().front());
  EXPECT_EQ(fake_.place_requests(), 1);
}

// C52: two identical unanswered submits cannot be told apart: neither is guessed; both stay unresolved or are
// settled by reconciliation without doubling anything.
void OpenAlgoWire::C52AmbiguousLateOrdersAreNotGuessed() {
  fake_.Script(PlaceScript::kCreateThenServerError);
  fake_.Script(PlaceScript::kCreateThenServerError);
  const ClientOrderId a = Submit(Order(OrderType::kLimit, Side::kBuy, 75, "101.00")).client_order_id();
  const ClientOrderId b = Submit(Order(OrderType::kLimit, Side::kBuy, 75, "101.00")).client_order_id();
  PollAndSettle();
  EXPECT_EQ(client_->counters().matched_late, 0u);
  EXPECT_TRUE(Find(a).outcome_unknown());
  EXPECT_TRUE(Find(b).outcome_unknown());
  EXPECT_EQ(fake_.place_requests(), 2);
}

// C53: a restart rebuilds orders from the journal; fills that happened while down arrive exactly once through
// reconciliation by venue order id.
void OpenAlgoWire::C53RestartReconcilesFillsWhileDownExactlyOnce() {
  const auto& order = Submit(Order(OrderType::kLimit, Side::kBuy, 75, "101.00"));
  const ClientOrderId id = order.client_order_id();
  const std::string venue = order.venue_order_id()->str();
  Start();  // process restart: new client (empty memory), engine replays the journal
  EXPECT_EQ(Find(id).status(), OrderStatus::kAccepted);
  fake_.Fill(venue, 75, 100.80);
  auto first = engine_->ReconcileWithBroker();
  ASSERT_TRUE(first.ok());
  auto second = engine_->ReconcileWithBroker();
  ASSERT_TRUE(second.ok());
  Settle();
  EXPECT_EQ(Find(id).status(), OrderStatus::kFilled);
  EXPECT_EQ(Find(id).filled_qty().raw(), Quantity::FromUnits(75).raw());
  EXPECT_EQ(engine_->orders().size(), 1u);
  EXPECT_EQ(fake_.place_requests(), 1);
}

// C54: modify after a restart reads the order's fields from /orderstatus first.
void OpenAlgoWire::C54ModifyAfterRestartReadsTheOrderFromTheBroker() {
  const ClientOrderId id = Submit(Order(OrderType::kLimit, Side::kSell, 75, "120.00")).client_order_id();
  Start();
  execution::ModifyOrder modify;
  modify.client_order_id = id;
  modify.strategy_id = StrategyId::Of("conformance");
  modify.quantity = Quantity::FromUnits(150);
  ASSERT_TRUE(engine_->Modify(modify).ok());
  Settle();
  const json::object body = json::parse(fake_.last_body("modifyorder")).as_object();
  EXPECT_EQ(body.at("quantity").as_string(), "150");
  EXPECT_EQ(body.at("price").as_string(), "120.00");
  EXPECT_EQ(body.at("action").as_string(), "SELL");
  EXPECT_EQ(Find(id).quantity().raw(), Quantity::FromUnits(150).raw());
}

// C55: a broker-side rejection after acceptance (margin check at the exchange) ends the order rejected.
void OpenAlgoWire::C55BrokerRejectionAfterAcceptance() {
  const auto& order = Submit(Order(OrderType::kLimit, Side::kBuy, 75, "101.00"));
  fake_.SetStatus(order.venue_order_id()->str(), "rejected");
  PollAndSettle();
  EXPECT_EQ(Find(last_id_).status(), OrderStatus::kRejected);
}

// C56: a duplicate submit (same idempotency key) sends nothing new.
void OpenAlgoWire::C56DuplicateSubmitSendsNothing() {
  SubmitOrder command = Order(OrderType::kMarket, Side::kBuy, 75);
  command.idempotency_key = "plan-42-entry";
  Submit(command);
  auto again = engine_->Submit(command);
  ASSERT_TRUE(again.ok());
  Settle();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(fake_.place_requests(), 1);
}

// ------------------------------------------------------------------ the shared broker conformance list

/// The OpenAlgo adapter as the conformance matrix drives it: the client under test talks OpenAlgo's REST wire to
/// a loopback broker whose venue is the paper broker configured by the case's profile, so every scripted case
/// checks the adapter against the same expectations as the paper broker itself. Wire cases run on the scripted
/// fake (OpenAlgoWire).
class OpenAlgoUnderTest final : public conformance::BrokerUnderTest {
 public:
  ~OpenAlgoUnderTest() override {
    client_.reset();
    venue_.reset();
  }
  std::string_view name() const override { return "openalgo"; }
  bool Has(conformance::Capability capability) const override {
    // The venue is the paper broker with its calendar: it refuses orders outside the session by its own clock.
    return capability == conformance::Capability::kMarketHours;
  }
  std::string WhyNot(conformance::Capability capability) const override {
    using conformance::Capability;
    switch (capability) {
      case Capability::kSimulatedTime:
        return "the client runs on the live clock (HTTP timeouts, polling): simulated latency and cut-offs cannot "
               "be driven through it";
      case Capability::kFunds:
      case Capability::kCharges:
      case Capability::kPositions:
        return "the OpenAlgo execution client is an order port; funds, charges and positions are other OpenAlgo "
               "endpoints it does not read";
      case Capability::kMisSquareOff:
        return "square-off orders are the broker's own: the client only meets them as external rows of the book";
      case Capability::kSeededModels:
        return "events are stamped with the live clock, so two runs are never byte-identical";
      case Capability::kMarketHours: break;
    }
    return "not available";
  }
  bool CanHonour(const conformance::BrokerProfile& profile) const override {
    // A real wire has its own latency; a simulated one on top needs simulated time the client does not have.
    return profile.request_latency == Duration::zero() && profile.report_latency == Duration::zero() &&
           profile.jitter == Duration::zero();
  }
  void Reset(const conformance::BrokerProfile& profile, UnixNanos start,
             const std::vector<Instrument>& instruments) override {
    client_.reset();
    venue_.reset();
    venue_clock_ = std::make_unique<TestClock>(start);
    auto broker = conformance::MakePaperBroker(profile, *venue_clock_);
    for (const auto& instrument : instruments) {
      ASSERT_TRUE(broker->AddInstrument(instrument).ok());
    }
    venue_ = std::make_unique<vendors_test::PaperVenueOpenAlgo>(std::move(broker));
    OpenAlgoExecutionConfig config;
    config.rest_base_url = venue_->url();
    config.api_key = "k3y";
    config.strategy = "conformance";
    config.http_timeout = 2s;
    config.poll_interval = 0ms;
    config.orders_per_second = 1000;
    config.order_burst = 100;
    client_ = std::make_unique<OpenAlgoExecutionClient>(config, clock_, tasks_.poster());
    client_->SetSink(&recorder_);
    recorder_.events.clear();
  }
  execution::ExecutionClient& client() override { return *client_; }
  void Quote(const QuoteTick& quote) override {
    Settle();  // requests already made reach the venue before the market moves
    venue_->Quote(quote);
  }
  void Trade(const TradeTick& trade) override {
    Settle();
    venue_->Trade(trade);
  }
  void Advance(Duration) override { ADD_FAILURE() << "simulated time is not available over the wire"; }
  UnixNanos Now() const override { return venue_clock_->Now(); }
  void Settle() override {
    client_->WaitIdle();
    tasks_.RunAll();
    client_->Poll();
    client_->WaitIdle();
    tasks_.RunAll();
  }
  std::vector<execution::OrderEvent> TakeEvents() override { return std::exchange(recorder_.events, {}); }
  std::optional<conformance::FundsView> Funds() const override { return std::nullopt; }
  std::optional<double> NetPosition(const InstrumentId&, Product) const override { return std::nullopt; }
  void RunCustom(const conformance::ConformanceCase& c) override {
    using Body = void (OpenAlgoWire::*)();
    static const std::map<std::string, Body> bodies = {
        {"C42", &OpenAlgoWire::C42MarketBuyIsPlacedAcknowledgedAndFilled},
        {"C43", &OpenAlgoWire::C43LimitRestsThenFillsPartiallyThenFully},
        {"C44", &OpenAlgoWire::C44StopMarketCarriesTriggerAndFills},
        {"C45", &OpenAlgoWire::C45ModifyRewritesPriceKeepingOtherFields},
        {"C46", &OpenAlgoWire::C46CancelIsConfirmedFromTheBook},
        {"C47", &OpenAlgoWire::C47CancelRacingAFillEndsFilled},
        {"C48", &OpenAlgoWire::C48RefusalsAreRejectsWithTheBrokersReason},
        {"C49", &OpenAlgoWire::C49RateLimitIsRetriedAfterRetryAfterAndPlacedOnce},
        {"C50", &OpenAlgoWire::C50TimeoutThenLateFillIsMatchedNotResent},
        {"C51", &OpenAlgoWire::C51ServerErrorIsUnknownAndReconciledToOurOrder},
        {"C52", &OpenAlgoWire::C52AmbiguousLateOrdersAreNotGuessed},
        {"C53", &OpenAlgoWire::C53RestartReconcilesFillsWhileDownExactlyOnce},
        {"C54", &OpenAlgoWire::C54ModifyAfterRestartReadsTheOrderFromTheBroker},
        {"C55", &OpenAlgoWire::C55BrokerRejectionAfterAcceptance},
        {"C56", &OpenAlgoWire::C56DuplicateSubmitSendsNothing},
    };
    auto body = bodies.find(c.id);
    ASSERT_NE(body, bodies.end()) << c.id << " has no OpenAlgo wire body";
    OpenAlgoWire wire;
    (wire.*(body->second))();
  }

 private:
  class Recorder final : public execution::ExecutionEventSink {
   public:
    void OnOrderEvent(const execution::OrderEvent& event) override { events.push_back(event); }
    std::vector<execution::OrderEvent> events;
  };
  LiveClock clock_;
  std::unique_ptr<TestClock> venue_clock_;
  PostedTasks tasks_;
  Recorder recorder_;
  std::unique_ptr<vendors_test::PaperVenueOpenAlgo> venue_;
  std::unique_ptr<OpenAlgoExecutionClient> client_;
};

class OpenAlgoConformance : public ::testing::TestWithParam<conformance::ConformanceCase> {};

TEST_P(OpenAlgoConformance, Case) {
  OpenAlgoUnderTest broker;
  conformance::RunConformanceCase(GetParam(), broker);
}

INSTANTIATE_TEST_SUITE_P(Matrix, OpenAlgoConformance, ::testing::ValuesIn(conformance::BrokerConformanceCases()),
                         [](const ::testing::TestParamInfo<conformance::ConformanceCase>& param) {
                           return param.param.id;
                         });

TEST(OpenAlgoExecutionConfigTest, ValidateNamesTheField) {
  OpenAlgoExecutionConfig config;
  EXPECT_EQ(config.Validate().error().field, "api_key");
  config.api_key = "k";
  config.rest_base_url = "ftp://x";
  EXPECT_EQ(config.Validate().error().field, "rest_base_url");
}

TEST(OpenAlgoOrderWireTest, OrderBookRowsAndStatuses) {
  ParseOptions options;
  auto rows = ParseOrderBook(
      R"({"status":"success","data":{"orders":[{"action":"SELL","symbol":"SBIN","exchange":"NSE","orderid":"1",
      "product":"CNC","quantity":"10","price":"0","pricetype":"MARKET","order_status":"complete",
      "trigger_price":"0","average_price":"812.25","timestamp":"21-Nov-2026 09:16:02"}],"statistics":{}}})",
      options);
  ASSERT_TRUE(rows.ok()) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].fields.side, Side::kSell);
  EXPECT_EQ((*rows)[0].fields.product, Product::kCnc);
  EXPECT_FALSE((*rows)[0].fields.price.has_value());
  ASSERT_TRUE((*rows)[0].timestamp.has_value());
  EXPECT_EQ((*rows)[0].timestamp->ToIso8601(), "2026-11-21T03:46:02.000Z");
  EXPECT_EQ(StatusFromWire("trigger pending"), execution::BrokerOrderStatus::kOpen);
  EXPECT_EQ(StatusFromWire("COMPLETE"), execution::BrokerOrderStatus::kFilled);
  EXPECT_EQ(StatusFromWire("cancelled"), execution::BrokerOrderStatus::kCanceled);

  auto bad = ParseOrderBook(R"({"status":"success","data":{"orders":[{"orderid":"1","symbol":"SBIN",
      "exchange":"NSE","action":"BUY","quantity":"ten","order_status":"open"}]}})",
                            options);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "data.orders[0].quantity");
  auto refused = ParseOrderIdAnswer(R"({"status":"error","message":"Invalid openalgo apikey"})");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(refused.error().message, "Invalid openalgo apikey");
}

}  // namespace
}  // namespace td::adapters::openalgo
