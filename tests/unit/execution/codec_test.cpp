// SPDX-License-Identifier: MIT
#include "execution/codec.hpp"

#include <gtest/gtest.h>

#include "persistence/frame_types.hpp"
#include "unit/execution/fixtures.hpp"

namespace td::execution {
namespace {

using persistence::FrameType;
using testing::Fill;
using testing::LimitBuy;

const UnixNanos kT1 = UnixNanos(1'700'000'000'123'456'789);
const UnixNanos kT2 = UnixNanos(1'700'000'001'000'000'000);

std::vector<OrderMessage> AllMessages() {
  const ClientOrderId id = ClientOrderId::Of("TD-000000000042");
  SubmitOrder submit = LimitBuy("TD-000000000042", 150, "24010.05");
  submit.idempotency_key = "key-1";
  submit.type = OrderType::kStopLimit;
  submit.trigger_price = *Price::Parse("24000.00");
  submit.product = Product::kNrml;
  submit.time_in_force = TimeInForce::kIoc;
  ModifyOrder modify{id, "key-2", StrategyId::Of("API"), Quantity::FromUnits(75), std::nullopt, *Price::Parse("-1.5"),
                     kT1};
  CancelOrder cancel{id, "", StrategyId::Of("RISK"), kT2};
  OrderInitialized init;
  init.client_order_id = ClientOrderId::Of("EXT-V77");
  init.strategy_id = StrategyId::Of("EXTERNAL");
  init.instrument_id = InstrumentId::Of("NFO:NIFTY28NOV2424000CE");
  init.side = Side::kSell;
  init.type = OrderType::kStopMarket;
  init.quantity = Quantity::FromUnits(75);
  init.trigger_price = *Price::Parse("120.05");
  init.ts_event = kT1;
  init.ts_init = kT2;
  OrderFilled fill = Fill(submit, "T-9", 50, "24010.05", 50);
  fill.venue_order_id = VenueOrderId{};
  return {
      OrderCommand(submit),
      OrderCommand(modify),
      OrderCommand(cancel),
      OrderEvent(init),
      OrderEvent(OrderDenied{id, "price_outside_band", "price 1 outside", kT1, kT2}),
      OrderEvent(OrderSubmitted{id, kT1, kT2}),
      OrderEvent(OrderAccepted{id, VenueOrderId::Of("2411220000123"), kT1, kT2}),
      OrderEvent(OrderRejected{id, "RMS: margin", kT1, kT2}),
      OrderEvent(fill),
      OrderEvent(Fill(submit, "T-10", 100, "24011.00", 150)),
      OrderEvent(OrderModifyRequested{id, std::nullopt, *Price::Parse("24005.50"), std::nullopt, kT1, kT2}),
      OrderEvent(OrderModified{id, Quantity::FromUnits(75), *Price::Parse("24005.50"), std::nullopt, kT1, kT2}),
      OrderEvent(OrderModifyRejected{id, "too late", kT1, kT2}),
      OrderEvent(OrderCancelRequested{id, kT1, kT2}),
      OrderEvent(OrderCancelRejected{id, "filled", kT1, kT2}),
      OrderEvent(OrderCanceled{id, kT1, kT2}),
      OrderEvent(OrderExpired{id, kT1, kT2}),
      OrderEvent(OrderUpdateTimedOut{id, PendingRequest::kCancel, "http timeout", kT1, kT2}),
  };
}

EncodedFrame EncodeMessage(const OrderMessage& m) {
  return std::visit([](const auto& x) { return Encode(x); }, m);
}

TEST(CodecTest, EveryMessageRoundTrips) {
  for (const OrderMessage& message : AllMessages()) {
    const EncodedFrame frame = EncodeMessage(message);
    ASSERT_TRUE(IsOrderFrame(frame.type_id));
    auto decoded = Decode(frame.type_id, frame.payload);
    ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
    EXPECT_TRUE(*decoded == message) << "frame type " << frame.type_id;
    // Precision survives, not only the value.
    if (const auto* cmd = std::get_if<OrderCommand>(&message); cmd && std::holds_alternative<SubmitOrder>(*cmd)) {
      const auto& back = std::get<SubmitOrder>(std::get<OrderCommand>(*decoded));
      EXPECT_EQ(back.price->ToString(), "24010.05");
    }
  }
}

TEST(CodecTest, UsesTheRegistryTypeIds) {
  const auto all = AllMessages();
  auto type_of = [&](std::size_t i) { return EncodeMessage(all[i]).type_id; };
  EXPECT_EQ(type_of(0), static_cast<std::uint32_t>(FrameType::kSubmitOrder));
  EXPECT_EQ(type_of(1), static_cast<std::uint32_t>(FrameType::kModifyOrder));
  EXPECT_EQ(type_of(2), static_cast<std::uint32_t>(FrameType::kCancelOrder));
  EXPECT_EQ(type_of(3), static_cast<std::uint32_t>(FrameType::kOrderInitialized));
  EXPECT_EQ(type_of(4), static_cast<std::uint32_t>(FrameType::kOrderDenied));
  EXPECT_EQ(type_of(5), static_cast<std::uint32_t>(FrameType::kOrderSubmitted));
  EXPECT_EQ(type_of(6), static_cast<std::uint32_t>(FrameType::kOrderAccepted));
  EXPECT_EQ(type_of(7), static_cast<std::uint32_t>(FrameType::kOrderRejected));
  EXPECT_EQ(type_of(8), static_cast<std::uint32_t>(FrameType::kOrderFilled));
  EXPECT_EQ(type_of(10), static_cast<std::uint32_t>(FrameType::kOrderUpdated));
  EXPECT_EQ(type_of(12), static_cast<std::uint32_t>(FrameType::kOrderRejected));
  EXPECT_EQ(type_of(15), static_cast<std::uint32_t>(FrameType::kOrderCanceled));
  EXPECT_EQ(type_of(16), static_cast<std::uint32_t>(FrameType::kOrderExpired));
  EXPECT_EQ(type_of(17), static_cast<std::uint32_t>(FrameType::kOrderUpdated));
}

TEST(CodecTest, GarbageIsAnError) {
  std::vector<std::byte> garbage;
  for (int i = 0; i < 64; ++i) {
    garbage.push_back(static_cast<std::byte>((i * 37 + 11) & 0xff));
  }
  for (std::uint32_t type : {200u, 201u, 300u, 307u, 305u}) {
    auto decoded = Decode(type, garbage);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().code, ErrorCode::kCorruptData);
  }
  EXPECT_FALSE(Decode(200, {}).ok());
}

TEST(CodecTest, EveryTruncationAndTrailingByteIsAnError) {
  for (const OrderMessage& message : AllMessages()) {
    const EncodedFrame frame = EncodeMessage(message);
    for (std::size_t n = 0; n < frame.payload.size(); ++n) {
      EXPECT_FALSE(Decode(frame.type_id, std::span(frame.payload).first(n)).ok()) << n;
    }
    std::vector<std::byte> longer = frame.payload;
    longer.push_back(std::byte{0});
    EXPECT_FALSE(Decode(frame.type_id, longer).ok());
  }
}

TEST(CodecTest, KindMustMatchFrameTypeAndVersion) {
  const EncodedFrame submit = Encode(OrderCommand(LimitBuy("O1")));
  EXPECT_FALSE(Decode(static_cast<std::uint32_t>(FrameType::kOrderFilled), submit.payload).ok());
  std::vector<std::byte> bad_version = submit.payload;
  bad_version[0] = std::byte{9};
  EXPECT_FALSE(Decode(submit.type_id, bad_version).ok());
  // An invalid identifier inside an otherwise well-formed frame is refused too.
  SubmitOrder cmd = LimitBuy("O1");
  EncodedFrame frame = Encode(OrderCommand(cmd));
  frame.payload[2 + 4] = std::byte{' '};  // first character of the client order id
  EXPECT_FALSE(Decode(frame.type_id, frame.payload).ok());
}

}  // namespace
}  // namespace td::execution
