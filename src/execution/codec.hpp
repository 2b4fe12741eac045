// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "core/result.hpp"
#include "execution/order_commands.hpp"
#include "execution/order_events.hpp"

namespace td::execution {

/// Binary journal encoding of order commands and events. Payload layout (little-endian):
///   u8 codec version (1) | u8 message kind | fields in declaration order
/// Strings are u32 length + bytes; Price/Quantity are i64 raw (1e-9 units) + u8 precision; optionals a u8
/// presence flag; times i64 ns; enums u8. The frame type id comes from persistence::FrameType. Some frame types
/// carry several event kinds (the registry has one id for them): order_rejected holds rejected, modify
/// rejected and cancel rejected; order_updated holds modify requested, modified, cancel requested and update
/// timed out. The kind byte tells them apart and must agree with the frame type on decode.
inline constexpr std::uint8_t kOrderCodecVersion = 1;

/// A message ready for JournalWriter::Append.
struct EncodedFrame {
  std::uint32_t type_id = 0;
  std::vector<std::byte> payload;
};

/// A decoded journal frame of the execution family.
using OrderMessage = std::variant<OrderCommand, OrderEvent>;

EncodedFrame Encode(const OrderCommand& command);
/// The same bytes as Encode(OrderCommand(command)), without copying the command into a variant (hot path).
EncodedFrame Encode(const SubmitOrder& command);
EncodedFrame Encode(const OrderEvent& event);
/// Hands a frame's buffer back to this thread's encoder once it is journaled (saves an allocation per frame).
void Recycle(EncodedFrame&& frame);

/// True when `type_id` is an order command (2xx) or order event (3xx) frame.
bool IsOrderFrame(std::uint32_t type_id);
/// Decodes a frame; malformed, truncated, trailing or mismatched bytes are a CorruptData error.
Result<OrderMessage> Decode(std::uint32_t type_id, std::span<const std::byte> payload);

}  // namespace td::execution
