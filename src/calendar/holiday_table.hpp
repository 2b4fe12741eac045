// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace td::calendar {

/// How a listed day departs from an ordinary weekday.
enum class DayKind : std::uint8_t {
  kClosed,          // a trading holiday: no session at all
  kEarlyClose,      // the regular session ends early (NYSE half days, 13:00 ET)
  kSpecialSession,  // a session on a day that is normally closed (NSE Saturday sessions)
};

/// One row of an exchange holiday file.
struct SpecialDay {
  CivilDate date;
  DayKind kind = DayKind::kClosed;
  int open_minute = -1;   // minutes after local midnight; kSpecialSession only
  int close_minute = -1;  // minutes after local midnight; kEarlyClose and kSpecialSession
  std::string name;
  std::string source_id;     // key into HolidayTable::SourceText
  bool provisional = false;  // the year is not yet published by the exchange
};

/// The parsed content of one holiday data file (src/calendar/data/*.csv), with its sources and coverage.
/// Weekends are implicit; only departures from "weekdays trade, weekends do not" are listed.
class HolidayTable {
 public:
  /// Parses and checks a holiday file; every problem is an Error whose field is "<file>:<line>[.<column>]".
  static Result<HolidayTable> Parse(std::string_view text, std::string_view file_name);

  /// The row for `date`, or nullptr when the date is an ordinary day.
  const SpecialDay* Find(CivilDate date) const;
  const std::vector<SpecialDay>& days() const { return days_; }
  /// Exchange codes named by the file's "exchanges" line.
  const std::vector<std::string>& exchanges() const { return exchanges_; }
  int first_year() const { return first_year_; }
  int last_year() const { return last_year_; }
  /// True when the file marks the year as not yet published by the exchange.
  bool IsProvisionalYear(int year) const {
    return provisional_first_ != 0 && year >= provisional_first_ && year <= provisional_last_;
  }
  /// The text of a "# source <id>: text" line; empty when unknown.
  std::string_view SourceText(std::string_view id) const;
  std::string_view file_name() const { return file_name_; }

 private:
  struct Source {
    std::string id;
    std::string text;
  };
  std::string file_name_;
  std::vector<std::string> exchanges_;
  std::vector<Source> sources_;
  std::vector<SpecialDay> days_;  // sorted by date, unique
  int first_year_ = 0;
  int last_year_ = 0;
  int provisional_first_ = 0;
  int provisional_last_ = 0;
};

}  // namespace td::calendar
