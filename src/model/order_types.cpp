// SPDX-License-Identifier: MIT
#include "model/order_types.hpp"

#include <string>

namespace td {

Result<Side> ParseSide(std::string_view text) {
  if (text == "BUY" || text == "buy") {
    return Side::kBuy;
  }
  if (text == "SELL" || text == "sell") {
    return Side::kSell;
  }
  return Error::InvalidArgument("action must be BUY or SELL (or all lower case), was '" + std::string(text) + "'",
                                "action");
}

Result<OrderType> ParseOrderType(std::string_view text) {
  if (text == "MARKET") {
    return OrderType::kMarket;
  }
  if (text == "LIMIT") {
    return OrderType::kLimit;
  }
  if (text == "SL") {
    return OrderType::kStopLimit;
  }
  if (text == "SL-M") {
    return OrderType::kStopMarket;
  }
  return Error::InvalidArgument("pricetype must be MARKET, LIMIT, SL or SL-M, was '" + std::string(text) + "'",
                                "pricetype");
}

Result<Product> ParseProduct(std::string_view text) {
  if (text == "MIS") {
    return Product::kMis;
  }
  if (text == "NRML") {
    return Product::kNrml;
  }
  if (text == "CNC") {
    return Product::kCnc;
  }
  return Error::InvalidArgument("product must be MIS, NRML or CNC, was '" + std::string(text) + "'", "product");
}

Result<TimeInForce> ParseTimeInForce(std::string_view text) {
  if (text == "DAY") {
    return TimeInForce::kDay;
  }
  if (text == "IOC") {
    return TimeInForce::kIoc;
  }
  if (text == "GTC") {
    return TimeInForce::kGtc;
  }
  return Error::InvalidArgument("time in force must be DAY, IOC or GTC, was '" + std::string(text) + "'", "validity");
}

std::string_view ToString(Side side) {
  return side == Side::kBuy ? "BUY" : "SELL";
}

std::string_view ToString(OrderType type) {
  switch (type) {
    case OrderType::kMarket:
      return "MARKET";
    case OrderType::kLimit:
      return "LIMIT";
    case OrderType::kStopLimit:
      return "SL";
    case OrderType::kStopMarket:
      return "SL-M";
  }
  TD_UNREACHABLE() << "order type " << static_cast<int>(type);
}

std::string_view ToString(Product product) {
  switch (product) {
    case Product::kMis:
      return "MIS";
    case Product::kNrml:
      return "NRML";
    case Product::kCnc:
      return "CNC";
  }
  TD_UNREACHABLE() << "product " << static_cast<int>(product);
}

std::string_view ToString(TimeInForce tif) {
  switch (tif) {
    case TimeInForce::kDay:
      return "DAY";
    case TimeInForce::kIoc:
      return "IOC";
    case TimeInForce::kGtc:
      return "GTC";
  }
  TD_UNREACHABLE() << "time in force " << static_cast<int>(tif);
}

}  // namespace td
