// SPDX-License-Identifier: MIT
#include "indicators/volume.hpp"

#include <algorithm>

namespace td::indicators {

RelVolumeTimeOfDay::RelVolumeTimeOfDay(int slots, int sessions)
    : slots_(slots), sessions_(sessions), inv_sessions_(1.0 / sessions) {
  TD_CHECK(slots >= 1 && sessions >= 1) << "slots " << slots << " and sessions " << sessions << " must be >= 1";
  const auto n = static_cast<std::size_t>(slots);
  records_.resize(n);
  for (std::size_t slot = 0; slot < n; ++slot) {
    records_[slot].ring = slot * static_cast<std::size_t>(sessions);
  }
  history_.assign(n * static_cast<std::size_t>(sessions), Cell{});
}

void RelVolumeTimeOfDay::Reset() {
  for (SlotRecord& record : records_) {
    SlotRecord fresh;
    fresh.ring = record.ring;
    record = fresh;
  }
  generation_ = 0;
  session_ = 0;
  cumulative_ = 0.0;
  ready_ = false;
  value_ = cumulative_value_ = kNaN;
}

}  // namespace td::indicators
