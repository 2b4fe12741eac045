// SPDX-License-Identifier: MIT
#include "runtime/message_bus.hpp"

#include <algorithm>

namespace td::runtime {

MessageBus::~MessageBus() {
  TD_CHECK(dispatch_depth_ == 0) << "MessageBus destroyed from inside a handler";
}

Result<SubscriptionId> MessageBus::AddSubscriber(std::string_view pattern, detail::TypeKey type, const char* type_name,
                                                 Invoker invoke, std::unique_ptr<detail::HandlerBase> handler) {
  TD_TRY(ValidatePattern(pattern));
  auto subscriber = std::make_unique<Subscriber>();
  subscriber->id = SubscriptionId{next_id_++};
  subscriber->pattern = std::string(pattern);
  subscriber->type = type;
  subscriber->type_name = type_name;
  subscriber->invoke = invoke;
  subscriber->handler = std::move(handler);
  Subscriber* raw = subscriber.get();
  subscribers_.emplace(raw->id.value, std::move(subscriber));
  ++live_subscriptions_;
  // The new id is the largest, so appending keeps every list in subscription order.
  for (auto& [topic, entry] : topics_) {
    if (TopicMatches(raw->pattern, topic)) {
      entry.subscribers.push_back(raw);
    }
  }
  return raw->id;
}

bool MessageBus::Unsubscribe(SubscriptionId id) {
  auto it = subscribers_.find(id.value);
  if (it == subscribers_.end() || !it->second->active) {
    return false;
  }
  it->second->active = false;
  --live_subscriptions_;
  cleanup_pending_ = true;
  if (dispatch_depth_ == 0) {
    CollectGarbage();
  }
  return true;
}

void MessageBus::CollectGarbage() {
  cleanup_pending_ = false;
  for (auto& [topic, entry] : topics_) {
    std::erase_if(entry.subscribers, [](const Subscriber* s) { return !s->active; });
  }
  std::erase_if(subscribers_, [](const auto& item) { return !item.second->active; });
  retired_endpoints_.clear();
}

TopicHandle MessageBus::Topic(std::string_view topic) {
  if (auto it = topics_.find(topic); it != topics_.end()) {
    return TopicHandle(&it->second);
  }
  const Status valid = ValidateTopic(topic);
  TD_CHECK(valid.ok()) << valid.error().ToString();
  auto [it, inserted] = topics_.try_emplace(std::string(topic));
  TopicEntry& entry = it->second;
  entry.topic = it->first;
  for (const auto& [id, subscriber] : subscribers_) {
    if (subscriber->active && TopicMatches(subscriber->pattern, entry.topic)) {
      entry.subscribers.push_back(subscriber.get());
    }
  }
  return TopicHandle(&entry);
}

bool MessageBus::HasSubscribers(std::string_view topic) {
  if (!ValidateTopic(topic).ok()) {
    return false;
  }
  const auto* entry = static_cast<const TopicEntry*>(Topic(topic).entry_);
  return std::any_of(entry->subscribers.begin(), entry->subscribers.end(),
                     [](const Subscriber* s) { return s->active; });
}

std::vector<std::string> MessageBus::Patterns() const {
  std::vector<std::string> patterns;
  for (const auto& [id, subscriber] : subscribers_) {
    if (subscriber->active) {
      patterns.push_back(subscriber->pattern);
    }
  }
  return patterns;
}

Status MessageBus::AddEndpoint(std::string_view name, detail::TypeKey type, const char* type_name, Invoker invoke,
                               std::unique_ptr<detail::HandlerBase> handler) {
  TD_TRY(ValidateTopic(name));
  if (endpoints_.find(name) != endpoints_.end()) {
    return Error{ErrorCode::kAlreadyExists, "endpoint '" + std::string(name) + "' is already registered", "name"};
  }
  auto endpoint = std::make_unique<Endpoint>();
  endpoint->type = type;
  endpoint->type_name = type_name;
  endpoint->invoke = invoke;
  endpoint->handler = std::move(handler);
  endpoints_.emplace(std::string(name), std::move(endpoint));
  return {};
}

bool MessageBus::DeregisterEndpoint(std::string_view name) {
  auto it = endpoints_.find(name);
  if (it == endpoints_.end()) {
    return false;
  }
  // The endpoint may be running right now; keep its handler alive until the outermost dispatch ends.
  retired_endpoints_.push_back(std::move(it->second));
  endpoints_.erase(it);
  cleanup_pending_ = true;
  if (dispatch_depth_ == 0) {
    CollectGarbage();
  }
  return true;
}

bool MessageBus::HasEndpoint(std::string_view name) const {
  return endpoints_.find(name) != endpoints_.end();
}

Status MessageBus::SendErased(std::string_view name, detail::TypeKey type, const char* type_name, const void* message) {
  auto it = endpoints_.find(name);
  if (it == endpoints_.end()) {
    return Error::NotFound("no endpoint '" + std::string(name) + "'", "endpoint");
  }
  Endpoint* endpoint = it->second.get();
  if (endpoint->type != type) {
    return Error::InvalidArgument(
        "endpoint '" + std::string(name) + "' takes " + endpoint->type_name + ", not " + type_name, "message");
  }
  DispatchScope scope(*this);
  endpoint->invoke(endpoint->handler.get(), message);
  return {};
}

}  // namespace td::runtime
