// SPDX-License-Identifier: MIT
#pragma once

#include <span>
#include <vector>

#include "core/result.hpp"
#include "options/black.hpp"

namespace td::options {

/// One strike of an option chain: both sides' quotes and activity. Missing values are 0 (or NaN).
struct StrikeQuote {
  double strike = 0.0;
  double call_bid = 0.0;
  double call_ask = 0.0;
  double call_last = 0.0;
  double put_bid = 0.0;
  double put_ask = 0.0;
  double put_last = 0.0;
  double call_oi = 0.0;
  double put_oi = 0.0;
  double call_volume = 0.0;
  double put_volume = 0.0;
  double call_oi_change = 0.0;
  double put_oi_change = 0.0;
};

/// One expiry of a chain, independent of the model layer's types (converted at the boundary).
/// `underlying` is the spot (or 0 when unknown); `rate` discounts payoffs (continuous, per year);
/// `multiplier` is the contract size used for gamma exposure. Strikes ascending.
struct ChainSlice {
  double underlying = 0.0;
  double t_years = 0.0;
  double rate = 0.0;
  double multiplier = 1.0;
  std::vector<StrikeQuote> strikes;
};

/// Mid of a two-sided quote; NaN when a side is missing (<= 0) or the quote is crossed.
double QuoteMid(double bid, double ask);

/// A forward implied by put-call parity.
struct ForwardEstimate {
  double forward = 0.0;
  double discount_factor = 1.0;
  double implied_carry = 0.0;  // ln(F / underlying) / T per year; NaN when the underlying is unknown
  int strikes_used = 0;
};

/// Forward from put-call parity C - P = df (F - K): F_i = K + (C_mid - P_mid)/df at the `max_strikes`
/// strikes with both sides two-sided and the smallest |C - P| (closest to the money); the median of
/// F_i is robust to one stale or wide quote. Error when no strike has both sides quoted.
Result<ForwardEstimate> ImpliedForward(const ChainSlice& slice, int max_strikes = 5);

/// Implied volatilities at one strike (NaN when the mid is missing or outside the no-arbitrage bounds).
struct StrikeIv {
  double strike = 0.0;
  double call_iv = 0.0;
  double put_iv = 0.0;
  double otm_iv = 0.0;  // smile IV: put side below the forward, call side at or above (other side as fallback)
};

/// Black-76 IV per strike from mids, against `forward` and the slice's discount rate.
std::vector<StrikeIv> StrikeIvs(const ChainSlice& slice, double forward);

/// ATM IV: smile IV interpolated linearly in strike at the forward (nearest valid strike outside the range).
Result<double> AtmIv(std::span<const StrikeIv> ivs, double forward);

/// One expiry's ATM IV for term-structure work.
struct TermPoint {
  double t_years = 0.0;
  double atm_iv = 0.0;
};

/// Constant-maturity ATM IV at `target_t` (default 30 calendar days): total variance sigma^2 T is
/// interpolated linearly in T between the bracketing expiries; outside the range the nearest expiry's
/// volatility is held flat. Points need not be sorted. Error when empty.
Result<double> ConstantMaturityIv(std::span<const TermPoint> points, double target_t = 30.0 / 365.0);

/// Term-structure slope: least-squares slope of ATM IV against T (vol units per year). Positive is
/// contango (back months richer). Error with fewer than two distinct expiries.
Result<double> TermStructureSlope(std::span<const TermPoint> points);

/// IV rank on 0..100: (current - min) / (max - min) * 100 over a daily IV history (e.g. 252 ATM IVs),
/// clamped to 0..100; 50 when the history is flat. Error when the history is empty.
Result<double> IvRank(std::span<const double> iv_history, double current_iv);

/// IV percentile on 0..100: the share of history days with IV strictly below the current IV, * 100.
Result<double> IvPercentile(std::span<const double> iv_history, double current_iv);

/// IV / HV (both as decimals); NaN when HV is not positive.
double IvHvRatio(double iv, double hv);

/// 25-delta skew of one expiry, with forward (undiscounted) Black deltas N(d1) and N(d1) - 1.
struct Skew25 {
  double call_iv = 0.0;  // IV where the call delta is +0.25
  double put_iv = 0.0;   // IV where the put delta is -0.25
  double atm_iv = 0.0;
  double risk_reversal = 0.0;  // call_iv - put_iv
  double butterfly = 0.0;      // (call_iv + put_iv)/2 - atm_iv
};

/// Interpolates the smile linearly in delta to find the 25-delta call and put IVs. Error when the
/// quoted strikes do not reach 25 delta on either side.
Result<Skew25> Skew25Delta(std::span<const StrikeIv> ivs, double forward, double t_years);

/// Straddle premium and the moves it implies.
struct StraddleMove {
  double strike = 0.0;      // the listed strike nearest the forward
  double straddle = 0.0;    // call mid + put mid (the straddle premium)
  double sigma_move = 0.0;  // undiscounted straddle * sqrt(pi/2): the one-standard-deviation move
};

/// Straddle at the strike nearest the forward. The straddle itself approximates the expected absolute
/// move E|F_T - F| = F sigma sqrt(T) sqrt(2/pi); sigma_move rescales it to one standard deviation.
Result<StraddleMove> AtmStraddle(const ChainSlice& slice, double forward);

/// IV-based one-standard-deviation move: price * iv * sqrt(T).
double IvExpectedMove(double price, double iv, double t_years);

/// Max pain: the listed strike that minimises the total intrinsic value paid to holders of all open
/// calls and puts, sum(call_oi max(S-K,0) + put_oi max(K-S,0)). Lowest such strike on ties.
Result<double> MaxPain(const ChainSlice& slice);

/// Put/call ratios; NaN when the call total is zero.
struct PutCallRatios {
  double by_oi = 0.0;
  double by_volume = 0.0;
};
PutCallRatios PutCallRatio(const ChainSlice& slice);

/// Gamma exposure in currency per 1 % move of the underlying, "calls positive, puts negative"
/// convention (dealers assumed long call gamma and short put gamma):
/// GEX_K = (Gamma_call call_oi - Gamma_put put_oi) * multiplier * S^2 * 0.01, Black-76 gamma at the
/// strike's IV (sticky strike) and S the underlying level at which it is evaluated (the forward).
struct GammaExposure {
  std::vector<double> by_strike;  // same order as slice.strikes
  double total = 0.0;
};
GammaExposure GammaExposureAt(const ChainSlice& slice, std::span<const StrikeIv> ivs, double level);

/// Total GEX only, allocation-free, for scanning levels.
double TotalGammaExposure(const ChainSlice& slice, std::span<const StrikeIv> ivs, double level);

/// Zero-gamma (flip) level: total GEX is evaluated on `steps` levels across forward*(1 +- range); the sign
/// change closest to the forward is refined by bisection. Error when GEX has one sign on the whole grid.
Result<double> ZeroGammaLevel(const ChainSlice& slice, std::span<const StrikeIv> ivs, double forward,
                              double range = 0.10, int steps = 200);

}  // namespace td::options
