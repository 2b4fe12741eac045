// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/bar.hpp"

namespace td::data {

/// Bars as structure-of-arrays: bar-start times in UTC nanoseconds and prices/volumes as raw fixed-point
/// units (1e-9, see core/fixed_point.hpp). The shape the store writes, the importer produces and the
/// resampler consumes; scanning one column touches only that column's memory.
struct BarColumns {
  std::vector<std::int64_t> ts;
  std::vector<std::int64_t> open;
  std::vector<std::int64_t> high;
  std::vector<std::int64_t> low;
  std::vector<std::int64_t> close;
  std::vector<std::int64_t> volume;
  int price_precision = 2;   // decimals a price means (display and Price::FromRaw)
  int volume_precision = 0;  // decimals a volume means

  std::size_t size() const { return ts.size(); }
  bool empty() const { return ts.empty(); }
  void Reserve(std::size_t n);
  void Clear();
  /// Appends one bar given as raw units.
  void Push(std::int64_t t, std::int64_t o, std::int64_t h, std::int64_t l, std::int64_t c, std::int64_t v) {
    ts.push_back(t);
    open.push_back(o);
    high.push_back(h);
    low.push_back(l);
    close.push_back(c);
    volume.push_back(v);
  }
  /// Appends a Bar; precision is taken as the larger of the current and the bar's.
  void Push(const Bar& bar);
  /// Bar `i` as a model Bar (ts_init = ts_event).
  Bar At(std::size_t i) const;
  /// True when bar `i` of this and `j` of other hold identical time and values.
  bool SameBar(std::size_t i, const BarColumns& other, std::size_t j) const {
    return ts[i] == other.ts[j] && open[i] == other.open[j] && high[i] == other.high[j] && low[i] == other.low[j] &&
           close[i] == other.close[j] && volume[i] == other.volume[j];
  }
};

}  // namespace td::data
