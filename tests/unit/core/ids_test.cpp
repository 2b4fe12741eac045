// SPDX-License-Identifier: MIT
#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

namespace td {
namespace {

TEST(InstrumentIdTest, NormalisesToUpperCase) {
  auto id = InstrumentId::Parse("nse:nifty");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->value(), "NSE:NIFTY");
  EXPECT_EQ(id->exchange(), "NSE");
  EXPECT_EQ(id->symbol(), "NIFTY");
  EXPECT_EQ(InstrumentId::Parse("NSE:M&M")->symbol(), "M&M");
  EXPECT_EQ(InstrumentId::Parse("cboe:^vix")->value(), "CBOE:^VIX");
  EXPECT_EQ(InstrumentId::Parse("NSE_INDEX:NIFTY")->exchange(), "NSE_INDEX");
}

TEST(InstrumentIdTest, RejectsMalformed) {
  for (const char* bad : {"", "NIFTY", ":NIFTY", "NSE:", "NS E:NIFTY", "NSE:NIF TY", "NSE:NIFTY:X", "N-SE:NIFTY"}) {
    auto id = InstrumentId::Parse(bad);
    EXPECT_FALSE(id.ok()) << bad;
    if (!id.ok()) {
      EXPECT_EQ(id.error().field, "symbol");
    }
  }
}

TEST(InstrumentIdTest, HashesAndOrders) {
  std::unordered_set<InstrumentId> set{InstrumentId::Of("NSE:NIFTY"), InstrumentId::Of("nse:nifty")};
  EXPECT_EQ(set.size(), 1U);
  EXPECT_LT(InstrumentId::Of("A:B"), InstrumentId::Of("A:C"));
}

TEST(StrongIdTest, ValidatesAndKeepsKindsApart) {
  EXPECT_TRUE(ClientOrderId::Parse("O-20241128-0001").ok());
  EXPECT_FALSE(ClientOrderId::Parse("").ok());
  EXPECT_FALSE(ClientOrderId::Parse("has space").ok());
  EXPECT_FALSE(ClientOrderId::Parse(std::string(65, 'x')).ok());
  static_assert(!std::is_convertible_v<ClientOrderId, StrategyId>);
}

}  // namespace
}  // namespace td
