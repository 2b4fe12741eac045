// SPDX-License-Identifier: MIT
#pragma once

// The OpenAlgo edge shared by every /api/v1 route family: the key check and rate limit in OpenAlgo's shapes,
// field readers that collect one error per bad field, the order fields the order endpoints share, and the
// number and time formats OpenAlgo clients parse.

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/auth_context.hpp"
#include "api/http_types.hpp"
#include "api/json_body.hpp"
#include "api/json_writer.hpp"
#include "api/openalgo_response.hpp"
#include "api/router.hpp"
#include "core/error.hpp"
#include "core/fixed_point.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "model/instrument.hpp"
#include "model/order_types.hpp"
#include "system/trading_service.hpp"

namespace td::api::openalgo {

namespace json = boost::json;

/// The largest quantity (or position size) a request may name: far above any exchange's freeze quantity.
inline constexpr std::int64_t kMaxUnits = 1'000'000'000;

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


/// Who called: the key's user and id (empty with authentication off).
struct Caller {
  std::string principal;
  std::string key_id;
};

using EdgeHandler = std::function<Response(const Caller&, const Request&, const json::object&)>;

/// The OpenAlgo edge around a handler: key check (403 "Invalid openalgo apikey"), per-key rate limit (429 with
/// Retry-After), a JSON object body, then the handler.
Handler Guarded(Authenticator authenticator, std::shared_ptr<RateLimiter> rate_limiter, EdgeHandler handler);

/// OpenAlgo speaks 400/403/404/429/500 only: refusals in state (422, 409) are 400; an engine that did not
/// answer (timeout, unavailable) is 500 with its message (the order may exist: check the order book).
Response EdgeError(const Error& error);

double Rounded(double value, int precision);
std::string Fixed2(double value);
/// A fixed-point quantity as OpenAlgo writes it: a whole number when whole.
std::string QuantityText(std::int64_t raw);
inline double QuantityNumber(Quantity quantity) { return quantity.AsDouble(); }
/// "21-Nov-2026 09:15:02" in the exchange's time zone (UTC when unknown).
std::string OpenAlgoTime(UnixNanos instant, const std::string& zone_name);
/// Opens the response object with "status":"success".
void WriteSuccessHead(JsonWriter& json);
/// Order responses say which engine answered: always the paper broker in this build.
void WriteMode(JsonWriter& json);
/// Idempotency: OpenAlgo clients send none, and two identical requests are two orders. A client that retries
/// may send `Idempotency-Key`; it is scoped to the caller and the endpoint. Empty when absent.
std::string IdempotencyKey(const Request& request, const Caller& caller, std::string_view endpoint,
                           std::vector<Error>& errors);

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

/// Reads the order fields; errors go to `fields`.
OrderFields ReadOrderFields(Fields& fields, std::int64_t quantity_minimum, bool all_required);
/// The engine's request from validated fields.
system::OrderRequest ToRequest(const OrderFields& fields, std::string idempotency_key);
/// A placed order: 200 with the order id, or 400 with the reason and the id of the refused order (it stays
/// in the order book as rejected, as at a broker).
Response PlacedResponse(const system::PlaceResult& placed);

/// Registers one OpenAlgo POST route with its OpenAPI entry (tag "openalgo", apikey in the body).
void AddEdgeRoute(Router& router, std::string_view path, Handler handler, std::string_view summary,
                  std::string_view operation_id, bool consequential);

}  // namespace td::api::openalgo
