// SPDX-License-Identifier: MIT
#include "indicators/ichimoku.hpp"

namespace td::indicators {

Ichimoku::Ichimoku(int tenkan, int kijun, int senkou_b, int displacement)
    : windows_({tenkan, kijun, senkou_b}), displacement_(displacement) {
  TD_CHECK(displacement >= 1) << "displacement must be >= 1, was " << displacement;
  std::size_t size = 1;
  while (size <= static_cast<std::size_t>(displacement)) {
    size <<= 1;
  }
  lag_.assign(size, Lagged{});
  lag_mask_ = size - 1;
}

void Ichimoku::Reset() {
  windows_.Reset();
  std::fill(lag_.begin(), lag_.end(), Lagged{});
  close_ = kNaN;
}

}  // namespace td::indicators
