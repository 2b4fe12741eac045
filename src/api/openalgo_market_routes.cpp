// SPDX-License-Identifier: MIT
#include "api/openalgo_market_routes.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/auth_context.hpp"
#include "api/json_writer.hpp"
#include "api/openalgo_edge.hpp"
#include "api/openalgo_response.hpp"
#include "api/router.hpp"
#include "calendar/exchange_calendar.hpp"
#include "calendar/expiry.hpp"
#include "calendar/local_time.hpp"
#include "model/exchange.hpp"
#include "model/option_chain.hpp"
#include "model/symbology.hpp"
#include "options/black.hpp"
#include "options/implied_vol.hpp"
#include "system/coach_service.hpp"
#include "system/market_service.hpp"
#include "system/option_terms.hpp"

namespace td::api {
namespace {

namespace json = boost::json;
using namespace openalgo;
using system::MarketService;

constexpr std::size_t kMaxMultiQuotes = 100;
constexpr std::size_t kMaxGreeksSymbols = 50;
constexpr std::size_t kMaxSearchResults = 1000;
constexpr int kDepthLevels = 5;

struct Context {
  MarketService& market;
};

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string DateIso(CivilDate date) {
  return calendar::FormatCivilDate(date);
}

/// "30-DEC-25": the master-contract form of an expiry.
std::string DashedExpiry(CivilDate date) {
  const std::string compact = FormatOpenAlgoExpiry(date);
  return compact.substr(0, 2) + "-" + compact.substr(2, 3) + "-" + compact.substr(5, 2);
}

/// "30-Dec-2025": the form OpenAlgo's greeks answer uses.
std::string LongExpiry(CivilDate date) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[24];
  std::snprintf(text, sizeof text, "%02d-%s-%04d", date.day, kMonths[std::clamp(date.month, 1, 12) - 1], date.year);
  return text;
}

// --- field readers ---

/// An exchange code (any case) among `allowed` (empty: any code OpenAlgo or tradedesk knows).
std::optional<Exchange> ReadExchange(Fields& fields, std::string_view name, bool required,
                                     std::initializer_list<Exchange> allowed = {}) {
  auto text = fields.Text(name, required);
  if (!text || text->empty()) {
    return std::nullopt;
  }
  auto exchange = td::ParseExchange(*text);
  const bool permitted =
      exchange.ok() && (allowed.size() == 0 || std::find(allowed.begin(), allowed.end(), *exchange) != allowed.end());
  if (!permitted) {
    std::string names;
    for (Exchange e : allowed) {
      names += (names.empty() ? "" : ", ") + std::string(td::ToString(e));
    }
    fields.Fail(std::string(name), allowed.size() == 0 ? "is not a known exchange: '" + *text + "'"
                                                       : "must be one of " + names + ", was '" + *text + "'");
    return std::nullopt;
  }
  return *exchange;
}

/// symbol + exchange as an instrument id.
std::optional<InstrumentId> ReadInstrument(Fields& fields, std::string_view symbol_field = "symbol",
                                           std::string_view exchange_field = "exchange", bool required = true) {
  auto symbol = fields.Text(symbol_field, required);
  auto exchange = ReadExchange(fields, exchange_field, required);
  if (!symbol || symbol->empty() || !exchange) {
    return std::nullopt;
  }
  auto id = InstrumentId::Make(td::ToString(*exchange), *symbol);
  if (!id.ok()) {
    fields.Fail(std::string(symbol_field), "'" + *symbol + "' is not a valid symbol");
    return std::nullopt;
  }
  return *id;
}

/// An expiry in OpenAlgo's request form "30DEC25" (the master-contract form "30-DEC-25" is accepted too).
std::optional<CivilDate> ReadExpiry(Fields& fields, std::string_view name, bool required) {
  auto text = fields.Text(name, required);
  if (!text || text->empty()) {
    return std::nullopt;
  }
  auto date = ParseOpenAlgoExpiry(*text);
  if (!date.ok()) {
    fields.Fail(std::string(name), "must be DDMMMYY like 30DEC25, was '" + *text + "'");
    return std::nullopt;
  }
  return *date;
}

/// An offset: ATM, ITM1..ITM50 or OTM1..OTM50; the signed number of strikes away from the money for a call
/// (ITM below), flipped for puts by the caller.
struct Offset {
  std::string text;
  int steps_itm = 0;  // > 0 in the money, < 0 out of the money
};

std::optional<Offset> ReadOffset(Fields& fields) {
  auto text = fields.Text("offset", true);
  if (!text) {
    return std::nullopt;
  }
  const std::string upper = Upper(*text);
  if (upper == "ATM") {
    return Offset{upper, 0};
  }
  if ((upper.starts_with("ITM") || upper.starts_with("OTM")) && upper.size() >= 4 && upper.size() <= 5 &&
      std::all_of(upper.begin() + 3, upper.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
      upper[3] != '0') {
    const int n = std::stoi(upper.substr(3));
    if (n >= 1 && n <= 50) {
      return Offset{upper, upper.starts_with("ITM") ? n : -n};
    }
  }
  fields.Fail("offset", "must be ATM, ITM1..ITM50 or OTM1..OTM50, was '" + *text + "'");
  return std::nullopt;
}

std::optional<OptionRight> ReadOptionType(Fields& fields) {
  auto text = fields.Text("option_type", true);
  if (!text) {
    return std::nullopt;
  }
  const std::string upper = Upper(*text);
  if (upper == "CE") {
    return OptionRight::kCall;
  }
  if (upper == "PE") {
    return OptionRight::kPut;
  }
  fields.Fail("option_type", "must be CE or PE, was '" + *text + "'");
  return std::nullopt;
}

/// A non-negative decimal that may be absent (nullopt) — unlike Fields::Decimal, absence stays visible.
std::optional<Price> OptionalDecimal(Fields& fields, const json::object& body, std::string_view name) {
  const json::value* value = body.if_contains(name);
  if (value == nullptr || value->is_null() || (value->is_string() && value->as_string().empty())) {
    return std::nullopt;
  }
  return fields.Decimal(name, true);
}

/// "HH:MM" (24 h).
std::optional<std::pair<int, int>> ReadClock(Fields& fields, std::string_view name) {
  auto text = fields.Text(name, false);
  if (!text || text->empty()) {
    return std::nullopt;
  }
  const std::string& t = *text;
  const bool shaped = t.size() == 5 && t[2] == ':' && std::isdigit(static_cast<unsigned char>(t[0])) &&
                      std::isdigit(static_cast<unsigned char>(t[1])) &&
                      std::isdigit(static_cast<unsigned char>(t[3])) && std::isdigit(static_cast<unsigned char>(t[4]));
  if (shaped) {
    const int hour = (t[0] - '0') * 10 + (t[1] - '0');
    const int minute = (t[3] - '0') * 10 + (t[4] - '0');
    if (hour <= 23 && minute <= 59) {
      return std::pair{hour, minute};
    }
  }
  fields.Fail(std::string(name), "must be HH:MM (00:00-23:59), was '" + t + "'");
  return std::nullopt;
}

// --- the market as OpenAlgo shows it ---

/// A quote in OpenAlgo's terms. Absent bid/ask are written as 0, as OpenAlgo does.
using Snapshot = OpenAlgoQuote;

/// An option contract found in its underlying's chain.
struct Contract {
  InstrumentId id;
  std::string base;  // the underlying's symbol ("NIFTY", "SPX")
  InstrumentId underlying;
  CivilDate expiry;
  Price strike;
  OptionRight right = OptionRight::kCall;
  OptionQuote quote;
  std::optional<system::OptionTerms> terms;
};

/// The underlying whose options are listed as `base` on `option_exchange` ("NIFTY" on NFO).
Result<InstrumentId> OptionUnderlying(MarketService& market, std::string_view base, std::string_view option_exchange,
                                      std::string_view field) {
  const std::string wanted = Upper(base);
  for (const InstrumentId& underlying : market.OptionUnderlyings()) {
    if (underlying.symbol() != wanted) {
      continue;
    }
    const auto terms = system::OptionTermsOf(underlying);
    if (!option_exchange.empty() && terms.has_value() && terms->option_exchange != option_exchange &&
        underlying.exchange() != option_exchange) {
      return Error::NotFound(
          wanted + " options are listed on " + terms->option_exchange + ", not " + std::string(option_exchange),
          std::string(field));
    }
    return underlying;
  }
  return Error::NotFound("no option chain for " + wanted + " in this market", std::string(field));
}

/// Finds an option contract by its OpenAlgo symbol (or, on OPRA, its OCC symbol) in the live chain.
Result<Contract> FindContract(MarketService& market, const InstrumentId& id, OpenAlgoChainCache* cache = nullptr) {
  Contract contract;
  contract.id = id;
  if (id.exchange() == "OPRA") {
    auto occ = OccSymbol::Parse(id.symbol());
    if (!occ.ok()) {
      return Error::NotFound(id.value() + " is not an OCC option symbol", "symbol");
    }
    // SPXW (weeklies and dailies) are options on SPX.
    contract.base = occ->root == "SPXW" ? "SPX" : occ->root;
    contract.expiry = occ->expiry;
    contract.strike = occ->strike;
    contract.right = occ->right;
  } else {
    auto parsed = OpenAlgoSymbol::Parse(id.symbol());
    if (!parsed.ok() || parsed->kind != OpenAlgoSymbolKind::kOption) {
      return Error::NotFound(id.value() + " is not an option symbol (BASE + DDMMMYY + strike + CE/PE)", "symbol");
    }
    contract.base = parsed->base;
    contract.expiry = parsed->expiry;
    contract.strike = parsed->strike;
    contract.right = parsed->right;
  }
  auto underlying = OptionUnderlying(market, contract.base, id.exchange(), "symbol");
  if (!underlying.ok()) {
    return underlying.error();
  }
  contract.underlying = *underlying;
  contract.terms = system::OptionTermsOf(*underlying);
  const auto key = std::pair{*underlying, contract.expiry};
  const OptionChain* chain = nullptr;
  if (cache != nullptr) {
    if (auto cached = cache->find(key); cached != cache->end()) {
      chain = &cached->second;
    }
  }
  Result<OptionChain> fetched = Error::Internal("unset");
  if (chain == nullptr) {
    fetched = market.Chain(*underlying, contract.expiry);
    if (!fetched.ok()) {
      if (fetched.error().code != ErrorCode::kNotFound) {
        return fetched.error();  // the source failed: not the same as an unlisted contract
      }
      return Error::NotFound(id.value() + ": no listed expiry " + DateIso(contract.expiry), "symbol");
    }
    chain = cache != nullptr ? &cache->insert_or_assign(key, std::move(*fetched)).first->second : &*fetched;
  }
  const ExpirySlice* slice = chain->Find(contract.expiry);
  const StrikeRow* row = slice != nullptr ? slice->FindRow(contract.strike) : nullptr;
  const std::optional<OptionQuote>* quote = row != nullptr ? &row->Quote(contract.right) : nullptr;
  if (quote == nullptr || !quote->has_value()) {
    return Error::NotFound(id.value() + ": strike " + contract.strike.ToString() + " is not listed", "symbol");
  }
  contract.quote = **quote;
  return contract;
}

/// The option's price: the last trade, else the quote's midpoint.
std::optional<Price> OptionPrice(const OptionQuote& quote) {
  if (quote.last.has_value() && quote.last->is_positive()) {
    return quote.last;
  }
  return quote.Mid();
}

Snapshot FromOption(const OptionQuote& quote) {
  Snapshot s;
  s.ltp = OptionPrice(quote).value_or(Price());
  s.bid = quote.bid;
  s.ask = quote.ask;
  s.bid_size = quote.bid_qty;
  s.ask_size = quote.ask_qty;
  s.volume = quote.volume;
  s.open_interest = quote.open_interest;
  return s;
}

}  // namespace

Result<OpenAlgoQuote> OpenAlgoQuoteOf(MarketService& market, const InstrumentId& id, OpenAlgoChainCache* chains) {
  if (auto info = market.Resolve(id.value()); info.ok()) {
    auto quote = market.Quote(info->id);
    if (!quote.ok()) {
      Error error = quote.error();
      error.field = "symbol";
      return error;
    }
    Snapshot s;
    s.ts = quote->ts;
    s.ltp = quote->ltp;
    s.open = quote->open;
    s.high = quote->high;
    s.low = quote->low;
    s.prev_close = quote->prev_close;
    s.bid = quote->bid;
    s.ask = quote->ask;
    s.bid_size = quote->bid_size;
    s.ask_size = quote->ask_size;
    s.volume = quote->volume;
    return s;
  }
  if (auto exchange = td::ParseExchange(id.exchange()); exchange.ok() && IsDerivativeExchange(*exchange)) {
    auto contract = FindContract(market, id, chains);
    if (!contract.ok()) {
      return contract.error();
    }
    Snapshot s = FromOption(contract->quote);
    s.ts = market.Now();
    return s;
  }
  return Error::NotFound("unknown symbol " + std::string(id.symbol()) + " on " + std::string(id.exchange()), "symbol");
}

namespace {

Result<Snapshot> SnapshotOf(MarketService& market, const InstrumentId& id) {
  return OpenAlgoQuoteOf(market, id);
}

void WriteQuoteData(JsonWriter& json, const Snapshot& s) {
  json.BeginObject();
  json.Key("open").PriceValue(s.open);
  json.Key("high").PriceValue(s.high);
  json.Key("low").PriceValue(s.low);
  json.Key("ltp").PriceValue(s.ltp);
  json.Key("ask").PriceValue(s.ask.value_or(Price()));
  json.Key("bid").PriceValue(s.bid.value_or(Price()));
  json.Key("prev_close").PriceValue(s.prev_close);
  json.Key("volume").QuantityValue(s.volume);
  json.Key("oi").QuantityValue(s.open_interest);
  json.EndObject();
}

// --- symbol records (symbol, search, instruments) ---

struct SymbolRecord {
  InstrumentId id;
  std::string name;
  std::string instrument_type;  // EQ, INDEX, FUT, CE, PE
  std::optional<CivilDate> expiry;
  std::optional<Price> strike;
  Quantity lot_size;
  Price tick_size;
};

/// A stable numeric id per symbol (OpenAlgo's master-contract row id): FNV-1a of the id text, 31 bits.
std::int64_t RecordId(const InstrumentId& id) {
  std::uint32_t hash = 2166136261u;
  for (const char c : id.value()) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
  }
  return static_cast<std::int64_t>(hash & 0x7fffffffu);
}

SymbolRecord UnderlyingRecord(const system::InstrumentInfo& info) {
  SymbolRecord record;
  record.id = info.id;
  record.name = std::string(info.id.symbol());
  const int precision = std::clamp(info.price_precision, 0, 9);
  record.tick_size = Price::FromRaw(static_cast<std::int64_t>(std::llround(std::pow(10.0, 9 - precision))), precision);
  record.lot_size = Quantity::FromUnits(1);
  const bool index = info.id.exchange().ends_with("_INDEX");
  record.instrument_type = index ? "INDEX" : "EQ";
  if (auto facts = system::FactsOf(info.id)) {
    record.tick_size = facts->instrument.tick_size;
  }
  return record;
}

SymbolRecord OptionRecord(const InstrumentId& id, std::string_view base, CivilDate expiry, Price strike,
                          OptionRight right, const std::optional<system::OptionTerms>& terms) {
  SymbolRecord record;
  record.id = id;
  record.name = std::string(base);
  record.instrument_type = right == OptionRight::kCall ? "CE" : "PE";
  record.expiry = expiry;
  record.strike = strike;
  record.lot_size = terms ? terms->lot_size : Quantity::FromUnits(1);
  record.tick_size = terms ? terms->tick_size : Price::FromRaw(5 * kFixedScale / 100, 2);
  return record;
}

/// Every contract of an underlying's chain (all listed expiries) as records.
std::vector<SymbolRecord> ChainRecords(MarketService& market, const InstrumentId& underlying) {
  std::vector<SymbolRecord> out;
  auto chain = market.Chain(underlying);
  if (!chain.ok()) {
    return out;
  }
  const auto terms = system::OptionTermsOf(underlying);
  for (const ExpirySlice& slice : chain->expiries) {
    for (const StrikeRow& row : slice.rows) {
      for (const OptionRight right : {OptionRight::kCall, OptionRight::kPut}) {
        const auto& quote = row.Quote(right);
        if (quote.has_value() && !quote->instrument_id.empty()) {
          out.push_back(
              OptionRecord(quote->instrument_id, underlying.symbol(), slice.expiry, row.strike, right, terms));
        }
      }
    }
  }
  return out;
}

/// The monthly futures an Indian derivatives segment lists for an underlying now (NSE/BSE list three).
Result<std::vector<CivilDate>> FutureExpiries(MarketService& market, const system::OptionTerms& terms) {
  const auto& calendar = calendar::ExchangeCalendar::Get(terms.expiry_calendar);
  const CivilDate today = calendar.time_zone().LocalDate(market.Now());
  const CivilDate until = CivilFromDays(DaysFromCivil(today) + 120);
  auto expiries = calendar::ListExpiries(terms.expiry_calendar, terms.underlying.symbol(), today, until);
  if (!expiries.ok()) {
    return expiries.error();
  }
  std::vector<CivilDate> out;
  for (const calendar::Expiry& expiry : *expiries) {
    if (expiry.kind == calendar::ExpiryKind::kMonthly && out.size() < 3) {
      out.push_back(expiry.date);
    }
  }
  return out;
}

/// The record of one symbol: an underlying the market resolves, a listed option contract, or a listed monthly
/// future of an option underlying (futures carry terms but no prices in this market).
Result<SymbolRecord> RecordOf(MarketService& market, const InstrumentId& id) {
  if (auto info = market.Resolve(id.value()); info.ok()) {
    return UnderlyingRecord(*info);
  }
  auto exchange = td::ParseExchange(id.exchange());
  if (exchange.ok() && IsDerivativeExchange(*exchange)) {
    auto parsed = OpenAlgoSymbol::Parse(id.symbol());
    if (parsed.ok() && parsed->kind == OpenAlgoSymbolKind::kFuture) {
      auto underlying = OptionUnderlying(market, parsed->base, id.exchange(), "symbol");
      const auto terms = underlying.ok() ? system::OptionTermsOf(*underlying) : std::nullopt;
      if (terms.has_value()) {
        auto months = FutureExpiries(market, *terms);
        if (months.ok() && std::find(months->begin(), months->end(), parsed->expiry) != months->end()) {
          SymbolRecord record;
          record.id = id;
          record.name = parsed->base;
          record.instrument_type = "FUT";
          record.expiry = parsed->expiry;
          record.lot_size = terms->lot_size;
          record.tick_size = terms->tick_size;
          return record;
        }
      }
      return Error::NotFound(id.value() + " is not a listed future", "symbol");
    }
    auto contract = FindContract(market, id);
    if (!contract.ok()) {
      return contract.error();
    }
    return OptionRecord(id, contract->base, contract->expiry, contract->strike, contract->right, contract->terms);
  }
  return Error::NotFound("unknown symbol " + std::string(id.symbol()) + " on " + std::string(id.exchange()), "symbol");
}

void WriteRecord(JsonWriter& json, const SymbolRecord& r, bool with_id) {
  json.BeginObject();
  if (with_id) {
    json.Key("id").Int(RecordId(r.id));
  }
  json.Key("name").String(r.name);
  json.Key("symbol").String(r.id.symbol());
  json.Key("brsymbol").String(r.id.symbol());
  json.Key("exchange").String(r.id.exchange());
  json.Key("brexchange").String(r.id.exchange());
  json.Key("instrumenttype").String(r.instrument_type);
  json.Key("expiry").String(r.expiry ? DashedExpiry(*r.expiry) : std::string());
  json.Key("strike").PriceValue(r.strike.value_or(Price()));
  json.Key("lotsize").QuantityValue(r.lot_size);
  json.Key("tick_size").PriceValue(r.tick_size);
  json.Key("token").String(r.id.value());
  json.EndObject();
}

/// Every record of the market: underlyings, then each option underlying's contracts.
std::vector<SymbolRecord> AllRecords(MarketService& market, std::optional<Exchange> exchange) {
  std::vector<SymbolRecord> out;
  const std::string wanted = exchange ? std::string(td::ToString(*exchange)) : std::string();
  for (const system::InstrumentInfo& info : market.Instruments()) {
    if (wanted.empty() || info.id.exchange() == wanted) {
      out.push_back(UnderlyingRecord(info));
    }
  }
  for (const InstrumentId& underlying : market.OptionUnderlyings()) {
    const auto terms = system::OptionTermsOf(underlying);
    if (!wanted.empty() && (!terms.has_value() || terms->option_exchange != wanted)) {
      continue;
    }
    auto records = ChainRecords(market, underlying);
    out.insert(out.end(), std::make_move_iterator(records.begin()), std::make_move_iterator(records.end()));
  }
  return out;
}

// --- handlers ---

Response Quotes(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  auto id = ReadInstrument(fields);
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  auto snapshot = SnapshotOf(context.market, *id);
  if (!snapshot.ok()) {
    return EdgeError(snapshot.error());
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("data");
  WriteQuoteData(json, *snapshot);
  json.EndObject();
  return Response::Json(json.Take());
}

Response MultiQuotes(Context& context, const Caller&, const Request&, const json::object& body) {
  const json::value* symbols = body.if_contains("symbols");
  if (symbols == nullptr || !symbols->is_array()) {
    return OpenAlgoError(Error::InvalidArgument(
        std::string("symbols ") + (symbols == nullptr ? "is required" : "must be a list of {symbol, exchange}"),
        "symbols"));
  }
  const json::array& list = symbols->as_array();
  if (list.empty() || list.size() > kMaxMultiQuotes) {
    return OpenAlgoError(Error::InvalidArgument(
        "symbols must list 1 to " + std::to_string(kMaxMultiQuotes) + " entries, was " + std::to_string(list.size()),
        "symbols"));
  }
  std::vector<Error> errors;
  std::vector<InstrumentId> ids;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string prefix = "symbols[" + std::to_string(i) + "].";
    if (!list[i].is_object()) {
      errors.push_back(Error::InvalidArgument("symbols[" + std::to_string(i) + "] must be an object {symbol, exchange}",
                                              "symbols[" + std::to_string(i) + "]"));
      continue;
    }
    Fields entry(list[i].as_object());
    auto id = ReadInstrument(entry);
    for (Error error : entry.errors()) {
      error.message = prefix + error.message;
      error.field = prefix + error.field;
      errors.push_back(std::move(error));
    }
    if (id) {
      ids.push_back(*id);
    }
  }
  if (!errors.empty()) {
    return OpenAlgoFieldErrors(errors);
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("results").BeginArray();
  for (const InstrumentId& id : ids) {
    json.BeginObject();
    json.Key("symbol").String(id.symbol());
    json.Key("exchange").String(id.exchange());
    auto snapshot = SnapshotOf(context.market, id);
    if (snapshot.ok()) {
      json.Key("data");
      WriteQuoteData(json, *snapshot);
    } else {
      json.Key("error").String(snapshot.error().message);
    }
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return Response::Json(json.Take());
}

/// The book as the source has it: the simulator and the vendor feeds quote the top of the book only, so level 1
/// is the real best bid/ask (with sizes) and levels 2-5 are zero rows that keep OpenAlgo's five-level shape.
Response Depth(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  auto id = ReadInstrument(fields);
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  auto s = SnapshotOf(context.market, *id);
  if (!s.ok()) {
    return EdgeError(s.error());
  }
  auto side = [&](JsonWriter& json, const char* name, const std::optional<Price>& best, Quantity size) {
    json.Key(name).BeginArray();
    for (int level = 0; level < kDepthLevels; ++level) {
      const bool real = level == 0 && best.has_value();
      json.BeginObject();
      json.Key("price").PriceValue(real ? *best : Price());
      json.Key("quantity").QuantityValue(real ? size : Quantity());
      json.EndObject();
    }
    json.EndArray();
  };
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("data").BeginObject();
  json.Key("open").PriceValue(s->open);
  json.Key("high").PriceValue(s->high);
  json.Key("low").PriceValue(s->low);
  json.Key("ltp").PriceValue(s->ltp);
  json.Key("ltq").Int(0);
  json.Key("prev_close").PriceValue(s->prev_close);
  json.Key("volume").QuantityValue(s->volume);
  json.Key("oi").QuantityValue(s->open_interest);
  json.Key("totalbuyqty").QuantityValue(s->bid ? s->bid_size : Quantity());
  json.Key("totalsellqty").QuantityValue(s->ask ? s->ask_size : Quantity());
  side(json, "asks", s->ask, s->ask_size);
  side(json, "bids", s->bid, s->bid_size);
  json.Key("depth_levels").Int(s->bid || s->ask ? 1 : 0);
  json.EndObject();
  json.EndObject();
  return Response::Json(json.Take());
}

Response Symbol(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  auto id = ReadInstrument(fields);
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  auto record = RecordOf(context.market, *id);
  if (!record.ok()) {
    return EdgeError(record.error());
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("data");
  WriteRecord(json, *record, true);
  json.EndObject();
  return Response::Json(json.Take());
}

Response Search(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  auto query = fields.Text("query", true);
  auto exchange = ReadExchange(fields, "exchange", false);
  if (query && query->size() > 64) {
    fields.Fail("query", "must be at most 64 characters");
  }
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  const std::string wanted = Upper(*query);
  const std::string exchange_code = exchange ? std::string(td::ToString(*exchange)) : std::string();
  std::vector<SymbolRecord> matches;
  for (const system::InstrumentInfo& info : context.market.Instruments()) {
    if ((exchange_code.empty() || info.id.exchange() == exchange_code) &&
        info.id.symbol().find(wanted) != std::string_view::npos) {
      matches.push_back(UnderlyingRecord(info));
    }
  }
  // Option contracts of an underlying are searched when the query names it (NIFTY, NIFTY28AUG25...).
  for (const InstrumentId& underlying : context.market.OptionUnderlyings()) {
    const auto terms = system::OptionTermsOf(underlying);
    const std::string root = underlying.symbol() == "SPX" ? "SPX" : std::string(underlying.symbol());
    const bool named = wanted.starts_with(root) || root.find(wanted) != std::string::npos;
    const bool segment = exchange_code.empty() || (terms && terms->option_exchange == exchange_code);
    if (!named || !segment) {
      continue;
    }
    for (SymbolRecord& record : ChainRecords(context.market, underlying)) {
      if (record.id.symbol().find(wanted) != std::string_view::npos) {
        matches.push_back(std::move(record));
      }
    }
  }
  const std::size_t total = matches.size();
  if (total == 0) {
    return OpenAlgoError(Error::NotFound("No matching symbols found for '" + *query + "'", "query"));
  }
  matches.resize(std::min(total, kMaxSearchResults));
  JsonWriter json(256 + matches.size() * 260);
  WriteSuccessHead(json);
  json.Key("message").String(total > kMaxSearchResults
                                 ? "Found " + std::to_string(total) + " matching symbols; showing the first " +
                                       std::to_string(kMaxSearchResults)
                                 : "Found " + std::to_string(total) + " matching symbols");
  json.Key("data").BeginArray();
  for (const SymbolRecord& record : matches) {
    WriteRecord(json, record, true);
  }
  json.EndArray();
  json.EndObject();
  return Response::Json(json.Take());
}

Response ExpiryDates(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  auto symbol = fields.Text("symbol", true);
  auto exchange = ReadExchange(fields, "exchange", true,
                               {Exchange::kNfo, Exchange::kBfo, Exchange::kMcx, Exchange::kCds, Exchange::kOpra});
  auto type = fields.Text("instrumenttype", true);
  std::string kind;
  if (type) {
    kind = Upper(*type);
    if (kind == "FUTURE" || kind == "FUT") {
      kind = "FUTURES";
    } else if (kind == "OPTION" || kind == "OPT") {
      kind = "OPTIONS";
    }
    if (kind != "FUTURES" && kind != "OPTIONS") {
      fields.Fail("instrumenttype", "must be futures or options, was '" + *type + "'");
    }
  }
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  const std::string segment(td::ToString(*exchange));
  auto underlying = OptionUnderlying(context.market, *symbol, segment, "symbol");
  if (!underlying.ok()) {
    return EdgeError(underlying.error());
  }
  std::vector<CivilDate> dates;
  if (kind == "OPTIONS") {
    auto chain = context.market.Chain(*underlying);
    if (!chain.ok()) {
      return EdgeError(chain.error());
    }
    dates = chain->Expiries();
  } else {
    const auto terms = system::OptionTermsOf(*underlying);
    if (!terms.has_value() || (segment != "NFO" && segment != "BFO")) {
      return OpenAlgoError(Error::NotFound("no futures are listed for " + Upper(*symbol) + " on " + segment, "symbol"));
    }
    auto months = FutureExpiries(context.market, *terms);
    if (!months.ok()) {
      return EdgeError(months.error());
    }
    dates = *months;
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("message").String("Found " + std::to_string(dates.size()) + " expiry dates for " + Upper(*symbol) + " " +
                             (kind == "OPTIONS" ? "options" : "futures") + " in " + segment);
  json.Key("data").BeginArray();
  for (const CivilDate date : dates) {
    json.String(DashedExpiry(date));
  }
  json.EndArray();
  json.EndObject();
  return Response::Json(json.Take());
}

// --- options analytics ---

/// What optionsymbol, optionchain and syntheticfuture share: the underlying, its price and one expiry's slice.
struct ChainView {
  InstrumentId underlying;
  std::optional<system::OptionTerms> terms;
  Price underlying_ltp;
  ExpirySlice slice;
  std::string option_exchange;
};

/// `underlying` is a base ("NIFTY") or a future of it ("NIFTY28NOV24FUT"); `exchange` the index, cash or
/// derivatives segment it was named on. Without an expiry the nearest listed one is used.
Result<ChainView> ViewChain(MarketService& market, const std::string& underlying_text, Exchange exchange,
                            std::optional<CivilDate> expiry) {
  std::string base = Upper(underlying_text);
  if (auto parsed = OpenAlgoSymbol::Parse(base); parsed.ok() && parsed->kind == OpenAlgoSymbolKind::kFuture) {
    base = parsed->base;
  }
  auto underlying = OptionUnderlying(market, base, {}, "underlying");
  if (!underlying.ok()) {
    return underlying.error();
  }
  ChainView view;
  view.underlying = *underlying;
  view.terms = system::OptionTermsOf(*underlying);
  view.option_exchange = view.terms ? view.terms->option_exchange : std::string(td::ToString(exchange));
  const std::string segment(td::ToString(exchange));
  const bool same_market = segment == underlying->exchange() || segment == view.option_exchange ||
                           (segment == "NSE" && underlying->exchange() == "NSE_INDEX") ||
                           (segment == "BSE" && underlying->exchange() == "BSE_INDEX");
  if (!same_market) {
    return Error::NotFound(base + " is listed on " + std::string(underlying->exchange()) + " with options on " +
                               view.option_exchange + ", not on " + segment,
                           "exchange");
  }
  auto chain = market.Chain(*underlying, expiry);
  if (!chain.ok()) {
    Error error = chain.error();
    error.field = "expiry_date";
    return error;
  }
  if (chain->expiries.empty()) {
    return Error::NotFound("no listed expiry for " + base, "expiry_date");
  }
  view.slice = chain->expiries.front();
  auto quote = market.Quote(*underlying);
  view.underlying_ltp = quote.ok() && quote->ltp.is_positive() ? quote->ltp : chain->underlying_price;
  if (!view.underlying_ltp.is_positive()) {
    return Error::NotFound("no price yet for " + underlying->value(), "underlying");
  }
  return view;
}

/// The strike `offset` away from the money: along the listed strikes, or with `strike_int` on that grid
/// around the ATM (the strike must still be listed).
Result<Price> OffsetStrike(const ChainView& view, const Offset& offset, OptionRight right,
                           std::optional<Price> strike_int) {
  const int itm = right == OptionRight::kCall ? offset.steps_itm : -offset.steps_itm;  // strikes below the money
  if (!strike_int.has_value()) {
    return view.slice.StrikeAtOffset(view.underlying_ltp, right, offset.text);
  }
  const Price atm = view.underlying_ltp.RoundToStep(*strike_int);
  const Price strike = Price::FromRaw(atm.raw() - itm * strike_int->raw(), atm.precision());
  if (view.slice.FindRow(strike) == nullptr) {
    return Error::NotFound("strike " + strike.ToString() + " (" + offset.text + " on a " + strike_int->ToString() +
                               " grid) is not listed for " + DateIso(view.slice.expiry),
                           "strike_int");
  }
  return strike;
}

std::string ContractSymbol(const ChainView& view, Price strike, OptionRight right) {
  if (const StrikeRow* row = view.slice.FindRow(strike)) {
    if (const auto& quote = row->Quote(right); quote.has_value() && !quote->instrument_id.empty()) {
      return std::string(quote->instrument_id.symbol());
    }
  }
  auto symbol =
      OpenAlgoSymbol::Option(view.underlying.symbol(), view.slice.expiry, WithMinimalPrecision(strike), right);
  return symbol.ok() ? symbol->ToString() : std::string();
}

void WriteTerms(JsonWriter& json, const ChainView& view) {
  json.Key("lotsize").QuantityValue(view.terms ? view.terms->lot_size : Quantity::FromUnits(1));
  json.Key("tick_size").PriceValue(view.terms ? view.terms->tick_size : Price::FromRaw(5 * kFixedScale / 100, 2));
  // No freeze quantity is modelled for any contract: null rather than a made-up number.
  json.Key("freeze_qty").Null();
}

struct ChainFields {
  std::optional<std::string> underlying;
  std::optional<Exchange> exchange;
  std::optional<CivilDate> expiry;
};

ChainFields ReadChainFields(Fields& fields, bool expiry_required) {
  ChainFields out;
  out.underlying = fields.Text("underlying", true);
  out.exchange = ReadExchange(fields, "exchange", true,
                              {Exchange::kNseIndex, Exchange::kBseIndex, Exchange::kNse, Exchange::kBse, Exchange::kNfo,
                               Exchange::kBfo, Exchange::kGlobalIndex, Exchange::kUs, Exchange::kOpra});
  out.expiry = ReadExpiry(fields, "expiry_date", expiry_required);
  return out;
}

Response OptionSymbolRoute(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  ChainFields chain = ReadChainFields(fields, false);
  auto strike_int = OptionalDecimal(fields, body, "strike_int");
  if (strike_int && !strike_int->is_positive()) {
    fields.Fail("strike_int", "must be above 0");
  }
  auto offset = ReadOffset(fields);
  auto right = ReadOptionType(fields);
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  auto view = ViewChain(context.market, *chain.underlying, *chain.exchange, chain.expiry);
  if (!view.ok()) {
    return EdgeError(view.error());
  }
  auto strike = OffsetStrike(*view, *offset, *right, strike_int);
  if (!strike.ok()) {
    return EdgeError(strike.error());
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("symbol").String(ContractSymbol(*view, *strike, *right));
  json.Key("exchange").String(view->option_exchange);
  WriteTerms(json, *view);
  json.Key("underlying_ltp").PriceValue(view->underlying_ltp);
  json.EndObject();
  return Response::Json(json.Take());
}

/// "ATM", "ITM2", "OTM3" for a strike at `index` of a slice whose ATM row is `atm`.
std::string StrikeLabel(std::ptrdiff_t index, std::ptrdiff_t atm, OptionRight right) {
  if (index == atm) {
    return "ATM";
  }
  const bool below = index < atm;
  const bool itm = right == OptionRight::kCall ? below : !below;
  return (itm ? "ITM" : "OTM") + std::to_string(below ? atm - index : index - atm);
}

Response OptionChainRoute(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  ChainFields chain = ReadChainFields(fields, true);
  std::optional<std::int64_t> strike_count;
  if (const json::value* count = body.if_contains("strike_count"); count != nullptr && !count->is_null()) {
    strike_count = fields.Whole("strike_count", true, 1);
    if (strike_count && *strike_count > 100) {
      fields.Fail("strike_count", "must be at most 100, was " + std::to_string(*strike_count));
    }
  }
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  auto view = ViewChain(context.market, *chain.underlying, *chain.exchange, chain.expiry);
  if (!view.ok()) {
    return EdgeError(view.error());
  }
  const auto& rows = view->slice.rows;
  const Price atm_strike = view->slice.AtmStrike(view->underlying_ltp).value_or(Price());
  const auto atm = static_cast<std::ptrdiff_t>(
      std::find_if(rows.begin(), rows.end(), [&](const StrikeRow& r) { return r.strike == atm_strike; }) -
      rows.begin());
  std::ptrdiff_t first = 0;
  std::ptrdiff_t last = static_cast<std::ptrdiff_t>(rows.size());
  if (strike_count) {
    first = std::max<std::ptrdiff_t>(0, atm - *strike_count);
    last = std::min<std::ptrdiff_t>(last, atm + *strike_count + 1);
  }
  JsonWriter json(1024 + static_cast<std::size_t>(last - first) * 700);
  WriteSuccessHead(json);
  json.Key("underlying").String(view->underlying.symbol());
  json.Key("underlying_ltp").PriceValue(view->underlying_ltp);
  json.Key("expiry_date").String(FormatOpenAlgoExpiry(view->slice.expiry));
  json.Key("atm_strike").PriceValue(atm_strike);
  json.Key("chain").BeginArray();
  for (std::ptrdiff_t i = first; i < last; ++i) {
    const StrikeRow& row = rows[static_cast<std::size_t>(i)];
    json.BeginObject();
    json.Key("strike").PriceValue(row.strike);
    for (const OptionRight right : {OptionRight::kCall, OptionRight::kPut}) {
      json.Key(right == OptionRight::kCall ? "ce" : "pe");
      const auto& quote = row.Quote(right);
      if (!quote.has_value()) {
        json.Null();
        continue;
      }
      const Snapshot s = FromOption(*quote);
      json.BeginObject();
      json.Key("symbol").String(ContractSymbol(*view, row.strike, right));
      json.Key("label").String(StrikeLabel(i, atm, right));
      json.Key("ltp").PriceValue(s.ltp);
      json.Key("bid").PriceValue(s.bid.value_or(Price()));
      json.Key("ask").PriceValue(s.ask.value_or(Price()));
      json.Key("open").PriceValue(s.open);
      json.Key("high").PriceValue(s.high);
      json.Key("low").PriceValue(s.low);
      json.Key("prev_close").PriceValue(s.prev_close);
      json.Key("volume").QuantityValue(s.volume);
      json.Key("oi").QuantityValue(s.open_interest);
      json.Key("lotsize").QuantityValue(view->terms ? view->terms->lot_size : Quantity::FromUnits(1));
      json.Key("tick_size").PriceValue(view->terms ? view->terms->tick_size : Price::FromRaw(5 * kFixedScale / 100, 2));
      json.EndObject();
    }
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return Response::Json(json.Take());
}

/// ATM strike + call - put at the ATM strike (put-call parity): the market's forward for the expiry.
Result<std::pair<Price, Price>> SyntheticFuture(const ChainView& view) {
  const auto atm = view.slice.AtmStrike(view.underlying_ltp);
  const StrikeRow* row = atm ? view.slice.FindRow(*atm) : nullptr;
  const auto call = row && row->call ? OptionPrice(*row->call) : std::nullopt;
  const auto put = row && row->put ? OptionPrice(*row->put) : std::nullopt;
  if (!call || !put) {
    return Error::NotFound("the ATM call or put of " + DateIso(view.slice.expiry) + " has no price", "expiry_date");
  }
  const Price forward = Price::FromRaw(atm->raw() + call->raw() - put->raw(), std::max(call->precision(), 2));
  return std::pair{*atm, forward};
}

Response SyntheticFutureRoute(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  ChainFields chain = ReadChainFields(fields, true);
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  auto view = ViewChain(context.market, *chain.underlying, *chain.exchange, chain.expiry);
  if (!view.ok()) {
    return EdgeError(view.error());
  }
  auto synthetic = SyntheticFuture(*view);
  if (!synthetic.ok()) {
    return EdgeError(synthetic.error());
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("underlying").String(view->underlying.symbol());
  json.Key("underlying_ltp").PriceValue(view->underlying_ltp);
  json.Key("expiry").String(FormatOpenAlgoExpiry(view->slice.expiry));
  json.Key("atm_strike").PriceValue(synthetic->first);
  json.Key("synthetic_future_price").PriceValue(synthetic->second);
  json.EndObject();
  return Response::Json(json.Take());
}

/// What one greeks request asks.
struct GreeksQuery {
  InstrumentId option;
  std::optional<InstrumentId> underlying;  // underlying_symbol + underlying_exchange override
  double rate_percent = 0;                 // OpenAlgo's default is 0
  std::optional<Price> forward;
  std::optional<std::pair<int, int>> expiry_time;
};

/// The expiry's cut-off wall-clock time on the segment (OpenAlgo: NFO/BFO 15:30, CDS 12:30, MCX 23:30 IST; US
/// options stop trading at 16:00 New York).
std::pair<int, int> DefaultExpiryTime(std::string_view exchange) {
  if (exchange == "CDS" || exchange == "BCD") {
    return {12, 30};
  }
  if (exchange == "MCX") {
    return {23, 30};
  }
  if (exchange == "OPRA") {
    return {16, 0};
  }
  return {15, 30};
}

double Round(double value, int digits) {
  return Rounded(value, digits);
}

/// Black-76 implied volatility and greeks of one option. The forward is `forward_price` when given, else the
/// expiry's synthetic future (ATM strike + call - put), else the underlying's price.
Result<std::string> GreeksJson(MarketService& market, const GreeksQuery& query) {
  auto contract = FindContract(market, query.option);
  if (!contract.ok()) {
    return contract.error();
  }
  Price spot;
  if (query.underlying) {
    auto snapshot = SnapshotOf(market, *query.underlying);
    if (!snapshot.ok()) {
      Error error = snapshot.error();
      error.field = "underlying_symbol";
      return error;
    }
    spot = snapshot->ltp;
  } else {
    auto quote = market.Quote(contract->underlying);
    if (quote.ok()) {
      spot = quote->ltp;
    }
  }
  if (!spot.is_positive()) {
    return Error::NotFound("no price yet for the underlying of " + query.option.value(), "symbol");
  }
  const auto option_price = OptionPrice(contract->quote);
  if (!option_price || !option_price->is_positive()) {
    return Error::NotFound(query.option.value() + " has no price (no trade and no two-sided quote)", "symbol");
  }
  const calendar::Exchange venue = contract->terms ? contract->terms->expiry_calendar : calendar::Exchange::kNse;
  const auto& zone = calendar::ExchangeCalendar::Get(venue).time_zone();
  const auto [hour, minute] = query.expiry_time.value_or(DefaultExpiryTime(query.option.exchange()));
  calendar::LocalDateTime cutoff;
  cutoff.date = contract->expiry;
  cutoff.hour = hour;
  cutoff.minute = minute;
  auto expires_at = zone.ToUtc(cutoff, calendar::LocalTimePolicy{calendar::NonexistentPolicy::kShiftForward,
                                                                 calendar::AmbiguousPolicy::kEarliest});
  if (!expires_at.ok()) {
    return Error::InvalidArgument("expiry_time does not exist on the expiry day", "expiry_time");
  }
  const double seconds_left = static_cast<double>((*expires_at - market.Now()).count()) / 1e9;  // Duration: ns
  if (seconds_left <= 0) {
    return Error::InvalidArgument(query.option.value() + " has expired", "symbol");
  }
  const double days = seconds_left / 86400.0;
  const double years = days / 365.0;
  const double rate = query.rate_percent / 100.0;
  double forward = spot.AsDouble();
  std::string forward_source = "spot";
  if (query.forward) {
    forward = query.forward->AsDouble();
    forward_source = "forward_price";
  } else if (auto chain = market.Chain(contract->underlying, contract->expiry);
             chain.ok() && !chain->expiries.empty()) {
    ChainView view;
    view.slice = chain->expiries.front();
    view.underlying_ltp = spot;
    if (auto synthetic = SyntheticFuture(view); synthetic.ok()) {
      forward = synthetic->second.AsDouble();
      forward_source = "synthetic_future";
    }
  }
  const options::OptionType type =
      contract->right == OptionRight::kCall ? options::OptionType::kCall : options::OptionType::kPut;
  const options::Black76Market inputs{forward, contract->strike.AsDouble(), years, rate};
  auto vol = options::ImpliedVolBlack76(type, inputs, option_price->AsDouble());
  if (!vol.ok()) {
    return Error::Unprocessable("no implied volatility: the price " + option_price->ToString() + " is outside the " +
                                    "no-arbitrage bounds for a forward of " + Fixed2(forward),
                                "symbol");
  }
  const options::Greeks g = options::Black76Greeks(type, inputs, *vol);
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("symbol").String(query.option.symbol());
  json.Key("exchange").String(query.option.exchange());
  json.Key("underlying").String(contract->base);
  json.Key("strike").PriceValue(contract->strike);
  json.Key("option_type").String(contract->right == OptionRight::kCall ? "CE" : "PE");
  json.Key("expiry_date").String(LongExpiry(contract->expiry));
  json.Key("days_to_expiry").Double(Round(days, 4));
  json.Key("spot_price").PriceValue(spot);
  json.Key("option_price").PriceValue(*option_price);
  json.Key("forward_price").Double(Round(forward, 2));
  json.Key("forward_source").String(forward_source);
  json.Key("interest_rate").Double(query.rate_percent);
  json.Key("implied_volatility").Double(Round(*vol * 100.0, 2));
  json.Key("greeks").BeginObject();
  json.Key("delta").Double(Round(g.delta, 4));
  json.Key("gamma").Double(Round(g.gamma, 6));
  json.Key("theta").Double(Round(g.ThetaPerDay(), 4));
  json.Key("vega").Double(Round(g.VegaPerPoint(), 4));
  json.Key("rho").Double(Round(g.RhoPerPoint(), 4));
  json.EndObject();
  json.EndObject();
  return json.Take();
}

/// interest_rate: a percentage per year in [0, 100], as a number or numeric string; 0 when absent.
std::optional<double> ReadRate(Fields& fields, const json::object& body) {
  auto rate = OptionalDecimal(fields, body, "interest_rate");
  if (!rate) {
    return fields.ok() ? std::optional<double>(0.0) : std::nullopt;
  }
  if (rate->AsDouble() > 100.0) {
    fields.Fail("interest_rate", "must be a percentage between 0 and 100, was " + rate->ToString());
    return std::nullopt;
  }
  return rate->AsDouble();
}

std::optional<InstrumentId> ReadUnderlyingOverride(Fields& fields, const json::object& body) {
  const bool given = body.contains("underlying_symbol") || body.contains("underlying_exchange");
  if (!given) {
    return std::nullopt;
  }
  return ReadInstrument(fields, "underlying_symbol", "underlying_exchange", true);
}

constexpr std::initializer_list<Exchange> kOptionSegments = {Exchange::kNfo, Exchange::kBfo, Exchange::kCds,
                                                             Exchange::kMcx, Exchange::kOpra};

Response OptionGreeksRoute(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  GreeksQuery query;
  auto symbol = fields.Text("symbol", true);
  auto exchange = ReadExchange(fields, "exchange", true, kOptionSegments);
  auto rate = ReadRate(fields, body);
  query.forward = OptionalDecimal(fields, body, "forward_price");
  if (query.forward && !query.forward->is_positive()) {
    fields.Fail("forward_price", "must be above 0");
  }
  query.underlying = ReadUnderlyingOverride(fields, body);
  query.expiry_time = ReadClock(fields, "expiry_time");
  if (symbol && exchange) {
    auto id = InstrumentId::Make(td::ToString(*exchange), *symbol);
    if (id.ok()) {
      query.option = *id;
    } else {
      fields.Fail("symbol", "'" + *symbol + "' is not a valid symbol");
    }
  }
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  query.rate_percent = *rate;
  auto answer = GreeksJson(context.market, query);
  if (!answer.ok()) {
    return EdgeError(answer.error());
  }
  return Response::Json(std::move(answer).value());
}

Response MultiOptionGreeksRoute(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  auto rate = ReadRate(fields, body);
  auto expiry_time = ReadClock(fields, "expiry_time");
  const json::value* symbols = body.if_contains("symbols");
  if (symbols == nullptr || !symbols->is_array()) {
    fields.Fail("symbols", symbols == nullptr ? "is required" : "must be a list of {symbol, exchange}");
  } else if (symbols->as_array().empty() || symbols->as_array().size() > kMaxGreeksSymbols) {
    fields.Fail("symbols", "must list 1 to " + std::to_string(kMaxGreeksSymbols) + " entries, was " +
                               std::to_string(symbols->as_array().size()));
  }
  std::vector<GreeksQuery> queries;
  if (fields.ok()) {
    const json::array& list = symbols->as_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string prefix = "symbols[" + std::to_string(i) + "]";
      if (!list[i].is_object()) {
        fields.Fail(prefix, "must be an object {symbol, exchange}");
        continue;
      }
      Fields entry(list[i].as_object());
      GreeksQuery query;
      auto symbol = entry.Text("symbol", true);
      auto exchange = ReadExchange(entry, "exchange", true, kOptionSegments);
      query.underlying = ReadUnderlyingOverride(entry, list[i].as_object());
      if (symbol && exchange) {
        if (auto id = InstrumentId::Make(td::ToString(*exchange), *symbol); id.ok()) {
          query.option = *id;
        } else {
          entry.Fail("symbol", "'" + *symbol + "' is not a valid symbol");
        }
      }
      for (Error error : entry.errors()) {
        fields.Fail(prefix + "." + error.field, error.message.substr(error.message.find(' ') + 1));
      }
      queries.push_back(std::move(query));
    }
  }
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  std::size_t succeeded = 0;
  JsonWriter json;
  json.BeginObject();
  std::string results;
  JsonWriter list;
  list.BeginArray();
  for (GreeksQuery& query : queries) {
    query.rate_percent = *rate;
    query.expiry_time = expiry_time;
    auto answer = GreeksJson(context.market, query);
    if (answer.ok()) {
      ++succeeded;
      list.Raw(*answer);
    } else {
      list.BeginObject();
      list.Key("status").String("error");
      list.Key("symbol").String(query.option.symbol());
      list.Key("exchange").String(query.option.exchange());
      list.Key("message").String(answer.error().message);
      list.EndObject();
    }
  }
  list.EndArray();
  const std::size_t failed = queries.size() - succeeded;
  json.Key("status").String(failed == 0 ? "success" : succeeded == 0 ? "error" : "partial");
  json.Key("data").Raw(list.Take());
  json.Key("summary").BeginObject();
  json.Key("total").Uint(queries.size());
  json.Key("success").Uint(succeeded);
  json.Key("failed").Uint(failed);
  json.EndObject();
  if (succeeded == 0) {
    const std::string message = "No option greeks could be computed";
    json.Key("message").String(message);
    json.Key("error").BeginObject();
    json.Key("code").String(ErrorCodeName(ErrorCode::kInvalidArgument));
    json.Key("message").String(message);
    json.Key("field").String("symbols");
    json.EndObject();
  }
  json.EndObject();
  return Response::Json(json.Take(), succeeded == 0 ? 400 : 200);
}

// --- market calendar ---

std::int64_t Millis(UnixNanos t) {
  return t.millis();
}

void WriteSessionEntries(JsonWriter& json, const calendar::TradingSession& session,
                         std::initializer_list<const char*> segments) {
  for (const char* segment : segments) {
    json.BeginObject();
    json.Key("exchange").String(segment);
    json.Key("start_time").Int(Millis(session.regular_open));
    json.Key("end_time").Int(Millis(session.regular_close));
    json.EndObject();
  }
}

Response Holidays(Context& context, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  const auto& nse = calendar::ExchangeCalendar::Get(calendar::Exchange::kNse);
  const int this_year = nse.time_zone().LocalDate(context.market.Now()).year;
  auto year = fields.Whole("year", false, 2020, this_year);
  if (year && *year > 2050) {
    fields.Fail("year", "must be between 2020 and 2050, was " + std::to_string(*year));
  }
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  const auto& table = nse.holidays();
  if (*year < table.first_year() || *year > table.last_year()) {
    return OpenAlgoError(Error::NotFound("no holiday list for " + std::to_string(*year) +
                                             " (known: " + std::to_string(table.first_year()) + "-" +
                                             std::to_string(table.last_year()) + ")",
                                         "year"));
  }
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("year").Int(*year);
  json.Key("timezone").String(nse.time_zone().name());
  json.Key("provisional").Bool(table.IsProvisionalYear(static_cast<int>(*year)));
  json.Key("data").BeginArray();
  for (const calendar::SpecialDay& day : table.days()) {
    if (day.date.year != *year) {
      continue;
    }
    json.BeginObject();
    json.Key("date").String(DateIso(day.date));
    json.Key("description").String(day.name);
    const bool closed = day.kind == calendar::DayKind::kClosed;
    json.Key("holiday_type")
        .String(closed                                           ? "TRADING_HOLIDAY"
                : day.kind == calendar::DayKind::kSpecialSession ? "SPECIAL_SESSION"
                                                                 : "EARLY_CLOSE");
    json.Key("closed_exchanges").BeginArray();
    if (closed) {
      for (const char* segment : {"NSE", "BSE", "NFO", "BFO", "NSE_INDEX", "BSE_INDEX"}) {
        json.String(segment);
      }
    }
    json.EndArray();
    json.Key("open_exchanges").BeginArray();
    if (!closed) {
      if (auto session = nse.Session(day.date); session.ok()) {
        WriteSessionEntries(json, *session, {"NSE", "NFO", "NSE_INDEX"});
      }
      if (auto session = calendar::ExchangeCalendar::Get(calendar::Exchange::kBse).Session(day.date); session.ok()) {
        WriteSessionEntries(json, *session, {"BSE", "BFO", "BSE_INDEX"});
      }
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return Response::Json(json.Take());
}

Response Timings(Context&, const Caller&, const Request&, const json::object& body) {
  Fields fields(body);
  auto text = fields.Text("date", true);
  std::optional<CivilDate> date;
  if (text) {
    auto parsed = text->size() == 10 ? calendar::ParseCivilDate(*text) : Result<CivilDate>(Error::InvalidArgument(""));
    if (parsed.ok()) {
      date = *parsed;
    } else {
      fields.Fail("date", "must be YYYY-MM-DD, was '" + *text + "'");
    }
  }
  if (!fields.ok()) {
    return OpenAlgoFieldErrors(fields.errors());
  }
  struct Venue {
    calendar::Exchange calendar;
    std::initializer_list<const char*> segments;
  };
  // The Indian segments follow their exchange's calendar, as OpenAlgo lists them.
  const Venue venues[] = {{calendar::Exchange::kNse, {"NSE", "NFO", "NSE_INDEX"}},
                          {calendar::Exchange::kBse, {"BSE", "BFO", "BSE_INDEX"}},
                          {calendar::Exchange::kNyse, {"US"}}};
  JsonWriter json;
  WriteSuccessHead(json);
  json.Key("data").BeginArray();
  for (const Venue& venue : venues) {
    const auto& calendar = calendar::ExchangeCalendar::Get(venue.calendar);
    auto trading = calendar.IsTradingDay(*date);
    if (!trading.ok()) {
      return OpenAlgoError(Error::NotFound("no session calendar for " + *text +
                                               " (known: " + DateIso(calendar.first_date()) + " to " +
                                               DateIso(calendar.last_date()) + ")",
                                           "date"));
    }
    if (!*trading) {
      continue;
    }
    if (auto session = calendar.Session(*date); session.ok()) {
      WriteSessionEntries(json, *session, venue.segments);
    }
  }
  json.EndArray();
  json.EndObject();
  return Response::Json(json.Take());
}

// --- GET /instruments ---

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\n") == std::string_view::npos) {
    return std::string(text);
  }
  std::string out = "\"";
  for (const char c : text) {
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  }
  return out + "\"";
}

Response Instruments(Context& context, const Request& request) {
  std::vector<Error> errors;
  std::optional<Exchange> exchange;
  if (auto text = request.Query("exchange"); text && !text->empty()) {
    auto parsed = td::ParseExchange(*text);
    if (parsed.ok()) {
      exchange = *parsed;
    } else {
      errors.push_back(
          Error::InvalidArgument("exchange is not a known exchange: '" + std::string(*text) + "'", "exchange"));
    }
  }
  const std::string format = Upper(request.Query("format").value_or("json"));
  if (format != "JSON" && format != "CSV") {
    errors.push_back(Error::InvalidArgument("format must be json or csv", "format"));
  }
  if (!errors.empty()) {
    return OpenAlgoFieldErrors(errors);
  }
  const std::vector<SymbolRecord> records = AllRecords(context.market, exchange);
  if (format == "CSV") {
    std::string csv = "symbol,brsymbol,name,exchange,brexchange,token,expiry,strike,lotsize,instrumenttype,tick_size\n";
    for (const SymbolRecord& r : records) {
      const std::string symbol(r.id.symbol());
      const std::string exchange_code(r.id.exchange());
      csv += CsvField(symbol) + "," + CsvField(symbol) + "," + CsvField(r.name) + "," + exchange_code + "," +
             exchange_code + "," + CsvField(r.id.value()) + "," + (r.expiry ? DashedExpiry(*r.expiry) : "") + "," +
             r.strike.value_or(Price()).ToString() + "," + r.lot_size.ToString() + "," + r.instrument_type + "," +
             r.tick_size.ToString() + "\n";
    }
    return Response::Text(std::move(csv), "text/csv; charset=utf-8");
  }
  JsonWriter json(256 + records.size() * 260);
  WriteSuccessHead(json);
  json.Key("message").String("Found " + std::to_string(records.size()) + " instruments");
  json.Key("data").BeginArray();
  for (const SymbolRecord& record : records) {
    WriteRecord(json, record, false);
  }
  json.EndArray();
  json.EndObject();
  return Response::Json(json.Take());
}

// --- GET /ticker/{EXCHANGE:SYMBOL} ---

/// `from`/`to` of the ticker: "YYYY-MM-DD" (a whole day in UTC) or epoch milliseconds.
std::optional<UnixNanos> TickerBound(const Request& request, std::string_view name, bool end,
                                     std::vector<Error>& errors) {
  const auto text = request.Query(name);
  if (!text || text->empty()) {
    return std::nullopt;
  }
  if (text->size() == 10 && (*text)[4] == '-') {
    if (auto date = calendar::ParseCivilDate(*text); date.ok()) {
      const std::int64_t day = DaysFromCivil(*date) + (end ? 1 : 0);  // `to` includes its whole day
      return UnixNanos::FromSeconds(day * 86'400);
    }
  } else if (text->find_first_not_of("0123456789") == std::string_view::npos && text->size() <= 15) {
    return UnixNanos::FromMillis(std::stoll(std::string(*text)));
  }
  errors.push_back(Error::InvalidArgument(
      std::string(name) + " must be YYYY-MM-DD or epoch milliseconds, was '" + std::string(*text) + "'",
      std::string(name)));
  return std::nullopt;
}

/// A ticker refusal: plain text for format=txt (as OpenAlgo answers AmiBroker), else the JSON error shapes.
Response TickerError(bool text, const std::vector<Error>& errors) {
  if (!text) {
    return errors.size() == 1 ? EdgeError(errors.front()) : OpenAlgoFieldErrors(errors);
  }
  Response json = errors.size() == 1 ? EdgeError(errors.front()) : OpenAlgoFieldErrors(errors);
  std::string message;
  for (const Error& error : errors) {
    message += (message.empty() ? "" : "; ") + error.message;
  }
  return Response::Text(message + "\n", "text/plain; charset=utf-8", json.status);
}

Response Ticker(Context& context, const Request& request) {
  std::vector<Error> errors;
  const std::string format = Upper(request.Query("format").value_or("json"));
  const bool text = format == "TXT";
  if (format != "JSON" && !text) {
    errors.push_back(Error::InvalidArgument("format must be json or txt", "format"));
  }
  std::string ticker(request.PathParam("ticker"));
  if (ticker.find(':') == std::string::npos) {
    ticker = "NSE:" + ticker;  // OpenAlgo's default exchange
  }
  std::optional<system::InstrumentInfo> info;
  if (auto id = InstrumentId::Parse(ticker); !id.ok()) {
    errors.push_back(Error::InvalidArgument("ticker must be EXCHANGE:SYMBOL, was '" + ticker + "'", "ticker"));
  } else if (auto resolved = context.market.Resolve(id->value()); resolved.ok()) {
    info = *resolved;
  } else {
    errors.push_back(Error::NotFound("unknown symbol " + id->value(), "ticker"));
  }
  auto spec = BarSpec::Parse(request.Query("interval").value_or("D"));
  if (!spec.ok()) {
    errors.push_back(Error::InvalidArgument("interval must be one of 1m..30m, 1h..4h, D, W, M", "interval"));
  }
  const std::string sort = Upper(request.Query("sort").value_or("asc"));
  if (sort != "ASC" && sort != "DESC") {
    errors.push_back(Error::InvalidArgument("sort must be asc or desc", "sort"));
  }
  const std::string adjusted = Upper(request.Query("adjusted").value_or("true"));
  if (adjusted != "TRUE" && adjusted != "FALSE") {
    errors.push_back(Error::InvalidArgument("adjusted must be true or false", "adjusted"));
  }
  auto from = TickerBound(request, "from", false, errors);
  auto to = TickerBound(request, "to", true, errors);
  if (!errors.empty()) {
    return TickerError(text, errors);
  }
  // OpenAlgo bounds the window: 30 days of intraday bars, 10 years of daily ones, ending at `to` (default now).
  const UnixNanos until = to.value_or(context.market.Now());
  const Duration longest =
      spec->IsIntraday() ? Duration(std::chrono::hours(24 * 30)) : Duration(std::chrono::hours(24 * 3653));
  UnixNanos since = from.value_or(until - longest);
  if (until - since > longest) {
    since = until - longest;
  }
  if (!(since < until)) {
    return TickerError(text, {Error::InvalidArgument("from must be before to", "from")});
  }
  auto bars = context.market.Bars(info->id, *spec, since, until);
  if (!bars.ok()) {
    return TickerError(text, {bars.error()});
  }
  if (sort == "DESC") {
    std::reverse(bars->begin(), bars->end());
  }
  if (text) {
    // AmiBroker's ASCII import: Ticker,Date_YMD[,Time],Open,High,Low,Close,Volume in the exchange's local time.
    auto zone = calendar::TimeZone::Locate(info->time_zone);
    std::string out;
    out.reserve(bars->size() * 72);
    for (const Bar& bar : *bars) {
      calendar::LocalDateTime local;
      if (zone.ok()) {
        local = zone->ToLocal(bar.ts_event);
      } else {
        local.date = CivilFromDays(bar.ts_event.seconds() / 86'400);
      }
      char stamp[32];
      if (spec->IsIntraday()) {
        std::snprintf(stamp, sizeof stamp, "%s,%02d:%02d:%02d", DateIso(local.date).c_str(), local.hour, local.minute,
                      local.second);
      } else {
        std::snprintf(stamp, sizeof stamp, "%s", DateIso(local.date).c_str());
      }
      out += info->id.value() + "," + stamp + "," + bar.open.ToString() + "," + bar.high.ToString() + "," +
             bar.low.ToString() + "," + bar.close.ToString() + "," + QuantityText(bar.volume.raw()) + "\n";
    }
    return Response::Text(std::move(out), "text/plain; charset=utf-8");
  }
  JsonWriter json(64 + bars->size() * 100);
  WriteSuccessHead(json);
  json.Key("data").BeginArray();
  for (const Bar& bar : *bars) {
    json.BeginObject();
    json.Key("timestamp").Int(bar.ts_event.seconds());
    json.Key("open").PriceValue(bar.open);
    json.Key("high").PriceValue(bar.high);
    json.Key("low").PriceValue(bar.low);
    json.Key("close").PriceValue(bar.close);
    json.Key("volume").QuantityValue(bar.volume);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return Response::Json(json.Take());
}

/// The GET routes take the key from the query string (`apikey`) or an `X-API-KEY` header; it is handed to the
/// shared key check as the body field it reads, so refusals keep OpenAlgo's 403 shape.
Handler KeyFromQuery(Handler guarded) {
  return [guarded = std::move(guarded)](const Request& request) -> Result<Response> {
    Request keyed = request;
    JsonWriter body;
    body.BeginObject();
    if (auto key = request.Query("apikey")) {
      body.Key("apikey").String(*key);
    } else if (auto header = request.Header("x-api-key")) {
      body.Key("apikey").String(*header);
    }
    body.EndObject();
    keyed.body = body.Take();
    return guarded(keyed);
  };
}

using MarketHandler = Response (*)(Context&, const Caller&, const Request&, const json::object&);

Handler Guard(const std::shared_ptr<Context>& context, const AuthContext& auth, MarketHandler handler) {
  return Guarded(auth.authenticator, auth.rate_limiter,
                 [context, handler](const Caller& caller, const Request& request, const json::object& body) {
                   return handler(*context, caller, request, body);
                 });
}

}  // namespace

void AddOpenAlgoMarketRoutes(Router& router, system::MarketService& market, const AuthContext& auth) {
  auto context = std::make_shared<Context>(Context{market});
  struct Entry {
    const char* path;
    MarketHandler fn;
    const char* summary;
    const char* operation_id;
  };
  const Entry entries[] = {
      {"/api/v1/quotes", Quotes, "Quote of one symbol (OpenAlgo)", "openalgoQuotes"},
      {"/api/v1/multiquotes", MultiQuotes, "Quotes of several symbols (OpenAlgo)", "openalgoMultiQuotes"},
      {"/api/v1/depth", Depth, "Market depth, five levels (OpenAlgo)", "openalgoDepth"},
      {"/api/v1/symbol", Symbol, "Symbol details (OpenAlgo)", "openalgoSymbol"},
      {"/api/v1/search", Search, "Search symbols (OpenAlgo)", "openalgoSearch"},
      {"/api/v1/expiry", ExpiryDates, "Expiry dates of futures or options (OpenAlgo)", "openalgoExpiry"},
      {"/api/v1/optionsymbol", OptionSymbolRoute, "Option symbol at an offset (OpenAlgo)", "openalgoOptionSymbol"},
      {"/api/v1/optionchain", OptionChainRoute, "Option chain of one expiry (OpenAlgo)", "openalgoOptionChain"},
      {"/api/v1/optiongreeks", OptionGreeksRoute, "Implied volatility and greeks, Black-76 (OpenAlgo)",
       "openalgoOptionGreeks"},
      {"/api/v1/multioptiongreeks", MultiOptionGreeksRoute, "Greeks of several options (OpenAlgo)",
       "openalgoMultiOptionGreeks"},
      {"/api/v1/syntheticfuture", SyntheticFutureRoute, "Synthetic future from put-call parity (OpenAlgo)",
       "openalgoSyntheticFuture"},
      {"/api/v1/market/holidays", Holidays, "Exchange holidays of a year (OpenAlgo)", "openalgoMarketHolidays"},
      {"/api/v1/market/timings", Timings, "Exchange session times of a date (OpenAlgo)", "openalgoMarketTimings"},
  };
  for (const Entry& entry : entries) {
    AddEdgeRoute(router, entry.path, Guard(context, auth, entry.fn), entry.summary, entry.operation_id, false);
  }

  // OpenAlgo's GET routes: the key travels in the query string.
  Handler instruments = Guarded(
      auth.authenticator, auth.rate_limiter,
      [context](const Caller&, const Request& request, const json::object&) { return Instruments(*context, request); });
  RouteDoc doc = MakeDoc("Instrument list (OpenAlgo)", "openalgoInstruments", {"openalgo"});
  doc.description = "OpenAlgo-compatible; apikey, exchange and format (json|csv) in the query string.";
  doc.parameters = {ParamDoc{"apikey", ParamLocation::kQuery, true, "OpenAlgo API key", R"({"type":"string"})"},
                    ParamDoc{"exchange", ParamLocation::kQuery, false, "Only this exchange", R"({"type":"string"})"},
                    ParamDoc{"format", ParamLocation::kQuery, false, "json (default) or csv",
                             R"({"type":"string","enum":["json","csv"]})"}};
  router.Get("/api/v1/instruments", KeyFromQuery(std::move(instruments)), doc);

  Handler ticker = Guarded(
      auth.authenticator, auth.rate_limiter,
      [context](const Caller&, const Request& request, const json::object&) { return Ticker(*context, request); });
  RouteDoc ticker_doc =
      MakeDoc("Bars of one symbol, JSON or AmiBroker text (OpenAlgo)", "openalgoTicker", {"openalgo"});
  ticker_doc.description =
      "OpenAlgo-compatible /ticker/EXCHANGE:SYMBOL; apikey, interval (default D), from, to (YYYY-MM-DD or epoch ms), "
      "adjusted, sort (asc|desc) and format (json|txt) in the query string.";
  ticker_doc.parameters = {
      ParamDoc{"ticker", ParamLocation::kPath, true, "EXCHANGE:SYMBOL (a bare symbol means NSE)",
               R"({"type":"string"})"},
      ParamDoc{"apikey", ParamLocation::kQuery, true, "OpenAlgo API key", R"({"type":"string"})"},
      ParamDoc{"interval", ParamLocation::kQuery, false, "1m..30m, 1h..4h, D (default), W, M", R"({"type":"string"})"},
      ParamDoc{"from", ParamLocation::kQuery, false, "Start: YYYY-MM-DD or epoch ms", R"({"type":"string"})"},
      ParamDoc{"to", ParamLocation::kQuery, false, "End (inclusive day): YYYY-MM-DD or epoch ms",
               R"({"type":"string"})"},
      ParamDoc{"adjusted", ParamLocation::kQuery, false, "true or false", R"({"type":"string"})"},
      ParamDoc{"sort", ParamLocation::kQuery, false, "asc (default) or desc",
               R"({"type":"string","enum":["asc","desc"]})"},
      ParamDoc{"format", ParamLocation::kQuery, false, "json (default) or txt",
               R"({"type":"string","enum":["json","txt"]})"}};
  router.Get("/api/v1/ticker/{ticker}", KeyFromQuery(std::move(ticker)), ticker_doc);
}

}  // namespace td::api
