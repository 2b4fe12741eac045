// SPDX-License-Identifier: MIT
#include "indicators/block_kernels.hpp"

namespace td::indicators::kernels {

// Each two-pass loop is compiled twice, for plain x86-64 and for AVX2, from one body; RsiRun and BollingerRun
// pick one per call (BestIsa() by default; tests run both). The AVX2 build's second pass divides and takes square
// roots four bars per instruction instead of two. In four interleaved runs (10 million bars, minimum of three
// repetitions, AMD EPYC): Bollinger batch 3.0-3.1 -> 2.4-2.9 ns/bar, RSI batch 2.2-2.3 -> 2.0-2.1, the fused pass
// 8.9-9.4 -> 8.1-8.5 in three runs and 9.5 in one. AVX-512 measured no better than AVX2 there.
//
// Each whole run is compiled twice, not its second pass alone: a call between the passes clobbers every xmm
// register (none is callee-saved), and GCC then kept pass 1's running sums on the stack for the whole loop
// (Bollinger batch 3.1 -> 5.0 ns/bar).
#if defined(__x86_64__) && defined(__GNUC__)
#define TD_KERNELS_AVX2 1
#else
#define TD_KERNELS_AVX2 0
#endif

namespace {

[[gnu::always_inline]] inline void RsiBody(Rsi& rsi, const double* __restrict close, double* __restrict out,
                                           std::size_t n) {
  static_assert(std::is_trivially_copyable_v<Rsi>);
  Rsi local = rsi;
  double loss[kBlock];
  for (std::size_t base = 0; base < n; base += kBlock) {
    const std::size_t len = n - base < kBlock ? n - base : kBlock;
    const double* const c = close + base;
    double* const o = out + base;
    std::size_t not_ready = 0;
    for (std::size_t j = 0; j < len; ++j) {
      local.Update(c[j]);
      not_ready = local.Ready() ? not_ready : j + 1;
      o[j] = local.RawAverageGain();
      loss[j] = local.RawAverageLoss();
    }
    for (std::size_t j = 0; j < len; ++j) {
      o[j] = Rsi::FromAverages(o[j], loss[j]);
    }
    for (std::size_t j = 0; j < not_ready; ++j) {
      o[j] = kNaN;
    }
  }
  rsi = local;
}

[[gnu::always_inline]] inline void BollingerBody(Bollinger& bb, const double* __restrict close,
                                                 double* __restrict middle, double* __restrict upper,
                                                 double* __restrict lower, double* __restrict width, std::size_t n) {
  const int period = bb.period();
  const double inv_period = bb.inv_period();
  const double k = bb.k();
  for (std::size_t base = 0; base < n; base += kBlock) {
    const std::size_t len = n - base < kBlock ? n - base : kBlock;
    double* const mid = middle + base;
    double* const up = upper + base;
    double* const lo = lower + base;
    double* const wid = width + base;
    std::size_t not_ready = 0;
    bb.UpdateMany(close + base, len, [&](std::size_t j, const RollingMoments::State& st) {
      not_ready = st.count < period ? j + 1 : not_ready;
      mid[j] = st.shift;
      up[j] = st.s1;
      lo[j] = st.s2;
    });
    for (std::size_t j = 0; j < len; ++j) {
      RollingMoments::State st;
      st.shift = mid[j];
      st.s1 = up[j];
      st.s2 = lo[j];
      const Bands b = Bollinger::BandsOf(st, inv_period, k);
      mid[j] = b.middle;
      up[j] = b.upper;
      lo[j] = b.lower;
      wid[j] = b.width;
    }
    for (std::size_t j = 0; j < not_ready; ++j) {
      mid[j] = up[j] = lo[j] = wid[j] = kNaN;
    }
  }
}

#if TD_KERNELS_AVX2
[[gnu::target("avx2")]] void RsiAvx2(Rsi& rsi, const double* __restrict close, double* __restrict out, std::size_t n) {
  RsiBody(rsi, close, out, n);
}

[[gnu::target("avx2")]] void BollingerAvx2(Bollinger& bb, const double* __restrict close, double* __restrict middle,
                                           double* __restrict upper, double* __restrict lower, double* __restrict width,
                                           std::size_t n) {
  BollingerBody(bb, close, middle, upper, lower, width, n);
}
#endif

void CheckRunnable(Isa isa) {
  TD_CHECK(isa == Isa::kBaseline || BestIsa() == Isa::kAvx2) << "AVX2 kernels asked for on a CPU without AVX2";
}

}  // namespace

Isa BestIsa() {
#if TD_KERNELS_AVX2
  static const Isa best = __builtin_cpu_supports("avx2") ? Isa::kAvx2 : Isa::kBaseline;
  return best;
#else
  return Isa::kBaseline;
#endif
}

void RsiRun(Rsi& rsi, const double* __restrict close, double* __restrict out, std::size_t n, Isa isa) {
  CheckRunnable(isa);
#if TD_KERNELS_AVX2
  if (isa == Isa::kAvx2) {
    RsiAvx2(rsi, close, out, n);
    return;
  }
#endif
  RsiBody(rsi, close, out, n);
}

void BollingerRun(Bollinger& bb, const double* __restrict close, double* __restrict middle, double* __restrict upper,
                  double* __restrict lower, double* __restrict width, std::size_t n, Isa isa) {
  CheckRunnable(isa);
#if TD_KERNELS_AVX2
  if (isa == Isa::kAvx2) {
    BollingerAvx2(bb, close, middle, upper, lower, width, n);
    return;
  }
#endif
  BollingerBody(bb, close, middle, upper, lower, width, n);
}

}  // namespace td::indicators::kernels
