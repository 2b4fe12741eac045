// SPDX-License-Identifier: MIT
// OpenAlgo's market-data, symbol and options-analytics endpoints over real sockets: a real key store and the
// seeded simulator at a fixed instant with NSE open (Wednesday 17-Sep-2025, 11:30 IST). Every endpoint with good
// input (checked against the market itself) and bad input per field.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <set>
#include <string>

#include "api/auth_context.hpp"
#include "api/http_server.hpp"
#include "api/market_routes.hpp"
#include "api/openalgo_market_routes.hpp"
#include "api_world.hpp"
#include "core/clock.hpp"
#include "http_client.hpp"
#include "model/bar.hpp"
#include "model/option_chain.hpp"
#include "model/symbology.hpp"
#include "options/black.hpp"
#include "system/market_service.hpp"

namespace td::api {
namespace {

namespace json = boost::json;
using testing::BuildRequest;
using testing::HttpResult;
using testing::RawConnection;

class OpenAlgoMarketRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    clock_ = new TestClock(*UnixNanos::ParseIso8601("2025-09-17T06:00:00Z"));
    auto market = system::MarketService::StartSimulator({.seed = 7, .history_days = 2}, *clock_);
    ASSERT_TRUE(market.ok()) << market.error().ToString();
    market_ = market->release();
  }
  static void TearDownTestSuite() {
    delete market_;
    delete clock_;
  }

  void SetUp() override {
    auto keyed = testing::KeyedDirectory::Open("td-oa-market", *clock_);
    dir_ = keyed.dir;
    ASSERT_FALSE(keyed.key.empty());
    auth_ = std::move(keyed.auth);
    key_ = keyed.key;
    HttpServerOptions options;
    options.listen_port = 0;
    options.io_threads = 1;
    server_ = std::make_unique<HttpServer>(options);
    InstallAuth(server_->router(), auth_);
    AddOpenAlgoMarketRoutes(server_->router(), *market_, auth_);
    AddMarketRoutes(server_->router(), *market_, auth_);
    ASSERT_TRUE(server_->Start().ok());
  }

  void TearDown() override {
    server_->Stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  HttpResult PostText(std::string_view path, std::string_view body) {
    RawConnection connection;
    EXPECT_TRUE(connection.Connect(server_->port()));
    connection.Send(BuildRequest("POST", path, "Content-Type: application/json\r\n", body));
    return connection.ReadResponse();
  }

  /// POSTs `body` with the key and checks the status; returns the parsed answer.
  json::object Call(std::string_view path, json::object body, int expected_status = 200) {
    body["apikey"] = key_;
    const HttpResult result = PostText(path, json::serialize(body));
    EXPECT_EQ(result.status, expected_status) << path << " " << json::serialize(body) << " -> " << result.body;
    auto parsed = json::parse(result.body);
    return parsed.is_object() ? parsed.as_object() : json::object{};
  }

  /// A refused request: OpenAlgo's shape plus our structured error naming `field`.
  void ExpectRefused(std::string_view path, json::object body, int status, std::string_view field) {
    const json::object answer = Call(path, std::move(body), status);
    EXPECT_EQ(Str(answer.at("status")), "error") << path;
    EXPECT_FALSE(Str(answer.at("message")).empty());
    ASSERT_TRUE(answer.contains("error")) << path;
    bool named = Str(answer.at("error").at("field")) == field;
    if (const auto* errors = answer.if_contains("errors")) {
      for (const auto& e : errors->as_array()) {
        named = named || Str(e.at("field")) == field;
      }
    }
    EXPECT_TRUE(named) << path << " did not name " << field << ": " << json::serialize(answer);
  }

  HttpResult Get(std::string_view target) {
    RawConnection connection;
    EXPECT_TRUE(connection.Connect(server_->port()));
    connection.Send(BuildRequest("GET", target));
    return connection.ReadResponse();
  }

  static std::string Str(const json::value& value) { return value.is_string() ? std::string(value.as_string()) : ""; }
  static double Num(const json::value& value) { return value.to_number<double>(); }

  /// The nearest NIFTY expiry and its chain, from the market directly.
  static ExpirySlice NiftyFront() {
    auto chain = market_->Chain(InstrumentId::Of("NSE_INDEX:NIFTY"));
    EXPECT_TRUE(chain.ok() && !chain->expiries.empty());
    return chain->expiries.front();
  }
  static double NiftyLtp() {
    auto quote = market_->Quote(InstrumentId::Of("NSE_INDEX:NIFTY"));
    EXPECT_TRUE(quote.ok());
    return quote->ltp.AsDouble();
  }
  static std::string Expiry(const ExpirySlice& slice) { return FormatOpenAlgoExpiry(slice.expiry); }
  static std::string AtmSymbol(OptionRight right, int offset_rows = 0) {
    const ExpirySlice slice = NiftyFront();
    const Price atm = *slice.AtmStrike(*Price::FromDouble(NiftyLtp(), 2));
    const auto it =
        std::find_if(slice.rows.begin(), slice.rows.end(), [&](const StrikeRow& r) { return r.strike == atm; });
    const StrikeRow& row = *(it + offset_rows);
    return std::string(row.Quote(right)->instrument_id.symbol());
  }

  static TestClock* clock_;
  static system::MarketService* market_;
  std::filesystem::path dir_;
  AuthContext auth_;
  std::string key_;
  std::unique_ptr<HttpServer> server_;
};

TestClock* OpenAlgoMarketRoutesTest::clock_ = nullptr;
system::MarketService* OpenAlgoMarketRoutesTest::market_ = nullptr;

TEST_F(OpenAlgoMarketRoutesTest, TheKeyIsCheckedTheOpenAlgoWay) {
  for (const char* path :
       {"/api/v1/quotes", "/api/v1/optionchain", "/api/v1/market/holidays", "/api/v1/history", "/api/v1/intervals"}) {
    HttpResult missing = PostText(path, R"({"symbol":"NIFTY","exchange":"NSE_INDEX"})");
    EXPECT_EQ(missing.status, 403) << path;
    EXPECT_EQ(Str(json::parse(missing.body).at("message")), "Invalid openalgo apikey");
    HttpResult wrong = PostText(path, R"({"apikey":")" + std::string(64, 'a') + R"(","symbol":"NIFTY"})");
    EXPECT_EQ(wrong.status, 403) << path;
  }
  EXPECT_EQ(Get("/api/v1/instruments").status, 403);
  EXPECT_EQ(Get("/api/v1/instruments?apikey=" + std::string(64, 'b')).status, 403);
  EXPECT_EQ(PostText("/api/v1/intervals", R"({"apikey":")" + key_ + R"("})").status, 200);
  HttpResult not_json = PostText("/api/v1/quotes", "{\"apikey\":\"" + key_ + "\",");
  EXPECT_EQ(not_json.status, 403);  // a body that does not parse carries no key either
}

TEST_F(OpenAlgoMarketRoutesTest, Quotes) {
  json::object answer = Call("/api/v1/quotes", {{"symbol", "NIFTY"}, {"exchange", "NSE_INDEX"}});
  EXPECT_EQ(Str(answer.at("status")), "success");
  const json::object& data = answer.at("data").as_object();
  for (const char* key : {"open", "high", "low", "ltp", "ask", "bid", "prev_close", "volume", "oi"}) {
    EXPECT_TRUE(data.contains(key)) << key;
  }
  EXPECT_NEAR(Num(data.at("ltp")), NiftyLtp(), 1e-9);
  EXPECT_GE(Num(data.at("high")), Num(data.at("low")));
  EXPECT_GT(Num(data.at("prev_close")), 0);
  // Lower case is normalised, as OpenAlgo does.
  EXPECT_EQ(Str(Call("/api/v1/quotes", {{"symbol", "nifty"}, {"exchange", "nse_index"}}).at("status")), "success");

  // An option contract is quoted from its chain: last (or mid), bid/ask, volume and OI are the chain's.
  const std::string call = AtmSymbol(OptionRight::kCall);
  json::object option = Call("/api/v1/quotes", {{"symbol", call}, {"exchange", "NFO"}});
  const ExpirySlice slice = NiftyFront();
  const StrikeRow* row = nullptr;
  for (const StrikeRow& r : slice.rows) {
    if (r.call && r.call->instrument_id.symbol() == call) {
      row = &r;
    }
  }
  ASSERT_NE(row, nullptr);
  EXPECT_NEAR(Num(option.at("data").at("bid")), row->call->bid->AsDouble(), 1e-9);
  EXPECT_NEAR(Num(option.at("data").at("ask")), row->call->ask->AsDouble(), 1e-9);
  EXPECT_NEAR(Num(option.at("data").at("oi")), row->call->open_interest.AsDouble(), 1e-9);

  ExpectRefused("/api/v1/quotes", {{"exchange", "NSE_INDEX"}}, 400, "symbol");
  ExpectRefused("/api/v1/quotes", {{"symbol", 123}, {"exchange", "NSE_INDEX"}}, 400, "symbol");
  ExpectRefused("/api/v1/quotes", {{"symbol", "NIFTY"}}, 400, "exchange");
  ExpectRefused("/api/v1/quotes", {{"symbol", "NIFTY"}, {"exchange", "MOON"}}, 400, "exchange");
  ExpectRefused("/api/v1/quotes", {{"symbol", "NIFTY"}, {"exchange", json::array{}}}, 400, "exchange");
  ExpectRefused("/api/v1/quotes", {{"symbol", "NO SUCH"}, {"exchange", "NSE"}}, 400, "symbol");
  ExpectRefused("/api/v1/quotes", {{"symbol", "NOSUCH"}, {"exchange", "NSE"}}, 404, "symbol");
  ExpectRefused("/api/v1/quotes", {{"symbol", "NIFTY30SEP2599999CE"}, {"exchange", "NFO"}}, 404, "symbol");
  ExpectRefused("/api/v1/quotes", {{"symbol", "NIFTY31FEB2624000CE"}, {"exchange", "NFO"}}, 404, "symbol");
  ExpectRefused("/api/v1/quotes", {{"symbol", call}, {"exchange", "BFO"}}, 404, "symbol");
  const HttpResult array_body = PostText("/api/v1/quotes", "[1,2]");
  EXPECT_EQ(array_body.status, 403);
}

TEST_F(OpenAlgoMarketRoutesTest, MultiQuotes) {
  json::array symbols{json::object{{"symbol", "NIFTY"}, {"exchange", "NSE_INDEX"}},
                      json::object{{"symbol", "SENSEX"}, {"exchange", "BSE_INDEX"}},
                      json::object{{"symbol", "NOSUCH"}, {"exchange", "NSE"}}};
  json::object answer = Call("/api/v1/multiquotes", {{"symbols", symbols}});
  const json::array& results = answer.at("results").as_array();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(Str(results[0].at("symbol")), "NIFTY");
  EXPECT_NEAR(Num(results[0].at("data").at("ltp")), NiftyLtp(), 1e-9);
  EXPECT_GT(Num(results[1].at("data").at("ltp")), 0);
  EXPECT_FALSE(results[2].as_object().contains("data"));
  EXPECT_FALSE(Str(results[2].at("error")).empty());

  ExpectRefused("/api/v1/multiquotes", {}, 400, "symbols");
  ExpectRefused("/api/v1/multiquotes", {{"symbols", "NIFTY"}}, 400, "symbols");
  ExpectRefused("/api/v1/multiquotes", {{"symbols", json::array{}}}, 400, "symbols");
  ExpectRefused("/api/v1/multiquotes", {{"symbols", json::array{symbols[0], 7}}}, 400, "symbols[1]");
  ExpectRefused("/api/v1/multiquotes", {{"symbols", json::array{json::object{{"symbol", "NIFTY"}}}}}, 400,
                "symbols[0].exchange");
  json::array many;
  for (int i = 0; i < 101; ++i) {
    many.push_back(symbols[0]);
  }
  ExpectRefused("/api/v1/multiquotes", {{"symbols", many}}, 400, "symbols");
}

TEST_F(OpenAlgoMarketRoutesTest, DepthShowsTheTopOfBookThatExistsAndPadsTheRest) {
  const std::string call = AtmSymbol(OptionRight::kCall);
  json::object answer = Call("/api/v1/depth", {{"symbol", call}, {"exchange", "NFO"}});
  const json::object& data = answer.at("data").as_object();
  for (const char* key : {"open", "high", "low", "ltp", "ltq", "prev_close", "volume", "oi", "totalbuyqty",
                          "totalsellqty", "asks", "bids"}) {
    EXPECT_TRUE(data.contains(key)) << key;
  }
  ASSERT_EQ(data.at("asks").as_array().size(), 5u);
  ASSERT_EQ(data.at("bids").as_array().size(), 5u);
  json::object quote = Call("/api/v1/quotes", {{"symbol", call}, {"exchange", "NFO"}});
  EXPECT_EQ(Num(data.at("asks").at(0).at("price")), Num(quote.at("data").at("ask")));
  EXPECT_EQ(Num(data.at("bids").at(0).at("price")), Num(quote.at("data").at("bid")));
  EXPECT_GT(Num(data.at("bids").at(0).at("quantity")), 0);
  EXPECT_EQ(Num(data.at("totalbuyqty")), Num(data.at("bids").at(0).at("quantity")));
  for (std::size_t level = 1; level < 5; ++level) {
    EXPECT_EQ(Num(data.at("asks").at(level).at("price")), 0) << "level " << level << " was invented";
    EXPECT_EQ(Num(data.at("bids").at(level).at("quantity")), 0);
  }
  EXPECT_EQ(data.at("depth_levels").as_int64(), 1);

  // An index has no book at all: every row is zero, the last price is real.
  json::object index = Call("/api/v1/depth", {{"symbol", "NIFTY"}, {"exchange", "NSE_INDEX"}});
  EXPECT_EQ(Num(index.at("data").at("asks").at(0).at("price")), 0);
  EXPECT_EQ(index.at("data").at("depth_levels").as_int64(), 0);
  EXPECT_NEAR(Num(index.at("data").at("ltp")), NiftyLtp(), 1e-9);

  ExpectRefused("/api/v1/depth", {{"symbol", "NIFTY"}, {"exchange", 5}}, 400, "exchange");
  ExpectRefused("/api/v1/depth", {{"symbol", "NOSUCH"}, {"exchange", "NSE_INDEX"}}, 404, "symbol");
}

TEST_F(OpenAlgoMarketRoutesTest, SymbolAndSearch) {
  json::object index = Call("/api/v1/symbol", {{"symbol", "NIFTY"}, {"exchange", "NSE_INDEX"}});
  const json::object& data = index.at("data").as_object();
  for (const char* key : {"id", "name", "symbol", "brsymbol", "exchange", "brexchange", "instrumenttype", "expiry",
                          "strike", "lotsize", "tick_size", "token"}) {
    EXPECT_TRUE(data.contains(key)) << key;
  }
  EXPECT_EQ(Str(data.at("instrumenttype")), "INDEX");

  const std::string put = AtmSymbol(OptionRight::kPut);
  json::object option = Call("/api/v1/symbol", {{"symbol", put}, {"exchange", "NFO"}});
  const ExpirySlice slice = NiftyFront();
  auto parsed = OpenAlgoSymbol::Parse(put);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(Str(option.at("data").at("instrumenttype")), "PE");
  EXPECT_EQ(Str(option.at("data").at("name")), "NIFTY");
  EXPECT_EQ(option.at("data").at("lotsize").to_number<double>(), 65);
  EXPECT_DOUBLE_EQ(Num(option.at("data").at("tick_size")), 0.05);
  EXPECT_DOUBLE_EQ(Num(option.at("data").at("strike")), parsed->strike.AsDouble());
  const std::string compact = Expiry(slice);
  EXPECT_EQ(Str(option.at("data").at("expiry")),
            compact.substr(0, 2) + "-" + compact.substr(2, 3) + "-" + compact.substr(5));

  ExpectRefused("/api/v1/symbol", {{"symbol", "NIFTY"}, {"exchange", "NYSE_ARCA"}}, 400, "exchange");
  ExpectRefused("/api/v1/symbol", {{"symbol", "NOSUCH"}, {"exchange", "NSE"}}, 404, "symbol");
  ExpectRefused("/api/v1/symbol", {{"symbol", "NIFTY30SEP25FUTX"}, {"exchange", "NFO"}}, 404, "symbol");
  ExpectRefused("/api/v1/symbol", {{"symbol", "NIFTY25SEP25FUT"}, {"exchange", "NFO"}}, 404, "symbol");

  json::object search = Call("/api/v1/search", {{"query", "banknifty"}, {"exchange", "NFO"}});
  const json::array& matches = search.at("data").as_array();
  ASSERT_FALSE(matches.empty());
  for (const auto& match : matches) {
    EXPECT_EQ(Str(match.at("exchange")), "NFO");
    EXPECT_NE(Str(match.at("symbol")).find("BANKNIFTY"), std::string::npos);
  }
  json::object underlyings = Call("/api/v1/search", {{"query", "NIFTY"}, {"exchange", "NSE_INDEX"}});
  std::set<std::string> names;
  for (const auto& match : underlyings.at("data").as_array()) {
    names.insert(Str(match.at("symbol")));
  }
  EXPECT_EQ(names, (std::set<std::string>{"BANKNIFTY", "NIFTY"}));
  ExpectRefused("/api/v1/search", {{"query", "ZZZZQ"}}, 404, "query");
  ExpectRefused("/api/v1/search", {}, 400, "query");
  ExpectRefused("/api/v1/search", {{"query", 42}}, 400, "query");
  ExpectRefused("/api/v1/search", {{"query", "NIFTY"}, {"exchange", "XX"}}, 400, "exchange");
}

TEST_F(OpenAlgoMarketRoutesTest, ExpiryAndInstruments) {
  json::object options =
      Call("/api/v1/expiry", {{"symbol", "NIFTY"}, {"exchange", "NFO"}, {"instrumenttype", "options"}});
  auto chain = market_->Chain(InstrumentId::Of("NSE_INDEX:NIFTY"));
  ASSERT_TRUE(chain.ok());
  const json::array& dates = options.at("data").as_array();
  ASSERT_EQ(dates.size(), chain->expiries.size());
  const std::string first = Expiry(chain->expiries.front());
  EXPECT_EQ(Str(dates[0]), first.substr(0, 2) + "-" + first.substr(2, 3) + "-" + first.substr(5));
  json::object futures =
      Call("/api/v1/expiry", {{"symbol", "NIFTY"}, {"exchange", "NFO"}, {"instrumenttype", "futures"}});
  // NIFTY monthlies from September 2025 are the last Tuesday: 30-Sep, 28-Oct, 25-Nov.
  const json::array& months = futures.at("data").as_array();
  ASSERT_EQ(months.size(), 3u);
  EXPECT_EQ(Str(months[0]), "30-SEP-25");
  EXPECT_EQ(Str(months[1]), "28-OCT-25");
  EXPECT_EQ(Str(months[2]), "25-NOV-25");
  // A listed future has a symbol record (terms, no prices).
  EXPECT_EQ(
      Str(Call("/api/v1/symbol", {{"symbol", "NIFTY28OCT25FUT"}, {"exchange", "NFO"}}).at("data").at("instrumenttype")),
      "FUT");

  ExpectRefused("/api/v1/expiry", {{"symbol", "NIFTY"}, {"exchange", "NSE"}, {"instrumenttype", "options"}}, 400,
                "exchange");
  ExpectRefused("/api/v1/expiry", {{"symbol", "NIFTY"}, {"exchange", "NFO"}, {"instrumenttype", "swaps"}}, 400,
                "instrumenttype");
  ExpectRefused("/api/v1/expiry", {{"symbol", "NIFTY"}, {"exchange", "NFO"}}, 400, "instrumenttype");
  ExpectRefused("/api/v1/expiry", {{"symbol", "TCS"}, {"exchange", "NFO"}, {"instrumenttype", "options"}}, 404,
                "symbol");
  ExpectRefused("/api/v1/expiry", {{"symbol", "NIFTY"}, {"exchange", "BFO"}, {"instrumenttype", "options"}}, 404,
                "symbol");

  HttpResult all = Get("/api/v1/instruments?apikey=" + key_);
  ASSERT_EQ(all.status, 200) << all.body;
  json::object listing = json::parse(all.body).as_object();
  std::set<std::string> exchanges;
  for (const auto& row : listing.at("data").as_array()) {
    exchanges.insert(Str(row.at("exchange")));
    EXPECT_FALSE(row.as_object().contains("id"));
  }
  EXPECT_TRUE(exchanges.contains("NSE_INDEX") && exchanges.contains("NFO") && exchanges.contains("BFO") &&
              exchanges.contains("US") && exchanges.contains("OPRA"));
  HttpResult nfo = Get("/api/v1/instruments?exchange=NFO&format=csv&apikey=" + key_);
  ASSERT_EQ(nfo.status, 200);
  EXPECT_EQ(nfo.Header("content-type").rfind("text/csv", 0), 0u);
  EXPECT_EQ(nfo.body.rfind("symbol,brsymbol,name,exchange,brexchange,token,expiry,strike,lotsize,instrumenttype,"
                           "tick_size\n",
                           0),
            0u);
  EXPECT_EQ(nfo.body.find(",BFO,"), std::string::npos);
  EXPECT_NE(nfo.body.find("," + AtmSymbol(OptionRight::kCall) + ","), std::string::npos);
  HttpResult bad_format = Get("/api/v1/instruments?format=xml&apikey=" + key_);
  EXPECT_EQ(bad_format.status, 400);
  EXPECT_EQ(Str(json::parse(bad_format.body).at("error").at("field")), "format");
  EXPECT_EQ(Get("/api/v1/instruments?exchange=MARS&apikey=" + key_).status, 400);
}

TEST_F(OpenAlgoMarketRoutesTest, OptionSymbolResolvesOffsets) {
  const ExpirySlice slice = NiftyFront();
  json::object atm = Call("/api/v1/optionsymbol", {{"underlying", "NIFTY"},
                                                   {"exchange", "NSE_INDEX"},
                                                   {"expiry_date", Expiry(slice)},
                                                   {"offset", "ATM"},
                                                   {"option_type", "CE"}});
  EXPECT_EQ(Str(atm.at("symbol")), AtmSymbol(OptionRight::kCall));
  EXPECT_EQ(Str(atm.at("exchange")), "NFO");
  EXPECT_EQ(atm.at("lotsize").to_number<double>(), 65);
  EXPECT_TRUE(atm.contains("freeze_qty") && atm.contains("tick_size"));
  EXPECT_NEAR(Num(atm.at("underlying_ltp")), NiftyLtp(), 1e-9);
  // Calls in the money are lower strikes, puts higher; strike_int walks the same 50-point grid.
  json::object itm_call =
      Call("/api/v1/optionsymbol",
           {{"underlying", "NIFTY"}, {"exchange", "NSE_INDEX"}, {"offset", "ITM2"}, {"option_type", "ce"}});
  EXPECT_EQ(Str(itm_call.at("symbol")), AtmSymbol(OptionRight::kCall, -2));
  json::object itm_put = Call(
      "/api/v1/optionsymbol",
      {{"underlying", "NIFTY"}, {"exchange", "NFO"}, {"offset", "ITM2"}, {"option_type", "PE"}, {"strike_int", "50"}});
  EXPECT_EQ(Str(itm_put.at("symbol")), AtmSymbol(OptionRight::kPut, 2));
  json::object otm_put = Call("/api/v1/optionsymbol", {{"underlying", "NIFTY"},
                                                       {"exchange", "NSE_INDEX"},
                                                       {"offset", "OTM3"},
                                                       {"option_type", "PE"},
                                                       {"strike_int", 50}});
  EXPECT_EQ(Str(otm_put.at("symbol")), AtmSymbol(OptionRight::kPut, -3));

  const json::object base{{"underlying", "NIFTY"}, {"exchange", "NSE_INDEX"}, {"offset", "ATM"}, {"option_type", "CE"}};
  auto with = [&](std::string_view key, json::value value) {
    json::object body = base;
    body[key] = std::move(value);
    return body;
  };
  ExpectRefused("/api/v1/optionsymbol", with("offset", "ITM51"), 400, "offset");
  ExpectRefused("/api/v1/optionsymbol", with("offset", "OTM0"), 400, "offset");
  ExpectRefused("/api/v1/optionsymbol", with("offset", "ATM+1"), 400, "offset");
  ExpectRefused("/api/v1/optionsymbol", with("option_type", "XE"), 400, "option_type");
  ExpectRefused("/api/v1/optionsymbol", with("expiry_date", "2025-09-30"), 400, "expiry_date");
  ExpectRefused("/api/v1/optionsymbol", with("expiry_date", "31FEB26"), 400, "expiry_date");
  ExpectRefused("/api/v1/optionsymbol", with("expiry_date", "01JAN30"), 404, "expiry_date");
  ExpectRefused("/api/v1/optionsymbol", with("strike_int", "-50"), 400, "strike_int");
  ExpectRefused("/api/v1/optionsymbol", with("strike_int", "abc"), 400, "strike_int");
  ExpectRefused("/api/v1/optionsymbol", with("strike_int", 0), 400, "strike_int");
  ExpectRefused("/api/v1/optionsymbol", with("strike_int", 37), 404, "strike_int");
  ExpectRefused("/api/v1/optionsymbol", with("underlying", "TCS"), 404, "underlying");
  ExpectRefused("/api/v1/optionsymbol", with("exchange", "BSE_INDEX"), 404, "exchange");
  ExpectRefused("/api/v1/optionsymbol", with("exchange", "MCX"), 400, "exchange");
  json::object missing = base;
  missing.erase("offset");
  ExpectRefused("/api/v1/optionsymbol", missing, 400, "offset");
}

TEST_F(OpenAlgoMarketRoutesTest, OptionChainAndSyntheticFuture) {
  const ExpirySlice slice = NiftyFront();
  json::object answer =
      Call("/api/v1/optionchain",
           {{"underlying", "NIFTY"}, {"exchange", "NSE_INDEX"}, {"expiry_date", Expiry(slice)}, {"strike_count", 5}});
  EXPECT_EQ(Str(answer.at("underlying")), "NIFTY");
  EXPECT_EQ(Str(answer.at("expiry_date")), Expiry(slice));
  const double atm = Num(answer.at("atm_strike"));
  const json::array& rows = answer.at("chain").as_array();
  ASSERT_EQ(rows.size(), 11u);
  EXPECT_DOUBLE_EQ(Num(rows[5].at("strike")), atm);
  EXPECT_EQ(Str(rows[5].at("ce").at("label")), "ATM");
  EXPECT_EQ(Str(rows[3].at("ce").at("label")), "ITM2");
  EXPECT_EQ(Str(rows[3].at("pe").at("label")), "OTM2");
  EXPECT_EQ(Str(rows[10].at("pe").at("label")), "ITM5");
  for (const char* key : {"symbol", "label", "ltp", "bid", "ask", "open", "high", "low", "prev_close", "volume", "oi",
                          "lotsize", "tick_size"}) {
    EXPECT_TRUE(rows[0].at("ce").as_object().contains(key)) << key;
  }
  EXPECT_EQ(Str(rows[5].at("ce").at("symbol")), AtmSymbol(OptionRight::kCall));
  // strike_count as a numeric string is accepted; the full chain without it.
  EXPECT_EQ(Call("/api/v1/optionchain",
                 {{"underlying", "NIFTY"}, {"exchange", "NFO"}, {"expiry_date", Expiry(slice)}, {"strike_count", "2"}})
                .at("chain")
                .as_array()
                .size(),
            5u);
  EXPECT_EQ(Call("/api/v1/optionchain", {{"underlying", "NIFTY"}, {"exchange", "NFO"}, {"expiry_date", Expiry(slice)}})
                .at("chain")
                .as_array()
                .size(),
            slice.rows.size());

  json::object synthetic = Call("/api/v1/syntheticfuture",
                                {{"underlying", "NIFTY"}, {"exchange", "NSE_INDEX"}, {"expiry_date", Expiry(slice)}});
  const double call = Num(rows[5].at("ce").at("ltp"));
  const double put = Num(rows[5].at("pe").at("ltp"));
  EXPECT_DOUBLE_EQ(Num(synthetic.at("atm_strike")), atm);
  EXPECT_NEAR(Num(synthetic.at("synthetic_future_price")), atm + call - put, 1e-6);
  EXPECT_EQ(Str(synthetic.at("expiry")), Expiry(slice));
  // The forward sits within a few points of the spot a week out.
  EXPECT_NEAR(Num(synthetic.at("synthetic_future_price")), NiftyLtp(), NiftyLtp() * 0.01);

  const json::object base{{"underlying", "NIFTY"}, {"exchange", "NSE_INDEX"}, {"expiry_date", Expiry(slice)}};
  auto with = [&](std::string_view key, json::value value) {
    json::object body = base;
    body[key] = std::move(value);
    return body;
  };
  ExpectRefused("/api/v1/optionchain", with("strike_count", 0), 400, "strike_count");
  ExpectRefused("/api/v1/optionchain", with("strike_count", 101), 400, "strike_count");
  ExpectRefused("/api/v1/optionchain", with("strike_count", 2.5), 400, "strike_count");
  ExpectRefused("/api/v1/optionchain", with("strike_count", "-3"), 400, "strike_count");
  ExpectRefused("/api/v1/optionchain", with("expiry_date", "30SEPT25"), 400, "expiry_date");
  ExpectRefused("/api/v1/optionchain", with("underlying", ""), 400, "underlying");
  json::object no_expiry = base;
  no_expiry.erase("expiry_date");
  ExpectRefused("/api/v1/optionchain", no_expiry, 400, "expiry_date");
  ExpectRefused("/api/v1/syntheticfuture", no_expiry, 400, "expiry_date");
  ExpectRefused("/api/v1/syntheticfuture", with("expiry_date", "02JAN29"), 404, "expiry_date");
}

TEST_F(OpenAlgoMarketRoutesTest, OptionGreeksAreBlack76OnTheMarketsOwnPrices) {
  const std::string call = AtmSymbol(OptionRight::kCall);
  const std::string put = AtmSymbol(OptionRight::kPut);
  json::object c = Call("/api/v1/optiongreeks", {{"symbol", call}, {"exchange", "NFO"}});
  json::object p = Call("/api/v1/optiongreeks", {{"symbol", put}, {"exchange", "NFO"}, {"interest_rate", "6.5"}});
  for (const char* key : {"symbol", "exchange", "underlying", "strike", "option_type", "expiry_date", "days_to_expiry",
                          "spot_price", "option_price", "interest_rate", "implied_volatility", "greeks"}) {
    EXPECT_TRUE(c.contains(key)) << key;
  }
  EXPECT_EQ(Str(c.at("option_type")), "CE");
  EXPECT_EQ(Str(c.at("underlying")), "NIFTY");
  EXPECT_EQ(Str(c.at("forward_source")), "synthetic_future");
  EXPECT_DOUBLE_EQ(Num(p.at("interest_rate")), 6.5);
  const double iv = Num(c.at("implied_volatility"));
  EXPECT_GT(iv, 5);
  EXPECT_LT(iv, 60);
  EXPECT_GT(Num(c.at("greeks").at("delta")), 0.3);
  EXPECT_LT(Num(c.at("greeks").at("delta")), 0.7);
  EXPECT_LT(Num(p.at("greeks").at("delta")), -0.3);
  EXPECT_GT(Num(c.at("greeks").at("gamma")), 0);
  EXPECT_LT(Num(c.at("greeks").at("theta")), 0);
  EXPECT_GT(Num(c.at("greeks").at("vega")), 0);
  // Days to the expiry's 15:30 IST close from 11:30 IST.
  const ExpirySlice slice = NiftyFront();
  const double days =
      static_cast<double>(DaysFromCivil(slice.expiry) - DaysFromCivil(CivilDate{2025, 9, 17})) + 4.0 / 24.0;
  EXPECT_NEAR(Num(c.at("days_to_expiry")), days, 1e-4);
  // The answer reprices: Black-76 at the returned IV and forward gives the option price back (IV is rounded to
  // 0.01 %, so within vega x 0.005 points).
  const options::Black76Market market{Num(c.at("forward_price")), Num(c.at("strike")), days / 365.0, 0.0};
  const double repriced = options::Black76Price(options::OptionType::kCall, market, iv / 100.0);
  EXPECT_NEAR(repriced, Num(c.at("option_price")), Num(c.at("greeks").at("vega")) * 0.006 + 0.01);
  // A forward given by the client is used as given.
  json::object forward =
      Call("/api/v1/optiongreeks",
           {{"symbol", call}, {"exchange", "NFO"}, {"forward_price", Num(c.at("forward_price")) + 100}});
  EXPECT_EQ(Str(forward.at("forward_source")), "forward_price");
  EXPECT_GT(Num(forward.at("greeks").at("delta")), Num(c.at("greeks").at("delta")));
  // A later expiry_time leaves more time.
  json::object later = Call("/api/v1/optiongreeks", {{"symbol", call}, {"exchange", "NFO"}, {"expiry_time", "23:30"}});
  EXPECT_NEAR(Num(later.at("days_to_expiry")) - Num(c.at("days_to_expiry")), 8.0 / 24.0, 1e-3);

  const json::object base{{"symbol", call}, {"exchange", "NFO"}};
  auto with = [&](std::string_view key, json::value value) {
    json::object body = base;
    body[key] = std::move(value);
    return body;
  };
  ExpectRefused("/api/v1/optiongreeks", with("interest_rate", -1), 400, "interest_rate");
  ExpectRefused("/api/v1/optiongreeks", with("interest_rate", "abc"), 400, "interest_rate");
  ExpectRefused("/api/v1/optiongreeks", with("interest_rate", 101), 400, "interest_rate");
  ExpectRefused("/api/v1/optiongreeks", with("expiry_time", "25:00"), 400, "expiry_time");
  ExpectRefused("/api/v1/optiongreeks", with("expiry_time", "3pm"), 400, "expiry_time");
  ExpectRefused("/api/v1/optiongreeks", with("forward_price", 0), 400, "forward_price");
  ExpectRefused("/api/v1/optiongreeks", with("exchange", "NSE"), 400, "exchange");
  ExpectRefused("/api/v1/optiongreeks", with("symbol", "NIFTY"), 404, "symbol");
  ExpectRefused("/api/v1/optiongreeks", with("underlying_symbol", "NIFTY"), 400, "underlying_exchange");
  // Greeks against a named underlying: the index itself.
  json::object named = with("underlying_symbol", "NIFTY");
  named["underlying_exchange"] = "NSE_INDEX";
  EXPECT_NEAR(Num(Call("/api/v1/optiongreeks", named).at("spot_price")), NiftyLtp(), 1e-9);
}

TEST_F(OpenAlgoMarketRoutesTest, MultiOptionGreeks) {
  json::array symbols{json::object{{"symbol", AtmSymbol(OptionRight::kCall)}, {"exchange", "NFO"}},
                      json::object{{"symbol", AtmSymbol(OptionRight::kPut)}, {"exchange", "NFO"}},
                      json::object{{"symbol", "NIFTY30SEP2599999CE"}, {"exchange", "NFO"}}};
  json::object answer = Call("/api/v1/multioptiongreeks", {{"symbols", symbols}, {"interest_rate", 0}});
  EXPECT_EQ(Str(answer.at("status")), "partial");
  EXPECT_EQ(answer.at("summary").at("total").to_number<int>(), 3);
  EXPECT_EQ(answer.at("summary").at("success").to_number<int>(), 2);
  EXPECT_EQ(answer.at("summary").at("failed").to_number<int>(), 1);
  const json::array& data = answer.at("data").as_array();
  EXPECT_EQ(Str(data[0].at("status")), "success");
  EXPECT_EQ(Str(data[2].at("status")), "error");
  json::object single = Call("/api/v1/optiongreeks", {{"symbol", AtmSymbol(OptionRight::kCall)}, {"exchange", "NFO"}});
  EXPECT_EQ(json::serialize(data[0].at("greeks")), json::serialize(single.at("greeks")));

  json::object none = Call("/api/v1/multioptiongreeks", {{"symbols", json::array{symbols[2]}}}, 400);
  EXPECT_EQ(Str(none.at("status")), "error");
  ExpectRefused("/api/v1/multioptiongreeks", {{"symbols", json::array{}}}, 400, "symbols");
  json::array many;
  for (int i = 0; i < 51; ++i) {
    many.push_back(symbols[0]);
  }
  ExpectRefused("/api/v1/multioptiongreeks", {{"symbols", many}}, 400, "symbols");
  ExpectRefused("/api/v1/multioptiongreeks",
                {{"symbols", json::array{json::object{{"symbol", "X"}, {"exchange", "NSE"}}}}}, 400,
                "symbols[0].exchange");
  ExpectRefused("/api/v1/multioptiongreeks", {{"symbols", json::array{"NIFTY"}}}, 400, "symbols[0]");
  ExpectRefused("/api/v1/multioptiongreeks", {{"symbols", symbols}, {"interest_rate", "x"}}, 400, "interest_rate");
}

TEST_F(OpenAlgoMarketRoutesTest, HolidaysAndTimingsComeFromTheExchangeCalendars) {
  json::object year = Call("/api/v1/market/holidays", {{"year", 2025}});
  EXPECT_EQ(year.at("year").as_int64(), 2025);
  EXPECT_EQ(Str(year.at("timezone")), "Asia/Kolkata");
  bool gandhi = false;
  for (const auto& day : year.at("data").as_array()) {
    EXPECT_EQ(Str(day.at("date")).substr(0, 4), "2025");
    if (Str(day.at("date")) == "2025-10-02") {
      gandhi = true;
      EXPECT_EQ(Str(day.at("holiday_type")), "TRADING_HOLIDAY");
      EXPECT_FALSE(day.at("closed_exchanges").as_array().empty());
      EXPECT_TRUE(day.at("open_exchanges").as_array().empty());
    }
  }
  EXPECT_TRUE(gandhi) << "Gandhi Jayanti 2025 is an NSE holiday";
  // The year defaults to the current one (2025 at the test clock); numeric strings are accepted.
  EXPECT_EQ(Call("/api/v1/market/holidays", {}).at("year").as_int64(), 2025);
  EXPECT_EQ(Call("/api/v1/market/holidays", {{"year", "2026"}}).at("year").as_int64(), 2026);
  ExpectRefused("/api/v1/market/holidays", {{"year", 2019}}, 400, "year");
  ExpectRefused("/api/v1/market/holidays", {{"year", 2051}}, 400, "year");
  ExpectRefused("/api/v1/market/holidays", {{"year", 2025.5}}, 400, "year");
  ExpectRefused("/api/v1/market/holidays", {{"year", "twenty"}}, 400, "year");
  ExpectRefused("/api/v1/market/holidays", {{"year", 2045}}, 404, "year");

  json::object day = Call("/api/v1/market/timings", {{"date", "2025-09-17"}});
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> sessions;
  for (const auto& entry : day.at("data").as_array()) {
    sessions[Str(entry.at("exchange"))] = {entry.at("start_time").as_int64(), entry.at("end_time").as_int64()};
  }
  EXPECT_EQ(sessions.at("NSE").first, UnixNanos::ParseIso8601("2025-09-17T03:45:00Z")->millis());
  EXPECT_EQ(sessions.at("NFO").second, UnixNanos::ParseIso8601("2025-09-17T10:00:00Z")->millis());
  EXPECT_EQ(sessions.at("US").first, UnixNanos::ParseIso8601("2025-09-17T13:30:00Z")->millis());
  // On an NSE/BSE holiday only the US session is listed.
  json::object holiday = Call("/api/v1/market/timings", {{"date", "2025-10-02"}});
  ASSERT_EQ(holiday.at("data").as_array().size(), 1u);
  EXPECT_EQ(Str(holiday.at("data").at(0).at("exchange")), "US");
  EXPECT_TRUE(Call("/api/v1/market/timings", {{"date", "2025-09-20"}}).at("data").as_array().empty());
  ExpectRefused("/api/v1/market/timings", {{"date", "17-09-2025"}}, 400, "date");
  ExpectRefused("/api/v1/market/timings", {{"date", "2025-02-30"}}, 400, "date");
  ExpectRefused("/api/v1/market/timings", {{"date", 20250917}}, 400, "date");
  ExpectRefused("/api/v1/market/timings", {}, 400, "date");
  ExpectRefused("/api/v1/market/timings", {{"date", "2045-01-02"}}, 404, "date");
}

TEST_F(OpenAlgoMarketRoutesTest, TickerServesBarsAsJsonAndAmiBrokerText) {
  const std::string base = "/api/v1/ticker/NSE_INDEX:NIFTY?apikey=" + key_;
  HttpResult json_bars = Get(base + "&interval=5m&from=2025-09-16&to=2025-09-16");
  ASSERT_EQ(json_bars.status, 200) << json_bars.body;
  auto expected =
      market_->Bars(InstrumentId::Of("NSE_INDEX:NIFTY"), *BarSpec::Parse("5m"),
                    *UnixNanos::ParseIso8601("2025-09-16T00:00:00Z"), *UnixNanos::ParseIso8601("2025-09-17T00:00:00Z"));
  ASSERT_TRUE(expected.ok() && !expected->empty());
  const json::value parsed = json::parse(json_bars.body);
  const json::array& data = parsed.at("data").as_array();
  ASSERT_EQ(data.size(), expected->size());
  EXPECT_EQ(data[0].at("timestamp").as_int64(), expected->front().ts_event.seconds());
  EXPECT_EQ(Num(data[0].at("open")), expected->front().open.AsDouble());
  EXPECT_EQ(Num(data.back().at("close")), expected->back().close.AsDouble());

  // AmiBroker text in IST: the first 5-minute bar of the session starts 09:15.
  HttpResult text = Get(base + "&interval=5m&from=2025-09-16&to=2025-09-16&format=txt");
  ASSERT_EQ(text.status, 200);
  EXPECT_EQ(text.Header("content-type").rfind("text/plain", 0), 0u);
  EXPECT_EQ(text.body.rfind("NSE_INDEX:NIFTY,2025-09-16,09:15:00," + expected->front().open.ToString() + ",", 0), 0u)
      << text.body.substr(0, 80);
  HttpResult daily = Get(base + "&format=txt&from=2025-09-01&to=2025-09-05&sort=desc");
  ASSERT_EQ(daily.status, 200);
  EXPECT_EQ(daily.body.rfind("NSE_INDEX:NIFTY,2025-09-05,", 0), 0u) << daily.body;
  EXPECT_EQ(std::count(daily.body.begin(), daily.body.end(), '\n'), 5);  // five sessions, newest first

  // The key may come as X-API-KEY; without one it is OpenAlgo's 403.
  RawConnection connection;
  ASSERT_TRUE(connection.Connect(server_->port()));
  connection.Send(BuildRequest("GET", "/api/v1/ticker/NSE_INDEX:NIFTY?interval=D&from=2025-09-01&to=2025-09-05",
                               "X-API-KEY: " + key_ + "\r\n"));
  EXPECT_EQ(connection.ReadResponse().status, 200);
  EXPECT_EQ(Get("/api/v1/ticker/NSE_INDEX:NIFTY").status, 403);

  auto refused = [&](const std::string& query, int status, const std::string& field) {
    HttpResult result = Get(base + query);
    EXPECT_EQ(result.status, status) << query << " " << result.body;
    EXPECT_EQ(Str(json::parse(result.body).at("error").at("field")), field) << query;
  };
  refused("&interval=7x", 400, "interval");
  refused("&from=2025/09/16", 400, "from");
  refused("&to=yesterday", 400, "to");
  refused("&sort=up", 400, "sort");
  refused("&adjusted=maybe", 400, "adjusted");
  refused("&format=xml", 400, "format");
  refused("&from=2025-09-10&to=2025-09-01", 400, "from");
  HttpResult unknown = Get("/api/v1/ticker/NSE:NOSUCH?apikey=" + key_);
  EXPECT_EQ(unknown.status, 404);
  HttpResult text_error = Get("/api/v1/ticker/NSE:NOSUCH?format=txt&apikey=" + key_);
  EXPECT_EQ(text_error.status, 404);
  EXPECT_EQ(text_error.body, "unknown symbol NSE:NOSUCH\n");
}

}  // namespace
}  // namespace td::api
