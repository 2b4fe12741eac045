// SPDX-License-Identifier: MIT
#include "indicators/fused.hpp"

#include "indicators/momentum.hpp"
#include "indicators/volatility.hpp"

namespace td::indicators {

namespace {

// Restrict-qualified outputs let the compiler keep the indicators' state in registers across the eight stores
// per bar (otherwise any double store might alias it and force reloads).
void FusedLoop(std::size_t n, const double* __restrict high, const double* __restrict low,
               const double* __restrict close, const double* __restrict volume, const std::int64_t* __restrict session,
               double* __restrict ema_out, double* __restrict rsi_out, double* __restrict atr_out,
               double* __restrict middle_out, double* __restrict upper_out, double* __restrict lower_out,
               double* __restrict width_out, double* __restrict vwap_out, const FusedParams& params) {
  Ema ema(params.ema_period, params.ema_seed);
  Rsi rsi(params.rsi_period);
  Atr atr(params.atr_period);
  Bollinger bb(params.bb_period, params.bb_k);
  SessionVwap vwap(params.vwap_price);
  for (std::size_t i = 0; i < n; ++i) {
    const double h = high[i];
    const double l = low[i];
    const double c = close[i];
    ema.Update(c);
    rsi.Update(c);
    atr.Update(h, l, c);
    bb.Update(c);
    vwap.Update(h, l, c, volume[i], session[i]);
    ema_out[i] = ema.Value();
    rsi_out[i] = rsi.Value();
    atr_out[i] = atr.Value();
    const Bands b = bb.Values();
    middle_out[i] = b.middle;
    upper_out[i] = b.upper;
    lower_out[i] = b.lower;
    width_out[i] = b.width;
    vwap_out[i] = vwap.Value();
  }
}

}  // namespace

void FusedBatch(const FusedInputs& in, const FusedOutputs& out, const FusedParams& params) {
  const std::size_t n = in.close.size();
  for (const std::size_t s : {in.high.size(), in.low.size(), in.volume.size(), in.session.size(), out.ema.size(),
                              out.rsi.size(), out.atr.size(), out.bb_middle.size(), out.bb_upper.size(),
                              out.bb_lower.size(), out.bb_width.size(), out.vwap.size()}) {
    TD_CHECK(s == n) << "fused span of length " << s << " where " << n << " was expected";
  }
  FusedLoop(n, in.high.data(), in.low.data(), in.close.data(), in.volume.data(), in.session.data(), out.ema.data(),
            out.rsi.data(), out.atr.data(), out.bb_middle.data(), out.bb_upper.data(), out.bb_lower.data(),
            out.bb_width.data(), out.vwap.data(), params);
}

}  // namespace td::indicators
