// SPDX-License-Identifier: MIT
#include "levels/zones.hpp"

#include <algorithm>
#include <cmath>

namespace td::levels {
namespace {

double Range(const BarsView& bars, std::size_t i) { return bars.high[i] - bars.low[i]; }
double BodyTop(const BarsView& bars, std::size_t i) { return std::max(bars.open[i], bars.close[i]); }
double BodyBottom(const BarsView& bars, std::size_t i) { return std::min(bars.open[i], bars.close[i]); }

void Classify(const BarsView& bars, Zone& zone, std::size_t from) {
  for (std::size_t i = from; i < bars.size(); ++i) {
    const bool entered = zone.kind == ZoneKind::kDemand ? bars.low[i] <= zone.proximal : bars.high[i] >= zone.proximal;
    const bool broke = zone.kind == ZoneKind::kDemand ? bars.close[i] < zone.distal : bars.close[i] > zone.distal;
    if (broke) {
      zone.freshness = Freshness::kBroken;
      ++zone.touches;
      return;
    }
    if (entered) {
      zone.freshness = Freshness::kTested;
      ++zone.touches;
      // One visit is one touch: skip the bars that stay inside.
      while (i + 1 < bars.size() && (zone.kind == ZoneKind::kDemand ? bars.low[i + 1] <= zone.proximal
                                                                    : bars.high[i + 1] >= zone.proximal)) {
        ++i;
        if (zone.kind == ZoneKind::kDemand ? bars.close[i] < zone.distal : bars.close[i] > zone.distal) {
          zone.freshness = Freshness::kBroken;
          return;
        }
      }
    }
  }
}

}  // namespace

std::vector<Zone> FindZones(const BarsView& bars, const ZoneOptions& options, double atr) {
  std::vector<Zone> zones;
  if (atr <= 0.0) {
    atr = MeanTrueRange(bars, options.atr_period);
  }
  if (atr <= 0.0 || bars.size() < 2) {
    return zones;
  }
  for (std::size_t impulse = 1; impulse < bars.size(); ++impulse) {
    const double range = Range(bars, impulse);
    const double body = std::fabs(bars.close[impulse] - bars.open[impulse]);
    if (range < options.impulse_range_atr * atr || body < options.impulse_body_ratio * range) {
      continue;
    }
    // Walk back over the tight bars just before the impulse: that is the base.
    std::size_t base_count = 0;
    while (base_count < options.max_base_bars && impulse > base_count &&
           Range(bars, impulse - base_count - 1) <= options.base_range_atr * atr) {
      ++base_count;
    }
    if (base_count == 0) {
      continue;
    }
    const std::size_t first = impulse - base_count;
    const std::size_t last = impulse - 1;
    const bool up = bars.close[impulse] > bars.open[impulse];
    Zone zone;
    zone.kind = up ? ZoneKind::kDemand : ZoneKind::kSupply;
    zone.base_first = first;
    zone.base_last = last;
    zone.ts = bars.ts[first];
    double base_high = bars.high[first];
    double base_low = bars.low[first];
    double body_top = BodyTop(bars, first);
    double body_bottom = BodyBottom(bars, first);
    for (std::size_t i = first; i <= last; ++i) {
      base_high = std::max(base_high, bars.high[i]);
      base_low = std::min(base_low, bars.low[i]);
      body_top = std::max(body_top, BodyTop(bars, i));
      body_bottom = std::min(body_bottom, BodyBottom(bars, i));
    }
    zone.proximal = up ? body_top : body_bottom;
    zone.distal = up ? base_low : base_high;
    if (zone.proximal == zone.distal) {
      zone.proximal = up ? base_high : base_low;  // doji base: use the wick so the zone has width
    }
    zone.departure_atr = range / atr;
    Classify(bars, zone, impulse + 1);
    const double departure = std::min(1.0, (zone.departure_atr - options.impulse_range_atr) / 2.0 + 0.5);
    const double tightness = 1.0 - std::min(1.0, (base_high - base_low) / (options.base_range_atr * atr * 2.0));
    const double fresh = zone.freshness == Freshness::kFresh ? 1.0 : zone.freshness == Freshness::kTested ? 0.6 : 0.0;
    zone.strength = std::clamp(0.5 * departure + 0.2 * tightness + 0.3 * fresh, 0.0, 1.0);
    zones.push_back(zone);
  }
  return zones;
}

}  // namespace td::levels
