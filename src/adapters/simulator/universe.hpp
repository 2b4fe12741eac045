// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "calendar/exchange.hpp"

namespace td::adapters::simulator {

/// The two markets the simulator models; each has one common factor, one variance process, one regime chain.
enum class Market : std::uint8_t { kIndia, kUs };

/// What an underlying is: decides whether it quotes (ETF, stock) or only prints a value (index, vol index).
enum class UnderlyingKind : std::uint8_t { kIndex, kVolIndex, kEtf, kStock };

/// How the simulator names the option contracts of an underlying.
enum class OptionSymbology : std::uint8_t { kNone, kOpenAlgo, kOcc };

/// Market-wide parameters of the price process (see README.md for their meaning and calibration).
struct MarketParams {
  Market market = Market::kUs;
  std::string_view name;
  calendar::Exchange primary_calendar = calendar::Exchange::kNyse;
  double normal_session_seconds = 0;   // length of an ordinary regular session
  double factor_vol = 0;               // long-run annual vol of the common factor (total: diffusion+jumps+gaps)
  double overnight_share = 0;          // share of daily variance realised in the overnight gap
  double jump_share = 0;               // share of daily factor variance coming from intraday jumps
  double jump_rate_per_day = 0;        // Poisson rate of intraday factor jumps
  double jump_mean_sd = 0;             // mean jump size in daily standard deviations (negative: crashes)
  double garch_alpha = 0;              // daily GARCH reaction (innovation weight)
  double garch_persistence = 0;        // daily alpha + beta
  double garch_leverage = 0;           // GJR-style extra weight on negative shocks
  double jump_vol_feedback = 0;        // relative variance kick per unit of squared standardised jump
  double rate = 0;                     // continuously compounded risk-free rate used for discounting and carry
  double range_reversion_per_day = 0;  // mean-reversion speed toward the regime anchor in the range regime
  double trend_drift_sd_per_day = 0;   // drift of a trend regime in daily standard deviations per day
  double range_minutes = 0;            // mean duration of a range regime
  double trend_minutes = 0;            // mean duration of a trend regime
  double trend_day_probability = 0;    // probability that a session opens in a trend regime
};

/// One simulated underlying: identity, price level, risk and liquidity, and the option listing if any.
struct UnderlyingSpec {
  std::string_view exchange_code;  // model Exchange code: NSE_INDEX, BSE_INDEX, GLOBAL_INDEX, US
  std::string_view symbol;
  std::string_view sector;
  UnderlyingKind kind = UnderlyingKind::kStock;
  Market market = Market::kUs;
  calendar::Exchange session_calendar = calendar::Exchange::kNyse;
  double initial_price = 0;  // level at the start of the generated history
  double annual_vol = 0;     // long-run realised annual volatility (total)
  double beta = 0;           // loading on the market factor
  double annual_drift = 0;   // expected log return per year
  double daily_volume = 0;   // average shares per session (0 for indices)
  double spread_bps = 0;     // typical quoted spread in basis points of price (equities and ETFs)
  int price_precision = 2;
  double tick = 0.01;
  double dividend_yield = 0;
  // Vol index only: the symbol whose 30-day ATM implied vol the index shows.
  std::string_view vol_index_of;
  // Options (empty option_exchange when not optionable in the simulator).
  OptionSymbology option_symbology = OptionSymbology::kNone;
  std::string_view option_exchange;  // NFO, BFO, OPRA
  calendar::Exchange expiry_calendar = calendar::Exchange::kNyse;
  double strike_step = 0;
  double option_tick = 0;
  int option_price_precision = 2;
  int lot_size = 1;              // units per lot (India) or 1 contract (US)
  int multiplier = 1;            // 1 in India, 100 for US listed options
  double vrp = 1.0;              // implied/realised variance ratio, as a vol ratio
  double skew_rho = 0;           // SSVI correlation (negative: put skew)
  double skew_eta = 0;           // SSVI curvature level; eta (1 + |rho|) <= 2 keeps the smile butterfly-free
  double option_rel_spread = 0;  // option spread as a fraction of premium at the money
  double atm_open_interest = 0;  // lots/contracts at the money of the front expiry
};

/// The two markets' parameters.
const MarketParams& ParamsOf(Market market);

/// Every underlying the simulator knows, in emission order (India first, then the US).
std::span<const UnderlyingSpec> Universe();

/// "EXCHANGE:SYMBOL" text of an underlying, e.g. "NSE_INDEX:NIFTY".
std::string UnderlyingIdText(const UnderlyingSpec& spec);

}  // namespace td::adapters::simulator
