// SPDX-License-Identifier: MIT
#include "levels/anchors.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "levels/swings.hpp"

namespace td::levels {

double AnchoredVwap(const BarsView& bars, std::size_t from) {
  double pv = 0.0;
  double v = 0.0;
  for (std::size_t i = from; i < bars.size(); ++i) {
    const double typical = (bars.high[i] + bars.low[i] + bars.close[i]) / 3.0;
    pv += typical * bars.volume[i];
    v += bars.volume[i];
  }
  return v > 0.0 ? pv / v : std::numeric_limits<double>::quiet_NaN();
}

std::vector<VwapAnchor> SelectVwapAnchors(const BarsView& bars, std::span<const std::int32_t> session_keys,
                                          const AnchorOptions& options, double atr) {
  std::vector<VwapAnchor> anchors;
  const std::size_t n = bars.size();
  if (n == 0 || session_keys.size() != n) {
    return anchors;
  }
  if (atr <= 0.0) {
    atr = MeanTrueRange(bars, 14);
  }
  const auto add = [&](std::size_t index, AnchorReason reason, std::string label) {
    for (const VwapAnchor& a : anchors) {
      if (a.index == index && a.reason == reason) {
        return;
      }
    }
    anchors.push_back({index, bars.ts[index], reason, std::move(label), AnchoredVwap(bars, index)});
  };

  std::size_t session_start = n - 1;
  while (session_start > 0 && session_keys[session_start - 1] == session_keys[n - 1]) {
    --session_start;
  }
  add(session_start, AnchorReason::kSessionOpen, "session open");
  if (session_start > 0) {
    std::size_t prior_start = session_start - 1;
    while (prior_start > 0 && session_keys[prior_start - 1] == session_keys[session_start - 1]) {
      --prior_start;
    }
    std::size_t hi = prior_start;
    std::size_t lo = prior_start;
    for (std::size_t i = prior_start; i < session_start; ++i) {
      hi = bars.high[i] > bars.high[hi] ? i : hi;
      lo = bars.low[i] < bars.low[lo] ? i : lo;
    }
    add(hi, AnchorReason::kPriorSessionHigh, "prior session high");
    add(lo, AnchorReason::kPriorSessionLow, "prior session low");
    const double gap = bars.open[session_start] - bars.close[session_start - 1];
    if (atr > 0.0 && std::fabs(gap) >= options.gap_atr * atr) {
      add(session_start, AnchorReason::kGap, gap > 0 ? "gap up" : "gap down");
    }
  }
  const std::size_t first = n > options.swing_lookback ? n - options.swing_lookback : 0;
  const std::vector<SwingPoint> swings = FindSwings(bars, options.swing_width);
  const SwingPoint* top = nullptr;
  const SwingPoint* bottom = nullptr;
  for (const SwingPoint& s : swings) {
    if (s.index < first) {
      continue;
    }
    if (s.kind == SwingKind::kHigh && (top == nullptr || s.price > top->price)) {
      top = &s;
    }
    if (s.kind == SwingKind::kLow && (bottom == nullptr || s.price < bottom->price)) {
      bottom = &s;
    }
  }
  if (top != nullptr) {
    add(top->index, AnchorReason::kSwingHigh, "swing high");
  }
  if (bottom != nullptr) {
    add(bottom->index, AnchorReason::kSwingLow, "swing low");
  }
  std::sort(anchors.begin(), anchors.end(), [](const VwapAnchor& a, const VwapAnchor& b) {
    return a.index != b.index ? a.index < b.index : a.reason < b.reason;
  });
  return anchors;
}

}  // namespace td::levels
