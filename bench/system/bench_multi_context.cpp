// SPDX-License-Identifier: MIT
// POST /gpt/multi-context for 4 intervals (5m, 15m, 1h, 4h) with warm caches: latency percentiles and requests/s,
// in-process (router dispatch: parse, cache lookups, render) and over real HTTP on loopback (one keep-alive
// connection), for a live request (no as_of, market open) and a frozen one (a past as_of).
//   bench_multi_context [requests=2000] [bars_per_interval=50] [dump: print the first live body and stop]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "api/context_routes.hpp"
#include "api/http_server.hpp"
#include "api/router.hpp"
#include "core/clock.hpp"
#include "system/coach_service.hpp"
#include "system/context_service.hpp"
#include "system/market_service.hpp"

namespace {

using Steady = std::chrono::steady_clock;

struct Stats {
  double p50_us = 0, p99_us = 0, max_us = 0, per_second = 0;
};

Stats Summarise(std::vector<double> micros, double wall_seconds) {
  std::sort(micros.begin(), micros.end());
  const auto at = [&](double q) { return micros[std::min(micros.size() - 1, static_cast<std::size_t>(q * micros.size()))]; };
  return {at(0.50), at(0.99), micros.back(), static_cast<double>(micros.size()) / wall_seconds};
}

void Print(const char* label, const Stats& s, std::size_t bytes) {
  std::printf("%-34s p50 %8.1f us  p99 %8.1f us  max %8.1f us  %9.0f req/s  (%zu-byte body)\n", label, s.p50_us,
              s.p99_us, s.max_us, s.per_second, bytes);
}

/// A blocking keep-alive HTTP/1.1 client on one loopback connection.
class Connection {
 public:
  explicit Connection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  /// Sends one request and reads its response; returns the status (0 on a broken connection).
  int RoundTrip(const std::string& request, std::string& body) {
    std::size_t sent = 0;
    while (sent < request.size()) {
      const ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return 0;
      sent += static_cast<std::size_t>(n);
    }
    std::size_t header_end = std::string::npos;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return 0;
    }
    const std::string head = buffer_.substr(0, header_end);
    std::size_t length = 0;
    for (const char* name : {"Content-Length: ", "content-length: "}) {
      if (auto at = head.find(name); at != std::string::npos) length = std::strtoul(head.c_str() + at + 16, nullptr, 10);
    }
    const std::size_t total = header_end + 4 + length;
    while (buffer_.size() < total) {
      if (!Fill()) return 0;
    }
    body.assign(buffer_, header_end + 4, length);
    buffer_.erase(0, total);
    return std::atoi(head.c_str() + 9);
  }

 private:
  bool Fill() {
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace td;
  const int requests = argc > 1 ? std::max(10, std::atoi(argv[1])) : 2000;
  const int bars = argc > 2 ? std::max(1, std::atoi(argv[2])) : 50;
  const bool dump = argc > 3 && std::string(argv[3]) == "dump";
  // A Tuesday 15:00 UTC: NYSE open. The clock stands still, so live cache entries stay warm for the run.
  TestClock clock(*UnixNanos::ParseIso8601("2025-09-16T15:00:00Z"));
  auto market = system::MarketService::StartSimulator({.seed = 42, .history_days = 5}, clock);
  if (!market.ok()) {
    std::fprintf(stderr, "simulator: %s\n", market.error().ToString().c_str());
    return 1;
  }
  system::CoachService coach(**market, nullptr, clock);
  system::ContextService context(coach, nullptr);

  api::HttpServerOptions options;
  options.listen_port = 0;
  options.io_threads = 1;
  api::HttpServer server(std::move(options));
  api::AddContextRoutes(server.router(), context, api::RouteOptions{});
  if (auto started = server.Start(); !started.ok()) {
    std::fprintf(stderr, "server: %s\n", started.error().ToString().c_str());
    return 1;
  }
  const std::string intervals = R"("intervals":["5m","15m","1h","4h"],"bars_per_interval":)" + std::to_string(bars);
  const std::vector<std::pair<const char*, std::string>> bodies = {
      {"live", R"({"symbol":"SPY",)" + intervals + "}"},
      {"frozen", R"({"symbol":"SPY",)" + intervals + R"(,"as_of":"2025-09-15T18:00:00Z"})"}};
  std::printf("POST /gpt/multi-context, SPY, 4 intervals x %d bars, %d requests each, warm caches\n", bars, requests);

  for (const auto& [label, body] : bodies) {
    // In-process: the router's dispatch of the route, as an I/O thread runs it.
    const api::Resolution resolution = server.router().Resolve(api::Method::kPost, "/gpt/multi-context");
    if (resolution.route == nullptr) {
      std::fprintf(stderr, "route not found\n");
      return 1;
    }
    api::Request request;
    request.method = api::Method::kPost;
    request.path = "/gpt/multi-context";
    request.body = body;
    api::Response first = server.router().Invoke(*resolution.route, request);  // warms the caches
    if (first.status != 200) {
      std::fprintf(stderr, "%s: status %d: %s\n", label, first.status, first.body.c_str());
      return 1;
    }
    if (dump) {
      std::printf("%s\n", first.body.c_str());
      server.Stop();
      return 0;
    }
    std::vector<double> micros;
    micros.reserve(static_cast<std::size_t>(requests));
    const auto w0 = Steady::now();
    for (int i = 0; i < requests; ++i) {
      api::Request copy = request;
      const auto t0 = Steady::now();
      api::Response response = server.router().Invoke(*resolution.route, copy);
      micros.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t0).count());
      if (response.status != 200) return 1;
    }
    const double wall = std::chrono::duration<double>(Steady::now() - w0).count();
    Print((std::string("in-process, ") + label).c_str(), Summarise(micros, wall), first.body.size());

    // Over HTTP on loopback, one keep-alive connection.
    Connection connection(server.port());
    if (!connection.ok()) {
      std::fprintf(stderr, "cannot connect\n");
      return 1;
    }
    const std::string wire = "POST /gpt/multi-context HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                             "Content-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n" + body;
    std::string answer;
    micros.clear();
    const auto h0 = Steady::now();
    for (int i = 0; i < requests; ++i) {
      const auto t0 = Steady::now();
      const int status = connection.RoundTrip(wire, answer);
      micros.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t0).count());
      if (status != 200) {
        std::fprintf(stderr, "%s over HTTP: status %d\n", label, status);
        return 1;
      }
    }
    const double http_wall = std::chrono::duration<double>(Steady::now() - h0).count();
    Print((std::string("HTTP loopback, ") + label).c_str(), Summarise(micros, http_wall), answer.size());
  }
  server.Stop();
  return 0;
}
