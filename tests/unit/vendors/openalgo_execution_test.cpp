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
#include "unit/vendors/fake_openalgo_broker.hpp"
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

class OpenAlgoExecutionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("td_oa_exec_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Start();
  }
  void TearDown() override {
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

// C01: a market buy is placed with OpenAlgo's fields (numbers as strings), acknowledged, then filled.
TEST_F(OpenAlgoExecutionTest, C01MarketBuyIsPlacedAcknowledgedAndFilled) {
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

  fake_.Fill(order.venue_order_id()->value(), 75, 102.35);
  PollAndSettle();
  const auto& filled = Find(last_id_);
  EXPECT_EQ(filled.status(), OrderStatus::kFilled);
  EXPECT_EQ(filled.filled_qty().raw(), Quantity::FromUnits(75).raw());
  EXPECT_NEAR(filled.avg_px(), 102.35, 1e-9);
}

// C02: a limit order rests (polls change nothing), then fills in two parts with the right average.
TEST_F(OpenAlgoExecutionTest, C02LimitRestsThenFillsPartiallyThenFully) {
  const auto& order = Submit(Order(OrderType::kLimit, Side::kBuy, 150, "101.50"));
  const std::string venue = order.venue_order_id()->value();
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

// C03: an SL-M sell carries its trigger and fills when the broker triggers it.
TEST_F(OpenAlgoExecutionTest, C03StopMarketCarriesTriggerAndFills) {
  const auto& order = Submit(Order(OrderType::kStopMarket, Side::kSell, 75, std::nullopt, "95.00"));
  const json::object body = json::parse(fake_.last_body("placeorder")).as_object();
  EXPECT_EQ(body.at("pricetype").as_string(), "SL-M");
  EXPECT_EQ(body.at("trigger_price").as_string(), "95.00");
  fake_.Fill(order.venue_order_id()->value(), 75, 94.90);
  PollAndSettle();
  EXPECT_EQ(Find(last_id_).status(), OrderStatus::kFilled);
}

// C04: modify sends every field OpenAlgo requires, with the changed price.
TEST_F(OpenAlgoExecutionTest, C04ModifyRewritesPriceKeepingOtherFields) {
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

// C05: a cancel is reported only once the book says cancelled.
TEST_F(OpenAlgoExecutionTest, C05CancelIsConfirmedFromTheBook) {
  const auto& order = Submit(Order(OrderType::kLimit, Side::kBuy, 75, "99.00"));
  execution::CancelOrder cancel;
  cancel.client_order_id = order.client_order_id();
  cancel.strategy_id = StrategyId::Of("conformance");
  ASSERT_TRUE(engine_->Cancel(cancel).ok());
  Settle();
  EXPECT_EQ(fake_.order(order.venue_order_id()->value()).status, "cancelled");
  EXPECT_EQ(Find(last_id_).status(), OrderStatus::kCanceled);
}

// C06: a cancel that loses the race with a fill ends filled, not cancelled.
TEST_F(OpenAlgoExecutionTest, C06CancelRacingAFillEndsFilled) {
  const auto& order = Submit(Order(OrderType::kLimit, Side::kBuy, 75, "99.00"));
  fake_.Fill(order.venue_order_id()->value(), 75, 99.00);
  execution::CancelOrder cancel;
  cancel.client_order_id = order.client_order_id();
  cancel.strategy_id = StrategyId::Of("conformance");
  ASSERT_TRUE(engine_->Cancel(cancel).ok());
  Settle();
  PollAndSettle();
  EXPECT_EQ(Find(last_id_).status(), OrderStatus::kFilled);
}

// C07: a refusal in the body and a 400 are rejects with OpenAlgo's message.
TEST_F(OpenAlgoExecutionTest, C07RefusalsAreRejectsWithTheBrokersReason) {
  fake_.Script(PlaceScript::kRejectInBody);
  const auto& first = Submit(Order(OrderType::kMarket, Side::kBuy, 75));
  EXPECT_EQ(first.status(), OrderStatus::kRejected);
  fake_.Script(PlaceScript::kBadRequest);
  const auto& second = Submit(Order(OrderType::kMarket, Side::kBuy, 75));
  EXPECT_EQ(second.status(), OrderStatus::kRejected);
  EXPECT_TRUE(fake_.order_ids().empty());
}

// C08: a 429 is waited out and the order is placed exactly once.
TEST_F(OpenAlgoExecutionTest, C08RateLimitIsRetriedAfterRetryAfterAndPlacedOnce) {
  fake_.Script(PlaceScript::kRateLimitedOnce);
  const auto start = std::chrono::steady_clock::now();
  const auto& order = Submit(Order(OrderType::kMarket, Side::kBuy, 75));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 190ms);
  EXPECT_EQ(order.status(), OrderStatus::kAccepted);
  EXPECT_EQ(fake_.place_requests(), 2);
  EXPECT_EQ(fake_.order_ids().size(), 1u);
  EXPECT_EQ(client_->counters().rate_limited, 1u);
}

// C09: a timeout after the broker took the order: in flight, never resent; the poll finds it by its fields and
// the late fill lands on our order.
TEST_F(OpenAlgoExecutionTest, C09TimeoutThenLateFillIsMatchedNotResent) {
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

// C10: a 500 after the broker took the order is an unknown outcome, resolved by reconciliation.
TEST_F(OpenAlgoExecutionTest, C10ServerErrorIsUnknownAndReconciledToOurOrder) {
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

// C11: two identical unanswered submits cannot be told apart: neither is guessed; both stay unresolved or are
// settled by reconciliation without doubling anything.
TEST_F(OpenAlgoExecutionTest, C11AmbiguousLateOrdersAreNotGuessed) {
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

// C12: a restart rebuilds orders from the journal; fills that happened while down arrive exactly once through
// reconciliation by venue order id.
TEST_F(OpenAlgoExecutionTest, C12RestartReconcilesFillsWhileDownExactlyOnce) {
  const auto& order = Submit(Order(OrderType::kLimit, Side::kBuy, 75, "101.00"));
  const ClientOrderId id = order.client_order_id();
  const std::string venue = order.venue_order_id()->value();
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

// C13: modify after a restart reads the order's fields from /orderstatus first.
TEST_F(OpenAlgoExecutionTest, C13ModifyAfterRestartReadsTheOrderFromTheBroker) {
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

// C14: a broker-side rejection after acceptance (margin check at the exchange) ends the order rejected.
TEST_F(OpenAlgoExecutionTest, C14BrokerRejectionAfterAcceptance) {
  const auto& order = Submit(Order(OrderType::kLimit, Side::kBuy, 75, "101.00"));
  fake_.SetStatus(order.venue_order_id()->value(), "rejected");
  PollAndSettle();
  EXPECT_EQ(Find(last_id_).status(), OrderStatus::kRejected);
}

// C15: a duplicate submit (same idempotency key) sends nothing new.
TEST_F(OpenAlgoExecutionTest, C15DuplicateSubmitSendsNothing) {
  SubmitOrder command = Order(OrderType::kMarket, Side::kBuy, 75);
  command.idempotency_key = "plan-42-entry";
  Submit(command);
  auto again = engine_->Submit(command);
  ASSERT_TRUE(again.ok());
  Settle();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(fake_.place_requests(), 1);
}

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
