// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "levels/bars_view.hpp"

namespace td::levels {

enum class AnchorReason : std::uint8_t { kSessionOpen, kPriorSessionHigh, kPriorSessionLow, kSwingHigh, kSwingLow, kGap };

/// A bar from which an anchored VWAP is worth drawing, and the AVWAP's value at the last bar.
struct VwapAnchor {
  std::size_t index = 0;
  std::int64_t ts = 0;
  AnchorReason reason = AnchorReason::kSessionOpen;
  std::string label;
  double vwap = 0.0;  // anchored VWAP of typical price (H+L+C)/3 from `index` to the last bar
};

struct AnchorOptions {
  std::size_t swing_width = 5;
  std::size_t swing_lookback = 300;  // bars searched for the most extreme swing high and low
  double gap_atr = 0.5;              // a session opening this many ATRs away from the prior close is a gap
};

/// Returns the anchored VWAP (typical price) from bar `from` through the last bar; NaN when no volume.
double AnchoredVwap(const BarsView& bars, std::size_t from);

/// Chooses anchors: the latest session's open, the prior session's high and low bars, the most extreme swing
/// high and low within the lookback, and the latest session-open gap. `session_keys` holds one key per bar
/// (e.g. the exchange session date); a change of key starts a new session. Anchors come back in bar order.
std::vector<VwapAnchor> SelectVwapAnchors(const BarsView& bars, std::span<const std::int32_t> session_keys,
                                          const AnchorOptions& options = {}, double atr = 0.0);

}  // namespace td::levels
