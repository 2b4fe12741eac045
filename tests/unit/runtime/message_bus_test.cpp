// SPDX-License-Identifier: MIT
#include "runtime/message_bus.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace td::runtime {
namespace {

struct Ping {
  int value = 0;
};
struct Pong {
  std::string text;
};

TEST(TopicTest, ValidatesTopicsAndPatterns) {
  EXPECT_TRUE(ValidateTopic("data.bars.NSE:NIFTY.1m").ok());
  EXPECT_TRUE(ValidateTopic("a").ok());
  EXPECT_FALSE(ValidateTopic("").ok());
  EXPECT_FALSE(ValidateTopic("data..bars").ok());
  EXPECT_FALSE(ValidateTopic(".data").ok());
  EXPECT_FALSE(ValidateTopic("data.").ok());
  EXPECT_FALSE(ValidateTopic("data.b ars").ok());
  EXPECT_FALSE(ValidateTopic("data.*").ok());
  EXPECT_FALSE(ValidateTopic("data.>").ok());
  EXPECT_FALSE(ValidateTopic(std::string(kMaxTopicLength + 1, 'a')).ok());

  EXPECT_TRUE(ValidatePattern("data.*.NSE:NIFTY.>").ok());
  EXPECT_TRUE(ValidatePattern(">").ok());
  EXPECT_FALSE(ValidatePattern("data.>.bars").ok());
  EXPECT_FALSE(ValidatePattern("data.ba*").ok());
  EXPECT_FALSE(ValidatePattern("data.>>").ok());
  const Status bad = ValidatePattern("data..x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().field, "pattern");
}

TEST(TopicTest, MatchesExactStarAndTail) {
  EXPECT_TRUE(TopicMatches("data.bars.NSE:NIFTY.1m", "data.bars.NSE:NIFTY.1m"));
  EXPECT_FALSE(TopicMatches("data.bars.NSE:NIFTY.1m", "data.bars.NSE:NIFTY.5m"));
  EXPECT_FALSE(TopicMatches("data.bars", "data.bars.NSE:NIFTY"));
  EXPECT_FALSE(TopicMatches("data.bars.NSE:NIFTY", "data.bars"));
  EXPECT_TRUE(TopicMatches("data.*.NSE:NIFTY.1m", "data.bars.NSE:NIFTY.1m"));
  EXPECT_FALSE(TopicMatches("data.*", "data.bars.NSE:NIFTY"));
  EXPECT_TRUE(TopicMatches("data.bars.>", "data.bars.NSE:NIFTY.1m"));
  EXPECT_TRUE(TopicMatches("data.bars.>", "data.bars.x"));
  EXPECT_FALSE(TopicMatches("data.bars.>", "data.bars"));
  EXPECT_FALSE(TopicMatches("data.bars.>", "data.barsx.y"));
  EXPECT_TRUE(TopicMatches(">", "anything.at.all"));
  EXPECT_TRUE(TopicMatches("*.*", "a.b"));
  EXPECT_FALSE(TopicMatches("*.*", "a.b.c"));
  EXPECT_FALSE(TopicMatches("*.*", "a"));
}

TEST(MessageBusTest, DeliversToExactAndPatternSubscribersInSubscriptionOrder) {
  MessageBus bus;
  std::vector<std::string> log;
  ASSERT_TRUE(
      bus.Subscribe<Ping>("data.bars.>", [&](const Ping& p) { log.push_back("tail" + std::to_string(p.value)); }).ok());
  ASSERT_TRUE(bus.Subscribe<Ping>("data.bars.NSE:NIFTY.1m",
                                  [&](const Ping& p) { log.push_back("exact" + std::to_string(p.value)); })
                  .ok());
  ASSERT_TRUE(bus.Subscribe<Ping>("data.*.NSE:NIFTY.1m",
                                  [&](const Ping& p) { log.push_back("star" + std::to_string(p.value)); })
                  .ok());
  ASSERT_TRUE(bus.Subscribe<Ping>("data.quotes.>", [&](const Ping&) { log.push_back("quotes"); }).ok());

  EXPECT_EQ(bus.Publish("data.bars.NSE:NIFTY.1m", Ping{1}), 3U);
  EXPECT_EQ(log, (std::vector<std::string>{"tail1", "exact1", "star1"}));
  log.clear();
  EXPECT_EQ(bus.Publish("data.bars.NSE:NIFTY.5m", Ping{2}), 1U);
  EXPECT_EQ(log, (std::vector<std::string>{"tail2"}));
  EXPECT_EQ(bus.Publish("nobody.listens", Ping{3}), 0U);

  // A subscription made after a topic was resolved joins that topic's list.
  log.clear();
  const TopicHandle topic = bus.Topic("data.bars.NSE:NIFTY.1m");
  ASSERT_TRUE(bus.Subscribe<Ping>(">", [&](const Ping&) { log.push_back("all"); }).ok());
  EXPECT_EQ(bus.Publish(topic, Ping{4}), 4U);
  EXPECT_EQ(log, (std::vector<std::string>{"tail4", "exact4", "star4", "all"}));
}

TEST(MessageBusTest, HandlersOnlySeeTheirOwnType) {
  MessageBus bus;
  int pings = 0;
  std::vector<std::string> pongs;
  ASSERT_TRUE(bus.Subscribe<Ping>("t.x", [&](const Ping&) { ++pings; }).ok());
  ASSERT_TRUE(bus.Subscribe<Pong>("t.x", [&](const Pong& p) { pongs.push_back(p.text); }).ok());
  EXPECT_EQ(bus.Publish("t.x", Pong{"hi"}), 1U);
  EXPECT_EQ(pings, 0);
  EXPECT_EQ(pongs, (std::vector<std::string>{"hi"}));
  EXPECT_EQ(bus.Publish("t.x", 42), 0U);  // nobody takes an int
  EXPECT_EQ(bus.Publish("t.x", Ping{1}), 1U);
  EXPECT_EQ(pings, 1);
}

TEST(MessageBusTest, RejectsInvalidPatterns) {
  MessageBus bus;
  auto id = bus.Subscribe<Ping>("data..x", [](const Ping&) {});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bus.subscription_count(), 0U);
}

TEST(MessageBusTest, UnsubscribeByHandle) {
  MessageBus bus;
  int a = 0;
  int b = 0;
  auto id_a = bus.Subscribe<Ping>("t", [&](const Ping&) { ++a; });
  auto id_b = bus.Subscribe<Ping>("t", [&](const Ping&) { ++b; });
  ASSERT_TRUE(id_a.ok() && id_b.ok());
  EXPECT_EQ(bus.Publish("t", Ping{}), 2U);
  EXPECT_TRUE(bus.Unsubscribe(*id_a));
  EXPECT_FALSE(bus.Unsubscribe(*id_a));
  EXPECT_FALSE(bus.Unsubscribe(SubscriptionId{999}));
  EXPECT_EQ(bus.Publish("t", Ping{}), 1U);
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 2);
  EXPECT_EQ(bus.subscription_count(), 1U);
  EXPECT_EQ(bus.Patterns(), (std::vector<std::string>{"t"}));
}

TEST(MessageBusTest, UnsubscribeDuringDispatchIsSafe) {
  MessageBus bus;
  std::vector<std::string> log;
  SubscriptionId second{};
  SubscriptionId self{};
  auto first = bus.Subscribe<Ping>("t", [&](const Ping&) {
    log.push_back("first");
    bus.Unsubscribe(second);  // a later handler of the same dispatch
  });
  auto second_result = bus.Subscribe<Ping>("t", [&](const Ping&) { log.push_back("second"); });
  auto self_result = bus.Subscribe<Ping>("t", [&](const Ping&) {
    log.push_back("self");
    bus.Unsubscribe(self);  // removes the handler that is running now
  });
  ASSERT_TRUE(first.ok() && second_result.ok() && self_result.ok());
  second = *second_result;
  self = *self_result;

  EXPECT_EQ(bus.Publish("t", Ping{}), 2U);
  EXPECT_EQ(log, (std::vector<std::string>{"first", "self"}));
  log.clear();
  EXPECT_EQ(bus.Publish("t", Ping{}), 1U);
  EXPECT_EQ(log, (std::vector<std::string>{"first"}));
  EXPECT_EQ(bus.subscription_count(), 1U);
}

TEST(MessageBusTest, ReentrantPublishAndSubscribeDuringDispatch) {
  MessageBus bus;
  std::vector<std::string> log;
  ASSERT_TRUE(bus.Subscribe<Ping>("a",
                                  [&](const Ping& p) {
                                    log.push_back("a" + std::to_string(p.value));
                                    if (p.value < 3) {
                                      bus.Publish("a", Ping{p.value + 1});   // nested publish on the same topic
                                      bus.Publish("b.new", Pong{"from a"});  // and on a topic not seen before
                                    }
                                  })
                  .ok());
  ASSERT_TRUE(bus.Subscribe<Pong>("b.>",
                                  [&](const Pong& p) {
                                    log.push_back(p.text);
                                    // Subscribing here grows the list being dispatched; the newcomer sees only later
                                    // messages.
                                    static_cast<void>(
                                        bus.Subscribe<Pong>("b.new", [&](const Pong&) { log.push_back("late"); }));
                                  })
                  .ok());

  bus.Publish("a", Ping{1});
  // The second "from a" reaches the handler added by the first one; that one's own newcomer waits.
  EXPECT_EQ(log, (std::vector<std::string>{"a1", "a2", "a3", "from a", "from a", "late"}));
  log.clear();
  bus.Publish("b.new", Pong{"x"});
  EXPECT_EQ(log, (std::vector<std::string>{"x", "late", "late"}));
}

TEST(MessageBusTest, HasSubscribersIgnoresRemovedHandlers) {
  MessageBus bus;
  EXPECT_FALSE(bus.HasSubscribers("x.y"));
  auto id = bus.Subscribe<Ping>("x.*", [](const Ping&) {});
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(bus.HasSubscribers("x.y"));
  EXPECT_FALSE(bus.HasSubscribers("x"));
  EXPECT_FALSE(bus.HasSubscribers("bad..topic"));
  bus.Unsubscribe(*id);
  EXPECT_FALSE(bus.HasSubscribers("x.y"));
}

TEST(MessageBusTest, EndpointsDeliverCheckTypesAndDeregister) {
  MessageBus bus;
  std::vector<int> received;
  ASSERT_TRUE(bus.RegisterEndpoint<Ping>("exec.submit", [&](const Ping& p) { received.push_back(p.value); }).ok());
  const Status duplicate = bus.RegisterEndpoint<Ping>("exec.submit", [](const Ping&) {});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);

  EXPECT_TRUE(bus.Send("exec.submit", Ping{7}).ok());
  const Status wrong_type = bus.Send("exec.submit", Pong{"no"});
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().code, ErrorCode::kInvalidArgument);
  const Status missing = bus.Send("exec.nothing", Ping{1});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(received, (std::vector<int>{7}));

  // An endpoint may deregister itself while running.
  ASSERT_TRUE(bus.RegisterEndpoint<Ping>("once",
                                         [&](const Ping& p) {
                                           received.push_back(p.value);
                                           EXPECT_TRUE(bus.DeregisterEndpoint("once"));
                                           received.push_back(p.value * 10);  // still alive after deregistering itself
                                         })
                  .ok());
  EXPECT_TRUE(bus.Send("once", Ping{2}).ok());
  EXPECT_FALSE(bus.HasEndpoint("once"));
  EXPECT_FALSE(bus.Send("once", Ping{3}).ok());
  EXPECT_EQ(received, (std::vector<int>{7, 2, 20}));
  EXPECT_FALSE(bus.DeregisterEndpoint("once"));
}

TEST(MessageBusDeathTest, PublishingOnAnInvalidTopicAborts) {
  MessageBus bus;
  EXPECT_DEATH(bus.Publish("data.*", Ping{}), "wildcard");
}

}  // namespace
}  // namespace td::runtime
