// SPDX-License-Identifier: MIT
#include "api/market_routes.hpp"

#include "api/openalgo_edge.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "api/error_response.hpp"
#include "api/json_body.hpp"
#include "api/json_writer.hpp"
#include "api/openalgo_response.hpp"
#include "api/router.hpp"
#include "system/market_service.hpp"

namespace td::api {
namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

Result<std::int64_t> ParseSeconds(std::string_view text, std::string_view field) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0 || value > 4'102'444'800) {
    return Error::InvalidArgument("must be Unix seconds, was '" + std::string(text) + "'", std::string(field));
  }
  return value;
}

// The default window when a client gives none: enough bars to fill a chart.
Duration DefaultSpan(BarSpec spec) {
  using std::chrono::hours;
  switch (spec.unit) {
    case BarUnit::kSecond:
    case BarUnit::kMinute: return hours(24 * (spec.step >= 5 ? 10 : 4));
    case BarUnit::kHour: return hours(24 * 45);
    default: return hours(24 * 400);
  }
}

void WriteBarPrices(JsonWriter& json, const Bar& bar, std::string_view time_key, std::int64_t seconds) {
  json.Key(time_key).Int(seconds);
  json.Key(time_key == "t" ? "o" : "open").PriceValue(bar.open);
  json.Key(time_key == "t" ? "h" : "high").PriceValue(bar.high);
  json.Key(time_key == "t" ? "l" : "low").PriceValue(bar.low);
  json.Key(time_key == "t" ? "c" : "close").PriceValue(bar.close);
  json.Key(time_key == "t" ? "v" : "volume").QuantityValue(bar.volume);
}

Result<Response> TvBars(system::MarketService& market, const Request& request) {
  const auto symbol = request.Query("symbol");
  if (!symbol || symbol->empty()) {
    return Error::InvalidArgument("symbol is required, e.g. NSE_INDEX:NIFTY or SPY", "symbol");
  }
  auto info = market.Resolve(*symbol);
  if (!info.ok()) {
    return info.error();
  }
  auto spec = BarSpec::Parse(request.Query("resolution").value_or("5m"));
  if (!spec.ok()) {
    return spec.error();
  }
  UnixNanos to = market.Now();
  if (auto text = request.Query("to")) {
    auto seconds = ParseSeconds(*text, "to");
    if (!seconds.ok()) {
      return seconds.error();
    }
    to = UnixNanos::FromSeconds(*seconds);
  }
  UnixNanos from = to - DefaultSpan(*spec);
  if (auto text = request.Query("from")) {
    auto seconds = ParseSeconds(*text, "from");
    if (!seconds.ok()) {
      return seconds.error();
    }
    from = UnixNanos::FromSeconds(*seconds);
  }
  auto bars = market.Bars(info->id, *spec, from, to);
  if (!bars.ok()) {
    return bars.error();
  }
  JsonWriter json(64 + bars->size() * 96);
  json.BeginObject();
  json.Key("symbol").String(info->id.value());
  json.Key("resolution").String(spec->ToString());
  json.Key("tz").String(info->time_zone);
  json.Key("source").String(market.source());
  json.Key("bars").BeginArray();
  for (const Bar& bar : *bars) {
    json.BeginObject();
    WriteBarPrices(json, bar, "t", bar.ts_event.seconds());
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return Response::Json(json.Take());
}

Result<UnixNanos> ParseDateField(const std::string& text, std::string_view field) {
  if (text.size() != 10) {
    return Error::InvalidArgument(std::string(field) + " must be YYYY-MM-DD, was '" + text + "'", std::string(field));
  }
  auto parsed = UnixNanos::ParseIso8601(text);
  if (!parsed.ok()) {
    return Error::InvalidArgument(std::string(field) + " must be YYYY-MM-DD, was '" + text + "'", std::string(field));
  }
  return *parsed;
}

Result<Response> History(system::MarketService& market, const Request& request) {
  auto parsed = ParseJsonBody(request.body);
  if (!parsed.ok()) {
    return OpenAlgoError(parsed.error());
  }
  if (!parsed->is_object()) {
    return OpenAlgoError(Error::InvalidArgument("body must be a JSON object", "body"));
  }
  const auto& body = parsed->as_object();
  auto symbol = JsonStringField(body, "symbol", true);
  auto exchange = JsonStringField(body, "exchange", true);
  auto interval = JsonStringField(body, "interval", true);
  auto start = JsonStringField(body, "start_date", true);
  auto end = JsonStringField(body, "end_date", true);
  for (const auto* field : {&symbol, &exchange, &interval, &start, &end}) {
    if (!field->ok()) {
      return OpenAlgoError(field->error());
    }
  }
  auto id = InstrumentId::Make(*exchange, *symbol);
  if (!id.ok()) {
    return OpenAlgoError(id.error());
  }
  auto info = market.Resolve(id->value());
  if (!info.ok()) {
    return OpenAlgoError(info.error());
  }
  auto spec = BarSpec::Parse(*interval);
  if (!spec.ok()) {
    Error error = spec.error();
    error.field = "interval";
    return OpenAlgoError(error);
  }
  auto from = ParseDateField(*start, "start_date");
  auto to = ParseDateField(*end, "end_date");
  if (!from.ok()) {
    return OpenAlgoError(from.error());
  }
  if (!to.ok()) {
    return OpenAlgoError(to.error());
  }
  // end_date is inclusive. Day bounds are taken in UTC: no NSE/BSE or US session crosses UTC midnight.
  const UnixNanos until = *to + std::chrono::hours(24);
  if (!(*from < until)) {
    return OpenAlgoError(Error::InvalidArgument("start_date must not be after end_date", "start_date"));
  }
  auto bars = market.Bars(info->id, *spec, *from, until);
  if (!bars.ok()) {
    return OpenAlgoError(bars.error());
  }
  JsonWriter json(64 + bars->size() * 110);
  json.BeginObject();
  json.Key("status").String("success");
  json.Key("data").BeginArray();
  for (const Bar& bar : *bars) {
    json.BeginObject();
    WriteBarPrices(json, bar, "timestamp", bar.ts_event.seconds());
    json.Key("oi").Int(0);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return Response::Json(json.Take());
}

Result<Response> Intervals(const Request&) {
  JsonWriter json;
  json.BeginObject();
  json.Key("status").String("success");
  json.Key("data").BeginObject();
  json.Key("seconds").BeginArray().EndArray();
  json.Key("minutes").BeginArray();
  for (const char* m : {"1m", "2m", "3m", "5m", "10m", "15m", "20m", "30m"}) {
    json.String(m);
  }
  json.EndArray();
  json.Key("hours").BeginArray().String("1h").String("2h").String("3h").String("4h").EndArray();
  json.Key("days").BeginArray().String("D").EndArray();
  json.Key("weeks").BeginArray().String("W").EndArray();
  json.Key("months").BeginArray().String("M").EndArray();
  json.EndObject();
  json.EndObject();
  return Response::Json(json.Take());
}

}  // namespace

void AddMarketRoutes(Router& router, system::MarketService& market) {
  AddMarketRoutes(router, market, AuthContext{});
}

void AddMarketRoutes(Router& router, system::MarketService& market, const AuthContext& auth) {
  RouteDoc bars = MakeDoc("Bars for the chart viewer", "getTvBars", {"market-data"});
  bars.description = "OHLCV bars labelled by bar start (Unix seconds), prices at the instrument's precision.";
  router.Get("/tv-api/bars", [&market](const Request& request) { return TvBars(market, request); }, bars);

  // OpenAlgo's routes check the key at the edge so a refusal has OpenAlgo's shape (403), not the router's 401.
  const auto edge = [&auth](auto handler) {
    return openalgo::Guarded(auth.authenticator, auth.rate_limiter,
                             [handler](const openalgo::Caller&, const Request& request, const boost::json::object&) {
                               Result<Response> answer = handler(request);
                               return answer.ok() ? std::move(answer).value() : OpenAlgoError(answer.error());
                             });
  };
  RouteDoc history = MakeDoc("Historical bars (OpenAlgo)", "postHistory", {"openalgo"});
  history.description = "OpenAlgo /api/v1/history: apikey, symbol, exchange, interval, start_date, end_date.";
  router.Post("/api/v1/history", edge([&market](const Request& request) { return History(market, request); }),
              history);
  router.Post("/api/v1/intervals", edge(Intervals),
              MakeDoc("Supported history intervals (OpenAlgo)", "postIntervals", {"openalgo"}));
}

}  // namespace td::api
