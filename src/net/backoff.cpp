// SPDX-License-Identifier: MIT
#include "net/backoff.hpp"

#include <algorithm>
#include <charconv>

namespace td::net {

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value) {
  double seconds = 0.0;
  const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || ec != std::errc() || ptr != value.data() + value.size() || seconds < 0.0 || seconds > 86400) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

std::chrono::milliseconds Backoff::Next() {
  // splitmix64: tiny, seedable, good enough for jitter.
  state_ += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  const double unit = static_cast<double>(z >> 11) * 0x1.0p-53;
  const int shift = std::min(attempt_, 30);
  const double ceiling =
      std::min(static_cast<double>(max_.count()), static_cast<double>(base_.count()) * static_cast<double>(1LL << shift));
  ++attempt_;
  return std::chrono::milliseconds(static_cast<std::int64_t>(ceiling / 2.0 + unit * ceiling / 2.0));
}

void TokenBucket::Refill(double now_seconds) {
  if (last_ >= 0.0 && now_seconds > last_) {
    tokens_ = std::min(burst_, tokens_ + (now_seconds - last_) * rate_);
  }
  if (now_seconds > last_) {
    last_ = now_seconds;
  }
}

bool TokenBucket::TryTake(double now_seconds) {
  Refill(now_seconds);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return true;
  }
  return false;
}

double TokenBucket::WaitSeconds(double now_seconds) {
  Refill(now_seconds);
  return tokens_ >= 1.0 || rate_ <= 0.0 ? 0.0 : (1.0 - tokens_) / rate_;
}

}  // namespace td::net
