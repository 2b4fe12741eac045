// SPDX-License-Identifier: MIT
#include "indicators/volume.hpp"

#include <algorithm>

namespace td::indicators {

RelVolumeTimeOfDay::RelVolumeTimeOfDay(int slots, int sessions)
    : slots_(slots), sessions_(sessions), inv_sessions_(1.0 / sessions) {
  TD_CHECK(slots >= 1 && sessions >= 1) << "slots " << slots << " and sessions " << sessions << " must be >= 1";
  const auto n = static_cast<std::size_t>(slots);
  history_.assign(n * static_cast<std::size_t>(sessions), 0.0);
  history_cumulative_.assign(n * static_cast<std::size_t>(sessions), 0.0);
  count_.assign(n, 0);
  head_.assign(n, 0);
  sum_.assign(n, 0.0);
  sum_cumulative_.assign(n, 0.0);
  today_.assign(n, 0.0);
  today_cumulative_.assign(n, 0.0);
  seen_.assign(n, 0);
}

void RelVolumeTimeOfDay::CommitSession() {
  if (!started_) {
    return;
  }
  const auto depth = static_cast<std::size_t>(sessions_);
  for (std::size_t s = 0; s < seen_.size(); ++s) {
    if (seen_[s] == 0) {
      continue;
    }
    const std::size_t cell = s * depth + static_cast<std::size_t>(head_[s]);
    if (count_[s] >= sessions_) {
      sum_[s] -= history_[cell];
      sum_cumulative_[s] -= history_cumulative_[cell];
    } else {
      ++count_[s];
    }
    history_[cell] = today_[s];
    history_cumulative_[cell] = today_cumulative_[s];
    sum_[s] += today_[s];
    sum_cumulative_[s] += today_cumulative_[s];
    if (++head_[s] == sessions_) {
      head_[s] = 0;
      // Re-sum once per lap so fractional volumes cannot drift.
      double sum = 0.0;
      double sum_cumulative = 0.0;
      for (std::size_t k = 0; k < depth; ++k) {
        sum += history_[s * depth + k];
        sum_cumulative += history_cumulative_[s * depth + k];
      }
      sum_[s] = sum;
      sum_cumulative_[s] = sum_cumulative;
    }
    today_[s] = 0.0;
    today_cumulative_[s] = 0.0;
    seen_[s] = 0;
  }
  cumulative_ = 0.0;
}

void RelVolumeTimeOfDay::Reset() {
  std::fill(count_.begin(), count_.end(), 0);
  std::fill(head_.begin(), head_.end(), 0);
  std::fill(sum_.begin(), sum_.end(), 0.0);
  std::fill(sum_cumulative_.begin(), sum_cumulative_.end(), 0.0);
  std::fill(today_.begin(), today_.end(), 0.0);
  std::fill(today_cumulative_.begin(), today_cumulative_.end(), 0.0);
  std::fill(seen_.begin(), seen_.end(), 0);
  started_ = false;
  slot_ = 0;
  cumulative_ = 0.0;
}

}  // namespace td::indicators
