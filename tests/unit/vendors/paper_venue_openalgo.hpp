// SPDX-License-Identifier: MIT
// A broker behind OpenAlgo on loopback whose venue is the real paper broker: OpenAlgo's REST wire outside
// (placeorder, modifyorder, cancelorder, orderbook, tradebook, orderstatus; numbers as strings, refusals as
// {"status":"error","message"}), PaperBroker matching inside, fed the conformance matrix's quotes and trades. It
// lets the OpenAlgo adapter run the same broker conformance cases as the paper broker itself.
#pragma once

#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "adapters/paper/paper_broker.hpp"
#include "core/clock.hpp"
#include "execution/order_events.hpp"
#include "unit/vendors/test_support.hpp"

namespace td::vendors_test {

namespace venue_json = boost::json;

class PaperVenueOpenAlgo {
 public:
  /// `broker` is the venue (zero latency: its answers are known when a request returns); the server owns it.
  explicit PaperVenueOpenAlgo(std::unique_ptr<adapters::paper::PaperBroker> broker)
      : broker_(std::move(broker)), server_([this](int fd) {
          const int own = ::dup(fd);
          std::lock_guard lock(threads_mutex_);
          threads_.emplace_back([this, own] { Serve(own); });
        }) {
    broker_->SetSink(&events_);
  }
  ~PaperVenueOpenAlgo() {
    stop_ = true;
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(threads_mutex_);
      threads.swap(threads_);
    }
    for (auto& t : threads) {
      t.join();
    }
  }
  PaperVenueOpenAlgo(const PaperVenueOpenAlgo&) = delete;
  PaperVenueOpenAlgo& operator=(const PaperVenueOpenAlgo&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  void Quote(const QuoteTick& quote) {
    std::lock_guard lock(mutex_);
    broker_->OnQuote(quote);
  }
  void Trade(const TradeTick& trade) {
    std::lock_guard lock(mutex_);
    broker_->OnTrade(trade);
  }

 private:
  /// The venue's own reports: only the refusals matter to the wire (the books carry the rest).
  class Refusals final : public execution::ExecutionEventSink {
   public:
    void OnOrderEvent(const execution::OrderEvent& event) override {
      if (const auto* r = std::get_if<execution::OrderRejected>(&event)) {
        last[r->client_order_id.str()] = r->reason;
      } else if (const auto* m = std::get_if<execution::OrderModifyRejected>(&event)) {
        last[m->client_order_id.str()] = m->reason;
      } else if (const auto* c = std::get_if<execution::OrderCancelRejected>(&event)) {
        last[c->client_order_id.str()] = c->reason;
      }
    }
    std::map<std::string, std::string> last;
  };

  static std::string Error(int status, const std::string& message) {
    return HttpResponse(status, venue_json::serialize(venue_json::object{{"status", "error"}, {"message", message}}));
  }
  static std::string Text(const venue_json::object& in, const char* key) {
    const venue_json::value* value = in.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
  }
  static std::optional<Price> PriceField(const venue_json::object& in, const char* key) {
    auto parsed = Price::Parse(Text(in, key));
    return parsed.ok() && parsed->is_positive() ? std::optional<Price>(*parsed) : std::nullopt;
  }
  static std::string StatusWord(execution::BrokerOrderStatus status) {
    switch (status) {
      case execution::BrokerOrderStatus::kOpen: return "open";
      case execution::BrokerOrderStatus::kFilled: return "complete";
      case execution::BrokerOrderStatus::kRejected: return "rejected";
      case execution::BrokerOrderStatus::kCanceled:
      case execution::BrokerOrderStatus::kExpired: return "cancelled";
    }
    return "open";
  }

  void Serve(int fd) {
    while (!stop_) {
      const std::string request = LoopbackServer::ReadRequest(fd);
      if (request.empty()) {
        break;
      }
      LoopbackServer::SendAll(fd, Answer(RequestTarget(request), RequestBody(request)));
    }
    ::close(fd);
  }

  /// A refusal the venue reported for `client_id` during the request just made, if any.
  std::optional<std::string> TakeRefusal(const std::string& client_id) {
    auto it = events_.last.find(client_id);
    if (it == events_.last.end()) {
      return std::nullopt;
    }
    std::string reason = it->second;
    events_.last.erase(it);
    return reason;
  }

  std::string Answer(const std::string& target, const std::string& body) {
    const std::string path = target.substr(std::string("/api/v1/").size());
    venue_json::value parsed = venue_json::parse(body);
    const venue_json::object& in = parsed.as_object();
    std::lock_guard lock(mutex_);
    if (path == "placeorder") {
      execution::SubmitOrder command;
      command.client_order_id = ClientOrderId::Of("WIRE-" + std::to_string(++next_id_));
      command.strategy_id = StrategyId::Of("OPENALGO");
      auto id = InstrumentId::Make(Text(in, "exchange"), Text(in, "symbol"));
      auto side = ParseSide(Text(in, "action"));
      auto type = ParseOrderType(Text(in, "pricetype"));
      auto product = ParseProduct(Text(in, "product"));
      auto quantity = Quantity::Parse(Text(in, "quantity"));
      if (!id.ok() || !side.ok() || !type.ok() || !product.ok() || !quantity.ok()) {
        return Error(400, "invalid order fields");
      }
      command.instrument_id = *id;
      command.side = *side;
      command.type = *type;
      command.product = *product;
      command.quantity = *quantity;
      command.price = NeedsLimitPrice(*type) ? PriceField(in, "price") : std::nullopt;
      command.trigger_price = NeedsTriggerPrice(*type) ? PriceField(in, "trigger_price") : std::nullopt;
      broker_->Submit(command);
      if (auto refused = TakeRefusal(command.client_order_id.str())) {
        return Error(400, *refused);
      }
      auto venue_id = VenueIdOf(command.client_order_id);
      if (!venue_id) {
        return Error(500, "the venue lost the order");
      }
      by_venue_[*venue_id] = command.client_order_id;
      return HttpResponse(200, venue_json::serialize(venue_json::object{{"status", "success"}, {"orderid", *venue_id}}));
    }
    if (path == "modifyorder" || path == "cancelorder") {
      auto it = by_venue_.find(Text(in, "orderid"));
      if (it == by_venue_.end()) {
        return Error(404, "Order not found");
      }
      const ClientOrderId client_id = it->second;
      if (path == "cancelorder") {
        execution::CancelOrder cancel;
        cancel.client_order_id = client_id;
        broker_->Cancel(cancel, VenueOrderId::Of(it->first));
      } else {
        execution::ModifyOrder modify;
        modify.client_order_id = client_id;
        auto quantity = Quantity::Parse(Text(in, "quantity"));
        if (quantity.ok()) {
          modify.quantity = *quantity;
        }
        modify.price = PriceField(in, "price");
        modify.trigger_price = PriceField(in, "trigger_price");
        broker_->Modify(modify, VenueOrderId::Of(it->first));
      }
      if (auto refused = TakeRefusal(client_id.str())) {
        return Error(400, *refused);
      }
      return HttpResponse(200, venue_json::serialize(venue_json::object{{"status", "success"}, {"orderid", it->first}}));
    }
    if (path == "orderbook" || path == "orderstatus") {
      auto snapshot = broker_->QueryOrders();
      venue_json::array rows;
      for (const auto& report : snapshot->orders) {
        venue_json::object row;
        row["orderid"] = report.venue_order_id.value();
        row["symbol"] = std::string(report.instrument_id.symbol());
        row["exchange"] = std::string(report.instrument_id.exchange());
        row["action"] = std::string(ToString(report.side));
        row["quantity"] = report.quantity.ToString();
        row["price"] = report.price ? report.price->ToString() : "0";
        row["trigger_price"] = report.trigger_price ? report.trigger_price->ToString() : "0";
        row["pricetype"] = std::string(ToString(report.type));
        row["product"] = std::string(ToString(report.product));
        row["order_status"] = StatusWord(report.status);
        row["average_price"] = report.avg_fill_px.AsDouble();
        row["timestamp"] = "19-Nov-2026 10:00:00";
        if (path == "orderstatus" && row["orderid"].as_string() == Text(in, "orderid")) {
          return HttpResponse(200, venue_json::serialize(venue_json::object{{"status", "success"}, {"data", row}}));
        }
        rows.push_back(std::move(row));
      }
      if (path == "orderstatus") {
        return Error(404, "Order not found");
      }
      return HttpResponse(200, venue_json::serialize(venue_json::object{
                                   {"status", "success"},
                                   {"data", venue_json::object{{"orders", rows}, {"statistics", venue_json::object{}}}}}));
    }
    if (path == "tradebook") {
      venue_json::array rows;
      for (const auto& trade : broker_->Trades()) {
        rows.push_back(venue_json::object{{"orderid", trade.venue_order_id.value()},
                                          {"symbol", std::string(trade.instrument_id.symbol())},
                                          {"exchange", std::string(trade.instrument_id.exchange())},
                                          {"action", std::string(ToString(trade.side))},
                                          {"quantity", trade.quantity.ToString()},
                                          {"average_price", trade.price.AsDouble()},
                                          {"timestamp", "19-Nov-2026 10:00:00"}});
      }
      return HttpResponse(200, venue_json::serialize(venue_json::object{{"status", "success"}, {"data", rows}}));
    }
    return Error(404, "no such endpoint");
  }

  std::optional<std::string> VenueIdOf(const ClientOrderId& id) {
    auto snapshot = broker_->QueryOrders();
    for (const auto& report : snapshot->orders) {
      if (report.client_order_id && *report.client_order_id == id) {
        return report.venue_order_id.str();
      }
    }
    return std::nullopt;
  }

  std::mutex mutex_;  // the venue is single-threaded: every request and tick takes it
  std::unique_ptr<adapters::paper::PaperBroker> broker_;
  Refusals events_;
  std::map<std::string, ClientOrderId> by_venue_;
  std::uint64_t next_id_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex threads_mutex_;
  std::vector<std::thread> threads_;
  LoopbackServer server_;  // last: its thread must stop before the state above goes away
};

}  // namespace td::vendors_test
