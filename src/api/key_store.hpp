// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace td::persistence {
class Database;
}

namespace td::api {

/// What the store knows about one API key; never the key itself.
struct KeyInfo {
  std::string id;  // "k_" + 12 lowercase hex characters; safe to show and log
  std::string user;
  bool admin = false;
  std::string label;
  UnixNanos created_at;
  std::optional<UnixNanos> revoked_at;
  std::optional<UnixNanos> last_used_at;

  bool revoked() const { return revoked_at.has_value(); }
};

/// The result of Create: the only moment the secret key exists outside its holder's hands.
struct CreatedKey {
  std::string id;
  std::string key;  // 64 lowercase hex characters (32 random bytes)
  KeyInfo info;
};

/// True when `text` has the shape of an API key: exactly 64 lowercase hex characters.
bool IsWellFormedApiKey(std::string_view text);

/// A user name is 1 to 64 characters of [A-Za-z0-9._@-]; `field` names the input in the error.
Status ValidateUserName(std::string_view user, std::string_view field);

/// API keys of every user, shared by the coach routes and the OpenAlgo-compatible API.
///
/// Keys live in the SQLite file <data_dir>/keys.db as argon2id hashes (libsodium crypto_pwhash_str,
/// interactive limits) of pepper || key (see Open for where the pepper comes from). Because argon2 is deliberately slow, a verified key is
/// remembered in memory under a keyed BLAKE2b digest (keyed with the pepper), so each key pays argon2 once
/// per process. The same digest is stored in the `lookup` column, so an unknown key costs one indexed lookup
/// and never an argon2 run (no cheap way to make the server burn CPU). Revocation drops a key from the cache
/// at once, also when `tradedesk keys revoke` runs in another process (seen via PRAGMA data_version).
/// Thread-safe.
class KeyStore {
 public:
  /// Opens or creates keys.db and the pepper under `data_dir` (created if missing). `clock` must outlive the
  /// store; it stamps created_at, revoked_at and last_used_at. The pepper is `pepper` when given (the config's
  /// auth.pepper, env TRADEDESK_AUTH__PEPPER), else env TRADEDESK_KEY_PEPPER, else <data_dir>/key_pepper; a
  /// given pepper must be at least 32 characters. When keys.db exists but no pepper can be found, Open fails
  /// rather than invent a new pepper that would silently invalidate every key.
  static Result<std::unique_ptr<KeyStore>> Open(const std::filesystem::path& data_dir, const Clock& clock,
                                                std::string_view pepper = {});

  ~KeyStore();
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  /// Makes a new key for `user` (non-empty, at most 64 characters of [A-Za-z0-9._@-]).
  Result<CreatedKey> Create(std::string user, bool admin, std::string label);
  /// Every key, oldest first, without secrets.
  Result<std::vector<KeyInfo>> List();
  /// Revokes a key by id: NotFound for an unknown id; revoking twice is fine.
  Status Revoke(std::string_view id);
  /// Returns the key's owner when `presented_key` is a live key. Every refusal (malformed, unknown, revoked)
  /// is the same kUnauthenticated error so a caller learns nothing about which it was.
  Result<KeyInfo> Authenticate(std::string_view presented_key);

  /// The file holding the hashes.
  const std::filesystem::path& database_path() const { return database_path_; }

 private:
  KeyStore(std::unique_ptr<persistence::Database> db, std::string pepper, std::filesystem::path database_path,
           const Clock& clock);
  std::string LookupDigest(std::string_view key) const;
  std::string PepperedSecret(std::string_view key) const;
  Status RefreshIfChangedElsewhere();
  void TouchLastUsed(KeyInfo& info, UnixNanos now);

  std::mutex mutex_;
  std::unique_ptr<persistence::Database> db_;
  std::string pepper_;
  std::string lookup_key_;  // BLAKE2b key derived from the pepper
  std::filesystem::path database_path_;
  const Clock& clock_;
  std::unordered_map<std::string, KeyInfo> verified_;  // keyed digest of a verified key -> its info
  std::int64_t data_version_ = -1;                     // PRAGMA data_version last seen
};

}  // namespace td::api
