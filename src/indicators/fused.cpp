// SPDX-License-Identifier: MIT
#include "indicators/fused.hpp"

#include "indicators/block_kernels.hpp"

namespace td::indicators {

namespace {

// Fused by block, not by bar: each indicator runs its own tight loop over a block of bars whose inputs are
// still in L1 from the previous indicator's loop. Interleaving all five per bar (the first version) needed more
// registers than x86-64 has, spilled state and pointers, and was slower than five separate passes; per block
// each loop keeps its state in registers and the inputs are read from memory once.
constexpr std::size_t kFuseBlock = kernels::kBlock;

void FusedLoop(std::size_t n, const FusedInputs& in, const FusedOutputs& out, const FusedParams& params) {
  Ema ema(params.ema_period, params.ema_seed);
  Rsi rsi(params.rsi_period);
  Atr atr(params.atr_period);
  Bollinger bb(params.bb_period, params.bb_k);
  SessionVwap vwap(params.vwap_price);
  const double* const high = in.high.data();
  const double* const low = in.low.data();
  const double* const close = in.close.data();
  for (std::size_t base = 0; base < n; base += kFuseBlock) {
    const std::size_t len = n - base < kFuseBlock ? n - base : kFuseBlock;
    kernels::EmaAtrVwapRun(ema, atr, vwap, high + base, low + base, close + base, in.volume.data() + base,
                           in.session.data() + base, out.ema.data() + base, out.atr.data() + base,
                           out.vwap.data() + base, len);
    kernels::RsiRun(rsi, close + base, out.rsi.data() + base, len);
    kernels::BollingerRun(bb, close + base, out.bb_middle.data() + base, out.bb_upper.data() + base,
                          out.bb_lower.data() + base, out.bb_width.data() + base, len);
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
  FusedLoop(n, in, out, params);
}

}  // namespace td::indicators
