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
#include "api/openalgo_response.hpp"
#include "api/router.hpp"
#include "calendar/local_time.hpp"
#include "system/trading_service.hpp"

namespace td::api {
namespace {

namespace json = boost::json;
using system::OrderRequest;
using system::TradingService;

/// The analyzer toggle's state. tradedesk runs the paper broker whatever it says (see docs/openalgo-api.md).
struct AnalyzerState {
  std::atomic<bool> analyze_mode{true};
};

/// The largest quantity (or position size) a request may name: far above any exchange's freeze quantity.
constexpr std::int64_t kMaxUnits = 1'000'000'000;

/// Reads fields of an OpenAlgo body, collecting one error per bad field instead of stopping at the first.
class Fields {
 public:
  explicit Fields(const json::object& body) : body_(body) {}

  std::vector<Error>& errors() { return errors_; }
  bool ok() const { return errors_.empty(); }
  void Fail(std::string field, std::string message) {
    errors_.push_back(Error::InvalidArgument(field + " " + message, field));
  }

  /// A string field; "" when absent and optional.
  std::optional<std::string> Text(std::string_view name, bool required) {
    auto value = JsonStringField(body_, name, required);
    if (!value.ok()) {
      errors_.push_back(value.error());
      return std::nullopt;
    }
    if (required && value->empty()) {
      Fail(std::string(name), "must not be empty");
      return std::nullopt;
    }
    return *value;
  }

  /// A whole number in [minimum, kMaxUnits] given as a JSON number or a numeric string ("65"); `fallback` when
  /// absent. The cap keeps every quantity representable in fixed point (1e-9 units in an int64).
  std::optional<std::int64_t> Whole(std::string_view name, bool required, std::int64_t minimum,
                                    std::optional<std::int64_t> fallback = std::nullopt) {
    const std::string field(name);
    const json::value* value = body_.if_contains(name);
    if (value == nullptr || value->is_null() || (value->is_string() && value->as_string().empty() && !required)) {
      if (required) {
        Fail(field, "is required");
        return std::nullopt;
      }
      return fallback;
    }
    std::int64_t number = 0;
    if (value->is_int64()) {
      number = value->as_int64();
    } else if (value->is_uint64()) {
      if (value->as_uint64() > static_cast<std::uint64_t>(INT64_MAX)) {
        Fail(field, "is too large");
        return std::nullopt;
      }
      number = static_cast<std::int64_t>(value->as_uint64());
    } else if (value->is_double()) {
      const double d = value->as_double();
      if (!std::isfinite(d) || d != std::floor(d) || std::abs(d) > 1e15) {
        Fail(field, "must be a whole number, was " + FormatDouble(d));
        return std::nullopt;
      }
      number = static_cast<std::int64_t>(d);
    } else if (value->is_string()) {
      const std::string_view text = value->as_string();
      const char* begin = text.data();
      const char* end = text.data() + text.size();
      auto [ptr, ec] = std::from_chars(begin, end, number);
      if (ec != std::errc() || ptr != end) {
        const bool decimal = text.find_first_not_of("-+0123456789.") == std::string_view::npos &&
                             text.find('.') != std::string_view::npos;
        Fail(field, decimal ? "must be a whole number, was '" + std::string(text) + "'"
                            : "must be a number, was '" + std::string(text) + "'");
        return std::nullopt;
      }
    } else {
      Fail(field, "must be a number or a numeric string");
      return std::nullopt;
    }
    if (number < minimum) {
      Fail(field, "must be at least " + std::to_string(minimum) + ", was " + std::to_string(number));
      return std::nullopt;
    }
    if (number > kMaxUnits || number < -kMaxUnits) {
      Fail(field, "must be at most " + std::to_string(kMaxUnits) + " in size, was " + std::to_string(number));
      return std::nullopt;
    }
    return number;
  }

  /// A non-negative decimal given as a JSON number or a numeric string ("107.5"); zero when absent.
  std::optional<Price> Decimal(std::string_view name, bool required) {
    const std::string field(name);
    const json::value* value = body_.if_contains(name);
    if (value == nullptr || value->is_null()) {
      if (required) {
        Fail(field, "is required");
        return std::nullopt;
      }
      return Price();
    }
    Result<Price> price = Error::InvalidArgument("unset");
    if (value->is_int64() || value->is_uint64()) {
      price = Price::Parse(json::serialize(*value));
    } else if (value->is_double()) {
      // The shortest text that reads back as the same double: 107.5 stays 107.5, never 107.499999...
      std::string text;
      AppendJsonDouble(text, value->as_double());
      price = text.find_first_of("eEn") == std::string::npos ? Price::Parse(text)
                                                             : Result<Price>(Error::InvalidArgument("exponent"));
    } else if (value->is_string()) {
      const std::string_view text = value->as_string();
      if (text.empty() && !required) {
        return Price();
      }
      price = Price::Parse(text);
    } else {
      Fail(field, "must be a number or a numeric string");
      return std::nullopt;
    }
    if (!price.ok()) {
      Fail(field, "must be a decimal number, was " + json::serialize(*value));
      return std::nullopt;
    }
    if (price->is_negative()) {
      Fail(field, "must not be negative, was " + price->ToString());
      return std::nullopt;
    }
    return *price;
  }

  /// A boolean field.
  std::optional<bool> Bool(std::string_view name) {
    const json::value* value = body_.if_contains(name);
    if (value == nullptr || !value->is_bool()) {
      Fail(std::string(name), value == nullptr ? "is required" : "must be true or false");
      return std::nullopt;
    }
    return value->as_bool();
  }

 private:
  static std::string FormatDouble(double d) {
    std::string out;
    AppendJsonDouble(out, d);
    return out;
  }

  const json::object& body_;
  std::vector<Error> errors_;
};

/// The OpenAlgo edge: key check (403), per-key rate limit (429), JSON body, then the handler.
struct Context {
  TradingService& trading;
  Authenticator authenticator;
  std::shared_ptr<RateLimiter> rate_limiter;
  std::shared_ptr<AnalyzerState> analyzer;
};

struct Caller {
  std::string principal;
  std::string key_id;
};

using OpenAlgoHandler = std::function<Response(Context&, const Caller&, const Request&, const json::object&)>;

Handler Guard(std::shared_ptr<Context> context, OpenAlgoHandler handler) {
  return [context = std::move(context), handler = std::move(handler)](const Request& request) -> Result<Response> {
    Caller caller;
    if (context->authenticator) {
      auto identity = context->authenticator(request);
      if (!identity.ok()) {
        if (IsServerFault(identity.error().code)) {
          return OpenAlgoError(identity.error());
        }
        return OpenAlgoInvalidKey();
      }
      caller.principal = identity->principal;
      caller.key_id = identity->key_id;
    }
    if (context->rate_limiter) {
      const std::string key = !caller.key_id.empty()      ? "k:" + caller.key_id
                              : !caller.principal.empty() ? "p:" + caller.principal
                                                          : "ip:" + request.remote_address;
      const RateLimiter::Decision decision = context->rate_limiter->Acquire(key);
      if (!decision.allowed) {
        return OpenAlgoRateLimited((decision.retry_after.count() + 999) / 1000);
      }
    }
    auto parsed = ParseJsonBody(request.body.empty() ? std::string_view("{}") : std::string_view(request.body));
    if (!parsed.ok()) {
      return OpenAlgoError(parsed.error());
    }
    if (!parsed->is_object()) {
      return OpenAlgoError(Error::InvalidArgument("body must be a JSON object", "body"));
    }
    return handler(*context, caller, request, parsed->as_object());
  };
}

/// OpenAlgo speaks 400/403/404/429/500 only: refusals in state (422, 409) are 400; an engine that did not
/// answer (timeout, unavailable) is 500 with its message (the order may exist: check the order book).
Response EdgeError(const Error& error) {
  Error mapped = error;
  switch (error.code) {
    case ErrorCode::kUnprocessable:
    case ErrorCode::kConflict:
    case ErrorCode::kAlreadyExists: mapped.code = ErrorCode::kInvalidArgument; break;
    case ErrorCode::kTimeout:
    case ErrorCode::kUnavailable: {
      Response response = OpenAlgoError(error);
      response.status = 500;
      return response;
    }
    default: break;
  }
  return OpenAlgoError(mapped);
}

double Rounded(double value, int precision) {
  const double scale = std::pow(10.0, std::clamp(precision, 0, 9));
  return std::round(value * scale) / scale;
}

std::string Fixed2(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

std::string QuantityText(std::int64_t raw) {
  if (raw % kFixedScale == 0) {
    return std::to_string(raw / kFixedScale);
  }
  std::string out;
  AppendJsonDouble(out, static_cast<double>(raw) / static_cast<double>(kFixedScale));
  return out;
}

double QuantityNumber(Quantity quantity) { return quantity.AsDouble(); }

/// "21-Nov-2026 09:15:02" in the exchange's time zone (UTC when unknown).
std::string OpenAlgoTime(UnixNanos instant, const std::string& zone_name) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  auto zone = calendar::TimeZone::Locate(zone_name);
  if (zone.ok()) {
    const calendar::LocalDateTime local = zone->ToLocal(instant);
    year = local.date.year, month = local.date.month, day = local.date.day;
    hour = local.hour, minute = local.minute, second = local.second;
  } else {
    auto utc = calendar::TimeZone::Locate("UTC");
    if (utc.ok()) {
      const calendar::LocalDateTime local = utc->ToLocal(instant);
      year = local.date.year, month = local.date.month, day = local.date.day;
      hour = local.hour, minute = local.minute, second = local.second;
    }
  }
  char text[32];
  std::snprintf(text, sizeof text, "%02d-%s-%04d %02d:%02d:%02d", day, kMonths[std::clamp(month, 1, 12) - 1], year,
                hour, minute, second);
  return text;
}

void WriteSuccessHead(JsonWriter& json) {
  json.BeginObject();
  json.Key("status").String("success");
}

/// Order responses say which engine answered: always the paper broker in this build.
void WriteMode(JsonWriter& json) { json.Key("mode").String("analyze"); }

/// Idempotency: OpenAlgo clients send none, and two identical requests are two orders. A client that retries
/// may send `Idempotency-Key`; it is scoped to the caller and the endpoint.
std::string IdempotencyKey(const Request& request, const Caller& caller, std::string_view endpoint,
                           std::vector<Error>& errors) {
  auto header = request.Header("idempotency-key");
  if (!header.has_value()) {
    return {};
  }
  if (header->empty() || header->size() > 64 ||
      header->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") !=
          std::string_view::npos) {
    errors.push_back(Error::InvalidArgument("Idempotency-Key must be 1-64 characters of [A-Za-z0-9._:-]",
                                            "Idempotency-Key"));
    return {};
  }
  const std::string& who = !caller.key_id.empty() ? caller.key_id : caller.principal;
  return "oa:" + who + ":" + std::string(endpoint) + ":" + std::string(*header);
}

/// The fields placeorder, placesmartorder and modifyorder share. `quantity_minimum` is 1 for orders, 0 for
/// smart orders (the target decides).
struct OrderFields {
  std::optional<InstrumentId> instrument;
  std::optional<Side> side;
  std::optional<OrderType> type;
  std::optional<Product> product;
  std::optional<std::int64_t> quantity;
  std::optional<Price> price;
  std::optional<Price> trigger_price;
  std::string strategy;
};

OrderFields ReadOrderFields(Fields& fields, std::int64_t quantity_minimum, bool all_required) {
  OrderFields out;
  auto strategy = fields.Text("strategy", false);
  out.strategy = strategy.value_or("");
  auto exchange = fields.Text("exchange", true);
  auto symbol = fields.Text("symbol", true);
  if (exchange && symbol) {
    auto id = InstrumentId::Make(*exchange, *symbol);
    if (!id.ok()) {
      fields.Fail("symbol", "'" + *symbol + "' on '" + *exchange + "' is not a valid symbol: " + id.error().message);
    } else {
      out.instrument = *id;
    }
  }
  if (auto action = fields.Text("action", true)) {
    auto side = ParseSide(*action);
    if (side.ok()) {
      out.side = *side;
    } else {
      fields.Fail("action", "must be BUY or SELL, was '" + *action + "'");
    }
  }
  auto pricetype = fields.Text("pricetype", all_required);
  if (pricetype) {
    const std::string text = pricetype->empty() ? "MARKET" : *pricetype;
    auto type = ParseOrderType(text);
    if (type.ok()) {
      out.type = *type;
    } else {
      fields.Fail("pricetype", "must be MARKET, LIMIT, SL or SL-M, was '" + text + "'");
    }
  }
  auto product_text = fields.Text("product", all_required);
  if (product_text) {
    const std::string text = product_text->empty() ? "MIS" : *product_text;
    auto product = ParseProduct(text);
    if (product.ok()) {
      out.product = *product;
    } else {
      fields.Fail("product", "must be MIS, CNC or NRML, was '" + text + "'");
    }
  }
  out.quantity = fields.Whole("quantity", true, quantity_minimum);
  out.price = fields.Decimal("price", all_required);
  out.trigger_price = fields.Decimal("trigger_price", false);
  (void)fields.Whole("disclosed_quantity", false, 0, 0);
  if (out.type && out.price && NeedsLimitPrice(*out.type) && !out.price->is_positive()) {
    fields.Fail("price", "must be above 0 for a " + std::string(ToString(*out.type)) + " order");
  }
  if (out.type && out.trigger_price && NeedsTriggerPrice(*out.type) && !out.trigger_price->is_positive()) {
    fields.Fail("trigger_price", "must be above 0 for a " + std::string(ToString(*out.type)) + " order");
  }
  return out;
}

OrderRequest ToRequest(const OrderFields& fields, std::string idempotency_key) {
  OrderRequest request;
  request.instrument_id = *fields.instrument;
  request.side = *fields.side;
  request.type = *fields.type;
  request.product = *fields.product;
  request.quantity = Quantity::FromUnits(*fields.quantity);
  if (NeedsLimitPrice(request.type)) {
    request.price = fields.price;
  }
  if (NeedsTriggerPrice(request.type)) {
    request.trigger_price = fields.trigger_price;
  }
  request.strategy = fields.strategy;
  request.idempotency_key = std::move(idempotency_key);
  return request;
}

/// A placed order: 200 with the order id, or 400 with the reason and the id of the refused order (it stays
/// in the order book as rejected, as at a broker).
Response PlacedResponse(const system::PlaceResult& placed) {
  const bool refused = placed.status == execution::OrderStatus::kDenied ||
                       placed.status == execution::OrderStatus::kRejected;
  JsonWriter json;
  json.BeginObject();
  if (refused) {
    const std::string message = placed.reason.empty() ? "order rejected" : placed.reason;
    json.Key("status").String("error");
    json.Key("message").String(message);
    json.Key("orderid").String(placed.order_id.value());
    WriteMode(json);
    json.Key("error").BeginObject();
    json.Key("code").String(ErrorCodeName(ErrorCode::kInvalidArgument));
    json.Key("message").String(message);
    json.Key("field").Null();
    json.EndObject();
    json.EndObject();
    return Response::Json(json.Take(), 400);
  }
  json.Key("status").String("success");
  json.Key("orderid").String(placed.order_id.value());
  WriteMode(json);
  json.EndObject();
  return Response::Json(json.Take());
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
    fields.Fail("symbol", "does not match order " + id->value() + " (" + existing->instrument_id.value() + ")");
  }
  if (existing->side != *terms.side) {
    fields.Fail("action", "does not match order " + id->value() + " (" + std::string(ToString(existing->side)) + ")");
  }
  if (existing->product != *terms.product) {
    fields.Fail("product",
                "does not match order " + id->value() + " (" + std::string(ToString(existing->product)) + ")");
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
  using Fn = Response (*)(Context&, const Caller&, const Request&, const json::object&);
  struct Entry {
    const char* path;
    Fn fn;
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
    RouteDoc doc = MakeDoc(entry.summary, entry.operation_id, {"openalgo"});
    doc.description = "OpenAlgo-compatible; apikey in the JSON body (docs/openalgo-api.md).";
    doc.consequential = entry.consequential;
    doc.request_body_schema = R"({"type":"object","properties":{"apikey":{"type":"string"}}})";
    const Fn fn = entry.fn;
    // The route itself stays unauthenticated at the router: Guard checks the key so refusals keep OpenAlgo's
    // 403 shape instead of the router's 401.
    router.Post(entry.path, Guard(context, fn), doc);
  }
}

}  // namespace td::api
