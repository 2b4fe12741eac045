// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/fixed_point.hpp"
#include "core/time.hpp"
#include "model/instrument.hpp"
#include "model/order_types.hpp"

namespace td::adapters::paper {

/// A seeded random stream (SplitMix64): the same seed gives the same numbers on every platform, so a paper
/// run is reproducible. Each model owns its own stream so adding draws in one never shifts another.
class SeededRandom {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next();
  /// Uniform in [0, 1).
  double Uniform();
  /// Uniform integer in [0, bound); 0 when bound is 0.
  std::uint64_t Below(std::uint64_t bound);

 private:
  std::uint64_t state_;
};

// ---------------------------------------------------------------------------------------------- fill model

/// Decides how much of an order's remaining quantity trades against what the book shows right now.
class FillModel {
 public:
  virtual ~FillModel() = default;
  /// `leaves` is what the order still needs, `displayed` the size shown at the touch (zero when the feed
  /// does not carry sizes), `lot` the instrument's lot. Returns a lot multiple in [0, leaves].
  virtual Quantity FillQuantity(Quantity leaves, Quantity displayed, Quantity lot) = 0;
};

/// Everything fills at the touch at once, whatever size is shown.
class FullFillModel final : public FillModel {
 public:
  Quantity FillQuantity(Quantity leaves, Quantity displayed, Quantity lot) override;
};

/// Fills at most the displayed size, of which a seeded random share in [min_share, 1] is ours (the rest went
/// to orders ahead of us in the queue); rounded down to whole lots. Without displayed size it fills in full.
class DisplayedSizeFillModel final : public FillModel {
 public:
  DisplayedSizeFillModel(std::uint64_t seed, double min_share);
  Quantity FillQuantity(Quantity leaves, Quantity displayed, Quantity lot) override;

 private:
  SeededRandom random_;
  double min_share_;
};

// ------------------------------------------------------------------------------------------- latency model

/// Simulated network and venue delay. A request reaches the paper venue after RequestDelay(); every report
/// the venue makes (ack, fill, reject, cancel) reaches the client after ReportDelay(). Zero delays deliver
/// synchronously, inside the call.
class LatencyModel {
 public:
  virtual ~LatencyModel() = default;
  virtual Duration RequestDelay() = 0;
  virtual Duration ReportDelay() = 0;
};

class FixedLatencyModel final : public LatencyModel {
 public:
  FixedLatencyModel(Duration request, Duration report) : request_(request), report_(report) {}
  Duration RequestDelay() override { return request_; }
  Duration ReportDelay() override { return report_; }

 private:
  Duration request_;
  Duration report_;
};

/// Base delays plus a seeded uniform jitter in [0, jitter) on each.
class JitterLatencyModel final : public LatencyModel {
 public:
  JitterLatencyModel(Duration request, Duration report, Duration jitter, std::uint64_t seed);
  Duration RequestDelay() override;
  Duration ReportDelay() override;

 private:
  Duration request_;
  Duration report_;
  Duration jitter_;
  SeededRandom random_;
};

// ----------------------------------------------------------------------------------------------- fee model

/// One fill to be charged.
struct FeeInput {
  const Instrument* instrument = nullptr;
  Side side = Side::kBuy;
  Product product = Product::kMis;
  Quantity quantity;
  Price price;
  bool first_fill_of_order = true;  // per-order brokerage is charged once, on the first fill
};

/// The charges of one fill in account currency, each rounded to 0.01 (precision 2). Fields that do not
/// apply to a market are zero.
struct Charges {
  Price brokerage;     // India: flat per order; US: per contract
  Price stt;           // India: securities transaction tax
  Price exchange;      // India: exchange transaction charges
  Price sebi;          // India: SEBI turnover fee
  Price stamp_duty;    // India: buy side only
  Price gst;           // India: 18% of brokerage + exchange + SEBI
  Price sec_fee;       // US: Section 31 fee on sells
  Price finra_taf;     // US: FINRA trading activity fee on sells
  Price Total() const;
};

class FeeModel {
 public:
  virtual ~FeeModel() = default;
  virtual Charges Compute(const FeeInput& fill) const = 0;
};

/// Charges nothing (practice without costs, and conformance cases that check prices only).
class ZeroFeeModel final : public FeeModel {
 public:
  Charges Compute(const FeeInput& fill) const override;
};

/// Rates are parts per billion of turnover (price × quantity × multiplier) unless named otherwise; README.md
/// gives each default with its source.
struct IndianChargeRates {
  std::int64_t brokerage_per_order_paise = 2000;  // ₹20 flat per executed order
  // STT (Finance Act; F&O rates from 1 Apr 2026)
  std::int64_t stt_delivery_ppb = 1'000'000;        // 0.1% buy and sell (CNC)
  std::int64_t stt_intraday_sell_ppb = 250'000;     // 0.025% sell (MIS equity)
  std::int64_t stt_futures_sell_ppb = 500'000;      // 0.05% sell
  std::int64_t stt_options_sell_ppb = 1'500'000;    // 0.15% of premium, sell
  // Exchange transaction charges (NSE circular, flat from 1 Oct 2024; BSE SENSEX/BANKEX options)
  std::int64_t nse_equity_ppb = 29'700;     // ₹2.97 per lakh
  std::int64_t nse_futures_ppb = 17'300;    // ₹1.73 per lakh
  std::int64_t nse_options_ppb = 350'300;   // ₹35.03 per lakh of premium
  std::int64_t bse_equity_ppb = 29'700;     // assumed equal to NSE: set your broker's BSE cash rate
  std::int64_t bse_futures_ppb = 0;         // BSE charges no fee on index and stock futures
  std::int64_t bse_options_ppb = 325'000;   // ₹3,250 per crore of premium (SENSEX, BANKEX)
  std::int64_t sebi_ppb = 1'000;            // ₹10 per crore
  // Stamp duty (Indian Stamp Act as amended from 1 Jul 2020), buy side only
  std::int64_t stamp_delivery_ppb = 150'000;  // 0.015%
  std::int64_t stamp_intraday_ppb = 30'000;   // 0.003%
  std::int64_t stamp_futures_ppb = 20'000;    // 0.002%
  std::int64_t stamp_options_ppb = 30'000;    // 0.003%
  std::int64_t gst_ppb = 180'000'000;         // 18%
};

class IndianFeeModel final : public FeeModel {
 public:
  explicit IndianFeeModel(IndianChargeRates rates = {}) : rates_(rates) {}
  Charges Compute(const FeeInput& fill) const override;

 private:
  IndianChargeRates rates_;
};

/// US listed options and equities. Amounts in nano-dollars; SEC and TAF are rounded up to the cent.
struct UsChargeRates {
  std::int64_t option_commission_per_contract_nanos = 650'000'000;  // $0.65 per contract (broker-specific)
  std::int64_t equity_commission_per_share_nanos = 0;               // commission-free equities
  std::int64_t sec_fee_ppb = 27'800;                                // $27.80 per million of sale proceeds
  std::int64_t taf_per_option_contract_nanos = 2'790'000;           // $0.00279 per contract sold
  std::int64_t taf_per_share_nanos = 166'000;                       // $0.000166 per share sold
  std::int64_t taf_equity_cap_nanos = 8'300'000'000;                // $8.30 per trade
};

class UsFeeModel final : public FeeModel {
 public:
  explicit UsFeeModel(UsChargeRates rates = {}) : rates_(rates) {}
  Charges Compute(const FeeInput& fill) const override;

 private:
  UsChargeRates rates_;
};

/// Picks the Indian or the US schedule by the instrument's exchange (US and OPRA are American; every other
/// segment OpenAlgo names is Indian).
class MarketFeeModel final : public FeeModel {
 public:
  MarketFeeModel(IndianChargeRates india = {}, UsChargeRates us = {}) : india_(india), us_(us) {}
  Charges Compute(const FeeInput& fill) const override;

 private:
  IndianFeeModel india_;
  UsFeeModel us_;
};

/// True for the US segments ("US", "OPRA").
bool IsUsExchange(std::string_view exchange);

/// price × quantity × multiplier in raw 1e-9 currency units, exact (128-bit intermediate).
std::int64_t TurnoverRaw(Price price, Quantity quantity, Quantity multiplier);

}  // namespace td::adapters::paper
