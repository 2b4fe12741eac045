// SPDX-License-Identifier: MIT
#include "model/order_types.hpp"
#include "model/exchange.hpp"

#include <gtest/gtest.h>

namespace td {
namespace {

TEST(OrderTypesTest, SideAcceptsUpperAndAllLowerCase) {
  EXPECT_EQ(ParseSide("BUY").value(), Side::kBuy);
  EXPECT_EQ(ParseSide("buy").value(), Side::kBuy);
  EXPECT_EQ(ParseSide("SELL").value(), Side::kSell);
  EXPECT_EQ(ParseSide("sell").value(), Side::kSell);
  for (const char* bad : {"Buy", "sEll", "", "B", "BUY ", "LONG"}) {
    auto side = ParseSide(bad);
    ASSERT_FALSE(side.ok()) << bad;
    EXPECT_EQ(side.error().field, "action");
  }
  EXPECT_EQ(ToString(Side::kBuy), "BUY");
  EXPECT_EQ(ToString(Side::kSell), "SELL");
  EXPECT_EQ(Opposite(Side::kBuy), Side::kSell);
  EXPECT_EQ(SignOf(Side::kSell), -1);
}

TEST(OrderTypesTest, OrderTypeRoundTripsOpenAlgoStrings) {
  for (OrderType type : {OrderType::kMarket, OrderType::kLimit, OrderType::kStopLimit, OrderType::kStopMarket}) {
    EXPECT_EQ(ParseOrderType(ToString(type)).value(), type);
  }
  EXPECT_EQ(ToString(OrderType::kStopLimit), "SL");
  EXPECT_EQ(ToString(OrderType::kStopMarket), "SL-M");
  EXPECT_EQ(ParseOrderType("SL-M").value(), OrderType::kStopMarket);
  for (const char* bad : {"market", "SLM", "SL_M", "STOP", ""}) {
    auto type = ParseOrderType(bad);
    ASSERT_FALSE(type.ok()) << bad;
    EXPECT_EQ(type.error().field, "pricetype");
  }
  EXPECT_TRUE(NeedsLimitPrice(OrderType::kLimit));
  EXPECT_TRUE(NeedsLimitPrice(OrderType::kStopLimit));
  EXPECT_FALSE(NeedsLimitPrice(OrderType::kStopMarket));
  EXPECT_TRUE(NeedsTriggerPrice(OrderType::kStopMarket));
  EXPECT_FALSE(NeedsTriggerPrice(OrderType::kMarket));
}

TEST(OrderTypesTest, ProductAndTimeInForce) {
  for (Product product : {Product::kMis, Product::kNrml, Product::kCnc}) {
    EXPECT_EQ(ParseProduct(ToString(product)).value(), product);
  }
  EXPECT_EQ(ToString(Product::kNrml), "NRML");
  EXPECT_EQ(ParseProduct("mis").error().field, "product");
  EXPECT_FALSE(ParseProduct("BO").ok());
  for (TimeInForce tif : {TimeInForce::kDay, TimeInForce::kIoc, TimeInForce::kGtc}) {
    EXPECT_EQ(ParseTimeInForce(ToString(tif)).value(), tif);
  }
  EXPECT_FALSE(ParseTimeInForce("FOK").ok());
}

TEST(ExchangeTest, ParsesOpenAlgoCodesAndNormalisesCase) {
  for (const char* code : {"NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX", "NCDEX", "NCO", "NSE_INDEX", "BSE_INDEX",
                           "MCX_INDEX", "GLOBAL_INDEX", "US", "OPRA"}) {
    auto exchange = ParseExchange(code);
    ASSERT_TRUE(exchange.ok()) << code;
    EXPECT_EQ(ToString(*exchange), code);
  }
  EXPECT_EQ(ParseExchange("nse_index").value(), Exchange::kNseIndex);
  for (const char* bad : {"", "NSEX", "NSE INDEX", "NSE-INDEX"}) {
    auto exchange = ParseExchange(bad);
    ASSERT_FALSE(exchange.ok()) << bad;
    EXPECT_EQ(exchange.error().field, "exchange");
  }
  EXPECT_TRUE(IsDerivativeExchange(Exchange::kNfo));
  EXPECT_TRUE(IsDerivativeExchange(Exchange::kMcx));
  EXPECT_FALSE(IsDerivativeExchange(Exchange::kNse));
  EXPECT_TRUE(IsIndexExchange(Exchange::kBseIndex));
  EXPECT_FALSE(IsIndexExchange(Exchange::kBfo));
}

}  // namespace
}  // namespace td
