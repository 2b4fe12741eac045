// SPDX-License-Identifier: MIT
#include "indicators/volume.hpp"

#include <algorithm>

namespace td::indicators {

RelVolumeTimeOfDay::RelVolumeTimeOfDay(int slots, int sessions)
    : slots_(slots), sessions_(sessions), inv_sessions_(1.0 / sessions) {
  TD_CHECK(slots >= 1 && sessions >= 1) << "slots " << slots << " and sessions " << sessions << " must be >= 1";
  const auto n = static_cast<std::size_t>(slots);
  records_.resize(n);
  history_.assign(n * static_cast<std::size_t>(sessions), detail::MakePair(0.0, 0.0));
}

void RelVolumeTimeOfDay::Reset() {
  std::fill(records_.begin(), records_.end(), SlotRecord{});
  generation_ = 0;
  session_ = 0;
  cumulative_ = 0.0;
  average_scale_ = kNaN;
  ratios_ = detail::MakePair(kNaN, kNaN);
}

}  // namespace td::indicators
