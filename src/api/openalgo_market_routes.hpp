// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <optional>
#include <utility>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "model/option_chain.hpp"

namespace td::system {
class MarketService;
}

namespace td::api {

class Router;
struct AuthContext;

/// Registers OpenAlgo's market-data, symbol and options-analytics endpoints over `market` (which must outlive
/// the router): POST /api/v1/quotes, multiquotes, depth, symbol, search, expiry, optionsymbol, optionchain,
/// optiongreeks, multioptiongreeks, syntheticfuture, market/holidays, market/timings and GET /api/v1/instruments and
/// /api/v1/ticker/{EXCHANGE:SYMBOL} (key in the query string or X-API-KEY).
/// Same request fields and response shapes as OpenAlgo; the key check, rate limit and error shape are the
/// shared OpenAlgo edge's (403 "Invalid openalgo apikey", 429 + Retry-After, {"status":"error","message",
/// "error":{code,message,field}}). /history and /intervals are AddMarketRoutes'. See docs/openalgo-api.md.
/// A quote as OpenAlgo shows it. Option contracts have no session figures here (open/high/low/prev_close 0):
/// the chain snapshot carries last, bid/ask, volume and open interest only.
struct OpenAlgoQuote {
  UnixNanos ts;
  Price ltp, open, high, low, prev_close;
  std::optional<Price> bid, ask;
  Quantity bid_size, ask_size, volume, open_interest;
};

/// The quote of any symbol an OpenAlgo client may name: an underlying the market resolves (MarketService::Quote),
/// or a listed option contract (NFO/BFO OpenAlgo symbols, OPRA OCC symbols) from its underlying's chain.
/// Unknown symbols are NotFound with field "symbol". Shared by the REST routes and the WebSocket feed.
/// `chains`, when given, keeps the chains fetched by (underlying, expiry) so one pass over many contracts of
/// one expiry asks the market once (the WebSocket feed passes a fresh cache per poll).
using OpenAlgoChainCache = std::map<std::pair<InstrumentId, CivilDate>, OptionChain>;
Result<OpenAlgoQuote> OpenAlgoQuoteOf(system::MarketService& market, const InstrumentId& id,
                                      OpenAlgoChainCache* chains = nullptr);

void AddOpenAlgoMarketRoutes(Router& router, system::MarketService& market, const AuthContext& auth);

}  // namespace td::api
