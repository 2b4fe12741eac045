// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "indicators/rolling.hpp"
#include "model/bar.hpp"

namespace td::indicators {

/// Ichimoku kinko hyo (defaults 9, 26, 52, displacement 26). Every line is reported at the bar it is computed
/// on — no forward shift: tenkan = midpoint of the 9-bar high/low, kijun = of 26, senkou A = (tenkan + kijun)/2,
/// senkou B = midpoint of 52 (the lines a chart draws 26 bars ahead; TOMIC compares price with these). The
/// cloud that a chart shows AT this bar is CloudA/CloudB (senkou computed `displacement` bars ago). Chikou is
/// the close, which a chart draws 26 bars back; LaggedClose is the close 26 bars ago it is compared with.
class Ichimoku {
 public:
  explicit Ichimoku(int tenkan = 9, int kijun = 26, int senkou_b = 52, int displacement = 26);

  void Update(double high, double low, double close) {
    tenkan_hi_.Update(high);
    tenkan_lo_.Update(low);
    kijun_hi_.Update(high);
    kijun_lo_.Update(low);
    senkou_hi_.Update(high);
    senkou_lo_.Update(low);
    // The ring holds the last `displacement` values; read the one about to be overwritten first.
    const std::size_t d = lag_a_.size();
    lagged_a_ = lag_a_[pos_];
    lagged_b_ = lag_b_[pos_];
    lagged_close_ = lag_close_[pos_];
    lag_a_[pos_] = SenkouA();
    lag_b_[pos_] = SenkouB();
    lag_close_[pos_] = close;
    if (++pos_ == d) {
      pos_ = 0;
    }
    close_ = close;
    ++count_;
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }

  double Tenkan() const { return 0.5 * (tenkan_hi_.Value() + tenkan_lo_.Value()); }
  double Kijun() const { return 0.5 * (kijun_hi_.Value() + kijun_lo_.Value()); }
  double SenkouA() const { return 0.5 * (Tenkan() + Kijun()); }
  double SenkouB() const { return 0.5 * (senkou_hi_.Value() + senkou_lo_.Value()); }
  /// Senkou A/B as computed `displacement` bars ago: the cloud at the current bar.
  double CloudA() const { return count_ > displacement_ ? lagged_a_ : kNaN; }
  double CloudB() const { return count_ > displacement_ ? lagged_b_ : kNaN; }
  double Chikou() const { return count_ > 0 ? close_ : kNaN; }
  double LaggedClose() const { return count_ > displacement_ ? lagged_close_ : kNaN; }
  /// Ready when every line, the shifted cloud included, has a value.
  bool Ready() const { return count_ >= static_cast<std::int64_t>(WarmupBars()); }
  int WarmupBars() const { return senkou_hi_.period() + displacement_; }
  void Reset();

 private:
  RollingMax tenkan_hi_;
  RollingMin tenkan_lo_;
  RollingMax kijun_hi_;
  RollingMin kijun_lo_;
  RollingMax senkou_hi_;
  RollingMin senkou_lo_;
  int displacement_;
  std::vector<double> lag_a_;
  std::vector<double> lag_b_;
  std::vector<double> lag_close_;
  std::size_t pos_ = 0;
  std::int64_t count_ = 0;
  double lagged_a_ = kNaN;
  double lagged_b_ = kNaN;
  double lagged_close_ = kNaN;
  double close_ = kNaN;
};

}  // namespace td::indicators
