// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace td {

/// The longest identifier (client order ids, trade ids, strategy ids…) and symbol we accept.
inline constexpr std::size_t kMaxIdentifierLength = 64;

/// Checks that an identifier is 1..64 printable ASCII characters without spaces.
Status ValidateIdentifier(std::string_view text, std::string_view what);

/// A string identifier that cannot be confused with another kind of identifier.
///
/// The characters live inline (at most 64), so the type is trivially copyable: orders, commands and events that
/// carry several ids copy without touching the heap, which is most of the cost of the order path otherwise.
/// Unused bytes are always zero, so equality is one length compare and one fixed-size compare.
template <typename Tag>
class StrongId {
 public:
  StrongId() = default;

  /// Validates and wraps `text`.
  static Result<StrongId> Parse(std::string_view text) {
    if (auto status = ValidateIdentifier(text, Tag::kName); !status.ok()) {
      return status.error();
    }
    return StrongId(text);
  }
  /// Wraps text known to be valid (generated ids, literals in tests); aborts otherwise.
  static StrongId Of(std::string_view text) {
    auto status = ValidateIdentifier(text, Tag::kName);
    TD_CHECK(status.ok()) << status.error().ToString();
    return StrongId(text);
  }

  /// `prefix` followed by `n` in decimal, zero-padded to at least `min_digits` (at most 20): generated ids
  /// (order, fill and venue counters) without formatting through printf or the heap. Aborts when the result
  /// is not a valid id.
  static StrongId Sequenced(std::string_view prefix, std::uint64_t n, std::size_t min_digits) {
    char digits[20];
    char* const end = digits + sizeof digits;
    char* p = end;
    do {
      *--p = static_cast<char>('0' + n % 10);
      n /= 10;
    } while (n != 0);
    while (static_cast<std::size_t>(end - p) < min_digits && p != digits) {
      *--p = '0';
    }
    const auto length = static_cast<std::size_t>(end - p);
    TD_CHECK(prefix.size() + length <= kMaxIdentifierLength) << Tag::kName << " longer than 64 characters";
    StrongId id;
    std::memcpy(id.chars_.data(), prefix.data(), prefix.size());
    std::memcpy(id.chars_.data() + prefix.size(), p, length);
    id.size_ = static_cast<std::uint8_t>(prefix.size() + length);
    id.hash_ = HashOf(id.value());
    // Digits are always valid; only the prefix needs the identifier rule (printable, no spaces).
    for (char c : prefix) {
      TD_CHECK(c > ' ' && c <= '~') << Tag::kName << " prefix '" << prefix << "' is not printable ASCII";
    }
    return id;
  }

  std::string_view value() const { return std::string_view(chars_.data(), size_); }
  /// The identifier as an owned string (for maps keyed by text, messages, file names).
  std::string str() const { return std::string(value()); }
  bool empty() const { return size_ == 0; }
  /// Computed once when the id is made: the order path looks ids up in several hash maps per event.
  std::size_t hash() const { return hash_; }

  friend bool operator==(const StrongId& a, const StrongId& b) {
    return a.hash_ == b.hash_ && a.size_ == b.size_ &&
           std::memcmp(a.chars_.data(), b.chars_.data(), kMaxIdentifierLength) == 0;
  }
  friend std::strong_ordering operator<=>(const StrongId& a, const StrongId& b) { return a.value() <=> b.value(); }

 private:
  explicit StrongId(std::string_view text) : size_(static_cast<std::uint8_t>(text.size())), hash_(HashOf(text)) {
    std::memcpy(chars_.data(), text.data(), text.size());
  }
  static std::uint32_t HashOf(std::string_view text) {
    return static_cast<std::uint32_t>(std::hash<std::string_view>{}(text));
  }
  std::array<char, kMaxIdentifierLength> chars_{};
  std::uint8_t size_ = 0;
  std::uint32_t hash_ = 0;
};

struct ClientOrderIdTag { static constexpr std::string_view kName = "client order id"; };
struct VenueOrderIdTag { static constexpr std::string_view kName = "venue order id"; };
struct StrategyIdTag { static constexpr std::string_view kName = "strategy id"; };
struct TraderIdTag { static constexpr std::string_view kName = "trader id"; };
struct AccountIdTag { static constexpr std::string_view kName = "account id"; };
struct PlanIdTag { static constexpr std::string_view kName = "plan id"; };
struct TradeIdTag { static constexpr std::string_view kName = "trade id"; };

using ClientOrderId = StrongId<ClientOrderIdTag>;
using VenueOrderId = StrongId<VenueOrderIdTag>;
using StrategyId = StrongId<StrategyIdTag>;
using TraderId = StrongId<TraderIdTag>;
using AccountId = StrongId<AccountIdTag>;
using PlanId = StrongId<PlanIdTag>;
using TradeId = StrongId<TradeIdTag>;

namespace detail {
/// One distinct instrument id's text, kept for the life of the process (see InstrumentId).
struct InternedInstrument {
  std::string text;
  std::size_t colon = 0;
  std::size_t hash = 0;
};
}  // namespace detail

/// An instrument's identity, "EXCHANGE:SYMBOL", always upper case (e.g. "NSE:NIFTY", "NFO:NIFTY28NOV2424000CE").
///
/// Ids are interned: each distinct text is stored once for the life of the process (the set of instruments a
/// process meets is bounded: its universes and the contracts of their chains), and an id is a pointer to it. So
/// a copy is one pointer, equality is one compare and the hash is precomputed — every tick, order and event
/// carries one. Parsing takes a lock to find or add the text; copies never do.
class InstrumentId {
 public:
  InstrumentId() = default;

  /// Parses "EXCHANGE:SYMBOL" in any case. The exchange is [A-Z0-9_]+; the symbol is 1..64 of
  /// [A-Z0-9] and . _ - & ^ / (as in "M&M", "^VIX", "BRK.B"); no spaces.
  static Result<InstrumentId> Parse(std::string_view text);
  /// Builds from parts, normalising case; fails as Parse does.
  static Result<InstrumentId> Make(std::string_view exchange, std::string_view symbol);
  /// Parses text known to be valid; aborts otherwise.
  static InstrumentId Of(std::string_view text);

  std::string_view exchange() const {
    return entry_ == nullptr ? std::string_view() : std::string_view(entry_->text).substr(0, entry_->colon);
  }
  std::string_view symbol() const {
    return entry_ == nullptr ? std::string_view() : std::string_view(entry_->text).substr(entry_->colon + 1);
  }
  const std::string& value() const;
  std::string str() const { return value(); }
  bool empty() const { return entry_ == nullptr; }
  std::size_t hash() const { return entry_ == nullptr ? 0 : entry_->hash; }

  friend bool operator==(const InstrumentId& a, const InstrumentId& b) { return a.entry_ == b.entry_; }
  friend std::strong_ordering operator<=>(const InstrumentId& a, const InstrumentId& b) {
    if (a.entry_ == b.entry_) {
      return std::strong_ordering::equal;
    }
    return a.value() <=> b.value();
  }

 private:
  explicit InstrumentId(const detail::InternedInstrument* entry) : entry_(entry) {}
  const detail::InternedInstrument* entry_ = nullptr;
};

}  // namespace td

template <typename Tag>
struct std::hash<td::StrongId<Tag>> {
  std::size_t operator()(const td::StrongId<Tag>& id) const noexcept { return id.hash(); }
};
template <>
struct std::hash<td::InstrumentId> {
  std::size_t operator()(const td::InstrumentId& id) const noexcept { return id.hash(); }
};
