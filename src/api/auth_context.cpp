// SPDX-License-Identifier: MIT
#include "api/auth_context.hpp"

#include "api/auth.hpp"
#include "core/check.hpp"

namespace td::api {

Result<AuthContext> OpenAuth(const std::filesystem::path& data_dir, const AuthSettings& settings, const Clock& clock) {
  if (!(settings.rate_per_second > 0) || !(settings.burst >= 1)) {
    return Error::InvalidArgument("rate limit must be > 0 per second with a burst >= 1", "auth.rate_per_second");
  }
  AuthContext auth;
  auth.enabled = settings.enabled;
  auth.clock = &clock;
  auto signer = ViewTokenSigner::LoadOrCreate(data_dir);
  if (!signer.ok()) {
    return signer.error();
  }
  auth.view_tokens = std::make_shared<const ViewTokenSigner>(std::move(signer).value());
  if (settings.enabled) {
    auto keys = KeyStore::Open(data_dir, clock, settings.pepper);
    if (!keys.ok()) {
      return keys.error();
    }
    auth.keys = std::shared_ptr<KeyStore>(std::move(keys).value());
    auth.authenticator = KeyStoreAuthenticator(auth.keys);
  } else {
    auth.authenticator = LocalAuthenticator();
  }
  auth.rate_limiter = std::make_shared<RateLimiter>(settings.rate_per_second, settings.burst, settings.rate_time_source);
  return auth;
}

void InstallAuth(Router& router, const AuthContext& auth) {
  router.SetAuthenticator(auth.authenticator);
}

RouteOptions AuthContext::Protected() const {
  RouteOptions options;
  options.requires_auth = true;
  options.rate_limiter = rate_limiter;
  return options;
}

RouteOptions AuthContext::PlanRead() const {
  RouteOptions options = Protected();
  options.credentials_optional = true;
  return options;
}

Status AuthContext::AuthorizePlanRead(const Request& request, std::string_view plan_id, std::string_view owner) const {
  if (!request.principal.empty() && (request.admin || request.principal == owner)) {
    return {};
  }
  if (const auto token = request.Query(kViewTokenParam); token && view_tokens) {
    TD_CHECK(clock != nullptr) << "AuthContext needs a clock to check view tokens";
    auto grant = view_tokens->Verify(*token, plan_id, clock->Now());
    if (!grant.ok()) {
      return grant.error();
    }
    return {};
  }
  if (request.principal.empty()) {
    return Error{ErrorCode::kUnauthenticated, "an API key or a view token (vt) is required", "Authorization"};
  }
  // Someone else's plan answers exactly like a missing one, so plan ids cannot be probed (OWASP API1).
  return Error::NotFound("no plan " + std::string(plan_id), "plan_id");
}

Result<ViewGrant> AuthContext::ViewGrantOf(const Request& request) const {
  const auto token = request.Query(kViewTokenParam);
  if (!token || view_tokens == nullptr) {
    return Error{ErrorCode::kUnauthenticated, "an API key or a view token (vt) is required", "Authorization"};
  }
  TD_CHECK(clock != nullptr) << "AuthContext needs a clock to check view tokens";
  return view_tokens->Open(*token, clock->Now());
}

std::string AuthContext::MintViewToken(std::string_view plan_id, std::string_view user, Duration validity) const {
  TD_CHECK(view_tokens != nullptr && clock != nullptr) << "AuthContext has no view-token signer";
  return view_tokens->Mint(plan_id, user, clock->Now() + validity);
}

}  // namespace td::api
