// SPDX-License-Identifier: MIT
#include "execution/journal_replay.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <type_traits>
#include <utility>

namespace td::execution {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string At(const persistence::FrameView& frame) {
  return "journal frame " + std::to_string(frame.sequence) + " at byte offset " + std::to_string(frame.offset);
}

std::string OptionalPrice(std::string_view label, const std::optional<Price>& price) {
  return price ? std::string(label) + " " + price->ToString() : std::string();
}

/// Joins the non-empty parts with ", ".
std::string Join(std::initializer_list<std::string> parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (part.empty()) {
      continue;
    }
    if (!out.empty()) {
      out += ", ";
    }
    out += part;
  }
  return out;
}

std::string Terms(Side side, Quantity quantity, const InstrumentId& instrument, OrderType type, Product product,
                  const std::optional<Price>& price, const std::optional<Price>& trigger) {
  return Join({std::string(ToString(side)) + " " + quantity.ToString() + " " + instrument.value() + " " +
                   std::string(ToString(type)) + " " + std::string(ToString(product)),
               OptionalPrice("price", price), OptionalPrice("trigger", trigger)});
}

std::string_view CommandName(const OrderCommand& command) {
  return std::visit(Overloaded{
                        [](const SubmitOrder&) { return std::string_view("submit_order"); },
                        [](const ModifyOrder&) { return std::string_view("modify_order"); },
                        [](const CancelOrder&) { return std::string_view("cancel_order"); },
                    },
                    command);
}

const ClientOrderId& CommandOrderId(const OrderCommand& command) {
  return std::visit([](const auto& c) -> const ClientOrderId& { return c.client_order_id; }, command);
}

std::string CommandDetail(const OrderCommand& command) {
  return std::visit(
      Overloaded{
          [](const SubmitOrder& c) {
            return Join({Terms(c.side, c.quantity, c.instrument_id, c.type, c.product, c.price, c.trigger_price),
                         std::string(ToString(c.time_in_force)), "strategy " + c.strategy_id.str(),
                         c.idempotency_key.empty() ? std::string() : "key " + c.idempotency_key});
          },
          [](const ModifyOrder& c) {
            return Join({c.quantity ? "quantity " + c.quantity->ToString() : std::string(),
                         OptionalPrice("price", c.price), OptionalPrice("trigger", c.trigger_price),
                         "strategy " + c.strategy_id.str()});
          },
          [](const CancelOrder& c) { return "strategy " + c.strategy_id.str(); },
      },
      command);
}

std::string EventDetail(const OrderEvent& event) {
  return std::visit(
      Overloaded{
          [](const OrderInitialized& e) {
            return Join({Terms(e.side, e.quantity, e.instrument_id, e.type, e.product, e.price, e.trigger_price),
                         "strategy " + e.strategy_id.str(), e.external ? "external" : ""});
          },
          [](const OrderDenied& e) { return e.reason_code + ": " + e.reason; },
          [](const OrderSubmitted&) { return std::string(); },
          [](const OrderAccepted& e) { return "venue order " + e.venue_order_id.str(); },
          [](const OrderRejected& e) { return e.reason; },
          [](const OrderFilled& e) {
            return Join({e.last_qty.ToString() + " @ " + e.last_px.ToString(), "trade " + e.trade_id.str(),
                         "cumulative " + e.cumulative_qty.ToString()});
          },
          [](const OrderModifyRequested& e) {
            return Join({e.quantity ? "quantity " + e.quantity->ToString() : std::string(),
                         OptionalPrice("price", e.price), OptionalPrice("trigger", e.trigger_price)});
          },
          [](const OrderModified& e) {
            return Join({"quantity " + e.quantity.ToString(), OptionalPrice("price", e.price),
                         OptionalPrice("trigger", e.trigger_price)});
          },
          [](const OrderModifyRejected& e) { return e.reason; },
          [](const OrderCancelRequested&) { return std::string(); },
          [](const OrderCancelRejected& e) { return e.reason; },
          [](const OrderCanceled&) { return std::string(); },
          [](const OrderExpired&) { return std::string(); },
          [](const OrderUpdateTimedOut& e) {
            const std::string_view request = e.request == PendingRequest::kSubmit   ? "submit"
                                             : e.request == PendingRequest::kModify ? "modify"
                                                                                    : "cancel";
            return Join({"outcome of " + std::string(request) + " unknown", e.reason});
          },
      },
      event);
}

}  // namespace

Result<std::optional<JournalEntry>> DecodeJournalFrame(const persistence::FrameView& frame) {
  if (IsOrderFrame(frame.type_id)) {
    auto message = Decode(frame.type_id, frame.payload);
    if (!message.ok()) {
      return Error::Corrupt(At(frame) + ": " + message.error().message);
    }
    return std::optional<JournalEntry>(JournalEntry(std::move(message).value()));
  }
  if (IsEmulatorFrame(frame.type_id)) {
    auto event = DecodeEmulatorEvent(frame.type_id, frame.payload);
    if (!event.ok()) {
      return Error::Corrupt(At(frame) + ": " + event.error().message);
    }
    return std::optional<JournalEntry>(JournalEntry(std::move(event).value()));
  }
  return std::optional<JournalEntry>();
}

Result<persistence::JournalTail> ReadExecutionJournal(
    const std::filesystem::path& path,
    const std::function<Status(const persistence::FrameView&, const JournalEntry&)>& on_entry) {
  return persistence::ReplayJournal(path, [&](const persistence::FrameView& frame) -> Status {
    auto entry = DecodeJournalFrame(frame);
    if (!entry.ok()) {
      return entry.error();
    }
    if (!entry->has_value()) {
      return {};
    }
    return on_entry(frame, **entry);
  });
}

Status JournalReplay::Read(const std::filesystem::path& path, const ReplayUntil& until) {
  auto reader = persistence::JournalReader::Open(path);
  if (!reader.ok()) {
    return reader.error();
  }
  FileSummary summary;
  summary.path = path;
  summary.format_version = reader->format_version();
  persistence::FrameView frame;
  while (true) {
    auto more = reader->Next(frame);
    if (!more.ok()) {
      return more.error();
    }
    if (!*more) {
      summary.end_offset = reader->tail().end_offset;
      summary.torn_bytes = reader->tail().torn_bytes;
      break;
    }
    if (until.Excludes(frame)) {
      summary.stopped_early = true;
      summary.end_offset = frame.offset;
      break;
    }
    auto entry = DecodeJournalFrame(frame);
    if (!entry.ok()) {
      return entry.error();
    }
    if (!entry->has_value()) {
      ++summary.skipped;
      continue;
    }
    const Status applied = std::visit(
        Overloaded{
            [&](const OrderMessage& message) {
              return std::visit([&](const auto& m) { return Apply(frame, m); }, message);
            },
            [&](const EmulatorEvent& event) { return Apply(frame, event); },
        },
        **entry);
    if (!applied.ok()) {
      return applied;
    }
    if (summary.frames == 0) {
      summary.first_sequence = frame.sequence;
    }
    ++summary.frames;
    summary.last_sequence = frame.sequence;
    summary.last_ts = frame.ts;
  }
  files_.push_back(std::move(summary));
  return {};
}

JournalReplay::OrderHistory* JournalReplay::Find(const ClientOrderId& id) {
  auto it = order_index_.find(id.str());
  return it == order_index_.end() ? nullptr : &orders_[it->second];
}

Status JournalReplay::Apply(const persistence::FrameView& frame, const OrderCommand& command) {
  const ClientOrderId& id = CommandOrderId(command);
  Step step{frame.sequence, frame.ts, frame.offset, std::string(CommandName(command)), CommandDetail(command)};
  if (const auto* submit = std::get_if<SubmitOrder>(&command)) {
    // The engine's own rules for a submit frame (ExecutionEngine::ApplySubmit).
    if (Find(id) != nullptr) {
      return Error::Corrupt(At(frame) + ": second submit for " + id.str());
    }
    if (!submit->quantity.is_positive()) {
      return Error::Corrupt(At(frame) + ": submit with zero quantity for " + id.str());
    }
    order_index_.emplace(id.value(), orders_.size());
    orders_.push_back(OrderHistory{Order(*submit), {std::move(step)}});
    return {};
  }
  // A modify or cancel command is followed by its *_requested event, which the order's state machine checks;
  // the engine records nothing else for it.
  if (OrderHistory* history = Find(id)) {
    history->steps.push_back(std::move(step));
  }
  return {};
}

Status JournalReplay::Apply(const persistence::FrameView& frame, const OrderEvent& event) {
  const ClientOrderId& id = EventOrderId(event);
  Step step{frame.sequence, frame.ts, frame.offset, std::string(EventName(event)), EventDetail(event)};
  if (const auto* init = std::get_if<OrderInitialized>(&event)) {
    if (Find(id) != nullptr) {
      return Error::Corrupt(At(frame) + ": second initialization of " + id.str());
    }
    if (!init->quantity.is_positive()) {
      return Error::Corrupt(At(frame) + ": initialized with zero quantity: " + id.str());
    }
    order_index_.emplace(id.value(), orders_.size());
    orders_.push_back(OrderHistory{Order(*init), {std::move(step)}});
    return {};
  }
  // The engine's own rules (ExecutionEngine::ApplyEvent): an event for an unknown order, or one its state
  // machine refuses, means the journal cannot be trusted past this frame.
  OrderHistory* history = Find(id);
  if (history == nullptr) {
    return Error::Corrupt(At(frame) + ": " + std::string(EventName(event)) + " for unknown order " + id.str());
  }
  if (!history->order.CanApply(event)) {
    return Error::Corrupt(At(frame) + ": " + std::string(EventName(event)) + ": " + history->order.WhyIllegal(event));
  }
  if (!history->order.Apply(event)) {
    step.detail = Join({step.detail, "duplicate fill, ignored"});
  } else if (const auto* fill = std::get_if<OrderFilled>(&event)) {
    BookFill(history->order, *fill);
  }
  history->steps.push_back(std::move(step));
  return {};
}

void JournalReplay::BookFill(const Order& order, const OrderFilled& fill) {
  auto [it, inserted] = positions_.try_emplace({fill.instrument_id, order.product()});
  Position& pos = it->second;
  if (inserted) {
    pos.instrument_id = fill.instrument_id;
    pos.product = order.product();
    pos.bought = Quantity::FromRaw(0, fill.last_qty.precision());
    pos.sold = Quantity::FromRaw(0, fill.last_qty.precision());
  }
  pos.precision = std::max(pos.precision, fill.last_qty.precision());
  (fill.side == Side::kBuy ? pos.bought : pos.sold) += fill.last_qty;
  // Average-price accounting as the portfolio keeps it: adding extends the average, reducing realises against
  // it, and a flip through zero opens the rest at the fill price.
  const std::int64_t signed_qty = fill.side == Side::kBuy ? fill.last_qty.raw() : -fill.last_qty.raw();
  const std::int64_t old = pos.net_raw;
  const double px = fill.last_px.AsDouble();
  const double scale = static_cast<double>(kFixedScale);
  if (old == 0 || (old > 0) == (signed_qty > 0)) {
    const double old_abs = static_cast<double>(std::abs(old)) / scale;
    const double add = static_cast<double>(fill.last_qty.raw()) / scale;
    pos.avg_px = (pos.avg_px * old_abs + px * add) / (old_abs + add);
    pos.net_raw = old + signed_qty;
    return;
  }
  const double closing = static_cast<double>(std::min(std::abs(old), fill.last_qty.raw())) / scale;
  pos.realised += (px - pos.avg_px) * closing * (old > 0 ? 1.0 : -1.0);
  pos.net_raw = old + signed_qty;
  if (pos.net_raw == 0) {
    pos.avg_px = 0.0;
  } else if ((pos.net_raw > 0) != (old > 0)) {
    pos.avg_px = px;
  }
}

std::vector<JournalReplay::Position> JournalReplay::positions() const {
  std::vector<Position> out;
  out.reserve(positions_.size());
  for (const auto& [key, pos] : positions_) {
    out.push_back(pos);
  }
  return out;
}

Status JournalReplay::Apply(const persistence::FrameView& frame, const EmulatorEvent& event) {
  // The emulator's own apply rules (OrderEmulator::Apply), kept to what the view needs: lines and their state.
  const EmulatedLineId line = EventLineId(event);
  const std::string name(EventName(event));
  return std::visit(
      [&](const auto& e) -> Status {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, EmulatedEntryCreated> || std::is_same_v<T, EmulatedBracketAttached>) {
          if (entries_.contains(line) || brackets_.contains(line)) {
            return Error::Corrupt(At(frame) + ": line " + std::to_string(line) + " created twice");
          }
          if constexpr (std::is_same_v<T, EmulatedEntryCreated>) {
            entries_.emplace(line, EntryFromEvent(line, e));
          } else {
            brackets_.emplace(line, BracketFromEvent(line, e));
            if (auto it = entries_.find(e.entry_line_id); it != entries_.end()) {
              it->second.attached_qty += e.quantity;
            }
          }
          return {};
        } else if constexpr (std::is_same_v<T, EmulatedEntryMoved> || std::is_same_v<T, EmulatedEntryReleased> ||
                             std::is_same_v<T, EmulatedEntryClosed>) {
          auto it = entries_.find(line);
          if (it == entries_.end()) {
            return Error::Corrupt(At(frame) + ": " + name + " for unknown entry " + std::to_string(line));
          }
          if constexpr (std::is_same_v<T, EmulatedEntryMoved>) {
            it->second.price = e.price;
          } else if constexpr (std::is_same_v<T, EmulatedEntryReleased>) {
            it->second.state = EmulatedEntry::State::kReleased;
            it->second.order_id = e.client_order_id;
            it->second.cancel_requested = false;
          } else {
            entries_.erase(it);
          }
          return {};
        } else {
          auto it = brackets_.find(line);
          if (it == brackets_.end()) {
            return Error::Corrupt(At(frame) + ": " + name + " for unknown bracket " + std::to_string(line));
          }
          EmulatedBracket& record = it->second;
          if constexpr (std::is_same_v<T, EmulatedBracketChanged>) {
            record.take_profit = e.take_profit;
            record.stop_loss = e.stop_loss;
            record.best_price = e.best_price;
          } else if constexpr (std::is_same_v<T, EmulatedExitReleased>) {
            record.exit_order = e.client_order_id;
            record.last_exit_order = e.client_order_id;
            record.exit_leg = e.leg;
            record.exit_filled = Quantity{};
          } else if constexpr (std::is_same_v<T, EmulatedBracketReduced>) {
            if (e.quantity > record.quantity) {
              return Error::Corrupt(At(frame) + ": bracket " + std::to_string(line) + " reduced upwards");
            }
            record.quantity = e.quantity;
            if (record.exit_order && !e.client_order_id.empty() && *record.exit_order == e.client_order_id) {
              record.exit_filled = e.order_filled;
            }
          } else if constexpr (std::is_same_v<T, EmulatedExitEnded>) {
            if (record.exit_order && *record.exit_order == e.client_order_id) {
              record.exit_order.reset();
              record.exit_filled = Quantity{};
              record.rearm_after = e.rearm_after;
            }
          } else {
            static_assert(std::is_same_v<T, EmulatedBracketClosed>);
            brackets_.erase(it);
          }
          return {};
        }
      },
      event);
}

}  // namespace td::execution
