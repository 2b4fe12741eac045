// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace td::api {

/// Query parameter that carries a view token on plan-bound reads.
inline constexpr std::string_view kViewTokenParam = "vt";

/// What a valid view token grants: read access to plan `plan_id`, on behalf of `user`, until `expires`.
struct ViewGrant {
  std::string user;
  UnixNanos expires;
  std::string plan_id;
};

/// Signs and checks view tokens: capability links for people who open a /tv chart without an API key.
/// Token = base64url(payload) "." base64url(HMAC-SHA256(secret, payload)), payload = plan_id|user|expiry
/// seconds. The 32-byte secret lives in <data_dir>/view_token.key (mode 0600), created once.
class ViewTokenSigner {
 public:
  /// Loads the secret from <data_dir>/view_token.key, creating the directory and the file when missing.
  static Result<ViewTokenSigner> LoadOrCreate(const std::filesystem::path& data_dir);
  /// A signer with an explicit secret (tests).
  static ViewTokenSigner FromSecret(const std::array<unsigned char, 32>& secret);

  /// A token for `plan_id` on behalf of `user`, valid until `expires` (rounded down to whole seconds).
  std::string Mint(std::string_view plan_id, std::string_view user, UnixNanos expires) const;
  /// Checks a token for `plan_id` at `now`. Every refusal (malformed, bad signature, another plan, expired)
  /// is kUnauthenticated with field "vt".
  Result<ViewGrant> Verify(std::string_view token, std::string_view plan_id, UnixNanos now) const;
  /// Checks a token at `now` without knowing its plan beforehand and says which plan it opens (for requests
  /// that name no plan, e.g. scenario previews). The same refusals as Verify.
  Result<ViewGrant> Open(std::string_view token, UnixNanos now) const;

 private:
  explicit ViewTokenSigner(const std::array<unsigned char, 32>& secret) : secret_(secret) {}
  std::array<unsigned char, 32> secret_{};
};

}  // namespace td::api
