// SPDX-License-Identifier: MIT
#include "system/market_service.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "adapters/openalgo/client.hpp"
#include "adapters/polygon/client.hpp"
#include "adapters/replay/replay_client.hpp"
#include "adapters/simulator/market_simulator.hpp"
#include "adapters/simulator/simulator_data_client.hpp"
#include "adapters/tradier/client.hpp"
#include "adapters/yahoo/client.hpp"
#include "calendar/exchange_calendar.hpp"
#include "core/log.hpp"
#include "data/bar_store.hpp"
#include "data/session_source.hpp"
#include "runtime/cache.hpp"
#include "runtime/kernel.hpp"
#include "runtime/message_bus.hpp"

namespace td::system {
namespace {

constexpr BarSpec kOneMinute{1, BarUnit::kMinute};
// A vendor's history request runs on the kernel thread; the slowest adapter times out well within this.
constexpr auto kKernelCallTimeout = std::chrono::seconds(90);

const Logger& MarketLog() {
  static const Logger logger("market");
  return logger;
}

// Catching up discards ticks: nothing subscribes yet; bars are what the simulator keeps.
/// Keeps the last quote of each instrument; trades are in the simulator's own last price.
class KeepLastQuote final : public adapters::simulator::TickSink {
 public:
  explicit KeepLastQuote(std::unordered_map<InstrumentId, QuoteTick>& quotes) : quotes_(quotes) {}
  void OnQuote(const QuoteTick& quote) override {
    auto it = quotes_.find(quote.instrument_id);
    if (it == quotes_.end()) {
      quotes_.emplace(quote.instrument_id, quote);
    } else {
      it->second = quote;
    }
  }
  void OnTrade(const TradeTick&) override {}

 private:
  std::unordered_map<InstrumentId, QuoteTick>& quotes_;
};

/// The chartable underlyings of a simulator, sorted by id (listed option contracts have no spec).
std::vector<InstrumentInfo> SimulatorInstruments(const adapters::simulator::MarketSimulator& simulator) {
  std::vector<InstrumentInfo> out;
  for (const Instrument& instrument : simulator.Instruments()) {
    const auto* spec = simulator.Spec(instrument.id);
    if (spec == nullptr) {
      continue;
    }
    const auto& calendar = calendar::ExchangeCalendar::Get(spec->session_calendar);
    out.push_back({instrument.id, std::string(calendar.time_zone().name()), spec->price_precision});
  }
  std::sort(out.begin(), out.end(), [](const InstrumentInfo& a, const InstrumentInfo& b) { return a.id < b.id; });
  return out;
}

/// The calendar-driven session rule of an exchange (what the feed manager also uses).
data::SessionRule CalendarRule(calendar::Exchange exchange) {
  data::SessionRule rule;
  data::SessionTemplate regular = data::RegularTemplate(exchange);
  rule.time_zone = regular.time_zone;
  rule.sessions = data::CalendarSessions(calendar::ExchangeCalendar::Get(exchange), regular);
  rule.regular = std::move(regular);
  rule.exchange = exchange;
  return rule;
}

/// "NSE:NIFTY, US:SPY" → ids; validated by config, re-checked here because ids have their own rules.
Result<std::vector<InstrumentId>> ParseSymbols(std::string_view text) {
  std::vector<InstrumentId> out;
  std::size_t start = 0;
  while (!text.empty() && start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string item(text.substr(start, comma - start));
    std::erase(item, ' ');
    auto id = InstrumentId::Parse(item);
    if (!id.ok()) {
      return Error::InvalidArgument("data.symbols: " + id.error().message, "data.symbols");
    }
    if (std::find(out.begin(), out.end(), *id) == out.end()) {
      out.push_back(*id);
    }
    start = comma + 1;
  }
  return out;
}

InstrumentInfo VendorInstrument(const InstrumentId& id) {
  const data::SessionRule rule = data::DefaultSessionRule(id);
  return {id, rule.time_zone, 2};
}

/// The setting behind an adapter config's invalid field: its URL, its secret, or the source itself.
std::string SettingFor(std::string_view vendor, std::string_view field) {
  const std::string prefix = "data." + std::string(vendor);
  if (field == "ws_url") {
    return prefix + "_ws_url";
  }
  if (field.find("url") != std::string_view::npos) {
    return prefix + "_url";
  }
  if (field.find("key") != std::string_view::npos) {
    return prefix + "_api_key";
  }
  if (field.find("token") != std::string_view::npos) {
    return prefix + "_token";
  }
  return "data.source";
}

Error VendorSettingError(std::string_view vendor, const Error& error) {
  return Error::InvalidArgument(std::string(vendor) + ": " + error.message, SettingFor(vendor, error.field));
}

bool Streams(const data::DataCapabilities& caps) { return caps.trades || caps.quotes || caps.bars; }

}  // namespace

/// The engine side of a composed market: kernel thread, bus, store, sources, DataEngine and FeedManager.
/// Members are declared so that the engine and feed manager are destroyed before the clients they use.
struct MarketService::Live {
  explicit Live(Clock& clock) : kernel(clock) {}

  runtime::MessageBus bus;
  runtime::Kernel kernel;
  runtime::Cache cache;
  std::unique_ptr<data::BarStore> store;
  std::vector<std::unique_ptr<data::DataClient>> clients;
  std::map<std::string, std::string, std::less<>> roles;  // source name -> "primary" / "backup"
  adapters::simulator::SimulatorDataClient* simulator = nullptr;
  adapters::replay::ReplayClient* replay = nullptr;
  std::unique_ptr<data::DataEngine> engine;
  std::unique_ptr<data::FeedManager> feeds;
  std::thread thread;
  bool running = false;

  /// Runs `work` on the kernel thread and waits for its result.
  template <typename T>
  Result<T> OnKernel(std::function<Result<T>()> work) {
    struct Job {
      std::function<Result<T>()> work;
      std::optional<Result<T>> result;
      std::mutex mutex;
      std::condition_variable done;
    };
    auto job = std::make_shared<Job>();
    job->work = std::move(work);
    const bool posted = kernel.Post([job]() {
      Result<T> result = job->work();
      std::lock_guard lock(job->mutex);
      job->result.emplace(std::move(result));
      job->done.notify_all();
    });
    if (!posted) {
      return Error{ErrorCode::kUnavailable, "the market-data kernel is overloaded; try again", {}};
    }
    std::unique_lock lock(job->mutex);
    if (!job->done.wait_for(lock, kKernelCallTimeout, [&] { return job->result.has_value(); })) {
      return Error{ErrorCode::kTimeout, "the market-data kernel did not answer in time", {}};
    }
    return std::move(*job->result);
  }

  /// Stops the feed manager, disconnects every source (their I/O threads end; sinks are not called again)
  /// and stops the engine. Runs on the kernel thread, or on the owner's thread when no kernel thread runs.
  void StopComponents() {
    if (feeds && feeds->state() == runtime::ComponentState::kRunning) {
      feeds->Stop();
    }
    if (engine) {
      for (const std::string& source : engine->Sources()) {
        engine->Disconnect(source);
      }
      if (engine->state() == runtime::ComponentState::kRunning) {
        engine->Stop();
      }
    }
  }

  /// Stops everything and joins the kernel thread. Idempotent.
  void Shutdown() {
    if (!running) {
      StopComponents();
      return;
    }
    (void)OnKernel<bool>([this]() -> Result<bool> {
      StopComponents();
      return true;
    });
    kernel.Stop();
    thread.join();
    running = false;
  }

  ~Live() { Shutdown(); }
};

MarketService::MarketService(std::string source, std::string backup, const Clock& clock)
    : clock_(clock), source_(std::move(source)), backup_(std::move(backup)) {}

MarketService::~MarketService() {
  if (live_) {
    live_->Shutdown();
  }
}

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
  std::unique_ptr<MarketService> service(new MarketService("simulator", "", clock));
  service->simulator_ = std::make_unique<adapters::simulator::MarketSimulator>(std::move(simulator).value());
  service->instruments_ = SimulatorInstruments(*service->simulator_);
  service->option_underlyings_ = service->simulator_->OptionUnderlyings();
  std::sort(service->option_underlyings_.begin(), service->option_underlyings_.end());
  return service;
}

Result<std::unique_ptr<MarketService>> MarketService::Start(const config::DataConfig& data,
                                                            const std::filesystem::path& data_dir, Clock& clock) {
  if (!data.backup.empty() && data.backup == data.source) {
    return Error::InvalidArgument("the backup source must differ from data.source ('" + data.source + "')",
                                  "data.backup");
  }
  auto symbols = ParseSymbols(data.symbols);
  if (!symbols.ok()) {
    return symbols.error();
  }
  std::unique_ptr<MarketService> service(new MarketService(data.source, data.backup, clock));
  service->live_ = std::make_unique<Live>(clock);
  Live& live = *service->live_;
  live.store = std::make_unique<data::BarStore>(data_dir);

  std::map<InstrumentId, calendar::Exchange> simulated_calendars;
  std::vector<InstrumentInfo> simulated;
  std::vector<InstrumentInfo> replayed;

  // Builds one source by name; the first built is the primary.
  const auto build = [&](const std::string& name, const std::string& role) -> Status {
    std::unique_ptr<data::DataClient> client;
    if (name == "simulator") {
      if (data.history_days < 1 || data.history_days > 60) {
        return Error::InvalidArgument("the simulator needs 1..60 days of history", "data.history_days");
      }
      adapters::simulator::SimulatorConfig config;
      config.seed = data.seed;
      config.start = clock.Now();
      config.history_days = data.history_days;
      auto simulator = adapters::simulator::MarketSimulator::Create(std::move(config));
      if (!simulator.ok()) {
        return simulator.error();
      }
      simulated = SimulatorInstruments(*simulator);
      if (role == "primary") {
        service->option_underlyings_ = simulator->OptionUnderlyings();
      }
      for (const InstrumentInfo& info : simulated) {
        simulated_calendars.emplace(info.id, simulator->Spec(info.id)->session_calendar);
      }
      auto owned =
          std::make_unique<adapters::simulator::SimulatorDataClient>(std::move(simulator).value(), clock);
      live.simulator = owned.get();
      client = std::move(owned);
    } else if (name == "replay") {
      adapters::replay::ReplayConfig config;
      config.pace = adapters::replay::ReplayPace::kWallClock;
      config.speed = static_cast<double>(data.replay_speed);
      auto owned = std::make_unique<adapters::replay::ReplayClient>(config);
      for (const auto& [id, spec] : live.store->List()) {
        if (spec != kOneMinute) {
          continue;
        }
        TD_TRY(owned->AddBarsFromStore(*live.store, id, spec, UnixNanos(INT64_MIN / 2), UnixNanos(INT64_MAX / 2)));
        replayed.push_back(VendorInstrument(id));
      }
      if (replayed.empty()) {
        return Error::NotFound("the replay source found no 1m bars under " + (data_dir / "bars").string() +
                                   " (fill it with `tradedesk import`)",
                               "data.source");
      }
      live.replay = owned.get();
      client = std::move(owned);
    } else if (name == "openalgo") {
      adapters::openalgo::OpenAlgoConfig config;
      if (!data.openalgo_url.empty()) {
        config.rest_base_url = data.openalgo_url;
      }
      if (!data.openalgo_ws_url.empty()) {
        config.ws_url = data.openalgo_ws_url;
      }
      config.api_key = data.openalgo_api_key;
      if (Status valid = config.Validate(); !valid.ok()) {
        return VendorSettingError("openalgo", valid.error());
      }
      client = std::make_unique<adapters::openalgo::OpenAlgoDataClient>(std::move(config));
    } else if (name == "polygon") {
      adapters::polygon::PolygonConfig config;
      if (!data.polygon_url.empty()) {
        config.base_url = data.polygon_url;
      }
      config.api_key = data.polygon_api_key;
      if (Status valid = config.Validate(); !valid.ok()) {
        return VendorSettingError("polygon", valid.error());
      }
      client = std::make_unique<adapters::polygon::PolygonDataClient>(std::move(config));
    } else if (name == "yahoo") {
      adapters::yahoo::YahooConfig config;
      if (!data.yahoo_url.empty()) {
        config.base_url = data.yahoo_url;
      }
      if (Status valid = config.Validate(); !valid.ok()) {
        return VendorSettingError("yahoo", valid.error());
      }
      client = std::make_unique<adapters::yahoo::YahooDataClient>(std::move(config));
    } else if (name == "tradier") {
      adapters::tradier::TradierConfig config;
      if (!data.tradier_url.empty()) {
        config.base_url = data.tradier_url;
      }
      config.token = data.tradier_token;
      if (Status valid = config.Validate(); !valid.ok()) {
        return VendorSettingError("tradier", valid.error());
      }
      client = std::make_unique<adapters::tradier::TradierDataClient>(std::move(config));
    } else {
      return Error::InvalidArgument("unknown data source '" + name + "'", role == "primary" ? "data.source"
                                                                                              : "data.backup");
    }
    live.roles.emplace(std::string(client->name()), role);
    live.clients.push_back(std::move(client));
    return {};
  };
  TD_TRY(build(data.source, "primary"));
  if (!data.backup.empty()) {
    TD_TRY(build(data.backup, "backup"));
  }

  // The universe: what the primary lists, else the configured symbols (vendor universes are open).
  if (data.source == "simulator") {
    service->instruments_ = simulated;
  } else if (data.source == "replay") {
    service->instruments_ = replayed;
  } else {
    service->open_universe_ = true;
  }
  for (const InstrumentId& id : *symbols) {
    const bool listed = std::any_of(service->instruments_.begin(), service->instruments_.end(),
                                    [&](const InstrumentInfo& info) { return info.id == id; });
    if (!listed) {
      if (!service->open_universe_) {
        return Error::NotFound("data.symbols: " + id.value() + " is not served by " + data.source, "data.symbols");
      }
      service->instruments_.push_back(VendorInstrument(id));
    }
  }

  data::DataEngineConfig engine_config;
  // Synthetic and replayed bars never go to the store: only real vendor bars are worth keeping.
  engine_config.persist_bars = data.source != "simulator" && data.source != "replay";
  if (!data.backup.empty()) {
    // A forming bar is closed by time only once the feed could have failed over (threshold + one check), so
    // a primary that dies late in a bar never gets that bar published incomplete: the backup's history fills it.
    engine_config.bar_close_delay = std::chrono::milliseconds(data.staleness_ms) + std::chrono::seconds(1);
  }
  engine_config.session_rule = [simulated_calendars](const InstrumentId& id) {
    auto it = simulated_calendars.find(id);
    return it != simulated_calendars.end() ? CalendarRule(it->second) : data::DefaultSessionRule(id);
  };
  live.engine = std::make_unique<data::DataEngine>(live.bus, live.kernel, &live.cache,
                                                   data.source == "simulator" ? nullptr : live.store.get(),
                                                   std::move(engine_config));
  live.engine->Start();
  std::size_t connected = 0;
  for (const auto& client : live.clients) {
    TD_TRY(live.engine->AddClient(*client));
    const std::string name(client->name());
    if (Status status = live.engine->Connect(name); status.ok()) {
      ++connected;
    } else {
      MarketLog().Warn("data source did not connect", {{"source", name}, {"error", status.error().ToString()}});
    }
  }
  if (connected == 0) {
    const data::FeedStatus* status = live.engine->SourceStatus(data.source);
    return Error{ErrorCode::kUnavailable,
                 "no data source could connect (" + data.source + ": " +
                     (status != nullptr ? status->last_error : std::string("unknown")) + ")",
                 "data.source"};
  }

  // One feed per exchange: 1-minute bars of each instrument on the primary, hot standby on the backup.
  live.feeds = std::make_unique<data::FeedManager>(live.bus, clock, *live.engine);
  live.feeds->Start();
  const data::DataClient& primary = *live.clients.front();
  // What plays live: data.symbols, else everything the simulator or the store has.
  std::vector<InstrumentId> streamed = *symbols;
  if (streamed.empty() && (data.source == "simulator" || data.source == "replay")) {
    for (const InstrumentInfo& info : data.source == "simulator" ? simulated : replayed) {
      streamed.push_back(info.id);
    }
  }
  if (Streams(primary.capabilities()) && data.source != "replay") {
    std::map<std::string, data::FeedConfig> groups;
    for (const InstrumentId& id : streamed) {
      auto sim = simulated_calendars.find(id);
      const std::string group =
          sim != simulated_calendars.end() ? std::string(calendar::ExchangeName(sim->second)) : std::string(id.exchange());
      data::FeedConfig& feed = groups[group];
      feed.name = group;
      feed.primary = data.source;
      const bool backup_streams = !data.backup.empty() && Streams(live.clients.back()->capabilities());
      feed.fallback = backup_streams ? data.backup : std::string();
      feed.subscriptions.push_back(data::Subscription{id, data::DataKind::kBars, kOneMinute});
      feed.default_staleness = std::chrono::milliseconds(data.staleness_ms);
      feed.failback_after = std::chrono::milliseconds(data.failback_ms);
      if (sim != simulated_calendars.end()) {
        feed.exchange = sim->second;
      }
    }
    for (auto& [group, feed] : groups) {
      if (Status added = live.feeds->AddFeed(feed); !added.ok()) {
        return Error{added.error().code, "feed " + group + ": " + added.error().message, "data.symbols"};
      }
    }
  } else if (data.source == "replay") {
    for (const InstrumentId& id : streamed) {
      TD_TRY(live.engine->Subscribe(data::Subscription{id, data::DataKind::kBars, kOneMinute}, "replay"));
    }
  }
  if (live.replay != nullptr && data.source == "replay") {
    TD_TRY(live.replay->Start());
  }
  std::sort(service->instruments_.begin(), service->instruments_.end(),
            [](const InstrumentInfo& a, const InstrumentInfo& b) { return a.id < b.id; });
  live.thread = std::thread([&live] { live.kernel.Run(); });
  live.running = true;
  MarketLog().Info("market started", {{"source", data.source},
                                      {"backup", data.backup},
                                      {"instruments", static_cast<std::int64_t>(service->instruments_.size())},
                                      {"feeds", static_cast<std::int64_t>(live.feeds->Snapshot().size())}});
  return service;
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
    if (open_universe_) {
      return VendorInstrument(*id);
    }
    return Error::NotFound("no instrument '" + id->value() + "' in the " + source_, "symbol");
  }
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  for (const InstrumentInfo& info : instruments_) {
    if (info.id.symbol() == upper) {
      return info;
    }
  }
  return Error::NotFound("no instrument with symbol '" + upper + "' in the " + source_, "symbol");
}

void MarketService::CatchUp() {
  const UnixNanos now = clock_.Now();
  if (now > simulator_->Now()) {
    KeepLastQuote sink(sim_quotes_);
    simulator_->AdvanceTo(now, sink);
  }
}

Result<std::vector<Bar>> MarketService::Bars(const InstrumentId& id, BarSpec spec, UnixNanos from, UnixNanos to) {
  if (!(from < to)) {
    return Error::InvalidArgument("'from' must be before 'to'", "from");
  }
  if (simulator_) {
    std::lock_guard lock(mutex_);
    CatchUp();
    return simulator_->History(id, spec, from, to);
  }
  Live& live = *live_;
  if (live.simulator != nullptr && source_ == "simulator") {
    // The simulator keeps every bar itself (the forming one included); the engine adds nothing to history.
    live.simulator->Pump(clock_.Now());
    return live.simulator->RequestBars(id, spec, from, to);
  }
  data::DataEngine* engine = live.engine.get();
  return live.OnKernel<std::vector<Bar>>([engine, id, spec, from, to]() { return engine->History(id, spec, from, to); });
}

std::vector<InstrumentInfo> MarketService::Instruments() const { return instruments_; }

Result<MarketQuote> MarketService::Quote(const InstrumentId& id) {
  const UnixNanos now = clock_.Now();
  MarketQuote out;
  out.id = id;
  // Session figures from daily bars: the last one is today's (forming) session, the one before it closed.
  auto daily = Bars(id, BarSpec{1, BarUnit::kDay}, now - std::chrono::hours(24 * 14), now + std::chrono::hours(24));
  if (!daily.ok()) {
    return daily.error();
  }
  if (!daily->empty()) {
    const Bar& today = daily->back();
    // The quote speaks for the bar's last update (ts_init, when a source keeps it), not for the session's open,
    // which is all ts_event says (a stored bar's ts_init is its ts_event, so it keeps that).
    out.ts = today.ts_event < today.ts_init && today.ts_init <= now ? today.ts_init : today.ts_event;
    out.ltp = today.close;
    out.open = today.open;
    out.high = today.high;
    out.low = today.low;
    out.volume = today.volume;
    if (daily->size() >= 2) {
      out.prev_close = (*daily)[daily->size() - 2].close;
    }
  }
  std::optional<QuoteTick> quote;
  std::optional<Price> last;
  if (simulator_) {
    std::lock_guard lock(mutex_);
    CatchUp();
    if (auto it = sim_quotes_.find(id); it != sim_quotes_.end()) {
      quote = it->second;
    }
    last = simulator_->LastPrice(id);
  } else {
    Live& live = *live_;
    bool subscribe = false;
    {
      std::lock_guard lock(mutex_);
      subscribe = quote_subscribed_.insert(id).second;
    }
    const std::string primary = source_;
    if (subscribe) {
      (void)live.OnKernel<bool>([&live, id, primary]() -> Result<bool> {
        (void)live.engine->Subscribe(data::Subscription{id, data::DataKind::kQuotes, {}}, primary);
        (void)live.engine->Subscribe(data::Subscription{id, data::DataKind::kTrades, {}}, primary);
        return true;
      });
    }
    if (live.simulator != nullptr && source_ == "simulator") {
      live.simulator->Pump(now);
    }
    auto seen = live.OnKernel<std::pair<std::optional<QuoteTick>, std::optional<Price>>>(
        [&live, id]() -> Result<std::pair<std::optional<QuoteTick>, std::optional<Price>>> {
          std::pair<std::optional<QuoteTick>, std::optional<Price>> result;
          if (const QuoteTick* q = live.cache.Quote(id)) {
            result.first = *q;
          }
          if (const TradeTick* t = live.cache.Trade(id)) {
            result.second = t->price;
          }
          return result;
        });
    if (seen.ok()) {
      quote = seen->first;
      last = seen->second;
    }
  }
  if (quote.has_value()) {
    out.bid = quote->bid;
    out.ask = quote->ask;
    out.bid_size = quote->bid_size;
    out.ask_size = quote->ask_size;
    if (quote->ts_event > out.ts) {
      out.ts = quote->ts_event;
    }
  }
  if (last.has_value() && last->is_positive()) {
    out.ltp = *last;
    if (out.high.is_positive() && out.ltp > out.high) {
      out.high = out.ltp;
    }
    if (out.low.is_positive() && out.ltp < out.low) {
      out.low = out.ltp;
    }
  }
  if (!out.ltp.is_positive() && !quote.has_value()) {
    return Error::NotFound("no price yet for " + std::string(id.value()), "symbol");
  }
  return out;
}

Result<OptionChain> MarketService::Chain(const InstrumentId& underlying, std::optional<CivilDate> expiry) {
  if (simulator_) {
    std::lock_guard lock(mutex_);
    CatchUp();
    auto chain = simulator_->Chain(underlying, simulator_->Now());
    if (!chain.ok() || !expiry.has_value()) {
      return chain;
    }
    std::erase_if(chain->expiries, [&](const ExpirySlice& slice) { return slice.expiry != *expiry; });
    if (chain->expiries.empty()) {
      char date[16];
      std::snprintf(date, sizeof date, "%04d-%02d-%02d", expiry->year, expiry->month, expiry->day);
      return Error::NotFound("no listed expiry " + std::string(date) + " for " + std::string(underlying.value()),
                             "expiry");
    }
    return chain;
  }
  Live& live = *live_;
  if (live.simulator != nullptr && source_ == "simulator") {
    live.simulator->Pump(clock_.Now());
    return live.simulator->RequestChain(underlying, expiry);
  }
  data::DataClient* primary = live.clients.front().get();
  return live.OnKernel<OptionChain>([primary, underlying, expiry]() { return primary->RequestChain(underlying, expiry); });
}

Result<FeedsSnapshot> MarketService::Feeds() const {
  if (!live_) {
    FeedsSnapshot empty;
    empty.taken_at = clock_.Now();
    return empty;
  }
  Live& live = *live_;
  return live.OnKernel<FeedsSnapshot>([&live]() -> Result<FeedsSnapshot> {
    FeedsSnapshot snapshot;
    snapshot.taken_at = live.kernel.clock().Now();
    snapshot.feeds = live.feeds->Snapshot();
    const data::DataEngineCounters counters = live.engine->Counters();
    for (const data::SourceCounters& source : counters.sources) {
      SourceHealth health;
      health.counters = source;
      if (const data::FeedStatus* status = live.engine->SourceStatus(source.source)) {
        health.status = *status;
      }
      health.status.source = source.source;
      auto role = live.roles.find(source.source);
      health.role = role != live.roles.end() ? role->second : std::string();
      snapshot.sources.push_back(std::move(health));
    }
    snapshot.bars_closed = counters.bars_closed;
    snapshot.backfill_requests = counters.backfill_requests;
    snapshot.backfilled_bars = counters.backfilled_bars;
    snapshot.persist_errors = counters.persist_errors;
    snapshot.kernel_queue_drops = live.kernel.messages_dropped();
    return snapshot;
  });
}

}  // namespace td::system
