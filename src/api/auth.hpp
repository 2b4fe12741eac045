// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_types.hpp"

namespace td::api {

class KeyStore;

/// The principal every request acts as when authentication is off (`serve --no-auth`).
inline constexpr std::string_view kLocalPrincipal = "local";

/// An authenticator for `Authorization: Bearer <token>`: maps known tokens to principals (non-admin), comparing
/// every candidate in constant time. A missing or unknown token is unauthenticated, without saying which.
Authenticator BearerTokenAuthenticator(std::vector<std::pair<std::string, std::string>> token_to_principal);

/// The server's authenticator: an API key from `Authorization: Bearer <key>`, else from the `apikey` field of a
/// JSON object body (OpenAlgo clients), checked against `keys`. The identity is the key's user and admin flag.
/// An `X-User-Id` header is honoured only for admin keys (the request then acts as that user); for other keys
/// it is ignored and logged. Wrong, absent, malformed and revoked keys all give the same 401 error.
Authenticator KeyStoreAuthenticator(std::shared_ptr<KeyStore> keys);

/// The authenticator for `serve --no-auth`: every request is user "local", admin.
Authenticator LocalAuthenticator();

/// True when the request carries something meant as a credential: an Authorization header or an `apikey`
/// field in its body. Routes with optional credentials admit requests without any.
bool PresentsCredentials(const Request& request);

/// Compares two byte strings in time that depends only on their lengths (libsodium sodium_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace td::api
