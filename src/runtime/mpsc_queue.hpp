// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "core/check.hpp"

namespace td::runtime {

/// A bounded lock-free queue for many producer threads and one consumer thread (the kernel).
/// A ring of slots, each with a sequence number telling whose turn it is (Vyukov's scheme): producers claim
/// a position with one CAS and publish by bumping the slot's sequence, so a push never blocks. TryPush
/// returns false when full so I/O threads can count drops instead of stalling. The consumer may sleep in
/// WaitUntil; producers wake it only when it is actually asleep, so the busy path has no system calls.
template <typename T>
class MpscQueue {
  static_assert(std::is_nothrow_move_constructible_v<T>, "queue items must be nothrow movable");

 public:
  /// Makes a queue holding at least `capacity` items (rounded up to a power of two, minimum 2).
  explicit MpscQueue(std::size_t capacity) {
    TD_CHECK(capacity > 0 && capacity <= (std::size_t{1} << 30)) << "queue capacity " << capacity;
    std::size_t size = 2;
    while (size < capacity) {
      size <<= 1;
    }
    mask_ = size - 1;
    slots_ = std::make_unique<Slot[]>(size);
    for (std::size_t i = 0; i < size; ++i) {
      slots_[i].sequence.store(i, std::memory_order_relaxed);
    }
  }
  MpscQueue(const MpscQueue&) = delete;
  MpscQueue& operator=(const MpscQueue&) = delete;
  ~MpscQueue() {
    while (ConsumeFront([](T&) {})) {
    }
  }

  /// Appends `value` (any thread); returns false, leaving `value` untouched, when the queue is full.
  bool TryPush(T&& value) { return Emplace(std::move(value)); }
  /// Appends a copy of `value` (any thread); returns false when the queue is full.
  bool TryPush(const T& value) requires std::is_copy_constructible_v<T> { return Emplace(value); }

  /// Moves the oldest item into `out` (consumer thread only); returns false when nothing is ready.
  bool TryPop(T& out) {
    return ConsumeFront([&](T& item) { out = std::move(item); });
  }

  /// Returns the oldest item, if one is ready (consumer thread only).
  std::optional<T> TryPop() {
    std::optional<T> result;
    ConsumeFront([&](T& item) { result.emplace(std::move(item)); });
    return result;
  }

  /// True when the next item is ready to pop (consumer thread only).
  bool HasReady() const {
    return slots_[dequeue_pos_ & mask_].sequence.load(std::memory_order_seq_cst) == dequeue_pos_ + 1;
  }

  /// Blocks the consumer until an item is ready, `deadline` passes or Wake() is called; returns HasReady().
  bool WaitUntil(std::chrono::steady_clock::time_point deadline) {
    if (HasReady()) {
      return true;
    }
    std::unique_lock lock(mutex_);
    // Dekker handshake with Emplace: we announce we sleep, then look again; a producer publishes, then
    // looks at our flag. Both sides use seq_cst, so at least one of them sees the other.
    consumer_waiting_.store(true, std::memory_order_seq_cst);
    cv_.wait_until(lock, deadline, [&] { return wake_requested_ || HasReady(); });
    consumer_waiting_.store(false, std::memory_order_relaxed);
    wake_requested_ = false;
    return HasReady();
  }

  /// Blocks like WaitUntil for at most `timeout`.
  template <typename Rep, typename Period>
  bool WaitFor(std::chrono::duration<Rep, Period> timeout) {
    return WaitUntil(std::chrono::steady_clock::now() + timeout);
  }

  /// Pops the oldest item, waiting up to `timeout` for one (consumer thread only).
  template <typename Rep, typename Period>
  bool PopWait(T& out, std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!TryPop(out)) {
      if (!WaitUntil(deadline) && std::chrono::steady_clock::now() >= deadline) {
        return false;
      }
    }
    return true;
  }

  /// Ends the consumer's current (or next) wait early (any thread); used by Stop().
  void Wake() {
    {
      std::lock_guard lock(mutex_);
      wake_requested_ = true;
    }
    cv_.notify_one();
  }

  std::size_t capacity() const { return mask_ + 1; }

  /// The number of claimed slots not yet popped; exact only when no producer is mid-push.
  std::size_t SizeApprox() const {
    const std::size_t tail = enqueue_pos_.load(std::memory_order_relaxed);
    const std::size_t head = dequeue_pos_;
    return tail >= head ? tail - head : 0;
  }

 private:
  struct alignas(64) Slot {
    std::atomic<std::size_t> sequence{0};
    alignas(T) unsigned char storage[sizeof(T)];
  };

  template <typename F>
  bool ConsumeFront(F&& consume) {
    Slot& slot = slots_[dequeue_pos_ & mask_];
    if (slot.sequence.load(std::memory_order_acquire) != dequeue_pos_ + 1) {
      return false;
    }
    T* item = std::launder(reinterpret_cast<T*>(slot.storage));
    consume(*item);
    item->~T();
    // Hands the slot back to producers for the next lap of the ring.
    slot.sequence.store(dequeue_pos_ + mask_ + 1, std::memory_order_release);
    ++dequeue_pos_;
    return true;
  }

  template <typename U>
  bool Emplace(U&& value) {
    std::size_t pos = enqueue_pos_.load(std::memory_order_relaxed);
    Slot* slot = nullptr;
    while (true) {
      slot = &slots_[pos & mask_];
      const std::size_t sequence = slot->sequence.load(std::memory_order_acquire);
      const auto diff = static_cast<std::intptr_t>(sequence) - static_cast<std::intptr_t>(pos);
      if (diff == 0) {
        if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          break;
        }
      } else if (diff < 0) {
        return false;  // the slot still holds an item from the previous lap: full
      } else {
        pos = enqueue_pos_.load(std::memory_order_relaxed);
      }
    }
    ::new (static_cast<void*>(slot->storage)) T(std::forward<U>(value));
    slot->sequence.store(pos + 1, std::memory_order_seq_cst);
    if (consumer_waiting_.load(std::memory_order_seq_cst)) {
      // Taking the mutex orders this notify after the consumer's predicate check, so it cannot be lost.
      { std::lock_guard lock(mutex_); }
      cv_.notify_one();
    }
    return true;
  }

  std::unique_ptr<Slot[]> slots_;
  std::size_t mask_ = 0;
  alignas(64) std::atomic<std::size_t> enqueue_pos_{0};
  alignas(64) std::size_t dequeue_pos_ = 0;
  alignas(64) std::atomic<bool> consumer_waiting_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool wake_requested_ = false;
};

}  // namespace td::runtime
