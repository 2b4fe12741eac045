// SPDX-License-Identifier: MIT
#include "calendar/holiday_table.hpp"

#include <algorithm>
#include <charconv>

#include "calendar/local_time.hpp"

namespace td::calendar {
namespace {

constexpr std::string_view kHeader = "date,weekday,kind,hours,name,source";
constexpr std::string_view kWeekdayNames[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(Trim(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start)));
    if (end == std::string_view::npos) {
      return parts;
    }
    start = end + 1;
  }
}

std::vector<std::string_view> SplitWords(std::string_view text) {
  std::vector<std::string_view> words;
  for (std::string_view part : Split(text, ' ')) {
    if (!part.empty()) {
      words.push_back(part);
    }
  }
  return words;
}

// "HH:MM" -> minutes after midnight, or -1.
int ParseHourMinute(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') {
    return -1;
  }
  int hour = 0;
  int minute = 0;
  if (std::from_chars(text.data(), text.data() + 2, hour).ptr != text.data() + 2 ||
      std::from_chars(text.data() + 3, text.data() + 5, minute).ptr != text.data() + 5) {
    return -1;
  }
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return -1;
  }
  return hour * 60 + minute;
}

bool ParseYear(std::string_view text, int* year) {
  return text.size() == 4 && std::from_chars(text.data(), text.data() + 4, *year).ptr == text.data() + 4;
}

}  // namespace

Result<HolidayTable> HolidayTable::Parse(std::string_view text, std::string_view file_name) {
  HolidayTable table;
  table.file_name_ = std::string(file_name);
  int line_number = 0;
  bool header_seen = false;
  bool coverage_seen = false;
  bool provisional_seen = false;

  const auto fail = [&](std::string message, std::string_view column = {}) {
    std::string field = table.file_name_ + ":" + std::to_string(line_number);
    if (!column.empty()) {
      field += "." + std::string(column);
    }
    return Error{ErrorCode::kCorruptData, std::move(message), std::move(field)};
  };

  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const std::string_view line = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_number;
    if (line.empty()) {
      continue;
    }
    if (line.front() == '#') {
      const std::string_view body = Trim(line.substr(1));
      const std::size_t colon = body.find(':');
      if (colon == std::string_view::npos) {
        continue;
      }
      const std::string_view key = Trim(body.substr(0, colon));
      const std::string_view value = Trim(body.substr(colon + 1));
      if (key == "exchanges") {
        for (std::string_view word : SplitWords(value)) {
          table.exchanges_.emplace_back(word);
        }
        if (table.exchanges_.empty()) {
          return fail("the exchanges line names no exchange", "exchanges");
        }
      } else if (key == "coverage" || key == "provisional") {
        const auto words = SplitWords(value);
        int first = 0;
        int last = 0;
        if (key == "provisional" && words.empty()) {
          provisional_seen = true;
          continue;
        }
        if (words.size() != 2 || !ParseYear(words[0], &first) || !ParseYear(words[1], &last) || first > last) {
          return fail("expected two years 'YYYY YYYY' in ascending order", key);
        }
        if (key == "coverage") {
          table.first_year_ = first;
          table.last_year_ = last;
          coverage_seen = true;
        } else {
          table.provisional_first_ = first;
          table.provisional_last_ = last;
          provisional_seen = true;
        }
      } else if (key.starts_with("source ")) {
        const std::string_view id = Trim(key.substr(7));
        if (id.empty() || id.find(' ') != std::string_view::npos || value.empty()) {
          return fail("a source line is '# source <id>: <text>'", "source");
        }
        if (!table.SourceText(id).empty()) {
          return fail("source '" + std::string(id) + "' declared twice", "source");
        }
        table.sources_.push_back(Source{std::string(id), std::string(value)});
      }
      continue;
    }
    if (!header_seen) {
      if (line != kHeader) {
        return fail("expected the header '" + std::string(kHeader) + "'");
      }
      if (!coverage_seen || !provisional_seen || table.exchanges_.empty()) {
        return fail("the exchanges, coverage and provisional lines must come before the header");
      }
      if (table.provisional_first_ != 0 &&
          (table.provisional_first_ < table.first_year_ || table.provisional_last_ > table.last_year_)) {
        return fail("provisional years must lie inside the coverage", "provisional");
      }
      header_seen = true;
      continue;
    }

    const auto columns = Split(line, ',');
    if (columns.size() != 6) {
      return fail("expected 6 columns, found " + std::to_string(columns.size()));
    }
    SpecialDay day;
    auto date = ParseCivilDate(columns[0]);
    if (!date.ok()) {
      return fail(date.error().message, "date");
    }
    day.date = *date;
    if (day.date.year < table.first_year_ || day.date.year > table.last_year_) {
      return fail("date outside the coverage years", "date");
    }
    const int weekday = Weekday(DaysFromCivil(day.date));
    if (columns[1] != kWeekdayNames[weekday]) {
      return fail(
          std::string(columns[0]) + " is a " + std::string(kWeekdayNames[weekday]) + ", not " + std::string(columns[1]),
          "weekday");
    }
    const bool weekend = weekday == 0 || weekday == 6;
    const std::string_view kind = columns[2];
    const std::string_view hours = columns[3];
    if (kind == "closed") {
      day.kind = DayKind::kClosed;
      if (!hours.empty()) {
        return fail("a closed day has no hours", "hours");
      }
    } else if (kind == "early_close") {
      day.kind = DayKind::kEarlyClose;
      day.close_minute = ParseHourMinute(hours);
      if (day.close_minute < 0) {
        return fail("an early close needs hours 'HH:MM'", "hours");
      }
    } else if (kind == "session") {
      day.kind = DayKind::kSpecialSession;
      const auto range = Split(hours, '-');
      if (range.size() != 2) {
        return fail("a session needs hours 'HH:MM-HH:MM'", "hours");
      }
      day.open_minute = ParseHourMinute(range[0]);
      day.close_minute = ParseHourMinute(range[1]);
      if (day.open_minute < 0 || day.close_minute <= day.open_minute) {
        return fail("a session needs hours 'HH:MM-HH:MM' with the open before the close", "hours");
      }
    } else {
      return fail("unknown kind '" + std::string(kind) + "' (closed, early_close or session)", "kind");
    }
    if (weekend != (day.kind == DayKind::kSpecialSession)) {
      return fail(weekend ? "only a session may be listed on a weekend" : "a session must fall on a weekend", "kind");
    }
    if (columns[4].empty()) {
      return fail("every day needs a name", "name");
    }
    day.name = std::string(columns[4]);
    if (table.SourceText(columns[5]).empty()) {
      return fail("source '" + std::string(columns[5]) + "' is not declared by a '# source' line", "source");
    }
    day.source_id = std::string(columns[5]);
    day.provisional = table.IsProvisionalYear(day.date.year);
    if (!table.days_.empty() && !(table.days_.back().date < day.date)) {
      return fail("rows must be in strictly ascending date order", "date");
    }
    table.days_.push_back(std::move(day));
  }
  if (!header_seen) {
    return fail("no header line");
  }
  return table;
}

const SpecialDay* HolidayTable::Find(CivilDate date) const {
  const auto it = std::lower_bound(days_.begin(), days_.end(), date,
                                   [](const SpecialDay& day, CivilDate key) { return day.date < key; });
  return it != days_.end() && it->date == date ? &*it : nullptr;
}

std::string_view HolidayTable::SourceText(std::string_view id) const {
  for (const Source& source : sources_) {
    if (source.id == id) {
      return source.text;
    }
  }
  return {};
}

}  // namespace td::calendar
