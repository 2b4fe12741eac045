// SPDX-License-Identifier: MIT
// A broker behind OpenAlgo on loopback: it keeps an order book and a trade book, speaks OpenAlgo's REST wire
// format (numbers as strings, {"status":"error","message"} refusals, 429 with Retry-After), misbehaves on script,
// and can SIGKILL a client process at a chosen point of an order's life (crash tests).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "adapters/openalgo/execution_client.hpp"
#include "unit/vendors/test_support.hpp"

namespace td::vendors_test {

namespace fake_json = boost::json;

/// How the fake answers the next place request.
enum class PlaceScript {
  kNormal,
  kRejectInBody,      // 200 {"status":"error","message":...}
  kBadRequest,        // 400 {"status":"error","message":...}
  kRateLimitedOnce,   // 429 with Retry-After, then normal on the retry
  kCreateThenStall,   // create the order, then answer after the client's timeout
  kCreateThenServerError,  // create the order, then answer 500
};

/// Where in an order's life the fake SIGKILLs the client process.
enum class KillPoint {
  kBeforeCreate,  // the place request arrived; the broker never took the order
  kAfterCreate,   // the broker took the order; the client never hears back
  kAfterAnswer,   // the broker answered; the client may or may not have read it
};

/// A broker behind OpenAlgo: an order book, a trade book and scripted misbehaviour.
class FakeOpenAlgo {
 public:
  struct Order {
    std::string id;
    fake_json::object fields;  // symbol, exchange, action, quantity, pricetype, product, price, trigger_price
    std::string status = "open";
    std::vector<std::pair<double, double>> fills;  // (quantity, price)
    std::string timestamp;
  };

  FakeOpenAlgo()
      : server_([this](int fd) {
          std::lock_guard lock(mutex_);
          if (PeerPort(fd) == sentinel_port_) {
            sentinel_accepted_ = true;  // accepts are in order: every connection made before it is being served
            quiet_.notify_all();
            return;
          }
          ++serving_;
          const int own = ::dup(fd);
          threads_.emplace_back([this, own] { Serve(own); });
        }) {}
  ~FakeOpenAlgo() {
    stop_ = true;
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      threads.swap(threads_);
    }
    for (auto& t : threads) {
      t.join();
    }
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  void Script(PlaceScript script) {
    std::lock_guard lock(mutex_);
    scripts_.push_back(script);
  }
  /// SIGKILLs `pid` at `point` of the `nth` place request (1-based).
  void KillOnPlace(int nth, KillPoint point) {
    std::lock_guard lock(mutex_);
    kill_nth_ = nth;
    kill_point_ = point;
  }
  /// The crash test's child process, named in three steps so that a kill point always hits the child whose
  /// request reached it: SpawningVictim before the spawn (a kill point reached before the child is named waits
  /// for its name), SetVictim with its pid, VictimGone once it has exited, before it is reaped (its pid cannot
  /// be reused while it is a zombie). A kill pending for one child never reaches the next.
  void SpawningVictim() {
    std::lock_guard lock(victim_mutex_);
    victim_state_ = VictimState::kSpawning;
  }
  void SetVictim(pid_t pid) {
    std::lock_guard lock(victim_mutex_);
    victim_pid_ = pid;
    ++victim_generation_;
    victim_state_ = VictimState::kAlive;
    victim_named_.notify_all();
  }
  void VictimGone() {
    std::lock_guard lock(victim_mutex_);
    victim_state_ = VictimState::kGone;
  }
  /// Waits until every request sent before now has been answered and every connection has closed: after a
  /// child's death, the requests it left in its sockets reach the book before the next child looks at it, as
  /// they would at a real broker before a restart's reconciliation. False after 5 s.
  bool Quiesce() {
    const int sentinel = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(sentinel, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(sentinel, reinterpret_cast<sockaddr*>(&addr), &len);
    {
      std::lock_guard lock(mutex_);
      sentinel_port_ = ntohs(addr.sin_port);
      sentinel_accepted_ = false;
    }
    addr.sin_port = htons(static_cast<std::uint16_t>(server_.port()));
    const bool connected = ::connect(sentinel, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(sentinel);
    std::unique_lock lock(mutex_);
    const bool quiet = connected && quiet_.wait_for(lock, std::chrono::seconds(5), [this] {
      return sentinel_accepted_ && serving_ == 0;
    });
    sentinel_port_ = -1;
    return quiet;
  }
  /// Place requests received per quantity text ("3" -> 1): a quantity seen twice was sent twice.
  std::map<std::string, int> place_requests_by_quantity() const {
    std::lock_guard lock(mutex_);
    return place_by_quantity_;
  }
  /// Book orders per quantity text.
  std::map<std::string, std::vector<std::string>> orders_by_quantity() const {
    std::lock_guard lock(mutex_);
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [id, o] : orders_) {
      out[std::string(o.fields.at("quantity").as_string())].push_back(id);
    }
    return out;
  }
  void Fill(const std::string& id, double qty, double px) {
    std::lock_guard lock(mutex_);
    Order& o = orders_.at(id);
    o.fills.emplace_back(qty, px);
    double total = 0.0;
    for (const auto& f : o.fills) {
      total += f.first;
    }
    if (total >= std::stod(std::string(o.fields.at("quantity").as_string()))) {
      o.status = "complete";
    }
  }
  void SetStatus(const std::string& id, const std::string& status) {
    std::lock_guard lock(mutex_);
    orders_.at(id).status = status;
  }
  int place_requests() const {
    std::lock_guard lock(mutex_);
    return place_requests_;
  }
  std::vector<std::string> order_ids() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& [id, o] : orders_) {
      ids.push_back(id);
    }
    return ids;
  }
  Order order(const std::string& id) const {
    std::lock_guard lock(mutex_);
    return orders_.at(id);
  }
  std::string last_body(const std::string& path) const {
    std::lock_guard lock(mutex_);
    auto it = last_bodies_.find(path);
    return it == last_bodies_.end() ? std::string() : it->second;
  }

 private:
  static std::string Error(const std::string& message) {
    return fake_json::serialize(fake_json::object{{"status", "error"}, {"message", message}});
  }

  static int PeerPort(int fd) {
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    return ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) == 0 ? ntohs(peer.sin_port) : -2;
  }

  void Serve(int fd) {
    while (!stop_) {
      const std::string request = LoopbackServer::ReadRequest(fd);
      if (request.empty()) {
        break;
      }
      int kill_after_send = 0;
      const std::string response = Answer(RequestTarget(request), RequestBody(request), fd, kill_after_send);
      if (response.empty()) {
        break;
      }
      LoopbackServer::SendAll(fd, response);
      if (kill_after_send != 0) {
        Kill(kill_after_send);
      }
    }
    ::close(fd);
    std::lock_guard lock(mutex_);
    --serving_;
    quiet_.notify_all();
  }

  /// `kill_after_send` receives the generation of the child to kill once the answer is sent (0: none).
  std::string Answer(const std::string& target, const std::string& body, int fd, int& kill_after_send) {
    const std::string path = target.substr(std::string("/api/v1/").size());
    fake_json::value parsed = fake_json::parse(body);
    const fake_json::object& in = parsed.as_object();
    std::unique_lock lock(mutex_);
    last_bodies_[path] = body;
    if (!in.contains("apikey") || in.at("apikey").as_string() != "k3y") {
      return HttpResponse(403, Error("Invalid openalgo apikey"));
    }
    if (path == "placeorder") {
      ++place_requests_;
      ++place_by_quantity_[std::string(in.at("quantity").as_string())];
      const bool kill_here = place_requests_ == kill_nth_;
      if (kill_here && kill_point_ == KillPoint::kBeforeCreate) {
        Kill(Requester());
        return {};
      }
      const PlaceScript script = scripts_.empty() ? PlaceScript::kNormal : scripts_.front();
      if (!scripts_.empty()) {
        scripts_.pop_front();
      }
      if (script == PlaceScript::kRejectInBody) {
        return HttpResponse(200, Error("Insufficient funds"));
      }
      if (script == PlaceScript::kBadRequest) {
        return HttpResponse(400, Error("Invalid quantity"));
      }
      if (script == PlaceScript::kRateLimitedOnce) {
        return HttpResponse(429, Error("Rate limit exceeded. Please try again later."), "Retry-After: 0.2\r\n");
      }
      const std::string id = "2411210000" + std::to_string(100 + orders_.size());
      Order order;
      order.id = id;
      for (const char* key : {"symbol", "exchange", "action", "quantity", "pricetype", "product", "price",
                              "trigger_price"}) {
        order.fields[key] = in.at(key);
      }
      order.timestamp = IstNow();
      orders_[id] = order;
      if (kill_here && kill_point_ == KillPoint::kAfterCreate) {
        Kill(Requester());
        return {};
      }
      if (kill_here && kill_point_ == KillPoint::kAfterAnswer) {
        kill_after_send = Requester();
      }
      if (script == PlaceScript::kCreateThenStall) {
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(700));  // beyond the client's 400 ms timeout
        (void)fd;
        return {};  // drop the connection without an answer
      }
      if (script == PlaceScript::kCreateThenServerError) {
        return HttpResponse(500, Error("broker gateway error"));
      }
      return HttpResponse(200, fake_json::serialize(fake_json::object{{"status", "success"}, {"orderid", id}}));
    }
    if (path == "modifyorder" || path == "cancelorder" || path == "orderstatus") {
      const std::string id(in.at("orderid").as_string());
      auto it = orders_.find(id);
      if (it == orders_.end()) {
        return HttpResponse(404, Error("Order not found"));
      }
      if (path == "orderstatus") {
        fake_json::object data = it->second.fields;
        data["orderid"] = id;
        data["order_status"] = it->second.status;
        data["timestamp"] = it->second.timestamp;
        return HttpResponse(200, fake_json::serialize(fake_json::object{{"status", "success"}, {"data", data}}));
      }
      if (it->second.status != "open") {
        return HttpResponse(400, Error("Order is " + it->second.status + " and cannot be changed"));
      }
      if (path == "cancelorder") {
        it->second.status = "cancelled";
      } else {
        for (const char* key : {"quantity", "price", "trigger_price", "pricetype"}) {
          it->second.fields[key] = in.at(key);
        }
      }
      return HttpResponse(200, fake_json::serialize(fake_json::object{{"status", "success"}, {"orderid", id}}));
    }
    if (path == "orderbook") {
      fake_json::array rows;
      for (const auto& [id, o] : orders_) {
        fake_json::object row = o.fields;
        row["orderid"] = id;
        row["order_status"] = o.status;
        row["timestamp"] = o.timestamp;
        double qty = 0.0;
        double notional = 0.0;
        for (const auto& f : o.fills) {
          qty += f.first;
          notional += f.first * f.second;
        }
        row["average_price"] = qty > 0 ? notional / qty : 0.0;
        rows.push_back(row);
      }
      return HttpResponse(200, fake_json::serialize(fake_json::object{
                                   {"status", "success"},
                                   {"data", fake_json::object{{"orders", rows}, {"statistics", fake_json::object{}}}}}));
    }
    if (path == "tradebook") {
      fake_json::array rows;
      for (const auto& [id, o] : orders_) {
        for (const auto& f : o.fills) {
          rows.push_back(fake_json::object{{"orderid", id},
                                      {"symbol", o.fields.at("symbol")},
                                      {"exchange", o.fields.at("exchange")},
                                      {"action", o.fields.at("action")},
                                      {"quantity", std::to_string(static_cast<int>(f.first))},
                                      {"average_price", f.second},
                                      {"timestamp", o.timestamp}});
        }
      }
      return HttpResponse(200, fake_json::serialize(fake_json::object{{"status", "success"}, {"data", rows}}));
    }
    return HttpResponse(404, Error("no such endpoint"));
  }

  /// The generation of the child whose request is being answered: the one being spawned (its request can
  /// arrive before the parent names it) or the one alive; 0 when there is none (a dead child's leftover).
  int Requester() {
    std::lock_guard lock(victim_mutex_);
    switch (victim_state_) {
      case VictimState::kSpawning: return victim_generation_ + 1;
      case VictimState::kAlive: return victim_generation_;
      default: return 0;
    }
  }

  /// Kills child `generation` once it is named (waiting up to 5 s), unless it has exited already.
  void Kill(int generation) {
    if (generation == 0) {
      return;
    }
    std::unique_lock lock(victim_mutex_);
    victim_named_.wait_for(lock, std::chrono::seconds(5), [&] { return victim_generation_ >= generation; });
    if (victim_generation_ == generation && victim_state_ == VictimState::kAlive) {
      ::kill(victim_pid_, SIGKILL);
    }
  }

  static std::string IstNow() {
    const std::time_t t = std::time(nullptr) + 330 * 60;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%d-%b-%Y %H:%M:%S", &tm);
    return text;
  }

  mutable std::mutex mutex_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::deque<PlaceScript> scripts_;
  std::map<std::string, Order> orders_;
  std::map<std::string, std::string> last_bodies_;
  int place_requests_ = 0;
  std::map<std::string, int> place_by_quantity_;
  int kill_nth_ = 0;
  KillPoint kill_point_ = KillPoint::kBeforeCreate;
  int serving_ = 0;                   // connections whose requests are still being read or answered
  int sentinel_port_ = -1;            // Quiesce's own connection, told apart by its port
  bool sentinel_accepted_ = false;
  std::condition_variable quiet_;
  enum class VictimState { kNone, kSpawning, kAlive, kGone };
  std::mutex victim_mutex_;
  std::condition_variable victim_named_;
  VictimState victim_state_ = VictimState::kNone;
  pid_t victim_pid_ = 0;
  int victim_generation_ = 0;
  LoopbackServer server_;  // last: its thread must stop before the state above goes away
};

/// The kernel thread of the test: tasks posted by the client run when the test drains them.
class PostedTasks {
 public:
  adapters::openalgo::KernelPost poster() {
    return [this](std::function<void()> task) {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    };
  }
  void RunAll() {
    std::deque<std::function<void()>> tasks;
    {
      std::lock_guard lock(mutex_);
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) {
      task();
    }
  }

 private:
  std::mutex mutex_;
  std::deque<std::function<void()>> tasks_;
};

}  // namespace td::vendors_test
