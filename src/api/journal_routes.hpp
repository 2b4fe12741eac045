// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>

namespace td::plans {
class PlanStore;
}
namespace td::system {
class MarketService;
}

namespace td::api {

class Router;
struct AuthContext;

/// Registers the GPT's watchlist and trade-journal routes over `store` (symbols are resolved against `market`);
/// `store`, `market` and `auth` must outlive the router. Every route needs an API key and is scoped to the key's
/// user: another user's watchlist or entry is not_found. See docs/journal-api.md.
///
/// - `GET /gpt/watchlists` (listWatchlists), `POST /gpt/watchlists` (createWatchlist),
///   `GET|PUT|DELETE /gpt/watchlists/{name}` (getWatchlist, updateWatchlist, deleteWatchlist);
/// - `GET /gpt/journal` (listJournalEntries: filters symbol, plan_id, from, to, limit), `POST /gpt/journal`
///   (createJournalEntry), `GET|PUT /gpt/journal/{id}` (getJournalEntry, updateJournalEntry).
void AddJournalRoutes(Router& router, plans::PlanStore& store, system::MarketService& market, const AuthContext& auth);

/// Journal entries listed by default.
inline constexpr std::size_t kDefaultJournalListLimit = 50;

}  // namespace td::api
