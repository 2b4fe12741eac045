// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace td::net {

/// An HTTP Retry-After value given as delta-seconds (integer or decimal, at most a day); nullopt for anything
/// else, HTTP dates included (callers fall back to their backoff).
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value);

/// Exponential backoff with full jitter, seeded so a run is reproducible.
/// Delay n (0-based) is uniform in [base·2^n / 2, base·2^n], capped at `max`.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds base, std::chrono::milliseconds max, std::uint64_t seed = 1)
      : base_(base), max_(max), state_(seed == 0 ? 0x9E3779B97F4A7C15ULL : seed) {}

  /// Returns the delay before the next attempt and counts the attempt.
  std::chrono::milliseconds Next();
  /// Starts over after a success.
  void Reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds max_;
  std::uint64_t state_;
  int attempt_ = 0;
};

/// A token bucket: `rate` tokens per second up to `burst`. Not thread-safe; one per client.
class TokenBucket {
 public:
  TokenBucket(double rate_per_second, double burst) : rate_(rate_per_second), burst_(burst), tokens_(burst) {}
  /// Takes one token at time `now_seconds` if available.
  bool TryTake(double now_seconds);
  /// Seconds until a token is available at `now_seconds` (0 when one is).
  double WaitSeconds(double now_seconds);

 private:
  void Refill(double now_seconds);
  double rate_;
  double burst_;
  double tokens_;
  double last_ = -1.0;
};

}  // namespace td::net
