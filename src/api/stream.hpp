// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace td::api {

/// One message for a streaming client. SSE writes id/event/data; WebSocket sends `data` as a text message.
struct StreamEvent {
  std::uint64_t id = 0;  // 0: no id line
  std::string event;     // SSE event name; empty: the default "message"
  std::string data;
};

/// Why a stream client stopped.
enum class CloseReason : std::uint8_t { kOpen, kClosedByServer, kOverflow, kDisconnected, kShutdown };

/// The bounded outbound queue of one SSE or WebSocket client. Producers Send() without ever blocking on the
/// client: when the queue is full the client is closed (dropped) instead. Thread-safe.
class StreamClient {
 public:
  explicit StreamClient(std::size_t capacity);
  StreamClient(const StreamClient&) = delete;
  StreamClient& operator=(const StreamClient&) = delete;
  virtual ~StreamClient() = default;

  /// Queues an event; false when the client is closed or this push overflowed it (it is then dropped).
  bool Send(std::shared_ptr<const StreamEvent> event);
  bool Send(StreamEvent event) { return Send(std::make_shared<const StreamEvent>(std::move(event))); }
  /// Queues a data-only message (a WebSocket text message, or an SSE event without id).
  bool SendText(std::string data) { return Send(StreamEvent{0, {}, std::move(data)}); }

  /// Ends the stream: the connection finishes writing what is queued and closes.
  void Close(CloseReason reason = CloseReason::kClosedByServer);
  bool closed() const;
  CloseReason close_reason() const;
  std::size_t capacity() const { return capacity_; }

  /// SSE only: the Last-Event-ID the client sent when it (re)connected.
  const std::optional<std::string>& last_event_id() const { return last_event_id_; }
  /// The Last-Event-ID as a number, when it is one.
  std::optional<std::uint64_t> last_event_number() const;
  /// The request id of the connection, for logs.
  const std::string& request_id() const { return request_id_; }

  // The connection side (used by the server).
  /// Moves every queued event into `out`; returns the close state seen under the same lock.
  CloseReason Drain(std::deque<std::shared_ptr<const StreamEvent>>& out);
  /// Installs the callback run (under the client lock, so it must only post work) when events arrive
  /// or the client closes. Cleared by Close().
  void SetWaker(std::function<void()> waker);
  void SetConnectionInfo(std::optional<std::string> last_event_id, std::string request_id);

 private:
  void WakeLocked(bool force = false);

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<std::shared_ptr<const StreamEvent>> queue_;
  CloseReason reason_ = CloseReason::kOpen;
  std::function<void()> waker_;
  bool wake_pending_ = false;
  std::optional<std::string> last_event_id_;
  std::string request_id_;
};

/// Fans events out to many clients without blocking the producer, and keeps a short history so an SSE
/// client reconnecting with Last-Event-ID resumes where it left off. Event ids increase by one per event.
class Broadcaster {
 public:
  explicit Broadcaster(std::size_t history_capacity = 256);

  /// Adds a client. Retained events with id > `after_id` are queued first, then live events follow with
  /// no gap and no duplicate (both happen under one lock).
  void Subscribe(const std::shared_ptr<StreamClient>& client, std::optional<std::uint64_t> after_id = {});
  /// Assigns the next id and queues the event to every open client; clients that overflow are dropped.
  /// Returns the event id.
  std::uint64_t Publish(std::string event, std::string data);

  /// Open clients right now (closed ones are pruned on publish).
  std::size_t client_count() const;
  /// Clients dropped because their queue overflowed, since construction.
  std::uint64_t dropped_count() const { return dropped_.load(std::memory_order_relaxed); }
  std::uint64_t last_id() const;

 private:
  const std::size_t history_capacity_;
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::deque<std::shared_ptr<const StreamEvent>> history_;
  std::vector<std::shared_ptr<StreamClient>> clients_;
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace td::api
