// SPDX-License-Identifier: MIT
// tradedesk's OpenAlgo-compatible WebSocket listener over real sockets: an OpenAlgo client (our own adapter,
// which follows the published SDK's wire rules) works against it unchanged, and the raw protocol answers every
// action and every mistake the way OpenAlgo's proxy does.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <boost/json.hpp>

#include "adapters/openalgo/client.hpp"
#include "api/http_server.hpp"
#include "api/openalgo_ws.hpp"
#include "net/http_client.hpp"
#include "unit/vendors/test_support.hpp"

namespace td::api {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class OpenAlgoWsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hub_ = std::make_shared<OpenAlgoWsHub>(
        OpenAlgoWsOptions{},
        [](std::string_view key) -> Result<std::string> {
          if (key == std::string(64, 'a')) {
            return std::string("trader1");
          }
          return Error{ErrorCode::kUnauthenticated, "unknown key", {}};
        },
        [](std::string_view symbol, std::string_view) -> Status {
          if (symbol == "NOSUCH") {
            return Error::NotFound("no such symbol", "symbol");
          }
          return {};
        },
        clock_);
    hub_->SetInterest([this](const std::string& symbol, const std::string& exchange, bool wanted) {
      std::lock_guard lock(interest_mutex_);
      interest_.push_back((wanted ? "+" : "-") + exchange + ":" + symbol);
    });
    HttpServerOptions options;
    options.listen_port = 0;
    options.builtin_routes = false;  // a dedicated listener, like OpenAlgo's port 8765
    options.shutdown_grace = 2s;
    options.stream_send_buffer_bytes = 4096;  // so a client that never reads backs up into its queue quickly
    server_ = std::make_unique<HttpServer>(options);
    AddOpenAlgoWsRoute(server_->router(), hub_);
    ASSERT_TRUE(server_->Start().ok());
    url_ = "ws://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override { server_->Stop(); }

  WsMarketUpdate Update(std::string symbol, std::string exchange, std::string_view ltp) {
    WsMarketUpdate u;
    u.symbol = std::move(symbol);
    u.exchange = std::move(exchange);
    u.ts = clock_.Now();
    u.ltp = *Price::Parse(ltp);
    u.ltq = Quantity::FromUnits(25);
    u.open = *Price::Parse("805.00");
    u.high = *Price::Parse("815.90");
    u.low = *Price::Parse("801.10");
    u.close = *Price::Parse("803.65");
    u.volume = Quantity::FromUnits(1'250'000 + ++volume_step_ * 100);
    u.bid = *Price::Parse("812.40");
    u.ask = *Price::Parse("812.50");
    u.bid_qty = Quantity::FromUnits(1200);
    u.ask_qty = Quantity::FromUnits(800);
    u.bids = {{*Price::Parse("812.40"), Quantity::FromUnits(1200), 4}, {*Price::Parse("812.35"), Quantity::FromUnits(300), 2}};
    u.asks = {{*Price::Parse("812.50"), Quantity::FromUnits(800), 3}};
    return u;
  }

  /// The next text message, parsed.
  static json::object Next(net::WebSocketClient& ws) {
    auto text = ws.Receive(2000ms);
    EXPECT_TRUE(text.ok()) << text.error().ToString();
    return text.ok() ? json::parse(*text).as_object() : json::object{};
  }

  std::vector<std::string> Interest() {
    std::lock_guard lock(interest_mutex_);
    return interest_;
  }

  TestClock clock_{UnixNanos::FromSeconds(1'732'164'300)};
  std::shared_ptr<OpenAlgoWsHub> hub_;
  std::unique_ptr<HttpServer> server_;
  std::string url_;
  int volume_step_ = 0;
  std::mutex interest_mutex_;
  std::vector<std::string> interest_;
};

TEST_F(OpenAlgoWsTest, AnOpenAlgoClientWorksUnchanged) {
  adapters::openalgo::OpenAlgoConfig config;
  config.ws_url = url_;
  config.api_key = std::string(64, 'a');
  config.normalise_index_exchanges = true;
  adapters::openalgo::OpenAlgoDataClient client(config);
  vendors_test::RecordingSink sink;
  ASSERT_TRUE(client.Subscribe({InstrumentId::Of("NSE:SBIN"), data::DataKind::kQuotes, {}}).ok());
  ASSERT_TRUE(client.Subscribe({InstrumentId::Of("NSE:SBIN"), data::DataKind::kTrades, {}}).ok());
  const Status connected = client.Connect(sink);
  ASSERT_TRUE(connected.ok()) << connected.error().ToString();
  ASSERT_TRUE(sink.WaitUntil([&] { return !hub_->Watched().empty(); }));
  EXPECT_EQ(hub_->Watched().front(), (std::pair<std::string, std::string>{"SBIN", "NSE"}));

  hub_->Publish(Update("SBIN", "NSE", "812.45"));
  clock_.Advance(100ms);
  hub_->Publish(Update("SBIN", "NSE", "812.50"));
  ASSERT_TRUE(sink.WaitUntil([&] { return sink.All<QuoteTick>().size() >= 2; }));
  const auto quotes = sink.All<QuoteTick>();
  EXPECT_EQ(quotes.front().instrument_id.value(), "NSE:SBIN");
  EXPECT_EQ(quotes.front().bid.ToString(), "812.40");
  EXPECT_EQ(quotes.front().ask.ToString(), "812.50");
  ASSERT_TRUE(sink.WaitUntil([&] { return !sink.All<TradeTick>().empty(); }));
  EXPECT_EQ(sink.All<TradeTick>().back().price.ToString(), "812.50");
  client.Disconnect();
  ASSERT_TRUE(sink.WaitUntil([&] { return hub_->client_count() == 0; }));
  EXPECT_EQ(Interest(), (std::vector<std::string>{"+NSE:SBIN", "-NSE:SBIN"}));
}

TEST_F(OpenAlgoWsTest, AWrongKeyIsRefusedTheOpenAlgoWay) {
  adapters::openalgo::OpenAlgoConfig config;
  config.ws_url = url_;
  config.api_key = std::string(64, 'b');
  adapters::openalgo::OpenAlgoDataClient client(config);
  vendors_test::RecordingSink sink;
  const Status connected = client.Connect(sink);
  ASSERT_FALSE(connected.ok());
  EXPECT_EQ(connected.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(OpenAlgoWsTest, RawProtocol) {
  net::WebSocketClient ws;
  ASSERT_TRUE(ws.Connect(url_ + "/").ok());
  // Nothing but ping before authentication.
  ASSERT_TRUE(ws.Send(R"({"action":"subscribe","symbols":[{"symbol":"SBIN","exchange":"NSE"}],"mode":"LTP"})").ok());
  EXPECT_EQ(Next(ws).at("code").as_string(), "NOT_AUTHENTICATED");
  ASSERT_TRUE(ws.Send("not json").ok());
  EXPECT_EQ(Next(ws).at("code").as_string(), "INVALID_JSON");
  ASSERT_TRUE(ws.Send(R"({"action":"ping","client_timestamp":1732164309990})").ok());
  json::object pong = Next(ws);
  EXPECT_EQ(pong.at("type").as_string(), "pong");
  EXPECT_EQ(pong.at("client_timestamp").as_int64(), 1732164309990);
  EXPECT_EQ(pong.at("server_timestamp").as_int64(), clock_.Now().millis());

  ASSERT_TRUE(ws.Send(R"({"action":"authenticate","apikey":")" + std::string(64, 'a') + R"("})").ok());
  json::object auth = Next(ws);
  EXPECT_EQ(auth.at("type").as_string(), "auth");
  EXPECT_EQ(auth.at("user_id").as_string(), "trader1");
  EXPECT_TRUE(auth.at("supported_features").at("depth").as_bool());

  ASSERT_TRUE(ws.Send(R"({"action":"subscribe","symbols":[{"symbol":"SBIN","exchange":"NSE"},
      {"symbol":"NOSUCH","exchange":"NSE"}],"mode":"Depth","depth":5})")
                  .ok());
  json::object partial = Next(ws);
  EXPECT_EQ(partial.at("status").as_string(), "partial");
  EXPECT_EQ(partial.at("subscriptions").at(0).at("mode").as_string(), "Depth");
  EXPECT_EQ(partial.at("subscriptions").at(1).at("message").as_string(), "Symbol not found");
  ASSERT_TRUE(ws.Send(R"({"action":"subscribe","symbol":"SBIN","exchange":"NSE","mode":1})").ok());
  EXPECT_EQ(Next(ws).at("status").as_string(), "success");
  ASSERT_TRUE(ws.Send(R"({"action":"subscribe","symbols":[{"symbol":"SBIN","exchange":"NSE"}],"mode":"Everything"})").ok());
  EXPECT_EQ(Next(ws).at("code").as_string(), "INVALID_PARAMETERS");

  // One update: a depth frame and an LTP frame, each one JSON object with an integer mode.
  hub_->Publish(Update("SBIN", "NSE", "812.45"));
  json::object first = Next(ws);
  json::object second = Next(ws);
  const json::object& depth = first.at("mode").as_int64() == 3 ? first : second;
  const json::object& ltp = first.at("mode").as_int64() == 1 ? first : second;
  EXPECT_EQ(depth.at("type").as_string(), "market_data");
  EXPECT_EQ(depth.at("data").at("depth").at("buy").as_array().size(), 2u);
  EXPECT_DOUBLE_EQ(depth.at("data").at("depth").at("buy").at(0).at("price").to_number<double>(), 812.40);
  EXPECT_EQ(depth.at("data").at("depth").at("sell").at(0).at("orders").as_int64(), 3);
  EXPECT_DOUBLE_EQ(ltp.at("data").at("ltp").to_number<double>(), 812.45);
  EXPECT_EQ(ltp.at("data").at("timestamp").as_int64(), clock_.Now().millis());
  EXPECT_FALSE(ltp.at("data").as_object().contains("depth"));

  // LTP frames are throttled to one per 50 ms; depth frames are not.
  clock_.Advance(10ms);
  hub_->Publish(Update("SBIN", "NSE", "812.50"));
  EXPECT_EQ(Next(ws).at("mode").as_int64(), 3);
  clock_.Advance(50ms);
  hub_->Publish(Update("SBIN", "NSE", "812.55"));
  int modes = 0;
  for (int i = 0; i < 2; ++i) {
    modes += static_cast<int>(Next(ws).at("mode").as_int64());
  }
  EXPECT_EQ(modes, 4);  // depth + LTP

  // Unsubscribe carries the mode inside each entry, as the SDK sends it.
  ASSERT_TRUE(ws.Send(R"({"action":"unsubscribe","symbols":[{"symbol":"SBIN","exchange":"NSE","mode":3}],"mode":"Depth"})").ok());
  EXPECT_EQ(Next(ws).at("type").as_string(), "unsubscribe");
  ASSERT_TRUE(ws.Send(R"({"action":"unsubscribe_all"})").ok());
  EXPECT_EQ(Next(ws).at("status").as_string(), "success");
  EXPECT_TRUE(hub_->Watched().empty());
  hub_->Publish(Update("SBIN", "NSE", "812.60"));
  ASSERT_TRUE(ws.Send(R"({"action":"get_broker_info"})").ok());
  EXPECT_EQ(Next(ws).at("type").as_string(), "broker_info");  // no market_data came before it
  ASSERT_TRUE(ws.Send(R"({"action":"dance"})").ok());
  EXPECT_EQ(Next(ws).at("code").as_string(), "INVALID_ACTION");
}

TEST_F(OpenAlgoWsTest, AClientThatNeverReadsIsDroppedWithoutSlowingOthers) {
  net::WebSocketClient reader;
  ASSERT_TRUE(reader.Connect(url_).ok());
  ASSERT_TRUE(reader.Send(R"({"action":"authenticate","api_key":")" + std::string(64, 'a') + R"("})").ok());
  Next(reader);
  ASSERT_TRUE(reader.Send(R"({"action":"subscribe","symbol":"SBIN","exchange":"NSE","mode":"Depth"})").ok());
  Next(reader);
  net::WebSocketClient stalled;
  ASSERT_TRUE(stalled.Connect(url_).ok());
  ASSERT_TRUE(stalled.Send(R"({"action":"authenticate","api_key":")" + std::string(64, 'a') + R"("})").ok());
  ASSERT_TRUE(stalled.Send(R"({"action":"subscribe","symbol":"SBIN","exchange":"NSE","mode":"Depth"})").ok());
  std::this_thread::sleep_for(100ms);
  ASSERT_EQ(hub_->client_count(), 2u);
  // The stalled client never reads; once the socket buffers are full its queue (1024 frames) overflows and it is dropped. The reader gets all.
  constexpr int kUpdates = 20000;
  int received = 0;
  for (int i = 0; i < kUpdates; ++i) {
    clock_.Advance(1ms);
    hub_->Publish(Update("SBIN", "NSE", "812.45"));
    auto text = reader.Receive(2000ms);  // the reader keeps up: one frame per update
    ASSERT_TRUE(text.ok()) << "the reader lost frames after " << received;
    ++received;
  }
  EXPECT_EQ(received, kUpdates);
  EXPECT_EQ(hub_->client_count(), 1u) << "the stalled client was not dropped";
}

}  // namespace
}  // namespace td::api
