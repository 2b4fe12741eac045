// SPDX-License-Identifier: MIT
#include "adapters/tradier/parse.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "model/exchange.hpp"
#include "model/instrument.hpp"
#include "model/symbology.hpp"

namespace td::adapters::tradier {

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

/// The elements of a Tradier list: an array, a single element, or nothing for null/missing.
std::vector<const json::value*> ListOf(const json::value* v) {
  std::vector<const json::value*> out;
  if (v == nullptr || v->is_null()) {
    return out;
  }
  if (const json::array* a = v->if_array()) {
    for (const json::value& e : *a) {
      out.push_back(&e);
    }
  } else {
    out.push_back(v);
  }
  return out;
}

/// A number field; missing or null is nullopt, anything else non-numeric an error.
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
  } else {
    return Error::InvalidArgument("not a number", std::string(key));
  }
  if (!std::isfinite(out) || out < 0.0) {
    return Error::InvalidArgument("not a finite non-negative number", std::string(key));
  }
  return std::optional<double>(out);
}

/// A quoted price: zero (an empty side) and null are unset.
Result<std::optional<Price>> QuotedPrice(const json::object& o, std::string_view key, int precision) {
  auto n = Number(o, key);
  if (!n.ok()) {
    return n.error();
  }
  if (!n->has_value() || **n == 0.0) {
    return std::optional<Price>{};
  }
  auto p = Price::FromDouble(**n, precision);
  if (!p.ok()) {
    return Error::InvalidArgument(p.error().message, std::string(key));
  }
  return std::optional<Price>(*p);
}

Result<Quantity> Size(const json::object& o, std::string_view key, int precision) {
  auto n = Number(o, key);
  if (!n.ok()) {
    return n.error();
  }
  auto q = Quantity::FromDouble(n->value_or(0.0), precision);
  if (!q.ok()) {
    return Error::InvalidArgument(q.error().message, std::string(key));
  }
  return *q;
}

Result<CivilDate> ParseDate(std::string_view text) {
  int y = 0;
  int m = 0;
  int d = 0;
  char extra = 0;
  const std::string s(text);
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3) {
    return Error::InvalidArgument("not a YYYY-MM-DD date: \"" + s + "\"");
  }
  const CivilDate date{y, m, d};
  if (!IsValidDate(date)) {
    return Error::InvalidArgument("no such date: \"" + s + "\"");
  }
  return date;
}

/// Fills one side's quote; the error names the field.
Result<OptionQuote> ParseOptionQuote(const json::object& row, const ParseOptions& options, std::size_t* missing_greeks) {
  OptionQuote quote;
  const int pp = options.price_precision;
  for (auto [key, target] : {std::pair<const char*, std::optional<Price>*>{"bid", &quote.bid},
                             {"ask", &quote.ask},
                             {"last", &quote.last}}) {
    auto p = QuotedPrice(row, key, pp);
    if (!p.ok()) {
      return p.error();
    }
    *target = *p;
  }
  const int vp = options.volume_precision;
  for (auto [key, target] : {std::pair<const char*, Quantity*>{"bidsize", &quote.bid_qty},
                             {"asksize", &quote.ask_qty},
                             {"volume", &quote.volume},
                             {"open_interest", &quote.open_interest}}) {
    auto q = Size(row, key, vp);
    if (!q.ok()) {
      return q.error();
    }
    *target = *q;
  }
  const json::value* greeks = row.if_contains("greeks");
  if (greeks == nullptr || greeks->is_null()) {
    ++*missing_greeks;
  } else if (const json::object* g = greeks->if_object()) {
    for (const char* key : {"mid_iv", "smv_vol"}) {
      auto iv = Number(*g, key);
      if (!iv.ok()) {
        return Error::InvalidArgument(iv.error().message, "greeks." + iv.error().field);
      }
      if (iv->has_value() && **iv > 0.0) {
        quote.vendor_iv = **iv;
        break;
      }
    }
  } else {
    return Error::InvalidArgument("not an object", "greeks");
  }
  TD_TRY(quote.Validate());
  return quote;
}

}  // namespace

Result<std::string> TradierSymbol(const InstrumentId& instrument) {
  auto exchange = ParseExchange(instrument.exchange());
  if (!exchange.ok() || (*exchange != Exchange::kUs && *exchange != Exchange::kOpra)) {
    return Error::InvalidArgument("Tradier serves US and OPRA instruments, not " + instrument.value(), "instrument");
  }
  if (*exchange == Exchange::kOpra) {
    auto occ = OccSymbol::Parse(instrument.symbol());
    if (!occ.ok()) {
      return Error::InvalidArgument("not an OCC option symbol: " + occ.error().message, "instrument");
    }
    return occ->ToCompactString();
  }
  std::string symbol(instrument.symbol());
  if (symbol.starts_with("^")) {
    symbol.erase(0, 1);
  }
  if (symbol.empty() || symbol.find_first_of(",/") != std::string::npos) {
    return Error::InvalidArgument("not a Tradier symbol: " + instrument.value(), "instrument");
  }
  return symbol;
}

std::string FormatDate(CivilDate date) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", date.year % 10000, date.month % 100, date.day % 100);
  return buffer;
}

Result<std::vector<CivilDate>> ParseExpirations(std::string_view body) {
  auto root = ParseJson(body);
  if (!root.ok()) {
    return root.error();
  }
  const json::object* o = root->if_object();
  if (o == nullptr || !o->contains("expirations")) {
    return Error::InvalidArgument("missing expirations", "expirations");
  }
  const json::value& expirations = o->at("expirations");
  std::vector<CivilDate> dates;
  if (expirations.is_null()) {
    return dates;
  }
  const json::object* e = expirations.if_object();
  if (e == nullptr) {
    return Error::InvalidArgument("expirations must be an object", "expirations");
  }
  for (const json::value* entry : ListOf(e->if_contains("date"))) {
    if (!entry->is_string()) {
      return Error::InvalidArgument("date is not a string", "expirations.date");
    }
    auto date = ParseDate(std::string_view(entry->get_string().data(), entry->get_string().size()));
    if (!date.ok()) {
      return Error::InvalidArgument(date.error().message, "expirations.date");
    }
    dates.push_back(*date);
  }
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  return dates;
}

Result<ChainParse> ParseChain(std::string_view body, const InstrumentId& underlying, Price underlying_price,
                              const ParseOptions& options, UnixNanos ts_init) {
  auto root = ParseJson(body);
  if (!root.ok()) {
    return root.error();
  }
  const json::object* o = root->if_object();
  if (o == nullptr || !o->contains("options")) {
    return Error::InvalidArgument("missing options", "options");
  }
  ChainParse out;
  OptionChainBuilder builder(underlying, ts_init, underlying_price);
  const json::value& options_value = o->at("options");
  if (!options_value.is_null()) {
    const json::object* list = options_value.if_object();
    if (list == nullptr) {
      return Error::InvalidArgument("options must be an object", "options");
    }
    std::size_t index = 0;
    for (const json::value* row_value : ListOf(list->if_contains("option"))) {
      const std::string where = "options.option[" + std::to_string(index++) + "]";
      auto reject = [&](const Error& e) {
        if (out.rejected++ == 0) {
          out.first_reject = where + (e.field.empty() ? "" : "." + e.field) + ": " + e.message;
        }
      };
      const json::object* row = row_value->if_object();
      if (row == nullptr) {
        reject(Error::InvalidArgument("row is not an object"));
        continue;
      }
      auto occ = OccSymbol::Parse(Str(*row, "symbol"));
      if (!occ.ok()) {
        reject(Error::InvalidArgument(occ.error().message, "symbol"));
        continue;
      }
      auto right = ParseOptionRight(Str(*row, "option_type"));
      if (!right.ok() || *right != occ->right) {
        reject(Error::InvalidArgument("option_type does not match the symbol", "option_type"));
        continue;
      }
      auto expiry = ParseDate(Str(*row, "expiration_date"));
      if (!expiry.ok() || *expiry != occ->expiry) {
        reject(Error::InvalidArgument("expiration_date does not match the symbol", "expiration_date"));
        continue;
      }
      auto strike_number = Number(*row, "strike");
      if (!strike_number.ok() || !strike_number->has_value()) {
        reject(Error::InvalidArgument("missing or not a number", "strike"));
        continue;
      }
      auto strike = Price::FromDouble(**strike_number, 3);
      if (!strike.ok() || *strike != occ->strike) {
        reject(Error::InvalidArgument("strike does not match the symbol", "strike"));
        continue;
      }
      auto quote = ParseOptionQuote(*row, options, &out.missing_greeks);
      if (!quote.ok()) {
        reject(quote.error());
        continue;
      }
      auto id = InstrumentId::Make("OPRA", occ->ToCompactString());
      if (!id.ok()) {
        reject(Error::InvalidArgument(id.error().message, "symbol"));
        continue;
      }
      quote->instrument_id = *id;
      auto added = builder.Add(occ->expiry, WithMinimalPrecision(occ->strike), occ->right, std::move(*quote));
      if (!added.ok()) {
        reject(added.error());
      }
    }
  }
  auto chain = builder.Build();
  if (!chain.ok()) {
    return chain.error();
  }
  out.chain = std::move(*chain);
  return out;
}

std::optional<QuoteTick> TradierQuote::ToQuoteTick(UnixNanos ts_init) const {
  if (!bid.has_value() && !ask.has_value()) {
    return std::nullopt;
  }
  const int pp = bid.has_value() ? bid->precision() : ask->precision();
  QuoteTick tick;
  tick.instrument_id = instrument;
  tick.bid = bid.value_or(Price::FromRaw(0, pp));
  tick.ask = ask.value_or(Price::FromRaw(0, pp));
  tick.bid_size = bid_size;
  tick.ask_size = ask_size;
  tick.ts_event = ts;
  tick.ts_init = ts_init;
  return tick;
}

Result<QuotesParse> ParseQuotes(std::string_view body, const ParseOptions& options, UnixNanos ts_init) {
  auto root = ParseJson(body);
  if (!root.ok()) {
    return root.error();
  }
  const json::object* o = root->if_object();
  const json::value* quotes_value = o != nullptr ? o->if_contains("quotes") : nullptr;
  if (quotes_value == nullptr) {
    return Error::InvalidArgument("missing quotes", "quotes");
  }
  QuotesParse out;
  if (quotes_value->is_null()) {
    return out;
  }
  const json::object* quotes = quotes_value->if_object();
  if (quotes == nullptr) {
    return Error::InvalidArgument("quotes must be an object", "quotes");
  }
  if (const json::value* unmatched = quotes->if_contains("unmatched_symbols"); unmatched != nullptr && unmatched->is_object()) {
    for (const json::value* s : ListOf(unmatched->get_object().if_contains("symbol"))) {
      if (s->is_string()) {
        out.unmatched.emplace_back(s->get_string().c_str());
      }
    }
  }
  std::size_t index = 0;
  for (const json::value* entry : ListOf(quotes->if_contains("quote"))) {
    const std::string where = "quotes.quote[" + std::to_string(index++) + "]";
    auto reject = [&](const Error& e) {
      if (out.rejected++ == 0) {
        out.first_reject = where + (e.field.empty() ? "" : "." + e.field) + ": " + e.message;
      }
    };
    const json::object* row = entry->if_object();
    if (row == nullptr) {
      reject(Error::InvalidArgument("not an object"));
      continue;
    }
    TradierQuote q;
    q.symbol = Str(*row, "symbol");
    const bool option = Str(*row, "type") == "option";
    auto id = InstrumentId::Make(option ? "OPRA" : "US", q.symbol);
    if (!id.ok()) {
      reject(Error::InvalidArgument(id.error().message, "symbol"));
      continue;
    }
    q.instrument = *id;
    Status status;
    for (auto [key, target] : {std::pair<const char*, std::optional<Price>*>{"last", &q.last}, {"bid", &q.bid}, {"ask", &q.ask}}) {
      auto p = QuotedPrice(*row, key, options.price_precision);
      if (!p.ok()) {
        status = p.error();
        break;
      }
      *target = *p;
    }
    for (auto [key, target] : {std::pair<const char*, Quantity*>{"bidsize", &q.bid_size},
                               {"asksize", &q.ask_size},
                               {"volume", &q.volume}}) {
      if (!status.ok()) {
        break;
      }
      auto size = Size(*row, key, options.volume_precision);
      if (!size.ok()) {
        status = size.error();
        break;
      }
      *target = *size;
    }
    if (!status.ok()) {
      reject(status.error());
      continue;
    }
    q.ts = ts_init;
    std::int64_t latest = 0;
    for (const char* key : {"bid_date", "ask_date"}) {
      auto ms = Number(*row, key);
      if (ms.ok() && ms->has_value() && **ms < 4.0e12) {
        latest = std::max(latest, static_cast<std::int64_t>(**ms));
      }
    }
    if (latest > 0) {
      q.ts = UnixNanos::FromMillis(latest);
    }
    out.quotes.push_back(std::move(q));
  }
  return out;
}

Error ErrorFromResponse(int http_status, std::string_view body) {
  std::string text;
  auto root = ParseJson(body);
  if (root.ok() && root->is_object()) {
    const json::object& o = root->get_object();
    if (const json::value* fault = o.if_contains("fault"); fault != nullptr && fault->is_object()) {
      text = Str(fault->get_object(), "faultstring");
    } else if (const json::value* errors = o.if_contains("errors"); errors != nullptr && errors->is_object()) {
      for (const json::value* e : ListOf(errors->get_object().if_contains("error"))) {
        if (e->is_string()) {
          text += (text.empty() ? "" : "; ") + std::string(e->get_string().c_str());
        }
      }
    }
  }
  if (text.empty()) {
    text = std::string(body.substr(0, std::min<std::size_t>(body.size(), 200)));
  }
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
  return Error{code, "Tradier HTTP " + std::to_string(http_status) + (text.empty() ? "" : ": " + text), {}};
}

}  // namespace td::adapters::tradier
