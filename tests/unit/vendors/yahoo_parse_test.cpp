// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "adapters/yahoo/parse.hpp"
#include "test_support.hpp"

namespace td::adapters::yahoo {
namespace {

using vendors_test::Fixture;

const UnixNanos kNow = UnixNanos::FromSeconds(1704600000);

Price P(std::string_view text) { return Price::Parse(text).value(); }

TEST(YahooParseTest, SymbolsIntervalsAndPaths) {
  EXPECT_EQ(*YahooSymbol(InstrumentId::Of("US:AAPL")), "AAPL");
  EXPECT_EQ(*YahooSymbol(InstrumentId::Of("US:BRK.B")), "BRK-B");
  EXPECT_EQ(*YahooSymbol(InstrumentId::Of("US:^GSPC")), "^GSPC");
  EXPECT_EQ(*YahooSymbol(InstrumentId::Of("NSE:RELIANCE")), "RELIANCE.NS");
  EXPECT_EQ(*YahooSymbol(InstrumentId::Of("BSE:RELIANCE")), "RELIANCE.BO");
  EXPECT_EQ(*YahooSymbol(InstrumentId::Of("NSE_INDEX:NIFTY")), "^NSEI");
  EXPECT_EQ(*YahooSymbol(InstrumentId::Of("NSE:BANKNIFTY")), "^NSEBANK");
  EXPECT_EQ(*YahooSymbol(InstrumentId::Of("BSE_INDEX:SENSEX")), "^BSESN");
  EXPECT_FALSE(YahooSymbol(InstrumentId::Of("NFO:NIFTY28NOV24FUT")).ok());
  EXPECT_EQ(*YahooInterval(BarSpec{5, BarUnit::kMinute}), "5m");
  EXPECT_EQ(*YahooInterval(BarSpec{1, BarUnit::kHour}), "60m");
  EXPECT_EQ(*YahooInterval(BarSpec{1, BarUnit::kDay}), "1d");
  EXPECT_EQ(*YahooInterval(BarSpec{1, BarUnit::kWeek}), "1wk");
  EXPECT_EQ(*YahooInterval(BarSpec{3, BarUnit::kMonth}), "3mo");
  EXPECT_FALSE(YahooInterval(BarSpec{3, BarUnit::kMinute}).ok());
  EXPECT_FALSE(YahooInterval(BarSpec{4, BarUnit::kHour}).ok());
  EXPECT_FALSE(YahooInterval(BarSpec{10, BarUnit::kSecond}).ok());
  EXPECT_EQ(ChartPath("^NSEI", 1732160700, 1732162000, "5m", false),
            "/v8/finance/chart/%5ENSEI?period1=1732160700&period2=1732162000&interval=5m&includePrePost=false");
}

TEST(YahooParseTest, DailyChartSkipsNullRowsAndZeroesNullVolume) {
  auto chart = ParseChart(Fixture("yahoo/chart_daily.json"), ParseOptions{}, kNow);
  ASSERT_TRUE(chart.ok()) << chart.error().ToString();
  EXPECT_EQ(chart->symbol, "AAPL");
  EXPECT_EQ(chart->exchange_timezone, "America/New_York");
  EXPECT_EQ(chart->price_hint, 2);
  EXPECT_EQ(chart->skipped_nulls, 1U);
  EXPECT_EQ(chart->rejected, 0U);
  ASSERT_EQ(chart->bars.size(), 4U);
  EXPECT_EQ(chart->bars[0].ts_event, UnixNanos::FromSeconds(1704205800));
  EXPECT_EQ(chart->bars[0].open, P("187.15"));  // float noise rounded at priceHint decimals
  EXPECT_EQ(chart->bars[0].close, P("185.64"));
  EXPECT_EQ(chart->bars[0].open.precision(), 2);
  EXPECT_EQ(chart->bars[0].volume, Quantity::Parse("82488700").value());
  EXPECT_EQ(chart->bars[2].ts_event, UnixNanos::FromSeconds(1704465000));  // the null day is gone
  EXPECT_TRUE(chart->bars[3].volume.is_zero());
  EXPECT_EQ(chart->bars[3].ts_init, kNow);

  ParseOptions fine;
  fine.use_price_hint = false;
  fine.price_precision = 4;
  auto precise = ParseChart(Fixture("yahoo/chart_daily.json"), fine, kNow);
  ASSERT_TRUE(precise.ok());
  EXPECT_EQ(precise->bars[0].open.precision(), 4);
  EXPECT_EQ(precise->bars[0].open, P("187.1500"));
}

TEST(YahooParseTest, IntradayNullsEmptyAnswersAndErrors) {
  auto intraday = ParseChart(Fixture("yahoo/chart_intraday_nulls.json"), ParseOptions{}, kNow);
  ASSERT_TRUE(intraday.ok());
  ASSERT_EQ(intraday->bars.size(), 3U);
  EXPECT_EQ(intraday->skipped_nulls, 1U);
  EXPECT_EQ(intraday->bars[1].ts_event, UnixNanos::FromSeconds(1732161300));
  EXPECT_EQ(intraday->bars[1].open, P("24012.95"));

  auto empty = ParseChart(Fixture("yahoo/chart_no_timestamps.json"), ParseOptions{}, kNow);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->bars.empty());

  auto missing = ParseChart(Fixture("yahoo/chart_not_found.json"), ParseOptions{}, kNow);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("delisted"), std::string::npos);
  auto crumb = ParseChart(Fixture("yahoo/chart_unauthorized.json"), ParseOptions{}, kNow);
  ASSERT_FALSE(crumb.ok());
  EXPECT_EQ(crumb.error().code, ErrorCode::kPermissionDenied);

  auto mismatched = ParseChart(Fixture("yahoo/chart_mismatched.json"), ParseOptions{}, kNow);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(mismatched.error().field, "chart.result[0].indicators.quote[0].close");

  auto bad = ParseChart(Fixture("yahoo/chart_bad_rows.json"), ParseOptions{}, kNow);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->bars.size(), 1U);
  EXPECT_EQ(bad->rejected, 4U);
  EXPECT_EQ(bad->first_reject, "row 1: open is not a non-negative number");

  for (std::string_view text : {"", "[]", "{}", "{\"chart\":{\"result\":[]}}", "{\"chart\":{\"result\":[1]}}",
                                "{\"chart\":{\"result\":[{\"timestamp\":5}]}}",
                                "{\"chart\":{\"result\":[{\"timestamp\":[1],\"indicators\":{}}]}}"}) {
    EXPECT_FALSE(ParseChart(text, ParseOptions{}, kNow).ok()) << text;
  }
  EXPECT_EQ(ErrorFromResponse(404, Fixture("yahoo/chart_not_found.json")).code, ErrorCode::kNotFound);
  EXPECT_EQ(ErrorFromResponse(429, "Too Many Requests").code, ErrorCode::kRateLimited);
  EXPECT_NE(ErrorFromResponse(429, "Too Many Requests").message.find("Too Many Requests"), std::string::npos);
}

}  // namespace
}  // namespace td::adapters::yahoo
