// SPDX-License-Identifier: MIT
// OpenAlgo's order and account API over real sockets: a real key store, the real TradingService (journal in a
// temp dir, risk engine, paper broker) priced by the seeded simulator at a fixed instant with NYSE open.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <vector>

#include "api/auth_context.hpp"
#include "api/http_server.hpp"
#include "api/openalgo_routes.hpp"
#include "api_world.hpp"
#include "core/clock.hpp"
#include "http_client.hpp"
#include "model/bar.hpp"
#include "model/option_chain.hpp"
#include "model/symbology.hpp"
#include "system/market_service.hpp"
#include "system/trading_service.hpp"

namespace td::api {
namespace {

using testing::BuildRequest;
using testing::HttpResult;
using testing::RawConnection;

class OpenAlgoRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A Tuesday, 15:00 UTC (11:00 New York): NYSE open.
    StartMarket("2025-09-16T15:00:00Z");
  }
  static void StartMarket(const char* instant) {
    clock_ = new TestClock(*UnixNanos::ParseIso8601(instant));
    auto market = system::MarketService::StartSimulator({.seed = 11, .history_days = 2}, *clock_);
    ASSERT_TRUE(market.ok()) << market.error().ToString();
    market_ = market->release();
  }
  static void TearDownTestSuite() {
    delete market_;
    delete clock_;
  }

  void SetUp() override {
    auto keyed = testing::KeyedDirectory::Open("td-openalgo-it", *clock_);
    dir_ = keyed.dir;
    ASSERT_FALSE(keyed.key.empty());
    auth_ = std::move(keyed.auth);
    key_ = keyed.key;
    StartService();
  }

  void TearDown() override {
    StopService();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void StartService() {
    system::TradingServiceOptions options;
    options.data_dir = dir_;
    auto trading = system::TradingService::Start(options, *market_, *clock_);
    ASSERT_TRUE(trading.ok()) << trading.error().ToString();
    trading_ = std::move(trading).value();
    HttpServerOptions server_options;
    server_options.listen_port = 0;
    server_options.io_threads = 1;
    server_ = std::make_unique<HttpServer>(std::move(server_options));
    InstallAuth(server_->router(), auth_);
    AddOpenAlgoRoutes(server_->router(), *trading_, auth_);
    ASSERT_TRUE(server_->Start().ok());
  }

  void StopService() {
    if (server_) {
      server_->Stop();
      server_.reset();
    }
    trading_.reset();
  }

  HttpResult Post(std::string_view path, const boost::json::object& body, std::string_view headers = {}) {
    RawConnection connection;
    EXPECT_TRUE(connection.Connect(server_->port()));
    const std::string text = boost::json::serialize(body);
    connection.Send(BuildRequest("POST", path, std::string("Content-Type: application/json\r\n") + std::string(headers),
                                 text));
    return connection.ReadResponse();
  }

  /// POST with the key added to `body`.
  boost::json::object Call(std::string_view path, boost::json::object body = {}, int expected_status = 200,
                           std::string_view headers = {}) {
    body["apikey"] = key_;
    const HttpResult result = Post(path, body, headers);
    EXPECT_EQ(result.status, expected_status) << path << " " << result.body;
    auto parsed = boost::json::parse(result.body);
    return parsed.as_object();
  }

  static boost::json::object Order(std::string_view action, std::string_view quantity,
                                   std::string_view pricetype = "MARKET", std::string_view price = "0") {
    return boost::json::object{{"strategy", "test"}, {"exchange", "US"},          {"symbol", "AAPL"},
                               {"action", action},   {"quantity", quantity},      {"pricetype", pricetype},
                               {"product", "MIS"},   {"price", price},            {"trigger_price", "0"},
                               {"disclosed_quantity", "0"}};
  }

  /// The last 1-minute close of AAPL, computed from the market directly (what the paper broker fills at).
  static double LastClose() {
    const UnixNanos now = clock_->Now();
    auto bars = market_->Bars(*InstrumentId::Parse("US:AAPL"), *BarSpec::Parse("1m"), now - std::chrono::hours(24),
                              now + std::chrono::minutes(1));
    EXPECT_TRUE(bars.ok() && !bars->empty());
    return bars->back().close.AsDouble();
  }

  static std::string PriceText(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value);
    return text;
  }

  static std::string Str(const boost::json::value& value) { return std::string(value.as_string()); }

  static TestClock* clock_;
  static system::MarketService* market_;
  std::filesystem::path dir_;
  AuthContext auth_;
  std::string key_;
  std::unique_ptr<system::TradingService> trading_;
  std::unique_ptr<HttpServer> server_;
};

TestClock* OpenAlgoRoutesTest::clock_ = nullptr;
system::MarketService* OpenAlgoRoutesTest::market_ = nullptr;

TEST_F(OpenAlgoRoutesTest, MissingOrWrongKeyIsOpenAlgo403) {
  for (const boost::json::object& body :
       {boost::json::object{}, boost::json::object{{"apikey", std::string(64, '0')}},
        boost::json::object{{"apikey", "not-a-key"}}}) {
    for (const char* path : {"/api/v1/funds", "/api/v1/placeorder", "/api/v1/orderbook", "/api/v1/ping"}) {
      const HttpResult result = Post(path, body);
      EXPECT_EQ(result.status, 403) << path << " " << result.body;
      const auto answer = boost::json::parse(result.body).as_object();
      EXPECT_EQ(Str(answer.at("status")), "error");
      EXPECT_EQ(Str(answer.at("message")), "Invalid openalgo apikey");
    }
  }
  // A trailing slash is not the route (no redirect either).
  boost::json::object body{{"apikey", key_}};
  EXPECT_EQ(Post("/api/v1/funds/", body).status, 404);
}

TEST_F(OpenAlgoRoutesTest, MalformedJsonIs400InOpenAlgoShape) {
  RawConnection connection;
  ASSERT_TRUE(connection.Connect(server_->port()));
  // The key check reads the body's apikey; a body that is not JSON presents no key.
  connection.Send(BuildRequest("POST", "/api/v1/funds", "Authorization: Bearer " + key_ + "\r\n", "{\"apikey\":"));
  const HttpResult result = connection.ReadResponse();
  EXPECT_EQ(result.status, 400) << result.body;
  const auto answer = boost::json::parse(result.body).as_object();
  EXPECT_EQ(Str(answer.at("status")), "error");
  EXPECT_FALSE(Str(answer.at("message")).empty());
}

TEST_F(OpenAlgoRoutesTest, PingAnalyzerAndToggleKeepState) {
  auto ping = Call("/api/v1/ping");
  EXPECT_EQ(Str(ping.at("status")), "success");
  EXPECT_EQ(Str(ping.at("data").at("message")), "pong");
  EXPECT_EQ(Str(ping.at("data").at("broker")), "paper");

  auto status = Call("/api/v1/analyzer");
  EXPECT_TRUE(status.at("data").at("analyze_mode").as_bool());
  EXPECT_EQ(Str(status.at("data").at("mode")), "analyze");

  auto off = Call("/api/v1/analyzer/toggle", {{"mode", false}});
  EXPECT_FALSE(off.at("data").at("analyze_mode").as_bool());
  EXPECT_EQ(Str(off.at("data").at("mode")), "analyze");  // still the paper broker
  EXPECT_FALSE(Call("/api/v1/analyzer").at("data").at("analyze_mode").as_bool());
  auto bad = Call("/api/v1/analyzer/toggle", {{"mode", "yes"}}, 400);
  EXPECT_EQ(Str(bad.at("error").at("field")), "mode");
  auto on = Call("/api/v1/analyzer/toggle", {{"mode", true}});
  EXPECT_TRUE(on.at("data").at("analyze_mode").as_bool());
}

TEST_F(OpenAlgoRoutesTest, EmptyAccountShapes) {
  auto funds = Call("/api/v1/funds");
  EXPECT_EQ(Str(funds.at("data").at("availablecash")), "10000000.00");
  EXPECT_EQ(Str(funds.at("data").at("utiliseddebits")), "0.00");
  EXPECT_EQ(Str(funds.at("data").at("m2mrealized")), "0.00");
  EXPECT_EQ(Str(funds.at("data").at("m2munrealized")), "0.00");
  EXPECT_EQ(Str(funds.at("data").at("collateral")), "0.00");
  auto book = Call("/api/v1/orderbook");
  EXPECT_TRUE(book.at("data").at("orders").as_array().empty());
  EXPECT_EQ(book.at("data").at("statistics").at("total_buy_orders").as_int64(), 0);
  EXPECT_TRUE(Call("/api/v1/tradebook").at("data").as_array().empty());
  EXPECT_TRUE(Call("/api/v1/positionbook").at("data").as_array().empty());
  auto holdings = Call("/api/v1/holdings");
  EXPECT_TRUE(holdings.at("data").at("holdings").as_array().empty());
  EXPECT_EQ(holdings.at("data").at("statistics").at("totalholdingvalue").to_number<double>(), 0.0);
  auto open = Call("/api/v1/openposition", {{"strategy", "t"}, {"exchange", "US"}, {"symbol", "AAPL"}, {"product", "MIS"}});
  EXPECT_EQ(Str(open.at("quantity")), "0");
  EXPECT_EQ(Str(Call("/api/v1/closeposition", {{"strategy", "t"}}).at("message")), "No open positions to close");
  auto cancel_all = Call("/api/v1/cancelallorder", {{"strategy", "t"}});
  EXPECT_EQ(Str(cancel_all.at("message")), "Canceled 0 orders. Failed to cancel 0 orders.");
}

TEST_F(OpenAlgoRoutesTest, MarketOrderFillsAtSimulatorPriceAndShowsEverywhere) {
  const double close = LastClose();
  auto placed = Call("/api/v1/placeorder", Order("BUY", "10"));
  ASSERT_EQ(Str(placed.at("status")), "success");
  EXPECT_EQ(Str(placed.at("mode")), "analyze");
  const std::string id = Str(placed.at("orderid"));

  auto status = Call("/api/v1/orderstatus", {{"orderid", id}, {"strategy", "test"}});
  const auto& data = status.at("data").as_object();
  EXPECT_EQ(Str(data.at("order_status")), "complete");
  EXPECT_EQ(Str(data.at("action")), "BUY");
  EXPECT_EQ(Str(data.at("symbol")), "AAPL");
  EXPECT_EQ(Str(data.at("exchange")), "US");
  EXPECT_EQ(Str(data.at("pricetype")), "MARKET");
  EXPECT_EQ(Str(data.at("product")), "MIS");
  EXPECT_EQ(data.at("quantity").to_number<double>(), 10.0);
  EXPECT_NEAR(data.at("average_price").to_number<double>(), close, 1e-9);
  EXPECT_EQ(Str(data.at("timestamp")), "16-Sep-2025 11:00:00");  // New York time

  auto book = Call("/api/v1/orderbook");
  ASSERT_EQ(book.at("data").at("orders").as_array().size(), 1U);
  EXPECT_EQ(book.at("data").at("statistics").at("total_completed_orders").as_int64(), 1);
  EXPECT_EQ(book.at("data").at("statistics").at("total_buy_orders").as_int64(), 1);

  auto trades = Call("/api/v1/tradebook").at("data").as_array();
  ASSERT_EQ(trades.size(), 1U);
  EXPECT_EQ(Str(trades[0].at("orderid")), id);
  EXPECT_EQ(Str(trades[0].at("product")), "MIS");
  EXPECT_NEAR(trades[0].at("trade_value").to_number<double>(), std::round(close * 10 * 100) / 100, 1e-6);

  auto positions = Call("/api/v1/positionbook").at("data").as_array();
  ASSERT_EQ(positions.size(), 1U);
  EXPECT_EQ(Str(positions[0].at("quantity")), "10");
  EXPECT_NEAR(positions[0].at("average_price").to_number<double>(), close, 1e-9);
  EXPECT_NEAR(positions[0].at("ltp").to_number<double>(), close, 1e-9);

  auto open = Call("/api/v1/openposition", {{"strategy", "t"}, {"exchange", "US"}, {"symbol", "AAPL"}, {"product", "MIS"}});
  EXPECT_EQ(Str(open.at("quantity")), "10");

  auto funds = Call("/api/v1/funds").at("data").as_object();
  const double used = std::stod(Str(funds.at("utiliseddebits")));
  EXPECT_NEAR(used, close * 10 * 0.2, 0.01);  // equity MIS blocks 20%
  EXPECT_LT(std::stod(Str(funds.at("availablecash"))), 10'000'000.0 - used + 0.01);
}

TEST_F(OpenAlgoRoutesTest, ValidationNamesEachBadField) {
  struct Case {
    const char* field;
    boost::json::value value;
  };
  const Case cases[] = {
      {"quantity", "1.5"}, {"quantity", "-1"},   {"quantity", "abc"},   {"quantity", 1.5},
      {"quantity", "0"},   {"action", "HOLD"},   {"pricetype", "STOP"}, {"product", "DELIVERY"},
      {"price", "abc"},    {"price", "-5"},      {"symbol", ""},        {"exchange", ""},
      {"trigger_price", "x"}, {"quantity", "99999999999999"}, {"quantity", ""}, {"quantity", true},
      {"price", "1e3"}};
  for (const Case& c : cases) {
    auto body = Order("BUY", "10");
    body[c.field] = c.value;
    auto answer = Call("/api/v1/placeorder", body, 400);
    EXPECT_EQ(Str(answer.at("status")), "error") << c.field;
    EXPECT_EQ(Str(answer.at("error").at("field")), c.field) << boost::json::serialize(answer);
  }
  // Missing required fields.
  for (const char* field : {"symbol", "exchange", "action", "quantity"}) {
    auto body = Order("BUY", "10");
    body.erase(field);
    auto answer = Call("/api/v1/placeorder", body, 400);
    EXPECT_EQ(Str(answer.at("error").at("field")), field);
  }
  // Unknown symbol.
  auto unknown = Order("BUY", "10");
  unknown["symbol"] = "NOPE";
  auto answer = Call("/api/v1/placeorder", unknown, 400);
  EXPECT_EQ(Str(answer.at("error").at("field")), "symbol");
  // An index cannot be traded.
  auto index = Order("BUY", "10");
  index["exchange"] = "NSE_INDEX";
  index["symbol"] = "NIFTY";
  EXPECT_EQ(Str(Call("/api/v1/placeorder", index, 400).at("error").at("field")), "symbol");
  // Type-dependent prices.
  EXPECT_EQ(Str(Call("/api/v1/placeorder", Order("BUY", "10", "LIMIT", "0"), 400).at("error").at("field")), "price");
  EXPECT_EQ(Str(Call("/api/v1/placeorder", Order("BUY", "10", "SL-M", "0"), 400).at("error").at("field")),
            "trigger_price");
  // Several bad fields: one message each.
  auto many = Order("BUY", "1.5");
  many["action"] = "HOLD";
  many["price"] = "abc";
  auto several = Call("/api/v1/placeorder", many, 400);
  const auto& errors = several.at("errors").as_array();
  ASSERT_EQ(errors.size(), 3U);
  std::set<std::string> fields;
  for (const auto& error : errors) {
    fields.insert(Str(error.at("field")));
  }
  EXPECT_EQ(fields, (std::set<std::string>{"quantity", "action", "price"}));
  // Numbers as JSON numbers work as well as numeric strings; lower-case action is accepted.
  auto numbers = Order("buy", "10");
  numbers["quantity"] = 3;
  numbers["price"] = 0;
  EXPECT_EQ(Str(Call("/api/v1/placeorder", numbers).at("status")), "success");
  // Nothing invalid reached the order book.
  EXPECT_EQ(Call("/api/v1/orderbook").at("data").at("orders").as_array().size(), 1U);
  // orderstatus and cancelorder need a known order id.
  EXPECT_EQ(Str(Call("/api/v1/orderstatus", {{"strategy", "t"}}, 400).at("error").at("field")), "orderid");
  EXPECT_EQ(Str(Call("/api/v1/orderstatus", {{"orderid", "TD-999999999999"}}, 404).at("error").at("field")),
            "orderid");
  EXPECT_EQ(Call("/api/v1/cancelorder", {{"orderid", "TD-999999999999"}, {"strategy", "t"}}, 404).at("status"),
            "error");
  auto position = Call("/api/v1/openposition", {{"exchange", "US"}, {"symbol", "AAPL"}, {"product", "BAD"}}, 400);
  EXPECT_EQ(Str(position.at("error").at("field")), "product");
}

TEST_F(OpenAlgoRoutesTest, LimitOrderRestsThenModifyAndCancel) {
  const double close = LastClose();
  const std::string below = PriceText(std::floor(close * 0.98 * 100) / 100);
  auto placed = Call("/api/v1/placeorder", Order("BUY", "5", "LIMIT", below));
  const std::string id = Str(placed.at("orderid"));
  EXPECT_EQ(Str(Call("/api/v1/orderstatus", {{"orderid", id}}).at("data").at("order_status")), "open");

  const std::string lower = PriceText(std::floor(close * 0.97 * 100) / 100);
  auto modify = Order("BUY", "7", "LIMIT", lower);
  modify["orderid"] = id;
  EXPECT_EQ(Str(Call("/api/v1/modifyorder", modify).at("orderid")), id);
  auto status = Call("/api/v1/orderstatus", {{"orderid", id}}).at("data").as_object();
  EXPECT_EQ(status.at("quantity").to_number<double>(), 7.0);
  EXPECT_NEAR(status.at("price").to_number<double>(), std::stod(lower), 1e-9);

  // The order's identity cannot change through a modify.
  auto wrong = Order("SELL", "7", "LIMIT", lower);
  wrong["orderid"] = id;
  EXPECT_EQ(Str(Call("/api/v1/modifyorder", wrong, 400).at("error").at("field")), "action");
  auto missing = Order("BUY", "7", "LIMIT", lower);
  missing.erase("price");
  missing["orderid"] = id;
  EXPECT_EQ(Str(Call("/api/v1/modifyorder", missing, 400).at("error").at("field")), "price");

  EXPECT_EQ(Str(Call("/api/v1/cancelorder", {{"orderid", id}, {"strategy", "t"}}).at("orderid")), id);
  EXPECT_EQ(Str(Call("/api/v1/orderstatus", {{"orderid", id}}).at("data").at("order_status")), "cancelled");
  auto again = Call("/api/v1/cancelorder", {{"orderid", id}, {"strategy", "t"}}, 400);
  EXPECT_EQ(Str(again.at("status")), "error");
  modify["orderid"] = id;
  EXPECT_EQ(Str(Call("/api/v1/modifyorder", modify, 400).at("status")), "error");

  // cancelallorder cancels every working order.
  const std::string a = Str(Call("/api/v1/placeorder", Order("BUY", "1", "LIMIT", below)).at("orderid"));
  const std::string b = Str(Call("/api/v1/placeorder", Order("BUY", "2", "LIMIT", lower)).at("orderid"));
  auto all = Call("/api/v1/cancelallorder", {{"strategy", "t"}});
  EXPECT_EQ(Str(all.at("message")), "Canceled 2 orders. Failed to cancel 0 orders.");
  std::set<std::string> canceled;
  for (const auto& value : all.at("canceled_orders").as_array()) {
    canceled.insert(Str(value));
  }
  EXPECT_EQ(canceled, (std::set<std::string>{a, b}));
}

TEST_F(OpenAlgoRoutesTest, RiskDenialIs400WithTheRejectedOrderInTheBook) {
  const double close = LastClose();
  auto answer = Call("/api/v1/placeorder", Order("BUY", "5", "LIMIT", PriceText(std::floor(close * 0.5))), 400);
  EXPECT_EQ(Str(answer.at("status")), "error");
  const std::string id = Str(answer.at("orderid"));
  EXPECT_NE(Str(answer.at("message")).find("band"), std::string::npos) << Str(answer.at("message"));
  EXPECT_EQ(Str(Call("/api/v1/orderstatus", {{"orderid", id}}).at("data").at("order_status")), "rejected");
  EXPECT_EQ(Call("/api/v1/orderbook").at("data").at("statistics").at("total_rejected_orders").as_int64(), 1);
}

TEST_F(OpenAlgoRoutesTest, SmartOrderTradesToTheTargetPosition) {
  auto smart = [&](std::string_view position_size, std::string_view action = "BUY") {
    auto body = Order(action, "0");
    body["position_size"] = position_size;
    return Call("/api/v1/placesmartorder", body);
  };
  auto net = [&] {
    return Str(Call("/api/v1/openposition", {{"strategy", "t"}, {"exchange", "US"}, {"symbol", "AAPL"}, {"product", "MIS"}})
                   .at("quantity"));
  };
  // Flat and target 0: nothing to do.
  EXPECT_EQ(Str(smart("0").at("message")), "No action required");
  // Flat, target 5: BUY 5.
  EXPECT_TRUE(smart("5").contains("orderid"));
  EXPECT_EQ(net(), "5");
  // Equal: nothing.
  EXPECT_EQ(Str(smart("5").at("message")), "No action required");
  // Target -5 from +5: SELL the difference, 10 (whatever the action says).
  auto flip = smart("-5", "BUY");
  const std::string flip_id = Str(flip.at("orderid"));
  auto status = Call("/api/v1/orderstatus", {{"orderid", flip_id}}).at("data").as_object();
  EXPECT_EQ(Str(status.at("action")), "SELL");
  EXPECT_EQ(status.at("quantity").to_number<double>(), 10.0);
  EXPECT_EQ(net(), "-5");
  // Target 0 with an open short: close it (BUY 5).
  auto close = smart("0", "SELL");
  auto closing = Call("/api/v1/orderstatus", {{"orderid", Str(close.at("orderid"))}}).at("data").as_object();
  EXPECT_EQ(Str(closing.at("action")), "BUY");
  EXPECT_EQ(closing.at("quantity").to_number<double>(), 5.0);
  EXPECT_EQ(net(), "0");
  // Bad position sizes.
  auto body = Order("BUY", "0");
  body["position_size"] = "1.5";
  EXPECT_EQ(Str(Call("/api/v1/placesmartorder", body, 400).at("error").at("field")), "position_size");
  body.erase("position_size");
  EXPECT_EQ(Str(Call("/api/v1/placesmartorder", body, 400).at("error").at("field")), "position_size");
  body["position_size"] = "5";
  body["quantity"] = "-1";
  EXPECT_EQ(Str(Call("/api/v1/placesmartorder", body, 400).at("error").at("field")), "quantity");
}

TEST_F(OpenAlgoRoutesTest, ClosePositionSquaresOffEverything) {
  Call("/api/v1/placeorder", Order("BUY", "4"));
  auto msft = Order("SELL", "3");
  msft["symbol"] = "MSFT";
  Call("/api/v1/placeorder", msft);
  EXPECT_EQ(Str(Call("/api/v1/closeposition", {{"strategy", "t"}}).at("message")), "All Open Positions Squared Off");
  const auto book = Call("/api/v1/positionbook");
  for (const auto& row : book.at("data").as_array()) {
    EXPECT_EQ(Str(row.at("quantity")), "0");  // closed rows stay in the book
  }
  EXPECT_EQ(Call("/api/v1/positionbook").at("data").as_array().size(), 2U);
  EXPECT_EQ(Str(Call("/api/v1/closeposition", {{"strategy", "t"}}).at("message")), "No open positions to close");
}

TEST_F(OpenAlgoRoutesTest, IdenticalRequestsAreDistinctOrdersButARetriedKeyIsNot) {
  const std::string first = Str(Call("/api/v1/placeorder", Order("BUY", "1")).at("orderid"));
  const std::string second = Str(Call("/api/v1/placeorder", Order("BUY", "1")).at("orderid"));
  EXPECT_NE(first, second);
  const std::string keyed = Str(Call("/api/v1/placeorder", Order("BUY", "1"), 200, "Idempotency-Key: retry-1\r\n").at("orderid"));
  const std::string retried =
      Str(Call("/api/v1/placeorder", Order("BUY", "1"), 200, "Idempotency-Key: retry-1\r\n").at("orderid"));
  EXPECT_EQ(keyed, retried);
  EXPECT_EQ(Call("/api/v1/orderbook").at("data").at("orders").as_array().size(), 3U);
  EXPECT_EQ(Str(Call("/api/v1/placeorder", Order("BUY", "1"), 400, "Idempotency-Key: bad key!\r\n").at("error").at("field")),
            "Idempotency-Key");
}

TEST_F(OpenAlgoRoutesTest, RateLimitIsOpenAlgo429WithRetryAfter) {
  AuthSettings settings;
  settings.pepper = std::string(testing::KeyedDirectory::kPepper);  // the suite's key store, reopened
  settings.rate_per_second = 0.001;
  settings.burst = 2;
  auto limited = OpenAuth(dir_, settings, *clock_);
  ASSERT_TRUE(limited.ok()) << limited.error().ToString();
  HttpServerOptions options;
  options.listen_port = 0;
  options.io_threads = 1;
  HttpServer server(std::move(options));
  AddOpenAlgoRoutes(server.router(), *trading_, *limited);
  ASSERT_TRUE(server.Start().ok());
  const std::string body = R"({"apikey":")" + key_ + R"("})";
  auto post = [&] {
    RawConnection connection;
    EXPECT_TRUE(connection.Connect(server.port()));
    connection.Send(BuildRequest("POST", "/api/v1/ping", "Content-Type: application/json\r\n", body));
    return connection.ReadResponse();
  };
  EXPECT_EQ(post().status, 200);
  EXPECT_EQ(post().status, 200);
  const HttpResult refused = post();
  EXPECT_EQ(refused.status, 429);
  EXPECT_GE(std::stoi(refused.Header("retry-after")), 1);
  const auto answer = boost::json::parse(refused.body).as_object();
  EXPECT_EQ(Str(answer.at("status")), "error");
  EXPECT_EQ(Str(answer.at("message")), "Rate limit exceeded. Please try again later.");
  server.Stop();
}

TEST_F(OpenAlgoRoutesTest, RestartReplaysTheJournal) {
  const double close = LastClose();
  const std::string filled = Str(Call("/api/v1/placeorder", Order("BUY", "6")).at("orderid"));
  const std::string resting =
      Str(Call("/api/v1/placeorder", Order("BUY", "2", "LIMIT", PriceText(std::floor(close * 0.98 * 100) / 100)))
              .at("orderid"));
  const std::string sold = Str(Call("/api/v1/placeorder", Order("SELL", "2")).at("orderid"));
  const auto before = Call("/api/v1/orderbook").at("data").at("orders").as_array();
  ASSERT_EQ(before.size(), 3U);
  const auto funds_before = Call("/api/v1/funds").at("data");
  const auto positions_before = Call("/api/v1/positionbook").at("data");
  const auto trades_before = Call("/api/v1/tradebook").at("data");
  EXPECT_GT(std::stod(Str(funds_before.at("utiliseddebits"))), 0.0);

  StopService();
  StartService();
  EXPECT_GT(trading_->replayed_frames(), 0U);
  const auto after = Call("/api/v1/orderbook").at("data").at("orders").as_array();
  ASSERT_EQ(after.size(), 3U);
  std::map<std::string, std::string> statuses;
  for (const auto& order : after) {
    statuses[Str(order.at("orderid"))] = Str(order.at("order_status"));
  }
  EXPECT_EQ(statuses.at(filled), "complete");
  EXPECT_EQ(statuses.at(sold), "complete");
  // The journal puts the working order back on the paper venue: still open, still cancellable.
  EXPECT_EQ(statuses.at(resting), "open");
  // Funds (margin of the position and of the resting order, charges), positions and trades come back exactly.
  EXPECT_EQ(Call("/api/v1/funds").at("data"), funds_before);
  EXPECT_EQ(Call("/api/v1/positionbook").at("data"), positions_before);
  EXPECT_EQ(Call("/api/v1/tradebook").at("data"), trades_before);
  // New ids never repeat the journal's: neither order ids nor the venue's trade ids.
  const std::string next = Str(Call("/api/v1/placeorder", Order("BUY", "1")).at("orderid"));
  EXPECT_NE(next, filled);
  EXPECT_NE(next, resting);
  std::set<std::string> trade_ids;
  const auto trades_after = Call("/api/v1/tradebook");
  for (const auto& trade : trades_after.at("data").as_array()) {
    EXPECT_TRUE(trade_ids.insert(Str(trade.at("tradeid"))).second) << Str(trade.at("tradeid"));
  }
  EXPECT_EQ(trade_ids.size(), 3U);
  EXPECT_EQ(Str(Call("/api/v1/cancelorder", {{"orderid", resting}, {"strategy", "t"}}).at("orderid")), resting);
  EXPECT_EQ(Str(Call("/api/v1/orderstatus", {{"orderid", resting}, {"strategy", "t"}}).at("data").at("order_status")),
            "cancelled");
}

TEST_F(OpenAlgoRoutesTest, OrderListenersSeeEveryStateChangeOffTheEngineThread) {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<system::OrderView> seen;
  std::vector<system::OrderView> seen_after_removal;
  const std::uint64_t id = trading_->AddOrderListener([&](const system::OrderView& view) {
    // The service may be called back from a listener: it runs on the notifier thread, not the engine's.
    EXPECT_TRUE(trading_->FindOrder(view.order_id).ok());
    std::lock_guard lock(mutex);
    seen.push_back(view);
    changed.notify_all();
  });
  const std::uint64_t second = trading_->AddOrderListener([&](const system::OrderView& view) {
    std::lock_guard lock(mutex);
    seen_after_removal.push_back(view);
  });
  EXPECT_NE(id, second);

  const std::string order_id = Str(Call("/api/v1/placeorder", Order("BUY", "3")).at("orderid"));
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(5), [&] {
      return !seen.empty() && seen.back().status == execution::OrderStatus::kFilled;
    }));
    // In order: initialized/submitted first, filled last, every view of this order.
    EXPECT_GE(seen.size(), 3U);
    for (const auto& view : seen) {
      EXPECT_EQ(view.order_id.value(), order_id);
    }
    EXPECT_EQ(seen.back().filled_qty.AsDouble(), 3.0);
    EXPECT_GT(seen.back().avg_px, 0.0);
    for (std::size_t i = 1; i < seen.size(); ++i) {
      EXPECT_LE(seen[i - 1].filled_qty.raw(), seen[i].filled_qty.raw());
    }
  }

  // A denied order is an update too, with its reason.
  Call("/api/v1/placeorder", Order("BUY", "999999"), 400);
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(5), [&] {
      return seen.back().status == execution::OrderStatus::kDenied;
    }));
    EXPECT_FALSE(seen.back().reason.empty());
  }

  trading_->RemoveOrderListener(id);
  trading_->RemoveOrderListener(second);
  std::size_t before_removal = 0;
  {
    std::lock_guard lock(mutex);
    before_removal = seen.size();
    seen_after_removal.clear();
  }
  Call("/api/v1/placeorder", Order("BUY", "1"));
  // Another listener proves the update was delivered; the removed ones never hear of it.
  std::promise<void> delivered;
  const std::uint64_t witness = trading_->AddOrderListener([&](const system::OrderView& view) {
    if (view.status == execution::OrderStatus::kFilled) {
      delivered.set_value();
    }
  });
  Call("/api/v1/placeorder", Order("BUY", "1"));
  ASSERT_EQ(delivered.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  trading_->RemoveOrderListener(witness);
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen.size(), before_removal);
  EXPECT_TRUE(seen_after_removal.empty());
  EXPECT_EQ(trading_->dropped_order_updates(), 0U);
}


// --- F&O on paper: options and futures priced from the chain, multi-order endpoints, margin -------------------

/// The same server and service at 10:30 in Mumbai on a trading Tuesday: NSE (and NFO) open.
class OpenAlgoFnoTest : public OpenAlgoRoutesTest {
 protected:
  static void SetUpTestSuite() { StartMarket("2025-09-16T05:00:00Z"); }

  static const InstrumentId& Nifty() {
    static const InstrumentId id = *InstrumentId::Parse("NSE_INDEX:NIFTY");
    return id;
  }
  /// NIFTY's chain now, as the paper broker prices it.
  static OptionChain NiftyChain(std::optional<CivilDate> expiry = std::nullopt) {
    auto chain = market_->Chain(Nifty(), expiry);
    EXPECT_TRUE(chain.ok()) << chain.error().ToString();
    return *chain;
  }
  static const OptionQuote& QuoteAt(const OptionChain& chain, std::string_view offset, OptionRight right,
                                    std::size_t expiry_index = 0) {
    const ExpirySlice& slice = chain.expiries.at(expiry_index);
    auto strike = slice.StrikeAtOffset(chain.underlying_price, right, offset);
    EXPECT_TRUE(strike.ok());
    return *slice.FindRow(*strike)->Quote(right);
  }
  static boost::json::object Options(std::string_view offset, std::string_view type, std::string_view action,
                                     std::int64_t quantity) {
    return boost::json::object{{"strategy", "fno"},     {"underlying", "NIFTY"}, {"exchange", "NSE_INDEX"},
                               {"offset", offset},      {"option_type", type},   {"action", action},
                               {"quantity", quantity},  {"pricetype", "MARKET"}, {"product", "NRML"},
                               {"price", "0"},          {"trigger_price", "0"}};
  }
  static boost::json::object Contract(std::string_view symbol, std::string_view action, std::int64_t quantity) {
    return boost::json::object{{"strategy", "fno"}, {"exchange", "NFO"},  {"symbol", symbol},
                               {"action", action},  {"quantity", std::to_string(quantity)},
                               {"pricetype", "MARKET"}, {"product", "NRML"}, {"price", "0"}};
  }
  /// The monthly expiry among the listed ones (futures expire on it).
  static CivilDate MonthlyExpiry(const OptionChain& chain) {
    for (const ExpirySlice& slice : chain.expiries) {
      if (slice.expiry.month != chain.expiries.front().expiry.month) {
        continue;
      }
      CivilDate last = slice.expiry;
      for (const ExpirySlice& other : chain.expiries) {
        if (other.expiry.month == last.month && other.expiry.year == last.year) {
          last = std::max(last, other.expiry);
        }
      }
      return last;
    }
    return chain.expiries.front().expiry;
  }
  double AveragePrice(const std::string& order_id) {
    auto status = Call("/api/v1/orderstatus", {{"orderid", order_id}, {"strategy", "t"}});
    EXPECT_EQ(Str(status.at("data").at("order_status")), "complete") << boost::json::serialize(status);
    return status.at("data").at("average_price").to_number<double>();
  }
};

TEST_F(OpenAlgoFnoTest, OptionsOrderResolvesTheStrikeAndFillsAtTheChainAsk) {
  const OptionChain chain = NiftyChain();
  const OptionQuote& atm_call = QuoteAt(chain, "ATM", OptionRight::kCall);
  auto placed = Call("/api/v1/optionsorder", Options("ATM", "CE", "BUY", 65));
  EXPECT_EQ(Str(placed.at("status")), "success");
  EXPECT_EQ(Str(placed.at("symbol")), atm_call.instrument_id.symbol());
  EXPECT_EQ(Str(placed.at("exchange")), "NFO");
  EXPECT_EQ(Str(placed.at("offset")), "ATM");
  EXPECT_EQ(Str(placed.at("option_type")), "CE");
  EXPECT_EQ(Str(placed.at("underlying")), "NIFTY");
  EXPECT_NEAR(placed.at("underlying_ltp").to_number<double>(), chain.underlying_price.AsDouble(), 1e-9);
  EXPECT_EQ(Str(placed.at("mode")), "analyze");
  // A market BUY pays the chain's ask for that strike and expiry.
  EXPECT_NEAR(AveragePrice(Str(placed.at("orderid"))), atm_call.ask->AsDouble(), 1e-9);

  // ITM2 of a put is two strikes above ATM; a SELL gets the bid. Lower-case words are accepted.
  const OptionQuote& itm_put = QuoteAt(chain, "ITM2", OptionRight::kPut);
  auto put = Call("/api/v1/optionsorder", Options("itm2", "pe", "sell", 130));
  EXPECT_EQ(Str(put.at("symbol")), itm_put.instrument_id.symbol());
  EXPECT_NEAR(AveragePrice(Str(put.at("orderid"))), itm_put.bid->AsDouble(), 1e-9);

  // A later expiry by its OpenAlgo date; the contract shows in the position book at the chain's price.
  const CivilDate next = chain.expiries.at(1).expiry;
  auto later = Options("OTM1", "CE", "BUY", 65);
  later["expiry_date"] = FormatOpenAlgoExpiry(next);
  auto placed_later = Call("/api/v1/optionsorder", later);
  EXPECT_EQ(Str(placed_later.at("symbol")), QuoteAt(chain, "OTM1", OptionRight::kCall, 1).instrument_id.symbol());
  const auto positions = Call("/api/v1/positionbook");
  EXPECT_EQ(positions.at("data").as_array().size(), 3U);
}

TEST_F(OpenAlgoFnoTest, ContractsAreResolvedOrRefusedWithAReason) {
  const OptionChain chain = NiftyChain();
  const OptionQuote& call = QuoteAt(chain, "ATM", OptionRight::kCall);
  const std::string symbol(call.instrument_id.symbol());
  // placeorder takes the contract by its OpenAlgo symbol; lots are enforced by risk (65 per lot).
  EXPECT_NEAR(AveragePrice(Str(Call("/api/v1/placeorder", Contract(symbol, "BUY", 130)).at("orderid"))),
              call.ask->AsDouble(), 1e-9);
  auto odd = Call("/api/v1/placeorder", Contract(symbol, "BUY", 100), 400);
  EXPECT_NE(Str(odd.at("message")).find("quantity_not_lot_multiple"), std::string::npos) << Str(odd.at("message"));

  struct Unknown {
    std::string symbol;
    std::string why;
  };
  const ExpirySlice& front = chain.expiries.front();
  const Price far_strike = front.Strikes().back() + Price::FromUnits(50'000);
  const std::vector<Unknown> unknown = {
      {OpenAlgoSymbol::Option("NIFTY", front.expiry, far_strike, OptionRight::kCall)->ToString(), "not listed"},
      {OpenAlgoSymbol::Option("NIFTY", CivilDate{2025, 9, 2}, front.Strikes().front(), OptionRight::kPut)->ToString(),
       "no listed expiry"},
      {OpenAlgoSymbol::Future("NIFTY", front.expiry == MonthlyExpiry(chain) ? chain.expiries.at(1).expiry
                                                                            : front.expiry)
           ->ToString(),
       "monthly"},
      {"NIFTY", "names no contract"},
      {"TCS28NOV24FUT", "contracts exist on"},
      {"NIFTY31FEB2524000CE", "F&O symbol"},
  };
  for (const Unknown& u : unknown) {
    auto refused = Call("/api/v1/placeorder", Contract(u.symbol, "BUY", 65), 400);
    EXPECT_EQ(Str(refused.at("error").at("field")), "symbol") << u.symbol;
    EXPECT_NE(Str(refused.at("message")).find(u.why), std::string::npos) << u.symbol << ": " << Str(refused.at("message"));
  }
}

TEST_F(OpenAlgoFnoTest, FutureFillsAtTheSyntheticPriceOfItsExpiry) {
  const CivilDate monthly = MonthlyExpiry(NiftyChain());
  const OptionChain chain = NiftyChain(monthly);
  const ExpirySlice& slice = chain.expiries.front();
  const StrikeRow& row = *slice.FindRow(*slice.AtmStrike(chain.underlying_price));
  // BUY pays the synthetic ask: strike + call ask - put bid (on the 0.05 grid, rounded up).
  const double ask = row.strike.AsDouble() + row.call->ask->AsDouble() - row.put->bid->AsDouble();
  const std::string future = OpenAlgoSymbol::Future("NIFTY", monthly)->ToString();
  const double paid = AveragePrice(Str(Call("/api/v1/placeorder", Contract(future, "BUY", 65)).at("orderid")));
  EXPECT_GE(paid, ask - 1e-9);
  EXPECT_LT(paid, ask + 0.05);
  EXPECT_NEAR(std::round(paid / 0.05) * 0.05, paid, 1e-9);
  // The future as optionsorder's reference: strikes sit around its price, the answer names it.
  auto placed = Call("/api/v1/optionsorder",
                     [&] {
                       auto body = Options("ATM", "CE", "BUY", 65);
                       body["underlying"] = future;
                       body["exchange"] = "NFO";
                       body["expiry_date"] = FormatOpenAlgoExpiry(monthly);
                       return body;
                     }());
  EXPECT_EQ(Str(placed.at("underlying")), future);
  EXPECT_NEAR(placed.at("underlying_ltp").to_number<double>(), paid, 0.5);
}

TEST_F(OpenAlgoFnoTest, ClosePositionAboveTheFreezeQuantityClosesInSlicesWithinIt) {
  const std::string symbol(QuoteAt(NiftyChain(), "OTM3", OptionRight::kCall).instrument_id.symbol());
  auto body = Contract(symbol, "BUY", 3900);
  body["splitsize"] = "1755";
  ASSERT_EQ(Str(Call("/api/v1/splitorder", body).at("status")), "success");
  EXPECT_EQ(Str(Call("/api/v1/closeposition", {{"strategy", "fno"}}).at("message")), "All Open Positions Squared Off");
  const auto number = [](const boost::json::value& v) {
    return v.is_string() ? std::stod(std::string(v.as_string())) : v.to_number<double>();
  };
  std::vector<double> sells;
  const auto book = Call("/api/v1/orderbook");
  for (const auto& row : book.at("data").at("orders").as_array()) {
    if (Str(row.at("action")) == "SELL") {
      EXPECT_EQ(Str(row.at("order_status")), "complete");
      sells.push_back(number(row.at("quantity")));
    }
  }
  std::sort(sells.begin(), sells.end());
  // 3900 units against a freeze quantity of 1800: whole lots (65) of at most 1800 each, so 1755 + 1755 + 390.
  EXPECT_EQ(sells, (std::vector<double>{390, 1755, 1755}));
  const auto positions = Call("/api/v1/positionbook");
  for (const auto& row : positions.at("data").as_array()) {
    EXPECT_EQ(Str(row.at("quantity")), "0");
  }
}

TEST_F(OpenAlgoFnoTest, SplitOrderHonoursSplitSizeAndTheFreezeQuantity) {
  const std::string symbol(QuoteAt(NiftyChain(), "OTM3", OptionRight::kCall).instrument_id.symbol());
  // Above the freeze quantity (1800) a plain order is refused and names the way out.
  auto above = Call("/api/v1/placeorder", Contract(symbol, "BUY", 1820), 400);
  EXPECT_EQ(Str(above.at("error").at("field")), "quantity");
  EXPECT_NE(Str(above.at("message")).find("freeze"), std::string::npos);

  auto body = Contract(symbol, "BUY", 650);
  body["splitsize"] = "260";
  auto split = Call("/api/v1/splitorder", body);
  EXPECT_EQ(Str(split.at("status")), "success");
  EXPECT_EQ(Str(split.at("split_size")), "260");
  EXPECT_EQ(Str(split.at("total_quantity")), "650");
  const auto& results = split.at("results").as_array();
  ASSERT_EQ(results.size(), 3U);
  EXPECT_EQ(Str(results[0].at("quantity")), "260");
  EXPECT_EQ(Str(results[2].at("quantity")), "130");  // the remainder
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].at("order_num").as_int64(), static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(Str(results[i].at("status")), "success");
  }
  // A split size above the freeze quantity is lowered to the largest lot multiple under it (27 lots = 1755).
  auto big = Contract(symbol, "BUY", 3900);
  big["splitsize"] = 2000;
  auto frozen = Call("/api/v1/splitorder", big);
  EXPECT_EQ(Str(frozen.at("split_size")), "1755");
  EXPECT_EQ(Str(frozen.at("freeze_qty")), "1800");
  const auto& slices = frozen.at("results").as_array();
  ASSERT_EQ(slices.size(), 3U);
  EXPECT_EQ(Str(slices[2].at("quantity")), "390");
  // Bad inputs, one field each.
  struct Case {
    const char* field;
    boost::json::value value;
    std::string_view expected_field;
  };
  const Case cases[] = {{"splitsize", "0", "splitsize"},   {"splitsize", "abc", "splitsize"},
                        {"splitsize", "100", "splitsize"}, {"splitsize", 1.5, "splitsize"},
                        {"quantity", "100", "quantity"},   {"splitsize", "1", "splitsize"}};
  for (const Case& c : cases) {
    auto bad = Contract(symbol, "BUY", 650);
    bad["splitsize"] = "65";
    bad[c.field] = c.value;
    auto answer = Call("/api/v1/splitorder", bad, 400);
    EXPECT_EQ(Str(answer.at("error").at("field")), c.expected_field) << c.field << " " << boost::json::serialize(answer);
  }
  auto missing = Contract(symbol, "BUY", 650);
  EXPECT_EQ(Str(Call("/api/v1/splitorder", missing, 400).at("error").at("field")), "splitsize");
}

TEST_F(OpenAlgoFnoTest, MultiOrderSendsBuyLegsFirstWithPerLegExpiries) {
  const OptionChain chain = NiftyChain();
  boost::json::array legs;
  legs.push_back({{"offset", "ATM"}, {"option_type", "CE"}, {"action", "SELL"}, {"quantity", 65},
                  {"pricetype", "MARKET"}, {"product", "NRML"}});
  legs.push_back({{"offset", "OTM2"}, {"option_type", "CE"}, {"action", "BUY"}, {"quantity", 65},
                  {"expiry_date", FormatOpenAlgoExpiry(chain.expiries.at(1).expiry)}});
  legs.push_back({{"offset", "OTM50"}, {"option_type", "PE"}, {"action", "BUY"}, {"quantity", 65}});
  auto answer = Call("/api/v1/optionsmultiorder", {{"strategy", "spread"}, {"underlying", "NIFTY"},
                                                   {"exchange", "NSE_INDEX"}, {"legs", legs}});
  EXPECT_EQ(Str(answer.at("status")), "success");
  EXPECT_EQ(Str(answer.at("underlying")), "NIFTY");
  const auto& results = answer.at("results").as_array();
  ASSERT_EQ(results.size(), 3U);
  // BUY legs first (in request order), then the SELL leg.
  EXPECT_EQ(results[0].at("leg").as_int64(), 2);
  EXPECT_EQ(results[1].at("leg").as_int64(), 3);
  EXPECT_EQ(results[2].at("leg").as_int64(), 1);
  EXPECT_EQ(Str(results[0].at("status")), "success");
  EXPECT_EQ(Str(results[0].at("symbol")), QuoteAt(chain, "OTM2", OptionRight::kCall, 1).instrument_id.symbol());
  // A leg whose offset runs off the chain fails alone, with its reason.
  EXPECT_EQ(Str(results[1].at("status")), "error");
  EXPECT_EQ(Str(results[1].at("field")), "offset");
  EXPECT_EQ(Str(results[2].at("status")), "success");
  EXPECT_EQ(Str(results[2].at("symbol")), QuoteAt(chain, "ATM", OptionRight::kCall).instrument_id.symbol());
  EXPECT_EQ(Str(results[2].at("action")), "SELL");

  // Bad legs are named by their place in the list; nothing is placed.
  const std::size_t orders_before = Call("/api/v1/orderbook").at("data").at("orders").as_array().size();
  boost::json::array bad_legs;
  bad_legs.push_back({{"offset", "MID"}, {"option_type", "CE"}, {"action", "BUY"}, {"quantity", 65}});
  bad_legs.push_back({{"offset", "ATM"}, {"option_type", "XX"}, {"action", "BUY"}, {"quantity", -65}});
  bad_legs.push_back({{"offset", "ATM"}, {"option_type", "PE"}, {"action", "BUY"}, {"quantity", 65},
                      {"product", "CNC"}, {"expiry_date", "31FEB25"}});
  auto refused = Call("/api/v1/optionsmultiorder",
                      {{"underlying", "NIFTY"}, {"exchange", "NSE_INDEX"}, {"legs", bad_legs}}, 400);
  std::set<std::string> fields;
  for (const auto& error : refused.at("errors").as_array()) {
    fields.insert(Str(error.at("field")));
  }
  EXPECT_EQ(fields, (std::set<std::string>{"legs[0].offset", "legs[1].option_type", "legs[1].quantity",
                                           "legs[2].product", "legs[2].expiry_date"}));
  EXPECT_EQ(Str(Call("/api/v1/optionsmultiorder", {{"underlying", "NIFTY"}, {"exchange", "NSE_INDEX"}}, 400)
                    .at("error")
                    .at("field")),
            "legs");
  EXPECT_EQ(Str(Call("/api/v1/optionsmultiorder",
                     {{"underlying", "NIFTY"}, {"exchange", "NSE_INDEX"}, {"legs", boost::json::array{}}}, 400)
                    .at("error")
                    .at("field")),
            "legs");
  EXPECT_EQ(Str(Call("/api/v1/optionsmultiorder",
                     {{"underlying", "NIFTY"}, {"exchange", "NSE_INDEX"}, {"legs", boost::json::array{1, 2}}}, 400)
                    .at("error")
                    .at("field")),
            "legs[0]");
  EXPECT_EQ(Call("/api/v1/orderbook").at("data").at("orders").as_array().size(), orders_before);
}

TEST_F(OpenAlgoFnoTest, OptionsOrderNamesEachBadField) {
  struct Case {
    const char* field;
    boost::json::value value;
  };
  const Case cases[] = {{"underlying", ""},     {"underlying", "NOPE"},     {"exchange", "MCX"},
                        {"offset", "ITM0"},     {"offset", "OTM51"},        {"offset", "ATM1"},
                        {"option_type", "CALL"}, {"action", "HOLD"},        {"quantity", "1.5"},
                        {"quantity", 0},        {"quantity", "abc"},        {"product", "CNC"},
                        {"pricetype", "STOP"},  {"price", "abc"},           {"expiry_date", "2025-09-30"},
                        {"expiry_date", "30SEP20"}, {"offset", "OTM50"},    {"splitsize", "-1"},
                        {"strike_int", "x"}};
  for (const Case& c : cases) {
    auto body = Options("ATM", "CE", "BUY", 65);
    body[c.field] = c.value;
    auto answer = Call("/api/v1/optionsorder", body, 400);
    EXPECT_EQ(Str(answer.at("status")), "error") << c.field;
    EXPECT_EQ(Str(answer.at("error").at("field")), c.field == std::string("underlying") ? "underlying" : c.field)
        << c.field << " " << boost::json::serialize(answer);
  }
  for (const char* field : {"underlying", "exchange", "offset", "option_type", "action", "quantity"}) {
    auto body = Options("ATM", "CE", "BUY", 65);
    body.erase(field);
    EXPECT_EQ(Str(Call("/api/v1/optionsorder", body, 400).at("error").at("field")), field);
  }
  auto limit = Options("ATM", "CE", "BUY", 65);
  limit["pricetype"] = "LIMIT";
  EXPECT_EQ(Str(Call("/api/v1/optionsorder", limit, 400).at("error").at("field")), "price");
  // A risk refusal keeps the order in the book and the answer still names the contract.
  auto odd = Call("/api/v1/optionsorder", Options("ATM", "CE", "BUY", 64), 400);
  EXPECT_FALSE(Str(odd.at("orderid")).empty());
  EXPECT_FALSE(Str(odd.at("symbol")).empty());
}

TEST_F(OpenAlgoFnoTest, BasketOrderPlacesBuysFirstAndReportsEachOrder) {
  const std::string call(QuoteAt(NiftyChain(), "ATM", OptionRight::kCall).instrument_id.symbol());
  const std::string put(QuoteAt(NiftyChain(), "ATM", OptionRight::kPut).instrument_id.symbol());
  boost::json::array orders;
  orders.push_back(Contract(call, "SELL", 65));
  orders.push_back(Contract(put, "BUY", 65));
  orders.push_back(Contract(put, "BUY", 64));  // not a lot multiple: refused by risk, alone
  auto answer = Call("/api/v1/basketorder", {{"strategy", "basket"}, {"orders", orders}});
  EXPECT_EQ(Str(answer.at("status")), "success");
  const auto& results = answer.at("results").as_array();
  ASSERT_EQ(results.size(), 3U);
  EXPECT_EQ(Str(results[0].at("action")), "BUY");
  EXPECT_EQ(Str(results[0].at("status")), "success");
  EXPECT_EQ(Str(results[0].at("symbol")), put);
  EXPECT_EQ(Str(results[1].at("status")), "error");
  EXPECT_FALSE(Str(results[1].at("orderid")).empty());
  EXPECT_EQ(Str(results[2].at("action")), "SELL");
  EXPECT_EQ(Str(results[2].at("symbol")), call);
  EXPECT_EQ(Str(results[2].at("status")), "success");

  boost::json::array bad;
  bad.push_back(Contract(call, "HOLD", 65));
  auto missing_symbol = Contract(call, "BUY", 65);
  missing_symbol.erase("symbol");
  bad.push_back(missing_symbol);
  bad.push_back(Contract(call, "BUY", 0));
  auto refused = Call("/api/v1/basketorder", {{"orders", bad}}, 400);
  std::set<std::string> fields;
  for (const auto& error : refused.at("errors").as_array()) {
    fields.insert(Str(error.at("field")));
  }
  EXPECT_EQ(fields, (std::set<std::string>{"orders[0].action", "orders[1].symbol", "orders[2].quantity"}));
  EXPECT_EQ(Str(Call("/api/v1/basketorder", {{"orders", "none"}}, 400).at("error").at("field")), "orders");
  // Every order refused: the basket is an error, each reason kept.
  boost::json::array hopeless;
  hopeless.push_back(Contract(call, "BUY", 1));
  auto none = Call("/api/v1/basketorder", {{"orders", hopeless}}, 400);
  EXPECT_EQ(Str(none.at("status")), "error");
  EXPECT_EQ(Str(none.at("results").as_array()[0].at("status")), "error");
}

TEST_F(OpenAlgoFnoTest, MarginSumsTheModelsSpanAndExposure) {
  const OptionChain chain = NiftyChain();
  const OptionQuote& call = QuoteAt(chain, "ATM", OptionRight::kCall);
  const double underlying = chain.underlying_price.AsDouble();
  boost::json::array positions;
  positions.push_back(Contract(call.instrument_id.symbol(), "SELL", 65));
  auto long_call = Contract(call.instrument_id.symbol(), "BUY", 130);
  long_call["pricetype"] = "LIMIT";
  long_call["price"] = "100";
  positions.push_back(long_call);
  auto answer = Call("/api/v1/margin", {{"positions", positions}});
  const auto& data = answer.at("data");
  // Short call: max(premium, 12% of the underlying) per unit, of which 2% of the underlying is exposure.
  const double short_total = std::max(call.bid->AsDouble(), 0.12 * underlying) * 65;
  const double short_exposure = 0.02 * underlying * 65;
  const double long_premium = 100.0 * 130;
  EXPECT_NEAR(data.at("total_margin_required").to_number<double>(), short_total + long_premium, 0.011);
  EXPECT_NEAR(data.at("exposure_margin").to_number<double>(), short_exposure, 0.011);
  EXPECT_NEAR(data.at("span_margin").to_number<double>(), short_total - short_exposure + long_premium, 0.011);
  // Nothing was placed.
  EXPECT_TRUE(Call("/api/v1/orderbook").at("data").at("orders").as_array().empty());

  struct Case {
    const char* field;
    boost::json::value value;
    std::string expected;
  };
  const Case cases[] = {{"quantity", "64", "positions[0].quantity"},   {"quantity", "-65", "positions[0].quantity"},
                        {"action", "HOLD", "positions[0].action"},      {"symbol", "NIFTY", "positions[0].symbol"},
                        {"pricetype", "LIMIT", "positions[0].price"},   {"product", "X", "positions[0].product"}};
  for (const Case& c : cases) {
    auto position = Contract(call.instrument_id.symbol(), "SELL", 65);
    position[c.field] = c.value;
    boost::json::array list{position};
    EXPECT_EQ(Str(Call("/api/v1/margin", {{"positions", list}}, 400).at("error").at("field")), c.expected)
        << c.field;
  }
  EXPECT_EQ(Str(Call("/api/v1/margin", {}, 400).at("error").at("field")), "positions");
  boost::json::array too_many;
  for (int i = 0; i < 51; ++i) {
    too_many.push_back(Contract(call.instrument_id.symbol(), "SELL", 65));
  }
  EXPECT_EQ(Str(Call("/api/v1/margin", {{"positions", too_many}}, 400).at("error").at("field")), "positions");
}

TEST_F(OpenAlgoFnoTest, RestartRestoresOptionPositionsAndRealisedPnlExactly) {
  const std::string symbol(QuoteAt(NiftyChain(), "ATM", OptionRight::kCall).instrument_id.symbol());
  Call("/api/v1/placeorder", Contract(symbol, "BUY", 195));
  Call("/api/v1/placeorder", Contract(symbol, "SELL", 65));  // bought at the ask, sold at the bid: a real loss
  const auto funds_before = Call("/api/v1/funds").at("data");
  const auto positions_before = Call("/api/v1/positionbook").at("data");
  EXPECT_LT(std::stod(Str(funds_before.at("m2mrealized"))), 0.0);

  StopService();
  StartService();
  EXPECT_EQ(Call("/api/v1/funds").at("data"), funds_before);
  EXPECT_EQ(Call("/api/v1/positionbook").at("data"), positions_before);
  auto open = Call("/api/v1/openposition", {{"exchange", "NFO"}, {"symbol", symbol}, {"product", "NRML"}});
  EXPECT_EQ(Str(open.at("quantity")), "130");
}

TEST_F(OpenAlgoRoutesTest, UsOptionsTradeByTheirOccSymbol) {
  auto chain = market_->Chain(*InstrumentId::Parse("US:SPY"));
  ASSERT_TRUE(chain.ok()) << chain.error().ToString();
  const ExpirySlice& slice = chain->expiries.front();
  const OptionQuote& call = *slice.FindRow(*slice.AtmStrike(chain->underlying_price))->call;
  auto placed = Call("/api/v1/placeorder", {{"exchange", "OPRA"}, {"symbol", call.instrument_id.symbol()},
                                            {"action", "BUY"}, {"quantity", "2"}, {"pricetype", "MARKET"},
                                            {"product", "NRML"}});
  const std::string id = Str(placed.at("orderid"));
  auto status = Call("/api/v1/orderstatus", {{"orderid", id}});
  EXPECT_EQ(Str(status.at("data").at("order_status")), "complete");
  EXPECT_NEAR(status.at("data").at("average_price").to_number<double>(), call.ask->AsDouble(), 1e-9);
  // Option buying blocks the premium: price x 100 per contract.
  auto funds = Call("/api/v1/funds").at("data");
  EXPECT_NEAR(std::stod(Str(funds.at("utiliseddebits"))), call.ask->AsDouble() * 100 * 2, 0.01);
  // optionsorder on a US underlying resolves to the same OCC contract.
  auto by_offset = Call("/api/v1/optionsorder",
                        {{"underlying", "SPY"}, {"exchange", "US"}, {"offset", "ATM"}, {"option_type", "CE"},
                         {"action", "BUY"}, {"quantity", 1}, {"product", "NRML"}});
  EXPECT_EQ(Str(by_offset.at("symbol")), call.instrument_id.symbol());
  EXPECT_EQ(Str(by_offset.at("exchange")), "OPRA");
  // An OCC symbol that is not listed is refused with its reason.
  auto unknown = Call("/api/v1/placeorder", {{"exchange", "OPRA"}, {"symbol", "SPY991231C00001000"},
                                             {"action", "BUY"}, {"quantity", "1"}, {"product", "NRML"}},
                      400);
  EXPECT_EQ(Str(unknown.at("error").at("field")), "symbol");
}

}  // namespace
}  // namespace td::api
