// SPDX-License-Identifier: MIT
#include <string>
#include <type_traits>

#include "execution/emulator_events.hpp"
#include "execution/wire.hpp"
#include "persistence/frame_types.hpp"

namespace td::execution {

namespace {

using persistence::FrameType;

template <typename T>
constexpr FrameType FrameOf() {
  if constexpr (std::is_same_v<T, EmulatedEntryCreated>) {
    return FrameType::kEmulatedEntryCreated;
  } else if constexpr (std::is_same_v<T, EmulatedEntryMoved>) {
    return FrameType::kEmulatedEntryMoved;
  } else if constexpr (std::is_same_v<T, EmulatedEntryReleased>) {
    return FrameType::kEmulatedEntryReleased;
  } else if constexpr (std::is_same_v<T, EmulatedEntryClosed>) {
    return FrameType::kEmulatedEntryClosed;
  } else if constexpr (std::is_same_v<T, EmulatedBracketAttached>) {
    return FrameType::kEmulatedBracketAttached;
  } else if constexpr (std::is_same_v<T, EmulatedBracketChanged>) {
    return FrameType::kEmulatedBracketChanged;
  } else if constexpr (std::is_same_v<T, EmulatedExitReleased>) {
    return FrameType::kEmulatedExitReleased;
  } else if constexpr (std::is_same_v<T, EmulatedBracketReduced>) {
    return FrameType::kEmulatedBracketReduced;
  } else if constexpr (std::is_same_v<T, EmulatedExitEnded>) {
    return FrameType::kEmulatedExitEnded;
  } else {
    static_assert(std::is_same_v<T, EmulatedBracketClosed>);
    return FrameType::kEmulatedBracketClosed;
  }
}

class Writer : public wire::ByteWriter {
 public:
  Writer() { U8(kEmulatorCodecVersion); }
  void OptPrice(const std::optional<Price>& v) { OptFixed(v); }
  void Trailing(const TrailingPlan& plan) {
    U32(static_cast<std::uint32_t>(plan.stages.size()));
    for (const TrailStage& stage : plan.stages) {
      Fixed(stage.trigger_profit);
      Enum(stage.mode);
      Fixed(stage.amount);
    }
  }
};

class Reader : public wire::ByteReader {
 public:
  using wire::ByteReader::ByteReader;
  std::optional<Price> OptPrice() { return OptFixed<Price>(); }
  ClientOrderId OrderId(bool allow_empty) { return StrongId<ClientOrderId>(allow_empty); }
  EmulatedLineId Line() {
    const std::uint64_t id = U64();
    if (ok() && id == 0) {
      Fail("line id 0");
    }
    return id;
  }
  TrailingPlan Trailing() {
    TrailingPlan plan;
    const std::uint32_t n = U32();
    if (n > 64) {
      Fail("too many trailing stages");
      return plan;
    }
    for (std::uint32_t i = 0; i < n && ok(); ++i) {
      TrailStage stage;
      stage.trigger_profit = Fixed<Price>();
      stage.mode = Enum<TrailStage::Mode>(1);
      stage.amount = Fixed<Price>();
      plan.stages.push_back(stage);
    }
    return plan;
  }
};

constexpr std::uint8_t kMaxSide = 1;
constexpr std::uint8_t kMaxProduct = 2;
constexpr std::uint8_t kMaxEntryKind = 2;
constexpr std::uint8_t kMaxLeg = 2;

void Put(Writer& w, const EmulatedEntryCreated& e) {
  w.U64(e.line_id);
  w.Str(e.instrument_id.value());
  w.Enum(e.side);
  w.Enum(e.kind);
  w.Enum(e.product);
  w.Fixed(e.quantity);
  w.OptPrice(e.price);
  w.OptPrice(e.bracket.take_profit_points);
  w.OptPrice(e.bracket.stop_loss_points);
  w.Trailing(e.bracket.trailing);
  w.Str(e.tag);
  w.Time(e.ts_event);
}
void Put(Writer& w, const EmulatedEntryMoved& e) {
  w.U64(e.line_id);
  w.Fixed(e.price);
  w.Time(e.ts_event);
}
void Put(Writer& w, const EmulatedEntryReleased& e) {
  w.U64(e.line_id);
  w.Str(e.client_order_id.value());
  w.Time(e.ts_event);
}
void Put(Writer& w, const EmulatedEntryClosed& e) {
  w.U64(e.line_id);
  w.Str(e.reason_code);
  w.Str(e.reason);
  w.Time(e.ts_event);
}
void Put(Writer& w, const EmulatedBracketAttached& e) {
  w.U64(e.line_id);
  w.U64(e.entry_line_id);
  w.Str(e.fill_id.value());
  w.Str(e.instrument_id.value());
  w.Enum(e.position_side);
  w.Enum(e.product);
  w.Fixed(e.quantity);
  w.Fixed(e.entry_price);
  w.OptPrice(e.take_profit);
  w.OptPrice(e.stop_loss);
  w.Trailing(e.trailing);
  w.Str(e.tag);
  w.Time(e.ts_event);
}
void Put(Writer& w, const EmulatedBracketChanged& e) {
  w.U64(e.line_id);
  w.OptPrice(e.take_profit);
  w.OptPrice(e.stop_loss);
  w.OptPrice(e.best_price);
  w.Str(e.cause);
  w.Time(e.ts_event);
}
void Put(Writer& w, const EmulatedExitReleased& e) {
  w.U64(e.line_id);
  w.Enum(e.leg);
  w.Str(e.client_order_id.value());
  w.Fixed(e.quantity);
  w.Fixed(e.trigger_price);
  w.Time(e.ts_event);
}
void Put(Writer& w, const EmulatedBracketReduced& e) {
  w.U64(e.line_id);
  w.Fixed(e.quantity);
  w.Str(e.client_order_id.value());
  w.Fixed(e.order_filled);
  w.Time(e.ts_event);
}
void Put(Writer& w, const EmulatedExitEnded& e) {
  w.U64(e.line_id);
  w.Str(e.client_order_id.value());
  w.Str(e.reason);
  w.Time(e.rearm_after);
  w.Time(e.ts_event);
}
void Put(Writer& w, const EmulatedBracketClosed& e) {
  w.U64(e.line_id);
  w.Str(e.reason_code);
  w.Str(e.reason);
  w.Time(e.ts_event);
}

void Get(Reader& r, EmulatedEntryCreated& e) {
  e.line_id = r.Line();
  e.instrument_id = r.Instrument();
  e.side = r.Enum<Side>(kMaxSide);
  e.kind = r.Enum<EntryKind>(kMaxEntryKind);
  e.product = r.Enum<Product>(kMaxProduct);
  e.quantity = r.Fixed<Quantity>();
  e.price = r.OptPrice();
  e.bracket.take_profit_points = r.OptPrice();
  e.bracket.stop_loss_points = r.OptPrice();
  e.bracket.trailing = r.Trailing();
  e.tag = r.Str();
  e.ts_event = r.Time();
}
void Get(Reader& r, EmulatedEntryMoved& e) {
  e.line_id = r.Line();
  e.price = r.Fixed<Price>();
  e.ts_event = r.Time();
}
void Get(Reader& r, EmulatedEntryReleased& e) {
  e.line_id = r.Line();
  e.client_order_id = r.OrderId(false);
  e.ts_event = r.Time();
}
void Get(Reader& r, EmulatedEntryClosed& e) {
  e.line_id = r.Line();
  e.reason_code = r.Str();
  e.reason = r.Str();
  e.ts_event = r.Time();
}
void Get(Reader& r, EmulatedBracketAttached& e) {
  e.line_id = r.Line();
  e.entry_line_id = r.U64();
  e.fill_id = r.StrongId<TradeId>(/*allow_empty=*/true);
  e.instrument_id = r.Instrument();
  e.position_side = r.Enum<Side>(kMaxSide);
  e.product = r.Enum<Product>(kMaxProduct);
  e.quantity = r.Fixed<Quantity>();
  e.entry_price = r.Fixed<Price>();
  e.take_profit = r.OptPrice();
  e.stop_loss = r.OptPrice();
  e.trailing = r.Trailing();
  e.tag = r.Str();
  e.ts_event = r.Time();
}
void Get(Reader& r, EmulatedBracketChanged& e) {
  e.line_id = r.Line();
  e.take_profit = r.OptPrice();
  e.stop_loss = r.OptPrice();
  e.best_price = r.OptPrice();
  e.cause = r.Str();
  e.ts_event = r.Time();
}
void Get(Reader& r, EmulatedExitReleased& e) {
  e.line_id = r.Line();
  e.leg = r.Enum<ExitLeg>(kMaxLeg);
  e.client_order_id = r.OrderId(false);
  e.quantity = r.Fixed<Quantity>();
  e.trigger_price = r.Fixed<Price>();
  e.ts_event = r.Time();
}
void Get(Reader& r, EmulatedBracketReduced& e) {
  e.line_id = r.Line();
  e.quantity = r.Fixed<Quantity>();
  e.client_order_id = r.OrderId(true);
  e.order_filled = r.Fixed<Quantity>();
  e.ts_event = r.Time();
}
void Get(Reader& r, EmulatedExitEnded& e) {
  e.line_id = r.Line();
  e.client_order_id = r.OrderId(false);
  e.reason = r.Str();
  e.rearm_after = r.Time();
  e.ts_event = r.Time();
}
void Get(Reader& r, EmulatedBracketClosed& e) {
  e.line_id = r.Line();
  e.reason_code = r.Str();
  e.reason = r.Str();
  e.ts_event = r.Time();
}

template <typename T>
Result<EmulatorEvent> DecodeAs(std::span<const std::byte> payload) {
  Reader reader(payload);
  const std::uint8_t version = reader.U8();
  if (reader.ok() && version != kEmulatorCodecVersion) {
    return Error::Corrupt("emulator frame: unknown codec version " + std::to_string(version));
  }
  T event;
  Get(reader, event);
  if (reader.ok() && !reader.AtEnd()) {
    reader.Fail("trailing bytes");
  }
  if (!reader.ok()) {
    return Error::Corrupt("emulator frame " + std::string(EventName(EmulatorEvent(event))) + ": " + reader.error());
  }
  return EmulatorEvent(std::move(event));
}

}  // namespace

std::string_view ToString(EntryKind kind) {
  switch (kind) {
    case EntryKind::kMarket:
      return "market";
    case EntryKind::kLimit:
      return "limit";
    case EntryKind::kTrigger:
      return "trigger";
  }
  TD_UNREACHABLE();
}

std::string_view ToString(ExitLeg leg) {
  switch (leg) {
    case ExitLeg::kTakeProfit:
      return "take_profit";
    case ExitLeg::kStopLoss:
      return "stop_loss";
    case ExitLeg::kClose:
      return "close";
  }
  TD_UNREACHABLE();
}

EmulatedLineId EventLineId(const EmulatorEvent& event) {
  return std::visit([](const auto& e) { return e.line_id; }, event);
}

std::string_view EventName(const EmulatorEvent& event) {
  return std::visit(
      [](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        return *persistence::FrameTypeName(static_cast<std::uint32_t>(FrameOf<T>()));
      },
      event);
}

EncodedFrame Encode(const EmulatorEvent& event) {
  return std::visit(
      [](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        Writer writer;
        Put(writer, e);
        return EncodedFrame{static_cast<std::uint32_t>(FrameOf<T>()), writer.Take()};
      },
      event);
}

bool IsEmulatorFrame(std::uint32_t type_id) {
  return type_id >= 700 && type_id < 800 && persistence::FrameTypeName(type_id).has_value();
}

Result<EmulatorEvent> DecodeEmulatorEvent(std::uint32_t type_id, std::span<const std::byte> payload) {
  switch (static_cast<FrameType>(type_id)) {
    case FrameType::kEmulatedEntryCreated:
      return DecodeAs<EmulatedEntryCreated>(payload);
    case FrameType::kEmulatedEntryMoved:
      return DecodeAs<EmulatedEntryMoved>(payload);
    case FrameType::kEmulatedEntryReleased:
      return DecodeAs<EmulatedEntryReleased>(payload);
    case FrameType::kEmulatedEntryClosed:
      return DecodeAs<EmulatedEntryClosed>(payload);
    case FrameType::kEmulatedBracketAttached:
      return DecodeAs<EmulatedBracketAttached>(payload);
    case FrameType::kEmulatedBracketChanged:
      return DecodeAs<EmulatedBracketChanged>(payload);
    case FrameType::kEmulatedExitReleased:
      return DecodeAs<EmulatedExitReleased>(payload);
    case FrameType::kEmulatedBracketReduced:
      return DecodeAs<EmulatedBracketReduced>(payload);
    case FrameType::kEmulatedExitEnded:
      return DecodeAs<EmulatedExitEnded>(payload);
    case FrameType::kEmulatedBracketClosed:
      return DecodeAs<EmulatedBracketClosed>(payload);
    default:
      return Error::Corrupt("not an emulator frame type: " + std::to_string(type_id));
  }
}

}  // namespace td::execution
