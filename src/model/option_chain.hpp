// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "model/instrument.hpp"

namespace td {

/// One side (call or put) of a strike in a chain snapshot. Prices left unset were not quoted (NSE shows 0 or "-").
struct OptionQuote {
  InstrumentId instrument_id;  // may be empty when the source does not name the contract
  std::optional<Price> bid;
  std::optional<Price> ask;
  std::optional<Price> last;
  Quantity bid_qty;
  Quantity ask_qty;
  Quantity volume;  // contracts or units as the vendor reports them, for the day
  Quantity open_interest;
  std::int64_t oi_change = 0;       // change in open interest since the previous session; may be negative
  std::optional<double> vendor_iv;  // the vendor's implied volatility as a fraction (0.15 = 15 %), if given

  /// The midpoint when both bid and ask are quoted and not crossed.
  std::optional<Price> Mid() const;
  /// Checks prices are non-negative, bid <= ask when both are set, and the IV is finite and non-negative.
  Status Validate() const;

  friend bool operator==(const OptionQuote&, const OptionQuote&) = default;
};

/// A strike of one expiry with its call and put.
struct StrikeRow {
  Price strike;
  std::optional<OptionQuote> call;
  std::optional<OptionQuote> put;

  /// The call or put side, if present.
  const std::optional<OptionQuote>& Quote(OptionRight right) const { return right == OptionRight::kCall ? call : put; }

  friend bool operator==(const StrikeRow&, const StrikeRow&) = default;
};

/// All strikes of one expiry, sorted by strike ascending, each strike once.
struct ExpirySlice {
  CivilDate expiry;
  std::vector<StrikeRow> rows;

  /// The strikes in ascending order.
  std::vector<Price> Strikes() const;
  /// The row of an exact strike, or null.
  const StrikeRow* FindRow(Price strike) const;
  /// The strike nearest to `price`; a tie goes to the lower strike. Empty when the slice has no rows.
  std::optional<Price> AtmStrike(Price price) const;
  /// Resolves an OpenAlgo offset ("ATM", "ITM1".."ITM50", "OTM1".."OTM50") around the ATM strike for `price`.
  /// For calls ITM means lower strikes, for puts higher strikes. Fails when the offset runs off the chain.
  Result<Price> StrikeAtOffset(Price price, OptionRight right, std::string_view offset) const;

  friend bool operator==(const ExpirySlice&, const ExpirySlice&) = default;
};

/// An option-chain snapshot: every listed expiry of one underlying as seen at one instant.
struct OptionChain {
  InstrumentId underlying;
  UnixNanos ts;                       // the vendor's as-of time
  Price underlying_price;             // spot (or the reference future) at ts; zero when unknown
  std::vector<ExpirySlice> expiries;  // sorted by expiry ascending, each expiry once

  /// The expiry dates in ascending order.
  std::vector<CivilDate> Expiries() const;
  /// The slice of an expiry, or null.
  const ExpirySlice* Find(CivilDate expiry) const;
  /// The first expiry on or after `date` (the front month/week as of that day), or null.
  const ExpirySlice* NearestExpiryOnOrAfter(CivilDate date) const;
  /// Checks ordering and uniqueness of expiries and strikes, positive strikes and every quote.
  Status Validate() const;

  friend bool operator==(const OptionChain&, const OptionChain&) = default;
};

/// Collects quotes in any order (as a vendor's rows arrive) and builds a sorted, validated OptionChain.
class OptionChainBuilder {
 public:
  OptionChainBuilder(InstrumentId underlying, UnixNanos ts, Price underlying_price);

  /// Adds one side of one strike after checking the expiry, strike and quote.
  Status Add(CivilDate expiry, Price strike, OptionRight right, OptionQuote quote);
  /// Sorts, merges calls and puts per strike and validates; the same expiry, strike and right twice is an
  /// error. The builder is left empty.
  Result<OptionChain> Build();

 private:
  struct Entry {
    CivilDate expiry;
    Price strike;
    OptionRight right;
    OptionQuote quote;
  };
  OptionChain chain_;
  std::vector<Entry> entries_;
};

}  // namespace td
