// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"

namespace td {

enum class AggressorSide : std::uint8_t { kNone, kBuyer, kSeller };

/// The exact midpoint of two prices. It keeps the finer of the two precisions, plus one decimal when the
/// midpoint falls between ticks (100.05 and 100.10 give 100.075); at 9 decimals it rounds half away from zero.
Price Midpoint(Price a, Price b);

/// Best bid and offer at an instant.
struct QuoteTick {
  InstrumentId instrument_id;
  Price bid;
  Price ask;
  Quantity bid_size;
  Quantity ask_size;
  UnixNanos ts_event;  // when it happened at the venue
  UnixNanos ts_init;   // when we saw it

  /// The exact midpoint of bid and ask (see Midpoint).
  Price Mid() const { return Midpoint(bid, ask); }
  /// Ask minus bid; negative when the book is crossed.
  Price Spread() const { return ask - bid; }
  /// True when both sides are quoted (positive prices) and the book is not crossed.
  bool IsTwoSided() const { return bid.is_positive() && ask.is_positive() && bid <= ask; }
};

/// A trade print (or an index value update, with zero size).
struct TradeTick {
  InstrumentId instrument_id;
  Price price;
  Quantity size;
  AggressorSide aggressor = AggressorSide::kNone;
  UnixNanos ts_event;
  UnixNanos ts_init;
};

}  // namespace td
