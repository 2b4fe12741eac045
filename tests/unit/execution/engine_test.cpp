// SPDX-License-Identifier: MIT
#include "execution/execution_engine.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <random>

#include "unit/execution/fixtures.hpp"

namespace td::execution {
namespace {

using testing::Fill;
using testing::LimitBuy;

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("td-execution-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// A broker that records requests and answers only when the test says so.
class ScriptedClient final : public ExecutionClient {
 public:
  void SetSink(ExecutionEventSink* sink) override { sink_ = sink; }
  void Submit(const SubmitOrder& command) override {
    if (on_submit) {
      on_submit(command);
    }
    submits.push_back(command);
  }
  void Modify(const ModifyOrder& command, const std::optional<VenueOrderId>&) override { modifies.push_back(command); }
  void Cancel(const CancelOrder& command, const std::optional<VenueOrderId>& venue) override {
    cancels.push_back(command);
    cancel_venues.push_back(venue);
  }
  Result<BrokerOrderSnapshot> QueryOrders() override { return snapshot; }
  void Emit(const OrderEvent& event) {
    ASSERT_NE(sink_, nullptr);
    sink_->OnOrderEvent(event);
  }

  std::function<void(const SubmitOrder&)> on_submit;
  std::vector<SubmitOrder> submits;
  std::vector<ModifyOrder> modifies;
  std::vector<CancelOrder> cancels;
  std::vector<std::optional<VenueOrderId>> cancel_venues;
  BrokerOrderSnapshot snapshot;

 private:
  ExecutionEventSink* sink_ = nullptr;
};

class EngineTest : public ::testing::Test {
 protected:
  std::unique_ptr<ExecutionEngine> OpenEngine(ScriptedClient& client) {
    ExecutionEngineOptions options;
    options.journal_path = dir_ / "orders.journal";
    options.id_prefix = "TD";
    options.on_event = [this](const OrderEvent& e) { seen_.push_back(std::string(EventName(e))); };
    auto engine = ExecutionEngine::Open(options, clock_, client);
    EXPECT_TRUE(engine.ok()) << engine.error().ToString();
    return std::move(engine).value();
  }
  static SubmitOrder Request(std::string key = {}) {
    SubmitOrder c = LimitBuy("");
    c.ts_init = UnixNanos{};
    c.idempotency_key = std::move(key);
    return c;
  }
  static OrderFilled FillFor(const ClientOrderId& id, std::string_view trade, std::int64_t qty, std::int64_t cum) {
    SubmitOrder c = LimitBuy("X");
    c.client_order_id = id;
    return Fill(c, trade, qty, "101.50", cum);
  }

  TempDir dir_;
  TestClock clock_{UnixNanos::FromSeconds(1'700'000'000)};
  std::vector<std::string> seen_;
};

TEST_F(EngineTest, JournalsTheIntentBeforeTheClientSeesIt) {
  ScriptedClient client;
  auto engine = OpenEngine(client);
  std::size_t submit_frames_at_send = 0;
  client.on_submit = [&](const SubmitOrder& cmd) {
    auto tail = persistence::ReplayJournal(dir_ / "orders.journal", [&](const persistence::FrameView& frame) {
      auto message = Decode(frame.type_id, frame.payload);
      EXPECT_TRUE(message.ok());
      if (const auto* c = std::get_if<OrderCommand>(&*message)) {
        submit_frames_at_send += std::get<SubmitOrder>(*c).client_order_id == cmd.client_order_id ? 1 : 0;
      }
      return Status{};
    });
    EXPECT_TRUE(tail.ok());
  };
  auto result = engine->Submit(Request());
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(submit_frames_at_send, 1u);
  EXPECT_EQ(result->client_order_id.value(), "TD-000000000001");
  EXPECT_EQ(result->status, OrderStatus::kSubmitted);
  EXPECT_EQ(client.submits.size(), 1u);
}

TEST_F(EngineTest, CrashBeforeAckRebuildsOnceInFlightAndDoesNotResubmit) {
  ClientOrderId id;
  {
    ScriptedClient client;
    auto engine = OpenEngine(client);
    id = engine->Submit(Request("k1"))->client_order_id;
    ASSERT_EQ(client.submits.size(), 1u);
  }  // destroyed without any acknowledgement
  ScriptedClient client;
  auto engine = OpenEngine(client);
  EXPECT_EQ(engine->orders().size(), 1u);
  const Order* order = engine->FindOrder(id);
  ASSERT_NE(order, nullptr);
  EXPECT_EQ(order->status(), OrderStatus::kSubmitted);
  EXPECT_TRUE(order->is_in_flight());
  EXPECT_TRUE(client.submits.empty());
  // The same idempotency key after the restart still finds it, and ids keep increasing.
  auto again = engine->Submit(Request("k1"));
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->client_order_id, id);
  EXPECT_TRUE(client.submits.empty());
  auto next = engine->Submit(Request("k2"));
  EXPECT_EQ(next->client_order_id.value(), "TD-000000000002");
}

TEST_F(EngineTest, StopBetweenTheIntentAndTheSendDeniesTheOrderAndNeverSendsIt) {
  ClientOrderId id;
  {
    ScriptedClient client;
    auto engine = OpenEngine(client);
    id = engine->Submit(Request("k1"))->client_order_id;
  }
  // Cut the journal just past the intent: the process stopped before OrderSubmitted was written.
  std::uint64_t cut = 0;
  auto tail = persistence::ReplayJournal(dir_ / "orders.journal", [&](const persistence::FrameView& frame) {
    auto message = Decode(frame.type_id, frame.payload);
    if (message.ok() && std::holds_alternative<OrderCommand>(*message) && cut == 0) {
      cut = frame.offset + persistence::kJournalFrameHeaderSize + frame.payload.size() + persistence::kJournalFrameTrailerSize;
    }
    return Status{};
  });
  ASSERT_TRUE(tail.ok());
  ASSERT_GT(cut, 0u);
  ASSERT_LT(cut, std::filesystem::file_size(dir_ / "orders.journal"));
  std::filesystem::resize_file(dir_ / "orders.journal", cut);

  for (int restart = 0; restart < 2; ++restart) {  // settled once, and the settlement itself replays
    ScriptedClient client;
    auto engine = OpenEngine(client);
    const Order* order = engine->FindOrder(id);
    ASSERT_NE(order, nullptr);
    EXPECT_EQ(order->status(), OrderStatus::kDenied);
    EXPECT_FALSE(order->is_open());
    auto again = engine->Submit(Request("k1"));
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->duplicate);
    EXPECT_EQ(again->status, OrderStatus::kDenied);
    EXPECT_TRUE(client.submits.empty()) << "a stale intent must not be sent after a restart";
  }
}

TEST_F(EngineTest, DuplicateSubmitReturnsTheExistingOrder) {
  ScriptedClient client;
  auto engine = OpenEngine(client);
  auto first = engine->Submit(Request("same"));
  auto second = engine->Submit(Request("same"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_FALSE(first->duplicate);
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(first->client_order_id, second->client_order_id);
  EXPECT_EQ(engine->orders().size(), 1u);
  EXPECT_EQ(client.submits.size(), 1u);
}

TEST_F(EngineTest, EventsAreJournaledAndReplayed) {
  ClientOrderId id;
  {
    ScriptedClient client;
    auto engine = OpenEngine(client);
    id = engine->Submit(Request())->client_order_id;
    client.Emit(OrderAccepted{id, VenueOrderId::Of("V1"), clock_.Now(), clock_.Now()});
    client.Emit(FillFor(id, "T1", 40, 40));
    client.Emit(FillFor(id, "T1", 40, 40));                       // duplicate report: ignored
    client.Emit(OrderSubmitted{id, clock_.Now(), clock_.Now()});  // illegal now: dropped
    EXPECT_EQ(engine->FindOrder(id)->filled_qty(), Quantity::FromUnits(40));
    ASSERT_TRUE(engine->Cancel(CancelOrder{id, "c1", StrategyId::Of("ORB"), {}}).ok());
    ASSERT_TRUE(engine->Cancel(CancelOrder{id, "c1", StrategyId::Of("ORB"), {}}).ok());  // same key: no-op
    EXPECT_EQ(client.cancels.size(), 1u);
    EXPECT_EQ(client.cancel_venues[0]->value(), "V1");
    client.Emit(OrderCanceled{id, clock_.Now(), clock_.Now()});
  }
  seen_.clear();
  ScriptedClient client;
  auto engine = OpenEngine(client);
  const Order* order = engine->FindOrder(id);
  ASSERT_NE(order, nullptr);
  EXPECT_EQ(order->status(), OrderStatus::kCanceled);
  EXPECT_EQ(order->filled_qty(), Quantity::FromUnits(40));
  EXPECT_EQ(order->venue_order_id()->value(), "V1");
  const std::vector<std::string> expected{"order_submitted", "order_accepted", "order_filled", "order_cancel_requested",
                                          "order_canceled"};
  EXPECT_EQ(seen_, expected);
  EXPECT_FALSE(engine->Cancel(CancelOrder{id, "", StrategyId::Of("ORB"), {}}).ok());
}

TEST_F(EngineTest, TimeoutIsUnknownAndReconcileResolvesToFilled) {
  ScriptedClient client;
  auto engine = OpenEngine(client);
  const ClientOrderId id = engine->Submit(Request())->client_order_id;
  client.Emit(OrderUpdateTimedOut{id, PendingRequest::kSubmit, "read timeout", clock_.Now(), clock_.Now()});
  const Order* order = engine->FindOrder(id);
  EXPECT_TRUE(order->outcome_unknown());
  EXPECT_EQ(order->status(), OrderStatus::kSubmitted);
  EXPECT_EQ(client.submits.size(), 1u);  // never resubmitted

  clock_.Advance(std::chrono::seconds(30));
  BrokerOrderReport report;
  report.venue_order_id = VenueOrderId::Of("V42");
  report.client_order_id = id;
  report.instrument_id = order->instrument_id();
  report.side = order->side();
  report.type = order->type();
  report.quantity = order->quantity();
  report.filled_qty = order->quantity();
  report.avg_fill_px = *Price::Parse("101.25");
  report.status = BrokerOrderStatus::kFilled;
  auto result = engine->Reconcile(BrokerOrderSnapshot{clock_.Now(), true, {report}});
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(order->status(), OrderStatus::kFilled);
  EXPECT_FALSE(order->outcome_unknown());
  EXPECT_EQ(order->venue_order_id()->value(), "V42");
  EXPECT_NEAR(order->avg_px(), 101.25, 1e-9);
  // Reconciling again changes nothing (deterministic fill id).
  auto again = engine->Reconcile(BrokerOrderSnapshot{clock_.Now(), true, {report}});
  EXPECT_EQ(again->events_generated, 0u);
  EXPECT_EQ(client.submits.size(), 1u);
}

TEST_F(EngineTest, TimeoutThenBrokerReportsRejectResolvesToRejected) {
  ScriptedClient client;
  auto engine = OpenEngine(client);
  const ClientOrderId id = engine->Submit(Request())->client_order_id;
  client.Emit(OrderUpdateTimedOut{id, PendingRequest::kSubmit, "502", clock_.Now(), clock_.Now()});
  BrokerOrderReport report;
  report.venue_order_id = VenueOrderId::Of("V5");
  report.client_order_id = id;
  report.instrument_id = InstrumentId::Of("NSE:SBIN");
  report.quantity = Quantity::FromUnits(100);
  report.status = BrokerOrderStatus::kRejected;
  report.reason = "RMS: insufficient margin";
  // Even an incomplete snapshot is proof when it lists the order as rejected.
  auto result = engine->Reconcile(BrokerOrderSnapshot{clock_.Now(), false, {report}});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(engine->FindOrder(id)->status(), OrderStatus::kRejected);
  EXPECT_FALSE(engine->FindOrder(id)->outcome_unknown());
  EXPECT_EQ(client.submits.size(), 1u);
}

TEST_F(EngineTest, MissingOrderIsRejectedOnlyWhenTheSnapshotProvesIt) {
  ScriptedClient client;
  auto engine = OpenEngine(client);
  const ClientOrderId id = engine->Submit(Request())->client_order_id;
  client.Emit(OrderUpdateTimedOut{id, PendingRequest::kSubmit, "disconnect", clock_.Now(), clock_.Now()});
  // Incomplete snapshot: proves nothing.
  clock_.Advance(std::chrono::seconds(30));
  auto partial = engine->Reconcile(BrokerOrderSnapshot{clock_.Now(), false, {}});
  EXPECT_EQ(partial->unresolved, 1u);
  EXPECT_EQ(engine->FindOrder(id)->status(), OrderStatus::kSubmitted);
  // Complete but taken too soon after the request: still unresolved.
  auto early = engine->Reconcile(BrokerOrderSnapshot{clock_.Now() - std::chrono::seconds(28), true, {}});
  EXPECT_EQ(early->unresolved, 1u);
  // Complete and late enough: proven absent.
  auto proven = engine->Reconcile(BrokerOrderSnapshot{clock_.Now(), true, {}});
  EXPECT_EQ(proven->rejected_not_found, 1u);
  EXPECT_EQ(engine->FindOrder(id)->status(), OrderStatus::kRejected);
  EXPECT_EQ(client.submits.size(), 1u);
}

TEST_F(EngineTest, AcknowledgedOrderMissingFromSnapshotIsNotRejected) {
  ScriptedClient client;
  auto engine = OpenEngine(client);
  const ClientOrderId id = engine->Submit(Request())->client_order_id;
  client.Emit(OrderAccepted{id, VenueOrderId::Of("V1"), clock_.Now(), clock_.Now()});
  clock_.Advance(std::chrono::minutes(5));
  auto result = engine->Reconcile(BrokerOrderSnapshot{clock_.Now(), true, {}});
  EXPECT_EQ(result->unresolved, 1u);
  EXPECT_EQ(engine->FindOrder(id)->status(), OrderStatus::kAccepted);
}

TEST_F(EngineTest, UnknownBrokerOrdersAreAdoptedAsExternalOnce) {
  ScriptedClient client;
  BrokerOrderReport report;
  report.venue_order_id = VenueOrderId::Of("B777");
  report.instrument_id = InstrumentId::Of("NSE:INFY");
  report.side = Side::kSell;
  report.type = OrderType::kLimit;
  report.price = *Price::Parse("1500.00");
  report.quantity = Quantity::FromUnits(10);
  report.filled_qty = Quantity::FromUnits(4);
  report.avg_fill_px = *Price::Parse("1500.00");
  client.snapshot = BrokerOrderSnapshot{clock_.Now(), true, {report}};
  {
    auto engine = OpenEngine(client);
    auto result = engine->ReconcileWithBroker();
    ASSERT_TRUE(result.ok()) << result.error().ToString();
    EXPECT_EQ(result->adopted_external, 1u);
    const Order* order = engine->FindOrder(ClientOrderId::Of("EXT-B777"));
    ASSERT_NE(order, nullptr);
    EXPECT_TRUE(order->is_external());
    EXPECT_EQ(order->strategy_id().value(), "EXTERNAL");
    EXPECT_EQ(order->status(), OrderStatus::kPartiallyFilled);
    EXPECT_EQ(order->filled_qty(), Quantity::FromUnits(4));
  }
  ScriptedClient restarted;
  restarted.snapshot = client.snapshot;
  auto engine = OpenEngine(restarted);
  auto result = engine->ReconcileWithBroker();
  EXPECT_EQ(result->adopted_external, 0u);
  EXPECT_EQ(result->events_generated, 0u);
  EXPECT_EQ(engine->orders().size(), 1u);
}

TEST_F(EngineTest, MalformedBrokerReportsAreSkipped) {
  ScriptedClient client;
  auto engine = OpenEngine(client);
  BrokerOrderReport empty_qty;
  empty_qty.venue_order_id = VenueOrderId::Of("B1");
  empty_qty.instrument_id = InstrumentId::Of("NSE:INFY");
  BrokerOrderReport no_instrument;
  no_instrument.venue_order_id = VenueOrderId::Of("B2");
  no_instrument.quantity = Quantity::FromUnits(5);
  auto result = engine->Reconcile(BrokerOrderSnapshot{clock_.Now(), true, {empty_qty, no_instrument}});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->unresolved, 2u);
  EXPECT_TRUE(engine->orders().empty());
}

class DenyAll final : public PreTradeGate {
 public:
  std::optional<OrderDenied> CheckSubmit(const SubmitOrder& c) override {
    ++calls;
    return OrderDenied{c.client_order_id, "trading_halted", "halted", {}, {}};
  }
  int calls = 0;
};

TEST_F(EngineTest, GateDenialIsJournaledAndNothingIsSent) {
  ClientOrderId id;
  {
    ScriptedClient client;
    auto engine = OpenEngine(client);
    DenyAll gate;
    engine->SetGate(&gate);
    auto result = engine->Submit(Request());
    ASSERT_TRUE(result.ok());
    id = result->client_order_id;
    EXPECT_EQ(result->status, OrderStatus::kDenied);
    EXPECT_EQ(gate.calls, 1);
    EXPECT_TRUE(client.submits.empty());
  }
  ScriptedClient client;
  auto engine = OpenEngine(client);
  EXPECT_EQ(engine->FindOrder(id)->status(), OrderStatus::kDenied);
}

TEST_F(EngineTest, InvalidCommandsAreRefused) {
  ScriptedClient client;
  auto engine = OpenEngine(client);
  SubmitOrder no_price = Request();
  no_price.price.reset();
  EXPECT_EQ(engine->Submit(no_price).error().field, "price");
  SubmitOrder zero = Request();
  zero.quantity = Quantity{};
  EXPECT_EQ(engine->Submit(zero).error().field, "quantity");
  EXPECT_TRUE(engine->orders().empty());
  EXPECT_FALSE(engine
                   ->Modify(ModifyOrder{ClientOrderId::Of("NOPE"),
                                        "",
                                        StrategyId::Of("ORB"),
                                        Quantity::FromUnits(1),
                                        std::nullopt,
                                        std::nullopt,
                                        {}})
                   .ok());
}

TEST_F(EngineTest, ModifyAndCancelAllCommands) {
  ScriptedClient client;
  auto engine = OpenEngine(client);
  const ClientOrderId a = engine->Submit(Request())->client_order_id;
  const ClientOrderId b = engine->Submit(Request())->client_order_id;
  client.Emit(OrderAccepted{a, VenueOrderId::Of("VA"), clock_.Now(), clock_.Now()});
  ASSERT_TRUE(
      engine
          ->Modify(ModifyOrder{a, "m1", StrategyId::Of("ORB"), std::nullopt, *Price::Parse("100.00"), std::nullopt, {}})
          .ok());
  EXPECT_EQ(engine->FindOrder(a)->status(), OrderStatus::kPendingUpdate);
  EXPECT_EQ(client.modifies.size(), 1u);
  client.Emit(
      OrderModified{a, Quantity::FromUnits(100), *Price::Parse("100.00"), std::nullopt, clock_.Now(), clock_.Now()});
  EXPECT_EQ(*engine->FindOrder(a)->price(), *Price::Parse("100.00"));
  EXPECT_EQ(engine->OpenOrderCount(), 2u);
  const auto cancels = engine->CancelAllCommands(StrategyId::Of("RISK"));
  ASSERT_EQ(cancels.size(), 2u);
  EXPECT_EQ(cancels[0].client_order_id, a);
  EXPECT_EQ(cancels[1].client_order_id, b);
}

}  // namespace
}  // namespace td::execution
