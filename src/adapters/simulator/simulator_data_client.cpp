// SPDX-License-Identifier: MIT
#include "adapters/simulator/simulator_data_client.hpp"

#include <algorithm>
#include <utility>

namespace td::adapters::simulator {

/// Filters the simulator's ticks by the subscriptions taken at the start of a pump and forwards them.
class SimulatorDataClient::Forwarder final : public TickSink {
 public:
  Forwarder(const std::vector<data::Subscription>& subscriptions, data::MarketEventSink* sink)
      : subscriptions_(subscriptions), sink_(sink) {}

  void OnQuote(const QuoteTick& quote) override {
    if (Wanted(quote.instrument_id, data::DataKind::kQuotes)) {
      sink_->OnEvent(data::MarketEvent(quote));
      Count(quote.ts_event);
    }
  }
  void OnTrade(const TradeTick& trade) override {
    if (Wanted(trade.instrument_id, data::DataKind::kTrades)) {
      sink_->OnEvent(data::MarketEvent(trade));
      Count(trade.ts_event);
    }
  }

  std::size_t delivered() const { return delivered_; }
  UnixNanos last() const { return last_; }

 private:
  bool Wanted(const InstrumentId& id, data::DataKind kind) const {
    if (sink_ == nullptr) {
      return false;
    }
    return std::any_of(subscriptions_.begin(), subscriptions_.end(),
                       [&](const data::Subscription& s) { return s.kind == kind && s.instrument == id; });
  }
  void Count(UnixNanos ts) {
    ++delivered_;
    last_ = ts;
  }

  const std::vector<data::Subscription>& subscriptions_;
  data::MarketEventSink* sink_;
  std::size_t delivered_ = 0;
  UnixNanos last_;
};

SimulatorDataClient::SimulatorDataClient(MarketSimulator simulator, const Clock& clock, SimulatorClientOptions options)
    : simulator_(std::move(simulator)), clock_(clock), options_(options) {
  for (const Instrument& instrument : simulator_.Instruments()) {
    instruments_.push_back(instrument.id);
  }
}

SimulatorDataClient::~SimulatorDataClient() {
  Disconnect();
}

data::DataCapabilities SimulatorDataClient::capabilities() const {
  data::DataCapabilities caps;
  caps.quotes = true;
  caps.trades = true;
  caps.history = true;
  caps.chains = true;
  return caps;
}

data::FeedStatus SimulatorDataClient::StatusLocked(bool connected) const {
  data::FeedStatus status;
  status.source = std::string(name());
  status.connected = connected;
  status.ts_event = clock_.Now();
  status.last_message = last_message_;
  status.messages = messages_;
  status.reconnects = connects_ > 0 ? connects_ - 1 : 0;
  return status;
}

Status SimulatorDataClient::Connect(data::MarketEventSink& sink) {
  {
    std::lock_guard lock(mutex_);
    if (sink_ != nullptr) {
      return Error::Unprocessable("the simulator client is already connected");
    }
    // Whatever happened while disconnected is not delivered.
    class Discard final : public TickSink {
     public:
      void OnQuote(const QuoteTick&) override {}
      void OnTrade(const TradeTick&) override {}
    } discard;
    simulator_.AdvanceTo(clock_.Now(), discard);
    sink_ = &sink;
    ++connects_;
    connected_.store(true);
    sink_->OnEvent(data::MarketEvent(StatusLocked(true)));
  }
  if (options_.live) {
    {
      std::lock_guard lock(stop_mutex_);
      stop_ = false;
    }
    thread_ = std::thread([this] { RunPump(); });
  }
  return Status();
}

void SimulatorDataClient::Disconnect() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(stop_mutex_);
      stop_ = true;
    }
    stop_cv_.notify_all();
    thread_.join();
  }
  std::lock_guard lock(mutex_);
  if (sink_ == nullptr) {
    return;
  }
  connected_.store(false);
  sink_->OnEvent(data::MarketEvent(StatusLocked(false)));
  sink_ = nullptr;
}

void SimulatorDataClient::RunPump() {
  std::unique_lock lock(stop_mutex_);
  while (!stop_) {
    lock.unlock();
    Pump(clock_.Now());
    lock.lock();
    stop_cv_.wait_for(lock, options_.poll_interval, [this] { return stop_; });
  }
}

std::vector<data::Subscription> SimulatorDataClient::SubscriptionsSnapshot() const {
  std::lock_guard lock(subs_mutex_);
  return subscriptions_;
}

std::size_t SimulatorDataClient::Pump(UnixNanos until) {
  const std::vector<data::Subscription> subscriptions = SubscriptionsSnapshot();
  std::lock_guard lock(mutex_);
  if (sink_ == nullptr) {
    return 0;
  }
  Forwarder forwarder(subscriptions, sink_);
  simulator_.AdvanceTo(until, forwarder);
  if (forwarder.delivered() > 0) {
    messages_ += forwarder.delivered();
    last_message_ = forwarder.last();
  }
  return forwarder.delivered();
}

UnixNanos SimulatorDataClient::Now() const {
  std::lock_guard lock(mutex_);
  return simulator_.Now();
}

Status SimulatorDataClient::Subscribe(const data::Subscription& subscription) {
  if (subscription.kind != data::DataKind::kQuotes && subscription.kind != data::DataKind::kTrades) {
    return Error{ErrorCode::kUnavailable, "the simulator streams only quotes and trades", "kind"};
  }
  if (std::find(instruments_.begin(), instruments_.end(), subscription.instrument) == instruments_.end()) {
    return Error::NotFound("the simulator does not simulate " + std::string(subscription.instrument.value()),
                           "instrument");
  }
  std::lock_guard lock(subs_mutex_);
  if (std::find(subscriptions_.begin(), subscriptions_.end(), subscription) == subscriptions_.end()) {
    subscriptions_.push_back(subscription);
  }
  return Status();
}

Status SimulatorDataClient::Unsubscribe(const data::Subscription& subscription) {
  std::lock_guard lock(subs_mutex_);
  const auto it = std::find(subscriptions_.begin(), subscriptions_.end(), subscription);
  if (it == subscriptions_.end()) {
    return Error::NotFound("not subscribed to " + std::string(subscription.instrument.value()), "instrument");
  }
  subscriptions_.erase(it);
  return Status();
}

Result<std::vector<Bar>> SimulatorDataClient::RequestBars(const InstrumentId& instrument, BarSpec spec, UnixNanos from,
                                                          UnixNanos to) {
  std::lock_guard lock(mutex_);
  if (simulator_.Spec(instrument) == nullptr) {
    return Error::NotFound("the simulator does not simulate " + std::string(instrument.value()), "instrument");
  }
  return simulator_.History(instrument, spec, from, to);
}

Result<OptionChain> SimulatorDataClient::RequestChain(const InstrumentId& underlying, std::optional<CivilDate> expiry) {
  std::lock_guard lock(mutex_);
  auto chain = simulator_.Chain(underlying, simulator_.Now());
  if (!chain.ok() || !expiry.has_value()) {
    return chain;
  }
  OptionChain filtered = std::move(chain).value();
  std::erase_if(filtered.expiries, [&](const ExpirySlice& slice) { return slice.expiry != *expiry; });
  if (filtered.expiries.empty()) {
    return Error::NotFound("no listed expiry " + std::to_string(expiry->year) + "-" + std::to_string(expiry->month) +
                               "-" + std::to_string(expiry->day) + " for " + std::string(underlying.value()),
                           "expiry");
  }
  return filtered;
}

}  // namespace td::adapters::simulator
