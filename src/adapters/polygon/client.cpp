// SPDX-License-Identifier: MIT
#include "adapters/polygon/client.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "core/clock.hpp"

namespace td::adapters::polygon {

namespace {

UnixNanos WallNow() { return LiveClock().Now(); }

}  // namespace

PolygonDataClient::PolygonDataClient(PolygonConfig config)
    : config_(std::move(config)), source_("polygon", PacingOf(config_)) {}

data::DataCapabilities PolygonDataClient::capabilities() const {
  data::DataCapabilities caps;
  caps.history = true;
  return caps;
}

Status PolygonDataClient::Connect(data::MarketEventSink& sink) {
  TD_TRY(config_.Validate());
  source_.Connect(sink);
  return {};
}

void PolygonDataClient::Disconnect() { source_.Disconnect(); }

Status PolygonDataClient::Subscribe(const data::Subscription& subscription) {
  return source_.RefuseSubscribe(subscription, "serves history only");
}

Status PolygonDataClient::Unsubscribe(const data::Subscription& subscription) {
  return source_.RefuseUnsubscribe(subscription);
}

data::FeedStatus PolygonDataClient::status() const { return source_.status(); }

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
  auto fail = [&](Error error) -> Error { return source_.Fail(std::move(error)); };
  for (int page_number = 0; !url.empty(); ++page_number) {
    if (page_number >= config_.max_pages) {
      return fail(Error::Unprocessable("more than " + std::to_string(config_.max_pages) + " pages for " +
                                       instrument.value() + "; narrow the range", "to"));
    }
    if (!url.starts_with(config_.base_url + "/")) {
      return fail(Error{ErrorCode::kPermissionDenied, "refusing next_url outside " + config_.base_url, "next_url"});
    }
    auto response = source_.Get(url, {{"Authorization", "Bearer " + config_.api_key}, {"Accept", "application/json"}});
    if (!response.ok()) {
      return fail(response.error());
    }
    if (response->status != 200) {
      return fail(ErrorFromResponse(response->status, response->body));
    }
    auto page = ParseAggregates(response->body, options, WallNow());
    if (!page.ok()) {
      source_.Count(false, 0, "");
      return fail(page.error());
    }
    source_.Count(true, page->rejected, page->rejected > 0 ? "rows rejected: " + page->first_reject : "");
    if (page->rejected > 0) {
      source_.logger().Warn("polygon rows rejected", {{"instrument", instrument.value()},
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
  source_.Publish();
  return out;
}

}  // namespace td::adapters::polygon
