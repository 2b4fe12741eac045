// SPDX-License-Identifier: MIT
#pragma once

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "execution/execution_engine.hpp"
#include "execution/order_emulator.hpp"
#include "model/instrument.hpp"

namespace td::execution::testing {

inline Price Px(std::string_view text) {
  return *Price::Parse(text);
}
inline Quantity Qty(std::int64_t units) {
  return Quantity::FromUnits(units);
}

class EmulatorTempDir {
 public:
  EmulatorTempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("td-emulator-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~EmulatorTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  EmulatorTempDir(const EmulatorTempDir&) = delete;
  EmulatorTempDir& operator=(const EmulatorTempDir&) = delete;
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// A broker for emulator tests: acknowledges every order at once, fills MARKET orders at once at the tape's
/// current price (inside Submit, as a paper broker does, so re-entrancy is exercised), rests LIMIT orders and
/// fills them when the tape trades through (at most the print's size per print, hence partial fills).
/// Switches make it silent (no ack, no fill) or reject, for lifecycle tests.
class TapeBroker final : public ExecutionClient {
 public:
  struct Working {
    SubmitOrder command;
    VenueOrderId venue;
    Quantity filled;
    bool open = true;
  };

  void SetSink(ExecutionEventSink* sink) override { sink_ = sink; }

  void Submit(const SubmitOrder& command) override {
    submits.push_back(command);
    submit_tape_index.push_back(tape_index);
    if (silent) {
      return;
    }
    if (reject_next) {
      reject_next = false;
      Emit(OrderRejected{command.client_order_id, "RMS: margin shortfall", now, now});
      return;
    }
    Working working{command, VenueOrderId::Of("V" + std::to_string(++venue_counter_)), Quantity{}, true};
    auto& slot = working_.insert_or_assign(command.client_order_id.str(), working).first->second;
    Emit(OrderAccepted{command.client_order_id, slot.venue, now, now});
    if (command.type == OrderType::kMarket && fill_market && tape_price) {
      Fill(command.client_order_id, command.quantity, *tape_price);
    }
  }
  void Modify(const ModifyOrder& command, const std::optional<VenueOrderId>&) override {
    modifies.push_back(command);
    if (silent) {
      return;
    }
    auto it = working_.find(command.client_order_id.str());
    if (it == working_.end()) {
      return;
    }
    if (command.price) {
      it->second.command.price = command.price;
    }
    Emit(OrderModified{command.client_order_id, it->second.command.quantity, it->second.command.price,
                       it->second.command.trigger_price, now, now});
  }
  void Cancel(const CancelOrder& command, const std::optional<VenueOrderId>&) override {
    cancels.push_back(command);
    if (silent) {
      return;
    }
    auto it = working_.find(command.client_order_id.str());
    if (it == working_.end() || !it->second.open) {
      return;
    }
    it->second.open = false;
    Emit(OrderCanceled{command.client_order_id, now, now});
  }
  Result<BrokerOrderSnapshot> QueryOrders() override { return BrokerOrderSnapshot{}; }

  /// Fills `qty` of a working order at `px`.
  void Fill(const ClientOrderId& id, Quantity qty, Price px) {
    Working& working = working_.find(id.str())->second;
    working.filled += qty;
    if (working.filled == working.command.quantity) {
      working.open = false;
    }
    OrderFilled fill;
    fill.client_order_id = id;
    fill.venue_order_id = working.venue;
    fill.trade_id = TradeId::Of("T" + std::to_string(++trade_counter_));
    fill.instrument_id = working.command.instrument_id;
    fill.side = working.command.side;
    fill.last_qty = qty;
    fill.last_px = px;
    fill.cumulative_qty = working.filled;
    fill.ts_event = now;
    fill.ts_init = now;
    fills.push_back(fill);
    Emit(fill);
  }

  /// A print on the tape: resting LIMIT orders the print trades through fill (at their limit) up to its size.
  void OnTape(Price px, Quantity size, std::size_t index) {
    tape_price = px;
    tape_index = index;
    if (silent) {
      return;
    }
    std::vector<std::string> ids;
    for (auto& [id, working] : working_) {
      if (working.open && working.command.type == OrderType::kLimit) {
        ids.push_back(id);
      }
    }
    for (const std::string& id : ids) {
      Working& working = working_.at(id);
      const Price limit = *working.command.price;
      const bool through = working.command.side == Side::kBuy ? px <= limit : px >= limit;
      if (!through || !working.open) {
        continue;
      }
      const Quantity leaves = working.command.quantity - working.filled;
      const Quantity qty = size.is_positive() && size < leaves ? size : leaves;
      Fill(working.command.client_order_id, qty, limit);
    }
  }

  void Emit(const OrderEvent& event) {
    ASSERT_NE(sink_, nullptr);
    sink_->OnOrderEvent(event);
  }
  const Working* Find(const std::string& id) const {
    auto it = working_.find(id);
    return it == working_.end() ? nullptr : &it->second;
  }

  bool silent = false;
  bool reject_next = false;
  bool fill_market = true;
  std::optional<Price> tape_price;
  std::size_t tape_index = 0;
  UnixNanos now = UnixNanos::FromSeconds(1'700'000'000);
  std::vector<SubmitOrder> submits;
  std::vector<std::size_t> submit_tape_index;
  std::vector<ModifyOrder> modifies;
  std::vector<CancelOrder> cancels;
  std::vector<OrderFilled> fills;

 private:
  ExecutionEventSink* sink_ = nullptr;
  std::map<std::string, Working, std::less<>> working_;
  std::uint64_t venue_counter_ = 0;
  std::uint64_t trade_counter_ = 0;
};

/// A gate that denies while `deny` is set (stands in for the risk engine's verdict).
class SwitchGate final : public PreTradeGate {
 public:
  std::optional<OrderDenied> CheckSubmit(const SubmitOrder& command) override {
    checked.push_back(command);
    if (!deny) {
      return std::nullopt;
    }
    return OrderDenied{command.client_order_id, "throttled", "order rate above the limit", {}, {}};
  }
  bool deny = false;
  std::vector<SubmitOrder> checked;
};

/// The engine and the emulator wired as the composition root does: engine events go to the emulator.
class Desk {
 public:
  Desk(const std::filesystem::path& dir, Clock& clock, ExecutionClient& client, std::vector<Instrument> instruments,
       PreTradeGate* gate = nullptr) {
    ExecutionEngineOptions engine_options;
    engine_options.journal_path = dir / "orders.journal";
    engine_options.on_event = [this](const OrderEvent& event) {
      if (before_emulator) {
        before_emulator(event);
      }
      if (emulator && forward_events) {
        emulator->OnOrderEvent(event);
      }
    };
    auto opened = ExecutionEngine::Open(engine_options, clock, client);
    EXPECT_TRUE(opened.ok()) << opened.error().ToString();
    engine = std::move(opened).value();
    engine->SetGate(gate);
    OrderEmulatorOptions options;
    options.journal_path = dir / "emulator.journal";
    options.instruments = std::move(instruments);
    options.on_event = [this](const EmulatorEvent& event) { events.push_back(event); };
    auto emulated = OrderEmulator::Open(options, clock, *engine);
    EXPECT_TRUE(emulated.ok()) << emulated.error().ToString();
    if (emulated.ok()) {
      emulator = std::move(emulated).value();
    }
  }
  ~Desk() {
    emulator.reset();
    engine.reset();
  }
  Desk(const Desk&) = delete;
  Desk& operator=(const Desk&) = delete;

  std::unique_ptr<ExecutionEngine> engine;
  std::unique_ptr<OrderEmulator> emulator;
  std::vector<EmulatorEvent> events;
  bool forward_events = true;
  std::function<void(const OrderEvent&)> before_emulator;  // e.g. the portfolio, fed first as in the desk
};

}  // namespace td::execution::testing
