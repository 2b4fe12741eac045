// SPDX-License-Identifier: MIT
#include "adapters/openalgo/parse.hpp"

#include "adapters/openalgo/json_read.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "model/exchange.hpp"
#include "model/symbology.hpp"

namespace td::adapters::openalgo {

namespace json = boost::json;
using namespace detail;  // NOLINT(google-build-using-namespace): the module's own reading helpers

namespace {

json::object SymbolEntry(const WireSymbol& s) {
  json::object e;
  e["symbol"] = s.symbol;
  e["exchange"] = s.exchange;
  return e;
}

constexpr std::array<std::string_view, 6> kNseIndices = {"NIFTY",      "BANKNIFTY",  "FINNIFTY",
                                                         "MIDCPNIFTY", "NIFTYNXT50", "INDIAVIX"};
constexpr std::array<std::string_view, 3> kBseIndices = {"SENSEX", "BANKEX", "SENSEX50"};

template <std::size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

// ---- symbols ---------------------------------------------------------------------------------------------

Result<WireSymbol> ToWireSymbol(const InstrumentId& id, bool normalise_index_exchanges) {
  if (id.empty()) {
    return Error::InvalidArgument("empty instrument id", "instrument");
  }
  auto exchange = ParseExchange(id.exchange());
  if (!exchange.ok()) {
    return Error::InvalidArgument("OpenAlgo has no exchange " + std::string(id.exchange()), "instrument");
  }
  if (*exchange == Exchange::kUs || *exchange == Exchange::kOpra) {
    return Error::InvalidArgument("OpenAlgo does not serve " + id.value(), "instrument");
  }
  auto symbol = OpenAlgoSymbol::Parse(id.symbol());
  if (!symbol.ok()) {
    return Error::InvalidArgument("not an OpenAlgo symbol: " + symbol.error().message, "instrument");
  }
  WireSymbol wire{symbol->ToString(), std::string(ToString(*exchange))};
  if (normalise_index_exchanges && symbol->kind == OpenAlgoSymbolKind::kPlain) {
    if (*exchange == Exchange::kNse && Contains(kNseIndices, wire.symbol)) {
      wire.exchange = "NSE_INDEX";
    } else if (*exchange == Exchange::kBse && Contains(kBseIndices, wire.symbol)) {
      wire.exchange = "BSE_INDEX";
    }
  }
  return wire;
}

Result<InstrumentId> FromWireSymbol(const WireSymbol& wire) {
  auto exchange = ParseExchange(wire.exchange);
  if (!exchange.ok()) {
    return Error::InvalidArgument("unknown exchange \"" + wire.exchange + "\"", "exchange");
  }
  auto id = InstrumentId::Make(ToString(*exchange), wire.symbol);
  if (!id.ok()) {
    return Error::InvalidArgument(id.error().message, "symbol");
  }
  return *id;
}

std::string_view OptionExchangeFor(std::string_view underlying_exchange) {
  auto exchange = ParseExchange(underlying_exchange);
  if (!exchange.ok()) {
    return {};
  }
  switch (*exchange) {
    case Exchange::kNse:
    case Exchange::kNseIndex:
    case Exchange::kNfo:
      return "NFO";
    case Exchange::kBse:
    case Exchange::kBseIndex:
    case Exchange::kBfo:
      return "BFO";
    case Exchange::kMcx:
    case Exchange::kMcxIndex:
      return "MCX";
    case Exchange::kCds:
      return "CDS";
    case Exchange::kBcd:
      return "BCD";
    default:
      return {};
  }
}

// ---- WebSocket -------------------------------------------------------------------------------------------

std::string AuthenticateMessage(std::string_view api_key) {
  json::object o;
  o["action"] = "authenticate";
  o["api_key"] = api_key;
  return json::serialize(o);
}

std::string SubscribeMessage(const std::vector<WireSymbol>& symbols, StreamMode mode, int depth_levels) {
  json::object o;
  o["action"] = "subscribe";
  json::array list;
  for (const auto& s : symbols) {
    list.push_back(SymbolEntry(s));
  }
  o["symbols"] = std::move(list);
  o["mode"] = ToString(mode);
  if (mode == StreamMode::kDepth) {
    o["depth"] = depth_levels;
  }
  return json::serialize(o);
}

std::string UnsubscribeMessage(const std::vector<WireSymbol>& symbols, StreamMode mode) {
  json::object o;
  o["action"] = "unsubscribe";
  json::array list;
  for (const auto& s : symbols) {
    json::object e = SymbolEntry(s);
    e["mode"] = static_cast<int>(mode);
    list.push_back(std::move(e));
  }
  o["symbols"] = std::move(list);
  o["mode"] = ToString(mode);
  return json::serialize(o);
}

std::string PingMessage(UnixNanos now) {
  json::object o;
  o["action"] = "ping";
  o["client_timestamp"] = now.millis();
  return json::serialize(o);
}

namespace {

Status ParseBestBidOffer(const json::object& data, StreamMode mode, const ParseOptions& options,
                         MarketDataFrame& frame, UnixNanos ts_init) {
  std::optional<Price> bid;
  std::optional<Price> ask;
  std::optional<Quantity> bid_size;
  std::optional<Quantity> ask_size;
  const int pp = options.price_precision;
  const int vp = options.volume_precision;
  if (mode == StreamMode::kDepth) {
    const json::value* depth = data.if_contains("depth");
    if (depth == nullptr || depth->is_null()) {
      return {};
    }
    const json::object* book = depth->if_object();
    if (book == nullptr) {
      return Error::InvalidArgument("depth is not an object", "data.depth");
    }
    for (const char* side : {"buy", "sell"}) {
      const json::value* levels = book->if_contains(side);
      if (levels == nullptr || levels->is_null()) {
        continue;
      }
      const json::array* list = levels->if_array();
      if (list == nullptr) {
        return Error::InvalidArgument("not an array", std::string("data.depth.") + side);
      }
      if (list->empty()) {
        continue;
      }
      const json::object* level = (*list)[0].if_object();
      if (level == nullptr) {
        return Error::InvalidArgument("level is not an object", std::string("data.depth.") + side + "[0]");
      }
      auto price = OptionalPrice(*level, "price", pp);
      auto qty = OptionalQuantity(*level, "quantity", vp);
      if (!price.ok()) {
        return WithField(price.error(), std::string("data.depth.") + side + "[0]");
      }
      if (!qty.ok()) {
        return WithField(qty.error(), std::string("data.depth.") + side + "[0]");
      }
      if (std::string_view(side) == "buy") {
        bid = *price;
        bid_size = *qty;
      } else {
        ask = *price;
        ask_size = *qty;
      }
    }
  } else {
    auto b = OptionalPrice(data, "bid", pp);
    auto a = OptionalPrice(data, "ask", pp);
    if (!b.ok()) {
      return WithField(b.error(), "data");
    }
    if (!a.ok()) {
      return WithField(a.error(), "data");
    }
    bid = *b;
    ask = *a;
    for (const char* key : {"bid_qty", "bid_size", "bidqty"}) {
      auto q = OptionalQuantity(data, key, vp);
      if (!q.ok()) {
        return WithField(q.error(), "data");
      }
      if (q->has_value()) {
        bid_size = *q;
        break;
      }
    }
    for (const char* key : {"ask_qty", "ask_size", "askqty"}) {
      auto q = OptionalQuantity(data, key, vp);
      if (!q.ok()) {
        return WithField(q.error(), "data");
      }
      if (q->has_value()) {
        ask_size = *q;
        break;
      }
    }
  }
  const bool has_bid = bid.has_value() && bid->is_positive();
  const bool has_ask = ask.has_value() && ask->is_positive();
  if (!has_bid && !has_ask) {
    return {};
  }
  QuoteTick quote;
  quote.instrument_id = frame.instrument;
  quote.bid = has_bid ? *bid : Price::FromRaw(0, pp);
  quote.ask = has_ask ? *ask : Price::FromRaw(0, pp);
  quote.bid_size = bid_size.value_or(Quantity::FromRaw(0, vp));
  quote.ask_size = ask_size.value_or(Quantity::FromRaw(0, vp));
  quote.ts_event = frame.ts_event;
  quote.ts_init = ts_init;
  frame.quote = quote;
  return {};
}

Result<MarketDataFrame> ParseMarketData(const json::object& o, const ParseOptions& options, UnixNanos ts_init) {
  MarketDataFrame frame;
  const json::value* mode = o.if_contains("mode");
  if (mode == nullptr || !(mode->is_int64() || mode->is_uint64())) {
    return Error::InvalidArgument("mode must be an integer 1, 2 or 3", "mode");
  }
  const std::int64_t m = mode->is_int64() ? mode->get_int64() : static_cast<std::int64_t>(mode->get_uint64());
  if (m < 1 || m > 3) {
    return Error::InvalidArgument("mode must be 1, 2 or 3", "mode");
  }
  frame.mode = static_cast<StreamMode>(m);
  frame.wire.symbol = Str(o.if_contains("symbol"));
  frame.wire.exchange = Str(o.if_contains("exchange"));
  if (frame.wire.symbol.empty() || frame.wire.exchange.empty()) {
    return Error::InvalidArgument("symbol and exchange are required", "symbol");
  }
  auto id = FromWireSymbol(frame.wire);
  if (!id.ok()) {
    return id.error();
  }
  frame.instrument = *id;
  const json::value* data_value = o.if_contains("data");
  const json::object* data = data_value != nullptr ? data_value->if_object() : nullptr;
  if (data == nullptr) {
    return Error::InvalidArgument("data must be an object", "data");
  }
  frame.ts_event = ts_init;
  for (const char* key : {"timestamp", "ltt", "last_trade_time"}) {
    const json::value* ts = data->if_contains(key);
    if (ts != nullptr && !ts->is_null()) {
      auto parsed = Timestamp(*ts, options.utc_offset_minutes);
      if (!parsed.ok()) {
        return WithField(parsed.error(), std::string("data.") + key);
      }
      frame.ts_event = *parsed;
      break;
    }
  }
  auto ltp = OptionalPrice(*data, "ltp", options.price_precision);
  if (!ltp.ok()) {
    return WithField(ltp.error(), "data");
  }
  if (!ltp->has_value() || !(*ltp)->is_positive()) {
    return Error::InvalidArgument("ltp must be a positive number", "data.ltp");
  }
  frame.ltp = *ltp;
  auto ltq = OptionalQuantity(*data, "ltq", options.volume_precision);
  if (!ltq.ok()) {
    return WithField(ltq.error(), "data");
  }
  frame.ltq = *ltq;
  auto volume = OptionalQuantity(*data, "volume", options.volume_precision);
  if (!volume.ok()) {
    return WithField(volume.error(), "data");
  }
  frame.volume = *volume;
  if (frame.mode != StreamMode::kLtp) {
    TD_TRY(ParseBestBidOffer(*data, frame.mode, options, frame, ts_init));
  }
  return frame;
}

WsMessageKind KindOfType(std::string_view type) {
  if (type == "auth") {
    return WsMessageKind::kAuth;
  }
  if (type == "subscribe") {
    return WsMessageKind::kSubscribe;
  }
  if (type == "unsubscribe") {
    return WsMessageKind::kUnsubscribe;
  }
  if (type == "pong") {
    return WsMessageKind::kPong;
  }
  if (type == "market_data") {
    return WsMessageKind::kMarketData;
  }
  if (type == "error") {
    return WsMessageKind::kError;
  }
  return WsMessageKind::kOther;
}

}  // namespace

Result<WsMessage> ParseWsMessage(std::string_view text, const ParseOptions& options, UnixNanos ts_init) {
  auto root = ParseJson(text);
  if (!root.ok()) {
    return root.error();
  }
  const json::object* o = root->if_object();
  if (o == nullptr) {
    return Error::InvalidArgument("frame is not a JSON object");
  }
  WsMessage message;
  message.type = Str(o->if_contains("type"));
  message.status = Str(o->if_contains("status"));
  message.code = Str(o->if_contains("code"));
  message.message = Str(o->if_contains("message"));
  message.success = message.status == "success";
  message.kind = KindOfType(message.type);
  if (message.kind == WsMessageKind::kOther && message.status == "error") {
    message.kind = WsMessageKind::kError;
  }
  if (message.kind == WsMessageKind::kMarketData) {
    auto frame = ParseMarketData(*o, options, ts_init);
    if (!frame.ok()) {
      return frame.error();
    }
    message.market = std::move(*frame);
    message.success = true;
    return message;
  }
  if (message.kind == WsMessageKind::kSubscribe || message.kind == WsMessageKind::kUnsubscribe) {
    for (const char* key : {"subscriptions", "failed"}) {
      const json::value* list = o->if_contains(key);
      if (list == nullptr || !list->is_array()) {
        continue;
      }
      for (const json::value& entry : list->get_array()) {
        const json::object* e = entry.if_object();
        if (e == nullptr) {
          continue;
        }
        const std::string status = Str(e->if_contains("status"));
        if (std::string_view(key) == "failed" || status == "error") {
          message.failed.push_back(Str(e->if_contains("exchange")) + ":" + Str(e->if_contains("symbol")) + ": " +
                                   Str(e->if_contains("message")));
        }
      }
    }
  }
  return message;
}

std::optional<TradeTick> DeriveTrade(const MarketDataFrame& frame, TradeState& state, UnixNanos ts_init) {
  if (!frame.ltp.has_value()) {
    return std::nullopt;
  }
  const Price price = *frame.ltp;
  Quantity size = Quantity::FromRaw(0, 0);
  bool emit = true;
  if (frame.volume.has_value()) {
    const Quantity volume = *frame.volume;
    if (state.last_volume.has_value() && volume > *state.last_volume) {
      size = volume - *state.last_volume;
    }
    const bool moved = !state.last_price.has_value() || price != *state.last_price || size.is_positive();
    emit = moved;
    state.last_volume = volume;
  } else if (frame.ltq.has_value()) {
    size = *frame.ltq;
  }
  state.last_price = price;
  if (!emit) {
    return std::nullopt;
  }
  TradeTick trade;
  trade.instrument_id = frame.instrument;
  trade.price = price;
  trade.size = size;
  trade.ts_event = frame.ts_event;
  trade.ts_init = ts_init;
  return trade;
}

// ---- REST ------------------------------------------------------------------------------------------------

Result<std::string> IntervalFor(BarSpec spec) {
  if (spec.step == 0) {
    return Error::InvalidArgument("bar step must be positive", "interval");
  }
  const std::string step = std::to_string(spec.step);
  switch (spec.unit) {
    case BarUnit::kSecond:
      return step + "s";
    case BarUnit::kMinute:
      return step + "m";
    case BarUnit::kHour:
      return step + "h";
    case BarUnit::kDay:
    case BarUnit::kWeek:
    case BarUnit::kMonth:
      if (spec.step != 1) {
        return Error::InvalidArgument("OpenAlgo serves only 1-step daily, weekly and monthly bars, not " +
                                          spec.ToString(),
                                      "interval");
      }
      return std::string(spec.unit == BarUnit::kDay ? "D" : spec.unit == BarUnit::kWeek ? "W" : "M");
  }
  return Error::InvalidArgument("unsupported bar unit", "interval");
}

std::string FormatIsoDate(CivilDate date) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", date.year % 10000, date.month % 100, date.day % 100);
  return buffer;
}

std::string HistoryRequestBody(std::string_view api_key, const WireSymbol& symbol, std::string_view interval,
                               CivilDate start_date, CivilDate end_date) {
  json::object o;
  o["apikey"] = api_key;
  o["symbol"] = symbol.symbol;
  o["exchange"] = symbol.exchange;
  o["interval"] = interval;
  o["start_date"] = FormatIsoDate(start_date);
  o["end_date"] = FormatIsoDate(end_date);
  return json::serialize(o);
}

std::string QuotesRequestBody(std::string_view api_key, const WireSymbol& symbol) {
  json::object o;
  o["apikey"] = api_key;
  o["symbol"] = symbol.symbol;
  o["exchange"] = symbol.exchange;
  return json::serialize(o);
}

std::string ExpiryRequestBody(std::string_view api_key, std::string_view symbol, std::string_view exchange) {
  json::object o;
  o["apikey"] = api_key;
  o["symbol"] = symbol;
  o["exchange"] = exchange;
  o["instrumenttype"] = "options";
  return json::serialize(o);
}

std::string OptionChainRequestBody(std::string_view api_key, const WireSymbol& underlying, CivilDate expiry,
                                   int strike_count) {
  json::object o;
  o["apikey"] = api_key;
  o["underlying"] = underlying.symbol;
  o["exchange"] = underlying.exchange;
  o["expiry_date"] = FormatOpenAlgoExpiry(expiry);
  if (strike_count > 0) {
    o["strike_count"] = strike_count;
  }
  return json::serialize(o);
}

std::string IntervalsRequestBody(std::string_view api_key) {
  json::object o;
  o["apikey"] = api_key;
  return json::serialize(o);
}

Error ErrorFromResponse(int http_status, std::string_view body) {
  std::string message;
  auto root = ParseJson(body);
  if (root.ok()) {
    if (const json::object* o = root->if_object()) {
      message = Str(o->if_contains("message"));
    }
  }
  if (message.empty()) {
    message = body.size() > 200 ? std::string(body.substr(0, 200)) : std::string(body);
  }
  message = "OpenAlgo HTTP " + std::to_string(http_status) + (message.empty() ? "" : ": " + message);
  ErrorCode code = ErrorCode::kUnavailable;
  if (http_status == 200) {
    code = ErrorCode::kUnprocessable;
  } else if (http_status == 400 || http_status == 422) {
    code = ErrorCode::kInvalidArgument;
  } else if (http_status == 401) {
    code = ErrorCode::kUnauthenticated;
  } else if (http_status == 403) {
    code = ErrorCode::kPermissionDenied;
  } else if (http_status == 404) {
    code = ErrorCode::kNotFound;
  } else if (http_status == 429) {
    code = ErrorCode::kRateLimited;
  }
  return Error{code, std::move(message), {}};
}

Result<BarsParse> ParseHistory(std::string_view body, const ParseOptions& options, UnixNanos ts_init) {
  auto root = ParseJson(body);
  if (!root.ok()) {
    return root.error();
  }
  auto o = SuccessObject(*root);
  if (!o.ok()) {
    return o.error();
  }
  const json::value* data = o->if_contains("data");
  if (data == nullptr || !data->is_array()) {
    return Error::InvalidArgument("data must be an array", "data");
  }
  BarsParse out;
  std::size_t index = 0;
  for (const json::value& row_value : data->get_array()) {
    const std::string where = "data[" + std::to_string(index++) + "]";
    auto reject = [&](const Error& e) {
      if (out.rejected++ == 0) {
        out.first_reject = WithField(e, where).field + ": " + e.message;
      }
    };
    const json::object* row = row_value.if_object();
    if (row == nullptr) {
      reject(Error::InvalidArgument("row is not an object"));
      continue;
    }
    const json::value* ts_value = row->if_contains("timestamp");
    if (ts_value == nullptr || ts_value->is_null()) {
      reject(Error::InvalidArgument("missing", "timestamp"));
      continue;
    }
    auto ts = Timestamp(*ts_value, options.utc_offset_minutes);
    if (!ts.ok()) {
      reject(WithField(ts.error(), "timestamp"));
      continue;
    }
    Bar bar;
    bar.ts_event = *ts;
    bar.ts_init = ts_init;
    Status status;
    for (auto [key, target] : {std::pair<const char*, Price*>{"open", &bar.open},
                               {"high", &bar.high},
                               {"low", &bar.low},
                               {"close", &bar.close}}) {
      auto n = RequiredNumber(*row, key);
      if (!n.ok()) {
        status = n.error();
        break;
      }
      auto p = ToPrice(*n, options.price_precision, key);
      if (!p.ok()) {
        status = p.error();
        break;
      }
      *target = *p;
    }
    if (status.ok()) {
      auto v = Number(*row, "volume");
      if (!v.ok()) {
        status = v.error();
      } else {
        auto q = ToQuantity(v->value_or(0.0), options.volume_precision, "volume");
        if (q.ok()) {
          bar.volume = *q;
        } else {
          status = q.error();
        }
      }
    }
    if (!status.ok()) {
      reject(status.error());
      continue;
    }
    if (!bar.IsConsistent()) {
      reject(Error::InvalidArgument("inconsistent bar: low/high do not bracket open/close", "high"));
      continue;
    }
    out.bars.push_back(bar);
  }
  std::stable_sort(out.bars.begin(), out.bars.end(),
                   [](const Bar& a, const Bar& b) { return a.ts_event < b.ts_event; });
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

std::optional<QuoteTick> QuoteSnapshot::ToQuoteTick() const {
  if (!bid.has_value() && !ask.has_value()) {
    return std::nullopt;
  }
  const int pp = ltp.precision();
  QuoteTick quote;
  quote.instrument_id = instrument;
  quote.bid = bid.value_or(Price::FromRaw(0, pp));
  quote.ask = ask.value_or(Price::FromRaw(0, pp));
  quote.bid_size = Quantity::FromRaw(0, 0);
  quote.ask_size = Quantity::FromRaw(0, 0);
  quote.ts_event = ts;
  quote.ts_init = ts;
  return quote;
}

TradeTick QuoteSnapshot::ToTradeTick() const {
  TradeTick trade;
  trade.instrument_id = instrument;
  trade.price = ltp;
  trade.size = Quantity::FromRaw(0, 0);
  trade.ts_event = ts;
  trade.ts_init = ts;
  return trade;
}

Result<QuoteSnapshot> ParseQuotes(std::string_view body, const InstrumentId& instrument,
                                  const ParseOptions& options, UnixNanos ts_init) {
  auto root = ParseJson(body);
  if (!root.ok()) {
    return root.error();
  }
  auto o = SuccessObject(*root);
  if (!o.ok()) {
    return o.error();
  }
  const json::value* data_value = o->if_contains("data");
  const json::object* data = data_value != nullptr ? data_value->if_object() : nullptr;
  if (data == nullptr) {
    return Error::InvalidArgument("data must be an object", "data");
  }
  QuoteSnapshot q;
  q.instrument = instrument;
  q.ts = ts_init;
  const int pp = options.price_precision;
  for (auto [key, target] : {std::pair<const char*, Price*>{"ltp", &q.ltp},
                             {"open", &q.open},
                             {"high", &q.high},
                             {"low", &q.low},
                             {"prev_close", &q.prev_close}}) {
    auto n = Number(*data, key);
    if (!n.ok()) {
      return WithField(n.error(), "data");
    }
    auto p = ToPrice(n->value_or(0.0), pp, key);
    if (!p.ok()) {
      return WithField(p.error(), "data");
    }
    *target = *p;
  }
  if (!q.ltp.is_positive()) {
    return Error::InvalidArgument("ltp must be positive", "data.ltp");
  }
  for (auto [key, target] : {std::pair<const char*, std::optional<Price>*>{"bid", &q.bid}, {"ask", &q.ask}}) {
    auto p = OptionalPrice(*data, key, pp);
    if (!p.ok()) {
      return WithField(p.error(), "data");
    }
    if (p->has_value() && (*p)->is_positive()) {
      *target = *p;
    }
  }
  for (auto [key, target] : {std::pair<const char*, Quantity*>{"volume", &q.volume}, {"oi", &q.oi}}) {
    auto n = OptionalQuantity(*data, key, options.volume_precision);
    if (!n.ok()) {
      return WithField(n.error(), "data");
    }
    *target = n->value_or(Quantity::FromRaw(0, options.volume_precision));
  }
  return q;
}

Result<std::vector<CivilDate>> ParseExpiries(std::string_view body) {
  auto root = ParseJson(body);
  if (!root.ok()) {
    return root.error();
  }
  auto o = SuccessObject(*root);
  if (!o.ok()) {
    return o.error();
  }
  const json::value* data = o->if_contains("data");
  if (data == nullptr || !data->is_array()) {
    return Error::InvalidArgument("data must be an array", "data");
  }
  std::vector<CivilDate> dates;
  std::size_t index = 0;
  for (const json::value& entry : data->get_array()) {
    const std::string field = "data[" + std::to_string(index++) + "]";
    if (!entry.is_string()) {
      return Error::InvalidArgument("expiry is not a string", field);
    }
    auto date = ParseOpenAlgoExpiry(std::string_view(entry.get_string().data(), entry.get_string().size()));
    if (!date.ok()) {
      return Error::InvalidArgument(date.error().message, field);
    }
    dates.push_back(*date);
  }
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  return dates;
}

namespace {

Result<OptionQuote> ParseChainSide(const json::object& side, std::string_view option_exchange,
                                   const ParseOptions& options) {
  OptionQuote quote;
  const std::string symbol = Str(side.if_contains("symbol"));
  if (!symbol.empty()) {
    auto id = InstrumentId::Make(option_exchange, symbol);
    if (!id.ok()) {
      return Error::InvalidArgument(id.error().message, "symbol");
    }
    quote.instrument_id = *id;
  }
  const int pp = options.price_precision;
  for (auto [key, target] : {std::pair<const char*, std::optional<Price>*>{"bid", &quote.bid},
                             {"ask", &quote.ask},
                             {"ltp", &quote.last}}) {
    auto p = OptionalPrice(side, key, pp);
    if (!p.ok()) {
      return p.error();
    }
    if (p->has_value() && (*p)->is_positive()) {
      *target = *p;
    }
  }
  const int vp = options.volume_precision;
  for (auto [key, target] : {std::pair<const char*, Quantity*>{"volume", &quote.volume},
                             {"oi", &quote.open_interest},
                             {"bid_qty", &quote.bid_qty},
                             {"ask_qty", &quote.ask_qty}}) {
    auto q = OptionalQuantity(side, key, vp);
    if (!q.ok()) {
      return q.error();
    }
    *target = q->value_or(Quantity::FromRaw(0, vp));
  }
  for (const char* key : {"iv", "implied_volatility"}) {
    auto iv = Number(side, key);
    if (!iv.ok()) {
      return iv.error();
    }
    if (iv->has_value() && **iv > 0.0) {
      quote.vendor_iv = **iv > 3.0 ? **iv / 100.0 : **iv;  // percent when above 300 %
      break;
    }
  }
  TD_TRY(quote.Validate());
  return quote;
}

}  // namespace

Result<OptionChain> ParseOptionChain(std::string_view body, const InstrumentId& underlying,
                                     std::string_view option_exchange, CivilDate expiry,
                                     const ParseOptions& options, UnixNanos ts_init) {
  auto root = ParseJson(body);
  if (!root.ok()) {
    return root.error();
  }
  auto o = SuccessObject(*root);
  if (!o.ok()) {
    return o.error();
  }
  const std::string expiry_text = Str(o->if_contains("expiry_date"));
  if (!expiry_text.empty()) {
    auto parsed = ParseOpenAlgoExpiry(expiry_text);
    if (!parsed.ok()) {
      return Error::InvalidArgument(parsed.error().message, "expiry_date");
    }
    expiry = *parsed;
  }
  auto spot = Number(*o, "underlying_ltp");
  if (!spot.ok()) {
    return spot.error();
  }
  auto spot_price = ToPrice(spot->value_or(0.0), options.price_precision, "underlying_ltp");
  if (!spot_price.ok()) {
    return spot_price.error();
  }
  const json::value* chain = o->if_contains("chain");
  if (chain == nullptr || !chain->is_array()) {
    return Error::InvalidArgument("chain must be an array", "chain");
  }
  OptionChainBuilder builder(underlying, ts_init, *spot_price);
  std::size_t index = 0;
  for (const json::value& row_value : chain->get_array()) {
    const std::string where = "chain[" + std::to_string(index++) + "]";
    const json::object* row = row_value.if_object();
    if (row == nullptr) {
      return Error::InvalidArgument("row is not an object", where);
    }
    auto strike_number = RequiredNumber(*row, "strike");
    if (!strike_number.ok()) {
      return WithField(strike_number.error(), where);
    }
    auto strike = Price::FromDouble(*strike_number, 4);
    if (!strike.ok() || !strike->is_positive()) {
      return Error::InvalidArgument("strike must be positive", where + ".strike");
    }
    const Price shown = WithMinimalPrecision(*strike);
    for (auto [key, right] : {std::pair<const char*, OptionRight>{"ce", OptionRight::kCall}, {"pe", OptionRight::kPut}}) {
      const json::value* side = row->if_contains(key);
      if (side == nullptr || side->is_null()) {
        continue;
      }
      const json::object* side_object = side->if_object();
      if (side_object == nullptr) {
        return Error::InvalidArgument("not an object", where + "." + key);
      }
      auto quote = ParseChainSide(*side_object, option_exchange, options);
      if (!quote.ok()) {
        return WithField(quote.error(), where + "." + key);
      }
      auto added = builder.Add(expiry, shown, right, std::move(*quote));
      if (!added.ok()) {
        return WithField(added.error(), where + "." + key);
      }
    }
  }
  return builder.Build();
}

Result<std::vector<BarSpec>> ParseIntervals(std::string_view body) {
  auto root = ParseJson(body);
  if (!root.ok()) {
    return root.error();
  }
  auto o = SuccessObject(*root);
  if (!o.ok()) {
    return o.error();
  }
  const json::value* data_value = o->if_contains("data");
  const json::object* data = data_value != nullptr ? data_value->if_object() : nullptr;
  if (data == nullptr) {
    return Error::InvalidArgument("data must be an object", "data");
  }
  std::vector<BarSpec> specs;
  for (const auto& [group, list] : *data) {
    if (!list.is_array()) {
      return Error::InvalidArgument("interval group is not an array", "data." + std::string(group));
    }
    for (const json::value& entry : list.get_array()) {
      if (!entry.is_string()) {
        continue;
      }
      auto spec = BarSpec::Parse(std::string_view(entry.get_string().data(), entry.get_string().size()));
      if (spec.ok()) {
        specs.push_back(*spec);
      }
    }
  }
  std::sort(specs.begin(), specs.end());
  specs.erase(std::unique(specs.begin(), specs.end()), specs.end());
  return specs;
}

}  // namespace td::adapters::openalgo
