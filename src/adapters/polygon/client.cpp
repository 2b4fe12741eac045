// SPDX-License-Identifier: MIT
#include "adapters/polygon/client.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <thread>

#include "core/clock.hpp"

namespace td::adapters::polygon {

namespace {

using std::chrono::milliseconds;

UnixNanos WallNow() { return LiveClock().Now(); }

double SteadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

PolygonDataClient::PolygonDataClient(PolygonConfig config)
    : config_(std::move(config)),
      bucket_(config_.rate_per_second, config_.burst),
      backoff_(config_.retry_base, config_.max_retry_wait) {
  status_.source = "polygon";
}

data::DataCapabilities PolygonDataClient::capabilities() const {
  data::DataCapabilities caps;
  caps.history = true;
  return caps;
}

Status PolygonDataClient::Connect(data::MarketEventSink& sink) {
  TD_TRY(config_.Validate());
  {
    std::lock_guard lock(mutex_);
    sink_ = &sink;
    status_.connected = true;
  }
  Publish();
  return {};
}

void PolygonDataClient::Disconnect() {
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

Status PolygonDataClient::Subscribe(const data::Subscription& subscription) {
  return Error::Unprocessable("polygon serves history only; no stream for " + subscription.instrument.value(), "kind");
}

Status PolygonDataClient::Unsubscribe(const data::Subscription& subscription) {
  return Error::NotFound("polygon has no subscriptions (" + subscription.instrument.value() + ")", "instrument");
}

data::FeedStatus PolygonDataClient::status() const {
  std::lock_guard lock(mutex_);
  data::FeedStatus copy = status_;
  copy.ts_event = WallNow();
  return copy;
}

void PolygonDataClient::Publish() {
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

Result<net::HttpResponse> PolygonDataClient::Get(const std::string& url) {
  std::lock_guard http_lock(http_mutex_);
  net::HttpRequest request;
  request.url = url;
  request.headers = {{"Authorization", "Bearer " + config_.api_key}, {"Accept", "application/json"}};
  request.timeout = config_.http_timeout;
  for (int attempt = 0;; ++attempt) {
    while (!bucket_.TryTake(SteadySeconds())) {
      std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.001, bucket_.WaitSeconds(SteadySeconds()))));
    }
    auto response = http_.Send(request);
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
    logger_.Warn("polygon rate limited; waiting", {{"wait_ms", wait.count()}, {"attempt", attempt + 1}});
    std::this_thread::sleep_for(wait);
  }
}

Result<std::vector<Bar>> PolygonDataClient::RequestBars(const InstrumentId& instrument, BarSpec spec, UnixNanos from,
                                                        UnixNanos to) {
  TD_TRY(config_.Validate());
  auto ticker = PolygonTicker(instrument);
  if (!ticker.ok()) {
    return ticker.error();
  }
  if (spec.step == 0) {
    return Error::InvalidArgument("bar step must be positive", "spec");
  }
  if (to <= from) {
    return std::vector<Bar>{};
  }
  const ParseOptions options{config_.price_precision, config_.volume_precision};
  std::string url = config_.base_url +
                    AggregatesPath(*ticker, spec, from.millis(), (to - std::chrono::milliseconds(1)).millis(),
                                   config_.adjusted, config_.page_limit);
  std::vector<Bar> bars;
  auto fail = [&](Error error) -> Error {
    {
      std::lock_guard lock(mutex_);
      status_.last_error = error.ToString();
    }
    Publish();
    return error;
  };
  for (int page_number = 0; !url.empty(); ++page_number) {
    if (page_number >= config_.max_pages) {
      return fail(Error::Unprocessable("more than " + std::to_string(config_.max_pages) + " pages for " +
                                       instrument.value() + "; narrow the range", "to"));
    }
    if (!url.starts_with(config_.base_url + "/")) {
      return fail(Error{ErrorCode::kPermissionDenied, "refusing next_url outside " + config_.base_url, "next_url"});
    }
    auto response = Get(url);
    if (!response.ok()) {
      return fail(response.error());
    }
    if (response->status != 200) {
      return fail(ErrorFromResponse(response->status, response->body));
    }
    auto page = ParseAggregates(response->body, options, WallNow());
    if (!page.ok()) {
      {
        std::lock_guard lock(mutex_);
        ++status_.rejects;
      }
      return fail(page.error());
    }
    {
      std::lock_guard lock(mutex_);
      ++status_.messages;
      status_.last_message = WallNow();
      status_.rejects += page->rejected;
      if (page->rejected > 0) {
        status_.last_error = "rows rejected: " + page->first_reject;
      }
    }
    if (page->rejected > 0) {
      logger_.Warn("polygon rows rejected", {{"instrument", instrument.value()},
                                             {"rejected", page->rejected},
                                             {"first", page->first_reject}});
    }
    bars.insert(bars.end(), page->bars.begin(), page->bars.end());
    url = page->next_url;
  }
  std::stable_sort(bars.begin(), bars.end(), [](const Bar& a, const Bar& b) { return a.ts_event < b.ts_event; });
  std::vector<Bar> out;
  out.reserve(bars.size());
  for (const Bar& bar : bars) {
    if (bar.ts_event < from || bar.ts_event >= to) {
      continue;
    }
    if (!out.empty() && out.back().ts_event == bar.ts_event) {
      out.back() = bar;
    } else {
      out.push_back(bar);
    }
  }
  Publish();
  return out;
}

}  // namespace td::adapters::polygon
