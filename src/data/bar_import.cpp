// SPDX-License-Identifier: MIT
#include "data/bar_import.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>

#include "data/archive.hpp"

namespace td::data {
namespace {

constexpr int kMaxFields = 64;
constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr std::uint64_t kProgressBytes = std::uint64_t{1} << 20;
constexpr std::array<std::int64_t, 10> kPow10 = {1,      10,      100,      1000,      10000,
                                                 100000, 1000000, 10000000, 100000000, 1000000000};

struct Field {
  const char* begin = nullptr;
  const char* end = nullptr;
  std::string_view view() const { return {begin, static_cast<std::size_t>(end - begin)}; }
  bool empty() const { return begin == end; }
};

bool IsDigit(char c) {
  return static_cast<unsigned>(c - '0') < 10U;
}
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Strips blanks and one pair of surrounding double quotes.
Field Trim(Field f) {
  while (f.begin < f.end && (*f.begin == ' ' || *f.begin == '\t')) {
    ++f.begin;
  }
  while (f.end > f.begin && (f.end[-1] == ' ' || f.end[-1] == '\t')) {
    --f.end;
  }
  if (f.end - f.begin >= 2 && *f.begin == '"' && f.end[-1] == '"') {
    ++f.begin;
    --f.end;
  }
  return f;
}

// Splits [begin, end) at `delim` into at most `limit` (<= kMaxFields) fields and stops there; returns
// the number of fields stored.
int SplitFields(const char* begin, const char* end, char delim, std::array<Field, kMaxFields>& fields,
                int limit = kMaxFields) {
  int count = 0;
  const char* start = begin;
  for (const char* p = begin;; ++p) {
    if (p == end || *p == delim) {
      fields[static_cast<std::size_t>(count)] = Trim(Field{start, p});
      ++count;
      if (p == end || count == limit) {
        break;
      }
      start = p + 1;
    }
  }
  return count;
}

// Parses a plain decimal ("-12.50", "7", ".5", "829753.0", "1.5e6") into raw 1e-9 units. `decimals` gets
// the number of decimals written and `significant` the position of the last non-zero decimal (both
// capped at 9). Digits past the ninth decimal are rounded half away from zero.
bool ParseDecimalRaw(const char* b, const char* e, bool allow_negative, std::int64_t* raw, int* decimals,
                     int* significant) {
  const char* p = b;
  bool negative = false;
  if (p < e && (*p == '-' || *p == '+')) {
    negative = *p == '-';
    if (negative && !allow_negative) {
      return false;
    }
    ++p;
  }
  // Hand-rolled digit loops: this runs five times per CSV row, and from_chars' generality costs here.
  std::uint64_t integer = 0;
  const char* digits_start = p;
  while (p < e && IsDigit(*p)) {
    if (p - digits_start >= 18) {
      return false;  // far beyond the int64 range of raw units
    }
    integer = integer * 10 + static_cast<std::uint64_t>(*p - '0');
    ++p;
  }
  bool any_digit = p != digits_start;
  std::int64_t fraction = 0;
  int written = 0;
  int last_non_zero = 0;
  bool round_up = false;
  if (p < e && *p == '.') {
    ++p;
    const char* fraction_start = p;
    while (p < e && IsDigit(*p)) {
      if (written < 9) {
        fraction = fraction * 10 + (*p - '0');
        ++written;
        if (*p != '0') {
          last_non_zero = written;
        }
      } else if (p - fraction_start == 9) {
        round_up = *p >= '5';
      }
      ++p;
    }
    any_digit = any_digit || p != fraction_start;
  }
  if (!any_digit) {
    return false;
  }
  if (p != e) {
    if (*p != 'e' && *p != 'E') {
      return false;
    }
    double value = 0;
    auto [next, ec] = std::from_chars(b, e, value);
    if (ec != std::errc{} || next != e || !std::isfinite(value) || std::fabs(value) >= 9.2e9 ||
        (value < 0 && !allow_negative)) {
      return false;
    }
    *raw = std::llround(value * static_cast<double>(kNanosPerSecond));
    *decimals = 9;
    *significant = 0;
    for (int d = 9; d > 0; --d) {
      if (*raw % kPow10[static_cast<std::size_t>(9 - d + 1)] != 0) {
        *significant = d;
        break;
      }
    }
    return true;
  }
  if (integer > 9'223'372'035ULL) {
    return false;
  }
  std::int64_t value = static_cast<std::int64_t>(integer) * kNanosPerSecond +
                       fraction * kPow10[static_cast<std::size_t>(9 - written)] + (round_up ? 1 : 0);
  *raw = negative ? -value : value;
  *decimals = written;
  *significant = round_up ? 9 : last_non_zero;
  return true;
}

// The common case of ParseDecimalRaw, small enough to inline: [-]digits[.digits] with at most 9 decimals
// and at most 10 integer digits. Returns false for anything else, which then takes the full parser.
inline bool ParseDecimalFast(const char* p, const char* e, bool allow_negative, std::int64_t* raw, int* decimals,
                             int* significant) {
  const bool negative = p < e && *p == '-';
  if (negative) {
    if (!allow_negative) {
      return false;
    }
    ++p;
  }
  const char* const int_start = p;
  std::int64_t integer = 0;
  while (p < e && IsDigit(*p)) {
    integer = integer * 10 + (*p - '0');
    ++p;
  }
  const auto int_digits = p - int_start;
  if (int_digits == 0 || int_digits > 9) {
    return false;
  }
  std::int64_t fraction = 0;
  int written = 0;
  int last_non_zero = 0;
  if (p < e && *p == '.') {
    ++p;
    while (p < e && IsDigit(*p) && written < 9) {
      fraction = fraction * 10 + (*p - '0');
      ++written;
      last_non_zero = *p != '0' ? written : last_non_zero;
      ++p;
    }
  }
  if (p != e) {
    return false;
  }
  const std::int64_t value = integer * kNanosPerSecond + fraction * kPow10[static_cast<std::size_t>(9 - written)];
  *raw = negative ? -value : value;
  *decimals = written;
  *significant = last_non_zero;
  return true;
}

int ReadFixedDigits(const char* p, int count) {
  int value = 0;
  for (int i = 0; i < count; ++i) {
    if (!IsDigit(p[i])) {
      return -1;
    }
    value = value * 10 + (p[i] - '0');
  }
  return value;
}

// The last date text parsed and its day number: consecutive rows mostly share the date.
struct DateCache {
  std::array<char, 10> text{};
  std::size_t length = 0;
  std::int64_t days = 0;
};

// Reads a date at [p, e): YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD. Returns the end of the date or nullptr.
const char* ParseDate(const char* p, const char* e, std::int64_t* days, DateCache* cache = nullptr) {
  if (cache != nullptr && cache->length > 0 && static_cast<std::size_t>(e - p) >= cache->length &&
      std::memcmp(p, cache->text.data(), cache->length) == 0) {
    *days = cache->days;
    return p + cache->length;
  }
  const char* const start = p;
  int year = 0;
  int month = 0;
  int day = 0;
  if (e - p >= 10 && (p[4] == '-' || p[4] == '/') && p[7] == p[4]) {
    year = ReadFixedDigits(p, 4);
    month = ReadFixedDigits(p + 5, 2);
    day = ReadFixedDigits(p + 8, 2);
    p += 10;
  } else if (e - p >= 8) {
    year = ReadFixedDigits(p, 4);
    month = ReadFixedDigits(p + 4, 2);
    day = ReadFixedDigits(p + 6, 2);
    p += 8;
  } else {
    return nullptr;
  }
  const CivilDate date{year, month, day};
  if (year < 1900 || month < 0 || day < 0 || !IsValidDate(date)) {
    return nullptr;
  }
  *days = DaysFromCivil(date);
  if (cache != nullptr) {
    cache->length = static_cast<std::size_t>(p - start);
    std::memcpy(cache->text.data(), start, cache->length);
    cache->days = *days;
  }
  return p;
}

// Reads HH:MM[:SS[.fffffffff]] at [p, e). Returns the end or nullptr.
const char* ParseTimeOfDay(const char* p, const char* e, std::int64_t* nanos) {
  if (e - p < 5 || p[2] != ':') {
    return nullptr;
  }
  const int hour = ReadFixedDigits(p, 2);
  const int minute = ReadFixedDigits(p + 3, 2);
  if (hour < 0 || hour > 24 || minute < 0 || minute > 59) {
    return nullptr;
  }
  p += 5;
  int second = 0;
  std::int64_t fraction = 0;
  if (p < e && *p == ':') {
    if (e - p < 3) {
      return nullptr;
    }
    second = ReadFixedDigits(p + 1, 2);
    if (second < 0 || second > 59) {
      return nullptr;
    }
    p += 3;
    if (p < e && *p == '.') {
      ++p;
      int digits = 0;
      while (p < e && IsDigit(*p)) {
        if (digits < 9) {
          fraction = fraction * 10 + (*p - '0');
          ++digits;
        }
        ++p;
      }
      if (digits == 0) {
        return nullptr;
      }
      fraction *= kPow10[static_cast<std::size_t>(9 - digits)];
    }
  }
  if (hour == 24 && (minute != 0 || second != 0 || fraction != 0)) {
    return nullptr;
  }
  *nanos = ((hour * 60LL + minute) * 60LL + second) * kNanosPerSecond + fraction;
  return p;
}

struct DateTimeParts {
  std::int64_t days = 0;
  std::int64_t nanos_of_day = 0;
  bool has_time = false;
  bool has_offset = false;
  std::int64_t offset_seconds = 0;
};

bool ParseDateTime(const char* p, const char* e, DateTimeParts* out, DateCache* cache = nullptr) {
  p = ParseDate(p, e, &out->days, cache);
  if (p == nullptr) {
    return false;
  }
  out->has_time = false;
  out->has_offset = false;
  out->nanos_of_day = 0;
  out->offset_seconds = 0;
  if (p < e && (*p == 'T' || *p == ' ')) {
    p = ParseTimeOfDay(p + 1, e, &out->nanos_of_day);
    if (p == nullptr) {
      return false;
    }
    out->has_time = true;
  }
  if (p < e) {
    if (*p == 'Z' || *p == 'z') {
      out->has_offset = true;
      ++p;
    } else if (*p == '+' || *p == '-') {
      const bool negative = *p == '-';
      if (e - p < 3) {
        return false;
      }
      const int hours = ReadFixedDigits(p + 1, 2);
      p += 3;
      if (p < e && *p == ':') {
        ++p;
      }
      if (e - p < 2) {
        return false;
      }
      const int minutes = ReadFixedDigits(p, 2);
      if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) {
        return false;
      }
      p += 2;
      out->has_offset = true;
      out->offset_seconds = (hours * 3600LL + minutes * 60LL) * (negative ? -1 : 1);
    }
  }
  return p == e;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

bool IsNumeric(std::string_view s) {
  std::int64_t raw = 0;
  int decimals = 0;
  int significant = 0;
  return !s.empty() && ParseDecimalRaw(s.data(), s.data() + s.size(), true, &raw, &decimals, &significant);
}

bool LooksLeanDateTime(std::string_view s) {
  return s.size() == 14 && AllDigits(s.substr(0, 8)) && s[8] == ' ' && AllDigits(s.substr(9, 2)) && s[11] == ':' &&
         AllDigits(s.substr(12, 2));
}

bool LooksHourMinute(std::string_view s) {
  return s.size() >= 5 && AllDigits(s.substr(0, 2)) && s[2] == ':' && AllDigits(s.substr(3, 2));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; });
  return out;
}

// The first non-blank line (without its line break and a UTF-8 byte order mark), and the one after.
std::array<std::string_view, 2> FirstLines(std::string_view text) {
  std::array<std::string_view, 2> lines{};
  std::size_t found = 0;
  std::size_t pos = 0;
  while (pos < text.size() && found < 2) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.find_first_not_of(" \t") != std::string_view::npos) {
      lines[found++] = line;
    }
    pos = end + 1;
  }
  return lines;
}

char DetectDelimiter(std::string_view line) {
  char best = ',';
  std::ptrdiff_t best_count = 0;
  for (const char c : {',', ';', '\t', '|'}) {
    const auto count = std::count(line.begin(), line.end(), c);
    if (count > best_count) {
      best = c;
      best_count = count;
    }
  }
  return best;
}

std::vector<std::string_view> SplitView(std::string_view line, char delim) {
  std::array<Field, kMaxFields> fields;
  const int count = SplitFields(line.data(), line.data() + line.size(), delim, fields);
  std::vector<std::string_view> out;
  for (int i = 0; i < count; ++i) {
    out.push_back(fields[static_cast<std::size_t>(i)].view());
  }
  return out;
}

bool IsHeaderLine(const std::vector<std::string_view>& fields) {
  return std::any_of(fields.begin(), fields.end(), [](std::string_view f) { return !f.empty() && IsAlpha(f[0]); });
}

// The last run of exactly eight digits in `name` that is a valid date (Lean puts the date in names).
std::optional<CivilDate> DateInName(std::string_view name) {
  std::optional<CivilDate> found;
  std::size_t i = 0;
  while (i < name.size()) {
    if (!IsDigit(name[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < name.size() && IsDigit(name[j])) {
      ++j;
    }
    if (j - i == 8) {
      const CivilDate date{ReadFixedDigits(name.data() + i, 4), ReadFixedDigits(name.data() + i + 4, 2),
                           ReadFixedDigits(name.data() + i + 6, 2)};
      if (date.year >= 1900 && IsValidDate(date)) {
        found = date;
      }
    }
    i = j;
  }
  return found;
}

int FindHeader(const std::vector<std::string>& header, std::initializer_list<std::string_view> names) {
  for (const std::string_view name : names) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) {
        return static_cast<int>(i);
      }
    }
  }
  return -1;
}

// The resolved reading plan of one file.
struct Plan {
  BarFileFormat format = BarFileFormat::kGenericCsv;
  char delimiter = ',';
  bool has_header = false;
  int time_col = -1;
  int date_col = -1;
  int open_col = -1;
  int high_col = -1;
  int low_col = -1;
  int close_col = -1;
  int volume_col = -1;
  int symbol_col = -1;
  int needed_fields = 0;
  TimeEncoding encoding = TimeEncoding::kAuto;
  std::int64_t divisor = 1;
  int divisor_decimals = 0;
  BarLabel label = BarLabel::kBarStart;
  std::optional<BarSpec> spec;
  std::optional<BarSpec> fallback_spec;
  std::optional<SessionTemplate> session;
  std::string time_zone;
  std::int64_t file_day = 0;
  bool has_file_day = false;
  bool lean_daily_midnight = false;  // a Lean daily file: "YYYYMMDD 00:00" means the session date
};

Result<int> ResolveColumn(const ColumnRef& ref, const std::vector<std::string>& header, int fallback,
                          std::string_view what) {
  if (ref.index >= 0) {
    if (ref.index >= kMaxFields) {
      return Error::InvalidArgument("column index for " + std::string(what) + " must be below 64", "csv");
    }
    return ref.index;
  }
  if (!ref.name.empty()) {
    const std::string wanted = Lower(ref.name);
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == wanted) {
        return static_cast<int>(i);
      }
    }
    return Error::InvalidArgument("no column named '" + ref.name + "' for " + std::string(what), "csv");
  }
  return fallback;
}

Result<Plan> MakePlan(std::string_view text, std::string_view file_name, const ImportOptions& options,
                      BarFileFormat format) {
  Plan plan;
  plan.format = format;
  const auto lines = FirstLines(text);
  plan.delimiter = options.csv.delimiter != 0 ? options.csv.delimiter : DetectDelimiter(lines[0]);
  plan.session = options.session;
  plan.encoding = options.time_encoding;
  std::string default_zone = "UTC";
  BarLabel default_label = BarLabel::kBarStart;
  switch (format) {
    case BarFileFormat::kLeanMinute: {
      plan.delimiter = options.csv.delimiter != 0 ? options.csv.delimiter : ',';
      plan.time_col = 0;
      plan.open_col = 1;
      plan.high_col = 2;
      plan.low_col = 3;
      plan.close_col = 4;
      plan.volume_col = 5;
      plan.encoding = TimeEncoding::kMillisOfDay;
      plan.divisor = 10'000;
      default_zone = "America/New_York";
      const std::optional<CivilDate> date = options.file_date ? options.file_date : DateInName(file_name);
      if (!date) {
        return Error::InvalidArgument(
            "Lean minute file '" + std::string(file_name) + "' has no YYYYMMDD date in its name; pass file_date",
            "file_date");
      }
      plan.file_day = DaysFromCivil(*date);
      plan.has_file_day = true;
      const std::string lower = Lower(file_name);
      plan.fallback_spec = lower.find("second") != std::string::npos ? BarSpec{1, BarUnit::kSecond}
                           : lower.find("hour") != std::string::npos ? BarSpec{1, BarUnit::kHour}
                                                                     : BarSpec{1, BarUnit::kMinute};
      break;
    }
    case BarFileFormat::kLeanDaily: {
      plan.delimiter = options.csv.delimiter != 0 ? options.csv.delimiter : ',';
      plan.time_col = 0;
      plan.open_col = 1;
      plan.high_col = 2;
      plan.low_col = 3;
      plan.close_col = 4;
      plan.volume_col = 5;
      plan.encoding = TimeEncoding::kDateTime;
      plan.divisor = 10'000;
      default_zone = "America/New_York";
      const auto first = SplitView(lines[0], plan.delimiter);
      plan.lean_daily_midnight = !first.empty() && first[0].size() == 14 && first[0].substr(9) == "00:00";
      if (plan.lean_daily_midnight) {
        plan.fallback_spec = BarSpec{1, BarUnit::kDay};
      }
      break;
    }
    case BarFileFormat::kIndianVendor:
      plan.delimiter = options.csv.delimiter != 0 ? options.csv.delimiter : ',';
      plan.symbol_col = 0;
      plan.date_col = 1;
      plan.time_col = 2;
      plan.open_col = 3;
      plan.high_col = 4;
      plan.low_col = 5;
      plan.close_col = 6;
      plan.volume_col = 7;
      plan.encoding = TimeEncoding::kDateTime;
      default_zone = "Asia/Kolkata";
      default_label = BarLabel::kBarEnd;
      plan.fallback_spec = BarSpec{1, BarUnit::kMinute};
      if (!plan.session && options.format_default_session) {
        plan.session = NseRegularSession();
      }
      break;
    case BarFileFormat::kTradingView:
    case BarFileFormat::kGenericCsv: {
      const auto first = SplitView(lines[0], plan.delimiter);
      plan.has_header = options.csv.has_header.value_or(IsHeaderLine(first));
      std::vector<std::string> header;
      if (plan.has_header) {
        for (const auto name : first) {
          header.push_back(Lower(name));
        }
      }
      int time_guess = 0;
      int date_guess = -1;
      int open_guess = 1;
      int high_guess = 2;
      int low_guess = 3;
      int close_guess = 4;
      int volume_guess = first.size() > 5 ? 5 : -1;
      if (plan.has_header) {
        time_guess =
            FindHeader(header, {"datetime", "date_time", "timestamp", "timestamp_utc", "datetime_utc", "ts_event", "ts",
                                "dt", "t", "bar_start", "start", "open_time", "gmt time", "local time"});
        const int date_col = FindHeader(header, {"date", "day", "trade_date"});
        const int time_col = FindHeader(header, {"time", "hhmm"});
        if (time_guess < 0 && date_col >= 0 && time_col >= 0) {
          date_guess = date_col;
          time_guess = time_col;
        } else if (time_guess < 0) {
          time_guess = time_col >= 0 ? time_col : date_col;
        }
        open_guess = FindHeader(header, {"open", "o", "open_price", "opening"});
        high_guess = FindHeader(header, {"high", "h", "high_price"});
        low_guess = FindHeader(header, {"low", "l", "low_price"});
        close_guess = FindHeader(header, {"close", "c", "close_price", "last", "price"});
        volume_guess = FindHeader(header, {"volume", "vol", "v", "qty", "quantity"});
      }
      auto col = ResolveColumn(options.csv.time, header, time_guess, "time");
      TD_TRY(col);
      plan.time_col = *col;
      col = ResolveColumn(options.csv.date, header, date_guess, "date");
      TD_TRY(col);
      plan.date_col = *col;
      col = ResolveColumn(options.csv.open, header, open_guess, "open");
      TD_TRY(col);
      plan.open_col = *col;
      col = ResolveColumn(options.csv.high, header, high_guess, "high");
      TD_TRY(col);
      plan.high_col = *col;
      col = ResolveColumn(options.csv.low, header, low_guess, "low");
      TD_TRY(col);
      plan.low_col = *col;
      col = ResolveColumn(options.csv.close, header, close_guess, "close");
      TD_TRY(col);
      plan.close_col = *col;
      col = ResolveColumn(options.csv.volume, header, volume_guess, "volume");
      TD_TRY(col);
      plan.volume_col = *col;
      if (plan.time_col < 0 || plan.open_col < 0 || plan.high_col < 0 || plan.low_col < 0 || plan.close_col < 0) {
        return Error::InvalidArgument("cannot find the time/open/high/low/close columns in the header of '" +
                                          std::string(file_name) + "'; name them in ImportOptions::csv",
                                      "csv");
      }
      if (format == BarFileFormat::kTradingView && plan.encoding == TimeEncoding::kAuto) {
        plan.encoding = TimeEncoding::kEpochSeconds;
      }
      break;
    }
    case BarFileFormat::kAuto:
      TD_UNREACHABLE();
  }
  if (options.price_divisor < 0 || (options.price_divisor > 0 && kNanosPerSecond % options.price_divisor != 0)) {
    return Error::InvalidArgument("price_divisor must be a power of ten up to 10^9", "price_divisor");
  }
  if (options.price_divisor > 0) {
    plan.divisor = options.price_divisor;
  }
  while (kPow10[static_cast<std::size_t>(plan.divisor_decimals)] < plan.divisor) {
    ++plan.divisor_decimals;
  }
  if (kPow10[static_cast<std::size_t>(plan.divisor_decimals)] != plan.divisor) {
    return Error::InvalidArgument("price_divisor must be a power of ten up to 10^9", "price_divisor");
  }
  plan.label = options.label.value_or(default_label);
  plan.spec = options.spec;
  if (plan.spec && !plan.spec->IsIntraday() && plan.spec->unit != BarUnit::kDay) {
    return Error::InvalidArgument("bar files hold bars of one second to one day, not " + plan.spec->ToString(), "spec");
  }
  if (plan.session) {
    TD_TRY(plan.session->Validate());
  }
  plan.time_zone = !options.time_zone.empty() ? options.time_zone
                   : plan.session             ? plan.session->time_zone
                                              : default_zone;
  plan.needed_fields = 1 + std::max({plan.time_col, plan.date_col, plan.open_col, plan.high_col, plan.low_col,
                                     plan.close_col, plan.volume_col, plan.symbol_col});
  return plan;
}

// Everything a row produced, in file order.
struct Rows {
  BarColumns bars;
  std::vector<std::uint64_t> line;         // 1-based line number
  std::vector<std::uint32_t> time_column;  // 1-based character column of the time field
  bool date_only = false;
  int price_decimals = 0;
  int volume_decimals = 0;
  std::string symbol;
};

class Reader {
 public:
  Reader(std::string_view text, std::string_view file_name, const ImportOptions& options, Plan plan, ZoneConverter zone,
         const ProgressFn& progress, ImportReport& report)
      : text_(text),
        file_(file_name),
        options_(options),
        plan_(std::move(plan)),
        zone_(std::move(zone)),
        progress_(progress),
        report_(report) {}

  Status Run(Rows& rows);

 private:
  // Records a bad row; returns an error when the policy is to abort.
  Status Bad(std::uint64_t line, std::uint32_t column, std::string_view field, std::string reason) {
    RowIssue issue{std::string(file_), line, column, std::string(field), std::move(reason)};
    if (options_.on_bad_row == BadRowPolicy::kAbort) {
      return Error::InvalidArgument(issue.ToString(), issue.field);
    }
    ++report_.bad_rows;
    if (report_.issues.size() < options_.max_reported_issues) {
      report_.issues.push_back(std::move(issue));
    }
    return {};
  }
  Status ResolveEncoding(const Field& time_field, Rows& rows);

  std::string_view text_;
  std::string_view file_;
  const ImportOptions& options_;
  Plan plan_;
  ZoneConverter zone_;
  const ProgressFn& progress_;
  ImportReport& report_;
  bool encoding_resolved_ = false;
  DateCache date_cache_;
};

Status Reader::ResolveEncoding(const Field& time_field, Rows& rows) {
  encoding_resolved_ = true;
  const std::string_view t = time_field.view();
  if (plan_.encoding == TimeEncoding::kAuto) {
    const std::string_view integer = t.substr(0, t.find('.'));
    std::int64_t days = 0;
    if (plan_.date_col < 0 && AllDigits(integer) &&
        !(integer.size() == 8 && ParseDate(integer.data(), integer.data() + 8, &days) != nullptr)) {
      plan_.encoding = integer.size() >= 12 ? TimeEncoding::kEpochMillis : TimeEncoding::kEpochSeconds;
    } else {
      plan_.encoding = TimeEncoding::kDateTime;
    }
  }
  if (plan_.encoding == TimeEncoding::kDateTime) {
    if (plan_.lean_daily_midnight) {
      rows.date_only = true;
    } else if (plan_.date_col < 0) {
      DateTimeParts parts;
      rows.date_only = ParseDateTime(time_field.begin, time_field.end, &parts) && !parts.has_time;
    }
  }
  return {};
}

Status Reader::Run(Rows& rows) {
  const char* const text_begin = text_.data();
  const char* p = text_begin;
  const char* const end = p + text_.size();
  if (end - p >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
    p += 3;
  }
  std::array<Field, kMaxFields> fields;
  std::uint64_t line_no = 0;
  bool header_pending = plan_.has_header;
  std::uint64_t next_progress = kProgressBytes;
  const std::int64_t session_open = plan_.session ? plan_.session->open.count() : 0;
  const std::int64_t divisor = plan_.divisor;
  rows.bars.Reserve(text_.size() / 48 + 16);
  while (p < end) {
    const char* line_begin = p;
    const char* newline = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const char* line_end = newline != nullptr ? newline : end;
    p = newline != nullptr ? newline + 1 : end;
    ++line_no;
    if (line_end > line_begin && line_end[-1] == '\r') {
      --line_end;
    }
    if (static_cast<std::uint64_t>(p - text_begin) >= next_progress && progress_) {
      progress_(ImportProgress{file_, static_cast<std::uint64_t>(p - text_begin), text_.size(), report_.rows});
      next_progress = static_cast<std::uint64_t>(p - text_begin) + kProgressBytes;
    }
    const char* first_char = line_begin;
    while (first_char < line_end && (*first_char == ' ' || *first_char == '\t')) {
      ++first_char;
    }
    if (first_char == line_end) {
      continue;
    }
    if (header_pending) {
      header_pending = false;
      continue;
    }
    ++report_.rows;
    const auto column_of = [&](const Field& f) { return static_cast<std::uint32_t>(f.begin - line_begin + 1); };
    const int count = SplitFields(line_begin, line_end, plan_.delimiter, fields, plan_.needed_fields);
    if (count < plan_.needed_fields) {
      TD_TRY(
          Bad(line_no, static_cast<std::uint32_t>(line_end - line_begin + 1), "row",
              "expected at least " + std::to_string(plan_.needed_fields) + " fields, found " + std::to_string(count)));
      continue;
    }
    if (plan_.symbol_col >= 0) {
      const Field& symbol = fields[static_cast<std::size_t>(plan_.symbol_col)];
      if (rows.symbol.empty()) {
        if (symbol.empty()) {
          TD_TRY(Bad(line_no, column_of(symbol), "symbol", "empty symbol"));
          continue;
        }
        rows.symbol = std::string(symbol.view());
      } else if (symbol.view() != rows.symbol) {
        TD_TRY(Bad(line_no, column_of(symbol), "symbol",
                   "symbol '" + std::string(symbol.view()) + "' differs from '" + rows.symbol + "'"));
        continue;
      }
    }
    // Time.
    const Field& time_field = fields[static_cast<std::size_t>(plan_.time_col)];
    if (!encoding_resolved_) {
      TD_TRY(ResolveEncoding(time_field, rows));
    }
    std::int64_t ts = 0;
    bool time_ok = true;
    std::string_view time_problem = "bad time";
    switch (plan_.encoding) {
      case TimeEncoding::kEpochSeconds: {
        std::int64_t raw = 0;
        int decimals = 0;
        int significant = 0;
        time_ok = ParseDecimalRaw(time_field.begin, time_field.end, false, &raw, &decimals, &significant);
        ts = raw;  // raw 1e-9 units of a second are nanoseconds
        time_problem = "bad epoch seconds";
        break;
      }
      case TimeEncoding::kEpochMillis: {
        std::int64_t millis = 0;
        auto [next, ec] = std::from_chars(time_field.begin, time_field.end, millis);
        time_ok = ec == std::errc{} && next == time_field.end && millis >= 0 && millis < 9'000'000'000'000'000LL;
        ts = millis * 1'000'000;
        time_problem = "bad epoch milliseconds";
        break;
      }
      case TimeEncoding::kMillisOfDay: {
        std::int64_t millis = 0;
        auto [next, ec] = std::from_chars(time_field.begin, time_field.end, millis);
        time_ok = ec == std::errc{} && next == time_field.end && millis >= 0 && millis <= 86'400'000;
        if (time_ok) {
          const std::int64_t local = plan_.file_day * kSecondsPerDay + millis / 1000;
          ts = zone_.ToUtc(local) * kNanosPerSecond + (millis % 1000) * 1'000'000;
        }
        time_problem = "bad milliseconds since midnight";
        break;
      }
      case TimeEncoding::kDateTime:
      case TimeEncoding::kAuto: {
        DateTimeParts parts;
        if (plan_.date_col >= 0) {
          const Field& date_field = fields[static_cast<std::size_t>(plan_.date_col)];
          const char* date_end = ParseDate(date_field.begin, date_field.end, &parts.days, &date_cache_);
          if (date_end != date_field.end) {
            TD_TRY(Bad(line_no, column_of(date_field), "date", "bad date '" + std::string(date_field.view()) + "'"));
            continue;
          }
          time_ok = ParseTimeOfDay(time_field.begin, time_field.end, &parts.nanos_of_day) == time_field.end;
          parts.has_time = true;
        } else {
          time_ok = ParseDateTime(time_field.begin, time_field.end, &parts, &date_cache_);
          if (time_ok && plan_.lean_daily_midnight) {
            time_ok = parts.nanos_of_day == 0;
            parts.has_time = false;
          }
          if (time_ok && parts.has_time == rows.date_only) {
            time_ok = false;
            time_problem = rows.date_only ? "expected a date without a time" : "expected a date with a time";
          }
        }
        if (time_ok) {
          if (parts.has_offset) {
            ts = (parts.days * kSecondsPerDay - parts.offset_seconds) * kNanosPerSecond + parts.nanos_of_day;
          } else {
            const std::int64_t sod = parts.has_time ? parts.nanos_of_day / kNanosPerSecond : session_open;
            const std::int64_t sub = parts.has_time ? parts.nanos_of_day % kNanosPerSecond : 0;
            ts = zone_.ToUtc(parts.days * kSecondsPerDay + sod) * kNanosPerSecond + sub;
          }
        }
        break;
      }
    }
    if (!time_ok || ts < 0) {
      TD_TRY(Bad(line_no, column_of(time_field), "time",
                 std::string(time_problem) + " '" + std::string(time_field.view()) + "'"));
      continue;
    }
    // Prices and volume.
    std::array<std::int64_t, 4> price{};
    const std::array<int, 4> price_cols = {plan_.open_col, plan_.high_col, plan_.low_col, plan_.close_col};
    static constexpr std::array<std::string_view, 4> kPriceNames = {"open", "high", "low", "close"};
    bool prices_ok = true;
    for (std::size_t k = 0; k < 4; ++k) {
      const Field& f = fields[static_cast<std::size_t>(price_cols[k])];
      int decimals = 0;
      int significant = 0;
      std::int64_t raw = 0;
      if (!ParseDecimalFast(f.begin, f.end, true, &raw, &decimals, &significant) &&
          !ParseDecimalRaw(f.begin, f.end, true, &raw, &decimals, &significant)) {
        TD_TRY(Bad(line_no, column_of(f), kPriceNames[k], "bad number '" + std::string(f.view()) + "'"));
        prices_ok = false;
        break;
      }
      if (divisor != 1) {
        if (raw % divisor != 0) {
          TD_TRY(Bad(
              line_no, column_of(f), kPriceNames[k],
              "'" + std::string(f.view()) + "' has more than 9 decimals after dividing by " + std::to_string(divisor)));
          prices_ok = false;
          break;
        }
        raw /= divisor;
      }
      if (raw <= 0) {
        TD_TRY(
            Bad(line_no, column_of(f), kPriceNames[k], "price must be positive, was '" + std::string(f.view()) + "'"));
        prices_ok = false;
        break;
      }
      rows.price_decimals = std::max(rows.price_decimals, decimals);
      price[k] = raw;
    }
    if (!prices_ok) {
      continue;
    }
    std::int64_t volume = 0;
    if (plan_.volume_col >= 0) {
      const Field& f = fields[static_cast<std::size_t>(plan_.volume_col)];
      if (!f.empty()) {
        int decimals = 0;
        int significant = 0;
        if (!ParseDecimalFast(f.begin, f.end, false, &volume, &decimals, &significant) &&
            !ParseDecimalRaw(f.begin, f.end, false, &volume, &decimals, &significant)) {
          TD_TRY(Bad(line_no, column_of(f), "volume", "bad volume '" + std::string(f.view()) + "'"));
          continue;
        }
        rows.volume_decimals = std::max(rows.volume_decimals, significant);
      }
    }
    const auto [open, high, low, close] = price;
    if (high < low) {
      TD_TRY(Bad(line_no, column_of(fields[static_cast<std::size_t>(plan_.high_col)]), "high", "high is below low"));
      continue;
    }
    if (open < low || open > high) {
      TD_TRY(Bad(line_no, column_of(fields[static_cast<std::size_t>(plan_.open_col)]), "open",
                 "open is outside low..high"));
      continue;
    }
    if (close < low || close > high) {
      TD_TRY(Bad(line_no, column_of(fields[static_cast<std::size_t>(plan_.close_col)]), "close",
                 "close is outside low..high"));
      continue;
    }
    rows.bars.Push(ts, open, high, low, close, volume);
    rows.line.push_back(line_no);
    rows.time_column.push_back(column_of(time_field));
  }
  if (progress_) {
    progress_(ImportProgress{file_, text_.size(), text_.size(), report_.rows});
  }
  return {};
}

template <typename T>
void Permute(std::vector<T>& values, const std::vector<std::uint32_t>& order) {
  std::vector<T> out(values.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    out[i] = values[order[i]];
  }
  values.swap(out);
}

void ApplyOrder(Rows& rows, const std::vector<std::uint32_t>& order) {
  BarColumns& b = rows.bars;
  for (auto* column : {&b.ts, &b.open, &b.high, &b.low, &b.close, &b.volume}) {
    Permute(*column, order);
  }
  Permute(rows.line, order);
  Permute(rows.time_column, order);
}

// Keeps the rows for which keep(i) is true, in order.
template <typename Keep>
void Compact(Rows& rows, const Keep& keep) {
  BarColumns& b = rows.bars;
  std::size_t out = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (!keep(i)) {
      continue;
    }
    if (out != i) {
      b.ts[out] = b.ts[i];
      b.open[out] = b.open[i];
      b.high[out] = b.high[i];
      b.low[out] = b.low[i];
      b.close[out] = b.close[i];
      b.volume[out] = b.volume[i];
      rows.line[out] = rows.line[i];
      rows.time_column[out] = rows.time_column[i];
    }
    ++out;
  }
  for (auto* column : {&b.ts, &b.open, &b.high, &b.low, &b.close, &b.volume}) {
    column->resize(out);
  }
  rows.line.resize(out);
  rows.time_column.resize(out);
}

std::optional<BarSpec> InferSpec(const std::vector<std::int64_t>& ts) {
  std::map<std::int64_t, std::size_t> counts;
  const std::size_t limit = std::min<std::size_t>(ts.size(), 5000);
  for (std::size_t i = 1; i < limit; ++i) {
    const std::int64_t delta = ts[i] - ts[i - 1];
    if (delta > 0 && delta % kNanosPerSecond == 0) {
      ++counts[delta / kNanosPerSecond];
    }
  }
  if (counts.empty()) {
    return std::nullopt;
  }
  const auto best =
      std::max_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  const std::int64_t seconds = best->first;
  std::string text;
  if (seconds >= kSecondsPerDay) {
    return std::nullopt;
  }
  if (seconds % 3600 == 0) {
    text = std::to_string(seconds / 3600) + "h";
  } else if (seconds % 60 == 0) {
    text = std::to_string(seconds / 60) + "m";
  } else {
    text = std::to_string(seconds) + "s";
  }
  auto spec = BarSpec::Parse(text);
  return spec.ok() ? std::optional<BarSpec>(*spec) : std::nullopt;
}

Result<BarFileFormat> ResolveFormat(std::string_view text, std::string_view file_name, BarFileFormat requested) {
  return requested == BarFileFormat::kAuto ? DetectFormat(text, file_name) : Result<BarFileFormat>(requested);
}

}  // namespace

std::string_view FormatName(BarFileFormat format) {
  switch (format) {
    case BarFileFormat::kAuto:
      return "auto";
    case BarFileFormat::kGenericCsv:
      return "generic_csv";
    case BarFileFormat::kTradingView:
      return "tradingview";
    case BarFileFormat::kLeanMinute:
      return "lean_minute";
    case BarFileFormat::kLeanDaily:
      return "lean_daily";
    case BarFileFormat::kIndianVendor:
      return "indian_vendor";
  }
  return "unknown";
}

std::string RowIssue::ToString() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + reason + " (" + field + ")";
}

Result<BarFileFormat> DetectFormat(std::string_view text, std::string_view file_name) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") {
    text.remove_prefix(3);
  }
  const auto lines = FirstLines(text);
  if (lines[0].empty()) {
    return Error::InvalidArgument("'" + std::string(file_name) + "' holds no data", "format");
  }
  const char delim = DetectDelimiter(lines[0]);
  const auto fields = SplitView(lines[0], delim);
  if (fields.size() >= 7 && !fields[0].empty() && IsAlpha(fields[0][0]) && fields[1].size() == 8 &&
      AllDigits(fields[1]) && LooksHourMinute(fields[2])) {
    return BarFileFormat::kIndianVendor;
  }
  if (fields.size() >= 5 && LooksLeanDateTime(fields[0])) {
    return BarFileFormat::kLeanDaily;
  }
  if (IsHeaderLine(fields) && fields.size() >= 5) {
    // TradingView names its epoch column "time"; other headers are read as generic CSV.
    if (!fields.empty() && Lower(fields[0]) == "time" && !lines[1].empty()) {
      const auto data = SplitView(lines[1], delim);
      if (!data.empty() && AllDigits(data[0]) && data[0].size() >= 9 && data[0].size() <= 10) {
        return BarFileFormat::kTradingView;
      }
    }
    return BarFileFormat::kGenericCsv;
  }
  const bool all_numeric = std::all_of(fields.begin(), fields.end(), IsNumeric);
  if (all_numeric && AllDigits(fields[0]) && fields[0].size() <= 8) {
    std::int64_t millis = 0;
    std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), millis);
    if (millis <= 86'400'000 && fields.size() == 6) {
      return BarFileFormat::kLeanMinute;
    }
    if (millis <= 86'400'000 && fields.size() == 11) {
      return Error::InvalidArgument(
          "'" + std::string(file_name) + "' holds Lean quote bars (bid/ask); import the trade bars instead", "format");
    }
  }
  if (fields.size() >= 5) {
    return BarFileFormat::kGenericCsv;
  }
  return Error::InvalidArgument("cannot detect the layout of '" + std::string(file_name) + "' from its first line",
                                "format");
}

Result<ParsedBars> ParseBarText(std::string_view text, std::string_view file_name, const ImportOptions& options,
                                const ProgressFn& progress) {
  auto format = ResolveFormat(text, file_name, options.format);
  if (!format.ok()) {
    return format.error();
  }
  ParsedBars out;
  ImportReport& report = out.report;
  report.file = std::string(file_name);
  report.format = *format;
  if (FirstLines(text)[0].empty()) {
    return Error::InvalidArgument("'" + std::string(file_name) + "' holds no data", "format");
  }
  auto plan = MakePlan(text, file_name, options, *format);
  if (!plan.ok()) {
    return plan.error();
  }
  auto zone = ZoneConverter::Create(plan->time_zone);
  if (!zone.ok()) {
    return zone.error();
  }
  report.label = plan->label;
  report.time_zone = zone->name();
  const std::optional<BarSpec> requested_spec = plan->spec;
  const std::optional<BarSpec> fallback_spec = plan->fallback_spec;
  const std::optional<SessionTemplate> session = plan->session;
  const BarLabel label = plan->label;
  const int divisor_decimals = plan->divisor_decimals;
  Rows rows;
  Reader reader(text, file_name, options, std::move(*plan), *zone, progress, report);
  TD_TRY(reader.Run(rows));
  BarColumns& bars = rows.bars;
  const auto sorted_by = [&](auto compare) { return std::is_sorted(bars.ts.begin(), bars.ts.end(), compare); };
  if (!sorted_by(std::less<>{})) {
    if (sorted_by(std::greater<>{})) {
      std::vector<std::uint32_t> order(bars.size());
      for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = static_cast<std::uint32_t>(order.size() - 1 - i);
      }
      ApplyOrder(rows, order);
      report.reversed = true;
    } else {
      std::vector<std::uint32_t> order(bars.size());
      std::iota(order.begin(), order.end(), 0U);
      std::stable_sort(order.begin(), order.end(),
                       [&](std::uint32_t a, std::uint32_t b) { return bars.ts[a] < bars.ts[b]; });
      ApplyOrder(rows, order);
      report.resorted = true;
    }
  }
  // The bar spec: given, else the most common step, else the format's default.
  std::optional<BarSpec> spec = requested_spec;
  if (!spec) {
    spec = rows.date_only ? std::optional<BarSpec>(BarSpec{1, BarUnit::kDay}) : InferSpec(bars.ts);
  }
  if (!spec) {
    spec = fallback_spec;
  }
  if (!spec) {
    if (bars.empty()) {
      spec = BarSpec{1, BarUnit::kMinute};
    } else {
      return Error::InvalidArgument("cannot infer the bar spec of '" + std::string(file_name) + "'; pass spec", "spec");
    }
  }
  report.spec = *spec;
  if (label == BarLabel::kBarEnd && !rows.date_only) {
    if (!spec->IsIntraday()) {
      return Error::InvalidArgument("bar-end labels need an intraday bar spec, not " + spec->ToString(), "label");
    }
    const std::int64_t length = spec->IntradayLength().count();
    for (auto& t : bars.ts) {
      t -= length;
    }
  }
  // One bar per time: identical repeats are dropped, conflicting ones are bad rows.
  std::vector<char> keep(bars.size(), 1);
  std::size_t kept_index = 0;
  for (std::size_t i = 1; i < bars.size(); ++i) {
    if (bars.ts[i] != bars.ts[kept_index]) {
      kept_index = i;
      continue;
    }
    keep[i] = 0;
    if (bars.SameBar(i, bars, kept_index)) {
      ++report.duplicate_rows;
      continue;
    }
    RowIssue issue{std::string(file_name), rows.line[i], rows.time_column[i], "time",
                   "a different bar for the same time is on line " + std::to_string(rows.line[kept_index])};
    if (options.on_bad_row == BadRowPolicy::kAbort) {
      return Error::InvalidArgument(issue.ToString(), "time");
    }
    ++report.bad_rows;
    if (report.issues.size() < options.max_reported_issues) {
      report.issues.push_back(std::move(issue));
    }
  }
  // Session filter: an intraday bar is inside when [start, start + length) overlaps [open, close).
  if (session && options.outside_session == OutsideSession::kDrop && !rows.date_only && spec->IsIntraday()) {
    auto session_zone = ZoneConverter::Create(session->time_zone);
    if (!session_zone.ok()) {
      return session_zone.error();
    }
    const std::int64_t length = spec->IntradayLength().count() / kNanosPerSecond;
    const std::int64_t open = session->open.count();
    const std::int64_t close = session->close.count();
    for (std::size_t i = 0; i < bars.size(); ++i) {
      if (keep[i] == 0) {
        continue;
      }
      const std::int64_t local = session_zone->ToLocal(UnixNanos(bars.ts[i]).seconds());
      const std::int64_t sod =
          local -
          (local >= 0 ? local / kSecondsPerDay : (local - kSecondsPerDay + 1) / kSecondsPerDay) * kSecondsPerDay;
      if (!(sod < close && sod + length > open)) {
        keep[i] = 0;
        ++report.outside_session;
      }
    }
  }
  Compact(rows, [&](std::size_t i) { return keep[i] != 0; });
  bars.price_precision = std::min(kFixedPrecision, rows.price_decimals + divisor_decimals);
  bars.volume_precision = std::min(kFixedPrecision, rows.volume_decimals);
  report.bars = bars.size();
  if (!options.instrument.empty()) {
    report.instrument = options.instrument;
  } else if (!rows.symbol.empty()) {
    auto instrument = InstrumentId::Make(options.exchange, rows.symbol);
    if (!instrument.ok()) {
      return instrument.error();
    }
    report.instrument = *instrument;
  }
  out.bars = std::move(bars);
  return out;
}

Result<ParsedBars> ParseBarFile(const std::filesystem::path& path, const ImportOptions& options,
                                const ProgressFn& progress) {
  auto bytes = ReadWholeFile(path);
  if (!bytes.ok()) {
    return bytes.error();
  }
  std::string name = path.string();
  if (LooksGzip(*bytes)) {
    auto text = Gunzip(*bytes);
    if (!text.ok()) {
      return Error::Corrupt(name + ": " + text.error().message);
    }
    return ParseBarText(*text, name, options, progress);
  }
  if (LooksZip(*bytes)) {
    auto archive = ZipArchive::Parse(*bytes);
    if (!archive.ok()) {
      return Error::Corrupt(name + ": " + archive.error().message);
    }
    const ZipEntry* chosen = nullptr;
    for (const ZipEntry& entry : archive->entries()) {
      const bool is_dir = !entry.name.empty() && entry.name.back() == '/';
      if (is_dir) {
        continue;
      }
      if (!options.zip_entry.empty() ? entry.name == options.zip_entry : chosen == nullptr) {
        chosen = &entry;
      } else if (options.zip_entry.empty()) {
        return Error::InvalidArgument(name + " holds several files; choose one with zip_entry", "zip_entry");
      }
    }
    if (chosen == nullptr) {
      return Error::InvalidArgument(
          name + " holds no file" + (options.zip_entry.empty() ? "" : " named '" + options.zip_entry + "'"),
          "zip_entry");
    }
    auto text = archive->Extract(*chosen);
    if (!text.ok()) {
      return Error::Corrupt(name + ": " + text.error().message);
    }
    return ParseBarText(*text, name + "!" + chosen->name, options, progress);
  }
  return ParseBarText(*bytes, name, options, progress);
}

Result<ImportReport> ImportFile(const std::filesystem::path& path, const ImportOptions& options, BarStore& store,
                                const ProgressFn& progress) {
  auto parsed = ParseBarFile(path, options, progress);
  if (!parsed.ok()) {
    return parsed.error();
  }
  ImportReport& report = parsed->report;
  if (report.instrument.empty()) {
    return Error::InvalidArgument(path.string() + " does not name its instrument; pass ImportOptions::instrument",
                                  "instrument");
  }
  if (parsed->bars.empty()) {
    return report;
  }
  auto appended = store.Append(report.instrument, report.spec, parsed->bars);
  if (!appended.ok()) {
    return Error{appended.error().code, path.string() + ": " + appended.error().message, appended.error().field};
  }
  report.appended = appended->appended;
  report.already_stored = appended->duplicates;
  return report;
}

}  // namespace td::data
