// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/router.hpp"
#include "core/clock.hpp"
#include "core/fixed_point.hpp"
#include "core/result.hpp"

namespace td::api {

/// One price level of a depth snapshot.
struct WsDepthLevel {
  Price price;
  Quantity quantity;
  int orders = 0;
};

/// What the market says about one instrument, named as OpenAlgo names it on the wire.
struct WsMarketUpdate {
  std::string symbol;    // "SBIN", "NIFTY", "NIFTY28NOV2424000CE"
  std::string exchange;  // "NSE", "NSE_INDEX", "NFO", ...
  UnixNanos ts;
  Price ltp;
  std::optional<Quantity> ltq;
  std::optional<Price> open, high, low, close;
  std::optional<Quantity> volume;
  std::optional<Price> bid, ask;
  std::optional<Quantity> bid_qty, ask_qty;
  std::vector<WsDepthLevel> bids, asks;  // best first
};

/// One order's state after a change, named as OpenAlgo's order book names it.
struct WsOrderUpdate {
  std::string orderid;
  std::string symbol;
  std::string exchange;
  std::string action;        // BUY, SELL
  std::string pricetype;     // MARKET, LIMIT, SL, SL-M
  std::string product;       // MIS, CNC, NRML
  std::string order_status;  // complete, open, pending, rejected, cancelled
  Quantity quantity;
  Quantity filled_quantity;
  double average_price = 0;
  std::optional<Price> price;
  std::optional<Price> trigger_price;
  std::string message;  // why it was rejected or cancelled; empty otherwise
  UnixNanos ts;
};

struct OpenAlgoWsOptions {
  std::string broker = "tradedesk";
  std::chrono::milliseconds ltp_throttle{50};  // LTP frames per (symbol, exchange) at most this often
  std::size_t max_symbols_per_client = 1000;
  int depth_levels = 5;
};

/// The key check of the authenticate action: the user a key belongs to, or an error.
using WsKeyCheck = std::function<Result<std::string>(std::string_view api_key)>;
/// Whether the market has a symbol on an exchange (a subscribe to an unknown one fails for that entry).
using WsSymbolCheck = std::function<Status(std::string_view symbol, std::string_view exchange)>;
/// Told when the first client starts or the last client stops watching a symbol, so the feed side can
/// subscribe and unsubscribe upstream.
using WsInterest = std::function<void(const std::string& symbol, const std::string& exchange, bool wanted)>;

/// OpenAlgo's WebSocket market-data protocol as its proxy speaks it, so an OpenAlgo client pointed at
/// tradedesk works unchanged: `authenticate` (api_key or apikey), `subscribe`/`unsubscribe` in LTP (1),
/// Quote (2) or Depth (3) mode for a list of {symbol, exchange} (or one), `unsubscribe_all`, `ping`,
/// `get_broker_info`, `get_supported_brokers`, `subscribe_orders`/`unsubscribe_orders` (later upstream: `order_update`
/// frames to the authenticated clients that asked); `market_data` frames with an integer mode; errors as
/// {"status":"error","code","message"} with OpenAlgo's codes. Clients are the server's WebSocket clients with
/// their bounded queues: one that falls behind is dropped, never waited for. Thread-safe.
class OpenAlgoWsHub : public std::enable_shared_from_this<OpenAlgoWsHub> {
 public:
  OpenAlgoWsHub(OpenAlgoWsOptions options, WsKeyCheck key_check, WsSymbolCheck symbol_check, const Clock& clock);

  /// The callbacks to register as a WebSocket route.
  WebSocketHandler Handler();
  /// Sets the interest callback (before clients connect).
  void SetInterest(WsInterest interest) { interest_ = std::move(interest); }

  /// Fans an update out to every client subscribed to the symbol, in the mode each asked for.
  void Publish(const WsMarketUpdate& update);

  /// Sends an `order_update` frame to every authenticated client that subscribed to order updates.
  void PublishOrder(const WsOrderUpdate& update);

  /// Symbols at least one client watches, as (symbol, exchange).
  std::vector<std::pair<std::string, std::string>> Watched() const;
  std::size_t client_count() const;
  /// market_data frames queued to clients since start.
  std::uint64_t frames_sent() const;

 private:
  using Key = std::pair<std::string, std::string>;  // (exchange, symbol)
  struct Session {
    std::weak_ptr<StreamClient> client;
    std::string user;                    // empty until authenticated
    std::map<Key, std::set<int>> modes;  // subscribed modes per symbol (1, 2, 3)
    bool orders = false;                 // subscribe_orders
  };
  struct Throttle {
    UnixNanos last_ltp;
  };

  void OnOpen(const std::shared_ptr<StreamClient>& client);
  void OnMessage(const std::shared_ptr<StreamClient>& client, std::string_view text);
  void OnClose(const std::shared_ptr<StreamClient>& client);
  /// Applies a (un)subscribe message; `added` receives the (symbol, mode) pairs that are new for the session.
  std::string Subscribe(Session& session, const void* message, bool subscribe, std::vector<std::pair<Key, int>>* added);
  void ChangeInterest(const Key& key, int delta);
  std::string Frame(const WsMarketUpdate& update, int mode) const;

  const OpenAlgoWsOptions options_;
  const WsKeyCheck key_check_;
  const WsSymbolCheck symbol_check_;
  const Clock& clock_;
  WsInterest interest_;

  mutable std::mutex mutex_;
  std::map<const StreamClient*, Session> sessions_;
  std::map<Key, int> watchers_;       // clients per symbol
  std::map<Key, Throttle> throttle_;  // LTP frames
  std::map<Key, WsMarketUpdate> latest_;  // last update of each watched symbol: a new subscriber's first frame
  std::uint64_t frames_sent_ = 0;
};

/// Registers the hub's WebSocket route at `path` ("/" for a dedicated OpenAlgo-compatible listener).
void AddOpenAlgoWsRoute(Router& router, const std::shared_ptr<OpenAlgoWsHub>& hub, std::string path = "/");

}  // namespace td::api
