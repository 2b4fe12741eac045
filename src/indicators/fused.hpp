// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <span>

#include "indicators/moving_average.hpp"
#include "indicators/volume.hpp"

namespace td::indicators {

/// Parameters of the fused pass; each matches the same-named batch function's parameter.
struct FusedParams {
  int ema_period = 20;
  EmaSeed ema_seed = EmaSeed::kSma;
  int rsi_period = 14;
  int atr_period = 14;
  int bb_period = 20;
  double bb_k = 2.0;
  VwapPrice vwap_price = VwapPrice::kTypical;
};

/// The bars the fused pass reads: EMA, RSI and Bollinger use the close; ATR high/low/close; the session VWAP
/// all four plus the session keys.
struct FusedInputs {
  std::span<const double> high, low, close, volume;
  std::span<const std::int64_t> session;
};

/// Where the fused pass writes; all spans as long as the inputs.
struct FusedOutputs {
  std::span<double> ema, rsi, atr, bb_middle, bb_upper, bb_lower, bb_width, vwap;
};

/// EMA, RSI, ATR, Bollinger and session VWAP block by block (512 bars, each indicator's loop over a block while it
/// is in cache): the inputs are read from memory once instead of five times. Bitwise identical to EmaBatch, RsiBatch,
/// AtrBatch, BollingerBatch and SessionVwapBatch.
void FusedBatch(const FusedInputs& in, const FusedOutputs& out, const FusedParams& params = {});

}  // namespace td::indicators
