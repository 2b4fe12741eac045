// SPDX-License-Identifier: MIT
#include "model/bar.hpp"

#include <gtest/gtest.h>

namespace td {
namespace {

TEST(BarSpecTest, ParsesCanonicalAndAliasForms) {
  struct Case {
    const char* text;
    std::uint32_t step;
    BarUnit unit;
    const char* canonical;
  };
  for (const Case& c :
       {Case{"15s", 15, BarUnit::kSecond, "15s"}, Case{"1m", 1, BarUnit::kMinute, "1m"},
        Case{"5min", 5, BarUnit::kMinute, "5m"}, Case{"4h", 4, BarUnit::kHour, "4h"}, Case{"D", 1, BarUnit::kDay, "1D"},
        Case{"1day", 1, BarUnit::kDay, "1D"}, Case{"W", 1, BarUnit::kWeek, "1W"}, Case{"1wk", 1, BarUnit::kWeek, "1W"},
        Case{"M", 1, BarUnit::kMonth, "1M"}, Case{"3mo", 3, BarUnit::kMonth, "3M"}}) {
    auto spec = BarSpec::Parse(c.text);
    ASSERT_TRUE(spec.ok()) << c.text << ": " << spec.error().ToString();
    EXPECT_EQ(spec->step, c.step) << c.text;
    EXPECT_EQ(spec->unit, c.unit) << c.text;
    EXPECT_EQ(spec->ToString(), c.canonical);
    EXPECT_EQ(BarSpec::Parse(spec->ToString()).value(), *spec);
  }
}

TEST(BarSpecTest, RejectsMalformedAndUnevenSpecs) {
  for (const char* bad : {"", "0m", "7m", "5x", "m5", "-1m", "2D", "5M", "1.5m", "99999999999m", "13h"}) {
    auto spec = BarSpec::Parse(bad);
    EXPECT_FALSE(spec.ok()) << bad;
    if (!spec.ok()) {
      EXPECT_EQ(spec.error().field, "resolution") << bad;
    }
  }
}

TEST(BarSpecTest, IntradayLengthAndOrdering) {
  EXPECT_TRUE(BarSpec::Parse("5m")->IsIntraday());
  EXPECT_FALSE(BarSpec::Parse("1D")->IsIntraday());
  EXPECT_EQ(BarSpec::Parse("5m")->IntradayLength(), std::chrono::minutes(5));
  EXPECT_EQ(BarSpec::Parse("2h")->IntradayLength(), std::chrono::hours(2));
  EXPECT_EQ(BarSpec::Parse("30s")->IntradayLength(), std::chrono::seconds(30));
  EXPECT_LT(*BarSpec::Parse("30s"), *BarSpec::Parse("1m"));
  EXPECT_LT(*BarSpec::Parse("1m"), *BarSpec::Parse("5m"));
  EXPECT_LT(*BarSpec::Parse("4h"), *BarSpec::Parse("1D"));
}

TEST(BarTest, ConsistencyChecksAllFourPrices) {
  const auto p = [](const char* text) { return Price::Parse(text).value(); };
  Bar bar{UnixNanos::FromSeconds(60), UnixNanos::FromSeconds(120), p("100"), p("101.5"), p("99.25"), p("100.75"),
          Quantity::FromUnits(10)};
  EXPECT_TRUE(bar.IsConsistent());
  Bar high_below_close = bar;
  high_below_close.high = p("100.5");
  EXPECT_FALSE(high_below_close.IsConsistent());
  Bar low_above_open = bar;
  low_above_open.low = p("100.1");
  EXPECT_FALSE(low_above_open.IsConsistent());
}

}  // namespace
}  // namespace td
