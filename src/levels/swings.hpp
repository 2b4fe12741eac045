// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include "levels/bars_view.hpp"

namespace td::levels {

enum class SwingKind : std::uint8_t { kHigh, kLow };

/// A confirmed fractal swing point.
struct SwingPoint {
  std::size_t index = 0;
  std::int64_t ts = 0;
  double price = 0.0;
  SwingKind kind = SwingKind::kHigh;
};

/// Finds fractal swings of width `n`: a swing high is higher than the `n` bars before it and at least as
/// high as the `n` bars after it (so a flat top yields its first bar); lows mirror this. A swing is
/// confirmed only when `n` bars follow it. Results are in bar order.
std::vector<SwingPoint> FindSwings(const BarsView& bars, std::size_t n);

}  // namespace td::levels
