// SPDX-License-Identifier: MIT
// Cross-checks of the calendar against real market data in $TRADEDESK_DATA_DIR (see shared/data/README.md).
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "calendar/exchange_calendar.hpp"
#include "calendar/expiry.hpp"

namespace td::calendar {
namespace {

std::filesystem::path DataDir() {
  if (const char* env = std::getenv("TRADEDESK_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::filesystem::path(TD_SOURCE_DIR) / ".." / "shared" / "data";
}

#define REQUIRE_DATA_FILE(path)                                     \
  if (!std::filesystem::exists(path)) {                             \
    GTEST_SKIP() << "real data not available: " << (path).string(); \
  }

std::vector<std::string> ReadLines(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  if (path.extension() == ".gz") {
    gzFile file = gzopen(path.c_str(), "rb");
    EXPECT_NE(file, nullptr) << path;
    if (file == nullptr) {
      return lines;
    }
    std::string line;
    char buffer[8192];
    while (gzgets(file, buffer, sizeof buffer) != nullptr) {
      line += buffer;
      if (!line.empty() && line.back() == '\n') {
        line.pop_back();
        lines.push_back(std::move(line));
        line.clear();
      }
    }
    if (!line.empty()) {
      lines.push_back(std::move(line));
    }
    gzclose(file);
    return lines;
  }
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    fields.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) {
      return fields;
    }
    start = comma + 1;
  }
}

// "29-Aug-2025" -> 2025-08-29.
CivilDate ParseNseDate(const std::string& text) {
  static const std::map<std::string, int> kMonths = {{"Jan", 1}, {"Feb", 2},  {"Mar", 3},  {"Apr", 4},
                                                     {"May", 5}, {"Jun", 6},  {"Jul", 7},  {"Aug", 8},
                                                     {"Sep", 9}, {"Oct", 10}, {"Nov", 11}, {"Dec", 12}};
  EXPECT_EQ(text.size(), 11u) << text;
  const CivilDate date{std::stoi(text.substr(7, 4)), kMonths.at(text.substr(3, 3)), std::stoi(text.substr(0, 2))};
  EXPECT_TRUE(IsValidDate(date)) << text;
  return date;
}

// The expiry dates per symbol listed in an NSE option-chain snapshot file.
std::map<std::string, std::set<CivilDate>> ListedExpiries(const std::filesystem::path& path) {
  std::map<std::string, std::set<CivilDate>> out;
  const auto lines = ReadLines(path);
  EXPECT_GT(lines.size(), 1u);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto fields = SplitCsv(lines[i]);
    if (fields.size() < 3) {
      ADD_FAILURE() << "short row " << i << " in " << path;
      continue;
    }
    out[fields[1]].insert(ParseNseDate(fields[2]));
  }
  return out;
}

CivilDate Ymd(const std::string& text) {  // "YYYYMMDD" or "YYYY-MM-DD..."
  if (text.size() >= 10 && text[4] == '-') {
    return CivilDate{std::stoi(text.substr(0, 4)), std::stoi(text.substr(5, 2)), std::stoi(text.substr(8, 2))};
  }
  return CivilDate{std::stoi(text.substr(0, 4)), std::stoi(text.substr(4, 2)), std::stoi(text.substr(6, 2))};
}

std::set<CivilDate> TradingDaySet(Exchange exchange, CivilDate first, CivilDate last) {
  const auto days = ExchangeCalendar::Get(exchange).TradingDays(first, last).value();
  return {days.begin(), days.end()};
}

// Every expiry NSE listed is one our rules produce. NSE published its 2026 holidays (December 2025) after
// these snapshots: a listed 2026 date that fell on one of those holidays was moved by NSE later, and we
// list its moved date; for those the listed date must be our scheduled date and the holiday a 2026 one.
void ExpectListedExpiriesFollowOurRules(const std::string& symbol, const std::set<CivilDate>& listed,
                                        CivilDate snapshot_day, std::set<CivilDate>* moved_later) {
  ASSERT_FALSE(listed.empty()) << symbol;
  const auto ours = ListExpiries(Exchange::kNse, symbol, snapshot_day, *listed.rbegin()).value();
  std::map<CivilDate, const Expiry*> by_date;
  std::map<CivilDate, const Expiry*> by_scheduled;
  for (const Expiry& e : ours) {
    by_date[e.date] = &e;
    by_scheduled[e.scheduled] = &e;
  }
  for (const CivilDate& date : listed) {
    if (by_date.count(date) != 0) {
      continue;
    }
    ASSERT_EQ(by_scheduled.count(date), 1u) << symbol << " expiry " << FormatCivilDate(date) << " is not ours";
    const SpecialDay* holiday = ExchangeCalendar::Get(Exchange::kNse).SpecialDayOn(date).value();
    ASSERT_NE(holiday, nullptr) << FormatCivilDate(date);
    EXPECT_TRUE(holiday->source_id.starts_with("nse-2026")) << FormatCivilDate(date) << " " << holiday->source_id;
    moved_later->insert(date);
  }
}

TEST(RealData, NiftyOptionChainExpiriesOf29Aug2025AreOurs) {
  const auto path = DataDir() / "india/nifty_option_chain_snapshots/20250829_NIFTY.csv.gz";
  REQUIRE_DATA_FILE(path);
  const auto listed = ListedExpiries(path);
  ASSERT_EQ(listed.count("NIFTY"), 1u);
  const std::set<CivilDate>& nifty = listed.at("NIFTY");
  EXPECT_EQ(nifty.size(), 18u);
  std::set<CivilDate> moved_later;
  ExpectListedExpiriesFollowOurRules("NIFTY", nifty, {2025, 8, 29}, &moved_later);
  // Mahavir Jayanti, Tuesday 31-Mar-2026, was declared in December 2025: that expiry now falls on the 30th.
  EXPECT_EQ(moved_later, (std::set<CivilDate>{{2026, 3, 31}}));
  EXPECT_EQ(ClassifyExpiry(Exchange::kNse, "NIFTY", {2026, 3, 30}).value(), ExpiryKind::kMonthly);
  // The four September weeklies are Tuesdays; everything else listed is a monthly.
  for (const CivilDate& date : nifty) {
    if (moved_later.count(date) != 0) {
      continue;
    }
    const ExpiryKind kind = ClassifyExpiry(Exchange::kNse, "NIFTY", date).value();
    const bool september_weekly = date.year == 2025 && date.month == 9 && date.day < 30;
    EXPECT_EQ(kind, september_weekly ? ExpiryKind::kWeekly : ExpiryKind::kMonthly) << FormatCivilDate(date);
    EXPECT_EQ(Weekday(DaysFromCivil(date)), (date == CivilDate{2029, 12, 24} ? 1 : 2)) << FormatCivilDate(date);
  }
}

TEST(RealData, BankNiftyListsOnlyOurMonthlies) {
  const auto path = DataDir() / "india/nifty_option_chain_snapshots/20250829_BANKNIFTY_every10th.csv.gz";
  REQUIRE_DATA_FILE(path);
  const auto listed = ListedExpiries(path);
  ASSERT_EQ(listed.count("BANKNIFTY"), 1u);
  std::set<CivilDate> moved_later;
  ExpectListedExpiriesFollowOurRules("BANKNIFTY", listed.at("BANKNIFTY"), {2025, 8, 29}, &moved_later);
  for (const CivilDate& date : listed.at("BANKNIFTY")) {
    if (moved_later.count(date) == 0) {
      EXPECT_EQ(ClassifyExpiry(Exchange::kNse, "BANKNIFTY", date).value(), ExpiryKind::kMonthly);
    }
  }
}

TEST(RealData, ExpiriesListedOn26Aug2025IncludeTheLastThursdayMonthly) {
  const auto path = DataDir() / "india/nifty_option_chain_snapshots/20250826_close.csv.gz";
  REQUIRE_DATA_FILE(path);
  const auto listed = ListedExpiries(path);
  for (const char* symbol : {"NIFTY", "BANKNIFTY"}) {
    ASSERT_EQ(listed.count(symbol), 1u) << symbol;
    EXPECT_EQ(listed.at(symbol).count(CivilDate{2025, 8, 28}), 1u) << symbol;
    std::set<CivilDate> moved_later;
    ExpectListedExpiriesFollowOurRules(symbol, listed.at(symbol), {2025, 8, 26}, &moved_later);
  }
}

TEST(RealData, NseTradedExactlyOnOurTradingDaysNov2022ToJan2023) {
  std::set<CivilDate> traded;
  std::map<CivilDate, std::set<std::string>> labels;
  for (const char* name : {"NIFTY_1min_2022_NOV.txt", "NIFTY_1min_2022_DEC.txt", "NIFTY_1min_2023_JAN.txt"}) {
    const auto path = DataDir() / "india/index_1min" / name;
    REQUIRE_DATA_FILE(path);
    for (const std::string& line : ReadLines(path)) {
      const auto fields = SplitCsv(line);
      ASSERT_GE(fields.size(), 3u) << line;
      const CivilDate date = Ymd(fields[1]);
      traded.insert(date);
      labels[date].insert(fields[2]);
    }
  }
  const auto ours = TradingDaySet(Exchange::kNse, {2022, 11, 1}, {2023, 1, 31});
  EXPECT_EQ(traded, ours);
  EXPECT_EQ(ours.size(), 64u);                        // 21 + 22 + 21 sessions
  EXPECT_EQ(ours.count(CivilDate{2022, 11, 8}), 0u);  // Gurunanak Jayanti
  EXPECT_EQ(ours.count(CivilDate{2023, 1, 26}), 0u);  // Republic Day
  // Bar-end labels: the first regular bar ends 09:16 (session opens 09:15), the last ends 15:30 (the close).
  const ExchangeCalendar& nse = ExchangeCalendar::Get(Exchange::kNse);
  for (const auto& [date, day_labels] : labels) {
    EXPECT_EQ(day_labels.count("09:16"), 1u) << FormatCivilDate(date);
    EXPECT_EQ(day_labels.count("15:30"), 1u) << FormatCivilDate(date);
    EXPECT_EQ(day_labels.count("09:15"), 0u) << FormatCivilDate(date);
    const TradingSession session = nse.Session(date).value();
    EXPECT_EQ(nse.time_zone().ToLocal(session.regular_open), (LocalDateTime{date, 9, 15, 0, 0}));
    EXPECT_EQ(nse.time_zone().ToLocal(session.regular_close), (LocalDateTime{date, 15, 30, 0, 0}));
  }
}

TEST(RealData, SpyRegularHoursSessionsMatchNyseCalendar) {
  const auto path = DataDir() / "us_equity/intraday/SPY_1min_20250915_20260319_rth.csv";
  REQUIRE_DATA_FILE(path);
  const ExchangeCalendar& nyse = ExchangeCalendar::Get(Exchange::kNyse);
  std::map<CivilDate, int> bars;
  std::map<CivilDate, std::string> first_bar;
  const auto lines = ReadLines(path);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string stamp = lines[i].substr(0, 19);
    const CivilDate date = Ymd(stamp);
    if (bars[date]++ == 0) {
      first_bar[date] = stamp;
    }
  }
  std::set<CivilDate> traded;
  std::set<CivilDate> short_days;
  for (const auto& [date, count] : bars) {
    traded.insert(date);
    if (count < 300) {
      short_days.insert(date);
    }
    // The first bar starts at the regular open, on standard or daylight time alike.
    const LocalDateTime first = ParseLocalDateTime(first_bar[date]).value();
    EXPECT_EQ(nyse.time_zone().ToUtc(first).value(), nyse.Session(date).value().regular_open) << FormatCivilDate(date);
  }
  EXPECT_EQ(traded, TradingDaySet(Exchange::kNyse, {2025, 9, 15}, {2026, 3, 19}));
  std::set<CivilDate> early_closes;
  for (const CivilDate& date : traded) {
    if (nyse.Session(date).value().early_close) {
      early_closes.insert(date);
    }
  }
  EXPECT_EQ(short_days, early_closes);
  EXPECT_EQ(early_closes, (std::set<CivilDate>{{2025, 11, 28}, {2025, 12, 24}}));
}

TEST(RealData, SpxFiveMinuteBarsFitTheSessionAcrossClockChanges) {
  const auto path = DataDir() / "us_index_vix/SPX_5min_tradingview_20250210_20260213.csv";
  REQUIRE_DATA_FILE(path);
  const ExchangeCalendar& nyse = ExchangeCalendar::Get(Exchange::kNyse);
  std::map<CivilDate, std::pair<UnixNanos, UnixNanos>> bars_by_date;  // first and last bar start per ET date
  const auto lines = ReadLines(path);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const UnixNanos t = UnixNanos::FromSeconds(std::stoll(SplitCsv(lines[i])[0]));
    const CivilDate date = nyse.time_zone().LocalDate(t);
    auto [it, inserted] = bars_by_date.try_emplace(date, t, t);
    it->second.first = std::min(it->second.first, t);
    it->second.second = std::max(it->second.second, t);
  }
  std::set<CivilDate> traded;
  const Duration five_minutes = std::chrono::minutes(5);
  for (const auto& [date, first_last] : bars_by_date) {
    traded.insert(date);
    const TradingSession session = nyse.Session(date).value();
    EXPECT_EQ(first_last.first, session.regular_open) << FormatCivilDate(date);
    // The last bar is the closing print at the close (16:00, or 13:00 on half days), rarely one bar later.
    EXPECT_GE(first_last.second, session.regular_close - five_minutes) << FormatCivilDate(date);
    EXPECT_LE(first_last.second, session.regular_close + five_minutes) << FormatCivilDate(date);
  }
  EXPECT_EQ(traded, TradingDaySet(Exchange::kNyse, {2025, 2, 10}, {2026, 2, 13}));
  EXPECT_EQ(traded.size(), 255u);
}

TEST(RealData, ExtendedHoursBarsCarryOurOffsetsAndStatuses) {
  const auto path = DataDir() / "us_equity/intraday/SPY_1min_polygon_20240220_20240517_ext.csv";
  REQUIRE_DATA_FILE(path);
  const ExchangeCalendar& nyse = ExchangeCalendar::Get(Exchange::kNyse);
  std::set<CivilDate> traded;
  std::map<MarketStatus, int> seen;
  const auto lines = ReadLines(path);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string stamp = SplitCsv(lines[i])[0];  // "2024-03-11 04:00:00-04:00"
    const UnixNanos t = UnixNanos::ParseIso8601(stamp).value();
    const LocalDateTime local = ParseLocalDateTime(stamp.substr(0, 19)).value();
    ASSERT_EQ(nyse.time_zone().ToUtc(local).value(), t) << stamp;
    const SessionStatus status = nyse.StatusAt(t).value();
    const int minute = local.hour * 60 + local.minute;
    const MarketStatus expected = minute < 9 * 60 + 30 ? MarketStatus::kPre
                                  : minute < 16 * 60   ? MarketStatus::kOpen
                                  : minute < 20 * 60   ? MarketStatus::kPost
                                                       : MarketStatus::kClosed;
    ASSERT_EQ(status.status, expected) << stamp;
    if (expected != MarketStatus::kClosed) {
      ASSERT_EQ(status.trading_date, local.date) << stamp;
    }
    ++seen[status.status];
    traded.insert(local.date);
  }
  EXPECT_EQ(traded, TradingDaySet(Exchange::kNyse, {2024, 2, 20}, {2024, 5, 17}));
  // Two late prints are stamped exactly 20:00, the (exclusive) end of the post-market session.
  EXPECT_EQ(seen[MarketStatus::kClosed], 2);
  EXPECT_GT(seen[MarketStatus::kPre], 0);
  EXPECT_GT(seen[MarketStatus::kPost], 0);
}

}  // namespace
}  // namespace td::calendar
