// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "adapters/polygon/parse.hpp"
#include "test_support.hpp"

namespace td::adapters::polygon {
namespace {

using vendors_test::Fixture;

const UnixNanos kNow = UnixNanos::FromSeconds(1704300000);

Price P(std::string_view text) { return Price::Parse(text).value(); }

TEST(PolygonParseTest, TickersAndPaths) {
  EXPECT_EQ(*PolygonTicker(InstrumentId::Of("US:AAPL")), "AAPL");
  EXPECT_EQ(*PolygonTicker(InstrumentId::Of("US:BRK.B")), "BRK.B");
  EXPECT_EQ(*PolygonTicker(InstrumentId::Of("US:^SPX")), "I:SPX");
  EXPECT_EQ(*PolygonTicker(InstrumentId::Of("OPRA:SPY240119C00470000")), "O:SPY240119C00470000");
  EXPECT_FALSE(PolygonTicker(InstrumentId::Of("NSE:SBIN")).ok());
  EXPECT_FALSE(PolygonTicker(InstrumentId::Of("OPRA:SPY")).ok());
  EXPECT_FALSE(PolygonTicker(InstrumentId::Of("US:^")).ok());
  EXPECT_EQ(AggregatesPath("AAPL", BarSpec{5, BarUnit::kMinute}, 1704205800000, 1704206099999, true, 50000),
            "/v2/aggs/ticker/AAPL/range/5/minute/1704205800000/1704206099999?adjusted=true&sort=asc&limit=50000");
  EXPECT_EQ(TimespanFor(BarSpec{1, BarUnit::kDay}).unit, "day");
  EXPECT_EQ(TimespanFor(BarSpec{4, BarUnit::kHour}).multiplier, 4U);
}

TEST(PolygonParseTest, PageOfAggregates) {
  auto page = ParseAggregates(Fixture("polygon/aggs_page1.json"), ParseOptions{}, kNow);
  ASSERT_TRUE(page.ok()) << page.error().ToString();
  EXPECT_EQ(page->status, "OK");
  ASSERT_EQ(page->bars.size(), 2U);
  EXPECT_EQ(page->rejected, 1U);
  EXPECT_EQ(page->first_reject, "results[2].h: missing");
  EXPECT_EQ(page->bars[0].ts_event, UnixNanos::FromMillis(1704205800000));
  EXPECT_EQ(page->bars[0].open, P("187.15"));
  EXPECT_EQ(page->bars[0].high, P("187.50"));
  EXPECT_EQ(page->bars[0].low, P("186.98"));
  EXPECT_EQ(page->bars[0].close, P("187.42"));
  EXPECT_EQ(page->bars[0].volume, Quantity::Parse("712345").value());
  EXPECT_EQ(page->bars[1].volume, Quantity::Parse("402311").value());
  EXPECT_EQ(page->bars[0].ts_init, kNow);
  EXPECT_EQ(page->next_url.rfind("__BASE__/v2/aggs/ticker/AAPL/", 0), 0U);
  EXPECT_EQ(page->request_id, "6a7e466379af0a71039d60cc78e72282");

  auto last = ParseAggregates(Fixture("polygon/aggs_page2.json"), ParseOptions{}, kNow);
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->next_url.empty());
  EXPECT_EQ(last->bars.size(), 2U);
}

TEST(PolygonParseTest, EmptyDelayedAndBadRows) {
  auto empty = ParseAggregates(Fixture("polygon/aggs_delayed_empty.json"), ParseOptions{}, kNow);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->status, "DELAYED");
  EXPECT_TRUE(empty->bars.empty());

  auto bad = ParseAggregates(Fixture("polygon/aggs_bad_rows.json"), ParseOptions{}, kNow);
  ASSERT_TRUE(bad.ok());
  ASSERT_EQ(bad->bars.size(), 2U);
  EXPECT_EQ(bad->rejected, 5U);
  EXPECT_EQ(bad->first_reject, "results[1].o: not a number");
  EXPECT_EQ(bad->bars[0].ts_event, UnixNanos::FromMillis(1704205800000));  // sorted
  EXPECT_TRUE(bad->bars[0].volume.is_zero());                              // no v: zero volume
}

TEST(PolygonParseTest, ErrorBodiesAreStructured) {
  auto denied = ParseAggregates(Fixture("polygon/error_not_authorized.json"), ParseOptions{}, kNow);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(denied.error().message.find("not entitled"), std::string::npos);
  EXPECT_NE(denied.error().message.find("e3b0c44298fc1c149afbf4c8996fb924"), std::string::npos);
  auto error = ParseAggregates(Fixture("polygon/error_bad_request.json"), ParseOptions{}, kNow);
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error().code, ErrorCode::kUnavailable);

  EXPECT_EQ(ErrorFromResponse(429, Fixture("polygon/error_rate_limit.json")).code, ErrorCode::kRateLimited);
  EXPECT_NE(ErrorFromResponse(429, Fixture("polygon/error_rate_limit.json")).message.find("maximum requests"),
            std::string::npos);
  EXPECT_EQ(ErrorFromResponse(400, Fixture("polygon/error_bad_request.json")).code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ErrorFromResponse(401, "").code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(ErrorFromResponse(403, Fixture("polygon/error_not_authorized.json")).code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(ErrorFromResponse(500, "<html>oops</html>").code, ErrorCode::kUnavailable);

  for (std::string_view text : {"", "[]", "{\"status\":\"OK\",\"results\":{}}", "{\"results\":[]}", "{\"status\":7}",
                                "{\"status\":\"OK\",\"results\":[{\"t\":1.5,\"o\":1,\"h\":1,\"l\":1,\"c\":1}]}"}) {
    auto parsed = ParseAggregates(text, ParseOptions{}, kNow);
    EXPECT_TRUE(!parsed.ok() || parsed->rejected == 1U) << text;
  }
}

}  // namespace
}  // namespace td::adapters::polygon
