// SPDX-License-Identifier: MIT
#pragma once

// Internal to the module: the loops shared by the batch functions (batch.cpp) and the fused pass (fused.cpp),
// so both run literally the same code and stay bitwise identical to each other and to streaming Update/Value.
//
// Each loop copies the indicator into a local (all are trivially copyable, or keep their state in one via
// UpdateMany), so its state lives in registers, and writes it back at the end. Indicators whose value needs a
// division or a square root run in blocks of kBlock bars: a first pass runs the recurrence and parks its raw
// sums per bar, a second pass turns them into values with a branch-free loop the compiler vectorises
// (divpd/sqrtpd on plain SSE2, their 4-wide forms in the AVX2 build: block_kernels.cpp), taking the divider off
// the recurrence's critical path. The finishing formulas are the indicators' own static ones
// (Rsi::FromAverages, Bollinger::BandsOf, VwapAccumulator::ValueOf).

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "indicators/momentum.hpp"
#include "indicators/moving_average.hpp"
#include "indicators/volatility.hpp"
#include "indicators/volume.hpp"

namespace td::indicators::kernels {

/// Bars per block of the two-pass loops: the parked sums (a few arrays of 4 KiB) stay in L1.
inline constexpr std::size_t kBlock = 512;

/// One input, one output, value read after every update.
template <typename Indicator>
void SeriesRun(Indicator& indicator, const double* __restrict src, double* __restrict dst, std::size_t n) {
  static_assert(std::is_trivially_copyable_v<Indicator>);
  Indicator local = indicator;
  for (std::size_t i = 0; i < n; ++i) {
    local.Update(src[i]);
    dst[i] = local.Value();
  }
  indicator = local;
}

/// High/low/close in, one output.
template <typename Indicator>
void HlcRun(Indicator& indicator, const double* __restrict high, const double* __restrict low,
            const double* __restrict close, double* __restrict dst, std::size_t n) {
  static_assert(std::is_trivially_copyable_v<Indicator>);
  Indicator local = indicator;
  for (std::size_t i = 0; i < n; ++i) {
    local.Update(high[i], low[i], close[i]);
    dst[i] = local.Value();
  }
  indicator = local;
}

/// The instruction set a two-pass loop runs in: plain x86-64 (SSE2, two bars per division or square root in the
/// second pass) or AVX2 (four). Both give bitwise the same results: IEEE division and square root round alike at
/// any width, and nothing is contracted into FMA (-std=c++20; AVX2 alone has no FMA).
enum class Isa : std::uint8_t { kBaseline, kAvx2 };

/// The widest Isa this CPU runs (read once per process).
Isa BestIsa();

/// RSI in blocks: pass 1 parks the Wilder averages, pass 2 divides. Readiness is monotone, so the bars before
/// it are a prefix of the block and are set to NaN afterwards. `isa` must be one this CPU runs.
void RsiRun(Rsi& rsi, const double* __restrict close, double* __restrict out, std::size_t n, Isa isa = BestIsa());

/// Bollinger in blocks: pass 1 parks the window sums (shift, s1, s2) in the middle/upper/lower outputs, pass 2
/// turns them into the four lines in place (one sqrt and one division per bar). `isa` as for RsiRun.
void BollingerRun(Bollinger& bb, const double* __restrict close, double* __restrict middle, double* __restrict upper,
                  double* __restrict lower, double* __restrict width, std::size_t n, Isa isa = BestIsa());

/// EMA, ATR and session VWAP in one loop. Each is a serial recurrence whose speed is set by its dependency
/// chain's latency, not by the work; three independent chains in one loop overlap in the CPU, so together they
/// cost about as much as the slowest one. (All five at once spilled registers: RSI and Bollinger keep their
/// own blocked two-pass loops.) Bitwise identical to running the three loops one after another.
///
/// Once the EMA and the ATR are both ready (readiness never goes back), the rest of the block runs their
/// UpdateReady and RawValue: the same arithmetic without the warm-up and readiness tests the loop paid for every
/// bar (56 instructions per bar instead of 63; the fused pass 36.4-37.1 -> 34.7-35.3 cycles per bar).
inline void EmaAtrVwapRun(Ema& ema, Atr& atr, SessionVwap& vwap, const double* __restrict high,
                          const double* __restrict low, const double* __restrict close,
                          const double* __restrict volume, const std::int64_t* __restrict session,
                          double* __restrict ema_out, double* __restrict atr_out, double* __restrict vwap_out,
                          std::size_t n) {
  static_assert(std::is_trivially_copyable_v<Ema> && std::is_trivially_copyable_v<Atr> &&
                std::is_trivially_copyable_v<SessionVwap>);
  Ema e = ema;
  Atr a = atr;
  SessionVwap v = vwap;
  std::size_t i = 0;
  for (; i < n && !(e.Ready() && a.Ready()); ++i) {
    e.Update(close[i]);
    a.Update(high[i], low[i], close[i]);
    v.Update(high[i], low[i], close[i], volume[i], session[i]);
    ema_out[i] = e.Value();
    atr_out[i] = a.Value();
    vwap_out[i] = v.Value();
  }
  for (; i < n; ++i) {
    e.UpdateReady(close[i]);
    a.UpdateReady(high[i], low[i], close[i]);
    v.Update(high[i], low[i], close[i], volume[i], session[i]);
    ema_out[i] = e.RawValue();
    atr_out[i] = a.RawValue();
    vwap_out[i] = v.Value();
  }
  ema = e;
  atr = a;
  vwap = v;
}

/// Session VWAP, one pass. A two-pass form (park the sums, divide in a vectorised loop) measured slower: the
/// division is off the critical path here and the extra stores and loads cost more than it saves.
inline void SessionVwapRun(SessionVwap& vwap, const double* __restrict high, const double* __restrict low,
                           const double* __restrict close, const double* __restrict volume,
                           const std::int64_t* __restrict session, double* __restrict out, std::size_t n) {
  static_assert(std::is_trivially_copyable_v<SessionVwap>);
  SessionVwap local = vwap;
  for (std::size_t i = 0; i < n; ++i) {
    local.Update(high[i], low[i], close[i], volume[i], session[i]);
    out[i] = local.Value();
  }
  vwap = local;
}

}  // namespace td::indicators::kernels
