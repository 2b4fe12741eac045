// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>

#include "core/result.hpp"
#include "system/contracts_service.hpp"

namespace td::api {

class Router;
struct AuthContext;

/// The largest /gpt/contracts answer in characters (GPT Actions refuse bodies of 100,000 or more).
inline constexpr std::size_t kMaxContractsResponseChars = 99'000;
/// Rejected contracts listed by default and at most (every rejection is still counted by gate).
inline constexpr std::size_t kDefaultRejectedListed = 25;
inline constexpr std::size_t kMaxRejectedListed = 100;

/// Registers `POST /gpt/contracts` (operationId `coachContracts`, the MCP tool `contracts`): a
/// system::ContractsService over `market` and `store` (store may be null: plan_id is then unavailable), owned by
/// the route. `market`, `store` and `auth` must outlive the router. Needs an API key; a plan_id is read for the
/// key's user only (another user's plan is not_found). See docs/contracts-api.md.
void AddContractsRoutes(Router& router, system::MarketService& market, plans::PlanStore* store,
                        const AuthContext& auth);

/// The /gpt/contracts body of an answer, listing at most `rejected_listed` rejections. When the text would
/// reach kMaxContractsResponseChars the rejected list and then the alternatives are cut and `truncated` says so.
std::string RenderContractsAnswer(const system::ContractsAnswer& answer, std::size_t rejected_listed);

}  // namespace td::api
