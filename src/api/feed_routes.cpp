// SPDX-License-Identifier: MIT
#include "api/feed_routes.hpp"

#include <chrono>
#include <cstdio>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "api/json_writer.hpp"
#include "api/metrics.hpp"
#include "api/router.hpp"
#include "system/market_service.hpp"

namespace td::api {
namespace {

const system::SourceHealth* FindSource(const system::FeedsSnapshot& snapshot, std::string_view name) {
  for (const system::SourceHealth& source : snapshot.sources) {
    if (source.status.source == name) {
      return &source;
    }
  }
  return nullptr;
}

/// Seconds since the source last delivered anything, or nothing when it never did.
std::optional<double> AgeSeconds(const data::FeedStatus& status, UnixNanos now) {
  if (status.last_message.nanos() <= 0) {
    return std::nullopt;
  }
  return static_cast<double>(std::max<std::int64_t>(0, now.nanos() - status.last_message.nanos())) / 1e9;
}

/// The rejected messages of a source by reason, in a fixed order.
std::vector<std::pair<std::string_view, std::uint64_t>> RejectReasons(const data::SourceCounters& counters) {
  const data::TickCounters& t = counters.ticks;
  return {{"duplicate", t.duplicate},
          {"out_of_order", t.out_of_order},
          {"non_positive_price", t.non_positive_price},
          {"non_finite", t.non_finite},
          {"crossed_quote", t.crossed_quote},
          {"one_sided_quote", t.one_sided_quote},
          {"outside_session", t.outside_session},
          {"bad_bar", counters.bar_rejects},
          {"bad_chain", counters.chain_rejects}};
}

// ---- JSON ---------------------------------------------------------------------------------------------

void WriteTime(JsonWriter& json, std::string_view key, UnixNanos at) {
  json.Key(key);
  if (at.nanos() <= 0) {
    json.Null();
  } else {
    json.String(at.ToIso8601());
  }
}

void WriteAge(JsonWriter& json, const data::FeedStatus& status, UnixNanos now) {
  json.Key("last_message_age_ms");
  if (auto age = AgeSeconds(status, now)) {
    json.Int(static_cast<std::int64_t>(*age * 1000.0));
  } else {
    json.Null();
  }
}

void WriteSource(JsonWriter& json, const system::SourceHealth& source, UnixNanos now) {
  const data::FeedStatus& status = source.status;
  const data::SourceCounters& counters = source.counters;
  json.BeginObject();
  json.Key("source").String(status.source);
  json.Key("role").StringOrNull(source.role);
  json.Key("connected").Bool(status.connected);
  WriteTime(json, "last_message", status.last_message);
  WriteAge(json, status, now);
  json.Key("last_error").StringOrNull(status.last_error);
  json.Key("messages").Uint(counters.messages);
  json.Key("reconnects").Uint(status.reconnects);
  json.Key("accepted").BeginObject();
  json.Key("quotes").Uint(counters.quotes);
  json.Key("trades").Uint(counters.trades);
  json.Key("bars").Uint(counters.bars);
  json.Key("chains").Uint(counters.chains);
  json.EndObject();
  json.Key("rejects").Uint(counters.rejects());
  json.Key("rejects_by_reason").BeginObject();
  for (const auto& [reason, count] : RejectReasons(counters)) {
    json.Key(reason).Uint(count);
  }
  json.EndObject();
  json.Key("standby").Uint(counters.standby);
  json.Key("queue_drops").Uint(counters.queue_drops);
  json.EndObject();
}

void WriteFeed(JsonWriter& json, const data::FeedHealth& feed, const system::FeedsSnapshot& snapshot) {
  const system::SourceHealth* active = FindSource(snapshot, feed.active_source);
  const system::SourceHealth* primary = FindSource(snapshot, feed.primary.source);
  const system::SourceHealth* fallback = feed.fallback.source.empty() ? nullptr : FindSource(snapshot, feed.fallback.source);
  json.BeginObject();
  json.Key("name").String(feed.feed);
  json.Key("active_source").String(feed.active_source);
  json.Key("primary").String(feed.primary.source);
  json.Key("fallback").StringOrNull(feed.fallback.source);
  json.Key("on_fallback").Bool(feed.on_fallback);
  json.Key("connected").Bool(active != nullptr && active->status.connected);
  if (active != nullptr) {
    WriteAge(json, active->status, snapshot.taken_at);
  } else {
    json.Key("last_message_age_ms").Null();
  }
  json.Key("stale").Bool(feed.stale);
  json.Key("in_session").Bool(feed.in_session);
  json.Key("threshold_ms").Int(std::chrono::duration_cast<std::chrono::milliseconds>(feed.threshold).count());
  json.Key("failovers").Uint(feed.failovers);
  json.Key("failbacks").Uint(feed.failbacks);
  json.Key("resyncs").Uint(feed.resyncs);
  json.Key("reconnects")
      .Uint((primary != nullptr ? primary->status.reconnects : 0) + (fallback != nullptr ? fallback->status.reconnects : 0));
  json.Key("gaps").Uint(feed.gaps);
  json.Key("backfilled_bars").Uint(feed.backfilled_bars);
  WriteTime(json, "last_switch", feed.last_switch);
  json.Key("last_switch_reason").StringOrNull(feed.reason);
  json.EndObject();
}

std::string FeedsJson(const system::MarketService& market, const system::FeedsSnapshot& snapshot,
                      const std::vector<const data::FeedHealth*>& feeds) {
  JsonWriter json(1024);
  json.BeginObject();
  json.Key("status").String("success");
  json.Key("source").String(market.source());
  json.Key("backup").StringOrNull(market.backup());
  WriteTime(json, "taken_at", snapshot.taken_at);
  json.Key("feeds").BeginArray();
  for (const data::FeedHealth* feed : feeds) {
    WriteFeed(json, *feed, snapshot);
  }
  json.EndArray();
  json.Key("sources").BeginArray();
  for (const system::SourceHealth& source : snapshot.sources) {
    WriteSource(json, source, snapshot.taken_at);
  }
  json.EndArray();
  json.Key("engine").BeginObject();
  json.Key("bars_closed").Uint(snapshot.bars_closed);
  json.Key("backfill_requests").Uint(snapshot.backfill_requests);
  json.Key("backfilled_bars").Uint(snapshot.backfilled_bars);
  json.Key("persist_errors").Uint(snapshot.persist_errors);
  json.Key("kernel_queue_drops").Uint(snapshot.kernel_queue_drops);
  json.EndObject();
  json.EndObject();
  return json.Take();
}

Result<Response> GetFeeds(system::MarketService& market, const Request& request) {
  const auto wanted = request.Query("feed");
  if (wanted && wanted->empty()) {
    return Error::InvalidArgument("feed must name a feed when given", "feed");
  }
  auto snapshot = market.Feeds();
  if (!snapshot.ok()) {
    return snapshot.error();
  }
  std::vector<const data::FeedHealth*> feeds;
  for (const data::FeedHealth& feed : snapshot->feeds) {
    if (!wanted || feed.feed == *wanted) {
      feeds.push_back(&feed);
    }
  }
  if (wanted && feeds.empty()) {
    return Error::NotFound("no feed named '" + std::string(*wanted) + "'", "feed");
  }
  return Response::Json(FeedsJson(market, *snapshot, feeds));
}

// ---- Prometheus ---------------------------------------------------------------------------------------

void AppendLabel(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

/// Writes families one at a time: a HELP/TYPE header, then samples.
class Exposition {
 public:
  explicit Exposition(std::string& out) : out_(out) {}

  void Family(std::string_view name, std::string_view type, std::string_view help) {
    name_ = name;
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  void Sample(std::initializer_list<std::pair<std::string_view, std::string_view>> labels, std::uint64_t value) {
    Labels(labels);
    out_ += std::to_string(value);
    out_ += '\n';
  }

  void Sample(std::initializer_list<std::pair<std::string_view, std::string_view>> labels, double value) {
    Labels(labels);
    char buffer[64];
    const int n = std::snprintf(buffer, sizeof(buffer), "%.3f", value);
    out_.append(buffer, static_cast<std::size_t>(n));
    out_ += '\n';
  }

 private:
  void Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> labels) {
    out_ += name_;
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [key, value] : labels) {
        out_ += first ? "" : ",";
        first = false;
        out_ += key;
        out_ += "=\"";
        AppendLabel(out_, value);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
  }

  std::string& out_;
  std::string_view name_;
};

}  // namespace

std::string RenderFeedMetrics(const system::FeedsSnapshot& snapshot) {
  std::string out;
  out.reserve(4096);
  Exposition e(out);
  const UnixNanos now = snapshot.taken_at;
  using U = std::uint64_t;

  e.Family("td_data_source_connected", "gauge", "1 when the market-data source is connected.");
  for (const auto& s : snapshot.sources) {
    e.Sample({{"source", s.status.source}, {"role", s.role}}, U{s.status.connected ? 1U : 0U});
  }
  e.Family("td_data_source_last_message_age_seconds", "gauge",
           "Seconds since the source last delivered anything (absent when it never did).");
  for (const auto& s : snapshot.sources) {
    if (auto age = AgeSeconds(s.status, now)) {
      e.Sample({{"source", s.status.source}}, *age);
    }
  }
  e.Family("td_data_source_messages_total", "counter", "Events of the source handled by the data engine.");
  for (const auto& s : snapshot.sources) {
    e.Sample({{"source", s.status.source}}, U{s.counters.messages});
  }
  e.Family("td_data_source_accepted_total", "counter", "Events of the source accepted by validation, by kind.");
  for (const auto& s : snapshot.sources) {
    e.Sample({{"source", s.status.source}, {"kind", "quote"}}, U{s.counters.quotes});
    e.Sample({{"source", s.status.source}, {"kind", "trade"}}, U{s.counters.trades});
    e.Sample({{"source", s.status.source}, {"kind", "bar"}}, U{s.counters.bars});
    e.Sample({{"source", s.status.source}, {"kind", "chain"}}, U{s.counters.chains});
  }
  e.Family("td_data_source_rejects_total", "counter", "Events of the source rejected by validation, by reason.");
  for (const auto& s : snapshot.sources) {
    for (const auto& [reason, count] : RejectReasons(s.counters)) {
      e.Sample({{"source", s.status.source}, {"reason", reason}}, U{count});
    }
  }
  e.Family("td_data_source_standby_total", "counter",
           "Valid events of a source that was not the active one for their instrument (hot standby).");
  for (const auto& s : snapshot.sources) {
    e.Sample({{"source", s.status.source}}, U{s.counters.standby});
  }
  e.Family("td_data_source_queue_drops_total", "counter", "Events the kernel queue was too full to take.");
  for (const auto& s : snapshot.sources) {
    e.Sample({{"source", s.status.source}}, U{s.counters.queue_drops});
  }
  e.Family("td_data_source_reconnects_total", "counter", "Successful reconnections of the source.");
  for (const auto& s : snapshot.sources) {
    e.Sample({{"source", s.status.source}}, U{s.status.reconnects});
  }

  const auto source_of = [&](std::string_view name) { return FindSource(snapshot, name); };
  e.Family("td_feed_connected", "gauge", "1 when the feed's active source is connected.");
  for (const auto& f : snapshot.feeds) {
    const auto* active = source_of(f.active_source);
    e.Sample({{"feed", f.feed}, {"active_source", f.active_source}},
             U{active != nullptr && active->status.connected ? 1U : 0U});
  }
  e.Family("td_feed_last_message_age_seconds", "gauge", "Seconds since the feed's active source last delivered.");
  for (const auto& f : snapshot.feeds) {
    if (const auto* active = source_of(f.active_source)) {
      if (auto age = AgeSeconds(active->status, now)) {
        e.Sample({{"feed", f.feed}}, *age);
      }
    }
  }
  e.Family("td_feed_stale", "gauge", "1 when the active source is silent inside the session or disconnected.");
  for (const auto& f : snapshot.feeds) {
    e.Sample({{"feed", f.feed}}, U{f.stale ? 1U : 0U});
  }
  e.Family("td_feed_on_fallback", "gauge", "1 while the feed runs on its fallback source.");
  for (const auto& f : snapshot.feeds) {
    e.Sample({{"feed", f.feed}}, U{f.on_fallback ? 1U : 0U});
  }
  e.Family("td_feed_failovers_total", "counter", "Switches from the primary to the fallback source.");
  for (const auto& f : snapshot.feeds) {
    e.Sample({{"feed", f.feed}}, U{f.failovers});
  }
  e.Family("td_feed_failbacks_total", "counter", "Switches back to the primary source.");
  for (const auto& f : snapshot.feeds) {
    e.Sample({{"feed", f.feed}}, U{f.failbacks});
  }
  e.Family("td_feed_reconnects_total", "counter", "Reconnections of the feed's primary and fallback sources.");
  for (const auto& f : snapshot.feeds) {
    const auto* primary = source_of(f.primary.source);
    const auto* fallback = f.fallback.source.empty() ? nullptr : source_of(f.fallback.source);
    e.Sample({{"feed", f.feed}}, U{(primary != nullptr ? primary->status.reconnects : 0U) +
                                   (fallback != nullptr ? fallback->status.reconnects : 0U)});
  }
  e.Family("td_feed_gaps_total", "counter", "Source switches whose history backfill filled missing bars.");
  for (const auto& f : snapshot.feeds) {
    e.Sample({{"feed", f.feed}}, U{f.gaps});
  }
  e.Family("td_feed_backfilled_bars_total", "counter", "Closed bars published by the feed's gap backfills.");
  for (const auto& f : snapshot.feeds) {
    e.Sample({{"feed", f.feed}}, U{f.backfilled_bars});
  }

  e.Family("td_data_bars_closed_total", "counter", "Closed bars published by the data engine.");
  e.Sample({}, U{snapshot.bars_closed});
  e.Family("td_data_backfill_requests_total", "counter", "History requests made for backfill.");
  e.Sample({}, U{snapshot.backfill_requests});
  e.Family("td_data_backfilled_bars_total", "counter", "Bars that filled a gap.");
  e.Sample({}, U{snapshot.backfilled_bars});
  e.Family("td_data_persist_errors_total", "counter", "Closed bars that could not be written to the store.");
  e.Sample({}, U{snapshot.persist_errors});
  e.Family("td_data_kernel_queue_drops_total", "counter", "Messages the kernel queue refused.");
  e.Sample({}, U{snapshot.kernel_queue_drops});
  return out;
}

void AddFeedRoutes(Router& router, HttpMetrics& metrics, system::MarketService& market) {
  RouteDoc doc = MakeDoc("Market-data feed health and per-source counters", "getFeeds", {"market-data"});
  doc.description =
      "Each feed (one per exchange): active source, connected, last message age, stale, failovers, failbacks, "
      "reconnects, gaps backfilled. Each source: status, accepted events by kind and rejects by reason.";
  doc.parameters = {ParamDoc{"feed", ParamLocation::kQuery, false, "Only this feed (e.g. NSE)", R"({"type":"string"})"}};
  doc.responses = {ResponseDoc{200, "Feed health", R"({"type":"object"})", "application/json"}};
  router.Get("/api/v1/feeds", [&market](const Request& request) { return GetFeeds(market, request); }, doc);

  metrics.AddCollector([&market]() -> std::string {
    auto snapshot = market.Feeds();
    return snapshot.ok() ? RenderFeedMetrics(*snapshot) : std::string();
  });
}

}  // namespace td::api
