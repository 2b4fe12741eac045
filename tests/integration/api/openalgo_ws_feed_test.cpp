// SPDX-License-Identifier: MIT
// The OpenAlgo WebSocket listener wired as `tradedesk serve` wires it: its own port on loopback, the key store of
// the HTTP API, frames fed from MarketService (the seeded simulator with NYSE open) by the polling feed, and order
// updates from the real TradingService. A client authenticates with a real key, subscribes in LTP, Quote and
// Depth, receives frames that match the market, and gets its orders' updates; unknown and revoked keys are
// refused.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "api/auth_context.hpp"
#include "api/openalgo_market_routes.hpp"
#include "api/openalgo_ws_feed.hpp"
#include "api_world.hpp"
#include "core/clock.hpp"
#include "net/http_client.hpp"
#include "system/market_service.hpp"
#include "system/trading_service.hpp"

namespace td::api {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class OpenAlgoWsFeedTest : public ::testing::Test {
 protected:
  // One market for the suite (building the simulator's history is the slow part); tests only move its clock
  // forward, by seconds, within the NYSE session.
  static void SetUpTestSuite() {
    // A Tuesday, 15:00 UTC (11:00 New York): NYSE open, so US stocks quote and trade.
    clock_ = new TestClock(*UnixNanos::ParseIso8601("2025-09-16T15:00:00Z"));
    auto market = system::MarketService::StartSimulator({.seed = 5, .history_days = 2}, *clock_);
    ASSERT_TRUE(market.ok()) << market.error().ToString();
    market_ = market->release();
  }
  static void TearDownTestSuite() {
    delete market_;
    delete clock_;
  }

  void SetUp() override {
    auto keyed = testing::KeyedDirectory::Open("td-oa-ws", *clock_);
    dir_ = keyed.dir;
    ASSERT_FALSE(keyed.key.empty());
    auth_ = std::move(keyed.auth);
    key_ = keyed.key;
    key_id_ = keyed.key_id;
    system::TradingServiceOptions trading;
    trading.data_dir = dir_;
    auto started = system::TradingService::Start(trading, *market_, *clock_);
    ASSERT_TRUE(started.ok()) << started.error().ToString();
    trading_ = std::move(started).value();
    StartServer(auth_);
  }

  void TearDown() override {
    server_.reset();
    trading_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void StartServer(const AuthContext& auth) {
    server_.reset();
    OpenAlgoWsServerOptions options;
    options.port = 0;
    options.feed.poll_interval = 20ms;
    auto server = OpenAlgoWsServer::Start(options, *market_, trading_.get(), auth, *clock_);
    ASSERT_TRUE(server.ok()) << server.error().ToString();
    server_ = std::move(server).value();
    url_ = "ws://127.0.0.1:" + std::to_string(server_->port());
  }

  // Generous: authentication runs argon2id (slow by design) and the feed re-prices chains each pass, so on a
  // machine busy with a parallel build a reply can take seconds; a healthy run answers in milliseconds.
  static json::object Next(net::WebSocketClient& ws, std::chrono::milliseconds timeout = 15000ms) {
    auto text = ws.Receive(timeout);
    EXPECT_TRUE(text.ok()) << text.error().ToString();
    return text.ok() ? json::parse(*text).as_object() : json::object{};
  }
  /// The next frame that is not market data.
  static json::object NextReply(net::WebSocketClient& ws) {
    for (int i = 0; i < 200; ++i) {
      json::object frame = Next(ws);
      if (frame.empty() || !frame.contains("type") || frame.at("type").as_string() != "market_data") {
        return frame;
      }
    }
    return {};
  }
  static std::string Str(const json::value& value) { return value.is_string() ? std::string(value.as_string()) : ""; }
  static double Num(const json::value& value) { return value.to_number<double>(); }

  std::string Auth(std::string_view key) const {
    return R"({"action":"authenticate","api_key":")" + std::string(key) + R"("})";
  }

  static TestClock* clock_;
  static system::MarketService* market_;
  std::filesystem::path dir_;
  AuthContext auth_;
  std::string key_;
  std::string key_id_;
  std::unique_ptr<system::TradingService> trading_;
  std::unique_ptr<OpenAlgoWsServer> server_;
  std::string url_;
};

TestClock* OpenAlgoWsFeedTest::clock_ = nullptr;
system::MarketService* OpenAlgoWsFeedTest::market_ = nullptr;

TEST_F(OpenAlgoWsFeedTest, ARealKeySubscribesAndReceivesTheMarketInEveryMode) {
  net::WebSocketClient ws;
  ASSERT_TRUE(ws.Connect(url_).ok());  // no path, as the SDK connects
  ASSERT_TRUE(ws.Send(Auth(key_)).ok());
  json::object auth = Next(ws);
  EXPECT_EQ(Str(auth.at("type")), "auth");
  EXPECT_EQ(Str(auth.at("status")), "success");
  EXPECT_EQ(Str(auth.at("user_id")), "alice");
  for (const char* mode : {"LTP", "Quote", "Depth"}) {
    ASSERT_TRUE(ws.Send(std::string(R"({"action":"subscribe","symbols":[{"symbol":"AAPL","exchange":"US"}],"mode":")") +
                        mode + R"("})")
                    .ok());
    json::object reply = NextReply(ws);
    EXPECT_EQ(Str(reply.at("status")), "success") << json::serialize(reply);
  }
  ASSERT_TRUE(ws.Send(R"({"action":"subscribe","symbols":[{"symbol":"NOSUCH","exchange":"US"}],"mode":"LTP"})").ok());
  EXPECT_EQ(Str(NextReply(ws).at("status")), "error");
  EXPECT_EQ(server_->hub().Watched(), (std::vector<std::pair<std::string, std::string>>{{"AAPL", "US"}}));

  // The market moves: frames of every mode arrive, each one JSON object with an integer mode.
  std::map<std::int64_t, json::object> latest;
  std::map<std::int64_t, json::object> quote_by_time;
  std::map<std::int64_t, json::object> depth_by_time;
  for (int step = 0; step < 40 && (latest.size() < 3 || quote_by_time.empty()); ++step) {
    clock_->Advance(1s);
    for (;;) {
      auto text = ws.Receive(60ms);
      if (!text.ok()) {
        break;
      }
      json::object frame = json::parse(*text).as_object();
      ASSERT_EQ(Str(frame.at("type")), "market_data");
      EXPECT_EQ(Str(frame.at("symbol")), "AAPL");
      EXPECT_EQ(Str(frame.at("exchange")), "US");
      const std::int64_t mode = frame.at("mode").as_int64();
      const std::int64_t ts = frame.at("data").at("timestamp").as_int64();
      if (mode == 2) {
        quote_by_time[ts] = frame;
      } else if (mode == 3) {
        depth_by_time[ts] = frame;
      }
      latest[mode] = frame;
    }
  }
  ASSERT_TRUE(latest.contains(1) && latest.contains(2) && latest.contains(3));
  const json::object& quote = latest.at(2);
  EXPECT_GT(Num(quote.at("data").at("ltp")), 0);
  ASSERT_TRUE(quote.at("data").as_object().contains("bid"));
  EXPECT_LT(Num(quote.at("data").at("bid")), Num(quote.at("data").at("ask")));
  EXPECT_TRUE(quote.at("data").as_object().contains("volume"));
  // Depth is the quoted top of book in level 1 and zero rows beyond; it agrees with the Quote frame of the
  // same update.
  const json::object& depth = latest.at(3);
  const json::array& buy = depth.at("data").at("depth").at("buy").as_array();
  ASSERT_EQ(buy.size(), 5u);
  EXPECT_GT(Num(buy[0].at("quantity")), 0);
  for (std::size_t level = 1; level < 5; ++level) {
    EXPECT_EQ(Num(buy[level].at("price")), 0);
  }
  const std::int64_t depth_ts = depth.at("data").at("timestamp").as_int64();
  ASSERT_TRUE(quote_by_time.contains(depth_ts));
  EXPECT_EQ(Num(buy[0].at("price")), Num(quote_by_time.at(depth_ts).at("data").at("bid")));
  EXPECT_EQ(Num(depth.at("data").at("depth").at("sell").at(0).at("price")),
            Num(quote_by_time.at(depth_ts).at("data").at("ask")));

  // With the clock still, the last frames carry exactly what MarketService quotes now.
  std::this_thread::sleep_for(150ms);
  while (ws.Receive(100ms).ok()) {
  }
  clock_->Advance(1s);
  auto now = market_->Quote(InstrumentId::Of("US:AAPL"));
  ASSERT_TRUE(now.ok());
  json::object last_ltp;
  for (;;) {
    auto text = ws.Receive(300ms);
    if (!text.ok()) {
      break;
    }
    json::object frame = json::parse(*text).as_object();
    if (frame.at("mode").as_int64() == 1) {
      last_ltp = frame;
    }
  }
  ASSERT_FALSE(last_ltp.empty());
  EXPECT_EQ(Num(last_ltp.at("data").at("ltp")), now->ltp.AsDouble());

  ASSERT_TRUE(ws.Send(R"({"action":"unsubscribe_all"})").ok());
  EXPECT_EQ(Str(NextReply(ws).at("type")), "unsubscribe");
  EXPECT_TRUE(server_->hub().Watched().empty());
}

TEST_F(OpenAlgoWsFeedTest, TheAnswerComesFirstAndALateSubscriberGetsTheLatestFrameAtOnce) {
  // The clock stands still: AAPL's quote neither changes nor falls due for a refresh, so after its first frame
  // the feed publishes nothing more. A second client must still get a frame, straight after its answer.
  const std::string subscribe = R"({"action":"subscribe","symbols":[{"symbol":"AAPL","exchange":"US"}],"mode":2})";
  net::WebSocketClient first;
  ASSERT_TRUE(first.Connect(url_).ok());
  ASSERT_TRUE(first.Send(Auth(key_)).ok());
  Next(first);
  ASSERT_TRUE(first.Send(subscribe).ok());
  EXPECT_EQ(Str(Next(first).at("type")), "subscribe");  // never data ahead of the answer
  const json::object streamed = Next(first);
  ASSERT_EQ(Str(streamed.at("type")), "market_data");

  net::WebSocketClient second;
  ASSERT_TRUE(second.Connect(url_).ok());
  ASSERT_TRUE(second.Send(Auth(key_)).ok());
  Next(second);
  ASSERT_TRUE(second.Send(subscribe).ok());
  EXPECT_EQ(Str(Next(second).at("type")), "subscribe");
  const json::object joined = Next(second, 2000ms);
  ASSERT_EQ(Str(joined.at("type")), "market_data");
  EXPECT_EQ(Str(joined.at("symbol")), "AAPL");
  EXPECT_EQ(joined.at("mode").as_int64(), 2);
  EXPECT_EQ(Num(joined.at("data").at("ltp")), Num(streamed.at("data").at("ltp")));
  EXPECT_EQ(Num(joined.at("data").at("bid")), Num(streamed.at("data").at("bid")));
}

TEST_F(OpenAlgoWsFeedTest, OptionContractsStreamFromTheirChain) {
  // NSE is closed at this instant, but the chain of a listed NIFTY option is priced: a subscriber gets a frame.
  auto chain = market_->Chain(InstrumentId::Of("NSE_INDEX:NIFTY"));
  ASSERT_TRUE(chain.ok() && !chain->expiries.empty());
  const StrikeRow& row = chain->expiries.front().rows[chain->expiries.front().rows.size() / 2];
  const std::string symbol(row.call->instrument_id.symbol());
  net::WebSocketClient ws;
  ASSERT_TRUE(ws.Connect(url_).ok());
  ASSERT_TRUE(ws.Send(Auth(key_)).ok());
  Next(ws);
  const std::string put(row.put->instrument_id.symbol());
  ASSERT_TRUE(ws.Send(R"({"action":"subscribe","symbols":[{"symbol":")" + symbol + R"(","exchange":"NFO"},
      {"symbol":")" + put +
                      R"(","exchange":"NFO"}],"mode":2})")
                  .ok());
  EXPECT_EQ(Str(NextReply(ws).at("status")), "success");
  // Both contracts of the expiry stream (the feed asks for their chain once per pass).
  std::map<std::string, json::object> frames;
  for (int i = 0; i < 10 && frames.size() < 2; ++i) {
    json::object frame = Next(ws);
    EXPECT_EQ(frame.at("mode").as_int64(), 2);
    frames[Str(frame.at("symbol"))] = frame;
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(Num(frames.at(symbol).at("data").at("bid")), row.call->bid->AsDouble());
  EXPECT_EQ(Num(frames.at(put).at("data").at("ask")), row.put->ask->AsDouble());
}

TEST_F(OpenAlgoWsFeedTest, OrderUpdatesReachClientsThatAsked) {
  net::WebSocketClient ws;
  ASSERT_TRUE(ws.Connect(url_).ok());
  ASSERT_TRUE(ws.Send(R"({"action":"subscribe_orders"})").ok());
  EXPECT_EQ(Str(Next(ws).at("code")), "NOT_AUTHENTICATED");
  ASSERT_TRUE(ws.Send(Auth(key_)).ok());
  Next(ws);
  ASSERT_TRUE(ws.Send(R"({"action":"subscribe_orders"})").ok());
  json::object subscribed = Next(ws);
  EXPECT_EQ(Str(subscribed.at("type")), "subscribe_orders");
  EXPECT_EQ(Str(subscribed.at("status")), "success");
  net::WebSocketClient quiet;  // authenticated, never asked for orders
  ASSERT_TRUE(quiet.Connect(url_).ok());
  ASSERT_TRUE(quiet.Send(Auth(key_)).ok());
  Next(quiet);

  system::OrderRequest order;
  order.instrument_id = InstrumentId::Of("US:AAPL");
  order.side = Side::kBuy;
  order.type = OrderType::kMarket;
  order.product = Product::kMis;
  order.quantity = Quantity::FromUnits(3);
  auto placed = trading_->Place(order);
  ASSERT_TRUE(placed.ok()) << placed.error().ToString();
  std::string last_status;
  for (int i = 0; i < 20 && last_status != "complete"; ++i) {
    json::object update = Next(ws);
    ASSERT_EQ(Str(update.at("type")), "order_update") << json::serialize(update);
    const json::object& data = update.at("data").as_object();
    EXPECT_EQ(Str(data.at("orderid")), placed->order_id.value());
    EXPECT_EQ(Str(data.at("symbol")), "AAPL");
    EXPECT_EQ(Str(data.at("exchange")), "US");
    EXPECT_EQ(Str(data.at("action")), "BUY");
    EXPECT_EQ(Num(data.at("quantity")), 3);
    last_status = Str(data.at("order_status"));
    if (last_status == "complete") {
      EXPECT_EQ(Num(data.at("filled_quantity")), 3);
      EXPECT_GT(Num(data.at("average_price")), 0);
    }
  }
  EXPECT_EQ(last_status, "complete");
  EXPECT_FALSE(quiet.Receive(200ms).ok()) << "a client that did not subscribe_orders got an order update";
  ASSERT_TRUE(ws.Send(R"({"action":"unsubscribe_orders"})").ok());
  EXPECT_EQ(Str(Next(ws).at("status")), "success");
}

TEST_F(OpenAlgoWsFeedTest, UnknownAndRevokedKeysAreRefused) {
  net::WebSocketClient ws;
  ASSERT_TRUE(ws.Connect(url_).ok());
  ASSERT_TRUE(ws.Send(Auth(std::string(64, 'c'))).ok());
  json::object refused = Next(ws);
  EXPECT_EQ(Str(refused.at("status")), "error");
  EXPECT_EQ(Str(refused.at("code")), "AUTHENTICATION_ERROR");
  ASSERT_TRUE(ws.Send(R"({"action":"subscribe","symbol":"AAPL","exchange":"US","mode":"LTP"})").ok());
  EXPECT_EQ(Str(Next(ws).at("code")), "NOT_AUTHENTICATED");
  EXPECT_TRUE(server_->hub().Watched().empty());

  ASSERT_TRUE(auth_.keys->Revoke(key_id_).ok());
  net::WebSocketClient revoked;
  ASSERT_TRUE(revoked.Connect(url_).ok());
  ASSERT_TRUE(revoked.Send(Auth(key_)).ok());
  EXPECT_EQ(Str(Next(revoked).at("code")), "AUTHENTICATION_ERROR");
}

TEST_F(OpenAlgoWsFeedTest, WithAuthenticationOffAnyKeyIsLocal) {
  AuthSettings off;
  off.enabled = false;
  auto opened = OpenAuth(dir_ / "noauth", off, *clock_);
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  StartServer(*opened);
  net::WebSocketClient ws;
  ASSERT_TRUE(ws.Connect(url_).ok());
  ASSERT_TRUE(ws.Send(Auth("anything")).ok());
  json::object auth = Next(ws);
  EXPECT_EQ(Str(auth.at("status")), "success");
  EXPECT_EQ(Str(auth.at("user_id")), "local");
}

TEST_F(OpenAlgoWsFeedTest, ABusyPortIsAnErrorNotACrash) {
  OpenAlgoWsServerOptions options;
  options.port = server_->port();
  auto second = OpenAlgoWsServer::Start(options, *market_, nullptr, auth_, *clock_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace td::api
