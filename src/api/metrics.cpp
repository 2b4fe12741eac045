// SPDX-License-Identifier: MIT
#include "api/metrics.hpp"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "api/json_writer.hpp"
#include "core/check.hpp"

namespace td::api {
namespace {

void AppendLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

/// Shortest round-trip text in plain notation ("0.0005", never "5e-04"), as Prometheus examples write it.
void AppendNumber(std::string& out, double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed);
  if (ec == std::errc()) {
    out.append(buffer, end);
  } else {
    AppendJsonDouble(out, value);
  }
}

const auto kLoadTime = std::chrono::system_clock::now();

}  // namespace

double ProcessStartTimeSeconds() {
  // Field 22 of /proc/self/stat is the start time in clock ticks after boot; btime in /proc/stat is the boot.
  std::ifstream stat_file("/proc/self/stat");
  std::string stat;
  std::getline(stat_file, stat);
  const auto close_paren = stat.rfind(')');
  std::ifstream boot_file("/proc/stat");
  std::string line;
  long long boot_time = -1;
  while (std::getline(boot_file, line)) {
    if (line.rfind("btime ", 0) == 0) {
      boot_time = std::stoll(line.substr(6));
      break;
    }
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  if (close_paren != std::string::npos && boot_time > 0 && ticks > 0) {
    std::istringstream fields(stat.substr(close_paren + 2));
    std::string field;
    // After "pid (comm) " the state is field 3, so start time (field 22) is the 20th token here.
    for (int i = 3; i <= 22 && fields >> field; ++i) {
      if (i == 22) {
        return static_cast<double>(boot_time) + std::stod(field) / static_cast<double>(ticks);
      }
    }
  }
  return std::chrono::duration<double>(kLoadTime.time_since_epoch()).count();
}

HttpMetrics::HttpMetrics() : process_start_seconds_(ProcessStartTimeSeconds()) {
  RegisterRoute("(unmatched)");
  RegisterRoute("(static)");
  RegisterRoute("(malformed)");
}

int HttpMetrics::RegisterRoute(std::string_view pattern) {
  std::lock_guard lock(register_mutex_);
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].pattern == pattern) {
      return static_cast<int>(i);
    }
  }
  routes_.emplace_back().pattern = std::string(pattern);
  return static_cast<int>(routes_.size() - 1);
}

std::size_t HttpMetrics::StatusSlot(int status) {
  for (std::size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) {
      return i;
    }
  }
  const int klass = status / 100;
  return kStatuses.size() + static_cast<std::size_t>(klass >= 1 && klass <= 5 ? klass - 1 : 4);
}

std::string HttpMetrics::StatusLabel(std::size_t slot) {
  if (slot < kStatuses.size()) {
    return std::to_string(kStatuses[slot]);
  }
  return std::to_string(slot - kStatuses.size() + 1) + "xx";
}

void HttpMetrics::Record(int route, Method method, int status, std::chrono::nanoseconds latency) {
  TD_CHECK(route >= 0 && static_cast<std::size_t>(route) < routes_.size()) << "unknown metrics route " << route;
  RouteStats& stats = routes_[static_cast<std::size_t>(route)];
  stats.counts[static_cast<std::size_t>(method)][StatusSlot(status)].fetch_add(1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(latency).count();
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) {
    ++bucket;
  }
  stats.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  stats.latency_count.fetch_add(1, std::memory_order_relaxed);
  stats.latency_sum_ns.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, latency.count())),
                                 std::memory_order_relaxed);
}

void HttpMetrics::StreamClosed(bool dropped) {
  stream_clients_.fetch_sub(1, std::memory_order_relaxed);
  if (dropped) {
    dropped_streams_.fetch_add(1, std::memory_order_relaxed);
  }
}

std::uint64_t HttpMetrics::RequestCount(std::string_view pattern, Method method, int status) const {
  std::lock_guard lock(register_mutex_);
  for (const RouteStats& stats : routes_) {
    if (stats.pattern == pattern) {
      return stats.counts[static_cast<std::size_t>(method)][StatusSlot(status)].load(std::memory_order_relaxed);
    }
  }
  return 0;
}

std::string HttpMetrics::Render() const {
  std::lock_guard lock(register_mutex_);
  std::string out;
  out.reserve(4096);
  out += "# HELP td_http_requests_total HTTP requests answered, by route pattern, method and status.\n";
  out += "# TYPE td_http_requests_total counter\n";
  for (const RouteStats& stats : routes_) {
    for (std::size_t m = 0; m < kMethodCount; ++m) {
      for (std::size_t s = 0; s < kStatusSlots; ++s) {
        const std::uint64_t count = stats.counts[m][s].load(std::memory_order_relaxed);
        if (count == 0) {
          continue;
        }
        out += "td_http_requests_total{route=\"";
        AppendLabelValue(out, stats.pattern);
        out += "\",method=\"";
        out += MethodName(static_cast<Method>(m));
        out += "\",status=\"";
        out += StatusLabel(s);
        out += "\"} ";
        out += std::to_string(count);
        out += '\n';
      }
    }
  }
  out += "# HELP td_http_request_duration_seconds Time from a complete request to its response, by route pattern.\n";
  out += "# TYPE td_http_request_duration_seconds histogram\n";
  for (const RouteStats& stats : routes_) {
    const std::uint64_t total = stats.latency_count.load(std::memory_order_relaxed);
    if (total == 0) {
      continue;
    }
    std::string label = "route=\"";
    AppendLabelValue(label, stats.pattern);
    label += '"';
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += stats.buckets[b].load(std::memory_order_relaxed);
      out += "td_http_request_duration_seconds_bucket{" + label + ",le=\"";
      if (b < kBuckets.size()) {
        AppendNumber(out, kBuckets[b]);
      } else {
        out += "+Inf";
      }
      out += "\"} " + std::to_string(cumulative) + '\n';
    }
    // Bucket and count loads are not one snapshot; the count line reuses the cumulative total so they agree.
    out += "td_http_request_duration_seconds_sum{" + label + "} ";
    AppendNumber(out, static_cast<double>(stats.latency_sum_ns.load(std::memory_order_relaxed)) / 1e9);
    out += "\ntd_http_request_duration_seconds_count{" + label + "} " + std::to_string(cumulative) + '\n';
  }
  out += "# HELP td_http_requests_in_flight Requests being handled right now.\n";
  out += "# TYPE td_http_requests_in_flight gauge\n";
  out += "td_http_requests_in_flight " + std::to_string(in_flight_.load(std::memory_order_relaxed)) + '\n';
  out += "# HELP td_http_connections_open Open client connections.\n";
  out += "# TYPE td_http_connections_open gauge\n";
  out += "td_http_connections_open " + std::to_string(connections_.load(std::memory_order_relaxed)) + '\n';
  out += "# HELP td_stream_clients Open SSE and WebSocket clients.\n";
  out += "# TYPE td_stream_clients gauge\n";
  out += "td_stream_clients " + std::to_string(stream_clients_.load(std::memory_order_relaxed)) + '\n';
  out += "# HELP td_stream_clients_dropped_total Stream clients dropped because their queue overflowed.\n";
  out += "# TYPE td_stream_clients_dropped_total counter\n";
  out += "td_stream_clients_dropped_total " + std::to_string(dropped_streams_.load(std::memory_order_relaxed)) + '\n';
  out += "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n";
  out += "# TYPE process_start_time_seconds gauge\n";
  out += "process_start_time_seconds ";
  AppendNumber(out, process_start_seconds_);
  out += '\n';
  for (const auto& collector : collectors_) {
    out += collector();
  }
  return out;
}

void HttpMetrics::AddCollector(std::function<std::string()> collector) {
  std::lock_guard lock(register_mutex_);
  collectors_.push_back(std::move(collector));
}

}  // namespace td::api
