// SPDX-License-Identifier: MIT
#include "adapters/polygon/parse.hpp"

#include <algorithm>
#include <cmath>
#include <exception>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "core/fixed_point.hpp"
#include "model/exchange.hpp"
#include "model/symbology.hpp"

namespace td::adapters::polygon {

namespace json = boost::json;

namespace {

Result<json::value> ParseJson(std::string_view text) {
  try {
    boost::system::error_code ec;
    json::value value = json::parse(text, ec);
    if (ec) {
      return Error::InvalidArgument("malformed JSON: " + ec.message());
    }
    return value;
  } catch (const std::exception& e) {
    return Error::InvalidArgument(std::string("malformed JSON: ") + e.what());
  }
}

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string().c_str()) : std::string();
}

/// A JSON number (Polygon never quotes numbers); missing or null is an error for required fields.
Result<double> Number(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return Error::InvalidArgument("missing", std::string(key));
  }
  double out = 0.0;
  if (v->is_int64()) {
    out = static_cast<double>(v->get_int64());
  } else if (v->is_uint64()) {
    out = static_cast<double>(v->get_uint64());
  } else if (v->is_double()) {
    out = v->get_double();
  } else {
    return Error::InvalidArgument("not a number", std::string(key));
  }
  if (!std::isfinite(out)) {
    return Error::InvalidArgument("not finite", std::string(key));
  }
  return out;
}

Result<Bar> ParseRow(const json::object& row, const ParseOptions& options, UnixNanos ts_init) {
  Bar bar;
  bar.ts_init = ts_init;
  const json::value* t = row.if_contains("t");
  if (t == nullptr || !(t->is_int64() || t->is_uint64() || t->is_double())) {
    return Error::InvalidArgument("missing or not an integer", "t");
  }
  auto ms = Number(row, "t");
  if (!ms.ok()) {
    return ms.error();
  }
  if (*ms < 0.0 || *ms > 4.0e12 || std::floor(*ms) != *ms) {
    return Error::InvalidArgument("timestamp out of range", "t");
  }
  bar.ts_event = UnixNanos::FromMillis(static_cast<std::int64_t>(*ms));
  for (auto [key, target] : {std::pair<const char*, Price*>{"o", &bar.open},
                             {"h", &bar.high},
                             {"l", &bar.low},
                             {"c", &bar.close}}) {
    auto n = Number(row, key);
    if (!n.ok()) {
      return n.error();
    }
    if (*n < 0.0) {
      return Error::InvalidArgument("negative price", key);
    }
    auto p = Price::FromDouble(*n, options.price_precision);
    if (!p.ok()) {
      return Error::InvalidArgument(p.error().message, key);
    }
    *target = *p;
  }
  double volume = 0.0;
  if (const json::value* v = row.if_contains("v"); v != nullptr && !v->is_null()) {
    auto n = Number(row, "v");
    if (!n.ok()) {
      return n.error();
    }
    volume = *n;
  }
  auto q = Quantity::FromDouble(volume, options.volume_precision);
  if (!q.ok()) {
    return Error::InvalidArgument(q.error().message, "v");
  }
  bar.volume = *q;
  if (!bar.IsConsistent()) {
    return Error::InvalidArgument("inconsistent bar: low/high do not bracket open/close", "h");
  }
  return bar;
}

}  // namespace

Result<std::string> PolygonTicker(const InstrumentId& instrument) {
  auto exchange = ParseExchange(instrument.exchange());
  if (!exchange.ok() || (*exchange != Exchange::kUs && *exchange != Exchange::kOpra)) {
    return Error::InvalidArgument("Polygon serves US and OPRA instruments, not " + instrument.value(), "instrument");
  }
  const std::string_view symbol = instrument.symbol();
  if (*exchange == Exchange::kOpra) {
    auto occ = OccSymbol::Parse(symbol);
    if (!occ.ok()) {
      return Error::InvalidArgument("not an OCC option symbol: " + occ.error().message, "instrument");
    }
    return "O:" + occ->ToCompactString();
  }
  if (symbol.find('/') != std::string_view::npos) {
    return Error::InvalidArgument("Polygon tickers have no '/': " + instrument.value(), "instrument");
  }
  if (symbol.starts_with("^")) {
    if (symbol.size() == 1) {
      return Error::InvalidArgument("empty index symbol", "instrument");
    }
    return "I:" + std::string(symbol.substr(1));
  }
  return std::string(symbol);
}

Timespan TimespanFor(BarSpec spec) {
  switch (spec.unit) {
    case BarUnit::kSecond:
      return {spec.step, "second"};
    case BarUnit::kMinute:
      return {spec.step, "minute"};
    case BarUnit::kHour:
      return {spec.step, "hour"};
    case BarUnit::kDay:
      return {spec.step, "day"};
    case BarUnit::kWeek:
      return {spec.step, "week"};
    case BarUnit::kMonth:
      return {spec.step, "month"};
  }
  return {spec.step, "minute"};
}

std::string AggregatesPath(std::string_view ticker, BarSpec spec, std::int64_t from_ms, std::int64_t to_ms,
                           bool adjusted, int limit) {
  const Timespan span = TimespanFor(spec);
  return "/v2/aggs/ticker/" + std::string(ticker) + "/range/" + std::to_string(span.multiplier) + "/" +
         std::string(span.unit) + "/" + std::to_string(from_ms) + "/" + std::to_string(to_ms) +
         "?adjusted=" + (adjusted ? "true" : "false") + "&sort=asc&limit=" + std::to_string(limit);
}

Result<AggregatesPage> ParseAggregates(std::string_view body, const ParseOptions& options, UnixNanos ts_init) {
  auto root = ParseJson(body);
  if (!root.ok()) {
    return root.error();
  }
  const json::object* o = root->if_object();
  if (o == nullptr) {
    return Error::InvalidArgument("answer is not a JSON object");
  }
  AggregatesPage page;
  page.status = Str(*o, "status");
  page.request_id = Str(*o, "request_id");
  if (page.status == "ERROR" || page.status == "NOT_AUTHORIZED") {
    std::string text = Str(*o, "error");
    if (text.empty()) {
      text = Str(*o, "message");
    }
    const ErrorCode code = page.status == "ERROR" ? ErrorCode::kUnavailable : ErrorCode::kPermissionDenied;
    return Error{code, "Polygon " + page.status + ": " + text + (page.request_id.empty() ? "" : " (request_id " + page.request_id + ")"), {}};
  }
  if (page.status != "OK" && page.status != "DELAYED") {
    return Error::InvalidArgument("unexpected status \"" + page.status + "\"", "status");
  }
  page.next_url = Str(*o, "next_url");
  const json::value* results = o->if_contains("results");
  if (results == nullptr || results->is_null()) {
    return page;
  }
  if (!results->is_array()) {
    return Error::InvalidArgument("results must be an array", "results");
  }
  std::size_t index = 0;
  for (const json::value& row_value : results->get_array()) {
    const std::string where = "results[" + std::to_string(index++) + "]";
    const json::object* row = row_value.if_object();
    Result<Bar> bar = row == nullptr ? Result<Bar>(Error::InvalidArgument("row is not an object")) : ParseRow(*row, options, ts_init);
    if (!bar.ok()) {
      if (page.rejected++ == 0) {
        page.first_reject = where + (bar.error().field.empty() ? "" : "." + bar.error().field) + ": " + bar.error().message;
      }
      continue;
    }
    page.bars.push_back(*bar);
  }
  std::stable_sort(page.bars.begin(), page.bars.end(), [](const Bar& a, const Bar& b) { return a.ts_event < b.ts_event; });
  std::vector<Bar> unique;
  unique.reserve(page.bars.size());
  for (const Bar& bar : page.bars) {
    if (!unique.empty() && unique.back().ts_event == bar.ts_event) {
      unique.back() = bar;
    } else {
      unique.push_back(bar);
    }
  }
  page.bars = std::move(unique);
  return page;
}

Error ErrorFromResponse(int http_status, std::string_view body) {
  std::string text;
  std::string request_id;
  auto root = ParseJson(body);
  if (root.ok()) {
    if (const json::object* o = root->if_object()) {
      text = Str(*o, "error");
      if (text.empty()) {
        text = Str(*o, "message");
      }
      request_id = Str(*o, "request_id");
    }
  }
  if (text.empty()) {
    text = std::string(body.substr(0, std::min<std::size_t>(body.size(), 200)));
  }
  std::string message = "Polygon HTTP " + std::to_string(http_status) + (text.empty() ? "" : ": " + text) +
                        (request_id.empty() ? "" : " (request_id " + request_id + ")");
  ErrorCode code = ErrorCode::kUnavailable;
  switch (http_status) {
    case 400:
      code = ErrorCode::kInvalidArgument;
      break;
    case 401:
      code = ErrorCode::kUnauthenticated;
      break;
    case 403:
      code = ErrorCode::kPermissionDenied;
      break;
    case 404:
      code = ErrorCode::kNotFound;
      break;
    case 429:
      code = ErrorCode::kRateLimited;
      break;
    default:
      break;
  }
  return Error{code, std::move(message), {}};
}

}  // namespace td::adapters::polygon
