// SPDX-License-Identifier: MIT
#include "execution/codec.hpp"

#include <cstring>
#include <string>

#include "execution/wire.hpp"
#include "persistence/frame_types.hpp"

namespace td::execution {

namespace {

using persistence::FrameType;

// Stable message kinds: on disk, never renumber.
enum class Kind : std::uint8_t {
  kSubmitOrder = 1,
  kModifyOrder = 2,
  kCancelOrder = 3,
  kOrderInitialized = 20,
  kOrderDenied = 21,
  kOrderSubmitted = 22,
  kOrderAccepted = 23,
  kOrderRejected = 24,
  kOrderFilled = 25,
  kOrderModifyRequested = 26,
  kOrderModified = 27,
  kOrderModifyRejected = 28,
  kOrderCancelRequested = 29,
  kOrderCancelRejected = 30,
  kOrderCanceled = 31,
  kOrderExpired = 32,
  kOrderUpdateTimedOut = 33,
};

FrameType FrameOf(Kind kind) {
  switch (kind) {
    case Kind::kSubmitOrder:
      return FrameType::kSubmitOrder;
    case Kind::kModifyOrder:
      return FrameType::kModifyOrder;
    case Kind::kCancelOrder:
      return FrameType::kCancelOrder;
    case Kind::kOrderInitialized:
      return FrameType::kOrderInitialized;
    case Kind::kOrderDenied:
      return FrameType::kOrderDenied;
    case Kind::kOrderSubmitted:
      return FrameType::kOrderSubmitted;
    case Kind::kOrderAccepted:
      return FrameType::kOrderAccepted;
    case Kind::kOrderRejected:
    case Kind::kOrderModifyRejected:
    case Kind::kOrderCancelRejected:
      return FrameType::kOrderRejected;
    case Kind::kOrderFilled:
      return FrameType::kOrderFilled;
    case Kind::kOrderModifyRequested:
    case Kind::kOrderModified:
    case Kind::kOrderCancelRequested:
    case Kind::kOrderUpdateTimedOut:
      return FrameType::kOrderUpdated;
    case Kind::kOrderCanceled:
      return FrameType::kOrderCanceled;
    case Kind::kOrderExpired:
      return FrameType::kOrderExpired;
  }
  TD_UNREACHABLE();
}

class Writer : public wire::ByteWriter {
 public:
  explicit Writer(Kind kind) : kind_(kind) {
    U8(kOrderCodecVersion);
    U8(static_cast<std::uint8_t>(kind));
  }
  EncodedFrame Finish() { return EncodedFrame{static_cast<std::uint32_t>(FrameOf(kind_)), Take()}; }

 private:
  Kind kind_;
};

using Reader = wire::ByteReader;

constexpr std::uint8_t kMaxSide = 1;
constexpr std::uint8_t kMaxOrderType = 3;
constexpr std::uint8_t kMaxProduct = 2;
constexpr std::uint8_t kMaxTif = 2;
constexpr std::uint8_t kMaxPending = 2;

}  // namespace

EncodedFrame Encode(const SubmitOrder& c) {
  Writer w(Kind::kSubmitOrder);
  w.Str(c.client_order_id.value());
  w.Str(c.idempotency_key);
  w.Str(c.strategy_id.value());
  w.Str(c.instrument_id.value());
  w.Enum(c.side);
  w.Enum(c.type);
  w.Enum(c.product);
  w.Enum(c.time_in_force);
  w.Fixed(c.quantity);
  w.OptFixed(c.price);
  w.OptFixed(c.trigger_price);
  w.Time(c.ts_init);
  return w.Finish();
}

EncodedFrame Encode(const OrderCommand& command) {
  return std::visit(
      [](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, SubmitOrder>) {
          return Encode(c);
        } else if constexpr (std::is_same_v<T, ModifyOrder>) {
          Writer w(Kind::kModifyOrder);
          w.Str(c.client_order_id.value());
          w.Str(c.idempotency_key);
          w.Str(c.strategy_id.value());
          w.OptFixed(c.quantity);
          w.OptFixed(c.price);
          w.OptFixed(c.trigger_price);
          w.Time(c.ts_init);
          return w.Finish();
        } else {
          Writer w(Kind::kCancelOrder);
          w.Str(c.client_order_id.value());
          w.Str(c.idempotency_key);
          w.Str(c.strategy_id.value());
          w.Time(c.ts_init);
          return w.Finish();
        }
      },
      command);
}

EncodedFrame Encode(const OrderEvent& event) {
  return std::visit(
      [](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        auto head = [&](Kind kind) {
          Writer w(kind);
          w.Str(e.client_order_id.value());
          w.Time(e.ts_event);
          w.Time(e.ts_init);
          return w;
        };
        if constexpr (std::is_same_v<T, OrderInitialized>) {
          Writer w = head(Kind::kOrderInitialized);
          w.Str(e.strategy_id.value());
          w.Str(e.instrument_id.value());
          w.Enum(e.side);
          w.Enum(e.type);
          w.Enum(e.product);
          w.Enum(e.time_in_force);
          w.Fixed(e.quantity);
          w.OptFixed(e.price);
          w.OptFixed(e.trigger_price);
          w.U8(e.external ? 1 : 0);
          return w.Finish();
        } else if constexpr (std::is_same_v<T, OrderDenied>) {
          Writer w = head(Kind::kOrderDenied);
          w.Str(e.reason_code);
          w.Str(e.reason);
          return w.Finish();
        } else if constexpr (std::is_same_v<T, OrderSubmitted>) {
          return head(Kind::kOrderSubmitted).Finish();
        } else if constexpr (std::is_same_v<T, OrderAccepted>) {
          Writer w = head(Kind::kOrderAccepted);
          w.Str(e.venue_order_id.value());
          return w.Finish();
        } else if constexpr (std::is_same_v<T, OrderRejected>) {
          Writer w = head(Kind::kOrderRejected);
          w.Str(e.reason);
          return w.Finish();
        } else if constexpr (std::is_same_v<T, OrderFilled>) {
          Writer w = head(Kind::kOrderFilled);
          w.Str(e.venue_order_id.value());
          w.Str(e.trade_id.value());
          w.Str(e.instrument_id.value());
          w.Enum(e.side);
          w.Fixed(e.last_qty);
          w.Fixed(e.last_px);
          w.Fixed(e.cumulative_qty);
          return w.Finish();
        } else if constexpr (std::is_same_v<T, OrderModifyRequested>) {
          Writer w = head(Kind::kOrderModifyRequested);
          w.OptFixed(e.quantity);
          w.OptFixed(e.price);
          w.OptFixed(e.trigger_price);
          return w.Finish();
        } else if constexpr (std::is_same_v<T, OrderModified>) {
          Writer w = head(Kind::kOrderModified);
          w.Fixed(e.quantity);
          w.OptFixed(e.price);
          w.OptFixed(e.trigger_price);
          return w.Finish();
        } else if constexpr (std::is_same_v<T, OrderModifyRejected>) {
          Writer w = head(Kind::kOrderModifyRejected);
          w.Str(e.reason);
          return w.Finish();
        } else if constexpr (std::is_same_v<T, OrderCancelRequested>) {
          return head(Kind::kOrderCancelRequested).Finish();
        } else if constexpr (std::is_same_v<T, OrderCancelRejected>) {
          Writer w = head(Kind::kOrderCancelRejected);
          w.Str(e.reason);
          return w.Finish();
        } else if constexpr (std::is_same_v<T, OrderCanceled>) {
          return head(Kind::kOrderCanceled).Finish();
        } else if constexpr (std::is_same_v<T, OrderExpired>) {
          return head(Kind::kOrderExpired).Finish();
        } else {
          static_assert(std::is_same_v<T, OrderUpdateTimedOut>);
          Writer w = head(Kind::kOrderUpdateTimedOut);
          w.Enum(e.request);
          w.Str(e.reason);
          return w.Finish();
        }
      },
      event);
}

void Recycle(EncodedFrame&& frame) {
  wire::ByteWriter::Recycle(std::move(frame.payload));
}

bool IsOrderFrame(std::uint32_t type_id) {
  return (type_id >= 200 && type_id < 300) || (type_id >= 300 && type_id < 400);
}

Result<OrderMessage> Decode(std::uint32_t type_id, std::span<const std::byte> payload) {
  Reader r(payload);
  const std::uint8_t version = r.U8();
  const std::uint8_t kind_byte = r.U8();
  if (!r.ok()) {
    return Error::Corrupt("order frame: " + r.error());
  }
  if (version != kOrderCodecVersion) {
    return Error::Corrupt("order frame: unknown codec version " + std::to_string(version));
  }
  const bool known_kind = (kind_byte >= 1 && kind_byte <= 3) || (kind_byte >= 20 && kind_byte <= 33);
  if (!known_kind) {
    return Error::Corrupt("order frame: unknown message kind " + std::to_string(kind_byte));
  }
  const auto kind = static_cast<Kind>(kind_byte);
  if (static_cast<std::uint32_t>(FrameOf(kind)) != type_id) {
    return Error::Corrupt("order frame: kind " + std::to_string(kind_byte) + " does not belong to frame type " +
                          std::to_string(type_id));
  }

  OrderMessage out;
  if (kind == Kind::kSubmitOrder) {
    SubmitOrder c;
    c.client_order_id = r.StrongId<ClientOrderId>();
    c.idempotency_key = r.Str();
    c.strategy_id = r.StrongId<StrategyId>();
    c.instrument_id = r.Instrument();
    c.side = r.Enum<Side>(kMaxSide);
    c.type = r.Enum<OrderType>(kMaxOrderType);
    c.product = r.Enum<Product>(kMaxProduct);
    c.time_in_force = r.Enum<TimeInForce>(kMaxTif);
    c.quantity = r.Fixed<Quantity>();
    c.price = r.OptFixed<Price>();
    c.trigger_price = r.OptFixed<Price>();
    c.ts_init = r.Time();
    out = OrderCommand(std::move(c));
  } else if (kind == Kind::kModifyOrder) {
    ModifyOrder c;
    c.client_order_id = r.StrongId<ClientOrderId>();
    c.idempotency_key = r.Str();
    c.strategy_id = r.StrongId<StrategyId>();
    c.quantity = r.OptFixed<Quantity>();
    c.price = r.OptFixed<Price>();
    c.trigger_price = r.OptFixed<Price>();
    c.ts_init = r.Time();
    out = OrderCommand(std::move(c));
  } else if (kind == Kind::kCancelOrder) {
    CancelOrder c;
    c.client_order_id = r.StrongId<ClientOrderId>();
    c.idempotency_key = r.Str();
    c.strategy_id = r.StrongId<StrategyId>();
    c.ts_init = r.Time();
    out = OrderCommand(std::move(c));
  } else {
    const ClientOrderId id = r.StrongId<ClientOrderId>();
    const UnixNanos ts_event = r.Time();
    const UnixNanos ts_init = r.Time();
    switch (kind) {
      case Kind::kOrderInitialized: {
        OrderInitialized e;
        e.client_order_id = id;
        e.ts_event = ts_event;
        e.ts_init = ts_init;
        e.strategy_id = r.StrongId<StrategyId>();
        e.instrument_id = r.Instrument();
        e.side = r.Enum<Side>(kMaxSide);
        e.type = r.Enum<OrderType>(kMaxOrderType);
        e.product = r.Enum<Product>(kMaxProduct);
        e.time_in_force = r.Enum<TimeInForce>(kMaxTif);
        e.quantity = r.Fixed<Quantity>();
        e.price = r.OptFixed<Price>();
        e.trigger_price = r.OptFixed<Price>();
        e.external = r.Bool();
        out = OrderEvent(std::move(e));
        break;
      }
      case Kind::kOrderDenied: {
        OrderDenied e;
        e.client_order_id = id;
        e.ts_event = ts_event;
        e.ts_init = ts_init;
        e.reason_code = r.Str();
        e.reason = r.Str();
        out = OrderEvent(std::move(e));
        break;
      }
      case Kind::kOrderSubmitted:
        out = OrderEvent(OrderSubmitted{id, ts_event, ts_init});
        break;
      case Kind::kOrderAccepted: {
        OrderAccepted e;
        e.client_order_id = id;
        e.ts_event = ts_event;
        e.ts_init = ts_init;
        e.venue_order_id = r.StrongId<VenueOrderId>();
        out = OrderEvent(std::move(e));
        break;
      }
      case Kind::kOrderRejected: {
        OrderRejected e;
        e.client_order_id = id;
        e.ts_event = ts_event;
        e.ts_init = ts_init;
        e.reason = r.Str();
        out = OrderEvent(std::move(e));
        break;
      }
      case Kind::kOrderFilled: {
        OrderFilled e;
        e.client_order_id = id;
        e.ts_event = ts_event;
        e.ts_init = ts_init;
        e.venue_order_id = r.StrongId<VenueOrderId>(/*allow_empty=*/true);
        e.trade_id = r.StrongId<TradeId>();
        e.instrument_id = r.Instrument();
        e.side = r.Enum<Side>(kMaxSide);
        e.last_qty = r.Fixed<Quantity>();
        e.last_px = r.Fixed<Price>();
        e.cumulative_qty = r.Fixed<Quantity>();
        out = OrderEvent(std::move(e));
        break;
      }
      case Kind::kOrderModifyRequested: {
        OrderModifyRequested e;
        e.client_order_id = id;
        e.ts_event = ts_event;
        e.ts_init = ts_init;
        e.quantity = r.OptFixed<Quantity>();
        e.price = r.OptFixed<Price>();
        e.trigger_price = r.OptFixed<Price>();
        out = OrderEvent(std::move(e));
        break;
      }
      case Kind::kOrderModified: {
        OrderModified e;
        e.client_order_id = id;
        e.ts_event = ts_event;
        e.ts_init = ts_init;
        e.quantity = r.Fixed<Quantity>();
        e.price = r.OptFixed<Price>();
        e.trigger_price = r.OptFixed<Price>();
        out = OrderEvent(std::move(e));
        break;
      }
      case Kind::kOrderModifyRejected: {
        OrderModifyRejected e;
        e.client_order_id = id;
        e.ts_event = ts_event;
        e.ts_init = ts_init;
        e.reason = r.Str();
        out = OrderEvent(std::move(e));
        break;
      }
      case Kind::kOrderCancelRequested:
        out = OrderEvent(OrderCancelRequested{id, ts_event, ts_init});
        break;
      case Kind::kOrderCancelRejected: {
        OrderCancelRejected e;
        e.client_order_id = id;
        e.ts_event = ts_event;
        e.ts_init = ts_init;
        e.reason = r.Str();
        out = OrderEvent(std::move(e));
        break;
      }
      case Kind::kOrderCanceled:
        out = OrderEvent(OrderCanceled{id, ts_event, ts_init});
        break;
      case Kind::kOrderExpired:
        out = OrderEvent(OrderExpired{id, ts_event, ts_init});
        break;
      case Kind::kOrderUpdateTimedOut: {
        OrderUpdateTimedOut e;
        e.client_order_id = id;
        e.ts_event = ts_event;
        e.ts_init = ts_init;
        e.request = r.Enum<PendingRequest>(kMaxPending);
        e.reason = r.Str();
        out = OrderEvent(std::move(e));
        break;
      }
      default:
        TD_UNREACHABLE();
    }
  }
  if (!r.ok()) {
    return Error::Corrupt("order frame: " + r.error());
  }
  if (!r.AtEnd()) {
    return Error::Corrupt("order frame: trailing bytes");
  }
  return out;
}

}  // namespace td::execution
