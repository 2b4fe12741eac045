// SPDX-License-Identifier: MIT
#include "api/openalgo_routes.hpp"

#include <atomic>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>

#include "api/auth_context.hpp"
#include "api/error_response.hpp"
#include "api/json_body.hpp"
#include "api/json_writer.hpp"
#include "api/openalgo_edge.hpp"
#include "api/openalgo_order_routes.hpp"
#include "api/openalgo_response.hpp"
#include "api/router.hpp"
#include "calendar/local_time.hpp"
#include "system/trading_service.hpp"

namespace td::api {
namespace {

namespace json = boost::json;
using namespace openalgo;
using system::OrderRequest;
using system::TradingService;

/// The analyzer toggle's state. tradedesk runs the paper broker whatever it says (see docs/openalgo-api.md).
struct AnalyzerState {
  std::atomic<bool> analyze_mode{true};
};

/// What the order and account handlers share.
struct Context {
  TradingService& trading;
  Authenticator authenticator;
  std::shared_ptr<RateLimiter> rate_limiter;
  std::shared_ptr<AnalyzerState> analyzer;
};

using OpenAlgoHandler = Response (*)(Context&, const Caller&, const Request&, const json::object&);

Handler Guard(const std::shared_ptr<Context>& context, OpenAlgoHandler handler) {
  return Guarded(context->authenticator, context->rate_limiter,
                 [context, handler](const Caller& caller, const Request& request, const json::object& body) {
                   return handler(*context, caller, request, body);
                 });
}

// --- handlers ---

Response PlaceOrder(Context& context, const Caller& caller, const Request& request, const json::object& body) {
  Fields fields(body);
  OrderFields order = ReadOrderFields(fields, 1, false);
  std::string key = IdempotencyKey(request, caller, "placeorder", fields.errors());
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  auto placed = context.trading.Place(ToRequest(order, std::move(key)));
  if (!placed.ok()) {
    return EdgeError(placed.error());
  }
  return PlacedResponse(*placed);
}

Response PlaceSmartOrder(Context& context, const Caller& caller, const Request& request, const json::object& body) {
  Fields fields(body);
  OrderFields order = ReadOrderFields(fields, 0, false);
  auto position_size = fields.Whole("position_size", true, -kMaxUnits);
  std::string key = IdempotencyKey(request, caller, "placesmartorder", fields.errors());
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  // The target decides direction and size; `quantity` and `action` are validated but the target wins.
  OrderRequest smart = ToRequest(order, std::move(key));
  auto answer = context.trading.PlaceSmart(smart, *position_size * kFixedScale);
  if (!answer.ok()) {
    return EdgeError(answer.error());
  }
  if (!answer->second.has_value()) {
    JsonWriter json;
    WriteSuccessHead(json);
    json.Key("message").String("No action required");
    WriteMode(json);
    json.EndObject();
    return Response::Json(json.Take());
  }
  return PlacedResponse(*answer->second);
}

std::optional<ClientOrderId> ReadOrderId(Fields& fields) {
  auto text = fields.Text("orderid", true);
  if (!text) {
    return std::nullopt;
  }
  auto id = ClientOrderId::Parse(*text);
  if (!id.ok()) {
    fields.Fail("orderid", "is not a valid order id: '" + *text + "'");
    return std::nullopt;
  }
  return *id;
}

Response ModifyOrder(Context& context, const Caller& caller, const Request& request, const json::object& body) {
  Fields fields(body);
  auto id = ReadOrderId(fields);
  OrderFields terms = ReadOrderFields(fields, 1, true);
  std::string key = IdempotencyKey(request, caller, "modifyorder", fields.errors());
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  auto existing = context.trading.FindOrder(*id);
  if (!existing.ok()) {
    return EdgeError(existing.error());
  }
  // The order's identity cannot change through a modify: say which field disagrees.
  if (existing->instrument_id != *terms.instrument) {
    fields.Fail("symbol", "does not match order " + id->str() + " (" + existing->instrument_id.str() + ")");
  }
  if (existing->side != *terms.side) {
    fields.Fail("action", "does not match order " + id->str() + " (" + std::string(ToString(existing->side)) + ")");
  }
  if (existing->product != *terms.product) {
    fields.Fail("product",
                "does not match order " + id->str() + " (" + std::string(ToString(existing->product)) + ")");
  }
  if (existing->type != *terms.type) {
    fields.Fail("pricetype", "cannot change from " + std::string(ToString(existing->type)) + " to " +
                                 std::string(ToString(*terms.type)) + "; cancel and place a new order");
  }
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  const OrderType type = existing->type;
  std::optional<Price> price = NeedsLimitPrice(type) ? terms.price : std::nullopt;
  std::optional<Price> trigger = NeedsTriggerPrice(type) ? terms.trigger_price : std::nullopt;
  auto status = context.trading.Modify(*id, Quantity::FromUnits(*terms.quantity), price, trigger, std::move(key));
  if (!status.ok()) {
    return EdgeError(status.error());
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("orderid").String(id->value());
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
}

Response CancelOrder(Context& context, const Caller& caller, const Request& request, const json::object& body) {
  Fields fields(body);
  (void)fields.Text("strategy", false);
  auto id = ReadOrderId(fields);
  std::string key = IdempotencyKey(request, caller, "cancelorder", fields.errors());
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  if (auto status = context.trading.Cancel(*id, std::move(key)); !status.ok()) {
    return EdgeError(status.error());
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("orderid").String(id->value());
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
}

Response CancelAllOrders(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  (void)fields.Text("strategy", false);
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  const system::BulkResult result = context.trading.CancelAll();
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("message").String("Canceled " + std::to_string(result.done.size()) + " orders. Failed to cancel " +
                             std::to_string(result.failed.size()) + " orders.");
  json.Key("canceled_orders").BeginArray();
  for (const auto& id : result.done) {
    json.String(id.value());
  }
  json.EndArray();
  json.Key("failed_cancellations").BeginArray();
  for (const auto& [id, reason] : result.failed) {
    json.BeginObject();
    json.Key("orderid").String(id.value());
    json.Key("reason").String(reason);
    json.EndObject();
  }
  json.EndArray();
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
}

Response ClosePosition(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  (void)fields.Text("strategy", false);
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  auto result = context.trading.CloseAllPositions();
  if (!result.ok()) {
    return EdgeError(result.error());
  }
  if (!result->failed.empty()) {
    std::string message = "Failed to close " + std::to_string(result->failed.size()) + " position(s):";
    for (const auto& [id, reason] : result->failed) {
      message += " " + reason + ";";
    }
    return OpenAlgoError(Error::InvalidArgument(message));
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("message").String(result->done.empty() ? "No open positions to close" : "All Open Positions Squared Off");
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
}

void WriteOrderCore(JsonWriter& json, const system::OrderView& order, const system::InstrumentDisplay& display) {
  json.Key("action").String(ToString(order.side));
  json.Key("symbol").String(order.instrument_id.symbol());
  json.Key("exchange").String(order.instrument_id.exchange());
  json.Key("orderid").String(order.order_id.value());
  json.Key("product").String(ToString(order.product));
  json.Key("quantity").Double(QuantityNumber(order.quantity));
  json.Key("price").Double(order.price ? Rounded(order.price->AsDouble(), display.price_precision) : 0.0);
  json.Key("pricetype").String(ToString(order.type));
  json.Key("order_status").String(system::OpenAlgoStatus(order.status));
  json.Key("trigger_price")
      .Double(order.trigger_price ? Rounded(order.trigger_price->AsDouble(), display.price_precision) : 0.0);
  json.Key("average_price").Double(Rounded(order.avg_px, display.price_precision));
  json.Key("timestamp").String(OpenAlgoTime(order.ts_created, display.time_zone));
}

Response OrderStatusRoute(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  (void)fields.Text("strategy", false);
  auto id = ReadOrderId(fields);
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  auto order = context.trading.FindOrder(*id);
  if (!order.ok()) {
    return EdgeError(order.error());
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("data").BeginObject();
  WriteOrderCore(json, *order, context.trading.Display(order->instrument_id));
  json.Key("filled_quantity").Double(QuantityNumber(order->filled_qty));
  if (!order->reason.empty()) {
    json.Key("reason").String(order->reason);
  }
  json.EndObject();
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
}

Response OpenPosition(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  (void)fields.Text("strategy", false);
  auto exchange = fields.Text("exchange", true);
  auto symbol = fields.Text("symbol", true);
  auto product_text = fields.Text("product", true);
  std::optional<InstrumentId> id;
  if (exchange && symbol) {
    auto made = InstrumentId::Make(*exchange, *symbol);
    if (made.ok()) {
      id = *made;
    } else {
      fields.Fail("symbol", "'" + *symbol + "' on '" + *exchange + "' is not a valid symbol");
    }
  }
  std::optional<Product> product;
  if (product_text) {
    auto parsed = ParseProduct(*product_text);
    if (parsed.ok()) {
      product = *parsed;
    } else {
      fields.Fail("product", "must be MIS, CNC or NRML, was '" + *product_text + "'");
    }
  }
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  auto net = context.trading.NetPosition(*id, *product);
  if (!net.ok()) {
    return EdgeError(net.error());
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("quantity").String(QuantityText(*net));
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
}

Response OrderBook(Context& context, const Caller&, const Request&, const json::object&) {
  auto orders = context.trading.Orders();
  if (!orders.ok()) {
    return EdgeError(orders.error());
  }
  std::int64_t buys = 0, sells = 0, completed = 0, open = 0, rejected = 0;
  JsonWriter json(256 + orders->size() * 300);
  WriteSuccessHead(json);
  json.Key("data").BeginObject();
  json.Key("orders").BeginArray();
  for (const auto& order : *orders) {
    json.BeginObject();
    WriteOrderCore(json, order, context.trading.Display(order.instrument_id));
    json.EndObject();
    (order.side == Side::kBuy ? buys : sells) += 1;
    const std::string_view status = system::OpenAlgoStatus(order.status);
    completed += status == "complete";
    open += status == "open" || status == "pending";
    rejected += status == "rejected";
  }
  json.EndArray();
  json.Key("statistics").BeginObject();
  json.Key("total_buy_orders").Int(buys);
  json.Key("total_sell_orders").Int(sells);
  json.Key("total_completed_orders").Int(completed);
  json.Key("total_open_orders").Int(open);
  json.Key("total_rejected_orders").Int(rejected);
  json.EndObject();
  json.EndObject();
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
}

Response TradeBook(Context& context, const Caller&, const Request&, const json::object&) {
  auto fills = context.trading.Fills();
  if (!fills.ok()) {
    return EdgeError(fills.error());
  }
  JsonWriter json(128 + fills->size() * 250);
  WriteSuccessHead(json);
  json.Key("data").BeginArray();
  for (const auto& fill : *fills) {
    const system::InstrumentDisplay display = context.trading.Display(fill.instrument_id);
    json.BeginObject();
    json.Key("action").String(ToString(fill.side));
    json.Key("symbol").String(fill.instrument_id.symbol());
    json.Key("exchange").String(fill.instrument_id.exchange());
    json.Key("orderid").String(fill.order_id.value());
    json.Key("tradeid").String(fill.trade_id.value());
    json.Key("product").String(ToString(fill.product));
    json.Key("quantity").Double(QuantityNumber(fill.quantity));
    json.Key("average_price").Double(Rounded(fill.price.AsDouble(), display.price_precision));
    json.Key("timestamp").String(OpenAlgoTime(fill.ts, display.time_zone));
    json.Key("trade_value").Double(Rounded(fill.price.AsDouble() * fill.quantity.AsDouble(), 2));
    json.EndObject();
  }
  json.EndArray();
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
}

Response PositionBook(Context& context, const Caller&, const Request&, const json::object&) {
  auto rows = context.trading.Positions();
  if (!rows.ok()) {
    return EdgeError(rows.error());
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("data").BeginArray();
  for (const auto& row : *rows) {
    const system::InstrumentDisplay display = context.trading.Display(row.instrument_id);
    json.BeginObject();
    json.Key("symbol").String(row.instrument_id.symbol());
    json.Key("exchange").String(row.instrument_id.exchange());
    json.Key("product").String(ToString(row.product));
    json.Key("quantity").String(QuantityText(row.net_raw));
    json.Key("average_price").Double(Rounded(row.avg_px, display.price_precision));
    json.Key("ltp").Double(row.ltp ? Rounded(row.ltp->AsDouble(), display.price_precision) : 0.0);
    json.Key("pnl").Double(Rounded(row.realised_pnl + row.unrealised_pnl, 2));
    json.EndObject();
  }
  json.EndArray();
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
}

Response HoldingsRoute(Context& context, const Caller&, const Request&, const json::object&) {
  auto rows = context.trading.Holdings();
  if (!rows.ok()) {
    return EdgeError(rows.error());
  }
  double holding_value = 0.0, invested = 0.0, pnl_total = 0.0;
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("data").BeginObject();
  json.Key("holdings").BeginArray();
  for (const auto& row : *rows) {
    const double quantity = row.quantity.AsDouble();
    const double cost = row.avg_cost * quantity;
    const double value = row.ltp ? row.ltp->AsDouble() * quantity : cost;
    holding_value += value;
    invested += cost;
    pnl_total += row.pnl;
    json.BeginObject();
    json.Key("symbol").String(row.instrument_id.symbol());
    json.Key("exchange").String(row.instrument_id.exchange());
    json.Key("product").String("CNC");
    json.Key("quantity").Double(quantity);
    json.Key("pnl").Double(Rounded(row.pnl, 2));
    json.Key("pnlpercent").Double(cost != 0.0 ? Rounded(row.pnl / cost * 100.0, 2) : 0.0);
    json.EndObject();
  }
  json.EndArray();
  json.Key("statistics").BeginObject();
  json.Key("totalholdingvalue").Double(Rounded(holding_value, 2));
  json.Key("totalinvvalue").Double(Rounded(invested, 2));
  json.Key("totalprofitandloss").Double(Rounded(pnl_total, 2));
  json.Key("totalpnlpercentage").Double(invested != 0.0 ? Rounded(pnl_total / invested * 100.0, 2) : 0.0);
  json.EndObject();
  json.EndObject();
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
}

Response FundsRoute(Context& context, const Caller&, const Request&, const json::object&) {
  auto funds = context.trading.Funds();
  if (!funds.ok()) {
    return EdgeError(funds.error());
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("data").BeginObject();
  json.Key("availablecash").String(Fixed2(funds->available));
  json.Key("collateral").String(Fixed2(0.0));
  json.Key("m2mrealized").String(Fixed2(funds->realised_pnl));
  json.Key("m2munrealized").String(Fixed2(funds->unrealised_pnl));
  json.Key("utiliseddebits").String(Fixed2(funds->used_margin));
  json.EndObject();
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
}

Response Ping(Context&, const Caller&, const Request&, const json::object&) {
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("data").BeginObject();
  json.Key("broker").String("paper");
  json.Key("message").String("pong");
  json.EndObject();
  json.EndObject();
  return Response::Json(json.Take());
}

void WriteAnalyzerData(JsonWriter& json, bool analyze_mode) {
  json.Key("analyze_mode").Bool(analyze_mode);
  // The answer's mode says what actually executes orders: the paper broker, whatever the toggle says.
  json.Key("mode").String("analyze");
  json.Key("broker").String("paper");
  json.Key("total_logs").Int(0);
}

Response Analyzer(Context& context, const Caller&, const Request&, const json::object&) {
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("data").BeginObject();
  WriteAnalyzerData(json, context.analyzer->analyze_mode.load());
  json.EndObject();
  json.EndObject();
  return Response::Json(json.Take());
}

Response AnalyzerToggle(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  auto mode = fields.Bool("mode");
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  context.analyzer->analyze_mode.store(*mode);
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("data").BeginObject();
  WriteAnalyzerData(json, *mode);
  json.Key("message")
      .String(*mode ? "Analyzer mode switched to analyze"
                    : "Analyzer mode switched to live; this build has no live broker, orders still go to the paper "
                      "broker");
  json.EndObject();
  json.EndObject();
  return Response::Json(json.Take());
}

}  // namespace

void AddOpenAlgoRoutes(Router& router, system::TradingService& trading, const AuthContext& auth) {
  auto context = std::make_shared<Context>(
      Context{trading, auth.authenticator, auth.rate_limiter, std::make_shared<AnalyzerState>()});
  struct Entry {
    const char* path;
    OpenAlgoHandler fn;
    const char* summary;
    const char* operation_id;
    bool consequential;
  };
  const Entry entries[] = {
      {"/api/v1/placeorder", PlaceOrder, "Place an order (OpenAlgo)", "postPlaceOrder", true},
      {"/api/v1/placesmartorder", PlaceSmartOrder, "Trade to a target net position (OpenAlgo)", "postPlaceSmartOrder",
       true},
      {"/api/v1/modifyorder", ModifyOrder, "Modify a working order (OpenAlgo)", "postModifyOrder", true},
      {"/api/v1/cancelorder", CancelOrder, "Cancel an order (OpenAlgo)", "postCancelOrder", true},
      {"/api/v1/cancelallorder", CancelAllOrders, "Cancel every working order (OpenAlgo)", "postCancelAllOrder", true},
      {"/api/v1/closeposition", ClosePosition, "Close every open position (OpenAlgo)", "postClosePosition", true},
      {"/api/v1/orderstatus", OrderStatusRoute, "One order's status (OpenAlgo)", "postOrderStatus", false},
      {"/api/v1/openposition", OpenPosition, "Net position of one symbol and product (OpenAlgo)", "postOpenPosition",
       false},
      {"/api/v1/orderbook", OrderBook, "Order book (OpenAlgo)", "postOrderBook", false},
      {"/api/v1/tradebook", TradeBook, "Trade book (OpenAlgo)", "postTradeBook", false},
      {"/api/v1/positionbook", PositionBook, "Position book (OpenAlgo)", "postPositionBook", false},
      {"/api/v1/holdings", HoldingsRoute, "Holdings (OpenAlgo)", "postHoldings", false},
      {"/api/v1/funds", FundsRoute, "Funds (OpenAlgo)", "postFunds", false},
      {"/api/v1/ping", Ping, "Check the key and the broker (OpenAlgo)", "postPing", false},
      {"/api/v1/analyzer", Analyzer, "Analyzer status (OpenAlgo)", "postAnalyzer", false},
      {"/api/v1/analyzer/toggle", AnalyzerToggle, "Switch the analyzer flag (OpenAlgo)", "postAnalyzerToggle", true},
  };
  for (const Entry& entry : entries) {
    AddEdgeRoute(router, entry.path, Guard(context, entry.fn), entry.summary, entry.operation_id, entry.consequential);
  }
  AddOpenAlgoOrderRoutes(router, trading, auth);  // optionsorder, optionsmultiorder, basketorder, splitorder, margin
}

}  // namespace td::api
