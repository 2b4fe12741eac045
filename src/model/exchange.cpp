// SPDX-License-Identifier: MIT
#include "model/exchange.hpp"

#include <array>
#include <string>
#include <utility>

namespace td {
namespace {

constexpr std::array<std::pair<Exchange, std::string_view>, 15> kExchanges{{
    {Exchange::kNse, "NSE"},
    {Exchange::kBse, "BSE"},
    {Exchange::kNfo, "NFO"},
    {Exchange::kBfo, "BFO"},
    {Exchange::kCds, "CDS"},
    {Exchange::kBcd, "BCD"},
    {Exchange::kMcx, "MCX"},
    {Exchange::kNcdex, "NCDEX"},
    {Exchange::kNco, "NCO"},
    {Exchange::kNseIndex, "NSE_INDEX"},
    {Exchange::kBseIndex, "BSE_INDEX"},
    {Exchange::kMcxIndex, "MCX_INDEX"},
    {Exchange::kGlobalIndex, "GLOBAL_INDEX"},
    {Exchange::kUs, "US"},
    {Exchange::kOpra, "OPRA"},
}};

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char c = (a[i] >= 'a' && a[i] <= 'z') ? static_cast<char>(a[i] - 'a' + 'A') : a[i];
    if (c != b[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<Exchange> ParseExchange(std::string_view text) {
  for (const auto& [exchange, code] : kExchanges) {
    if (EqualsIgnoringCase(text, code)) {
      return exchange;
    }
  }
  return Error::InvalidArgument(
      "unknown exchange '" + std::string(text) +
          "'; expected one of NSE, BSE, NFO, BFO, CDS, BCD, MCX, NCDEX, NCO, NSE_INDEX, BSE_INDEX, MCX_INDEX, "
          "GLOBAL_INDEX, US, OPRA",
      "exchange");
}

std::string_view ToString(Exchange exchange) {
  for (const auto& [candidate, code] : kExchanges) {
    if (candidate == exchange) {
      return code;
    }
  }
  TD_UNREACHABLE() << "exchange value " << static_cast<int>(exchange);
}

bool IsDerivativeExchange(Exchange exchange) {
  switch (exchange) {
    case Exchange::kNfo:
    case Exchange::kBfo:
    case Exchange::kCds:
    case Exchange::kBcd:
    case Exchange::kMcx:
    case Exchange::kNcdex:
    case Exchange::kNco:
    case Exchange::kOpra:
      return true;
    default:
      return false;
  }
}

bool IsIndexExchange(Exchange exchange) {
  return exchange == Exchange::kNseIndex || exchange == Exchange::kBseIndex || exchange == Exchange::kMcxIndex ||
         exchange == Exchange::kGlobalIndex;
}

}  // namespace td
