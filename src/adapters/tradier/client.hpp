// SPDX-License-Identifier: MIT
#pragma once

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/rest_source/rest_source.hpp"
#include "adapters/tradier/config.hpp"
#include "adapters/tradier/parse.hpp"
#include "data/data_client.hpp"

namespace td::adapters::tradier {

/// Tradier as an option-chain source (expirations, chains with greeks, quotes), paced by a token bucket with
/// 429s answered by a wait. Against the sandbox (detected from the URL or forced by config) its limitations are
/// degraded quietly and each is logged once: data is delayed, quotes may be refused (404), greeks may be
/// missing. It streams nothing, so Connect only checks the configuration and publishes the source's status.
class TradierDataClient final : public data::DataClient {
 public:
  explicit TradierDataClient(TradierConfig config);

  std::string_view name() const override { return "tradier"; }
  data::DataCapabilities capabilities() const override;

  Status Connect(data::MarketEventSink& sink) override;
  void Disconnect() override;
  /// Always refused: this client answers requests only.
  Status Subscribe(const data::Subscription& subscription) override;
  Status Unsubscribe(const data::Subscription& subscription) override;
  /// Refused: Tradier bars are not wired here (Polygon and Yahoo serve history).
  Result<std::vector<Bar>> RequestBars(const InstrumentId& instrument, BarSpec spec, UnixNanos from,
                                       UnixNanos to) override;
  /// The chain of one expiry, or of every listed expiry (up to chain_max_expiries). The underlying price comes
  /// from a quote when quotes are available (zero when the sandbox refuses them).
  Result<OptionChain> RequestChain(const InstrumentId& underlying, std::optional<CivilDate> expiry) override;

  Result<std::vector<CivilDate>> RequestExpirations(const InstrumentId& underlying);
  /// Quotes of up to 100 instruments (stocks, ETFs, OPRA options). In the sandbox a refusal is kUnavailable.
  Result<QuotesParse> RequestQuotes(const std::vector<InstrumentId>& instruments);

  bool sandbox() const { return sandbox_; }
  /// The one-time notices logged so far (sandbox limitations), in order.
  std::vector<std::string> notices() const;
  data::FeedStatus status() const;

 private:
  Result<net::HttpResponse> Get(const std::string& path_and_query);
  void NoticeOnce(const std::string& key, const std::string& text);

  TradierConfig config_;
  bool sandbox_ = false;
  RestSource source_;
  mutable std::mutex notices_mutex_;
  std::set<std::string> noticed_;
  std::vector<std::string> notices_;
};

}  // namespace td::adapters::tradier
