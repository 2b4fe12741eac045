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
#include "indicators/ichimoku.hpp"

namespace td::indicators {
namespace {

constexpr std::size_t kBars = 1'000'000;
constexpr std::size_t kBarsPerSession = 390;

struct Data {
  std::vector<double> open, high, low, close, volume;
  std::vector<std::int64_t> session;
  std::vector<std::int32_t> slot;
  std::vector<std::vector<double>> out;

  Data()
      : open(kBars),
        high(kBars),
        low(kBars),
        close(kBars),
        volume(kBars),
        session(kBars),
        slot(kBars),
        out(8, std::vector<double>(kBars)) {
    std::mt19937_64 rng(20240917);
    std::normal_distribution<double> step(0.0, 0.0008);
    std::exponential_distribution<double> wick(2500.0);
    std::lognormal_distribution<double> vol(8.0, 0.7);
    double price = 500.0;
    for (std::size_t i = 0; i < kBars; ++i) {
      open[i] = price;
      price *= std::exp(step(rng));
      close[i] = price;
      high[i] = std::max(open[i], close[i]) * (1.0 + wick(rng));
      low[i] = std::min(open[i], close[i]) * (1.0 - wick(rng));
      volume[i] = std::floor(vol(rng));
      session[i] = static_cast<std::int64_t>(i / kBarsPerSession);
      slot[i] = static_cast<std::int32_t>(i % kBarsPerSession);
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

// The streaming updates still above 5 ns in bench_indicators, each with what its benchmark reads every bar.
template <typename Indicator, typename Step, typename Read>
double Stream(Data& d, Indicator x, Step step, Read read) {
  double sink = 0.0;
  for (std::size_t i = 0; i < kBars; ++i) {
    step(x, d, i);
    sink += read(x);
  }
  return sink;
}

[[gnu::noinline]] double KernelStreamSqueeze(Data& d) {
  return Stream(
      d, Squeeze(), [](Squeeze& x, const Data& b, std::size_t i) { x.Update(b.high[i], b.low[i], b.close[i]); },
      [](const Squeeze& x) { return x.Value(); });
}

[[gnu::noinline]] double KernelStreamAdx(Data& d) {
  return Stream(
      d, Adx(14), [](Adx& x, const Data& b, std::size_t i) { x.Update(b.high[i], b.low[i], b.close[i]); },
      [](const Adx& x) { return x.Value(); });
}

[[gnu::noinline]] double KernelStreamAdxWithDi(Data& d) {
  return Stream(
      d, Adx(14), [](Adx& x, const Data& b, std::size_t i) { x.Update(b.high[i], b.low[i], b.close[i]); },
      [](const Adx& x) { return x.Value() + x.PlusDi() + x.MinusDi(); });
}

[[gnu::noinline]] double KernelStreamStochRsi(Data& d) {
  return Stream(
      d, StochRsi(14, 14), [](StochRsi& x, const Data& b, std::size_t i) { x.Update(b.close[i]); },
      [](const StochRsi& x) { return x.Value(); });
}

[[gnu::noinline]] double KernelStreamVwapBands(Data& d) {
  return Stream(
      d, SessionVwap(),
      [](SessionVwap& x, const Data& b, std::size_t i) {
        x.Update(b.high[i], b.low[i], b.close[i], b.volume[i], b.session[i]);
      },
      [](const SessionVwap& x) { return x.Upper(2.0) + x.Lower(2.0); });
}

[[gnu::noinline]] double KernelStreamRelVolumeTimeOfDay(Data& d) {
  return Stream(
      d, RelVolumeTimeOfDay(390, 20),
      [](RelVolumeTimeOfDay& x, const Data& b, std::size_t i) { x.Update(b.volume[i], b.session[i], b.slot[i]); },
      [](const RelVolumeTimeOfDay& x) { return x.Value() + x.CumulativeValue(); });
}

[[gnu::noinline]] double KernelStreamVolumeFlow(Data& d) {
  return Stream(
      d, VolumeFlow(50), [](VolumeFlow& x, const Data& b, std::size_t i) { x.Update(b.close[i], b.volume[i]); },
      [](const VolumeFlow& x) { return x.Ratio() + x.Imbalance(); });
}

[[gnu::noinline]] double KernelStreamIchimoku(Data& d) {
  return Stream(
      d, Ichimoku(), [](Ichimoku& x, const Data& b, std::size_t i) { x.Update(b.high[i], b.low[i], b.close[i]); },
      [](const Ichimoku& x) {
        return x.Tenkan() + x.Kijun() + x.SenkouA() + x.SenkouB() + x.CloudA() + x.CloudB() + x.LaggedClose();
      });
}

[[gnu::noinline]] double KernelStreamHvCloseToClose(Data& d) {
  return Stream(
      d, HistVolCloseToClose(20, 252.0),
      [](HistVolCloseToClose& x, const Data& b, std::size_t i) { x.Update(b.close[i]); },
      [](const HistVolCloseToClose& x) { return x.Value(); });
}

[[gnu::noinline]] double KernelStreamHvParkinson(Data& d) {
  return Stream(
      d, HistVolParkinson(20, 252.0),
      [](HistVolParkinson& x, const Data& b, std::size_t i) { x.Update(b.high[i], b.low[i]); },
      [](const HistVolParkinson& x) { return x.Value(); });
}

[[gnu::noinline]] double KernelStreamHvGarmanKlass(Data& d) {
  return Stream(
      d, HistVolGarmanKlass(20, 252.0),
      [](HistVolGarmanKlass& x, const Data& b, std::size_t i) {
        x.Update(b.open[i], b.high[i], b.low[i], b.close[i]);
      },
      [](const HistVolGarmanKlass& x) { return x.Value(); });
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
  Report("stream_squeeze", KernelStreamSqueeze, d);
  Report("stream_adx", KernelStreamAdx, d);
  Report("stream_adx_with_di", KernelStreamAdxWithDi, d);
  Report("stream_stoch_rsi", KernelStreamStochRsi, d);
  Report("stream_vwap_bands", KernelStreamVwapBands, d);
  Report("stream_rvol_time_of_day", KernelStreamRelVolumeTimeOfDay, d);
  Report("stream_volume_flow", KernelStreamVolumeFlow, d);
  Report("stream_ichimoku_all", KernelStreamIchimoku, d);
  Report("stream_hv_c2c", KernelStreamHvCloseToClose, d);
  Report("stream_hv_parkinson", KernelStreamHvParkinson, d);
  Report("stream_hv_garman_klass", KernelStreamHvGarmanKlass, d);
  return 0;
}
