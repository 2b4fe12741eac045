// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace td::levels {

/// A read-only structure-of-arrays view of bars (oldest first), in doubles. Every span has size().
struct BarsView {
  std::span<const std::int64_t> ts;  // bar start, UTC nanoseconds
  std::span<const double> open;
  std::span<const double> high;
  std::span<const double> low;
  std::span<const double> close;
  std::span<const double> volume;

  std::size_t size() const { return close.size(); }
  /// True when every column has the same length.
  bool IsWellFormed() const {
    const std::size_t n = close.size();
    return ts.size() == n && open.size() == n && high.size() == n && low.size() == n && volume.size() == n;
  }
};

/// Returns the mean true range of the last `period` bars (a plain average, for tolerances; not Wilder's ATR).
double MeanTrueRange(const BarsView& bars, std::size_t period);

}  // namespace td::levels
