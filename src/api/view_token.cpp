// SPDX-License-Identifier: MIT
#include "api/view_token.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <system_error>

#include "api/secret_file.hpp"
#include "core/check.hpp"

namespace td::api {
namespace {

constexpr std::size_t kMaxTokenChars = 2048;

std::string Base64Url(const unsigned char* bytes, std::size_t size) {
  std::string text(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  text.resize(text.size() - 1);  // the encoder writes a terminating NUL
  return text;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  std::string bytes(text.size(), '\0');
  std::size_t size = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(), text.size(),
                        nullptr, &size, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  bytes.resize(size);
  return bytes;
}

Error Refused() {
  // Same answer for malformed, forged, foreign and expired tokens.
  return Error{ErrorCode::kUnauthenticated, "invalid or expired view token", std::string(kViewTokenParam)};
}

}  // namespace

Result<ViewTokenSigner> ViewTokenSigner::LoadOrCreate(const std::filesystem::path& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return Error::Io("cannot create data directory " + data_dir.string() + ": " + ec.message());
  }
  auto secret = LoadOrCreateSecretFile(data_dir / "view_token.key", crypto_auth_hmacsha256_KEYBYTES);
  if (!secret.ok()) {
    return secret.error();
  }
  std::array<unsigned char, 32> key{};
  static_assert(crypto_auth_hmacsha256_KEYBYTES == 32);
  std::copy(secret->begin(), secret->end(), reinterpret_cast<char*>(key.data()));
  sodium_memzero(secret->data(), secret->size());
  return ViewTokenSigner(key);
}

ViewTokenSigner ViewTokenSigner::FromSecret(const std::array<unsigned char, 32>& secret) {
  TD_CHECK(sodium_init() >= 0) << "libsodium failed to initialise";
  return ViewTokenSigner(secret);
}

std::string ViewTokenSigner::Mint(std::string_view plan_id, std::string_view user, UnixNanos expires) const {
  TD_CHECK(user.find('|') == std::string_view::npos) << "user names never contain '|'";
  std::string payload(plan_id);
  payload += '|';
  payload += user;
  payload += '|';
  payload += std::to_string(expires.nanos() / 1'000'000'000);
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256(mac.data(), reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                         secret_.data());
  return Base64Url(reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) + "." +
         Base64Url(mac.data(), mac.size());
}

Result<ViewGrant> ViewTokenSigner::Verify(std::string_view token, std::string_view plan_id, UnixNanos now) const {
  auto grant = Open(token, now);
  if (!grant.ok() || grant->plan_id != plan_id) {
    return Refused();
  }
  return grant;
}

Result<ViewGrant> ViewTokenSigner::Open(std::string_view token, UnixNanos now) const {
  if (token.empty() || token.size() > kMaxTokenChars) {
    return Refused();
  }
  const std::size_t dot = token.find('.');
  if (dot == std::string_view::npos) {
    return Refused();
  }
  const auto payload = FromBase64Url(token.substr(0, dot));
  const auto mac = FromBase64Url(token.substr(dot + 1));
  if (!payload || !mac || mac->size() != crypto_auth_hmacsha256_BYTES) {
    return Refused();
  }
  // The signature is checked first and in constant time; nothing in the payload is trusted before that.
  if (crypto_auth_hmacsha256_verify(reinterpret_cast<const unsigned char*>(mac->data()),
                                    reinterpret_cast<const unsigned char*>(payload->data()), payload->size(),
                                    secret_.data()) != 0) {
    return Refused();
  }
  const std::size_t expiry_bar = payload->rfind('|');
  if (expiry_bar == std::string::npos || expiry_bar == 0) {
    return Refused();
  }
  const std::size_t user_bar = payload->rfind('|', expiry_bar - 1);
  if (user_bar == std::string::npos) {
    return Refused();
  }
  const std::string_view signed_plan = std::string_view(*payload).substr(0, user_bar);
  const std::string_view user = std::string_view(*payload).substr(user_bar + 1, expiry_bar - user_bar - 1);
  const std::string_view expiry_text = std::string_view(*payload).substr(expiry_bar + 1);
  std::int64_t expiry_seconds = 0;
  const auto parsed = std::from_chars(expiry_text.data(), expiry_text.data() + expiry_text.size(), expiry_seconds);
  constexpr std::int64_t kLatestExpirySeconds = 9'000'000'000;  // keeps the nanosecond conversion in range
  if (parsed.ec != std::errc() || parsed.ptr != expiry_text.data() + expiry_text.size() || expiry_seconds < 0 ||
      expiry_seconds > kLatestExpirySeconds) {
    return Refused();
  }
  const UnixNanos expires = UnixNanos::FromSeconds(expiry_seconds);
  if (signed_plan.empty() || now >= expires) {
    return Refused();
  }
  return ViewGrant{std::string(user), expires, std::string(signed_plan)};
}

}  // namespace td::api
