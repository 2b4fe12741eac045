// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "levels/bars_view.hpp"

namespace td::levels {

/// Where a level comes from. The order is not a priority; see BasePriority.
enum class LevelKind : std::uint8_t {
  kPriorDayHigh, kPriorDayLow, kPriorDayClose, kPriorWeekHigh, kPriorWeekLow,
  kOpeningRangeHigh, kOpeningRangeLow, kSessionHigh, kSessionLow,
  kVwap, kAnchoredVwap, kEma, kSwingHigh, kSwingLow, kSupply, kDemand,
  kLiquidityHigh, kLiquidityLow, kFairValueGap, kPointOfControl, kValueAreaHigh, kValueAreaLow,
  kFibonacci, kPivot, kRoundNumber,
};

/// The stable snake_case name of a kind (used in API payloads), e.g. "prior_day_high".
std::string_view LevelKindName(LevelKind kind);
/// How much a level of this kind matters on its own, 0..1 (documented in README.md).
double BasePriority(LevelKind kind);

/// One raw level from one source.
struct LevelCandidate {
  double price = 0.0;
  LevelKind kind = LevelKind::kSwingHigh;
  std::string label;      // short human label, e.g. "PDH", "VWAP", "swing high"
  double strength = 0.5;  // 0..1 within its kind (zone strength, pool size, ...)
};

/// A level after merging candidates that sit within tolerance of each other.
struct KeyLevel {
  double price = 0.0;  // the price of its strongest member, so it is always a real level
  std::vector<LevelKind> kinds;  // distinct kinds, strongest first
  std::string label;   // distinct member labels, strongest first, joined by " + "
  double score = 0.0;  // priority 0..1: the best member plus a confluence bonus
  bool primary = false;
};

/// A prioritised, labelled set of levels for one instrument and timeframe, sorted by price.
class KeyLevelSet {
 public:
  KeyLevelSet() = default;
  explicit KeyLevelSet(std::vector<KeyLevel> levels) : levels_(std::move(levels)) {}

  const std::vector<KeyLevel>& levels() const { return levels_; }
  /// Levels strictly above `price`, nearest first (at most `limit`; primary only when asked).
  std::vector<KeyLevel> Above(double price, std::size_t limit, bool primary_only = false) const;
  /// Levels strictly below `price`, nearest first.
  std::vector<KeyLevel> Below(double price, std::size_t limit, bool primary_only = false) const;
  /// The level nearest `price` within `tolerance`, if any.
  std::optional<KeyLevel> Nearest(double price, double tolerance) const;
  /// True when `price` equals the price of a level in the set (exactly, as snapping guarantees).
  bool Contains(double price) const;

 private:
  std::vector<KeyLevel> levels_;
};

/// Merges candidates into key levels: sorted by price, a candidate joins the current cluster while it is
/// within `merge_tolerance` of the cluster's first price. The `max_primary` best scores become primary.
/// Non-finite or non-positive prices are dropped.
KeyLevelSet BuildKeyLevelSet(std::vector<LevelCandidate> candidates, double merge_tolerance,
                             std::size_t max_primary = 8);

struct StructureOptions {
  std::size_t swing_width = 3;
  std::size_t max_swings = 6;          // most recent swing highs and lows kept
  int profile_bins = 50;
  double pool_tolerance_atr = 0.1;
  double fvg_min_atr = 0.25;
};

/// Derives candidates from the bars themselves: recent swing highs/lows, unbroken supply/demand zones
/// (proximal edges), liquidity pools not yet taken, unfilled fair value gaps (both edges), and the volume
/// profile's POC/VAH/VAL. Session and indicator levels (PDH, ORH, VWAP, EMAs) come from the caller.
std::vector<LevelCandidate> StructureCandidates(const BarsView& bars, double atr, const StructureOptions& options = {});

}  // namespace td::levels
