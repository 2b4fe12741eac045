// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/result.hpp"

namespace td::calendar {

/// The venues whose sessions, holidays and expiries this module knows.
enum class Exchange : std::uint8_t { kNse, kBse, kNyse, kCboe };

inline constexpr std::array<Exchange, 4> kAllExchanges = {Exchange::kNse, Exchange::kBse, Exchange::kNyse,
                                                          Exchange::kCboe};

/// The upper-case code: "NSE", "BSE", "NYSE", "CBOE".
std::string_view ExchangeName(Exchange exchange);
/// Parses an exchange code in any case; the derivative segments "NFO" and "BFO" map to NSE and BSE.
Result<Exchange> ParseExchange(std::string_view text);
/// The IANA zone the exchange keeps its hours in: "Asia/Kolkata" or "America/New_York".
std::string_view ExchangeTimeZoneName(Exchange exchange);
/// True for NSE and BSE (they share one holiday list and one expiry weekday policy maker, SEBI).
bool IsIndian(Exchange exchange);

}  // namespace td::calendar
