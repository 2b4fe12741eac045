// SPDX-License-Identifier: MIT
#include "adapters/yahoo/client.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>

#include "core/clock.hpp"

namespace td::adapters::yahoo {

namespace {

UnixNanos WallNow() { return LiveClock().Now(); }

}  // namespace

YahooDataClient::YahooDataClient(YahooConfig config)
    : config_(std::move(config)),
      source_("yahoo", PacingOf(config_), net::HttpClientOptions{config_.user_agent, 64 * 1024 * 1024, true}) {}

data::DataCapabilities YahooDataClient::capabilities() const {
  data::DataCapabilities caps;
  caps.history = true;
  return caps;
}

Status YahooDataClient::Connect(data::MarketEventSink& sink) {
  TD_TRY(config_.Validate());
  source_.Connect(sink);
  return {};
}

void YahooDataClient::Disconnect() { source_.Disconnect(); }

Status YahooDataClient::Subscribe(const data::Subscription& subscription) {
  return source_.RefuseSubscribe(subscription, "serves history only");
}

Status YahooDataClient::Unsubscribe(const data::Subscription& subscription) {
  return source_.RefuseUnsubscribe(subscription);
}

data::FeedStatus YahooDataClient::status() const { return source_.status(); }

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
  auto fail = [&](Error error) -> Error { return source_.Fail(std::move(error)); };
  const std::int64_t period2 = (to.nanos() + 999'999'999) / 1'000'000'000;
  auto response = source_.Get(
      config_.base_url + ChartPath(*symbol, from.seconds(), period2, *interval, config_.include_pre_post),
      {{"Accept", "application/json"}});
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
      source_.Count(false, 0, "");
    }
    return fail(parsed.error());
  }
  source_.Count(true, parsed->rejected, parsed->rejected > 0 ? "rows rejected: " + parsed->first_reject : "");
  if (parsed->rejected > 0) {
    source_.logger().Warn("yahoo rows rejected",
                 {{"instrument", instrument.value()}, {"rejected", parsed->rejected}, {"first", parsed->first_reject}});
  }
  if (parsed->skipped_nulls > 0) {
    source_.logger().Debug("yahoo rows with null prices skipped",
                  {{"instrument", instrument.value()}, {"skipped", parsed->skipped_nulls}});
  }
  std::vector<Bar> out;
  for (const Bar& bar : parsed->bars) {
    if (bar.ts_event >= from && bar.ts_event < to) {
      out.push_back(bar);
    }
  }
  source_.Publish();
  return out;
}

}  // namespace td::adapters::yahoo
