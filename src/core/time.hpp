// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace td {

using Duration = std::chrono::nanoseconds;

/// A point in time: nanoseconds since the Unix epoch, UTC. Never negative in valid data.
class UnixNanos {
 public:
  constexpr UnixNanos() = default;
  constexpr explicit UnixNanos(std::int64_t nanos) : nanos_(nanos) {}

  static constexpr UnixNanos FromSeconds(std::int64_t seconds) { return UnixNanos(seconds * 1'000'000'000); }
  static constexpr UnixNanos FromMillis(std::int64_t millis) { return UnixNanos(millis * 1'000'000); }

  constexpr std::int64_t nanos() const { return nanos_; }
  constexpr std::int64_t seconds() const { return FloorDiv(nanos_, 1'000'000'000); }
  constexpr std::int64_t millis() const { return FloorDiv(nanos_, 1'000'000); }

  /// Formats as ISO 8601 in UTC with millisecond precision: "2024-02-20T09:30:00.000Z".
  std::string ToIso8601() const;
  /// Parses ISO 8601 "YYYY-MM-DD[THH:MM[:SS[.fffffffff]]][Z|±HH:MM|±HHMM]" (a space may replace 'T').
  /// Without a zone designator the time is taken as UTC; naive local times belong to the calendar module.
  static Result<UnixNanos> ParseIso8601(std::string_view text);

  friend constexpr auto operator<=>(UnixNanos, UnixNanos) = default;
  friend constexpr UnixNanos operator+(UnixNanos t, Duration d) { return UnixNanos(t.nanos_ + d.count()); }
  friend constexpr UnixNanos operator-(UnixNanos t, Duration d) { return UnixNanos(t.nanos_ - d.count()); }
  friend constexpr Duration operator-(UnixNanos a, UnixNanos b) { return Duration(a.nanos_ - b.nanos_); }
  constexpr UnixNanos& operator+=(Duration d) { nanos_ += d.count(); return *this; }

 private:
  static constexpr std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
  }
  std::int64_t nanos_ = 0;
};

/// A proleptic Gregorian civil date.
struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  friend constexpr auto operator<=>(const CivilDate&, const CivilDate&) = default;
};

/// Days since 1970-01-01 for a civil date (valid for any year in ±5 million).
std::int64_t DaysFromCivil(CivilDate date);
/// The civil date of a day count since 1970-01-01.
CivilDate CivilFromDays(std::int64_t days);
/// True when the date exists (month 1..12, day within the month, leap years honoured).
bool IsValidDate(CivilDate date);
/// Day of week, 0 = Sunday .. 6 = Saturday.
int Weekday(std::int64_t days_since_epoch);

}  // namespace td
