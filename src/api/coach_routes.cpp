// SPDX-License-Identifier: MIT
#include "api/coach_routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "api/auth.hpp"
#include "api/auth_context.hpp"
#include "api/error_response.hpp"
#include "api/json_body.hpp"
#include "api/json_writer.hpp"
#include "api/router.hpp"
#include "api/session_state.hpp"
#include "core/check.hpp"
#include "scanner/json.hpp"
#include "scanner/strategies.hpp"

namespace td::api {
namespace {

using boost::json::object;
using boost::json::value;

// ---- small JSON helpers -------------------------------------------------------------------------

/// A price-like double written as a JSON number with exactly `precision` decimals (NaN/inf: null).
std::string FixedText(double v, int precision) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", std::clamp(precision, 0, 9), v);
  std::string text(buf);
  if (text.starts_with('-') && text.find_first_not_of("-0.") == std::string::npos) {
    text.erase(0, 1);
  }
  return text;
}

JsonWriter& PriceNumber(JsonWriter& json, double v, int precision) {
  if (!std::isfinite(v)) {
    return json.Null();
  }
  return json.Raw(FixedText(v, precision));
}

/// Appends the members of `extra` (a JSON object text) to the JSON object text `base`.
std::string Splice(std::string base, std::string_view extra) {
  if (extra.size() <= 2) {
    return base;
  }
  if (base.size() <= 2) {
    return std::string(extra);
  }
  base.pop_back();
  base += ',';
  base.append(extra.substr(1));
  return base;
}

// ---- plan payloads --------------------------------------------------------------------------------

std::string_view IntervalFor(scanner::Style style) {
  switch (style) {
    case scanner::Style::kScalp: return "1m";
    case scanner::Style::kIntraday: return "5m";
    case scanner::Style::kSwing: return "1h";
    case scanner::Style::kLeaps: return "1D";
  }
  return "5m";
}

/// The chart viewer's coarse level kinds.
std::string_view ViewerKind(const levels::KeyLevel& level) {
  if (level.kinds.empty()) {
    return "level";
  }
  using levels::LevelKind;
  switch (level.kinds.front()) {
    case LevelKind::kPointOfControl:
    case LevelKind::kValueAreaHigh:
    case LevelKind::kValueAreaLow: return "volume_profile";
    case LevelKind::kPriorDayHigh:
    case LevelKind::kPriorDayLow:
    case LevelKind::kPriorDayClose:
    case LevelKind::kPriorWeekHigh:
    case LevelKind::kPriorWeekLow: return "htf";
    case LevelKind::kOpeningRangeHigh:
    case LevelKind::kOpeningRangeLow:
    case LevelKind::kSessionHigh:
    case LevelKind::kSessionLow:
    case LevelKind::kVwap:
    case LevelKind::kAnchoredVwap: return "session";
    case LevelKind::kPivot: return "pivot";
    default: return "level";
  }
}

/// Where price stands against the plan: beyond the stop "invalidated", within a quarter of the risk of it
/// "at_risk", else "intact".
std::string_view PlanStatus(const scanner::Plan& plan, double last_price) {
  const double sign = scanner::Sign(plan.direction);
  const double stop = plan.stop.AsDouble();
  const double cushion = (last_price - stop) * sign;
  if (cushion <= 0.0) {
    return "invalidated";
  }
  if (plan.risk > 0.0 && cushion < 0.25 * plan.risk) {
    return "at_risk";
  }
  return "intact";
}

void WriteLevels(JsonWriter& json, const scanner::Plan& plan) {
  json.BeginArray();
  for (const levels::KeyLevel& level : plan.key_levels.levels()) {
    json.BeginObject();
    json.Key("price");
    PriceNumber(json, level.price, plan.precision);
    json.Key("label").String(level.label);
    json.Key("kind").String(ViewerKind(level));
    json.Key("kinds").BeginArray();
    for (levels::LevelKind kind : level.kinds) {
      json.String(levels::LevelKindName(kind));
    }
    json.EndArray();
    json.Key("score").Double(std::round(level.score * 1e4) / 1e4);
    json.Key("primary").Bool(level.primary);
    json.EndObject();
  }
  json.EndArray();
}

void WriteZones(JsonWriter& json, const system::PlanComputation& c) {
  json.BeginArray();
  for (const system::PlanZone& zone : c.zones) {
    json.BeginObject();
    json.Key("kind").String(zone.kind);
    json.Key("top");
    PriceNumber(json, zone.top, c.plan.precision);
    json.Key("bottom");
    PriceNumber(json, zone.bottom, c.plan.precision);
    json.Key("label").String(zone.label);
    json.Key("status").String(zone.status);
    json.EndObject();
  }
  json.EndArray();
}

void WriteAvwaps(JsonWriter& json, const system::PlanComputation& c) {
  json.BeginArray();
  for (const system::PlanAvwap& avwap : c.avwaps) {
    json.BeginObject();
    json.Key("anchor_ts").Int(avwap.anchor_ts);
    json.Key("label").String(avwap.label);
    json.Key("value");
    PriceNumber(json, avwap.value, c.plan.precision);
    json.EndObject();
  }
  json.EndArray();
}

void WriteAsOfFields(JsonWriter& json, const system::EffectiveAsOf& as_of) {
  json.Key("requested_as_of").String(as_of.requested.ToIso8601());
  json.Key("as_of_given").Bool(as_of.given);
  json.Key("as_of_note").StringOrNull(as_of.note);
}

/// The viewer's fields of a plan payload. An empty `plan_id` is a preview: nothing stored, so no version and no
/// read-back URLs, and `preview: true` instead.
std::string PlanExtras(const system::PlanComputation& c, std::string_view plan_id, int version) {
  const scanner::Plan& p = c.plan;
  const bool preview = plan_id.empty();
  JsonWriter json(4096);
  json.BeginObject();
  if (preview) {
    json.Key("preview").Bool(true);
  } else {
    json.Key("version").Int(version);
  }
  json.Key("slug").String(c.plan.plan_id);
  json.Key("direction").String(scanner::DirectionName(p.direction));
  json.Key("strategy").String(scanner::Spec(p.strategy).key);
  json.Key("interval").String(IntervalFor(p.style));
  json.Key("status").String(PlanStatus(p, c.last_price));
  json.Key("last_price");
  PriceNumber(json, c.last_price, p.precision);
  json.Key("expected_move");
  PriceNumber(json, p.ladder.expected_move, p.precision + 2);
  json.Key("atr");
  PriceNumber(json, p.ladder.atr, p.precision + 2);
  json.Key("fallback").Bool(c.fallback);
  json.Key("fallback_reason").StringOrNull(c.fallback_reason);
  WriteAsOfFields(json, c.as_of);
  json.Key("exchange_tz").String(c.exchange_time_zone);
  json.Key("data_source").String(c.data_source);
  json.Key("factors").BeginArray();
  for (const scanner::ConfidenceFactor& f : p.confidence_factors) {
    json.BeginObject();
    json.Key("label").String(f.detail.empty() ? f.name : f.name + ": " + f.detail);
    json.Key("tone").String(f.contribution > 1e-9 ? "good" : (f.contribution < -1e-9 ? "bad" : "warn"));
    json.EndObject();
  }
  json.EndArray();
  json.Key("levels");
  WriteLevels(json, p);
  json.Key("zones");
  WriteZones(json, c);
  json.Key("avwaps");
  WriteAvwaps(json, c);
  if (!preview) {
    json.Key("idea_url").String("/idea/" + std::string(plan_id) + "/" + std::to_string(version));
    json.Key("layers_url").String("/api/v1/gpt/chart-layers?plan_id=" + std::string(plan_id));
  }
  json.EndObject();
  return json.Take();
}

// ---- request parsing -----------------------------------------------------------------------------

Result<object> BodyObject(const Request& request) {
  if (request.body.empty()) {
    return Error::InvalidArgument("a JSON object body is required", "body");
  }
  auto parsed = ParseJsonBody(request.body);
  if (!parsed.ok()) {
    return parsed.error();
  }
  if (!parsed->is_object()) {
    return Error::InvalidArgument("the body must be a JSON object", "body");
  }
  return std::move(parsed->as_object());
}

std::string JoinNames(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) {
    out += out.empty() ? "" : ", ";
    out += n;
  }
  return out;
}

Status RejectUnknown(const object& body, std::span<const std::string_view> allowed, std::string_view prefix = {}) {
  for (const auto& member : body) {
    const std::string_view key = member.key();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      const std::string field = std::string(prefix) + std::string(key);
      return Error::InvalidArgument("unknown field '" + field + "' (allowed: " + JoinNames(allowed) + ")", field);
    }
  }
  return {};
}

Result<std::optional<std::string>> OptString(const object& body, std::string_view name, std::size_t max_len,
                                             std::string_view field_prefix = {}) {
  const value* v = body.if_contains(name);
  const std::string field = std::string(field_prefix) + std::string(name);
  if (v == nullptr || v->is_null()) {
    return std::optional<std::string>{};
  }
  if (!v->is_string()) {
    return Error::InvalidArgument(field + " must be a string", field);
  }
  std::string text(v->as_string());
  if (text.size() > max_len) {
    return Error::InvalidArgument(field + " is longer than " + std::to_string(max_len) + " characters", field);
  }
  return std::optional<std::string>(std::move(text));
}

Result<std::optional<double>> OptNumber(const object& body, std::string_view name, std::string_view field_prefix = {}) {
  const value* v = body.if_contains(name);
  const std::string field = std::string(field_prefix) + std::string(name);
  if (v == nullptr || v->is_null()) {
    return std::optional<double>{};
  }
  if (!v->is_number()) {
    return Error::InvalidArgument(field + " must be a number", field);
  }
  const double d = v->to_number<double>();
  if (!std::isfinite(d)) {
    return Error::InvalidArgument(field + " must be finite", field);
  }
  return std::optional<double>(d);
}

Result<scanner::Style> StyleField(const object& body, bool required, scanner::Style fallback) {
  auto text = OptString(body, "style", 16);
  if (!text.ok()) {
    return text.error();
  }
  if (!*text) {
    if (required) {
      return Error::InvalidArgument("style is required: scalp, intraday, swing or leaps", "style");
    }
    return fallback;
  }
  auto style = scanner::ParseStyle(**text);
  if (!style.ok()) {
    return Error::InvalidArgument("unknown style '" + **text + "': use scalp, intraday, swing or leaps", "style");
  }
  return *style;
}

Result<std::optional<UnixNanos>> AsOfField(const object& body) {
  auto text = OptString(body, "as_of", 40);
  if (!text.ok()) {
    return text.error();
  }
  if (!*text) {
    return std::optional<UnixNanos>{};
  }
  auto parsed = ParseAsOf(**text);
  if (!parsed.ok()) {
    return parsed.error();
  }
  return std::optional<UnixNanos>(*parsed);
}

plans::UserScope ScopeOf(const Request& request) {
  return plans::UserScope{request.principal.empty() ? std::string(kLocalPrincipal) : request.principal,
                          request.admin};
}

// ---- /gpt/scan ------------------------------------------------------------------------------------

constexpr std::array<std::string_view, 9> kScanFields = {"universe", "style",  "limit",           "filters",
                                                         "cursor",   "as_of",  "max_sector_share", "asof_policy",
                                                         "symbols"};
constexpr std::array<std::string_view, 3> kFilterFields = {"min_rvol", "exclude", "min_liquidity_rank"};

Result<std::vector<std::string>> SymbolList(const value& v, std::string_view field, std::size_t max_items) {
  if (!v.is_array()) {
    return Error::InvalidArgument(std::string(field) + " must be a list of symbols", std::string(field));
  }
  const auto& array = v.as_array();
  if (array.size() > max_items) {
    return Error::InvalidArgument(std::string(field) + " has more than " + std::to_string(max_items) + " symbols",
                                  std::string(field));
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_string()) {
      const std::string name = std::string(field) + "[" + std::to_string(i) + "]";
      return Error::InvalidArgument(name + " must be a string", name);
    }
    out.emplace_back(array[i].as_string());
  }
  return out;
}

Result<system::ScanQuery> ParseScanQuery(const object& body) {
  if (auto status = RejectUnknown(body, kScanFields); !status.ok()) {
    return status.error();
  }
  system::ScanQuery query;
  auto style = StyleField(body, true, scanner::Style::kIntraday);
  if (!style.ok()) {
    return style.error();
  }
  query.request.style = *style;
  // universe: a name or a list of symbols (the seed's shape); "symbols" is an alias for the list.
  const value* universe = body.if_contains("universe");
  const value* symbols = body.if_contains("symbols");
  if (universe != nullptr && symbols != nullptr) {
    return Error::InvalidArgument("give either universe or symbols, not both", "symbols");
  }
  const value* list = symbols != nullptr ? symbols : (universe != nullptr && universe->is_array() ? universe : nullptr);
  const std::string_view list_field = symbols != nullptr ? "symbols" : "universe";
  if (list != nullptr) {
    auto names = SymbolList(*list, list_field, 500);
    if (!names.ok()) {
      return names.error();
    }
    if (names->empty()) {
      return Error::InvalidArgument("the universe is empty: give at least one symbol", std::string(list_field));
    }
    query.symbols = std::move(names).value();
  } else if (universe != nullptr && !universe->is_null()) {
    if (!universe->is_string() || universe->as_string().empty() || universe->as_string().size() > 80) {
      return Error::InvalidArgument("universe must be a name (all, us, india, top_liquidity[:N], watchlist:NAME) "
                                    "or a non-empty list of symbols",
                                    "universe");
    }
    query.universe = std::string(universe->as_string());
  }
  if (const value* limit = body.if_contains("limit"); limit != nullptr && !limit->is_null()) {
    if (!limit->is_int64() && !limit->is_uint64()) {
      return Error::InvalidArgument("limit must be a whole number within 1..50", "limit");
    }
    const std::int64_t n = limit->is_int64() ? limit->as_int64() : static_cast<std::int64_t>(limit->as_uint64());
    if (n < 1 || n > 50) {
      return Error::InvalidArgument("limit must be within 1..50, was " + std::to_string(n), "limit");
    }
    query.request.limit = static_cast<std::size_t>(n);
  }
  auto cursor = OptString(body, "cursor", 512);
  if (!cursor.ok()) {
    return cursor.error();
  }
  query.request.cursor = cursor->value_or("");
  auto share = OptNumber(body, "max_sector_share");
  if (!share.ok()) {
    return share.error();
  }
  if (*share) {
    if (!(**share > 0.0 && **share <= 1.0)) {
      return Error::InvalidArgument("max_sector_share must be within (0, 1]", "max_sector_share");
    }
    query.request.max_sector_share = **share;
  }
  auto policy = OptString(body, "asof_policy", 16);
  if (!policy.ok()) {
    return policy.error();
  }
  if (*policy && **policy != "live" && **policy != "frozen" && **policy != "live_or_lkg") {
    return Error::InvalidArgument("asof_policy must be live, frozen or live_or_lkg", "asof_policy");
  }
  if (const value* filters = body.if_contains("filters"); filters != nullptr && !filters->is_null()) {
    if (!filters->is_object()) {
      return Error::InvalidArgument("filters must be an object", "filters");
    }
    const object& f = filters->as_object();
    if (auto status = RejectUnknown(f, kFilterFields, "filters."); !status.ok()) {
      return status.error();
    }
    auto rvol = OptNumber(f, "min_rvol", "filters.");
    if (!rvol.ok()) {
      return rvol.error();
    }
    if (*rvol) {
      if (**rvol < 0.0 || **rvol > 100.0) {
        return Error::InvalidArgument("filters.min_rvol must be within 0..100", "filters.min_rvol");
      }
      query.request.filters.min_rvol = **rvol;
    }
    auto rank = OptNumber(f, "min_liquidity_rank", "filters.");
    if (!rank.ok()) {
      return rank.error();
    }
    if (*rank) {
      if (**rank < 1.0 || **rank > 1000.0 || std::floor(**rank) != **rank) {
        return Error::InvalidArgument("filters.min_liquidity_rank must be a whole number within 1..1000",
                                      "filters.min_liquidity_rank");
      }
      query.request.filters.min_liquidity_rank = static_cast<std::size_t>(**rank);
    }
    if (const value* exclude = f.if_contains("exclude"); exclude != nullptr && !exclude->is_null()) {
      auto names = SymbolList(*exclude, "filters.exclude", 500);
      if (!names.ok()) {
        return names.error();
      }
      query.request.filters.exclude = std::move(names).value();
    }
  }
  auto as_of = AsOfField(body);
  if (!as_of.ok()) {
    return as_of.error();
  }
  query.as_of = *as_of;
  return query;
}

// ---- /gpt/plan ------------------------------------------------------------------------------------

constexpr std::array<std::string_view, 5> kPlanFields = {"symbol", "style", "strategy", "as_of", "plan_id"};

struct PlanRequest {
  system::PlanQuery query;
  std::optional<std::string> replan_of;  // an existing plan of the user: the answer becomes its next version
};

Result<PlanRequest> ParsePlanRequest(const object& body) {
  if (auto status = RejectUnknown(body, kPlanFields); !status.ok()) {
    return status.error();
  }
  PlanRequest out;
  auto symbol = OptString(body, "symbol", 40);
  if (!symbol.ok()) {
    return symbol.error();
  }
  if (!*symbol || (*symbol)->empty()) {
    return Error::InvalidArgument("symbol is required, e.g. SPY or NSE_INDEX:NIFTY", "symbol");
  }
  const std::string& text = **symbol;
  const bool well_formed = std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) || c == ':' || c == '.' || c == '_' || c == '-' || c == '&';
  });
  if (!well_formed) {
    return Error::InvalidArgument("symbol '" + text + "' has characters outside A-Z 0-9 : . _ - &", "symbol");
  }
  out.query.symbol = text;
  auto style = StyleField(body, false, scanner::Style::kIntraday);
  if (!style.ok()) {
    return style.error();
  }
  out.query.style = *style;
  auto strategy = OptString(body, "strategy", 64);
  if (!strategy.ok()) {
    return strategy.error();
  }
  if (*strategy) {
    auto id = scanner::ParseStrategyKey(**strategy);
    if (!id) {
      return Error::InvalidArgument("unknown strategy '" + **strategy + "' (see the strategy table in the docs)",
                                    "strategy");
    }
    out.query.strategy = *id;
  }
  auto as_of = AsOfField(body);
  if (!as_of.ok()) {
    return as_of.error();
  }
  out.query.as_of = *as_of;
  auto plan_id = OptString(body, "plan_id", 64);
  if (!plan_id.ok()) {
    return plan_id.error();
  }
  out.replan_of = *plan_id;
  return out;
}

// ---- /gpt/chart-url --------------------------------------------------------------------------------

/// Every parameter the /tv page honours (web/src/tv/params.ts), plus the aliases it accepts.
constexpr std::array<std::string_view, 28> kChartParams = {
    "symbol", "interval",   "resolution", "direction", "entry",    "stop",         "tp",    "runner",  "probs",  "strategy",
    "style",  "confidence", "levels",     "overlays",  "ema",      "emas",         "vwap",  "focus",   "scale_plan",
    "plan_id", "plan_version", "theme",   "center_time", "range",  "view",         "atr",   "title",   "live"};
constexpr std::array<std::string_view, 7> kIntervals = {"1m", "5m", "15m", "1h", "4h", "1D", "1W"};
constexpr std::array<std::string_view, 7> kViews = {"30m", "1d", "5d", "1M", "3M", "6M", "1Y"};
constexpr std::array<std::string_view, 6> kOverlayKinds = {"levels", "supply", "demand", "fvg", "liquidity", "avwap"};
constexpr std::size_t kMaxText = 140;

std::string EncodeComponent(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '!' || c == '*' || c == '\'' ||
        c == '(' || c == ')' || c == ',' || c == ':' || c == '|' || c == ';') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

/// A scalar parameter as text (strings as given, numbers and booleans spelled out).
Result<std::string> ScalarText(const value& v, std::string_view field) {
  if (v.is_string()) {
    return std::string(v.as_string());
  }
  if (v.is_int64()) {
    return std::to_string(v.as_int64());
  }
  if (v.is_uint64()) {
    return std::to_string(v.as_uint64());
  }
  if (v.is_double()) {
    std::string out;
    AppendJsonDouble(out, v.as_double());
    return out;
  }
  if (v.is_bool()) {
    return std::string(v.as_bool() ? "1" : "0");
  }
  return Error::InvalidArgument(std::string(field) + " must be a string, number or boolean", std::string(field));
}

Result<double> NumberOf(const value& v, std::string_view field) {
  if (v.is_number()) {
    return v.to_number<double>();
  }
  if (v.is_string()) {
    const std::string_view s = v.as_string();
    double d = 0.0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc{} && end == s.data() + s.size() && std::isfinite(d)) {
      return d;
    }
  }
  return Error::InvalidArgument(std::string(field) + " must be a number", std::string(field));
}

Result<double> PositivePrice(const value& v, std::string_view field) {
  auto d = NumberOf(v, field);
  if (!d.ok()) {
    return d.error();
  }
  if (!(*d > 0.0)) {
    return Error::InvalidArgument(std::string(field) + " must be a positive number", std::string(field));
  }
  return *d;
}

/// A list given as a JSON array or a comma-separated string.
Result<std::vector<value>> ListOf(const value& v, std::string_view field) {
  std::vector<value> out;
  if (v.is_array()) {
    for (const value& item : v.as_array()) {
      out.push_back(item);
    }
    return out;
  }
  if (v.is_string()) {
    std::string_view s = v.as_string();
    while (!s.empty()) {
      const std::size_t comma = s.find(',');
      std::string_view token = s.substr(0, comma);
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
      if (!token.empty()) {
        out.emplace_back(boost::json::string(token));
      }
      s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
    }
    return out;
  }
  if (v.is_number()) {
    out.push_back(v);
    return out;
  }
  return Error::InvalidArgument(std::string(field) + " must be a list or a comma-separated string", std::string(field));
}

Result<bool> BoolOf(const value& v, std::string_view field) {
  if (v.is_bool()) {
    return v.as_bool();
  }
  auto text = ScalarText(v, field);
  if (text.ok()) {
    std::string s = *text;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "1" || s == "true" || s == "on" || s == "yes") return true;
    if (s == "0" || s == "false" || s == "off" || s == "no") return false;
  }
  return Error::InvalidArgument(std::string(field) + " must be true/false, 1/0 or on/off", std::string(field));
}

std::string CleanText(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
  }
  const auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) {
    return {};
  }
  out = out.substr(first, out.find_last_not_of(' ') - first + 1);
  return out.size() > kMaxText ? out.substr(0, kMaxText) : out;
}

std::string FormatFraction(double v) {
  std::string out;
  AppendJsonDouble(out, std::round(v * 1e4) / 1e4);
  return out;
}

struct ChartLink {
  std::map<std::string, std::string> params;  // canonical: sorted by key
  int precision = 2;
  std::string plan_id;
  std::string owner;  // the plan's owner when plan-bound
};

/// Validates and formats every chart parameter. Numbers are written at the instrument's precision.
Result<ChartLink> BuildChartLink(const object& body, system::CoachService& coach, const plans::UserScope& scope) {
  if (auto status = RejectUnknown(body, kChartParams); !status.ok()) {
    Error error = status.error();
    error.message = "unknown chart parameter '" + error.field + "' (allowed: " + JoinNames(kChartParams) + ")";
    return error;
  }
  ChartLink link;
  auto& out = link.params;
  std::optional<plans::StoredPlan> stored;
  if (const value* v = body.if_contains("plan_id"); v != nullptr && !v->is_null()) {
    if (!v->is_string() || v->as_string().empty() || v->as_string().size() > 128) {
      return Error::InvalidArgument("plan_id must be a plan id string", "plan_id");
    }
    if (coach.store() == nullptr) {
      return Error{ErrorCode::kUnavailable, "the plan store is not open", "plan_id"};
    }
    auto plan = coach.store()->Get(scope, std::string_view(v->as_string()));
    if (!plan.ok()) {
      return plan.error();
    }
    stored = std::move(plan).value();
    link.plan_id = stored->plan_id;
    link.owner = stored->user;
    out["plan_id"] = stored->plan_id;
    out["plan_version"] = std::to_string(stored->version);
    out["focus"] = "plan";
  }
  // The symbol decides the precision; a plan-bound link defaults to the plan's.
  std::string symbol;
  if (const value* v = body.if_contains("symbol"); v != nullptr && !v->is_null()) {
    if (!v->is_string() || v->as_string().empty() || v->as_string().size() > 40) {
      return Error::InvalidArgument("symbol must be a symbol string, e.g. SPY or NSE_INDEX:NIFTY", "symbol");
    }
    symbol = std::string(v->as_string());
  } else if (stored) {
    symbol = stored->symbol;
  } else {
    return Error::InvalidArgument("symbol (or plan_id) is required", "symbol");
  }
  auto info = coach.market().Resolve(symbol);
  if (!info.ok()) {
    Error error = info.error();
    error.field = "symbol";
    return error;
  }
  link.precision = info->price_precision;
  out["symbol"] = info->id.value();
  const int prec = link.precision;

  std::optional<double> entry, stop;
  std::vector<double> targets;
  std::optional<std::string> direction;
  bool interval_set = false;
  for (const auto& member : body) {
    const std::string key(member.key());
    const value& v = member.value();
    if (key == "symbol" || key == "plan_id" || v.is_null()) {
      continue;
    }
    if (key == "interval" || key == "resolution") {
      auto text = ScalarText(v, key);
      if (!text.ok()) return text.error();
      auto spec = BarSpec::Parse(*text);
      std::string canonical = spec.ok() ? spec->ToString() : std::string();
      if (std::find(kIntervals.begin(), kIntervals.end(), canonical) == kIntervals.end()) {
        return Error::InvalidArgument(key + " '" + *text + "' must be one of 1m 5m 15m 1h 4h 1D 1W", key);
      }
      if (interval_set && out["interval"] != canonical) {
        return Error::InvalidArgument("interval and resolution disagree", key);
      }
      out["interval"] = canonical;
      interval_set = true;
    } else if (key == "direction") {
      auto text = ScalarText(v, key);
      if (!text.ok()) return text.error();
      if (*text != "long" && *text != "short") {
        return Error::InvalidArgument("direction must be long or short", key);
      }
      direction = *text;
      out[key] = *text;
    } else if (key == "entry" || key == "stop" || key == "runner" || key == "atr") {
      auto d = PositivePrice(v, key);
      if (!d.ok()) return d.error();
      if (key == "entry") entry = *d;
      if (key == "stop") stop = *d;
      out[key] = FormatLinkNumber(*d, prec);
    } else if (key == "tp") {
      auto list = ListOf(v, key);
      if (!list.ok()) return list.error();
      if (list->empty() || list->size() > 9) {
        return Error::InvalidArgument("tp must list 1..9 targets", key);
      }
      std::string text;
      for (std::size_t i = 0; i < list->size(); ++i) {
        auto d = PositivePrice((*list)[i], "tp[" + std::to_string(i) + "]");
        if (!d.ok()) return Error::InvalidArgument(d.error().message, "tp");
        targets.push_back(*d);
        text += (i ? "," : "") + FormatLinkNumber(*d, prec);
      }
      out[key] = text;
    } else if (key == "probs") {
      auto list = ListOf(v, key);
      if (!list.ok()) return list.error();
      std::string text;
      for (std::size_t i = 0; i < list->size(); ++i) {
        auto d = NumberOf((*list)[i], key);
        if (!d.ok() || *d < 0.0 || *d > 1.0) {
          return Error::InvalidArgument("probs must be fractions within 0..1", key);
        }
        text += (i ? "," : "") + FormatFraction(*d);
      }
      out[key] = text;
    } else if (key == "confidence") {
      auto d = NumberOf(v, key);
      if (!d.ok() || *d < 0.0 || *d > 1.0) {
        return Error::InvalidArgument("confidence must be within 0..1", key);
      }
      out[key] = FormatFraction(*d);
    } else if (key == "strategy" || key == "title") {
      auto text = ScalarText(v, key);
      if (!text.ok()) return text.error();
      const std::string clean = CleanText(*text);
      if (!clean.empty()) out[key] = clean;
    } else if (key == "style") {
      auto text = ScalarText(v, key);
      if (!text.ok()) return text.error();
      auto style = scanner::ParseStyle(*text);
      if (!style.ok()) {
        return Error::InvalidArgument("style must be scalp, intraday, swing or leaps", key);
      }
      out[key] = std::string(scanner::StyleName(*style));
    } else if (key == "levels") {
      std::string text;
      const auto add = [&](double price, std::string label) {
        std::erase_if(label, [](char c) { return c == '|' || c == ';' || c == ','; });
        label = CleanText(label);
        text += (text.empty() ? "" : ";") + FormatLinkNumber(price, prec) + "|" + (label.empty() ? "Level" : label);
      };
      if (v.is_array()) {
        for (std::size_t i = 0; i < v.as_array().size(); ++i) {
          const value& item = v.as_array()[i];
          const std::string field = "levels[" + std::to_string(i) + "]";
          if (!item.is_object()) {
            return Error::InvalidArgument(field + " must be {price, label}", field);
          }
          const value* price = item.as_object().if_contains("price");
          if (price == nullptr) {
            return Error::InvalidArgument(field + ".price is required", field + ".price");
          }
          auto d = PositivePrice(*price, field + ".price");
          if (!d.ok()) return d.error();
          const value* label = item.as_object().if_contains("label");
          add(*d, label != nullptr && label->is_string() ? std::string(label->as_string()) : std::string());
        }
      } else if (v.is_string()) {
        std::string_view s = v.as_string();
        const char sep = s.find(';') != std::string_view::npos ? ';' : ',';
        while (!s.empty()) {
          const std::size_t cut = s.find(sep);
          const std::string_view token = s.substr(0, cut);
          s = cut == std::string_view::npos ? std::string_view() : s.substr(cut + 1);
          if (token.empty()) continue;
          const std::size_t bar = token.find('|');
          auto d = PositivePrice(value(boost::json::string(token.substr(0, bar))), key);
          if (!d.ok()) {
            return Error::InvalidArgument("levels token '" + std::string(token) + "' is not price|label", key);
          }
          add(*d, bar == std::string_view::npos ? std::string() : std::string(token.substr(bar + 1)));
        }
      } else {
        return Error::InvalidArgument("levels must be a list of {price, label} or \"price|label;...\"", key);
      }
      if (!text.empty()) out[key] = text;
    } else if (key == "overlays") {
      auto list = ListOf(v, key);
      if (!list.ok()) return list.error();
      std::set<std::string> kinds;
      for (const value& item : *list) {
        auto text = ScalarText(item, key);
        if (!text.ok()) return text.error();
        if (*text == "all" || *text == "none") {
          if (list->size() != 1) return Error::InvalidArgument("overlays all/none stand alone", key);
          kinds.insert(*text);
        } else if (std::find(kOverlayKinds.begin(), kOverlayKinds.end(), *text) == kOverlayKinds.end()) {
          return Error::InvalidArgument("unknown overlay '" + *text + "' (known: " + JoinNames(kOverlayKinds) +
                                            ", all, none)",
                                        key);
        } else {
          kinds.insert(*text);
        }
      }
      std::string text;
      for (std::string_view kind : kOverlayKinds) {
        if (kinds.count(std::string(kind))) text += (text.empty() ? "" : ",") + std::string(kind);
      }
      if (kinds.count("all")) text = "all";
      if (kinds.count("none")) text = "none";
      out[key] = text;
    } else if (key == "ema" || key == "emas") {
      if (out.count("ema")) {
        return Error::InvalidArgument("give ema or emas, not both", key);
      }
      if (v.is_string() && (v.as_string() == "off" || v.as_string() == "none" || v.as_string() == "0")) {
        out["ema"] = "off";
        continue;
      }
      auto list = ListOf(v, key);
      if (!list.ok()) return list.error();
      if (list->empty() || list->size() > 6) {
        return Error::InvalidArgument(key + " takes 1..6 periods", key);
      }
      std::string text;
      for (const value& item : *list) {
        auto d = NumberOf(item, key);
        if (!d.ok() || *d < 1.0 || *d > 500.0 || std::floor(*d) != *d) {
          return Error::InvalidArgument(key + " periods must be whole numbers within 1..500", key);
        }
        text += (text.empty() ? "" : ",") + std::to_string(static_cast<int>(*d));
      }
      out["ema"] = text;
    } else if (key == "vwap" || key == "live") {
      auto b = BoolOf(v, key);
      if (!b.ok()) return b.error();
      out[key] = *b ? "1" : "0";
    } else if (key == "focus") {
      auto text = ScalarText(v, key);
      if (!text.ok()) return text.error();
      if (*text != "plan") return Error::InvalidArgument("focus must be plan", key);
      out[key] = "plan";
    } else if (key == "scale_plan") {
      auto text = ScalarText(v, key);
      if (!text.ok()) return text.error();
      if (*text == "auto" || *text == "off") {
        out[key] = *text;
      } else {
        auto d = NumberOf(v, key);
        if (!d.ok() || !(*d > 0.0 && *d < 1000.0)) {
          return Error::InvalidArgument("scale_plan must be auto, off or a positive multiplier", key);
        }
        out[key] = FormatFraction(*d);
      }
    } else if (key == "plan_version") {
      auto d = NumberOf(v, key);
      if (!d.ok() || *d < 1.0 || std::floor(*d) != *d || *d > 1e6) {
        return Error::InvalidArgument("plan_version must be a whole number >= 1", key);
      }
      if (stored && static_cast<int>(*d) > stored->version) {
        return Error::NotFound("plan " + stored->plan_id + " has no version " + std::to_string(static_cast<int>(*d)),
                               key);
      }
      out[key] = std::to_string(static_cast<int>(*d));
    } else if (key == "theme") {
      auto text = ScalarText(v, key);
      if (!text.ok()) return text.error();
      if (*text != "dark" && *text != "light") return Error::InvalidArgument("theme must be dark or light", key);
      out[key] = *text;
    } else if (key == "center_time") {
      auto text = ScalarText(v, key);
      if (!text.ok()) return text.error();
      if (*text == "latest") {
        out[key] = "latest";
      } else {
        auto d = NumberOf(v, key);
        if (!d.ok() || !(*d > 0.0) || std::floor(*d) != *d) {
          return Error::InvalidArgument("center_time must be latest or Unix seconds", key);
        }
        out[key] = std::to_string(static_cast<std::int64_t>(*d));
      }
    } else if (key == "range") {
      auto text = ScalarText(v, key);
      if (!text.ok()) return text.error();
      std::string s = *text;
      std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
      const bool fit = s == "fit";
      std::size_t digits = 0;
      while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
      const std::string rest = s.substr(digits);
      const bool ok = fit || (digits >= 1 && digits <= 5 && s[0] != '0' &&
                              (rest.empty() || (rest.size() == 1 && std::string("dwmy").find(rest) != std::string::npos &&
                                                digits <= 4)));
      if (!ok) return Error::InvalidArgument("range must be a bar count, Nd/Nw/Nm/Ny or fit", key);
      out[key] = s;
    } else if (key == "view") {
      auto text = ScalarText(v, key);
      if (!text.ok()) return text.error();
      auto it = std::find(kViews.begin(), kViews.end(), *text);
      if (it == kViews.end()) {
        return Error::InvalidArgument("view must be one of " + JoinNames(kViews), key);
      }
      out[key] = *text;
    }
  }
  if (!out.count("interval")) {
    out["interval"] = stored ? [&] {
      auto style = scanner::ParseStyle(stored->style);
      return std::string(IntervalFor(style.ok() ? *style : scanner::Style::kIntraday));
    }()
                             : std::string("5m");
  }
  // Plan geometry: long stop < entry < TP1 < TP2 ..., short mirrored.
  if (entry && stop) {
    const std::string dir = direction.value_or(*stop < *entry ? "long" : "short");
    const double sign = dir == "long" ? 1.0 : -1.0;
    if ((*entry - *stop) * sign <= 0.0) {
      return Error::InvalidArgument("a " + dir + " plan needs the stop " + (dir == "long" ? "below" : "above") +
                                        " the entry",
                                    "stop");
    }
    double previous = *entry;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      if ((targets[i] - previous) * sign <= 0.0) {
        return Error::InvalidArgument("TP" + std::to_string(i + 1) + " is not beyond " +
                                          (i == 0 ? std::string("the entry") : "TP" + std::to_string(i)) + " for a " +
                                          dir + " plan",
                                      "tp");
      }
      previous = targets[i];
    }
  } else if (!targets.empty() && !entry) {
    return Error::InvalidArgument("targets need an entry", "entry");
  }
  return link;
}

std::string QueryString(const std::map<std::string, std::string>& params) {
  std::string out;
  for (const auto& [key, v] : params) {
    out += out.empty() ? "" : "&";
    out += key + "=" + EncodeComponent(v);
  }
  return out;
}

/// "http://host" from the request (X-Forwarded-Proto honoured), or empty when the Host header is unusable.
std::string OriginOf(const Request& request) {
  const auto host = request.Header("host");
  if (!host || host->empty() || host->size() > 255) {
    return {};
  }
  for (unsigned char c : *host) {
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']')) {
      return {};
    }
  }
  std::string scheme = "http";
  if (auto proto = request.Header("x-forwarded-proto"); proto && (*proto == "https" || *proto == "http")) {
    scheme = std::string(*proto);
  }
  return scheme + "://" + std::string(*host);
}

// ---- handlers ---------------------------------------------------------------------------------------

/// The session state now of the exchange a symbol ("EXCHANGE:SYMBOL") trades on; empty when it does not resolve.
std::optional<SessionState> SessionOfSymbol(const system::CoachService& coach, std::string_view symbol) {
  auto info = coach.market().Resolve(symbol);
  if (!info.ok()) return std::nullopt;
  auto state = SessionStateOf(info->id, info->time_zone, coach.clock().Now());
  if (!state.ok()) return std::nullopt;
  return *state;
}

/// A JSON object answer with the symbol's session state: the `session` member (GPT Actions read bodies only)
/// and the X-Market-Session header.
Response AnswerWithSession(std::string json, int status, const system::CoachService& coach, std::string_view symbol) {
  const std::optional<SessionState> state = SessionOfSymbol(coach, symbol);
  if (state) json = Splice(std::move(json), SessionMember(*state));
  Response response = Response::Json(std::move(json), status);
  if (state) ApplySessionHeader(response, *state);
  return response;
}

Result<Response> HandleScan(system::CoachService& coach, const Request& request) {
  auto body = BodyObject(request);
  if (!body.ok()) return body.error();
  auto query = ParseScanQuery(*body);
  if (!query.ok()) return query.error();
  auto outcome = coach.Scan(ScopeOf(request), *query);
  if (!outcome.ok()) return outcome.error();
  // A universe may span exchanges: `session` and the header speak for the first symbol's, `sessions` lists
  // every exchange's when there is more than one.
  std::string payload = RenderScanPayload(*outcome);
  std::vector<SessionState> states;
  for (const std::string& symbol : outcome->symbols) {
    auto state = SessionOfSymbol(coach, symbol);
    if (state && std::none_of(states.begin(), states.end(),
                              [&](const SessionState& seen) { return seen.tz == state->tz; })) {
      states.push_back(*state);
    }
  }
  if (states.empty()) return Response::Json(std::move(payload));
  payload = Splice(std::move(payload), SessionMember(states.front()));
  if (states.size() > 1) {
    JsonWriter all;
    all.BeginObject();
    all.Key("sessions").BeginArray();
    for (const SessionState& state : states) WriteSessionState(all, state);
    all.EndArray();
    all.EndObject();
    payload = Splice(std::move(payload), all.Take());
  }
  Response response = Response::Json(std::move(payload));
  ApplySessionHeader(response, states.front());
  return response;
}

std::string ChartPathFor(const plans::StoredPlan& stored, std::string_view interval, std::string_view token) {
  std::map<std::string, std::string> params = {{"focus", "plan"},
                                               {"interval", std::string(interval)},
                                               {"plan_id", stored.plan_id},
                                               {"plan_version", std::to_string(stored.version)},
                                               {"scale_plan", "auto"},
                                               {"symbol", stored.symbol}};
  if (!token.empty()) params["vt"] = std::string(token);
  return "/tv?" + QueryString(params);
}

/// The payload of a preview: the plan as /gpt/plan would store it, minus the id and version it never gets.
std::string RenderPreviewPayload(const system::PlanComputation& computation) {
  scanner::Plan plan = computation.plan;
  plan.plan_id.clear();
  std::string core = scanner::PlanToJson(plan, false);
  constexpr std::string_view kEmptyId = R"({"plan_id":"",)";
  TD_CHECK(core.starts_with(kEmptyId)) << "scanner::PlanToJson no longer starts with plan_id";
  core.erase(1, kEmptyId.size() - 1);
  return Splice(std::move(core), PlanExtras(computation, {}, 0));
}

/// POST /gpt/plan without an API key: a /tv page opened from a chart link asks for the other styles' plans
/// (scenarios) with the link's view token. The token opens exactly its plan's symbol, the plan is computed and
/// answered but never stored, and a request to store one (plan_id) is refused. The token is checked before the
/// body is read, so an unauthorised caller learns nothing about the request.
Result<Response> HandlePlanPreview(system::CoachService& coach, const AuthContext& auth, const Request& request) {
  auto grant = auth.ViewGrantOf(request);
  if (!grant.ok()) return grant.error();
  if (coach.store() == nullptr) {
    return Error{ErrorCode::kUnavailable, "the plan store is not open", {}};
  }
  auto source = coach.store()->Get(plans::UserScope{"coach-preview", true}, grant->plan_id);
  if (!source.ok()) {
    // A signed token for a plan that is gone opens nothing: the same answer as any refused token.
    if (source.error().code == ErrorCode::kNotFound) {
      return Error{ErrorCode::kUnauthenticated, "invalid or expired view token", std::string(kViewTokenParam)};
    }
    return source.error();
  }
  auto body = BodyObject(request);
  if (!body.ok()) return body.error();
  auto parsed = ParsePlanRequest(*body);
  if (!parsed.ok()) return parsed.error();
  if (parsed->replan_of) {
    return Error{ErrorCode::kPermissionDenied,
                 "a view token previews plans but cannot store them; a new version (plan_id) needs an API key",
                 "plan_id"};
  }
  const Error other_symbol{ErrorCode::kPermissionDenied,
                           "this view token previews plans for " + source->symbol + " only", "symbol"};
  // An unknown symbol is refused the same way as another real one: the token's scope is the only question.
  auto info = coach.market().Resolve(parsed->query.symbol);
  if (!info.ok() || info->id.value() != source->symbol) {
    return other_symbol;
  }
  auto computation = coach.ComputePlan(parsed->query);
  if (!computation.ok()) return computation.error();
  if (computation->plan.symbol != source->symbol) {
    return other_symbol;
  }
  Response response = AnswerWithSession(RenderPreviewPayload(*computation), 200, coach, computation->plan.symbol);
  response.SetHeader("Cache-Control", "private, no-store");
  return response;
}

Result<Response> HandlePlan(system::CoachService& coach, const AuthContext& auth, const Request& request) {
  if (request.principal.empty()) {
    // Only a view token gets here without a key (the route takes credentials optionally).
    return HandlePlanPreview(coach, auth, request);
  }
  auto body = BodyObject(request);
  if (!body.ok()) return body.error();
  auto parsed = ParsePlanRequest(*body);
  if (!parsed.ok()) return parsed.error();
  const plans::UserScope scope = ScopeOf(request);
  if (coach.store() == nullptr) {
    return Error{ErrorCode::kUnavailable, "the plan store is not open", {}};
  }
  std::optional<plans::StoredPlan> previous;
  if (parsed->replan_of) {
    auto found = coach.store()->Get(scope, *parsed->replan_of);
    if (!found.ok()) return found.error();
    previous = std::move(found).value();
  }
  auto computation = coach.ComputePlan(parsed->query);
  if (!computation.ok()) return computation.error();
  Result<plans::StoredPlan> stored = Error::Internal("unset");
  if (previous) {
    if (previous->symbol != computation->plan.symbol) {
      return Error::InvalidArgument("plan " + previous->plan_id + " is for " + previous->symbol + ", not " +
                                        computation->plan.symbol,
                                    "plan_id");
    }
    plans::NewPlan next;
    next.symbol = computation->plan.symbol;
    next.style = std::string(scanner::StyleName(computation->plan.style));
    next.strategy = std::string(scanner::Spec(computation->plan.strategy).key);
    next.reason = "replan";
    next.as_of = computation->plan.as_of;
    next.layers_as_of = computation->plan.as_of;
    // Versions are per plan and only this route appends them; the store assigns the same next number.
    const system::RenderedPlan rendered = RenderPlan(*computation, previous->plan_id, previous->version + 1);
    next.plan_json = rendered.plan_json;
    next.layers_json = rendered.layers_json;
    stored = coach.store()->AddVersion(scope, previous->plan_id, std::move(next));
  } else {
    stored = coach.IssuePlan(scope, *computation, RenderPlan);
  }
  if (!stored.ok()) return stored.error();
  const std::string token = auth.MintViewToken(stored->plan_id, stored->user, kDefaultViewTokenValidity);
  const std::string path = ChartPathFor(*stored, IntervalFor(computation->plan.style), token);
  const std::string origin = OriginOf(request);
  JsonWriter extra;
  extra.BeginObject();
  extra.Key("chart_url").String(origin + path);
  extra.Key("trade_detail").String(origin + path);
  extra.Key("updated_from_version");
  if (previous) {
    extra.Int(previous->version);
  } else {
    extra.Null();
  }
  extra.EndObject();
  Response response = AnswerWithSession(Splice(stored->plan_json, extra.Take()), 201, coach, stored->symbol);
  response.SetHeader("Location", "/idea/" + stored->plan_id + "/" + std::to_string(stored->version));
  return response;
}

Result<std::optional<int>> VersionParam(const Request& request) {
  const std::string_view text = request.PathParam("version");
  if (text.empty()) {
    return std::optional<int>{};
  }
  int version = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (ec != std::errc{} || end != text.data() + text.size() || version < 1) {
    return Error::InvalidArgument("version must be a whole number >= 1, was '" + std::string(text) + "'", "version");
  }
  return std::optional<int>(version);
}

/// Loads a plan for a plan-bound read: the owner's or an admin's key, or a view token for this plan id.
Result<plans::StoredPlan> ReadPlan(system::CoachService& coach, const AuthContext& auth, const Request& request,
                                   std::string_view plan_id, std::optional<int> version) {
  if (coach.store() == nullptr) {
    return Error{ErrorCode::kUnavailable, "the plan store is not open", {}};
  }
  if (plan_id.empty() || plan_id.size() > 128) {
    return Error::InvalidArgument("plan_id is required", "plan_id");
  }
  // Looked up with full visibility, then authorised against the owner: a missing plan and someone else's plan
  // answer the same way, and a bad token is refused before anything is said about the plan.
  auto stored = coach.store()->Get(plans::UserScope{"coach-plan-read", true}, plan_id, version);
  if (!stored.ok()) {
    if (stored.error().code != ErrorCode::kNotFound) {
      return stored.error();
    }
    // A plan the caller may read but without that version: say it is the version that is missing.
    auto latest = version ? coach.store()->Get(plans::UserScope{"coach-plan-read", true}, plan_id)
                          : Result<plans::StoredPlan>(stored.error());
    const std::string owner = latest.ok() ? latest->user : std::string();
    if (auto status = auth.AuthorizePlanRead(request, plan_id, owner); !status.ok()) {
      return status.error();
    }
    if (latest.ok()) {
      return Error::NotFound("plan " + std::string(plan_id) + " has no version " + std::to_string(*version) +
                                 " (latest is " + std::to_string(latest->version) + ")",
                             "version");
    }
    return stored.error();
  }
  if (auto status = auth.AuthorizePlanRead(request, plan_id, stored->user); !status.ok()) {
    return status.error();
  }
  return stored;
}

Result<Response> HandleIdea(system::CoachService& coach, const AuthContext& auth, const Request& request) {
  auto version = VersionParam(request);
  if (!version.ok()) return version.error();
  auto stored = ReadPlan(coach, auth, request, request.PathParam("plan_id"), *version);
  if (!stored.ok()) return stored.error();
  Response response = AnswerWithSession(stored->plan_json, 200, coach, stored->symbol);
  response.SetHeader("Cache-Control", "private, no-store");
  return response;
}

Result<Response> HandleLayers(system::CoachService& coach, const AuthContext& auth, const Request& request) {
  const auto plan_id = request.Query("plan_id");
  if (!plan_id || plan_id->empty()) {
    return Error::InvalidArgument("plan_id is required", "plan_id");
  }
  std::optional<int> version;
  if (auto text = request.Query("version")) {
    int v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc{} || end != text->data() + text->size() || v < 1) {
      return Error::InvalidArgument("version must be a whole number >= 1", "version");
    }
    version = v;
  }
  auto stored = ReadPlan(coach, auth, request, *plan_id, version);
  if (!stored.ok()) return stored.error();
  if (stored->layers_as_of != stored->as_of || stored->layers_json.empty()) {
    JsonWriter json;
    json.BeginObject();
    json.Key("error").BeginObject();
    json.Key("code").String("stale_layers");
    json.Key("message").String("the plan's layers were computed for another as_of; replan to refresh them");
    json.Key("field").String("plan_id");
    json.Key("plan_id").String(stored->plan_id);
    json.Key("plan_as_of").String(stored->as_of.ToIso8601());
    json.Key("layers_as_of").String(stored->layers_as_of.ToIso8601());
    json.EndObject();
    json.EndObject();
    return Response::Json(json.Take(), 409);
  }
  Response response = AnswerWithSession(stored->layers_json, 200, coach, stored->symbol);
  response.SetHeader("Cache-Control", "private, no-store");
  return response;
}

Result<Response> HandleChartUrl(system::CoachService& coach, const AuthContext& auth, const Request& request) {
  auto body = BodyObject(request);
  if (!body.ok()) return body.error();
  auto link = BuildChartLink(*body, coach, ScopeOf(request));
  if (!link.ok()) return link.error();
  std::optional<UnixNanos> expires;
  std::map<std::string, std::string> params = link->params;
  if (!link->plan_id.empty()) {
    params["vt"] = auth.MintViewToken(link->plan_id, link->owner, kDefaultViewTokenValidity);
    expires = auth.clock->Now() + kDefaultViewTokenValidity;
  }
  const std::string path = "/tv?" + QueryString(params);
  const std::string url = OriginOf(request) + path;
  JsonWriter json;
  json.BeginObject();
  json.Key("url").String(url);
  json.Key("interactive").String(url);
  json.Key("path").String(path);
  json.Key("precision").Int(link->precision);
  json.Key("params").BeginObject();
  for (const auto& [key, v] : link->params) {
    json.Key(key).String(v);
  }
  json.EndObject();
  json.Key("view_token_expires_at");
  if (expires) {
    json.String(expires->ToIso8601());
  } else {
    json.Null();
  }
  json.EndObject();
  return Response::Json(json.Take());
}

// ---- OpenAPI ----------------------------------------------------------------------------------------

constexpr std::string_view kScanRequestSchema = R"({"type":"object","additionalProperties":false,"required":["style"],
"properties":{
"universe":{"description":"A universe name (all, us, india, top_liquidity, top_liquidity:N, watchlist:NAME) or a list of symbols. Default top_liquidity.","oneOf":[{"type":"string"},{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":500}]},
"symbols":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":500,"description":"Alias for a symbol-list universe."},
"style":{"type":"string","enum":["scalp","intraday","swing","leaps"]},
"limit":{"type":"integer","minimum":1,"maximum":50,"default":20},
"cursor":{"type":"string","description":"next_cursor of the previous page of the same scan."},
"as_of":{"type":"string","description":"ISO 8601 instant (not in the future); data strictly up to it. Default now."},
"max_sector_share":{"type":"number","exclusiveMinimum":0,"maximum":1,"default":0.4},
"asof_policy":{"type":"string","enum":["live","frozen","live_or_lkg"],"description":"Accepted for seed compatibility; live/frozen follows the session calendar."},
"filters":{"type":"object","additionalProperties":false,"properties":{
"min_rvol":{"type":"number","minimum":0},"exclude":{"type":"array","items":{"type":"string"}},
"min_liquidity_rank":{"type":"integer","minimum":1}}}}})";

constexpr std::string_view kScanResponseSchema = R"({"type":"object","required":["scan_id","as_of","planning_context","candidates","data_quality"],
"properties":{"scan_id":{"type":"string"},"as_of":{"type":"string"},"requested_as_of":{"type":"string"},
"as_of_note":{"type":["string","null"]},"planning_context":{"type":"string","enum":["live","frozen"]},
"banner":{"type":"string"},"meta":{"type":"object"},"universe":{"type":"object"},
"candidates":{"type":"array","items":{"type":"object","properties":{"symbol":{"type":"string"},"rank":{"type":"integer"},
"score":{"type":"number"},"confidence":{"type":"number"},"strategy_id":{"type":["string","null"]},
"reasons":{"type":"array","items":{"type":"string"}},"plan":{"type":["object","null"]}}}},
"data_quality":{"type":"object"},"next_cursor":{"type":["string","null"]},"data_source":{"type":"string"}}})";

constexpr std::string_view kPlanRequestSchema = R"({"type":"object","additionalProperties":false,"required":["symbol"],
"properties":{"symbol":{"type":"string","description":"SPY, US:SPY, NIFTY or NSE_INDEX:NIFTY."},
"style":{"type":"string","enum":["scalp","intraday","swing","leaps"],"default":"intraday"},
"strategy":{"type":"string","description":"A strategy key (orb_retest, vwap_avwap, ...); it must fire or the answer is 422."},
"as_of":{"type":"string","description":"ISO 8601 instant (not in the future). A closed market is planned as of its last close."},
"plan_id":{"type":"string","description":"An existing plan of yours: the answer is stored as its next version."}}})";

constexpr std::string_view kPlanSchema = R"({"type":"object","required":["plan_id","version","symbol","entry","stop","targets","as_of"],
"properties":{"plan_id":{"type":"string"},"version":{"type":"integer"},"symbol":{"type":"string"},
"style":{"type":"string"},"strategy":{"type":"string"},"strategy_id":{"type":"string"},"setup":{"type":"string"},
"direction":{"type":"string","enum":["long","short"]},"bias":{"type":"string"},"interval":{"type":"string"},
"entry":{"type":"number"},"stop":{"type":"number"},"targets":{"type":"array","items":{"type":"number"}},
"target_meta":{"type":"array","items":{"type":"object"}},"rr_to_t1":{"type":"number"},"confidence":{"type":"number"},
"confidence_factors":{"type":"array","items":{"type":"object"}},"factors":{"type":"array","items":{"type":"object"}},
"runner":{"type":"object"},"warnings":{"type":"array","items":{"type":"string"}},
"status":{"type":"string","enum":["intact","at_risk","invalidated"]},"as_of":{"type":"string"},
"requested_as_of":{"type":"string"},"as_of_note":{"type":["string","null"]},"planning_context":{"type":"string"},
"expected_move":{"type":["number","null"]},"atr":{"type":["number","null"]},"data_source":{"type":"string"},
"levels":{"type":"array","items":{"type":"object"}},"zones":{"type":"array","items":{"type":"object"}},
"avwaps":{"type":"array","items":{"type":"object"}},"decimals":{"type":"integer"},"idea_url":{"type":"string"},
"chart_url":{"type":"string"},"fallback":{"type":"boolean"}}})";

constexpr std::string_view kPlanPreviewSchema = R"({"type":"object","required":["preview","symbol","entry","stop","targets","as_of"],
"description":"A plan computed for a view token: the CoachPlan fields without plan_id, version, idea_url and layers_url.",
"properties":{"preview":{"type":"boolean","const":true},"symbol":{"type":"string"},"style":{"type":"string"},
"strategy":{"type":"string"},"direction":{"type":"string","enum":["long","short"]},"interval":{"type":"string"},
"entry":{"type":"number"},"stop":{"type":"number"},"targets":{"type":"array","items":{"type":"number"}},
"rr_to_t1":{"type":"number"},"confidence":{"type":"number"},"status":{"type":"string","enum":["intact","at_risk","invalidated"]},
"as_of":{"type":"string"},"levels":{"type":"array","items":{"type":"object"}},"zones":{"type":"array","items":{"type":"object"}},
"avwaps":{"type":"array","items":{"type":"object"}},"decimals":{"type":"integer"},"fallback":{"type":"boolean"}}})";

constexpr std::string_view kLayersSchema = R"({"type":"object","required":["plan_id","as_of","levels","zones","overlays"],
"properties":{"plan_id":{"type":"string"},"version":{"type":"integer"},"symbol":{"type":"string"},
"interval":{"type":"string"},"as_of":{"type":"string"},"planning_context":{"type":"string"},"precision":{"type":"integer"},
"levels":{"type":"array","items":{"type":"object","properties":{"price":{"type":"number"},"label":{"type":"string"},
"kind":{"type":"string"},"primary":{"type":"boolean"}}}},
"zones":{"type":"array","items":{"type":"object","properties":{"kind":{"type":"string"},"top":{"type":"number"},
"bottom":{"type":"number"},"label":{"type":"string"},"status":{"type":"string"}}}},
"overlays":{"type":"object","properties":{"avwaps":{"type":"array","items":{"type":"object"}}}}}})";

constexpr std::string_view kChartUrlRequestSchema = R"({"type":"object","additionalProperties":false,
"description":"Parameters of the /tv page; anything else is rejected naming the field.",
"properties":{"symbol":{"type":"string"},"plan_id":{"type":"string"},"plan_version":{"type":"integer","minimum":1},
"interval":{"type":"string","enum":["1m","5m","15m","1h","4h","1D","1W"]},"resolution":{"type":"string"},
"direction":{"type":"string","enum":["long","short"]},"entry":{"type":"number"},"stop":{"type":"number"},
"tp":{"oneOf":[{"type":"array","items":{"type":"number"}},{"type":"string"}]},"runner":{"type":"number"},
"probs":{"oneOf":[{"type":"array","items":{"type":"number"}},{"type":"string"}]},"strategy":{"type":"string"},
"style":{"type":"string","enum":["scalp","intraday","swing","leaps"]},"confidence":{"type":"number"},
"levels":{"oneOf":[{"type":"array","items":{"type":"object","properties":{"price":{"type":"number"},"label":{"type":"string"}}}},{"type":"string"}]},
"overlays":{"oneOf":[{"type":"array","items":{"type":"string"}},{"type":"string"}]},
"ema":{"oneOf":[{"type":"array","items":{"type":"integer"}},{"type":"string"}]},"emas":{"oneOf":[{"type":"array","items":{"type":"integer"}},{"type":"string"}]},
"vwap":{"type":"boolean"},"live":{"type":"boolean"},"focus":{"type":"string","enum":["plan"]},
"scale_plan":{"oneOf":[{"type":"string","enum":["auto","off"]},{"type":"number"}]},"theme":{"type":"string","enum":["dark","light"]},
"center_time":{"oneOf":[{"type":"string","enum":["latest"]},{"type":"integer"}]},"range":{"type":"string"},
"view":{"type":"string","enum":["30m","1d","5d","1M","3M","6M","1Y"]},"atr":{"type":"number"},"title":{"type":"string"}}})";

constexpr std::string_view kChartUrlResponseSchema = R"({"type":"object","required":["url","path","params"],
"properties":{"url":{"type":"string"},"interactive":{"type":"string"},"path":{"type":"string"},
"precision":{"type":"integer"},"params":{"type":"object","additionalProperties":{"type":"string"}},
"view_token_expires_at":{"type":["string","null"]}}})";

}  // namespace

Result<UnixNanos> ParseAsOf(std::string_view text) {
  const bool plausible = text.size() >= 10 && text.size() <= 40 && std::isdigit(static_cast<unsigned char>(text[0]));
  auto parsed = plausible ? UnixNanos::ParseIso8601(text) : Result<UnixNanos>(Error::InvalidArgument("", ""));
  if (!parsed.ok()) {
    return Error::InvalidArgument("as_of must be an ISO 8601 instant such as 2025-09-16T15:00:00Z, was '" +
                                      std::string(text.substr(0, 40)) + "'",
                                  "as_of");
  }
  return *parsed;
}

std::string FormatLinkNumber(double v, int precision) {
  std::string text = FixedText(v, precision);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

std::string RenderPlanPayload(const system::PlanComputation& computation, std::string_view plan_id, int version) {
  scanner::Plan plan = computation.plan;
  plan.plan_id = std::string(plan_id);
  return Splice(scanner::PlanToJson(plan, false), PlanExtras(computation, plan_id, version));
}

std::string RenderLayersPayload(const system::PlanComputation& c, std::string_view plan_id, int version) {
  JsonWriter json(4096);
  json.BeginObject();
  json.Key("plan_id").String(plan_id);
  json.Key("version").Int(version);
  json.Key("symbol").String(c.plan.symbol);
  json.Key("interval").String(IntervalFor(c.plan.style));
  json.Key("as_of").String(c.plan.as_of.ToIso8601());
  json.Key("planning_context").String(c.plan.planning_context);
  json.Key("precision").Int(c.plan.precision);
  json.Key("levels");
  WriteLevels(json, c.plan);
  json.Key("zones");
  WriteZones(json, c);
  json.Key("overlays").BeginObject();
  json.Key("avwaps");
  WriteAvwaps(json, c);
  json.EndObject();
  json.EndObject();
  return json.Take();
}

system::RenderedPlan RenderPlan(const system::PlanComputation& computation, std::string_view plan_id, int version) {
  return {RenderPlanPayload(computation, plan_id, version), RenderLayersPayload(computation, plan_id, version)};
}

std::string RenderScanPayload(const system::ScanOutcome& outcome) {
  JsonWriter json(1024);
  json.BeginObject();
  WriteAsOfFields(json, outcome.as_of);
  json.Key("universe").BeginObject();
  json.Key("name").String(outcome.universe);
  json.Key("size").Int(static_cast<std::int64_t>(outcome.symbols.size()));
  json.Key("symbols").BeginArray();
  for (const std::string& s : outcome.symbols) {
    json.String(s);
  }
  json.EndArray();
  json.EndObject();
  json.Key("data_source").String(outcome.data_source);
  json.EndObject();
  return Splice(scanner::ScanPageToJson(outcome.page), json.Take());
}

void AddCoachRoutes(Router& router, system::CoachService& coach, const AuthContext& auth) {
  router.AddSchema("CoachPlan", std::string(kPlanSchema));
  router.AddSchema("CoachChartLayers", std::string(kLayersSchema));
  const std::string plan_ref = R"({"$ref":"#/components/schemas/CoachPlan"})";
  const std::string layers_ref = R"({"$ref":"#/components/schemas/CoachChartLayers"})";

  RouteDoc scan = MakeDoc("Scan a universe for trade plans in one style", "coachScan", {"coach"});
  scan.description =
      "Ranks the universe's best detector plan per symbol for the style, as of now or a past instant (data strictly "
      "up to as_of). After the close the scan is computed as of the close and says so. Data problems give a labelled "
      "fallback page (meta.mode), never a 5xx. Field errors name the field.";
  scan.request_body_schema = std::string(kScanRequestSchema);
  scan.responses = {ResponseDocOf(200, "One page of ranked candidates", kScanResponseSchema),
                    ResponseDocOf(400, "A field is invalid (error.field names it)")};
  router.Post("/gpt/scan", [&coach](const Request& r) { return HandleScan(coach, r); }, scan, auth.Protected());

  const ParamDoc vt_param =
      ParamDocOf("vt", ParamLocation::kQuery, false, "A view token from a chart link (instead of an API key).");
  router.AddSchema("CoachPlanPreview", std::string(kPlanPreviewSchema));
  RouteDoc plan = MakeDoc("Build and store a trade plan for one symbol", "coachPlan", {"coach"});
  plan.description =
      "Computes a plan (entry, stop, targets snapped to key levels, confidence, runner) as of now or as_of, stores "
      "it for the caller (or as the next version of plan_id) and returns it with a /tv link holding a 7-day view "
      "token. With only a link's vt: a preview of its plan's symbol, not stored.";
  plan.request_body_schema = std::string(kPlanRequestSchema);
  plan.parameters = {ParamDocOf("vt", ParamLocation::kQuery, false,
                           "A chart link's view token, instead of an API key: previews of that plan's symbol only.")};
  plan.responses = {ResponseDocOf(201, "The stored plan", plan_ref),
                    ResponseDocOf(200, "A preview for a view token: computed, not stored",
                        R"({"$ref":"#/components/schemas/CoachPlanPreview"})"),
                    ResponseDocOf(400, "A field is invalid"),
                    ResponseDocOf(403, "A view token asked for another symbol (field symbol) or to store a plan (field plan_id)"),
                    ResponseDocOf(404, "Unknown symbol or plan_id"),
                    ResponseDocOf(422, "No data before as_of, or the named strategy does not fire")};
  plan.consequential = false;
  router.Post("/gpt/plan", [&coach, &auth](const Request& r) { return HandlePlan(coach, auth, r); }, plan,
              auth.PlanRead());

  const ParamDoc plan_id_param = ParamDocOf("plan_id", ParamLocation::kPath, true, "A plan id from /gpt/plan.");
  RouteDoc idea = MakeDoc("The latest version of a stored plan", "getIdea", {"coach"});
  idea.description = "The /idea payload the /tv page draws. Owner or admin key, or a vt view token for this plan.";
  idea.parameters = {plan_id_param, vt_param};
  idea.responses = {ResponseDocOf(200, "The plan", plan_ref), ResponseDocOf(404, "No such plan (or not yours)")};
  router.Get("/idea/{plan_id}", [&coach, &auth](const Request& r) { return HandleIdea(coach, auth, r); }, idea,
             auth.PlanRead());

  RouteDoc idea_version = MakeDoc("One version of a stored plan", "getIdeaVersion", {"coach"});
  idea_version.description = idea.description;
  idea_version.parameters = {plan_id_param,
                             ParamDocOf("version", ParamLocation::kPath, true, "Version number, 1 and up.",
                                   R"({"type":"integer","minimum":1})"),
                             vt_param};
  idea_version.responses = idea.responses;
  router.Get("/idea/{plan_id}/{version}", [&coach, &auth](const Request& r) { return HandleIdea(coach, auth, r); },
             idea_version, auth.PlanRead());

  RouteDoc chart = MakeDoc("Build a canonical /tv chart link", "coachChartUrl", {"coach"});
  chart.description =
      "Validates the chart parameters against the /tv page's allow-list (unknown parameters are rejected naming the "
      "field), formats prices at the instrument's precision, sorts the keys and, for a plan_id, adds a view token "
      "valid 7 days.";
  chart.request_body_schema = std::string(kChartUrlRequestSchema);
  chart.responses = {ResponseDocOf(200, "The link", kChartUrlResponseSchema), ResponseDocOf(400, "A parameter is unknown or invalid"),
                     ResponseDocOf(404, "Unknown symbol or plan")};
  router.Post("/gpt/chart-url", [&coach, &auth](const Request& r) { return HandleChartUrl(coach, auth, r); }, chart,
              auth.Protected());

  RouteDoc layers = MakeDoc("Chart layers stored with a plan", "getChartLayers", {"coach"});
  layers.description =
      "Levels, zones and overlays computed with the plan. 409 stale_layers when the layers' as_of differs from the "
      "plan's.";
  layers.parameters = {ParamDocOf("plan_id", ParamLocation::kQuery, true, "A plan id from /gpt/plan."),
                       ParamDocOf("version", ParamLocation::kQuery, false, "A version (default latest).",
                             R"({"type":"integer","minimum":1})"),
                       vt_param};
  layers.responses = {ResponseDocOf(200, "The layers", layers_ref), ResponseDocOf(404, "No such plan (or not yours)"),
                      ResponseDocOf(409, "The layers are stale (error.code stale_layers)")};
  router.Get("/api/v1/gpt/chart-layers", [&coach, &auth](const Request& r) { return HandleLayers(coach, auth, r); },
             layers, auth.PlanRead());
}

}  // namespace td::api
