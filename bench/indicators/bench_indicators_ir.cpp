// SPDX-License-Identifier: MIT
// Load-independent evidence for the indicator kernels: each kernel runs once over kBars synthetic bars inside
// its own non-inlined Kernel* function, so `valgrind --tool=callgrind` plus `callgrind_annotate --inclusive=yes`
// gives instructions per bar (inclusive Ir of Kernel* / kBars). Run natively it prints CPU ns per bar of one
// pass each, which is only indicative on a loaded machine. See src/indicators/README.md, "Performance".
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <random>
#include <vector>

#include "indicators/batch.hpp"
#include "indicators/fused.hpp"

namespace td::indicators {
namespace {

constexpr std::size_t kBars = 1'000'000;
constexpr std::size_t kBarsPerSession = 390;

struct Data {
  std::vector<double> high, low, close, volume;
  std::vector<std::int64_t> session;
  std::vector<std::vector<double>> out;

  Data() : high(kBars), low(kBars), close(kBars), volume(kBars), session(kBars), out(8, std::vector<double>(kBars)) {
    std::mt19937_64 rng(20240917);
    std::normal_distribution<double> step(0.0, 0.0008);
    std::exponential_distribution<double> wick(2500.0);
    std::lognormal_distribution<double> vol(8.0, 0.7);
    double price = 500.0;
    for (std::size_t i = 0; i < kBars; ++i) {
      const double open = price;
      price *= std::exp(step(rng));
      close[i] = price;
      high[i] = std::max(open, close[i]) * (1.0 + wick(rng));
      low[i] = std::min(open, close[i]) * (1.0 - wick(rng));
      volume[i] = std::floor(vol(rng));
      session[i] = static_cast<std::int64_t>(i / kBarsPerSession);
    }
  }
};

[[gnu::noinline]] double KernelFused(Data& d) {
  FusedBatch(FusedInputs{d.high, d.low, d.close, d.volume, d.session},
             FusedOutputs{d.out[0], d.out[1], d.out[2], d.out[3], d.out[4], d.out[5], d.out[6], d.out[7]});
  return d.out[4][kBars - 1];
}

[[gnu::noinline]] double KernelBollingerBatch(Data& d) {
  BollingerBatch(d.close, BandsOut{d.out[0], d.out[1], d.out[2], d.out[3]}, 20, 2.0);
  return d.out[1][kBars - 1];
}

[[gnu::noinline]] double KernelSessionVwapBatch(Data& d) {
  SessionVwapBatch(d.high, d.low, d.close, d.volume, d.session, d.out[0]);
  return d.out[0][kBars - 1];
}

[[gnu::noinline]] double KernelStreamBollinger(Data& d) {
  Bollinger bb(20, 2.0);
  double sink = 0.0;
  for (std::size_t i = 0; i < kBars; ++i) {
    bb.Update(d.close[i]);
    const Bands b = bb.Values();
    sink += b.upper + b.lower + b.width;
  }
  return sink;
}

[[gnu::noinline]] double KernelStreamSessionVwap(Data& d) {
  SessionVwap vwap;
  double sink = 0.0;
  for (std::size_t i = 0; i < kBars; ++i) {
    vwap.Update(d.high[i], d.low[i], d.close[i], d.volume[i], d.session[i]);
    sink += vwap.Value();
  }
  return sink;
}

[[gnu::noinline]] double KernelStreamRsi(Data& d) {
  Rsi rsi(14);
  double sink = 0.0;
  for (std::size_t i = 0; i < kBars; ++i) {
    rsi.Update(d.close[i]);
    sink += rsi.Value();
  }
  return sink;
}

[[gnu::noinline]] double KernelStreamAtr(Data& d) {
  Atr atr(14);
  double sink = 0.0;
  for (std::size_t i = 0; i < kBars; ++i) {
    atr.Update(d.high[i], d.low[i], d.close[i]);
    sink += atr.Value();
  }
  return sink;
}

[[gnu::noinline]] double KernelStreamEma(Data& d) {
  Ema ema(20);
  double sink = 0.0;
  for (std::size_t i = 0; i < kBars; ++i) {
    ema.Update(d.close[i]);
    sink += ema.Value();
  }
  return sink;
}

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

void Report(const char* name, double (*kernel)(Data&), Data& d) {
  const double start = CpuSeconds();
  const double check = kernel(d);
  const double ns = (CpuSeconds() - start) * 1e9 / static_cast<double>(kBars);
  std::printf("%-24s %6.2f ns/bar (checksum %.6g)\n", name, ns, check);
}

}  // namespace
}  // namespace td::indicators

int main() {
  using namespace td::indicators;
  Data d;
  Report("fused", KernelFused, d);
  Report("bollinger_batch", KernelBollingerBatch, d);
  Report("session_vwap_batch", KernelSessionVwapBatch, d);
  Report("stream_bollinger", KernelStreamBollinger, d);
  Report("stream_session_vwap", KernelStreamSessionVwap, d);
  Report("stream_rsi", KernelStreamRsi, d);
  Report("stream_atr", KernelStreamAtr, d);
  Report("stream_ema", KernelStreamEma, d);
  return 0;
}
