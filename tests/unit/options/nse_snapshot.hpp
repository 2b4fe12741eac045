// SPDX-License-Identifier: MIT
#pragma once

// Reader for the NSE option-chain snapshot files (gzipped CSV, one row per expiry and strike, snapshots in
// time order), shared by the options tests.
#include <zlib.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "options/chain.hpp"

namespace td::options::testing {

/// One strike of one expiry in a snapshot, with NSE's published IVs (percent).
struct NseRow {
  std::string expiry;  // "DD-Mon-YYYY"
  StrikeQuote quote;
  double call_iv_nse = 0.0;
  double put_iv_nse = 0.0;
};

inline std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::stringstream in(line);
  while (std::getline(in, field, ',')) {
    out.push_back(field);
  }
  return out;
}

/// All rows of the snapshot whose collection_timestamp is `snapshot`, sorted by expiry text then strike;
/// empty when the file cannot be opened.
inline std::vector<NseRow> ReadNseSnapshot(const std::string& path, const std::string& snapshot) {
  std::vector<NseRow> rows;
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) {
    return rows;
  }
  std::vector<char> buffer(1 << 16);
  std::map<std::string, std::size_t> col;
  bool header = true;
  while (gzgets(file, buffer.data(), static_cast<int>(buffer.size())) != nullptr) {
    std::string line(buffer.data());
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
      line.pop_back();
    }
    const auto fields = SplitCsv(line);
    if (header) {
      for (std::size_t i = 0; i < fields.size(); ++i) {
        col[fields[i]] = i;
      }
      header = false;
      continue;
    }
    if (fields.size() < col.size()) {
      continue;
    }
    if (fields[col["collection_timestamp"]] != snapshot) {
      if (!rows.empty()) {
        break;  // snapshots are stored in time order
      }
      continue;
    }
    auto num = [&](const char* name) { return std::stod(fields[col[name]]); };
    NseRow row;
    row.expiry = fields[col["Expiry_Date"]];
    row.quote.strike = num("Strike_Price");
    row.quote.call_bid = num("CALLS_Bid_Price");
    row.quote.call_ask = num("CALLS_Ask_Price");
    row.quote.call_last = num("CALLS_LTP");
    row.quote.put_bid = num("PUTS_Bid_Price");
    row.quote.put_ask = num("PUTS_Ask_Price");
    row.quote.put_last = num("PUTS_LTP");
    row.quote.call_oi = num("CALLS_OI");
    row.quote.put_oi = num("PUTS_OI");
    row.quote.call_volume = num("CALLS_Volume");
    row.quote.put_volume = num("PUTS_Volume");
    row.quote.call_oi_change = num("CALLS_Chng_in_OI");
    row.quote.put_oi_change = num("PUTS_Chng_in_OI");
    row.call_iv_nse = num("CALLS_IV");
    row.put_iv_nse = num("PUTS_IV");
    rows.push_back(row);
  }
  gzclose(file);
  std::sort(rows.begin(), rows.end(), [](const NseRow& a, const NseRow& b) {
    return a.expiry != b.expiry ? a.expiry < b.expiry : a.quote.strike < b.quote.strike;
  });
  return rows;
}

/// The rows of one expiry, ascending strike.
inline std::vector<NseRow> RowsOfExpiry(const std::vector<NseRow>& rows, const std::string& expiry) {
  std::vector<NseRow> out;
  std::copy_if(rows.begin(), rows.end(), std::back_inserter(out), [&](const NseRow& r) { return r.expiry == expiry; });
  return out;
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
inline long DaysFromCivil(long y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

/// Day number of an NSE date "DD-Mon-YYYY"; -1 when it does not parse.
inline long NseDateDays(const std::string& text) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 11) {
    return -1;
  }
  const std::string mon = text.substr(3, 3);
  for (unsigned m = 0; m < 12; ++m) {
    if (mon == kMonths[m]) {
      return DaysFromCivil(std::stol(text.substr(7, 4)), m + 1, static_cast<unsigned>(std::stoul(text.substr(0, 2))));
    }
  }
  return -1;
}

}  // namespace td::options::testing
