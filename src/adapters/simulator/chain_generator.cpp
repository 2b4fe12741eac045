// SPDX-License-Identifier: MIT
#include "adapters/simulator/chain_generator.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "adapters/simulator/random.hpp"
#include "adapters/simulator/vol_surface.hpp"
#include "model/symbology.hpp"
#include "options/black.hpp"

namespace td::adapters::simulator {
namespace {

std::int64_t TickRaw(double tick) {
  return std::llround(tick * static_cast<double>(kFixedScale));
}

Price PriceOfTicks(std::int64_t ticks, std::int64_t tick_raw, int precision) {
  return Price::FromRaw(ticks * tick_raw, precision);
}

// Deterministic noise in [lo, hi) keyed by the contract, so OI is stable through a session.
double Noise(std::uint64_t key, double lo, double hi) {
  return lo + (hi - lo) * ToUnit(Mix64(key));
}

Result<InstrumentId> ContractId(const UnderlyingSpec& spec, const ExpiryPoint& expiry, Price strike,
                                OptionRight right) {
  if (spec.option_symbology == OptionSymbology::kOpenAlgo) {
    auto symbol = OpenAlgoSymbol::Option(spec.symbol, expiry.expiry, WithMinimalPrecision(strike), right);
    if (!symbol.ok()) {
      return symbol.error();
    }
    return InstrumentId::Make(spec.option_exchange, symbol->ToString());
  }
  // SPX: the third-Friday monthly is the AM-settled SPX root; every other expiry trades as SPXW.
  std::string_view root = spec.symbol;
  if (spec.symbol == "SPX" && expiry.kind != calendar::ExpiryKind::kMonthly) {
    root = "SPXW";
  }
  auto occ = OccSymbol::Make(root, expiry.expiry, right, WithMinimalPrecision(strike));
  if (!occ.ok()) {
    return occ.error();
  }
  return InstrumentId::Make(spec.option_exchange, occ->ToCompactString());
}

}  // namespace

TickQuote QuoteOnGrid(double theo, double tick, std::int64_t spread_ticks) {
  const std::int64_t half_ticks = std::max<std::int64_t>(0, std::llround(2.0 * std::max(theo, 0.0) / tick));
  std::int64_t spread = std::max<std::int64_t>(1, spread_ticks);
  if ((half_ticks - spread) % 2 != 0) {
    ++spread;
  }
  if (half_ticks >= spread) {
    return {(half_ticks - spread) / 2, (half_ticks + spread) / 2};
  }
  // Too cheap for the spread: bid zero, ask at twice the mid (one tick at least).
  return {0, std::max<std::int64_t>(1, half_ticks)};
}

Result<OptionChain> BuildChain(const ChainInputs& in) {
  const UnderlyingSpec& spec = *in.spec;
  const double spot = in.spot.AsDouble();
  if (!(spot > 0.0)) {
    return Error::Unprocessable("no price for " + in.underlying.value(), "underlying");
  }
  const SsviSurface surface(spec.skew_rho, spec.skew_eta);
  const double tick = spec.option_tick;
  const std::int64_t tick_raw = TickRaw(tick);
  const int precision = spec.option_price_precision;
  const double step = spec.strike_step;
  const double lot = spec.lot_size;
  const std::uint64_t base_key = Mix64(in.seed ^ HashText(spec.symbol));
  const double reference = in.reference_price > 0.0 ? in.reference_price : spot;

  OptionChainBuilder builder(in.underlying, in.at, in.spot);
  int expiry_rank = 0;
  for (const ExpiryPoint& e : in.expiries) {
    const double t = e.t_years;
    const double theta = e.atm_vol * e.atm_vol * t;
    const double sd = std::sqrt(theta);
    const double days = t * 365.0;
    const double f = e.forward;
    const auto atm_index = static_cast<std::int64_t>(std::llround(f / step));
    const double half_width = f * std::expm1(in.strike_range_sd * sd);
    const std::int64_t side =
        std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil(half_width / step)), 10, in.max_strikes_per_side);
    // Open interest: front expiries and monthlies carry most; turnover rises into expiry.
    const double term_weight = std::pow(0.72, expiry_rank) * (e.kind == calendar::ExpiryKind::kMonthly ? 1.6 : 1.0);
    const double turnover = 0.4 + 2.5 / (1.0 + days);
    const double ref_sd = std::max(sd, 0.004);
    const std::uint64_t expiry_key = Mix64(base_key ^ static_cast<std::uint64_t>(DaysFromCivil(e.expiry)));
    const options::Black76Market proto{f, 0.0, t, in.rate};

    for (std::int64_t j = -side; j <= side; ++j) {
      const std::int64_t strike_index = atm_index + j;
      if (strike_index <= 0) {
        continue;
      }
      const double k_strike = static_cast<double>(strike_index) * step;
      const Price strike = Price::FromRaw(strike_index * TickRaw(step), spec.strike_step < 1.0 ? 2 : 0);
      const double k = std::log(k_strike / f);
      const double vol = surface.ImpliedVol(k, theta, t);
      options::Black76Market market = proto;
      market.strike = k_strike;
      const double z = std::abs(k) / std::max(sd, 1e-6);
      // Spread: ticks plus a share of premium that widens with |moneyness| and into expiry.
      const double rel = spec.option_rel_spread * (1.0 + 0.5 * std::min(z * z, 8.0)) * (1.0 + 1.5 / (1.0 + days));
      // Round strikes (multiples of 10 and 2 grid steps) attract open interest.
      const double round_weight = strike_index % 10 == 0 ? 1.9 : (strike_index % 2 == 0 ? 1.25 : 1.0);
      const double zr = std::log(k_strike / reference) / ref_sd;

      for (OptionRight right : {OptionRight::kCall, OptionRight::kPut}) {
        const bool call = right == OptionRight::kCall;
        const double theo =
            options::Black76Price(call ? options::OptionType::kCall : options::OptionType::kPut, market, vol);
        const auto spread_ticks = static_cast<std::int64_t>(std::llround((tick + rel * theo) / tick));
        const TickQuote q = QuoteOnGrid(theo, tick, spread_ticks);
        const std::uint64_t key = Mix64(expiry_key ^ (static_cast<std::uint64_t>(strike_index) * 2 + (call ? 1 : 0)));
        // Calls' OI peaks above the reference, puts' below.
        const double centre = call ? 0.6 : -0.6;
        const double shape = std::exp(-0.5 * (zr - centre) * (zr - centre) / 1.8);
        const double oi_lots =
            std::floor(spec.atm_open_interest * term_weight * shape * round_weight * Noise(key, 0.6, 1.4));
        const double vol_lots = std::floor(oi_lots * turnover * in.volume_fraction * Noise(key + 1, 0.5, 1.5));
        const double oi_change =
            std::floor(oi_lots * Noise(key ^ static_cast<std::uint64_t>(in.day_serial), -0.15, 0.2));
        const std::uint64_t size_key = Mix64(key ^ static_cast<std::uint64_t>(in.at.nanos()));

        OptionQuote quote;
        auto id = ContractId(spec, e, strike, right);
        if (!id.ok()) {
          return id.error();
        }
        quote.instrument_id = std::move(id).value();
        quote.bid = PriceOfTicks(q.bid_ticks, tick_raw, precision);
        quote.ask = PriceOfTicks(q.ask_ticks, tick_raw, precision);
        quote.last = PriceOfTicks((q.bid_ticks + q.ask_ticks) / 2, tick_raw, precision);
        quote.bid_qty = Quantity::FromUnits(q.bid_ticks > 0 ? static_cast<std::int64_t>(lot * (1 + size_key % 40)) : 0);
        quote.ask_qty = Quantity::FromUnits(static_cast<std::int64_t>(lot * (1 + (size_key >> 20) % 40)));
        quote.volume = Quantity::FromUnits(static_cast<std::int64_t>(vol_lots * lot));
        quote.open_interest = Quantity::FromUnits(static_cast<std::int64_t>(oi_lots * lot));
        quote.oi_change = static_cast<std::int64_t>(oi_change * lot);
        quote.vendor_iv = vol;
        if (auto status = builder.Add(e.expiry, strike, right, std::move(quote)); !status.ok()) {
          return status.error();
        }
      }
    }
    ++expiry_rank;
  }
  return builder.Build();
}

}  // namespace td::adapters::simulator
