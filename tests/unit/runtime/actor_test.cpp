// SPDX-License-Identifier: MIT
#include "runtime/actor.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace td::runtime {
namespace {

using S = ComponentState;

struct Ping {
  int value = 0;
};

class RecordingActor final : public Actor {
 public:
  RecordingActor(MessageBus& bus, Clock& clock) : Actor("recorder", bus, clock) {}

  std::vector<std::string> hooks;
  std::vector<int> pings;
  int ticks = 0;

 protected:
  void OnStart() override {
    hooks.push_back("start");
    ASSERT_TRUE(Subscribe<Ping>("in.ping", [this](const Ping& p) { pings.push_back(p.value); }).ok());
    ASSERT_TRUE(SetTimer("tick", 1s, clock().Now() + 1s, std::nullopt, [this](const TimeEvent&) { ++ticks; }).ok());
  }
  void OnStop() override { hooks.push_back("stop"); }
  void OnDegrade(const std::string& reason) override { hooks.push_back("degrade:" + reason); }
  void OnResume() override { hooks.push_back("resume"); }
  void OnFault(const std::string& reason) override { hooks.push_back("fault:" + reason); }
  void OnDispose() override { hooks.push_back("dispose"); }
};

struct Fixture {
  TestClock clock{UnixNanos::FromSeconds(100)};
  MessageBus bus;
  std::vector<ComponentStateChanged> events;
  Fixture() {
    static_cast<void>(bus.Subscribe<ComponentStateChanged>(
        "events.component.>", [this](const ComponentStateChanged& e) { events.push_back(e); }));
  }
};

TEST(ComponentStateTest, TransitionTableMatchesTheLifecycle) {
  const std::vector<S> all{S::kReady, S::kRunning, S::kDegraded, S::kFaulted, S::kStopped, S::kDisposed};
  std::vector<std::string> legal;
  for (S from : all) {
    for (S to : all) {
      if (IsLegalTransition(from, to)) {
        legal.push_back(std::string(ComponentStateName(from)) + ">" + std::string(ComponentStateName(to)));
      }
    }
  }
  const std::vector<std::string> expected{"READY>RUNNING",    "READY>DISPOSED",   "RUNNING>DEGRADED",
                                          "RUNNING>FAULTED",  "RUNNING>STOPPED",  "DEGRADED>RUNNING",
                                          "DEGRADED>FAULTED", "DEGRADED>STOPPED", "FAULTED>STOPPED",
                                          "FAULTED>DISPOSED", "STOPPED>RUNNING",  "STOPPED>DISPOSED"};
  EXPECT_EQ(legal, expected);
}

TEST(ActorTest, LifecycleRunsHooksPublishesStateAndReleasesResources) {
  Fixture f;
  RecordingActor actor(f.bus, f.clock);
  EXPECT_EQ(actor.state(), S::kReady);

  actor.Start();
  EXPECT_EQ(actor.state(), S::kRunning);
  f.bus.Publish("in.ping", Ping{1});
  f.clock.Advance(2s);
  EXPECT_EQ(actor.ticks, 2);

  actor.Degrade("feed stale");
  EXPECT_TRUE(actor.is_running());
  f.bus.Publish("in.ping", Ping{2});  // still served while degraded
  actor.Resume();
  actor.Stop();
  f.bus.Publish("in.ping", Ping{3});  // no longer subscribed
  f.clock.Advance(5s);
  EXPECT_EQ(actor.ticks, 2);  // timer cancelled
  EXPECT_EQ(actor.pings, (std::vector<int>{1, 2}));

  actor.Start();  // restart re-subscribes in OnStart
  f.bus.Publish("in.ping", Ping{4});
  actor.Fault("journal write failed");
  f.bus.Publish("in.ping", Ping{5});
  actor.Stop();
  actor.Dispose();
  EXPECT_EQ(actor.pings, (std::vector<int>{1, 2, 4}));
  EXPECT_FALSE(f.clock.HasTimer("recorder.tick"));

  EXPECT_EQ(actor.hooks, (std::vector<std::string>{"start", "degrade:feed stale", "resume", "stop", "start",
                                                   "fault:journal write failed", "stop", "dispose"}));
  ASSERT_EQ(f.events.size(), 8U);
  EXPECT_EQ(f.events[0].component, "recorder");
  EXPECT_EQ(f.events[0].from, S::kReady);
  EXPECT_EQ(f.events[0].to, S::kRunning);
  EXPECT_EQ(f.events[0].ts_event, UnixNanos::FromSeconds(100));
  EXPECT_EQ(f.events[1].to, S::kDegraded);
  EXPECT_EQ(f.events[1].reason, "feed stale");
  EXPECT_EQ(f.events[5].to, S::kFaulted);
  EXPECT_EQ(f.events[5].reason, "journal write failed");
  EXPECT_EQ(f.events[7].to, S::kDisposed);
}

TEST(ActorTest, DestructorReleasesSubscriptionsAndTimers) {
  Fixture f;
  {
    RecordingActor actor(f.bus, f.clock);
    actor.Start();
    EXPECT_TRUE(f.clock.HasTimer("recorder.tick"));
  }
  EXPECT_FALSE(f.clock.HasTimer("recorder.tick"));
  EXPECT_EQ(f.bus.Publish("in.ping", Ping{1}), 0U);
}

TEST(ActorTest, ValidatesNames) {
  EXPECT_TRUE(Actor::ValidateName("RiskEngine").ok());
  EXPECT_FALSE(Actor::ValidateName("").ok());
  EXPECT_FALSE(Actor::ValidateName("a.b").ok());
  EXPECT_FALSE(Actor::ValidateName("a b").ok());
  EXPECT_FALSE(Actor::ValidateName("*").ok());
  EXPECT_EQ(Actor::StateTopic("RiskEngine"), "events.component.RiskEngine");
}

TEST(ActorDeathTest, IllegalTransitionsAbort) {
  Fixture f;
  EXPECT_DEATH(
      {
        RecordingActor actor(f.bus, f.clock);
        actor.Stop();
      },
      "illegal transition READY -> STOPPED");
  EXPECT_DEATH(
      {
        RecordingActor actor(f.bus, f.clock);
        actor.Start();
        actor.Start();
      },
      "illegal transition RUNNING -> RUNNING");
  EXPECT_DEATH(
      {
        RecordingActor actor(f.bus, f.clock);
        actor.Start();
        actor.Fault("x");
        actor.Start();
      },
      "illegal transition FAULTED -> RUNNING");
  EXPECT_DEATH(
      {
        RecordingActor actor(f.bus, f.clock);
        actor.Dispose();
        actor.Start();
      },
      "illegal transition DISPOSED -> RUNNING");
  EXPECT_DEATH(
      {
        RecordingActor actor(f.bus, f.clock);
        actor.Start();
        actor.Resume();
      },
      "only from DEGRADED");
  EXPECT_DEATH(Actor("bad.name", f.bus, f.clock), "must not contain");
}

}  // namespace
}  // namespace td::runtime
