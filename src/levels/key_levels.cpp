// SPDX-License-Identifier: MIT
#include "levels/key_levels.hpp"

#include <algorithm>
#include <cmath>

#include "levels/gaps.hpp"
#include "levels/swings.hpp"
#include "levels/volume_profile.hpp"
#include "levels/zones.hpp"

namespace td::levels {

std::string_view LevelKindName(LevelKind kind) {
  switch (kind) {
    case LevelKind::kPriorDayHigh: return "prior_day_high";
    case LevelKind::kPriorDayLow: return "prior_day_low";
    case LevelKind::kPriorDayClose: return "prior_day_close";
    case LevelKind::kPriorWeekHigh: return "prior_week_high";
    case LevelKind::kPriorWeekLow: return "prior_week_low";
    case LevelKind::kOpeningRangeHigh: return "opening_range_high";
    case LevelKind::kOpeningRangeLow: return "opening_range_low";
    case LevelKind::kSessionHigh: return "session_high";
    case LevelKind::kSessionLow: return "session_low";
    case LevelKind::kVwap: return "vwap";
    case LevelKind::kAnchoredVwap: return "anchored_vwap";
    case LevelKind::kEma: return "ema";
    case LevelKind::kSwingHigh: return "swing_high";
    case LevelKind::kSwingLow: return "swing_low";
    case LevelKind::kSupply: return "supply";
    case LevelKind::kDemand: return "demand";
    case LevelKind::kLiquidityHigh: return "liquidity_high";
    case LevelKind::kLiquidityLow: return "liquidity_low";
    case LevelKind::kFairValueGap: return "fair_value_gap";
    case LevelKind::kPointOfControl: return "poc";
    case LevelKind::kValueAreaHigh: return "vah";
    case LevelKind::kValueAreaLow: return "val";
    case LevelKind::kFibonacci: return "fibonacci";
    case LevelKind::kPivot: return "pivot";
    case LevelKind::kRoundNumber: return "round_number";
  }
  return "unknown";
}

double BasePriority(LevelKind kind) {
  switch (kind) {
    case LevelKind::kPriorDayHigh:
    case LevelKind::kPriorDayLow: return 0.90;
    case LevelKind::kPriorWeekHigh:
    case LevelKind::kPriorWeekLow: return 0.85;
    case LevelKind::kVwap:
    case LevelKind::kPointOfControl: return 0.80;
    case LevelKind::kOpeningRangeHigh:
    case LevelKind::kOpeningRangeLow:
    case LevelKind::kLiquidityHigh:
    case LevelKind::kLiquidityLow: return 0.75;
    case LevelKind::kPriorDayClose:
    case LevelKind::kSessionHigh:
    case LevelKind::kSessionLow:
    case LevelKind::kSupply:
    case LevelKind::kDemand:
    case LevelKind::kValueAreaHigh:
    case LevelKind::kValueAreaLow: return 0.70;
    case LevelKind::kAnchoredVwap: return 0.65;
    case LevelKind::kSwingHigh:
    case LevelKind::kSwingLow: return 0.60;
    case LevelKind::kPivot: return 0.55;
    case LevelKind::kEma:
    case LevelKind::kFairValueGap: return 0.50;
    case LevelKind::kFibonacci: return 0.45;
    case LevelKind::kRoundNumber: return 0.40;
  }
  return 0.0;
}

namespace {

double MemberScore(const LevelCandidate& c) {
  return BasePriority(c.kind) * (0.5 + 0.5 * std::clamp(c.strength, 0.0, 1.0));
}

KeyLevel MergeCluster(std::vector<const LevelCandidate*>& members) {
  std::stable_sort(members.begin(), members.end(),
                   [](const LevelCandidate* a, const LevelCandidate* b) { return MemberScore(*a) > MemberScore(*b); });
  KeyLevel level;
  level.price = members.front()->price;
  for (const LevelCandidate* m : members) {
    if (std::find(level.kinds.begin(), level.kinds.end(), m->kind) == level.kinds.end()) {
      level.kinds.push_back(m->kind);
    }
    const std::string& text = m->label.empty() ? std::string(LevelKindName(m->kind)) : m->label;
    const bool seen = level.label == text || level.label.find(text + " + ") == 0 ||
                      level.label.find(" + " + text + " + ") != std::string::npos ||
                      (level.label.size() > text.size() + 3 &&
                       level.label.compare(level.label.size() - text.size() - 3, std::string::npos, " + " + text) == 0);
    if (!seen) {
      level.label += level.label.empty() ? text : " + " + text;
    }
  }
  level.score = std::min(1.0, MemberScore(*members.front()) + 0.1 * static_cast<double>(level.kinds.size() - 1));
  return level;
}

}  // namespace

KeyLevelSet BuildKeyLevelSet(std::vector<LevelCandidate> candidates, double merge_tolerance, std::size_t max_primary) {
  std::erase_if(candidates, [](const LevelCandidate& c) { return !std::isfinite(c.price) || c.price <= 0.0; });
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const LevelCandidate& a, const LevelCandidate& b) { return a.price < b.price; });
  std::vector<KeyLevel> levels;
  std::size_t start = 0;
  std::vector<const LevelCandidate*> members;
  while (start < candidates.size()) {
    members.clear();
    std::size_t end = start;
    while (end < candidates.size() && candidates[end].price - candidates[start].price <= merge_tolerance) {
      members.push_back(&candidates[end]);
      ++end;
    }
    levels.push_back(MergeCluster(members));
    start = end;
  }
  std::vector<std::size_t> order(levels.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return levels[a].score > levels[b].score; });
  for (std::size_t i = 0; i < order.size() && i < max_primary; ++i) {
    levels[order[i]].primary = true;
  }
  return KeyLevelSet(std::move(levels));
}

std::vector<KeyLevel> KeyLevelSet::Above(double price, std::size_t limit, bool primary_only) const {
  std::vector<KeyLevel> out;
  auto it = std::upper_bound(levels_.begin(), levels_.end(), price,
                             [](double p, const KeyLevel& l) { return p < l.price; });
  for (; it != levels_.end() && out.size() < limit; ++it) {
    if (!primary_only || it->primary) {
      out.push_back(*it);
    }
  }
  return out;
}

std::vector<KeyLevel> KeyLevelSet::Below(double price, std::size_t limit, bool primary_only) const {
  std::vector<KeyLevel> out;
  auto it = std::lower_bound(levels_.begin(), levels_.end(), price,
                             [](const KeyLevel& l, double p) { return l.price < p; });
  while (it != levels_.begin() && out.size() < limit) {
    --it;
    if (!primary_only || it->primary) {
      out.push_back(*it);
    }
  }
  return out;
}

std::optional<KeyLevel> KeyLevelSet::Nearest(double price, double tolerance) const {
  const KeyLevel* best = nullptr;
  for (const KeyLevel& l : levels_) {
    if (std::fabs(l.price - price) <= tolerance && (best == nullptr || std::fabs(l.price - price) < std::fabs(best->price - price))) {
      best = &l;
    }
  }
  return best != nullptr ? std::optional<KeyLevel>(*best) : std::nullopt;
}

bool KeyLevelSet::Contains(double price) const {
  return std::any_of(levels_.begin(), levels_.end(), [&](const KeyLevel& l) { return l.price == price; });
}

std::vector<LevelCandidate> StructureCandidates(const BarsView& bars, double atr, const StructureOptions& options) {
  std::vector<LevelCandidate> out;
  if (bars.size() == 0) {
    return out;
  }
  if (atr <= 0.0) {
    atr = MeanTrueRange(bars, 14);
  }
  const std::vector<SwingPoint> swings = FindSwings(bars, options.swing_width);
  std::size_t highs = 0;
  std::size_t lows = 0;
  for (auto it = swings.rbegin(); it != swings.rend(); ++it) {
    if (it->kind == SwingKind::kHigh && highs < options.max_swings) {
      out.push_back({it->price, LevelKind::kSwingHigh, "swing high", 0.5});
      ++highs;
    } else if (it->kind == SwingKind::kLow && lows < options.max_swings) {
      out.push_back({it->price, LevelKind::kSwingLow, "swing low", 0.5});
      ++lows;
    }
  }
  for (const Zone& z : FindZones(bars, {}, atr)) {
    if (z.freshness != Freshness::kBroken) {
      out.push_back({z.proximal, z.kind == ZoneKind::kDemand ? LevelKind::kDemand : LevelKind::kSupply,
                     z.kind == ZoneKind::kDemand ? "demand zone" : "supply zone", z.strength});
    }
  }
  for (const LiquidityPool& p : FindLiquidityPools(bars, options.swing_width, options.pool_tolerance_atr * atr)) {
    if (!p.taken) {
      out.push_back({p.price, p.above ? LevelKind::kLiquidityHigh : LevelKind::kLiquidityLow,
                     p.above ? "equal highs" : "equal lows", std::min(1.0, 0.4 + 0.2 * p.members)});
    }
  }
  for (const FairValueGap& g : FindFairValueGaps(bars, options.fvg_min_atr * atr)) {
    if (!g.Filled()) {
      out.push_back({g.top, LevelKind::kFairValueGap, "FVG top", 1.0 - g.filled_fraction});
      out.push_back({g.bottom, LevelKind::kFairValueGap, "FVG bottom", 1.0 - g.filled_fraction});
    }
  }
  if (auto profile = BuildVolumeProfile(bars, options.profile_bins); profile.ok()) {
    out.push_back({profile->poc, LevelKind::kPointOfControl, "POC", 1.0});
    out.push_back({profile->vah, LevelKind::kValueAreaHigh, "VAH", 0.8});
    out.push_back({profile->val, LevelKind::kValueAreaLow, "VAL", 0.8});
  }
  return out;
}

}  // namespace td::levels
