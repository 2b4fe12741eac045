// SPDX-License-Identifier: MIT
// KeyStore on a real SQLite file in a temp dir: creation, lookup, revocation, pepper handling, and that no key
// is ever written in clear.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>

#include "api/auth.hpp"
#include "api/key_store.hpp"
#include "core/clock.hpp"
#include "temp_dir.hpp"

namespace td::api {
namespace {

using testing::ScopedUnsetEnv;
using testing::TempDir;

constexpr UnixNanos kStart = UnixNanos::FromSeconds(1'760'000'000);

std::string ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

unsigned Mode(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 0777;
}

class KeyStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<KeyStore> OpenStore(std::string_view pepper = {}) {
    auto store = KeyStore::Open(dir_.path(), clock_, pepper);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().ToString());
    return store.ok() ? std::move(store).value() : nullptr;
  }

  ScopedUnsetEnv no_env_pepper_{"TRADEDESK_KEY_PEPPER"};
  TempDir dir_;
  TestClock clock_{kStart};
};

TEST_F(KeyStoreTest, CreatesSixtyFourHexKeysWithIdsAndAuthenticatesThem) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto created = store->Create("alice", false, "coach");
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_TRUE(std::regex_match(created->key, std::regex("[0-9a-f]{64}"))) << created->key;
  EXPECT_TRUE(std::regex_match(created->id, std::regex("k_[0-9a-f]{12}"))) << created->id;
  EXPECT_EQ(created->info.id, created->id);
  EXPECT_EQ(created->info.created_at, kStart);

  auto who = store->Authenticate(created->key);
  ASSERT_TRUE(who.ok()) << who.error().ToString();
  EXPECT_EQ(who->id, created->id);
  EXPECT_EQ(who->user, "alice");
  EXPECT_FALSE(who->admin);
  EXPECT_EQ(who->label, "coach");
  // The cached path gives the same answer.
  auto again = store->Authenticate(created->key);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->user, "alice");

  auto admin = store->Create("ops", true, "");
  ASSERT_TRUE(admin.ok());
  EXPECT_NE(admin->key, created->key);
  EXPECT_NE(admin->id, created->id);
  EXPECT_TRUE(store->Authenticate(admin->key)->admin);
}

TEST_F(KeyStoreTest, WrongMalformedAndRevokedKeysAreRefusedAlike) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto created = store->Create("alice", false, "");
  ASSERT_TRUE(created.ok());
  std::string wrong = created->key;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  std::string upper = created->key;
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  const std::vector<std::string> refused = {wrong, created->key.substr(0, 63), created->key + "0", upper, "", "k"};
  std::set<std::string> messages;
  for (const std::string& key : refused) {
    auto result = store->Authenticate(key);
    ASSERT_FALSE(result.ok()) << key;
    EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
    messages.insert(result.error().ToString());
  }
  ASSERT_TRUE(store->Authenticate(created->key).ok());  // now cached
  ASSERT_TRUE(store->Revoke(created->id).ok());
  auto revoked = store->Authenticate(created->key);
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.error().code, ErrorCode::kUnauthenticated);
  messages.insert(revoked.error().ToString());
  EXPECT_EQ(messages.size(), 1u) << "every refusal must read the same";

  EXPECT_TRUE(store->Revoke(created->id).ok()) << "revoking twice is harmless";
  EXPECT_EQ(store->Revoke("k_000000000000").error().code, ErrorCode::kNotFound);
}

TEST_F(KeyStoreTest, ListShowsMetadataButNoSecretsAndTracksLastUse) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto alice = store->Create("alice", false, "laptop");
  clock_.Advance(std::chrono::seconds(5));
  auto ops = store->Create("ops", true, "gateway");
  ASSERT_TRUE(alice.ok() && ops.ok());
  clock_.Advance(std::chrono::seconds(5));
  ASSERT_TRUE(store->Authenticate(alice->key).ok());
  ASSERT_TRUE(store->Revoke(ops->id).ok());

  auto keys = store->List();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].id, alice->id);
  EXPECT_EQ((*keys)[0].label, "laptop");
  EXPECT_EQ((*keys)[0].last_used_at, std::optional<UnixNanos>(kStart + std::chrono::seconds(10)));
  EXPECT_FALSE((*keys)[0].revoked());
  EXPECT_EQ((*keys)[1].id, ops->id);
  EXPECT_TRUE((*keys)[1].admin);
  EXPECT_TRUE((*keys)[1].revoked());
  EXPECT_FALSE((*keys)[1].last_used_at.has_value());
}

TEST_F(KeyStoreTest, RejectsBadUsersAndLabels) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  for (const std::string& user : {std::string(), std::string("a b"), std::string("x|y"), std::string(65, 'a'),
                                   std::string("../etc")}) {
    auto created = store->Create(user, false, "");
    ASSERT_FALSE(created.ok()) << user;
    EXPECT_EQ(created.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(created.error().field, "user");
  }
  EXPECT_EQ(store->Create("alice", false, std::string(201, 'l')).error().field, "label");
  EXPECT_TRUE(store->Create("a.b_c-d@e", false, "").ok());
}

TEST_F(KeyStoreTest, TheDatabaseNeverHoldsAKeyInClear) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  std::vector<std::string> keys;
  for (int i = 0; i < 3; ++i) {
    auto created = store->Create("user" + std::to_string(i), i == 0, "");
    ASSERT_TRUE(created.ok());
    keys.push_back(created->key);
    ASSERT_TRUE(store->Authenticate(created->key).ok());
  }
  std::string bytes;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    if (entry.path().filename().string().rfind("keys.db", 0) == 0) {
      bytes += ReadBytes(entry.path());
    }
  }
  ASSERT_FALSE(bytes.empty());
  EXPECT_NE(bytes.find("$argon2id$"), std::string::npos) << "hashes are argon2id";
  for (const std::string& key : keys) {
    EXPECT_EQ(bytes.find(key), std::string::npos) << "key in clear";
    EXPECT_EQ(bytes.find(key.substr(0, 16)), std::string::npos) << "a fragment of the key in clear";
  }
  EXPECT_EQ(Mode(dir_.path() / "keys.db"), 0600u);
}

TEST_F(KeyStoreTest, PepperFileIsOwnerOnlyAndPersistsAcrossOpens) {
  std::string key;
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    auto created = store->Create("alice", false, "");
    ASSERT_TRUE(created.ok());
    key = created->key;
  }
  const auto pepper = dir_.path() / "key_pepper";
  ASSERT_TRUE(std::filesystem::exists(pepper));
  EXPECT_EQ(Mode(pepper), 0600u);
  EXPECT_TRUE(std::regex_match(ReadBytes(pepper), std::regex("[0-9a-f]{64}\n")));

  auto reopened = OpenStore();
  ASSERT_NE(reopened, nullptr);
  EXPECT_TRUE(reopened->Authenticate(key).ok()) << "a new process verifies keys made by an earlier one";
}

TEST_F(KeyStoreTest, RefusesAPepperFileOthersCanRead) {
  ASSERT_NE(OpenStore(), nullptr);
  ASSERT_EQ(::chmod((dir_.path() / "key_pepper").c_str(), 0644), 0);
  auto store = KeyStore::Open(dir_.path(), clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(KeyStoreTest, RefusesToInventANewPepperForAnExistingDatabase) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Create("alice", false, "").ok());
  }
  std::filesystem::remove(dir_.path() / "key_pepper");
  auto store = KeyStore::Open(dir_.path(), clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "key_pepper"));
}

TEST_F(KeyStoreTest, AGivenPepperIsUsedAndADifferentOneVerifiesNothing) {
  const std::string pepper(40, 'p');
  std::string key;
  {
    auto store = OpenStore(pepper);
    ASSERT_NE(store, nullptr);
    auto created = store->Create("alice", false, "");
    ASSERT_TRUE(created.ok());
    key = created->key;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "key_pepper")) << "a given pepper is never written down";
  auto same = OpenStore(pepper);
  ASSERT_NE(same, nullptr);
  EXPECT_TRUE(same->Authenticate(key).ok());
  auto other = OpenStore(std::string(40, 'q'));
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->Authenticate(key).error().code, ErrorCode::kUnauthenticated);

  auto short_pepper = KeyStore::Open(dir_.path(), clock_, "short");
  ASSERT_FALSE(short_pepper.ok());
  EXPECT_EQ(short_pepper.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(KeyStoreTest, TheEnvironmentPepperIsUsedWhenNoneIsGiven) {
  const std::string pepper(48, 'e');
  ::setenv("TRADEDESK_KEY_PEPPER", pepper.c_str(), 1);
  std::string key;
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    auto created = store->Create("alice", false, "");
    ASSERT_TRUE(created.ok());
    key = created->key;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "key_pepper"));
  auto given = OpenStore(pepper);
  ASSERT_NE(given, nullptr);
  EXPECT_TRUE(given->Authenticate(key).ok()) << "env and given pepper are the same secret";
}

TEST_F(KeyStoreTest, ARevocationByAnotherConnectionTakesEffectOnTheNextLookup) {
  auto server_store = OpenStore();
  ASSERT_NE(server_store, nullptr);
  auto created = server_store->Create("alice", false, "");
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(server_store->Authenticate(created->key).ok());  // cached in the server's store

  auto cli_store = OpenStore();  // like `tradedesk keys revoke` in another process
  ASSERT_NE(cli_store, nullptr);
  ASSERT_TRUE(cli_store->Revoke(created->id).ok());

  auto after = server_store->Authenticate(created->key);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, ErrorCode::kUnauthenticated);
}

TEST(ConstantTimeEquals, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("xbc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(ApiKeyShape, IsSixtyFourLowercaseHex) {
  EXPECT_TRUE(IsWellFormedApiKey(std::string(64, 'a')));
  EXPECT_FALSE(IsWellFormedApiKey(std::string(64, 'A')));
  EXPECT_FALSE(IsWellFormedApiKey(std::string(64, 'g')));
  EXPECT_FALSE(IsWellFormedApiKey(std::string(63, 'a')));
}

}  // namespace
}  // namespace td::api
