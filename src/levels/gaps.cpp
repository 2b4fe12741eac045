// SPDX-License-Identifier: MIT
#include "levels/gaps.hpp"

#include <algorithm>

#include "levels/swings.hpp"

namespace td::levels {

std::vector<FairValueGap> FindFairValueGaps(const BarsView& bars, double min_size) {
  std::vector<FairValueGap> gaps;
  for (std::size_t i = 2; i < bars.size(); ++i) {
    FairValueGap gap;
    if (bars.low[i] > bars.high[i - 2] && bars.low[i] - bars.high[i - 2] >= min_size) {
      gap = {GapDirection::kBullish, i - 1, bars.ts[i - 1], bars.low[i], bars.high[i - 2], 0.0};
    } else if (bars.high[i] < bars.low[i - 2] && bars.low[i - 2] - bars.high[i] >= min_size) {
      gap = {GapDirection::kBearish, i - 1, bars.ts[i - 1], bars.low[i - 2], bars.high[i], 0.0};
    } else {
      continue;
    }
    const double size = gap.top - gap.bottom;
    for (std::size_t k = i + 1; k < bars.size() && gap.filled_fraction < 1.0; ++k) {
      const double reached = gap.direction == GapDirection::kBullish ? (gap.top - bars.low[k]) / size
                                                                     : (bars.high[k] - gap.bottom) / size;
      gap.filled_fraction = std::clamp(std::max(gap.filled_fraction, reached), 0.0, 1.0);
    }
    gaps.push_back(gap);
  }
  return gaps;
}

std::vector<LiquidityPool> FindLiquidityPools(const BarsView& bars, std::size_t swing_width, double tolerance,
                                              int min_members) {
  const std::vector<SwingPoint> swings = FindSwings(bars, swing_width);
  std::vector<LiquidityPool> pools;
  for (const bool above : {true, false}) {
    std::vector<SwingPoint> side;
    for (const SwingPoint& s : swings) {
      if ((s.kind == SwingKind::kHigh) == above) {
        side.push_back(s);
      }
    }
    std::sort(side.begin(), side.end(), [](const SwingPoint& a, const SwingPoint& b) { return a.price < b.price; });
    std::size_t start = 0;
    while (start < side.size()) {
      // Grow a cluster while every member stays within `tolerance` of its lowest price.
      std::size_t end = start + 1;
      while (end < side.size() && side[end].price - side[start].price <= tolerance) {
        ++end;
      }
      if (static_cast<int>(end - start) >= min_members) {
        LiquidityPool pool;
        pool.above = above;
        pool.members = static_cast<int>(end - start);
        pool.price = above ? side[end - 1].price : side[start].price;
        std::size_t last_index = 0;
        pool.first_ts = side[start].ts;
        for (std::size_t k = start; k < end; ++k) {
          pool.first_ts = std::min(pool.first_ts, side[k].ts);
          pool.last_ts = std::max(pool.last_ts, side[k].ts);
          last_index = std::max(last_index, side[k].index);
        }
        for (std::size_t i = last_index + 1; i < bars.size() && !pool.taken; ++i) {
          const bool beyond = above ? bars.high[i] > pool.price : bars.low[i] < pool.price;
          const bool closed_beyond = above ? bars.close[i] > pool.price : bars.close[i] < pool.price;
          pool.taken = closed_beyond;
          pool.swept = pool.swept || (beyond && !closed_beyond);
        }
        pools.push_back(pool);
        start = end;
      } else {
        ++start;
      }
    }
  }
  return pools;
}

}  // namespace td::levels
