// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <unordered_set>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "model/instrument.hpp"
#include "model/order_types.hpp"

namespace td::portfolio {

/// A net position in one instrument, built from fills. Quantities are exact (raw 1e-9 units, signed: long > 0);
/// prices and P&L are doubles in account currency (price × quantity × multiplier).
struct Position {
  InstrumentId instrument_id;
  std::int64_t net_raw = 0;   // signed net quantity in 1e-9 units
  double avg_px = 0.0;        // average entry price of the open quantity (0 when flat)
  double realised_pnl = 0.0;  // since the position was first traded
  double multiplier = 1.0;
  std::optional<Price> mark;  // last mark price, for unrealised P&L

  double net_qty() const { return static_cast<double>(net_raw) / static_cast<double>(kFixedScale); }
  bool is_flat() const { return net_raw == 0; }
  /// (mark - avg) × net × multiplier; 0 when flat or unmarked.
  double UnrealisedPnl() const;
};

/// Positions per instrument from fills, with realised and unrealised P&L, and the day's P&L for the risk
/// engine's loss limit. A fill id seen twice is applied once. Single-threaded (kernel thread). Portfolio sits
/// beside execution (same layer), so fills arrive as plain values; risk::ApplyToPortfolio feeds OrderFilled.
class Portfolio {
 public:
  /// Registers an instrument so its multiplier is known; fills of unregistered instruments are refused.
  void RegisterInstrument(const Instrument& instrument);

  /// Applies one fill: extends, reduces, closes or flips the position.
  Status ApplyFill(const InstrumentId& instrument_id, Side side, Quantity qty, Price px, const TradeId& trade_id);
  /// Sets the mark price used for unrealised P&L.
  void UpdateMark(const InstrumentId& instrument_id, Price mark);

  const Position* GetPosition(const InstrumentId& instrument_id) const;
  /// Signed net quantity in raw units (0 when never traded).
  std::int64_t NetQuantityRaw(const InstrumentId& instrument_id) const;
  const std::map<InstrumentId, Position>& positions() const { return positions_; }

  double RealisedPnl() const;
  double UnrealisedPnl() const;
  /// Realised since StartNewDay plus current unrealised: what the daily loss limit watches.
  double DayPnl() const { return day_realised_ + UnrealisedPnl(); }
  double DayRealisedPnl() const { return day_realised_; }
  /// Starts a new trading day: day realised P&L back to zero (open positions carry over).
  void StartNewDay() { day_realised_ = 0.0; }

 private:
  std::map<InstrumentId, double> multipliers_;
  std::map<InstrumentId, Position> positions_;
  std::unordered_set<TradeId> trade_ids_;
  double day_realised_ = 0.0;
};

}  // namespace td::portfolio
