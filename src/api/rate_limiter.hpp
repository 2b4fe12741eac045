// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace td::api {

/// A token bucket per key (principal or client IP): `rate` tokens per second refill up to `burst`.
/// Thread-safe; the key space is sharded so concurrent clients rarely share a lock.
class RateLimiter {
 public:
  using TimeSource = std::function<std::chrono::steady_clock::time_point()>;

  struct Decision {
    bool allowed = true;
    std::chrono::milliseconds retry_after{0};  // when refused: time until one token is available
  };

  /// `rate_per_second` > 0 and `burst` >= 1; `max_keys` bounds memory (idle full buckets are evicted).
  RateLimiter(double rate_per_second, double burst, TimeSource now = {}, std::size_t max_keys = 100000);

  /// Takes `cost` tokens for `key` when available.
  Decision Acquire(std::string_view key, double cost = 1.0);

  double rate_per_second() const { return rate_; }
  double burst() const { return burst_; }
  /// Number of keys currently tracked.
  std::size_t size() const;

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Bucket> buckets;
  };
  static constexpr std::size_t kShards = 16;

  void Evict(Shard& shard, std::chrono::steady_clock::time_point now);

  double rate_;
  double burst_;
  TimeSource now_;
  std::size_t max_keys_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace td::api
