// SPDX-License-Identifier: MIT
#include "core/clock.hpp"

namespace td {

Status Clock::SetTimer(std::string name, Duration interval, UnixNanos start, std::optional<UnixNanos> stop,
                       TimerCallback callback) {
  if (name.empty()) {
    return Error::InvalidArgument("timer name must not be empty", "name");
  }
  if (interval <= Duration::zero()) {
    return Error::InvalidArgument("timer interval must be positive", "interval");
  }
  if (stop && *stop < start) {
    return Error::InvalidArgument("timer stops before it starts", "stop");
  }
  if (!callback) {
    return Error::InvalidArgument("timer needs a callback", "callback");
  }
  timers_.insert_or_assign(std::move(name), Timer{interval, start, stop, std::move(callback)});
  return {};
}

Status Clock::SetAlarm(std::string name, UnixNanos at, TimerCallback callback) {
  if (name.empty()) {
    return Error::InvalidArgument("alarm name must not be empty", "name");
  }
  if (!callback) {
    return Error::InvalidArgument("alarm needs a callback", "callback");
  }
  timers_.insert_or_assign(std::move(name), Timer{Duration::zero(), at, std::nullopt, std::move(callback)});
  return {};
}

void Clock::Cancel(std::string_view name) {
  if (auto it = timers_.find(name); it != timers_.end()) {
    timers_.erase(it);
  }
}

bool Clock::HasTimer(std::string_view name) const { return timers_.find(name) != timers_.end(); }

std::vector<std::string> Clock::TimerNames() const {
  std::vector<std::string> names;
  names.reserve(timers_.size());
  for (const auto& [name, timer] : timers_) {
    names.push_back(name);
  }
  return names;
}

std::optional<UnixNanos> Clock::NextDeadline() const {
  std::optional<UnixNanos> earliest;
  for (const auto& [name, timer] : timers_) {
    if (!earliest || timer.next < *earliest) {
      earliest = timer.next;
    }
  }
  return earliest;
}

std::size_t Clock::FireDue(UnixNanos now) {
  std::size_t fired = 0;
  while (true) {
    // Timer counts are small (tens); a linear scan keeps the order rule obvious: earliest, then by name.
    auto due = timers_.end();
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->second.next <= now && (due == timers_.end() || it->second.next < due->second.next)) {
        due = it;
      }
    }
    if (due == timers_.end()) {
      return fired;
    }
    const TimeEvent event{due->first, due->second.next, now};
    TimerCallback callback = due->second.callback;  // the callback may cancel or replace its own timer
    if (due->second.interval == Duration::zero()) {
      timers_.erase(due);
    } else {
      due->second.next += due->second.interval;
      if (due->second.stop && due->second.next > *due->second.stop) {
        timers_.erase(due);
      }
    }
    callback(event);
    ++fired;
  }
}

UnixNanos LiveClock::Now() const {
  return UnixNanos(std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch()).count());
}

std::size_t TestClock::AdvanceTo(UnixNanos target) {
  const UnixNanos start = Now();
  TD_CHECK(target >= start) << "TestClock moved backwards from " << start.nanos() << " to " << target.nanos();
  std::size_t fired = 0;
  while (auto next = NextDeadline()) {
    if (*next > target) {
      break;
    }
    if (*next > Now()) {
      now_.store(*next, std::memory_order_release);
    }
    fired += FireDue(Now());
  }
  now_.store(target, std::memory_order_release);
  return fired;
}

}  // namespace td
