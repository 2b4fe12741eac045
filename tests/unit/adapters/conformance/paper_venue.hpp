// SPDX-License-Identifier: MIT
#pragma once

// The paper broker configured as a conformance case's profile says: the broker under test for the paper
// adapter, and the venue behind the loopback OpenAlgo server for the OpenAlgo adapter (same cases, same venue).

#include <memory>

#include "adapters/paper/paper_broker.hpp"
#include "broker_conformance.hpp"

namespace td::conformance {

inline std::unique_ptr<adapters::paper::PaperBroker> MakePaperBroker(const BrokerProfile& profile, Clock& clock) {
  using namespace adapters::paper;
  PaperBrokerConfig config;
  config.starting_capital = profile.starting_capital;
  config.market_slippage_ticks = profile.slippage_ticks;
  std::unique_ptr<FillModel> fill;
  if (profile.fill == BrokerProfile::FillKind::kFull) {
    fill = std::make_unique<FullFillModel>();
  } else {
    fill = std::make_unique<DisplayedSizeFillModel>(profile.seed, profile.min_share);
  }
  std::unique_ptr<FeeModel> fees;
  if (profile.fees == BrokerProfile::FeeKind::kMarket) {
    fees = std::make_unique<MarketFeeModel>();
  } else {
    fees = std::make_unique<ZeroFeeModel>();
  }
  std::unique_ptr<LatencyModel> latency;
  if (profile.jitter > Duration::zero()) {
    latency = std::make_unique<JitterLatencyModel>(profile.request_latency, profile.report_latency, profile.jitter,
                                                   profile.seed ^ 0x5eedULL);
  } else {
    latency = std::make_unique<FixedLatencyModel>(profile.request_latency, profile.report_latency);
  }
  return std::make_unique<PaperBroker>(config, clock, std::move(fill), std::move(fees), std::move(latency));
}

}  // namespace td::conformance
