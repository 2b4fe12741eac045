// SPDX-License-Identifier: MIT
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "runtime/topic.hpp"

namespace td::runtime {

/// Identifies one subscription, for Unsubscribe. Ids grow with subscription order.
struct SubscriptionId {
  std::uint64_t value = 0;
  friend auto operator<=>(const SubscriptionId&, const SubscriptionId&) = default;
};

namespace detail {

/// A per-type key with no RTTI cost at publish time: the address of a variable instantiated per type.
using TypeKey = const void*;
template <typename T>
inline constexpr char kTypeTag = 0;
template <typename T>
constexpr TypeKey TypeKeyOf() {
  return &kTypeTag<std::remove_cvref_t<T>>;
}

/// Owns a typed callable behind a uniform, allocation-free call signature.
struct HandlerBase {
  virtual ~HandlerBase() = default;
};
template <typename F>
struct HandlerHolder final : HandlerBase {
  explicit HandlerHolder(F f) : fn(std::move(f)) {}
  F fn;
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

}  // namespace detail

/// A topic resolved once, so hot-path publishers skip the string lookup. Valid as long as its bus lives.
class TopicHandle {
 public:
  TopicHandle() = default;
  bool valid() const { return entry_ != nullptr; }

 private:
  friend class MessageBus;
  explicit TopicHandle(void* entry) : entry_(entry) {}
  void* entry_ = nullptr;
};

/// The in-process publish/subscribe bus of the kernel thread (not thread-safe: one writer by design).
/// Topics are dot-separated ("data.bars.NSE:NIFTY.1m"); subscriptions name a topic or a pattern with '*'
/// (one segment) and a trailing '>' (the rest). A handler is registered for one message type T and receives
/// only messages published as T on matching topics, in subscription order. Per topic the matching handler
/// list is computed once, on first publish or when subscriptions change, so Publish allocates nothing.
/// Handlers may publish (re-entrantly), subscribe and unsubscribe; a handler unsubscribed during a dispatch
/// is not called again, and a handler subscribed during a dispatch sees only later messages.
class MessageBus {
 public:
  MessageBus() = default;
  MessageBus(const MessageBus&) = delete;
  MessageBus& operator=(const MessageBus&) = delete;
  ~MessageBus();

  /// Calls `handler(const T&)` for every T published on a topic matching `pattern`.
  template <typename T, typename F>
  Result<SubscriptionId> Subscribe(std::string_view pattern, F&& handler) {
    static_assert(std::is_invocable_v<std::decay_t<F>&, const T&>, "handler must accept const T&");
    using Holder = detail::HandlerHolder<std::decay_t<F>>;
    auto holder = std::make_unique<Holder>(std::forward<F>(handler));
    Invoker invoke = [](detail::HandlerBase* base, const void* message) {
      static_cast<Holder*>(base)->fn(*static_cast<const T*>(message));
    };
    return AddSubscriber(pattern, detail::TypeKeyOf<T>(), typeid(T).name(), invoke, std::move(holder));
  }

  /// Removes a subscription; safe from inside a handler. Returns false when the id is unknown.
  bool Unsubscribe(SubscriptionId id);

  /// Resolves a concrete topic once (aborts on an invalid topic: topics are built by code, not users).
  TopicHandle Topic(std::string_view topic);

  /// Delivers `message` to the T-handlers of `topic`; returns how many handlers were called.
  template <typename T>
  std::size_t Publish(std::string_view topic, const T& message) {
    return Publish(Topic(topic), message);
  }
  /// Delivers `message` through a resolved topic, skipping the string lookup.
  template <typename T>
  std::size_t Publish(TopicHandle topic, const T& message) {
    TD_CHECK(topic.valid()) << "publish on an unresolved TopicHandle";
    return Dispatch(static_cast<TopicEntry*>(topic.entry_), detail::TypeKeyOf<T>(), &message);
  }

  /// Registers a point-to-point endpoint taking messages of type T (e.g. "ExecEngine.execute").
  template <typename T, typename F>
  Status RegisterEndpoint(std::string_view name, F&& handler) {
    static_assert(std::is_invocable_v<std::decay_t<F>&, const T&>, "handler must accept const T&");
    using Holder = detail::HandlerHolder<std::decay_t<F>>;
    auto holder = std::make_unique<Holder>(std::forward<F>(handler));
    Invoker invoke = [](detail::HandlerBase* base, const void* message) {
      static_cast<Holder*>(base)->fn(*static_cast<const T*>(message));
    };
    return AddEndpoint(name, detail::TypeKeyOf<T>(), typeid(T).name(), invoke, std::move(holder));
  }
  /// Removes an endpoint; safe from inside its own handler. Returns false when unknown.
  bool DeregisterEndpoint(std::string_view name);
  /// Delivers `message` to the endpoint `name`: NotFound when none is registered, InvalidArgument when it
  /// takes another type.
  template <typename T>
  Status Send(std::string_view name, const T& message) {
    return SendErased(name, detail::TypeKeyOf<T>(), typeid(T).name(), &message);
  }

  std::size_t subscription_count() const { return live_subscriptions_; }
  /// True when at least one active handler (of any type) matches `topic`.
  bool HasSubscribers(std::string_view topic);
  /// Active subscription patterns in subscription order, for diagnostics.
  std::vector<std::string> Patterns() const;
  bool HasEndpoint(std::string_view name) const;

 private:
  using Invoker = void (*)(detail::HandlerBase*, const void*);

  struct Subscriber {
    SubscriptionId id;
    std::string pattern;
    detail::TypeKey type = nullptr;
    const char* type_name = "";
    Invoker invoke = nullptr;
    std::unique_ptr<detail::HandlerBase> handler;
    bool active = true;
  };
  struct TopicEntry {
    std::string topic;
    std::vector<Subscriber*> subscribers;  // ascending id = subscription order
  };
  struct Endpoint {
    detail::TypeKey type = nullptr;
    const char* type_name = "";
    Invoker invoke = nullptr;
    std::unique_ptr<detail::HandlerBase> handler;
  };

  /// Keeps Dispatch/Send depth so removals wait until no handler list is being walked.
  class DispatchScope {
   public:
    explicit DispatchScope(MessageBus& bus) : bus_(bus) { ++bus_.dispatch_depth_; }
    DispatchScope(const DispatchScope&) = delete;
    DispatchScope& operator=(const DispatchScope&) = delete;
    ~DispatchScope() {
      if (--bus_.dispatch_depth_ == 0 && bus_.cleanup_pending_) {
        bus_.CollectGarbage();
      }
    }

   private:
    MessageBus& bus_;
  };

  Result<SubscriptionId> AddSubscriber(std::string_view pattern, detail::TypeKey type, const char* type_name,
                                       Invoker invoke, std::unique_ptr<detail::HandlerBase> handler);
  Status AddEndpoint(std::string_view name, detail::TypeKey type, const char* type_name, Invoker invoke,
                     std::unique_ptr<detail::HandlerBase> handler);
  Status SendErased(std::string_view name, detail::TypeKey type, const char* type_name, const void* message);

  std::size_t Dispatch(TopicEntry* entry, detail::TypeKey type, const void* message) {
    DispatchScope scope(*this);
    // Index, not iterator: a handler may subscribe, which can grow (and move) this vector. Handlers added
    // during this dispatch sit past `count` and are skipped; removed ones stay in place until cleanup.
    std::vector<Subscriber*>& list = entry->subscribers;
    const std::size_t count = list.size();
    std::size_t delivered = 0;
    for (std::size_t i = 0; i < count; ++i) {
      Subscriber* subscriber = list[i];
      if (subscriber->active && subscriber->type == type) {
        subscriber->invoke(subscriber->handler.get(), message);
        ++delivered;
      }
    }
    return delivered;
  }
  void CollectGarbage();

  std::unordered_map<std::string, TopicEntry, detail::StringHash, std::equal_to<>> topics_;
  std::map<std::uint64_t, std::unique_ptr<Subscriber>> subscribers_;
  std::map<std::string, std::unique_ptr<Endpoint>, std::less<>> endpoints_;
  std::vector<std::unique_ptr<Endpoint>> retired_endpoints_;
  std::uint64_t next_id_ = 1;
  std::size_t live_subscriptions_ = 0;
  int dispatch_depth_ = 0;
  bool cleanup_pending_ = false;
};

}  // namespace td::runtime
