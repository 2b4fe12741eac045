// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include "adapters/simulator/market_simulator.hpp"
#include "adapters/simulator/universe.hpp"
#include "core/result.hpp"
#include "model/option_chain.hpp"

namespace td::adapters::simulator {

/// A two-sided option quote in whole ticks.
struct TickQuote {
  std::int64_t bid_ticks = 0;
  std::int64_t ask_ticks = 0;
};

/// Quotes a theoretical premium on a tick grid: the mid is the premium rounded to the nearest half tick, the
/// spread is at least `spread_ticks` with the parity that keeps both sides on the grid, and the bid is floored
/// at zero. Hence bid < theo < ask (when theo > 0) and mids are monotone in theo: quotes of an arbitrage-free
/// price set admit no executable static arbitrage, and mids stay within a quarter tick of the theory.
TickQuote QuoteOnGrid(double theo, double tick, std::int64_t spread_ticks);

/// What a chain snapshot is priced from.
struct ChainInputs {
  const UnderlyingSpec* spec = nullptr;
  InstrumentId underlying;
  UnixNanos at;
  Price spot;
  double rate = 0.0;
  std::vector<ExpiryPoint> expiries;  // listed, T > 0, each with forward, discount and ATM vol
  double reference_price = 0.0;       // previous close: centre of the open-interest profile
  double volume_fraction = 0.0;       // share of the day's option volume traded by `at` (U-shaped, 0..1)
  int max_strikes_per_side = 60;
  double strike_range_sd = 4.0;
  std::uint64_t seed = 0;
  std::int64_t day_serial = 0;  // days since epoch of the trading date (keys OI changes)
};

/// Prices every listed expiry off the SSVI surface with Black-76 and builds the snapshot.
Result<OptionChain> BuildChain(const ChainInputs& inputs);

}  // namespace td::adapters::simulator
