// SPDX-License-Identifier: MIT
#include "api/openalgo_edge.hpp"

#include <algorithm>
#include <cstdio>

#include "api/error_response.hpp"
#include "api/openalgo_response.hpp"
#include "api/rate_limiter.hpp"
#include "calendar/local_time.hpp"

namespace td::api::openalgo {

using system::OrderRequest;

Handler Guarded(Authenticator authenticator, std::shared_ptr<RateLimiter> rate_limiter, EdgeHandler handler) {
  return [authenticator = std::move(authenticator), rate_limiter = std::move(rate_limiter),
          handler = std::move(handler)](const Request& request) -> Result<Response> {
    Caller caller;
    if (authenticator) {
      auto identity = authenticator(request);
      if (!identity.ok()) {
        if (IsServerFault(identity.error().code)) {
          return OpenAlgoError(identity.error());
        }
        return OpenAlgoInvalidKey();
      }
      caller.principal = identity->principal;
      caller.key_id = identity->key_id;
    }
    if (rate_limiter) {
      const std::string key = !caller.key_id.empty()      ? "k:" + caller.key_id
                              : !caller.principal.empty() ? "p:" + caller.principal
                                                          : "ip:" + request.remote_address;
      const RateLimiter::Decision decision = rate_limiter->Acquire(key);
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
    return handler(caller, request, parsed->as_object());
  };
}

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

void WriteMode(JsonWriter& json) { json.Key("mode").String("analyze"); }

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

void AddEdgeRoute(Router& router, std::string_view path, Handler handler, std::string_view summary,
                  std::string_view operation_id, bool consequential) {
  RouteDoc doc = MakeDoc(std::string(summary), std::string(operation_id), {"openalgo"});
  doc.description = "OpenAlgo-compatible; apikey in the JSON body (docs/openalgo-api.md).";
  doc.consequential = consequential;
  doc.request_body_schema = R"({"type":"object","properties":{"apikey":{"type":"string"}}})";
  // The route itself stays unauthenticated at the router: Guarded checks the key so refusals keep OpenAlgo's
  // 403 shape instead of the router's 401.
  router.Post(std::string(path), std::move(handler), doc);
}

}  // namespace td::api::openalgo
