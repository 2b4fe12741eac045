// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "api/openalgo_market_routes.hpp"
#include "api/openalgo_ws.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace td::system {
class MarketService;
class TradingService;
struct OrderView;
}  // namespace td::system

namespace td::api {

class HttpServer;
struct AuthContext;

/// Feeds an OpenAlgoWsHub from the market: every `poll_interval` it quotes each symbol a client watches
/// (OpenAlgoQuoteOf: MarketService::Quote, or the option chain for a contract) and publishes an update when the
/// quote changed, or when `refresh_interval` passed without one (so a client that subscribes to a symbol already
/// watched, or to a closed market, still gets a frame). LTP, Quote and Depth frames all come from that update;
/// depth is the top of the book the source quotes, padded with zero rows to the hub's depth levels. With a
/// TradingService, order updates go to the clients that sent subscribe_orders. One publisher thread.
class OpenAlgoWsFeed {
 public:
  struct Options {
    std::chrono::milliseconds poll_interval{200};
    std::chrono::milliseconds refresh_interval{1000};
  };

  /// `market`, `trading` (optional) and `clock` must outlive the feed.
  OpenAlgoWsFeed(std::shared_ptr<OpenAlgoWsHub> hub, system::MarketService& market, system::TradingService* trading,
                 const Clock& clock, Options options);
  ~OpenAlgoWsFeed();
  OpenAlgoWsFeed(const OpenAlgoWsFeed&) = delete;
  OpenAlgoWsFeed& operator=(const OpenAlgoWsFeed&) = delete;

  /// Starts the publisher thread and the order listener.
  void Start();
  /// Stops both; idempotent.
  void Stop();
  /// One pass: quotes every watched symbol and publishes what is due. Returns the updates published.
  std::size_t PollOnce();
  /// Updates published since start.
  std::uint64_t published() const;

 private:
  struct Last {
    OpenAlgoQuote quote;
    UnixNanos published_at;
  };
  void Run();
  void OnOrder(const system::OrderView& order);

  std::shared_ptr<OpenAlgoWsHub> hub_;
  system::MarketService& market_;
  system::TradingService* trading_;
  const Clock& clock_;
  const Options options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::mutex poll_mutex_;  // one PollOnce at a time (the thread, or a test calling it directly)
  bool stopping_ = false;
  std::thread thread_;
  std::optional<std::uint64_t> order_listener_;
  std::map<std::pair<std::string, std::string>, Last> last_;  // by (symbol, exchange), under poll_mutex_
  std::uint64_t published_ = 0;
};

/// Settings of the OpenAlgo-compatible WebSocket listener (OpenAlgo's proxy port, 8765 by default).
struct OpenAlgoWsServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8765;  // 0: any free port (tests)
  int io_threads = 1;
  std::chrono::milliseconds idle_timeout{60000};
  OpenAlgoWsFeed::Options feed;
};

/// The dedicated listener OpenAlgo clients connect to (`ws://host:8765`, no path): its own HttpServer with the
/// hub's route at "/", the feed, and the key check of the HTTP API (the same KeyStore; with authentication off
/// any non-empty key is accepted as user "local", with a warning logged).
class OpenAlgoWsServer {
 public:
  /// Binds and starts; fails (io_error) when the port cannot be bound. `market`, `trading` (optional), `auth`'s
  /// key store and `clock` must outlive the server.
  static Result<std::unique_ptr<OpenAlgoWsServer>> Start(const OpenAlgoWsServerOptions& options,
                                                         system::MarketService& market, system::TradingService* trading,
                                                         const AuthContext& auth, const Clock& clock);
  ~OpenAlgoWsServer();
  OpenAlgoWsServer(const OpenAlgoWsServer&) = delete;
  OpenAlgoWsServer& operator=(const OpenAlgoWsServer&) = delete;

  std::uint16_t port() const;
  OpenAlgoWsHub& hub() { return *hub_; }
  OpenAlgoWsFeed& feed() { return *feed_; }
  /// Stops the feed, then the listener (clients are closed); idempotent.
  void Stop();

 private:
  OpenAlgoWsServer() = default;
  std::shared_ptr<OpenAlgoWsHub> hub_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<OpenAlgoWsFeed> feed_;
};

}  // namespace td::api
