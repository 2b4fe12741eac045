// SPDX-License-Identifier: MIT
#include "api/auth.hpp"

#include <memory>

namespace td::api {

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  volatile unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = static_cast<unsigned char>(diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

Authenticator BearerTokenAuthenticator(std::vector<std::pair<std::string, std::string>> token_to_principal) {
  auto tokens = std::make_shared<const std::vector<std::pair<std::string, std::string>>>(std::move(token_to_principal));
  return [tokens](const Request& request) -> Result<std::string> {
    const auto header = request.Header("authorization");
    constexpr std::string_view kScheme = "Bearer ";
    if (!header || header->size() <= kScheme.size() || !EqualsIgnoreCase(header->substr(0, kScheme.size()), kScheme)) {
      return Error{ErrorCode::kUnauthenticated, "missing or malformed bearer token", "Authorization"};
    }
    const std::string_view presented = header->substr(kScheme.size());
    const std::string* principal = nullptr;
    for (const auto& [token, who] : *tokens) {
      // No early exit: every candidate is compared so timing does not reveal which one matched.
      if (ConstantTimeEquals(presented, token) && principal == nullptr) {
        principal = &who;
      }
    }
    if (principal == nullptr) {
      return Error{ErrorCode::kUnauthenticated, "invalid credentials", "Authorization"};
    }
    return *principal;
  };
}

}  // namespace td::api
