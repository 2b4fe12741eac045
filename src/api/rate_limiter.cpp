// SPDX-License-Identifier: MIT
#include "api/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

#include "core/check.hpp"

namespace td::api {

RateLimiter::RateLimiter(double rate_per_second, double burst, TimeSource now, std::size_t max_keys)
    : rate_(rate_per_second),
      burst_(burst),
      now_(now ? std::move(now) : TimeSource([] { return std::chrono::steady_clock::now(); })),
      max_keys_per_shard_(std::max<std::size_t>(1, max_keys / kShards)) {
  TD_CHECK(rate_per_second > 0 && std::isfinite(rate_per_second)) << "rate " << rate_per_second;
  TD_CHECK(burst >= 1 && std::isfinite(burst)) << "burst " << burst;
}

RateLimiter::Decision RateLimiter::Acquire(std::string_view key, double cost) {
  const auto now = now_();
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_keys_per_shard_) {
      Evict(shard, now);
    }
    it = shard.buckets.emplace(std::string(key), Bucket{burst_, now}).first;
  }
  Bucket& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  if (elapsed > 0) {
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * rate_);
    bucket.updated = now;
  }
  if (bucket.tokens >= cost) {
    bucket.tokens -= cost;
    return Decision{true, std::chrono::milliseconds(0)};
  }
  const double wait_seconds = (cost - bucket.tokens) / rate_;
  const auto wait = std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(wait_seconds * 1000.0)));
  return Decision{false, std::max(wait, std::chrono::milliseconds(1))};
}

void RateLimiter::Evict(Shard& shard, std::chrono::steady_clock::time_point now) {
  // A bucket that would be full again carries no state worth keeping.
  std::erase_if(shard.buckets, [&](const auto& entry) {
    const double elapsed = std::chrono::duration<double>(now - entry.second.updated).count();
    return entry.second.tokens + elapsed * rate_ >= burst_;
  });
  if (shard.buckets.size() >= max_keys_per_shard_) {
    // Still full of active keys: drop the stalest one rather than grow without bound.
    auto oldest = std::min_element(shard.buckets.begin(), shard.buckets.end(),
                                   [](const auto& a, const auto& b) { return a.second.updated < b.second.updated; });
    shard.buckets.erase(oldest);
  }
}

std::size_t RateLimiter::size() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.buckets.size();
  }
  return total;
}

}  // namespace td::api
