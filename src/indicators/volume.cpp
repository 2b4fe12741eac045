// SPDX-License-Identifier: MIT
#include "indicators/volume.hpp"

#include <algorithm>

namespace td::indicators {

RelVolumeTimeOfDay::RelVolumeTimeOfDay(int slots, int sessions)
    : slots_(slots), sessions_(sessions), inv_sessions_(1.0 / sessions) {
  TD_CHECK(slots >= 1 && sessions >= 1) << "slots " << slots << " and sessions " << sessions << " must be >= 1";
  TD_CHECK(static_cast<std::int64_t>(slots) * sessions <= std::int64_t{1} << 27)
      << "slots × sessions must stay within 2^27 history cells (2 GiB), was " << slots << " × " << sessions;
  const auto n = static_cast<std::size_t>(slots);
  history_.resize(n * static_cast<std::size_t>(sessions));
  records_.resize(n);
  Reset();  // zeros the history and aims each slot's record at its ring
}

void RelVolumeTimeOfDay::Reset() {
  // The values would not need it (a ring's sums are re-summed at the end of its first lap, before a ratio uses
  // them), but the state is then the same bits as a new object's.
  std::fill(history_.begin(), history_.end(), detail::MakePair(0.0, 0.0));
  for (std::size_t slot = 0; slot < records_.size(); ++slot) {
    SlotRecord& record = records_[slot];
    record = SlotRecord{};
    record.cell = static_cast<std::uint32_t>(slot) * RingBytes();
    record.ring_end = record.cell + RingBytes();
  }
  generation_ = 1;
  session_ = 0;
  cumulative_ = 0.0;
  average_scale_ = kNaN;
  ratios_ = detail::MakePair(kNaN, kNaN);
}

}  // namespace td::indicators
