// SPDX-License-Identifier: MIT
#pragma once

namespace td::system {
class MarketService;
}

namespace td::api {

class Router;
struct AuthContext;

/// Registers the market-data routes served from `market` (which must outlive the router):
/// `GET /tv-api/bars` (the chart viewer's contract), and OpenAlgo's `POST /api/v1/history` and
/// `POST /api/v1/intervals` with OpenAlgo's request fields and response shapes.
void AddMarketRoutes(Router& router, system::MarketService& market);
/// As above, with the OpenAlgo routes behind OpenAlgo's edge (`apikey` body field or bearer key checked by
/// `auth.authenticator`, 403 "Invalid openalgo apikey", per-key rate limit); /tv-api/bars stays public (market
/// data only, no user data).
void AddMarketRoutes(Router& router, system::MarketService& market, const AuthContext& auth);

}  // namespace td::api
