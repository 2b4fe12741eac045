// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/http_types.hpp"

namespace td::api {

/// An authenticator for `Authorization: Bearer <token>`: maps known tokens to principals, comparing every
/// candidate in constant time. A missing or unknown token is unauthenticated, without saying which.
Authenticator BearerTokenAuthenticator(std::vector<std::pair<std::string, std::string>> token_to_principal);

/// Compares two byte strings in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace td::api
