// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "runtime/message_bus.hpp"

namespace td::runtime {

/// The lifecycle every component shares. Legal moves:
/// Ready→Running; Running→Degraded|Faulted|Stopped; Degraded→Running|Faulted|Stopped; Faulted→Stopped;
/// Stopped→Running (restart); Ready|Stopped|Faulted→Disposed. Disposed is final.
enum class ComponentState : std::uint8_t { kReady, kRunning, kDegraded, kFaulted, kStopped, kDisposed };

/// Returns the stable upper-case name of a state ("RUNNING").
std::string_view ComponentStateName(ComponentState state);
/// True when the lifecycle allows moving from `from` to `to`.
bool IsLegalTransition(ComponentState from, ComponentState to);

/// Published on "events.component.<name>" after every state change of an Actor.
struct ComponentStateChanged {
  std::string component;
  ComponentState from = ComponentState::kReady;
  ComponentState to = ComponentState::kReady;
  std::string reason;  // why it degraded or faulted; empty otherwise
  UnixNanos ts_event;
};

/// A component on the bus with the shared lifecycle, clock timers and subscriptions that it owns.
/// Subscriptions and timers made through the Actor are released when it stops, faults or is destroyed.
/// An illegal transition (e.g. Start twice) is a bug and aborts. Runs on the kernel thread only.
class Actor {
 public:
  /// `name` must be a valid single topic segment (it becomes part of the state topic); aborts otherwise.
  Actor(std::string name, MessageBus& bus, Clock& clock);
  Actor(const Actor&) = delete;
  Actor& operator=(const Actor&) = delete;
  virtual ~Actor();

  /// Checks an actor name before construction (names may come from configuration).
  static Status ValidateName(std::string_view name);
  /// Returns "events.component.<name>".
  static std::string StateTopic(std::string_view name);

  void Start();
  void Stop();
  /// Keeps running with reduced service (e.g. a stale feed); `reason` travels in the state event.
  void Degrade(std::string reason);
  /// Returns from Degraded to Running.
  void Resume();
  /// Stops serving because of an unrecoverable error; releases subscriptions and timers.
  void Fault(std::string reason);
  void Dispose();

  ComponentState state() const { return state_; }
  const std::string& name() const { return name_; }
  bool is_running() const { return state_ == ComponentState::kRunning || state_ == ComponentState::kDegraded; }

 protected:
  virtual void OnStart() {}
  virtual void OnStop() {}
  virtual void OnDegrade(const std::string& /*reason*/) {}
  virtual void OnResume() {}
  virtual void OnFault(const std::string& /*reason*/) {}
  virtual void OnDispose() {}

  MessageBus& bus() { return bus_; }
  Clock& clock() { return clock_; }

  /// Subscribes `handler` for T on `pattern`; the subscription is released when the actor stops.
  template <typename T, typename F>
  Result<SubscriptionId> Subscribe(std::string_view pattern, F&& handler) {
    auto id = bus_.Subscribe<T>(pattern, std::forward<F>(handler));
    if (id.ok()) {
      subscriptions_.push_back(*id);
    }
    return id;
  }
  /// Starts a repeating timer named "<actor>.<name>" on the clock, cancelled when the actor stops.
  Status SetTimer(std::string_view name, Duration interval, UnixNanos start, std::optional<UnixNanos> stop,
                  TimerCallback callback);
  /// Starts a one-shot alarm named "<actor>.<name>", cancelled when the actor stops.
  Status SetAlarm(std::string_view name, UnixNanos at, TimerCallback callback);
  /// Cancels a timer set through this actor.
  void CancelTimer(std::string_view name);

 private:
  void Transition(ComponentState to, std::string reason);
  void ReleaseResources();
  std::string TimerName(std::string_view name) const;

  std::string name_;
  MessageBus& bus_;
  Clock& clock_;
  TopicHandle state_topic_;
  ComponentState state_ = ComponentState::kReady;
  std::vector<SubscriptionId> subscriptions_;
  std::vector<std::string> timers_;
};

}  // namespace td::runtime
