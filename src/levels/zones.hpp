// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <vector>

#include "levels/bars_view.hpp"

namespace td::levels {

enum class ZoneKind : std::uint8_t { kDemand, kSupply };
enum class Freshness : std::uint8_t { kFresh, kTested, kBroken };

/// A supply or demand zone: a tight base that price left with an impulsive move.
struct Zone {
  ZoneKind kind = ZoneKind::kDemand;
  double proximal = 0.0;  // the edge price meets first on a return (top of demand, bottom of supply)
  double distal = 0.0;    // the far edge; a close beyond it breaks the zone
  std::size_t base_first = 0;
  std::size_t base_last = 0;
  std::int64_t ts = 0;        // start of the base
  double departure_atr = 0;   // size of the leaving move in multiples of the tolerance ATR
  double strength = 0;        // 0..1: departure strength, base tightness, and freshness together
  Freshness freshness = Freshness::kFresh;
  int touches = 0;            // returns into the zone after it formed
  double Top() const { return kind == ZoneKind::kDemand ? proximal : distal; }
  double Bottom() const { return kind == ZoneKind::kDemand ? distal : proximal; }
};

struct ZoneOptions {
  std::size_t max_base_bars = 3;     // a base is 1..max_base_bars bars
  double base_range_atr = 0.6;       // each base bar's range at most this × ATR
  double impulse_range_atr = 1.5;    // the leaving bar's range at least this × ATR
  double impulse_body_ratio = 0.6;   // and its body at least this fraction of its range
  std::size_t atr_period = 14;
};

/// Finds supply and demand zones and classifies each by what later bars did to it:
/// fresh (never revisited), tested (price entered but never closed beyond the distal edge) or broken.
/// `atr` is the tolerance unit; pass 0 to use the mean true range of the last `atr_period` bars.
std::vector<Zone> FindZones(const BarsView& bars, const ZoneOptions& options = {}, double atr = 0.0);

}  // namespace td::levels
