// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/polygon/config.hpp"
#include "adapters/polygon/parse.hpp"
#include "adapters/rest_source/rest_source.hpp"
#include "data/data_client.hpp"

namespace td::adapters::polygon {

/// Polygon (Massive) as a history source: v2 aggregates with next_url pagination, paced by a token bucket;
/// a 429 waits for Retry-After (or backoff) and is retried a bounded number of times. It streams nothing, so
/// Connect only checks the configuration and publishes the source's status.
class PolygonDataClient final : public data::DataClient {
 public:
  explicit PolygonDataClient(PolygonConfig config);

  std::string_view name() const override { return "polygon"; }
  data::DataCapabilities capabilities() const override;

  Status Connect(data::MarketEventSink& sink) override;
  void Disconnect() override;
  /// Always refused: this client serves history only.
  Status Subscribe(const data::Subscription& subscription) override;
  Status Unsubscribe(const data::Subscription& subscription) override;

  /// Bars with start in [from, to), following next_url until the last page (at most max_pages). A next_url
  /// that leaves the configured base URL is refused, so the key is never sent elsewhere.
  Result<std::vector<Bar>> RequestBars(const InstrumentId& instrument, BarSpec spec, UnixNanos from,
                                       UnixNanos to) override;

  /// Counters: answers parsed (messages), rows or bodies rejected, the last error.
  data::FeedStatus status() const;

 private:
  PolygonConfig config_;
  RestSource source_;
};

}  // namespace td::adapters::polygon
