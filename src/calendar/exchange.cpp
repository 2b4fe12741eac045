// SPDX-License-Identifier: MIT
#include "calendar/exchange.hpp"

#include <string>

namespace td::calendar {

std::string_view ExchangeName(Exchange exchange) {
  switch (exchange) {
    case Exchange::kNse:
      return "NSE";
    case Exchange::kBse:
      return "BSE";
    case Exchange::kNyse:
      return "NYSE";
    case Exchange::kCboe:
      return "CBOE";
  }
  TD_UNREACHABLE();
}

Result<Exchange> ParseExchange(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  if (upper == "NSE" || upper == "NFO") {
    return Exchange::kNse;
  }
  if (upper == "BSE" || upper == "BFO") {
    return Exchange::kBse;
  }
  if (upper == "NYSE") {
    return Exchange::kNyse;
  }
  if (upper == "CBOE") {
    return Exchange::kCboe;
  }
  return Error::InvalidArgument(
      "unknown exchange '" + std::string(text) + "' (expected NSE, NFO, BSE, BFO, NYSE or CBOE)", "exchange");
}

std::string_view ExchangeTimeZoneName(Exchange exchange) {
  return IsIndian(exchange) ? "Asia/Kolkata" : "America/New_York";
}

bool IsIndian(Exchange exchange) {
  return exchange == Exchange::kNse || exchange == Exchange::kBse;
}

}  // namespace td::calendar
