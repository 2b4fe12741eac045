// SPDX-License-Identifier: MIT
#pragma once

// What the API integration tests stand on: ApiWorld, built once per suite (the seeded simulator at a fixed
// instant, a temp directory, and the real key store with keys for two users and an admin), and KeyedDirectory,
// built per test by suites whose tests each need a fresh directory (a trading journal each).

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "api/auth_context.hpp"
#include "core/clock.hpp"
#include "system/market_service.hpp"

namespace td::api::testing {

/// A new, empty directory under the system temp directory, named `<name>-<random>`.
inline std::filesystem::path NewTempDir(std::string_view name) {
  std::random_device random;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / (std::string(name) + "-" + std::to_string(random()));
  std::filesystem::create_directories(dir);
  return dir;
}

/// A fresh temp directory holding the real key store (auth on, default rate limits) with one user key,
/// alice's. The caller removes the directory. Failures are gtest failures and leave `key` empty.
struct KeyedDirectory {
  /// The pepper the key store is opened with: a test that reopens it over the same directory needs it.
  static constexpr std::string_view kPepper = "a-test-pepper-of-at-least-thirty-two-characters";

  std::filesystem::path dir;
  AuthContext auth;
  std::string key;  // alice's raw key
  std::string key_id;

  static KeyedDirectory Open(std::string_view name, const Clock& clock) {
    KeyedDirectory out;
    out.dir = NewTempDir(name);
    AuthSettings settings;
    settings.pepper = std::string(kPepper);
    auto opened = OpenAuth(out.dir, settings, clock);
    EXPECT_TRUE(opened.ok()) << opened.error().ToString();
    if (!opened.ok()) return out;
    out.auth = std::move(opened).value();
    auto created = out.auth.keys->Create("alice", false, "test");
    EXPECT_TRUE(created.ok());
    if (created.ok()) {
      out.key = created->key;
      out.key_id = created->id;
    }
    return out;
  }
};

struct ApiWorld {
  std::unique_ptr<TestClock> clock;
  std::unique_ptr<system::MarketService> market;
  std::filesystem::path dir;
  std::unique_ptr<AuthContext> auth;
  // "Authorization: Bearer <key>\r\n" header lines.
  std::string alice;  // user
  std::string bob;    // user
  std::string root;   // admin

  ApiWorld() = default;
  ApiWorld(const ApiWorld&) = delete;
  ApiWorld& operator=(const ApiWorld&) = delete;
  ~ApiWorld() {
    auth.reset();
    market.reset();
    std::error_code ignored;
    if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
  }

  /// Builds the world at `now` in a fresh temp directory named after `name`. Failures are gtest failures and
  /// leave the world partly built (the suite's tests then fail on it).
  static std::unique_ptr<ApiWorld> Create(std::string_view name, UnixNanos now) {
    auto world = std::make_unique<ApiWorld>();
    world->clock = std::make_unique<TestClock>(now);
    auto market = system::MarketService::StartSimulator({.seed = 7, .history_days = 5}, *world->clock);
    EXPECT_TRUE(market.ok()) << market.error().ToString();
    if (!market.ok()) return world;
    world->market = std::move(market).value();
    world->dir = NewTempDir(name);
    AuthSettings settings;
    settings.pepper = std::string(64, 'a');
    settings.rate_per_second = 1000;
    settings.burst = 1000;
    auto auth = OpenAuth(world->dir, settings, *world->clock);
    EXPECT_TRUE(auth.ok()) << auth.error().ToString();
    if (!auth.ok()) return world;
    world->auth = std::make_unique<AuthContext>(std::move(auth).value());
    auto alice = world->auth->keys->Create("alice", false, "test");
    auto bob = world->auth->keys->Create("bob", false, "test");
    auto root = world->auth->keys->Create("root", true, "test");
    EXPECT_TRUE(alice.ok() && bob.ok() && root.ok());
    if (alice.ok() && bob.ok() && root.ok()) {
      world->alice = "Authorization: Bearer " + alice->key + "\r\n";
      world->bob = "Authorization: Bearer " + bob->key + "\r\n";
      world->root = "Authorization: Bearer " + root->key + "\r\n";
    }
    return world;
  }
};

}  // namespace td::api::testing
