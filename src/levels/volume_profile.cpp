// SPDX-License-Identifier: MIT
#include "levels/volume_profile.hpp"

#include <algorithm>
#include <cmath>

namespace td::levels {

Result<VolumeProfile> BuildVolumeProfile(const BarsView& bars, int bins, double value_area_share) {
  if (bins < 1 || bins > 100000) {
    return Error::InvalidArgument("bins must be within 1..100000", "bins");
  }
  if (!(value_area_share > 0.0 && value_area_share <= 1.0)) {
    return Error::InvalidArgument("value area share must be within (0, 1]", "value_area_share");
  }
  if (bars.size() == 0 || !bars.IsWellFormed()) {
    return Error::InvalidArgument("volume profile needs at least one well-formed bar", "bars");
  }
  VolumeProfile profile;
  const double lo = *std::min_element(bars.low.begin(), bars.low.end());
  const double hi = *std::max_element(bars.high.begin(), bars.high.end());
  profile.low = lo;
  profile.bin_size = hi > lo ? (hi - lo) / bins : 1.0;
  profile.volume.assign(static_cast<std::size_t>(bins), 0.0);
  const auto bin_of = [&](double price) {
    const auto b = static_cast<long>(std::floor((price - lo) / profile.bin_size));
    return static_cast<std::size_t>(std::clamp<long>(b, 0, bins - 1));
  };
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const double v = bars.volume[i];
    if (!(v > 0.0)) {
      continue;
    }
    profile.total += v;
    const double range = bars.high[i] - bars.low[i];
    const std::size_t first = bin_of(bars.low[i]);
    const std::size_t last = bin_of(bars.high[i]);
    if (range <= 0.0 || first == last) {
      profile.volume[first] += v;
      continue;
    }
    for (std::size_t b = first; b <= last; ++b) {
      const double bin_lo = lo + static_cast<double>(b) * profile.bin_size;
      const double overlap = std::min(bars.high[i], bin_lo + profile.bin_size) - std::max(bars.low[i], bin_lo);
      profile.volume[b] += v * std::max(0.0, overlap) / range;
    }
  }
  if (profile.total <= 0.0) {
    return Error::Unprocessable("no volume in the bars", "bars");
  }
  // POC: the heaviest bin; ties go to the bin nearest the middle of the range, then the lower one.
  std::size_t poc = 0;
  const double middle = (bins - 1) / 2.0;
  for (std::size_t b = 1; b < profile.volume.size(); ++b) {
    if (profile.volume[b] > profile.volume[poc] ||
        (profile.volume[b] == profile.volume[poc] &&
         std::fabs(static_cast<double>(b) - middle) < std::fabs(static_cast<double>(poc) - middle))) {
      poc = b;
    }
  }
  std::size_t top = poc;
  std::size_t bottom = poc;
  double inside = profile.volume[poc];
  while (inside < value_area_share * profile.total && (bottom > 0 || top + 1 < profile.volume.size())) {
    const double above = top + 1 < profile.volume.size() ? profile.volume[top + 1] : -1.0;
    const double below = bottom > 0 ? profile.volume[bottom - 1] : -1.0;
    if (above >= below) {
      ++top;
      inside += above;
    } else {
      --bottom;
      inside += below;
    }
  }
  profile.poc = lo + (static_cast<double>(poc) + 0.5) * profile.bin_size;
  profile.val = lo + static_cast<double>(bottom) * profile.bin_size;
  profile.vah = lo + static_cast<double>(top + 1) * profile.bin_size;
  profile.value_area_fraction = inside / profile.total;
  return profile;
}

std::vector<FibLevel> FibonacciLevels(double from, double to) {
  static constexpr double kRetracements[] = {0.236, 0.382, 0.5, 0.618, 0.786};
  static constexpr double kExtensions[] = {1.272, 1.618, 2.0, 2.618};
  const double leg = to - from;
  std::vector<FibLevel> levels;
  levels.reserve(std::size(kRetracements) + std::size(kExtensions));
  for (double r : kRetracements) {
    levels.push_back({r, to - r * leg, false});
  }
  for (double e : kExtensions) {
    levels.push_back({e, from + e * leg, true});
  }
  return levels;
}

}  // namespace td::levels
