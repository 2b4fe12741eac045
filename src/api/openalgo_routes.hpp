// SPDX-License-Identifier: MIT
#pragma once

namespace td::system {
class TradingService;
}

namespace td::api {

class Router;
struct AuthContext;

/// Registers OpenAlgo's order and account API (docs/openalgo-api.md) over `trading` (the paper account), which
/// must outlive the router: POST /api/v1/placeorder, placesmartorder, modifyorder, cancelorder, cancelallorder,
/// closeposition, orderstatus, openposition, orderbook, tradebook, positionbook, holdings, funds, ping,
/// analyzer and analyzer/toggle, and (openalgo_order_routes.hpp) optionsorder, optionsmultiorder, basketorder,
/// splitorder and margin. Each route checks the key itself (the `apikey` body field, or a bearer
/// token) with `auth.authenticator` so that a refusal has OpenAlgo's shape (403 "Invalid openalgo apikey"),
/// and takes a token from `auth.rate_limiter` per key (429 + Retry-After). Success is HTTP 200 with
/// {"status":"success",...}; every failure is {"status":"error","message",...} plus our structured "error".
void AddOpenAlgoRoutes(Router& router, system::TradingService& trading, const AuthContext& auth);

}  // namespace td::api
