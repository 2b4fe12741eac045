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
    const double p = PriceOf(high, low, close);
    if (!anchored_) [[unlikely]] {
      reference_ = p;
      anchored_ = true;
    }
    Accumulate(p, volume);
  }
  /// Anchor() and Update() of the anchor bar, for a caller that knows this bar starts the accumulation.
  void StartWith(double high, double low, double close, double volume) {
    Anchor();
    Update(high, low, close, volume);
  }
  /// Update() of an accumulation already anchored: the caller knows, so the update skips the test. (Unanchored,
  /// the sums would be taken around 0 instead of the first price: the same VWAP, less well conditioned.)
  void Continue(double high, double low, double close, double volume) {
    Accumulate(PriceOf(high, low, close), volume);
  }
  /// Ready once some volume has been seen since the anchor.
  bool Ready() const { return volume_ > 0.0; }
  double Value() const { return ValueOf(reference_, weighted_, volume_); }
  /// The VWAP from the sums (NaN without volume); the one formula of Value(), the bands and the batch passes.
  /// The offset W₁/V is the product W₁·(1/V), whose reciprocal the bands' σ shares: one division per bar for
  /// the VWAP and its bands together. The extra rounding falls on the offset from the first price, a small part
  /// of the VWAP: within 1 ulp of the exact Σv·p/Σv on real minute bars, as the quotient form (fast_path_test).
  // Formed unconditionally so a batch loop of it vectorises; it is discarded without volume.
  static double ValueOf(double reference, double weighted, double volume) {
    const double vwap = reference + weighted * (1.0 / volume);
    return volume > 0.0 ? vwap : kNaN;
  }
  double Reference() const { return reference_; }
  double Weighted() const { return weighted_; }
  /// Volume-weighted standard deviation of the price around the VWAP (for bands at VWAP ± k·σ).
  double StdDev() const { return Ready() ? Spread().sigma : kNaN; }
  /// VWAP ± k·σ: one division and one square root per bar, side by side (see Spread).
  double Upper(double k) const { return Ready() ? Bands(k).upper : kNaN; }
  double Lower(double k) const { return Ready() ? Bands(k).lower : kNaN; }
  double CumulativeVolume() const { return volume_; }

 private:
  struct VwapAndSigma {
    double vwap;
    double sigma;
  };
  /// σ = √(W₂·V − W₁²) · (1/V), the population variance W₂/V − (W₁/V)² scaled by V² so that its square root
  /// does not wait for the division: the square root and the division 1/V run side by side, which takes ~30
  /// cycles off a streaming bar's chain. The VWAP is Value()'s W₁·(1/V), bit for bit. The packed division
  /// (W₁/V, 1/V) this replaced cost two packing moves, an unpacking and a wider divide (the bands of a streaming
  /// bar: 16.2 → 15.5 cycles). σ is within a few ulp of the other arrangement (the same cancellation in the
  /// difference, one rounding more in the product; fast_path_test bounds both against long double).
  VwapAndSigma Spread() const {
    const double scaled_variance = weighted_sq_ * volume_ - weighted_ * weighted_;
    const double inverse_volume = 1.0 / volume_;
    return VwapAndSigma{reference_ + weighted_ * inverse_volume,
                        detail::SqrtOfClamped(scaled_variance) * inverse_volume};
  }
  struct UpperAndLower {
    double upper;
    double lower;
  };
  /// VWAP ± k·σ from one product k·σ: a caller reading both bands (the usual case) pays for it once, where
  /// VWAP + (−k)·σ took a second product. The same bits: (−k)·σ = −(k·σ) and x + (−y) = x − y exactly.
  UpperAndLower Bands(double k) const {
    const VwapAndSigma s = Spread();
    const double width = k * s.sigma;
    return UpperAndLower{s.vwap + width, s.vwap - width};
  }

  double PriceOf(double high, double low, double close) const {
    return price_ == VwapPrice::kTypical ? (high + low + close) * (1.0 / 3.0) : close;
  }
  void Accumulate(double p, double volume) {
    const double d = p - reference_;
    const double vd = volume * d;
    volume_ += volume;
    weighted_ += vd;
    weighted_sq_ += vd * d;
  }

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
      session_ = session;
      started_ = true;
      vwap_.StartWith(high, low, close, volume);
      return;
    }
    vwap_.Continue(high, low, close, volume);
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
/// once N earlier sessions had it. Memory: 2·slots·N doubles plus one record per slot, allocated at
/// construction.
///
/// A slot's finished session is moved into its history when the slot is next used (a session stamp per slot
/// says whether its volume so far belongs to an older session), not by a sweep over every slot at the session
/// change: each update does O(1) work and only reads its own slot's record, whose history is always complete
/// when it is read. Both ratios are formed in the update with one packed division, so reading them is free.
class RelVolumeTimeOfDay {
 public:
  RelVolumeTimeOfDay(int slots, int sessions);

  void Update(double volume, std::int64_t session, int slot) {
    // One unsigned comparison covers both ends (a negative slot wraps to a huge one).
    TD_CHECK(static_cast<unsigned>(slot) < static_cast<unsigned>(slots_))
        << "slot " << slot << " outside [0, " << slots_ << ")";
    // generation_ starts at 1 with session_ 0, so a first update keyed 0 simply continues that (empty) session.
    if (session != session_) [[unlikely]] {
      session_ = session;
      ++generation_;
      cumulative_ = 0.0;
    }
    SlotRecord& record = records_[static_cast<std::size_t>(slot)];
    // The record's pairs in locals: a history cell is written in between, which the compiler cannot tell apart
    // from the record, so it would reload them otherwise.
    double today = detail::First(record.today);
    detail::DoublePair sum = record.sum;
    // With one bar per slot (the usual case) this is every update's first touch of its slot.
    if (record.generation != generation_) {
      if (record.generation != 0) [[likely]] {
        sum = Commit(record, sum);
      }
      record.generation = generation_;
      today = 0.0;
    }
    cumulative_ += volume;
    const detail::DoublePair now = detail::MakePair(today + volume, cumulative_);
    record.today = now;
    record.sum = sum;
    const detail::DoublePair scale = record.average_scale;
    average_scale_ = detail::First(scale);
    ratios_ = detail::RatiosOrNaN(now, detail::Multiply(scale, sum));
  }

  /// True when the last update's slot has N sessions of history.
  bool Ready() const { return !std::isnan(average_scale_); }
  /// Volume in the current slot (so far) over the slot's average; NaN if not ready or the average is zero.
  double Value() const { return detail::First(ratios_); }
  /// Session volume so far over the average cumulative volume at this slot.
  double CumulativeValue() const { return detail::Second(ratios_); }
  void Reset();

 private:
  // A slot's two quantities travel as one pair, lane for lane the arithmetic of two scalars (the same bits):
  // (its volume, the session's volume up to it), today, in each history cell and in the sums of N sessions.
  /// One slot: its pair in the session stamped `generation`, and the sums of its last N sessions' pairs.
  struct SlotRecord {
    detail::DoublePair today = detail::MakePair(0.0, 0.0);
    detail::DoublePair sum = detail::MakePair(0.0, 0.0);
    // 1/N in both lanes once the history holds N sessions, NaN before: an average of NaN fails the ratio's
    // "average > 0" test, so readiness costs the update no compare and no mask of its own.
    detail::DoublePair average_scale = detail::MakePair(kNaN, kNaN);
    std::int64_t generation = 0;  // 0: never used
    // Byte offsets into history_ (detail::AtByteOffset; a pair is 16 bytes): the cell the next
    // commit writes, and the end of the slot's ring.
    std::uint32_t cell = 0;
    std::uint32_t ring_end = 0;
  };
  /// Moves the slot's finished session (record.today) into its history (a ring of N pairs per slot, zeros
  /// until written); returns the history's new sums, given the old ones. The leaving cell is subtracted even
  /// while the ring fills (x − 0 is exact, so the same bits as skipping it), and the first lap's end is when N
  /// sessions are in: no count to keep or test. The record holds its cell's byte offset, so no slot × N product
  /// or index scaling per commit.
  detail::DoublePair Commit(SlotRecord& record, detail::DoublePair sum) {
    detail::DoublePair& cell = CellAt(record.cell);
    const detail::DoublePair finished = record.today;
    sum = detail::Add(detail::Subtract(sum, cell), finished);
    cell = finished;
    record.cell += sizeof(detail::DoublePair);
    if (record.cell == record.ring_end) [[unlikely]] {
      record.cell -= RingBytes();
      record.average_scale = detail::MakePair(inv_sessions_, inv_sessions_);
      sum = Resum(record.cell);
    }
    return sum;
  }
  detail::DoublePair& CellAt(std::uint32_t offset) { return detail::AtByteOffset(history_.data(), offset); }
  std::uint32_t RingBytes() const {
    return static_cast<std::uint32_t>(static_cast<std::size_t>(sessions_) * sizeof(detail::DoublePair));
  }
  /// The ring from `first` re-summed, once per lap so fractional volumes cannot drift. Inline: an out-of-line
  /// call anywhere in a caller's loop would force the indicator's state out of registers.
  detail::DoublePair Resum(std::uint32_t first) {
    detail::DoublePair sum = detail::MakePair(0.0, 0.0);
    for (std::uint32_t offset = first; offset != first + RingBytes(); offset += sizeof(detail::DoublePair)) {
      sum = detail::Add(sum, CellAt(offset));
    }
    return sum;
  }

  int slots_;
  int sessions_;
  double inv_sessions_;
  std::vector<SlotRecord> records_;
  std::vector<detail::DoublePair> history_;  // slots × sessions: a ring of N pairs per slot
  std::int64_t generation_ = 1;             // the current session's stamp (records stamped 0 were never used)
  std::int64_t session_ = 0;
  double cumulative_ = 0.0;
  double average_scale_ = kNaN;  // the last update's slot's (NaN: not ready)
  detail::DoublePair ratios_ = detail::MakePair(kNaN, kNaN);  // (Value, CumulativeValue)
};

/// Up-volume over down-volume in the last n updates (bars or ticks). Each update is classified by the tick
/// rule on its price (a bar's close): up if above the previous price, down if below, an unchanged price keeps
/// the last direction; the very first update is unclassified. Sums re-summed every n updates.
///
/// The up and down windows are one window of pairs (up, down) with one position and count: lane for lane the
/// arithmetic of two RollingSum (subtract the leaving value, add the new one, re-sum in order every n), so the
/// same bits, with half the bookkeeping and one packed add and subtract per update.
class VolumeFlow {
 public:
  explicit VolumeFlow(int period) : period_(period) {
    TD_CHECK(period >= 1) << "period must be >= 1, was " << period;
    window_.assign(static_cast<std::size_t>(period), detail::MakePair(0.0, 0.0));
  }
  void Update(double price, double volume) {
    // The tick direction is a coin flip: the volume goes to one side through masks, not branches. prev_ starts
    // as NaN, so the first update compares unequal both ways and stays unclassified.
    const detail::TickSplit tick = detail::TickRule(direction_, prev_, price, volume);
    const detail::DoublePair x = tick.volumes;
    direction_ = tick.direction;
    prev_ = price;
    if (count_ < period_) [[unlikely]] {
      ++count_;
    } else {
      sums_ = detail::Subtract(sums_, window_[pos_]);
    }
    window_[pos_] = x;
    sums_ = detail::Add(sums_, x);
    if (++pos_ == window_.size()) [[unlikely]] {
      pos_ = 0;
      detail::DoublePair exact = detail::MakePair(0.0, 0.0);
      for (const detail::DoublePair& v : window_) {
        exact = detail::Add(exact, v);
      }
      sums_ = exact;
    }
  }
  void Update(const Bar& bar) { Update(bar.close.AsDouble(), bar.volume.AsDouble()); }
  bool Ready() const { return count_ >= period_; }
  double UpVolume() const { return Ready() ? detail::First(sums_) : kNaN; }
  double DownVolume() const { return Ready() ? detail::Second(sums_) : kNaN; }
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
  int WarmupBars() const { return period_; }
  void Reset() {
    count_ = 0;
    pos_ = 0;
    sums_ = detail::MakePair(0.0, 0.0);
    direction_ = detail::MakePair(0.0, 0.0);
    prev_ = kNaN;
  }

 private:
  std::vector<detail::DoublePair> window_;  // (up, down) volume of the last `period` updates
  int period_;
  int count_ = 0;
  std::size_t pos_ = 0;
  detail::DoublePair sums_ = detail::MakePair(0.0, 0.0);
  detail::DoublePair direction_ = detail::MakePair(0.0, 0.0);  // (up, down) masks, see detail::TickRule
  double prev_ = kNaN;
};

}  // namespace td::indicators
