// SPDX-License-Identifier: MIT
// Drives /healthz over K keep-alive loopback connections from one client thread for a fixed time and
// reports requests/s and latency percentiles against the aim of 60,000 req/s per server core.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "api/http_server.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kAimPerCore = 60000.0;

struct Connection {
  int fd = -1;
  std::string in;
  Clock::time_point sent;
};

int ConnectLoopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));  // completes asynchronously
  return fd;
}

/// Returns true once a whole response (headers + Content-Length body) is buffered, and consumes it.
bool TakeResponse(std::string& in) {
  const std::size_t head_end = in.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    return false;
  }
  const std::size_t cl = in.find("Content-Length: ");
  std::size_t length = 0;
  if (cl != std::string::npos && cl < head_end) {
    length = std::strtoull(in.c_str() + cl + 16, nullptr, 10);
  }
  if (in.size() < head_end + 4 + length) {
    return false;
  }
  in.erase(0, head_end + 4 + length);
  return true;
}

std::string LoadAverage() {
  double load[3] = {0, 0, 0};
  if (::getloadavg(load, 3) != 3)
    return "unknown";
  char text[64];
  std::snprintf(text, sizeof(text), "%.2f %.2f %.2f", load[0], load[1], load[2]);
  return text;
}

double ProcessCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double ThreadCpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  const int connections = argc > 1 ? std::atoi(argv[1]) : 16;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
  const int io_threads = argc > 3 ? std::atoi(argv[3]) : 1;

  td::api::HttpServerOptions options;
  options.listen_port = 0;
  options.io_threads = io_threads;
  td::api::HttpServer server(options);
  if (!server.Start().ok()) {
    std::fprintf(stderr, "server failed to start\n");
    return 1;
  }
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n";
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<Connection> conns(static_cast<std::size_t>(connections));
  for (std::size_t i = 0; i < conns.size(); ++i) {
    conns[i].fd = ConnectLoopback(server.port());
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLET;
    event.data.u64 = i;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, conns[i].fd, &event);
  }
  std::vector<double> latencies_us;
  latencies_us.reserve(1 << 22);
  std::vector<bool> started(conns.size(), false);
  std::uint64_t completed = 0;
  std::uint64_t errors = 0;
  const double process_cpu_begin = ProcessCpuSeconds();
  const double client_cpu_begin = ThreadCpuSeconds();
  const auto begin = Clock::now();
  const auto end = begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  auto send = [&](Connection& c) {
    c.sent = Clock::now();
    if (::send(c.fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
      ++errors;
    }
  };
  std::vector<epoll_event> events(static_cast<std::size_t>(connections));
  char buffer[16384];
  while (Clock::now() < end) {
    const int n = ::epoll_wait(epoll, events.data(), connections, 100);
    for (int e = 0; e < n; ++e) {
      const std::size_t i = events[static_cast<std::size_t>(e)].data.u64;
      Connection& c = conns[i];
      if (!started[i] && (events[static_cast<std::size_t>(e)].events & EPOLLOUT)) {
        started[i] = true;
        send(c);
      }
      if (!(events[static_cast<std::size_t>(e)].events & EPOLLIN)) {
        continue;
      }
      while (true) {
        const ssize_t got = ::recv(c.fd, buffer, sizeof(buffer), 0);
        if (got <= 0)
          break;
        c.in.append(buffer, static_cast<std::size_t>(got));
      }
      while (TakeResponse(c.in)) {
        const auto now = Clock::now();
        latencies_us.push_back(std::chrono::duration<double, std::micro>(now - c.sent).count());
        ++completed;
        if (now < end)
          send(c);
      }
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  // Server CPU = whole process minus this client thread: a per-core figure that holds even when other
  // work on the machine steals wall time.
  const double client_cpu = ThreadCpuSeconds() - client_cpu_begin;
  const double server_cpu = std::max(1e-9, ProcessCpuSeconds() - process_cpu_begin - client_cpu);
  for (auto& c : conns)
    ::close(c.fd);
  ::close(epoll);
  server.Stop();

  std::sort(latencies_us.begin(), latencies_us.end());
  auto percentile = [&](double p) {
    if (latencies_us.empty())
      return 0.0;
    return latencies_us[std::min(latencies_us.size() - 1, static_cast<std::size_t>(p * latencies_us.size()))];
  };
  const double rate = static_cast<double>(completed) / elapsed;
  const double per_core = static_cast<double>(completed) / server_cpu;
  std::printf("bench_http: GET /healthz, %d keep-alive connections, %d server io thread(s), %.1f s\n", connections,
              io_threads, elapsed);
  std::printf("  requests        %llu (errors %llu)\n", static_cast<unsigned long long>(completed),
              static_cast<unsigned long long>(errors));
  std::printf("  throughput      %.0f req/s wall clock\n", rate);
  std::printf("  server cpu      %.2f s (client thread %.2f s) -> %.0f req per server cpu-second\n", server_cpu,
              client_cpu, per_core);
  std::printf("  latency         p50 %.1f us, p99 %.1f us, max %.1f us\n", percentile(0.50), percentile(0.99),
              latencies_us.empty() ? 0.0 : latencies_us.back());
  std::printf("  aim             %.0f req/s per core -> ratio %.2f\n", kAimPerCore, per_core / kAimPerCore);
  std::printf("  load average    %s\n", LoadAverage().c_str());
  return completed > 0 && errors == 0 ? 0 : 1;
}
