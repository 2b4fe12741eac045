// SPDX-License-Identifier: MIT
#include "adapters/openalgo/order_wire.hpp"

#include <array>
#include <cctype>
#include <charconv>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "adapters/openalgo/json_read.hpp"

namespace td::adapters::openalgo {

namespace json = boost::json;
using namespace detail;  // NOLINT(google-build-using-namespace): the module's own reading helpers

namespace {

// Average prices are means of fills and carry more decimals than the tick.
constexpr int kAveragePrecision = 6;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// OpenAlgo wants "0" for an absent price or trigger.
std::string PriceText(const std::optional<Price>& price) {
  return price ? price->ToString() : std::string("0");
}

void PutOrderFields(json::object& body, const WireOrderFields& order) {
  body["exchange"] = order.symbol.exchange;
  body["symbol"] = order.symbol.symbol;
  body["action"] = std::string(ToString(order.side));
  body["quantity"] = order.quantity.ToString();
  body["pricetype"] = std::string(ToString(order.type));
  body["product"] = std::string(ToString(order.product));
  body["price"] = PriceText(order.price);
  body["trigger_price"] = PriceText(order.trigger_price);
  body["disclosed_quantity"] = "0";
}

int ParseInt(std::string_view text, bool& ok) {
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  ok = ok && ec == std::errc() && ptr == text.data() + text.size();
  return value;
}

int MonthFromAbbreviation(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                               "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  const std::string upper = Upper(text);
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (upper == kMonths[i]) {
      return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

// Brokers behind OpenAlgo write order times as "21-Nov-2026 10:15:30" or "10:15:30 21-11-2026", exchange-local;
// a time that cannot be read is left unknown rather than failing the whole book.
std::optional<UnixNanos> OrderTimestamp(const json::value* v, int utc_offset_minutes) {
  if (v == nullptr || v->is_null()) {
    return std::nullopt;
  }
  if (!v->is_string()) {
    auto t = Timestamp(*v, utc_offset_minutes);
    return t.ok() ? std::optional<UnixNanos>(*t) : std::nullopt;
  }
  const std::string_view s(v->get_string().data(), v->get_string().size());
  std::string_view date_part;
  std::string_view time_part;
  if (s.size() == 20 && s[2] == '-' && s[6] == '-' && s[11] == ' ') {  // DD-Mon-YYYY HH:MM:SS
    date_part = s.substr(0, 11);
    time_part = s.substr(12);
  } else if (s.size() == 19 && s[2] == ':' && s[8] == ' ' && s[11] == '-') {  // HH:MM:SS DD-MM-YYYY
    time_part = s.substr(0, 8);
    date_part = s.substr(9);
  } else {
    auto t = Timestamp(*v, utc_offset_minutes);
    return t.ok() ? std::optional<UnixNanos>(*t) : std::nullopt;
  }
  bool ok = time_part.size() == 8 && time_part[2] == ':' && time_part[5] == ':';
  const int hour = ParseInt(time_part.substr(0, 2), ok);
  const int minute = ParseInt(time_part.substr(3, 2), ok);
  const int second = ParseInt(time_part.substr(6, 2), ok);
  CivilDate date;
  date.day = ParseInt(date_part.substr(0, 2), ok);
  if (date_part.size() == 11) {
    date.month = MonthFromAbbreviation(date_part.substr(3, 3));
    date.year = ParseInt(date_part.substr(7, 4), ok);
  } else {
    date.month = ParseInt(date_part.substr(3, 2), ok);
    date.year = ParseInt(date_part.substr(6, 4), ok);
  }
  if (!ok || !IsValidDate(date) || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const std::int64_t seconds = DaysFromCivil(date) * 86400 + hour * 3600 + minute * 60 + second -
                               static_cast<std::int64_t>(utc_offset_minutes) * 60;
  return UnixNanos(seconds * 1'000'000'000);
}

Result<WireOrderRow> ReadOrderRow(const json::object& row, const ParseOptions& options) {
  WireOrderRow out;
  out.order_id = Str(row.if_contains("orderid"));
  if (out.order_id.empty()) {
    return Error::InvalidArgument("missing", "orderid");
  }
  out.fields.symbol.symbol = Str(row.if_contains("symbol"));
  out.fields.symbol.exchange = Str(row.if_contains("exchange"));
  if (out.fields.symbol.symbol.empty() || out.fields.symbol.exchange.empty()) {
    return Error::InvalidArgument("missing symbol or exchange", "symbol");
  }
  auto side = ParseSide(Upper(Str(row.if_contains("action"))));
  if (!side.ok()) {
    return side.error();
  }
  out.fields.side = *side;
  const std::string pricetype = Upper(Str(row.if_contains("pricetype")));
  if (!pricetype.empty()) {
    auto type = ParseOrderType(pricetype);
    if (!type.ok()) {
      return type.error();
    }
    out.fields.type = *type;
  }
  const std::string product = Upper(Str(row.if_contains("product")));
  if (!product.empty()) {
    auto parsed = ParseProduct(product);
    if (!parsed.ok()) {
      return parsed.error();
    }
    out.fields.product = *parsed;
  }
  auto quantity = RequiredNumber(row, "quantity");
  if (!quantity.ok()) {
    return quantity.error();
  }
  auto qty = ToQuantity(*quantity, options.volume_precision, "quantity");
  if (!qty.ok()) {
    return qty.error();
  }
  out.fields.quantity = *qty;
  auto price = OptionalPrice(row, "price", options.price_precision);
  if (!price.ok()) {
    return price.error();
  }
  if (*price && price->value().raw() > 0) {
    out.fields.price = *price;
  }
  auto trigger = OptionalPrice(row, "trigger_price", options.price_precision);
  if (!trigger.ok()) {
    return trigger.error();
  }
  if (*trigger && trigger->value().raw() > 0) {
    out.fields.trigger_price = *trigger;
  }
  auto average = OptionalPrice(row, "average_price", kAveragePrecision);
  if (!average.ok()) {
    return average.error();
  }
  if (*average && average->value().raw() > 0) {
    out.average_price = *average;
  }
  out.order_status = Lower(Str(row.if_contains("order_status")));
  if (out.order_status.empty()) {
    out.order_status = Lower(Str(row.if_contains("status")));
  }
  if (out.order_status.empty()) {
    return Error::InvalidArgument("missing", "order_status");
  }
  out.timestamp = OrderTimestamp(row.if_contains("timestamp"), options.utc_offset_minutes);
  for (const char* key : {"rejection_reason", "rejectreason", "status_message", "message"}) {
    if (std::string text = Str(row.if_contains(key)); !text.empty()) {
      out.reason = std::move(text);
      break;
    }
  }
  return out;
}

}  // namespace

std::string PlaceOrderBody(std::string_view api_key, std::string_view strategy, const WireOrderFields& order) {
  json::object body;
  body["apikey"] = api_key;
  body["strategy"] = strategy;
  PutOrderFields(body, order);
  return json::serialize(body);
}

std::string ModifyOrderBody(std::string_view api_key, std::string_view strategy, std::string_view order_id,
                            const WireOrderFields& order) {
  json::object body;
  body["apikey"] = api_key;
  body["strategy"] = strategy;
  body["orderid"] = order_id;
  PutOrderFields(body, order);
  return json::serialize(body);
}

std::string CancelOrderBody(std::string_view api_key, std::string_view strategy, std::string_view order_id) {
  json::object body;
  body["apikey"] = api_key;
  body["strategy"] = strategy;
  body["orderid"] = order_id;
  return json::serialize(body);
}

std::string OrderStatusBody(std::string_view api_key, std::string_view strategy, std::string_view order_id) {
  return CancelOrderBody(api_key, strategy, order_id);
}

std::string BookBody(std::string_view api_key) {
  json::object body;
  body["apikey"] = api_key;
  return json::serialize(body);
}

Result<std::string> ParseOrderIdAnswer(std::string_view body) {
  auto root = ParseJson(body);
  if (!root.ok()) {
    return root.error();
  }
  auto object = SuccessObject(*root);
  if (!object.ok()) {
    return object.error();
  }
  std::string id = Str(object->if_contains("orderid"));
  if (id.empty()) {
    return Error::InvalidArgument("success answer without an orderid", "orderid");
  }
  return id;
}

execution::BrokerOrderStatus StatusFromWire(std::string_view order_status) {
  const std::string s = Lower(order_status);
  if (s == "complete" || s == "completed" || s == "filled" || s == "traded") {
    return execution::BrokerOrderStatus::kFilled;
  }
  if (s == "rejected") {
    return execution::BrokerOrderStatus::kRejected;
  }
  if (s == "cancelled" || s == "canceled") {
    return execution::BrokerOrderStatus::kCanceled;
  }
  if (s == "expired" || s == "lapsed") {
    return execution::BrokerOrderStatus::kExpired;
  }
  return execution::BrokerOrderStatus::kOpen;
}

Result<std::vector<WireOrderRow>> ParseOrderBook(std::string_view body, const ParseOptions& options) {
  auto root = ParseJson(body);
  if (!root.ok()) {
    return root.error();
  }
  auto object = SuccessObject(*root);
  if (!object.ok()) {
    return object.error();
  }
  const json::value* data = object->if_contains("data");
  const json::array* rows = nullptr;
  std::string prefix = "data";
  if (data != nullptr && data->is_array()) {
    rows = &data->get_array();
  } else if (data != nullptr && data->is_object()) {
    const json::value* orders = data->get_object().if_contains("orders");
    if (orders != nullptr && orders->is_array()) {
      rows = &orders->get_array();
      prefix = "data.orders";
    } else if (orders == nullptr || orders->is_null()) {
      return std::vector<WireOrderRow>{};
    }
  } else if (data == nullptr || data->is_null()) {
    return std::vector<WireOrderRow>{};
  }
  if (rows == nullptr) {
    return Error::InvalidArgument("order book data is neither a list nor {orders:[...]}", "data");
  }
  std::vector<WireOrderRow> out;
  out.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const std::string where = prefix + "[" + std::to_string(i) + "]";
    if (!(*rows)[i].is_object()) {
      return Error::InvalidArgument("row is not an object", where);
    }
    auto row = ReadOrderRow((*rows)[i].get_object(), options);
    if (!row.ok()) {
      return WithField(row.error(), where);
    }
    out.push_back(std::move(*row));
  }
  return out;
}

Result<WireOrderRow> ParseOrderStatus(std::string_view body, std::string_view order_id, const ParseOptions& options) {
  auto root = ParseJson(body);
  if (!root.ok()) {
    return root.error();
  }
  auto object = SuccessObject(*root);
  if (!object.ok()) {
    return object.error();
  }
  const json::value* data = object->if_contains("data");
  if (data == nullptr || !data->is_object()) {
    return Error::InvalidArgument("missing data object", "data");
  }
  json::object row = data->get_object();
  if (!row.contains("orderid")) {
    row["orderid"] = order_id;
  }
  auto parsed = ReadOrderRow(row, options);
  if (!parsed.ok()) {
    return WithField(parsed.error(), "data");
  }
  return parsed;
}

Result<std::vector<WireTradeRow>> ParseTradeBook(std::string_view body, const ParseOptions& options) {
  auto root = ParseJson(body);
  if (!root.ok()) {
    return root.error();
  }
  auto object = SuccessObject(*root);
  if (!object.ok()) {
    return object.error();
  }
  const json::value* data = object->if_contains("data");
  if (data == nullptr || data->is_null()) {
    return std::vector<WireTradeRow>{};
  }
  if (!data->is_array()) {
    return Error::InvalidArgument("trade book data is not a list", "data");
  }
  std::vector<WireTradeRow> out;
  for (std::size_t i = 0; i < data->get_array().size(); ++i) {
    const std::string where = "data[" + std::to_string(i) + "]";
    const json::value& v = data->get_array()[i];
    if (!v.is_object()) {
      return Error::InvalidArgument("row is not an object", where);
    }
    const json::object& row = v.get_object();
    WireTradeRow trade;
    trade.order_id = Str(row.if_contains("orderid"));
    if (trade.order_id.empty()) {
      return Error::InvalidArgument("missing", where + ".orderid");
    }
    auto quantity = RequiredNumber(row, "quantity");
    if (!quantity.ok()) {
      return WithField(quantity.error(), where);
    }
    auto qty = ToQuantity(*quantity, options.volume_precision, "quantity");
    if (!qty.ok()) {
      return WithField(qty.error(), where);
    }
    auto average = RequiredNumber(row, "average_price");
    if (!average.ok()) {
      return WithField(average.error(), where);
    }
    auto px = ToPrice(*average, kAveragePrecision, "average_price");
    if (!px.ok()) {
      return WithField(px.error(), where);
    }
    trade.quantity = *qty;
    trade.average_price = *px;
    out.push_back(std::move(trade));
  }
  return out;
}

}  // namespace td::adapters::openalgo
