// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/context.hpp"
#include "scanner/types.hpp"

namespace td::scanner {

/// Every strategy of the library (the seed's 18 plus the breakaway half of its gap strategy).
enum class StrategyId : std::uint8_t {
  kOrbRetest,
  kPowerHourTrend,
  kVwapAvwap,
  kGapFillOpen,
  kGapBreakaway,
  kMiddayMeanRevert,
  kLiquiditySweep,
  kInsideBreakout,
  kInsideDay,
  kEmaPullback,
  kEarningsDrift,
  kHighIvRank,
  kPmcc,
  kGexFlip,
  kVixGate,
  kBreakRetestScalp,
  kBreakRetest,
  kBreakRetestSwing,
  kMomentum,
};
inline constexpr std::size_t kStrategyCount = 19;

/// Contract selection rules for expressing a plan in options.
struct OptionsRules {
  int dte_min = 0;
  int dte_max = 0;
  double delta_min = 0.0;
  double delta_max = 0.0;
  double max_spread_pct = 0.0;  // 0 = no limit stated
  int min_open_interest = 0;
  int min_volume = 0;
  std::string_view structure;  // "long call/put", "debit spread", "credit spread (width 2)", "diagonal"
};

/// What a strategy is, when it triggers and how its plans are shaped (the table in README.md).
struct StrategySpec {
  StrategyId id;
  std::string_view key;  // stable snake_case id used in payloads
  std::string_view name;
  Style style;
  double min_rr;  // minimum reward:risk of every target
  double win_rate_target;
  OptionsRules options;
  std::string_view needs;  // inputs beyond bars, empty when none
};

/// The static table of every strategy, in StrategyId order.
std::span<const StrategySpec> AllStrategies();
const StrategySpec& Spec(StrategyId id);
/// Finds a strategy by its key ("orb_retest", ...).
std::optional<StrategyId> ParseStrategyKey(std::string_view key);

/// One confidence condition of a signal: what it checks, whether it held, and whether it could be judged at
/// all (volume conditions are unavailable on indices that carry no volume; they leave the count).
struct Condition {
  std::string_view name;
  bool met = false;
  bool available = true;
};

/// A detector's trade idea before plan building.
struct Signal {
  StrategyId strategy = StrategyId::kOrbRetest;
  Direction direction = Direction::kLong;
  double entry = 0.0;
  double structure_stop = 0.0;            // the defended price; the plan adds the wick buffer and ATR floor
  std::string stop_basis;                 // e.g. "retest low"
  std::vector<double> preferred_targets;  // structural levels the strategy aims for (snapped first)
  std::vector<Condition> conditions;
  std::string trigger;  // what fired, with prices
};

enum class DetectStatus : std::uint8_t { kSignal, kNoSignal, kNotApplicable };
/// "signal", "no_signal", "not_applicable".
std::string_view DetectStatusName(DetectStatus status);

/// A detector's decision: a signal, or why not (missing inputs make it "not applicable", never a fake signal).
struct Detection {
  StrategyId strategy = StrategyId::kOrbRetest;
  DetectStatus status = DetectStatus::kNoSignal;
  std::string reason;
  std::optional<Signal> signal;
};

/// Runs one detector on a context.
Detection Detect(StrategyId id, const SymbolContext& ctx);
/// Runs every detector, in StrategyId order.
std::vector<Detection> DetectAll(const SymbolContext& ctx);

}  // namespace td::scanner
