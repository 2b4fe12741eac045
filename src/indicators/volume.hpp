// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "indicators/rolling.hpp"
#include "model/bar.hpp"

namespace td::indicators {

/// The per-bar price a VWAP weighs by volume.
enum class VwapPrice : std::uint8_t {
  kTypical,  // (high + low + close)/3 — our default and the coach's scanner/AVWAP choice
  kClose,    // the coach's server VWAP and overlay AVWAPs
};

/// Volume-weighted average price accumulated from an anchor, with its volume-weighted standard deviation for
/// bands. Sums are kept relative to the first price after the anchor, so σ keeps its precision.
class VwapAccumulator {
 public:
  explicit VwapAccumulator(VwapPrice price = VwapPrice::kTypical) : price_(price) {}

  /// Starts a new accumulation with the next update.
  void Anchor() {
    volume_ = 0.0;
    weighted_ = 0.0;
    weighted_sq_ = 0.0;
    anchored_ = false;
  }
  void Update(double high, double low, double close, double volume) {
    const double p = price_ == VwapPrice::kTypical ? (high + low + close) * (1.0 / 3.0) : close;
    if (!anchored_) [[unlikely]] {
      reference_ = p;
      anchored_ = true;
    }
    const double d = p - reference_;
    const double vd = volume * d;
    volume_ += volume;
    weighted_ += vd;
    weighted_sq_ += vd * d;
  }
  /// Ready once some volume has been seen since the anchor.
  bool Ready() const { return volume_ > 0.0; }
  double Value() const { return ValueOf(reference_, weighted_, volume_); }
  /// The VWAP from the sums (NaN without volume); the one formula of Value() and of the batch passes.
  // The quotient is formed unconditionally so a batch loop of it vectorises; it is discarded without volume.
  static double ValueOf(double reference, double weighted, double volume) {
    const double vwap = reference + weighted / volume;
    return volume > 0.0 ? vwap : kNaN;
  }
  double Reference() const { return reference_; }
  double Weighted() const { return weighted_; }
  /// Volume-weighted standard deviation of the price around the VWAP (for bands at VWAP ± k·σ).
  double StdDev() const {
    if (!Ready()) {
      return kNaN;
    }
    const double m = weighted_ / volume_;
    const double v = weighted_sq_ / volume_ - m * m;
    return std::sqrt(v > 0.0 ? v : 0.0);
  }
  double Upper(double k) const { return Value() + k * StdDev(); }
  double Lower(double k) const { return Value() - k * StdDev(); }
  double CumulativeVolume() const { return volume_; }

 private:
  VwapPrice price_;
  bool anchored_ = false;
  double reference_ = 0.0;
  double volume_ = 0.0;
  double weighted_ = 0.0;
  double weighted_sq_ = 0.0;
};

/// Session VWAP: restarts whenever the caller's session key changes (the exchange session comes from the
/// calendar, never from the UTC date). Any integer that identifies the session works, e.g. its open time.
class SessionVwap {
 public:
  explicit SessionVwap(VwapPrice price = VwapPrice::kTypical) : vwap_(price) {}
  void Update(double high, double low, double close, double volume, std::int64_t session) {
    if (session != session_ || !started_) [[unlikely]] {
      vwap_.Anchor();
      session_ = session;
      started_ = true;
    }
    vwap_.Update(high, low, close, volume);
  }
  void Update(const Bar& bar, std::int64_t session) {
    Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble(), bar.volume.AsDouble(), session);
  }
  bool Ready() const { return vwap_.Ready(); }
  double Value() const { return vwap_.Value(); }
  double StdDev() const { return vwap_.StdDev(); }
  double Upper(double k) const { return vwap_.Upper(k); }
  double Lower(double k) const { return vwap_.Lower(k); }
  std::int64_t session() const { return session_; }
  const VwapAccumulator& accumulator() const { return vwap_; }
  int WarmupBars() const { return 1; }
  void Reset() {
    vwap_.Anchor();
    started_ = false;
  }

 private:
  VwapAccumulator vwap_;
  bool started_ = false;
  std::int64_t session_ = 0;
};

/// Anchored VWAP: accumulates from the bar after Anchor() (or from the first bar) until anchored again.
class AnchoredVwap {
 public:
  explicit AnchoredVwap(VwapPrice price = VwapPrice::kTypical) : vwap_(price) {}
  /// The next update becomes the anchor bar.
  void Anchor() { vwap_.Anchor(); }
  void Update(double high, double low, double close, double volume) { vwap_.Update(high, low, close, volume); }
  void Update(const Bar& bar) {
    Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble(), bar.volume.AsDouble());
  }
  bool Ready() const { return vwap_.Ready(); }
  double Value() const { return vwap_.Value(); }
  double StdDev() const { return vwap_.StdDev(); }
  double Upper(double k) const { return vwap_.Upper(k); }
  double Lower(double k) const { return vwap_.Lower(k); }
  int WarmupBars() const { return 1; }
  void Reset() { vwap_.Anchor(); }

 private:
  VwapAccumulator vwap_;
};

/// On-balance volume: starts at 0 on the first bar, then adds the volume on an up close, subtracts it on a
/// down close and ignores unchanged closes.
class Obv {
 public:
  void Update(double close, double volume) {
    // Branch-free: the sign of the change is unpredictable. Adding ±volume or +0 equals the textbook
    // add / subtract / skip bit for bit (OBV never holds −0).
    const double sign = static_cast<double>(static_cast<int>(close > prev_) - static_cast<int>(close < prev_));
    value_ += has_prev_ ? sign * volume : 0.0;
    has_prev_ = true;
    prev_ = close;
  }
  void Update(const Bar& bar) { Update(bar.close.AsDouble(), bar.volume.AsDouble()); }
  bool Ready() const { return has_prev_; }
  double Value() const { return has_prev_ ? value_ : kNaN; }
  int WarmupBars() const { return 1; }
  void Reset() {
    has_prev_ = false;
    value_ = 0.0;
  }

 private:
  bool has_prev_ = false;
  double prev_ = 0.0;
  double value_ = 0.0;
};

/// Simple relative volume: this bar's volume over the mean volume of the n bars before it (the current bar
/// excluded). NaN when that mean is zero. Ready after n + 1 bars.
class RelVolumeBars {
 public:
  explicit RelVolumeBars(int period) : window_(period), inv_period_(1.0 / period) {}
  void Update(double volume) {
    if (window_.Full()) [[likely]] {
      const double mean = window_.Sum() * inv_period_;
      value_ = mean > 0.0 ? volume / mean : kNaN;
      ready_ = true;
    }
    window_.Update(volume);
  }
  bool Ready() const { return ready_; }
  double Value() const { return ready_ ? value_ : kNaN; }
  int WarmupBars() const { return window_.period() + 1; }
  void Reset() {
    window_.Reset();
    ready_ = false;
  }

 private:
  RollingSum window_;
  double inv_period_;
  bool ready_ = false;
  double value_ = 0.0;
};

/// Time-of-day relative volume: the volume in this time slot of the session over the average volume of the
/// same slot in the previous N sessions, and the cumulative variant (session volume so far over the average
/// cumulative volume at the same slot). The caller gives the session key and the slot (e.g. minutes since
/// the session open divided by the bar length), so half days and missing bars stay aligned. A slot is ready
/// once N earlier sessions had it. Memory: 2·slots·N doubles, allocated at construction.
class RelVolumeTimeOfDay {
 public:
  RelVolumeTimeOfDay(int slots, int sessions);

  void Update(double volume, std::int64_t session, int slot) {
    TD_CHECK(slot >= 0 && slot < slots_) << "slot " << slot << " outside [0, " << slots_ << ")";
    if (session != session_ || !started_) [[unlikely]] {
      CommitSession();
      session_ = session;
      started_ = true;
    }
    const auto s = static_cast<std::size_t>(slot);
    today_[s] += volume;
    cumulative_ += volume;
    today_cumulative_[s] = cumulative_;
    seen_[s] = 1;
    slot_ = s;
  }

  /// True when the last update's slot has N sessions of history.
  bool Ready() const { return started_ && count_[slot_] >= sessions_; }
  /// Volume in the current slot (so far) over the slot's average; NaN if not ready or the average is zero.
  double Value() const {
    if (!Ready()) {
      return kNaN;
    }
    const double avg = sum_[slot_] * inv_sessions_;
    return avg > 0.0 ? today_[slot_] / avg : kNaN;
  }
  /// Session volume so far over the average cumulative volume at this slot.
  double CumulativeValue() const {
    if (!Ready()) {
      return kNaN;
    }
    const double avg = sum_cumulative_[slot_] * inv_sessions_;
    return avg > 0.0 ? cumulative_ / avg : kNaN;
  }
  void Reset();

 private:
  void CommitSession();

  int slots_;
  int sessions_;
  double inv_sessions_;
  std::vector<double> history_;             // slots × sessions ring per slot
  std::vector<double> history_cumulative_;  // same layout
  std::vector<int> count_;
  std::vector<int> head_;
  std::vector<double> sum_;
  std::vector<double> sum_cumulative_;
  std::vector<double> today_;
  std::vector<double> today_cumulative_;
  std::vector<std::uint8_t> seen_;
  bool started_ = false;
  std::int64_t session_ = 0;
  std::size_t slot_ = 0;
  double cumulative_ = 0.0;
};

/// Up-volume over down-volume in the last n updates (bars or ticks). Each update is classified by the tick
/// rule on its price (a bar's close): up if above the previous price, down if below, an unchanged price keeps
/// the last direction; the very first update is unclassified. Sums re-summed every n updates.
class VolumeFlow {
 public:
  explicit VolumeFlow(int period) : up_(period), down_(period) {}
  void Update(double price, double volume) {
    const int sign = static_cast<int>(price > prev_) - static_cast<int>(price < prev_);
    direction_ = has_prev_ && sign != 0 ? sign : direction_;
    has_prev_ = true;
    prev_ = price;
    up_.Update(direction_ > 0 ? volume : 0.0);
    down_.Update(direction_ < 0 ? volume : 0.0);
  }
  void Update(const Bar& bar) { Update(bar.close.AsDouble(), bar.volume.AsDouble()); }
  bool Ready() const { return up_.Full(); }
  double UpVolume() const { return Ready() ? up_.Sum() : kNaN; }
  double DownVolume() const { return Ready() ? down_.Sum() : kNaN; }
  /// Up-volume / down-volume: +inf with no down-volume, NaN with neither.
  double Ratio() const {
    const double up = UpVolume();
    const double down = DownVolume();
    if (!(up + down > 0.0)) {
      return kNaN;
    }
    return down > 0.0 ? up / down : std::numeric_limits<double>::infinity();
  }
  /// (up − down)/(up + down) in [−1, 1]; NaN with neither.
  double Imbalance() const {
    const double up = UpVolume();
    const double down = DownVolume();
    return up + down > 0.0 ? (up - down) / (up + down) : kNaN;
  }
  double Value() const { return Ratio(); }
  int WarmupBars() const { return up_.period(); }
  void Reset() {
    up_.Reset();
    down_.Reset();
    has_prev_ = false;
    direction_ = 0;
  }

 private:
  RollingSum up_;
  RollingSum down_;
  bool has_prev_ = false;
  int direction_ = 0;
  double prev_ = 0.0;
};

}  // namespace td::indicators
