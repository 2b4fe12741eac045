// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace date {
class time_zone;
}  // namespace date

namespace td::calendar {

/// A wall-clock reading in some zone: a civil date plus a time of day, with no offset attached.
struct LocalDateTime {
  CivilDate date;
  int hour = 0;                 // 0..23
  int minute = 0;               // 0..59
  int second = 0;               // 0..59 (leap seconds are not representable)
  std::int32_t nanosecond = 0;  // 0..999'999'999

  friend constexpr auto operator<=>(const LocalDateTime&, const LocalDateTime&) = default;
};

/// What to do with a local time that the clock skips (spring forward: 02:30 on 2024-03-10 in New York).
enum class NonexistentPolicy : std::uint8_t {
  kReject,        // an Error naming the field "local_time"
  kShiftForward,  // read it with the offset in force before the gap: 02:30 EST -> 03:30 EDT (07:30 UTC)
};

/// What to do with a local time that the clock shows twice (fall back: 01:30 on 2024-11-03 in New York).
enum class AmbiguousPolicy : std::uint8_t {
  kReject,    // an Error naming the field "local_time"
  kEarliest,  // the first occurrence (still on daylight time): 01:30 EDT = 05:30 UTC
  kLatest,    // the second occurrence (standard time): 01:30 EST = 06:30 UTC
};

/// How local-to-UTC conversion treats the DST edges. The default is strict: both cases are errors,
/// because a silently chosen instant would put a bar or an order an hour off.
struct LocalTimePolicy {
  NonexistentPolicy nonexistent = NonexistentPolicy::kReject;
  AmbiguousPolicy ambiguous = AmbiguousPolicy::kReject;
};

/// Checks every field of a local date-time; the error names the offending field.
Status ValidateLocalDateTime(const LocalDateTime& value);

/// Parses "YYYY-MM-DD" strictly (four-digit year, real calendar date).
Result<CivilDate> ParseCivilDate(std::string_view text);
/// Formats a date as "YYYY-MM-DD".
std::string FormatCivilDate(CivilDate date);
/// Parses "YYYY-MM-DD[ T]HH:MM[:SS[.fffffffff]]", a naive local reading without zone designator.
Result<LocalDateTime> ParseLocalDateTime(std::string_view text);
/// Formats as "YYYY-MM-DDTHH:MM:SS", adding ".fffffffff" only when the nanoseconds are not zero.
std::string FormatLocalDateTime(const LocalDateTime& value);

/// An IANA time zone from the operating system's database (tzdata), e.g. "America/New_York".
/// Cheap to copy: it points at the process-wide, immutable zone table.
class TimeZone {
 public:
  /// Looks a zone up by IANA name; a missing name or a missing tz database is an Error.
  static Result<TimeZone> Locate(std::string_view name);

  std::string_view name() const;

  /// The UTC instant of a wall-clock reading, resolving DST gaps and overlaps by `policy`.
  Result<UnixNanos> ToUtc(const LocalDateTime& local, LocalTimePolicy policy = {}) const;
  /// The wall-clock reading of an instant.
  LocalDateTime ToLocal(UnixNanos instant) const;
  /// The local calendar date of an instant.
  CivilDate LocalDate(UnixNanos instant) const;
  /// The offset from UTC in force at an instant (negative west of Greenwich).
  Duration UtcOffset(UnixNanos instant) const;

  friend bool operator==(const TimeZone& a, const TimeZone& b) { return a.zone_ == b.zone_; }

 private:
  explicit TimeZone(const date::time_zone* zone) : zone_(zone) {}
  const date::time_zone* zone_ = nullptr;
};

}  // namespace td::calendar
