// SPDX-License-Identifier: MIT
#include "api/auth.hpp"

#include <sodium.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "api/key_store.hpp"
#include "api/log.hpp"

namespace td::api {
namespace {

constexpr std::string_view kBearerScheme = "Bearer ";

Error InvalidCredentials() {
  return Error{ErrorCode::kUnauthenticated, "invalid or missing API key", "Authorization"};
}

/// The token of an `Authorization: Bearer <token>` header; nullopt when the header is absent, an empty view
/// when it is present but not a bearer token.
std::optional<std::string_view> BearerToken(const Request& request) {
  const auto header = request.Header("authorization");
  if (!header) {
    return std::nullopt;
  }
  if (header->size() <= kBearerScheme.size() ||
      !EqualsIgnoreCase(header->substr(0, kBearerScheme.size()), kBearerScheme)) {
    return std::string_view{};
  }
  return header->substr(kBearerScheme.size());
}

/// OpenAlgo clients send the key as the `apikey` field of a JSON object body.
std::optional<std::string> BodyApiKey(const Request& request) {
  if (request.body.empty() || request.body.find("apikey") == std::string::npos) {
    return std::nullopt;
  }
  boost::system::error_code ec;
  const boost::json::value body = boost::json::parse(request.body, ec);
  if (ec || !body.is_object()) {
    return std::nullopt;
  }
  const boost::json::value* field = body.as_object().if_contains("apikey");
  if (field == nullptr || !field->is_string()) {
    return std::string();  // present but not a string: a credential that cannot be right
  }
  return std::string(field->as_string());
}

/// Keeps a logged header value short and printable.
std::string ForLog(std::string_view value) {
  std::string out;
  for (char c : value.substr(0, 64)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return out;
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool PresentsCredentials(const Request& request) {
  return request.Header("authorization").has_value() || BodyApiKey(request).has_value();
}

Authenticator BearerTokenAuthenticator(std::vector<std::pair<std::string, std::string>> token_to_principal) {
  auto tokens = std::make_shared<const std::vector<std::pair<std::string, std::string>>>(std::move(token_to_principal));
  return [tokens](const Request& request) -> Result<Identity> {
    const auto presented = BearerToken(request);
    if (!presented || presented->empty()) {
      return Error{ErrorCode::kUnauthenticated, "missing or malformed bearer token", "Authorization"};
    }
    const std::string* principal = nullptr;
    for (const auto& [token, who] : *tokens) {
      // No early exit: every candidate is compared so timing does not reveal which one matched.
      if (ConstantTimeEquals(*presented, token) && principal == nullptr) {
        principal = &who;
      }
    }
    if (principal == nullptr) {
      return Error{ErrorCode::kUnauthenticated, "invalid credentials", "Authorization"};
    }
    return Identity{*principal, false, {}};
  };
}

Authenticator KeyStoreAuthenticator(std::shared_ptr<KeyStore> keys) {
  return [keys = std::move(keys)](const Request& request) -> Result<Identity> {
    std::string presented;
    if (const auto bearer = BearerToken(request)) {
      presented = std::string(*bearer);
    } else if (auto body_key = BodyApiKey(request)) {
      presented = std::move(*body_key);
    }
    if (presented.empty()) {
      return InvalidCredentials();
    }
    auto key = keys->Authenticate(presented);
    sodium_memzero(presented.data(), presented.size());
    if (!key.ok()) {
      if (key.error().code != ErrorCode::kUnauthenticated) {
        return key.error();  // a storage fault: the router logs it and answers 500
      }
      return InvalidCredentials();
    }
    Identity identity{key->user, key->admin, key->id};
    if (const auto acting_as = request.Header("x-user-id")) {
      if (!key->admin) {
        // The user comes from the credential; a non-admin key cannot speak for someone else.
        Log(LogLevel::kWarn,
            "ignored X-User-Id '" + ForLog(*acting_as) + "' from non-admin key " + key->id + " of " + key->user,
            request.request_id);
      } else {
        if (Status valid = ValidateUserName(*acting_as, "X-User-Id"); !valid.ok()) {
          return valid.error();
        }
        identity.principal = std::string(*acting_as);
      }
    }
    return identity;
  };
}

Authenticator LocalAuthenticator() {
  return [](const Request&) -> Result<Identity> { return Identity{std::string(kLocalPrincipal), true, {}}; };
}

}  // namespace td::api
