// SPDX-License-Identifier: MIT
#include "portfolio/portfolio.hpp"

#include <cstdlib>

namespace td::portfolio {

double Position::UnrealisedPnl() const {
  if (net_raw == 0 || !mark) {
    return 0.0;
  }
  return (mark->AsDouble() - avg_px) * net_qty() * multiplier;
}

void Portfolio::RegisterInstrument(const Instrument& instrument) {
  multipliers_[instrument.id] = instrument.multiplier.is_zero() ? 1.0 : instrument.multiplier.AsDouble();
}

Status Portfolio::ApplyFill(const InstrumentId& instrument_id, Side side, Quantity qty, Price px,
                            const TradeId& trade_id) {
  auto mult = multipliers_.find(instrument_id);
  if (mult == multipliers_.end()) {
    return Error::NotFound("instrument not registered with the portfolio: " + instrument_id.value(), "instrument_id");
  }
  if (!qty.is_positive()) {
    return Error::InvalidArgument("fill quantity must be positive", "quantity");
  }
  if (!trade_ids_.insert(trade_id).second) {
    return {};
  }
  auto [it, inserted] = positions_.try_emplace(instrument_id);
  Position& pos = it->second;
  if (inserted) {
    pos.instrument_id = instrument_id;
    pos.multiplier = mult->second;
  }
  const std::int64_t signed_qty = SignOf(side) * qty.raw();
  const std::int64_t old = pos.net_raw;
  const double fill_px = px.AsDouble();
  const double scale = static_cast<double>(kFixedScale);
  if (old == 0 || (old > 0) == (signed_qty > 0)) {
    const double old_abs = static_cast<double>(std::abs(old)) / scale;
    const double add = static_cast<double>(qty.raw()) / scale;
    pos.avg_px = (pos.avg_px * old_abs + fill_px * add) / (old_abs + add);
    pos.net_raw = detail::CheckedAdd(old, signed_qty);
    return {};
  }
  const std::int64_t closing_raw = std::min(std::abs(old), qty.raw());
  const double closing = static_cast<double>(closing_raw) / scale;
  const double direction = old > 0 ? 1.0 : -1.0;
  const double realised = (fill_px - pos.avg_px) * closing * direction * pos.multiplier;
  pos.realised_pnl += realised;
  day_realised_ += realised;
  pos.net_raw = detail::CheckedAdd(old, signed_qty);
  if (pos.net_raw == 0) {
    pos.avg_px = 0.0;
  } else if ((pos.net_raw > 0) != (old > 0)) {
    pos.avg_px = fill_px;  // flipped through zero: the remainder opened at the fill price
  }
  return {};
}

void Portfolio::UpdateMark(const InstrumentId& instrument_id, Price mark) {
  auto it = positions_.find(instrument_id);
  if (it != positions_.end()) {
    it->second.mark = mark;
  }
}

const Position* Portfolio::GetPosition(const InstrumentId& instrument_id) const {
  auto it = positions_.find(instrument_id);
  return it == positions_.end() ? nullptr : &it->second;
}

std::int64_t Portfolio::NetQuantityRaw(const InstrumentId& instrument_id) const {
  const Position* pos = GetPosition(instrument_id);
  return pos == nullptr ? 0 : pos->net_raw;
}

double Portfolio::RealisedPnl() const {
  double sum = 0.0;
  for (const auto& [id, pos] : positions_) {
    sum += pos.realised_pnl;
  }
  return sum;
}

double Portfolio::UnrealisedPnl() const {
  double sum = 0.0;
  for (const auto& [id, pos] : positions_) {
    sum += pos.UnrealisedPnl();
  }
  return sum;
}

}  // namespace td::portfolio
