// SPDX-License-Identifier: MIT
#include "indicators/ichimoku.hpp"

namespace td::indicators {

Ichimoku::Ichimoku(int tenkan, int kijun, int senkou_b, int displacement)
    : tenkan_(tenkan, detail::HighLowBlocks::NotFull()),
      kijun_(kijun, detail::HighLowBlocks::NotFull()),
      senkou_b_period_(senkou_b),
      displacement_(displacement) {
  TD_CHECK(senkou_b >= 1) << "period must be >= 1, was " << senkou_b;
  TD_CHECK(displacement >= 1) << "displacement must be >= 1, was " << displacement;
  if (senkou_b != 2 * kijun) {
    senkou_b_.emplace(senkou_b, detail::HighLowBlocks::NotFull());
  }
  std::size_t size = 1;
  while (size <= static_cast<std::size_t>(displacement)) {
    size <<= 1;
  }
  lag_.assign(size, Lagged{});
  ring_mask_ = size * sizeof(Lagged) - 1;
  newest_ = ring_mask_ + 1 - sizeof(Lagged);
  lag_bytes_ = (size - static_cast<std::size_t>(displacement)) * sizeof(Lagged);
}

void Ichimoku::Reset() {
  tenkan_.Reset();
  kijun_.Reset();
  if (senkou_b_) {
    senkou_b_->Reset();
  }
  std::fill(lag_.begin(), lag_.end(), Lagged{});
  newest_ = ring_mask_ + 1 - sizeof(Lagged);
  count_ = 0;
}

}  // namespace td::indicators
