// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace td {

enum class BarUnit : std::uint8_t { kSecond, kMinute, kHour, kDay, kWeek, kMonth };

/// A bar's length: a step of a unit, seconds to months ("15s", "1m", "5m", "1h", "4h", "1D", "1W", "1M").
struct BarSpec {
  std::uint32_t step = 1;
  BarUnit unit = BarUnit::kMinute;

  /// Parses "<step><unit>" with unit s, m (minute), h, D/d, W/w, M (month); also "1min", "5min", "1day",
  /// "1wk", "1mo" and OpenAlgo's "D"/"W"/"M". A lower-case "m" always means minutes.
  static Result<BarSpec> Parse(std::string_view text);
  /// The canonical text: "15s", "5m", "1h", "1D", "1W", "1M".
  std::string ToString() const;
  /// True for units of fixed length (seconds, minutes, hours); days and longer follow the session calendar.
  bool IsIntraday() const { return unit == BarUnit::kSecond || unit == BarUnit::kMinute || unit == BarUnit::kHour; }
  /// The length of an intraday bar; aborts for day-or-longer units.
  Duration IntradayLength() const;

  friend bool operator==(const BarSpec&, const BarSpec&) = default;
  friend auto operator<=>(const BarSpec& a, const BarSpec& b) {
    if (a.unit != b.unit) {
      return a.unit <=> b.unit;
    }
    return a.step <=> b.step;
  }
};

/// An OHLCV bar labelled by its start time (ts_event is the bar's open time, exchange-agnostic UTC).
struct Bar {
  UnixNanos ts_event;  // bar start
  UnixNanos ts_init;   // when we built or received it
  Price open;
  Price high;
  Price low;
  Price close;
  Quantity volume;

  /// True when low <= open, close <= high and low <= high.
  bool IsConsistent() const { return low <= high && low <= open && open <= high && low <= close && close <= high; }
};

}  // namespace td
