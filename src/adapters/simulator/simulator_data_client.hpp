// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/simulator/market_simulator.hpp"
#include "core/clock.hpp"
#include "data/data_client.hpp"

namespace td::adapters::simulator {

/// How the client moves simulated time.
struct SimulatorClientOptions {
  /// Live: Connect starts a thread that pumps up to clock.Now() every `poll_interval`. Manual: no thread;
  /// the owner calls Pump(until) (tests, replay-like runs), which keeps runs deterministic.
  bool live = true;
  std::chrono::milliseconds poll_interval{50};
};

/// The data::DataClient port over a MarketSimulator: quotes and trades of subscribed instruments, history
/// bars and option chains. Every simulator access is serialised by one mutex, so RequestBars/RequestChain may
/// be called from any thread; the sink is called with that mutex held and must not call back into
/// RequestBars/RequestChain/Pump (Subscribe and Unsubscribe are fine).
class SimulatorDataClient final : public data::DataClient {
 public:
  /// `clock` must outlive the client; in live mode it is read from the pump thread, so it must be thread-safe
  /// (LiveClock is).
  SimulatorDataClient(MarketSimulator simulator, const Clock& clock, SimulatorClientOptions options = {});
  ~SimulatorDataClient() override;
  SimulatorDataClient(const SimulatorDataClient&) = delete;
  SimulatorDataClient& operator=(const SimulatorDataClient&) = delete;

  std::string_view name() const override { return "simulator"; }
  data::DataCapabilities capabilities() const override;

  /// Publishes FeedStatus{connected}; events of the time spent disconnected are skipped (the simulator is
  /// advanced silently to clock.Now()). Fails when already connected.
  Status Connect(data::MarketEventSink& sink) override;
  /// Stops and joins the pump thread, publishes FeedStatus{disconnected}; a no-op when not connected.
  void Disconnect() override;

  /// Quotes or trades of a simulated underlying; other kinds are kUnavailable, unknown instruments kNotFound.
  Status Subscribe(const data::Subscription& subscription) override;
  Status Unsubscribe(const data::Subscription& subscription) override;

  Result<std::vector<Bar>> RequestBars(const InstrumentId& instrument, BarSpec spec, UnixNanos from,
                                       UnixNanos to) override;
  Result<OptionChain> RequestChain(const InstrumentId& underlying, std::optional<CivilDate> expiry) override;

  /// Advances the simulator to `until` and delivers the subscribed ticks with ts_event <= until to the sink;
  /// returns how many were delivered. Advances nothing when not connected (Connect skips the gap anyway).
  std::size_t Pump(UnixNanos until);

  bool connected() const { return connected_.load(); }
  /// The simulator's current time.
  UnixNanos Now() const;

 private:
  class Forwarder;
  void RunPump();
  data::FeedStatus StatusLocked(bool connected) const;
  std::vector<data::Subscription> SubscriptionsSnapshot() const;

  MarketSimulator simulator_;
  std::vector<InstrumentId> instruments_;  // what the simulator simulates; fixed at construction
  const Clock& clock_;
  SimulatorClientOptions options_;

  mutable std::mutex mutex_;  // the simulator, the sink and the counters
  data::MarketEventSink* sink_ = nullptr;
  std::uint64_t messages_ = 0;
  UnixNanos last_message_;
  std::uint64_t connects_ = 0;

  mutable std::mutex subs_mutex_;
  std::vector<data::Subscription> subscriptions_;

  std::atomic<bool> connected_{false};
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace td::adapters::simulator
