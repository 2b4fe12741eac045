// SPDX-License-Identifier: MIT
#include "data/bar_columns.hpp"

#include <algorithm>

namespace td::data {

void BarColumns::Reserve(std::size_t n) {
  for (auto* column : {&ts, &open, &high, &low, &close, &volume}) {
    column->reserve(n);
  }
}

void BarColumns::Clear() {
  for (auto* column : {&ts, &open, &high, &low, &close, &volume}) {
    column->clear();
  }
}

void BarColumns::Push(const Bar& bar) {
  Push(bar.ts_event.nanos(), bar.open.raw(), bar.high.raw(), bar.low.raw(), bar.close.raw(), bar.volume.raw());
  price_precision = std::max(
      {price_precision, bar.open.precision(), bar.high.precision(), bar.low.precision(), bar.close.precision()});
  volume_precision = std::max(volume_precision, bar.volume.precision());
}

Bar BarColumns::At(std::size_t i) const {
  Bar bar;
  bar.ts_event = UnixNanos(ts[i]);
  bar.ts_init = bar.ts_event;
  bar.open = Price::FromRaw(open[i], price_precision);
  bar.high = Price::FromRaw(high[i], price_precision);
  bar.low = Price::FromRaw(low[i], price_precision);
  bar.close = Price::FromRaw(close[i], price_precision);
  bar.volume = Quantity::FromRaw(volume[i], volume_precision);
  return bar;
}

}  // namespace td::data
