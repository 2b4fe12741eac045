// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
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
    // The windows hold halves, (high/2, −low/2): one product with (½, −½) does the halving and the negation,
    // and a line is then the sum of its halves, where each line took a product of its own.
    const detail::DoublePair x = detail::Multiply(detail::MakePair(high, low), detail::MakePair(0.5, -0.5));
    const detail::DoublePair tenkan = tenkan_.Update(x);
    const auto kijun_windows = kijun_.UpdateRecalling(x);
    const detail::DoublePair kijun = kijun_windows.now;
    ++count_;
    newest_ = (newest_ + sizeof(Lagged)) & ring_mask_;
    // Senkou B's window is two kijun windows back to back in the usual settings (52 = 2 × 26, and 60/120,
    // 30/60 elsewhere): the extremes of this bar's kijun window and of the one that ended `kijun` bars ago,
    // which the kijun window recalls from the cell under its cursor. Otherwise it keeps a window of its own.
    detail::DoublePair senkou_b;
    if (senkou_b_) [[unlikely]] {
      senkou_b = senkou_b_->Update(x);
    } else {
      senkou_b = detail::Max(kijun_windows.before, kijun);
    }
    Lagged& parked = EntryAt(newest_);
    parked.close = close;
    // No warm-up test: a window not yet full reports (+∞, +∞) (HighLowBlocks::NotFull), and so does a recalled
    // kijun window of such a time or from before any, so its line is NaN (∞ − ∞), and senkou A with it.
    parked.tenkan = Midpoint(tenkan);
    parked.kijun_line = Midpoint(kijun);
    parked.senkou_b = Midpoint(senkou_b);
    parked.senkou_a = 0.5 * (parked.tenkan + parked.kijun_line);
  }
  void Update(const Bar& bar) { Update(bar.high.AsDouble(), bar.low.AsDouble(), bar.close.AsDouble()); }

  // The lines of the last bar are parked in the ring like those of earlier bars. Before the first update the
  // newest slot is one the constructor (or Reset) filled with NaN lines, so these need no test of their own.
  double Tenkan() const { return Newest().tenkan; }
  double Kijun() const { return Newest().kijun_line; }
  double SenkouA() const { return Newest().senkou_a; }
  double SenkouB() const { return Newest().senkou_b; }
  /// Senkou A/B as computed `displacement` bars ago: the cloud at the current bar. Until `displacement` + 1
  /// updates are in, the entry `displacement` before the newest is one that no update has written yet (the
  /// ring is longer than the displacement), still NaN from the constructor or Reset: no test of its own either.
  double CloudA() const { return LaggedEntry().senkou_a; }
  double CloudB() const { return LaggedEntry().senkou_b; }
  double Chikou() const { return Newest().close; }
  double LaggedClose() const { return LaggedEntry().close; }
  /// Ready when every line, the shifted cloud included, has a value.
  bool Ready() const { return count_ >= static_cast<std::int64_t>(WarmupBars()); }
  int WarmupBars() const { return senkou_b_period_ + displacement_; }
  void Reset();

 private:
  /// One bar's lines, and what later bars need from it: the lines and close the chart shows `displacement`
  /// bars later. 64 bytes, so that ring offsets wrap by a mask.
  struct alignas(64) Lagged {
    double tenkan = kNaN;
    double kijun_line = kNaN;
    double senkou_a = kNaN;
    double senkou_b = kNaN;
    double close = kNaN;
  };
  /// The midpoint (H + L)/2 from a window's extremes of halves (H/2, −L/2): H/2 + L/2, the same bits as
  /// ½·(H + L) (halving is exact for prices above 2⁻¹⁰²¹, and the sum's rounding scales with it).
  static double Midpoint(detail::DoublePair halves) { return detail::First(halves) - detail::Second(halves); }
  /// The entry at byte offset `offset` into the ring, taken modulo its size (so an offset plus a lag wraps).
  Lagged& EntryAt(std::size_t offset) { return detail::AtByteOffset(lag_.data(), offset & ring_mask_); }
  const Lagged& EntryAt(std::size_t offset) const { return detail::AtByteOffset(lag_.data(), offset & ring_mask_); }
  const Lagged& Newest() const { return EntryAt(newest_); }
  /// The entry parked by the update `displacement` updates before the last one.
  const Lagged& LaggedEntry() const { return EntryAt(newest_ + lag_bytes_); }

  detail::HighLowBlocks tenkan_;
  detail::RecallingHighLowBlocks kijun_;
  std::optional<detail::HighLowBlocks> senkou_b_;  // only when senkou B is not two kijun windows
  int senkou_b_period_;
  int displacement_;
  // The ring is reached by byte offsets (detail::AtByteOffset; an entry is 64 bytes), and the newest entry's
  // offset is kept rather than formed again from the count for every read.
  static_assert((sizeof(Lagged) & (sizeof(Lagged) - 1)) == 0, "ring offsets wrap by a mask");
  std::vector<Lagged> lag_;             // power-of-two ring of more than `displacement` entries
  std::size_t ring_mask_ = 0;           // the ring's size in bytes − 1
  std::size_t newest_ = 0;              // byte offset of the last update's entry (the ring's last before any)
  std::size_t lag_bytes_ = 0;           // the ring's size less the displacement, in bytes: newest + this is lagged
  std::int64_t count_ = 0;
};

}  // namespace td::indicators
