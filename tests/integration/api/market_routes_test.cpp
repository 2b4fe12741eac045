// SPDX-License-Identifier: MIT
// The market-data routes over a real socket, served from the seeded simulator at a fixed instant.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/http_server.hpp"
#include "api/market_routes.hpp"
#include "http_client.hpp"
#include "system/market_service.hpp"

namespace td::api {
namespace {

using testing::BuildRequest;
using testing::HttpResult;
using testing::RawConnection;

class MarketRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A Tuesday, 15:00 UTC: NYSE open, NSE closed for the day.
    clock_ = new TestClock(*UnixNanos::ParseIso8601("2025-09-16T15:00:00Z"));
    auto market = system::MarketService::StartSimulator({.seed = 7, .history_days = 3}, *clock_);
    ASSERT_TRUE(market.ok()) << market.error().ToString();
    market_ = market->release();
  }
  static void TearDownTestSuite() {
    delete market_;
    delete clock_;
  }
  void SetUp() override {
    HttpServerOptions options;
    options.listen_port = 0;
    options.io_threads = 1;
    server_ = std::make_unique<HttpServer>(std::move(options));
    AddMarketRoutes(server_->router(), *market_);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(); }

  HttpResult Call(std::string_view method, std::string_view target, std::string_view body = {}) {
    RawConnection connection;
    EXPECT_TRUE(connection.Connect(server_->port()));
    std::string request = BuildRequest(method, target, body.empty() ? "" : "Content-Type: application/json\r\n", body);
    connection.Send(request);
    return connection.ReadResponse();
  }

  static boost::json::object Json(const HttpResult& result) { return boost::json::parse(result.body).as_object(); }

  static TestClock* clock_;
  static system::MarketService* market_;
  std::unique_ptr<HttpServer> server_;
};

TestClock* MarketRoutesTest::clock_ = nullptr;
system::MarketService* MarketRoutesTest::market_ = nullptr;

TEST_F(MarketRoutesTest, TvBarsReturnsSessionBarsUpToNow) {
  const HttpResult result = Call("GET", "/tv-api/bars?symbol=spy&resolution=5m");
  ASSERT_EQ(result.status, 200) << result.body;
  const auto body = Json(result);
  EXPECT_EQ(body.at("symbol").as_string(), "US:SPY");
  EXPECT_EQ(body.at("tz").as_string(), "America/New_York");
  EXPECT_EQ(body.at("resolution").as_string(), "5m");
  EXPECT_EQ(body.at("source").as_string(), "simulator");
  const auto& bars = body.at("bars").as_array();
  ASSERT_GT(bars.size(), 78U * 2);  // at least two full RTH sessions of 5-minute bars
  std::int64_t previous = 0;
  for (const auto& value : bars) {
    const auto& bar = value.as_object();
    const std::int64_t t = bar.at("t").as_int64();
    EXPECT_GT(t, previous);
    EXPECT_EQ(t % 300, 0);
    EXPECT_LT(t, clock_->Now().seconds());
    const double high = bar.at("h").to_number<double>();
    const double low = bar.at("l").to_number<double>();
    EXPECT_LE(low, bar.at("o").to_number<double>());
    EXPECT_GE(high, bar.at("c").to_number<double>());
    previous = t;
  }
  // The last bar is today's: the simulator caught up with the clock.
  EXPECT_GT(previous, clock_->Now().seconds() - 3600);
}

TEST_F(MarketRoutesTest, TvBarsHonoursFromToAndValidates) {
  const std::int64_t to = clock_->Now().seconds();
  const std::int64_t from = to - 2 * 3600;
  const HttpResult result =
      Call("GET", "/tv-api/bars?symbol=US:SPY&resolution=1m&from=" + std::to_string(from) + "&to=" + std::to_string(to));
  ASSERT_EQ(result.status, 200);
  const auto body = Json(result);
  const auto& bars = body.at("bars").as_array();
  ASSERT_FALSE(bars.empty());
  EXPECT_GE(bars.front().as_object().at("t").as_int64(), from);
  EXPECT_LT(bars.back().as_object().at("t").as_int64(), to);

  EXPECT_EQ(Call("GET", "/tv-api/bars").status, 400);
  const HttpResult unknown = Call("GET", "/tv-api/bars?symbol=NOPE:XYZ");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Json(unknown).at("error").as_object().at("field").as_string(), "symbol");
  const HttpResult bad_resolution = Call("GET", "/tv-api/bars?symbol=SPY&resolution=7x");
  EXPECT_EQ(bad_resolution.status, 400);
  EXPECT_EQ(Json(bad_resolution).at("error").as_object().at("field").as_string(), "resolution");
  EXPECT_EQ(Call("GET", "/tv-api/bars?symbol=SPY&from=abc").status, 400);
  EXPECT_EQ(Call("GET", "/tv-api/bars?symbol=SPY&from=100&to=50").status, 400);
}

TEST_F(MarketRoutesTest, OpenAlgoHistoryMatchesTheChartBars) {
  const HttpResult result = Call("POST", "/api/v1/history",
                                 R"({"apikey":"k","symbol":"NIFTY","exchange":"NSE_INDEX","interval":"15m",)"
                                 R"("start_date":"2025-09-15","end_date":"2025-09-15"})");
  ASSERT_EQ(result.status, 200) << result.body;
  const auto body = Json(result);
  EXPECT_EQ(body.at("status").as_string(), "success");
  const auto& data = body.at("data").as_array();
  // NSE 09:15-15:30 IST in 15-minute bars: 25 bars, the first at 09:15 IST = 03:45 UTC.
  ASSERT_EQ(data.size(), 25U);
  EXPECT_EQ(data.front().as_object().at("timestamp").as_int64(),
            UnixNanos::ParseIso8601("2025-09-15T03:45:00Z")->seconds());
  for (const auto& bar : data) {
    EXPECT_TRUE(bar.as_object().contains("oi"));
    EXPECT_TRUE(bar.as_object().contains("volume"));
  }
}

TEST_F(MarketRoutesTest, OpenAlgoHistoryErrorsNameTheField) {
  const auto field_of = [&](std::string_view body) {
    const HttpResult result = Call("POST", "/api/v1/history", body);
    EXPECT_EQ(result.status, 400) << result.body;
    const auto json = Json(result);
    EXPECT_EQ(json.at("status").as_string(), "error");
    return std::string(json.at("error").as_object().at("field").as_string());
  };
  EXPECT_EQ(field_of(R"({"exchange":"NSE_INDEX","interval":"1m","start_date":"2025-09-15","end_date":"2025-09-15"})"),
            "symbol");
  EXPECT_EQ(field_of(R"({"symbol":"NIFTY","exchange":"NSE_INDEX","interval":"9q","start_date":"2025-09-15","end_date":"2025-09-15"})"),
            "interval");
  EXPECT_EQ(field_of(R"({"symbol":"NIFTY","exchange":"NSE_INDEX","interval":"1m","start_date":"15-09-2025","end_date":"2025-09-15"})"),
            "start_date");
  EXPECT_EQ(field_of(R"({"symbol":"NIFTY","exchange":"NSE_INDEX","interval":"1m","start_date":"2025-09-16","end_date":"2025-09-15"})"),
            "start_date");
  EXPECT_EQ(field_of(R"({"symbol":7,"exchange":"NSE_INDEX","interval":"1m","start_date":"2025-09-15","end_date":"2025-09-15"})"),
            "symbol");
  EXPECT_EQ(Call("POST", "/api/v1/history", "not json").status, 400);
}

TEST_F(MarketRoutesTest, IntervalsListWhatHistoryServes) {
  const HttpResult result = Call("POST", "/api/v1/intervals", "{}");
  ASSERT_EQ(result.status, 200);
  const auto data = Json(result).at("data").as_object();
  for (const auto& group : {"minutes", "hours", "days", "weeks", "months"}) {
    for (const auto& interval : data.at(group).as_array()) {
      EXPECT_TRUE(BarSpec::Parse(interval.as_string()).ok()) << interval;
    }
  }
  const HttpResult history = Call("POST", "/api/v1/history",
                                  R"({"symbol":"SPY","exchange":"US","interval":"D","start_date":"2025-08-01","end_date":"2025-09-12"})");
  ASSERT_EQ(history.status, 200) << history.body;
  EXPECT_EQ(Json(history).at("data").as_array().size(), 30U);  // NYSE sessions 1 Aug .. 12 Sep 2025 (Labor Day closed)
}

}  // namespace
}  // namespace td::api
