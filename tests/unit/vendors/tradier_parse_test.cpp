// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "adapters/tradier/config.hpp"
#include "adapters/tradier/parse.hpp"
#include "test_support.hpp"

namespace td::adapters::tradier {
namespace {

using vendors_test::Fixture;

const UnixNanos kNow = UnixNanos::FromSeconds(1705093300);

Price P(std::string_view text) { return Price::Parse(text).value(); }
Quantity Q(std::string_view text) { return Quantity::Parse(text).value(); }

TEST(TradierParseTest, SymbolsAndSandboxDetection) {
  EXPECT_EQ(*TradierSymbol(InstrumentId::Of("US:SPY")), "SPY");
  EXPECT_EQ(*TradierSymbol(InstrumentId::Of("US:^SPX")), "SPX");
  EXPECT_EQ(*TradierSymbol(InstrumentId::Of("OPRA:SPY240119C00470000")), "SPY240119C00470000");
  EXPECT_FALSE(TradierSymbol(InstrumentId::Of("NSE:SBIN")).ok());
  TradierConfig config;
  EXPECT_FALSE(config.IsSandbox());
  config.base_url = "https://sandbox.tradier.com";
  EXPECT_TRUE(config.IsSandbox());
  config.sandbox = false;
  EXPECT_FALSE(config.IsSandbox());
  config.base_url = "http://127.0.0.1:9";
  config.sandbox = true;
  EXPECT_TRUE(config.IsSandbox());
}

TEST(TradierParseTest, ExpirationsInAllThreeShapes) {
  auto many = ParseExpirations(Fixture("tradier/expirations.json"));
  ASSERT_TRUE(many.ok());
  ASSERT_EQ(many->size(), 3U);
  EXPECT_EQ((*many)[0], (CivilDate{2024, 1, 19}));  // sorted
  auto one = ParseExpirations(Fixture("tradier/expirations_single.json"));
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1U);
  auto none = ParseExpirations(Fixture("tradier/expirations_null.json"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(ParseExpirations(R"({"expirations":{"date":["2024-02-30"]}})").ok());
  EXPECT_FALSE(ParseExpirations(R"({"expirations":{"date":[20240119]}})").ok());
  EXPECT_FALSE(ParseExpirations(R"({"expirations":[]})").ok());
  EXPECT_FALSE(ParseExpirations("{}").ok());
}

TEST(TradierParseTest, ChainWithGreeksSkipsBadRows) {
  const auto spy = InstrumentId::Of("US:SPY");
  auto parsed = ParseChain(Fixture("tradier/chain_spy_20240119.json"), spy, P("476.68"), ParseOptions{}, kNow);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->rejected, 2U);  // a crossed quote, an option_type contradicting the symbol
  EXPECT_EQ(parsed->first_reject.rfind("options.option[3]", 0), 0U) << parsed->first_reject;
  EXPECT_EQ(parsed->missing_greeks, 2U);
  const OptionChain& chain = parsed->chain;
  EXPECT_EQ(chain.underlying, spy);
  EXPECT_EQ(chain.underlying_price, P("476.68"));
  ASSERT_EQ(chain.expiries.size(), 1U);
  const ExpirySlice& slice = chain.expiries[0];
  EXPECT_EQ(slice.expiry, (CivilDate{2024, 1, 19}));
  ASSERT_EQ(slice.rows.size(), 2U);
  const StrikeRow* atm = slice.FindRow(P("470"));
  ASSERT_NE(atm, nullptr);
  ASSERT_TRUE(atm->call.has_value() && atm->put.has_value());
  EXPECT_EQ(atm->call->instrument_id.value(), "OPRA:SPY240119C00470000");
  EXPECT_EQ(*atm->call->bid, P("4.10"));
  EXPECT_EQ(*atm->call->ask, P("4.14"));
  EXPECT_EQ(atm->call->bid_qty, Q("120"));
  EXPECT_EQ(atm->call->open_interest, Q("48211"));
  EXPECT_DOUBLE_EQ(*atm->call->vendor_iv, 0.1213);
  EXPECT_DOUBLE_EQ(*atm->put->vendor_iv, 0.128);  // mid_iv 0 falls back to smv_vol
  const StrikeRow* half = slice.FindRow(P("472.5"));
  ASSERT_NE(half, nullptr);
  EXPECT_FALSE(half->call->bid.has_value());  // zero bid: not quoted
  EXPECT_FALSE(half->call->last.has_value());  // null last
  EXPECT_FALSE(half->call->vendor_iv.has_value());
  EXPECT_TRUE(chain.Validate().ok());

  auto single = ParseChain(Fixture("tradier/chain_spy_20240126_single_no_greeks.json"), spy, P("0"), ParseOptions{}, kNow);
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->chain.expiries.size(), 1U);
  EXPECT_EQ(single->missing_greeks, 1U);
  auto none = ParseChain(Fixture("tradier/chain_null.json"), spy, P("0"), ParseOptions{}, kNow);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->chain.expiries.empty());
  for (std::string_view text : {"", "[]", "{}", R"({"options":[]})", R"({"options":"x"})"}) {
    EXPECT_FALSE(ParseChain(text, spy, P("0"), ParseOptions{}, kNow).ok()) << text;
  }
}

TEST(TradierParseTest, QuotesSingleAndManyWithUnmatched) {
  auto single = ParseQuotes(Fixture("tradier/quotes_single.json"), ParseOptions{}, kNow);
  ASSERT_TRUE(single.ok()) << single.error().ToString();
  ASSERT_EQ(single->quotes.size(), 1U);
  ASSERT_EQ(single->unmatched.size(), 1U);
  EXPECT_EQ(single->unmatched[0], "NOSUCH");
  const TradierQuote& spy = single->quotes[0];
  EXPECT_EQ(spy.instrument.value(), "US:SPY");
  EXPECT_EQ(*spy.last, P("476.68"));
  EXPECT_EQ(spy.ts, UnixNanos::FromMillis(1705093200000));  // the later of bid_date and ask_date
  auto tick = spy.ToQuoteTick(kNow);
  ASSERT_TRUE(tick.has_value());
  EXPECT_EQ(tick->bid, P("476.66"));
  EXPECT_EQ(tick->ask_size, Q("7"));

  auto many = ParseQuotes(Fixture("tradier/quotes_multi.json"), ParseOptions{}, kNow);
  ASSERT_TRUE(many.ok());
  ASSERT_EQ(many->quotes.size(), 3U);
  EXPECT_EQ(many->rejected, 1U);
  EXPECT_EQ(many->quotes[1].instrument.value(), "OPRA:SPY240119C00470000");
  EXPECT_FALSE(many->quotes[2].bid.has_value());
  EXPECT_FALSE(many->quotes[2].ToQuoteTick(kNow).has_value());
  EXPECT_TRUE(ParseQuotes(R"({"quotes":null})", ParseOptions{}, kNow).ok());
  EXPECT_FALSE(ParseQuotes(R"({"nope":1})", ParseOptions{}, kNow).ok());
}

TEST(TradierParseTest, ErrorBodies) {
  auto limited = ErrorFromResponse(429, Fixture("tradier/fault_rate_limit.json"));
  EXPECT_EQ(limited.code, ErrorCode::kRateLimited);
  EXPECT_NE(limited.message.find("Rate limit quota violation"), std::string::npos);
  auto bad = ErrorFromResponse(400, Fixture("tradier/errors_bad_symbol.json"));
  EXPECT_EQ(bad.code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.message.find("Invalid Parameter: symbol"), std::string::npos);
  auto token = ErrorFromResponse(401, "Invalid Access Token");
  EXPECT_EQ(token.code, ErrorCode::kUnauthenticated);
  EXPECT_NE(token.message.find("Invalid Access Token"), std::string::npos);
}

}  // namespace
}  // namespace td::adapters::tradier
