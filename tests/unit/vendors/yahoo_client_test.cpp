// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <chrono>

#include "adapters/yahoo/client.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace td::adapters::yahoo {
namespace {

using vendors_test::Fixture;
using vendors_test::HttpResponse;
using vendors_test::LoopbackServer;
using vendors_test::RecordingSink;
using vendors_test::RequestTarget;

YahooConfig TestConfig(const LoopbackServer& server) {
  YahooConfig config;
  config.base_url = "http://127.0.0.1:" + std::to_string(server.port());
  config.rate_per_second = 100.0;
  config.retry_base = 50ms;
  config.max_retry_wait = 2000ms;
  config.http_timeout = 2000ms;
  return config;
}

TEST(YahooClientTest, ServesBarsSkippingNullsAndRetriesRateLimits) {
  std::vector<std::string> requests;
  LoopbackServer server([&](int fd) {
    while (true) {
      const std::string request = LoopbackServer::ReadRequest(fd);
      if (request.empty()) {
        return;
      }
      requests.push_back(request);
      const std::string target = RequestTarget(request);
      if (target.find("/NOPE") != std::string::npos) {
        LoopbackServer::SendAll(fd, HttpResponse(404, Fixture("yahoo/chart_not_found.json")));
      } else if (requests.size() == 1) {
        LoopbackServer::SendAll(fd, "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 17\r\nContent-Type: "
                                    "text/plain\r\n\r\nToo Many Requests");
      } else {
        LoopbackServer::SendAll(fd, HttpResponse(200, Fixture("yahoo/chart_daily.json")));
      }
    }
  });
  YahooDataClient client(TestConfig(server));
  RecordingSink sink;
  ASSERT_TRUE(client.Connect(sink).ok());
  const UnixNanos from = UnixNanos::FromSeconds(1704205800);
  const UnixNanos to = UnixNanos::FromSeconds(1704551400);  // exclusive: the last fixture day is cut
  auto bars = client.RequestBars(InstrumentId::Of("US:AAPL"), BarSpec{1, BarUnit::kDay}, from, to);
  ASSERT_TRUE(bars.ok()) << bars.error().ToString();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(RequestTarget(requests[1]),
            "/v8/finance/chart/AAPL?period1=1704205800&period2=1704551400&interval=1d&includePrePost=false");
  EXPECT_NE(requests[1].find("Mozilla/5.0 (compatible; tradedesk)"), std::string::npos);
  ASSERT_EQ(bars->size(), 3U);
  EXPECT_EQ((*bars)[2].ts_event, UnixNanos::FromSeconds(1704465000));
  EXPECT_EQ(client.status().rejects, 0U);
  EXPECT_EQ(client.status().messages, 1U);

  auto missing = client.RequestBars(InstrumentId::Of("US:NOPE"), BarSpec{1, BarUnit::kDay}, from, to);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(client.status().last_error.find("delisted"), std::string::npos);
  EXPECT_EQ(client.RequestBars(InstrumentId::Of("US:AAPL"), BarSpec{3, BarUnit::kMinute}, from, to).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(client.Subscribe({InstrumentId::Of("US:AAPL"), data::DataKind::kQuotes, {}}).error().code,
            ErrorCode::kUnprocessable);
  EXPECT_TRUE(client.capabilities().history);
  client.Disconnect();
  EXPECT_FALSE(sink.All<data::FeedStatus>().back().connected);
}

}  // namespace
}  // namespace td::adapters::yahoo
