// SPDX-License-Identifier: MIT
#pragma once

#include <vector>

#include "core/result.hpp"
#include "levels/bars_view.hpp"

namespace td::levels {

/// Volume traded at each price bin of a range of bars, with its point of control and value area.
struct VolumeProfile {
  double low = 0.0;       // lower edge of the first bin
  double bin_size = 0.0;
  std::vector<double> volume;  // per bin
  double total = 0.0;
  double poc = 0.0;  // centre of the bin with the most volume
  double vah = 0.0;  // upper edge of the value area
  double val = 0.0;  // lower edge of the value area
  double value_area_fraction = 0.0;  // what the value area actually holds (>= the requested share)
};

/// Builds a profile over `bins` equal price bins between the lowest low and highest high. Each bar's volume
/// is spread over its [low, high] in proportion to overlap (a bar with no range puts it all in one bin).
/// The value area starts at the POC and repeatedly adds the neighbouring bin with more volume (ties: the
/// one above) until it holds `value_area_share` of the total (0.70 by convention).
Result<VolumeProfile> BuildVolumeProfile(const BarsView& bars, int bins = 50, double value_area_share = 0.70);

/// Fibonacci levels of a leg from `from` to `to` (an up leg when to > from).
struct FibLevel {
  double ratio = 0.0;
  double price = 0.0;
  bool extension = false;
};
/// Retracements 0.236, 0.382, 0.5, 0.618, 0.786 measured back from `to`, and extensions 1.272, 1.618,
/// 2.0, 2.618 projected beyond `to` from `from`.
std::vector<FibLevel> FibonacciLevels(double from, double to);

}  // namespace td::levels
