// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "core/clock.hpp"
#include "core/time.hpp"
#include "runtime/mpsc_queue.hpp"
#include "runtime/task.hpp"

namespace td::runtime {

/// Sizing of the kernel's inbound queue.
struct KernelConfig {
  std::size_t queue_capacity = 8192;            // rounded up to a power of two
  std::size_t max_batch = 256;                  // messages handled before timers get another look
  Duration max_idle = std::chrono::seconds(1);  // longest sleep when no timer is pending
};

/// The single-threaded event loop: drains the inbound queue and fires due timers, all on one thread.
/// Live: Run() sleeps until the next timer deadline or a new message, until Stop() (from any thread).
/// Tests and backtests: RunUntil() moves a TestClock forward, interleaving timers and queued messages
/// deterministically (all queued messages run before the clock moves to the next timer).
class Kernel {
 public:
  /// A kernel on wall time (or any clock); use Run().
  explicit Kernel(Clock& clock, KernelConfig config = {});
  /// A kernel on simulated time; use RunUntil() (Run() also works but never moves time).
  explicit Kernel(TestClock& clock, KernelConfig config = {});
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  Clock& clock() { return clock_; }

  /// Hands a task to the kernel thread (any thread). Returns false, and counts a drop, when the queue is full.
  bool Post(Task task);
  /// Loops until Stop(): handle messages, fire due timers, sleep until the next deadline or message.
  void Run();
  /// Asks Run() to return after the current message (any thread). A stopped kernel stays stopped.
  void Stop();
  bool stop_requested() const { return stop_.load(std::memory_order_acquire); }

  /// One non-blocking pass: handles up to max_batch queued messages, then fires timers due now.
  /// Returns the number of messages handled plus timers fired.
  std::size_t RunOnce();
  /// Simulated time only: handles every queued message, then steps the TestClock to each timer deadline up
  /// to `target` (handling messages posted by each timer before the next one fires), and ends at `target`.
  std::size_t RunUntil(UnixNanos target);

  std::uint64_t messages_handled() const { return handled_; }
  /// Messages refused because the queue was full (any thread may read).
  std::uint64_t messages_dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  std::size_t Drain(std::size_t limit);

  Clock& clock_;
  TestClock* test_clock_ = nullptr;
  KernelConfig config_;
  MpscQueue<Task> queue_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> dropped_{0};
  std::uint64_t handled_ = 0;
};

}  // namespace td::runtime
