// SPDX-License-Identifier: MIT
#include "runtime/cache.hpp"

#include <gtest/gtest.h>

namespace td::runtime {
namespace {

const InstrumentId kNifty = InstrumentId::Of("NSE:NIFTY");
const InstrumentId kBank = InstrumentId::Of("NSE:BANKNIFTY");

Price P(std::string_view text) {
  return Price::Parse(text).value();
}

QuoteTick Quote(const InstrumentId& id, std::string_view bid, std::string_view ask, std::int64_t ts) {
  QuoteTick q;
  q.instrument_id = id;
  q.bid = P(bid);
  q.ask = P(ask);
  q.bid_size = Quantity::FromUnits(10);
  q.ask_size = Quantity::FromUnits(20);
  q.ts_event = UnixNanos(ts);
  q.ts_init = UnixNanos(ts);
  return q;
}

Bar MakeBar(std::int64_t start_seconds, std::string_view close) {
  Bar bar;
  bar.ts_event = UnixNanos::FromSeconds(start_seconds);
  bar.ts_init = bar.ts_event;
  bar.open = P("100.00");
  bar.high = P("110.00");
  bar.low = P("90.00");
  bar.close = P(close);
  bar.volume = Quantity::FromUnits(5);
  return bar;
}

TEST(CacheTest, KeepsLatestQuoteAndRefusesOlderOnes) {
  Cache cache;
  EXPECT_EQ(cache.Quote(kNifty), nullptr);
  EXPECT_TRUE(cache.Update(Quote(kNifty, "100.00", "100.10", 10)).value());
  EXPECT_TRUE(cache.Update(Quote(kNifty, "100.05", "100.15", 20)).value());
  EXPECT_FALSE(cache.Update(Quote(kNifty, "99.00", "99.10", 15)).value());
  ASSERT_NE(cache.Quote(kNifty), nullptr);
  EXPECT_EQ(cache.Quote(kNifty)->bid, P("100.05"));
  EXPECT_TRUE(cache.Update(Quote(kBank, "200", "201", 5)).value());
  EXPECT_EQ(cache.QuotedInstruments(), (std::vector<InstrumentId>{kBank, kNifty}));
  EXPECT_EQ(cache.LastPrice(kNifty), P("100.10"));  // midpoint until a trade arrives

  auto bad = cache.Update(QuoteTick{});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "instrument_id");
}

TEST(CacheTest, KeepsLatestTradeAndPrefersItForLastPrice) {
  Cache cache;
  TradeTick trade;
  trade.instrument_id = kNifty;
  trade.price = P("101.5");
  trade.size = Quantity::FromUnits(1);
  trade.ts_event = UnixNanos(50);
  EXPECT_TRUE(cache.Update(trade).value());
  TradeTick older = trade;
  older.price = P("90");
  older.ts_event = UnixNanos(40);
  EXPECT_FALSE(cache.Update(older).value());
  ASSERT_TRUE(cache.Update(Quote(kNifty, "100.00", "100.10", 60)).ok());
  EXPECT_EQ(cache.Trade(kNifty)->price, P("101.5"));
  EXPECT_EQ(cache.LastPrice(kNifty), P("101.5"));
  EXPECT_EQ(cache.LastPrice(kBank), std::nullopt);
}

TEST(CacheTest, BarSeriesAppendReplaceRefuseAndWrap) {
  Cache cache(CacheConfig{.bar_history = 3});
  const BarSpec one_minute{1, BarUnit::kMinute};
  const BarSpec five_minutes{5, BarUnit::kMinute};
  EXPECT_EQ(cache.LastBar(kNifty, one_minute), nullptr);
  EXPECT_TRUE(cache.Update(kNifty, one_minute, MakeBar(60, "101")).value());
  EXPECT_TRUE(cache.Update(kNifty, one_minute, MakeBar(120, "102")).value());
  EXPECT_TRUE(cache.Update(kNifty, one_minute, MakeBar(120, "103")).value());  // same start: replaces
  EXPECT_FALSE(cache.Update(kNifty, one_minute, MakeBar(60, "104")).value());  // older: refused
  EXPECT_EQ(cache.BarCount(kNifty, one_minute), 2U);
  EXPECT_EQ(cache.LastBar(kNifty, one_minute)->close, P("103"));
  EXPECT_EQ(cache.BarAgo(kNifty, one_minute, 1)->close, P("101"));
  EXPECT_EQ(cache.BarAgo(kNifty, one_minute, 2), nullptr);

  for (int i = 3; i <= 6; ++i) {
    ASSERT_TRUE(cache.Update(kNifty, one_minute, MakeBar(60 * i, std::to_string(100 + i))).value());
  }
  EXPECT_EQ(cache.BarCount(kNifty, one_minute), 3U);  // only the last three are kept
  EXPECT_EQ(cache.BarAgo(kNifty, one_minute, 0)->close, P("106"));
  EXPECT_EQ(cache.BarAgo(kNifty, one_minute, 1)->close, P("105"));
  EXPECT_EQ(cache.BarAgo(kNifty, one_minute, 2)->close, P("104"));
  EXPECT_EQ(cache.BarAgo(kNifty, one_minute, 3), nullptr);

  ASSERT_TRUE(cache.Update(kNifty, five_minutes, MakeBar(300, "100")).value());
  EXPECT_EQ(cache.LastBar(kNifty, five_minutes)->close, P("100"));
  EXPECT_EQ(cache.BarSeries(), (std::vector<BarKey>{BarKey{kNifty, one_minute}, BarKey{kNifty, five_minutes}}));

  Bar broken = MakeBar(900, "100");
  broken.high = P("80");
  auto result = cache.Update(kNifty, one_minute, broken);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(cache.LastBar(kNifty, one_minute)->close, P("106"));
}

TEST(CacheTest, InstrumentRegistryValidatesAndListsDerivatives) {
  Cache cache;
  const ContractSpec spec{P("0.05"), Quantity::FromUnits(75), Quantity::FromUnits(1), 2};
  auto index = Instrument::Index(kNifty, 2);
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE(cache.AddInstrument(*index).ok());
  auto call = Instrument::Option(InstrumentId::Of("NFO:NIFTY28NOV2424000CE"), kNifty, CivilDate{2024, 11, 28},
                                 P("24000"), OptionRight::kCall, spec);
  auto fut = Instrument::Future(InstrumentId::Of("NFO:NIFTY28NOV24FUT"), kNifty, CivilDate{2024, 11, 28}, spec);
  ASSERT_TRUE(call.ok() && fut.ok());
  ASSERT_TRUE(cache.AddInstrument(*call).ok());
  ASSERT_TRUE(cache.AddInstrument(*fut).ok());

  ASSERT_NE(cache.FindInstrument(kNifty), nullptr);
  EXPECT_EQ(cache.FindInstrument(kNifty)->kind, InstrumentKind::kIndex);
  EXPECT_EQ(cache.FindInstrument(kBank), nullptr);
  EXPECT_EQ(cache.InstrumentIds().size(), 3U);
  EXPECT_EQ(cache.InstrumentIds().front(), InstrumentId::Of("NFO:NIFTY28NOV2424000CE"));
  const auto derivatives = cache.DerivativesOf(kNifty);
  ASSERT_EQ(derivatives.size(), 2U);
  EXPECT_EQ(derivatives[0]->id, InstrumentId::Of("NFO:NIFTY28NOV2424000CE"));
  EXPECT_EQ(derivatives[1]->id, InstrumentId::Of("NFO:NIFTY28NOV24FUT"));

  Instrument broken = *call;
  broken.strike.reset();
  EXPECT_FALSE(cache.AddInstrument(broken).ok());
  EXPECT_TRUE(cache.FindInstrument(broken.id)->strike.has_value());  // the valid one stays
}

}  // namespace
}  // namespace td::runtime
