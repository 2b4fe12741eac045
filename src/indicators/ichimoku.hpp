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
    windows_.Update(high, low);
    // Park what the chart needs `displacement` bars later; CloudA/CloudB/LaggedClose read it back.
    lag_[static_cast<std::size_t>(windows_.count() - 1) & lag_mask_] = Lagged{SenkouA(), SenkouB(), close};
    close_ = close;
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }

  double Tenkan() const { return 0.5 * (windows_.High(kTenkan) + windows_.Low(kTenkan)); }
  double Kijun() const { return 0.5 * (windows_.High(kKijun) + windows_.Low(kKijun)); }
  double SenkouA() const { return 0.5 * (Tenkan() + Kijun()); }
  double SenkouB() const { return 0.5 * (windows_.High(kSenkouB) + windows_.Low(kSenkouB)); }
  /// Senkou A/B as computed `displacement` bars ago: the cloud at the current bar.
  double CloudA() const { return Shifted() ? LaggedEntry().senkou_a : kNaN; }
  double CloudB() const { return Shifted() ? LaggedEntry().senkou_b : kNaN; }
  double Chikou() const { return windows_.count() > 0 ? close_ : kNaN; }
  double LaggedClose() const { return Shifted() ? LaggedEntry().close : kNaN; }
  /// Ready when every line, the shifted cloud included, has a value.
  bool Ready() const { return windows_.count() >= static_cast<std::int64_t>(WarmupBars()); }
  int WarmupBars() const { return windows_.period(kSenkouB) + displacement_; }
  void Reset();

 private:
  static constexpr std::size_t kTenkan = 0;
  static constexpr std::size_t kKijun = 1;
  static constexpr std::size_t kSenkouB = 2;

  /// What the chart needs `displacement` bars later.
  struct Lagged {
    double senkou_a = kNaN;
    double senkou_b = kNaN;
    double close = kNaN;
  };
  bool Shifted() const { return windows_.count() > displacement_; }
  /// The entry parked by the update `displacement` updates before the last one.
  const Lagged& LaggedEntry() const {
    return lag_[static_cast<std::size_t>(windows_.count() - 1 - displacement_) & lag_mask_];
  }

  RollingHighLowWindows windows_;  // tenkan, kijun, senkou B
  int displacement_;
  std::vector<Lagged> lag_;        // power-of-two ring of more than `displacement` entries
  std::size_t lag_mask_ = 0;
  double close_ = kNaN;
};

}  // namespace td::indicators
