// SPDX-License-Identifier: MIT
#include "calendar/holiday_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "calendar/embedded_data.hpp"

namespace td::calendar {
namespace {

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(TD_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr std::string_view kPreamble =
    "# exchanges: NYSE CBOE\n"
    "# coverage: 2024 2025\n"
    "# provisional: 2025 2025\n"
    "# source s1: a test source\n"
    "date,weekday,kind,hours,name,source\n";

Result<HolidayTable> ParseRows(std::string_view rows) {
  return HolidayTable::Parse(std::string(kPreamble) + std::string(rows), "test.csv");
}

TEST(HolidayTable, EmbeddedFilesMatchTheFilesInTheTree) {
  // A stale generated source would mean the binary ships other holidays than the reviewed file.
  EXPECT_EQ(std::string(data::kIndiaNseBseCsv), ReadSourceFile("src/calendar/data/india_nse_bse.csv"));
  EXPECT_EQ(std::string(data::kUsNyseCboeCsv), ReadSourceFile("src/calendar/data/us_nyse_cboe.csv"));
}

TEST(HolidayTable, EmbeddedIndiaFileParses) {
  auto table = HolidayTable::Parse(data::kIndiaNseBseCsv, "india_nse_bse.csv");
  ASSERT_TRUE(table.ok()) << table.error().ToString();
  EXPECT_EQ(table->exchanges(), (std::vector<std::string>{"NSE", "BSE"}));
  EXPECT_EQ(table->first_year(), 2022);
  EXPECT_EQ(table->last_year(), 2030);
  EXPECT_FALSE(table->IsProvisionalYear(2026));
  EXPECT_TRUE(table->IsProvisionalYear(2027));
  const SpecialDay* republic_day = table->Find({2024, 1, 26});
  ASSERT_NE(republic_day, nullptr);
  EXPECT_EQ(republic_day->kind, DayKind::kClosed);
  EXPECT_EQ(republic_day->name, "Republic Day");
  EXPECT_FALSE(republic_day->provisional);
  EXPECT_NE(table->SourceText(republic_day->source_id).find("2024"), std::string_view::npos);
  const SpecialDay* provisional = table->Find({2029, 12, 25});
  ASSERT_NE(provisional, nullptr);
  EXPECT_TRUE(provisional->provisional);
  EXPECT_NE(table->SourceText(provisional->source_id).find("PROVISIONAL"), std::string_view::npos);
  EXPECT_EQ(table->Find({2024, 1, 25}), nullptr);
  // Every year of the coverage has rows, and every row names a declared source.
  for (int year = table->first_year(); year <= table->last_year(); ++year) {
    EXPECT_TRUE(std::any_of(table->days().begin(), table->days().end(), [&](const SpecialDay& d) {
      return d.date.year == year;
    })) << year;
  }
}

TEST(HolidayTable, EmbeddedUsFileParses) {
  auto table = HolidayTable::Parse(data::kUsNyseCboeCsv, "us_nyse_cboe.csv");
  ASSERT_TRUE(table.ok()) << table.error().ToString();
  EXPECT_EQ(table->exchanges(), (std::vector<std::string>{"NYSE", "CBOE"}));
  EXPECT_EQ(table->first_year(), 2022);
  EXPECT_EQ(table->last_year(), 2028);
  EXPECT_FALSE(table->IsProvisionalYear(2028));
  const SpecialDay* half_day = table->Find({2024, 7, 3});
  ASSERT_NE(half_day, nullptr);
  EXPECT_EQ(half_day->kind, DayKind::kEarlyClose);
  EXPECT_EQ(half_day->close_minute, 13 * 60);
  const SpecialDay* mourning = table->Find({2025, 1, 9});
  ASSERT_NE(mourning, nullptr);
  EXPECT_EQ(mourning->kind, DayKind::kClosed);
  EXPECT_NE(table->SourceText(mourning->source_id).find("Carter"), std::string_view::npos);
}

TEST(HolidayTable, ParsesAllKinds) {
  auto table = ParseRows(
      "2024-07-03,Wed,early_close,13:00,Half day,s1\n"
      "2024-07-04,Thu,closed,,Holiday,s1\n"
      "2025-01-04,Sat,session,09:15-15:30,Saturday session,s1\n");
  ASSERT_TRUE(table.ok()) << table.error().ToString();
  ASSERT_EQ(table->days().size(), 3u);
  EXPECT_EQ(table->days()[2].kind, DayKind::kSpecialSession);
  EXPECT_EQ(table->days()[2].open_minute, 9 * 60 + 15);
  EXPECT_EQ(table->days()[2].close_minute, 15 * 60 + 30);
  EXPECT_TRUE(table->days()[2].provisional);
  EXPECT_FALSE(table->days()[0].provisional);
}

struct BadRow {
  const char* rows;
  const char* field;
};

TEST(HolidayTable, RejectsBadRowsNamingLineAndColumn) {
  // The preamble takes lines 1-5, so the first row is line 6.
  const BadRow cases[] = {
      {"2024-07-03,Thu,closed,,X,s1\n", "test.csv:6.weekday"},
      {"2024-02-30,Fri,closed,,X,s1\n", "test.csv:6.date"},
      {"2023-07-03,Mon,closed,,X,s1\n", "test.csv:6.date"},
      {"2024-07-06,Sat,closed,,X,s1\n", "test.csv:6.kind"},
      {"2024-07-03,Wed,session,09:15-15:30,X,s1\n", "test.csv:6.kind"},
      {"2024-07-03,Wed,holiday,,X,s1\n", "test.csv:6.kind"},
      {"2024-07-03,Wed,early_close,,X,s1\n", "test.csv:6.hours"},
      {"2024-07-03,Wed,early_close,25:00,X,s1\n", "test.csv:6.hours"},
      {"2024-07-03,Wed,closed,13:00,X,s1\n", "test.csv:6.hours"},
      {"2025-01-04,Sat,session,15:30-09:15,X,s1\n", "test.csv:6.hours"},
      {"2024-07-03,Wed,closed,,,s1\n", "test.csv:6.name"},
      {"2024-07-03,Wed,closed,,X,nope\n", "test.csv:6.source"},
      {"2024-07-03,Wed,closed,,X\n", "test.csv:6"},
      {"2024-07-04,Thu,closed,,X,s1\n2024-07-03,Wed,closed,,X,s1\n", "test.csv:7.date"},
      {"2024-07-03,Wed,closed,,X,s1\n2024-07-03,Wed,closed,,X,s1\n", "test.csv:7.date"},
  };
  for (const BadRow& bad : cases) {
    auto table = ParseRows(bad.rows);
    ASSERT_FALSE(table.ok()) << bad.rows;
    EXPECT_EQ(table.error().code, ErrorCode::kCorruptData);
    EXPECT_EQ(table.error().field, bad.field) << bad.rows << " -> " << table.error().message;
  }
}

TEST(HolidayTable, RejectsBadPreamble) {
  EXPECT_FALSE(HolidayTable::Parse("date,weekday,kind,hours,name,source\n", "x.csv").ok());
  EXPECT_FALSE(HolidayTable::Parse("# exchanges: NYSE\n# coverage: 2024 2025\n# provisional:\n", "x.csv").ok());
  auto reversed = HolidayTable::Parse("# exchanges: NYSE\n# coverage: 2025 2024\n", "x.csv");
  ASSERT_FALSE(reversed.ok());
  EXPECT_EQ(reversed.error().field, "x.csv:2.coverage");
  auto outside = HolidayTable::Parse(
      "# exchanges: NYSE\n# coverage: 2024 2025\n# provisional: 2026 2026\ndate,weekday,kind,hours,name,source\n",
      "x.csv");
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().field, "x.csv:4.provisional");
  auto header = HolidayTable::Parse("# exchanges: NYSE\n# coverage: 2024 2025\n# provisional:\ndate,kind\n", "x.csv");
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.error().field, "x.csv:4");
  auto twice = HolidayTable::Parse("# source a: one\n# source a: two\n", "x.csv");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().field, "x.csv:2.source");
}

}  // namespace
}  // namespace td::calendar
