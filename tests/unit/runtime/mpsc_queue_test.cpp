// SPDX-License-Identifier: MIT
#include "runtime/mpsc_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

namespace td::runtime {
namespace {

TEST(MpscQueueTest, RoundsCapacityUpAndReportsFull) {
  MpscQueue<int> queue(5);
  EXPECT_EQ(queue.capacity(), 8U);
  for (int i = 0; i < 8; ++i) {
    EXPECT_TRUE(queue.TryPush(i));
  }
  EXPECT_FALSE(queue.TryPush(99));
  EXPECT_EQ(queue.SizeApprox(), 8U);
  for (int i = 0; i < 8; ++i) {
    auto item = queue.TryPop();
    ASSERT_TRUE(item.has_value());
    EXPECT_EQ(*item, i);
  }
  EXPECT_FALSE(queue.TryPop().has_value());
  // The ring wraps: a second lap reuses the slots.
  for (int lap = 0; lap < 3; ++lap) {
    for (int i = 0; i < 8; ++i) {
      ASSERT_TRUE(queue.TryPush(lap * 100 + i));
    }
    for (int i = 0; i < 8; ++i) {
      EXPECT_EQ(queue.TryPop().value(), lap * 100 + i);
    }
  }
}

TEST(MpscQueueTest, FailedPushLeavesValueIntact) {
  MpscQueue<std::unique_ptr<int>> queue(2);
  ASSERT_TRUE(queue.TryPush(std::make_unique<int>(1)));
  ASSERT_TRUE(queue.TryPush(std::make_unique<int>(2)));
  auto third = std::make_unique<int>(3);
  EXPECT_FALSE(queue.TryPush(std::move(third)));
  ASSERT_NE(third, nullptr);
  EXPECT_EQ(*third, 3);
}

TEST(MpscQueueTest, DestroysItemsLeftInTheQueue) {
  auto tracker = std::make_shared<int>(0);
  {
    MpscQueue<std::shared_ptr<int>> queue(4);
    ASSERT_TRUE(queue.TryPush(tracker));
    ASSERT_TRUE(queue.TryPush(tracker));
    EXPECT_EQ(tracker.use_count(), 3);
  }
  EXPECT_EQ(tracker.use_count(), 1);
}

TEST(MpscQueueTest, WaitTimesOutWhenEmptyAndWakeEndsWaitEarly) {
  MpscQueue<int> queue(4);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(queue.WaitFor(20ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);

  std::thread waker([&] {
    std::this_thread::sleep_for(10ms);
    queue.Wake();
  });
  EXPECT_FALSE(queue.WaitFor(60s));  // returns on Wake, long before the timeout
  waker.join();
}

TEST(MpscQueueTest, PopWaitReceivesItemPushedByAnotherThread) {
  MpscQueue<std::string> queue(4);
  std::thread producer([&] {
    std::this_thread::sleep_for(5ms);
    ASSERT_TRUE(queue.TryPush(std::string("hello")));
  });
  std::string out;
  EXPECT_TRUE(queue.PopWait(out, 60s));
  EXPECT_EQ(out, "hello");
  producer.join();
  EXPECT_FALSE(queue.PopWait(out, 1ms));
}

struct Message {
  std::uint32_t producer = 0;
  std::uint32_t sequence = 0;
};

// N producers × M messages through a small ring: every message arrives exactly once, each producer's
// messages in the order it sent them. Producers spin on a full queue, so the ring wraps many times.
TEST(MpscQueueTest, ContendedProducersDeliverEverythingOnceInPerProducerOrder) {
  constexpr std::uint32_t kProducers = 4;
  constexpr std::uint32_t kPerProducer = 50'000;
  MpscQueue<Message> queue(64);
  std::atomic<std::uint64_t> full_seen{0};
  std::vector<std::thread> producers;
  for (std::uint32_t p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (std::uint32_t i = 0; i < kPerProducer; ++i) {
        while (!queue.TryPush(Message{p, i})) {
          full_seen.fetch_add(1, std::memory_order_relaxed);
          std::this_thread::yield();
        }
      }
    });
  }
  std::vector<std::uint32_t> next(kProducers, 0);
  std::uint64_t received = 0;
  Message message;
  while (received < std::uint64_t{kProducers} * kPerProducer) {
    if (!queue.PopWait(message, 10s)) {
      FAIL() << "timed out after " << received << " messages";
    }
    ASSERT_LT(message.producer, kProducers);
    ASSERT_EQ(message.sequence, next[message.producer]) << "producer " << message.producer;
    ++next[message.producer];
    ++received;
  }
  for (auto& thread : producers) {
    thread.join();
  }
  EXPECT_FALSE(queue.TryPop(message));
  for (std::uint32_t p = 0; p < kProducers; ++p) {
    EXPECT_EQ(next[p], kPerProducer);
  }
}

}  // namespace
}  // namespace td::runtime
