// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>

#include "api/router.hpp"
#include "system/context_service.hpp"

namespace td::api {

/// GPT Actions refuse response bodies of 100,000 characters or more; context bodies are trimmed below this.
inline constexpr std::size_t kGptActionsResponseLimit = 100000;

/// What a context body may hold at most (bytes; every byte we write is at most one character). A margin is
/// kept below the GPT Actions limit.
inline constexpr std::size_t kContextBodyBudget = 98000;

/// Registers `GET /gpt/context/{symbol}` (operationId coachContext) and `POST /gpt/multi-context`
/// (coachMultiContext), both behind `route_options` (typically AuthContext::Protected()). Every answer, errors
/// included, carries the X-Market-Session header once the symbol is known, and bodies carry `session`.
/// `service` must outlive the router.
void AddContextRoutes(Router& router, system::ContextService& service, RouteOptions route_options);

/// Renders a one-interval context keeping at most `keep_bars` bars (the routes pick `keep_bars`).
std::string RenderContext(const system::ContextReport& report, std::size_t keep_bars, std::string_view truncation,
                          UnixNanos now);
/// Renders a multi-interval context keeping at most `keep_bars` bars per interval; `include_series` false
/// drops bars and series (last values only).
std::string RenderMultiContext(const system::MultiContextReport& report, std::size_t keep_bars,
                               bool include_series, std::string_view truncation, UnixNanos now);

}  // namespace td::api
