// SPDX-License-Identifier: MIT
#include "execution/order_emulator.hpp"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <utility>

namespace td::execution {

namespace {

constexpr std::string_view kOrderPrefix = "EMU-";
constexpr std::size_t kLineDigits = 10;
constexpr std::size_t kMaxTrailStages = 16;

/// "EMU-<line>-": the common prefix of every release attempt of one line.
std::string LinePrefix(EmulatedLineId id) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "EMU-%010" PRIu64 "-", id);
  return buffer;
}

/// Parses "EMU-<10 digits>-<digits>" into its line id and attempt.
bool ParseReleaseId(std::string_view text, EmulatedLineId* line, std::uint32_t* attempt) {
  if (!text.starts_with(kOrderPrefix) || text.size() < kOrderPrefix.size() + kLineDigits + 2 ||
      text[kOrderPrefix.size() + kLineDigits] != '-') {
    return false;
  }
  std::uint64_t id = 0;
  for (std::size_t i = kOrderPrefix.size(); i < kOrderPrefix.size() + kLineDigits; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
    id = id * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  std::uint64_t n = 0;
  const std::size_t start = kOrderPrefix.size() + kLineDigits + 1;
  for (std::size_t i = start; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || i - start > 9) {
      return false;
    }
    n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  *line = id;
  *attempt = static_cast<std::uint32_t>(n);
  return true;
}

bool IsLong(Side position_side) {
  return position_side == Side::kBuy;
}

/// A stop/target `points` away from `anchor`, in or against the position's favour, on the tick grid.
Price Offset(const Instrument& instrument, Price anchor, Price points, Side position_side, bool in_favour) {
  const bool up = IsLong(position_side) == in_favour;
  return instrument.RoundToTick(up ? anchor + points : anchor - points);
}

std::string_view ClosedCode(ExitLeg leg) {
  switch (leg) {
    case ExitLeg::kTakeProfit:
      return "take_profit";
    case ExitLeg::kStopLoss:
      return "stop_loss";
    case ExitLeg::kClose:
      return "closed";
  }
  TD_UNREACHABLE();
}

std::string EntryEndCode(OrderStatus status) {
  switch (status) {
    case OrderStatus::kFilled:
      return "filled";
    case OrderStatus::kCanceled:
      return "canceled";
    case OrderStatus::kRejected:
      return "rejected";
    case OrderStatus::kDenied:
      return "denied";
    case OrderStatus::kExpired:
      return "expired";
    default:
      return std::string(ToString(status));
  }
}

Status OnGrid(const Instrument& instrument, const Price& price, const std::string& field) {
  if (!price.is_positive()) {
    return Error::InvalidArgument(field + " must be positive", field);
  }
  if (!instrument.IsOnTick(price)) {
    return Error::InvalidArgument(field + " " + price.ToString() + " is not a multiple of the tick " +
                                      instrument.tick_size.ToString(),
                                  field);
  }
  return {};
}

}  // namespace

ClientOrderId OrderEmulator::ReleaseOrderId(EmulatedLineId id, std::uint32_t attempt) {
  const ClientOrderId line = ClientOrderId::Sequenced(kOrderPrefix, id, kLineDigits);
  char prefix[kMaxIdentifierLength];
  const std::string_view line_text = line.value();
  TD_CHECK(line_text.size() + 1 < sizeof prefix) << "emulated line id too long";
  std::memcpy(prefix, line_text.data(), line_text.size());
  prefix[line_text.size()] = '-';
  return ClientOrderId::Sequenced(std::string_view(prefix, line_text.size() + 1), attempt, 6);
}

EmulatedEntry EntryFromEvent(EmulatedLineId line, const EmulatedEntryCreated& event) {
  EmulatedEntry entry;
  entry.id = line;
  entry.instrument_id = event.instrument_id;
  entry.side = event.side;
  entry.kind = event.kind;
  entry.product = event.product;
  entry.quantity = event.quantity;
  entry.price = event.price;
  entry.bracket = event.bracket;
  entry.tag = event.tag;
  entry.created = event.ts_event;
  return entry;
}

EmulatedBracket BracketFromEvent(EmulatedLineId line, const EmulatedBracketAttached& event) {
  EmulatedBracket record;
  record.id = line;
  record.entry_id = event.entry_line_id;
  record.fill_id = event.fill_id;
  record.instrument_id = event.instrument_id;
  record.position_side = event.position_side;
  record.product = event.product;
  record.quantity = event.quantity;
  record.entry_price = event.entry_price;
  record.take_profit = event.take_profit;
  record.stop_loss = event.stop_loss;
  record.trailing = event.trailing;
  record.tag = event.tag;
  record.created = event.ts_event;
  return record;
}

Result<std::unique_ptr<OrderEmulator>> OrderEmulator::Open(OrderEmulatorOptions options, Clock& clock,
                                                           ExecutionEngine& engine) {
  auto journal = persistence::JournalWriter::Open(options.journal_path, options.journal);
  if (!journal.ok()) {
    return journal.error();
  }
  std::unique_ptr<OrderEmulator> emulator(
      new OrderEmulator(std::move(options), clock, engine, std::move(journal).value()));
  for (const Instrument& instrument : emulator->options_.instruments) {
    emulator->AddInstrument(instrument);
  }
  TD_TRY(emulator->Replay());
  emulator->Reconcile();
  emulator->first_live_line_ = emulator->last_line_id_ + 1;
  return emulator;
}

OrderEmulator::OrderEmulator(OrderEmulatorOptions options, Clock& clock, ExecutionEngine& engine,
                             persistence::JournalWriter journal)
    : options_(std::move(options)), clock_(clock), engine_(engine), journal_(std::move(journal)) {
  fires_.reserve(64);
}

OrderEmulator::~OrderEmulator() = default;

void OrderEmulator::AddInstrument(const Instrument& instrument) {
  Book& book = books_[instrument.id];
  book.instrument = instrument;
  book.dirty = true;
}

OrderEmulator::Book* OrderEmulator::FindBook(const InstrumentId& id) {
  auto it = books_.find(id);
  return it == books_.end() ? nullptr : &it->second;
}

const OrderEmulator::Book* OrderEmulator::FindBook(const InstrumentId& id) const {
  auto it = books_.find(id);
  return it == books_.end() ? nullptr : &it->second;
}

void OrderEmulator::MarkDirty(const InstrumentId& instrument_id) {
  if (Book* book = FindBook(instrument_id)) {
    book->dirty = true;
  }
}

const EmulatedEntry* OrderEmulator::FindEntry(EmulatedLineId id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

const EmulatedBracket* OrderEmulator::FindBracket(EmulatedLineId id) const {
  auto it = brackets_.find(id);
  return it == brackets_.end() ? nullptr : &it->second;
}

Quantity OrderEmulator::TrackedQuantity(const InstrumentId& instrument_id, Product product) const {
  Quantity total;
  for (const auto& [id, record] : brackets_) {
    if (record.instrument_id == instrument_id && record.product == product) {
      total += record.quantity;
    }
  }
  return total;
}

std::optional<Price> OrderEmulator::LastPrice(const InstrumentId& instrument_id) const {
  const Book* book = FindBook(instrument_id);
  if (book == nullptr || !book->has_price) {
    return std::nullopt;
  }
  return book->last_sell;
}

// ---- journal and apply ------------------------------------------------------------------------------------

Status OrderEmulator::Replay() {
  replaying_ = true;
  auto tail = persistence::ReplayJournal(options_.journal_path, [&](const persistence::FrameView& frame) -> Status {
    if (!IsEmulatorFrame(frame.type_id)) {
      return {};
    }
    auto event = DecodeEmulatorEvent(frame.type_id, frame.payload);
    if (!event.ok()) {
      return Error::Corrupt("emulator journal frame " + std::to_string(frame.sequence) + ": " + event.error().message);
    }
    ++replayed_frames_;
    return Apply(*event);
  });
  replaying_ = false;
  if (!tail.ok()) {
    return tail.error();
  }
  return {};
}

Status OrderEmulator::Record(const EmulatorEvent& event) {
  if (journal_failed_) {
    return Error{ErrorCode::kUnavailable, "emulator journal failed: lines cannot be recorded until restart", {}};
  }
  EncodedFrame frame = Encode(event);
  auto appended = journal_.Append(frame.type_id, clock_.Now(), frame.payload);
  Recycle(std::move(frame));
  if (!appended.ok()) {
    journal_failed_ = true;
    log_.Critical("emulator journal write failed: new lines refused, exits still released",
                  {{"error", appended.error().ToString()}});
    return appended.error();
  }
  const Status applied = Apply(event);
  TD_CHECK(applied.ok()) << "emulator event did not apply: " << applied.error().ToString();
  return {};
}

void OrderEmulator::ApplyNoFail(const EmulatorEvent& event) {
  if (Record(event).ok()) {
    return;
  }
  // The journal failed: keep the in-memory state right for this process (protecting the position wins); the
  // deterministic release ids let the next start find what was sent.
  const Status applied = Apply(event);
  TD_CHECK(applied.ok()) << "emulator event did not apply: " << applied.error().ToString();
}

Status OrderEmulator::Apply(const EmulatorEvent& event) {
  const EmulatedLineId line = EventLineId(event);
  Status status = std::visit(
      [&](const auto& e) -> Status {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, EmulatedEntryCreated>) {
          if (entries_.contains(line) || brackets_.contains(line)) {
            return Error::Corrupt("line " + std::to_string(line) + " created twice");
          }
          if (FindBook(e.instrument_id) == nullptr) {
            return Error::Unprocessable("emulated entry for an instrument the emulator does not know: " +
                                        e.instrument_id.value());
          }
          entries_.emplace(line, EntryFromEvent(line, e));
          last_line_id_ = std::max(last_line_id_, line);
          MarkDirty(e.instrument_id);
          return {};
        } else if constexpr (std::is_same_v<T, EmulatedBracketAttached>) {
          if (entries_.contains(line) || brackets_.contains(line)) {
            return Error::Corrupt("line " + std::to_string(line) + " created twice");
          }
          if (FindBook(e.instrument_id) == nullptr) {
            return Error::Unprocessable("emulated bracket for an instrument the emulator does not know: " +
                                        e.instrument_id.value());
          }
          brackets_.emplace(line, BracketFromEvent(line, e));
          last_line_id_ = std::max(last_line_id_, line);
          if (auto it = entries_.find(e.entry_line_id); it != entries_.end()) {
            it->second.attached_qty += e.quantity;
            it->second.attached_notional += e.entry_price.AsDouble() * e.quantity.AsDouble();
          }
          MarkDirty(e.instrument_id);
          return {};
        } else if constexpr (std::is_same_v<T, EmulatedEntryMoved> || std::is_same_v<T, EmulatedEntryReleased> ||
                             std::is_same_v<T, EmulatedEntryClosed>) {
          auto it = entries_.find(line);
          if (it == entries_.end()) {
            return Error::Corrupt(std::string(EventName(event)) + " for unknown entry " + std::to_string(line));
          }
          EmulatedEntry& entry = it->second;
          MarkDirty(entry.instrument_id);
          if constexpr (std::is_same_v<T, EmulatedEntryMoved>) {
            entry.price = e.price;
          } else if constexpr (std::is_same_v<T, EmulatedEntryReleased>) {
            if (entry.order_id) {
              order_lines_.erase(*entry.order_id);
            }
            entry.state = EmulatedEntry::State::kReleased;
            entry.order_id = e.client_order_id;
            entry.cancel_requested = false;
            order_lines_[e.client_order_id] = line;
          } else {
            if (entry.order_id) {
              order_lines_.erase(*entry.order_id);
            }
            entries_.erase(it);
          }
          return {};
        } else {
          auto it = brackets_.find(line);
          if (it == brackets_.end()) {
            return Error::Corrupt(std::string(EventName(event)) + " for unknown bracket " + std::to_string(line));
          }
          EmulatedBracket& record = it->second;
          MarkDirty(record.instrument_id);
          if constexpr (std::is_same_v<T, EmulatedBracketChanged>) {
            record.take_profit = e.take_profit;
            record.stop_loss = e.stop_loss;
            record.best_price = e.best_price;
          } else if constexpr (std::is_same_v<T, EmulatedExitReleased>) {
            if (record.exit_order) {
              order_lines_.erase(*record.exit_order);
            }
            record.exit_order = e.client_order_id;
            record.last_exit_order = e.client_order_id;
            record.exit_leg = e.leg;
            record.exit_filled = Quantity{};
            order_lines_[e.client_order_id] = line;
          } else if constexpr (std::is_same_v<T, EmulatedBracketReduced>) {
            if (e.quantity > record.quantity) {
              return Error::Corrupt("bracket " + std::to_string(line) + " reduced upwards");
            }
            record.quantity = e.quantity;
            if (record.exit_order && !e.client_order_id.empty() && *record.exit_order == e.client_order_id) {
              record.exit_filled = e.order_filled;
              record.failed_exits = 0;
            }
          } else if constexpr (std::is_same_v<T, EmulatedExitEnded>) {
            if (record.exit_order && *record.exit_order == e.client_order_id) {
              order_lines_.erase(*record.exit_order);
              record.exit_order.reset();
              record.exit_filled = Quantity{};
              record.rearm_after = e.rearm_after;
            }
          } else {
            static_assert(std::is_same_v<T, EmulatedBracketClosed>);
            if (record.exit_order) {
              order_lines_.erase(*record.exit_order);
            }
            brackets_.erase(it);
          }
          return {};
        }
      },
      event);
  if (status.ok() && options_.on_event) {
    options_.on_event(event);
  }
  return status;
}

// ---- restart ---------------------------------------------------------------------------------------------

const Order* OrderEmulator::LatestEngineOrder(EmulatedLineId id) const {
  const std::string prefix = LinePrefix(id);
  // Restart only (lines of earlier runs): a walk of the day's orders, keeping the highest attempt.
  const Order* latest = nullptr;
  for (const Order& order : engine_.orders()) {
    if (order.client_order_id().value().starts_with(prefix) &&
        (latest == nullptr || latest->client_order_id() < order.client_order_id())) {
      latest = &order;
    }
  }
  return latest;
}

std::uint32_t OrderEmulator::NextAttempt(EmulatedLineId id) const {
  std::uint32_t attempt = 0;
  if (id >= first_live_line_) {
    // A line made in this run: only this emulator releases under its prefix, and every release is applied in
    // memory (an entry whose release cannot be journaled is not sent; an exit is applied anyway), so the line's
    // own latest release is the latest there is. Spares a search of the engine's whole order book per release.
    const std::optional<ClientOrderId>* latest = nullptr;
    if (auto entry = entries_.find(id); entry != entries_.end()) {
      latest = &entry->second.order_id;
    } else if (auto record = brackets_.find(id); record != brackets_.end()) {
      latest = &record->second.last_exit_order;
    }
    if (latest != nullptr && latest->has_value()) {
      EmulatedLineId line = 0;
      ParseReleaseId((*latest)->value(), &line, &attempt);
    }
    return attempt + 1;
  }
  if (const Order* latest = LatestEngineOrder(id)) {
    EmulatedLineId line = 0;
    ParseReleaseId(latest->client_order_id().value(), &line, &attempt);
  }
  return attempt + 1;
}

void OrderEmulator::Reconcile() {
  // Line ids must stay unique even if the journal lost frames after an order went out under a later id.
  for (const Order& order : engine_.orders()) {
    EmulatedLineId line = 0;
    std::uint32_t attempt = 0;
    if (ParseReleaseId(order.client_order_id().value(), &line, &attempt)) {
      last_line_id_ = std::max(last_line_id_, line);
    }
  }
  std::vector<EmulatedLineId> entry_ids;
  for (const auto& [id, entry] : entries_) {
    entry_ids.push_back(id);
  }
  std::vector<EmulatedLineId> bracket_ids;
  for (const auto& [id, record] : brackets_) {
    bracket_ids.push_back(id);
  }
  for (EmulatedLineId id : entry_ids) {
    ReconcileEntry(id);
  }
  for (EmulatedLineId id : bracket_ids) {
    ReconcileBracket(id);
  }
}

void OrderEmulator::ReconcileEntry(EmulatedLineId id) {
  const UnixNanos now = clock_.Now();
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    return;
  }
  // A release the journal missed (it failed after the order went out) is adopted, never sent again.
  if (const Order* latest = LatestEngineOrder(id);
      latest != nullptr && (!it->second.order_id || *it->second.order_id < latest->client_order_id())) {
    log_.Warn("adopting an emulator release missing from the journal",
              {{"line", id}, {"client_order_id", latest->client_order_id().value()}});
    ApplyNoFail(EmulatedEntryReleased{id, latest->client_order_id(), now});
  }
  EmulatedEntry& entry = entries_.at(id);
  const Order* order = entry.order_id ? engine_.FindOrder(*entry.order_id) : nullptr;
  if (order == nullptr) {
    // Never reached the engine's journal, so it never left the process: proven unsent.
    if (entry.state == EmulatedEntry::State::kReleased) {
      order_lines_.erase(*entry.order_id);
      entry.state = EmulatedEntry::State::kArmed;
      entry.order_id.reset();
    }
    if (entry.kind == EntryKind::kLimit) {
      ReleaseEntry(id, now);
    } else if (entry.kind == EntryKind::kMarket) {
      EndEntry(id, "not_sent", "the market entry had not left the process before the restart; not sent late", now);
    }
    return;
  }
  CatchUpEntry(id, *order, now, "");
}

void OrderEmulator::CatchUpEntry(EmulatedLineId id, const Order& order, UnixNanos ts, std::string reason) {
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.order_id != order.client_order_id()) {
    return;
  }
  EmulatedEntry& entry = it->second;
  if (order.filled_qty() > entry.attached_qty) {
    // Fills the engine applied while we were not listening (a crash in between, or events before we were
    // wired): one record for the difference, priced so that the records' average equals the order's.
    const Quantity missing = order.filled_qty() - entry.attached_qty;
    const double notional = order.avg_px() * order.filled_qty().AsDouble() - entry.attached_notional;
    const Book* book = FindBook(entry.instrument_id);
    auto px = Price::FromDouble(notional / missing.AsDouble(), kFixedPrecision);
    if (px.ok() && book != nullptr) {
      // Entry orders carry "EMU-…" ids, so this stays within an id's 64 characters; empty if it ever did not.
      const auto fill_id = TradeId::Parse("RECOVERED-" + order.client_order_id().str() + "-" +
                                          std::to_string(order.filled_qty().raw()));
      AttachFill(entry, fill_id.ok() ? *fill_id : TradeId(), missing, book->instrument.RoundToTick(*px), ts);
    }
  }
  if (order.is_terminal()) {
    if (reason.empty()) {
      reason = "order " + order.client_order_id().str() + " is " + std::string(ToString(order.status()));
    }
    EndEntry(id, EntryEndCode(order.status()), std::move(reason), ts);
  }
}

void OrderEmulator::ReconcileBracket(EmulatedLineId id) {
  const UnixNanos now = clock_.Now();
  auto it = brackets_.find(id);
  if (it == brackets_.end()) {
    return;
  }
  if (const Order* latest = LatestEngineOrder(id);
      latest != nullptr &&
      (!it->second.last_exit_order || *it->second.last_exit_order < latest->client_order_id())) {
    log_.Warn("adopting an emulator exit missing from the journal",
              {{"line", id}, {"client_order_id", latest->client_order_id().value()}});
    ApplyNoFail(EmulatedExitReleased{id, ExitLeg::kClose, latest->client_order_id(), latest->quantity(),
                                     it->second.entry_price, now});
  }
  EmulatedBracket& record = brackets_.at(id);
  if (!record.exit_order) {
    return;
  }
  const Order* order = engine_.FindOrder(*record.exit_order);
  if (order == nullptr) {
    // Proven unsent: the lines are armed again at once (the position is unprotected otherwise).
    ApplyNoFail(EmulatedExitEnded{id, *record.exit_order, "exit had not left the process before the restart",
                                  UnixNanos{}, now});
    return;
  }
  ApplyExitProgress(id, *order, now);
}

// ---- market data -----------------------------------------------------------------------------------------

void OrderEmulator::OnTrade(const TradeTick& tick) {
  OnPrice(tick.instrument_id, tick.price, tick.price, tick.ts_event);
}

void OrderEmulator::OnQuote(const QuoteTick& quote) {
  if (!quote.IsTwoSided()) {
    return;  // a one-sided or crossed book is no price to trigger on
  }
  OnPrice(quote.instrument_id, quote.ask, quote.bid, quote.ts_event);
}

void OrderEmulator::OnPrice(const InstrumentId& instrument_id, Price buy_price, Price sell_price, UnixNanos ts) {
  Book* book = FindBook(instrument_id);
  if (book == nullptr) {
    return;
  }
  book->last_buy = buy_price;
  book->last_sell = sell_price;
  book->has_price = true;
  Evaluate(*book, ts);
}

void OrderEmulator::Rebuild(Book& book) {
  book.armed.clear();
  book.records.clear();
  book.buy_up = INT64_MAX;
  book.buy_down = INT64_MIN;
  book.sell_up = INT64_MAX;
  book.sell_down = INT64_MIN;
  const InstrumentId& id = book.instrument.id;
  for (auto& [line, entry] : entries_) {
    if (entry.instrument_id != id || entry.kind != EntryKind::kTrigger || entry.state != EmulatedEntry::State::kArmed ||
        !entry.price) {
      continue;
    }
    book.armed.push_back(&entry);
    if (entry.side == Side::kBuy) {
      book.buy_up = std::min(book.buy_up, entry.price->raw());
    } else {
      book.sell_down = std::max(book.sell_down, entry.price->raw());
    }
  }
  for (auto& [line, record] : brackets_) {
    if (record.instrument_id != id || record.exiting()) {
      continue;
    }
    book.records.push_back(&record);
    const Price best = record.best_price.value_or(record.entry_price);
    if (IsLong(record.position_side)) {
      if (record.take_profit) {
        book.sell_up = std::min(book.sell_up, record.take_profit->raw());
      }
      if (record.stop_loss) {
        book.sell_down = std::max(book.sell_down, record.stop_loss->raw());
      }
      if (!record.trailing.empty()) {
        book.sell_up = std::min(book.sell_up, best.raw() + 1);  // a new best moves the trail
      }
    } else {
      if (record.take_profit) {
        book.buy_down = std::max(book.buy_down, record.take_profit->raw());
      }
      if (record.stop_loss) {
        book.buy_up = std::min(book.buy_up, record.stop_loss->raw());
      }
      if (!record.trailing.empty()) {
        book.buy_down = std::max(book.buy_down, best.raw() - 1);
      }
    }
  }
  book.dirty = false;
}

void OrderEmulator::Evaluate(Book& book, UnixNanos ts) {
  if (book.dirty) {
    Rebuild(book);
  }
  const std::int64_t buy = book.last_buy.raw();
  const std::int64_t sell = book.last_sell.raw();
  if (buy < book.buy_up && buy > book.buy_down && sell < book.sell_up && sell > book.sell_down) {
    return;  // the common case: nothing can fire and no trail can move
  }
  fires_.clear();
  for (EmulatedEntry* entry : book.armed) {
    const Price level = *entry->price;
    if (entry->side == Side::kBuy ? buy >= level.raw() : sell <= level.raw()) {
      fires_.push_back(Fire{entry->id, true, ExitLeg::kClose, entry->side == Side::kBuy ? book.last_buy : book.last_sell});
    }
  }
  std::optional<UnixNanos> now;
  for (EmulatedBracket* record : book.records) {
    const bool is_long = IsLong(record->position_side);
    const Price px = is_long ? book.last_sell : book.last_buy;
    if (!record->trailing.empty()) {
      Trail(*record, px, book, ts);
    }
    if (record->rearm_after != UnixNanos{}) {
      if (!now) {
        now = clock_.Now();
      }
      if (*now < record->rearm_after) {
        continue;
      }
    }
    const auto& tp = record->take_profit;
    const auto& sl = record->stop_loss;
    if (tp && (is_long ? px >= *tp : px <= *tp)) {
      fires_.push_back(Fire{record->id, false, ExitLeg::kTakeProfit, px});
    } else if (sl && (is_long ? px <= *sl : px >= *sl)) {
      fires_.push_back(Fire{record->id, false, ExitLeg::kStopLoss, px});
    }
  }
  // Releases may call back (a paper broker fills inside Submit) and change the lines: act on ids, not pointers,
  // and on a list of our own in case a callback evaluates again.
  std::vector<Fire> firing;
  firing.swap(fires_);
  for (const Fire& fire : firing) {
    if (fire.entry) {
      ReleaseEntry(fire.id, ts);
    } else {
      ReleaseExit(fire.id, fire.leg, fire.price, ts);
    }
  }
  firing.clear();
  if (fires_.capacity() < firing.capacity()) {
    fires_.swap(firing);  // keep the larger buffer for the next time
  }
  if (book.dirty) {
    Rebuild(book);
  }
}

bool OrderEmulator::Trail(EmulatedBracket& record, Price px, const Book& book, UnixNanos ts) {
  const bool is_long = IsLong(record.position_side);
  const Price best_before = record.best_price.value_or(record.entry_price);
  if (is_long ? px <= best_before : px >= best_before) {
    return false;
  }
  const Price best = px;
  const Price profit = is_long ? best - record.entry_price : record.entry_price - best;
  const TrailStage* reached = nullptr;
  for (const TrailStage& stage : record.trailing.stages) {
    if (profit >= stage.trigger_profit) {
      reached = &stage;
    }
  }
  if (reached == nullptr) {
    record.best_price = best;  // not journaled: the stop did not move, and a lower best after restart is safe
    return false;
  }
  Price candidate;
  if (reached->mode == TrailStage::Mode::kLock) {
    candidate = is_long ? record.entry_price + reached->amount : record.entry_price - reached->amount;
  } else {
    candidate = is_long ? best - reached->amount : best + reached->amount;
  }
  // Round so the stop keeps at least the configured distance (never tighter than asked).
  candidate = book.instrument.RoundToTick(candidate, is_long ? RoundingMode::kDown : RoundingMode::kUp);
  const auto& stop = record.stop_loss;
  const bool tighter = !stop || (is_long ? candidate > *stop : candidate < *stop);
  if (!tighter) {
    record.best_price = best;
    return false;
  }
  ApplyNoFail(EmulatedBracketChanged{record.id, record.take_profit, candidate, best, "trailed", ts});
  return true;
}

// ---- releases --------------------------------------------------------------------------------------------

void OrderEmulator::ReleaseEntry(EmulatedLineId id, UnixNanos ts) {
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.state != EmulatedEntry::State::kArmed) {
    return;
  }
  const ClientOrderId order_id = ReleaseOrderId(id, NextAttempt(id));
  if (Status recorded = Record(EmulatedEntryReleased{id, order_id, ts}); !recorded.ok()) {
    // An entry that cannot be recorded is not sent (it adds risk); the line ends.
    const Status applied = Apply(EmulatedEntryClosed{id, "journal_failed", recorded.error().message, ts});
    TD_CHECK(applied.ok());
    return;
  }
  const EmulatedEntry& entry = entries_.at(id);
  SubmitOrder command;
  command.client_order_id = order_id;
  command.idempotency_key = order_id.value();
  command.strategy_id = options_.strategy_id;
  command.instrument_id = entry.instrument_id;
  command.side = entry.side;
  command.type = entry.kind == EntryKind::kLimit ? OrderType::kLimit : OrderType::kMarket;
  command.product = entry.product;
  command.quantity = entry.quantity;
  if (entry.kind == EntryKind::kLimit) {
    command.price = entry.price;
  }
  command.ts_init = clock_.Now();
  auto submitted = engine_.Submit(std::move(command));
  if (!submitted.ok()) {
    EndEntry(id, "submit_failed", submitted.error().message, ts);
    return;
  }
  // Events normally arrived already (a paper broker fills inside Submit); this covers any we were not wired
  // to receive (a release made while Open reconciles) and is a no-op otherwise.
  if (const Order* order = engine_.FindOrder(order_id)) {
    CatchUpEntry(id, *order, ts, order->status() == OrderStatus::kDenied ? "denied by the pre-trade gate" : "");
  }
}

void OrderEmulator::ReleaseExit(EmulatedLineId id, ExitLeg leg, Price price, UnixNanos ts) {
  auto it = brackets_.find(id);
  if (it == brackets_.end() || it->second.exiting() || !it->second.quantity.is_positive()) {
    return;
  }
  const ClientOrderId order_id = ReleaseOrderId(id, NextAttempt(id));
  // Journaled first; if the journal has failed the exit still goes (reducing risk wins) and the deterministic
  // order id lets the next start find it.
  ApplyNoFail(EmulatedExitReleased{id, leg, order_id, it->second.quantity, price, ts});
  const EmulatedBracket& record = brackets_.at(id);
  SubmitOrder command;
  command.client_order_id = order_id;
  command.idempotency_key = order_id.value();
  command.strategy_id = options_.strategy_id;
  command.instrument_id = record.instrument_id;  // the record's own instrument, hence its exchange
  command.side = record.exit_side();
  command.type = OrderType::kMarket;
  command.product = record.product;
  command.quantity = record.quantity;  // this record only: never more than it holds
  command.ts_init = clock_.Now();
  auto submitted = engine_.Submit(std::move(command));
  if (!submitted.ok()) {
    EndExit(id, order_id, "submit failed: " + submitted.error().message, ts);
    return;
  }
  if (const Order* order = engine_.FindOrder(order_id)) {
    ApplyExitProgress(id, *order, ts);  // no-op when the events already arrived
  }
}

void OrderEmulator::AttachFill(EmulatedEntry& entry, const TradeId& fill_id, Quantity qty, Price px,
                               UnixNanos ts) {
  const Book* book = FindBook(entry.instrument_id);
  TD_CHECK(book != nullptr);
  EmulatedBracketAttached attached;
  attached.line_id = last_line_id_ + 1;
  attached.entry_line_id = entry.id;
  attached.fill_id = fill_id;
  attached.instrument_id = entry.instrument_id;
  attached.position_side = entry.side;
  attached.product = entry.product;
  attached.quantity = qty;
  attached.entry_price = px;
  if (entry.bracket.take_profit_points) {
    attached.take_profit = Offset(book->instrument, px, *entry.bracket.take_profit_points, entry.side, true);
  }
  if (entry.bracket.stop_loss_points) {
    attached.stop_loss = Offset(book->instrument, px, *entry.bracket.stop_loss_points, entry.side, false);
  }
  attached.trailing = entry.bracket.trailing;
  attached.tag = entry.tag;
  attached.ts_event = ts;
  ApplyNoFail(attached);
}

void OrderEmulator::EndEntry(EmulatedLineId id, std::string code, std::string reason, UnixNanos ts) {
  if (entries_.contains(id)) {
    ApplyNoFail(EmulatedEntryClosed{id, std::move(code), std::move(reason), ts});
  }
}

void OrderEmulator::EndExit(EmulatedLineId id, const ClientOrderId& order_id, std::string reason, UnixNanos ts) {
  const EmulatedBracket* record = FindBracket(id);
  if (record == nullptr || record->exit_order != order_id) {
    return;
  }
  // Back off while exits keep failing (a HALTED desk denies every one): 1, 2, 4, ... 64 times the delay.
  const std::uint32_t failures = ++brackets_.at(id).failed_exits;
  const Duration delay = options_.exit_retry_delay * (std::int64_t{1} << std::min<std::uint32_t>(failures - 1, 6));
  log_.Warn("emulated exit did not complete; lines armed again",
            {{"line", id}, {"client_order_id", order_id.value()}, {"reason", reason}, {"failures", failures}});
  ApplyNoFail(EmulatedExitEnded{id, order_id, std::move(reason), clock_.Now() + delay, ts});
}

// ---- order events ----------------------------------------------------------------------------------------

void OrderEmulator::OnOrderEvent(const OrderEvent& event) {
  const ClientOrderId& order_id = EventOrderId(event);
  auto it = order_lines_.find(order_id);
  if (it == order_lines_.end()) {
    return;
  }
  const EmulatedLineId line = it->second;
  if (entries_.contains(line)) {
    OnEntryOrderEvent(line, event);
  } else if (brackets_.contains(line)) {
    OnExitOrderEvent(line, event);
  }
}

void OrderEmulator::OnEntryOrderEvent(EmulatedLineId id, const OrderEvent& event) {
  EmulatedEntry& entry = entries_.at(id);
  const ClientOrderId& order_id = EventOrderId(event);
  if (entry.order_id != order_id) {
    return;
  }
  const UnixNanos now = clock_.Now();
  if (const auto* fill = std::get_if<OrderFilled>(&event)) {
    AttachFill(entry, fill->trade_id, fill->last_qty, fill->last_px, fill->ts_event);
  }
  if (const auto* timed_out = std::get_if<OrderUpdateTimedOut>(&event)) {
    log_.Warn("emulated entry outcome unknown; stays in flight until reconciliation",
              {{"line", id}, {"client_order_id", order_id.value()}, {"reason", timed_out->reason}});
  }
  const Order* order = engine_.FindOrder(order_id);
  if (order == nullptr || !order->is_terminal()) {
    return;
  }
  std::string reason = "order " + order_id.str() + " is " + std::string(ToString(order->status()));
  if (const auto* denied = std::get_if<OrderDenied>(&event)) {
    reason = denied->reason_code + ": " + denied->reason;
  } else if (const auto* rejected = std::get_if<OrderRejected>(&event)) {
    reason = rejected->reason;
  }
  EndEntry(id, EntryEndCode(order->status()), std::move(reason), now);
}

void OrderEmulator::OnExitOrderEvent(EmulatedLineId id, const OrderEvent& event) {
  const EmulatedBracket& record = brackets_.at(id);
  const ClientOrderId& order_id = EventOrderId(event);
  if (record.exit_order != order_id) {
    return;
  }
  if (std::holds_alternative<OrderUpdateTimedOut>(event)) {
    log_.Warn("emulated exit outcome unknown; stays in flight until reconciliation (never resent)",
              {{"line", id}, {"client_order_id", order_id.value()}});
    return;
  }
  const Order* order = engine_.FindOrder(order_id);
  if (order == nullptr) {
    return;
  }
  std::optional<std::string> reason;
  if (const auto* denied = std::get_if<OrderDenied>(&event)) {
    reason = denied->reason_code + ": " + denied->reason;
  } else if (const auto* rejected = std::get_if<OrderRejected>(&event)) {
    reason = rejected->reason;
  }
  if (reason && order->is_terminal() && order->filled_qty() == record.exit_filled) {
    EndExit(id, order_id, *reason, clock_.Now());
    return;
  }
  ApplyExitProgress(id, *order, clock_.Now());
}

void OrderEmulator::ApplyExitProgress(EmulatedLineId id, const Order& order, UnixNanos ts) {
  const EmulatedBracket* record = FindBracket(id);
  if (record == nullptr || record->exit_order != order.client_order_id()) {
    return;
  }
  if (order.filled_qty() > record->exit_filled) {
    const Quantity delta = order.filled_qty() - record->exit_filled;
    const Quantity remaining = delta >= record->quantity ? Quantity{} : record->quantity - delta;
    ApplyNoFail(EmulatedBracketReduced{id, remaining, order.client_order_id(), order.filled_qty(), ts});
    record = FindBracket(id);
    if (!record->quantity.is_positive()) {
      const ExitLeg leg = record->exit_leg;
      ApplyNoFail(EmulatedBracketClosed{id, std::string(ClosedCode(leg)),
                                        "exited by " + order.client_order_id().str(), ts});
      return;
    }
  }
  if (order.is_terminal()) {
    EndExit(id, order.client_order_id(), "exit order " + std::string(ToString(order.status())), ts);
  }
}

// ---- user requests ---------------------------------------------------------------------------------------

Status OrderEmulator::CheckNotOpposite(const InstrumentId& instrument_id, Side position_side) const {
  for (const auto& [id, record] : brackets_) {
    if (record.instrument_id == instrument_id && record.position_side != position_side) {
      return Error::Unprocessable("a " + std::string(ToString(record.position_side)) + " position record (line " +
                                      std::to_string(id) + ") is open on " + instrument_id.value() +
                                      ": close it before trading the other way",
                                  "side");
    }
  }
  for (const auto& [id, entry] : entries_) {
    if (entry.instrument_id == instrument_id && entry.side != position_side) {
      return Error::Unprocessable("a " + std::string(ToString(entry.side)) + " entry (line " + std::to_string(id) +
                                      ") is pending on " + instrument_id.value(),
                                  "side");
    }
  }
  return {};
}

Status OrderEmulator::ValidateTrailing(const Book& book, const TrailingPlan& plan) const {
  if (plan.stages.size() > kMaxTrailStages) {
    return Error::InvalidArgument("at most " + std::to_string(kMaxTrailStages) + " trailing stages", "trailing");
  }
  for (std::size_t i = 0; i < plan.stages.size(); ++i) {
    const TrailStage& stage = plan.stages[i];
    const std::string field = "trailing.stages[" + std::to_string(i) + "]";
    TD_TRY(OnGrid(book.instrument, stage.trigger_profit, field + ".trigger_profit"));
    if (i > 0 && stage.trigger_profit <= plan.stages[i - 1].trigger_profit) {
      return Error::InvalidArgument("trailing stages must have increasing trigger_profit", field + ".trigger_profit");
    }
    if (stage.amount.is_negative() || !book.instrument.IsOnTick(stage.amount)) {
      return Error::InvalidArgument("amount must be a non-negative multiple of the tick", field + ".amount");
    }
    if (stage.mode == TrailStage::Mode::kTrail && !stage.amount.is_positive()) {
      return Error::InvalidArgument("a trailing distance must be positive", field + ".amount");
    }
    if (stage.mode == TrailStage::Mode::kLock && stage.amount >= stage.trigger_profit) {
      // Otherwise the locked stop would sit at or beyond the price that reached the stage: an instant exit.
      return Error::InvalidArgument("a locked profit must be below the stage's trigger_profit", field + ".amount");
    }
  }
  return {};
}

Status OrderEmulator::ValidateLines(const Book& book, Side position_side, const std::optional<Price>& tp,
                                    const std::optional<Price>& sl, bool check_against_last) const {
  const bool is_long = IsLong(position_side);
  if (tp) {
    TD_TRY(OnGrid(book.instrument, *tp, "take_profit"));
  }
  if (sl) {
    TD_TRY(OnGrid(book.instrument, *sl, "stop_loss"));
  }
  if (tp && sl && (is_long ? *tp <= *sl : *tp >= *sl)) {
    return Error::InvalidArgument(std::string("take_profit must be ") + (is_long ? "above" : "below") +
                                      " stop_loss for a " + (is_long ? "long" : "short") + " position",
                                  "take_profit");
  }
  if (check_against_last && book.has_price) {
    const Price last = is_long ? book.last_sell : book.last_buy;
    if (tp && (is_long ? *tp <= last : *tp >= last)) {
      return Error::Unprocessable("take_profit " + tp->ToString() + " would fire at once at the last price " +
                                      last.ToString(),
                                  "take_profit");
    }
    if (sl && (is_long ? *sl >= last : *sl <= last)) {
      return Error::Unprocessable("stop_loss " + sl->ToString() + " would fire at once at the last price " +
                                      last.ToString(),
                                  "stop_loss");
    }
  }
  return {};
}

Result<EmulatedLineId> OrderEmulator::PlaceEntry(const EntryRequest& request) {
  if (journal_failed_) {
    return Error{ErrorCode::kUnavailable, "emulator journal failed: new lines are refused until restart", {}};
  }
  const Book* book = FindBook(request.instrument_id);
  if (book == nullptr) {
    return Error::NotFound("unknown instrument " + request.instrument_id.value(), "instrument_id");
  }
  const Instrument& instrument = book->instrument;
  if (!request.quantity.is_positive()) {
    return Error::InvalidArgument("quantity must be positive", "quantity");
  }
  if (!request.quantity.IsMultipleOf(instrument.lot_size)) {
    return Error::InvalidArgument("quantity " + request.quantity.ToString() + " is not a multiple of the lot " +
                                      instrument.lot_size.ToString(),
                                  "quantity");
  }
  if (request.kind == EntryKind::kMarket) {
    if (request.price) {
      return Error::InvalidArgument("a MARKET entry takes no price", "price");
    }
  } else {
    if (!request.price) {
      return Error::InvalidArgument(std::string("a ") + (request.kind == EntryKind::kLimit ? "LIMIT" : "TRIGGER") +
                                        " entry needs a price",
                                    "price");
    }
    TD_TRY(OnGrid(instrument, *request.price, "price"));
  }
  if (request.bracket.take_profit_points) {
    TD_TRY(OnGrid(instrument, *request.bracket.take_profit_points, "bracket.take_profit_points"));
  }
  if (request.bracket.stop_loss_points) {
    TD_TRY(OnGrid(instrument, *request.bracket.stop_loss_points, "bracket.stop_loss_points"));
  }
  TD_TRY(ValidateTrailing(*book, request.bracket.trailing));
  TD_TRY(CheckNotOpposite(request.instrument_id, request.side));
  if (request.kind == EntryKind::kTrigger) {
    if (!book->has_price) {
      return Error::Unprocessable("no last price for " + request.instrument_id.value() +
                                      ": a trigger needs one to know which side of the market it is on",
                                  "price");
    }
    const bool buy = request.side == Side::kBuy;
    const Price last = buy ? book->last_buy : book->last_sell;
    if (buy ? *request.price <= last : *request.price >= last) {
      return Error::Unprocessable(std::string("a ") + (buy ? "BUY trigger must be above" : "SELL trigger must be below") +
                                      " the last price " + last.ToString() + "; at " + request.price->ToString() +
                                      " it would fire at once",
                                  "price");
    }
  }
  const UnixNanos now = clock_.Now();
  EmulatedEntryCreated created;
  created.line_id = last_line_id_ + 1;
  created.instrument_id = request.instrument_id;
  created.side = request.side;
  created.kind = request.kind;
  created.product = request.product;
  created.quantity = request.quantity;
  created.price = request.price;
  created.bracket = request.bracket;
  created.tag = request.tag;
  created.ts_event = now;
  TD_TRY(Record(created));
  if (request.kind != EntryKind::kTrigger) {
    ReleaseEntry(created.line_id, now);
  }
  return created.line_id;
}

Status OrderEmulator::MoveEntry(EmulatedLineId id, Price price) {
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    return Error::NotFound("no emulated entry " + std::to_string(id), "line_id");
  }
  EmulatedEntry& entry = it->second;
  const Book* book = FindBook(entry.instrument_id);
  TD_CHECK(book != nullptr);
  if (entry.kind == EntryKind::kMarket) {
    return Error::Unprocessable("a MARKET entry has no price to move", "line_id");
  }
  TD_TRY(OnGrid(book->instrument, price, "price"));
  const UnixNanos now = clock_.Now();
  if (entry.kind == EntryKind::kTrigger) {
    if (entry.state != EmulatedEntry::State::kArmed) {
      return Error::Unprocessable("the trigger has already fired", "line_id");
    }
    const bool buy = entry.side == Side::kBuy;
    const Price last = buy ? book->last_buy : book->last_sell;
    if (book->has_price && (buy ? price <= last : price >= last)) {
      return Error::Unprocessable(std::string("a ") + (buy ? "BUY trigger must stay above" : "SELL trigger must stay below") +
                                      " the last price " + last.ToString() + "; at " + price.ToString() +
                                      " it would fire at once",
                                  "price");
    }
    return Record(EmulatedEntryMoved{id, price, now});
  }
  if (journal_failed_) {
    return Error{ErrorCode::kUnavailable, "emulator journal failed: lines cannot move until restart", {}};
  }
  if (entry.state == EmulatedEntry::State::kReleased) {
    ModifyOrder modify;
    modify.client_order_id = *entry.order_id;
    modify.strategy_id = options_.strategy_id;
    modify.price = price;
    modify.ts_init = now;
    TD_TRY(engine_.Modify(modify));  // the engine journals and sends it; refused when the order cannot change
  }
  if (entries_.contains(id)) {  // a broker may fill the moved order inside Modify and end the line
    ApplyNoFail(EmulatedEntryMoved{id, price, now});
  }
  return {};
}

Status OrderEmulator::CancelEntry(EmulatedLineId id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    return Error::NotFound("no emulated entry " + std::to_string(id), "line_id");
  }
  EmulatedEntry& entry = it->second;
  const UnixNanos now = clock_.Now();
  if (entry.state == EmulatedEntry::State::kArmed) {
    EndEntry(id, "removed", "removed before it was released", now);
    return {};
  }
  const Order* order = engine_.FindOrder(*entry.order_id);
  if (order == nullptr || order->is_terminal()) {
    EndEntry(id, "removed", "removed; its order is no longer working", now);
    return {};
  }
  if (entry.cancel_requested || order->status() == OrderStatus::kPendingCancel) {
    return {};
  }
  CancelOrder cancel;
  cancel.client_order_id = *entry.order_id;
  cancel.strategy_id = options_.strategy_id;
  cancel.ts_init = now;
  TD_TRY(engine_.Cancel(cancel));
  // The broker may have confirmed inside Cancel (the line is gone then); otherwise it ends on confirmation and
  // fills until then still get brackets.
  if (auto still = entries_.find(id); still != entries_.end()) {
    still->second.cancel_requested = true;
  }
  return {};
}

Result<EmulatedLineId> OrderEmulator::AttachBracket(const BracketRequest& request) {
  if (journal_failed_) {
    return Error{ErrorCode::kUnavailable, "emulator journal failed: new lines are refused until restart", {}};
  }
  const Book* book = FindBook(request.instrument_id);
  if (book == nullptr) {
    return Error::NotFound("unknown instrument " + request.instrument_id.value(), "instrument_id");
  }
  if (!request.quantity.is_positive() || !request.quantity.IsMultipleOf(book->instrument.lot_size)) {
    return Error::InvalidArgument("quantity must be a positive multiple of the lot " +
                                      book->instrument.lot_size.ToString(),
                                  "quantity");
  }
  if (!request.entry_price.is_positive()) {
    return Error::InvalidArgument("entry_price must be positive", "entry_price");
  }
  if (!request.take_profit && !request.stop_loss && request.trailing.empty()) {
    return Error::InvalidArgument("a bracket needs a take_profit, a stop_loss or a trailing plan", "stop_loss");
  }
  TD_TRY(ValidateLines(*book, request.position_side, request.take_profit, request.stop_loss, true));
  TD_TRY(ValidateTrailing(*book, request.trailing));
  TD_TRY(CheckNotOpposite(request.instrument_id, request.position_side));
  EmulatedBracketAttached attached;
  attached.line_id = last_line_id_ + 1;
  attached.instrument_id = request.instrument_id;
  attached.position_side = request.position_side;
  attached.product = request.product;
  attached.quantity = request.quantity;
  attached.entry_price = request.entry_price;
  attached.take_profit = request.take_profit;
  attached.stop_loss = request.stop_loss;
  attached.trailing = request.trailing;
  attached.tag = request.tag;
  attached.ts_event = clock_.Now();
  TD_TRY(Record(attached));
  return attached.line_id;
}

Status OrderEmulator::MoveTakeProfit(EmulatedLineId id, std::optional<Price> price) {
  const EmulatedBracket* record = FindBracket(id);
  if (record == nullptr) {
    return Error::NotFound("no emulated bracket " + std::to_string(id), "line_id");
  }
  if (record->exiting()) {
    return Error{ErrorCode::kConflict, "an exit of this record is in flight", "line_id"};
  }
  TD_TRY(ValidateLines(*FindBook(record->instrument_id), record->position_side, price, record->stop_loss, true));
  return Record(EmulatedBracketChanged{id, price, record->stop_loss, record->best_price, "moved", clock_.Now()});
}

Status OrderEmulator::MoveStopLoss(EmulatedLineId id, std::optional<Price> price) {
  const EmulatedBracket* record = FindBracket(id);
  if (record == nullptr) {
    return Error::NotFound("no emulated bracket " + std::to_string(id), "line_id");
  }
  if (record->exiting()) {
    return Error{ErrorCode::kConflict, "an exit of this record is in flight", "line_id"};
  }
  TD_TRY(ValidateLines(*FindBook(record->instrument_id), record->position_side, record->take_profit, price, true));
  return Record(EmulatedBracketChanged{id, record->take_profit, price, record->best_price, "moved", clock_.Now()});
}

Status OrderEmulator::CloseBracket(EmulatedLineId id) {
  const EmulatedBracket* record = FindBracket(id);
  if (record == nullptr) {
    return Error::NotFound("no emulated bracket " + std::to_string(id), "line_id");
  }
  if (record->exiting()) {
    return Error{ErrorCode::kConflict, "an exit of this record is in flight", "line_id"};
  }
  const Book* book = FindBook(record->instrument_id);
  const Price last = book->has_price ? (IsLong(record->position_side) ? book->last_sell : book->last_buy)
                                     : record->entry_price;
  ReleaseExit(id, ExitLeg::kClose, last, clock_.Now());
  return {};
}

Status OrderEmulator::RemoveBracket(EmulatedLineId id) {
  const EmulatedBracket* record = FindBracket(id);
  if (record == nullptr) {
    return Error::NotFound("no emulated bracket " + std::to_string(id), "line_id");
  }
  if (record->exiting()) {
    return Error{ErrorCode::kConflict, "an exit of this record is in flight", "line_id"};
  }
  return Record(EmulatedBracketClosed{id, "removed", "tracking removed by hand", clock_.Now()});
}

Result<Quantity> OrderEmulator::SyncPosition(const PositionReport& report) {
  if (FindBook(report.instrument_id) == nullptr) {
    return Error::NotFound("unknown instrument " + report.instrument_id.value(), "instrument_id");
  }
  std::vector<EmulatedBracket*> records;
  for (auto& [id, record] : brackets_) {
    if (record.instrument_id != report.instrument_id) {
      continue;
    }
    if (record.exiting()) {
      return Quantity{};  // the report may already include exit fills we have not heard of
    }
    if (record.product == report.product && record.created <= report.as_of) {
      records.push_back(&record);
    }
  }
  Quantity tracked;
  for (const EmulatedBracket* record : records) {
    tracked += record->quantity;
  }
  const Quantity live =
      !records.empty() && report.side == records.front()->position_side ? report.quantity : Quantity{};
  if (tracked <= live) {
    return Quantity{};
  }
  Quantity overflow = tracked - live;
  const Quantity trimmed = overflow;
  const UnixNanos now = clock_.Now();
  // Newest first (ids increase with creation): the most recent fills are the ones the broker does not hold.
  std::vector<std::pair<EmulatedLineId, Quantity>> plan;
  for (auto it = records.rbegin(); it != records.rend() && overflow.is_positive(); ++it) {
    const Quantity take = std::min((*it)->quantity, overflow);
    plan.emplace_back((*it)->id, (*it)->quantity - take);
    overflow -= take;
  }
  for (const auto& [id, remaining] : plan) {
    if (remaining.is_positive()) {
      TD_TRY(Record(EmulatedBracketReduced{id, remaining, ClientOrderId{}, Quantity{}, now}));
    } else {
      TD_TRY(Record(EmulatedBracketClosed{id, "trimmed", "the broker's position is smaller", now}));
    }
  }
  return trimmed;
}

}  // namespace td::execution
