// SPDX-License-Identifier: MIT
#include "api/openalgo_ws.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "api/json_writer.hpp"
#include "core/check.hpp"

namespace td::api {

namespace json = boost::json;

namespace {

std::string Text(const json::value* v) {
  if (v == nullptr) {
    return {};
  }
  if (v->is_string()) {
    return std::string(v->get_string().c_str());
  }
  if (v->is_int64()) {
    return std::to_string(v->get_int64());
  }
  return {};
}

std::string Lower(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

std::string Upper(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return text;
}

// "LTP"/"Quote"/"Depth" in any case, or 1/2/3 as a number or digit string; 0 when it is none of these.
int ParseMode(const json::value* v) {
  if (v == nullptr) {
    return 0;
  }
  if (v->is_int64()) {
    const auto m = v->get_int64();
    return m >= 1 && m <= 3 ? static_cast<int>(m) : 0;
  }
  const std::string text = Lower(Text(v));
  if (text == "ltp" || text == "1") {
    return 1;
  }
  if (text == "quote" || text == "2") {
    return 2;
  }
  if (text == "depth" || text == "full" || text == "3") {
    return 3;
  }
  return 0;
}

std::string_view ModeName(int mode) {
  return mode == 1 ? "LTP" : mode == 2 ? "Quote" : "Depth";
}

std::string ErrorFrame(std::string_view code, std::string_view message) {
  JsonWriter w;
  w.BeginObject().Key("status").String("error").Key("code").String(code).Key("message").String(message).EndObject();
  return w.Take();
}

std::int64_t Millis(UnixNanos t) {
  return t.millis();
}

}  // namespace

OpenAlgoWsHub::OpenAlgoWsHub(OpenAlgoWsOptions options, WsKeyCheck key_check, WsSymbolCheck symbol_check,
                             const Clock& clock)
    : options_(std::move(options)),
      key_check_(std::move(key_check)),
      symbol_check_(std::move(symbol_check)),
      clock_(clock) {
  TD_CHECK(key_check_ != nullptr) << "the OpenAlgo WebSocket hub needs a key check";
}

WebSocketHandler OpenAlgoWsHub::Handler() {
  std::weak_ptr<OpenAlgoWsHub> weak = weak_from_this();
  TD_CHECK(!weak.expired()) << "OpenAlgoWsHub must be owned by a shared_ptr";
  WebSocketHandler handler;
  handler.on_open = [weak](const Request&, const std::shared_ptr<StreamClient>& client) -> Status {
    if (auto hub = weak.lock()) {
      hub->OnOpen(client);
    }
    return {};
  };
  handler.on_message = [weak](const std::shared_ptr<StreamClient>& client, std::string_view text) {
    if (auto hub = weak.lock()) {
      hub->OnMessage(client, text);
    }
  };
  handler.on_close = [weak](const std::shared_ptr<StreamClient>& client) {
    if (auto hub = weak.lock()) {
      hub->OnClose(client);
    }
  };
  return handler;
}

void OpenAlgoWsHub::OnOpen(const std::shared_ptr<StreamClient>& client) {
  std::lock_guard lock(mutex_);
  sessions_[client.get()] = Session{client, {}, {}, false};
}

void OpenAlgoWsHub::OnClose(const std::shared_ptr<StreamClient>& client) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(client.get());
  if (it == sessions_.end()) {
    return;
  }
  for (const auto& [key, modes] : it->second.modes) {
    (void)modes;
    ChangeInterest(key, -1);
  }
  sessions_.erase(it);
}

void OpenAlgoWsHub::ChangeInterest(const Key& key, int delta) {
  int& count = watchers_[key];
  const int before = count;
  count += delta;
  if (count <= 0) {
    watchers_.erase(key);
    throttle_.erase(key);
    latest_.erase(key);
  }
  if (interest_ && before == 0 && delta > 0) {
    interest_(key.second, key.first, true);
  } else if (interest_ && before > 0 && before + delta <= 0) {
    interest_(key.second, key.first, false);
  }
}

void OpenAlgoWsHub::OnMessage(const std::shared_ptr<StreamClient>& client, std::string_view text) {
  boost::system::error_code ec;
  const json::value message = json::parse(text, ec);
  if (ec || !message.is_object()) {
    client->SendText(ErrorFrame("INVALID_JSON", "messages must be JSON objects"));
    return;
  }
  const json::object& object = message.get_object();
  std::string action = Lower(Text(object.if_contains("action")));
  if (action.empty()) {
    action = Lower(Text(object.if_contains("type")));
  }
  std::string reply;
  std::vector<std::pair<Key, int>> added;
  {
    std::unique_lock lock(mutex_);
    auto found = sessions_.find(client.get());
    if (found == sessions_.end()) {
      return;  // closing
    }
    Session& session = found->second;
    if (action == "authenticate" || action == "auth") {
      std::string key = Text(object.if_contains("api_key"));
      if (key.empty()) {
        key = Text(object.if_contains("apikey"));
      }
      lock.unlock();  // the key check may hash; never under the hub lock
      auto user = key.empty() ? Result<std::string>(Error{ErrorCode::kUnauthenticated, "api_key is required", {}})
                              : key_check_(key);
      lock.lock();
      found = sessions_.find(client.get());
      if (found == sessions_.end()) {
        return;
      }
      if (!user.ok()) {
        reply = ErrorFrame("AUTHENTICATION_ERROR", "Invalid API key");
      } else {
        found->second.user = *user;
        JsonWriter w;
        w.BeginObject().Key("type").String("auth").Key("status").String("success");
        w.Key("message").String("Authentication successful").Key("broker").String(options_.broker);
        w.Key("user_id").String(*user).Key("supported_features").BeginObject();
        w.Key("ltp").Bool(true).Key("quote").Bool(true).Key("depth").Bool(true).EndObject().EndObject();
        reply = w.Take();
      }
    } else if (action == "ping") {
      JsonWriter w;
      w.BeginObject().Key("type").String("pong").Key("status").String("success");
      w.Key("server_timestamp").Int(Millis(clock_.Now()));
      if (const json::value* t = object.if_contains("client_timestamp"); t != nullptr && t->is_number()) {
        w.Key("client_timestamp").Int(t->to_number<std::int64_t>());
      }
      w.EndObject();
      reply = w.Take();
    } else if (session.user.empty()) {
      reply = ErrorFrame("NOT_AUTHENTICATED", "authenticate first");
    } else if (action == "subscribe" || action == "unsubscribe") {
      reply = Subscribe(session, &object, action == "subscribe", &added);
    } else if (action == "unsubscribe_all") {
      for (const auto& [key, modes] : session.modes) {
        (void)modes;
        ChangeInterest(key, -1);
      }
      session.modes.clear();
      JsonWriter w;
      w.BeginObject().Key("type").String("unsubscribe").Key("status").String("success");
      w.Key("message").String("All subscriptions removed").Key("broker").String(options_.broker).EndObject();
      reply = w.Take();
    } else if (action == "subscribe_orders" || action == "unsubscribe_orders") {
      session.orders = action == "subscribe_orders";
      JsonWriter w;
      w.BeginObject().Key("type").String(action).Key("status").String("success");
      w.Key("message").String(session.orders ? "Subscribed to order updates" : "Unsubscribed from order updates");
      w.Key("broker").String(options_.broker).EndObject();
      reply = w.Take();
    } else if (action == "get_broker_info") {
      JsonWriter w;
      w.BeginObject().Key("type").String("broker_info").Key("status").String("success");
      w.Key("broker").String(options_.broker).Key("adapter_status").String("connected").EndObject();
      reply = w.Take();
    } else if (action == "get_supported_brokers") {
      JsonWriter w;
      w.BeginObject().Key("type").String("supported_brokers").Key("status").String("success");
      w.Key("brokers").BeginArray().String(options_.broker).EndArray().EndObject();
      reply = w.Take();
    } else {
      reply = ErrorFrame("INVALID_ACTION", "unknown action '" + action + "'");
    }
    // Queued under the hub lock: a Publish cannot slip a symbol's data in ahead of its subscription's answer,
    // and the new subscriber's first frame (the symbol's latest update) follows the answer at once instead of
    // waiting for the quote to change. Send only queues (the client's callback posts), so holding the lock is
    // safe.
    client->SendText(std::move(reply));
    for (const auto& [key, mode] : added) {
      if (auto latest = latest_.find(key); latest != latest_.end()) {
        client->SendText(Frame(latest->second, mode));
        ++frames_sent_;
      }
    }
  }
}

std::string OpenAlgoWsHub::Subscribe(Session& session, const void* message, bool subscribe,
                                     std::vector<std::pair<Key, int>>* added) {
  const json::object& object = *static_cast<const json::object*>(message);
  std::vector<json::object> entries;
  if (const json::value* symbols = object.if_contains("symbols"); symbols != nullptr && symbols->is_array()) {
    for (const json::value& entry : symbols->get_array()) {
      entries.push_back(entry.is_object() ? entry.get_object() : json::object{});
    }
  } else if (object.contains("symbol")) {
    entries.push_back(object);
  }
  const std::string type = subscribe ? "subscribe" : "unsubscribe";
  if (entries.empty()) {
    return ErrorFrame("INVALID_PARAMETERS", "symbols must list {symbol, exchange} entries");
  }
  const int top_mode = ParseMode(object.if_contains("mode"));
  if (subscribe && top_mode == 0) {
    return ErrorFrame("INVALID_PARAMETERS", "mode must be LTP, Quote or Depth (or 1, 2, 3)");
  }
  JsonWriter w;
  w.BeginObject().Key("type").String(type);
  std::string body;
  JsonWriter list;
  list.BeginArray();
  std::size_t ok = 0;
  for (const json::object& entry : entries) {
    const std::string symbol = Upper(Text(entry.if_contains("symbol")));
    const std::string exchange = Upper(Text(entry.if_contains("exchange")));
    const int mode = entry.contains("mode") ? ParseMode(entry.if_contains("mode")) : top_mode;
    list.BeginObject().Key("symbol").String(symbol).Key("exchange").String(exchange);
    std::string error;
    if (symbol.empty() || exchange.empty()) {
      error = "symbol and exchange are required";
    } else if (subscribe) {
      const Key key{exchange, symbol};
      const bool known = session.modes.contains(key);
      if (!known && session.modes.size() >= options_.max_symbols_per_client) {
        error = "subscription limit reached (" + std::to_string(options_.max_symbols_per_client) + " symbols)";
      } else if (const Status exists = symbol_check_ ? symbol_check_(symbol, exchange) : Status{}; !exists.ok()) {
        error = "Symbol not found";
      } else {
        if (session.modes[key].insert(mode).second) {
          added->emplace_back(key, mode);
        }
        if (!known) {
          ChangeInterest(key, +1);
        }
      }
    } else {
      const Key key{exchange, symbol};
      auto it = session.modes.find(key);
      if (it == session.modes.end()) {
        error = "not subscribed";
      } else {
        if (mode == 0) {
          it->second.clear();
        } else {
          it->second.erase(mode);
        }
        if (it->second.empty()) {
          session.modes.erase(it);
          ChangeInterest(key, -1);
        }
      }
    }
    if (error.empty()) {
      ++ok;
      list.Key("status").String("success");
      if (mode != 0) {
        list.Key("mode").String(ModeName(mode));
      }
      if (subscribe) {
        list.Key("depth").Int(options_.depth_levels);
      }
      list.Key("broker").String(options_.broker);
    } else {
      list.Key("status").String("error").Key("message").String(error);
    }
    list.EndObject();
  }
  list.EndArray();
  const std::string status = ok == entries.size() ? "success" : ok == 0 ? "error" : "partial";
  const std::string verb = subscribe ? "Subscription" : "Unsubscription";
  w.Key("status").String(status).Key("subscriptions").Raw(list.Take());
  w.Key("message").String(status == "success"   ? verb + " processing complete"
                          : status == "partial" ? "Some " + Lower(verb) + "s failed"
                                                : "All " + Lower(verb) + "s failed");
  w.Key("broker").String(options_.broker).EndObject();
  return w.Take();
}

std::string OpenAlgoWsHub::Frame(const WsMarketUpdate& u, int mode) const {
  JsonWriter w;
  w.BeginObject().Key("type").String("market_data").Key("symbol").String(u.symbol);
  w.Key("exchange").String(u.exchange).Key("mode").Int(mode).Key("broker").String(options_.broker);
  w.Key("data").BeginObject().Key("ltp").PriceValue(u.ltp);
  if (mode >= 2) {
    if (u.ltq) {
      w.Key("ltq").QuantityValue(*u.ltq);
    }
    for (const auto& [name, value] :
         {std::pair{"open", u.open}, std::pair{"high", u.high}, std::pair{"low", u.low}, std::pair{"close", u.close}}) {
      if (value) {
        w.Key(name).PriceValue(*value);
      }
    }
    if (u.volume) {
      w.Key("volume").QuantityValue(*u.volume);
    }
  }
  if (mode == 2) {
    if (u.bid) {
      w.Key("bid").PriceValue(*u.bid);
    }
    if (u.ask) {
      w.Key("ask").PriceValue(*u.ask);
    }
    if (u.bid_qty) {
      w.Key("bid_qty").QuantityValue(*u.bid_qty);
    }
    if (u.ask_qty) {
      w.Key("ask_qty").QuantityValue(*u.ask_qty);
    }
  }
  if (mode == 3) {
    const auto levels = static_cast<std::size_t>(options_.depth_levels);
    auto side = [&](const char* name, const std::vector<WsDepthLevel>& book) {
      w.Key(name).BeginArray();
      for (std::size_t i = 0; i < book.size() && i < levels; ++i) {
        w.BeginObject().Key("price").PriceValue(book[i].price).Key("quantity").QuantityValue(book[i].quantity);
        w.Key("orders").Int(book[i].orders).EndObject();
      }
      w.EndArray();
    };
    w.Key("depth").BeginObject();
    side("buy", u.bids);
    side("sell", u.asks);
    w.EndObject();
  }
  w.Key("timestamp").Int(Millis(u.ts)).EndObject().EndObject();
  return w.Take();
}

void OpenAlgoWsHub::Publish(const WsMarketUpdate& update) {
  const Key key{update.exchange, update.symbol};
  std::vector<std::pair<std::shared_ptr<StreamClient>, std::shared_ptr<const StreamEvent>>> out;
  {
    std::lock_guard lock(mutex_);
    if (!watchers_.contains(key)) {
      return;
    }
    latest_.insert_or_assign(key, update);
    const UnixNanos now = clock_.Now();
    bool send_ltp = true;
    Throttle& throttle = throttle_[key];
    if (throttle.last_ltp != UnixNanos{} && now - throttle.last_ltp < options_.ltp_throttle) {
      send_ltp = false;
    }
    std::shared_ptr<const StreamEvent> frames[4];
    for (auto& [raw, session] : sessions_) {
      (void)raw;
      auto subscribed = session.modes.find(key);
      if (subscribed == session.modes.end()) {
        continue;
      }
      auto client = session.client.lock();
      if (!client) {
        continue;
      }
      for (const int mode : subscribed->second) {
        if (mode == 1 && !send_ltp) {
          continue;
        }
        if (!frames[mode]) {
          frames[mode] = std::make_shared<const StreamEvent>(StreamEvent{0, {}, Frame(update, mode)});
        }
        out.emplace_back(client, frames[mode]);
      }
    }
    if (send_ltp && frames[1]) {
      throttle.last_ltp = now;
    }
    frames_sent_ += out.size();
  }
  for (auto& [client, frame] : out) {
    client->Send(frame);  // a client whose queue is full is dropped here, never waited for
  }
}

void OpenAlgoWsHub::PublishOrder(const WsOrderUpdate& u) {
  JsonWriter w;
  w.BeginObject().Key("type").String("order_update").Key("broker").String(options_.broker);
  w.Key("data").BeginObject();
  w.Key("orderid").String(u.orderid).Key("symbol").String(u.symbol).Key("exchange").String(u.exchange);
  w.Key("action").String(u.action).Key("pricetype").String(u.pricetype).Key("product").String(u.product);
  w.Key("order_status").String(u.order_status);
  w.Key("quantity").QuantityValue(u.quantity).Key("filled_quantity").QuantityValue(u.filled_quantity);
  w.Key("average_price").Double(u.average_price);
  w.Key("price").PriceValue(u.price.value_or(Price()));
  w.Key("trigger_price").PriceValue(u.trigger_price.value_or(Price()));
  w.Key("message").String(u.message);
  w.Key("timestamp").Int(Millis(u.ts));
  w.EndObject().EndObject();
  auto frame = std::make_shared<const StreamEvent>(StreamEvent{0, {}, w.Take()});
  std::vector<std::shared_ptr<StreamClient>> out;
  {
    std::lock_guard lock(mutex_);
    for (auto& [raw, session] : sessions_) {
      (void)raw;
      if (session.orders && !session.user.empty()) {
        if (auto client = session.client.lock()) {
          out.push_back(std::move(client));
        }
      }
    }
  }
  for (auto& client : out) {
    client->Send(frame);
  }
}

std::vector<std::pair<std::string, std::string>> OpenAlgoWsHub::Watched() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, count] : watchers_) {
    (void)count;
    out.emplace_back(key.second, key.first);
  }
  return out;
}

std::size_t OpenAlgoWsHub::client_count() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::uint64_t OpenAlgoWsHub::frames_sent() const {
  std::lock_guard lock(mutex_);
  return frames_sent_;
}

void AddOpenAlgoWsRoute(Router& router, const std::shared_ptr<OpenAlgoWsHub>& hub, std::string path) {
  RouteDoc doc = MakeDoc("OpenAlgo-compatible WebSocket market data", "openalgoMarketStream", {"openalgo"});
  doc.hidden = true;
  router.AddWebSocket(std::move(path), hub->Handler(), std::move(doc));
}

}  // namespace td::api
