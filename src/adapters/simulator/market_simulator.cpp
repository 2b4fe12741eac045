// SPDX-License-Identifier: MIT
#include "adapters/simulator/market_simulator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "adapters/simulator/chain_generator.hpp"
#include "adapters/simulator/random.hpp"
#include "adapters/simulator/vol_surface.hpp"
#include "calendar/exchange_calendar.hpp"
#include "core/check.hpp"

namespace td::adapters::simulator {
namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::int64_t kMinuteNanos = 60 * kNanosPerSecond;
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
constexpr double kTradingDaysPerYear = 252.0;
constexpr double kYearNanos = 365.0 * 86'400.0 * 1e9;
constexpr double kVolIndexYears = 30.0 / 365.0;

// U-shaped intraday profiles 1 + a e^{-tau/w} + b e^{-(1-tau)/w}, normalised to mean 1 over the session.
struct Profile {
  double a;
  double b;
  double w;
  double Norm() const { return 1.0 + (a + b) * w * (1.0 - std::exp(-1.0 / w)); }
  double At(double tau) const { return (1.0 + a * std::exp(-tau / w) + b * std::exp(-(1.0 - tau) / w)) / Norm(); }
  // Integral of At over [0, tau].
  double Cumulative(double tau) const {
    return (tau + a * w * (1.0 - std::exp(-tau / w)) + b * w * (std::exp(-(1.0 - tau) / w) - std::exp(-1.0 / w))) /
           Norm();
  }
};
constexpr Profile kVolatilityProfile{1.2, 0.5, 0.08};
constexpr Profile kVolumeProfile{2.2, 1.6, 0.07};

enum class Regime : std::uint8_t { kRange, kTrendUp, kTrendDown };
enum class Mode : std::uint8_t { kBars, kTicks };

struct CalendarCursor {
  calendar::Exchange exchange = calendar::Exchange::kNyse;
  const calendar::ExchangeCalendar* cal = nullptr;
  CivilDate first_date;   // first session simulated
  CivilDate minute_from;  // first session whose 1-minute bars are kept
  CivilDate date;
  std::int64_t open = kNever;
  std::int64_t close = kNever;
  bool loaded = false;
  bool exhausted = false;

  bool ActiveAt(std::int64_t t) const { return loaded && t >= open && t < close; }
};

struct GroupState {
  const MarketParams* params = nullptr;
  int primary_cursor = -1;
  std::vector<int> members;  // instrument indices, universe order
  Rng rng;
  double h = 0.0;
  double h_bar = 0.0;
  double kappa_year = 0.0;
  double factor = 0.0;  // cumulative log factor
  double anchor = 0.0;
  Regime regime = Regime::kRange;
  CivilDate day;
  bool has_day = false;
  std::int64_t state_time = 0;
  double last_return = 0.0;
  double last_diffusive_var = 0.0;  // factor diffusion variance of the last step (log units)
  double jump_sd = 0.0;             // jump size sd in daily sds
};

struct InstrumentState {
  const UnderlyingSpec* spec = nullptr;
  const UnderlyingSpec* linked = nullptr;  // vol index: the underlying whose surface it shows
  Instrument instrument;
  int group = 0;
  int cursor = 0;
  Rng rng;
  double log_p0 = 0.0;
  double idio = 0.0;
  double drift = 0.0;
  double idio_var = 0.0;
  double log_price = 0.0;
  double price = 0.0;
  double step_var = 0.0;
  std::int64_t tick_raw = 0;
  double tick = 0.0;
  CivilDate day;
  bool has_day = false;
  double day_volume_factor = 1.0;
  double prev_close = 0.0;
  Bar minute;
  bool minute_open = false;
  std::vector<Bar> minutes;
  Bar daily;
  bool daily_open = false;
  CivilDate daily_date;
  std::vector<Bar> dailies;
  std::vector<CivilDate> daily_dates;
  std::vector<std::int64_t> session_opens;  // the open of each daily bar, and of the forming one last
  QuoteTick quote;
  TradeTick trade;
};

std::int64_t AlignUp(std::int64_t t, std::int64_t step) {
  const std::int64_t r = t % step;
  return r == 0 ? t : t + (step - r);
}

// The GARCH innovation with asymmetry: (1 + g) z^2 after a fall, (1 - g) z^2 after a rise, minus 1. Mean zero
// (so E[h] stays the long-run level), variance 2 + 3 g^2, correlation with z of -2 g sqrt(2/pi)/sqrt(2 + 3 g^2).
double LeveragedShock(double z, double leverage) {
  return (z < 0.0 ? 1.0 + leverage : 1.0 - leverage) * z * z - 1.0;
}

bool IsQuoted(const UnderlyingSpec& spec) {
  return spec.kind == UnderlyingKind::kEtf || spec.kind == UnderlyingKind::kStock;
}

bool IsOptionable(const UnderlyingSpec& spec) {
  return spec.option_symbology != OptionSymbology::kNone;
}

double IdioVar(const UnderlyingSpec& spec) {
  const double sys = spec.beta * ParamsOf(spec.market).factor_vol;
  return std::max(0.0, spec.annual_vol * spec.annual_vol - sys * sys);
}

}  // namespace

struct MarketSimulator::Impl {
  SimulatorConfig config;
  std::vector<CalendarCursor> cursors;
  std::vector<GroupState> groups;
  std::vector<InstrumentState> states;
  std::vector<Instrument> instruments;
  std::map<InstrumentId, int> index;
  std::int64_t now = 0;
  std::int64_t step = kNanosPerSecond;
  std::uint64_t emitted = 0;
  struct ListingCache {
    CivilDate date;
    std::vector<calendar::Expiry> expiries;
  };
  mutable std::map<std::string, ListingCache, std::less<>> listing_cache;

  // --- setup ---------------------------------------------------------------------------------------------
  Status Init();
  Result<CivilDate> SessionsBack(const calendar::ExchangeCalendar& cal, CivilDate from, int sessions) const;
  int CursorFor(calendar::Exchange exchange);

  // --- stepping ------------------------------------------------------------------------------------------
  Status LoadSession(CalendarCursor& c, CivilDate date);
  void Sync(CalendarCursor& c, std::int64_t t);
  void Run(std::int64_t from, std::int64_t to, std::int64_t step_ns, Mode mode, TickSink* sink,
           std::int64_t emit_after);
  void StepGroup(GroupState& g, std::int64_t t, std::int64_t step_ns, Mode mode, TickSink* sink, bool emit);
  void StartGroupDay(GroupState& g, const CalendarCursor& c);
  void StartInstrumentDay(InstrumentState& s, const CalendarCursor& c);
  void Diffuse(GroupState& g, double seconds, double tau);
  void Reprice(InstrumentState& s, const GroupState& g);
  double VolIndexValue(const UnderlyingSpec& linked, const GroupState& g) const;
  VarianceForecast ForecastFor(const UnderlyingSpec& spec, const GroupState& g) const;
  void RecordBar(InstrumentState& s, std::int64_t t, double open_price, double open_log, std::int64_t step_ns,
                 double tau, bool keep_minutes, const GroupState& g);
  void EmitTicks(InstrumentState& s, const GroupState& g, std::int64_t t, double tau, double seconds, TickSink* sink,
                 bool emit);
  void UpdateLiveBars(InstrumentState& s, std::int64_t t, std::int64_t price_raw, std::int64_t volume);
  void CloseDaily(InstrumentState& s);

  // --- queries -------------------------------------------------------------------------------------------
  const InstrumentState* Find(const InstrumentId& id) const;
  Result<std::vector<ExpiryPoint>> Curve(const InstrumentState& s, std::int64_t at) const;
};

Result<CivilDate> MarketSimulator::Impl::SessionsBack(const calendar::ExchangeCalendar& cal, CivilDate from,
                                                      int sessions) const {
  auto on_or_before = cal.TradingDayOnOrBefore(from);
  if (!on_or_before.ok()) {
    return on_or_before.error();
  }
  CivilDate day = *on_or_before;
  // A session that has not opened by start is not history.
  if (auto session = cal.Session(day); session.ok() && session->regular_open > config.start) {
    auto prev = cal.PreviousTradingDay(day);
    if (!prev.ok()) {
      return prev.error();
    }
    day = *prev;
  }
  for (int i = 1; i < sessions; ++i) {
    auto prev = cal.PreviousTradingDay(day);
    if (!prev.ok()) {
      return Error::InvalidArgument("history of " + std::to_string(sessions) + " sessions leaves the " +
                                        std::string(calendar::ExchangeName(cal.exchange())) + " calendar",
                                    "daily_history_sessions");
    }
    day = *prev;
  }
  return day;
}

int MarketSimulator::Impl::CursorFor(calendar::Exchange exchange) {
  for (std::size_t i = 0; i < cursors.size(); ++i) {
    if (cursors[i].exchange == exchange) {
      return static_cast<int>(i);
    }
  }
  CalendarCursor c;
  c.exchange = exchange;
  c.cal = &calendar::ExchangeCalendar::Get(exchange);
  cursors.push_back(c);
  return static_cast<int>(cursors.size() - 1);
}

Status MarketSimulator::Impl::Init() {
  if (config.tick_interval.count() <= 0 || kMinuteNanos % config.tick_interval.count() != 0) {
    return Error::InvalidArgument("tick_interval must divide one minute", "tick_interval");
  }
  if (config.history_days < 0 || config.daily_history_sessions < 1 ||
      config.history_days > config.daily_history_sessions) {
    return Error::InvalidArgument("need 0 <= history_days <= daily_history_sessions and at least one session",
                                  "history_days");
  }
  step = config.tick_interval.count();
  now = config.start.nanos();
  const auto universe = Universe();
  std::vector<bool> wanted(universe.size(), config.symbols.empty());
  for (const std::string& name : config.symbols) {
    bool found = false;
    for (std::size_t i = 0; i < universe.size(); ++i) {
      const std::string id = UnderlyingIdText(universe[i]);
      if (name == id || name == universe[i].symbol) {
        wanted[i] = true;
        found = true;
      }
    }
    if (!found) {
      return Error::InvalidArgument("the simulator does not know '" + name + "'", "symbols");
    }
  }

  groups.resize(2);
  for (Market m : {Market::kIndia, Market::kUs}) {
    GroupState& g = groups[static_cast<int>(m)];
    g.params = &ParamsOf(m);
    g.primary_cursor = -1;
    g.rng = Rng(Mix64(config.seed) ^ HashText(g.params->name));
    g.h_bar = g.params->factor_vol * g.params->factor_vol;
    g.h = g.h_bar;
    g.kappa_year = -std::log(g.params->garch_persistence) * kTradingDaysPerYear;
    const double m2 = g.params->jump_share / g.params->jump_rate_per_day;
    g.jump_sd = std::sqrt(std::max(0.0, m2 - g.params->jump_mean_sd * g.params->jump_mean_sd));
  }

  for (std::size_t i = 0; i < universe.size(); ++i) {
    if (!wanted[i]) {
      continue;
    }
    const UnderlyingSpec& spec = universe[i];
    InstrumentState s;
    s.spec = &spec;
    if (spec.kind == UnderlyingKind::kVolIndex) {
      for (const UnderlyingSpec& other : universe) {
        if (other.symbol == spec.vol_index_of) {
          s.linked = &other;
        }
      }
      TD_CHECK(s.linked != nullptr) << spec.symbol;
    }
    auto id = InstrumentId::Parse(UnderlyingIdText(spec));
    TD_CHECK(id.ok()) << id.error().ToString();
    Result<Instrument> instrument =
        IsQuoted(spec) ? Instrument::Equity(
                             *id, ContractSpec{Price::FromRaw(std::llround(spec.tick * 1e9), spec.price_precision),
                                               Quantity::FromUnits(1), Quantity::FromUnits(1), spec.price_precision})
                       : Instrument::Index(*id, spec.price_precision);
    TD_CHECK(instrument.ok()) << instrument.error().ToString();
    s.instrument = *instrument;
    s.group = static_cast<int>(spec.market);
    s.cursor = CursorFor(spec.session_calendar);
    s.rng = Rng(Mix64(config.seed ^ Mix64(HashText(spec.symbol) ^ HashText(spec.exchange_code))));
    s.log_p0 = spec.initial_price > 0.0 ? std::log(spec.initial_price) : 0.0;
    s.idio_var = spec.kind == UnderlyingKind::kVolIndex ? 0.0 : IdioVar(spec);
    s.tick_raw = s.instrument.tick_size.raw();
    s.tick = s.instrument.tick_size.AsDouble();
    s.quote.instrument_id = s.instrument.id;
    s.trade.instrument_id = s.instrument.id;
    index.emplace(s.instrument.id, static_cast<int>(states.size()));
    instruments.push_back(s.instrument);
    GroupState& g = groups[s.group];
    if (g.primary_cursor < 0 || spec.session_calendar == g.params->primary_calendar) {
      g.primary_cursor = s.cursor;
    }
    g.members.push_back(static_cast<int>(states.size()));
    states.push_back(std::move(s));
  }
  if (states.empty()) {
    return Error::InvalidArgument("no symbols selected", "symbols");
  }
  for (InstrumentState& s : states) {
    Reprice(s, groups[s.group]);
  }

  // History windows per calendar, counted in that exchange's sessions before start.
  for (CalendarCursor& c : cursors) {
    const CivilDate today = c.cal->time_zone().LocalDate(config.start);
    auto first = SessionsBack(*c.cal, today, config.daily_history_sessions);
    if (!first.ok()) {
      return first.error();
    }
    auto minute_from = SessionsBack(*c.cal, today, std::max(1, config.history_days));
    if (!minute_from.ok()) {
      return minute_from.error();
    }
    c.first_date = *first;
    c.minute_from = config.history_days == 0 ? today : *minute_from;
    if (config.history_days == 0) {
      // Keep no past minutes: start the window after today.
      c.minute_from = CivilFromDays(DaysFromCivil(today) + 1);
    }
    TD_TRY(LoadSession(c, c.first_date));
  }
  std::int64_t begin = kNever;
  for (const CalendarCursor& c : cursors) {
    begin = std::min(begin, c.open);
  }
  // History in 1-minute steps up to the last whole minute at or before start, then ticks (silently) to start.
  const std::int64_t minute_end = now - ((now % kMinuteNanos) + kMinuteNanos) % kMinuteNanos;
  if (begin < minute_end) {
    Run(begin, minute_end - kMinuteNanos, kMinuteNanos, Mode::kBars, nullptr, kNever);
  }
  Run(std::max(begin, minute_end), now, step, Mode::kTicks, nullptr, kNever);
  return {};
}

Status MarketSimulator::Impl::LoadSession(CalendarCursor& c, CivilDate date) {
  auto session = c.cal->Session(date);
  if (!session.ok()) {
    return session.error();
  }
  c.date = date;
  c.open = session->regular_open.nanos();
  c.close = session->regular_close.nanos();
  c.loaded = true;
  return {};
}

void MarketSimulator::Impl::Sync(CalendarCursor& c, std::int64_t t) {
  while (!c.exhausted && t >= c.close) {
    auto next = c.cal->NextTradingDay(c.date);
    if (!next.ok() || !LoadSession(c, *next).ok()) {
      // Beyond the holiday table's coverage nothing is known, so nothing trades.
      c.exhausted = true;
      c.open = kNever;
      c.close = kNever;
      c.loaded = false;
    }
  }
}

void MarketSimulator::Impl::Run(std::int64_t from, std::int64_t to, std::int64_t step_ns, Mode mode, TickSink* sink,
                                std::int64_t emit_after) {
  std::int64_t t = AlignUp(from, step_ns);
  std::array<bool, 8> active{};
  while (t <= to) {
    bool any = false;
    std::int64_t next_open = kNever;
    for (std::size_t i = 0; i < cursors.size(); ++i) {
      Sync(cursors[i], t);
      active[i] = cursors[i].ActiveAt(t);
      any = any || active[i];
      if (!active[i] && cursors[i].open > t) {
        next_open = std::min(next_open, cursors[i].open);
      }
    }
    if (!any) {
      if (next_open == kNever) {
        return;
      }
      t = AlignUp(next_open, step_ns);
      continue;
    }
    for (GroupState& g : groups) {
      bool group_active = false;
      for (int m : g.members) {
        group_active = group_active || active[states[m].cursor];
      }
      if (group_active) {
        StepGroup(g, t, step_ns, mode, sink, t > emit_after);
      }
    }
    t += step_ns;
  }
}

void MarketSimulator::Impl::StartGroupDay(GroupState& g, const CalendarCursor& c) {
  const MarketParams& p = *g.params;
  if (g.has_day) {
    // Overnight gap: a share of the daily variance, fat-tailed by a 5% chance of a triple-size move.
    const double scale = (g.rng.Uniform() < 0.05 ? 3.0 : 1.0) / std::sqrt(1.4);
    const double z = g.rng.Normal() * scale;
    const double sd = std::sqrt(g.h * p.overnight_share / kTradingDaysPerYear);
    g.factor += sd * z;
    const double dd = p.overnight_share;
    const double phi = std::pow(p.garch_persistence, dd);
    const double alpha = p.garch_alpha * std::sqrt(dd);
    const double x = LeveragedShock(z, p.garch_leverage);
    g.h = std::clamp(g.h_bar * (1.0 - phi) + phi * g.h + alpha * g.h * x, 0.05 * g.h_bar, 25.0 * g.h_bar);
  }
  // A session opens as a trend day (either way) or a range day.
  const double u = g.rng.Uniform();
  if (u < p.trend_day_probability) {
    g.regime = u < 0.5 * p.trend_day_probability ? Regime::kTrendUp : Regime::kTrendDown;
  } else {
    g.regime = Regime::kRange;
  }
  g.anchor = g.factor;
  g.day = c.date;
  g.has_day = true;
  g.state_time = c.open;
}

void MarketSimulator::Impl::Diffuse(GroupState& g, double seconds, double tau) {
  if (seconds <= 0.0) {
    g.last_diffusive_var = 0.0;
    return;
  }
  const MarketParams& p = *g.params;
  const double dd = seconds / p.normal_session_seconds;
  const double shape = kVolatilityProfile.At(std::clamp(tau, 0.0, 1.0));
  const double day_var = g.h / kTradingDaysPerYear;
  const double day_sd = std::sqrt(day_var);
  const double diffusive_var = day_var * (1.0 - p.overnight_share - p.jump_share) * dd * shape;
  const double z = g.rng.Normal();
  double drift = 0.0;
  switch (g.regime) {
    case Regime::kTrendUp:
      drift = p.trend_drift_sd_per_day * day_sd * dd;
      break;
    case Regime::kTrendDown:
      drift = -p.trend_drift_sd_per_day * day_sd * dd;
      break;
    case Regime::kRange:
      drift = -std::min(1.0, p.range_reversion_per_day * dd) * (g.factor - g.anchor);
      break;
  }
  double jump = 0.0;
  double jump_std = 0.0;
  if (g.rng.Uniform() < p.jump_rate_per_day * dd) {
    jump_std = p.jump_mean_sd + g.jump_sd * g.rng.Normal();
    jump = jump_std * day_sd;
  }
  const double ret = drift + std::sqrt(diffusive_var) * z + jump;
  g.factor += ret;
  g.last_return = ret;
  g.last_diffusive_var = diffusive_var;

  // GARCH(1,1) in its diffusion scaling (persistence^dd, alpha sqrt(dd)) with GJR leverage and jump feedback.
  const double phi = std::pow(p.garch_persistence, dd);
  const double alpha = p.garch_alpha * std::sqrt(dd);
  const double x = LeveragedShock(z, p.garch_leverage);
  double h = g.h_bar * (1.0 - phi) + phi * g.h + alpha * g.h * x;
  if (jump != 0.0) {
    const double m2 = p.jump_mean_sd * p.jump_mean_sd + g.jump_sd * g.jump_sd;
    h *= 1.0 + p.jump_vol_feedback * (jump_std * jump_std - m2);
  }
  g.h = std::clamp(h, 0.05 * g.h_bar, 25.0 * g.h_bar);

  // Regime switching, memoryless in time.
  const double minutes = seconds / 60.0;
  const double mean = g.regime == Regime::kRange ? p.range_minutes : p.trend_minutes;
  if (g.rng.Uniform() < -std::expm1(-minutes / mean)) {
    const double u = g.rng.Uniform();
    if (g.regime == Regime::kRange) {
      g.regime = u < 0.5 ? Regime::kTrendUp : Regime::kTrendDown;
    } else if (u < 0.8) {
      g.regime = Regime::kRange;
      g.anchor = g.factor;
    } else {
      g.regime = g.regime == Regime::kTrendUp ? Regime::kTrendDown : Regime::kTrendUp;
    }
  }
}

VarianceForecast MarketSimulator::Impl::ForecastFor(const UnderlyingSpec& spec, const GroupState& g) const {
  return VarianceForecast{g.h, g.h_bar, g.kappa_year, spec.beta, IdioVar(spec)};
}

double MarketSimulator::Impl::VolIndexValue(const UnderlyingSpec& linked, const GroupState& g) const {
  const double integrated = ForecastFor(linked, g).Integrated(kVolIndexYears);
  return 100.0 * linked.vrp * std::sqrt(integrated / kVolIndexYears);
}

void MarketSimulator::Impl::Reprice(InstrumentState& s, const GroupState& g) {
  if (s.spec->kind == UnderlyingKind::kVolIndex) {
    s.price = VolIndexValue(*s.linked, g);
    s.log_price = std::log(s.price);
    return;
  }
  s.log_price = s.log_p0 + s.spec->beta * g.factor + s.idio + s.drift;
  s.price = std::exp(s.log_price);
}

void MarketSimulator::Impl::CloseDaily(InstrumentState& s) {
  if (!s.daily_open) {
    return;
  }
  s.dailies.push_back(s.daily);
  s.daily_dates.push_back(s.daily_date);
  s.daily_open = false;
  s.prev_close = s.daily.close.AsDouble();
}

void MarketSimulator::Impl::StartInstrumentDay(InstrumentState& s, const CalendarCursor& c) {
  const MarketParams& p = ParamsOf(s.spec->market);
  if (s.has_day && s.idio_var > 0.0) {
    s.idio += std::sqrt(s.idio_var * p.overnight_share / kTradingDaysPerYear) * s.rng.Normal();
  }
  s.day_volume_factor = std::exp(0.25 * s.rng.Normal() - 0.03125);
  if (s.daily_open) {
    s.prev_close = s.daily.close.AsDouble();
  }
  CloseDaily(s);
  // Room for a whole session of minute bars, so the tick path does not allocate during the day.
  if (s.minutes.capacity() - s.minutes.size() < 1'024) {
    s.minutes.reserve(std::max<std::size_t>(2 * s.minutes.capacity(), s.minutes.size() + 1'024));
  }
  s.day = c.date;
  s.has_day = true;
  s.session_opens.push_back(c.open);
}

void MarketSimulator::Impl::StepGroup(GroupState& g, std::int64_t t, std::int64_t step_ns, Mode mode, TickSink* sink,
                                      bool emit) {
  const CalendarCursor* c = &cursors[g.primary_cursor];
  if (!c->ActiveAt(t)) {
    for (int m : g.members) {
      if (cursors[states[m].cursor].ActiveAt(t)) {
        c = &cursors[states[m].cursor];
        break;
      }
    }
  }
  const double session = static_cast<double>(c->close - c->open);
  const bool new_day = !g.has_day || c->date != g.day;
  const MarketParams& p = *g.params;
  if (new_day) {
    StartGroupDay(g, *c);
  }
  // Bring the state to t (zero after an open: the gap is the move).
  const double catch_up = static_cast<double>(t - g.state_time) / 1e9;
  if (catch_up > 0.0) {
    const double tau = (static_cast<double>(g.state_time - c->open) + 0.5 * catch_up * 1e9) / session;
    Diffuse(g, catch_up, tau);
    for (int m : g.members) {
      InstrumentState& s = states[m];
      if (s.idio_var > 0.0) {
        const double dd = catch_up / p.normal_session_seconds;
        s.idio += std::sqrt(s.idio_var * (1.0 - p.overnight_share) / kTradingDaysPerYear * dd *
                            kVolatilityProfile.At(std::clamp(tau, 0.0, 1.0))) *
                  s.rng.Normal();
      }
      s.drift += s.spec->annual_drift * catch_up / p.normal_session_seconds / kTradingDaysPerYear;
    }
    g.state_time = t;
  }
  for (int m : g.members) {
    InstrumentState& s = states[m];
    const CalendarCursor& ic = cursors[s.cursor];
    if (ic.ActiveAt(t) && (!s.has_day || s.day != ic.date)) {
      StartInstrumentDay(s, ic);
    }
    Reprice(s, g);
  }
  const double tau = static_cast<double>(t - c->open) / session;
  if (mode == Mode::kTicks) {
    const double seconds = static_cast<double>(step_ns) / 1e9;
    for (int m : g.members) {
      InstrumentState& s = states[m];
      if (cursors[s.cursor].ActiveAt(t)) {
        EmitTicks(s, g, t, tau, seconds, sink, emit);
      }
    }
    return;
  }
  // Bar mode: the bar [t, t + step) runs from the state at t to the state at t + step.
  std::array<double, 128> open_log{};
  TD_CHECK(g.members.size() <= open_log.size());
  for (std::size_t i = 0; i < g.members.size(); ++i) {
    open_log[i] = states[g.members[i]].log_price;
  }
  const double seconds = static_cast<double>(step_ns) / 1e9;
  const double mid_tau = (static_cast<double>(t - c->open) + 0.5 * static_cast<double>(step_ns)) / session;
  Diffuse(g, seconds, mid_tau);
  for (std::size_t i = 0; i < g.members.size(); ++i) {
    InstrumentState& s = states[g.members[i]];
    double idio_step = 0.0;
    if (s.idio_var > 0.0) {
      idio_step = s.idio_var * (1.0 - p.overnight_share) / kTradingDaysPerYear * seconds / p.normal_session_seconds *
                  kVolatilityProfile.At(std::clamp(mid_tau, 0.0, 1.0));
      s.idio += std::sqrt(idio_step) * s.rng.Normal();
    }
    s.drift += s.spec->annual_drift * seconds / p.normal_session_seconds / kTradingDaysPerYear;
    s.step_var = s.spec->beta * s.spec->beta * g.last_diffusive_var + idio_step;
    const double open_price = s.price;
    Reprice(s, g);
    const CalendarCursor& ic = cursors[s.cursor];
    if (ic.ActiveAt(t)) {
      RecordBar(s, t, open_price, open_log[i], step_ns, mid_tau, !(ic.date < ic.minute_from), g);
    }
  }
  g.state_time = t + step_ns;
}

void MarketSimulator::Impl::RecordBar(InstrumentState& s, std::int64_t t, double open_price, double open_log,
                                      std::int64_t step_ns, double tau, bool keep_minutes, const GroupState& g) {
  const double tick = s.tick;
  const auto to_ticks = [tick](double price) { return std::max<std::int64_t>(1, std::llround(price / tick)); };
  const std::int64_t o = to_ticks(open_price);
  const std::int64_t c = to_ticks(s.price);
  std::int64_t hi = std::max(o, c);
  std::int64_t lo = std::min(o, c);
  if (s.step_var > 0.0) {
    // Extremes of a Brownian bridge between the two log prices with the step's variance.
    const double a = open_log;
    const double b = s.log_price;
    const double d2 = (b - a) * (b - a);
    const double up = 0.5 * (a + b + std::sqrt(d2 - 2.0 * s.step_var * std::log(s.rng.UniformOpen())));
    const double down = 0.5 * (a + b - std::sqrt(d2 - 2.0 * s.step_var * std::log(s.rng.UniformOpen())));
    hi = std::max(hi, to_ticks(std::exp(up)));
    lo = std::min(lo, to_ticks(std::exp(down)));
  }
  std::int64_t volume = 0;
  if (IsQuoted(*s.spec)) {
    const MarketParams& p = *g.params;
    const double expected = s.spec->daily_volume * s.day_volume_factor * kVolumeProfile.At(std::clamp(tau, 0.0, 1.0)) *
                            (static_cast<double>(step_ns) / 1e9 / p.normal_session_seconds) *
                            std::pow(g.h / g.h_bar, 0.4);
    volume = std::llround(expected * std::exp(0.35 * s.rng.Normal() - 0.06125));
  }
  const int precision = s.instrument.price_precision;
  Bar bar;
  bar.ts_event = UnixNanos(t);
  bar.ts_init = UnixNanos(t + step_ns);
  bar.open = Price::FromRaw(o * s.tick_raw, precision);
  bar.high = Price::FromRaw(hi * s.tick_raw, precision);
  bar.low = Price::FromRaw(lo * s.tick_raw, precision);
  bar.close = Price::FromRaw(c * s.tick_raw, precision);
  bar.volume = Quantity::FromUnits(volume);
  if (keep_minutes) {
    s.minutes.push_back(bar);
  }
  if (!s.daily_open) {
    s.daily = bar;
    s.daily.ts_event = UnixNanos(s.session_opens.back());
    s.daily_date = s.day;
    s.daily_open = true;
  } else {
    s.daily.high = std::max(s.daily.high, bar.high);
    s.daily.low = std::min(s.daily.low, bar.low);
    s.daily.close = bar.close;
    s.daily.volume += bar.volume;
  }
  s.daily.ts_init = bar.ts_init;
}

void MarketSimulator::Impl::UpdateLiveBars(InstrumentState& s, std::int64_t t, std::int64_t price_raw,
                                           std::int64_t volume) {
  const int precision = s.instrument.price_precision;
  const Price price = Price::FromRaw(price_raw, precision);
  const Quantity qty = Quantity::FromUnits(volume);
  const std::int64_t minute = t - t % kMinuteNanos;
  if (s.minute_open && s.minute.ts_event.nanos() != minute) {
    s.minutes.push_back(s.minute);
    s.minute_open = false;
  }
  if (!s.minute_open) {
    s.minute = Bar{UnixNanos(minute), UnixNanos(t), price, price, price, price, qty};
    s.minute_open = true;
  } else {
    s.minute.high = std::max(s.minute.high, price);
    s.minute.low = std::min(s.minute.low, price);
    s.minute.close = price;
    s.minute.volume += qty;
    s.minute.ts_init = UnixNanos(t);
  }
  if (!s.daily_open) {
    s.daily = Bar{UnixNanos(s.session_opens.back()), UnixNanos(t), price, price, price, price, qty};
    s.daily_date = s.day;
    s.daily_open = true;
  } else {
    s.daily.high = std::max(s.daily.high, price);
    s.daily.low = std::min(s.daily.low, price);
    s.daily.close = price;
    s.daily.volume += qty;
    s.daily.ts_init = UnixNanos(t);
  }
}

void MarketSimulator::Impl::EmitTicks(InstrumentState& s, const GroupState& g, std::int64_t t, double tau,
                                      double seconds, TickSink* sink, bool emit) {
  const std::int64_t ticks = std::max<std::int64_t>(1, std::llround(s.price / s.tick));
  const std::int64_t price_raw = ticks * s.tick_raw;
  const int precision = s.instrument.price_precision;
  const UnixNanos ts(t);
  if (!IsQuoted(*s.spec)) {
    s.trade.price = Price::FromRaw(price_raw, precision);
    s.trade.size = Quantity::FromUnits(0);
    s.trade.aggressor = AggressorSide::kNone;
    s.trade.ts_event = ts;
    s.trade.ts_init = ts;
    if (emit && sink != nullptr) {
      sink->OnTrade(s.trade);
      ++emitted;
    }
    UpdateLiveBars(s, t, price_raw, 0);
    return;
  }
  const MarketParams& p = *g.params;
  const double vol_ratio = std::sqrt(g.h / g.h_bar);
  const double tau_c = std::clamp(tau, 0.0, 1.0);
  // Spread: a share of price, wider when volatile and in the opening minutes.
  const double spread_ticks =
      s.price * s.spec->spread_bps * 1e-4 / s.tick * std::sqrt(vol_ratio) * (1.0 + std::exp(-tau_c / 0.02));
  const std::int64_t spread = std::max<std::int64_t>(1, std::llround(spread_ticks));
  const double mid = s.price / s.tick;
  const std::int64_t bid =
      std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(mid - 0.5 * static_cast<double>(spread) + 0.5)));
  const std::int64_t ask = bid + spread;
  s.quote.bid = Price::FromRaw(bid * s.tick_raw, precision);
  s.quote.ask = Price::FromRaw(ask * s.tick_raw, precision);
  s.quote.bid_size = Quantity::FromUnits(100 * (1 + static_cast<std::int64_t>(s.rng.Next() % 30)));
  s.quote.ask_size = Quantity::FromUnits(100 * (1 + static_cast<std::int64_t>(s.rng.Next() % 30)));
  s.quote.ts_event = ts;
  s.quote.ts_init = ts;
  if (emit && sink != nullptr) {
    sink->OnQuote(s.quote);
    ++emitted;
  }
  // Volume in this step follows the U-shaped profile and rises with volatility; prints are aggregated so that
  // the expected volume is exact whatever the step.
  const double expected = s.spec->daily_volume * s.day_volume_factor * kVolumeProfile.At(tau_c) *
                          (seconds / p.normal_session_seconds) * std::pow(vol_ratio * vol_ratio, 0.4);
  const double print = std::clamp(s.spec->daily_volume / 40'000.0, 100.0, 3'000.0);
  const double probability = -std::expm1(-expected / print);
  std::int64_t volume = 0;
  if (s.rng.Uniform() < probability) {
    volume = std::max<std::int64_t>(1, std::llround(expected / probability * std::exp(0.5 * s.rng.Normal() - 0.125)));
    const double buy_probability = g.last_return > 0.0 ? 0.65 : (g.last_return < 0.0 ? 0.35 : 0.5);
    const bool buyer = s.rng.Uniform() < buy_probability;
    s.trade.price = buyer ? s.quote.ask : s.quote.bid;
    s.trade.size = Quantity::FromUnits(volume);
    s.trade.aggressor = buyer ? AggressorSide::kBuyer : AggressorSide::kSeller;
    s.trade.ts_event = ts;
    s.trade.ts_init = ts;
    if (emit && sink != nullptr) {
      sink->OnTrade(s.trade);
      ++emitted;
    }
  }
  UpdateLiveBars(s, t, price_raw, volume);
}

const InstrumentState* MarketSimulator::Impl::Find(const InstrumentId& id) const {
  auto it = index.find(id);
  return it == index.end() ? nullptr : &states[it->second];
}

Result<std::vector<ExpiryPoint>> MarketSimulator::Impl::Curve(const InstrumentState& s, std::int64_t at) const {
  const UnderlyingSpec& spec = *s.spec;
  if (!IsOptionable(spec)) {
    return Error::InvalidArgument(s.instrument.id.value() + " has no options in the simulator", "underlying");
  }
  const calendar::ExchangeCalendar& cal = calendar::ExchangeCalendar::Get(spec.expiry_calendar);
  const CivilDate today = cal.time_zone().LocalDate(UnixNanos(at));
  const std::string key(spec.symbol);
  auto cached = listing_cache.find(key);
  if (cached == listing_cache.end() || cached->second.date != today) {
    auto listed = calendar::ListExpiries(spec.expiry_calendar, spec.symbol, today,
                                         CivilFromDays(DaysFromCivil(today) + 31 * (config.listing.monthly_count + 1)));
    if (!listed.ok()) {
      return listed.error();
    }
    listing_cache[key] = ListingCache{today, std::move(listed).value()};
    cached = listing_cache.find(key);
  }
  const GroupState& g = groups[s.group];
  const VarianceForecast forecast = ForecastFor(spec, g);
  const double r = ParamsOf(spec.market).rate;
  const double spot = static_cast<double>(std::max<std::int64_t>(1, std::llround(s.price / s.tick))) * s.tick;
  std::vector<ExpiryPoint> out;
  int monthlies = 0;
  const std::int64_t today_days = DaysFromCivil(today);
  for (const calendar::Expiry& e : cached->second.expiries) {
    const std::int64_t days = DaysFromCivil(e.date) - today_days;
    bool listed = false;
    switch (e.kind) {
      case calendar::ExpiryKind::kMonthly:
        listed = monthlies < config.listing.monthly_count;
        ++monthlies;
        break;
      case calendar::ExpiryKind::kWeekly:
        listed = days <= config.listing.weekly_days;
        break;
      case calendar::ExpiryKind::kDaily:
        listed = days <= config.listing.daily_days;
        break;
    }
    if (!listed) {
      continue;
    }
    auto session = cal.Session(e.date);
    if (!session.ok()) {
      return session.error();
    }
    const std::int64_t expires = session->regular_close.nanos();
    if (expires <= at) {
      continue;
    }
    ExpiryPoint point;
    point.expiry = e.date;
    point.kind = e.kind;
    point.expires_at = UnixNanos(expires);
    point.t_years = static_cast<double>(expires - at) / kYearNanos;
    point.forward = spot * std::exp((r - spec.dividend_yield) * point.t_years);
    point.discount = std::exp(-r * point.t_years);
    point.atm_vol = spec.vrp * std::sqrt(forecast.Integrated(point.t_years) / point.t_years);
    out.push_back(point);
  }
  return out;
}

// --- public API --------------------------------------------------------------------------------------------

MarketSimulator::MarketSimulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MarketSimulator::MarketSimulator(MarketSimulator&&) noexcept = default;
MarketSimulator& MarketSimulator::operator=(MarketSimulator&&) noexcept = default;
MarketSimulator::~MarketSimulator() = default;

Result<MarketSimulator> MarketSimulator::Create(SimulatorConfig config) {
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  if (auto status = impl->Init(); !status.ok()) {
    return status.error();
  }
  return MarketSimulator(std::move(impl));
}

const std::vector<Instrument>& MarketSimulator::Instruments() const {
  return impl_->instruments;
}

const UnderlyingSpec* MarketSimulator::Spec(const InstrumentId& id) const {
  const InstrumentState* s = impl_->Find(id);
  return s == nullptr ? nullptr : s->spec;
}

std::vector<InstrumentId> MarketSimulator::OptionUnderlyings() const {
  std::vector<InstrumentId> out;
  for (const InstrumentState& s : impl_->states) {
    if (IsOptionable(*s.spec)) {
      out.push_back(s.instrument.id);
    }
  }
  return out;
}

Result<ContractSpec> MarketSimulator::OptionContractSpec(const InstrumentId& underlying) const {
  const InstrumentState* s = impl_->Find(underlying);
  if (s == nullptr || !IsOptionable(*s->spec)) {
    return Error::NotFound("no simulated options on " + underlying.value(), "underlying");
  }
  const UnderlyingSpec& spec = *s->spec;
  return ContractSpec{Price::FromRaw(std::llround(spec.option_tick * 1e9), spec.option_price_precision),
                      Quantity::FromUnits(spec.lot_size), Quantity::FromUnits(spec.multiplier),
                      spec.option_price_precision};
}

UnixNanos MarketSimulator::Now() const {
  return UnixNanos(impl_->now);
}

std::size_t MarketSimulator::AdvanceTo(UnixNanos t, TickSink& sink) {
  if (t.nanos() <= impl_->now) {
    return 0;
  }
  const std::uint64_t before = impl_->emitted;
  impl_->Run(impl_->now + 1, t.nanos(), impl_->step, Mode::kTicks, &sink, impl_->now);
  impl_->now = t.nanos();
  return static_cast<std::size_t>(impl_->emitted - before);
}

std::optional<Price> MarketSimulator::LastPrice(const InstrumentId& id) const {
  const InstrumentState* s = impl_->Find(id);
  if (s == nullptr) {
    return std::nullopt;
  }
  const std::int64_t ticks = std::max<std::int64_t>(1, std::llround(s->price / s->tick));
  return Price::FromRaw(ticks * s->tick_raw, s->instrument.price_precision);
}

Result<std::vector<ExpiryPoint>> MarketSimulator::ExpiryCurve(const InstrumentId& underlying, UnixNanos at) const {
  const InstrumentState* s = impl_->Find(underlying);
  if (s == nullptr) {
    return Error::NotFound("not simulated: " + underlying.value(), "underlying");
  }
  if (at.nanos() < impl_->now) {
    return Error::InvalidArgument("as-of time before the simulator's now", "at");
  }
  return impl_->Curve(*s, at.nanos());
}

Result<OptionChain> MarketSimulator::Chain(const InstrumentId& underlying, UnixNanos at) const {
  auto curve = ExpiryCurve(underlying, at);
  if (!curve.ok()) {
    return curve.error();
  }
  const InstrumentState& s = *impl_->Find(underlying);
  ChainInputs in;
  in.spec = s.spec;
  in.underlying = s.instrument.id;
  in.at = at;
  in.spot = *LastPrice(underlying);
  in.rate = ParamsOf(s.spec->market).rate;
  in.expiries = std::move(curve).value();
  in.reference_price = s.prev_close > 0.0 ? s.prev_close : s.price;
  const CalendarCursor& c = impl_->cursors[s.cursor];
  double tau = 1.0;
  if (c.loaded && s.day == c.date && c.close > c.open) {
    tau = std::clamp(
        static_cast<double>(std::min(at.nanos(), c.close) - c.open) / static_cast<double>(c.close - c.open), 0.0, 1.0);
  }
  in.volume_fraction = kVolumeProfile.Cumulative(tau);
  in.max_strikes_per_side = impl_->config.max_strikes_per_side;
  in.strike_range_sd = impl_->config.strike_range_sd;
  in.seed = impl_->config.seed;
  in.day_serial = s.has_day ? DaysFromCivil(s.day) : 0;
  return BuildChain(in);
}

Result<double> MarketSimulator::VolIndexLevel(const InstrumentId& underlying) const {
  const InstrumentState* s = impl_->Find(underlying);
  if (s == nullptr || !IsOptionable(*s->spec)) {
    return Error::NotFound("no simulated options on " + underlying.value(), "underlying");
  }
  return impl_->VolIndexValue(*s->spec, impl_->groups[s->group]);
}

Result<std::vector<Bar>> MarketSimulator::History(const InstrumentId& id, BarSpec spec, UnixNanos from,
                                                  UnixNanos to) const {
  const InstrumentState* s = impl_->Find(id);
  if (s == nullptr) {
    return Error::NotFound("not simulated: " + id.value(), "instrument");
  }
  if (spec.step == 0) {
    return Error::InvalidArgument("bar step must be positive", "spec");
  }
  std::vector<Bar> out;
  const auto in_range = [&](const Bar& bar) { return bar.ts_event >= from && bar.ts_event < to; };
  const auto merge = [](Bar& into, const Bar& bar) {
    into.high = std::max(into.high, bar.high);
    into.low = std::min(into.low, bar.low);
    into.close = bar.close;
    into.volume += bar.volume;
    into.ts_init = bar.ts_init;
  };
  if (spec.unit == BarUnit::kSecond) {
    return Error::InvalidArgument("the simulator keeps 1-minute bars; second bars come from live ticks", "spec");
  }
  if (spec.unit == BarUnit::kMinute || spec.unit == BarUnit::kHour) {
    const std::int64_t bucket =
        static_cast<std::int64_t>(spec.step) * (spec.unit == BarUnit::kHour ? 60 : 1) * kMinuteNanos;
    std::vector<Bar> minutes = s->minutes;
    if (s->minute_open) {
      minutes.push_back(s->minute);
    }
    // Buckets are anchored at the session open of the bar's day.
    std::size_t day = 0;
    bool open_bucket = false;
    std::int64_t current = 0;
    for (const Bar& bar : minutes) {
      while (day + 1 < s->session_opens.size() && s->session_opens[day + 1] <= bar.ts_event.nanos()) {
        ++day;
      }
      const std::int64_t anchor = s->session_opens.empty() ? 0 : s->session_opens[day];
      const std::int64_t start = anchor + (bar.ts_event.nanos() - anchor) / bucket * bucket;
      if (open_bucket && start == current) {
        merge(out.back(), bar);
        continue;
      }
      if (open_bucket && !in_range(out.back())) {
        out.pop_back();
      }
      Bar b = bar;
      b.ts_event = UnixNanos(start);
      out.push_back(b);
      current = start;
      open_bucket = true;
    }
    if (open_bucket && !in_range(out.back())) {
      out.pop_back();
    }
    return out;
  }
  std::vector<Bar> days = s->dailies;
  std::vector<CivilDate> dates = s->daily_dates;
  if (s->daily_open) {
    days.push_back(s->daily);
    dates.push_back(s->daily_date);
  }
  std::int64_t current = std::numeric_limits<std::int64_t>::min();
  std::int64_t count = 0;
  for (std::size_t i = 0; i < days.size(); ++i) {
    std::int64_t key = 0;
    const std::int64_t serial = DaysFromCivil(dates[i]);
    switch (spec.unit) {
      case BarUnit::kDay:
        key = count++ / static_cast<std::int64_t>(spec.step);
        break;
      case BarUnit::kWeek:
        // Monday-based weeks (1970-01-05 was a Monday).
        key = (serial - 4 + 7 * 1'000'000) / 7 / static_cast<std::int64_t>(spec.step);
        break;
      case BarUnit::kMonth:
        key = (dates[i].year * 12 + dates[i].month - 1) / static_cast<std::int64_t>(spec.step);
        break;
      default:
        TD_UNREACHABLE();
    }
    if (!out.empty() && key == current) {
      merge(out.back(), days[i]);
      continue;
    }
    if (!out.empty() && !in_range(out.back())) {
      out.pop_back();
    }
    out.push_back(days[i]);
    current = key;
  }
  if (!out.empty() && !in_range(out.back())) {
    out.pop_back();
  }
  return out;
}

Result<double> AtmIv30FromVolIndex(const InstrumentId& underlying, double vol_index_level) {
  const UnderlyingSpec* target = nullptr;
  for (const UnderlyingSpec& spec : Universe()) {
    if (spec.exchange_code == underlying.exchange() && spec.symbol == underlying.symbol()) {
      target = &spec;
    }
  }
  if (target == nullptr || !IsOptionable(*target)) {
    return Error::NotFound("no simulated options on " + underlying.value(), "underlying");
  }
  if (!(vol_index_level > 0.0) || !std::isfinite(vol_index_level)) {
    return Error::InvalidArgument("a volatility index level must be positive", "vol_index_level");
  }
  const UnderlyingSpec* linked = nullptr;
  for (const UnderlyingSpec& spec : Universe()) {
    if (spec.kind == UnderlyingKind::kVolIndex && spec.market == target->market) {
      for (const UnderlyingSpec& other : Universe()) {
        if (other.symbol == spec.vol_index_of) {
          linked = &other;
        }
      }
    }
  }
  if (linked == nullptr) {
    return Error::NotFound("no volatility index in the market of " + underlying.value(), "underlying");
  }
  const MarketParams& params = ParamsOf(target->market);
  const double h_bar = params.factor_vol * params.factor_vol;
  const double kappa = -std::log(params.garch_persistence) * kTradingDaysPerYear;
  // Integrated(h) = A + B h for a given underlying (VarianceForecast is linear in the market variance h):
  // solve the index's own underlying for h, then evaluate the target at that h.
  const auto integrated = [&](const UnderlyingSpec& spec, double h) {
    return VarianceForecast{h, h_bar, kappa, spec.beta, IdioVar(spec)}.Integrated(kVolIndexYears);
  };
  const double index_vol = vol_index_level / 100.0 / linked->vrp;
  const double wanted = index_vol * index_vol * kVolIndexYears;
  const double at_zero = integrated(*linked, 0.0);
  const double slope = integrated(*linked, 1.0) - at_zero;
  if (!(slope > 0.0)) {
    return Error::Internal("the vol index of " + underlying.value() + " does not load on the market variance");
  }
  const double h = std::max(0.0, (wanted - at_zero) / slope);
  return target->vrp * std::sqrt(integrated(*target, h) / kVolIndexYears);
}

}  // namespace td::adapters::simulator
