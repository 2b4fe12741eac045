// SPDX-License-Identifier: MIT
#include "indicators/ichimoku.hpp"

namespace td::indicators {

Ichimoku::Ichimoku(int tenkan, int kijun, int senkou_b, int displacement)
    : tenkan_hi_(tenkan),
      tenkan_lo_(tenkan),
      kijun_hi_(kijun),
      kijun_lo_(kijun),
      senkou_hi_(senkou_b),
      senkou_lo_(senkou_b),
      displacement_(displacement) {
  TD_CHECK(displacement >= 1) << "displacement must be >= 1, was " << displacement;
  lag_a_.assign(static_cast<std::size_t>(displacement), kNaN);
  lag_b_.assign(static_cast<std::size_t>(displacement), kNaN);
  lag_close_.assign(static_cast<std::size_t>(displacement), kNaN);
}

void Ichimoku::Reset() {
  tenkan_hi_.Reset();
  tenkan_lo_.Reset();
  kijun_hi_.Reset();
  kijun_lo_.Reset();
  senkou_hi_.Reset();
  senkou_lo_.Reset();
  std::fill(lag_a_.begin(), lag_a_.end(), kNaN);
  std::fill(lag_b_.begin(), lag_b_.end(), kNaN);
  std::fill(lag_close_.begin(), lag_close_.end(), kNaN);
  pos_ = 0;
  count_ = 0;
  lagged_a_ = lagged_b_ = lagged_close_ = close_ = kNaN;
}

}  // namespace td::indicators
