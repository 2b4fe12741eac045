// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "levels/bars_view.hpp"
#include "model/bar.hpp"

namespace td::scanner {

/// The holding horizon a plan is built for; decides the timeframe, ATR, expected move and ranking weights.
enum class Style : std::uint8_t { kScalp, kIntraday, kSwing, kLeaps };
inline constexpr Style kAllStyles[] = {Style::kScalp, Style::kIntraday, Style::kSwing, Style::kLeaps};

/// Which way a plan trades the underlying.
enum class Direction : std::uint8_t { kLong, kShort };

/// Where the last bar sits in its regular session (relative to the exchange's own open and close).
enum class DayPhase : std::uint8_t { kOpenDrive, kMorning, kMidday, kAfternoon, kPowerHour };

/// "scalp", "intraday", "swing", "leaps".
std::string_view StyleName(Style style);
/// Parses the names StyleName gives (and "leap"), in any case.
Result<Style> ParseStyle(std::string_view text);
/// "long" or "short".
std::string_view DirectionName(Direction direction);
/// "open_drive", "morning", "midday", "afternoon", "power_hour".
std::string_view DayPhaseName(DayPhase phase);
/// +1 for long, −1 for short: multiplies price distances so one formula serves both directions.
inline double Sign(Direction d) {
  return d == Direction::kLong ? 1.0 : -1.0;
}

/// Bars of one timeframe as structure of arrays, oldest first. Intraday bars are labelled by their start
/// (UTC ns); daily bars by UTC midnight of the exchange-local session date; weekly bars by the Monday.
struct BarSeries {
  BarSpec spec{1, BarUnit::kMinute};
  std::vector<std::int64_t> ts;
  std::vector<double> open, high, low, close, volume;

  std::size_t size() const { return close.size(); }
  bool empty() const { return close.empty(); }
  void Reserve(std::size_t n);
  void Clear();
  void Push(std::int64_t t, double o, double h, double l, double c, double v);
  /// A read-only view of every bar, for the levels module.
  levels::BarsView View() const { return View(0, size()); }
  /// A view of `count` bars from `first` (clamped to the series).
  levels::BarsView View(std::size_t first, std::size_t count) const;
  /// Converts model bars (fixed point) to doubles at the boundary.
  static BarSeries FromBars(std::span<const Bar> bars, BarSpec spec);
};

}  // namespace td::scanner
