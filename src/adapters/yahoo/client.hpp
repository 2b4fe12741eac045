// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/yahoo/config.hpp"
#include "adapters/rest_source/rest_source.hpp"
#include "adapters/yahoo/parse.hpp"
#include "data/data_client.hpp"

namespace td::adapters::yahoo {

/// Yahoo's chart API as a history source (the fallback when the primary vendor's bars are stale). Requests
/// are paced by a token bucket; a 429 waits for Retry-After (or backoff) a bounded number of times. It streams
/// nothing, so Connect only checks the configuration and publishes the source's status.
class YahooDataClient final : public data::DataClient {
 public:
  explicit YahooDataClient(YahooConfig config);

  std::string_view name() const override { return "yahoo"; }
  data::DataCapabilities capabilities() const override;

  Status Connect(data::MarketEventSink& sink) override;
  void Disconnect() override;
  /// Always refused: this client serves history only.
  Status Subscribe(const data::Subscription& subscription) override;
  Status Unsubscribe(const data::Subscription& subscription) override;

  /// Bars with start in [from, to); rows with null prices (Yahoo's gaps) are skipped quietly.
  Result<std::vector<Bar>> RequestBars(const InstrumentId& instrument, BarSpec spec, UnixNanos from,
                                       UnixNanos to) override;

  data::FeedStatus status() const;

 private:
  YahooConfig config_;
  RestSource source_;
};

}  // namespace td::adapters::yahoo
