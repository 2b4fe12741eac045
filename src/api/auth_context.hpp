// SPDX-License-Identifier: MIT
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "api/http_types.hpp"
#include "api/key_store.hpp"
#include "api/rate_limiter.hpp"
#include "api/router.hpp"
#include "api/view_token.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace td::api {

/// The authentication pieces `Serve()` hands to route registration, so every route module protects its routes
/// the same way. When auth is off (`serve --no-auth`) `keys` is null, every request acts as user "local"
/// (admin), and the helpers below still work (plan reads are allowed, view tokens are still minted and checked).
struct AuthContext {
  bool enabled = true;
  Authenticator authenticator;                         // KeyStoreAuthenticator, or LocalAuthenticator when off
  std::shared_ptr<KeyStore> keys;                      // null when auth is off
  std::shared_ptr<const ViewTokenSigner> view_tokens;  // always set by Serve()
  std::shared_ptr<RateLimiter> rate_limiter;           // per API key (else principal, else IP); may be null
  const Clock* clock = nullptr;                        // for view-token expiry; Serve() uses the live clock

  /// Options for a route that needs a key: requires_auth plus the per-key rate limiter.
  RouteOptions Protected() const;
  /// Options for a plan-bound read that also accepts a view token: a request without credentials is let
  /// through anonymously (principal empty) so the handler can call AuthorizePlanRead; wrong credentials are
  /// still 401.
  RouteOptions PlanRead() const;

  /// For plan-bound reads: OK when the request's principal owns the plan (`owner`) or is admin, or when the
  /// `vt` query parameter is a valid view token for `plan_id`. Otherwise kUnauthenticated (no credentials at
  /// all, or a bad token) or kNotFound (an authenticated user reading someone else's plan: whether the plan
  /// exists is not revealed).
  Status AuthorizePlanRead(const Request& request, std::string_view plan_id, std::string_view owner) const;

  /// For requests a view token authorises without naming a plan (a /tv page's scenario previews on
  /// `POST /gpt/plan`): the grant of the `vt` query parameter, valid now. kUnauthenticated with field
  /// "Authorization" when there is no token, field "vt" when it is malformed, forged or expired.
  Result<ViewGrant> ViewGrantOf(const Request& request) const;

  /// A view token for `plan_id` valid for `validity` from now (the chart-url route uses 7 days).
  std::string MintViewToken(std::string_view plan_id, std::string_view user, Duration validity) const;
};

/// How `serve` authenticates.
struct AuthSettings {
  bool enabled = true;           // false: `serve --no-auth`
  double rate_per_second = 50;   // per API key (per principal when auth is off): steady requests per second
  double burst = 100;            // ... and how many may come at once
  RateLimiter::TimeSource rate_time_source;  // empty: steady_clock (tests inject time)
  std::string pepper;  // empty: env TRADEDESK_KEY_PEPPER, else <data_dir>/key_pepper (see KeyStore::Open)
};

/// Opens the key store (when enabled) and the view-token signer under `data_dir` and builds the context,
/// authenticator included. `clock` must outlive the context. Serve() calls this; tests call it to get the
/// exact wiring the server uses.
Result<AuthContext> OpenAuth(const std::filesystem::path& data_dir, const AuthSettings& settings, const Clock& clock);

/// Installs the context's authenticator on `router`.
void InstallAuth(Router& router, const AuthContext& auth);

/// How long a minted chart link stays valid by default.
inline constexpr Duration kDefaultViewTokenValidity = std::chrono::hours(24 * 7);

}  // namespace td::api
