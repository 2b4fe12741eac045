// SPDX-License-Identifier: MIT
#pragma once

namespace td::system {
class TradingService;
}

namespace td::api {

class Router;
struct AuthContext;

/// Registers OpenAlgo's multi-order and F&O order API over `trading` (the paper account, which must outlive the
/// router): POST /api/v1/optionsorder, optionsmultiorder, basketorder, splitorder and margin. The edge is
/// openalgo_edge.hpp's (key in the body or a bearer token, per-key rate limit, OpenAlgo's shapes); every bad
/// field of the body, or of one leg/order/position ("legs[2].offset"), is reported at once with its field.
void AddOpenAlgoOrderRoutes(Router& router, system::TradingService& trading, const AuthContext& auth);

}  // namespace td::api
