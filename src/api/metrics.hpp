// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.hpp"

namespace td::api {

/// HTTP server metrics in Prometheus text exposition format 0.0.4. Recording is a few relaxed atomic adds
/// on pre-allocated slots (no lock, no allocation); routes are registered before serving starts.
class HttpMetrics {
 public:
  /// Pseudo-routes for requests that matched no route pattern.
  static constexpr int kUnmatched = 0;  // 404/405 and friends
  static constexpr int kStatic = 1;     // served from the static directory
  static constexpr int kMalformed = 2;  // unparseable requests (400/413/431)

  /// Latency histogram upper bounds, in seconds.
  static constexpr std::array<double, 14> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   2.5};

  HttpMetrics();
  HttpMetrics(const HttpMetrics&) = delete;
  HttpMetrics& operator=(const HttpMetrics&) = delete;

  /// Returns the slot for a route pattern, creating it on first use. Call before serving starts.
  int RegisterRoute(std::string_view pattern);

  /// Counts one finished request.
  void Record(int route, Method method, int status, std::chrono::nanoseconds latency);
  void RequestStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void RequestFinished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  void StreamOpened() { stream_clients_.fetch_add(1, std::memory_order_relaxed); }
  void StreamClosed(bool dropped);
  void ConnectionOpened() { connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { connections_.fetch_sub(1, std::memory_order_relaxed); }

  /// The requests counted for one route pattern, method and status (for tests and diagnostics).
  std::uint64_t RequestCount(std::string_view pattern, Method method, int status) const;
  std::int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  std::uint64_t dropped_streams() const { return dropped_streams_.load(std::memory_order_relaxed); }

  /// Adds a producer of more exposition text (complete `# HELP`/`# TYPE` families), called on every Render
  /// from the scraping thread after the server's own metrics. Register before serving starts.
  void AddCollector(std::function<std::string()> collector);

  /// The whole exposition text.
  std::string Render() const;

 private:
  /// Status codes with their own counter; anything else is counted under its class ("2xx"...).
  static constexpr std::array<int, 33> kStatuses = {101, 200, 201, 202, 204, 206, 301, 302, 304, 307, 308,
                                                    400, 401, 403, 404, 405, 406, 408, 409, 410, 411, 412,
                                                    413, 414, 415, 416, 422, 429, 431, 500, 501, 503, 504};
  static constexpr std::size_t kStatusSlots = kStatuses.size() + 5;  // + 1xx..5xx fallbacks

  struct RouteStats {
    std::string pattern;
    std::array<std::array<std::atomic<std::uint64_t>, kStatusSlots>, kMethodCount> counts{};
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<std::uint64_t> latency_count{0};
    std::atomic<std::uint64_t> latency_sum_ns{0};
  };

  static std::size_t StatusSlot(int status);
  static std::string StatusLabel(std::size_t slot);

  mutable std::mutex register_mutex_;
  std::deque<RouteStats> routes_;  // deque: stable addresses while registering
  std::vector<std::function<std::string()>> collectors_;
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::int64_t> stream_clients_{0};
  std::atomic<std::int64_t> connections_{0};
  std::atomic<std::uint64_t> dropped_streams_{0};
  double process_start_seconds_;
};

/// Process start time in seconds since the Unix epoch (from /proc when available).
double ProcessStartTimeSeconds();

}  // namespace td::api
