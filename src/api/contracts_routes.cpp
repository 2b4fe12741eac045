// SPDX-License-Identifier: MIT
#include "api/contracts_routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <memory>

#include "api/auth.hpp"
#include "api/auth_context.hpp"
#include "api/json_body.hpp"
#include "api/json_writer.hpp"
#include "api/router.hpp"
#include "calendar/local_time.hpp"
#include "model/symbology.hpp"

namespace td::api {
namespace {

using boost::json::object;
using boost::json::value;

constexpr std::array<std::string_view, 24> kFields = {
    "plan_id",     "version",        "symbol",        "bias",       "entry",   "stop",
    "targets",     "style",          "horizon_days",  "min_dte",    "max_dte", "min_delta",
    "max_delta",   "max_spread_pct", "min_oi",        "min_volume", "premium", "max_results",
    "risk_amount", "iv_shift",       "contract_size", "expiry",     "relax",   "max_rejected"};
constexpr std::array<std::string_view, 5> kExplicitFields = {"symbol", "bias", "entry", "stop", "targets"};
constexpr std::size_t kMaxTargets = 10;

// ---- request ----------------------------------------------------------------------------------------------

Error Invalid(std::string message, std::string_view field) {
  return Error::InvalidArgument(std::move(message), std::string(field));
}

Result<std::optional<double>> NumberField(const object& body, std::string_view name, double min, double max,
                                          bool min_exclusive = false) {
  const value* v = body.if_contains(name);
  if (v == nullptr || v->is_null()) {
    return std::optional<double>{};
  }
  if (!v->is_number()) {
    return Invalid(std::string(name) + " must be a number", name);
  }
  const double d = v->to_number<double>();
  const bool low = min_exclusive ? !(d > min) : !(d >= min);
  if (!std::isfinite(d) || low || d > max) {
    char range[96];
    std::snprintf(range, sizeof(range), "%s%g, %g]", min_exclusive ? "(" : "[", min, max);
    return Invalid(std::string(name) + " must be within " + range, name);
  }
  return std::optional<double>(d);
}

Result<std::optional<std::int64_t>> IntField(const object& body, std::string_view name, std::int64_t min,
                                             std::int64_t max) {
  const value* v = body.if_contains(name);
  if (v == nullptr || v->is_null()) {
    return std::optional<std::int64_t>{};
  }
  std::int64_t n = 0;
  if (v->is_int64()) {
    n = v->as_int64();
  } else if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(max)) {
    n = static_cast<std::int64_t>(v->as_uint64());
  } else {
    return Invalid(
        std::string(name) + " must be a whole number within " + std::to_string(min) + ".." + std::to_string(max), name);
  }
  if (n < min || n > max) {
    return Invalid(std::string(name) + " must be within " + std::to_string(min) + ".." + std::to_string(max) +
                       ", was " + std::to_string(n),
                   name);
  }
  return std::optional<std::int64_t>(n);
}

Result<std::optional<std::string>> StringField(const object& body, std::string_view name, std::size_t max_len) {
  const value* v = body.if_contains(name);
  if (v == nullptr || v->is_null()) {
    return std::optional<std::string>{};
  }
  if (!v->is_string()) {
    return Invalid(std::string(name) + " must be a string", name);
  }
  std::string text(v->as_string());
  if (text.empty() || text.size() > max_len) {
    return Invalid(std::string(name) + " must be 1.." + std::to_string(max_len) + " characters", name);
  }
  return std::optional<std::string>(std::move(text));
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

struct ParsedRequest {
  system::ContractsQuery query;
  std::size_t rejected_listed = kDefaultRejectedListed;
};

#define TD_READ(var, expr) \
  auto var = (expr);       \
  if (!var.ok())           \
  return var.error()

Result<ParsedRequest> ParseContractsRequest(const object& body) {
  for (const auto& member : body) {
    if (std::find(kFields.begin(), kFields.end(), member.key()) == kFields.end()) {
      const std::string field(member.key());
      return Invalid("unknown field '" + field + "' (see the coachContracts request schema)", field);
    }
  }
  ParsedRequest out;
  system::ContractsQuery& q = out.query;
  TD_READ(plan_id, StringField(body, "plan_id", 64));
  TD_READ(version, IntField(body, "version", 1, 1'000'000));
  if (*plan_id) {
    for (std::string_view name : kExplicitFields) {
      if (const value* v = body.if_contains(name); v != nullptr && !v->is_null()) {
        return Invalid("give either plan_id or explicit anchors (symbol, bias, entry, stop, targets), not both", name);
      }
    }
    q.plan_id = **plan_id;
    if (*version)
      q.plan_version = static_cast<int>(**version);
  } else {
    if (*version) {
      return Invalid("version needs a plan_id", "version");
    }
    system::ContractsPlan plan;
    TD_READ(symbol, StringField(body, "symbol", 40));
    if (!*symbol) {
      return Invalid("symbol is required (or give a plan_id), e.g. SPY or NSE_INDEX:NIFTY", "symbol");
    }
    const bool well_formed = std::all_of((*symbol)->begin(), (*symbol)->end(), [](unsigned char c) {
      return std::isalnum(c) || c == ':' || c == '.' || c == '_' || c == '-' || c == '&';
    });
    if (!well_formed) {
      return Invalid("symbol '" + **symbol + "' has characters outside A-Z 0-9 : . _ - &", "symbol");
    }
    plan.symbol = **symbol;
    TD_READ(bias, StringField(body, "bias", 16));
    if (!*bias) {
      return Invalid("bias is required: long or short", "bias");
    }
    const std::string b = Lower(**bias);
    if (b == "long" || b == "bullish") {
      plan.bias = options::Bias::kBullish;
    } else if (b == "short" || b == "bearish") {
      plan.bias = options::Bias::kBearish;
    } else {
      return Invalid("bias must be long or short (bullish/bearish accepted), was '" + **bias + "'", "bias");
    }
    constexpr double kMaxPrice = 1e9;
    TD_READ(entry, NumberField(body, "entry", 0.0, kMaxPrice, true));
    if (!*entry)
      return Invalid("entry is required: the underlying's entry price", "entry");
    TD_READ(stop, NumberField(body, "stop", 0.0, kMaxPrice, true));
    if (!*stop)
      return Invalid("stop is required: the underlying's stop price", "stop");
    plan.entry = **entry;
    plan.stop = **stop;
    const value* targets = body.if_contains("targets");
    if (targets == nullptr || targets->is_null()) {
      return Invalid("targets is required: 1..10 underlying prices", "targets");
    }
    if (!targets->is_array() || targets->as_array().empty() || targets->as_array().size() > kMaxTargets) {
      return Invalid("targets must be a list of 1..10 prices", "targets");
    }
    for (std::size_t i = 0; i < targets->as_array().size(); ++i) {
      const value& t = targets->as_array()[i];
      const std::string field = "targets[" + std::to_string(i) + "]";
      if (!t.is_number() || !(t.to_number<double>() > 0.0) || !(t.to_number<double>() <= kMaxPrice)) {
        return Invalid(field + " must be a positive price", field);
      }
      plan.targets.push_back(t.to_number<double>());
    }
    q.plan = std::move(plan);
  }
  TD_READ(style, StringField(body, "style", 16));
  if (*style) {
    auto parsed = scanner::ParseStyle(**style);
    if (!parsed.ok()) {
      return Invalid("unknown style '" + **style + "': use scalp, intraday, swing or leaps", "style");
    }
    q.style = *parsed;
  }
  TD_READ(horizon, NumberField(body, "horizon_days", 0.0, 400.0));
  q.horizon_days = *horizon;
  TD_READ(min_dte, NumberField(body, "min_dte", 0.0, 2000.0));
  TD_READ(max_dte, NumberField(body, "max_dte", 0.0, 2000.0));
  TD_READ(min_delta, NumberField(body, "min_delta", 0.0, 1.0));
  TD_READ(max_delta, NumberField(body, "max_delta", 0.0, 1.0));
  TD_READ(spread, NumberField(body, "max_spread_pct", 0.0, 1000.0, true));
  TD_READ(min_oi, NumberField(body, "min_oi", 0.0, 1e12));
  TD_READ(min_volume, NumberField(body, "min_volume", 0.0, 1e12));
  q.filters.min_dte = *min_dte;
  q.filters.max_dte = *max_dte;
  q.filters.min_abs_delta = *min_delta;
  q.filters.max_abs_delta = *max_delta;
  q.filters.max_spread_pct = *spread;
  q.filters.min_open_interest = *min_oi;
  q.filters.min_volume = *min_volume;
  TD_READ(premium, StringField(body, "premium", 16));
  if (*premium) {
    const std::string p = Lower(**premium);
    if (p == "debit" || p == "long") {
      q.premium = options::PremiumSide::kLong;
    } else if (p == "credit" || p == "short") {
      q.premium = options::PremiumSide::kShort;
    } else {
      return Invalid("premium must be debit (buy options) or credit (sell options)", "premium");
    }
  }
  TD_READ(max_results, IntField(body, "max_results", 1, static_cast<std::int64_t>(system::kMaxContractResults)));
  if (*max_results)
    q.max_results = static_cast<std::size_t>(**max_results);
  TD_READ(risk, NumberField(body, "risk_amount", 0.0, 1e12, true));
  q.risk_amount = *risk;
  TD_READ(iv_shift, NumberField(body, "iv_shift", -100.0, 100.0));
  q.vol_shift = iv_shift->value_or(0.0) / 100.0;
  TD_READ(contract_size, NumberField(body, "contract_size", 0.0, 1e6, true));
  q.contract_size = *contract_size;
  TD_READ(expiry, StringField(body, "expiry", 10));
  if (*expiry) {
    auto date = calendar::ParseCivilDate(**expiry);
    if (!date.ok()) {
      return Invalid("expiry must be a date YYYY-MM-DD, was '" + **expiry + "'", "expiry");
    }
    q.expiry = *date;
  }
  if (const value* relax = body.if_contains("relax"); relax != nullptr && !relax->is_null()) {
    if (!relax->is_bool())
      return Invalid("relax must be true or false", "relax");
    q.relax = relax->as_bool();
  }
  TD_READ(listed, IntField(body, "max_rejected", 0, static_cast<std::int64_t>(kMaxRejectedListed)));
  if (*listed)
    out.rejected_listed = static_cast<std::size_t>(**listed);
  return out;
}

#undef TD_READ

// ---- response ---------------------------------------------------------------------------------------------

/// Rounded to `decimals` places (responses carry money and prices, not 17 significant digits).
double Round(double v, int decimals) {
  if (!std::isfinite(v))
    return v;
  const double scale = std::pow(10.0, decimals);
  const double r = std::round(v * scale) / scale;
  return r == 0.0 ? 0.0 : r;  // no "-0"
}

/// Significant-figure rounding for greeks, whose scales differ by orders of magnitude.
double Significant(double v, int digits) {
  if (!std::isfinite(v) || v == 0.0)
    return v;
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(v))));
  return Round(v, std::max(0, digits - 1 - magnitude));
}

std::string_view RightName(OptionRight right) {
  return right == OptionRight::kCall ? "call" : "put";
}

void WriteOptionalPrice(JsonWriter& json, const std::optional<Price>& p) {
  if (p) {
    json.PriceValue(*p);
  } else {
    json.Null();
  }
}

void WriteGates(JsonWriter& json, const options::ContractGates& g) {
  json.BeginObject();
  json.Key("min_dte").Double(Round(g.min_dte, 4));
  json.Key("max_dte").Double(Round(g.max_dte, 4));
  json.Key("min_delta").Double(Round(g.min_abs_delta, 4));
  json.Key("max_delta").Double(Round(g.max_abs_delta, 4));
  json.Key("max_spread_pct").Double(Round(g.max_spread_pct, 4));  // null when disabled (infinite)
  json.Key("min_oi").Double(g.min_open_interest);
  json.Key("min_volume").Double(g.min_volume);
  json.EndObject();
}

void WriteIdentity(JsonWriter& json, const system::ContractIdentity& c, std::string_view symbology) {
  json.Key("symbol").String(c.instrument_id.symbol());
  json.Key("exchange").String(c.instrument_id.exchange());
  json.Key("instrument_id").String(c.instrument_id.value());
  json.Key("symbology").String(symbology);
  json.Key("expiry").String(calendar::FormatCivilDate(c.expiry));
  json.Key("strike").PriceValue(WithMinimalPrecision(c.strike));
  json.Key("right").String(RightName(c.right));
}

void WriteContract(JsonWriter& json, const system::ContractPick& pick, const system::ContractsAnswer& answer,
                   int rank) {
  const options::RankedContract& r = pick.analytics;
  json.BeginObject();
  json.Key("rank").Int(rank);
  WriteIdentity(json, pick.contract, answer.symbology);
  json.Key("dte").Double(Round(pick.quote.dte_days, 3));
  json.Key("bid");
  WriteOptionalPrice(json, pick.contract.bid);
  json.Key("ask");
  WriteOptionalPrice(json, pick.contract.ask);
  json.Key("last");
  WriteOptionalPrice(json, pick.contract.last);
  json.Key("price").Double(Round(r.price, 4));
  json.Key("price_basis").String(std::isfinite(r.spread_pct) ? "mid" : "last");
  json.Key("spread_pct").Double(Round(r.spread_pct, 3));
  json.Key("open_interest").QuantityValue(pick.contract.open_interest);
  json.Key("volume").QuantityValue(pick.contract.volume);
  json.Key("iv").Double(Round(r.iv, 5));
  json.Key("iv_source").String(r.iv_solved ? "solved_from_price" : "quoted");
  json.Key("greeks").BeginObject();
  json.Key("delta").Double(Round(r.greeks.delta, 4));
  json.Key("gamma").Double(Significant(r.greeks.gamma, 4));
  json.Key("theta_per_day").Double(Significant(r.greeks.ThetaPerDay(), 4));
  json.Key("vega_per_point").Double(Significant(r.greeks.VegaPerPoint(), 4));
  json.Key("rho_per_point").Double(Significant(r.greeks.RhoPerPoint(), 4));
  json.EndObject();
  json.Key("tradeability").BeginObject();
  json.Key("score").Double(Round(r.score.score, 4));
  json.Key("score_100").Double(Round(100.0 * r.score.score, 1));
  json.Key("components").BeginObject();
  json.Key("spread").Double(Round(r.score.spread, 4));
  json.Key("open_interest").Double(Round(r.score.open_interest, 4));
  json.Key("volume").Double(Round(r.score.volume, 4));
  json.Key("delta").Double(Round(r.score.delta, 4));
  json.Key("dte").Double(Round(r.score.dte, 4));
  json.Key("iv").Double(Round(r.score.iv, 4));
  json.EndObject();
  json.EndObject();
  json.Key("scenarios").BeginArray();
  for (const options::ScenarioPnl& s : r.scenarios) {
    json.BeginObject();
    std::string label =
        s.anchor == options::AnchorKind::kEntry
            ? "entry"
            : (s.anchor == options::AnchorKind::kStop ? "stop" : "tp" + std::to_string(s.target_index + 1));
    json.Key("anchor").String(label);
    json.Key("underlying").Double(Round(s.underlying, 4));
    json.Key("horizon_days").Double(Round(answer.plan.intent.horizon_days, 4));
    json.Key("option_price").Double(Round(s.option_price, 4));
    json.Key("pnl").Double(Round(s.pnl_full, 2));
    json.Key("pnl_estimate").Double(Round(s.pnl_taylor, 2));
    json.Key("estimate_error").Double(Round(s.pnl_taylor - s.pnl_full, 2));
    json.EndObject();
  }
  json.EndArray();
  const options::Sizing& z = r.sizing;
  json.Key("sizing").BeginObject();
  json.Key("premium_per_contract").Double(Round(z.premium_per_contract, 2));
  json.Key("loss_at_stop_per_contract").Double(Round(z.loss_at_stop_per_contract, 2));
  json.Key("risk_amount");
  if (z.risk_amount) {
    json.Double(*z.risk_amount);
  } else {
    json.Null();
  }
  json.Key("contracts");
  if (z.contracts) {
    json.Int(*z.contracts);
  } else {
    json.Null();
  }
  json.Key("max_loss").Double(Round(z.max_loss, 2));
  json.Key("best_target_pnl").Double(Round(z.best_target_pnl, 2));
  json.EndObject();
  json.EndObject();
}

std::string Render(const system::ContractsAnswer& a, std::size_t rejected_listed, std::size_t alternatives_listed,
                   bool truncated) {
  const system::ResolvedContractsPlan& plan = a.plan;
  JsonWriter json(16384);
  json.BeginObject();
  json.Key("symbol").String(plan.underlying.id.value());
  json.Key("underlying_price").Double(Round(a.underlying_price, 4));
  json.Key("chain_as_of").String(a.chain_as_of.ToIso8601());
  json.Key("data_source").String(a.data_source);
  json.Key("symbology").String(a.symbology);
  json.Key("contract_size").Double(a.contract_size);
  json.Key("rate").Double(a.rate);
  json.Key("plan").BeginObject();
  json.Key("source").String(plan.source);
  json.Key("plan_id").StringOrNull(plan.plan_id);
  json.Key("version");
  if (plan.plan_version > 0) {
    json.Int(plan.plan_version);
  } else {
    json.Null();
  }
  json.Key("style").String(scanner::StyleName(plan.style));
  json.Key("bias").String(plan.intent.bias == options::Bias::kBullish ? "long" : "short");
  json.Key("entry").Double(plan.intent.entry);
  json.Key("stop").Double(plan.intent.stop);
  json.Key("targets").BeginArray();
  for (double t : plan.intent.targets)
    json.Double(t);
  json.EndArray();
  json.Key("horizon_days").Double(Round(plan.intent.horizon_days, 6));
  json.Key("iv_shift").Double(Round(plan.intent.vol_shift * 100.0, 6));
  json.EndObject();
  json.Key("premium").String(plan.intent.side == options::PremiumSide::kLong ? "debit" : "credit");
  json.Key("right").String(a.right == options::OptionType::kCall ? "call" : "put");
  json.Key("filters");
  WriteGates(json, a.base_gates);
  json.Key("filters_used");
  WriteGates(json, a.gates_used);
  json.Key("relaxed").Bool(!a.relaxations.empty());
  json.Key("relaxations_applied").BeginArray();
  for (const options::RelaxationApplied& r : a.relaxations) {
    json.BeginObject();
    json.Key("step").String(options::RelaxationName(r.step));
    json.Key("passing").Uint(r.passing);
    json.Key("filters");
    WriteGates(json, r.gates);
    json.EndObject();
  }
  json.EndArray();
  json.Key("min_candidates").Uint(a.min_candidates);
  json.Key("best");
  if (a.best) {
    WriteContract(json, *a.best, a, 1);
  } else {
    json.Null();
  }
  json.Key("alternatives").BeginArray();
  for (std::size_t i = 0; i < a.alternatives.size() && i < alternatives_listed; ++i) {
    WriteContract(json, a.alternatives[i], a, static_cast<int>(i) + 2);
  }
  json.EndArray();
  json.Key("rejected").BeginArray();
  const std::size_t listed = std::min(rejected_listed, a.rejected.size());
  for (std::size_t i = 0; i < listed; ++i) {
    const system::ContractReject& r = a.rejected[i];
    json.BeginObject();
    WriteIdentity(json, r.contract, a.symbology);
    json.Key("dte").Double(Round(r.dte_days, 3));
    json.Key("gate").String(options::GateName(r.gate));
    json.Key("measured").Double(Round(r.measured, 4));
    json.Key("limit").Double(Round(r.limit, 4));
    json.Key("reason").String(r.reason);
    json.EndObject();
  }
  json.EndArray();
  json.Key("rejected_total").Uint(a.rejected_total);
  json.Key("rejected_listed").Uint(listed);
  json.Key("rejected_by_gate").BeginObject();
  for (const auto& [gate, n] : a.rejected_by_gate)
    json.Key(gate).Uint(n);
  json.EndObject();
  json.Key("contracts_considered").Uint(a.contracts_considered);
  json.Key("expiries_considered").Uint(a.expiries_considered);
  json.Key("notes").BeginArray();
  for (const std::string& note : a.notes)
    json.String(note);
  json.EndArray();
  json.Key("truncated").Bool(truncated);
  json.EndObject();
  return json.Take();
}

plans::UserScope ScopeOf(const Request& request) {
  return plans::UserScope{request.principal.empty() ? std::string(kLocalPrincipal) : request.principal, request.admin};
}

Result<Response> HandleContracts(system::ContractsService& contracts, const Request& request) {
  if (request.body.empty()) {
    return Error::InvalidArgument("a JSON object body is required", "body");
  }
  auto parsed = ParseJsonBody(request.body);
  if (!parsed.ok())
    return parsed.error();
  if (!parsed->is_object()) {
    return Error::InvalidArgument("the body must be a JSON object", "body");
  }
  auto req = ParseContractsRequest(parsed->as_object());
  if (!req.ok())
    return req.error();
  auto answer = contracts.Select(ScopeOf(request), req->query);
  if (!answer.ok())
    return answer.error();
  Response response = Response::Json(RenderContractsAnswer(*answer, req->rejected_listed));
  response.SetHeader("Cache-Control", "private, no-store");
  return response;
}

constexpr std::string_view kRequestSchema = R"({"type":"object","additionalProperties":false,
"description":"Either plan_id (a plan of yours from /gpt/plan) or explicit anchors: symbol, bias, entry, stop, targets.",
"properties":{
"plan_id":{"type":"string","description":"A stored plan of the caller; its symbol, bias, entry, stop, targets and style are used."},
"version":{"type":"integer","minimum":1,"description":"A version of plan_id (default the latest)."},
"symbol":{"type":"string","description":"Underlying: SPY, US:SPY, NIFTY or NSE_INDEX:NIFTY."},
"bias":{"type":"string","enum":["long","short","bullish","bearish"]},
"entry":{"type":"number","exclusiveMinimum":0,"description":"Underlying entry price."},
"stop":{"type":"number","exclusiveMinimum":0,"description":"Underlying stop (below the entry when long)."},
"targets":{"type":"array","minItems":1,"maxItems":10,"items":{"type":"number","exclusiveMinimum":0}},
"style":{"type":"string","enum":["scalp","intraday","swing","leaps"],"description":"Default: the plan's style, else intraday. Sets the default gates and horizon."},
"horizon_days":{"type":"number","minimum":0,"maximum":400,"description":"Calendar days the plan needs; scenarios are priced at this horizon."},
"min_dte":{"type":"number","minimum":0,"maximum":2000},"max_dte":{"type":"number","minimum":0,"maximum":2000},
"min_delta":{"type":"number","minimum":0,"maximum":1,"description":"Minimum |delta|."},
"max_delta":{"type":"number","minimum":0,"maximum":1,"description":"Maximum |delta|."},
"max_spread_pct":{"type":"number","exclusiveMinimum":0,"maximum":1000,"description":"(ask-bid)/mid in percent."},
"min_oi":{"type":"number","minimum":0},"min_volume":{"type":"number","minimum":0},
"premium":{"type":"string","enum":["debit","credit"],"default":"debit","description":"debit buys options (calls when long), credit sells them (puts when long)."},
"max_results":{"type":"integer","minimum":1,"maximum":10,"default":8,"description":"best plus alternatives."},
"risk_amount":{"type":"number","exclusiveMinimum":0,"description":"Money the plan may lose at the stop; sizes positions, never filters."},
"iv_shift":{"type":"number","minimum":-100,"maximum":100,"description":"IV change at the horizon in vol points."},
"contract_size":{"type":"number","exclusiveMinimum":0,"description":"Units per contract (US 100; the lot in India)."},
"expiry":{"type":"string","format":"date","description":"Only this expiry (YYYY-MM-DD)."},
"relax":{"type":"boolean","default":true,"description":"Relax the gates rung by rung when fewer than 3 contracts pass."},
"max_rejected":{"type":"integer","minimum":0,"maximum":100,"default":25,"description":"Rejected contracts listed (all are counted)."}}})";

constexpr std::string_view kResponseSchema = R"({"type":"object",
"required":["symbol","underlying_price","symbology","plan","right","filters","filters_used","relaxations_applied","best","alternatives","rejected","rejected_by_gate","truncated"],
"properties":{"symbol":{"type":"string"},"underlying_price":{"type":"number"},"chain_as_of":{"type":"string"},
"data_source":{"type":"string"},"symbology":{"type":"string","enum":["occ","openalgo"]},"contract_size":{"type":"number"},
"rate":{"type":"number"},"plan":{"type":"object"},"premium":{"type":"string","enum":["debit","credit"]},
"right":{"type":"string","enum":["call","put"]},"filters":{"$ref":"#/components/schemas/ContractGates"},
"filters_used":{"$ref":"#/components/schemas/ContractGates"},"relaxed":{"type":"boolean"},
"relaxations_applied":{"type":"array","items":{"type":"object","properties":{"step":{"type":"string","enum":["spread_widened","delta_widened","dte_widened","floors_halved","floors_removed"]},
"passing":{"type":"integer"},"filters":{"$ref":"#/components/schemas/ContractGates"}}}},
"min_candidates":{"type":"integer"},
"best":{"oneOf":[{"$ref":"#/components/schemas/RankedContract"},{"type":"null"}]},
"alternatives":{"type":"array","items":{"$ref":"#/components/schemas/RankedContract"}},
"rejected":{"type":"array","items":{"type":"object","properties":{"symbol":{"type":"string"},"exchange":{"type":"string"},
"expiry":{"type":"string"},"strike":{"type":"number"},"right":{"type":"string"},"dte":{"type":"number"},
"gate":{"type":"string","enum":["no_price","no_volatility","dte","spread","delta","open_interest","volume"]},
"measured":{"type":["number","null"]},"limit":{"type":["number","null"]},"reason":{"type":"string"}}}},
"rejected_total":{"type":"integer"},"rejected_listed":{"type":"integer"},
"rejected_by_gate":{"type":"object","additionalProperties":{"type":"integer"}},
"contracts_considered":{"type":"integer"},"expiries_considered":{"type":"integer"},
"notes":{"type":"array","items":{"type":"string"}},"truncated":{"type":"boolean"}}})";

constexpr std::string_view kGatesSchema = R"({"type":"object","properties":{"min_dte":{"type":"number"},
"max_dte":{"type":"number"},"min_delta":{"type":"number"},"max_delta":{"type":"number"},
"max_spread_pct":{"type":["number","null"],"description":"null: the spread gate is off"},"min_oi":{"type":"number"},
"min_volume":{"type":"number"}}})";

constexpr std::string_view kRankedSchema =
    R"({"type":"object","required":["symbol","exchange","expiry","strike","right","price","greeks","tradeability","scenarios"],
"properties":{"rank":{"type":"integer"},"symbol":{"type":"string","description":"OCC (US) or OpenAlgo (India) symbol."},
"exchange":{"type":"string"},"instrument_id":{"type":"string"},"symbology":{"type":"string"},"expiry":{"type":"string"},
"strike":{"type":"number"},"right":{"type":"string","enum":["call","put"]},"dte":{"type":"number"},
"bid":{"type":["number","null"]},"ask":{"type":["number","null"]},"last":{"type":["number","null"]},
"price":{"type":"number"},"price_basis":{"type":"string","enum":["mid","last"]},"spread_pct":{"type":["number","null"]},
"open_interest":{"type":"number"},"volume":{"type":"number"},"iv":{"type":"number"},"iv_source":{"type":"string"},
"greeks":{"type":"object","properties":{"delta":{"type":"number"},"gamma":{"type":"number"},"theta_per_day":{"type":"number"},
"vega_per_point":{"type":"number"},"rho_per_point":{"type":"number"}}},
"tradeability":{"type":"object","properties":{"score":{"type":"number"},"score_100":{"type":"number"},
"components":{"type":"object","additionalProperties":{"type":"number"}}}},
"scenarios":{"type":"array","items":{"type":"object","properties":{"anchor":{"type":"string"},"underlying":{"type":"number"},
"horizon_days":{"type":"number"},"option_price":{"type":"number"},"pnl":{"type":"number","description":"Full repricing, per contract."},
"pnl_estimate":{"type":"number","description":"Delta-gamma-vega-theta estimate, per contract."},"estimate_error":{"type":"number"}}}},
"sizing":{"type":"object","properties":{"premium_per_contract":{"type":"number"},"loss_at_stop_per_contract":{"type":"number"},
"risk_amount":{"type":["number","null"]},"contracts":{"type":["integer","null"]},"max_loss":{"type":"number"},
"best_target_pnl":{"type":"number"}}}}})";

}  // namespace

std::string RenderContractsAnswer(const system::ContractsAnswer& answer, std::size_t rejected_listed) {
  std::size_t rejected = std::min(rejected_listed, kMaxRejectedListed);
  std::size_t alternatives = answer.alternatives.size();
  std::string body = Render(answer, rejected, alternatives, false);
  // Cut the rejected list first, then alternatives, until the body fits; say so.
  while (body.size() >= kMaxContractsResponseChars && (rejected > 0 || alternatives > 0)) {
    if (rejected > 0) {
      rejected /= 2;
    } else {
      --alternatives;
    }
    body = Render(answer, rejected, alternatives, true);
  }
  return body;
}

void AddContractsRoutes(Router& router, system::MarketService& market, plans::PlanStore* store,
                        const AuthContext& auth) {
  auto contracts = std::make_shared<system::ContractsService>(market, store);
  router.AddSchema("ContractGates", std::string(kGatesSchema));
  router.AddSchema("RankedContract", std::string(kRankedSchema));
  RouteDoc doc = MakeDoc("Rank option contracts for a trade plan", "coachContracts", {"coach"});
  // GPT Actions cut descriptions at 300 characters; the full story is in docs/contracts-api.md.
  doc.description =
      "Ranks the option chain for a plan (plan_id or explicit anchors): gates on DTE, spread, delta, OI, volume "
      "with a relaxation ladder, tradeability score, greeks, and scenario P/L at entry, stop and targets. OCC "
      "symbols for US, OpenAlgo for India.";
  doc.request_body_schema = std::string(kRequestSchema);
  doc.responses = {
      ResponseDocOf(200, "The ranked contracts", kResponseSchema), ResponseDocOf(400, "A field is invalid (error.field names it)"),
      ResponseDocOf(404, "Unknown symbol, plan_id (or not yours), version or expiry"),
      ResponseDocOf(422, "The chain cannot be ranked (no unexpired contracts, no price, a stored plan without anchors)")};
  router.Post(
      "/gpt/contracts", [contracts](const Request& r) { return HandleContracts(*contracts, r); }, doc,
      auth.Protected());
}

}  // namespace td::api
