// SPDX-License-Identifier: MIT
#include "core/time.hpp"

#include <cstdio>

namespace td {
namespace {

bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// Reads exactly `count` digits at `pos`; returns -1 when they are not all digits.
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

Error BadTime(std::string_view text, std::string_view why) {
  return Error::InvalidArgument("bad time '" + std::string(text) + "': " + std::string(why));
}

}  // namespace

// Era-based conversion: a 400-year era has exactly 146097 days, which makes the arithmetic exact.
std::int64_t DaysFromCivil(CivilDate date) {
  const std::int64_t y = static_cast<std::int64_t>(date.year) - (date.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t year_of_era = y - era * 400;
  const std::int64_t month_index = (date.month + 9) % 12;  // March = 0
  const std::int64_t day_of_year = (153 * month_index + 2) / 5 + date.day - 1;
  const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

CivilDate CivilFromDays(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t day_of_era = days - era * 146097;
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t month_index = (5 * day_of_year + 2) / 153;
  const int day = static_cast<int>(day_of_year - (153 * month_index + 2) / 5 + 1);
  const int month = static_cast<int>(month_index < 10 ? month_index + 3 : month_index - 9);
  const int year = static_cast<int>(year_of_era + era * 400 + (month <= 2 ? 1 : 0));
  return CivilDate{year, month, day};
}

bool IsValidDate(CivilDate date) {
  return date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= DaysInMonth(date.year, date.month);
}

int Weekday(std::int64_t days_since_epoch) {
  const std::int64_t w = (days_since_epoch + 4) % 7;  // 1970-01-01 was a Thursday
  return static_cast<int>(w < 0 ? w + 7 : w);
}

std::string UnixNanos::ToIso8601() const {
  const std::int64_t total_ms = millis();
  const std::int64_t days = FloorDiv(total_ms, 86'400'000);
  const std::int64_t ms_of_day = total_ms - days * 86'400'000;
  const CivilDate date = CivilFromDays(days);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", date.year, date.month, date.day,
                static_cast<int>(ms_of_day / 3'600'000), static_cast<int>(ms_of_day / 60'000 % 60),
                static_cast<int>(ms_of_day / 1000 % 60), static_cast<int>(ms_of_day % 1000));
  return buffer;
}

Result<UnixNanos> UnixNanos::ParseIso8601(std::string_view text) {
  const int year = ReadDigits(text, 0, 4);
  const int month = ReadDigits(text, 5, 2);
  const int day = ReadDigits(text, 8, 2);
  if (year < 0 || month < 0 || day < 0 || text[4] != '-' || text[7] != '-') {
    return BadTime(text, "expected YYYY-MM-DD");
  }
  const CivilDate date{year, month, day};
  if (!IsValidDate(date)) {
    return BadTime(text, "no such date");
  }
  std::int64_t nanos_of_day = 0;
  std::size_t pos = 10;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    const int hour = ReadDigits(text, pos + 1, 2);
    const int minute = ReadDigits(text, pos + 4, 2);
    if (hour < 0 || minute < 0 || pos + 3 >= text.size() || text[pos + 3] != ':' || hour > 23 || minute > 59) {
      return BadTime(text, "expected HH:MM after the date");
    }
    pos += 6;
    int second = 0;
    if (pos < text.size() && text[pos] == ':') {
      second = ReadDigits(text, pos + 1, 2);
      if (second < 0 || second > 59) {
        return BadTime(text, "seconds must be 00..59");
      }
      pos += 3;
    }
    std::int64_t fraction = 0;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      std::int64_t scale = 100'000'000;
      std::size_t digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 9) {
          fraction += (text[pos] - '0') * scale;
          scale /= 10;
        }
        ++digits;
        ++pos;
      }
      if (digits == 0) {
        return BadTime(text, "empty fraction of a second");
      }
    }
    nanos_of_day = ((hour * 60LL + minute) * 60LL + second) * 1'000'000'000LL + fraction;
  }
  std::int64_t offset_seconds = 0;
  if (pos < text.size()) {
    const char zone = text[pos];
    if (zone == 'Z' || zone == 'z') {
      ++pos;
    } else if (zone == '+' || zone == '-') {
      const int oh = ReadDigits(text, pos + 1, 2);
      std::size_t minute_pos = pos + 3;
      if (minute_pos < text.size() && text[minute_pos] == ':') {
        ++minute_pos;
      }
      const int om = ReadDigits(text, minute_pos, 2);
      if (oh < 0 || om < 0 || oh > 23 || om > 59) {
        return BadTime(text, "bad UTC offset");
      }
      offset_seconds = (oh * 3600LL + om * 60LL) * (zone == '-' ? -1 : 1);
      pos = minute_pos + 2;
    }
  }
  if (pos != text.size()) {
    return BadTime(text, "unexpected text after the time");
  }
  const std::int64_t nanos =
      DaysFromCivil(date) * 86'400'000'000'000LL + nanos_of_day - offset_seconds * 1'000'000'000LL;
  return UnixNanos(nanos);
}

}  // namespace td
