// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace td {

/// Raised by a timer or alarm when its time comes.
struct TimeEvent {
  std::string name;
  UnixNanos ts_event;  // the scheduled time
  UnixNanos ts_init;   // when the clock fired it
};

using TimerCallback = std::function<void(const TimeEvent&)>;

/// The source of time and the owner of timers. Live runs use wall time; replay and tests inject time.
/// Timers fire only from FireDue/AdvanceTo on the owning (kernel) thread, so callbacks never race.
class Clock {
 public:
  virtual ~Clock() = default;

  /// Returns the current time.
  virtual UnixNanos Now() const = 0;

  /// Starts a repeating timer: first at `start`, then every `interval`, last at or before `stop` if given.
  Status SetTimer(std::string name, Duration interval, UnixNanos start, std::optional<UnixNanos> stop,
                  TimerCallback callback);
  /// Starts a one-shot alarm at `at`.
  Status SetAlarm(std::string name, UnixNanos at, TimerCallback callback);
  /// Cancels a timer or alarm; unknown names are ignored.
  void Cancel(std::string_view name);
  bool HasTimer(std::string_view name) const;
  std::vector<std::string> TimerNames() const;
  /// The earliest time at which a timer is due, if any.
  std::optional<UnixNanos> NextDeadline() const;
  /// Fires every timer due at or before `now`, in time order (ties by name); returns how many fired.
  std::size_t FireDue(UnixNanos now);

 private:
  struct Timer {
    Duration interval{0};  // zero for an alarm
    UnixNanos next;
    std::optional<UnixNanos> stop;
    TimerCallback callback;
  };
  std::map<std::string, Timer, std::less<>> timers_;
};

/// Wall-clock time (UTC, nanoseconds).
class LiveClock final : public Clock {
 public:
  UnixNanos Now() const override;
};

/// Time that moves only when told to; fires timers as it passes them. For tests, replay and backtests.
class TestClock final : public Clock {
 public:
  explicit TestClock(UnixNanos start = UnixNanos{}) : now_(start) {}
  UnixNanos Now() const override { return now_.load(std::memory_order_acquire); }
  /// Moves time forward to `target`, stopping at each due timer so its callback sees its own time.
  /// Moving backwards aborts: time in a run is monotonic. Returns the number of timers fired.
  std::size_t AdvanceTo(UnixNanos target);
  std::size_t Advance(Duration by) { return AdvanceTo(Now() + by); }

 private:
  // Atomic because a test may advance time while a component's own thread (a kernel, a feed) reads it; one
  // thread advances, so load-then-store needs no read-modify-write.
  std::atomic<UnixNanos> now_;
};

}  // namespace td
