// SPDX-License-Identifier: MIT
// MarketService's quote and option-chain accessors over the seeded simulator (the embedded default market).
#include "system/market_service.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace td::system {
namespace {

UnixNanos At(const char* iso) {
  auto t = UnixNanos::ParseIso8601(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return *t;
}

InstrumentId Id(const char* text) {
  auto id = InstrumentId::Parse(text);
  EXPECT_TRUE(id.ok()) << text;
  return *id;
}

class MarketServiceQuoteTest : public ::testing::Test {
 protected:
  // One simulator for the suite (building its history is the slow part); tests only move the clock forward.
  static void SetUpTestSuite() {
    // A Tuesday, 15:00 UTC = 11:00 ET: NYSE open.
    clock_ = std::make_unique<TestClock>(At("2025-09-16T15:00:00Z"));
    auto market = MarketService::StartSimulator({.seed = 7, .history_days = 3}, *clock_);
    ASSERT_TRUE(market.ok()) << market.error().ToString();
    market_ = std::move(market).value();
  }
  static void TearDownTestSuite() {
    market_.reset();
    clock_.reset();
  }
  static inline std::unique_ptr<TestClock> clock_;
  static inline std::unique_ptr<MarketService> market_;
};

TEST_F(MarketServiceQuoteTest, AQuoteHasATwoSidedBookAroundTheLastPriceAndTheSessionRange) {
  const InstrumentId spy = market_->Resolve("SPY")->id;
  clock_->Advance(std::chrono::minutes(5));
  auto quote = market_->Quote(spy);
  ASSERT_TRUE(quote.ok()) << quote.error().ToString();
  ASSERT_TRUE(quote->bid.has_value() && quote->ask.has_value());
  EXPECT_TRUE(quote->bid->is_positive());
  EXPECT_LE(*quote->bid, *quote->ask);
  EXPECT_TRUE(quote->ltp.is_positive());
  EXPECT_LE(quote->low, quote->ltp);
  EXPECT_GE(quote->high, quote->ltp);
  EXPECT_TRUE(quote->open.is_positive());
  EXPECT_TRUE(quote->prev_close.is_positive());
  EXPECT_TRUE(quote->volume.is_positive());
  EXPECT_LE(quote->ts, clock_->Now());
  // The quote moves with the clock: a later one is newer.
  const UnixNanos first = quote->ts;
  clock_->Advance(std::chrono::minutes(1));
  auto later = market_->Quote(spy);
  ASSERT_TRUE(later.ok());
  EXPECT_GT(later->ts, first);
}

TEST_F(MarketServiceQuoteTest, AnUnknownInstrumentIsNotFound) {
  auto quote = market_->Quote(Id("US:NOPE"));
  ASSERT_FALSE(quote.ok());
}

TEST_F(MarketServiceQuoteTest, ChainsListEveryExpiryOrOneAndRefuseAnUnlistedExpiry) {
  const auto underlyings = market_->OptionUnderlyings();
  ASSERT_FALSE(underlyings.empty());
  EXPECT_TRUE(std::is_sorted(underlyings.begin(), underlyings.end()));
  const InstrumentId spy = market_->Resolve("SPY")->id;
  ASSERT_NE(std::find(underlyings.begin(), underlyings.end(), spy), underlyings.end());

  auto chain = market_->Chain(spy);
  ASSERT_TRUE(chain.ok()) << chain.error().ToString();
  ASSERT_GE(chain->expiries.size(), 2u);
  EXPECT_EQ(chain->underlying, spy);
  EXPECT_TRUE(chain->underlying_price.is_positive());
  const CivilDate second = chain->expiries[1].expiry;
  EXPECT_FALSE(chain->expiries[1].rows.empty());

  auto one = market_->Chain(spy, second);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->expiries.size(), 1u);
  EXPECT_EQ(one->expiries[0].expiry, second);
  EXPECT_EQ(one->expiries[0].rows.size(), chain->expiries[1].rows.size());

  auto unlisted = market_->Chain(spy, CivilDate{2025, 9, 14});  // a Sunday
  ASSERT_FALSE(unlisted.ok());
  EXPECT_EQ(unlisted.error().field, "expiry");
}

}  // namespace
}  // namespace td::system
