// SPDX-License-Identifier: MIT
#include "core/ids.hpp"

namespace td {
namespace {
constexpr std::size_t kMaxIdLength = 64;

bool IsExchangeChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }
bool IsSymbolChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '&' ||
         c == '^' || c == '/';
}
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
}  // namespace

Status ValidateIdentifier(std::string_view text, std::string_view what) {
  if (text.empty()) {
    return Error::InvalidArgument(std::string(what) + " must not be empty");
  }
  if (text.size() > kMaxIdLength) {
    return Error::InvalidArgument(std::string(what) + " longer than 64 characters");
  }
  for (char c : text) {
    if (c <= ' ' || c > '~') {
      return Error::InvalidArgument(std::string(what) + " may hold only printable characters without spaces");
    }
  }
  return {};
}

Result<InstrumentId> InstrumentId::Make(std::string_view exchange, std::string_view symbol) {
  if (exchange.empty()) {
    return Error::InvalidArgument("instrument id needs an exchange before ':'", "symbol");
  }
  if (symbol.empty()) {
    return Error::InvalidArgument("instrument id needs a symbol after ':'", "symbol");
  }
  if (exchange.size() > 16 || symbol.size() > kMaxIdLength) {
    return Error::InvalidArgument("instrument id too long", "symbol");
  }
  std::string value;
  value.reserve(exchange.size() + 1 + symbol.size());
  for (char c : exchange) {
    const char u = Upper(c);
    if (!IsExchangeChar(u)) {
      return Error::InvalidArgument("exchange may hold only letters, digits and '_': '" + std::string(exchange) + "'",
                                    "symbol");
    }
    value += u;
  }
  value += ':';
  for (char c : symbol) {
    const char u = Upper(c);
    if (!IsSymbolChar(u)) {
      return Error::InvalidArgument("symbol may hold only letters, digits and . _ - & ^ /: '" + std::string(symbol) + "'",
                                    "symbol");
    }
    value += u;
  }
  return InstrumentId(std::move(value), exchange.size());
}

Result<InstrumentId> InstrumentId::Parse(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return Error::InvalidArgument("instrument id must be EXCHANGE:SYMBOL, was '" + std::string(text) + "'", "symbol");
  }
  return Make(text.substr(0, colon), text.substr(colon + 1));
}

InstrumentId InstrumentId::Of(std::string_view text) {
  auto parsed = Parse(text);
  TD_CHECK(parsed.ok()) << parsed.error().ToString();
  return std::move(parsed).value();
}

}  // namespace td
