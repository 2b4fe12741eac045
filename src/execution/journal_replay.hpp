// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "execution/codec.hpp"
#include "execution/emulator_events.hpp"
#include "execution/order.hpp"
#include "execution/order_emulator.hpp"
#include "persistence/journal.hpp"

namespace td::execution {

/// One decoded frame of an execution journal: an order command or event (orders.journal) or an emulator event
/// (the emulator's journal).
using JournalEntry = std::variant<OrderMessage, EmulatorEvent>;

/// Decodes one frame. Frames of other families give nullopt (they are skipped, as recovery skips them); a frame
/// of ours that does not decode is kCorruptData naming its sequence and byte offset.
Result<std::optional<JournalEntry>> DecodeJournalFrame(const persistence::FrameView& frame);

/// Reads an execution journal front to back through persistence::JournalReader and DecodeJournalFrame: the path
/// start-up recovery takes (ExecutionEngine::Open) and `tradedesk replay` takes. A torn tail ends the read
/// cleanly and is reported in the returned tail; damage followed by a valid frame is kCorruptData naming the
/// byte offset. Never modifies the file. Stops at the first error, the callback's included.
Result<persistence::JournalTail> ReadExecutionJournal(
    const std::filesystem::path& path,
    const std::function<Status(const persistence::FrameView&, const JournalEntry&)>& on_entry);

/// Where a replay stops: frames with a higher sequence, or a later timestamp, are left out.
struct ReplayUntil {
  std::optional<std::uint64_t> sequence;
  std::optional<UnixNanos> time;
  bool Excludes(const persistence::FrameView& frame) const {
    return (sequence && frame.sequence > *sequence) || (time && frame.ts > *time);
  }
};

/// The state a set of execution journals proves, rebuilt read-only with the same reader, codec and order state
/// machine (`Order::Apply`, with the engine's legality rules) as start-up recovery: every order with its
/// lifecycle, the emulated lines still open, and the positions the fills imply. Used by `tradedesk replay`.
class JournalReplay {
 public:
  /// One applied frame, for the lifecycle listing.
  struct Step {
    std::uint64_t sequence = 0;
    UnixNanos ts;
    std::uint64_t offset = 0;
    std::string event;   // "submit_order", "order_filled", ...
    std::string detail;  // human summary of the fields that matter ("25 @ 100.05, trade PAPER-F…")
  };
  struct OrderHistory {
    Order order;
    std::vector<Step> steps;
  };
  /// The net position of one instrument and product implied by the fills (prices in price units; the journal
  /// holds no contract multiplier, so realised P&L is in points × quantity).
  struct Position {
    InstrumentId instrument_id;
    Product product = Product::kMis;
    std::int64_t net_raw = 0;
    Quantity bought;
    Quantity sold;
    double avg_px = 0.0;  // of the open quantity; 0 when flat
    double realised = 0.0;
    int precision = 0;  // quantity display precision
    Quantity net_abs() const { return Quantity::FromRaw(net_raw < 0 ? -net_raw : net_raw, precision); }
  };
  /// What reading one file found.
  struct FileSummary {
    std::filesystem::path path;
    std::uint32_t format_version = 0;
    std::uint64_t frames = 0;  // applied
    std::uint64_t skipped = 0;  // frames of another family
    std::uint64_t first_sequence = 0;
    std::uint64_t last_sequence = 0;
    UnixNanos last_ts;
    std::uint64_t end_offset = 0;  // just past the last frame read
    std::uint64_t torn_bytes = 0;  // a torn tail (crash mid-append): not an error, recovery cuts it
    bool stopped_early = false;    // `until` left later frames out
  };

  /// Replays one journal file into the state. Errors: the file cannot be opened or read, corruption in the
  /// middle (kCorruptData with the byte offset), a frame that does not decode or does not apply to the state
  /// so far (kCorruptData naming the frame's sequence and byte offset).
  Status Read(const std::filesystem::path& path, const ReplayUntil& until = {});

  /// Orders in the order they first appear in the journal.
  const std::vector<OrderHistory>& orders() const { return orders_; }
  const std::map<EmulatedLineId, EmulatedEntry>& open_entries() const { return entries_; }
  const std::map<EmulatedLineId, EmulatedBracket>& open_brackets() const { return brackets_; }
  /// Positions by (instrument, product), closed ones included.
  std::vector<Position> positions() const;
  const std::vector<FileSummary>& files() const { return files_; }

 private:
  Status Apply(const persistence::FrameView& frame, const OrderCommand& command);
  Status Apply(const persistence::FrameView& frame, const OrderEvent& event);
  Status Apply(const persistence::FrameView& frame, const EmulatorEvent& event);
  OrderHistory* Find(const ClientOrderId& id);
  void BookFill(const Order& order, const OrderFilled& fill);

  std::vector<OrderHistory> orders_;
  std::unordered_map<std::string, std::size_t> order_index_;
  std::map<EmulatedLineId, EmulatedEntry> entries_;
  std::map<EmulatedLineId, EmulatedBracket> brackets_;
  std::map<std::pair<InstrumentId, Product>, Position> positions_;
  std::vector<FileSummary> files_;
};

}  // namespace td::execution
