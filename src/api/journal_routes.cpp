// SPDX-License-Identifier: MIT
#include "api/journal_routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "api/auth.hpp"
#include "api/auth_context.hpp"
#include "api/json_body.hpp"
#include "api/json_writer.hpp"
#include "api/router.hpp"
#include "plans/plan_store.hpp"
#include "system/market_service.hpp"

namespace td::api {
namespace {

using boost::json::object;
using boost::json::value;

/// Lists stop growing before this many characters (GPT Actions refuse bodies of 100,000 or more).
constexpr std::size_t kMaxListChars = 95'000;
constexpr std::size_t kMaxTextBytes = 4 * plans::kMaxJournalTextChars;  // UTF-8: at most 4 bytes a character
constexpr double kMaxAbsPnl = 1e12;
constexpr std::array<std::string_view, 2> kWatchlistCreateFields = {"name", "symbols"};
constexpr std::array<std::string_view, 3> kWatchlistUpdateFields = {"symbols", "add", "remove"};
constexpr std::array<std::string_view, 5> kJournalFields = {"text", "symbol", "plan_id", "outcome", "pnl"};

Error Invalid(std::string message, std::string_view field) {
  return Error::InvalidArgument(std::move(message), std::string(field));
}

plans::UserScope ScopeOf(const Request& request) {
  return plans::UserScope{request.principal.empty() ? std::string(kLocalPrincipal) : request.principal, request.admin};
}

template <std::size_t N>
Result<object> BodyObject(const Request& request, const std::array<std::string_view, N>& allowed) {
  if (request.body.empty()) {
    return Invalid("a JSON object body is required", "body");
  }
  auto parsed = ParseJsonBody(request.body);
  if (!parsed.ok())
    return parsed.error();
  if (!parsed->is_object()) {
    return Invalid("the body must be a JSON object", "body");
  }
  for (const auto& member : parsed->as_object()) {
    if (std::find(allowed.begin(), allowed.end(), member.key()) == allowed.end()) {
      std::string names;
      for (std::string_view n : allowed)
        names += (names.empty() ? "" : ", ") + std::string(n);
      const std::string field(member.key());
      return Invalid("unknown field '" + field + "' (allowed: " + names + ")", field);
    }
  }
  return std::move(parsed->as_object());
}

bool Present(const object& body, std::string_view name) {
  return body.if_contains(name) != nullptr;
}

/// A symbol the market knows, as its canonical "EXCHANGE:SYMBOL"; errors name `field`.
Result<std::string> ResolveSymbol(system::MarketService& market, std::string_view text, std::string_view field) {
  if (text.empty() || text.size() > 40) {
    return Invalid(std::string(field) + " must be a symbol of 1..40 characters", field);
  }
  auto info = market.Resolve(text);
  if (!info.ok()) {
    return Invalid(std::string(field) + ": unknown symbol '" + std::string(text) + "'", field);
  }
  return info->id.value();
}

Result<std::vector<std::string>> SymbolList(system::MarketService& market, const object& body, std::string_view name,
                                            bool resolve) {
  const value* v = body.if_contains(name);
  const std::string field(name);
  if (v == nullptr || !v->is_array()) {
    return Invalid(field + " must be a list of symbols", field);
  }
  const auto& array = v->as_array();
  if (array.empty() || array.size() > plans::kMaxWatchlistSymbols) {
    return Invalid(field + " must hold 1.." + std::to_string(plans::kMaxWatchlistSymbols) + " symbols", field);
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string item = field + "[" + std::to_string(i) + "]";
    if (!array[i].is_string()) {
      return Invalid(item + " must be a string", item);
    }
    const std::string_view text = array[i].as_string();
    if (!resolve) {
      out.emplace_back(text);
      continue;
    }
    auto symbol = ResolveSymbol(market, text, item);
    if (!symbol.ok())
      return symbol.error();
    out.push_back(std::move(symbol).value());
  }
  return out;
}

void WriteWatchlist(JsonWriter& json, const plans::Watchlist& w) {
  json.BeginObject();
  json.Key("name").String(w.name);
  json.Key("symbols").BeginArray();
  for (const std::string& s : w.symbols)
    json.String(s);
  json.EndArray();
  json.Key("count").Uint(w.symbols.size());
  json.Key("updated_at").String(w.updated_at.ToIso8601());
  json.EndObject();
}

std::string WatchlistJson(const plans::Watchlist& w) {
  JsonWriter json(512);
  WriteWatchlist(json, w);
  return json.Take();
}

void WriteEntry(JsonWriter& json, const plans::JournalEntry& e) {
  json.BeginObject();
  json.Key("id").Int(e.id);
  json.Key("user").String(e.user);
  json.Key("plan_id");
  if (e.plan_id) {
    json.String(*e.plan_id);
  } else {
    json.Null();
  }
  json.Key("symbol").StringOrNull(e.symbol);
  json.Key("text").String(e.text);
  json.Key("outcome").StringOrNull(e.outcome);
  json.Key("pnl");
  if (e.pnl) {
    json.Double(*e.pnl);
  } else {
    json.Null();
  }
  json.Key("created_at").String(e.created_at.ToIso8601());
  json.Key("updated_at").String(e.updated_at.ToIso8601());
  json.EndObject();
}

std::string EntryJson(const plans::JournalEntry& e) {
  JsonWriter json(512);
  WriteEntry(json, e);
  return json.Take();
}

/// A list body that stops adding items before kMaxListChars and says so.
template <typename T, typename Write>
std::string ListJson(std::string_view key, const std::vector<T>& items, Write write, JsonWriter& json) {
  json.Key(key).BeginArray();
  std::size_t written = 0;
  for (const T& item : items) {
    JsonWriter one(512);
    write(one, item);
    std::string text = one.Take();
    if (json.str().size() + text.size() >= kMaxListChars)
      break;
    json.Raw(text);
    ++written;
  }
  json.EndArray();
  json.Key("count").Uint(written);
  json.Key("truncated").Bool(written < items.size());
  json.EndObject();
  return json.Take();
}

// ---- watchlists -------------------------------------------------------------------------------------------

Result<Response> ListWatchlists(plans::PlanStore& store, const Request& request) {
  auto lists = store.ListWatchlists(ScopeOf(request));
  if (!lists.ok())
    return lists.error();
  JsonWriter json(4096);
  json.BeginObject();
  return Response::Json(ListJson("watchlists", *lists, WriteWatchlist, json));
}

Result<Response> CreateWatchlist(plans::PlanStore& store, system::MarketService& market, const Request& request) {
  auto body = BodyObject(request, kWatchlistCreateFields);
  if (!body.ok())
    return body.error();
  const value* name = body->if_contains("name");
  if (name == nullptr || !name->is_string()) {
    return Invalid("name is required: 1..64 characters", "name");
  }
  auto symbols = SymbolList(market, *body, "symbols", true);
  if (!symbols.ok())
    return symbols.error();
  auto created = store.CreateWatchlist(ScopeOf(request), std::string_view(name->as_string()), *symbols);
  if (!created.ok())
    return created.error();
  return Response::Json(WatchlistJson(*created), 201);
}

Result<Response> GetWatchlist(plans::PlanStore& store, const Request& request) {
  auto list = store.GetWatchlist(ScopeOf(request), request.PathParam("name"));
  if (!list.ok())
    return list.error();
  return Response::Json(WatchlistJson(*list));
}

Result<Response> UpdateWatchlist(plans::PlanStore& store, system::MarketService& market, const Request& request) {
  auto body = BodyObject(request, kWatchlistUpdateFields);
  if (!body.ok())
    return body.error();
  const plans::UserScope scope = ScopeOf(request);
  const std::string_view name = request.PathParam("name");
  const bool replace = Present(*body, "symbols");
  const bool add = Present(*body, "add");
  const bool remove = Present(*body, "remove");
  if (replace && (add || remove)) {
    return Invalid("give either symbols (replace the list) or add/remove, not both", "symbols");
  }
  if (!replace && !add && !remove) {
    return Invalid("nothing to update: give symbols, add or remove", "body");
  }
  std::vector<std::string> symbols;
  if (replace) {
    auto list = SymbolList(market, *body, "symbols", true);
    if (!list.ok())
      return list.error();
    symbols = std::move(list).value();
  } else {
    auto current = store.GetWatchlist(scope, name);
    if (!current.ok())
      return current.error();
    symbols = current->symbols;
    if (add) {
      auto more = SymbolList(market, *body, "add", true);
      if (!more.ok())
        return more.error();
      symbols.insert(symbols.end(), more->begin(), more->end());
    }
    if (remove) {
      auto gone = SymbolList(market, *body, "remove", false);
      if (!gone.ok())
        return gone.error();
      for (std::size_t i = 0; i < gone->size(); ++i) {
        // A symbol to remove matches as written (upper-cased) or as the market resolves it.
        std::string raw = (*gone)[i];
        std::transform(raw.begin(), raw.end(), raw.begin(), [](unsigned char c) { return std::toupper(c); });
        auto resolved = market.Resolve((*gone)[i]);
        const std::string canonical = resolved.ok() ? resolved->id.value() : raw;
        const auto before = symbols.size();
        std::erase_if(symbols, [&](const std::string& s) { return s == raw || s == canonical; });
        if (symbols.size() == before) {
          const std::string field = "remove[" + std::to_string(i) + "]";
          return Error::NotFound("'" + (*gone)[i] + "' is not in watchlist '" + std::string(name) + "'", field);
        }
      }
      if (symbols.empty()) {
        return Invalid("a watchlist keeps at least one symbol; delete the watchlist instead", "remove");
      }
    }
  }
  auto updated = store.UpdateWatchlist(scope, name, symbols);
  if (!updated.ok())
    return updated.error();
  return Response::Json(WatchlistJson(*updated));
}

Result<Response> DeleteWatchlist(plans::PlanStore& store, const Request& request) {
  const std::string_view name = request.PathParam("name");
  if (auto status = store.DeleteWatchlist(ScopeOf(request), name); !status.ok()) {
    return status.error();
  }
  JsonWriter json;
  json.BeginObject().Key("deleted").Bool(true).Key("name").String(name).EndObject();
  return Response::Json(json.Take());
}

// ---- journal ----------------------------------------------------------------------------------------------

Result<std::int64_t> EntryId(const Request& request) {
  const std::string_view text = request.PathParam("id");
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || end != text.data() + text.size() || id < 1) {
    return Invalid("id must be a whole number of 1 or more, was '" + std::string(text.substr(0, 24)) + "'", "id");
  }
  return id;
}

/// Applies the body's fields to `entry` (absent fields keep their value; null clears plan_id, symbol and pnl).
Status ApplyJournalFields(const object& body, system::MarketService& market, plans::NewJournalEntry& entry,
                          bool creating) {
  if (const value* text = body.if_contains("text")) {
    if (!text->is_string())
      return Invalid("text must be a string", "text");
    if (text->as_string().empty() || text->as_string().size() > kMaxTextBytes) {
      return Invalid("text must be 1.." + std::to_string(plans::kMaxJournalTextChars) + " characters", "text");
    }
    entry.text = std::string(text->as_string());
  } else if (creating) {
    return Invalid(
        "text is required: the journal note (1.." + std::to_string(plans::kMaxJournalTextChars) + " characters)",
        "text");
  }
  if (const value* symbol = body.if_contains("symbol")) {
    if (symbol->is_null() || (symbol->is_string() && symbol->as_string().empty())) {
      entry.symbol.clear();
    } else if (!symbol->is_string()) {
      return Invalid("symbol must be a string", "symbol");
    } else {
      auto resolved = ResolveSymbol(market, symbol->as_string(), "symbol");
      if (!resolved.ok())
        return resolved.error();
      entry.symbol = std::move(resolved).value();
    }
  }
  if (const value* plan_id = body.if_contains("plan_id")) {
    if (plan_id->is_null()) {
      entry.plan_id.reset();
    } else if (!plan_id->is_string() || plan_id->as_string().empty() || plan_id->as_string().size() > 64) {
      return Invalid("plan_id must be a plan id from /gpt/plan", "plan_id");
    } else {
      entry.plan_id = std::string(plan_id->as_string());
    }
  }
  if (const value* outcome = body.if_contains("outcome")) {
    if (outcome->is_null()) {
      entry.outcome.clear();
    } else if (!outcome->is_string()) {
      return Invalid("outcome must be one of open, win, loss, scratch", "outcome");
    } else {
      const std::string_view o = outcome->as_string();
      if (o != "" && o != "open" && o != "win" && o != "loss" && o != "scratch") {
        return Invalid("outcome must be one of open, win, loss, scratch, was '" + std::string(o.substr(0, 24)) + "'",
                       "outcome");
      }
      entry.outcome = std::string(o);
    }
  }
  if (const value* pnl = body.if_contains("pnl")) {
    if (pnl->is_null()) {
      entry.pnl.reset();
    } else if (!pnl->is_number() || !std::isfinite(pnl->to_number<double>()) ||
               std::fabs(pnl->to_number<double>()) > kMaxAbsPnl) {
      return Invalid("pnl must be a finite number of at most 1e12 in size", "pnl");
    } else {
      entry.pnl = pnl->to_number<double>();
    }
  }
  return {};
}

Result<Response> CreateEntry(plans::PlanStore& store, system::MarketService& market, const Request& request) {
  auto body = BodyObject(request, kJournalFields);
  if (!body.ok())
    return body.error();
  plans::NewJournalEntry entry;
  if (auto status = ApplyJournalFields(*body, market, entry, true); !status.ok())
    return status.error();
  auto added = store.AddJournalEntry(ScopeOf(request), std::move(entry));
  if (!added.ok())
    return added.error();
  return Response::Json(EntryJson(*added), 201);
}

Result<Response> GetEntry(plans::PlanStore& store, const Request& request) {
  auto id = EntryId(request);
  if (!id.ok())
    return id.error();
  auto entry = store.GetJournalEntry(ScopeOf(request), *id);
  if (!entry.ok())
    return entry.error();
  return Response::Json(EntryJson(*entry));
}

Result<Response> UpdateEntry(plans::PlanStore& store, system::MarketService& market, const Request& request) {
  auto id = EntryId(request);
  if (!id.ok())
    return id.error();
  auto body = BodyObject(request, kJournalFields);
  if (!body.ok())
    return body.error();
  if (body->empty()) {
    return Invalid("nothing to update: give text, symbol, plan_id, outcome or pnl", "body");
  }
  const plans::UserScope scope = ScopeOf(request);
  auto current = store.GetJournalEntry(scope, *id);
  if (!current.ok())
    return current.error();
  plans::NewJournalEntry entry;
  entry.plan_id = current->plan_id;
  entry.symbol = current->symbol;
  entry.text = current->text;
  entry.outcome = current->outcome;
  entry.pnl = current->pnl;
  if (auto status = ApplyJournalFields(*body, market, entry, false); !status.ok())
    return status.error();
  auto updated = store.UpdateJournalEntry(scope, *id, std::move(entry));
  if (!updated.ok())
    return updated.error();
  return Response::Json(EntryJson(*updated));
}

/// A `from`/`to` bound: a date (the UTC day; `to` includes it) or an ISO 8601 instant.
Result<UnixNanos> TimeBound(std::string_view text, std::string_view field, bool upper) {
  auto parsed = text.size() >= 10 && text.size() <= 40 ? UnixNanos::ParseIso8601(text)
                                                       : Result<UnixNanos>(Error::InvalidArgument("", ""));
  if (!parsed.ok()) {
    return Invalid(std::string(field) + " must be a date (2025-09-16) or an ISO 8601 instant, was '" +
                       std::string(text.substr(0, 40)) + "'",
                   field);
  }
  if (upper && text.size() == 10) {
    return *parsed + std::chrono::hours(24);
  }
  return *parsed;
}

Result<Response> ListEntries(plans::PlanStore& store, system::MarketService& market, const Request& request) {
  for (const auto& [name, v] : request.query) {
    if (name != "symbol" && name != "plan_id" && name != "from" && name != "to" && name != "limit") {
      return Invalid("unknown parameter '" + name + "' (allowed: symbol, plan_id, from, to, limit)", name);
    }
  }
  plans::JournalFilter filter;
  std::size_t limit = kDefaultJournalListLimit;
  if (auto symbol = request.Query("symbol"); symbol && !symbol->empty()) {
    auto resolved = ResolveSymbol(market, *symbol, "symbol");
    if (!resolved.ok())
      return resolved.error();
    filter.symbol = std::move(resolved).value();
  }
  if (auto plan_id = request.Query("plan_id"); plan_id && !plan_id->empty()) {
    if (plan_id->size() > 64)
      return Invalid("plan_id must be a plan id from /gpt/plan", "plan_id");
    filter.plan_id = std::string(*plan_id);
  }
  if (auto from = request.Query("from")) {
    auto bound = TimeBound(*from, "from", false);
    if (!bound.ok())
      return bound.error();
    filter.from = *bound;
  }
  if (auto to = request.Query("to")) {
    auto bound = TimeBound(*to, "to", true);
    if (!bound.ok())
      return bound.error();
    filter.to = *bound;
  }
  if (filter.from && filter.to && *filter.from >= *filter.to) {
    return Invalid("from must be before to", "from");
  }
  if (auto text = request.Query("limit")) {
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
    if (ec != std::errc{} || end != text->data() + text->size() || n < 1 || n > plans::kMaxListLimit) {
      return Invalid("limit must be a whole number within 1.." + std::to_string(plans::kMaxListLimit), "limit");
    }
    limit = n;
  }
  auto entries = store.ListJournalEntries(ScopeOf(request), limit, filter);
  if (!entries.ok())
    return entries.error();
  JsonWriter json(8192);
  json.BeginObject();
  json.Key("limit").Uint(limit);
  return Response::Json(ListJson("entries", *entries, WriteEntry, json));
}

// ---- OpenAPI ----------------------------------------------------------------------------------------------

constexpr std::string_view kWatchlistSchema = R"({"type":"object","required":["name","symbols","updated_at"],
"properties":{"name":{"type":"string"},"symbols":{"type":"array","items":{"type":"string"}},"count":{"type":"integer"},
"updated_at":{"type":"string"}}})";

constexpr std::string_view kEntrySchema = R"({"type":"object","required":["id","text","created_at","updated_at"],
"properties":{"id":{"type":"integer"},"user":{"type":"string"},"plan_id":{"type":["string","null"]},
"symbol":{"type":["string","null"]},"text":{"type":"string"},
"outcome":{"type":["string","null"],"enum":["open","win","loss","scratch",null]},"pnl":{"type":["number","null"]},
"created_at":{"type":"string"},"updated_at":{"type":"string"}}})";

constexpr std::string_view kWatchlistCreateSchema =
    R"({"type":"object","additionalProperties":false,"required":["name","symbols"],
"properties":{"name":{"type":"string","minLength":1,"maxLength":64},
"symbols":{"type":"array","minItems":1,"maxItems":200,"items":{"type":"string"},"description":"SPY, US:SPY, NIFTY, NSE_INDEX:NIFTY; stored as EXCHANGE:SYMBOL."}}})";

constexpr std::string_view kWatchlistUpdateSchema = R"({"type":"object","additionalProperties":false,
"description":"Either symbols (replaces the list) or add and/or remove.",
"properties":{"symbols":{"type":"array","minItems":1,"maxItems":200,"items":{"type":"string"}},
"add":{"type":"array","minItems":1,"maxItems":200,"items":{"type":"string"}},
"remove":{"type":"array","minItems":1,"maxItems":200,"items":{"type":"string"}}}})";

constexpr std::string_view kEntryCreateSchema = R"({"type":"object","additionalProperties":false,"required":["text"],
"properties":{"text":{"type":"string","minLength":1,"maxLength":4000},"symbol":{"type":"string","description":"Stored as EXCHANGE:SYMBOL; an entry linked to a plan without a symbol takes the plan's."},
"plan_id":{"type":"string","description":"A plan of yours from /gpt/plan."},
"outcome":{"type":"string","enum":["open","win","loss","scratch"]},"pnl":{"type":"number","description":"Realised result in account currency."}}})";

constexpr std::string_view kEntryUpdateSchema = R"({"type":"object","additionalProperties":false,"minProperties":1,
"description":"Fields given replace the entry's; absent fields are kept; null clears symbol, plan_id, outcome or pnl.",
"properties":{"text":{"type":"string","minLength":1,"maxLength":4000},"symbol":{"type":["string","null"]},
"plan_id":{"type":["string","null"]},"outcome":{"type":["string","null"],"enum":["open","win","loss","scratch",null]},
"pnl":{"type":["number","null"]}}})";

}  // namespace

void AddJournalRoutes(Router& router, plans::PlanStore& store, system::MarketService& market, const AuthContext& auth) {
  router.AddSchema("Watchlist", std::string(kWatchlistSchema));
  router.AddSchema("JournalEntry", std::string(kEntrySchema));
  const std::string watchlist_ref = R"({"$ref":"#/components/schemas/Watchlist"})";
  const std::string entry_ref = R"({"$ref":"#/components/schemas/JournalEntry"})";
  const ParamDoc name_param = ParamDocOf("name", ParamLocation::kPath, true, "The watchlist's name.");
  const ParamDoc id_param =
      ParamDocOf("id", ParamLocation::kPath, true, "A journal entry id.", R"({"type":"integer","minimum":1})");
  const std::string watchlists_schema = R"({"type":"object","properties":{"watchlists":{"type":"array","items":)" +
                                        watchlist_ref +
                                        R"(},"count":{"type":"integer"},"truncated":{"type":"boolean"}}})";
  const std::string entries_schema =
      R"({"type":"object","properties":{"limit":{"type":"integer"},"entries":{"type":"array","items":)" + entry_ref +
      R"(},"count":{"type":"integer"},"truncated":{"type":"boolean"}}})";

  RouteDoc list = MakeDoc("List your watchlists", "listWatchlists", {"journal"});
  list.description = "Your watchlists by name, each with its symbols (EXCHANGE:SYMBOL).";
  list.responses = {ResponseDocOf(200, "Your watchlists", watchlists_schema)};
  router.Get(
      "/gpt/watchlists", [&store](const Request& r) { return ListWatchlists(store, r); }, list, auth.Protected());

  RouteDoc create = MakeDoc("Create a watchlist", "createWatchlist", {"journal"});
  create.description =
      "Creates a named watchlist; every symbol must be one the market knows. 409 when the name is taken.";
  create.request_body_schema = std::string(kWatchlistCreateSchema);
  create.responses = {ResponseDocOf(201, "The new watchlist", watchlist_ref),
                      ResponseDocOf(400, "A field is invalid (error.field names it)"),
                      ResponseDocOf(409, "You already have a watchlist by that name")};
  router.Post(
      "/gpt/watchlists", [&store, &market](const Request& r) { return CreateWatchlist(store, market, r); }, create,
      auth.Protected());

  RouteDoc get = MakeDoc("Read one watchlist", "getWatchlist", {"journal"});
  get.parameters = {name_param};
  get.responses = {ResponseDocOf(200, "The watchlist", watchlist_ref), ResponseDocOf(404, "No such watchlist of yours")};
  router.Get(
      "/gpt/watchlists/{name}", [&store](const Request& r) { return GetWatchlist(store, r); }, get, auth.Protected());

  RouteDoc update = MakeDoc("Change a watchlist's symbols", "updateWatchlist", {"journal"});
  update.description = "symbols replaces the list; add appends (duplicates dropped) and remove takes symbols out.";
  update.parameters = {name_param};
  update.request_body_schema = std::string(kWatchlistUpdateSchema);
  update.responses = {ResponseDocOf(200, "The watchlist", watchlist_ref), ResponseDocOf(400, "A field is invalid"),
                      ResponseDocOf(404, "No such watchlist of yours, or a symbol to remove is not in it")};
  router.Add(
      Method::kPut, "/gpt/watchlists/{name}",
      [&store, &market](const Request& r) { return UpdateWatchlist(store, market, r); }, update, auth.Protected());

  RouteDoc remove = MakeDoc("Delete a watchlist", "deleteWatchlist", {"journal"});
  remove.parameters = {name_param};
  remove.responses = {
      ResponseDocOf(200, "Deleted", R"({"type":"object","properties":{"deleted":{"type":"boolean"},"name":{"type":"string"}}})"),
      ResponseDocOf(404, "No such watchlist of yours")};
  remove.consequential = true;
  router.Add(
      Method::kDelete, "/gpt/watchlists/{name}", [&store](const Request& r) { return DeleteWatchlist(store, r); },
      remove, auth.Protected());

  RouteDoc entries = MakeDoc("List your trade-journal entries", "listJournalEntries", {"journal"});
  entries.description =
      "Newest first. Filters: symbol, plan_id, from and to (dates are whole UTC days; to includes "
      "its day), limit 1..200 (default 50).";
  entries.parameters = {
      ParamDocOf("symbol", ParamLocation::kQuery, false, "Only entries for this symbol."),
      ParamDocOf("plan_id", ParamLocation::kQuery, false, "Only entries linked to this plan."),
      ParamDocOf("from", ParamLocation::kQuery, false, "Created at or after (date or ISO 8601 instant)."),
      ParamDocOf("to", ParamLocation::kQuery, false, "Created before (an ISO instant) or on/before (a date)."),
      ParamDocOf("limit", ParamLocation::kQuery, false, "1..200, default 50.",
            R"({"type":"integer","minimum":1,"maximum":200})")};
  entries.responses = {ResponseDocOf(200, "Entries", entries_schema), ResponseDocOf(400, "A parameter is invalid")};
  router.Get(
      "/gpt/journal", [&store, &market](const Request& r) { return ListEntries(store, market, r); }, entries,
      auth.Protected());

  RouteDoc add = MakeDoc("Write a trade-journal entry", "createJournalEntry", {"journal"});
  add.description = "A note (1..4000 characters) with an optional symbol, plan link, outcome and realised P/L.";
  add.request_body_schema = std::string(kEntryCreateSchema);
  add.responses = {ResponseDocOf(201, "The new entry", entry_ref), ResponseDocOf(400, "A field is invalid (error.field names it)"),
                   ResponseDocOf(404, "plan_id is not a plan of yours")};
  router.Post(
      "/gpt/journal", [&store, &market](const Request& r) { return CreateEntry(store, market, r); }, add,
      auth.Protected());

  RouteDoc entry = MakeDoc("Read one trade-journal entry", "getJournalEntry", {"journal"});
  entry.parameters = {id_param};
  entry.responses = {ResponseDocOf(200, "The entry", entry_ref), ResponseDocOf(404, "No such entry of yours")};
  router.Get(
      "/gpt/journal/{id}", [&store](const Request& r) { return GetEntry(store, r); }, entry, auth.Protected());

  RouteDoc edit = MakeDoc("Update a trade-journal entry", "updateJournalEntry", {"journal"});
  edit.description = "Fields given replace the entry's; absent fields are kept; null clears an optional field.";
  edit.parameters = {id_param};
  edit.request_body_schema = std::string(kEntryUpdateSchema);
  edit.responses = {ResponseDocOf(200, "The entry", entry_ref), ResponseDocOf(400, "A field is invalid"),
                    ResponseDocOf(404, "No such entry (or plan) of yours")};
  router.Add(
      Method::kPut, "/gpt/journal/{id}", [&store, &market](const Request& r) { return UpdateEntry(store, market, r); },
      edit, auth.Protected());
}

}  // namespace td::api
