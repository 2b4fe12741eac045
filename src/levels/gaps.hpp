// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include "levels/bars_view.hpp"

namespace td::levels {

enum class GapDirection : std::uint8_t { kBullish, kBearish };

/// A three-bar fair value gap: price range that bar i-1 crossed so fast that bars i-2 and i never overlapped.
struct FairValueGap {
  GapDirection direction = GapDirection::kBullish;
  std::size_t index = 0;  // the middle (displacement) bar
  std::int64_t ts = 0;
  double top = 0.0;
  double bottom = 0.0;
  double filled_fraction = 0.0;  // 0 = untouched, 1 = fully traded through
  bool Filled() const { return filled_fraction >= 1.0; }
};

/// Finds fair value gaps at least `min_size` wide and tracks how much of each later bars filled.
std::vector<FairValueGap> FindFairValueGaps(const BarsView& bars, double min_size = 0.0);

/// A pool of resting liquidity: equal highs (stops above) or equal lows (stops below).
struct LiquidityPool {
  bool above = true;   // true: cluster of highs
  double price = 0.0;  // the extreme of the cluster, where the stops rest beyond
  int members = 0;
  std::int64_t first_ts = 0;
  std::int64_t last_ts = 0;
  bool swept = false;  // a later bar traded beyond the pool and closed back inside
  bool taken = false;  // a later bar closed beyond the pool
};

/// Clusters swing highs (and lows) whose prices lie within `tolerance` of each other; clusters of at least
/// `min_members` become pools. Sweep state is judged on bars after the last member.
std::vector<LiquidityPool> FindLiquidityPools(const BarsView& bars, std::size_t swing_width, double tolerance,
                                              int min_members = 2);

}  // namespace td::levels
