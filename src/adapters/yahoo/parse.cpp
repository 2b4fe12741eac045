// SPDX-License-Identifier: MIT
#include "adapters/yahoo/parse.hpp"

#include <algorithm>
#include <cmath>
#include <exception>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "core/fixed_point.hpp"
#include "model/exchange.hpp"

namespace td::adapters::yahoo {

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

bool IsNumber(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

double AsDouble(const json::value& v) {
  if (v.is_int64()) {
    return static_cast<double>(v.get_int64());
  }
  if (v.is_uint64()) {
    return static_cast<double>(v.get_uint64());
  }
  return v.get_double();
}

/// chart.error / finance.error as an Error, or nullopt when there is none.
std::optional<Error> ChartError(const json::object& root) {
  for (const char* section : {"chart", "finance"}) {
    const json::value* s = root.if_contains(section);
    const json::object* so = s != nullptr ? s->if_object() : nullptr;
    if (so == nullptr) {
      continue;
    }
    const json::value* e = so->if_contains("error");
    if (e == nullptr || e->is_null()) {
      continue;
    }
    const json::object* eo = e->if_object();
    const std::string code = eo != nullptr ? Str(*eo, "code") : std::string();
    const std::string description = eo != nullptr ? Str(*eo, "description") : std::string();
    const ErrorCode kind = code == "Not Found" ? ErrorCode::kNotFound
                           : code == "Unauthorized" ? ErrorCode::kPermissionDenied
                                                    : ErrorCode::kInvalidArgument;
    return Error{kind, "Yahoo " + (code.empty() ? std::string("error") : code) + ": " + description, {}};
  }
  return std::nullopt;
}

const json::array* ArrayField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr ? v->if_array() : nullptr;
}

constexpr std::pair<std::string_view, std::string_view> kIndices[] = {
    {"NIFTY", "^NSEI"}, {"BANKNIFTY", "^NSEBANK"}, {"INDIAVIX", "^INDIAVIX"}, {"SENSEX", "^BSESN"}};

}  // namespace

Result<std::string> YahooSymbol(const InstrumentId& instrument) {
  auto exchange = ParseExchange(instrument.exchange());
  if (!exchange.ok()) {
    return Error::InvalidArgument("no Yahoo symbol for " + instrument.value(), "instrument");
  }
  const std::string symbol(instrument.symbol());
  for (const auto& [name, yahoo] : kIndices) {
    if (symbol == name && (*exchange == Exchange::kNse || *exchange == Exchange::kNseIndex ||
                           *exchange == Exchange::kBse || *exchange == Exchange::kBseIndex)) {
      return std::string(yahoo);
    }
  }
  switch (*exchange) {
    case Exchange::kUs: {
      std::string out = symbol;
      std::replace(out.begin(), out.end(), '.', '-');
      std::replace(out.begin(), out.end(), '/', '-');
      return out;
    }
    case Exchange::kNse:
      return symbol + ".NS";
    case Exchange::kBse:
      return symbol + ".BO";
    default:
      return Error::InvalidArgument("no Yahoo symbol for " + instrument.value(), "instrument");
  }
}

Result<std::string> YahooInterval(BarSpec spec) {
  const std::uint32_t n = spec.step;
  switch (spec.unit) {
    case BarUnit::kMinute:
      if (n == 1 || n == 2 || n == 5 || n == 15 || n == 30 || n == 60 || n == 90) {
        return std::to_string(n) + "m";
      }
      break;
    case BarUnit::kHour:
      if (n == 1) {
        return std::string("60m");
      }
      break;
    case BarUnit::kDay:
      if (n == 1 || n == 5) {
        return std::to_string(n) + "d";
      }
      break;
    case BarUnit::kWeek:
      if (n == 1) {
        return std::string("1wk");
      }
      break;
    case BarUnit::kMonth:
      if (n == 1 || n == 3) {
        return std::to_string(n) + "mo";
      }
      break;
    case BarUnit::kSecond:
      break;
  }
  return Error::InvalidArgument("Yahoo has no " + spec.ToString() + " interval", "spec");
}

std::string ChartPath(std::string_view symbol, std::int64_t period1, std::int64_t period2, std::string_view interval,
                      bool include_pre_post) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (char c : symbol) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHex[u >> 4];
      encoded += kHex[u & 0x0F];
    }
  }
  return "/v8/finance/chart/" + encoded + "?period1=" + std::to_string(period1) + "&period2=" +
         std::to_string(period2) + "&interval=" + std::string(interval) +
         "&includePrePost=" + (include_pre_post ? "true" : "false");
}

Result<ChartParse> ParseChart(std::string_view body, const ParseOptions& options, UnixNanos ts_init) {
  auto root = ParseJson(body);
  if (!root.ok()) {
    return root.error();
  }
  const json::object* o = root->if_object();
  if (o == nullptr) {
    return Error::InvalidArgument("answer is not a JSON object");
  }
  if (auto error = ChartError(*o)) {
    return *error;
  }
  const json::value* chart_value = o->if_contains("chart");
  const json::object* chart = chart_value != nullptr ? chart_value->if_object() : nullptr;
  if (chart == nullptr) {
    return Error::InvalidArgument("missing chart", "chart");
  }
  const json::array* results = ArrayField(*chart, "result");
  if (results == nullptr || results->empty() || !(*results)[0].is_object()) {
    return Error::InvalidArgument("chart.result must hold one object", "chart.result");
  }
  const json::object& result = (*results)[0].get_object();
  ChartParse out;
  int precision = options.price_precision;
  if (const json::value* meta_value = result.if_contains("meta"); meta_value != nullptr && meta_value->is_object()) {
    const json::object& meta = meta_value->get_object();
    out.symbol = Str(meta, "symbol");
    out.exchange_timezone = Str(meta, "exchangeTimezoneName");
    if (const json::value* hint = meta.if_contains("priceHint"); hint != nullptr && hint->is_int64() &&
                                                                 hint->get_int64() >= 0 && hint->get_int64() <= 6) {
      out.price_hint = static_cast<int>(hint->get_int64());
      if (options.use_price_hint) {
        precision = *out.price_hint;
      }
    }
  }
  const json::value* timestamps_value = result.if_contains("timestamp");
  if (timestamps_value == nullptr || timestamps_value->is_null()) {
    return out;  // no bars in the range
  }
  const json::array* timestamps = timestamps_value->if_array();
  if (timestamps == nullptr) {
    return Error::InvalidArgument("timestamp must be an array", "chart.result[0].timestamp");
  }
  const json::value* indicators_value = result.if_contains("indicators");
  const json::object* indicators = indicators_value != nullptr ? indicators_value->if_object() : nullptr;
  const json::array* quotes = indicators != nullptr ? ArrayField(*indicators, "quote") : nullptr;
  if (quotes == nullptr || quotes->empty() || !(*quotes)[0].is_object()) {
    return Error::InvalidArgument("indicators.quote must hold one object", "chart.result[0].indicators.quote");
  }
  const json::object& quote = (*quotes)[0].get_object();
  const char* names[] = {"open", "high", "low", "close", "volume"};
  const json::array* columns[5] = {};
  for (int i = 0; i < 5; ++i) {
    columns[i] = ArrayField(quote, names[i]);
    if (columns[i] == nullptr || columns[i]->size() != timestamps->size()) {
      return Error::InvalidArgument(std::string(names[i]) + " must be an array as long as timestamp",
                                    std::string("chart.result[0].indicators.quote[0].") + names[i]);
    }
  }
  for (std::size_t row = 0; row < timestamps->size(); ++row) {
    auto reject = [&](const std::string& what) {
      if (out.rejected++ == 0) {
        out.first_reject = "row " + std::to_string(row) + ": " + what;
      }
    };
    const json::value& ts = (*timestamps)[row];
    if (!(ts.is_int64() || ts.is_uint64()) || AsDouble(ts) < 0.0 || AsDouble(ts) > 4.0e9) {
      reject("timestamp is not epoch seconds");
      continue;
    }
    bool has_null = false;
    bool bad = false;
    double values[5] = {};
    for (int i = 0; i < 5; ++i) {
      const json::value& v = (*columns[i])[row];
      if (v.is_null()) {
        if (i < 4) {
          has_null = true;
        }
        continue;
      }
      if (!IsNumber(v) || !std::isfinite(AsDouble(v)) || AsDouble(v) < 0.0) {
        reject(std::string(names[i]) + " is not a non-negative number");
        bad = true;
        break;
      }
      values[i] = AsDouble(v);
    }
    if (bad) {
      continue;
    }
    if (has_null) {
      ++out.skipped_nulls;
      continue;
    }
    Bar bar;
    bar.ts_event = UnixNanos::FromSeconds(ts.is_int64() ? ts.get_int64() : static_cast<std::int64_t>(ts.get_uint64()));
    bar.ts_init = ts_init;
    auto open = Price::FromDouble(values[0], precision);
    auto high = Price::FromDouble(values[1], precision);
    auto low = Price::FromDouble(values[2], precision);
    auto close = Price::FromDouble(values[3], precision);
    auto volume = Quantity::FromDouble(values[4], options.volume_precision);
    if (!open.ok() || !high.ok() || !low.ok() || !close.ok() || !volume.ok()) {
      reject("value out of range");
      continue;
    }
    bar.open = *open;
    bar.high = *high;
    bar.low = *low;
    bar.close = *close;
    bar.volume = *volume;
    if (!bar.IsConsistent()) {
      reject("low/high do not bracket open/close");
      continue;
    }
    out.bars.push_back(bar);
  }
  std::stable_sort(out.bars.begin(), out.bars.end(), [](const Bar& a, const Bar& b) { return a.ts_event < b.ts_event; });
  std::vector<Bar> unique;
  unique.reserve(out.bars.size());
  for (const Bar& bar : out.bars) {
    if (!unique.empty() && unique.back().ts_event == bar.ts_event) {
      unique.back() = bar;
    } else {
      unique.push_back(bar);
    }
  }
  out.bars = std::move(unique);
  return out;
}

Error ErrorFromResponse(int http_status, std::string_view body) {
  std::string text;
  auto root = ParseJson(body);
  if (root.ok() && root->is_object()) {
    if (auto error = ChartError(root->get_object())) {
      text = error->message;
    }
  }
  if (text.empty()) {
    text = std::string(body.substr(0, std::min<std::size_t>(body.size(), 200)));
  }
  ErrorCode code = ErrorCode::kUnavailable;
  if (http_status == 400 || http_status == 422) {
    code = ErrorCode::kInvalidArgument;
  } else if (http_status == 401 || http_status == 403) {
    code = ErrorCode::kPermissionDenied;
  } else if (http_status == 404) {
    code = ErrorCode::kNotFound;
  } else if (http_status == 429) {
    code = ErrorCode::kRateLimited;
  }
  return Error{code, "Yahoo HTTP " + std::to_string(http_status) + (text.empty() ? "" : ": " + text), {}};
}

}  // namespace td::adapters::yahoo
