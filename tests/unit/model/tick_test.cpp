// SPDX-License-Identifier: MIT
#include "model/tick.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace td {
namespace {

Price P(const char* text) {
  return Price::Parse(text).value();
}

TEST(MidpointTest, KeepsPrecisionWhenOnTheGrid) {
  const Price mid = Midpoint(P("100.05"), P("100.15"));
  EXPECT_EQ(mid, P("100.10"));
  EXPECT_EQ(mid.precision(), 2);
  EXPECT_EQ(mid.ToString(), "100.10");
}

TEST(MidpointTest, AddsOneDecimalBetweenTicks) {
  const Price mid = Midpoint(P("100.05"), P("100.10"));
  EXPECT_EQ(mid.ToString(), "100.075");
  EXPECT_EQ(Midpoint(P("1"), P("2")).ToString(), "1.5");
  EXPECT_EQ(Midpoint(P("-1"), P("-2")).ToString(), "-1.5");
  EXPECT_EQ(Midpoint(P("-0.05"), P("0.10")).ToString(), "0.025");
}

TEST(MidpointTest, MixedPrecisionUsesTheFinerOne) {
  EXPECT_EQ(Midpoint(P("100"), P("100.2")).ToString(), "100.1");
  EXPECT_EQ(Midpoint(P("100"), P("100.25")).ToString(), "100.125");
}

TEST(MidpointTest, RoundsHalfAwayFromZeroAtNineDecimals) {
  EXPECT_EQ(Midpoint(P("0.000000001"), P("0.000000002")).raw(), 2);
  EXPECT_EQ(Midpoint(P("-0.000000001"), P("-0.000000002")).raw(), -2);
  EXPECT_EQ(Midpoint(P("-0.000000001"), P("0.000000002")).raw(), 1);
  EXPECT_EQ(Midpoint(P("0.000000001"), P("-0.000000002")).raw(), -1);
}

TEST(MidpointTest, DoesNotOverflowAtTheLimits) {
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  const Price top = Price::FromRaw(max, 9);
  EXPECT_EQ(Midpoint(top, top).raw(), max);
  EXPECT_EQ(Midpoint(top, Price::FromRaw(max - 2, 9)).raw(), max - 1);
  EXPECT_EQ(Midpoint(top, -top).raw(), 0);
}

TEST(QuoteTickTest, MidSpreadAndTwoSided) {
  QuoteTick quote{InstrumentId::Of("NFO:NIFTY28NOV2424000CE"),
                  P("120.05"),
                  P("120.40"),
                  Quantity::FromUnits(75),
                  Quantity::FromUnits(150),
                  UnixNanos::FromSeconds(1),
                  UnixNanos::FromSeconds(1)};
  EXPECT_EQ(quote.Mid().ToString(), "120.225");
  EXPECT_EQ(quote.Spread(), P("0.35"));
  EXPECT_TRUE(quote.IsTwoSided());
  quote.bid = P("0");
  EXPECT_FALSE(quote.IsTwoSided());
  quote.bid = P("121");
  EXPECT_FALSE(quote.IsTwoSided());
  EXPECT_TRUE(quote.Spread().is_negative());
}

}  // namespace
}  // namespace td
