// SPDX-License-Identifier: MIT
#include "levels/swings.hpp"

#include <algorithm>
#include <cmath>

namespace td::levels {

double MeanTrueRange(const BarsView& bars, std::size_t period) {
  const std::size_t n = bars.size();
  if (n == 0 || period == 0) {
    return 0.0;
  }
  const std::size_t first = n > period ? n - period : 0;
  double sum = 0.0;
  for (std::size_t i = first; i < n; ++i) {
    double range = bars.high[i] - bars.low[i];
    if (i > 0) {
      range = std::max({range, std::fabs(bars.high[i] - bars.close[i - 1]), std::fabs(bars.low[i] - bars.close[i - 1])});
    }
    sum += range;
  }
  return sum / static_cast<double>(n - first);
}

std::vector<SwingPoint> FindSwings(const BarsView& bars, std::size_t n) {
  std::vector<SwingPoint> swings;
  const std::size_t size = bars.size();
  if (n == 0 || size < 2 * n + 1) {
    return swings;
  }
  for (std::size_t i = n; i + n < size; ++i) {
    bool is_high = true;
    bool is_low = true;
    for (std::size_t k = 1; k <= n && (is_high || is_low); ++k) {
      is_high = is_high && bars.high[i] > bars.high[i - k] && bars.high[i] >= bars.high[i + k];
      is_low = is_low && bars.low[i] < bars.low[i - k] && bars.low[i] <= bars.low[i + k];
    }
    if (is_high) {
      swings.push_back({i, bars.ts[i], bars.high[i], SwingKind::kHigh});
    }
    if (is_low) {
      swings.push_back({i, bars.ts[i], bars.low[i], SwingKind::kLow});
    }
  }
  return swings;
}

}  // namespace td::levels
