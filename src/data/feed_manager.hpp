// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/exchange.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "data/data_client.hpp"
#include "data/data_engine.hpp"
#include "runtime/actor.hpp"

namespace td::data {

/// How long a kind of stream may stay silent inside the session before its feed counts as stale.
/// `spec` narrows a kBars rule to one bar spec; a rule without it applies to every spec.
struct StalenessRule {
  DataKind kind = DataKind::kQuotes;
  std::optional<BarSpec> spec;
  Duration after = std::chrono::seconds(10);
};

/// One feed: an instrument class served by a primary source with a fallback.
struct FeedConfig {
  std::string name;                         // "NSE index", "US equity"
  std::string primary;                      // source names registered with the DataEngine
  std::string fallback;                     // may be empty (no failover, staleness is still reported)
  std::vector<Subscription> subscriptions;  // made on both sources (hot standby)
  std::vector<StalenessRule> staleness;     // the feed's threshold is the shortest rule matching a subscription
  Duration default_staleness = std::chrono::seconds(10);
  Duration failback_after = std::chrono::seconds(60);  // the primary must be healthy this long first
  std::optional<calendar::Exchange> exchange;          // whose sessions count; default: the first instrument's
};

/// What the feed manager knows about one feed; published on "data.feeds.<slug>" on every change and kept
/// for the API.
struct FeedHealth {
  std::string feed;
  std::string active_source;
  bool on_fallback = false;
  bool stale = false;       // the active source is silent inside the session or disconnected
  bool in_session = false;  // the feed's market is in its regular session
  Duration threshold{0};
  FeedStatus primary;  // the engine's status of each source at the last check
  FeedStatus fallback;
  std::uint64_t failovers = 0;
  std::uint64_t failbacks = 0;
  std::uint64_t resyncs = 0;  // gap backfills on the same source after it recovered
  std::uint64_t gaps = 0;             // switches (failover, failback, resync) whose backfill filled bars
  std::uint64_t backfilled_bars = 0;  // closed bars those backfills published
  UnixNanos last_switch;
  std::string reason;  // why the last switch happened
  UnixNanos ts_event;
};

/// "data.feeds.<slug>" where slug is the feed name in lower case with other characters as '_'.
std::string FeedTopic(std::string_view feed);

/// Settings of the feed manager.
struct FeedManagerConfig {
  std::string name = "FeedManager";
  Duration check_interval = std::chrono::seconds(1);
};

/// Watches every feed on a timer (kernel thread): a source is healthy when connected and, inside the
/// regular session, it delivered something for the feed's instruments within the threshold (silence
/// outside the session, or before the session has run for the threshold, never counts). The feed fails over
/// to the fallback when the primary is unhealthy and the fallback healthy, fails back once the primary has
/// been healthy for `failback_after`, and resyncs the active source after it recovers. Every switch goes
/// through DataEngine::SwitchSource, which backfills the gap from the new source's history.
class FeedManager final : public runtime::Actor {
 public:
  FeedManager(runtime::MessageBus& bus, Clock& clock, DataEngine& engine, FeedManagerConfig config = {});

  /// Adds a feed, subscribes it on both sources and makes the primary active.
  Status AddFeed(FeedConfig feed);
  /// The health of a feed, or null when unknown.
  const FeedHealth* Health(std::string_view feed) const;
  /// Every feed's health, sorted by name.
  std::vector<FeedHealth> Snapshot() const;
  /// Evaluates every feed now (the timer calls it).
  void Check();

 protected:
  void OnStart() override;

 private:
  struct Feed {
    FeedConfig config;
    FeedHealth health;
    Duration threshold{0};
    std::optional<UnixNanos> primary_healthy_since;
    UnixNanos added_at;  // silence before the feed existed does not count
    bool active_was_unhealthy = false;
    runtime::TopicHandle topic;
  };
  bool Healthy(const Feed& feed, std::string_view source, UnixNanos now, bool in_session, UnixNanos session_open) const;
  void Switch(Feed& feed, const std::string& to, std::string reason);
  void Evaluate(Feed& feed, UnixNanos now);

  DataEngine& engine_;
  FeedManagerConfig config_;
  std::map<std::string, Feed, std::less<>> feeds_;
};

}  // namespace td::data
