// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/log.hpp"
#include "core/result.hpp"
#include "data/data_client.hpp"
#include "net/backoff.hpp"
#include "net/http_client.hpp"

namespace td::adapters {

/// How a REST source paces its requests: a token bucket, and on a 429 a wait for Retry-After (or the backoff)
/// retried at most `max_rate_limit_retries` times; a wait longer than `max_retry_wait` answers the 429 at once.
struct RestPacing {
  double rate_per_second = 1.0;
  double burst = 1.0;
  int max_rate_limit_retries = 3;
  std::chrono::milliseconds retry_base{1000};
  std::chrono::milliseconds max_retry_wait{60000};
  std::chrono::milliseconds http_timeout{15000};
};

/// The pacing fields every vendor config carries under the same names.
template <typename Config>
RestPacing PacingOf(const Config& config) {
  return RestPacing{config.rate_per_second, config.burst,          config.max_rate_limit_retries,
                    config.retry_base,      config.max_retry_wait, config.http_timeout};
}

/// What the request-only market-data sources (Polygon, Yahoo, Tradier) share: the FeedStatus they publish to
/// their sink, the refusal of stream subscriptions, answer counters, and paced GETs. Thread-safe; GETs are
/// serialised (one HTTP connection per host).
class RestSource {
 public:
  RestSource(std::string name, RestPacing pacing, net::HttpClientOptions http = {});

  const std::string& name() const { return name_; }
  /// Connected, publishing to `sink` (the caller has validated its configuration).
  void Connect(data::MarketEventSink& sink);
  void Disconnect();
  /// A request-only source streams nothing: subscriptions are refused, naming `what_it_serves`.
  Status RefuseSubscribe(const data::Subscription& subscription, std::string_view what_it_serves) const;
  Status RefuseUnsubscribe(const data::Subscription& subscription) const;

  /// A GET of `url` with `headers`, paced as configured; any HTTP status is a value.
  Result<net::HttpResponse> Get(const std::string& url, std::vector<std::pair<std::string, std::string>> headers);

  /// Counts one answer: parsed (`parsed`) or refused whole, `rejected_rows` dropped inside it, and the error to
  /// show as the last one (empty: keep the previous).
  void Count(bool parsed, std::size_t rejected_rows, const std::string& error);
  /// Records a failed request as the last error and publishes the status; returns the error for chaining.
  Error Fail(Error error);
  data::FeedStatus status() const;
  /// Sends the current status to the sink (if connected).
  void Publish();
  const Logger& logger() const { return logger_; }

 private:
  std::string name_;
  RestPacing pacing_;
  Logger logger_;
  mutable std::mutex mutex_;
  data::MarketEventSink* sink_ = nullptr;
  data::FeedStatus status_;
  std::mutex http_mutex_;
  net::HttpClient http_;
  net::TokenBucket bucket_;
  net::Backoff backoff_;
};

}  // namespace td::adapters
