// SPDX-License-Identifier: MIT
#include "portfolio/portfolio.hpp"

#include <gtest/gtest.h>

namespace td::portfolio {
namespace {

const InstrumentId kNifty = InstrumentId::Of("NFO:NIFTY24NOVFUT");

class PortfolioTest : public ::testing::Test {
 protected:
  PortfolioTest() {
    ContractSpec spec{*Price::Parse("0.05"), Quantity::FromUnits(25), Quantity::FromUnits(2), 2};
    auto fut = Instrument::Future(kNifty, InstrumentId::Of("NSE:NIFTY"), CivilDate{2024, 11, 28}, spec);
    EXPECT_TRUE(fut.ok()) << fut.error().ToString();
    portfolio_.RegisterInstrument(*fut);
  }
  Status Trade(Side side, std::int64_t qty, std::string_view px) {
    return portfolio_.ApplyFill(kNifty, side, Quantity::FromUnits(qty), *Price::Parse(px),
                                TradeId::Of("T" + std::to_string(++n_)));
  }
  const Position& Pos() { return *portfolio_.GetPosition(kNifty); }

  Portfolio portfolio_;
  int n_ = 0;
};

TEST_F(PortfolioTest, AveragesEntriesAndRealisesPartialClose) {
  ASSERT_TRUE(Trade(Side::kBuy, 50, "100").ok());
  ASSERT_TRUE(Trade(Side::kBuy, 50, "110").ok());
  EXPECT_DOUBLE_EQ(Pos().net_qty(), 100.0);
  EXPECT_DOUBLE_EQ(Pos().avg_px, 105.0);
  ASSERT_TRUE(Trade(Side::kSell, 25, "115").ok());
  // (115 - 105) × 25 × multiplier 2
  EXPECT_DOUBLE_EQ(Pos().realised_pnl, 500.0);
  EXPECT_DOUBLE_EQ(Pos().net_qty(), 75.0);
  EXPECT_DOUBLE_EQ(Pos().avg_px, 105.0);  // reducing keeps the entry price
  portfolio_.UpdateMark(kNifty, *Price::Parse("101"));
  EXPECT_DOUBLE_EQ(portfolio_.UnrealisedPnl(), (101.0 - 105.0) * 75 * 2);
  EXPECT_DOUBLE_EQ(portfolio_.DayPnl(), 500.0 - 600.0);
}

TEST_F(PortfolioTest, FlipsThroughZero) {
  ASSERT_TRUE(Trade(Side::kBuy, 50, "100").ok());
  ASSERT_TRUE(Trade(Side::kSell, 75, "90").ok());
  EXPECT_DOUBLE_EQ(Pos().realised_pnl, (90.0 - 100.0) * 50 * 2);
  EXPECT_DOUBLE_EQ(Pos().net_qty(), -25.0);
  EXPECT_DOUBLE_EQ(Pos().avg_px, 90.0);
  portfolio_.UpdateMark(kNifty, *Price::Parse("80"));
  EXPECT_DOUBLE_EQ(Pos().UnrealisedPnl(), (80.0 - 90.0) * -25 * 2);  // short gains as price falls
  ASSERT_TRUE(Trade(Side::kBuy, 25, "85").ok());
  EXPECT_TRUE(Pos().is_flat());
  EXPECT_DOUBLE_EQ(Pos().avg_px, 0.0);
  EXPECT_DOUBLE_EQ(Pos().realised_pnl, -1000.0 + (85.0 - 90.0) * -25 * 2);
  EXPECT_DOUBLE_EQ(portfolio_.UnrealisedPnl(), 0.0);
}

TEST_F(PortfolioTest, ShortAveragingAndDuplicateTrades) {
  ASSERT_TRUE(
      portfolio_.ApplyFill(kNifty, Side::kSell, Quantity::FromUnits(25), *Price::Parse("200"), TradeId::Of("X1")).ok());
  ASSERT_TRUE(
      portfolio_.ApplyFill(kNifty, Side::kSell, Quantity::FromUnits(25), *Price::Parse("200"), TradeId::Of("X1")).ok());
  EXPECT_DOUBLE_EQ(Pos().net_qty(), -25.0);
  ASSERT_TRUE(Trade(Side::kSell, 75, "220").ok());
  EXPECT_DOUBLE_EQ(Pos().avg_px, 215.0);
  EXPECT_EQ(portfolio_.NetQuantityRaw(kNifty), -100 * kFixedScale);
}

TEST_F(PortfolioTest, DayPnlResetsButPositionsCarry) {
  ASSERT_TRUE(Trade(Side::kBuy, 25, "100").ok());
  ASSERT_TRUE(Trade(Side::kSell, 25, "104").ok());
  EXPECT_DOUBLE_EQ(portfolio_.DayRealisedPnl(), 200.0);
  portfolio_.StartNewDay();
  EXPECT_DOUBLE_EQ(portfolio_.DayRealisedPnl(), 0.0);
  EXPECT_DOUBLE_EQ(portfolio_.RealisedPnl(), 200.0);
}

TEST_F(PortfolioTest, RefusesUnknownInstrumentsAndZeroQuantity) {
  EXPECT_FALSE(portfolio_
                   .ApplyFill(InstrumentId::Of("NSE:SBIN"), Side::kBuy, Quantity::FromUnits(1), *Price::Parse("1"),
                              TradeId::Of("Z"))
                   .ok());
  EXPECT_FALSE(portfolio_.ApplyFill(kNifty, Side::kBuy, Quantity{}, *Price::Parse("1"), TradeId::Of("Z")).ok());
  EXPECT_EQ(portfolio_.GetPosition(InstrumentId::Of("NSE:SBIN")), nullptr);
}

}  // namespace
}  // namespace td::portfolio
