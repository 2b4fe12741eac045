// SPDX-License-Identifier: MIT
#include "api/openalgo_ws_feed.hpp"

#include <utility>
#include <vector>

#include "api/auth_context.hpp"
#include "api/http_server.hpp"
#include "api/key_store.hpp"
#include "api/log.hpp"
#include "api/openalgo_market_routes.hpp"
#include "model/order_types.hpp"
#include "system/market_service.hpp"
#include "system/trading_service.hpp"

namespace td::api {
namespace {

bool SameQuote(const OpenAlgoQuote& a, const OpenAlgoQuote& b) {
  return a.ts == b.ts && a.ltp == b.ltp && a.bid == b.bid && a.ask == b.ask && a.bid_size == b.bid_size &&
         a.ask_size == b.ask_size && a.volume == b.volume && a.high == b.high && a.low == b.low &&
         a.open_interest == b.open_interest;
}

WsMarketUpdate ToUpdate(const std::string& symbol, const std::string& exchange, const OpenAlgoQuote& q, UnixNanos now,
                        int depth_levels) {
  WsMarketUpdate u;
  u.symbol = symbol;
  u.exchange = exchange;
  u.ts = q.ts == UnixNanos{} ? now : q.ts;
  u.ltp = q.ltp;
  u.open = q.open;
  u.high = q.high;
  u.low = q.low;
  u.close = q.prev_close;  // OpenAlgo's quote "close" is the previous session's close
  u.volume = q.volume;
  u.bid = q.bid;
  u.ask = q.ask;
  if (q.bid) {
    u.bid_qty = q.bid_size;
  }
  if (q.ask) {
    u.ask_qty = q.ask_size;
  }
  // The sources quote the top of the book only: level 1 is real, the rest are zero rows keeping the shape.
  for (int level = 0; level < depth_levels; ++level) {
    const bool top = level == 0;
    u.bids.push_back(top && q.bid ? WsDepthLevel{*q.bid, q.bid_size, 0} : WsDepthLevel{});
    u.asks.push_back(top && q.ask ? WsDepthLevel{*q.ask, q.ask_size, 0} : WsDepthLevel{});
  }
  return u;
}

}  // namespace

OpenAlgoWsFeed::OpenAlgoWsFeed(std::shared_ptr<OpenAlgoWsHub> hub, system::MarketService& market,
                               system::TradingService* trading, const Clock& clock, Options options)
    : hub_(std::move(hub)), market_(market), trading_(trading), clock_(clock), options_(options) {}

OpenAlgoWsFeed::~OpenAlgoWsFeed() {
  Stop();
}

void OpenAlgoWsFeed::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) {
    return;
  }
  if (trading_ != nullptr) {
    order_listener_ = trading_->AddOrderListener([this](const system::OrderView& order) { OnOrder(order); });
  }
  thread_ = std::thread([this] { Run(); });
}

void OpenAlgoWsFeed::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  if (trading_ != nullptr && order_listener_) {
    trading_->RemoveOrderListener(*order_listener_);
    order_listener_.reset();
  }
}

void OpenAlgoWsFeed::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    PollOnce();
    lock.lock();
    wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
  }
}

std::size_t OpenAlgoWsFeed::PollOnce() {
  std::lock_guard poll(poll_mutex_);
  const auto watched = hub_->Watched();
  std::map<std::pair<std::string, std::string>, Last> next;
  std::size_t sent = 0;
  const UnixNanos now = clock_.Now();
  OpenAlgoChainCache chains;  // one chain per (underlying, expiry) per pass, however many contracts are watched
  for (const auto& [symbol, exchange] : watched) {
    auto id = InstrumentId::Make(exchange, symbol);
    if (!id.ok()) {
      continue;
    }
    auto quote = OpenAlgoQuoteOf(market_, *id, &chains);
    const auto key = std::pair{symbol, exchange};
    auto previous = last_.find(key);
    if (!quote.ok()) {
      if (previous != last_.end()) {
        next.insert(*previous);  // keep the last good quote; a transient failure publishes nothing
      }
      continue;
    }
    const bool changed = previous == last_.end() || !SameQuote(previous->second.quote, *quote);
    const bool due = previous == last_.end() || now - previous->second.published_at >= options_.refresh_interval;
    if (changed || due) {
      hub_->Publish(ToUpdate(symbol, exchange, *quote, now, 5));
      next[key] = Last{*quote, now};
      ++sent;
    } else {
      next.insert(*previous);
    }
  }
  last_ = std::move(next);  // symbols nobody watches any more are forgotten
  std::lock_guard lock(mutex_);
  published_ += sent;
  return sent;
}

std::uint64_t OpenAlgoWsFeed::published() const {
  std::lock_guard lock(mutex_);
  return published_;
}

void OpenAlgoWsFeed::OnOrder(const system::OrderView& order) {
  WsOrderUpdate u;
  u.orderid = order.order_id.value();
  u.symbol = std::string(order.instrument_id.symbol());
  u.exchange = std::string(order.instrument_id.exchange());
  u.action = std::string(ToString(order.side));
  u.pricetype = std::string(ToString(order.type));
  u.product = std::string(ToString(order.product));
  u.order_status = std::string(system::OpenAlgoStatus(order.status));
  u.quantity = order.quantity;
  u.filled_quantity = order.filled_qty;
  u.average_price = order.avg_px;
  u.price = order.price;
  u.trigger_price = order.trigger_price;
  u.message = order.reason;
  u.ts = clock_.Now();
  hub_->PublishOrder(u);
}

Result<std::unique_ptr<OpenAlgoWsServer>> OpenAlgoWsServer::Start(const OpenAlgoWsServerOptions& options,
                                                                  system::MarketService& market,
                                                                  system::TradingService* trading,
                                                                  const AuthContext& auth, const Clock& clock) {
  WsKeyCheck key_check;
  if (auth.enabled && auth.keys) {
    std::shared_ptr<KeyStore> keys = auth.keys;
    key_check = [keys](std::string_view key) -> Result<std::string> {
      auto info = keys->Authenticate(key);
      if (!info.ok()) {
        return info.error();
      }
      return info->user;
    };
  } else {
    Log(LogLevel::kWarn,
        "OpenAlgo WebSocket: authentication is OFF (--no-auth): any api_key is accepted as user "
        "'local'; never expose this port beyond this machine");
    key_check = [](std::string_view) -> Result<std::string> { return std::string("local"); };
  }
  WsSymbolCheck symbol_check = [&market](std::string_view symbol, std::string_view exchange) -> Status {
    auto id = InstrumentId::Make(exchange, symbol);
    if (!id.ok()) {
      return id.error();
    }
    auto quote = OpenAlgoQuoteOf(market, *id);
    if (!quote.ok() && quote.error().code == ErrorCode::kNotFound && quote.error().field == "symbol") {
      return quote.error();
    }
    return {};  // known, even if it has no price yet
  };
  std::unique_ptr<OpenAlgoWsServer> out(new OpenAlgoWsServer());
  out->hub_ =
      std::make_shared<OpenAlgoWsHub>(OpenAlgoWsOptions{}, std::move(key_check), std::move(symbol_check), clock);
  HttpServerOptions server_options;
  server_options.listen_host = options.host;
  server_options.listen_port = options.port;
  server_options.io_threads = options.io_threads;
  server_options.idle_timeout = options.idle_timeout;
  server_options.builtin_routes = false;  // OpenAlgo's proxy port speaks WebSocket only
  out->server_ = std::make_unique<HttpServer>(server_options);
  AddOpenAlgoWsRoute(out->server_->router(), out->hub_, "/");
  if (Status started = out->server_->Start(); !started.ok()) {
    return started.error();
  }
  out->feed_ = std::make_unique<OpenAlgoWsFeed>(out->hub_, market, trading, clock, options.feed);
  out->feed_->Start();
  return out;
}

OpenAlgoWsServer::~OpenAlgoWsServer() {
  Stop();
}

std::uint16_t OpenAlgoWsServer::port() const {
  return server_ ? server_->port() : 0;
}

void OpenAlgoWsServer::Stop() {
  if (feed_) {
    feed_->Stop();
  }
  if (server_) {
    server_->Stop();
  }
}

}  // namespace td::api
