// SPDX-License-Identifier: MIT
#include "core/ids.hpp"

#include <deque>
#include <mutex>
#include <unordered_map>

namespace td {
namespace {
constexpr std::size_t kMaxIdLength = kMaxIdentifierLength;

/// The process's instrument ids. Entries never move (a deque grows without relocating) and are never freed, so
/// an InstrumentId stays valid wherever it is copied, including in objects destroyed after main returns.
class InstrumentTable {
 public:
  const detail::InternedInstrument* Intern(std::string&& text, std::size_t colon) {
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(text); it != index_.end()) {
      return it->second;
    }
    detail::InternedInstrument& entry = entries_.emplace_back();
    entry.hash = std::hash<std::string_view>{}(text);
    entry.text = std::move(text);
    entry.colon = colon;
    index_.emplace(std::string_view(entry.text), &entry);
    return &entry;
  }

 private:
  std::mutex mutex_;
  std::deque<detail::InternedInstrument> entries_;
  std::unordered_map<std::string_view, const detail::InternedInstrument*> index_;
};

InstrumentTable& Instruments() {
  static auto* table = new InstrumentTable();  // never destroyed: ids may outlive static destructors
  return *table;
}

const std::string& EmptyText() {
  static const auto* empty = new std::string();
  return *empty;
}

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
  return InstrumentId(Instruments().Intern(std::move(value), exchange.size()));
}

Result<InstrumentId> InstrumentId::Parse(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return Error::InvalidArgument("instrument id must be EXCHANGE:SYMBOL, was '" + std::string(text) + "'", "symbol");
  }
  return Make(text.substr(0, colon), text.substr(colon + 1));
}

const std::string& InstrumentId::value() const {
  return entry_ == nullptr ? EmptyText() : entry_->text;
}

InstrumentId InstrumentId::Of(std::string_view text) {
  auto parsed = Parse(text);
  TD_CHECK(parsed.ok()) << parsed.error().ToString();
  return std::move(parsed).value();
}

}  // namespace td
