// SPDX-License-Identifier: MIT
#include "adapters/yahoo/client.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <thread>

#include "core/clock.hpp"

namespace td::adapters::yahoo {

namespace {

using std::chrono::milliseconds;

UnixNanos WallNow() { return LiveClock().Now(); }

double SteadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

YahooDataClient::YahooDataClient(YahooConfig config)
    : config_(std::move(config)),
      http_(std::make_unique<net::HttpClient>(net::HttpClientOptions{config_.user_agent, 64 * 1024 * 1024, true})),
      bucket_(config_.rate_per_second, config_.burst),
      backoff_(config_.retry_base, config_.max_retry_wait) {
  status_.source = "yahoo";
}

data::DataCapabilities YahooDataClient::capabilities() const {
  data::DataCapabilities caps;
  caps.history = true;
  return caps;
}

Status YahooDataClient::Connect(data::MarketEventSink& sink) {
  TD_TRY(config_.Validate());
  {
    std::lock_guard lock(mutex_);
    sink_ = &sink;
    status_.connected = true;
  }
  Publish();
  return {};
}

void YahooDataClient::Disconnect() {
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

Status YahooDataClient::Subscribe(const data::Subscription& subscription) {
  return Error::Unprocessable("yahoo serves history only; no stream for " + subscription.instrument.value(), "kind");
}

Status YahooDataClient::Unsubscribe(const data::Subscription& subscription) {
  return Error::NotFound("yahoo has no subscriptions (" + subscription.instrument.value() + ")", "instrument");
}

data::FeedStatus YahooDataClient::status() const {
  std::lock_guard lock(mutex_);
  data::FeedStatus copy = status_;
  copy.ts_event = WallNow();
  return copy;
}

void YahooDataClient::Publish() {
  data::MarketEventSink* sink = nullptr;
  data::FeedStatus copy;
  {
    std::lock_guard lock(mutex_);
    status_.ts_event = WallNow();
    sink = sink_;
    copy = status_;
  }
  if (sink != nullptr) {
    sink->OnEvent(data::MarketEvent(std::move(copy)));
  }
}

Result<net::HttpResponse> YahooDataClient::Get(const std::string& url) {
  std::lock_guard http_lock(http_mutex_);
  net::HttpRequest request;
  request.url = url;
  request.headers = {{"Accept", "application/json"}};
  request.timeout = config_.http_timeout;
  for (int attempt = 0;; ++attempt) {
    while (!bucket_.TryTake(SteadySeconds())) {
      std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.001, bucket_.WaitSeconds(SteadySeconds()))));
    }
    auto response = http_->Send(request);
    if (!response.ok() || response->status != 429 || attempt >= config_.max_rate_limit_retries) {
      if (response.ok() && response->status == 200) {
        backoff_.Reset();
      }
      return response;
    }
    const milliseconds wait = net::ParseRetryAfter(response->Header("Retry-After")).value_or(backoff_.Next());
    if (wait > config_.max_retry_wait) {
      return response;
    }
    logger_.Warn("yahoo rate limited; waiting", {{"wait_ms", wait.count()}, {"attempt", attempt + 1}});
    std::this_thread::sleep_for(wait);
  }
}

Result<std::vector<Bar>> YahooDataClient::RequestBars(const InstrumentId& instrument, BarSpec spec, UnixNanos from,
                                                      UnixNanos to) {
  TD_TRY(config_.Validate());
  auto symbol = YahooSymbol(instrument);
  if (!symbol.ok()) {
    return symbol.error();
  }
  auto interval = YahooInterval(spec);
  if (!interval.ok()) {
    return interval.error();
  }
  if (to <= from) {
    return std::vector<Bar>{};
  }
  auto fail = [&](Error error) -> Error {
    {
      std::lock_guard lock(mutex_);
      status_.last_error = error.ToString();
    }
    Publish();
    return error;
  };
  const std::int64_t period2 = (to.nanos() + 999'999'999) / 1'000'000'000;
  auto response = Get(config_.base_url + ChartPath(*symbol, from.seconds(), period2, *interval, config_.include_pre_post));
  if (!response.ok()) {
    return fail(response.error());
  }
  if (response->status != 200) {
    return fail(ErrorFromResponse(response->status, response->body));
  }
  const ParseOptions options{config_.price_precision, config_.use_price_hint, config_.volume_precision};
  auto parsed = ParseChart(response->body, options, WallNow());
  if (!parsed.ok()) {
    if (parsed.error().code == ErrorCode::kInvalidArgument) {
      std::lock_guard lock(mutex_);
      ++status_.rejects;
    }
    return fail(parsed.error());
  }
  {
    std::lock_guard lock(mutex_);
    ++status_.messages;
    status_.last_message = WallNow();
    status_.rejects += parsed->rejected;
    if (parsed->rejected > 0) {
      status_.last_error = "rows rejected: " + parsed->first_reject;
    }
  }
  if (parsed->rejected > 0) {
    logger_.Warn("yahoo rows rejected",
                 {{"instrument", instrument.value()}, {"rejected", parsed->rejected}, {"first", parsed->first_reject}});
  }
  if (parsed->skipped_nulls > 0) {
    logger_.Debug("yahoo rows with null prices skipped",
                  {{"instrument", instrument.value()}, {"skipped", parsed->skipped_nulls}});
  }
  std::vector<Bar> out;
  for (const Bar& bar : parsed->bars) {
    if (bar.ts_event >= from && bar.ts_event < to) {
      out.push_back(bar);
    }
  }
  Publish();
  return out;
}

}  // namespace td::adapters::yahoo
