// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"
#include "system/coach_service.hpp"

namespace td::api {

class Router;
struct AuthContext;

/// Registers the coach routes served from `coach` (which, like `auth`, must outlive the router):
/// `POST /gpt/scan`, `POST /gpt/plan`, `GET /idea/{plan_id}`, `GET /idea/{plan_id}/{version}`,
/// `POST /gpt/chart-url` and `GET /api/v1/gpt/chart-layers`. /gpt/* routes need an API key; plan-bound reads
/// take the owner's (or an admin's) key or a `vt` view token. Plans are stored per user (Request::principal).
void AddCoachRoutes(Router& router, system::CoachService& coach, const AuthContext& auth);

/// The /idea payload of a computed plan under its final id and version (what /gpt/plan answers and the store
/// keeps): the scanner's plan fields plus the chart viewer's (direction, strategy, interval, status, levels,
/// zones, avwaps, factors, data_source, ...), prices at the instrument's precision.
std::string RenderPlanPayload(const system::PlanComputation& computation, std::string_view plan_id, int version);
/// The chart-layers payload stored with a plan: {plan_id, version, symbol, as_of, levels, zones, overlays}.
std::string RenderLayersPayload(const system::PlanComputation& computation, std::string_view plan_id, int version);
/// Both texts, as the store wants them.
system::RenderedPlan RenderPlan(const system::PlanComputation& computation, std::string_view plan_id, int version);
/// The /gpt/scan payload: the scanner's page plus the universe, the as_of asked for and the data source.
std::string RenderScanPayload(const system::ScanOutcome& outcome);

/// Parses an `as_of` value: an ISO 8601 instant ("2025-09-16T15:00:00Z", offsets allowed) or a date.
/// Errors name field "as_of".
Result<UnixNanos> ParseAsOf(std::string_view text);

/// Formats a price for a link: rounded to `precision` decimals, trailing zeros and a bare point dropped.
std::string FormatLinkNumber(double value, int precision);

}  // namespace td::api
