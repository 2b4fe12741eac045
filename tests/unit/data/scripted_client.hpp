// SPDX-License-Identifier: MIT
// A DataClient the test controls: it emits what the test tells it to and answers history from a script.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "data/bar_aggregator.hpp"
#include "data/data_client.hpp"
#include "data/session_source.hpp"

namespace td::data::testing {

class ScriptedClient final : public DataClient {
 public:
  ScriptedClient(std::string name, DataCapabilities caps) : name_(std::move(name)), caps_(caps) {}

  std::string_view name() const override { return name_; }
  DataCapabilities capabilities() const override { return caps_; }
  Status Connect(MarketEventSink& sink) override {
    sink_ = &sink;
    return {};
  }
  void Disconnect() override { sink_ = nullptr; }
  Status Subscribe(const Subscription& subscription) override {
    subscribed.push_back(subscription);
    ++subscribe_calls;
    return {};
  }
  Status Unsubscribe(const Subscription& subscription) override {
    ++unsubscribe_calls;
    std::erase(subscribed, subscription);
    return {};
  }
  /// History from `history_bars` (exact spec) or, when `history_ticks` is set, bars aggregated from the
  /// ticks before `to` with the instrument's calendar sessions (the forming bar included).
  Result<std::vector<Bar>> RequestBars(const InstrumentId& instrument, BarSpec spec, UnixNanos from,
                                       UnixNanos to) override {
    ++history_calls;
    requests.push_back({from, to});
    std::vector<Bar> out;
    if (!history_ticks.empty()) {
      const SessionRule rule = DefaultSessionRule(instrument);
      AggregatorOptions options;
      options.spec = spec;
      options.time_zone = rule.time_zone;
      options.session = rule.regular;
      options.sessions = rule.sessions;
      options.trade_dedup = TradeDedup::kOff;
      auto aggregator = TickBarAggregator::Create(options).value();
      std::vector<Bar> all;
      for (const TradeTick& tick : history_ticks) {
        if (tick.instrument_id != instrument || tick.ts_event >= to) {
          continue;
        }
        if (auto bar = aggregator.OnTrade(tick)) {
          all.push_back(*bar);
        }
      }
      if (auto bar = aggregator.Flush()) {
        all.push_back(*bar);
      }
      const std::int64_t length = spec.IsIntraday() ? spec.IntradayLength().count() : 86'400'000'000'000LL;
      for (const Bar& bar : all) {
        if (bar.ts_event.nanos() + length > from.nanos()) {
          out.push_back(bar);
        }
      }
      return out;
    }
    for (const Bar& bar : history_bars) {
      if (bar.ts_event >= from && bar.ts_event < to) {
        out.push_back(bar);
      }
    }
    return out;
  }

  void Emit(MarketEvent event) {
    if (sink_ != nullptr) {
      sink_->OnEvent(std::move(event));
    }
  }
  void EmitRaw(const RawTick& tick) {
    if (sink_ != nullptr) {
      sink_->OnRawTick(tick);
    }
  }
  bool connected() const { return sink_ != nullptr; }

  std::vector<Subscription> subscribed;
  int subscribe_calls = 0;
  int unsubscribe_calls = 0;
  int history_calls = 0;
  std::vector<std::pair<UnixNanos, UnixNanos>> requests;
  std::vector<Bar> history_bars;
  std::vector<TradeTick> history_ticks;

 private:
  std::string name_;
  DataCapabilities caps_;
  MarketEventSink* sink_ = nullptr;
};

}  // namespace td::data::testing
