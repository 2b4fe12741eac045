// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "adapters/openalgo/parse.hpp"
#include "test_support.hpp"

namespace td::adapters::openalgo {
namespace {

using vendors_test::Fixture;

const UnixNanos kNow = UnixNanos::FromSeconds(1732164400);

Price P(std::string_view text) { return Price::Parse(text).value(); }
Quantity Q(std::string_view text) { return Quantity::Parse(text).value(); }

TEST(OpenAlgoSymbolsTest, MapsInstrumentIdsToWireSymbolsAndBack) {
  auto nifty = ToWireSymbol(InstrumentId::Of("NSE:NIFTY"), true);
  ASSERT_TRUE(nifty.ok());
  EXPECT_EQ(nifty->symbol, "NIFTY");
  EXPECT_EQ(nifty->exchange, "NSE_INDEX");
  EXPECT_EQ(ToWireSymbol(InstrumentId::Of("NSE:NIFTY"), false)->exchange, "NSE");
  EXPECT_EQ(ToWireSymbol(InstrumentId::Of("BSE:SENSEX"), true)->exchange, "BSE_INDEX");
  EXPECT_EQ(ToWireSymbol(InstrumentId::Of("NSE:SBIN"), true)->exchange, "NSE");
  auto option = ToWireSymbol(InstrumentId::Of("nfo:nifty28nov2424000ce"), true);
  ASSERT_TRUE(option.ok());
  EXPECT_EQ(option->symbol, "NIFTY28NOV2424000CE");
  EXPECT_EQ(option->exchange, "NFO");
  EXPECT_FALSE(ToWireSymbol(InstrumentId::Of("US:AAPL"), true).ok());
  EXPECT_FALSE(ToWireSymbol(InstrumentId::Of("NFO:NIFTY31FEB2424000CE"), true).ok());  // no such date
  EXPECT_FALSE(ToWireSymbol(InstrumentId::Of("XYZ:SBIN"), true).ok());
  EXPECT_EQ(FromWireSymbol({"NIFTY", "NSE_INDEX"})->value(), "NSE_INDEX:NIFTY");
  EXPECT_FALSE(FromWireSymbol({"NIFTY", "MOON"}).ok());
  EXPECT_EQ(OptionExchangeFor("NSE_INDEX"), "NFO");
  EXPECT_EQ(OptionExchangeFor("BSE_INDEX"), "BFO");
  EXPECT_EQ(OptionExchangeFor("US"), "");
}

TEST(OpenAlgoWsTest, ClientMessagesHaveTheDocumentedShape) {
  namespace json = boost::json;
  auto auth = json::parse(AuthenticateMessage("abc123")).as_object();
  EXPECT_EQ(auth.at("action").as_string(), "authenticate");
  EXPECT_EQ(auth.at("api_key").as_string(), "abc123");

  auto sub = json::parse(SubscribeMessage({{"NIFTY", "NSE_INDEX"}, {"SBIN", "NSE"}}, StreamMode::kQuote, 5)).as_object();
  EXPECT_EQ(sub.at("action").as_string(), "subscribe");
  EXPECT_EQ(sub.at("mode").as_string(), "Quote");
  EXPECT_FALSE(sub.contains("depth"));
  ASSERT_EQ(sub.at("symbols").as_array().size(), 2U);
  EXPECT_EQ(sub.at("symbols").as_array()[1].as_object().at("symbol").as_string(), "SBIN");
  EXPECT_EQ(sub.at("symbols").as_array()[1].as_object().at("exchange").as_string(), "NSE");

  auto depth = json::parse(SubscribeMessage({{"SBIN", "NSE"}}, StreamMode::kDepth, 5)).as_object();
  EXPECT_EQ(depth.at("mode").as_string(), "Depth");
  EXPECT_EQ(depth.at("depth").as_int64(), 5);

  auto unsub = json::parse(UnsubscribeMessage({{"SBIN", "NSE"}}, StreamMode::kLtp)).as_object();
  EXPECT_EQ(unsub.at("action").as_string(), "unsubscribe");
  EXPECT_EQ(unsub.at("mode").as_string(), "LTP");
  EXPECT_EQ(unsub.at("symbols").as_array()[0].as_object().at("mode").as_int64(), 1);

  auto ping = json::parse(PingMessage(UnixNanos::FromMillis(1732164309990))).as_object();
  EXPECT_EQ(ping.at("action").as_string(), "ping");
  EXPECT_EQ(ping.at("client_timestamp").as_int64(), 1732164309990);
}

TEST(OpenAlgoWsTest, ParsesControlFrames) {
  const ParseOptions options;
  auto auth = ParseWsMessage(Fixture("openalgo/ws_auth_success.json"), options, kNow);
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->kind, WsMessageKind::kAuth);
  EXPECT_TRUE(auth->success);

  auto denied = ParseWsMessage(Fixture("openalgo/ws_auth_error.json"), options, kNow);
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(denied->kind, WsMessageKind::kError);
  EXPECT_EQ(denied->code, "AUTHENTICATION_ERROR");
  EXPECT_EQ(denied->message, "Invalid API key");

  auto partial = ParseWsMessage(Fixture("openalgo/ws_subscribe_partial.json"), options, kNow);
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->kind, WsMessageKind::kSubscribe);
  EXPECT_FALSE(partial->success);
  ASSERT_EQ(partial->failed.size(), 1U);
  EXPECT_EQ(partial->failed[0], "NSE:NOSUCH: Symbol not found");

  auto pong = ParseWsMessage(Fixture("openalgo/ws_pong.json"), options, kNow);
  ASSERT_TRUE(pong.ok());
  EXPECT_EQ(pong->kind, WsMessageKind::kPong);
}

TEST(OpenAlgoWsTest, ParsesLtpQuoteAndDepthFrames) {
  const ParseOptions options;
  auto ltp = ParseWsMessage(Fixture("openalgo/ws_ltp_1.json"), options, kNow);
  ASSERT_TRUE(ltp.ok()) << ltp.error().ToString();
  ASSERT_EQ(ltp->kind, WsMessageKind::kMarketData);
  EXPECT_EQ(ltp->market.instrument.value(), "NSE_INDEX:NIFTY");
  EXPECT_EQ(ltp->market.mode, StreamMode::kLtp);
  EXPECT_EQ(*ltp->market.ltp, P("24010.55"));
  EXPECT_EQ(ltp->market.ts_event, UnixNanos::FromMillis(1732164300000));
  EXPECT_FALSE(ltp->market.quote.has_value());

  auto ltp_string = ParseWsMessage(Fixture("openalgo/ws_ltp_2.json"), options, kNow);
  ASSERT_TRUE(ltp_string.ok());
  EXPECT_EQ(*ltp_string->market.ltp, P("24012.30"));
  EXPECT_EQ(ltp_string->market.ts_event, UnixNanos::FromMillis(1732164300250));

  auto quote = ParseWsMessage(Fixture("openalgo/ws_quote.json"), options, kNow);
  ASSERT_TRUE(quote.ok()) << quote.error().ToString();
  const MarketDataFrame& q = quote->market;
  EXPECT_EQ(q.mode, StreamMode::kQuote);
  ASSERT_TRUE(q.quote.has_value());
  EXPECT_EQ(q.quote->bid, P("812.40"));
  EXPECT_EQ(q.quote->ask, P("812.50"));
  EXPECT_EQ(q.quote->bid_size, Q("1200"));
  EXPECT_EQ(q.quote->ask_size, Q("800"));
  EXPECT_EQ(q.quote->ts_event, UnixNanos::FromMillis(1732164301000));
  EXPECT_EQ(q.quote->ts_init, kNow);
  EXPECT_EQ(*q.volume, Q("1250000"));
  EXPECT_EQ(*q.ltq, Q("25"));

  auto depth = ParseWsMessage(Fixture("openalgo/ws_depth.json"), options, kNow);
  ASSERT_TRUE(depth.ok()) << depth.error().ToString();
  ASSERT_TRUE(depth->market.quote.has_value());
  EXPECT_EQ(depth->market.quote->bid, P("1287.70"));
  EXPECT_EQ(depth->market.quote->ask, P("1287.80"));
  EXPECT_EQ(depth->market.quote->bid_size, Q("886"));
  EXPECT_EQ(depth->market.quote->ask_size, Q("767"));
}

TEST(OpenAlgoWsTest, MalformedFramesAreStructuredErrors) {
  const ParseOptions options;
  for (const char* name : {"openalgo/ws_bad_string_mode.json", "openalgo/ws_bad_missing_ltp.json",
                           "openalgo/ws_bad_negative_bid.json", "openalgo/ws_bad_batched.json"}) {
    auto parsed = ParseWsMessage(Fixture(name), options, kNow);
    ASSERT_FALSE(parsed.ok()) << name;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << name;
  }
  EXPECT_EQ(ParseWsMessage(Fixture("openalgo/ws_bad_string_mode.json"), options, kNow).error().field, "mode");
  EXPECT_EQ(ParseWsMessage(Fixture("openalgo/ws_bad_missing_ltp.json"), options, kNow).error().field, "data.ltp");
  EXPECT_EQ(ParseWsMessage(Fixture("openalgo/ws_bad_negative_bid.json"), options, kNow).error().field, "data.bid");
  for (std::string_view text : {"", "{", "null", "42", "{\"type\":\"market_data\"}",
                                "{\"type\":\"market_data\",\"mode\":1,\"symbol\":\"NIFTY\",\"exchange\":\"NSE_INDEX\",\"data\":[]}",
                                "{\"type\":\"market_data\",\"mode\":7,\"symbol\":\"A\",\"exchange\":\"NSE\",\"data\":{\"ltp\":1}}",
                                "{\"type\":\"market_data\",\"mode\":1,\"symbol\":\"A B\",\"exchange\":\"NSE\",\"data\":{\"ltp\":1}}",
                                "{\"type\":\"market_data\",\"mode\":1,\"symbol\":\"A\",\"exchange\":\"NSE\",\"data\":{\"ltp\":1e400}}",
                                "{\"type\":\"market_data\",\"mode\":1,\"symbol\":\"A\",\"exchange\":\"NSE\",\"data\":{\"ltp\":\"nan\"}}",
                                // found by fuzz_openalgo_ws: seconds this large overflowed nanoseconds
                                "{\"type\":\"market_data\",\"mode\":1,\"symbol\":\"A\",\"exchange\":\"NSE\",\"data\":{\"ltp\":1,\"timestamp\":50000000000}}"}) {
    EXPECT_FALSE(ParseWsMessage(text, options, kNow).ok()) << text;
  }
}

TEST(OpenAlgoWsTest, DeriveTradeUsesCumulativeVolumeDeltas) {
  const ParseOptions options;
  TradeState state;
  auto first = ParseWsMessage(Fixture("openalgo/ws_quote.json"), options, kNow);
  auto second = ParseWsMessage(Fixture("openalgo/ws_quote_next.json"), options, kNow);
  ASSERT_TRUE(first.ok() && second.ok());
  auto t1 = DeriveTrade(first->market, state, kNow);
  ASSERT_TRUE(t1.has_value());
  EXPECT_EQ(t1->price, P("812.45"));
  EXPECT_TRUE(t1->size.is_zero());  // nothing to difference against yet
  auto t2 = DeriveTrade(second->market, state, kNow);
  ASSERT_TRUE(t2.has_value());
  EXPECT_EQ(t2->price, P("812.50"));
  EXPECT_EQ(t2->size, Q("150"));
  EXPECT_EQ(t2->ts_event, UnixNanos::FromMillis(1732164302000));
  EXPECT_FALSE(DeriveTrade(second->market, state, kNow).has_value());  // same price, same volume: no print

  TradeState ltp_state;
  auto ltp = ParseWsMessage(Fixture("openalgo/ws_ltp_1.json"), options, kNow);
  auto a = DeriveTrade(ltp->market, ltp_state, kNow);
  auto b = DeriveTrade(ltp->market, ltp_state, kNow);
  ASSERT_TRUE(a.has_value() && b.has_value());  // LTP mode: every frame is a print
  EXPECT_TRUE(a->size.is_zero());
}

TEST(OpenAlgoRestTest, RequestBodiesCarryTheDocumentedFields) {
  namespace json = boost::json;
  auto history = json::parse(HistoryRequestBody("k", {"SBIN", "NSE"}, "5m", {2024, 11, 1}, {2024, 11, 21})).as_object();
  EXPECT_EQ(history.at("apikey").as_string(), "k");
  EXPECT_EQ(history.at("symbol").as_string(), "SBIN");
  EXPECT_EQ(history.at("exchange").as_string(), "NSE");
  EXPECT_EQ(history.at("interval").as_string(), "5m");
  EXPECT_EQ(history.at("start_date").as_string(), "2024-11-01");
  EXPECT_EQ(history.at("end_date").as_string(), "2024-11-21");
  auto chain = json::parse(OptionChainRequestBody("k", {"NIFTY", "NSE_INDEX"}, {2024, 11, 28}, 10)).as_object();
  EXPECT_EQ(chain.at("underlying").as_string(), "NIFTY");
  EXPECT_EQ(chain.at("exchange").as_string(), "NSE_INDEX");
  EXPECT_EQ(chain.at("expiry_date").as_string(), "28NOV24");
  EXPECT_EQ(chain.at("strike_count").as_int64(), 10);
  EXPECT_FALSE(json::parse(OptionChainRequestBody("k", {"NIFTY", "NSE_INDEX"}, {2024, 11, 28}, 0)).as_object().contains("strike_count"));
  auto expiry = json::parse(ExpiryRequestBody("k", "NIFTY", "NFO")).as_object();
  EXPECT_EQ(expiry.at("instrumenttype").as_string(), "options");

  EXPECT_EQ(*IntervalFor(BarSpec{1, BarUnit::kMinute}), "1m");
  EXPECT_EQ(*IntervalFor(BarSpec{15, BarUnit::kSecond}), "15s");
  EXPECT_EQ(*IntervalFor(BarSpec{1, BarUnit::kHour}), "1h");
  EXPECT_EQ(*IntervalFor(BarSpec{1, BarUnit::kDay}), "D");
  EXPECT_EQ(*IntervalFor(BarSpec{1, BarUnit::kWeek}), "W");
  EXPECT_EQ(*IntervalFor(BarSpec{1, BarUnit::kMonth}), "M");
  EXPECT_FALSE(IntervalFor(BarSpec{2, BarUnit::kDay}).ok());
}

TEST(OpenAlgoRestTest, HistorySkipsBadRowsSortsAndDeduplicates) {
  auto parsed = ParseHistory(Fixture("openalgo/history.json"), ParseOptions{}, kNow);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  ASSERT_EQ(parsed->bars.size(), 3U);
  EXPECT_EQ(parsed->rejected, 3U);  // low > high, null open, "abc" open
  EXPECT_NE(parsed->first_reject.find("data[2]"), std::string::npos) << parsed->first_reject;
  EXPECT_EQ(parsed->bars[0].ts_event, UnixNanos::FromSeconds(1732160100));
  EXPECT_EQ(parsed->bars[1].ts_event, UnixNanos::FromSeconds(1732160160));
  EXPECT_EQ(parsed->bars[1].high, P("24021.00"));  // the later of two rows with one timestamp wins
  EXPECT_EQ(parsed->bars[2].volume, Q("12"));
  EXPECT_EQ(parsed->bars[0].ts_init, kNow);

  auto empty = ParseHistory(Fixture("openalgo/history_empty.json"), ParseOptions{}, kNow);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->bars.empty());

  auto error = ParseHistory(Fixture("openalgo/history_error.json"), ParseOptions{}, kNow);
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(error.error().message.find("Invalid interval"), std::string::npos);

  EXPECT_FALSE(ParseHistory("{\"status\":\"success\",\"data\":{}}", ParseOptions{}, kNow).ok());
  EXPECT_FALSE(ParseHistory("{\"data\":[]}", ParseOptions{}, kNow).ok());
  EXPECT_FALSE(ParseHistory("[1,2]", ParseOptions{}, kNow).ok());
}

TEST(OpenAlgoRestTest, HistoryTimestampsInEveryDocumentedForm) {
  const std::string body =
      R"({"status":"success","data":[
        {"timestamp":1732160100000,"open":1,"high":2,"low":1,"close":2,"volume":1},
        {"timestamp":"1732160160","open":1,"high":2,"low":1,"close":2,"volume":1},
        {"timestamp":"2024-11-21 09:07:00","open":1,"high":2,"low":1,"close":2,"volume":1},
        {"timestamp":"2024-11-21T09:08:00+05:30","open":1,"high":2,"low":1,"close":2,"volume":1}]})";
  auto parsed = ParseHistory(body, ParseOptions{}, kNow);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->bars.size(), 4U);
  EXPECT_EQ(parsed->bars[0].ts_event, UnixNanos::FromSeconds(1732160100));
  EXPECT_EQ(parsed->bars[1].ts_event, UnixNanos::FromSeconds(1732160160));
  EXPECT_EQ(parsed->bars[2].ts_event, UnixNanos::FromSeconds(1732160220));  // naive = IST
  EXPECT_EQ(parsed->bars[3].ts_event, UnixNanos::FromSeconds(1732160280));
}

TEST(OpenAlgoRestTest, ErrorsMapHttpStatuses) {
  EXPECT_EQ(ErrorFromResponse(403, Fixture("openalgo/invalid_apikey.json")).code, ErrorCode::kPermissionDenied);
  EXPECT_NE(ErrorFromResponse(403, Fixture("openalgo/invalid_apikey.json")).message.find("Invalid openalgo apikey"),
            std::string::npos);
  EXPECT_EQ(ErrorFromResponse(429, Fixture("openalgo/rate_limited.json")).code, ErrorCode::kRateLimited);
  EXPECT_EQ(ErrorFromResponse(400, "{}").code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(ErrorFromResponse(401, "").code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(ErrorFromResponse(404, "not json").code, ErrorCode::kNotFound);
  EXPECT_EQ(ErrorFromResponse(502, "<html>").code, ErrorCode::kUnavailable);
}

TEST(OpenAlgoRestTest, QuotesSnapshot) {
  const auto id = InstrumentId::Of("NSE:SBIN");
  auto q = ParseQuotes(Fixture("openalgo/quotes.json"), id, ParseOptions{}, kNow);
  ASSERT_TRUE(q.ok()) << q.error().ToString();
  EXPECT_EQ(q->ltp, P("812.45"));
  EXPECT_EQ(q->prev_close, P("803.65"));
  EXPECT_EQ(*q->bid, P("812.40"));
  EXPECT_EQ(q->volume, Q("1250000"));
  auto tick = q->ToQuoteTick();
  ASSERT_TRUE(tick.has_value());
  EXPECT_EQ(tick->instrument_id, id);
  EXPECT_EQ(tick->ask, P("812.50"));
  EXPECT_EQ(q->ToTradeTick().price, P("812.45"));

  auto index = ParseQuotes(Fixture("openalgo/quotes_index.json"), InstrumentId::Of("NSE:NIFTY"), ParseOptions{}, kNow);
  ASSERT_TRUE(index.ok());
  EXPECT_FALSE(index->bid.has_value());
  EXPECT_FALSE(index->ToQuoteTick().has_value());
  EXPECT_FALSE(ParseQuotes(R"({"status":"success","data":{"ltp":0}})", id, ParseOptions{}, kNow).ok());
  EXPECT_FALSE(ParseQuotes(R"({"status":"success","data":{"ltp":5,"bid":"x"}})", id, ParseOptions{}, kNow).ok());
}

TEST(OpenAlgoRestTest, ExpiriesAndIntervals) {
  auto dates = ParseExpiries(Fixture("openalgo/expiry.json"));
  ASSERT_TRUE(dates.ok());
  ASSERT_EQ(dates->size(), 3U);
  EXPECT_EQ((*dates)[0], (CivilDate{2024, 11, 28}));
  EXPECT_EQ((*dates)[2], (CivilDate{2024, 12, 12}));
  EXPECT_FALSE(ParseExpiries(R"({"status":"success","data":["31-FEB-24"]})").ok());
  EXPECT_FALSE(ParseExpiries(R"({"status":"success","data":[5]})").ok());

  auto intervals = ParseIntervals(Fixture("openalgo/intervals.json"));
  ASSERT_TRUE(intervals.ok());
  std::vector<BarSpec> expected = {{1, BarUnit::kMinute}, {3, BarUnit::kMinute},  {5, BarUnit::kMinute},
                                   {10, BarUnit::kMinute}, {15, BarUnit::kMinute}, {30, BarUnit::kMinute},
                                   {1, BarUnit::kHour},   {1, BarUnit::kDay},     {1, BarUnit::kWeek},
                                   {1, BarUnit::kMonth}};
  EXPECT_EQ(*intervals, expected);
}

TEST(OpenAlgoRestTest, OptionChainBecomesAModelChain) {
  const auto underlying = InstrumentId::Of("NSE:NIFTY");
  auto chain = ParseOptionChain(Fixture("openalgo/optionchain_28nov24.json"), underlying, "NFO", {2024, 11, 21},
                                ParseOptions{}, kNow);
  ASSERT_TRUE(chain.ok()) << chain.error().ToString();
  EXPECT_EQ(chain->underlying, underlying);
  EXPECT_EQ(chain->underlying_price, P("24010.55"));
  ASSERT_EQ(chain->expiries.size(), 1U);
  const ExpirySlice& slice = chain->expiries[0];
  EXPECT_EQ(slice.expiry, (CivilDate{2024, 11, 28}));  // from the answer, not the hint
  ASSERT_EQ(slice.rows.size(), 3U);
  EXPECT_EQ(slice.rows[0].strike, P("23950"));  // sorted ascending
  EXPECT_FALSE(slice.rows[0].put.has_value());
  const StrikeRow* atm = slice.FindRow(P("24000"));
  ASSERT_NE(atm, nullptr);
  ASSERT_TRUE(atm->call.has_value());
  EXPECT_EQ(atm->call->instrument_id.value(), "NFO:NIFTY28NOV2424000CE");
  EXPECT_EQ(*atm->call->last, P("118.35"));
  EXPECT_EQ(atm->call->open_interest, Q("1543200"));
  EXPECT_FALSE(atm->put->bid.has_value());  // 0 means not quoted
  EXPECT_EQ(*atm->put->ask, P("106.40"));
  EXPECT_TRUE(chain->Validate().ok());

  auto bad = ParseOptionChain(Fixture("openalgo/optionchain_bad_strike.json"), underlying, "NFO", {2024, 11, 28},
                              ParseOptions{}, kNow);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "chain[0].strike");
  auto crossed = ParseOptionChain(Fixture("openalgo/optionchain_crossed.json"), underlying, "NFO", {2024, 11, 28},
                                  ParseOptions{}, kNow);
  ASSERT_FALSE(crossed.ok());
  EXPECT_FALSE(ParseOptionChain(R"({"status":"success","chain":{}})", underlying, "NFO", {2024, 11, 28},
                                ParseOptions{}, kNow).ok());
}

}  // namespace
}  // namespace td::adapters::openalgo
