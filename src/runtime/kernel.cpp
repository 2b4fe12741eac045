// SPDX-License-Identifier: MIT
#include "runtime/kernel.hpp"

#include <algorithm>
#include <limits>

namespace td::runtime {

Kernel::Kernel(Clock& clock, KernelConfig config) : clock_(clock), config_(config), queue_(config.queue_capacity) {
  TD_CHECK(config_.max_batch > 0) << "kernel max_batch must be positive";
  TD_CHECK(config_.max_idle > Duration::zero()) << "kernel max_idle must be positive";
}

Kernel::Kernel(TestClock& clock, KernelConfig config) : Kernel(static_cast<Clock&>(clock), config) {
  test_clock_ = &clock;
}

bool Kernel::Post(Task task) {
  if (queue_.TryPush(std::move(task))) {
    return true;
  }
  dropped_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

std::size_t Kernel::Drain(std::size_t limit) {
  std::size_t count = 0;
  Task task;
  while (count < limit && !stop_requested() && queue_.TryPop(task)) {
    task();
    task = Task();
    ++count;
  }
  handled_ += count;
  return count;
}

std::size_t Kernel::RunOnce() {
  std::size_t work = Drain(config_.max_batch);
  if (!stop_requested()) {
    work += clock_.FireDue(clock_.Now());
  }
  return work;
}

void Kernel::Run() {
  while (!stop_requested()) {
    RunOnce();
    if (stop_requested() || queue_.HasReady()) {
      continue;
    }
    Duration wait = config_.max_idle;
    if (auto next = clock_.NextDeadline()) {
      wait = std::clamp(*next - clock_.Now(), Duration::zero(), config_.max_idle);
    }
    if (wait > Duration::zero()) {
      queue_.WaitUntil(std::chrono::steady_clock::now() + wait);
    }
  }
}

void Kernel::Stop() {
  stop_.store(true, std::memory_order_release);
  queue_.Wake();
}

std::size_t Kernel::RunUntil(UnixNanos target) {
  TD_CHECK(test_clock_ != nullptr) << "RunUntil needs a kernel built on a TestClock";
  TD_CHECK(target >= test_clock_->Now()) << "RunUntil cannot move time backwards";
  constexpr std::size_t kAll = std::numeric_limits<std::size_t>::max();
  std::size_t work = 0;
  while (true) {
    work += Drain(kAll);
    if (stop_requested()) {
      return work;
    }
    const auto next = test_clock_->NextDeadline();
    if (!next || *next > target) {
      break;
    }
    // AdvanceTo(next) fires only the timers due at `next`; messages they post run before later timers.
    work += test_clock_->AdvanceTo(std::max(*next, test_clock_->Now()));
  }
  test_clock_->AdvanceTo(target);
  return work;
}

}  // namespace td::runtime
