// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/fixed_point.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "levels/key_levels.hpp"
#include "scanner/context.hpp"
#include "scanner/strategies.hpp"

namespace td::scanner {

/// One term of a plan's confidence: what it is, how much it added (may be negative), and why.
struct ConfidenceFactor {
  std::string name;
  double contribution = 0.0;
  std::string detail;
};

/// How to trail the position left after the last scale-out (per style; see README).
struct RunnerPolicy {
  std::string_view type = "chandelier";
  std::string_view timeframe;
  int length = 0;
  double multiplier = 0.0;
  std::string_view note;
  Price anchor;        // the last target (where the runner starts trailing)
  Price initial_stop;  // the plan's stop
};

/// Which ladder rule placed a target before snapping.
enum class LadderRule : std::uint8_t { kExpectedMove, kMfe, kMinDistance, kMinRr, kSpacing, kEmCap };
/// "expected_move", "mfe_quantile", "min_distance", "min_rr", "spacing", "em_cap".
std::string_view LadderRuleName(LadderRule rule);

/// One profit target and why it sits where it does.
struct Target {
  Price price;
  double distance = 0.0;  // |price − entry|
  double rr = 0.0;        // distance / risk
  double seed = 0.0;      // the ladder's price before snapping (unrounded)
  LadderRule rule = LadderRule::kExpectedMove;
  double em_fraction = 0.0;  // the ladder fraction of the expected move this target was seeded from
  double prob_touch = -1.0;  // share of historical MFE samples reaching this distance; −1 when unknown
  bool snapped = false;      // price equals a level of the plan's key-level set
  std::string level_label;   // the snapped level's label
  double level_score = 0.0;
  bool optional = false;  // TP3
  std::string reason;     // the tp_reason text
};

/// The numbers behind the ladder, for debugging and the UI.
struct LadderInfo {
  double atr = 0.0;
  double expected_move = 0.0;
  std::string em_basis;   // "atm_iv" or "atr_sqrt_time"
  double em_limit = 0.0;  // 0 = no cap (swing, leaps)
  double min_distance = 0.0;
  double min_spacing = 0.0;
  std::size_t mfe_samples = 0;
};

/// A complete trade plan for one signal.
struct Plan {
  std::string plan_id;
  std::string symbol;
  StrategyId strategy = StrategyId::kOrbRetest;
  Style style = Style::kScalp;
  Direction direction = Direction::kLong;
  std::string trigger;
  Price entry;
  Price stop;
  std::string stop_basis;
  double risk = 0.0;
  std::vector<Target> targets;
  double rr_t1 = 0.0;
  double rr_t2 = 0.0;
  double min_rr = 0.0;
  double confidence = 0.0;
  std::vector<ConfidenceFactor> confidence_factors;
  RunnerPolicy runner;
  std::vector<std::string> confluence_tags;
  std::vector<std::string> tp_reasons;
  std::vector<std::string> warnings;
  std::vector<std::string> notes;
  LadderInfo ladder;
  Price tick_size;
  int precision = 2;
  UnixNanos as_of;
  UnixNanos data_as_of;
  std::string planning_context;  // "live" or "frozen"
  std::string session_phase;
  std::string htf_bias;
  levels::KeyLevelSet key_levels;  // the set the targets were snapped to
};

/// Knobs of plan building; the defaults are the documented rules.
struct PlanOptions {
  std::optional<Style> style;  // default: the strategy's own style
  bool include_tp3 = true;
};

/// Builds a plan from a signal: tick-rounded entry, structure + ATR-floor + wick-buffer stop, a target ladder
/// from expected move and MFE statistics snapped outward to the context's key levels, R:R, confidence with its
/// factors, runner policy and warnings. Errors when ATR is unknown or the entry is not a price.
Result<Plan> BuildPlan(const SymbolContext& ctx, const Signal& signal, const PlanOptions& options = {});

/// Quantiles of the maximum favourable excursion (as a fraction of the start close) over `horizon` bars
/// that stay within one session (`session_key` empty: any bars). Returns the sorted samples.
std::vector<double> MfeSamples(const BarSeries& bars, std::span<const std::int64_t> session_key, std::size_t horizon,
                               Direction direction);

}  // namespace td::scanner
