// SPDX-License-Identifier: MIT
#include "execution/order.hpp"

#include <gtest/gtest.h>

#include "execution/order_id_generator.hpp"
#include "unit/execution/fixtures.hpp"

namespace td::execution {
namespace {

using testing::Fill;
using testing::LimitBuy;

const UnixNanos kT = UnixNanos::FromSeconds(1'700'000'001);
const ClientOrderId kId = ClientOrderId::Of("O1");

Order Accepted() {
  Order order(LimitBuy("O1"));
  order.Apply(OrderSubmitted{kId, kT, kT});
  order.Apply(OrderAccepted{kId, VenueOrderId::Of("V1"), kT, kT});
  return order;
}

TEST(OrderTest, SubmitAcceptFillInParts) {
  const SubmitOrder cmd = LimitBuy("O1");
  Order order(cmd);
  EXPECT_EQ(order.status(), OrderStatus::kInitialized);
  EXPECT_FALSE(order.is_open());
  order.Apply(OrderSubmitted{kId, kT, kT});
  EXPECT_EQ(order.status(), OrderStatus::kSubmitted);
  EXPECT_TRUE(order.is_in_flight());
  order.Apply(OrderAccepted{kId, VenueOrderId::Of("V1"), kT, kT});
  EXPECT_EQ(order.status(), OrderStatus::kAccepted);
  EXPECT_FALSE(order.is_in_flight());
  EXPECT_EQ(order.venue_order_id()->value(), "V1");
  EXPECT_TRUE(order.Apply(Fill(cmd, "T1", 30, "101.00", 30)));
  EXPECT_EQ(order.status(), OrderStatus::kPartiallyFilled);
  EXPECT_TRUE(order.Apply(Fill(cmd, "T2", 30, "102.00", 60)));
  EXPECT_EQ(order.filled_qty(), Quantity::FromUnits(60));
  EXPECT_EQ(order.leaves_qty(), Quantity::FromUnits(40));
  EXPECT_TRUE(order.Apply(Fill(cmd, "T3", 40, "103.00", 100)));
  EXPECT_EQ(order.status(), OrderStatus::kFilled);
  EXPECT_TRUE(order.is_terminal());
  EXPECT_DOUBLE_EQ(order.avg_px(), (30 * 101.0 + 30 * 102.0 + 40 * 103.0) / 100.0);
}

TEST(OrderTest, DuplicateFillIdIsIgnored) {
  const SubmitOrder cmd = LimitBuy("O1");
  Order order = Accepted();
  EXPECT_TRUE(order.Apply(Fill(cmd, "T1", 40, "101.00", 40)));
  EXPECT_FALSE(order.Apply(Fill(cmd, "T1", 40, "101.00", 40)));
  EXPECT_EQ(order.filled_qty(), Quantity::FromUnits(40));
  EXPECT_TRUE(order.Apply(Fill(cmd, "T2", 60, "101.00", 100)));
  // A duplicate after completion is still just ignored, not an illegal transition.
  EXPECT_TRUE(order.CanApply(Fill(cmd, "T2", 60, "101.00", 100)));
  EXPECT_FALSE(order.Apply(Fill(cmd, "T2", 60, "101.00", 100)));
  EXPECT_EQ(order.status(), OrderStatus::kFilled);
}

TEST(OrderTest, OverfillIsIllegal) {
  const SubmitOrder cmd = LimitBuy("O1");
  Order order = Accepted();
  order.Apply(Fill(cmd, "T1", 90, "101.00", 90));
  EXPECT_FALSE(order.CanApply(Fill(cmd, "T2", 20, "101.00", 110)));
  EXPECT_NE(order.WhyIllegal(Fill(cmd, "T2", 20, "101.00", 110)).find("overfill"), std::string::npos);
  EXPECT_DEATH(order.Apply(Fill(cmd, "T2", 20, "101.00", 110)), "overfill");
}

TEST(OrderTest, DeniedFromInitialized) {
  Order order(LimitBuy("O1"));
  order.Apply(OrderDenied{kId, "throttled", "too fast", kT, kT});
  EXPECT_EQ(order.status(), OrderStatus::kDenied);
  EXPECT_TRUE(order.is_terminal());
  EXPECT_DEATH(order.Apply(OrderSubmitted{kId, kT, kT}), "illegal order transition");
}

TEST(OrderTest, RejectedFromSubmittedAndAfterAck) {
  Order a(LimitBuy("O1"));
  a.Apply(OrderSubmitted{kId, kT, kT});
  a.Apply(OrderRejected{kId, "margin", kT, kT});
  EXPECT_EQ(a.status(), OrderStatus::kRejected);
  Order b = Accepted();
  b.Apply(OrderRejected{kId, "RMS", kT, kT});  // acknowledged is not executed
  EXPECT_EQ(b.status(), OrderStatus::kRejected);
}

TEST(OrderTest, FillBeforeAckThenLateAck) {
  const SubmitOrder cmd = LimitBuy("O1");
  Order order(cmd);
  order.Apply(OrderSubmitted{kId, kT, kT});
  OrderFilled fill = Fill(cmd, "T1", 10, "101.00", 10);
  fill.venue_order_id = VenueOrderId{};
  order.Apply(fill);
  EXPECT_EQ(order.status(), OrderStatus::kPartiallyFilled);
  order.Apply(OrderAccepted{kId, VenueOrderId::Of("V9"), kT, kT});
  EXPECT_EQ(order.status(), OrderStatus::kPartiallyFilled);
  EXPECT_EQ(order.venue_order_id()->value(), "V9");
}

TEST(OrderTest, ModifyRoundTrip) {
  Order order = Accepted();
  order.Apply(OrderModifyRequested{kId, Quantity::FromUnits(50), *Price::Parse("100.00"), std::nullopt, kT, kT});
  EXPECT_EQ(order.status(), OrderStatus::kPendingUpdate);
  EXPECT_TRUE(order.is_in_flight());
  order.Apply(OrderModified{kId, Quantity::FromUnits(50), *Price::Parse("100.00"), std::nullopt, kT, kT});
  EXPECT_EQ(order.status(), OrderStatus::kAccepted);
  EXPECT_EQ(order.quantity(), Quantity::FromUnits(50));
  EXPECT_EQ(*order.price(), *Price::Parse("100.00"));
  order.Apply(OrderModifyRequested{kId, std::nullopt, *Price::Parse("99.00"), std::nullopt, kT, kT});
  order.Apply(OrderModifyRejected{kId, "too late", kT, kT});
  EXPECT_EQ(order.status(), OrderStatus::kAccepted);
  EXPECT_EQ(*order.price(), *Price::Parse("100.00"));
}

TEST(OrderTest, FillWhilePendingUpdateReturnsToPartiallyFilled) {
  const SubmitOrder cmd = LimitBuy("O1");
  Order order = Accepted();
  order.Apply(OrderModifyRequested{kId, std::nullopt, *Price::Parse("100.00"), std::nullopt, kT, kT});
  order.Apply(Fill(cmd, "T1", 10, "101.50", 10));
  EXPECT_EQ(order.status(), OrderStatus::kPendingUpdate);
  order.Apply(OrderModifyRejected{kId, "no", kT, kT});
  EXPECT_EQ(order.status(), OrderStatus::kPartiallyFilled);
}

TEST(OrderTest, CancelPaths) {
  const SubmitOrder cmd = LimitBuy("O1");
  Order a = Accepted();
  a.Apply(OrderCancelRequested{kId, kT, kT});
  EXPECT_EQ(a.status(), OrderStatus::kPendingCancel);
  a.Apply(OrderCancelRejected{kId, "already filled", kT, kT});
  EXPECT_EQ(a.status(), OrderStatus::kAccepted);
  a.Apply(Fill(cmd, "T1", 10, "101.50", 10));
  a.Apply(OrderCancelRequested{kId, kT, kT});
  a.Apply(OrderCanceled{kId, kT, kT});
  EXPECT_EQ(a.status(), OrderStatus::kCanceled);
  EXPECT_EQ(a.filled_qty(), Quantity::FromUnits(10));  // partially filled then cancelled keeps its fills

  Order b = Accepted();
  b.Apply(OrderCancelRequested{kId, kT, kT});
  b.Apply(Fill(cmd, "T1", 100, "101.50", 100));  // the fill won the race
  EXPECT_EQ(b.status(), OrderStatus::kFilled);
  EXPECT_FALSE(b.CanApply(OrderCanceled{kId, kT, kT}));
}

TEST(OrderTest, ExpiredAndTimedOut) {
  Order order = Accepted();
  order.Apply(OrderUpdateTimedOut{kId, PendingRequest::kModify, "timeout", kT, kT});
  EXPECT_TRUE(order.outcome_unknown());
  EXPECT_EQ(order.status(), OrderStatus::kAccepted);
  EXPECT_TRUE(order.is_in_flight());
  order.Apply(OrderExpired{kId, kT, kT});
  EXPECT_EQ(order.status(), OrderStatus::kExpired);
  EXPECT_FALSE(order.outcome_unknown());
}

TEST(OrderTest, IllegalTransitionsAbort) {
  Order init(LimitBuy("O1"));
  EXPECT_DEATH(init.Apply(OrderAccepted{kId, VenueOrderId::Of("V1"), kT, kT}), "illegal order transition");
  EXPECT_DEATH(init.Apply(OrderCanceled{kId, kT, kT}), "illegal order transition");
  EXPECT_DEATH(init.Apply(OrderUpdateTimedOut{kId, PendingRequest::kSubmit, "", kT, kT}), "illegal");
  Order acc = Accepted();
  EXPECT_DEATH(acc.Apply(OrderSubmitted{kId, kT, kT}), "illegal order transition");
  EXPECT_DEATH(acc.Apply(OrderModified{kId, Quantity::FromUnits(0), std::nullopt, std::nullopt, kT, kT}), "illegal");
  EXPECT_DEATH(acc.Apply(OrderCancelRejected{kId, "", kT, kT}), "illegal order transition");
  EXPECT_DEATH(acc.Apply(OrderModifyRejected{kId, "", kT, kT}), "illegal order transition");
  acc.Apply(OrderCanceled{kId, kT, kT});
  EXPECT_DEATH(acc.Apply(OrderExpired{kId, kT, kT}), "illegal order transition");
  EXPECT_DEATH(acc.Apply(OrderCancelRequested{kId, kT, kT}), "illegal order transition");
  Order other = Accepted();
  EXPECT_DEATH(other.Apply(OrderCanceled{ClientOrderId::Of("O2"), kT, kT}), "illegal");
  const SubmitOrder cmd = LimitBuy("O1");
  OrderFilled wrong_side = Fill(cmd, "T1", 10, "101.00", 10);
  wrong_side.side = Side::kSell;
  EXPECT_FALSE(other.CanApply(wrong_side));
  other.Apply(Fill(cmd, "T2", 10, "101.00", 10));
  EXPECT_FALSE(other.CanApply(OrderRejected{kId, "late", kT, kT}));
}

TEST(ClientOrderIdGeneratorTest, IncreasingAndResumesAfterObserved) {
  ClientOrderIdGenerator gen("TD");
  const ClientOrderId a = gen.Next();
  const ClientOrderId b = gen.Next();
  EXPECT_EQ(a.value(), "TD-000000000001");
  EXPECT_LT(a, b);
  ClientOrderIdGenerator restarted("TD");
  restarted.Observe(ClientOrderId::Of("XX-000000000999"));  // another prefix: ignored
  restarted.Observe(ClientOrderId::Of("TD-00000000099"));   // wrong width: ignored
  restarted.Observe(b);
  restarted.Observe(a);
  EXPECT_EQ(restarted.Next().value(), "TD-000000000003");
}

}  // namespace
}  // namespace td::execution
