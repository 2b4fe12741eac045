// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include "core/check.hpp"

namespace td::runtime {

/// A move-only `void()` callable stored inline (never on the heap), so handing work to the kernel through
/// the queue allocates nothing. Callables larger than the buffer are rejected at compile time.
class Task {
 public:
  static constexpr std::size_t kCapacity = 176;

  Task() = default;

  /// Wraps any callable that fits the inline buffer and is nothrow movable.
  template <typename F>
  requires(!std::is_same_v<std::decay_t<F>, Task> && std::is_invocable_r_v<void, std::decay_t<F>&>)
      Task(F&& callable) {  // NOLINT(google-explicit-constructor): tasks are built from lambdas at call sites
    using Fn = std::decay_t<F>;
    static_assert(sizeof(Fn) <= kCapacity, "callable too large for Task: capture less or capture a pointer");
    static_assert(alignof(Fn) <= alignof(std::max_align_t), "callable over-aligned for Task");
    static_assert(std::is_nothrow_move_constructible_v<Fn>, "Task callables must be nothrow movable");
    ::new (static_cast<void*>(storage_)) Fn(std::forward<F>(callable));
    ops_ = &kOpsFor<Fn>;
  }

  Task(Task&& other) noexcept { MoveFrom(other); }
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      Reset();
      MoveFrom(other);
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { Reset(); }

  /// Runs the callable; calling an empty Task aborts.
  void operator()() {
    TD_CHECK(ops_ != nullptr) << "empty Task invoked";
    ops_->invoke(storage_);
  }
  explicit operator bool() const { return ops_ != nullptr; }

 private:
  struct Ops {
    void (*invoke)(void*);
    void (*relocate)(void* destination, void* source);  // move-construct, then destroy the source
    void (*destroy)(void*);
  };

  template <typename Fn>
  static constexpr Ops kOpsFor{
      [](void* self) { (*std::launder(static_cast<Fn*>(self)))(); },
      [](void* destination, void* source) {
        Fn* from = std::launder(static_cast<Fn*>(source));
        ::new (destination) Fn(std::move(*from));
        from->~Fn();
      },
      [](void* self) { std::launder(static_cast<Fn*>(self))->~Fn(); },
  };

  void MoveFrom(Task& other) noexcept {
    if (other.ops_ != nullptr) {
      other.ops_->relocate(storage_, other.storage_);
      ops_ = other.ops_;
      other.ops_ = nullptr;
    }
  }
  void Reset() noexcept {
    if (ops_ != nullptr) {
      ops_->destroy(storage_);
      ops_ = nullptr;
    }
  }

  alignas(std::max_align_t) unsigned char storage_[kCapacity];
  const Ops* ops_ = nullptr;
};

}  // namespace td::runtime
