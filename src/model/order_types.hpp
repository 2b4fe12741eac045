// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string_view>

#include "core/result.hpp"

namespace td {

// Order vocabulary in OpenAlgo's exact strings. Case rules mirror OpenAlgo's request validation:
// - Side ("action") accepts "BUY"/"SELL" and the all-lower-case "buy"/"sell"; mixed case ("Buy") is rejected.
// - OrderType ("pricetype"), Product and TimeInForce accept upper case only.
// Formatting always gives the upper-case form, so ToString(Parse(x)) is canonical.

/// Direction of an order or fill.
enum class Side : std::uint8_t { kBuy, kSell };
/// OpenAlgo's price types: MARKET (no price), LIMIT (price), SL (price + trigger), SL-M (trigger only).
enum class OrderType : std::uint8_t { kMarket, kLimit, kStopLimit, kStopMarket };
/// OpenAlgo's products: MIS intraday, NRML F&O carry-forward, CNC equity delivery.
enum class Product : std::uint8_t { kMis, kNrml, kCnc };
/// How long an order rests: DAY (session), IOC (immediate or cancel), GTC (until cancelled).
enum class TimeInForce : std::uint8_t { kDay, kIoc, kGtc };

/// Parses OpenAlgo's "action": "BUY", "SELL", "buy" or "sell".
Result<Side> ParseSide(std::string_view text);
/// Parses OpenAlgo's "pricetype": "MARKET", "LIMIT", "SL" or "SL-M".
Result<OrderType> ParseOrderType(std::string_view text);
/// Parses OpenAlgo's "product": "MIS", "NRML" or "CNC".
Result<Product> ParseProduct(std::string_view text);
/// Parses "DAY", "IOC" or "GTC".
Result<TimeInForce> ParseTimeInForce(std::string_view text);

std::string_view ToString(Side side);
std::string_view ToString(OrderType type);
std::string_view ToString(Product product);
std::string_view ToString(TimeInForce tif);

/// The other side: BUY <-> SELL (closing a position, hedging).
constexpr Side Opposite(Side side) {
  return side == Side::kBuy ? Side::kSell : Side::kBuy;
}
/// +1 for BUY, -1 for SELL: the sign a fill applies to a net position.
constexpr int SignOf(Side side) {
  return side == Side::kBuy ? 1 : -1;
}
/// True when the order type needs a limit price (LIMIT, SL).
constexpr bool NeedsLimitPrice(OrderType type) {
  return type == OrderType::kLimit || type == OrderType::kStopLimit;
}
/// True when the order type needs a trigger price (SL, SL-M).
constexpr bool NeedsTriggerPrice(OrderType type) {
  return type == OrderType::kStopLimit || type == OrderType::kStopMarket;
}

}  // namespace td
