// SPDX-License-Identifier: MIT
#include "api/stream.hpp"

#include <charconv>

#include "core/check.hpp"

namespace td::api {

StreamClient::StreamClient(std::size_t capacity) : capacity_(capacity) {
  TD_CHECK(capacity > 0) << "stream queue capacity must be positive";
}

bool StreamClient::Send(std::shared_ptr<const StreamEvent> event) {
  std::lock_guard lock(mutex_);
  if (reason_ != CloseReason::kOpen) {
    return false;
  }
  if (queue_.size() >= capacity_) {
    // Egress never blocks the producer: a client that cannot keep up is dropped.
    reason_ = CloseReason::kOverflow;
    queue_.clear();
    WakeLocked(/*force=*/true);
    waker_ = nullptr;
    return false;
  }
  queue_.push_back(std::move(event));
  WakeLocked();
  return true;
}

void StreamClient::Close(CloseReason reason) {
  std::lock_guard lock(mutex_);
  if (reason_ == CloseReason::kOpen) {
    reason_ = reason;
    WakeLocked(/*force=*/true);
  }
  waker_ = nullptr;
}

bool StreamClient::closed() const {
  std::lock_guard lock(mutex_);
  return reason_ != CloseReason::kOpen;
}

CloseReason StreamClient::close_reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

std::optional<std::uint64_t> StreamClient::last_event_number() const {
  if (!last_event_id_ || last_event_id_->empty()) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const char* begin = last_event_id_->data();
  const char* end = begin + last_event_id_->size();
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

CloseReason StreamClient::Drain(std::deque<std::shared_ptr<const StreamEvent>>& out) {
  std::lock_guard lock(mutex_);
  wake_pending_ = false;
  while (!queue_.empty()) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return reason_;
}

void StreamClient::SetWaker(std::function<void()> waker) {
  std::lock_guard lock(mutex_);
  if (reason_ != CloseReason::kOpen) {
    // Already closed before the connection attached: tell it at once so it winds down.
    if (waker) {
      waker();
    }
    return;
  }
  waker_ = std::move(waker);
  wake_pending_ = false;
  if (!queue_.empty()) {
    WakeLocked();
  }
}

void StreamClient::SetConnectionInfo(std::optional<std::string> last_event_id, std::string request_id) {
  last_event_id_ = std::move(last_event_id);
  request_id_ = std::move(request_id);
}

void StreamClient::WakeLocked(bool force) {
  // A closing client is always woken: its connection may be parked on a stalled write.
  if (waker_ && (force || !wake_pending_)) {
    wake_pending_ = true;
    waker_();
  }
}

Broadcaster::Broadcaster(std::size_t history_capacity) : history_capacity_(history_capacity) {}

void Broadcaster::Subscribe(const std::shared_ptr<StreamClient>& client, std::optional<std::uint64_t> after_id) {
  std::lock_guard lock(mutex_);
  if (after_id) {
    for (const auto& event : history_) {
      if (event->id > *after_id && !client->Send(event)) {
        return;
      }
    }
  }
  clients_.push_back(client);
}

std::uint64_t Broadcaster::Publish(std::string event, std::string data) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  auto shared = std::make_shared<const StreamEvent>(StreamEvent{id, std::move(event), std::move(data)});
  if (history_capacity_ > 0) {
    history_.push_back(shared);
    if (history_.size() > history_capacity_) {
      history_.pop_front();
    }
  }
  std::erase_if(clients_, [&](const std::shared_ptr<StreamClient>& client) {
    if (client->Send(shared)) {
      return false;
    }
    if (client->close_reason() == CloseReason::kOverflow) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
    }
    return true;
  });
  return id;
}

std::size_t Broadcaster::client_count() const {
  std::lock_guard lock(mutex_);
  std::size_t open = 0;
  for (const auto& client : clients_) {
    open += client->closed() ? 0 : 1;
  }
  return open;
}

std::uint64_t Broadcaster::last_id() const {
  std::lock_guard lock(mutex_);
  return next_id_ - 1;
}

}  // namespace td::api
