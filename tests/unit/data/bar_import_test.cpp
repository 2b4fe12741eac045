// SPDX-License-Identifier: MIT
#include "data/bar_import.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "data_test_util.hpp"

namespace td::data {
namespace {

using testing::DataDir;
using testing::TempDir;
using testing::Ts;

constexpr std::int64_t kPrice = 1'000'000'000;  // raw units of one price unit

ParsedBars MustParse(std::string_view text, const ImportOptions& options, std::string_view name = "test.csv") {
  auto parsed = ParseBarText(text, name, options);
  EXPECT_TRUE(parsed.ok()) << parsed.error().ToString();
  return parsed.ok() ? std::move(*parsed) : ParsedBars{};
}

ParsedBars MustParseFile(const std::string& relative, const ImportOptions& options) {
  auto parsed = ParseBarFile(DataDir() / relative, options);
  EXPECT_TRUE(parsed.ok()) << parsed.error().ToString();
  return parsed.ok() ? std::move(*parsed) : ParsedBars{};
}

TEST(DetectFormat, RecognisesEveryLayout) {
  EXPECT_EQ(DetectFormat("datetime,open,high,low,close,volume\n2019-02-15 16:00:00,1,2,0.5,1.5,10", "x").value(),
            BarFileFormat::kGenericCsv);
  EXPECT_EQ(DetectFormat(",date,open,high,low,close,volume\n0,1999-11-01,1,2,1,1,4.0\n", "x").value(),
            BarFileFormat::kGenericCsv);
  EXPECT_EQ(DetectFormat("time,open,high,low,close,Volume\n1739197800,6046.4,6059.51,6046.4,6054.12,1\n", "x").value(),
            BarFileFormat::kTradingView);
  EXPECT_EQ(DetectFormat("14400000,1674100,1674100,1672500,1672700,3197\n", "20131007_spy_minute_trade.csv").value(),
            BarFileFormat::kLeanMinute);
  EXPECT_EQ(DetectFormat("19980102 00:00,973100,975300,965300,973600,2150000\n", "spy.csv").value(),
            BarFileFormat::kLeanDaily);
  EXPECT_EQ(DetectFormat("NIFTY,20221101,09:08,18130.70,18130.70,18130.70,18130.70,0,0\n", "n.txt").value(),
            BarFileFormat::kIndianVendor);
  EXPECT_EQ(DetectFormat("\n\n1700000000,1,2,1,1,5\n", "x").value(), BarFileFormat::kGenericCsv);
  EXPECT_FALSE(DetectFormat("14400000,1,1,1,1,1,1,1,1,1,1\n", "q.csv").ok()) << "Lean quote bars";
  EXPECT_FALSE(DetectFormat("", "empty.csv").ok());
  EXPECT_FALSE(DetectFormat("hello\n", "x").ok());
  auto single = ParseBarText("ts,open,high,low,close\n1700000000,1,1,1,1\n", "one.csv", ImportOptions{});
  ASSERT_FALSE(single.ok()) << "one bar gives no step to infer the spec from";
  EXPECT_EQ(single.error().field, "spec");
}

TEST(GenericCsv, NaiveLocalTimesFollowDaylightSaving) {
  ImportOptions options;
  options.time_zone = "America/New_York";
  options.spec = BarSpec{1, BarUnit::kMinute};
  const auto parsed = MustParse(
      "datetime,open,high,low,close,volume\n"
      "2024-03-08 09:30:00,10.5,11,10,10.75,100\n"
      "2024-03-11 09:30:00,10.5,11,10,10.75,200\n",
      options);
  ASSERT_EQ(parsed.bars.size(), 2U);
  EXPECT_EQ(parsed.bars.ts[0], Ts("2024-03-08T14:30:00Z"));  // EST, UTC-5
  EXPECT_EQ(parsed.bars.ts[1], Ts("2024-03-11T13:30:00Z"));  // EDT, UTC-4
  EXPECT_EQ(parsed.bars.open[0], 10'500'000'000);
  EXPECT_EQ(parsed.bars.close[1], 10'750'000'000);
  EXPECT_EQ(parsed.bars.volume[1], 200 * kPrice);
  EXPECT_EQ(parsed.bars.price_precision, 2);
  EXPECT_EQ(parsed.report.format, BarFileFormat::kGenericCsv);
}

TEST(GenericCsv, ConfigurableColumnsDelimiterAndEpochMillis) {
  ImportOptions options;
  options.csv.delimiter = ';';
  options.csv.has_header = false;
  options.csv.time = ColumnRef::At(5);
  options.csv.open = ColumnRef::At(0);
  options.csv.high = ColumnRef::At(1);
  options.csv.low = ColumnRef::At(2);
  options.csv.close = ColumnRef::At(3);
  options.csv.volume = ColumnRef::At(4);
  const auto parsed = MustParse("1;2;0.5;1.5;1.5e3;1700000000123\n1;2;0.5;1.5;7;1700000060123\n", options);
  ASSERT_EQ(parsed.bars.size(), 2U);
  EXPECT_EQ(parsed.bars.ts[0], 1'700'000'000'123'000'000);
  EXPECT_EQ(parsed.bars.volume[0], 1500 * kPrice);
  EXPECT_EQ(parsed.report.spec, (BarSpec{1, BarUnit::kMinute}));

  ImportOptions named;
  named.csv.time = ColumnRef::Named("When");
  named.csv.close = ColumnRef::Named("Last");
  named.spec = BarSpec{1, BarUnit::kHour};
  const auto by_name = MustParse("When,open,high,low,Last,vol\n2024-01-02T10:00:00Z,1,2,1,2,3\n", named);
  ASSERT_EQ(by_name.bars.size(), 1U);
  EXPECT_EQ(by_name.bars.close[0], 2 * kPrice);
  named.csv.close = ColumnRef::Named("nope");
  EXPECT_FALSE(ParseBarText("When,open,high,low,Last,vol\n2024-01-02T10:00:00Z,1,2,1,2,3\n", "x", named).ok());
}

TEST(GenericCsv, SeparateDateAndTimeColumns) {
  ImportOptions options;
  options.time_zone = "Asia/Kolkata";
  options.spec = BarSpec{1, BarUnit::kMinute};
  const auto parsed = MustParse("Date,Time,Open,High,Low,Close,Volume\n2023-01-02,09:15,1,2,1,2,3\n", options);
  ASSERT_EQ(parsed.bars.size(), 1U);
  EXPECT_EQ(parsed.bars.ts[0], Ts("2023-01-02T03:45:00Z"));
}

TEST(GenericCsv, NewestFirstNoTrailingNewlineAndBarEndLabels) {
  ImportOptions options;
  options.time_zone = "America/New_York";
  options.label = BarLabel::kBarEnd;
  const auto parsed = MustParse(
      "datetime,open,high,low,close,volume\r\n"
      "2019-02-15 09:33:00,3,3,3,3,3\r\n"
      "2019-02-15 09:32:00,2,2,2,2,2\r\n"
      "2019-02-15 09:31:00,1,1,1,1,1",
      options);
  ASSERT_EQ(parsed.bars.size(), 3U);
  EXPECT_TRUE(parsed.report.reversed);
  EXPECT_EQ(parsed.bars.ts[0], Ts("2019-02-15T14:30:00Z")) << "the 09:31 end label is the 09:30 bar";
  EXPECT_EQ(parsed.bars.open[2], 3 * kPrice);
  EXPECT_EQ(parsed.report.spec, (BarSpec{1, BarUnit::kMinute}));
}

TEST(GenericCsv, UnorderedRowsAreSortedAndRepeatsRemoved) {
  const auto parsed = MustParse(
      "ts,open,high,low,close,volume\n"
      "1700000120,3,3,3,3,3\n1700000000,1,1,1,1,1\n1700000060,2,2,2,2,2\n1700000000,1,1,1,1,1\n",
      ImportOptions{});
  ASSERT_EQ(parsed.bars.size(), 3U);
  EXPECT_TRUE(parsed.report.resorted);
  EXPECT_EQ(parsed.report.duplicate_rows, 1U);
  EXPECT_EQ(parsed.bars.close[1], 2 * kPrice);
}

TEST(MalformedInput, ReportsFileLineAndColumn) {
  const std::string text =
      "datetime,open,high,low,close,volume\n"
      "2024-01-02 10:00:00,1,2,1,2,3\n"
      "2024-01-02 10:01:00,1,2x,1,2,3\n"   // line 3, high at column 23
      "2024-01-02 10:02:00,1,2,1\n"        // line 4, too few fields
      "2024-01-02 10:03:00,1,1,2,1,3\n"    // line 5, high below low (column 23)
      "2024-13-02 10:04:00,1,2,1,2,3\n"    // line 6, bad date (column 1)
      "2024-01-02 10:05:00,1,2,1,3,3\n"    // line 7, close above high (column 27)
      "2024-01-02 10:06:00,1,2,1,2,-3\n"   // line 8, negative volume (column 29)
      "2024-01-02 10:07:00,0,2,0,2,3\n"    // line 9, zero price (column 21)
      "2024-01-02 10:00:00,1,2,1,1.5,3\n"  // line 10, a different bar for 10:00
      "2024-01-02 10:08:00,1,2,1,2,3\n";
  ImportOptions options;
  auto skipped = ParseBarText(text, "bad.csv", options);
  ASSERT_TRUE(skipped.ok()) << skipped.error().ToString();
  EXPECT_EQ(skipped->bars.size(), 2U);
  EXPECT_EQ(skipped->report.rows, 10U);
  EXPECT_EQ(skipped->report.bad_rows, 8U);
  const auto& issues = skipped->report.issues;
  ASSERT_EQ(issues.size(), 8U);
  const auto expect_issue = [&](std::size_t i, std::uint64_t line, std::uint32_t column, std::string_view field) {
    EXPECT_EQ(issues[i].file, "bad.csv");
    EXPECT_EQ(issues[i].line, line) << issues[i].ToString();
    EXPECT_EQ(issues[i].column, column) << issues[i].ToString();
    EXPECT_EQ(issues[i].field, field) << issues[i].ToString();
  };
  expect_issue(0, 3, 23, "high");
  expect_issue(1, 4, 26, "row");
  expect_issue(2, 5, 23, "high");
  expect_issue(3, 6, 1, "time");
  expect_issue(4, 7, 27, "close");
  expect_issue(5, 8, 29, "volume");
  expect_issue(6, 9, 21, "open");
  expect_issue(7, 10, 1, "time");
  EXPECT_EQ(issues[0].ToString(), "bad.csv:3:23: bad number '2x' (high)");
  EXPECT_NE(issues[7].reason.find("line 2"), std::string::npos);

  options.on_bad_row = BadRowPolicy::kAbort;
  auto aborted = ParseBarText(text, "bad.csv", options);
  ASSERT_FALSE(aborted.ok());
  EXPECT_EQ(aborted.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(aborted.error().message, "bad.csv:3:23: bad number '2x' (high)");
  EXPECT_EQ(aborted.error().field, "high");

  options.on_bad_row = BadRowPolicy::kSkip;
  options.max_reported_issues = 2;
  auto capped = ParseBarText(text, "bad.csv", options);
  EXPECT_EQ(capped->report.issues.size(), 2U);
  EXPECT_EQ(capped->report.bad_rows, 8U);
}

TEST(MalformedInput, LayoutSpecificErrors) {
  ImportOptions options;
  options.format = BarFileFormat::kIndianVendor;
  auto mixed = ParseBarText(
      "NIFTY,20221101,09:16,1,2,1,2,0,0\nBANKNIFTY,20221101,09:17,1,2,1,2,0,0\n"
      "NIFTY,20221101,9:18,1,2,1,2,0,0\n",
      "n.txt", options);
  ASSERT_TRUE(mixed.ok());
  ASSERT_EQ(mixed->report.issues.size(), 2U);
  EXPECT_EQ(mixed->report.issues[0].field, "symbol");
  EXPECT_EQ(mixed->report.issues[1].line, 3U);
  EXPECT_EQ(mixed->report.issues[1].column, 16U);
  ImportOptions lean;
  lean.format = BarFileFormat::kLeanMinute;
  EXPECT_FALSE(ParseBarText("14400000,1,1,1,1,1\n", "no_date.csv", lean).ok()) << "no date in the name";
  auto beyond = ParseBarText("90000000,1,1,1,1,1\n", "20131007_x.csv", lean);
  ASSERT_TRUE(beyond.ok());
  EXPECT_EQ(beyond->report.bad_rows, 1U);
}

TEST(Progress, ReportsGrowingBytesAndTheEnd) {
  std::string text = "ts,open,high,low,close,volume\n";
  for (int i = 0; i < 60000; ++i) {
    text += std::to_string(1'600'000'000 + i * 60) + ",100.25,100.5,100,100.25,1000\n";
  }
  std::vector<ImportProgress> seen;
  auto parsed = ParseBarText(text, "big.csv", ImportOptions{}, [&](const ImportProgress& p) { seen.push_back(p); });
  ASSERT_TRUE(parsed.ok());
  ASSERT_GE(seen.size(), 3U);
  for (std::size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GT(seen[i].bytes_done, seen[i - 1].bytes_done);
  }
  EXPECT_EQ(seen.back().bytes_done, text.size());
  EXPECT_EQ(seen.back().rows, 60000U);
}

// --- real files (skipped when the shared data folder is absent) ---

TEST(RealFiles, EqkerOneMinuteNewestFirstBarEnd) {
  TD_REQUIRE_DATA("us_equity/eqker_2019/SPY_1min.csv");
  ImportOptions options;
  options.time_zone = "America/New_York";
  options.label = BarLabel::kBarEnd;
  const auto parsed = MustParseFile("us_equity/eqker_2019/SPY_1min.csv", options);
  EXPECT_EQ(parsed.bars.size(), 1950U);
  EXPECT_EQ(parsed.report.bad_rows, 0U);
  EXPECT_TRUE(parsed.report.reversed);
  EXPECT_EQ(parsed.bars.ts.front(), Ts("2019-02-11T14:30:00Z"));
  EXPECT_EQ(parsed.bars.ts.back(), Ts("2019-02-15T20:59:00Z"));
  EXPECT_EQ(parsed.bars.close.back(), 277'390'000'000) << "the last line has no newline";
}

TEST(RealFiles, PolygonIsoOffsetsAcrossDaylightSaving) {
  TD_REQUIRE_DATA("us_equity/intraday/SPY_1min_polygon_20240220_20240517_ext.csv");
  const auto parsed = MustParseFile("us_equity/intraday/SPY_1min_polygon_20240220_20240517_ext.csv", ImportOptions{});
  EXPECT_EQ(parsed.bars.size(), 49720U);
  EXPECT_EQ(parsed.report.bad_rows, 0U);
  EXPECT_EQ(parsed.bars.ts.front(), Ts("2024-02-20T09:00:00Z"));
  EXPECT_EQ(parsed.bars.ts.back(), Ts("2024-05-17T23:59:00Z"));
  EXPECT_EQ(parsed.bars.volume.front(), 3952 * kPrice) << "float volume 3952.0";
  EXPECT_EQ(parsed.bars.volume_precision, 0);
  // 2024-03-11 04:00-04:00 is the first extended-hours bar after the change to EDT.
  const auto it = std::lower_bound(parsed.bars.ts.begin(), parsed.bars.ts.end(), Ts("2024-03-11T00:00:00Z"));
  EXPECT_EQ(*it, Ts("2024-03-11T08:00:00Z"));
  // With the NYSE session, extended hours are dropped and counted.
  ImportOptions rth;
  rth.session = NyseRegularSession();
  const auto regular = MustParseFile("us_equity/intraday/SPY_1min_polygon_20240220_20240517_ext.csv", rth);
  EXPECT_GT(regular.report.outside_session, 20000U);
  EXPECT_EQ(regular.bars.size() + regular.report.outside_session, 49720U);
  EXPECT_LE(regular.bars.size(), 63U * 390U);
}

TEST(RealFiles, JeffreymalkusRthWithFloatVolumes) {
  TD_REQUIRE_DATA("us_equity/intraday/SPY_1min_20250915_20260319_rth.csv");
  ImportOptions options;
  options.session = NyseRegularSession();
  const auto parsed = MustParseFile("us_equity/intraday/SPY_1min_20250915_20260319_rth.csv", options);
  EXPECT_EQ(parsed.bars.size(), 49885U);
  EXPECT_EQ(parsed.report.outside_session, 0U);
  EXPECT_EQ(parsed.report.time_zone, "America/New_York");
  EXPECT_EQ(parsed.bars.price_precision, 4);
  EXPECT_EQ(parsed.bars.volume.back(), 829753 * kPrice);
  EXPECT_EQ(parsed.bars.ts.back(), Ts("2026-03-19T19:59:00Z"));
}

TEST(RealFiles, PandasIndexColumnDaily) {
  TD_REQUIRE_DATA("us_equity/daily/SPY_D_pandas-ta_19991101_20200828.csv");
  ImportOptions options;
  options.session = NyseRegularSession();
  const auto parsed = MustParseFile("us_equity/daily/SPY_D_pandas-ta_19991101_20200828.csv", options);
  EXPECT_EQ(parsed.bars.size(), 5241U);
  EXPECT_EQ(parsed.report.spec, (BarSpec{1, BarUnit::kDay}));
  EXPECT_EQ(parsed.bars.ts.front(), Ts("1999-11-01T14:30:00Z")) << "a daily bar starts at the session open";
  EXPECT_EQ(parsed.bars.open.front(), 136'500'000'000);
  EXPECT_EQ(parsed.bars.low.front(), 135'562'500'000);
  EXPECT_EQ(parsed.bars.volume.front(), 4'006'500 * kPrice);
}

TEST(RealFiles, StooqAndEqkerDailyDates) {
  TD_REQUIRE_DATA("us_equity/daily/SPY_daily_stooq_20180226_20260209.csv");
  const auto stooq = MustParseFile("us_equity/daily/SPY_daily_stooq_20180226_20260209.csv", ImportOptions{});
  EXPECT_EQ(stooq.bars.size(), 2000U);
  EXPECT_EQ(stooq.bars.ts.front(), Ts("2018-02-26T00:00:00Z")) << "no session: local (UTC) midnight";
  EXPECT_EQ(stooq.bars.close.front(), 247'373'000'000);
  ImportOptions options;
  options.session = NyseRegularSession();
  const auto eqker = MustParseFile("us_equity/eqker_2019/SPY_daily.csv", options);
  EXPECT_EQ(eqker.bars.size(), 283U);
  EXPECT_TRUE(eqker.report.reversed);
  EXPECT_EQ(eqker.bars.ts.back(), Ts("2019-02-15T14:30:00Z"));
}

TEST(RealFiles, TradingViewEpochSeconds) {
  TD_REQUIRE_DATA("us_index_vix/SPX_5min_tradingview_20250210_20260213.csv");
  const auto spx = MustParseFile("us_index_vix/SPX_5min_tradingview_20250210_20260213.csv", ImportOptions{});
  EXPECT_EQ(spx.report.format, BarFileFormat::kTradingView);
  EXPECT_EQ(spx.bars.size(), 20044U);
  EXPECT_EQ(spx.bars.ts.front(), Ts("2025-02-10T14:30:00Z"));
  EXPECT_EQ(spx.report.spec, (BarSpec{5, BarUnit::kMinute}));
  const auto vix = MustParseFile("us_index_vix/VIX_5min_tradingview_20250811_20260213.csv", ImportOptions{});
  EXPECT_EQ(vix.bars.size(), 20224U);
  EXPECT_EQ(vix.report.bad_rows, 0U);
  EXPECT_EQ(vix.bars.volume.front(), 0) << "empty Volume";
}

TEST(RealFiles, LeanMinuteZipDeciCents) {
  TD_REQUIRE_DATA("us_equity/intraday/lean_spy_minute_201310/spy_minute_20131007_trade.zip");
  const auto parsed =
      MustParseFile("us_equity/intraday/lean_spy_minute_201310/spy_minute_20131007_trade.zip", ImportOptions{});
  EXPECT_EQ(parsed.report.format, BarFileFormat::kLeanMinute);
  ASSERT_FALSE(parsed.bars.empty());
  EXPECT_EQ(parsed.bars.ts.front(), Ts("2013-10-07T08:00:00Z")) << "04:00 EDT";
  EXPECT_EQ(parsed.bars.open.front(), 167'410'000'000) << "1674100 deci-cents";
  EXPECT_EQ(parsed.bars.volume.front(), 3197 * kPrice);
  EXPECT_EQ(parsed.bars.price_precision, 4);
  EXPECT_EQ(parsed.report.spec, (BarSpec{1, BarUnit::kMinute}));
  EXPECT_EQ(parsed.bars.size(), 828U);
  EXPECT_FALSE(ParseBarFile(DataDir() / "us_equity/intraday/lean_spy_minute_201310/spy_minute_20131007_quote.zip",
                            ImportOptions{})
                   .ok())
      << "quote bars are refused with a reason";
}

TEST(RealFiles, LeanDailyAndHourZips) {
  TD_REQUIRE_DATA("us_equity/daily/lean/daily_spy.zip");
  ImportOptions options;
  options.session = NyseRegularSession();
  const auto daily = MustParseFile("us_equity/daily/lean/daily_spy.zip", options);
  EXPECT_EQ(daily.report.format, BarFileFormat::kLeanDaily);
  EXPECT_EQ(daily.bars.size(), 5849U);
  EXPECT_EQ(daily.report.spec, (BarSpec{1, BarUnit::kDay}));
  EXPECT_EQ(daily.bars.ts.front(), Ts("1998-01-02T14:30:00Z"));
  EXPECT_EQ(daily.bars.open.front(), 97'310'000'000);
  EXPECT_EQ(daily.bars.volume.front(), 2'150'000 * kPrice);
  const auto hourly = MustParseFile("us_equity/daily/lean/hour_spy.zip", options);
  EXPECT_EQ(hourly.report.spec, (BarSpec{1, BarUnit::kHour}));
  EXPECT_EQ(hourly.bars.size(), 40832U) << "Lean's 09:00 label overlaps the session and is kept";
  EXPECT_EQ(hourly.bars.ts.front(), Ts("1998-01-02T14:00:00Z"));
}

TEST(RealFiles, IndianVendorBarEndLabelsAndSessionRule) {
  TD_REQUIRE_DATA("india/index_1min/NIFTY_1min_2022_NOV.txt");
  const auto parsed = MustParseFile("india/index_1min/NIFTY_1min_2022_NOV.txt", ImportOptions{});
  EXPECT_EQ(parsed.report.format, BarFileFormat::kIndianVendor);
  EXPECT_EQ(parsed.report.instrument, InstrumentId::Of("NSE:NIFTY"));
  EXPECT_EQ(parsed.report.label, BarLabel::kBarEnd);
  EXPECT_EQ(parsed.report.rows, 7938U);
  // Rule: the 09:08 pre-open print and the 15:31–15:33 post-close rows lie outside 09:15–15:30 IST
  // once read as bar ends, so the session filter drops and counts them: 375 bars a day remain.
  EXPECT_EQ(parsed.bars.size(), 21U * 375U);
  EXPECT_EQ(parsed.report.outside_session, 7938U - 21U * 375U);
  EXPECT_EQ(parsed.bars.ts.front(), Ts("2022-11-01T03:45:00Z")) << "09:16 IST end label = 09:15 bar";
  EXPECT_EQ(parsed.bars.open.front(), 18'090'850'000'000);
  EXPECT_EQ(parsed.bars.ts[374], Ts("2022-11-01T09:59:00Z")) << "15:30 end label = 15:29 bar";
  EXPECT_EQ(parsed.bars.close[374], 18'142'750'000'000);
  // Keeping them instead shows where they land.
  ImportOptions keep;
  keep.outside_session = OutsideSession::kKeep;
  const auto all = MustParseFile("india/index_1min/NIFTY_1min_2022_NOV.txt", keep);
  EXPECT_EQ(all.bars.size(), 7938U);
  EXPECT_EQ(all.bars.ts.front(), Ts("2022-11-01T03:37:00Z")) << "09:08 print = 09:07 bar";
}

TEST(RealFiles, GzipInput) {
  TD_REQUIRE_DATA("futures_fx/6EH4.XCME_1min_bars_20240101_20240131.csv.gz");
  const auto parsed = MustParseFile("futures_fx/6EH4.XCME_1min_bars_20240101_20240131.csv.gz", ImportOptions{});
  EXPECT_EQ(parsed.bars.size(), 29996U);
  EXPECT_EQ(parsed.bars.ts.front(), Ts("2024-01-01T23:01:00Z"));
  EXPECT_EQ(parsed.bars.price_precision, 5);
}

TEST(ImportFile, WritesToTheStoreIdempotently) {
  TD_REQUIRE_DATA("india/index_1min/NIFTY_1min_2022_DEC.txt");
  TempDir dir;
  BarStore store(dir.path());
  const auto path = DataDir() / "india/index_1min/NIFTY_1min_2022_DEC.txt";
  auto first = ImportFile(path, ImportOptions{}, store);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->appended, 22U * 375U);
  auto second = ImportFile(path, ImportOptions{}, store);
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->appended, 0U);
  EXPECT_EQ(second->already_stored, 22U * 375U);
  auto series = store.Open(InstrumentId::Of("NSE:NIFTY"), BarSpec{1, BarUnit::kMinute});
  ASSERT_TRUE(series.ok());
  EXPECT_EQ(series->size(), 22U * 375U);
  EXPECT_EQ(series->header().price_precision, 2);
  // A CSV without a symbol needs an instrument.
  EXPECT_FALSE(ImportFile(DataDir() / "us_equity/eqker_2019/SPY_daily.csv", ImportOptions{}, store).ok());
}

TEST(ImportFile, MissingFileIsAnIoError) {
  TempDir dir;
  BarStore store(dir.path());
  auto result = ImportFile(dir.path() / "nope.csv", ImportOptions{}, store);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace td::data
