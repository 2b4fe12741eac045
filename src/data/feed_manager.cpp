// SPDX-License-Identifier: MIT
#include "data/feed_manager.hpp"

#include <algorithm>
#include <cctype>

#include "data/session_source.hpp"
#include "data/zone.hpp"

namespace td::data {
namespace {

constexpr std::int64_t kNanos = 1'000'000'000;

/// The regular session containing `now` under `rule`: [open, close) in UTC, or nullopt outside it.
std::optional<std::pair<UnixNanos, UnixNanos>> SessionAt(const SessionRule& rule, UnixNanos now) {
  if (!rule.regular && !rule.sessions) {
    return std::make_pair(UnixNanos(INT64_MIN / 2), UnixNanos(INT64_MAX / 2));  // no session: always "in"
  }
  auto zone = ZoneConverter::Create(rule.time_zone);
  if (!zone.ok()) {
    return std::nullopt;
  }
  const std::int64_t local = zone->ToLocal(now.seconds());
  const std::int64_t day = local >= 0 ? local / 86'400 : (local - 86'399) / 86'400;
  std::optional<DaySession> hours;
  if (rule.sessions) {
    hours = rule.sessions(CivilFromDays(day));
  } else {
    hours = DaySession{rule.regular->open.count(), rule.regular->close.count()};
  }
  if (!hours) {
    return std::nullopt;
  }
  const UnixNanos open(zone->ToUtc(day * 86'400 + hours->open) * kNanos);
  const UnixNanos close(zone->ToUtc(day * 86'400 + hours->close) * kNanos);
  if (now < open || now >= close) {
    return std::nullopt;
  }
  return std::make_pair(open, close);
}

bool RuleMatches(const StalenessRule& rule, const Subscription& subscription) {
  if (rule.kind != subscription.kind) {
    return false;
  }
  return !rule.spec || subscription.kind != DataKind::kBars || *rule.spec == subscription.bar_spec;
}

}  // namespace

std::string FeedTopic(std::string_view feed) {
  std::string slug;
  for (char c : feed) {
    const auto u = static_cast<unsigned char>(c);
    slug.push_back(std::isalnum(u) != 0 ? static_cast<char>(std::tolower(u)) : '_');
  }
  return "data.feeds." + (slug.empty() ? std::string("_") : slug);
}

FeedManager::FeedManager(runtime::MessageBus& bus, Clock& clock, DataEngine& engine, FeedManagerConfig config)
    : runtime::Actor(config.name, bus, clock), engine_(engine), config_(std::move(config)) {}

void FeedManager::OnStart() {
  Status timer = SetTimer("check", config_.check_interval, clock().Now() + config_.check_interval, std::nullopt,
                          [this](const TimeEvent&) { Check(); });
  TD_CHECK(timer.ok()) << timer.error().ToString();
}

Status FeedManager::AddFeed(FeedConfig config) {
  if (config.name.empty()) {
    return Error::InvalidArgument("a feed needs a name", "name");
  }
  if (feeds_.contains(config.name)) {
    return Error{ErrorCode::kAlreadyExists, "feed '" + config.name + "' exists", "name"};
  }
  if (config.subscriptions.empty()) {
    return Error::InvalidArgument("a feed needs subscriptions", "subscriptions");
  }
  if (engine_.Client(config.primary) == nullptr) {
    return Error::NotFound("no data source '" + config.primary + "'", "primary");
  }
  if (!config.fallback.empty() && engine_.Client(config.fallback) == nullptr) {
    return Error::NotFound("no data source '" + config.fallback + "'", "fallback");
  }
  if (config.failback_after < Duration::zero()) {
    return Error::InvalidArgument("failback_after must not be negative", "failback_after");
  }
  Feed feed;
  feed.threshold = Duration::max();
  for (const Subscription& subscription : config.subscriptions) {
    for (const StalenessRule& rule : config.staleness) {
      if (RuleMatches(rule, subscription)) {
        feed.threshold = std::min(feed.threshold, rule.after);
      }
    }
  }
  if (feed.threshold == Duration::max()) {
    feed.threshold = config.default_staleness;
  }
  for (std::size_t i = 0; i < config.subscriptions.size(); ++i) {
    const Subscription& subscription = config.subscriptions[i];
    Status status = engine_.Subscribe(subscription, config.primary);
    if (status.ok() && !config.fallback.empty()) {
      status = engine_.Subscribe(subscription, config.fallback);
      if (!status.ok()) {
        (void)engine_.Unsubscribe(subscription, config.primary);
      }
    }
    if (!status.ok()) {
      for (std::size_t j = 0; j < i; ++j) {
        (void)engine_.Unsubscribe(config.subscriptions[j], config.primary);
        if (!config.fallback.empty()) {
          (void)engine_.Unsubscribe(config.subscriptions[j], config.fallback);
        }
      }
      return status;
    }
    (void)engine_.SwitchSource(subscription.instrument, config.primary, /*backfill=*/false);
  }
  feed.health.feed = config.name;
  feed.health.active_source = config.primary;
  feed.health.threshold = feed.threshold;
  feed.added_at = clock().Now();
  feed.topic = bus().Topic(FeedTopic(config.name));
  feed.config = std::move(config);
  const std::string name = feed.config.name;
  auto [it, inserted] = feeds_.emplace(name, std::move(feed));
  it->second.health.ts_event = clock().Now();
  bus().Publish(it->second.topic, it->second.health);
  return {};
}

const FeedHealth* FeedManager::Health(std::string_view feed) const {
  auto it = feeds_.find(feed);
  return it == feeds_.end() ? nullptr : &it->second.health;
}

std::vector<FeedHealth> FeedManager::Snapshot() const {
  std::vector<FeedHealth> out;
  for (const auto& [name, feed] : feeds_) {
    out.push_back(feed.health);
  }
  return out;
}

bool FeedManager::Healthy(const Feed& feed, std::string_view source, UnixNanos now, bool in_session,
                          UnixNanos session_open) const {
  const FeedStatus* status = engine_.SourceStatus(source);
  if (status == nullptr || !status->connected) {
    return false;
  }
  if (!in_session) {
    return true;
  }
  // Silence is measured from the latest of the last message, the session open and the feed's creation.
  UnixNanos last = std::max(session_open, feed.added_at);
  for (const Subscription& subscription : feed.config.subscriptions) {
    if (auto seen = engine_.LastEvent(source, subscription.instrument)) {
      last = std::max(last, *seen);
    }
  }
  return now - last <= feed.threshold;
}

void FeedManager::Switch(Feed& feed, const std::string& to, std::string reason) {
  // Switches are rare, so the engine-wide counter brackets this feed's backfills.
  const std::uint64_t filled_before = engine_.Counters().backfilled_bars;
  std::vector<InstrumentId> done;
  for (const Subscription& subscription : feed.config.subscriptions) {
    if (std::find(done.begin(), done.end(), subscription.instrument) != done.end()) {
      continue;
    }
    done.push_back(subscription.instrument);
    (void)engine_.SwitchSource(subscription.instrument, to, /*backfill=*/true);
  }
  const std::uint64_t filled = engine_.Counters().backfilled_bars - filled_before;
  feed.health.backfilled_bars += filled;
  feed.health.gaps += filled > 0 ? 1 : 0;
  feed.health.active_source = to;
  feed.health.on_fallback = to != feed.config.primary;
  feed.health.last_switch = clock().Now();
  feed.health.reason = std::move(reason);
}

void FeedManager::Evaluate(Feed& feed, UnixNanos now) {
  const InstrumentId& first = feed.config.subscriptions.front().instrument;
  SessionRule rule;
  if (feed.config.exchange) {
    const calendar::Exchange exchange = *feed.config.exchange;
    SessionTemplate regular = RegularTemplate(exchange);
    rule.time_zone = regular.time_zone;
    rule.sessions = CalendarSessions(calendar::ExchangeCalendar::Get(exchange), regular);
    rule.regular = std::move(regular);
  } else {
    rule = engine_.RuleFor(first);
  }
  const auto session = SessionAt(rule, now);
  const bool in_session = session.has_value();
  const UnixNanos open = in_session ? session->first : UnixNanos();
  const std::string& primary = feed.config.primary;
  const std::string& fallback = feed.config.fallback;
  const bool primary_ok = Healthy(feed, primary, now, in_session, open);
  const bool fallback_ok = !fallback.empty() && Healthy(feed, fallback, now, in_session, open);
  if (primary_ok) {
    if (!feed.primary_healthy_since) {
      feed.primary_healthy_since = now;
    }
  } else {
    feed.primary_healthy_since.reset();
  }

  const FeedHealth before = feed.health;
  const bool on_primary = feed.health.active_source == primary;
  if (on_primary) {
    if (!primary_ok && fallback_ok) {
      Switch(feed, fallback, "primary stale or disconnected");
      ++feed.health.failovers;
      feed.active_was_unhealthy = false;
    } else if (primary_ok && feed.active_was_unhealthy) {
      Switch(feed, primary, "primary recovered");
      ++feed.health.resyncs;
      feed.active_was_unhealthy = false;
    } else if (!primary_ok) {
      feed.active_was_unhealthy = true;
    }
  } else {
    if (primary_ok && now - *feed.primary_healthy_since >= feed.config.failback_after) {
      Switch(feed, primary, "primary healthy for the hysteresis period");
      ++feed.health.failbacks;
      feed.active_was_unhealthy = false;
    } else if (!fallback_ok && primary_ok) {
      Switch(feed, primary, "fallback stale or disconnected");
      ++feed.health.failbacks;
      feed.active_was_unhealthy = false;
    } else if (fallback_ok && feed.active_was_unhealthy) {
      Switch(feed, fallback, "fallback recovered");
      ++feed.health.resyncs;
      feed.active_was_unhealthy = false;
    } else if (!fallback_ok) {
      feed.active_was_unhealthy = true;
    }
  }
  const bool now_on_primary = feed.health.active_source == primary;
  feed.health.stale = now_on_primary ? !primary_ok : !fallback_ok;
  feed.health.in_session = in_session;
  if (const FeedStatus* status = engine_.SourceStatus(primary)) {
    feed.health.primary = *status;
  }
  if (!fallback.empty()) {
    if (const FeedStatus* status = engine_.SourceStatus(fallback)) {
      feed.health.fallback = *status;
    }
  }
  const bool changed = before.active_source != feed.health.active_source || before.stale != feed.health.stale ||
                       before.in_session != feed.health.in_session ||
                       before.primary.connected != feed.health.primary.connected ||
                       before.fallback.connected != feed.health.fallback.connected;
  if (changed) {
    feed.health.ts_event = now;
    bus().Publish(feed.topic, feed.health);
  }
}

void FeedManager::Check() {
  const UnixNanos now = clock().Now();
  for (auto& [name, feed] : feeds_) {
    Evaluate(feed, now);
  }
}

}  // namespace td::data
