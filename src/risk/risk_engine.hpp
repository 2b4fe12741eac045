// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/fixed_point.hpp"
#include "core/result.hpp"
#include "execution/execution_engine.hpp"
#include "execution/order.hpp"
#include "model/instrument.hpp"
#include "portfolio/portfolio.hpp"

namespace td::risk {

/// ACTIVE: all checks apply. REDUCING: only orders that shrink |position| pass. HALTED: kill switch, every
/// submit is denied and the open orders are cancelled.
enum class TradingState : std::uint8_t { kActive, kReducing, kHalted };
std::string_view ToString(TradingState state);

/// Why a submit was denied; ReasonCode gives the stable machine-readable code carried by OrderDenied.
enum class DenyReason : std::uint8_t {
  kTradingHalted,
  kReducingOnly,
  kUnknownInstrument,
  kQuantityNotLotMultiple,
  kPriceNotOnTick,
  kQuantityAboveMax,
  kDailyLossLimit,
  kReferencePriceMissing,
  kReferencePriceStale,
  kPriceOutsideBand,
  kNotionalAboveMax,
  kTooManyOpenOrders,
  kThrottled,
  kTooManyPositions,
  kProfitLocked,
};
std::string_view ReasonCode(DenyReason reason);

/// Limits; a zero limit is "no limit" except where noted.
struct RiskLimits {
  double price_band_fraction = 0.05;                     // price and trigger within reference × (1 ± band)
  Duration max_reference_age = std::chrono::seconds(5);  // older reference prices are stale (always enforced)
  Quantity max_order_quantity;                           // units
  double max_order_value = 0.0;                          // price × quantity × multiplier
  std::size_t max_open_orders = 0;
  double max_daily_loss = 0.0;           // positive amount: day P&L at or below -max denies exposure-increasing orders
  std::size_t max_open_positions = 0;    // instruments with a non-zero position; a new one beyond this is denied
  double lock_profit_trigger = 0.0;      // once day P&L has reached this, part of it is locked in
  double lock_profit_keep_fraction = 0.5;  // ...and falling to trigger × this denies exposure-increasing orders
  double submit_rate_per_second = 10.0;  // token bucket refill (always enforced, modifies included)
  double submit_burst = 10.0;            // token bucket capacity
};

/// Tokens refilled continuously at `rate` per second up to `capacity`, on the injected clock's time.
class TokenBucket {
 public:
  TokenBucket(double rate_per_second, double capacity, UnixNanos now);
  /// Takes one token when available.
  bool TryTake(UnixNanos now);
  double tokens(UnixNanos now);

 private:
  void Refill(UnixNanos now);
  double rate_;
  double capacity_;
  double tokens_;
  UnixNanos last_;
};

/// Splits `total` into child quantities no larger than `freeze_qty`, each a multiple of `lot_size`
/// (the largest lot multiple not above the freeze quantity; the last child takes the remainder).
Result<std::vector<Quantity>> SplitByFreeze(Quantity total, Quantity freeze_qty, Quantity lot_size);

/// Feeds an order event to the portfolio: fills change positions, everything else is ignored.
Status ApplyToPortfolio(portfolio::Portfolio& portfolio, const execution::OrderEvent& event);

/// Pre-trade risk: every submit path goes through CheckSubmit (installed as the engine's PreTradeGate).
class RiskEngine final : public execution::PreTradeGate {
 public:
  RiskEngine(const Clock& clock, RiskLimits limits, const portfolio::Portfolio& portfolio,
             std::function<std::size_t()> open_order_count);

  /// Registers an instrument's tick and lot, and its exchange freeze quantity when it has one.
  void AddInstrument(const Instrument& instrument, std::optional<Quantity> freeze_qty = std::nullopt);
  /// The live reference price (last trade or mid) and when it was observed. Also samples the day P&L for the
  /// lock-profit peak.
  void UpdateReferencePrice(const InstrumentId& instrument_id, Price price, UnixNanos ts);
  /// A new trading day: the lock-profit peak starts again (call with Portfolio::StartNewDay).
  void StartNewDay() { peak_day_pnl_ = 0.0; }
  /// The highest day P&L seen today (lock-profit).
  double peak_day_pnl() const { return peak_day_pnl_; }

  TradingState state() const { return state_; }
  /// Changes the trading state. Entering HALTED returns a CancelOrder for each open order (cancels pass in
  /// every state); other changes return nothing.
  std::vector<execution::CancelOrder> SetTradingState(TradingState state,
                                                      std::span<const execution::Order* const> open_orders);

  /// The checks, in order: state, instrument, lot, tick, max quantity, reducing, daily loss, reference price,
  /// band, value, open orders, throttle. The first failure denies.
  std::optional<execution::OrderDenied> CheckSubmit(const execution::SubmitOrder& command) override;
  /// A modify is checked on its new terms with the submit rules (state, lot, tick, max quantity, reference,
  /// band, value, throttle). An order that increases exposure may not be modified while REDUCING, nor grow
  /// while the daily loss limit or the profit lock holds; HALTED refuses every modify (cancels still pass).
  std::optional<execution::OrderModifyRejected> CheckModify(const execution::Order& order,
                                                            const execution::ModifyOrder& command) override;

  /// Splits an order above its instrument's freeze quantity into child commands (no client order id; the
  /// idempotency key, when set, becomes "<key>#<n>" so a retried parent dedupes child by child). An order
  /// within the limit, or of an instrument without one, comes back whole.
  Result<std::vector<execution::SubmitOrder>> SplitForFreeze(const execution::SubmitOrder& command) const;

  /// True when a `side` order of `qty` would increase |position| (or flip it) given the portfolio.
  bool IncreasesExposure(const InstrumentId& instrument_id, Side side, Quantity qty) const;

 private:
  struct InstrumentRisk {
    Instrument instrument;
    std::optional<Quantity> freeze_qty;
  };
  struct Reference {
    Price price;
    UnixNanos ts;
  };
  execution::OrderDenied Deny(const execution::SubmitOrder& command, DenyReason reason, std::string text) const;
  /// The shared rules of submit and modify; `exposure_check` false skips the checks that only an order adding
  /// exposure can fail (a modify that does not grow an order).
  std::optional<execution::OrderDenied> CheckTerms(const execution::SubmitOrder& c, bool new_order,
                                                   bool exposure_check);
  void SamplePnl();

  const Clock& clock_;
  RiskLimits limits_;
  const portfolio::Portfolio& portfolio_;
  std::function<std::size_t()> open_order_count_;
  std::map<InstrumentId, InstrumentRisk> instruments_;
  std::map<InstrumentId, Reference> references_;
  TradingState state_ = TradingState::kActive;
  TokenBucket throttle_;
  double peak_day_pnl_ = 0.0;
};

}  // namespace td::risk
