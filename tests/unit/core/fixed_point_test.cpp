// SPDX-License-Identifier: MIT
#include "core/fixed_point.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace td {
namespace {

TEST(PriceTest, ParsesAndFormatsExactly) {
  auto p = Price::Parse("24123.45");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->raw(), 24123'450000000LL);
  EXPECT_EQ(p->precision(), 2);
  EXPECT_EQ(p->ToString(), "24123.45");
  EXPECT_EQ(Price::Parse("-0.05")->ToString(), "-0.05");
  EXPECT_EQ(Price::Parse("7")->ToString(), "7");
  EXPECT_EQ(Price::Parse(".5")->ToString(), "0.5");
  EXPECT_EQ(Price::Parse("0.000000001")->raw(), 1);
  EXPECT_EQ(Price::Parse("1.500000000000")->ToString(), "1.500000000");
}

TEST(PriceTest, RejectsMalformedText) {
  for (const char* bad : {"", "-", ".", "1e5", "nan", "NaN", "inf", "+1", " 1", "1 ", "1,000", "1.2.3", "0x10",
                          "1.0000000001", "99999999999"}) {
    EXPECT_FALSE(Price::Parse(bad).ok()) << bad;
  }
  EXPECT_FALSE(Quantity::Parse("-1").ok());
}

TEST(PriceTest, ParseAtPrecisionRejectsExtraDigits) {
  EXPECT_EQ(Price::Parse("100.1", 2)->ToString(), "100.10");
  EXPECT_FALSE(Price::Parse("100.125", 2).ok());
  EXPECT_TRUE(Price::Parse("100.120", 2).ok());
  EXPECT_FALSE(Price::Parse("1", 10).ok());
}

TEST(PriceTest, FromDoubleRoundsHalfAwayAndRejectsNonFinite) {
  EXPECT_EQ(Price::FromDouble(1.005, 2)->ToString(), "1.00");  // 1.005 is 1.00499999... in binary
  EXPECT_EQ(Price::FromDouble(2.5, 0)->ToString(), "3");
  EXPECT_EQ(Price::FromDouble(-2.5, 0)->ToString(), "-3");
  EXPECT_FALSE(Price::FromDouble(std::nan(""), 2).ok());
  EXPECT_FALSE(Price::FromDouble(std::numeric_limits<double>::infinity(), 2).ok());
  EXPECT_FALSE(Price::FromDouble(1e30, 2).ok());
  EXPECT_FALSE(Quantity::FromDouble(-1.0, 0).ok());
}

TEST(PriceTest, ArithmeticKeepsTheWiderPrecision) {
  const Price a = *Price::Parse("100.5");
  const Price b = *Price::Parse("0.25");
  EXPECT_EQ((a + b).ToString(), "100.75");
  EXPECT_EQ((a - b).precision(), 2);
  EXPECT_EQ((b * 4).ToString(), "1.00");
  EXPECT_EQ((-a).ToString(), "-100.5");
  EXPECT_LT(b, a);
  EXPECT_EQ(*Price::Parse("1.50"), *Price::Parse("1.5"));
}

TEST(PriceTest, RoundsToTick) {
  const Price tick = *Price::Parse("0.05");
  EXPECT_EQ(Price::Parse("101.03")->RoundToStep(tick).ToString(), "101.05");
  EXPECT_EQ(Price::Parse("101.02")->RoundToStep(tick).ToString(), "101.00");
  EXPECT_EQ(Price::Parse("101.025")->RoundToStep(tick).ToString(), "101.050");
  EXPECT_EQ(Price::Parse("101.04")->RoundToStep(tick, RoundingMode::kDown).ToString(), "101.00");
  EXPECT_EQ(Price::Parse("101.01")->RoundToStep(tick, RoundingMode::kUp).ToString(), "101.05");
  EXPECT_EQ(Price::Parse("-101.01")->RoundToStep(tick, RoundingMode::kDown).ToString(), "-101.05");
  EXPECT_TRUE(Price::Parse("101.05")->IsMultipleOf(tick));
  EXPECT_FALSE(Price::Parse("101.06")->IsMultipleOf(tick));
}

TEST(PriceTest, ExtremesFormatWithoutOverflow) {
  const Price lowest = Price::FromRaw(std::numeric_limits<std::int64_t>::min(), 9);
  EXPECT_EQ(lowest.ToString(), "-9223372036.854775808");
  const Price highest = Price::FromRaw(std::numeric_limits<std::int64_t>::max(), 9);
  EXPECT_EQ(highest.ToString(), "9223372036.854775807");
}

TEST(PriceDeathTest, OverflowAborts) {
  const Price big = Price::FromRaw(std::numeric_limits<std::int64_t>::max(), 9);
  EXPECT_DEATH((void)(big + Price::FromRaw(1, 9)), "fixed-point overflow");
}

TEST(QuantityDeathTest, NegativeResultAborts) {
  EXPECT_DEATH((void)(Quantity::FromUnits(1) - Quantity::FromUnits(2)), "quantity would go negative");
}

TEST(QuantityTest, NotionalUsesMultiplier) {
  EXPECT_DOUBLE_EQ(Notional(*Price::Parse("120.5"), Quantity::FromUnits(75), 1.0), 9037.5);
}

}  // namespace
}  // namespace td
