// SPDX-License-Identifier: MIT
#include "adapters/simulator/universe.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "core/check.hpp"

namespace td::adapters::simulator {
namespace {

using calendar::Exchange;

// Intraday regime and variance parameters. Persistence 0.985/day gives a variance half-life of ~46 sessions;
// trend drift and range reversion were chosen so that the regime mix leaves daily variance unchanged
// (checked by the realised-volatility test).
constexpr MarketParams kIndia{
    .market = Market::kIndia,
    .name = "india",
    .primary_calendar = Exchange::kNse,
    .normal_session_seconds = 22'500,  // 09:15-15:30 IST
    .factor_vol = 0.131,
    .overnight_share = 0.20,
    .jump_share = 0.08,
    .jump_rate_per_day = 0.10,
    .jump_mean_sd = -0.30,
    .garch_alpha = 0.05,
    .garch_persistence = 0.98,
    .garch_leverage = 0.9,
    .jump_vol_feedback = 0.12,
    .rate = 0.065,
    .range_reversion_per_day = 1.0,
    .trend_drift_sd_per_day = 1.1,
    .range_minutes = 110,
    .trend_minutes = 80,
    .trend_day_probability = 0.35,
};

constexpr MarketParams kUs{
    .market = Market::kUs,
    .name = "us",
    .primary_calendar = Exchange::kNyse,
    .normal_session_seconds = 23'400,  // 09:30-16:00 ET
    .factor_vol = 0.152,
    .overnight_share = 0.15,
    .jump_share = 0.08,
    .jump_rate_per_day = 0.10,
    .jump_mean_sd = -0.30,
    .garch_alpha = 0.05,
    .garch_persistence = 0.98,
    .garch_leverage = 0.9,
    .jump_vol_feedback = 0.12,
    .rate = 0.043,
    .range_reversion_per_day = 1.0,
    .trend_drift_sd_per_day = 1.1,
    .range_minutes = 110,
    .trend_minutes = 80,
    .trend_day_probability = 0.35,
};

UnderlyingSpec IndianIndex(std::string_view exchange_code, std::string_view symbol, Exchange session, double price,
                           double vol, double beta, double dividend_yield) {
  UnderlyingSpec spec;
  spec.exchange_code = exchange_code;
  spec.symbol = symbol;
  spec.sector = "index";
  spec.kind = UnderlyingKind::kIndex;
  spec.market = Market::kIndia;
  spec.session_calendar = session;
  spec.initial_price = price;
  spec.annual_vol = vol;
  spec.beta = beta;
  spec.annual_drift = 0.08;
  spec.price_precision = 2;
  spec.tick = 0.01;
  spec.dividend_yield = dividend_yield;
  return spec;
}

void WithIndianOptions(UnderlyingSpec& spec, std::string_view option_exchange, Exchange expiry_calendar,
                       double strike_step, int lot_size, double rho, double eta, double rel_spread,
                       double atm_oi_lots) {
  spec.option_symbology = OptionSymbology::kOpenAlgo;
  spec.option_exchange = option_exchange;
  spec.expiry_calendar = expiry_calendar;
  spec.strike_step = strike_step;
  spec.option_tick = 0.05;
  spec.option_price_precision = 2;
  spec.lot_size = lot_size;
  spec.multiplier = 1;
  spec.vrp = 1.06;
  spec.skew_rho = rho;
  spec.skew_eta = eta;
  spec.option_rel_spread = rel_spread;
  spec.atm_open_interest = atm_oi_lots;
}

void WithUsOptions(UnderlyingSpec& spec, Exchange expiry_calendar, double strike_step, double option_tick, double vrp,
                   double rho, double eta, double rel_spread, double atm_oi_contracts) {
  spec.option_symbology = OptionSymbology::kOcc;
  spec.option_exchange = "OPRA";
  spec.expiry_calendar = expiry_calendar;
  spec.strike_step = strike_step;
  spec.option_tick = option_tick;
  spec.option_price_precision = 2;
  spec.lot_size = 1;
  spec.multiplier = 100;
  spec.vrp = vrp;
  spec.skew_rho = rho;
  spec.skew_eta = eta;
  spec.option_rel_spread = rel_spread;
  spec.atm_open_interest = atm_oi_contracts;
}

struct StockRow {
  std::string_view symbol;
  std::string_view sector;
  double price;
  double vol;
  double beta;
  double volume_millions;
  double spread_bps;
};

// Plausible 2025 levels: price, long-run realised vol, beta to the S&P 500, average daily volume (millions of
// shares) and typical quoted spread. Every row has vol > beta * factor vol, so its idiosyncratic part is real.
constexpr StockRow kStocks[] = {
    {"AAPL", "Technology", 228.0, 0.26, 1.15, 52.0, 0.5},
    {"MSFT", "Technology", 425.0, 0.24, 1.05, 21.0, 0.5},
    {"NVDA", "Technology", 135.0, 0.50, 1.75, 250.0, 0.8},
    {"AMZN", "Consumer Discretionary", 198.0, 0.32, 1.25, 40.0, 0.6},
    {"GOOGL", "Communication Services", 172.0, 0.29, 1.10, 26.0, 0.6},
    {"META", "Communication Services", 585.0, 0.36, 1.30, 13.0, 0.7},
    {"TSLA", "Consumer Discretionary", 260.0, 0.60, 1.90, 95.0, 0.5},
    {"AVGO", "Technology", 172.0, 0.45, 1.40, 28.0, 0.9},
    {"AMD", "Technology", 150.0, 0.48, 1.65, 45.0, 0.8},
    {"NFLX", "Communication Services", 720.0, 0.35, 1.20, 3.5, 1.2},
    {"ADBE", "Technology", 510.0, 0.33, 1.20, 3.2, 1.5},
    {"CRM", "Technology", 285.0, 0.33, 1.20, 6.5, 1.2},
    {"ORCL", "Technology", 170.0, 0.33, 1.05, 9.0, 1.0},
    {"INTC", "Technology", 22.5, 0.45, 1.10, 60.0, 4.5},
    {"CSCO", "Technology", 57.0, 0.21, 0.90, 19.0, 1.8},
    {"QCOM", "Technology", 165.0, 0.36, 1.35, 8.0, 1.2},
    {"TXN", "Technology", 200.0, 0.28, 1.05, 5.5, 1.2},
    {"MU", "Technology", 100.0, 0.48, 1.55, 22.0, 1.0},
    {"AMAT", "Technology", 180.0, 0.42, 1.55, 6.5, 1.2},
    {"IBM", "Technology", 215.0, 0.24, 0.80, 4.5, 1.2},
    {"JPM", "Financials", 225.0, 0.23, 1.05, 9.0, 0.9},
    {"BAC", "Financials", 41.0, 0.27, 1.25, 38.0, 2.5},
    {"WFC", "Financials", 62.0, 0.28, 1.15, 17.0, 1.7},
    {"GS", "Financials", 520.0, 0.27, 1.30, 2.3, 1.8},
    {"MS", "Financials", 115.0, 0.27, 1.30, 7.5, 1.4},
    {"C", "Financials", 66.0, 0.29, 1.35, 15.0, 1.6},
    {"V", "Financials", 290.0, 0.20, 0.90, 6.5, 0.8},
    {"MA", "Financials", 505.0, 0.21, 1.00, 2.8, 1.0},
    {"AXP", "Financials", 265.0, 0.26, 1.20, 3.0, 1.3},
    {"BRK.B", "Financials", 455.0, 0.17, 0.85, 3.6, 1.0},
    {"JNJ", "Health Care", 158.0, 0.17, 0.55, 7.0, 1.0},
    {"UNH", "Health Care", 560.0, 0.27, 0.65, 3.5, 1.2},
    {"PFE", "Health Care", 28.5, 0.25, 0.65, 35.0, 3.5},
    {"MRK", "Health Care", 105.0, 0.22, 0.45, 8.5, 1.2},
    {"ABBV", "Health Care", 180.0, 0.24, 0.60, 5.5, 1.0},
    {"LLY", "Health Care", 880.0, 0.33, 0.75, 3.0, 1.0},
    {"TMO", "Health Care", 560.0, 0.24, 0.95, 1.6, 1.6},
    {"XOM", "Energy", 118.0, 0.24, 0.75, 15.0, 0.9},
    {"CVX", "Energy", 150.0, 0.24, 0.85, 7.5, 0.9},
    {"COP", "Energy", 108.0, 0.29, 0.95, 6.5, 1.1},
    {"SLB", "Energy", 42.0, 0.33, 1.10, 11.0, 2.5},
    {"WMT", "Consumer Staples", 82.0, 0.18, 0.55, 15.0, 1.2},
    {"COST", "Consumer Staples", 900.0, 0.20, 0.80, 1.9, 1.2},
    {"KO", "Consumer Staples", 68.0, 0.15, 0.55, 13.0, 1.5},
    {"PEP", "Consumer Staples", 168.0, 0.16, 0.55, 5.5, 1.0},
    {"PG", "Consumer Staples", 170.0, 0.16, 0.50, 6.5, 1.0},
    {"HD", "Consumer Discretionary", 395.0, 0.22, 1.00, 3.3, 1.0},
    {"MCD", "Consumer Discretionary", 295.0, 0.18, 0.65, 3.2, 1.0},
    {"NKE", "Consumer Discretionary", 80.0, 0.33, 1.05, 10.0, 1.3},
    {"DIS", "Communication Services", 95.0, 0.27, 1.10, 9.0, 1.1},
    {"T", "Communication Services", 22.0, 0.21, 0.60, 33.0, 4.5},
    {"VZ", "Communication Services", 42.0, 0.19, 0.45, 18.0, 2.4},
    {"BA", "Industrials", 160.0, 0.36, 1.30, 8.0, 0.9},
    {"CAT", "Industrials", 370.0, 0.27, 1.10, 2.6, 1.1},
    {"GE", "Industrials", 180.0, 0.30, 1.15, 5.5, 1.1},
    {"HON", "Industrials", 210.0, 0.20, 0.90, 3.5, 1.0},
    {"UPS", "Industrials", 132.0, 0.25, 0.95, 4.2, 1.1},
    {"NEE", "Utilities", 78.0, 0.24, 0.60, 10.0, 1.3},
    {"PLTR", "Technology", 42.0, 0.62, 1.90, 65.0, 2.4},
    {"UBER", "Industrials", 75.0, 0.40, 1.35, 18.0, 1.4},
};

std::vector<UnderlyingSpec> BuildUniverse() {
  std::vector<UnderlyingSpec> out;
  // India: NSE/BSE regular session, IST. Lot sizes as NSE/BSE list them from Jan-2026 (NIFTY 65,
  // BANKNIFTY 30, SENSEX 20).
  UnderlyingSpec nifty = IndianIndex("NSE_INDEX", "NIFTY", Exchange::kNse, 24'500.0, 0.135, 1.0, 0.012);
  WithIndianOptions(nifty, "NFO", Exchange::kNse, 50.0, 65, -0.60, 1.20, 0.0010, 150'000);
  out.push_back(nifty);
  UnderlyingSpec banknifty = IndianIndex("NSE_INDEX", "BANKNIFTY", Exchange::kNse, 52'000.0, 0.165, 1.10, 0.008);
  WithIndianOptions(banknifty, "NFO", Exchange::kNse, 100.0, 30, -0.50, 1.25, 0.0012, 60'000);
  out.push_back(banknifty);
  UnderlyingSpec sensex = IndianIndex("BSE_INDEX", "SENSEX", Exchange::kBse, 80'500.0, 0.132, 0.99, 0.012);
  WithIndianOptions(sensex, "BFO", Exchange::kBse, 100.0, 20, -0.60, 1.20, 0.0014, 80'000);
  out.push_back(sensex);
  UnderlyingSpec indiavix = IndianIndex("NSE_INDEX", "INDIAVIX", Exchange::kNse, 0.0, 0.0, 0.0, 0.0);
  indiavix.sector = "volatility";
  indiavix.kind = UnderlyingKind::kVolIndex;
  indiavix.vol_index_of = "NIFTY";
  indiavix.annual_drift = 0.0;
  out.push_back(indiavix);

  // US: NYSE regular session, ET. SPX and VIX are index values on GLOBAL_INDEX; ETFs and stocks on US.
  UnderlyingSpec spx;
  spx.exchange_code = "GLOBAL_INDEX";
  spx.symbol = "SPX";
  spx.sector = "index";
  spx.kind = UnderlyingKind::kIndex;
  spx.market = Market::kUs;
  spx.initial_price = 5'900.0;
  spx.annual_vol = 0.155;
  spx.beta = 1.0;
  spx.annual_drift = 0.07;
  spx.dividend_yield = 0.013;
  WithUsOptions(spx, Exchange::kCboe, 5.0, 0.05, 1.12, -0.75, 1.10, 0.005, 25'000);
  out.push_back(spx);
  UnderlyingSpec vix = spx;
  vix.symbol = "VIX";
  vix.sector = "volatility";
  vix.kind = UnderlyingKind::kVolIndex;
  vix.initial_price = 0.0;
  vix.annual_vol = 0.0;
  vix.beta = 0.0;
  vix.annual_drift = 0.0;
  vix.dividend_yield = 0.0;
  vix.vol_index_of = "SPX";
  vix.option_symbology = OptionSymbology::kNone;
  vix.option_exchange = {};
  out.push_back(vix);
  UnderlyingSpec spy;
  spy.exchange_code = "US";
  spy.symbol = "SPY";
  spy.sector = "ETF";
  spy.kind = UnderlyingKind::kEtf;
  spy.market = Market::kUs;
  spy.initial_price = 589.0;
  spy.annual_vol = 0.156;
  spy.beta = 1.0;
  spy.annual_drift = 0.07;
  spy.daily_volume = 55e6;
  spy.spread_bps = 0.2;
  spy.dividend_yield = 0.013;
  WithUsOptions(spy, Exchange::kNyse, 1.0, 0.01, 1.12, -0.72, 1.12, 0.004, 60'000);
  out.push_back(spy);
  UnderlyingSpec qqq = spy;
  qqq.symbol = "QQQ";
  qqq.initial_price = 510.0;
  qqq.annual_vol = 0.205;
  qqq.beta = 1.20;
  qqq.annual_drift = 0.09;
  qqq.daily_volume = 38e6;
  qqq.spread_bps = 0.3;
  qqq.dividend_yield = 0.006;
  WithUsOptions(qqq, Exchange::kNyse, 1.0, 0.01, 1.10, -0.65, 1.15, 0.004, 35'000);
  out.push_back(qqq);

  for (const StockRow& row : kStocks) {
    UnderlyingSpec stock;
    stock.exchange_code = "US";
    stock.symbol = row.symbol;
    stock.sector = row.sector;
    stock.kind = UnderlyingKind::kStock;
    stock.market = Market::kUs;
    stock.initial_price = row.price;
    stock.annual_vol = row.vol;
    stock.beta = row.beta;
    stock.annual_drift = 0.07;
    stock.daily_volume = row.volume_millions * 1e6;
    stock.spread_bps = row.spread_bps;
    out.push_back(stock);
  }
  for (const UnderlyingSpec& spec : out) {
    if (spec.kind == UnderlyingKind::kVolIndex) {
      continue;
    }
    const double systematic = spec.beta * ParamsOf(spec.market).factor_vol;
    TD_CHECK(spec.annual_vol >= systematic) << spec.symbol << ": total vol below its systematic part";
    TD_CHECK(spec.skew_eta * (1.0 + std::abs(spec.skew_rho)) <= 2.0) << spec.symbol << ": SSVI eta too large";
  }
  return out;
}

}  // namespace

const MarketParams& ParamsOf(Market market) {
  return market == Market::kIndia ? kIndia : kUs;
}

std::span<const UnderlyingSpec> Universe() {
  static const std::vector<UnderlyingSpec> kUniverse = BuildUniverse();
  return kUniverse;
}

std::string UnderlyingIdText(const UnderlyingSpec& spec) {
  std::string text(spec.exchange_code);
  text += ':';
  text += spec.symbol;
  return text;
}

}  // namespace td::adapters::simulator
