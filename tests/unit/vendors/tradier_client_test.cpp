// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "adapters/tradier/client.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

namespace td::adapters::tradier {
namespace {

using vendors_test::Fixture;
using vendors_test::HttpResponse;
using vendors_test::LoopbackServer;
using vendors_test::RecordingSink;
using vendors_test::RequestTarget;

TradierConfig TestConfig(const LoopbackServer& server, bool sandbox) {
  TradierConfig config;
  config.base_url = "http://127.0.0.1:" + std::to_string(server.port());
  config.sandbox = sandbox;
  config.token = "tok";
  config.rate_per_second = 100.0;
  config.burst = 20.0;
  config.retry_base = 50ms;
  config.http_timeout = 2000ms;
  return config;
}

/// A Tradier sandbox: expirations and chains answer, quotes are refused with 404.
std::string SandboxAnswer(const std::string& target, bool quotes_work) {
  if (target.starts_with("/v1/markets/options/expirations?symbol=SPY")) {
    return HttpResponse(200, R"({"expirations":{"date":["2024-01-19","2024-01-26"]}})");
  }
  if (target.starts_with("/v1/markets/options/chains?symbol=SPY&expiration=2024-01-19&greeks=true")) {
    return HttpResponse(200, Fixture("tradier/chain_spy_20240119.json"));
  }
  if (target.starts_with("/v1/markets/options/chains?symbol=SPY&expiration=2024-01-26&greeks=true")) {
    return HttpResponse(200, Fixture("tradier/chain_spy_20240126_single_no_greeks.json"));
  }
  if (target.starts_with("/v1/markets/quotes?symbols=SPY")) {
    return quotes_work ? HttpResponse(200, Fixture("tradier/quotes_single.json"))
                       : HttpResponse(404, "<html>Not Found</html>");
  }
  return HttpResponse(400, Fixture("tradier/errors_bad_symbol.json"));
}

TEST(TradierClientTest, SandboxIsDetectedAndItsLimitsAreNotedOnce) {
  std::vector<std::string> requests;
  LoopbackServer server([&](int fd) {
    while (true) {
      const std::string request = LoopbackServer::ReadRequest(fd);
      if (request.empty()) {
        return;
      }
      requests.push_back(request);
      LoopbackServer::SendAll(fd, SandboxAnswer(RequestTarget(request), false));
    }
  });
  TradierDataClient client(TestConfig(server, true));
  EXPECT_TRUE(client.sandbox());
  RecordingSink sink;
  ASSERT_TRUE(client.Connect(sink).ok());
  for (int i = 0; i < 3; ++i) {
    auto chain = client.RequestChain(InstrumentId::Of("US:SPY"), std::nullopt);
    ASSERT_TRUE(chain.ok()) << chain.error().ToString();
    ASSERT_EQ(chain->expiries.size(), 2U);
    EXPECT_EQ(chain->expiries[1].expiry, (CivilDate{2024, 1, 26}));
    EXPECT_TRUE(chain->underlying_price.is_zero());  // sandbox quotes refused: no spot, quietly
  }
  auto quotes = client.RequestQuotes({InstrumentId::Of("US:SPY")});
  ASSERT_FALSE(quotes.ok());
  EXPECT_EQ(quotes.error().code, ErrorCode::kUnavailable);
  const std::vector<std::string> notices = client.notices();
  ASSERT_EQ(notices.size(), 3U);  // delayed data, quotes, greeks: each once across four calls
  EXPECT_NE(notices[0].find("delayed"), std::string::npos);
  EXPECT_NE(notices[1].find("quotes unavailable"), std::string::npos);
  EXPECT_NE(notices[2].find("greeks missing"), std::string::npos);
  EXPECT_EQ(requests.size(), 3U * 4U + 1U);
  for (const auto& request : requests) {
    EXPECT_NE(request.find("Authorization: Bearer tok"), std::string::npos);
    EXPECT_NE(request.find("Accept: application/json"), std::string::npos);
  }
  EXPECT_EQ(client.status().rejects, 3U * 2U);  // the fixture's two bad rows, three times
  client.Disconnect();
}

TEST(TradierClientTest, ProductionUsesQuotesForTheSpotAndMapsErrors) {
  std::atomic<int> quote_calls{0};
  LoopbackServer server([&](int fd) {
    while (true) {
      const std::string request = LoopbackServer::ReadRequest(fd);
      if (request.empty()) {
        return;
      }
      const std::string target = RequestTarget(request);
      if (target.starts_with("/v1/markets/quotes") && quote_calls++ == 0) {
        LoopbackServer::SendAll(fd, HttpResponse(429, Fixture("tradier/fault_rate_limit.json"), "Retry-After: 0.2\r\n"));
        continue;
      }
      LoopbackServer::SendAll(fd, SandboxAnswer(target, true));
    }
  });
  TradierDataClient client(TestConfig(server, false));
  EXPECT_FALSE(client.sandbox());
  auto chain = client.RequestChain(InstrumentId::Of("US:SPY"), CivilDate{2024, 1, 19});
  ASSERT_TRUE(chain.ok()) << chain.error().ToString();
  EXPECT_EQ(quote_calls.load(), 2);  // 429 then success
  EXPECT_EQ(chain->underlying_price, Price::Parse("476.68").value());
  ASSERT_EQ(chain->expiries.size(), 1U);
  ASSERT_EQ(client.notices().size(), 1U);
  EXPECT_EQ(client.notices()[0].find("tradier sandbox"), std::string::npos);
  auto bad = client.RequestExpirations(InstrumentId::Of("US:QQQ"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("Invalid Parameter"), std::string::npos);
  EXPECT_FALSE(client.RequestChain(InstrumentId::Of("NSE:NIFTY"), std::nullopt).ok());
  EXPECT_TRUE(client.capabilities().chains);
  EXPECT_FALSE(client.capabilities().history);
}

}  // namespace
}  // namespace td::adapters::tradier
