// SPDX-License-Identifier: MIT
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace td::indicators::testing {

/// The shared market-data folder: $TRADEDESK_DATA_DIR, else ../shared/data next to the source tree.
inline std::string DataDir() {
  if (const char* env = std::getenv("TRADEDESK_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::string(TD_SOURCE_DIR) + "/../shared/data";
}

/// A parsed CSV: header names and rows of fields (no quoting; the data files use none).
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  /// Index of a header column; -1 when absent.
  int Column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }
  /// The column as doubles; empty fields become NaN.
  std::vector<double> Doubles(const std::string& name) const {
    const int c = Column(name);
    std::vector<double> out;
    if (c < 0) {
      return out;
    }
    out.reserve(rows.size());
    for (const auto& row : rows) {
      const auto idx = static_cast<std::size_t>(c);
      out.push_back(idx < row.size() && !row[idx].empty() ? std::strtod(row[idx].c_str(), nullptr) : NAN);
    }
    return out;
  }
};

inline std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream stream(line);
  while (std::getline(stream, field, ',')) {
    if (!field.empty() && field.back() == '\r') {
      field.pop_back();
    }
    fields.push_back(field);
  }
  if (!line.empty() && line.back() == ',') {
    fields.emplace_back();
  }
  return fields;
}

/// Reads a CSV with a header line; nullopt when the file cannot be opened.
inline std::optional<Csv> ReadCsv(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return std::nullopt;
  }
  Csv csv;
  std::string line;
  if (!std::getline(file, line)) {
    return csv;
  }
  csv.header = SplitCsvLine(line);
  while (std::getline(file, line)) {
    if (!line.empty() && line != "\r") {
      csv.rows.push_back(SplitCsvLine(line));
    }
  }
  return csv;
}

/// Real 1-minute bars with an exchange-session key (the ET trading date as yyyymmdd), the bar start and the
/// session open (09:30 of that date) as nanoseconds on a naive-ET clock, consistent within the file.
struct MinuteBars {
  std::vector<double> open, high, low, close, volume;
  std::vector<std::int64_t> session, bar_start_ns, session_open_ns;
  std::vector<std::int32_t> slot;  // minutes since 09:30
  std::size_t size() const { return close.size(); }
};

/// Days since 1970-01-01 of a proleptic Gregorian date.
inline std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// Loads datetime,open,high,low,close,volume ("YYYY-MM-DD HH:MM:SS", naive ET); nullopt when absent.
inline std::optional<MinuteBars> LoadMinuteBars(const std::string& relative_path) {
  auto csv = ReadCsv(DataDir() + "/" + relative_path);
  if (!csv) {
    return std::nullopt;
  }
  MinuteBars bars;
  for (const auto& row : csv->rows) {
    if (row.size() < 6 || row[0].size() < 19) {
      continue;
    }
    const std::string& ts = row[0];
    const int year = std::stoi(ts.substr(0, 4));
    const int month = std::stoi(ts.substr(5, 2));
    const int day = std::stoi(ts.substr(8, 2));
    const int hour = std::stoi(ts.substr(11, 2));
    const int minute = std::stoi(ts.substr(14, 2));
    const std::int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    constexpr std::int64_t kMinute = 60'000'000'000;
    const std::int64_t midnight = days * 1440 * kMinute;
    bars.bar_start_ns.push_back(midnight + (hour * 60 + minute) * kMinute);
    bars.session_open_ns.push_back(midnight + (9 * 60 + 30) * kMinute);
    bars.session.push_back(year * 10000 + month * 100 + day);
    bars.slot.push_back(hour * 60 + minute - (9 * 60 + 30));
    bars.open.push_back(std::strtod(row[1].c_str(), nullptr));
    bars.high.push_back(std::strtod(row[2].c_str(), nullptr));
    bars.low.push_back(std::strtod(row[3].c_str(), nullptr));
    bars.close.push_back(std::strtod(row[4].c_str(), nullptr));
    bars.volume.push_back(std::strtod(row[5].c_str(), nullptr));
  }
  return bars;
}

inline constexpr const char* kSpyMinutes = "us_equity/intraday/SPY_1min_20250915_20260319_rth.csv";

/// True when both are NaN or both have the same bits.
inline bool SameBits(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) {
    return true;
  }
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

/// Index of the first element whose bits differ, or -1 when the series are identical.
inline long FirstDifference(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) {
    return 0;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!SameBits(a[i], b[i])) {
      return static_cast<long>(i);
    }
  }
  return -1;
}

}  // namespace td::indicators::testing
