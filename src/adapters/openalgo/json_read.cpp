// SPDX-License-Identifier: MIT
#include "adapters/openalgo/json_read.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>

#include <boost/json/parse.hpp>

namespace td::adapters::openalgo::detail {

namespace json = boost::json;

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

std::string Str(const json::value* v) {
  if (v == nullptr) {
    return {};
  }
  if (v->is_string()) {
    return std::string(v->get_string().c_str(), v->get_string().size());
  }
  if (v->is_int64()) {
    return std::to_string(v->get_int64());
  }
  return {};
}

Result<std::optional<double>> Number(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return std::optional<double>{};
  }
  double out = 0.0;
  if (v->is_int64()) {
    out = static_cast<double>(v->get_int64());
  } else if (v->is_uint64()) {
    out = static_cast<double>(v->get_uint64());
  } else if (v->is_double()) {
    out = v->get_double();
  } else if (v->is_string()) {
    const json::string& s = v->get_string();
    if (s.empty()) {
      return std::optional<double>{};
    }
    const char* end = s.data() + s.size();
    auto [ptr, ec] = std::from_chars(s.data(), end, out);
    if (ec != std::errc() || ptr != end) {
      return Error::InvalidArgument("not a number: \"" + std::string(s.c_str()) + "\"", std::string(key));
    }
  } else {
    return Error::InvalidArgument("not a number", std::string(key));
  }
  if (!std::isfinite(out)) {
    return Error::InvalidArgument("not a finite number", std::string(key));
  }
  return std::optional<double>(out);
}

Result<double> RequiredNumber(const json::object& o, std::string_view key) {
  auto n = Number(o, key);
  if (!n.ok()) {
    return n.error();
  }
  if (!n->has_value()) {
    return Error::InvalidArgument("missing", std::string(key));
  }
  return **n;
}

Result<Price> ToPrice(double value, int precision, std::string_view field) {
  if (value < 0.0) {
    return Error::InvalidArgument("negative price", std::string(field));
  }
  auto p = Price::FromDouble(value, precision);
  if (!p.ok()) {
    return Error::InvalidArgument(p.error().message, std::string(field));
  }
  return *p;
}

Result<Quantity> ToQuantity(double value, int precision, std::string_view field) {
  if (value < 0.0) {
    return Error::InvalidArgument("negative quantity", std::string(field));
  }
  auto q = Quantity::FromDouble(value, precision);
  if (!q.ok()) {
    return Error::InvalidArgument(q.error().message, std::string(field));
  }
  return *q;
}

Result<std::optional<Price>> OptionalPrice(const json::object& o, std::string_view key, int precision) {
  auto n = Number(o, key);
  if (!n.ok()) {
    return n.error();
  }
  if (!n->has_value()) {
    return std::optional<Price>{};
  }
  auto p = ToPrice(**n, precision, key);
  if (!p.ok()) {
    return p.error();
  }
  return std::optional<Price>(*p);
}

Result<std::optional<Quantity>> OptionalQuantity(const json::object& o, std::string_view key, int precision) {
  auto n = Number(o, key);
  if (!n.ok()) {
    return n.error();
  }
  if (!n->has_value()) {
    return std::optional<Quantity>{};
  }
  auto q = ToQuantity(**n, precision, key);
  if (!q.ok()) {
    return q.error();
  }
  return std::optional<Quantity>(*q);
}

Result<UnixNanos> Timestamp(const json::value& v, int utc_offset_minutes) {
  auto from_epoch = [](double value) -> Result<UnixNanos> {
    if (!std::isfinite(value) || value < 0.0 || value > 4.0e12) {
      return Error::InvalidArgument("timestamp out of range");
    }
    if (value > 1.0e11) {
      return UnixNanos::FromMillis(static_cast<std::int64_t>(value));
    }
    if (value > 4.0e9) {
      return Error::InvalidArgument("timestamp out of range");  // neither plausible seconds nor milliseconds
    }
    return UnixNanos(static_cast<std::int64_t>(std::llround(value * 1e3)) * 1'000'000);
  };
  if (v.is_int64()) {
    return from_epoch(static_cast<double>(v.get_int64()));
  }
  if (v.is_uint64()) {
    return from_epoch(static_cast<double>(v.get_uint64()));
  }
  if (v.is_double()) {
    return from_epoch(v.get_double());
  }
  if (!v.is_string()) {
    return Error::InvalidArgument("timestamp is neither a number nor a string");
  }
  const std::string_view s(v.get_string().data(), v.get_string().size());
  if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    double value = 0.0;
    std::from_chars(s.data(), s.data() + s.size(), value);
    return from_epoch(value);
  }
  auto parsed = UnixNanos::ParseIso8601(s);
  if (!parsed.ok()) {
    return Error::InvalidArgument("bad timestamp \"" + std::string(s) + "\"");
  }
  const bool zoned = s.size() > 10 && (s.find_first_of("Zz+", 10) != std::string_view::npos ||
                                       s.find('-', 10) != std::string_view::npos);
  if (zoned) {
    return *parsed;
  }
  return *parsed - std::chrono::minutes(utc_offset_minutes);
}

Error WithField(Error error, const std::string& prefix) {
  error.field = error.field.empty() ? prefix : prefix + "." + error.field;
  return error;
}

Result<json::object> SuccessObject(const json::value& root) {
  const json::object* o = root.if_object();
  if (o == nullptr) {
    return Error::InvalidArgument("answer is not a JSON object");
  }
  const std::string status = Str(o->if_contains("status"));
  if (status == "error") {
    std::string message = Str(o->if_contains("message"));
    return Error::Unprocessable(message.empty() ? "OpenAlgo answered status error" : message);
  }
  if (status != "success") {
    return Error::InvalidArgument("answer has no status \"success\"", "status");
  }
  return *o;
}

}  // namespace td::adapters::openalgo::detail
