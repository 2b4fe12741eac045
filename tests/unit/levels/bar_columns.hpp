// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include "levels/bars_view.hpp"

namespace td::levels::testing {

/// Owns bar columns for tests and hands out a BarsView.
struct BarColumns {
  std::vector<std::int64_t> ts;
  std::vector<double> open, high, low, close, volume;

  void Add(double o, double h, double l, double c, double v = 100.0) {
    ts.push_back(static_cast<std::int64_t>(ts.size()) * 60'000'000'000LL);
    open.push_back(o);
    high.push_back(h);
    low.push_back(l);
    close.push_back(c);
    volume.push_back(v);
  }
  BarsView View() const { return {ts, open, high, low, close, volume}; }
};

}  // namespace td::levels::testing
