// SPDX-License-Identifier: MIT
// OpenAlgo's order and account API over real sockets: a real key store, the real TradingService (journal in a
// temp dir, risk engine, paper broker) priced by the seeded simulator at a fixed instant with NYSE open.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>

#include "api/auth_context.hpp"
#include "api/http_server.hpp"
#include "api/openalgo_routes.hpp"
#include "core/clock.hpp"
#include "http_client.hpp"
#include "model/bar.hpp"
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
    clock_ = new TestClock(*UnixNanos::ParseIso8601("2025-09-16T15:00:00Z"));
    auto market = system::MarketService::StartSimulator({.seed = 11, .history_days = 2}, *clock_);
    ASSERT_TRUE(market.ok()) << market.error().ToString();
    market_ = market->release();
  }
  static void TearDownTestSuite() {
    delete market_;
    delete clock_;
  }

  void SetUp() override {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() / ("td-openalgo-it-" + std::to_string(random()));
    std::filesystem::create_directories(dir_);
    AuthSettings settings;
    settings.pepper = "an-openalgo-test-pepper-of-at-least-32-characters";
    auto opened = OpenAuth(dir_, settings, *clock_);
    ASSERT_TRUE(opened.ok()) << opened.error().ToString();
    auth_ = std::move(opened).value();
    auto created = auth_.keys->Create("alice", false, "openalgo test");
    ASSERT_TRUE(created.ok());
    key_ = created->key;
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
  settings.pepper = "an-openalgo-test-pepper-of-at-least-32-characters";
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
  const auto before = Call("/api/v1/orderbook").at("data").at("orders").as_array();
  ASSERT_EQ(before.size(), 2U);

  StopService();
  StartService();
  EXPECT_GT(trading_->replayed_frames(), 0U);
  const auto after = Call("/api/v1/orderbook").at("data").at("orders").as_array();
  ASSERT_EQ(after.size(), 2U);
  std::map<std::string, std::string> statuses;
  for (const auto& order : after) {
    statuses[Str(order.at("orderid"))] = Str(order.at("order_status"));
  }
  EXPECT_EQ(statuses.at(filled), "complete");
  // The paper venue keeps its book in memory: the working order did not survive it and is expired.
  EXPECT_EQ(statuses.at(resting), "cancelled");
  auto trades = Call("/api/v1/tradebook").at("data").as_array();
  ASSERT_EQ(trades.size(), 1U);
  EXPECT_EQ(Str(trades[0].at("orderid")), filled);
  // New ids never repeat the journal's.
  const std::string next = Str(Call("/api/v1/placeorder", Order("BUY", "1")).at("orderid"));
  EXPECT_NE(next, filled);
  EXPECT_NE(next, resting);
}

}  // namespace
}  // namespace td::api
