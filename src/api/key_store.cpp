// SPDX-License-Identifier: MIT
#include "api/key_store.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <array>
#include <cstdlib>
#include <string>
#include <system_error>
#include <utility>

#include "api/secret_file.hpp"
#include "persistence/migrations.hpp"
#include "persistence/sqlite.hpp"

namespace td::api {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kIdBytes = 6;
constexpr std::size_t kPepperBytes = 32;
constexpr std::size_t kMinGivenPepperChars = 32;
constexpr std::size_t kMaxUserChars = 64;
constexpr std::size_t kMaxLabelChars = 200;
// last_used_at is bookkeeping, not security: one write per key per minute keeps SQLite off the request path.
constexpr Duration kLastUsedWriteInterval = std::chrono::minutes(1);
constexpr std::string_view kPepperEnv = "TRADEDESK_KEY_PEPPER";

constexpr persistence::Migration kMigrations[] = {
    {1, "api_keys",
     "CREATE TABLE api_keys ("
     "  id TEXT PRIMARY KEY,"
     "  user TEXT NOT NULL,"
     "  admin INTEGER NOT NULL CHECK (admin IN (0, 1)),"
     "  label TEXT NOT NULL,"
     "  lookup TEXT NOT NULL UNIQUE,"  // keyed BLAKE2b of the key: finds the row without revealing the key
     "  hash TEXT NOT NULL,"           // argon2id of pepper || key
     "  created_at INTEGER NOT NULL,"
     "  revoked_at INTEGER,"
     "  last_used_at INTEGER"
     ");"},
};

constexpr std::string_view kSelectColumns = "SELECT id, user, admin, label, created_at, revoked_at, last_used_at";

Error Unauthenticated() {
  // One message for malformed, unknown and revoked keys alike: a caller must not learn which it was.
  return Error{ErrorCode::kUnauthenticated, "invalid or missing API key", "Authorization"};
}

std::optional<UnixNanos> OptionalTime(const persistence::Statement& row, int column) {
  if (row.IsNull(column)) {
    return std::nullopt;
  }
  return UnixNanos(row.ColumnInt64(column));
}

KeyInfo ReadInfo(const persistence::Statement& row) {
  KeyInfo info;
  info.id = std::string(row.ColumnText(0));
  info.user = std::string(row.ColumnText(1));
  info.admin = row.ColumnInt64(2) != 0;
  info.label = std::string(row.ColumnText(3));
  info.created_at = UnixNanos(row.ColumnInt64(4));
  info.revoked_at = OptionalTime(row, 5);
  info.last_used_at = OptionalTime(row, 6);
  return info;
}

bool IsUserChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '@' || c == '-';
}

/// Restricts keys.db and its WAL companions to the owner: they hold hashes, which are worth protecting too.
void RestrictToOwner(const std::filesystem::path& database_path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string file = database_path.string() + suffix;
    ::chmod(file.c_str(), 0600);  // a companion file may not exist yet; that is fine
  }
}

}  // namespace

bool IsWellFormedApiKey(std::string_view text) {
  if (text.size() != 2 * kKeyBytes) {
    return false;
  }
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

Status ValidateUserName(std::string_view user, std::string_view field) {
  if (user.empty() || user.size() > kMaxUserChars) {
    return Error::InvalidArgument("user must be 1 to 64 characters", std::string(field));
  }
  for (char c : user) {
    if (!IsUserChar(c)) {
      return Error::InvalidArgument("user may contain only letters, digits and . _ @ -", std::string(field));
    }
  }
  return {};
}

Result<std::unique_ptr<KeyStore>> KeyStore::Open(const std::filesystem::path& data_dir, const Clock& clock,
                                                 std::string_view given_pepper) {
  if (Status ready = EnsureSodium(); !ready.ok()) {
    return ready.error();
  }
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return Error::Io("cannot create data directory " + data_dir.string() + ": " + ec.message());
  }
  const std::filesystem::path database_path = data_dir / "keys.db";
  const std::filesystem::path pepper_path = data_dir / "key_pepper";
  const bool database_existed = std::filesystem::exists(database_path);

  std::string pepper(given_pepper);
  std::string pepper_source = "auth.pepper";
  if (pepper.empty()) {
    if (const char* env = std::getenv(std::string(kPepperEnv).c_str()); env != nullptr) {
      pepper = env;
      pepper_source = std::string(kPepperEnv);
    }
  }
  if (!pepper.empty()) {
    if (pepper.size() < kMinGivenPepperChars) {
      return Error::InvalidArgument("the pepper must be at least 32 characters", pepper_source);
    }
  } else {
    if (database_existed && !std::filesystem::exists(pepper_path)) {
      // A fresh pepper would silently invalidate every stored key; refuse instead of guessing.
      return Error{ErrorCode::kUnavailable,
                   "keys.db exists but its pepper is missing: restore " + pepper_path.string() +
                       " or set TRADEDESK_AUTH__PEPPER",
                   {}};
    }
    auto loaded = LoadOrCreateSecretFile(pepper_path, kPepperBytes);
    if (!loaded.ok()) {
      return loaded.error();
    }
    pepper = std::move(loaded).value();
  }

  auto db = persistence::Database::Open(database_path);
  if (!db.ok()) {
    return db.error();
  }
  RestrictToOwner(database_path);
  if (auto migrated = persistence::Migrate(*db, kMigrations); !migrated.ok()) {
    return migrated.error();
  }
  RestrictToOwner(database_path);
  auto database = std::make_unique<persistence::Database>(std::move(db).value());
  return std::unique_ptr<KeyStore>(new KeyStore(std::move(database), std::move(pepper), database_path, clock));
}

KeyStore::KeyStore(std::unique_ptr<persistence::Database> db, std::string pepper, std::filesystem::path database_path,
                   const Clock& clock)
    : db_(std::move(db)), pepper_(std::move(pepper)), database_path_(std::move(database_path)), clock_(clock) {
  // The lookup digest is keyed with a value derived from the pepper, so keys.db alone cannot confirm a guess.
  lookup_key_.resize(crypto_generichash_KEYBYTES);
  const std::string context = "tradedesk api key lookup|" + pepper_;
  crypto_generichash(reinterpret_cast<unsigned char*>(lookup_key_.data()), lookup_key_.size(),
                     reinterpret_cast<const unsigned char*>(context.data()), context.size(), nullptr, 0);
}

KeyStore::~KeyStore() {
  sodium_memzero(pepper_.data(), pepper_.size());
  sodium_memzero(lookup_key_.data(), lookup_key_.size());
}

std::string KeyStore::LookupDigest(std::string_view key) const {
  std::array<unsigned char, 32> digest{};
  crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     reinterpret_cast<const unsigned char*>(lookup_key_.data()), lookup_key_.size());
  return ToHex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string KeyStore::PepperedSecret(std::string_view key) const {
  std::string secret = pepper_;
  secret.append(key);
  return secret;
}

Result<CreatedKey> KeyStore::Create(std::string user, bool admin, std::string label) {
  if (Status valid = ValidateUserName(user, "user"); !valid.ok()) {
    return valid.error();
  }
  if (label.size() > kMaxLabelChars) {
    return Error::InvalidArgument("label must be at most 200 characters", "label");
  }
  std::string raw(kKeyBytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  CreatedKey created;
  created.key = ToHex(raw);
  sodium_memzero(raw.data(), raw.size());

  std::string secret = PepperedSecret(created.key);
  std::array<char, crypto_pwhash_STRBYTES> hash{};
  const int hashed = crypto_pwhash_str(hash.data(), secret.data(), secret.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE);
  sodium_memzero(secret.data(), secret.size());
  if (hashed != 0) {
    return Error::Internal("argon2id hashing failed (out of memory?)");
  }
  const std::string lookup = LookupDigest(created.key);

  std::lock_guard lock(mutex_);
  const UnixNanos now = clock_.Now();
  // A 48-bit id can collide; try a few fresh ids before giving up.
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string id_bytes(kIdBytes, '\0');
    randombytes_buf(id_bytes.data(), id_bytes.size());
    const std::string id = "k_" + ToHex(id_bytes);
    auto exists = db_->Prepare("SELECT 1 FROM api_keys WHERE id = ?1");
    if (!exists.ok()) {
      return exists.error();
    }
    if (Status bound = exists->Bind(1, id); !bound.ok()) {
      return bound.error();
    }
    auto row = exists->Step();
    if (!row.ok()) {
      return row.error();
    }
    if (*row) {
      continue;
    }
    auto insert = db_->Prepare(
        "INSERT INTO api_keys (id, user, admin, label, lookup, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!insert.ok()) {
      return insert.error();
    }
    for (Status bound : {insert->Bind(1, id), insert->Bind(2, user), insert->Bind(3, admin ? 1 : 0),
                         insert->Bind(4, label), insert->Bind(5, lookup), insert->Bind(6, std::string_view(hash.data())),
                         insert->Bind(7, now.nanos())}) {
      if (!bound.ok()) {
        return bound.error();
      }
    }
    if (Status ran = insert->Run(); !ran.ok()) {
      return ran.error();
    }
    RestrictToOwner(database_path_);
    created.id = id;
    created.info.id = id;
    created.info.user = std::move(user);
    created.info.admin = admin;
    created.info.label = std::move(label);
    created.info.created_at = now;
    return created;
  }
  return Error::Internal("could not allocate a unique key id");
}

Result<std::vector<KeyInfo>> KeyStore::List() {
  std::lock_guard lock(mutex_);
  auto query = db_->Prepare(std::string(kSelectColumns) + " FROM api_keys ORDER BY created_at, id");
  if (!query.ok()) {
    return query.error();
  }
  std::vector<KeyInfo> keys;
  while (true) {
    auto row = query->Step();
    if (!row.ok()) {
      return row.error();
    }
    if (!*row) {
      break;
    }
    keys.push_back(ReadInfo(*query));
  }
  return keys;
}

Status KeyStore::Revoke(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto update = db_->Prepare("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?1) WHERE id = ?2");
  if (!update.ok()) {
    return update.error();
  }
  if (Status bound = update->Bind(1, clock_.Now().nanos()); !bound.ok()) {
    return bound;
  }
  if (Status bound = update->Bind(2, id); !bound.ok()) {
    return bound;
  }
  if (Status ran = update->Run(); !ran.ok()) {
    return ran;
  }
  if (db_->Changes() == 0) {
    return Error::NotFound("no API key with id " + std::string(id), "id");
  }
  for (auto it = verified_.begin(); it != verified_.end();) {
    it = it->second.id == id ? verified_.erase(it) : std::next(it);
  }
  return {};
}

Status KeyStore::RefreshIfChangedElsewhere() {
  // PRAGMA data_version changes when another connection (e.g. `tradedesk keys revoke` in another process)
  // commits; only then is the cache re-checked against the file, so the common path stays in memory.
  auto version = db_->QueryInt64("PRAGMA data_version");
  if (!version.ok()) {
    return version.error();
  }
  if (*version == data_version_) {
    return {};
  }
  data_version_ = *version;
  if (verified_.empty()) {
    return {};
  }
  auto query = db_->Prepare("SELECT id FROM api_keys WHERE revoked_at IS NULL");
  if (!query.ok()) {
    return query.error();
  }
  std::unordered_map<std::string, bool> live;
  while (true) {
    auto row = query->Step();
    if (!row.ok()) {
      return row.error();
    }
    if (!*row) {
      break;
    }
    live.emplace(std::string(query->ColumnText(0)), true);
  }
  for (auto it = verified_.begin(); it != verified_.end();) {
    it = live.count(it->second.id) == 0 ? verified_.erase(it) : std::next(it);
  }
  return {};
}

Result<KeyInfo> KeyStore::Authenticate(std::string_view presented_key) {
  if (!IsWellFormedApiKey(presented_key)) {
    return Unauthenticated();
  }
  const std::string lookup = LookupDigest(presented_key);
  std::string hash;
  KeyInfo candidate;
  {
    std::lock_guard lock(mutex_);
    if (Status fresh = RefreshIfChangedElsewhere(); !fresh.ok()) {
      return fresh.error();
    }
    const UnixNanos now = clock_.Now();
    if (auto hit = verified_.find(lookup); hit != verified_.end()) {
      KeyInfo info = hit->second;
      TouchLastUsed(info, now);
      hit->second.last_used_at = info.last_used_at;
      return info;
    }
    auto query = db_->Prepare(std::string(kSelectColumns) + ", hash FROM api_keys WHERE lookup = ?1");
    if (!query.ok()) {
      return query.error();
    }
    if (Status bound = query->Bind(1, lookup); !bound.ok()) {
      return bound.error();
    }
    auto row = query->Step();
    if (!row.ok()) {
      return row.error();
    }
    if (!*row) {
      return Unauthenticated();
    }
    candidate = ReadInfo(*query);
    hash = std::string(query->ColumnText(7));
  }
  if (candidate.revoked()) {
    return Unauthenticated();
  }
  // argon2 verification is slow by design (tens of milliseconds); it runs without the lock and once per key per
  // process: afterwards the keyed digest in verified_ stands for it.
  std::string secret = PepperedSecret(presented_key);
  const int verified = crypto_pwhash_str_verify(hash.c_str(), secret.data(), secret.size());
  sodium_memzero(secret.data(), secret.size());
  if (verified != 0) {
    return Unauthenticated();
  }
  std::lock_guard lock(mutex_);
  // A revocation may have landed while argon2 ran.
  auto recheck = db_->Prepare("SELECT revoked_at IS NULL FROM api_keys WHERE id = ?1");
  if (!recheck.ok()) {
    return recheck.error();
  }
  if (Status bound = recheck->Bind(1, candidate.id); !bound.ok()) {
    return bound.error();
  }
  auto row = recheck->Step();
  if (!row.ok()) {
    return row.error();
  }
  if (!*row || recheck->ColumnInt64(0) == 0) {
    return Unauthenticated();
  }
  TouchLastUsed(candidate, clock_.Now());
  verified_[lookup] = candidate;
  return candidate;
}

void KeyStore::TouchLastUsed(KeyInfo& info, UnixNanos now) {
  if (info.last_used_at && now - *info.last_used_at < kLastUsedWriteInterval) {
    return;
  }
  info.last_used_at = now;
  auto update = db_->Prepare("UPDATE api_keys SET last_used_at = ?1 WHERE id = ?2");
  if (update.ok() && update->Bind(1, now.nanos()).ok() && update->Bind(2, info.id).ok()) {
    // Bookkeeping only: a failed write must not refuse an otherwise valid request.
    (void)update->Run();
  }
}

}  // namespace td::api
