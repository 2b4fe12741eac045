// SPDX-License-Identifier: MIT
#include "runtime/actor.hpp"

#include <algorithm>

namespace td::runtime {

std::string_view ComponentStateName(ComponentState state) {
  switch (state) {
    case ComponentState::kReady:
      return "READY";
    case ComponentState::kRunning:
      return "RUNNING";
    case ComponentState::kDegraded:
      return "DEGRADED";
    case ComponentState::kFaulted:
      return "FAULTED";
    case ComponentState::kStopped:
      return "STOPPED";
    case ComponentState::kDisposed:
      return "DISPOSED";
  }
  TD_UNREACHABLE() << "component state " << static_cast<int>(state);
}

bool IsLegalTransition(ComponentState from, ComponentState to) {
  using S = ComponentState;
  switch (from) {
    case S::kReady:
      return to == S::kRunning || to == S::kDisposed;
    case S::kRunning:
      return to == S::kDegraded || to == S::kFaulted || to == S::kStopped;
    case S::kDegraded:
      return to == S::kRunning || to == S::kFaulted || to == S::kStopped;
    case S::kFaulted:
      return to == S::kStopped || to == S::kDisposed;
    case S::kStopped:
      return to == S::kRunning || to == S::kDisposed;
    case S::kDisposed:
      return false;
  }
  return false;
}

Status Actor::ValidateName(std::string_view name) {
  if (name.find('.') != std::string_view::npos) {
    return Error::InvalidArgument("actor name '" + std::string(name) + "' must not contain '.'", "name");
  }
  if (name.size() > 64) {
    return Error::InvalidArgument("actor name longer than 64 characters", "name");
  }
  return ValidateTopic(name);
}

std::string Actor::StateTopic(std::string_view name) {
  return "events.component." + std::string(name);
}

Actor::Actor(std::string name, MessageBus& bus, Clock& clock) : name_(std::move(name)), bus_(bus), clock_(clock) {
  const Status valid = ValidateName(name_);
  TD_CHECK(valid.ok()) << valid.error().ToString();
  state_topic_ = bus_.Topic(StateTopic(name_));
}

Actor::~Actor() {
  ReleaseResources();
}

void Actor::Start() {
  Transition(ComponentState::kRunning, {});
  OnStart();
}

void Actor::Stop() {
  Transition(ComponentState::kStopped, {});
  OnStop();
  ReleaseResources();
}

void Actor::Degrade(std::string reason) {
  Transition(ComponentState::kDegraded, reason);
  OnDegrade(reason);
}

void Actor::Resume() {
  TD_CHECK(state_ == ComponentState::kDegraded)
      << "actor '" << name_ << "': Resume from " << ComponentStateName(state_) << " (only from DEGRADED)";
  Transition(ComponentState::kRunning, {});
  OnResume();
}

void Actor::Fault(std::string reason) {
  Transition(ComponentState::kFaulted, reason);
  ReleaseResources();
  OnFault(reason);
}

void Actor::Dispose() {
  Transition(ComponentState::kDisposed, {});
  ReleaseResources();
  OnDispose();
}

void Actor::Transition(ComponentState to, std::string reason) {
  TD_CHECK(IsLegalTransition(state_, to)) << "actor '" << name_ << "': illegal transition "
                                          << ComponentStateName(state_) << " -> " << ComponentStateName(to);
  const ComponentStateChanged event{name_, state_, to, std::move(reason), clock_.Now()};
  state_ = to;
  bus_.Publish(state_topic_, event);
}

void Actor::ReleaseResources() {
  for (const SubscriptionId id : subscriptions_) {
    bus_.Unsubscribe(id);
  }
  subscriptions_.clear();
  for (const std::string& timer : timers_) {
    clock_.Cancel(timer);
  }
  timers_.clear();
}

std::string Actor::TimerName(std::string_view name) const {
  return name_ + "." + std::string(name);
}

Status Actor::SetTimer(std::string_view name, Duration interval, UnixNanos start, std::optional<UnixNanos> stop,
                       TimerCallback callback) {
  std::string full = TimerName(name);
  TD_TRY(clock_.SetTimer(full, interval, start, stop, std::move(callback)));
  if (std::find(timers_.begin(), timers_.end(), full) == timers_.end()) {
    timers_.push_back(std::move(full));
  }
  return {};
}

Status Actor::SetAlarm(std::string_view name, UnixNanos at, TimerCallback callback) {
  std::string full = TimerName(name);
  TD_TRY(clock_.SetAlarm(full, at, std::move(callback)));
  if (std::find(timers_.begin(), timers_.end(), full) == timers_.end()) {
    timers_.push_back(std::move(full));
  }
  return {};
}

void Actor::CancelTimer(std::string_view name) {
  const std::string full = TimerName(name);
  clock_.Cancel(full);
  std::erase(timers_, full);
}

}  // namespace td::runtime
