// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace td::system {
class MarketService;
struct FeedsSnapshot;
}  // namespace td::system

namespace td::api {

class Router;
class HttpMetrics;

/// Registers `GET /api/v1/feeds` (feed health and per-source counters as JSON; `?feed=NAME` selects one
/// feed) and adds the same figures to `/metrics` through `metrics`. `market` must outlive both.
void AddFeedRoutes(Router& router, HttpMetrics& metrics, system::MarketService& market);

/// The Prometheus text (0.0.4) of a snapshot: per-source status, accepted and rejected messages by reason,
/// per-feed health (connected, last message age, failovers, failbacks, reconnects, gaps) and engine totals.
std::string RenderFeedMetrics(const system::FeedsSnapshot& snapshot);

}  // namespace td::api
