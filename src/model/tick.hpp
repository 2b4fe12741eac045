// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"

namespace td {

enum class AggressorSide : std::uint8_t { kNone, kBuyer, kSeller };

/// Best bid and offer at an instant.
struct QuoteTick {
  InstrumentId instrument_id;
  Price bid;
  Price ask;
  Quantity bid_size;
  Quantity ask_size;
  UnixNanos ts_event;  // when it happened at the venue
  UnixNanos ts_init;   // when we saw it

  Price Mid() const { return Price::FromRaw((bid.raw() + ask.raw()) / 2, kFixedPrecision).RoundToStep(Price::FromRaw(Pow10(kFixedPrecision - std::max(bid.precision(), ask.precision())), std::max(bid.precision(), ask.precision()))); }
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
