// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/openalgo/config.hpp"
#include "adapters/openalgo/parse.hpp"
#include "core/log.hpp"
#include "data/data_client.hpp"
#include "net/backoff.hpp"
#include "net/http_client.hpp"

namespace td::adapters::openalgo {

/// OpenAlgo as a market-data source: the WebSocket proxy for live LTP/Quote/Depth ticks and the REST API for
/// history, quotes and option chains.
///
/// The feed runs on its own I/O thread: it connects, authenticates with the API key, subscribes everything that
/// is wanted (one mode per instrument: the richest its subscriptions need), pings when the socket is quiet,
/// treats a silent socket as dead, and on any drop reconnects with exponential backoff and resubscribes. An
/// authentication failure is final (no reconnect storm with a bad key). REST calls run on the caller's thread,
/// paced by a token bucket and answering 429 with a wait (Retry-After when given, else backoff).
class OpenAlgoDataClient final : public data::DataClient {
 public:
  explicit OpenAlgoDataClient(OpenAlgoConfig config);
  ~OpenAlgoDataClient() override;
  OpenAlgoDataClient(const OpenAlgoDataClient&) = delete;
  OpenAlgoDataClient& operator=(const OpenAlgoDataClient&) = delete;

  std::string_view name() const override { return "openalgo"; }
  data::DataCapabilities capabilities() const override;

  /// Starts the I/O thread and returns once the feed is authenticated, or with the error when the first
  /// connection or authentication failed (the thread is then stopped).
  Status Connect(data::MarketEventSink& sink) override;
  /// Stops and joins the I/O thread; the sink is not called afterwards.
  void Disconnect() override;

  /// kTrades streams in LTP mode, kQuotes in Quote mode, kDepth in Depth mode; bars and chains are refused.
  /// Subscriptions made before Connect are sent once connected.
  Status Subscribe(const data::Subscription& subscription) override;
  Status Unsubscribe(const data::Subscription& subscription) override;

  Result<std::vector<Bar>> RequestBars(const InstrumentId& instrument, BarSpec spec, UnixNanos from,
                                       UnixNanos to) override;
  Result<OptionChain> RequestChain(const InstrumentId& underlying, std::optional<CivilDate> expiry) override;

  /// A /quotes snapshot of one instrument.
  Result<QuoteSnapshot> RequestQuote(const InstrumentId& instrument);
  /// The option expiries listed for an underlying (from /expiry on its derivative segment).
  Result<std::vector<CivilDate>> RequestExpiries(const InstrumentId& underlying);
  /// The bar intervals the connected broker serves (/intervals).
  Result<std::vector<BarSpec>> RequestIntervals();

  /// A snapshot of the feed's health.
  data::FeedStatus status() const;
  /// The mode each wire symbol is currently subscribed in on the server (as last sent by the I/O thread).
  std::map<WireSymbol, StreamMode> ActiveSubscriptions() const;

 private:
  struct Wanted {
    InstrumentId instrument;
    std::set<data::DataKind> kinds;
  };
  enum class Startup : std::uint8_t { kPending, kUp, kFailed };

  void Run();
  Status Session(net::WebSocketClient& ws, bool& established);
  Status AwaitAuth(net::WebSocketClient& ws);
  Status Reconcile(net::WebSocketClient& ws);
  void HandleFrame(const std::string& text, bool& session_error, Error& error);
  void Emit(data::MarketEvent event);
  void PublishStatus();
  void NoteError(std::string message);
  bool Stopping() const;

  Result<net::HttpResponse> Post(std::string_view path, std::string body);
  ParseOptions Options() const;

  OpenAlgoConfig config_;
  Logger logger_{"openalgo"};

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool finished_ = false;  // the I/O thread has returned (it may still need joining)
  bool dirty_ = false;
  Startup startup_ = Startup::kPending;
  Error startup_error_;
  data::MarketEventSink* sink_ = nullptr;
  std::map<WireSymbol, Wanted> wanted_;
  std::map<WireSymbol, StreamMode> active_;
  data::FeedStatus status_;
  std::thread thread_;

  // I/O thread only.
  std::map<InstrumentId, TradeState> trade_states_;

  std::mutex rest_mutex_;
  net::HttpClient http_;
  net::TokenBucket bucket_;
  net::Backoff rest_backoff_;
};

}  // namespace td::adapters::openalgo
