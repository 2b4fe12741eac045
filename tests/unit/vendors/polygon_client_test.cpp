// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

#include "adapters/polygon/client.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace td::adapters::polygon {
namespace {

using vendors_test::Fixture;
using vendors_test::HttpResponse;
using vendors_test::LoopbackServer;
using vendors_test::RecordingSink;
using vendors_test::RequestTarget;

PolygonConfig TestConfig(const LoopbackServer& server) {
  PolygonConfig config;
  config.base_url = "http://127.0.0.1:" + std::to_string(server.port());
  config.api_key = "pk_test";
  config.rate_per_second = 100.0;
  config.burst = 10.0;
  config.retry_base = 50ms;
  config.max_retry_wait = 3000ms;
  config.http_timeout = 2000ms;
  return config;
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

TEST(PolygonClientTest, FollowsNextUrlAndRetriesAfter429) {
  std::vector<std::string> requests;
  std::vector<std::chrono::steady_clock::time_point> times;
  int port = 0;
  LoopbackServer server([&](int fd) {
    while (true) {
      const std::string request = LoopbackServer::ReadRequest(fd);
      if (request.empty()) {
        return;
      }
      requests.push_back(request);
      times.push_back(std::chrono::steady_clock::now());
      const std::string target = RequestTarget(request);
      if (requests.size() == 1) {
        LoopbackServer::SendAll(fd, HttpResponse(429, Fixture("polygon/error_rate_limit.json"), "Retry-After: 1\r\n"));
      } else if (target.find("cursor=") == std::string::npos) {
        const std::string base = "http://127.0.0.1:" + std::to_string(port);
        LoopbackServer::SendAll(fd, HttpResponse(200, Replace(Fixture("polygon/aggs_page1.json"), "__BASE__", base)));
      } else {
        LoopbackServer::SendAll(fd, HttpResponse(200, Fixture("polygon/aggs_page2.json")));
      }
    }
  });
  port = server.port();
  PolygonDataClient client(TestConfig(server));
  RecordingSink sink;
  ASSERT_TRUE(client.Connect(sink).ok());
  const UnixNanos from = UnixNanos::FromMillis(1704205800000);
  const UnixNanos to = UnixNanos::FromMillis(1704206100000);
  auto bars = client.RequestBars(InstrumentId::Of("US:AAPL"), BarSpec{1, BarUnit::kMinute}, from, to);
  ASSERT_TRUE(bars.ok()) << bars.error().ToString();
  ASSERT_EQ(requests.size(), 3U);
  EXPECT_EQ(RequestTarget(requests[0]),
            "/v2/aggs/ticker/AAPL/range/1/minute/1704205800000/1704206099999?adjusted=true&sort=asc&limit=50000");
  EXPECT_EQ(RequestTarget(requests[1]), RequestTarget(requests[0]));
  EXPECT_NE(RequestTarget(requests[2]).find("cursor=bGltaXQ9MyZzb3J0PWFzYw"), std::string::npos);
  for (const auto& request : requests) {
    EXPECT_NE(request.find("Authorization: Bearer pk_test"), std::string::npos);
    EXPECT_EQ(request.find("apiKey"), std::string::npos);
  }
  EXPECT_GE(times[1] - times[0], 950ms);  // Retry-After: 1 honoured
  ASSERT_EQ(bars->size(), 4U);
  EXPECT_EQ((*bars)[0].ts_event, from);
  EXPECT_EQ((*bars)[3].ts_event, UnixNanos::FromMillis(1704206040000));
  for (std::size_t i = 1; i < bars->size(); ++i) {
    EXPECT_LT((*bars)[i - 1].ts_event, (*bars)[i].ts_event);
  }
  const data::FeedStatus status = client.status();
  EXPECT_EQ(status.messages, 2U);
  EXPECT_EQ(status.rejects, 1U);
  client.Disconnect();
  auto statuses = sink.All<data::FeedStatus>();
  ASSERT_GE(statuses.size(), 2U);
  EXPECT_TRUE(statuses.front().connected);
  EXPECT_FALSE(statuses.back().connected);
}

TEST(PolygonClientTest, PersistentRateLimitAndErrorsAreStructured) {
  std::atomic<int> calls{0};
  LoopbackServer server([&](int fd) {
    while (true) {
      const std::string request = LoopbackServer::ReadRequest(fd);
      if (request.empty()) {
        return;
      }
      ++calls;
      const std::string target = RequestTarget(request);
      if (target.find("/AAPL/") != std::string::npos) {
        LoopbackServer::SendAll(fd, HttpResponse(429, Fixture("polygon/error_rate_limit.json")));
      } else if (target.find("/O:SPY240119C00470000/") != std::string::npos) {
        LoopbackServer::SendAll(fd, HttpResponse(403, Fixture("polygon/error_not_authorized.json")));
      } else {
        LoopbackServer::SendAll(fd, HttpResponse(200, "{\"status\":\"OK\",\"results\":\"oops\"}"));
      }
    }
  });
  PolygonConfig config = TestConfig(server);
  config.max_rate_limit_retries = 2;
  PolygonDataClient client(config);
  const UnixNanos from = UnixNanos::FromMillis(1704205800000);
  const UnixNanos to = from + std::chrono::hours(1);
  auto limited = client.RequestBars(InstrumentId::Of("US:AAPL"), BarSpec{1, BarUnit::kMinute}, from, to);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(calls.load(), 3);  // one try and two retries
  auto denied = client.RequestBars(InstrumentId::Of("OPRA:SPY240119C00470000"), BarSpec{1, BarUnit::kDay}, from, to);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  auto malformed = client.RequestBars(InstrumentId::Of("US:MSFT"), BarSpec{1, BarUnit::kMinute}, from, to);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(client.status().rejects, 1U);
  EXPECT_FALSE(client.RequestBars(InstrumentId::Of("NSE:SBIN"), BarSpec{1, BarUnit::kMinute}, from, to).ok());
  EXPECT_EQ(client.Subscribe({InstrumentId::Of("US:AAPL"), data::DataKind::kTrades, {}}).error().code,
            ErrorCode::kUnprocessable);
  EXPECT_TRUE(client.capabilities().history);
  EXPECT_FALSE(client.capabilities().trades);
}

TEST(PolygonClientTest, RefusesNextUrlOnAnotherHost) {
  LoopbackServer server([&](int fd) {
    while (true) {
      const std::string request = LoopbackServer::ReadRequest(fd);
      if (request.empty()) {
        return;
      }
      LoopbackServer::SendAll(
          fd, HttpResponse(200, Replace(Fixture("polygon/aggs_page1.json"), "__BASE__", "http://attacker.invalid")));
    }
  });
  PolygonDataClient client(TestConfig(server));
  auto bars = client.RequestBars(InstrumentId::Of("US:AAPL"), BarSpec{1, BarUnit::kMinute},
                                 UnixNanos::FromMillis(1704205800000), UnixNanos::FromMillis(1704206100000));
  ASSERT_FALSE(bars.ok());
  EXPECT_EQ(bars.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(server.connections(), 1);
}

}  // namespace
}  // namespace td::adapters::polygon
