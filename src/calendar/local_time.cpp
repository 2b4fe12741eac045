// SPDX-License-Identifier: MIT
#include "calendar/local_time.hpp"

#include <date/tz.h>

#include <cstdio>
#include <exception>

namespace td::calendar {
namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::int64_t kNanosPerDay = 86'400 * kNanosPerSecond;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// Reads exactly `count` digits at `pos`; -1 when any is not a digit or the text is too short.
int ReadDigits(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) {
    return -1;
  }
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') {
      return -1;
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

Error BadText(std::string_view what, std::string_view text, std::string_view why, std::string field) {
  return Error::InvalidArgument("bad " + std::string(what) + " '" + std::string(text) + "': " + std::string(why),
                                std::move(field));
}

date::local_time<std::chrono::nanoseconds> ToDateLocal(const LocalDateTime& local) {
  const std::int64_t nanos =
      DaysFromCivil(local.date) * kNanosPerDay +
      (static_cast<std::int64_t>(local.hour) * 3600 + local.minute * 60 + local.second) * kNanosPerSecond +
      local.nanosecond;
  return date::local_time<std::chrono::nanoseconds>{std::chrono::nanoseconds{nanos}};
}

}  // namespace

Status ValidateLocalDateTime(const LocalDateTime& value) {
  if (!IsValidDate(value.date)) {
    return Error::InvalidArgument("no such calendar date: " + FormatCivilDate(value.date), "date");
  }
  if (value.hour < 0 || value.hour > 23) {
    return Error::InvalidArgument("hour must be within 0..23, was " + std::to_string(value.hour), "hour");
  }
  if (value.minute < 0 || value.minute > 59) {
    return Error::InvalidArgument("minute must be within 0..59, was " + std::to_string(value.minute), "minute");
  }
  if (value.second < 0 || value.second > 59) {
    return Error::InvalidArgument("second must be within 0..59, was " + std::to_string(value.second), "second");
  }
  if (value.nanosecond < 0 || value.nanosecond >= kNanosPerSecond) {
    return Error::InvalidArgument("nanosecond must be within 0..999999999", "nanosecond");
  }
  return {};
}

Result<CivilDate> ParseCivilDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return BadText("date", text, "expected YYYY-MM-DD", "date");
  }
  const int year = ReadDigits(text, 0, 4);
  const int month = ReadDigits(text, 5, 2);
  const int day = ReadDigits(text, 8, 2);
  if (year < 0 || month < 0 || day < 0) {
    return BadText("date", text, "expected YYYY-MM-DD", "date");
  }
  const CivilDate date{year, month, day};
  if (!IsValidDate(date)) {
    return BadText("date", text, "no such calendar date", "date");
  }
  return date;
}

std::string FormatCivilDate(CivilDate date) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", date.year, date.month, date.day);
  return buffer;
}

Result<LocalDateTime> ParseLocalDateTime(std::string_view text) {
  if (text.size() < 16 || (text[10] != 'T' && text[10] != ' ')) {
    return BadText("local time", text, "expected YYYY-MM-DD HH:MM[:SS[.f]]", "local_time");
  }
  auto date = ParseCivilDate(text.substr(0, 10));
  if (!date.ok()) {
    return date.error();
  }
  LocalDateTime out;
  out.date = *date;
  out.hour = ReadDigits(text, 11, 2);
  out.minute = ReadDigits(text, 14, 2);
  if (out.hour < 0 || text[13] != ':' || out.minute < 0) {
    return BadText("local time", text, "expected HH:MM after the date", "local_time");
  }
  std::size_t pos = 16;
  if (pos < text.size()) {
    out.second = ReadDigits(text, pos + 1, 2);
    if (text[pos] != ':' || out.second < 0) {
      return BadText("local time", text, "expected :SS after HH:MM", "local_time");
    }
    pos += 3;
  }
  if (pos < text.size()) {
    if (text[pos] != '.' || pos + 1 == text.size() || text.size() - pos - 1 > 9) {
      return BadText("local time", text, "expected 1 to 9 fraction digits after '.'", "local_time");
    }
    const std::size_t digits = text.size() - pos - 1;
    std::int64_t fraction = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      const char c = text[pos + 1 + i];
      if (c < '0' || c > '9') {
        return BadText("local time", text, "fraction must be digits", "local_time");
      }
      fraction = fraction * 10 + (c - '0');
    }
    for (std::size_t i = digits; i < 9; ++i) {
      fraction *= 10;
    }
    out.nanosecond = static_cast<std::int32_t>(fraction);
  }
  TD_TRY(ValidateLocalDateTime(out));
  return out;
}

std::string FormatLocalDateTime(const LocalDateTime& value) {
  char buffer[64];
  if (value.nanosecond == 0) {
    std::snprintf(buffer, sizeof buffer, "%sT%02d:%02d:%02d", FormatCivilDate(value.date).c_str(), value.hour,
                  value.minute, value.second);
  } else {
    std::snprintf(buffer, sizeof buffer, "%sT%02d:%02d:%02d.%09d", FormatCivilDate(value.date).c_str(), value.hour,
                  value.minute, value.second, static_cast<int>(value.nanosecond));
  }
  return buffer;
}

Result<TimeZone> TimeZone::Locate(std::string_view name) {
  try {
    return TimeZone(date::locate_zone(name));
  } catch (const std::exception& e) {
    // Either the name is unknown or the OS tz database (package tzdata) is absent.
    return Error::NotFound("time zone '" + std::string(name) + "' not available: " + e.what(), "tz");
  }
}

std::string_view TimeZone::name() const {
  TD_CHECK(zone_ != nullptr) << "TimeZone used before Locate";
  return zone_->name();
}

Result<UnixNanos> TimeZone::ToUtc(const LocalDateTime& local, LocalTimePolicy policy) const {
  TD_CHECK(zone_ != nullptr) << "TimeZone used before Locate";
  TD_TRY(ValidateLocalDateTime(local));
  const auto local_time = ToDateLocal(local);
  const date::local_info info = zone_->get_info(local_time);
  const auto at_offset = [&](std::chrono::seconds offset) {
    return UnixNanos((local_time.time_since_epoch() - offset).count());
  };
  switch (info.result) {
    case date::local_info::unique:
      return at_offset(info.first.offset);
    case date::local_info::nonexistent:
      if (policy.nonexistent == NonexistentPolicy::kShiftForward) {
        return at_offset(info.first.offset);
      }
      return Error::InvalidArgument(FormatLocalDateTime(local) + " does not exist in " + std::string(name()) +
                                        " (skipped by a daylight-saving change)",
                                    "local_time");
    case date::local_info::ambiguous:
      if (policy.ambiguous == AmbiguousPolicy::kEarliest) {
        return at_offset(info.first.offset);
      }
      if (policy.ambiguous == AmbiguousPolicy::kLatest) {
        return at_offset(info.second.offset);
      }
      return Error::InvalidArgument(FormatLocalDateTime(local) + " is ambiguous in " + std::string(name()) +
                                        " (repeated by a daylight-saving change)",
                                    "local_time");
  }
  TD_UNREACHABLE();
}

Duration TimeZone::UtcOffset(UnixNanos instant) const {
  TD_CHECK(zone_ != nullptr) << "TimeZone used before Locate";
  const date::sys_time<std::chrono::nanoseconds> sys{std::chrono::nanoseconds{instant.nanos()}};
  return std::chrono::duration_cast<Duration>(zone_->get_info(sys).offset);
}

LocalDateTime TimeZone::ToLocal(UnixNanos instant) const {
  const std::int64_t local = instant.nanos() + UtcOffset(instant).count();
  const std::int64_t days = FloorDiv(local, kNanosPerDay);
  const std::int64_t of_day = local - days * kNanosPerDay;
  LocalDateTime out;
  out.date = CivilFromDays(days);
  const std::int64_t seconds = of_day / kNanosPerSecond;
  out.hour = static_cast<int>(seconds / 3600);
  out.minute = static_cast<int>(seconds / 60 % 60);
  out.second = static_cast<int>(seconds % 60);
  out.nanosecond = static_cast<std::int32_t>(of_day % kNanosPerSecond);
  return out;
}

CivilDate TimeZone::LocalDate(UnixNanos instant) const {
  return ToLocal(instant).date;
}

}  // namespace td::calendar
