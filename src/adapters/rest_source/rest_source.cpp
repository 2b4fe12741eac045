// SPDX-License-Identifier: MIT
#include "adapters/rest_source/rest_source.hpp"

#include <algorithm>
#include <thread>

#include "core/clock.hpp"

namespace td::adapters {

namespace {

UnixNanos WallNow() { return LiveClock().Now(); }

double SteadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

RestSource::RestSource(std::string name, RestPacing pacing, net::HttpClientOptions http)
    : name_(std::move(name)),
      pacing_(pacing),
      logger_(name_),
      http_(std::move(http)),
      bucket_(pacing_.rate_per_second, pacing_.burst),
      backoff_(pacing_.retry_base, pacing_.max_retry_wait) {
  status_.source = name_;
}

void RestSource::Connect(data::MarketEventSink& sink) {
  {
    std::lock_guard lock(mutex_);
    sink_ = &sink;
    status_.connected = true;
  }
  Publish();
}

void RestSource::Disconnect() {
  {
    std::lock_guard lock(mutex_);
    if (sink_ == nullptr) {
      return;
    }
    status_.connected = false;
  }
  Publish();
  std::lock_guard lock(mutex_);
  sink_ = nullptr;
}

Status RestSource::RefuseSubscribe(const data::Subscription& subscription, std::string_view what_it_serves) const {
  return Error::Unprocessable(name_ + " " + std::string(what_it_serves) + "; no stream for " +
                                  subscription.instrument.value(),
                              "kind");
}

Status RestSource::RefuseUnsubscribe(const data::Subscription& subscription) const {
  return Error::NotFound(name_ + " has no subscriptions (" + subscription.instrument.value() + ")", "instrument");
}

Result<net::HttpResponse> RestSource::Get(const std::string& url,
                                          std::vector<std::pair<std::string, std::string>> headers) {
  std::lock_guard http_lock(http_mutex_);
  net::HttpRequest request;
  request.url = url;
  request.headers = std::move(headers);
  request.timeout = pacing_.http_timeout;
  for (int attempt = 0;; ++attempt) {
    while (!bucket_.TryTake(SteadySeconds())) {
      std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.001, bucket_.WaitSeconds(SteadySeconds()))));
    }
    auto response = http_.Send(request);
    if (!response.ok() || response->status != 429 || attempt >= pacing_.max_rate_limit_retries) {
      if (response.ok() && response->status == 200) {
        backoff_.Reset();
      }
      return response;
    }
    const std::chrono::milliseconds wait =
        net::ParseRetryAfter(response->Header("Retry-After")).value_or(backoff_.Next());
    if (wait > pacing_.max_retry_wait) {
      return response;
    }
    logger_.Warn(name_ + " rate limited; waiting", {{"wait_ms", wait.count()}, {"attempt", attempt + 1}});
    std::this_thread::sleep_for(wait);
  }
}

void RestSource::Count(bool parsed, std::size_t rejected_rows, const std::string& error) {
  std::lock_guard lock(mutex_);
  if (parsed) {
    ++status_.messages;
    status_.last_message = WallNow();
  } else {
    ++status_.rejects;
  }
  status_.rejects += rejected_rows;
  if (!error.empty()) {
    status_.last_error = error;
  }
}

Error RestSource::Fail(Error error) {
  {
    std::lock_guard lock(mutex_);
    status_.last_error = error.ToString();
  }
  Publish();
  return error;
}

data::FeedStatus RestSource::status() const {
  std::lock_guard lock(mutex_);
  data::FeedStatus copy = status_;
  copy.ts_event = WallNow();
  return copy;
}

void RestSource::Publish() {
  data::PublishFeedStatus(mutex_, status_, sink_, WallNow());
}

}  // namespace td::adapters
