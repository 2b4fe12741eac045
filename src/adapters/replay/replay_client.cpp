// SPDX-License-Identifier: MIT
#include "adapters/replay/replay_client.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <functional>

#include "data/archive.hpp"
#include "data/bar_aggregator.hpp"
#include "data/session_source.hpp"
#include "data/zone.hpp"

namespace td::adapters::replay {
namespace {

constexpr std::int64_t kNanos = 1'000'000'000;
constexpr std::int64_t kDayNanos = 86'400 * kNanos;

using HeapEntry = std::pair<std::int64_t, std::size_t>;
// std::*_heap build a max-heap; "greater" puts the earliest time (then the lowest index) on top.
constexpr auto kHeapOrder = std::greater<HeapEntry>{};

bool ReadField(const char*& p, const char* end, std::int64_t* out) {
  auto [next, ec] = std::from_chars(p, end, *out);
  if (ec != std::errc()) {
    return false;
  }
  p = next;
  if (p < end && *p == ',') {
    ++p;
  }
  return true;
}

}  // namespace

std::size_t ReplayClient::Stream::size() const {
  switch (kind) {
    case data::DataKind::kTrades:
      return trades.size();
    case data::DataKind::kQuotes:
      return quotes.size();
    default:
      return bars.size();
  }
}

std::int64_t ReplayClient::Stream::Key(std::size_t i) const {
  switch (kind) {
    case data::DataKind::kTrades:
      return trades[i].ts_event.nanos();
    case data::DataKind::kQuotes:
      return quotes[i].ts_event.nanos();
    default:
      return bars.ts[i] + length;
  }
}

std::size_t ReplayClient::Stream::LowerBound(std::int64_t t) const {
  std::size_t lo = 0;
  std::size_t hi = size();
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (Key(mid) < t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

ReplayClient::ReplayClient(ReplayConfig config) : config_(std::move(config)) {}

ReplayClient::~ReplayClient() {
  Disconnect();
}

data::DataCapabilities ReplayClient::capabilities() const {
  std::lock_guard lock(mutex_);
  data::DataCapabilities caps;
  caps.history = true;
  for (const Stream& stream : streams_) {
    caps.trades = caps.trades || stream.kind == data::DataKind::kTrades;
    caps.quotes = caps.quotes || stream.kind == data::DataKind::kQuotes;
    caps.bars = caps.bars || stream.kind == data::DataKind::kBars;
  }
  return caps;
}

Status ReplayClient::AddStream(Stream stream) {
  if (stream.instrument.empty()) {
    return Error::InvalidArgument("a replay stream needs an instrument", "instrument");
  }
  for (std::size_t i = 1; i < stream.size(); ++i) {
    if (stream.Key(i) < stream.Key(i - 1)) {
      return Error::InvalidArgument("replay events of " + stream.instrument.value() + " are not in time order",
                                    "events");
    }
  }
  std::lock_guard lock(mutex_);
  for (const Stream& existing : streams_) {
    if (existing.instrument == stream.instrument && existing.kind == stream.kind && existing.spec == stream.spec) {
      return Error{ErrorCode::kAlreadyExists, "a replay stream for " + stream.instrument.value() + " exists",
                   "instrument"};
    }
  }
  streams_.push_back(std::move(stream));
  RebuildHeap();
  return {};
}

Status ReplayClient::AddBars(const InstrumentId& instrument, BarSpec spec, data::BarColumns bars) {
  if (!spec.IsIntraday() && !(spec.unit == BarUnit::kDay && spec.step == 1)) {
    return Error::InvalidArgument("replay plays bars from 1s to 1D, not " + spec.ToString(), "spec");
  }
  Stream stream;
  stream.instrument = instrument;
  stream.kind = data::DataKind::kBars;
  stream.spec = spec;
  stream.length = spec.IsIntraday() ? spec.IntradayLength().count() : kDayNanos;
  stream.bars = std::move(bars);
  return AddStream(std::move(stream));
}

Status ReplayClient::AddBarsFromStore(const data::BarStore& store, const InstrumentId& instrument, BarSpec spec,
                                      UnixNanos from, UnixNanos to) {
  auto series = store.Open(instrument, spec);
  if (!series.ok()) {
    return series.error();
  }
  const auto [first, last] = series->Range(from, to);
  return AddBars(instrument, spec, series->Slice(first, last));
}

Result<data::ImportReport> ReplayClient::AddBarFile(const std::filesystem::path& path,
                                                    const data::ImportOptions& options) {
  auto parsed = data::ParseBarFile(path, options);
  if (!parsed.ok()) {
    return parsed.error();
  }
  TD_TRY(AddBars(parsed->report.instrument, parsed->report.spec, std::move(parsed->bars)));
  return parsed->report;
}

Status ReplayClient::AddTrades(std::vector<TradeTick> trades) {
  if (trades.empty()) {
    return Error::InvalidArgument("no trades", "trades");
  }
  Stream stream;
  stream.instrument = trades.front().instrument_id;
  stream.kind = data::DataKind::kTrades;
  for (const TradeTick& trade : trades) {
    if (trade.instrument_id != stream.instrument) {
      return Error::InvalidArgument("one trade stream per instrument", "trades");
    }
  }
  stream.trades = std::move(trades);
  return AddStream(std::move(stream));
}

Status ReplayClient::AddQuotes(std::vector<QuoteTick> quotes) {
  if (quotes.empty()) {
    return Error::InvalidArgument("no quotes", "quotes");
  }
  Stream stream;
  stream.instrument = quotes.front().instrument_id;
  stream.kind = data::DataKind::kQuotes;
  for (const QuoteTick& quote : quotes) {
    if (quote.instrument_id != stream.instrument) {
      return Error::InvalidArgument("one quote stream per instrument", "quotes");
    }
  }
  stream.quotes = std::move(quotes);
  return AddStream(std::move(stream));
}

Result<std::size_t> ReplayClient::AddLeanTicks(const std::filesystem::path& path, const InstrumentId& instrument,
                                               CivilDate date, LeanTickKind kind, std::string_view time_zone) {
  auto bytes = data::ReadWholeFile(path);
  if (!bytes.ok()) {
    return bytes.error();
  }
  std::string text;
  if (data::LooksZip(*bytes)) {
    auto archive = data::ZipArchive::Parse(*bytes);
    if (!archive.ok()) {
      return archive.error();
    }
    if (archive->entries().empty()) {
      return Error::Corrupt(path.string() + ": empty zip");
    }
    auto extracted = archive->Extract(archive->entries().front());
    if (!extracted.ok()) {
      return extracted.error();
    }
    text = std::move(*extracted);
  } else {
    text = std::move(*bytes);
  }
  auto zone = data::ZoneConverter::Create(time_zone);
  if (!zone.ok()) {
    return zone.error();
  }
  const std::int64_t midnight = zone->ToUtc(DaysFromCivil(date) * 86'400) * kNanos;
  std::vector<TradeTick> trades;
  std::vector<QuoteTick> quotes;
  std::size_t pos = 0;
  std::size_t line = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    end = end == std::string::npos ? text.size() : end;
    ++line;
    const char* p = text.data() + pos;
    const char* e = text.data() + end;
    pos = end + 1;
    if (p == e || *p == '\r') {
      continue;
    }
    std::int64_t ms = 0;
    std::int64_t a = 0;
    std::int64_t b = 0;
    if (!ReadField(p, e, &ms) || !ReadField(p, e, &a) || !ReadField(p, e, &b)) {
      return Error::InvalidArgument(path.string() + ":" + std::to_string(line) + ": malformed Lean tick row", "row");
    }
    const UnixNanos ts(midnight + ms * 1'000'000);
    if (kind == LeanTickKind::kTrade) {
      // Lean writes prices in deci-cents (price * 10,000).
      trades.push_back(
          TradeTick{instrument, Price::FromRaw(a * 100'000, 4), Quantity::FromUnits(b), AggressorSide::kNone, ts, ts});
      continue;
    }
    std::int64_t ask = 0;
    std::int64_t ask_size = 0;
    if (!ReadField(p, e, &ask) || !ReadField(p, e, &ask_size)) {
      return Error::InvalidArgument(path.string() + ":" + std::to_string(line) + ": malformed Lean quote row", "row");
    }
    quotes.push_back(QuoteTick{instrument, Price::FromRaw(a * 100'000, 4), Price::FromRaw(ask * 100'000, 4),
                               Quantity::FromUnits(b), Quantity::FromUnits(ask_size), ts, ts});
  }
  const std::size_t count = kind == LeanTickKind::kTrade ? trades.size() : quotes.size();
  if (kind == LeanTickKind::kTrade) {
    TD_TRY(AddTrades(std::move(trades)));
  } else {
    TD_TRY(AddQuotes(std::move(quotes)));
  }
  return count;
}

Status ReplayClient::Connect(data::MarketEventSink& sink) {
  std::lock_guard lock(mutex_);
  sink_ = &sink;
  stop_ = false;
  return {};
}

void ReplayClient::Disconnect() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  std::lock_guard lock(mutex_);
  sink_ = nullptr;
  running_ = false;
}

ReplayClient::Stream* ReplayClient::Find(const InstrumentId& instrument, data::DataKind kind, BarSpec spec) {
  for (Stream& stream : streams_) {
    if (stream.instrument == instrument && stream.kind == kind &&
        (kind != data::DataKind::kBars || stream.spec == spec)) {
      return &stream;
    }
  }
  return nullptr;
}

Status ReplayClient::Subscribe(const data::Subscription& subscription) {
  std::lock_guard lock(mutex_);
  Stream* stream = Find(subscription.instrument, subscription.kind, subscription.bar_spec);
  if (stream == nullptr) {
    return Error::NotFound(config_.name + " has no recorded stream for " + subscription.instrument.value(),
                           "subscription");
  }
  stream->subscribed = true;
  RebuildHeap();
  wake_.notify_all();
  return {};
}

Status ReplayClient::Unsubscribe(const data::Subscription& subscription) {
  std::lock_guard lock(mutex_);
  Stream* stream = Find(subscription.instrument, subscription.kind, subscription.bar_spec);
  if (stream == nullptr) {
    return Error::NotFound("not subscribed", "subscription");
  }
  stream->subscribed = false;
  RebuildHeap();
  return {};
}

Result<std::vector<Bar>> ReplayClient::RequestBars(const InstrumentId& instrument, BarSpec spec, UnixNanos from,
                                                   UnixNanos to) {
  std::lock_guard lock(mutex_);
  const Stream* exact = nullptr;
  const Stream* finer = nullptr;
  for (const Stream& stream : streams_) {
    if (stream.instrument != instrument || stream.kind != data::DataKind::kBars) {
      continue;
    }
    if (stream.spec == spec) {
      exact = &stream;
    } else if (stream.spec.IsIntraday() &&
               (spec.IsIntraday() ? spec.IntradayLength() % stream.spec.IntradayLength() == Duration::zero() &&
                                        spec.IntradayLength() > stream.spec.IntradayLength()
                                  : spec.unit == BarUnit::kDay && spec.step == 1) &&
               (finer == nullptr || stream.spec.IntradayLength() > finer->spec.IntradayLength())) {
      finer = &stream;
    }
  }
  std::vector<Bar> out;
  if (exact != nullptr) {
    const auto& ts = exact->bars.ts;
    const auto first = static_cast<std::size_t>(std::lower_bound(ts.begin(), ts.end(), from.nanos()) - ts.begin());
    for (std::size_t i = first; i < ts.size() && ts[i] < to.nanos(); ++i) {
      out.push_back(exact->bars.At(i));
    }
    return out;
  }
  if (finer == nullptr) {
    return Error::NotFound(config_.name + " has no bars of " + instrument.value() + " for " + spec.ToString(), "spec");
  }
  const data::SessionRule rule = data::DefaultSessionRule(instrument);
  data::ResampleOptions options;
  options.target = spec;
  options.time_zone = rule.time_zone;
  options.session = rule.regular;
  options.sessions = rule.sessions;
  auto resampled = data::ResampleBars(finer->bars, finer->spec, options);
  if (!resampled.ok()) {
    return resampled.error();
  }
  for (std::size_t i = 0; i < resampled->size(); ++i) {
    if (resampled->ts[i] >= from.nanos() && resampled->ts[i] < to.nanos()) {
      out.push_back(resampled->At(i));
    }
  }
  return out;
}

void ReplayClient::RebuildHeap() {
  heap_.clear();
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    const Stream& stream = streams_[i];
    if (stream.subscribed && stream.cursor < stream.size()) {
      heap_.emplace_back(stream.Key(stream.cursor), i);
    }
  }
  std::make_heap(heap_.begin(), heap_.end(), kHeapOrder);
}

void ReplayClient::EmitNext() {
  std::pop_heap(heap_.begin(), heap_.end(), kHeapOrder);
  const auto [key, index] = heap_.back();
  heap_.pop_back();
  Stream& stream = streams_[index];
  const std::size_t i = stream.cursor++;
  if (sink_ != nullptr) {
    switch (stream.kind) {
      case data::DataKind::kTrades:
        sink_->OnEvent(stream.trades[i]);
        break;
      case data::DataKind::kQuotes:
        sink_->OnEvent(stream.quotes[i]);
        break;
      default: {
        data::BarUpdate update{stream.instrument, stream.spec, stream.bars.At(i), true};
        update.bar.ts_init = UnixNanos(key);
        sink_->OnEvent(std::move(update));
        break;
      }
    }
    emitted_.fetch_add(1, std::memory_order_relaxed);
  }
  if (stream.cursor < stream.size()) {
    heap_.emplace_back(stream.Key(stream.cursor), index);
    std::push_heap(heap_.begin(), heap_.end(), kHeapOrder);
  }
}

std::size_t ReplayClient::PlayUntil(runtime::Kernel& kernel, UnixNanos until) {
  std::size_t count = 0;
  std::int64_t last = kernel.clock().Now().nanos();
  while (!paused()) {
    std::int64_t key = 0;
    {
      std::lock_guard lock(mutex_);
      if (heap_.empty() || heap_.front().first > until.nanos()) {
        break;
      }
      key = heap_.front().first;
    }
    // Let the kernel reach the event's time first: timers due before it fire, earlier events are handled.
    last = std::max(last, key);
    kernel.RunUntil(UnixNanos(last));
    std::lock_guard lock(mutex_);
    if (!heap_.empty()) {
      EmitNext();
      ++count;
    }
  }
  // Paused, time stays at the last event; otherwise it ends at `until` (at the last event for PlayAll).
  const std::int64_t end = paused() || until.nanos() == INT64_MAX ? last : std::max(last, until.nanos());
  kernel.RunUntil(UnixNanos(std::max(end, kernel.clock().Now().nanos())));
  return count;
}

std::size_t ReplayClient::PlayAll(runtime::Kernel& kernel) {
  return PlayUntil(kernel, UnixNanos(INT64_MAX));
}

Status ReplayClient::Start() {
  if (config_.pace != ReplayPace::kWallClock) {
    return Error::Unprocessable("Start() is for wall-clock replays; use PlayUntil", "pace");
  }
  if (!(config_.speed > 0.0)) {
    return Error::InvalidArgument("replay speed must be positive", "speed");
  }
  std::lock_guard lock(mutex_);
  if (sink_ == nullptr) {
    return Error::Unprocessable("connect the replay before starting it", "sink");
  }
  if (running_) {
    return Error::Unprocessable("replay already running", "state");
  }
  if (thread_.joinable()) {
    thread_.join();  // a previous playback that ran to the end; it no longer holds the mutex
  }
  running_ = true;
  stop_ = false;
  rebase_ = true;
  thread_ = std::thread([this] { RunWallClock(); });
  return {};
}

void ReplayClient::RunWallClock() {
  std::unique_lock lock(mutex_);
  std::int64_t sim_origin = 0;
  auto wall_origin = std::chrono::steady_clock::now();
  while (!stop_) {
    if (paused() || heap_.empty()) {
      if (heap_.empty() && !paused()) {
        break;  // played everything
      }
      wake_.wait(lock, [this] { return stop_ || !paused(); });
      rebase_ = true;
      continue;
    }
    const std::int64_t key = heap_.front().first;
    if (rebase_) {
      sim_origin = key;
      wall_origin = std::chrono::steady_clock::now();
      rebase_ = false;
    }
    const auto offset =
        std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(key - sim_origin) / config_.speed));
    const auto due = wall_origin + offset;
    if (std::chrono::steady_clock::now() < due) {
      wake_.wait_until(lock, due);
      continue;  // re-check: paused, seeked or stopped while waiting
    }
    EmitNext();
  }
  running_ = false;
  wake_.notify_all();
}

void ReplayClient::Wait() {
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return !running_; });
}

void ReplayClient::Pause() {
  paused_.store(true, std::memory_order_release);
  wake_.notify_all();
}

void ReplayClient::Resume() {
  {
    std::lock_guard lock(mutex_);
    rebase_ = true;
  }
  paused_.store(false, std::memory_order_release);
  wake_.notify_all();
}

void ReplayClient::Seek(UnixNanos t) {
  {
    std::lock_guard lock(mutex_);
    for (Stream& stream : streams_) {
      stream.cursor = stream.LowerBound(t.nanos());
    }
    RebuildHeap();
    rebase_ = true;
  }
  wake_.notify_all();
}

std::optional<UnixNanos> ReplayClient::NextEventTime() const {
  std::lock_guard lock(mutex_);
  if (heap_.empty()) {
    return std::nullopt;
  }
  return UnixNanos(heap_.front().first);
}

}  // namespace td::adapters::replay
