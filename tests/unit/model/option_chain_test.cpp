// SPDX-License-Identifier: MIT
#include "model/option_chain.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace td {
namespace {

Price P(const char* text) {
  return Price::Parse(text).value();
}

OptionQuote Quote(const char* bid, const char* ask, const char* last) {
  OptionQuote quote;
  quote.bid = P(bid);
  quote.ask = P(ask);
  quote.last = P(last);
  quote.bid_qty = Quantity::FromUnits(75);
  quote.ask_qty = Quantity::FromUnits(150);
  quote.volume = Quantity::FromUnits(1000);
  quote.open_interest = Quantity::FromUnits(5000);
  quote.oi_change = -250;
  quote.vendor_iv = 0.14;
  return quote;
}

constexpr CivilDate kWeekly{2024, 11, 28};
constexpr CivilDate kMonthly{2024, 12, 26};

OptionChain SampleChain() {
  OptionChainBuilder builder(InstrumentId::Of("NSE_INDEX:NIFTY"), UnixNanos::FromSeconds(1732700000), P("24012.35"));
  // Added out of order on purpose: the builder sorts.
  for (const char* strike : {"24100", "23900", "24000", "24050", "23950"}) {
    EXPECT_TRUE(builder.Add(kMonthly, P(strike), OptionRight::kPut, Quote("10", "11", "10.5")).ok());
    EXPECT_TRUE(builder.Add(kWeekly, P(strike), OptionRight::kCall, Quote("50", "51", "50.5")).ok());
    EXPECT_TRUE(builder.Add(kWeekly, P(strike), OptionRight::kPut, Quote("40", "41.5", "41")).ok());
  }
  EXPECT_TRUE(builder.Add(kWeekly, P("24150"), OptionRight::kCall, Quote("5", "6", "5.5")).ok());
  return builder.Build().value();
}

TEST(OptionChainTest, BuilderSortsAndMergesSides) {
  const OptionChain chain = SampleChain();
  ASSERT_TRUE(chain.Validate().ok());
  ASSERT_EQ(chain.Expiries(), (std::vector<CivilDate>{kWeekly, kMonthly}));
  const ExpirySlice* weekly = chain.Find(kWeekly);
  ASSERT_NE(weekly, nullptr);
  EXPECT_EQ(weekly->Strikes(),
            (std::vector<Price>{P("23900"), P("23950"), P("24000"), P("24050"), P("24100"), P("24150")}));
  const StrikeRow* row = weekly->FindRow(P("24000"));
  ASSERT_NE(row, nullptr);
  ASSERT_TRUE(row->call.has_value());
  ASSERT_TRUE(row->put.has_value());
  EXPECT_EQ(*row->Quote(OptionRight::kPut)->ask, P("41.5"));
  EXPECT_EQ(row->call->oi_change, -250);
  EXPECT_EQ(weekly->FindRow(P("24150"))->put, std::nullopt);
  EXPECT_EQ(weekly->FindRow(P("24025")), nullptr);
  EXPECT_EQ(chain.Find(kMonthly)->FindRow(P("24000"))->call, std::nullopt);
  EXPECT_EQ(chain.Find(CivilDate{2024, 12, 5}), nullptr);
  EXPECT_EQ(chain.underlying_price, P("24012.35"));
}

TEST(OptionChainTest, NearestExpiryOnOrAfter) {
  const OptionChain chain = SampleChain();
  EXPECT_EQ(chain.NearestExpiryOnOrAfter(CivilDate{2024, 11, 20})->expiry, kWeekly);
  EXPECT_EQ(chain.NearestExpiryOnOrAfter(kWeekly)->expiry, kWeekly);
  EXPECT_EQ(chain.NearestExpiryOnOrAfter(CivilDate{2024, 11, 29})->expiry, kMonthly);
  EXPECT_EQ(chain.NearestExpiryOnOrAfter(CivilDate{2024, 12, 27}), nullptr);
}

TEST(OptionChainTest, AtmStrikeIsNearestWithTiesGoingLower) {
  const OptionChain chain = SampleChain();
  const ExpirySlice& weekly = *chain.Find(kWeekly);
  EXPECT_EQ(*weekly.AtmStrike(P("24012.35")), P("24000"));
  EXPECT_EQ(*weekly.AtmStrike(P("24030")), P("24050"));
  EXPECT_EQ(*weekly.AtmStrike(P("24025")), P("24000"));  // exactly between: lower
  EXPECT_EQ(*weekly.AtmStrike(P("24050")), P("24050"));
  EXPECT_EQ(*weekly.AtmStrike(P("10")), P("23900"));
  EXPECT_EQ(*weekly.AtmStrike(P("99999")), P("24150"));
  EXPECT_EQ(ExpirySlice{}.AtmStrike(P("100")), std::nullopt);
}

TEST(OptionChainTest, OffsetsFollowOpenAlgoMoneyness) {
  const OptionChain chain = SampleChain();
  const ExpirySlice& weekly = *chain.Find(kWeekly);
  const Price spot = P("24012.35");
  EXPECT_EQ(weekly.StrikeAtOffset(spot, OptionRight::kCall, "ATM").value(), P("24000"));
  EXPECT_EQ(weekly.StrikeAtOffset(spot, OptionRight::kCall, "ITM1").value(), P("23950"));
  EXPECT_EQ(weekly.StrikeAtOffset(spot, OptionRight::kCall, "OTM2").value(), P("24100"));
  EXPECT_EQ(weekly.StrikeAtOffset(spot, OptionRight::kPut, "ITM1").value(), P("24050"));
  EXPECT_EQ(weekly.StrikeAtOffset(spot, OptionRight::kPut, "OTM2").value(), P("23900"));
  EXPECT_EQ(weekly.StrikeAtOffset(spot, OptionRight::kPut, "OTM3").error().code, ErrorCode::kNotFound);
  for (const char* bad : {"", "atm", "ITM", "ITM0", "ITM51", "ITM01", "OTM-1", "OTM1X", "XTM1"}) {
    auto strike = weekly.StrikeAtOffset(spot, OptionRight::kCall, bad);
    ASSERT_FALSE(strike.ok()) << bad;
    EXPECT_EQ(strike.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(strike.error().field, "offset") << bad;
  }
}

TEST(OptionChainTest, QuoteMidAndValidation) {
  OptionQuote quote = Quote("100.05", "100.10", "100");
  EXPECT_EQ(quote.Mid()->ToString(), "100.075");
  quote.bid.reset();
  EXPECT_EQ(quote.Mid(), std::nullopt);
  quote.bid = P("0");
  EXPECT_EQ(quote.Mid(), std::nullopt);

  OptionQuote crossed = Quote("101", "100", "100");
  EXPECT_EQ(crossed.Validate().error().field, "bid");
  OptionQuote negative = Quote("1", "2", "-1");
  EXPECT_EQ(negative.Validate().error().field, "last");
  OptionQuote bad_iv = Quote("1", "2", "1");
  bad_iv.vendor_iv = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(bad_iv.Validate().error().field, "iv");
  bad_iv.vendor_iv = -0.1;
  EXPECT_EQ(bad_iv.Validate().error().field, "iv");
  OptionQuote one_sided = Quote("0", "2", "1");  // zero bid means no bid, not a crossed book
  EXPECT_TRUE(one_sided.Validate().ok());
}

TEST(OptionChainTest, BuilderRejectsBadRowsAndDuplicates) {
  OptionChainBuilder builder(InstrumentId::Of("NSE_INDEX:NIFTY"), UnixNanos::FromSeconds(1), P("24000"));
  EXPECT_EQ(builder.Add(CivilDate{2024, 2, 30}, P("24000"), OptionRight::kCall, {}).error().field, "expiry_date");
  EXPECT_EQ(builder.Add(kWeekly, P("0"), OptionRight::kCall, {}).error().field, "strike");
  EXPECT_EQ(builder.Add(kWeekly, P("24000"), OptionRight::kCall, Quote("2", "1", "1")).error().field, "bid");
  ASSERT_TRUE(builder.Add(kWeekly, P("24000"), OptionRight::kCall, Quote("1", "2", "1")).ok());
  ASSERT_TRUE(builder.Add(kWeekly, P("24000.00"), OptionRight::kCall, Quote("1", "2", "1")).ok());
  auto chain = builder.Build();
  ASSERT_FALSE(chain.ok());
  EXPECT_EQ(chain.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(chain.error().field, "strike");
  auto empty = builder.Build();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->expiries.empty());
}

TEST(OptionChainTest, ValidateCatchesHandBuiltDisorder) {
  OptionChain chain = SampleChain();
  std::swap(chain.expiries[0], chain.expiries[1]);
  EXPECT_EQ(chain.Validate().error().field, "expiry_date");
  chain = SampleChain();
  std::swap(chain.expiries[0].rows[0], chain.expiries[0].rows[1]);
  EXPECT_EQ(chain.Validate().error().field, "strike");
  chain = SampleChain();
  chain.expiries[0].rows[1].strike = chain.expiries[0].rows[0].strike;
  EXPECT_EQ(chain.Validate().error().field, "strike");
  chain = SampleChain();
  chain.underlying = InstrumentId();
  EXPECT_EQ(chain.Validate().error().field, "underlying");
}

}  // namespace
}  // namespace td
