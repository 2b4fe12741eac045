// SPDX-License-Identifier: MIT
#pragma once

#include <compare>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace td {

/// Checks that an identifier is 1..64 printable ASCII characters without spaces.
Status ValidateIdentifier(std::string_view text, std::string_view what);

/// A string identifier that cannot be confused with another kind of identifier.
template <typename Tag>
class StrongId {
 public:
  StrongId() = default;

  /// Validates and wraps `text`.
  static Result<StrongId> Parse(std::string_view text) {
    if (auto status = ValidateIdentifier(text, Tag::kName); !status.ok()) {
      return status.error();
    }
    return StrongId(std::string(text));
  }
  /// Wraps text known to be valid (generated ids, literals in tests); aborts otherwise.
  static StrongId Of(std::string_view text) {
    auto status = ValidateIdentifier(text, Tag::kName);
    TD_CHECK(status.ok()) << status.error().ToString();
    return StrongId(std::string(text));
  }

  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }

  friend bool operator==(const StrongId&, const StrongId&) = default;
  friend std::strong_ordering operator<=>(const StrongId& a, const StrongId& b) { return a.value_ <=> b.value_; }

 private:
  explicit StrongId(std::string value) : value_(std::move(value)) {}
  std::string value_;
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

/// An instrument's identity, "EXCHANGE:SYMBOL", always upper case (e.g. "NSE:NIFTY", "NFO:NIFTY28NOV2424000CE").
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

  std::string_view exchange() const { return std::string_view(value_).substr(0, colon_); }
  std::string_view symbol() const { return std::string_view(value_).substr(colon_ + 1); }
  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }

  friend bool operator==(const InstrumentId& a, const InstrumentId& b) { return a.value_ == b.value_; }
  friend std::strong_ordering operator<=>(const InstrumentId& a, const InstrumentId& b) {
    return a.value_ <=> b.value_;
  }

 private:
  InstrumentId(std::string value, std::size_t colon) : value_(std::move(value)), colon_(colon) {}
  std::string value_;
  std::size_t colon_ = 0;
};

}  // namespace td

template <typename Tag>
struct std::hash<td::StrongId<Tag>> {
  std::size_t operator()(const td::StrongId<Tag>& id) const noexcept { return std::hash<std::string>{}(id.value()); }
};
template <>
struct std::hash<td::InstrumentId> {
  std::size_t operator()(const td::InstrumentId& id) const noexcept { return std::hash<std::string>{}(id.value()); }
};
