// SPDX-License-Identifier: MIT
#include "api/openalgo_order_routes.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/auth_context.hpp"
#include "api/json_writer.hpp"
#include "api/openalgo_edge.hpp"
#include "api/openalgo_response.hpp"
#include "api/router.hpp"
#include "model/symbology.hpp"
#include "system/trading_service.hpp"

namespace td::api {
namespace {

namespace json = boost::json;
using namespace openalgo;
using system::LegResult;
using system::OptionLegRequest;
using system::OrderRequest;
using system::TradingService;

constexpr std::size_t kMaxLegs = 20;       // optionsmultiorder, as OpenAlgo
constexpr std::size_t kMaxBasket = 100;    // basketorder
constexpr std::size_t kMaxPositions = 50;  // margin, as OpenAlgo

struct Context {
  TradingService& trading;
  Authenticator authenticator;
  std::shared_ptr<RateLimiter> rate_limiter;
};

using OrderRouteHandler = Response (*)(Context&, const Caller&, const Request&, const json::object&);

Handler Guard(const std::shared_ptr<Context>& context, OrderRouteHandler handler) {
  return Guarded(context->authenticator, context->rate_limiter,
                 [context, handler](const Caller& caller, const Request& request, const json::object& body) {
                   return handler(*context, caller, request, body);
                 });
}

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

/// The errors of one element of a list, named by their place in it ("legs[2].offset").
void MoveErrors(std::vector<Error>& into, const std::vector<Error>& from, const std::string& prefix) {
  for (Error error : from) {
    error.field = prefix + error.field;
    error.message = prefix + error.message;
    into.push_back(std::move(error));
  }
}

/// A list of JSON objects with 1..`maximum` entries; nullptr (and an error naming `name`) otherwise.
const json::array* ObjectList(const json::object& body, std::string_view name, std::size_t maximum, Fields& fields) {
  const json::value* value = body.if_contains(name);
  const std::string field(name);
  if (value == nullptr || value->is_null()) {
    fields.Fail(field, "is required");
    return nullptr;
  }
  if (!value->is_array()) {
    fields.Fail(field, "must be a list of objects");
    return nullptr;
  }
  const json::array& list = value->as_array();
  if (list.empty() || list.size() > maximum) {
    fields.Fail(field, "must hold 1 to " + std::to_string(maximum) + " entries, had " + std::to_string(list.size()));
    return nullptr;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_object()) {
      fields.Fail(field + "[" + std::to_string(i) + "]", "must be an object");
      return nullptr;
    }
  }
  return &list;
}

/// OpenAlgo's expiry_date ("28NOV24" or "28-NOV-24"); nullopt when absent (or bad: the error is recorded).
std::optional<CivilDate> ReadExpiry(Fields& fields) {
  auto text = fields.Text("expiry_date", false);
  if (!text || text->empty()) {
    return std::nullopt;
  }
  auto date = ParseOpenAlgoExpiry(*text);
  if (!date.ok()) {
    fields.Fail("expiry_date", "must be DDMMMYY (28NOV24), was '" + *text + "'");
    return std::nullopt;
  }
  return *date;
}

/// "ATM", "ITM1".."ITM50" or "OTM1".."OTM50".
std::optional<std::string> ReadOffset(Fields& fields) {
  auto text = fields.Text("offset", true);
  if (!text) {
    return std::nullopt;
  }
  const std::string offset = Upper(*text);
  bool valid = offset == "ATM";
  if (!valid && offset.size() >= 4 && offset.size() <= 5 && (offset.starts_with("ITM") || offset.starts_with("OTM"))) {
    const std::string digits = offset.substr(3);
    valid = digits.find_first_not_of("0123456789") == std::string::npos && digits.front() != '0' &&
            std::stoi(digits) >= 1 && std::stoi(digits) <= 50;
  }
  if (!valid) {
    fields.Fail("offset", "must be ATM, ITM1..ITM50 or OTM1..OTM50, was '" + *text + "'");
    return std::nullopt;
  }
  return offset;
}

/// One option leg's fields (optionsorder's body, or one entry of optionsmultiorder's legs).
std::optional<OptionLegRequest> ReadLeg(Fields& fields, std::optional<CivilDate> default_expiry) {
  const std::size_t errors_before = fields.errors().size();
  OptionLegRequest leg;
  auto offset = ReadOffset(fields);
  if (auto option_type = fields.Text("option_type", true)) {
    const std::string upper = Upper(*option_type);
    if (upper == "CE") {
      leg.right = OptionRight::kCall;
    } else if (upper == "PE") {
      leg.right = OptionRight::kPut;
    } else {
      fields.Fail("option_type", "must be CE or PE, was '" + *option_type + "'");
    }
  }
  if (auto action = fields.Text("action", true)) {
    auto side = ParseSide(*action);
    if (side.ok()) {
      leg.side = *side;
    } else {
      fields.Fail("action", "must be BUY or SELL, was '" + *action + "'");
    }
  }
  auto quantity = fields.Whole("quantity", true, 1);
  auto split = fields.Whole("splitsize", false, 0, 0);
  auto expiry = ReadExpiry(fields);
  if (auto pricetype = fields.Text("pricetype", false)) {
    const std::string text = pricetype->empty() ? "MARKET" : *pricetype;
    auto type = ParseOrderType(text);
    if (type.ok()) {
      leg.type = *type;
    } else {
      fields.Fail("pricetype", "must be MARKET, LIMIT, SL or SL-M, was '" + text + "'");
    }
  }
  if (auto product = fields.Text("product", false)) {
    const std::string text = product->empty() ? "MIS" : Upper(*product);
    if (text == "MIS") {
      leg.product = Product::kMis;
    } else if (text == "NRML") {
      leg.product = Product::kNrml;
    } else {
      fields.Fail("product", "must be MIS or NRML for options, was '" + *product + "'");
    }
  }
  auto price = fields.Decimal("price", false);
  auto trigger = fields.Decimal("trigger_price", false);
  (void)fields.Whole("disclosed_quantity", false, 0, 0);
  if (price && NeedsLimitPrice(leg.type)) {
    if (!price->is_positive()) {
      fields.Fail("price", "must be above 0 for a " + std::string(ToString(leg.type)) + " order");
    }
    leg.price = *price;
  }
  if (trigger && NeedsTriggerPrice(leg.type)) {
    if (!trigger->is_positive()) {
      fields.Fail("trigger_price", "must be above 0 for a " + std::string(ToString(leg.type)) + " order");
    }
    leg.trigger_price = *trigger;
  }
  if (fields.errors().size() != errors_before || !offset || !quantity) {
    return std::nullopt;
  }
  leg.offset = *offset;
  leg.quantity = Quantity::FromUnits(*quantity);
  leg.split_size = Quantity::FromUnits(split.value_or(0));
  leg.expiry = expiry ? expiry : default_expiry;
  return leg;
}

std::string OptionTypeText(OptionRight right) { return right == OptionRight::kCall ? "CE" : "PE"; }

bool Refused(const system::PlaceResult& placed) {
  return placed.status == execution::OrderStatus::kDenied || placed.status == execution::OrderStatus::kRejected;
}

/// One placed (or refused) order of a list: "status" and the order id, or the reason.
void WriteOutcome(JsonWriter& json, const LegResult& result) {
  if (result.error) {
    json.Key("status").String("error");
    json.Key("message").String(result.error->message);
    if (!result.error->field.empty()) {
      json.Key("field").String(result.error->field);
    }
    return;
  }
  if (!result.placed) {
    json.Key("status").String("error");
    json.Key("message").String("not placed");
    return;
  }
  json.Key("orderid").String(result.placed->order_id.value());
  if (Refused(*result.placed)) {
    json.Key("status").String("error");
    json.Key("message").String(result.placed->reason.empty() ? "order rejected" : result.placed->reason);
  } else {
    json.Key("status").String("success");
  }
}

/// The slices of a split order, as OpenAlgo's splitorder lists them.
void WriteSlices(JsonWriter& json, const std::vector<LegResult>& slices) {
  json.Key("results").BeginArray();
  for (const LegResult& slice : slices) {
    json.BeginObject();
    json.Key("order_num").Int(static_cast<std::int64_t>(slice.index));
    json.Key("quantity").String(QuantityText(slice.quantity.raw()));
    WriteOutcome(json, slice);
    json.EndObject();
  }
  json.EndArray();
}

// --- handlers ---

Response OptionsOrder(Context& context, const Caller& caller, const Request& request, const json::object& body) {
  Fields fields(body);
  auto strategy = fields.Text("strategy", false);
  auto underlying = fields.Text("underlying", true);
  auto exchange = fields.Text("exchange", true);
  (void)fields.Whole("strike_int", false, 1);  // accepted for compatibility: strikes come from the listed chain
  auto leg = ReadLeg(fields, std::nullopt);
  std::string key = IdempotencyKey(request, caller, "optionsorder", fields.errors());
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  system::OptionsOrderRequest order;
  order.underlying = Upper(*underlying);
  order.exchange = Upper(*exchange);
  order.legs.push_back(*leg);
  order.strategy = strategy.value_or("");
  order.idempotency_key = std::move(key);
  auto answer = context.trading.PlaceOptions(order);
  if (!answer.ok()) {
    return EdgeError(answer.error());
  }
  const LegResult& result = answer->legs.front();
  if (result.error) {
    return EdgeError(*result.error);
  }
  const bool refused = result.placed && Refused(*result.placed);
  JsonWriter json;
  json.BeginObject();
  json.Key("status").String(refused ? "error" : "success");
  if (refused) {
    json.Key("message").String(result.placed->reason.empty() ? "order rejected" : result.placed->reason);
  }
  if (result.placed) {
    json.Key("orderid").String(result.placed->order_id.value());
  }
  json.Key("symbol").String(result.instrument_id.symbol());
  json.Key("exchange").String(result.instrument_id.exchange());
  json.Key("offset").String(leg->offset);
  json.Key("option_type").String(OptionTypeText(leg->right));
  json.Key("underlying").String(answer->underlying.symbol());
  json.Key("underlying_ltp").Double(answer->underlying_ltp.AsDouble());
  if (!result.slices.empty()) {
    WriteSlices(json, result.slices);
  }
  WriteMode(json);
  if (refused) {
    json.Key("error").BeginObject();
    json.Key("code").String(ErrorCodeName(ErrorCode::kInvalidArgument));
    json.Key("message").String(result.placed->reason);
    json.Key("field").Null();
    json.EndObject();
  }
  json.EndObject();
  return Response::Json(json.Take(), refused ? 400 : 200);
}

Response OptionsMultiOrder(Context& context, const Caller& caller, const Request& request, const json::object& body) {
  Fields fields(body);
  auto strategy = fields.Text("strategy", false);
  auto underlying = fields.Text("underlying", true);
  auto exchange = fields.Text("exchange", true);
  (void)fields.Whole("strike_int", false, 1);
  auto expiry = ReadExpiry(fields);
  std::vector<OptionLegRequest> legs;
  if (const json::array* list = ObjectList(body, "legs", kMaxLegs, fields)) {
    std::vector<Error> leg_errors;
    for (std::size_t i = 0; i < list->size(); ++i) {
      Fields leg_fields((*list)[i].as_object());
      auto leg = ReadLeg(leg_fields, expiry);
      if (leg) {
        legs.push_back(*leg);
      }
      MoveErrors(leg_errors, leg_fields.errors(), "legs[" + std::to_string(i) + "].");
    }
    for (Error& error : leg_errors) {
      fields.errors().push_back(std::move(error));
    }
  }
  std::string key = IdempotencyKey(request, caller, "optionsmultiorder", fields.errors());
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  system::OptionsOrderRequest order;
  order.underlying = Upper(*underlying);
  order.exchange = Upper(*exchange);
  order.legs = legs;
  order.strategy = strategy.value_or("");
  order.idempotency_key = std::move(key);
  auto answer = context.trading.PlaceOptions(order);
  if (!answer.ok()) {
    return EdgeError(answer.error());
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("underlying").String(answer->underlying.symbol());
  json.Key("underlying_ltp").Double(answer->underlying_ltp.AsDouble());
  json.Key("results").BeginArray();
  for (const LegResult& result : answer->legs) {
    const OptionLegRequest& leg = legs[result.index - 1];
    json.BeginObject();
    json.Key("leg").Int(static_cast<std::int64_t>(result.index));
    json.Key("action").String(ToString(leg.side));
    json.Key("offset").String(leg.offset);
    json.Key("option_type").String(OptionTypeText(leg.right));
    if (!result.instrument_id.empty()) {
      json.Key("symbol").String(result.instrument_id.symbol());
      json.Key("exchange").String(result.instrument_id.exchange());
    }
    if (!result.slices.empty()) {
      const bool all = std::all_of(result.slices.begin(), result.slices.end(), [](const LegResult& slice) {
        return slice.placed && !Refused(*slice.placed);
      });
      json.Key("status").String(all ? "success" : "error");
      WriteSlices(json, result.slices);
    } else {
      WriteOutcome(json, result);
    }
    WriteMode(json);
    json.EndObject();
  }
  json.EndArray();
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
}

Response BasketOrder(Context& context, const Caller& caller, const Request& request, const json::object& body) {
  Fields fields(body);
  auto strategy = fields.Text("strategy", false);
  std::vector<OrderRequest> orders;
  std::string key = IdempotencyKey(request, caller, "basketorder", fields.errors());
  if (const json::array* list = ObjectList(body, "orders", kMaxBasket, fields)) {
    std::vector<Error> order_errors;
    for (std::size_t i = 0; i < list->size(); ++i) {
      Fields order_fields((*list)[i].as_object());
      OrderFields read = ReadOrderFields(order_fields, 1, false);
      if (order_fields.ok()) {
        OrderRequest order = ToRequest(read, key.empty() ? std::string() : key + "#" + std::to_string(i + 1));
        if (order.strategy.empty()) {
          order.strategy = strategy.value_or("");
        }
        orders.push_back(std::move(order));
      }
      MoveErrors(order_errors, order_fields.errors(), "orders[" + std::to_string(i) + "].");
    }
    for (Error& error : order_errors) {
      fields.errors().push_back(std::move(error));
    }
  }
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  auto answer = context.trading.PlaceBatch(orders, /*buys_first=*/true);
  if (!answer.ok()) {
    return EdgeError(answer.error());
  }
  const bool any = std::any_of(answer->begin(), answer->end(),
                               [](const LegResult& result) { return result.placed && !Refused(*result.placed); });
  JsonWriter json;
  json.BeginObject();
  json.Key("status").String(any ? "success" : "error");
  if (!any) {
    json.Key("message").String("no order of the basket was placed");
  }
  json.Key("results").BeginArray();
  for (const LegResult& result : *answer) {
    const OrderRequest& order = orders[result.index - 1];
    json.BeginObject();
    json.Key("symbol").String(order.instrument_id.symbol());
    json.Key("exchange").String(order.instrument_id.exchange());
    json.Key("action").String(ToString(order.side));
    WriteOutcome(json, result);
    json.EndObject();
  }
  json.EndArray();
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take(), any ? 200 : 400);
}

Response SplitOrder(Context& context, const Caller& caller, const Request& request, const json::object& body) {
  Fields fields(body);
  OrderFields order = ReadOrderFields(fields, 1, false);
  auto split = fields.Whole("splitsize", true, 1);
  std::string key = IdempotencyKey(request, caller, "splitorder", fields.errors());
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  auto answer = context.trading.PlaceSplit(ToRequest(order, std::move(key)), Quantity::FromUnits(*split));
  if (!answer.ok()) {
    return EdgeError(answer.error());
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("split_size").String(QuantityText(answer->slice.raw()));
  json.Key("total_quantity").String(std::to_string(*order.quantity));
  if (answer->freeze_quantity) {
    json.Key("freeze_qty").String(QuantityText(answer->freeze_quantity->raw()));
  }
  WriteSlices(json, answer->slices);
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
}

Response MarginRoute(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  std::vector<OrderRequest> positions;
  if (const json::array* list = ObjectList(body, "positions", kMaxPositions, fields)) {
    std::vector<Error> position_errors;
    for (std::size_t i = 0; i < list->size(); ++i) {
      Fields position_fields((*list)[i].as_object());
      OrderFields read = ReadOrderFields(position_fields, 1, false);
      if (position_fields.ok()) {
        positions.push_back(ToRequest(read, {}));
      }
      MoveErrors(position_errors, position_fields.errors(), "positions[" + std::to_string(i) + "].");
    }
    for (Error& error : position_errors) {
      fields.errors().push_back(std::move(error));
    }
  }
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  auto estimate = context.trading.Margin(positions);
  if (!estimate.ok()) {
    return EdgeError(estimate.error());
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("data").BeginObject();
  json.Key("total_margin_required").Double(Rounded(estimate->total, 2));
  json.Key("span_margin").Double(Rounded(estimate->span, 2));
  json.Key("exposure_margin").Double(Rounded(estimate->exposure, 2));
  json.EndObject();
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
}

}  // namespace

void AddOpenAlgoOrderRoutes(Router& router, system::TradingService& trading, const AuthContext& auth) {
  auto context = std::make_shared<Context>(Context{trading, auth.authenticator, auth.rate_limiter});
  struct Entry {
    const char* path;
    OrderRouteHandler fn;
    const char* summary;
    const char* operation_id;
    bool consequential;
  };
  const Entry entries[] = {
      {"/api/v1/optionsorder", OptionsOrder, "Place an option order by offset from ATM (OpenAlgo)", "postOptionsOrder",
       true},
      {"/api/v1/optionsmultiorder", OptionsMultiOrder, "Place option legs, BUY legs first (OpenAlgo)",
       "postOptionsMultiOrder", true},
      {"/api/v1/basketorder", BasketOrder, "Place a list of orders, BUY orders first (OpenAlgo)", "postBasketOrder",
       true},
      {"/api/v1/splitorder", SplitOrder, "Place a large order in slices (OpenAlgo)", "postSplitOrder", true},
      {"/api/v1/margin", MarginRoute, "Margin required for a list of positions (OpenAlgo)", "postMargin", false},
  };
  for (const Entry& entry : entries) {
    AddEdgeRoute(router, entry.path, Guard(context, entry.fn), entry.summary, entry.operation_id, entry.consequential);
  }
}

}  // namespace td::api
