// SPDX-License-Identifier: MIT
#include "system/market_service.hpp"

#include <algorithm>

#include "adapters/simulator/market_simulator.hpp"
#include "calendar/exchange_calendar.hpp"

namespace td::system {
namespace {

// Catching up discards ticks: nothing subscribes yet; bars are what the simulator keeps.
class DiscardTicks final : public adapters::simulator::TickSink {
 public:
  void OnQuote(const QuoteTick&) override {}
  void OnTrade(const TradeTick&) override {}
};

}  // namespace

MarketService::MarketService(std::unique_ptr<adapters::simulator::MarketSimulator> simulator, const Clock& clock)
    : simulator_(std::move(simulator)), clock_(clock) {
  for (const Instrument& instrument : simulator_->Instruments()) {
    const auto* spec = simulator_->Spec(instrument.id);
    if (spec == nullptr) {
      continue;  // listed option contracts are not chartable underlyings
    }
    const auto& calendar = calendar::ExchangeCalendar::Get(spec->session_calendar);
    instruments_.push_back({instrument.id, std::string(calendar.time_zone().name()), spec->price_precision});
  }
  std::sort(instruments_.begin(), instruments_.end(),
            [](const InstrumentInfo& a, const InstrumentInfo& b) { return a.id < b.id; });
}

MarketService::~MarketService() = default;

Result<std::unique_ptr<MarketService>> MarketService::StartSimulator(const Options& options, const Clock& clock) {
  if (options.history_days < 1 || options.history_days > 60) {
    return Error::InvalidArgument("history days must be within 1..60", "data.history_days");
  }
  adapters::simulator::SimulatorConfig config;
  config.seed = options.seed;
  config.start = clock.Now();
  config.history_days = options.history_days;
  auto simulator = adapters::simulator::MarketSimulator::Create(std::move(config));
  if (!simulator.ok()) {
    return simulator.error();
  }
  auto owned = std::make_unique<adapters::simulator::MarketSimulator>(std::move(simulator).value());
  return std::unique_ptr<MarketService>(new MarketService(std::move(owned), clock));
}

Result<InstrumentInfo> MarketService::Resolve(std::string_view text) const {
  if (text.find(':') != std::string_view::npos) {
    auto id = InstrumentId::Parse(text);
    if (!id.ok()) {
      return id.error();
    }
    for (const InstrumentInfo& info : instruments_) {
      if (info.id == *id) {
        return info;
      }
    }
    return Error::NotFound("no instrument '" + id->value() + "' in the " + std::string(source()), "symbol");
  }
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  for (const InstrumentInfo& info : instruments_) {
    if (info.id.symbol() == upper) {
      return info;
    }
  }
  return Error::NotFound("no instrument with symbol '" + upper + "' in the " + std::string(source()), "symbol");
}

void MarketService::CatchUp() {
  const UnixNanos now = clock_.Now();
  if (now > simulator_->Now()) {
    DiscardTicks sink;
    simulator_->AdvanceTo(now, sink);
  }
}

Result<std::vector<Bar>> MarketService::Bars(const InstrumentId& id, BarSpec spec, UnixNanos from, UnixNanos to) {
  if (!(from < to)) {
    return Error::InvalidArgument("'from' must be before 'to'", "from");
  }
  std::lock_guard lock(mutex_);
  CatchUp();
  return simulator_->History(id, spec, from, to);
}

std::vector<InstrumentInfo> MarketService::Instruments() const { return instruments_; }

}  // namespace td::system
