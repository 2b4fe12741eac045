// SPDX-License-Identifier: MIT
#include "plans/plan_follower.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "calendar/exchange_calendar.hpp"
#include "core/check.hpp"

namespace td::plans {

namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::int64_t kDayNanos = 86'400 * kNanosPerSecond;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

/// The length of one bar of `spec` in nanoseconds (days and longer as calendar days: for bucketing only).
std::int64_t SpecNanos(BarSpec spec) {
  switch (spec.unit) {
    case BarUnit::kSecond:
    case BarUnit::kMinute:
    case BarUnit::kHour:
      return spec.IntradayLength().count();
    case BarUnit::kDay:
      return kDayNanos * spec.step;
    case BarUnit::kWeek:
      return 7 * kDayNanos * spec.step;
    case BarUnit::kMonth:
      return 30 * kDayNanos * spec.step;
  }
  return kDayNanos;
}

Duration DefaultEntryWindow(scanner::Style style) {
  switch (style) {
    case scanner::Style::kScalp:
      return std::chrono::minutes(30);
    case scanner::Style::kIntraday:
      return std::chrono::hours(2);
    case scanner::Style::kSwing:
      return std::chrono::hours(24 * 3);
    case scanner::Style::kLeaps:
      return std::chrono::hours(24 * 10);
  }
  return std::chrono::minutes(30);
}

/// What a step is called in event texts (built only when an event is).
std::string Word(bool is_bar) {
  return is_bar ? "bar" : "price";
}

bool EndsWithSession(scanner::Style style) {
  return style == scanner::Style::kScalp || style == scanner::Style::kIntraday;
}

std::string TargetName(std::size_t index) {
  return "TP" + std::to_string(index + 1);
}

/// Validates the geometry a follower relies on; errors name the offending field.
Status ValidatePlan(const scanner::Plan& plan) {
  if (plan.plan_id.empty())
    return Error::InvalidArgument("plan_id must not be empty", "plan_id");
  if (plan.symbol.empty())
    return Error::InvalidArgument("symbol must not be empty", "symbol");
  if (!plan.tick_size.is_positive())
    return Error::InvalidArgument("tick_size must be positive", "tick_size");
  const std::int64_t sign = plan.direction == scanner::Direction::kLong ? 1 : -1;
  const std::int64_t entry = sign * plan.entry.raw();
  if (sign * plan.stop.raw() >= entry)
    return Error::InvalidArgument("stop must be on the loss side of the entry", "stop");
  if (plan.targets.empty())
    return Error::InvalidArgument("a plan needs at least one target", "targets");
  std::int64_t previous = entry;
  for (std::size_t i = 0; i < plan.targets.size(); ++i) {
    const std::int64_t t = sign * plan.targets[i].price.raw();
    if (t <= previous)
      return Error::InvalidArgument("targets must lie beyond the entry, each beyond the one before",
                                    "targets[" + std::to_string(i) + "]");
    previous = t;
  }
  return {};
}

}  // namespace

// ---- names and JSON ------------------------------------------------------------------------------------------

std::string_view HealthName(PlanHealth health) {
  switch (health) {
    case PlanHealth::kIntact:
      return "intact";
    case PlanHealth::kAtRisk:
      return "at_risk";
    case PlanHealth::kInvalidated:
      return "invalidated";
  }
  return "intact";
}

std::string_view TradeStateName(TradeState state) {
  switch (state) {
    case TradeState::kPlanned:
      return "planned";
    case TradeState::kEntered:
      return "entered";
    case TradeState::kScaled:
      return "scaled";
    case TradeState::kTrailing:
      return "trailing";
    case TradeState::kExited:
      return "exited";
  }
  return "planned";
}

std::string_view DeltaKindName(DeltaKind kind) {
  switch (kind) {
    case DeltaKind::kEntered:
      return "entered";
    case DeltaKind::kTargetHit:
      return "target_hit";
    case DeltaKind::kStopMoved:
      return "stop_moved";
    case DeltaKind::kTrailMoved:
      return "trail_moved";
    case DeltaKind::kStoppedOut:
      return "stopped_out";
    case DeltaKind::kExited:
      return "exited";
    case DeltaKind::kHealthChanged:
      return "health_changed";
    case DeltaKind::kInvalidated:
      return "invalidated";
    case DeltaKind::kReplanOffered:
      return "replan_offered";
  }
  return "health_changed";
}

std::string_view ExitReasonName(ExitReason reason) {
  switch (reason) {
    case ExitReason::kNone:
      return "";
    case ExitReason::kStop:
      return "stop";
    case ExitReason::kTrailStop:
      return "trail_stop";
    case ExitReason::kFinalTarget:
      return "final_target";
    case ExitReason::kTimeExit:
      return "time_exit";
  }
  return "";
}

std::string_view DeltaStatus(const PlanDelta& delta) {
  switch (delta.kind) {
    case DeltaKind::kHealthChanged:
    case DeltaKind::kInvalidated:
      return HealthName(delta.health);
    case DeltaKind::kStoppedOut:
      return "stopped";
    default:
      return TradeStateName(delta.state);
  }
}

std::string DeltaNextStep(const PlanDelta& delta) {
  switch (delta.kind) {
    case DeltaKind::kInvalidated:
    case DeltaKind::kStoppedOut:
    case DeltaKind::kExited:
      return "stand_aside";
    case DeltaKind::kReplanOffered:
      return delta.adopted ? "wait_for_entry" : "review_replan";
    default:
      break;
  }
  if (delta.health == PlanHealth::kAtRisk)
    return delta.state == TradeState::kPlanned ? "wait_for_entry_watch_stop" : "protect_stop";
  switch (delta.state) {
    case TradeState::kPlanned:
      return "wait_for_entry";
    case TradeState::kEntered:
      return "hold_for_tp1";
    case TradeState::kScaled:
      return "hold_for_next_target";
    case TradeState::kTrailing:
      return "trail_runner";
    case TradeState::kExited:
      return "stand_aside";
  }
  return "wait_for_entry";
}

namespace {

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(c >> 4) & 0xf];
          out += kHex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void AppendKey(std::string& out, std::string_view key, bool& first) {
  if (!first)
    out += ',';
  first = false;
  AppendJsonString(out, key);
  out += ':';
}

void AppendChanges(std::string& out, const PlanDelta& d, std::string_view next_plan_vt) {
  bool first = true;
  out += '{';
  AppendKey(out, "status", first);
  AppendJsonString(out, DeltaStatus(d));
  AppendKey(out, "next_step", first);
  AppendJsonString(out, DeltaNextStep(d));
  AppendKey(out, "note", first);
  AppendJsonString(out, d.why);
  if (d.rr_to_t1) {
    AppendKey(out, "rr_to_t1", first);
    // Two decimals: a ratio shown to a trader, rounded half away from zero.
    const double rounded = std::round(*d.rr_to_t1 * 100.0) / 100.0;
    const Price as_fixed = Price::FromDouble(rounded, 2).value_or(Price());
    out += as_fixed.ToString();
  }
  if (d.last_price) {
    AppendKey(out, "last_price", first);
    out += d.last_price->ToString();  // exact decimal text is a valid JSON number
  }
  AppendKey(out, "timestamp", first);
  AppendJsonString(out, d.ts.ToIso8601());
  if (!d.next_plan_id.empty()) {
    AppendKey(out, "next_plan_id", first);
    AppendJsonString(out, d.next_plan_id);
    if (!next_plan_vt.empty()) {
      AppendKey(out, "next_plan_vt", first);
      AppendJsonString(out, next_plan_vt);
    }
  }
  out += '}';
}

}  // namespace

std::string PlanDeltaChangesToJson(const PlanDelta& delta) {
  std::string out;
  AppendChanges(out, delta, {});
  return out;
}

std::string PlanDeltaMessageToJson(const PlanDelta& delta, std::string_view next_plan_vt) {
  std::string out;
  bool first = true;
  out += '{';
  AppendKey(out, "plan_id", first);
  AppendJsonString(out, delta.plan_id);
  AppendKey(out, "event", first);
  bool inner = true;
  out += '{';
  AppendKey(out, "t", inner);
  AppendJsonString(out, "plan_delta");
  AppendKey(out, "seq", inner);
  out += std::to_string(delta.seq);
  AppendKey(out, "kind", inner);
  AppendJsonString(out, DeltaKindName(delta.kind));
  AppendKey(out, "what", inner);
  AppendJsonString(out, delta.what);
  AppendKey(out, "from", inner);
  AppendJsonString(out, delta.from);
  AppendKey(out, "to", inner);
  AppendJsonString(out, delta.to);
  AppendKey(out, "changes", inner);
  AppendChanges(out, delta, next_plan_vt);
  out += "}}";
  return out;
}

// ---- PlanFollower --------------------------------------------------------------------------------------------

Result<PlanFollower> PlanFollower::Create(scanner::Plan plan, FollowerOptions options, ReplanFn replan) {
  if (!(options.at_risk_fraction > 0.0 && options.at_risk_fraction <= 1.0))
    return Error::InvalidArgument("at_risk_fraction must be within (0, 1]", "at_risk_fraction");
  if (options.entry_window && options.entry_window->count() <= 0)
    return Error::InvalidArgument("entry_window must be positive", "entry_window");
  if (options.max_replans < 0)
    return Error::InvalidArgument("max_replans must not be negative", "max_replans");
  PlanFollower follower;
  follower.options_ = options;
  follower.replan_ = std::move(replan);
  follower.history_.reserve(options.history_bars);
  TD_TRY(follower.Reset(std::move(plan)));
  return follower;
}

Status PlanFollower::Reset(scanner::Plan plan) {
  TD_TRY(ValidatePlan(plan));
  sign_ = plan.direction == scanner::Direction::kLong ? 1 : -1;
  entry_ = sign_ * plan.entry.raw();
  initial_stop_ = sign_ * plan.stop.raw();
  targets_.clear();
  for (const scanner::Target& t : plan.targets)
    targets_.push_back(sign_ * t.price.raw());
  tick_ = plan.tick_size.raw();
  precision_ = std::max({plan.precision, plan.tick_size.precision(), plan.entry.precision()});

  health_ = PlanHealth::kIntact;
  state_ = TradeState::kPlanned;
  exit_reason_ = ExitReason::kNone;
  order_ = options_.entry_order;
  stop_ = initial_stop_;
  fill_ = 0;
  extreme_ = 0;
  targets_hit_ = 0;
  offered_.reset();

  // The entry window opens with the plan's data; a plan made while the market is closed waits for the next
  // open. Scalp and intraday plans end with the regular session they are traded in.
  const UnixNanos issued = plan.data_as_of.nanos() != 0 ? plan.data_as_of : plan.as_of;
  UnixNanos window_start = issued;
  session_close_.reset();
  const auto status = calendar::ExchangeCalendar::Get(options_.exchange).StatusAt(issued);
  if (status.ok()) {
    if (status->status != calendar::MarketStatus::kOpen)
      window_start = std::max(issued, status->next_open);
    if (EndsWithSession(plan.style))
      session_close_ = status->next_close;
  }
  entry_deadline_ = window_start + options_.entry_window.value_or(DefaultEntryWindow(plan.style));
  // Bars that ended by the plan's data time are already in it.
  last_bar_end_ = std::max(last_bar_end_, issued);
  if (session_close_)
    entry_deadline_ = std::min(entry_deadline_, *session_close_);

  // Runner timeframe buckets; a timeframe that does not parse falls back to the follower's own bars.
  const auto runner_spec = BarSpec::Parse(plan.runner.timeframe);
  const std::int64_t bucket = SpecNanos(runner_spec.ok() ? *runner_spec : options_.bar_spec);
  if (bucket != runner_bucket_ns_) {
    runner_bucket_ns_ = bucket;
    bucket_id_ = -1;
    have_prev_close_ = false;
    atr_count_ = 0;
    atr_sum_ = 0;
    atr_ = 0;
  }

  chain_.push_back(plan.plan_id);
  plan_ = std::make_unique<scanner::Plan>(std::move(plan));
  return {};
}

Price PlanFollower::ToPrice(std::int64_t signed_raw) const {
  return Price::FromRaw(sign_ * signed_raw, precision_);
}

Price PlanFollower::active_stop() const {
  return ToPrice(stop_);
}

std::optional<Price> PlanFollower::fill_price() const {
  if (state_ == TradeState::kPlanned)
    return std::nullopt;
  return ToPrice(fill_);
}

std::optional<double> PlanFollower::RrToNextTarget() const {
  if (state_ == TradeState::kExited || health_ == PlanHealth::kInvalidated)
    return std::nullopt;
  if (static_cast<std::size_t>(targets_hit_) >= targets_.size())
    return std::nullopt;
  const std::int64_t price = have_last_ ? last_ : entry_;
  const std::int64_t risk = price - stop_;
  if (risk <= 0)
    return std::nullopt;
  const std::int64_t reward = std::max<std::int64_t>(0, targets_[static_cast<std::size_t>(targets_hit_)] - price);
  return static_cast<double>(reward) / static_cast<double>(risk);
}

PlanDelta& PlanFollower::Emit(DeltaKind kind, UnixNanos ts, std::string_view what, std::string from, std::string to,
                              std::string why, std::int64_t at, std::vector<PlanDelta>& out) {
  PlanDelta d;
  d.plan_id = plan_->plan_id;
  d.seq = ++seq_;
  d.ts = ts;
  d.kind = kind;
  d.what = what;
  d.from = std::move(from);
  d.to = std::move(to);
  d.why = std::move(why);
  d.price = ToPrice(at);
  if (have_last_)
    d.last_price = ToPrice(last_);
  d.rr_to_t1 = RrToNextTarget();
  d.health = health_;
  d.state = state_;
  d.exit_reason = exit_reason_;
  out.push_back(std::move(d));
  return out.back();
}

void PlanFollower::RememberBar(const Bar& bar) {
  if (options_.history_bars == 0)
    return;
  if (history_.size() == options_.history_bars) {
    // Drop the older half at once: amortised O(1) per bar and the reserved buffer is never reallocated.
    history_.erase(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(history_.size() / 2 + 1));
  }
  history_.push_back(bar);
}

void PlanFollower::UpdateRunnerAtr(const Bar& bar) {
  const std::int64_t id = FloorDiv(bar.ts_event.nanos(), runner_bucket_ns_);
  const double high = bar.high.AsDouble(), low = bar.low.AsDouble(), close = bar.close.AsDouble();
  if (id == bucket_id_) {
    bucket_high_ = std::max(bucket_high_, high);
    bucket_low_ = std::min(bucket_low_, low);
    bucket_close_ = close;
    return;
  }
  if (bucket_id_ >= 0) {
    // A runner-timeframe bar completed: Wilder's ATR, seeded with the mean of the first `length` ranges.
    double range = bucket_high_ - bucket_low_;
    if (have_prev_close_)
      range = std::max({range, std::abs(bucket_high_ - prev_close_), std::abs(bucket_low_ - prev_close_)});
    prev_close_ = bucket_close_;
    have_prev_close_ = true;
    const int length = std::max(1, plan_->runner.length);
    if (atr_count_ < length) {
      atr_sum_ += range;
      if (++atr_count_ == length)
        atr_ = atr_sum_ / length;
    } else {
      atr_ = (atr_ * (length - 1) + range) / length;
    }
  }
  bucket_id_ = id;
  bucket_high_ = high;
  bucket_low_ = low;
  bucket_close_ = close;
}

void PlanFollower::OnBar(const Bar& bar, BarSpec spec, std::vector<PlanDelta>& out) {
  if (spec != options_.bar_spec)
    return;
  const UnixNanos end = bar.ts_event + Duration(SpecNanos(spec));
  if (end <= last_bar_end_)
    return;
  // Time rules first: a bar of a later session means the earlier session ended without a bar saying so.
  AdvanceTo(bar.ts_event, out);
  RememberBar(bar);
  UpdateRunnerAtr(bar);
  last_bar_end_ = end;
  if (finished())
    return;
  Step step{sign_ * bar.open.raw(),
            std::max(sign_ * bar.high.raw(), sign_ * bar.low.raw()),
            std::min(sign_ * bar.high.raw(), sign_ * bar.low.raw()),
            sign_ * bar.close.raw(),
            end,
            true};
  // Ticks inside this bar already decided its fills; the bar then only does the close-time work.
  const bool ticks_decided = last_tick_.nanos() != 0 && last_tick_ >= bar.ts_event;
  bar_fav_ = step.high;
  step_over_ = false;
  if (!ticks_decided) {
    Process(step, step, out);
  } else {
    last_ = step.close;
    have_last_ = true;
  }
  CloseWork(step, out);
}

void PlanFollower::OnTrade(const TradeTick& trade, std::vector<PlanDelta>& out) {
  if (trade.ts_event < last_tick_ || trade.ts_event < last_bar_end_)
    return;
  AdvanceTo(trade.ts_event, out);
  last_tick_ = trade.ts_event;
  if (finished())
    return;
  const std::int64_t p = sign_ * trade.price.raw();
  const Step step{p, p, p, p, trade.ts_event, false};
  bar_fav_ = p;
  Process(step, step, out);
  if (state_ != TradeState::kPlanned && state_ != TradeState::kExited)
    extreme_ = std::max(extreme_, p);
}

void PlanFollower::OnQuote(const QuoteTick& quote, std::vector<PlanDelta>& out) {
  if (!quote.IsTwoSided() || quote.ts_event < last_tick_ || quote.ts_event < last_bar_end_)
    return;
  AdvanceTo(quote.ts_event, out);
  last_tick_ = quote.ts_event;
  if (finished())
    return;
  // A long buys at the ask and sells at the bid; a short sells at the bid and buys back at the ask.
  const Price pay = sign_ > 0 ? quote.ask : quote.bid;
  const Price get = sign_ > 0 ? quote.bid : quote.ask;
  const std::int64_t in = sign_ * pay.raw(), exit = sign_ * get.raw();
  const Step entry_step{in, in, in, in, quote.ts_event, false};
  const Step exit_step{exit, exit, exit, exit, quote.ts_event, false};
  bar_fav_ = exit;
  Process(entry_step, exit_step, out);
  if (state_ != TradeState::kPlanned && state_ != TradeState::kExited)
    extreme_ = std::max(extreme_, exit);
}

void PlanFollower::Process(const Step& entry_step, const Step& exit_step, std::vector<PlanDelta>& out) {
  step_over_ = false;
  last_ = exit_step.close;
  have_last_ = true;
  if (state_ == TradeState::kPlanned) {
    if (order_ == EntryOrder::kAuto) {
      // Resolved once, from the first price seen after the plan was issued.
      order_ = entry_step.open > entry_ ? EntryOrder::kLimit : EntryOrder::kStopTrigger;
    }
    const FillMode mode = TryEnter(entry_step, out);
    if (mode == FillMode::kNone)
      return;
    if (mode == FillMode::kLimitInBar)
      bar_fav_ = std::max(fill_, exit_step.close);  // the high may have come before the fill
    ManagePosition(exit_step, mode == FillMode::kAtOpen, mode == FillMode::kLimitInBar, out);
    return;
  }
  if (state_ != TradeState::kExited)
    ManagePosition(exit_step, true, false, out);
}

PlanFollower::FillMode PlanFollower::TryEnter(const Step& s, std::vector<PlanDelta>& out) {
  const std::int64_t entry = entry_, stop = initial_stop_;
  std::int64_t fill = 0;
  FillMode mode = FillMode::kNone;
  std::string why;
  if (order_ == EntryOrder::kLimit) {
    if (s.open <= stop) {
      Invalidate(s.ts,
                 "opened at " + Text(s.open) + ", through the stop " + Text(stop) + ", before the limit entry filled",
                 out);
      return FillMode::kNone;
    }
    if (s.open <= entry) {
      fill = s.open;
      mode = FillMode::kAtOpen;
      why = "limit entry " + Text(entry) + " filled at the open " + Text(s.open);
    } else if (s.low <= entry) {
      fill = entry;
      mode = FillMode::kLimitInBar;
      why = "limit entry " + Text(entry) + " filled on the pull-back (" + Word(s.is_bar) + Low() + Text(s.low) + ")";
    } else {
      return FillMode::kNone;
    }
  } else {
    if (s.open >= entry) {
      fill = s.open;
      mode = FillMode::kAtOpen;
      why = "opened at " + Text(s.open) + ", through the stop-trigger entry " + Text(entry) + ": filled at the open";
    } else if (s.open <= stop) {
      Invalidate(s.ts, "opened at " + Text(s.open) + ", through the stop " + Text(stop) + ", before the entry", out);
      return FillMode::kNone;
    } else if (s.low <= stop) {
      // Both levels inside one bar with the open between them: the stop is assumed to have traded first.
      Invalidate(s.ts,
                 "stop " + Text(stop) + " traded before the entry " + Text(entry) + " (" +
                     std::string(Low()).substr(1) + Text(s.low) +
                     (s.high >= entry ? "; the bar also reached the entry: stop assumed first)" : ")"),
                 out);
      return FillMode::kNone;
    } else if (s.high >= entry) {
      fill = entry;
      mode = FillMode::kStopInBar;
      why = "stop-trigger entry " + Text(entry) + " filled (" + Word(s.is_bar) + High() + Text(s.high) + ")";
    } else {
      return FillMode::kNone;
    }
  }
  fill_ = fill;
  extreme_ = fill;
  stop_ = initial_stop_;
  state_ = TradeState::kEntered;
  Emit(DeltaKind::kEntered, s.ts, "trade_state", std::string(TradeStateName(TradeState::kPlanned)),
       std::string(TradeStateName(TradeState::kEntered)), std::move(why), fill, out);
  return mode;
}

void PlanFollower::ManagePosition(const Step& s, bool opened_in_position, bool limit_fill_in_bar,
                                  std::vector<PlanDelta>& out) {
  const auto next_target = [&]() -> std::optional<std::size_t> {
    if (static_cast<std::size_t>(targets_hit_) < targets_.size() && !step_over_)
      return static_cast<std::size_t>(targets_hit_);
    return std::nullopt;
  };
  const auto stop_out = [&](std::int64_t at, const std::string& why) {
    const ExitReason reason = state_ == TradeState::kTrailing ? ExitReason::kTrailStop : ExitReason::kStop;
    Exit(DeltaKind::kStoppedOut, reason, at, s.ts, why, out);
  };

  if (opened_in_position) {
    if (s.open <= stop_) {
      stop_out(s.open, "opened at " + Text(s.open) + ", through the stop " + Text(stop_) + ": out at the open");
      return;
    }
    // Opened beyond a target: the only certain order inside a bar is that the open comes first.
    bool credited_at_open = false;
    while (const auto i = next_target()) {
      if (s.open < targets_[*i])
        break;
      CreditTarget(*i, s.open, s.ts,
                   "opened at " + Text(s.open) + ", at or beyond " + TargetName(*i) + " " + Text(targets_[*i]), out);
      credited_at_open = true;
    }
    if (step_over_)
      return;
    if (credited_at_open) {
      // The rest of the bar follows the open, so the tightened stop applies to its low.
      if (s.low <= stop_) {
        stop_out(stop_, "after the gap through the target the " + Word(s.is_bar) + Low() + Text(s.low) +
                            ", through the stop " + Text(stop_));
        return;
      }
    }
  }
  // Adverse first: a bar touching the stop and a target is read as stopped out.
  if (s.low <= stop_) {
    std::string why = Word(s.is_bar) + Low() + Text(s.low) + " traded the stop " + Text(stop_);
    if (const auto i = next_target(); i && s.high >= targets_[*i])
      why += " (the bar also reached " + TargetName(*i) + " " + Text(targets_[*i]) + ": stop assumed first)";
    stop_out(stop_, why);
    return;
  }
  bool credited = false;
  while (const auto i = next_target()) {
    // On a limit fill inside this bar the high may have come before the fill: only the close proves a target.
    const std::int64_t reach = limit_fill_in_bar ? s.close : s.high;
    if (reach < targets_[*i])
      break;
    CreditTarget(*i, targets_[*i], s.ts,
                 TargetName(*i) + " " + Text(targets_[*i]) + " traded (" + Word(s.is_bar) +
                     (limit_fill_in_bar ? std::string(" close ") : High()) + Text(reach) + ")",
                 out);
    credited = true;
  }
  if (step_over_)
    return;
  if (credited && s.close <= stop_) {
    // The close is the last print: it came after the target, so the tightened stop was crossed in this bar.
    stop_out(stop_, "closed at " + Text(s.close) + " after the target, through the moved stop " + Text(stop_));
  }
}

void PlanFollower::CreditTarget(std::size_t index, std::int64_t at, UnixNanos ts, const std::string& why,
                                std::vector<PlanDelta>& out) {
  const TradeState before = state_;
  const bool last = index + 1 == targets_.size();
  // A plan without a usable runner policy ends at its last target even when trailing is on.
  const bool runner = options_.trail_runner && plan_->runner.multiplier > 0;
  targets_hit_ = static_cast<int>(index) + 1;
  if (last && runner)
    state_ = TradeState::kTrailing;
  else if (index == 0)
    state_ = TradeState::kScaled;
  std::string text = why;
  if (index == 0 && !last)
    text += "; scale out part, hold the rest";
  if (last && runner)
    text += "; the runner trails from here";
  PlanDelta& d = Emit(DeltaKind::kTargetHit, ts, "trade_state", std::string(TradeStateName(before)),
                      std::string(TradeStateName(state_)), std::move(text), at, out);
  d.target_index = static_cast<int>(index);
  if (last && !runner) {
    Exit(DeltaKind::kExited, ExitReason::kFinalTarget, at, ts, "final target " + TargetName(index) + " " + Text(at),
         out);
    return;
  }
  if (index == 0 && options_.breakeven_after_tp1) {
    TightenStop(fill_, DeltaKind::kStopMoved, ts, "TP1 hit: stop to breakeven (the fill)", out);
  } else if (index >= 1 && options_.lock_previous_target) {
    TightenStop(targets_[index - 1], DeltaKind::kStopMoved, ts,
                TargetName(index) + " hit: stop locks " + TargetName(index - 1), out);
  }
}

void PlanFollower::TightenStop(std::int64_t level, DeltaKind kind, UnixNanos ts, const std::string& why,
                               std::vector<PlanDelta>& out) {
  if (level <= stop_)
    return;  // stages never loosen the stop
  const std::int64_t old = stop_;
  stop_ = level;
  Emit(kind, ts, kind == DeltaKind::kTrailMoved ? "trail_stop" : "stop", Text(old), Text(level), why, level, out);
}

void PlanFollower::Exit(DeltaKind kind, ExitReason reason, std::int64_t at, UnixNanos ts, const std::string& why,
                        std::vector<PlanDelta>& out) {
  const TradeState before = state_;
  state_ = TradeState::kExited;
  exit_reason_ = reason;
  step_over_ = true;
  Emit(kind, ts, "trade_state", std::string(TradeStateName(before)), std::string(TradeStateName(state_)),
       why + " (" + std::string(ExitReasonName(reason)) + ")", at, out);
  OfferReplan(kind, ts, out);
}

void PlanFollower::Invalidate(UnixNanos ts, const std::string& why, std::vector<PlanDelta>& out) {
  const PlanHealth before = health_;
  health_ = PlanHealth::kInvalidated;
  step_over_ = true;
  Emit(DeltaKind::kInvalidated, ts, "health", std::string(HealthName(before)), std::string(HealthName(health_)), why,
       have_last_ ? last_ : entry_, out);
}

void PlanFollower::CloseWork(const Step& s, std::vector<PlanDelta>& out) {
  // A plan that ended in this step has no close-time work, nor has a replan adopted in it: it starts next step.
  if (finished() || step_over_)
    return;
  TimeRules(s.ts, out);
  if (finished() || step_over_)
    return;
  if (state_ != TradeState::kPlanned) {
    extreme_ = std::max(extreme_, bar_fav_);
    if (state_ == TradeState::kTrailing)
      Trail(s, out);
  }
  UpdateHealth(s.close, s.ts, out);
}

void PlanFollower::Trail(const Step& s, std::vector<PlanDelta>& out) {
  const scanner::RunnerPolicy& runner = plan_->runner;
  const double atr = atr_ > 0 ? atr_ : plan_->ladder.atr;
  if (!(atr > 0) || !(runner.multiplier > 0))
    return;
  const double distance = runner.multiplier * atr;
  const auto distance_raw = static_cast<std::int64_t>(std::llround(distance * static_cast<double>(kFixedScale)));
  // Rounded to the tick away from the price (down, in the long frame).
  const std::int64_t candidate = FloorDiv(extreme_ - distance_raw, tick_) * tick_;
  if (candidate >= s.close)
    return;  // a level at or through the close is not a stop one could place
  const std::string atr_text =
      atr_ > 0 ? "ATR(" + std::to_string(runner.length) + ", " + std::string(runner.timeframe) + ")" : "the plan's ATR";
  TightenStop(candidate, DeltaKind::kTrailMoved, s.ts,
              "chandelier trail: best " + std::string(High()).substr(1) + Text(extreme_) +
                  (sign_ > 0 ? " minus " : " plus ") + std::to_string(runner.multiplier).substr(0, 4) + " x " +
                  atr_text,
              out);
}

void PlanFollower::UpdateHealth(std::int64_t close, UnixNanos ts, std::vector<PlanDelta>& out) {
  if (finished())
    return;
  const bool flat = state_ == TradeState::kPlanned;
  // The runner is judged against its best price, a scaled position against the last target, else the entry.
  const std::int64_t reference =
      flat ? entry_
      : state_ == TradeState::kTrailing
          ? extreme_
          : (targets_hit_ > 0 ? targets_[static_cast<std::size_t>(targets_hit_) - 1] : fill_);
  const std::int64_t stop = flat ? initial_stop_ : stop_;
  if (reference <= stop)
    return;
  const double span = static_cast<double>(reference - stop);
  const auto threshold = reference - static_cast<std::int64_t>(std::llround(options_.at_risk_fraction * span));
  const PlanHealth now = close <= threshold ? PlanHealth::kAtRisk : PlanHealth::kIntact;
  if (now == health_)
    return;
  const PlanHealth before = health_;
  health_ = now;
  const std::string fraction = std::to_string(static_cast<int>(std::lround(options_.at_risk_fraction * 100)));
  std::string why = now == PlanHealth::kAtRisk
                        ? "close " + Text(close) + " covered " + fraction + "% or more of the way from " +
                              Text(reference) + " to the stop " + Text(stop)
                        : "close " + Text(close) + " back within " + fraction + "% of the way from " + Text(reference) +
                              " to the stop " + Text(stop);
  Emit(DeltaKind::kHealthChanged, ts, "health", std::string(HealthName(before)), std::string(HealthName(now)),
       std::move(why), close, out);
}

void PlanFollower::TimeRules(UnixNanos now, std::vector<PlanDelta>& out) {
  if (finished())
    return;
  const UnixNanos floor_ts = std::max(last_bar_end_, last_tick_);
  if (state_ == TradeState::kPlanned) {
    if (now < entry_deadline_)
      return;
    const bool session_over = session_close_ && entry_deadline_ >= *session_close_;
    Invalidate(std::max(entry_deadline_, floor_ts),
               session_over ? "the session closed before the entry filled"
                            : "entry window expired at " + entry_deadline_.ToIso8601() + " without a fill",
               out);
    return;
  }
  if (session_close_ && now >= *session_close_) {
    const std::int64_t at = have_last_ ? last_ : fill_;
    Exit(DeltaKind::kExited, ExitReason::kTimeExit, at, std::max(*session_close_, floor_ts),
         "session close: " + std::string(scanner::StyleName(plan_->style)) + " plans are flat by the close, out at " +
             Text(at),
         out);
  }
}

void PlanFollower::AdvanceTo(UnixNanos now, std::vector<PlanDelta>& out) {
  TimeRules(now, out);
}

void PlanFollower::OfferReplan(DeltaKind after, UnixNanos ts, std::vector<PlanDelta>& out) {
  if (!replan_ || replans_ >= options_.max_replans)
    return;
  const ReplanRequest request{*plan_,
                              after,
                              exit_reason_,
                              ts,
                              ToPrice(have_last_ ? last_ : fill_),
                              std::span<const Bar>(history_.data(), history_.size()),
                              options_.bar_spec};
  std::optional<scanner::Plan> next = replan_(request);
  if (!next || next->symbol != plan_->symbol || !ValidatePlan(*next).ok())
    return;
  if (std::find(chain_.begin(), chain_.end(), next->plan_id) != chain_.end())
    return;  // a replan that names a plan already followed would loop
  ++replans_;
  if (options_.auto_rearm) {
    Adopt(std::move(*next), ts, out);
    return;
  }
  std::string why = "replan " + next->plan_id + " offered: " + std::string(scanner::DirectionName(next->direction)) +
                    " entry " + next->entry.ToString() + ", stop " + next->stop.ToString() + ", TP1 " +
                    next->targets.front().price.ToString();
  PlanDelta& d = Emit(DeltaKind::kReplanOffered, ts, "next_plan", "", next->plan_id, std::move(why),
                      have_last_ ? last_ : fill_, out);
  d.next_plan_id = next->plan_id;
  offered_ = std::move(next);
}

void PlanFollower::Adopt(scanner::Plan next, UnixNanos ts, std::vector<PlanDelta>& out) {
  const std::string id = next.plan_id;
  std::string why = "replan " + id + " adopted (auto-rearm): " + std::string(scanner::DirectionName(next.direction)) +
                    " entry " + next.entry.ToString() + ", stop " + next.stop.ToString() + ", TP1 " +
                    next.targets.front().price.ToString();
  PlanDelta& d =
      Emit(DeltaKind::kReplanOffered, ts, "next_plan", "", id, std::move(why), have_last_ ? last_ : fill_, out);
  d.next_plan_id = id;
  d.adopted = true;
  const std::int64_t last_real = sign_ * last_;
  const Status reset = Reset(std::move(next));
  TD_CHECK(reset.ok()) << "a validated replan failed to reset: " << reset.error().ToString();
  last_ = sign_ * last_real;  // the new plan may trade the other way
}

Status PlanFollower::AdoptOffered(UnixNanos now, std::vector<PlanDelta>& out) {
  if (!offered_)
    return Error::Unprocessable("no replan is on offer for " + plan_->plan_id, "plan_id");
  scanner::Plan next = std::move(*offered_);
  offered_.reset();
  Adopt(std::move(next), std::max(now, std::max(last_bar_end_, last_tick_)), out);
  return {};
}

// ---- PlanBook ------------------------------------------------------------------------------------------------

PlanBook::PlanBook(DeltaSink sink) : sink_(std::move(sink)) {}

Status PlanBook::Follow(scanner::Plan plan, FollowerOptions options, ReplanFn replan) {
  TD_CHECK(!dispatching_) << "PlanBook changed from inside its own sink";
  if (by_id_.contains(plan.plan_id))
    return Error{ErrorCode::kAlreadyExists, "plan " + plan.plan_id + " is followed already", "plan_id"};
  auto created = PlanFollower::Create(std::move(plan), options, std::move(replan));
  if (!created.ok())
    return created.error();
  auto follower = std::make_unique<PlanFollower>(std::move(*created));
  PlanFollower* raw = follower.get();
  by_id_.emplace(raw->plan_id(), raw);
  by_symbol_[raw->symbol()].push_back(raw);
  followers_.push_back(std::move(follower));
  scratch_.reserve(16);
  return {};
}

bool PlanBook::Remove(std::string_view plan_id) {
  TD_CHECK(!dispatching_) << "PlanBook changed from inside its own sink";
  const auto found = by_id_.find(plan_id);
  if (found == by_id_.end())
    return false;
  PlanFollower* follower = found->second;
  for (const std::string& id : follower->chain())
    by_id_.erase(id);
  if (auto list = by_symbol_.find(follower->symbol()); list != by_symbol_.end()) {
    std::erase(list->second, follower);
    if (list->second.empty())
      by_symbol_.erase(list);
  }
  std::erase_if(followers_, [&](const std::unique_ptr<PlanFollower>& f) { return f.get() == follower; });
  return true;
}

void PlanBook::Deliver(PlanFollower& follower) {
  if (scratch_.empty())
    return;
  dispatching_ = true;
  for (const PlanDelta& d : scratch_) {
    if (d.kind == DeltaKind::kReplanOffered && d.adopted)
      by_id_.emplace(d.next_plan_id, &follower);
    if (sink_)
      sink_(d);
  }
  dispatching_ = false;
  scratch_.clear();
}

template <typename F>
void PlanBook::Route(std::string_view symbol, F&& step) {
  const auto list = by_symbol_.find(symbol);
  if (list == by_symbol_.end())
    return;
  for (PlanFollower* follower : list->second) {
    if (follower->finished())
      continue;  // nothing can change any more (a manual Adopt revives it)
    step(*follower);
    Deliver(*follower);
  }
}

void PlanBook::OnBar(std::string_view symbol, const Bar& bar, BarSpec spec) {
  Route(symbol, [&](PlanFollower& f) { f.OnBar(bar, spec, scratch_); });
}

void PlanBook::OnTrade(std::string_view symbol, const TradeTick& trade) {
  Route(symbol, [&](PlanFollower& f) { f.OnTrade(trade, scratch_); });
}

void PlanBook::OnQuote(std::string_view symbol, const QuoteTick& quote) {
  Route(symbol, [&](PlanFollower& f) { f.OnQuote(quote, scratch_); });
}

void PlanBook::AdvanceTo(UnixNanos now) {
  for (const auto& follower : followers_) {
    if (follower->finished())
      continue;
    follower->AdvanceTo(now, scratch_);
    Deliver(*follower);
  }
}

Status PlanBook::Adopt(std::string_view plan_id, UnixNanos now) {
  TD_CHECK(!dispatching_) << "PlanBook changed from inside its own sink";
  const auto found = by_id_.find(plan_id);
  if (found == by_id_.end())
    return Error::NotFound("plan " + std::string(plan_id) + " is not followed", "plan_id");
  PlanFollower& follower = *found->second;
  const Status adopted = follower.AdoptOffered(now, scratch_);
  Deliver(follower);
  return adopted;
}

const PlanFollower* PlanBook::Find(std::string_view plan_id) const {
  const auto found = by_id_.find(plan_id);
  return found == by_id_.end() ? nullptr : found->second;
}

}  // namespace td::plans
