// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <mutex>

#include "adapters/openalgo/client.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace td::adapters::openalgo {
namespace {

namespace json = boost::json;
using vendors_test::Fixture;
using vendors_test::HttpResponse;
using vendors_test::LoopbackServer;
using vendors_test::RecordingSink;
using vendors_test::RequestBody;
using vendors_test::RequestTarget;
using vendors_test::WsPeer;

Price P(std::string_view text) { return Price::Parse(text).value(); }
Quantity Q(std::string_view text) { return Quantity::Parse(text).value(); }

OpenAlgoConfig TestConfig(int port) {
  OpenAlgoConfig config;
  config.api_key = "k3y";
  config.ws_url = "ws://127.0.0.1:" + std::to_string(port);
  config.rest_base_url = "http://127.0.0.1:" + std::to_string(port);
  config.connect_timeout = 1000ms;
  config.auth_timeout = 1000ms;
  config.reconnect_base = 50ms;
  config.reconnect_max = 200ms;
  config.status_interval = 100ms;
  config.http_timeout = 2000ms;
  return config;
}

json::object Obj(const std::string& text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  return value.is_object() ? value.as_object() : json::object();
}

/// Accepts the upgrade, checks the authenticate message and answers it with `reply`.
bool Authenticate(WsPeer& peer, const std::string& reply) {
  if (!peer.Accept()) {
    return false;
  }
  auto auth = Obj(peer.Receive());
  if (!auth.contains("action") || auth.at("action") != "authenticate" || auth.at("api_key") != "k3y") {
    return false;
  }
  peer.Send(reply);
  return true;
}

TEST(OpenAlgoFeedTest, AuthenticatesSubscribesEachModeAndDeliversTicksInOrder) {
  std::mutex mutex;
  std::vector<json::object> received;
  std::atomic<bool> done{false};
  LoopbackServer server([&](int fd) {
    WsPeer peer(fd);
    if (!Authenticate(peer, Fixture("openalgo/ws_auth_success.json"))) {
      return;
    }
    for (int i = 0; i < 3; ++i) {
      auto message = Obj(peer.Receive());
      std::lock_guard lock(mutex);
      received.push_back(message);
    }
    peer.Send(Fixture("openalgo/ws_subscribe_ok.json"));
    peer.Send(Fixture("openalgo/ws_ltp_1.json"));
    peer.Send(Fixture("openalgo/ws_bad_string_mode.json"));
    peer.Send(Fixture("openalgo/ws_quote.json"));
    peer.Send(Fixture("openalgo/ws_ltp_2.json"));
    peer.Send("{not json");
    peer.Send(Fixture("openalgo/ws_depth.json"));
    peer.Send(Fixture("openalgo/ws_quote_next.json"));
    peer.Send(Fixture("openalgo/ws_subscribe_partial.json"));
    while (!done && !peer.closed()) {
      peer.Receive(50ms);
    }
  });
  OpenAlgoDataClient client(TestConfig(server.port()));
  const auto nifty = InstrumentId::Of("NSE:NIFTY");
  const auto sbin = InstrumentId::Of("NSE:SBIN");
  const auto reliance = InstrumentId::Of("NSE:RELIANCE");
  ASSERT_TRUE(client.Subscribe({nifty, data::DataKind::kTrades, {}}).ok());
  ASSERT_TRUE(client.Subscribe({sbin, data::DataKind::kQuotes, {}}).ok());
  ASSERT_TRUE(client.Subscribe({sbin, data::DataKind::kTrades, {}}).ok());
  ASSERT_TRUE(client.Subscribe({reliance, data::DataKind::kDepth, {}}).ok());
  EXPECT_EQ(client.Subscribe({sbin, data::DataKind::kBars, {}}).error().code, ErrorCode::kUnprocessable);
  EXPECT_FALSE(client.Subscribe({InstrumentId::Of("US:AAPL"), data::DataKind::kTrades, {}}).ok());

  RecordingSink sink;
  ASSERT_TRUE(client.Connect(sink).ok());
  ASSERT_TRUE(sink.WaitForCount<TradeTick>(4));
  ASSERT_TRUE(sink.WaitForCount<QuoteTick>(3));
  ASSERT_TRUE(sink.WaitUntil([&] { return client.status().last_error.find("NOSUCH") != std::string::npos; }));
  done = true;
  client.Disconnect();

  {
    std::lock_guard lock(mutex);
    ASSERT_EQ(received.size(), 3U);
    EXPECT_EQ(received[0].at("action"), "subscribe");
    EXPECT_EQ(received[0].at("mode"), "LTP");
    EXPECT_EQ(received[0].at("symbols").as_array()[0].as_object().at("symbol"), "NIFTY");
    EXPECT_EQ(received[0].at("symbols").as_array()[0].as_object().at("exchange"), "NSE_INDEX");
    EXPECT_EQ(received[1].at("mode"), "Quote");
    EXPECT_EQ(received[1].at("symbols").as_array()[0].as_object().at("symbol"), "SBIN");
    EXPECT_EQ(received[2].at("mode"), "Depth");
    EXPECT_EQ(received[2].at("depth"), 5);
    EXPECT_EQ(received[2].at("symbols").as_array()[0].as_object().at("symbol"), "RELIANCE");
  }

  auto trades = sink.All<TradeTick>();
  ASSERT_EQ(trades.size(), 4U);
  EXPECT_EQ(trades[0].instrument_id, nifty);  // mapped back to the id we subscribed with
  EXPECT_EQ(trades[0].price, P("24010.55"));
  EXPECT_EQ(trades[1].instrument_id, sbin);
  EXPECT_EQ(trades[2].instrument_id, nifty);
  EXPECT_EQ(trades[2].price, P("24012.30"));
  EXPECT_EQ(trades[3].instrument_id, sbin);
  EXPECT_EQ(trades[3].size, Q("150"));
  auto quotes = sink.All<QuoteTick>();
  ASSERT_EQ(quotes.size(), 3U);
  EXPECT_EQ(quotes[0].instrument_id, sbin);
  EXPECT_EQ(quotes[0].bid, P("812.40"));
  EXPECT_EQ(quotes[1].instrument_id, reliance);  // depth: no trades wanted, only the top of book
  EXPECT_EQ(quotes[1].ask_size, Q("767"));
  EXPECT_EQ(quotes[2].bid, P("812.45"));

  const data::FeedStatus status = client.status();
  EXPECT_FALSE(status.connected);
  EXPECT_EQ(status.rejects, 2U);
  EXPECT_GE(status.messages, 10U);
  EXPECT_EQ(status.reconnects, 0U);
  auto statuses = sink.All<data::FeedStatus>();
  ASSERT_FALSE(statuses.empty());
  EXPECT_TRUE(statuses.front().connected);
  EXPECT_EQ(statuses.front().source, "openalgo");
}

TEST(OpenAlgoFeedTest, AuthenticationFailureIsFinal) {
  LoopbackServer server([&](int fd) {
    WsPeer peer(fd);
    Authenticate(peer, Fixture("openalgo/ws_auth_error.json"));
    peer.Receive(200ms);
  });
  OpenAlgoDataClient client(TestConfig(server.port()));
  RecordingSink sink;
  const Status status = client.Connect(sink);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(status.error().message.find("Invalid API key"), std::string::npos);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(server.connections(), 1);
  EXPECT_NE(client.status().last_error.find("auth_failed"), std::string::npos);
}

TEST(OpenAlgoFeedTest, SilentServerFailsAuthenticationByTimeout) {
  LoopbackServer server([&](int fd) {
    WsPeer peer(fd);
    peer.Accept();
    const auto until = std::chrono::steady_clock::now() + 1500ms;
    while (std::chrono::steady_clock::now() < until && !peer.closed()) {
      peer.Receive(100ms);
    }
  });
  OpenAlgoConfig config = TestConfig(server.port());
  config.auth_timeout = 300ms;
  OpenAlgoDataClient client(config);
  RecordingSink sink;
  const Status status = client.Connect(sink);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kTimeout);
}

TEST(OpenAlgoFeedTest, ReconnectsWithBackoffAndResubscribesEverything) {
  std::mutex mutex;
  std::vector<std::vector<json::object>> per_connection;
  std::atomic<bool> done{false};
  LoopbackServer server([&](int fd) {
    WsPeer peer(fd);
    if (!Authenticate(peer, Fixture("openalgo/ws_auth_success.json"))) {
      return;
    }
    std::vector<json::object> messages;
    for (int i = 0; i < 2; ++i) {
      messages.push_back(Obj(peer.Receive()));
    }
    const bool first = [&] {
      std::lock_guard lock(mutex);
      per_connection.push_back(messages);
      return per_connection.size() == 1;
    }();
    if (first) {
      peer.Send(Fixture("openalgo/ws_ltp_1.json"));
      return;  // drop the connection
    }
    peer.Send(Fixture("openalgo/ws_ltp_2.json"));
    while (!done && !peer.closed()) {
      peer.Receive(50ms);
    }
  });
  OpenAlgoDataClient client(TestConfig(server.port()));
  RecordingSink sink;
  ASSERT_TRUE(client.Subscribe({InstrumentId::Of("NSE:NIFTY"), data::DataKind::kTrades, {}}).ok());
  ASSERT_TRUE(client.Subscribe({InstrumentId::Of("NSE:SBIN"), data::DataKind::kQuotes, {}}).ok());
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.Connect(sink).ok());
  ASSERT_TRUE(sink.WaitForCount<TradeTick>(2));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  done = true;
  client.Disconnect();

  EXPECT_GE(elapsed, 25ms);  // the first backoff delay is at least half the 50 ms base
  std::lock_guard lock(mutex);
  ASSERT_EQ(per_connection.size(), 2U);
  for (const auto& messages : per_connection) {
    ASSERT_EQ(messages.size(), 2U);
    EXPECT_EQ(messages[0].at("mode"), "LTP");
    EXPECT_EQ(messages[0].at("symbols").as_array()[0].as_object().at("symbol"), "NIFTY");
    EXPECT_EQ(messages[1].at("mode"), "Quote");
    EXPECT_EQ(messages[1].at("symbols").as_array()[0].as_object().at("symbol"), "SBIN");
  }
  auto trades = sink.All<TradeTick>();
  EXPECT_EQ(trades[0].price, P("24010.55"));
  EXPECT_EQ(trades[1].price, P("24012.30"));
  EXPECT_EQ(client.status().reconnects, 1U);
  auto statuses = sink.All<data::FeedStatus>();
  const bool saw_down = std::any_of(statuses.begin(), statuses.end(), [](const data::FeedStatus& s) {
    return !s.connected && s.last_error.find("connection lost") != std::string::npos;
  });
  EXPECT_TRUE(saw_down);
  const bool saw_reconnected = std::any_of(statuses.begin(), statuses.end(),
                                           [](const data::FeedStatus& s) { return s.connected && s.reconnects == 1; });
  EXPECT_TRUE(saw_reconnected);
}

TEST(OpenAlgoFeedTest, PingsWhenQuietAndReconnectsWhenTheServerGoesSilent) {
  std::atomic<int> pings{0};
  std::atomic<bool> done{false};
  LoopbackServer server([&](int fd) {
    WsPeer peer(fd);
    if (!Authenticate(peer, Fixture("openalgo/ws_auth_success.json"))) {
      return;
    }
    const bool first = pings.load() == 0;
    while (!done && !peer.closed()) {
      auto message = Obj(peer.Receive(100ms));
      if (message.contains("action") && message.at("action") == "ping") {
        const int n = ++pings;
        if (first && n == 1) {
          peer.Send(Fixture("openalgo/ws_pong.json"));  // answer the first ping only
        }
      }
    }
  });
  OpenAlgoConfig config = TestConfig(server.port());
  config.ping_interval = 150ms;
  config.pong_timeout = 150ms;
  OpenAlgoDataClient client(config);
  RecordingSink sink;
  ASSERT_TRUE(client.Connect(sink).ok());
  ASSERT_TRUE(sink.WaitUntil([&] { return server.connections() >= 2 && client.status().connected; }, 4000ms));
  done = true;
  client.Disconnect();
  EXPECT_GE(pings.load(), 2);
  EXPECT_GE(client.status().reconnects, 1U);
  auto statuses = sink.All<data::FeedStatus>();
  EXPECT_TRUE(std::any_of(statuses.begin(), statuses.end(), [](const data::FeedStatus& s) {
    return s.last_error.find("heartbeat") != std::string::npos;
  }));
}

TEST(OpenAlgoFeedTest, ModeUpgradesAndUnsubscribesWhileConnected) {
  std::mutex mutex;
  std::vector<json::object> received;
  std::atomic<bool> done{false};
  LoopbackServer server([&](int fd) {
    WsPeer peer(fd);
    if (!Authenticate(peer, Fixture("openalgo/ws_auth_success.json"))) {
      return;
    }
    while (!done && !peer.closed()) {
      auto message = Obj(peer.Receive(50ms));
      if (!message.empty()) {
        std::lock_guard lock(mutex);
        received.push_back(message);
      }
    }
  });
  OpenAlgoDataClient client(TestConfig(server.port()));
  RecordingSink sink;
  const auto nifty = InstrumentId::Of("NSE:NIFTY");
  ASSERT_TRUE(client.Connect(sink).ok());
  ASSERT_TRUE(client.Subscribe({nifty, data::DataKind::kTrades, {}}).ok());
  auto count = [&] {
    std::lock_guard lock(mutex);
    return received.size();
  };
  ASSERT_TRUE(sink.WaitUntil([&] { return count() >= 1; }));
  ASSERT_TRUE(client.Subscribe({nifty, data::DataKind::kQuotes, {}}).ok());
  ASSERT_TRUE(sink.WaitUntil([&] { return count() >= 3; }));
  EXPECT_EQ(client.ActiveSubscriptions().at(WireSymbol{"NIFTY", "NSE_INDEX"}), StreamMode::kQuote);
  ASSERT_TRUE(client.Unsubscribe({nifty, data::DataKind::kQuotes, {}}).ok());
  ASSERT_TRUE(sink.WaitUntil([&] { return count() >= 5; }));
  ASSERT_TRUE(client.Unsubscribe({nifty, data::DataKind::kTrades, {}}).ok());
  EXPECT_EQ(client.Unsubscribe({nifty, data::DataKind::kTrades, {}}).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(sink.WaitUntil([&] { return count() >= 6; }));
  done = true;
  client.Disconnect();

  std::lock_guard lock(mutex);
  ASSERT_EQ(received.size(), 6U);
  EXPECT_EQ(received[0].at("action"), "subscribe");
  EXPECT_EQ(received[0].at("mode"), "LTP");
  EXPECT_EQ(received[1].at("action"), "subscribe");  // the richer mode first, so there is no gap
  EXPECT_EQ(received[1].at("mode"), "Quote");
  EXPECT_EQ(received[2].at("action"), "unsubscribe");
  EXPECT_EQ(received[2].at("mode"), "LTP");
  EXPECT_EQ(received[2].at("symbols").as_array()[0].as_object().at("mode"), 1);
  // Dropping quotes moves the instrument back to LTP; dropping trades unsubscribes it.
  EXPECT_EQ(received[3].at("action"), "subscribe");
  EXPECT_EQ(received[3].at("mode"), "LTP");
  EXPECT_EQ(received[4].at("action"), "unsubscribe");
  EXPECT_EQ(received[4].at("mode"), "Quote");
  EXPECT_EQ(received[5].at("action"), "unsubscribe");
  EXPECT_EQ(received[5].at("mode"), "LTP");
}

// ---- REST --------------------------------------------------------------------------------------------------

TEST(OpenAlgoRestClientTest, HistoryPostsTheDocumentedBodyAndFiltersToTheRange) {
  std::vector<std::string> requests;
  LoopbackServer server([&](int fd) {
    while (true) {
      const std::string request = LoopbackServer::ReadRequest(fd);
      if (request.empty()) {
        return;
      }
      requests.push_back(request);
      LoopbackServer::SendAll(fd, HttpResponse(200, Fixture("openalgo/history.json")));
    }
  });
  OpenAlgoDataClient client(TestConfig(server.port()));
  // [03:36, 03:40) UTC on 2024-11-21 = 09:06..09:10 IST.
  auto bars = client.RequestBars(InstrumentId::Of("NSE:NIFTY"), BarSpec{1, BarUnit::kMinute},
                                 UnixNanos::FromSeconds(1732160160), UnixNanos::FromSeconds(1732160400));
  ASSERT_TRUE(bars.ok()) << bars.error().ToString();
  ASSERT_EQ(bars->size(), 1U);  // 09:15 is before the range, 09:20 is its exclusive end
  EXPECT_EQ((*bars)[0].ts_event, UnixNanos::FromSeconds(1732160160));
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(RequestTarget(requests[0]), "/api/v1/history");
  EXPECT_NE(requests[0].find("POST "), std::string::npos);
  auto body = Obj(RequestBody(requests[0]));
  EXPECT_EQ(body.at("apikey"), "k3y");
  EXPECT_EQ(body.at("symbol"), "NIFTY");
  EXPECT_EQ(body.at("exchange"), "NSE_INDEX");
  EXPECT_EQ(body.at("interval"), "1m");
  EXPECT_EQ(body.at("start_date"), "2024-11-21");
  EXPECT_EQ(body.at("end_date"), "2024-11-21");
  EXPECT_EQ(client.status().rejects, 3U);  // the fixture's three bad rows
}

TEST(OpenAlgoRestClientTest, RateLimitIsRetriedAndErrorsAreStructured) {
  std::atomic<int> calls{0};
  LoopbackServer server([&](int fd) {
    while (true) {
      const std::string request = LoopbackServer::ReadRequest(fd);
      if (request.empty()) {
        return;
      }
      const int n = ++calls;
      if (RequestTarget(request) == "/api/v1/quotes") {
        LoopbackServer::SendAll(fd, n == 1 ? HttpResponse(429, Fixture("openalgo/rate_limited.json"))
                                           : HttpResponse(200, Fixture("openalgo/quotes.json")));
      } else {
        LoopbackServer::SendAll(fd, HttpResponse(403, Fixture("openalgo/invalid_apikey.json")));
      }
    }
  });
  OpenAlgoConfig config = TestConfig(server.port());
  config.reconnect_base = 20ms;
  OpenAlgoDataClient client(config);
  auto quote = client.RequestQuote(InstrumentId::Of("NSE:SBIN"));
  ASSERT_TRUE(quote.ok()) << quote.error().ToString();
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(quote->ltp, P("812.45"));
  auto denied = client.RequestIntervals();
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(denied.error().message.find("Invalid openalgo apikey"), std::string::npos);
}

TEST(OpenAlgoRestClientTest, ChainWithoutExpiryFetchesEveryListedExpiry) {
  std::vector<json::object> bodies;
  std::vector<std::string> targets;
  LoopbackServer server([&](int fd) {
    while (true) {
      const std::string request = LoopbackServer::ReadRequest(fd);
      if (request.empty()) {
        return;
      }
      targets.push_back(RequestTarget(request));
      auto body = Obj(RequestBody(request));
      bodies.push_back(body);
      std::string answer;
      if (targets.back() == "/api/v1/expiry") {
        answer = R"({"status":"success","message":"","data":["05-DEC-24","28-NOV-24"]})";
      } else if (body.at("expiry_date") == "28NOV24") {
        answer = Fixture("openalgo/optionchain_28nov24.json");
      } else {
        answer = Fixture("openalgo/optionchain_05dec24.json");
      }
      LoopbackServer::SendAll(fd, HttpResponse(200, answer));
    }
  });
  OpenAlgoDataClient client(TestConfig(server.port()));
  auto chain = client.RequestChain(InstrumentId::Of("NSE:NIFTY"), std::nullopt);
  ASSERT_TRUE(chain.ok()) << chain.error().ToString();
  ASSERT_EQ(targets.size(), 3U);
  EXPECT_EQ(targets[0], "/api/v1/expiry");
  EXPECT_EQ(bodies[0].at("symbol"), "NIFTY");
  EXPECT_EQ(bodies[0].at("exchange"), "NFO");
  EXPECT_EQ(targets[1], "/api/v1/optionchain");
  EXPECT_EQ(bodies[1].at("expiry_date"), "28NOV24");
  EXPECT_EQ(bodies[2].at("expiry_date"), "05DEC24");
  ASSERT_EQ(chain->expiries.size(), 2U);
  EXPECT_EQ(chain->expiries[0].expiry, (CivilDate{2024, 11, 28}));
  EXPECT_EQ(chain->expiries[1].expiry, (CivilDate{2024, 12, 5}));
  EXPECT_EQ(chain->underlying_price, P("24012"));
  EXPECT_TRUE(chain->Validate().ok());

  auto one = client.RequestChain(InstrumentId::Of("NSE:NIFTY"), CivilDate{2024, 11, 28});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->expiries.size(), 1U);
  EXPECT_EQ(targets.size(), 4U);
}

}  // namespace
}  // namespace td::adapters::openalgo
