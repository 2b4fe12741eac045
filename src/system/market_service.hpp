// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "model/bar.hpp"

namespace td::adapters::simulator {
class MarketSimulator;
}

namespace td::system {

/// What a chart or history client needs to know about an instrument.
struct InstrumentInfo {
  InstrumentId id;
  std::string time_zone;  // IANA zone of the instrument's exchange session
  int price_precision = 2;
};

/// The market the server shows: today the seeded simulator, brought up to the clock's time whenever it is
/// asked, so history and charts always reach "now". Thread-safe: API handlers call it from I/O threads.
class MarketService {
 public:
  struct Options {
    std::uint64_t seed = 42;
    int history_days = 5;  // sessions of 1-minute history before start
  };

  /// Builds the simulator at the clock's current time. `clock` must outlive the service.
  static Result<std::unique_ptr<MarketService>> StartSimulator(const Options& options, const Clock& clock);
  ~MarketService();

  /// Resolves "EXCHANGE:SYMBOL" exactly, or a bare symbol ("NIFTY", "spy") to the instrument that has it.
  Result<InstrumentInfo> Resolve(std::string_view text) const;
  /// Bars in [from, to), labelled by bar start, oldest first.
  Result<std::vector<Bar>> Bars(const InstrumentId& id, BarSpec spec, UnixNanos from, UnixNanos to);
  std::vector<InstrumentInfo> Instruments() const;
  std::string_view source() const { return "simulator"; }
  UnixNanos Now() const { return clock_.Now(); }

 private:
  MarketService(std::unique_ptr<adapters::simulator::MarketSimulator> simulator, const Clock& clock);
  void CatchUp();

  mutable std::mutex mutex_;
  std::unique_ptr<adapters::simulator::MarketSimulator> simulator_;
  const Clock& clock_;
  std::vector<InstrumentInfo> instruments_;
};

}  // namespace td::system
