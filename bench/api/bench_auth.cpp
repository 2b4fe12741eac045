// SPDX-License-Identifier: MIT
// Cost of authentication per request: a cached key (the steady state), an unknown well-formed key (one indexed
// lookup, never argon2), the first use of a key (argon2id verify), and a view-token check.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "api/auth.hpp"
#include "api/key_store.hpp"
#include "api/view_token.hpp"
#include "core/clock.hpp"

namespace td::api {
namespace {

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("td-bench-auth-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    auto opened = KeyStore::Open(dir, clock, std::string(40, 'p'));
    if (opened.ok()) {
      store = std::move(opened).value();
      auto made = store->Create("alice", false, "bench");
      if (made.ok()) {
        key = made->key;
      }
    }
  }
  ~Fixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  TestClock clock{UnixNanos::FromSeconds(1'760'000'000)};
  std::filesystem::path dir;
  std::unique_ptr<KeyStore> store;
  std::string key;
};

void CachedKey(benchmark::State& state) {
  Fixture fixture;
  if (!fixture.store || !fixture.store->Authenticate(fixture.key).ok()) {
    state.SkipWithError("setup failed");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(fixture.store->Authenticate(fixture.key));
  }
}
BENCHMARK(CachedKey);

void UnknownKey(benchmark::State& state) {
  Fixture fixture;
  if (!fixture.store) {
    state.SkipWithError("setup failed");
    return;
  }
  const std::string unknown(64, 'e');
  for (auto _ : state) {
    benchmark::DoNotOptimize(fixture.store->Authenticate(unknown));
  }
}
BENCHMARK(UnknownKey);

void FirstUseArgon2(benchmark::State& state) {
  Fixture fixture;
  if (!fixture.store) {
    state.SkipWithError("setup failed");
    return;
  }
  for (auto _ : state) {
    // A fresh store has an empty cache, so each Authenticate pays one argon2id verification.
    state.PauseTiming();
    auto fresh = KeyStore::Open(fixture.dir, fixture.clock, std::string(40, 'p'));
    state.ResumeTiming();
    benchmark::DoNotOptimize((*fresh)->Authenticate(fixture.key));
  }
}
BENCHMARK(FirstUseArgon2)->Unit(benchmark::kMillisecond)->Iterations(5);

void ViewTokenVerify(benchmark::State& state) {
  std::array<unsigned char, 32> secret{};
  secret.fill(1);
  const ViewTokenSigner signer = ViewTokenSigner::FromSecret(secret);
  const UnixNanos now = UnixNanos::FromSeconds(1'760'000'000);
  const std::string token = signer.Mint("plan-123", "alice", now + std::chrono::hours(24));
  for (auto _ : state) {
    benchmark::DoNotOptimize(signer.Verify(token, "plan-123", now));
  }
}
BENCHMARK(ViewTokenVerify);

}  // namespace
}  // namespace td::api

BENCHMARK_MAIN();
