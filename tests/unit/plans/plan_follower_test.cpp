// SPDX-License-Identifier: MIT
// The live plan engine, event by event: hand-built bars for every transition and intrabar rule, replays of
// real SPY sessions whose expected events are derived here from the bars, and properties over many sessions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plans/plan_follower.hpp"
#include "scanner/context.hpp"
#include "scanner/plan.hpp"
#include "scanner/strategies.hpp"
#include "unit/scanner/market_data.hpp"

namespace td::plans {
namespace {

using scanner::Direction;
using scanner::Style;

Price P(const char* text) {
  return Price::Parse(text, 2).value();
}

constexpr std::int64_t kMinute = 60'000'000'000;
// 2025-09-16 10:00 ET (a Tuesday; EDT, so 14:00 UTC).
const UnixNanos kIssued = UnixNanos::ParseIso8601("2025-09-16T14:00:00Z").value();

/// A plan built by hand: entry 100, stop 99, targets 101/102/103 (mirrored for shorts), tick 0.01, runner
/// chandelier on 1m bars (length 3, multiplier 1) and a plan ATR of 1.00.
scanner::Plan HandPlan(Direction direction = Direction::kLong, Style style = Style::kIntraday,
                       const std::string& id = "T-1", UnixNanos issued = kIssued) {
  scanner::Plan p;
  p.plan_id = id;
  p.symbol = "SPY";
  p.style = style;
  p.direction = direction;
  const bool is_long = direction == Direction::kLong;
  p.entry = P("100.00");
  p.stop = is_long ? P("99.00") : P("101.00");
  for (const char* t : is_long ? std::vector<const char*>{"101.00", "102.00", "103.00"}
                               : std::vector<const char*>{"99.00", "98.00", "97.00"}) {
    scanner::Target target;
    target.price = P(t);
    p.targets.push_back(target);
  }
  p.tick_size = P("0.01");
  p.precision = 2;
  p.runner.timeframe = "1m";
  p.runner.length = 3;
  p.runner.multiplier = 1.0;
  p.ladder.atr = 1.0;
  p.as_of = issued;
  p.data_as_of = issued;
  return p;
}

/// A 1m bar starting `minute` minutes after `start`.
Bar B(int minute, const char* o, const char* h, const char* l, const char* c, UnixNanos start = kIssued) {
  Bar bar;
  bar.ts_event = start + Duration(minute * kMinute);
  bar.ts_init = bar.ts_event;
  bar.open = P(o);
  bar.high = P(h);
  bar.low = P(l);
  bar.close = P(c);
  bar.volume = Quantity::FromUnits(1000);
  return bar;
}

UnixNanos EndOf(int minute, UnixNanos start = kIssued) {
  return start + Duration((minute + 1) * kMinute);
}

const BarSpec kOneMinute{1, BarUnit::kMinute};

PlanFollower Make(scanner::Plan plan, FollowerOptions options = {}, ReplanFn replan = {}) {
  auto f = PlanFollower::Create(std::move(plan), options, std::move(replan));
  EXPECT_TRUE(f.ok()) << (f.ok() ? "" : f.error().ToString());
  return std::move(*f);
}

std::vector<PlanDelta> Feed(PlanFollower& f, const std::vector<Bar>& bars) {
  std::vector<PlanDelta> out;
  for (const Bar& b : bars)
    f.OnBar(b, kOneMinute, out);
  return out;
}

std::vector<std::string> Kinds(const std::vector<PlanDelta>& deltas) {
  std::vector<std::string> kinds;
  for (const PlanDelta& d : deltas)
    kinds.emplace_back(DeltaKindName(d.kind));
  return kinds;
}

using Strings = std::vector<std::string>;

// ---- entries ---------------------------------------------------------------------------------------------------

TEST(PlanFollowerEntry, StopTriggerFillsAtTheEntryWhenTheBarTradesUpThroughIt) {
  PlanFollower f = Make(HandPlan());
  const auto out = Feed(f, {B(0, "99.60", "99.80", "99.55", "99.70"), B(1, "99.70", "100.10", "99.65", "100.05")});
  ASSERT_EQ(Kinds(out), Strings{"entered"});
  EXPECT_EQ(out[0].price, P("100.00"));
  EXPECT_EQ(out[0].ts, EndOf(1));
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].plan_id, "T-1");
  EXPECT_EQ(out[0].from, "planned");
  EXPECT_EQ(out[0].to, "entered");
  EXPECT_EQ(out[0].last_price, P("100.05"));
  ASSERT_TRUE(out[0].rr_to_t1.has_value());
  EXPECT_NEAR(*out[0].rr_to_t1, 0.95 / 1.05, 1e-12);
  EXPECT_NE(out[0].why.find("stop-trigger"), std::string::npos) << out[0].why;
  EXPECT_EQ(f.state(), TradeState::kEntered);
  EXPECT_EQ(f.fill_price(), P("100.00"));
}

TEST(PlanFollowerEntry, LimitFillsOnThePullBackWhenPriceStartsAboveTheEntry) {
  PlanFollower f = Make(HandPlan());
  const auto out = Feed(f, {B(0, "100.50", "100.60", "100.30", "100.40"), B(1, "100.40", "100.45", "99.95", "100.20")});
  ASSERT_EQ(Kinds(out), Strings{"entered"});
  EXPECT_EQ(out[0].price, P("100.00"));
  EXPECT_NE(out[0].why.find("limit entry"), std::string::npos) << out[0].why;
}

TEST(PlanFollowerEntry, OnTheLimitFillBarOnlyTheCloseProvesATarget) {
  // High 101.50 may have come before the dip to the entry: no target from it.
  PlanFollower a = Make(HandPlan());
  EXPECT_EQ(Kinds(Feed(a, {B(0, "100.50", "101.50", "99.90", "100.80")})), Strings{"entered"});
  EXPECT_EQ(a.targets_hit(), 0);
  // A close beyond TP1 came after the fill, so TP1 traded after it.
  PlanFollower b = Make(HandPlan());
  const auto out = Feed(b, {B(0, "100.50", "101.50", "99.90", "101.20")});
  ASSERT_EQ(Kinds(out), (Strings{"entered", "target_hit", "stop_moved"}));
  EXPECT_EQ(out[1].price, P("101.00"));
  EXPECT_EQ(out[1].to, "scaled");
  EXPECT_EQ(out[2].from, "99.00");
  EXPECT_EQ(out[2].to, "100.00");
}

TEST(PlanFollowerEntry, OpeningThroughAStopTriggerFillsAtTheOpen) {
  PlanFollower f = Make(HandPlan());
  const auto out = Feed(f, {B(0, "99.50", "99.80", "99.40", "99.70"), B(1, "100.30", "100.50", "100.20", "100.40")});
  ASSERT_EQ(Kinds(out), Strings{"entered"});
  EXPECT_EQ(out[0].price, P("100.30"));
}

TEST(PlanFollowerEntry, StopTradedBeforeTheEntryInvalidates) {
  // The bar reaches both the stop and the entry with the open between them: stop assumed first, no fill.
  PlanFollower f = Make(HandPlan());
  const auto out = Feed(f, {B(0, "99.60", "100.20", "98.95", "99.90"), B(1, "99.90", "100.50", "99.80", "100.40")});
  ASSERT_EQ(Kinds(out), Strings{"invalidated"});
  EXPECT_EQ(out[0].to, "invalidated");
  EXPECT_NE(out[0].why.find("stop assumed first"), std::string::npos) << out[0].why;
  EXPECT_TRUE(f.finished());
  EXPECT_EQ(f.state(), TradeState::kPlanned);
}

TEST(PlanFollowerEntry, OpeningThroughTheStopBeforeALimitFillInvalidates) {
  PlanFollower f = Make(HandPlan());
  const auto out = Feed(f, {B(0, "100.50", "100.60", "100.30", "100.40"), B(1, "98.90", "99.20", "98.80", "99.10")});
  ASSERT_EQ(Kinds(out), Strings{"invalidated"});
  EXPECT_EQ(out[0].ts, EndOf(1));
}

TEST(PlanFollowerEntry, EntryWindowExpiresPerStyle) {
  PlanFollower f = Make(HandPlan());  // intraday: 2 hours
  EXPECT_EQ(f.entry_deadline(), kIssued + std::chrono::hours(2));
  std::vector<PlanDelta> out;
  f.AdvanceTo(kIssued + std::chrono::minutes(119), out);
  EXPECT_TRUE(out.empty());
  f.AdvanceTo(kIssued + std::chrono::hours(2), out);
  ASSERT_EQ(Kinds(out), Strings{"invalidated"});
  EXPECT_EQ(out[0].ts, kIssued + std::chrono::hours(2));
  EXPECT_NE(out[0].why.find("entry window expired"), std::string::npos);
  EXPECT_FALSE(out[0].last_price.has_value());  // no price was ever seen
  EXPECT_EQ(PlanDeltaChangesToJson(out[0]).find("last_price"), std::string::npos);
  // Swing waits three days; scalp 30 minutes.
  EXPECT_EQ(Make(HandPlan(Direction::kLong, Style::kSwing)).entry_deadline(), kIssued + std::chrono::hours(72));
  EXPECT_EQ(Make(HandPlan(Direction::kLong, Style::kScalp)).entry_deadline(), kIssued + std::chrono::minutes(30));
}

TEST(PlanFollowerEntry, ABarEndingAtTheDeadlineStillGetsItsChanceToFill) {
  FollowerOptions options;
  options.entry_window = std::chrono::minutes(2);
  PlanFollower f = Make(HandPlan(), options);
  auto out = Feed(f, {B(0, "99.60", "99.80", "99.55", "99.70"), B(1, "99.70", "100.10", "99.65", "100.05")});
  EXPECT_EQ(Kinds(out), Strings{"entered"});
  PlanFollower g = Make(HandPlan(), options);
  out = Feed(g, {B(0, "99.60", "99.80", "99.55", "99.70"), B(1, "99.70", "99.90", "99.65", "99.80")});
  ASSERT_EQ(Kinds(out), Strings{"invalidated"});
  EXPECT_EQ(out[0].ts, EndOf(1));
}

TEST(PlanFollowerEntry, ScalpPlanIsVoidWhenTheSessionClosesFirst) {
  const UnixNanos late = UnixNanos::ParseIso8601("2025-09-16T19:50:00Z").value();  // 15:50 ET
  PlanFollower f = Make(HandPlan(Direction::kLong, Style::kScalp, "T-1", late));
  const UnixNanos close = UnixNanos::ParseIso8601("2025-09-16T20:00:00Z").value();
  ASSERT_TRUE(f.session_close().has_value());
  EXPECT_EQ(*f.session_close(), close);
  EXPECT_EQ(f.entry_deadline(), close);
  std::vector<PlanDelta> out;
  f.AdvanceTo(close, out);
  ASSERT_EQ(Kinds(out), Strings{"invalidated"});
  EXPECT_NE(out[0].why.find("session closed"), std::string::npos) << out[0].why;
}

TEST(PlanFollowerEntry, APlanMadeAfterTheCloseWaitsForTheNextOpen) {
  const UnixNanos after_close = UnixNanos::ParseIso8601("2025-09-16T21:00:00Z").value();
  PlanFollower f = Make(HandPlan(Direction::kLong, Style::kScalp, "T-1", after_close));
  const UnixNanos next_open = UnixNanos::ParseIso8601("2025-09-17T13:30:00Z").value();
  EXPECT_EQ(f.entry_deadline(), next_open + std::chrono::minutes(30));
  EXPECT_EQ(f.session_close(), UnixNanos::ParseIso8601("2025-09-17T20:00:00Z").value());
}

// ---- intrabar order once in a position ---------------------------------------------------------------------

/// A follower already long at 100.00 (filled on bar 0).
PlanFollower EnteredLong(FollowerOptions options = {}, ReplanFn replan = {}) {
  PlanFollower f = Make(HandPlan(), options, std::move(replan));
  std::vector<PlanDelta> out;
  f.OnBar(B(0, "99.60", "100.10", "99.55", "100.00"), kOneMinute, out);
  EXPECT_EQ(Kinds(out), Strings{"entered"});
  return f;
}

TEST(PlanFollowerIntrabar, StopAndTargetInOneBarIsReadAsStopFirst) {
  PlanFollower f = EnteredLong();
  const auto out = Feed(f, {B(1, "100.20", "101.20", "98.90", "100.50")});
  ASSERT_EQ(Kinds(out), Strings{"stopped_out"});
  EXPECT_EQ(out[0].price, P("99.00"));
  EXPECT_EQ(out[0].exit_reason, ExitReason::kStop);
  EXPECT_NE(out[0].why.find("stop assumed first"), std::string::npos) << out[0].why;
  EXPECT_EQ(f.targets_hit(), 0);
}

TEST(PlanFollowerIntrabar, OpeningBeyondATargetCreditsItFirstAndTheMovedStopAppliesToTheRest) {
  PlanFollower f = EnteredLong();
  const auto out = Feed(f, {B(1, "101.20", "101.30", "98.90", "99.50")});
  ASSERT_EQ(Kinds(out), (Strings{"target_hit", "stop_moved", "stopped_out"}));
  EXPECT_EQ(out[0].price, P("101.20"));  // filled at the open, better than the target
  EXPECT_EQ(out[1].to, "100.00");
  EXPECT_EQ(out[2].price, P("100.00"));  // out at breakeven, not at the original stop
}

TEST(PlanFollowerIntrabar, ACloseThroughTheMovedStopAfterATargetExitsInTheSameBar) {
  PlanFollower f = EnteredLong();
  const auto out = Feed(f, {B(1, "100.20", "101.10", "99.90", "99.95")});
  ASSERT_EQ(Kinds(out), (Strings{"target_hit", "stop_moved", "stopped_out"}));
  EXPECT_EQ(out[2].price, P("100.00"));
  EXPECT_EQ(out[2].ts, EndOf(1));
}

TEST(PlanFollowerIntrabar, ALowUnderTheMovedStopWithoutACloseThereIsNotCounted) {
  // The low may have come before the target: the breakeven stop starts with the next bar.
  PlanFollower f = EnteredLong();
  const auto out = Feed(f, {B(1, "100.20", "101.10", "99.90", "100.60")});
  EXPECT_EQ(Kinds(out), (Strings{"target_hit", "stop_moved"}));
  EXPECT_EQ(f.state(), TradeState::kScaled);
  EXPECT_EQ(f.active_stop(), P("100.00"));
}

TEST(PlanFollowerIntrabar, AGapThroughTheStopFillsAtTheOpen) {
  PlanFollower f = EnteredLong();
  const auto out = Feed(f, {B(1, "98.50", "98.70", "98.40", "98.60")});
  ASSERT_EQ(Kinds(out), Strings{"stopped_out"});
  EXPECT_EQ(out[0].price, P("98.50"));
}

TEST(PlanFollowerIntrabar, ShortsMirrorEveryRule) {
  PlanFollower f = Make(HandPlan(Direction::kShort));
  const auto out = Feed(f, {B(0, "100.40", "100.45", "99.95", "100.10"), B(1, "100.10", "101.05", "98.90", "99.50")});
  ASSERT_EQ(Kinds(out), (Strings{"entered", "stopped_out"}));
  EXPECT_EQ(out[0].price, P("100.00"));  // sell-stop trigger from above
  EXPECT_EQ(out[1].price, P("101.00"));  // stop first although TP1 99.00 traded too
  EXPECT_EQ(out[1].last_price, P("99.50"));
}

// ---- the ladder, the runner and the exits ----------------------------------------------------------------------

/// Bars of true range 1.00 walking up the hand plan's ladder (the runner ATR stays 1.00).
std::vector<Bar> LadderBars() {
  return {B(0, "99.60", "100.10", "99.10", "100.00"),   B(1, "100.00", "101.00", "100.00", "101.00"),
          B(2, "101.00", "102.00", "101.00", "102.00"), B(3, "102.00", "103.00", "102.00", "103.00"),
          B(4, "103.00", "104.00", "103.00", "104.00"), B(5, "104.00", "104.50", "103.50", "103.60"),
          B(6, "103.60", "103.90", "102.90", "103.00")};
}

TEST(PlanFollowerLadder, TargetsScaleLockAndTheRunnerTrailsUntilItsStop) {
  PlanFollower f = Make(HandPlan());
  const auto out = Feed(f, LadderBars());
  ASSERT_EQ(Kinds(out), (Strings{"entered", "target_hit", "stop_moved", "target_hit", "stop_moved", "target_hit",
                                 "stop_moved", "trail_moved", "trail_moved", "health_changed", "stopped_out"}));
  EXPECT_EQ(out[1].to, "scaled");
  EXPECT_EQ(out[2].to, "100.00");  // breakeven
  EXPECT_EQ(out[3].target_index, 1);
  EXPECT_EQ(out[4].to, "101.00");  // locks TP1
  EXPECT_EQ(out[5].to, "trailing");
  EXPECT_EQ(out[6].to, "102.00");  // locks TP2
  // Chandelier: best 104.00 − 1 × 1.00, then best 104.50 − 1.00.
  EXPECT_EQ(out[7].what, "trail_stop");
  EXPECT_EQ(out[7].from, "102.00");
  EXPECT_EQ(out[7].to, "103.00");
  EXPECT_EQ(out[7].ts, EndOf(4));
  EXPECT_EQ(out[8].to, "103.50");
  // The runner is judged from its best price: the close 103.60 gave back more than half of 104.50 − 103.50.
  EXPECT_EQ(out[9].to, "at_risk");
  EXPECT_EQ(out[9].ts, EndOf(5));
  EXPECT_EQ(out[10].price, P("103.50"));
  EXPECT_EQ(out[10].exit_reason, ExitReason::kTrailStop);
  EXPECT_EQ(out[10].ts, EndOf(6));
  for (std::size_t i = 0; i < out.size(); ++i)
    EXPECT_EQ(out[i].seq, i + 1);
}

TEST(PlanFollowerLadder, WithoutARunnerTheLastTargetExits) {
  FollowerOptions options;
  options.trail_runner = false;
  PlanFollower f = Make(HandPlan(), options);
  const auto out = Feed(f, LadderBars());
  ASSERT_EQ(Kinds(out),
            (Strings{"entered", "target_hit", "stop_moved", "target_hit", "stop_moved", "target_hit", "exited"}));
  EXPECT_EQ(out[6].price, P("103.00"));
  EXPECT_EQ(out[6].exit_reason, ExitReason::kFinalTarget);
  EXPECT_EQ(out[6].ts, EndOf(3));
  EXPECT_FALSE(out[6].rr_to_t1.has_value());
}

TEST(PlanFollowerLadder, APlanWithoutARunnerMultiplierEndsAtItsLastTarget) {
  scanner::Plan plan = HandPlan();
  plan.runner.multiplier = 0;
  PlanFollower f = Make(plan);
  const auto out = Feed(f, LadderBars());
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[6].kind, DeltaKind::kExited);
  EXPECT_EQ(out[6].exit_reason, ExitReason::kFinalTarget);
}

TEST(PlanFollowerLadder, BarsTheIssuedPlanAlreadyKnewAreIgnored) {
  PlanFollower f = Make(HandPlan());
  // The bar ending at the plan's data time would have filled; it is part of the plan's own history.
  EXPECT_TRUE(Feed(f, {B(-1, "99.60", "100.10", "99.55", "100.00")}).empty());
  EXPECT_EQ(f.state(), TradeState::kPlanned);
}

TEST(PlanFollowerLadder, TheTrailNeverLoosens) {
  // The trail reaches 104.63 after a gap up; the gap then widens the ATR, whose looser level is not taken.
  PlanFollower f = Make(HandPlan());
  std::vector<Bar> bars = LadderBars();
  bars.resize(5);                                                // trail 103.00 after bar 4 (ATR 1.00)
  bars.push_back(B(5, "104.00", "104.00", "103.10", "103.20"));  // ATR still 1.00: 104.00 − 1.00, no move
  bars.push_back(B(6, "105.50", "105.60", "105.40", "105.50"));  // ATR 0.9667: 105.60 − 0.97 → 104.63
  bars.push_back(B(7, "105.50", "105.50", "105.45", "105.50"));  // ATR 1.4444 (bar 6 ranged 2.40): 104.15
  const auto out = Feed(f, bars);
  // Health: bar 5 closes 103.20, beyond the midpoint of its best 104.00 and the trail 103.00; bar 6 recovers.
  ASSERT_EQ(Kinds(out), (Strings{"entered", "target_hit", "stop_moved", "target_hit", "stop_moved", "target_hit",
                                 "stop_moved", "trail_moved", "health_changed", "trail_moved", "health_changed"}));
  EXPECT_EQ(out[9].from, "103.00");
  EXPECT_EQ(out[9].to, "104.63");
  EXPECT_EQ(out[9].ts, EndOf(6));
  EXPECT_EQ(f.active_stop(), P("104.63"));
  EXPECT_EQ(f.state(), TradeState::kTrailing);
}

TEST(PlanFollowerLadder, IntradayPositionsAreFlatByTheClose) {
  const UnixNanos start = UnixNanos::ParseIso8601("2025-09-16T19:57:00Z").value();  // 15:57 ET
  PlanFollower f = Make(HandPlan(Direction::kLong, Style::kIntraday, "T-1", start));
  const auto out =
      Feed(f, {B(0, "99.60", "100.10", "99.55", "100.00", start), B(1, "100.00", "100.30", "99.90", "100.20", start),
               B(2, "100.20", "100.40", "100.10", "100.35", start)});
  ASSERT_EQ(Kinds(out), (Strings{"entered", "exited"}));
  EXPECT_EQ(out[1].exit_reason, ExitReason::kTimeExit);
  EXPECT_EQ(out[1].price, P("100.35"));
  EXPECT_EQ(out[1].ts, UnixNanos::ParseIso8601("2025-09-16T20:00:00Z").value());
}

TEST(PlanFollowerLadder, AMissingLastBarStillEndsTheDayAtTheClose) {
  const UnixNanos start = UnixNanos::ParseIso8601("2025-09-16T19:50:00Z").value();
  PlanFollower f = Make(HandPlan(Direction::kLong, Style::kScalp, "T-1", start));
  std::vector<PlanDelta> out;
  f.OnBar(B(0, "99.60", "100.10", "99.55", "100.05", start), kOneMinute, out);
  // The next bar is the following morning's: the session end is applied first, at the previous close.
  const UnixNanos next = UnixNanos::ParseIso8601("2025-09-17T13:30:00Z").value();
  f.OnBar(B(0, "101.00", "101.50", "100.90", "101.20", next), kOneMinute, out);
  ASSERT_EQ(Kinds(out), (Strings{"entered", "exited"}));
  EXPECT_EQ(out[1].price, P("100.05"));
  EXPECT_EQ(out[1].ts, UnixNanos::ParseIso8601("2025-09-16T20:00:00Z").value());
}

// ---- health ---------------------------------------------------------------------------------------------------

TEST(PlanFollowerHealth, AtRiskWhenACloseCoversHalfTheWayToTheStopAndBackWhenItRecovers) {
  PlanFollower f = Make(HandPlan());
  const auto out = Feed(f, {B(0, "99.60", "99.70", "99.30", "99.50"), B(1, "99.50", "99.55", "99.40", "99.51"),
                            B(2, "99.51", "99.70", "99.45", "99.60")});
  // 99.50 is exactly half of the way from 100.00 to 99.00: at risk. 99.51 is back inside.
  ASSERT_EQ(Kinds(out), (Strings{"health_changed", "health_changed"}));
  EXPECT_EQ(out[0].to, "at_risk");
  EXPECT_EQ(out[0].ts, EndOf(0));
  EXPECT_EQ(out[1].to, "intact");
  EXPECT_EQ(out[1].ts, EndOf(1));
  EXPECT_EQ(f.health(), PlanHealth::kIntact);
}

TEST(PlanFollowerHealth, InAPositionTheReferenceIsTheFillThenTheLastTarget) {
  PlanFollower f = EnteredLong();
  auto out = Feed(f, {B(1, "100.00", "100.10", "99.45", "99.50")});
  ASSERT_EQ(Kinds(out), Strings{"health_changed"});
  EXPECT_EQ(out[0].to, "at_risk");
  EXPECT_EQ(out[0].next_plan_id, "");
  out = Feed(f, {B(2, "99.50", "101.10", "99.40", "101.05")});
  // TP1 hit; the close 101.05 is above the midpoint of 101.00 and the new stop 100.00.
  ASSERT_EQ(Kinds(out), (Strings{"target_hit", "stop_moved", "health_changed"}));
  EXPECT_EQ(out[2].to, "intact");
}

// ---- ticks ----------------------------------------------------------------------------------------------------

QuoteTick Q(int second, const char* bid, const char* ask) {
  QuoteTick q;
  q.instrument_id = InstrumentId::Of("NYSE:SPY");
  q.bid = P(bid);
  q.ask = P(ask);
  q.bid_size = Quantity::FromUnits(100);
  q.ask_size = Quantity::FromUnits(100);
  q.ts_event = kIssued + std::chrono::seconds(second);
  q.ts_init = q.ts_event;
  return q;
}

TEST(PlanFollowerTicks, QuotesFillEntriesAtTheAskAndStopsAtTheBid) {
  PlanFollower f = Make(HandPlan());
  std::vector<PlanDelta> out;
  f.OnQuote(Q(1, "99.58", "99.60"), out);
  f.OnQuote(Q(2, "99.99", "100.01"), out);  // the ask reaches the buy-stop: filled at 100.01
  f.OnQuote(Q(3, "99.00", "99.02"), out);   // the bid reaches the stop
  ASSERT_EQ(Kinds(out), (Strings{"entered", "stopped_out"}));
  EXPECT_EQ(out[0].price, P("100.01"));
  EXPECT_EQ(out[0].ts, kIssued + std::chrono::seconds(2));
  EXPECT_EQ(out[1].price, P("99.00"));
  EXPECT_EQ(out[1].ts, kIssued + std::chrono::seconds(3));
}

TEST(PlanFollowerTicks, TicksDecideTheirBarSoTheBarDoesNotReplayIt) {
  PlanFollower f = Make(HandPlan());
  std::vector<PlanDelta> out;
  TradeTick t;
  t.instrument_id = InstrumentId::Of("NYSE:SPY");
  t.size = Quantity::FromUnits(10);
  const auto trade = [&](int second, const char* price) {
    t.price = P(price);
    t.ts_event = kIssued + std::chrono::seconds(second);
    t.ts_init = t.ts_event;
    f.OnTrade(t, out);
  };
  trade(5, "99.70");
  trade(20, "100.00");  // stop-trigger fill
  trade(40, "101.00");  // TP1, stop to breakeven
  trade(50, "100.40");
  ASSERT_EQ(Kinds(out), (Strings{"entered", "target_hit", "stop_moved"}));
  // The bar's low 99.90 happened before the fill (at second 10); replaying it would stop the trade out at 100.
  f.OnBar(B(0, "99.70", "101.00", "99.90", "100.40"), kOneMinute, out);
  // Only the close-time work runs: the close 100.40 is past the midpoint of TP1 101.00 and the stop 100.00.
  EXPECT_EQ(Kinds(out), (Strings{"entered", "target_hit", "stop_moved", "health_changed"}));
  EXPECT_EQ(f.state(), TradeState::kScaled);
}

// ---- replans ----------------------------------------------------------------------------------------------------

ReplanFn HandReplan(int* calls) {
  return [calls](const ReplanRequest& request) -> std::optional<scanner::Plan> {
    ++*calls;
    EXPECT_EQ(request.after, DeltaKind::kStoppedOut);
    EXPECT_FALSE(request.recent_bars.empty());
    EXPECT_EQ(request.recent_bars.back().ts_event + Duration(kMinute), request.as_of);
    scanner::Plan next = HandPlan(Direction::kShort, Style::kIntraday, "T-2", request.as_of);
    return next;
  };
}

TEST(PlanFollowerReplan, AStopOutOffersTheReplan) {
  int calls = 0;
  PlanFollower f = EnteredLong({}, HandReplan(&calls));
  const auto out = Feed(f, {B(1, "99.50", "99.60", "98.90", "99.10")});
  ASSERT_EQ(Kinds(out), (Strings{"stopped_out", "replan_offered"}));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(out[1].next_plan_id, "T-2");
  EXPECT_FALSE(out[1].adopted);
  EXPECT_EQ(out[1].plan_id, "T-1");
  EXPECT_EQ(out[1].seq, 3u);
  ASSERT_TRUE(f.offered_plan().has_value());
  EXPECT_TRUE(f.finished());
  // Nothing happens to a finished plan until the replan is adopted by hand.
  std::vector<PlanDelta> later;
  f.OnBar(B(2, "99.10", "99.30", "98.50", "98.60"), kOneMinute, later);
  EXPECT_TRUE(later.empty());
  ASSERT_TRUE(f.AdoptOffered(EndOf(2), later).ok());
  ASSERT_EQ(Kinds(later), Strings{"replan_offered"});
  EXPECT_TRUE(later[0].adopted);
  EXPECT_EQ(later[0].seq, 4u);
  EXPECT_EQ(f.plan_id(), "T-2");
  EXPECT_EQ(f.state(), TradeState::kPlanned);
  EXPECT_FALSE(f.AdoptOffered(EndOf(2), later).ok());
}

TEST(PlanFollowerReplan, AutoRearmAdoptsAndFollowsTheNewPlanWithTheSameSequence) {
  int calls = 0;
  FollowerOptions options;
  options.auto_rearm = true;
  PlanFollower f = EnteredLong(options, HandReplan(&calls));
  const auto out = Feed(f, {B(1, "99.50", "99.60", "98.90", "99.10"),
                            // T-2 is a short from 100.00 (stop 101.00): price 99.10 is below, a limit sell.
                            B(2, "99.10", "99.50", "99.00", "99.40"), B(3, "99.40", "100.05", "99.30", "99.80")});
  ASSERT_EQ(Kinds(out), (Strings{"stopped_out", "replan_offered", "entered"}));
  EXPECT_TRUE(out[1].adopted);
  EXPECT_EQ(out[2].plan_id, "T-2");
  EXPECT_EQ(out[2].seq, 4u);
  EXPECT_EQ(out[2].price, P("100.00"));
  EXPECT_EQ(f.chain(), (Strings{"T-1", "T-2"}));
}

TEST(PlanFollowerReplan, AnAdoptedPlanStartsWithTheNextBarNotInTheBarThatEndedTheOldOne) {
  // The last target exits; the replan (a long with the same levels) must not take this bar's prices.
  FollowerOptions options;
  options.auto_rearm = true;
  options.trail_runner = false;
  PlanFollower f = Make(HandPlan(), options, [](const ReplanRequest& r) -> std::optional<scanner::Plan> {
    EXPECT_EQ(r.after, DeltaKind::kExited);
    EXPECT_EQ(r.exit_reason, ExitReason::kFinalTarget);
    return HandPlan(Direction::kLong, Style::kIntraday, "T-2", r.as_of);
  });
  auto out = Feed(f, {B(0, "99.60", "100.10", "99.55", "100.00"), B(1, "100.00", "103.20", "100.00", "99.40")});
  ASSERT_EQ(Kinds(out), (Strings{"entered", "target_hit", "stop_moved", "target_hit", "stop_moved", "target_hit",
                                 "exited", "replan_offered"}));
  EXPECT_TRUE(out.back().adopted);
  EXPECT_EQ(f.plan_id(), "T-2");
  EXPECT_EQ(f.state(), TradeState::kPlanned);
  EXPECT_EQ(f.health(), PlanHealth::kIntact);  // no close-time work for T-2 on the bar that ended T-1
  out = Feed(f, {B(2, "99.40", "99.45", "99.30", "99.35")});
  ASSERT_EQ(Kinds(out), Strings{"health_changed"});
  EXPECT_EQ(out[0].plan_id, "T-2");
  EXPECT_EQ(out[0].seq, 9u);
}

TEST(PlanFollowerReplan, AReplanNamingAFollowedPlanIsIgnored) {
  PlanFollower f = EnteredLong({}, [](const ReplanRequest& r) -> std::optional<scanner::Plan> {
    return HandPlan(Direction::kLong, Style::kIntraday, "T-1", r.as_of);
  });
  const auto out = Feed(f, {B(1, "99.50", "99.60", "98.90", "99.10")});
  EXPECT_EQ(Kinds(out), Strings{"stopped_out"});
}

// ---- wire format and validation ---------------------------------------------------------------------------------

TEST(PlanDeltaJson, ChangesMatchThePlanDeltaChangesContract) {
  int calls = 0;
  PlanFollower f = EnteredLong({}, HandReplan(&calls));
  const auto out = Feed(f, {B(1, "99.50", "99.60", "98.90", "99.10")});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(PlanDeltaChangesToJson(out[0]),
            R"j({"status":"stopped","next_step":"stand_aside","note":"bar low 98.90 traded the stop 99.00 (stop)",)j"
            R"j("last_price":99.10,"timestamp":"2025-09-16T14:02:00.000Z"})j");
  EXPECT_EQ(PlanDeltaMessageToJson(out[1]),
            R"j({"plan_id":"T-1","event":{"t":"plan_delta","seq":3,"kind":"replan_offered","what":"next_plan",)j"
            R"j("from":"","to":"T-2","changes":{"status":"exited","next_step":"review_replan","note":"replan T-2 )j"
            R"j(offered: short entry 100.00, stop 101.00, TP1 99.00","last_price":99.10,)j"
            R"j("timestamp":"2025-09-16T14:02:00.000Z","next_plan_id":"T-2"}}})j");
  std::vector<PlanDelta> first;
  PlanFollower g = Make(HandPlan());
  g.OnBar(B(0, "99.60", "100.10", "99.55", "100.05"), kOneMinute, first);
  EXPECT_EQ(PlanDeltaChangesToJson(first[0]),
            R"j({"status":"entered","next_step":"hold_for_tp1","note":"stop-trigger entry 100.00 filled (bar high )j"
            R"j(100.10)","rr_to_t1":0.90,"last_price":100.05,"timestamp":"2025-09-16T14:01:00.000Z"})j");
}

TEST(PlanFollowerValidation, BrokenGeometryIsAnErrorNamingTheField) {
  scanner::Plan p = HandPlan();
  p.stop = P("100.50");
  auto r = PlanFollower::Create(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "stop");
  p = HandPlan();
  p.targets[1].price = P("100.50");
  r = PlanFollower::Create(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "targets[1]");
  p = HandPlan();
  p.targets.clear();
  EXPECT_EQ(PlanFollower::Create(p).error().field, "targets");
  p = HandPlan();
  p.plan_id.clear();
  EXPECT_EQ(PlanFollower::Create(p).error().field, "plan_id");
  FollowerOptions options;
  options.at_risk_fraction = 0;
  EXPECT_EQ(PlanFollower::Create(HandPlan(), options).error().field, "at_risk_fraction");
}

// ---- PlanBook -------------------------------------------------------------------------------------------------

TEST(PlanBookTest, RoutesBarsBySymbolAndFindsAdoptedPlans) {
  std::vector<PlanDelta> seen;
  PlanBook book([&](const PlanDelta& d) { seen.push_back(d); });
  int calls = 0;
  FollowerOptions rearm;
  rearm.auto_rearm = true;
  ASSERT_TRUE(book.Follow(HandPlan(), rearm, HandReplan(&calls)).ok());
  scanner::Plan other = HandPlan(Direction::kLong, Style::kIntraday, "Q-1");
  other.symbol = "QQQ";
  ASSERT_TRUE(book.Follow(other).ok());
  const Status again = book.Follow(HandPlan());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(book.size(), 2u);

  book.OnBar("SPY", B(0, "99.60", "100.10", "99.55", "100.00"), kOneMinute);
  book.OnBar("SPY", B(0, "99.60", "100.10", "99.55", "100.00"), BarSpec{5, BarUnit::kMinute});  // other spec
  book.OnBar("IWM", B(1, "99.60", "100.10", "99.55", "100.00"), kOneMinute);                    // unknown symbol
  book.OnBar("SPY", B(1, "99.50", "99.60", "98.90", "99.10"), kOneMinute);
  ASSERT_EQ(Kinds(seen), (Strings{"entered", "stopped_out", "replan_offered"}));
  EXPECT_EQ(book.Find("T-2"), book.Find("T-1"));
  ASSERT_NE(book.Find("Q-1"), nullptr);
  EXPECT_EQ(book.Find("Q-1")->state(), TradeState::kPlanned);
  // QQQ's bars reach only QQQ's plan.
  book.OnBar("QQQ", B(1, "99.60", "99.70", "99.30", "99.40"), kOneMinute);
  EXPECT_EQ(seen.back().plan_id, "Q-1");
  EXPECT_EQ(seen.back().kind, DeltaKind::kHealthChanged);
  EXPECT_TRUE(book.Remove("T-2"));
  EXPECT_EQ(book.Find("T-1"), nullptr);
  EXPECT_FALSE(book.Remove("T-1"));
  EXPECT_EQ(book.size(), 1u);
  book.AdvanceTo(kIssued + std::chrono::hours(3));
  EXPECT_EQ(seen.back().kind, DeltaKind::kInvalidated);
  EXPECT_EQ(seen.back().plan_id, "Q-1");
  EXPECT_EQ(book.Adopt("nope", kIssued).error().code, ErrorCode::kNotFound);
}

// ---- real sessions ---------------------------------------------------------------------------------------------

using scanner::testing::DataDir;
using scanner::testing::LocalTime;
using scanner::testing::Spy1m;
using scanner::testing::SpyDaily;
using scanner::testing::UsInput;

/// The SPY 1m bars of [from, to) as model bars.
std::vector<Bar> SpyBars(UnixNanos from, UnixNanos to) {
  const scanner::BarSeries& s = Spy1m();
  std::vector<Bar> bars;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.ts[i] < from.nanos() || s.ts[i] >= to.nanos())
      continue;
    Bar b;
    b.ts_event = UnixNanos(s.ts[i]);
    b.ts_init = b.ts_event;
    b.open = Price::FromDouble(s.open[i], 2).value();
    b.high = Price::FromDouble(s.high[i], 2).value();
    b.low = Price::FromDouble(s.low[i], 2).value();
    b.close = Price::FromDouble(s.close[i], 2).value();
    b.volume = Quantity::FromDouble(s.volume[i], 0).value();
    bars.push_back(b);
  }
  return bars;
}

/// A plan at `as_of` through the scanner's own API: the first detector signal of `style`, else a forced
/// signal (entry at the last close, stop behind the 10-bar extreme) in `direction`.
std::optional<scanner::Plan> ScannerPlan(UnixNanos as_of, Style style, Direction direction) {
  const auto ctx = scanner::BuildContext(UsInput("SPY", Spy1m(), as_of, 6, &SpyDaily()), as_of);
  if (!ctx.ok())
    return std::nullopt;
  for (const scanner::Detection& d : scanner::DetectAll(*ctx)) {
    if (d.status != scanner::DetectStatus::kSignal || scanner::Spec(d.signal->strategy).style != style)
      continue;
    auto plan = scanner::BuildPlan(*ctx, *d.signal);
    if (plan.ok())
      return std::move(*plan);
  }
  const std::size_t last = ctx->last();
  double lo = ctx->bars.low[last], hi = ctx->bars.high[last];
  for (std::size_t k = last >= 9 ? last - 9 : 0; k <= last; ++k) {
    lo = std::min(lo, ctx->bars.low[k]);
    hi = std::max(hi, ctx->bars.high[k]);
  }
  scanner::Signal s;
  s.strategy = scanner::StrategyId::kMomentum;
  s.direction = direction;
  s.entry = ctx->price();
  s.structure_stop = direction == Direction::kLong ? lo : hi;
  s.stop_basis = "10-bar extreme";
  s.trigger = "replay replan";
  scanner::PlanOptions options;
  options.style = style;
  auto plan = scanner::BuildPlan(*ctx, s, options);
  if (!plan.ok())
    return std::nullopt;
  return std::move(*plan);
}

ReplanFn ScannerReplan(std::vector<UnixNanos>* asked) {
  return [asked](const ReplanRequest& r) -> std::optional<scanner::Plan> {
    asked->push_back(r.as_of);
    return ScannerPlan(r.as_of, r.previous.style, r.previous.direction);
  };
}

/// One expected event, derived in the test from the bars.
struct Expected {
  DeltaKind kind;
  Price price;
  UnixNanos ts;
  friend bool operator==(const Expected&, const Expected&) = default;
};

std::ostream& operator<<(std::ostream& os, const Expected& e) {
  return os << DeltaKindName(e.kind) << " @" << e.price.ToString() << " " << e.ts.ToIso8601();
}

std::vector<Expected> Actual(const std::vector<PlanDelta>& deltas) {
  std::vector<Expected> actual;
  for (const PlanDelta& d : deltas)
    actual.push_back({d.kind, d.price, d.ts});
  return actual;
}

/// Long-frame helpers: +1 for long, −1 for short, so "low" means the adverse extreme.
struct Frame {
  std::int64_t s;
  std::int64_t Open(const Bar& b) const { return s * b.open.raw(); }
  std::int64_t Close(const Bar& b) const { return s * b.close.raw(); }
  std::int64_t Adverse(const Bar& b) const { return std::min(s * b.low.raw(), s * b.high.raw()); }
  std::int64_t Favourable(const Bar& b) const { return std::max(s * b.low.raw(), s * b.high.raw()); }
  std::int64_t Of(Price p) const { return s * p.raw(); }
};

/// The events a plan implies for `bars` while the trade goes planned → entered → (stop before TP1), with
/// the health flips in between — written out directly from the documented rules. Returns nullopt when the
/// bars take another path (a target first, a gap fill, an expired window), which the caller treats as a
/// fixture error.
std::optional<std::vector<Expected>> EntryThenStop(const scanner::Plan& plan, const std::vector<Bar>& bars,
                                                   std::size_t* exit_index) {
  const Frame fr{plan.direction == Direction::kLong ? 1 : -1};
  const std::int64_t entry = fr.Of(plan.entry), stop = fr.Of(plan.stop), tp1 = fr.Of(plan.targets[0].price);
  const Duration minute(kMinute);
  std::vector<Expected> ev;
  const bool limit = fr.Open(bars.front()) > entry;
  // The first bar that fills.
  std::size_t k = 0;
  for (; k < bars.size(); ++k) {
    const Bar& b = bars[k];
    const bool fills = limit ? fr.Adverse(b) <= entry : fr.Favourable(b) >= entry;
    if (fills)
      break;
    if (fr.Adverse(b) <= stop)
      return std::nullopt;  // the stop traded before the entry: invalidated
  }
  if (k == bars.size() || fr.Open(bars[k]) == entry || (limit ? fr.Open(bars[k]) <= entry : fr.Open(bars[k]) >= entry))
    return std::nullopt;  // never filled, or filled at the open
  if (!limit && fr.Adverse(bars[k]) <= stop)
    return std::nullopt;  // stop first: invalidated
  // The first bar after the fill (or the fill bar itself for a limit) touching the stop or TP1.
  std::size_t j = limit ? k : k + 1;
  for (; j < bars.size(); ++j) {
    const bool target = (limit && j == k) ? fr.Close(bars[j]) >= tp1 : fr.Favourable(bars[j]) >= tp1;
    if (fr.Adverse(bars[j]) <= stop)
      break;
    if (target)
      return std::nullopt;
  }
  if (j == bars.size() || fr.Open(bars[j]) <= stop)
    return std::nullopt;
  // The entry window: a bar must end by the deadline to fill.
  const Duration window = plan.style == Style::kScalp ? Duration(std::chrono::minutes(30)) : std::chrono::hours(2);
  if (bars[k].ts_event + minute > plan.data_as_of + window)
    return std::nullopt;
  // Health at each close from the first bar to the one before the exit: at risk once a close covers half of
  // the way from the entry to the stop.
  const std::int64_t half = entry - std::llround(0.5 * static_cast<double>(entry - stop));
  bool at_risk = false;
  for (std::size_t i = 0; i < j; ++i) {
    const UnixNanos end = bars[i].ts_event + minute;
    if (i == k)
      ev.push_back({DeltaKind::kEntered, plan.entry, end});
    const bool now = fr.Close(bars[i]) <= half;
    if (now != at_risk)
      ev.push_back({DeltaKind::kHealthChanged, bars[i].close, end});
    at_risk = now;
  }
  if (j == k)
    ev.push_back({DeltaKind::kEntered, plan.entry, bars[j].ts_event + minute});
  ev.push_back({DeltaKind::kStoppedOut, plan.stop, bars[j].ts_event + minute});
  *exit_index = j;
  return ev;
}

/// The events of planned → entered → TP1 (scale out, stop to breakeven) → out at breakeven, with the health
/// flips (judged from the entry before TP1 and from TP1 after it), derived directly from the bars. Returns
/// nullopt when the bars take another path.
std::optional<std::vector<Expected>> EntryTp1ThenBreakeven(const scanner::Plan& plan, const std::vector<Bar>& bars,
                                                           std::size_t* exit_index) {
  if (plan.targets.size() < 2 || bars.empty())
    return std::nullopt;
  const Frame fr{plan.direction == Direction::kLong ? 1 : -1};
  const std::int64_t entry = fr.Of(plan.entry), stop = fr.Of(plan.stop), tp1 = fr.Of(plan.targets[0].price),
                     tp2 = fr.Of(plan.targets[1].price);
  const Duration minute(kMinute);
  const bool limit = fr.Open(bars.front()) > entry;
  std::size_t k = 0;
  for (; k < bars.size() && !(limit ? fr.Adverse(bars[k]) <= entry : fr.Favourable(bars[k]) >= entry); ++k) {
    if (fr.Adverse(bars[k]) <= stop)
      return std::nullopt;  // the stop traded before the entry: invalidated
  }
  if (k == bars.size() || (limit ? fr.Open(bars[k]) <= entry : fr.Open(bars[k]) >= entry))
    return std::nullopt;
  if (!limit && fr.Adverse(bars[k]) <= stop)
    return std::nullopt;
  const Duration window = plan.style == Style::kScalp ? Duration(std::chrono::minutes(30)) : std::chrono::hours(2);
  if (bars[k].ts_event + minute > plan.data_as_of + window)
    return std::nullopt;
  // TP1: on the fill bar a limit needs the close there; afterwards the high (low for shorts) will do.
  std::size_t j = k;
  for (; j < bars.size(); ++j) {
    const bool fill_bar = j == k;
    if ((!fill_bar || limit) && fr.Adverse(bars[j]) <= stop)
      return std::nullopt;  // stopped before TP1
    const std::int64_t reach = fill_bar && limit ? fr.Close(bars[j]) : fr.Favourable(bars[j]);
    if (reach >= tp1) {
      if ((!fill_bar && fr.Open(bars[j]) >= tp1) || reach >= tp2)
        return std::nullopt;  // a gap through TP1, or TP2 in the same bar
      break;
    }
  }
  if (j == bars.size())
    return std::nullopt;
  // Out at breakeven: in the TP1 bar when it closes back through the fill, else the first later bar to touch it.
  std::size_t m = j;
  if (fr.Close(bars[j]) > entry) {
    for (m = j + 1; m < bars.size(); ++m) {
      if (fr.Adverse(bars[m]) <= entry)
        break;
      if (fr.Favourable(bars[m]) >= tp2)
        return std::nullopt;
    }
    if (m == bars.size() || fr.Open(bars[m]) <= entry)
      return std::nullopt;
  }
  std::vector<Expected> ev;
  bool at_risk = false;
  for (std::size_t i = 0; i <= m; ++i) {
    const UnixNanos end = bars[i].ts_event + minute;
    if (i == k)
      ev.push_back({DeltaKind::kEntered, plan.entry, end});
    if (i == j) {
      ev.push_back({DeltaKind::kTargetHit, plan.targets[0].price, end});
      ev.push_back({DeltaKind::kStopMoved, plan.entry, end});
    }
    if (i == m)
      break;
    const std::int64_t ref = i < j ? entry : tp1, st = i < j ? stop : entry;
    const bool now = fr.Close(bars[i]) <= ref - std::llround(0.5 * static_cast<double>(ref - st));
    if (now != at_risk)
      ev.push_back({DeltaKind::kHealthChanged, bars[i].close, end});
    at_risk = now;
  }
  ev.push_back({DeltaKind::kStoppedOut, plan.entry, bars[m].ts_event + minute});
  *exit_index = m;
  return ev;
}

class RealSessions : public ::testing::Test {
 protected:
  void SetUp() override {
    if (DataDir().empty())
      GTEST_SKIP() << "no market data ($TRADEDESK_DATA_DIR)";
  }
};

/// Replays `plan` over the bars after it and returns the follower's events.
std::vector<PlanDelta> Replay(PlanFollower& f, const std::vector<Bar>& bars) {
  std::vector<PlanDelta> out;
  for (const Bar& b : bars)
    f.OnBar(b, kOneMinute, out);
  return out;
}

struct StopOutCase {
  const char* local;  // the plan's as_of, ET
  Style style;
  Direction direction;
};

// Found with the disabled FindReplayFixtures test below; each plan fills and is stopped out before TP1.
const StopOutCase kStopOutCase{"2025-09-17 14:00", Style::kScalp, Direction::kLong};

TEST_F(RealSessions, AScannerPlanWalksTheEventsItsBarsImplyAndIsOfferedAReplan) {
  const UnixNanos as_of = LocalTime(calendar::Exchange::kNyse, kStopOutCase.local);
  const auto plan = ScannerPlan(as_of, kStopOutCase.style, kStopOutCase.direction);
  ASSERT_TRUE(plan.has_value());
  std::vector<UnixNanos> asked;
  PlanFollower f = Make(*plan, {}, ScannerReplan(&asked));
  const std::vector<Bar> bars = SpyBars(plan->data_as_of, plan->data_as_of + std::chrono::hours(3));
  std::size_t exit_index = 0;
  const auto expected = EntryThenStop(*plan, bars, &exit_index);
  ASSERT_TRUE(expected.has_value()) << "fixture no longer fills and stops out: " << plan->plan_id;
  const std::vector<Bar> until_exit(bars.begin(), bars.begin() + static_cast<std::ptrdiff_t>(exit_index) + 1);
  const auto out = Replay(f, until_exit);
  ASSERT_GE(out.size(), expected->size() + 1);
  std::vector<PlanDelta> trade_events(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(expected->size()));
  EXPECT_EQ(Actual(trade_events), *expected);
  // Then the replan, computed through the scanner at the exit bar's end.
  const PlanDelta& offer = out.back();
  EXPECT_EQ(offer.kind, DeltaKind::kReplanOffered);
  EXPECT_EQ(out.size(), expected->size() + 1);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0], bars[exit_index].ts_event + Duration(kMinute));
  const auto replan = ScannerPlan(asked[0], kStopOutCase.style, kStopOutCase.direction);
  ASSERT_TRUE(replan.has_value());
  EXPECT_EQ(offer.next_plan_id, replan->plan_id);
  EXPECT_EQ(offer.ts, asked[0]);
  ASSERT_TRUE(f.offered_plan().has_value());
  EXPECT_EQ(f.offered_plan()->entry, replan->entry);
  EXPECT_EQ(f.offered_plan()->stop, replan->stop);
  // Nothing but the offer after the exit.
  const auto rest = Replay(f, std::vector<Bar>(bars.begin() + static_cast<std::ptrdiff_t>(exit_index) + 1, bars.end()));
  EXPECT_TRUE(rest.empty());
}

TEST_F(RealSessions, AutoRearmAdoptsTheReplanAndFollowsItOnTheSameSequence) {
  const UnixNanos as_of = LocalTime(calendar::Exchange::kNyse, kStopOutCase.local);
  const auto plan = ScannerPlan(as_of, kStopOutCase.style, kStopOutCase.direction);
  ASSERT_TRUE(plan.has_value());
  std::vector<UnixNanos> asked;
  FollowerOptions options;
  options.auto_rearm = true;
  PlanFollower f = Make(*plan, options, ScannerReplan(&asked));
  const std::vector<Bar> bars = SpyBars(plan->data_as_of, plan->data_as_of + std::chrono::hours(3));
  std::size_t exit_index = 0;
  const auto expected = EntryThenStop(*plan, bars, &exit_index);
  ASSERT_TRUE(expected.has_value());
  const auto out = Replay(f, bars);
  ASSERT_GT(out.size(), expected->size() + 1);
  const PlanDelta& adopt = out[expected->size()];
  ASSERT_EQ(adopt.kind, DeltaKind::kReplanOffered);
  EXPECT_TRUE(adopt.adopted);
  ASSERT_FALSE(asked.empty());
  const auto replan = ScannerPlan(asked[0], kStopOutCase.style, kStopOutCase.direction);
  ASSERT_TRUE(replan.has_value());
  EXPECT_EQ(adopt.next_plan_id, replan->plan_id);
  // The adopted plan's own events, derived from the bars after the first exit the same way.
  const std::vector<Bar> after(bars.begin() + static_cast<std::ptrdiff_t>(exit_index) + 1, bars.end());
  // Its events form one block (a later adoption would hand the stream to the next plan).
  std::vector<PlanDelta> second;
  for (std::size_t i = expected->size() + 1; i < out.size() && out[i].plan_id == replan->plan_id; ++i)
    second.push_back(out[i]);
  ASSERT_FALSE(second.empty());
  if (expected->size() + 1 + second.size() < out.size()) {
    EXPECT_EQ(second.back().kind, DeltaKind::kReplanOffered);
    EXPECT_TRUE(second.back().adopted);
  }
  for (std::size_t i = 0; i < out.size(); ++i)
    EXPECT_EQ(out[i].seq, i + 1);
  // The replan starts planned; its first trade event is the first bar (ending by its deadline) that fills or
  // voids it, by the entry rules: a limit when the first open is beyond the entry, a stop trigger otherwise.
  const Frame fr{replan->direction == Direction::kLong ? 1 : -1};
  const std::int64_t entry = fr.Of(replan->entry), stop = fr.Of(replan->stop);
  const bool limit = fr.Open(after.front()) > entry;
  Expected first{DeltaKind::kInvalidated, Price(), f.entry_deadline()};
  for (const Bar& b : after) {
    const UnixNanos end = b.ts_event + Duration(kMinute);
    if (end > f.entry_deadline())
      break;
    std::optional<Expected> hit;
    if (limit) {
      if (fr.Open(b) <= stop)
        hit = Expected{DeltaKind::kInvalidated, Price(), end};
      else if (fr.Open(b) <= entry)
        hit = Expected{DeltaKind::kEntered, b.open, end};
      else if (fr.Adverse(b) <= entry)
        hit = Expected{DeltaKind::kEntered, replan->entry, end};
    } else {
      if (fr.Open(b) >= entry)
        hit = Expected{DeltaKind::kEntered, b.open, end};
      else if (fr.Open(b) <= stop || fr.Adverse(b) <= stop)
        hit = Expected{DeltaKind::kInvalidated, Price(), end};
      else if (fr.Favourable(b) >= entry)
        hit = Expected{DeltaKind::kEntered, replan->entry, end};
    }
    if (hit) {
      first = *hit;
      break;
    }
  }
  const auto it = std::find_if(second.begin(), second.end(), [](const PlanDelta& d) {
    return d.kind == DeltaKind::kEntered || d.kind == DeltaKind::kInvalidated;
  });
  ASSERT_NE(it, second.end());
  EXPECT_EQ(it->kind, first.kind);
  EXPECT_EQ(it->ts, first.ts);
  if (first.kind == DeltaKind::kEntered) {
    EXPECT_EQ(it->price, first.price);
  }
}

TEST_F(RealSessions, AScalpShortScalesAtTp1AndLeavesAtBreakeven) {
  const UnixNanos as_of = LocalTime(calendar::Exchange::kNyse, "2025-09-18 13:30");
  const auto plan = ScannerPlan(as_of, Style::kScalp, Direction::kShort);
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->direction, Direction::kShort);
  PlanFollower f = Make(*plan);
  const std::vector<Bar> bars = SpyBars(plan->data_as_of, plan->data_as_of + std::chrono::hours(2));
  std::size_t exit_index = 0;
  const auto expected = EntryTp1ThenBreakeven(*plan, bars, &exit_index);
  ASSERT_TRUE(expected.has_value()) << "fixture no longer takes the TP1-then-breakeven path: " << plan->plan_id;
  const auto out = Replay(f, bars);
  EXPECT_EQ(Actual(out), *expected);
  EXPECT_EQ(f.exit_reason(), ExitReason::kStop);
  EXPECT_EQ(f.targets_hit(), 1);
}

TEST_F(RealSessions, EveryPlanWhoseBarsTakeADerivablePathEmitsExactlyThatPath) {
  // Scanner plans every 30 minutes of ten sessions, both directions, scalp and intraday: wherever the bars take
  // one of the two paths derived above, the follower's events must be exactly those, event by event.
  std::size_t stop_paths = 0, breakeven_paths = 0, plans = 0;
  for (int day : {16, 17, 18, 19, 22, 23, 24, 25, 26, 29}) {
    for (int minutes = 30; minutes <= 300; minutes += 30) {
      char local[32];
      std::snprintf(local, sizeof(local), "2025-09-%02d %02d:%02d", day, 10 + minutes / 60, minutes % 60);
      const UnixNanos as_of = LocalTime(calendar::Exchange::kNyse, local);
      for (Style style : {Style::kScalp, Style::kIntraday}) {
        for (Direction dir : {Direction::kLong, Direction::kShort}) {
          const auto plan = ScannerPlan(as_of, style, dir);
          if (!plan)
            continue;
          ++plans;
          const std::vector<Bar> bars = SpyBars(plan->data_as_of, plan->data_as_of + std::chrono::hours(3));
          if (bars.empty())
            continue;
          std::size_t exit_index = 0;
          auto expected = EntryThenStop(*plan, bars, &exit_index);
          const bool stop_path = expected.has_value();
          if (!stop_path)
            expected = EntryTp1ThenBreakeven(*plan, bars, &exit_index);
          if (!expected)
            continue;
          (stop_path ? stop_paths : breakeven_paths) += 1;
          PlanFollower f = Make(*plan);
          EXPECT_EQ(Actual(Replay(f, bars)), *expected) << plan->plan_id << " at " << local;
        }
      }
    }
  }
  EXPECT_GT(plans, 300u);
  EXPECT_GE(stop_paths, 20u);
  EXPECT_GE(breakeven_paths, 5u);
  RecordProperty("stop_paths", static_cast<int>(stop_paths));
  RecordProperty("breakeven_paths", static_cast<int>(breakeven_paths));
}

/// Checks the invariants of one follower's event stream.
void CheckStream(const std::vector<PlanDelta>& out, const std::string& where) {
  std::map<std::string, TradeState> state;
  std::map<std::string, bool> exited, invalidated;
  std::map<std::string, Price> stop;
  std::map<std::string, bool> is_long;
  std::uint64_t seq = 0;
  UnixNanos ts;
  for (const PlanDelta& d : out) {
    SCOPED_TRACE(where + " seq " + std::to_string(d.seq) + " " + std::string(DeltaKindName(d.kind)));
    EXPECT_EQ(d.seq, seq + 1);
    seq = d.seq;
    EXPECT_GE(d.ts, ts);
    ts = d.ts;
    if (exited[d.plan_id] || invalidated[d.plan_id]) {
      EXPECT_EQ(d.kind, DeltaKind::kReplanOffered) << "event after the plan finished";
    }
    if (state.contains(d.plan_id)) {
      EXPECT_GE(static_cast<int>(d.state), static_cast<int>(state[d.plan_id])) << "trade state went back";
    }
    state[d.plan_id] = d.state;
    if (d.kind == DeltaKind::kStoppedOut || d.kind == DeltaKind::kExited)
      exited[d.plan_id] = true;
    if (d.kind == DeltaKind::kInvalidated) {
      invalidated[d.plan_id] = true;
      EXPECT_EQ(d.state, TradeState::kPlanned);
    }
    if (d.kind == DeltaKind::kStopMoved || d.kind == DeltaKind::kTrailMoved) {
      const Price from = Price::Parse(d.from).value(), to = Price::Parse(d.to).value();
      const bool up = to > from;
      if (!is_long.contains(d.plan_id))
        is_long[d.plan_id] = up;
      EXPECT_EQ(up, is_long[d.plan_id]) << "a stop loosened: " << d.from << " -> " << d.to;
      if (stop.contains(d.plan_id)) {
        EXPECT_EQ(from, stop[d.plan_id]);
      }
      stop[d.plan_id] = to;
    }
    EXPECT_FALSE(PlanDeltaMessageToJson(d).empty());
  }
}

TEST_F(RealSessions, PropertiesHoldOverManySessionsAndPlans) {
  // Every 45 minutes of 12 sessions, both directions, scalp and intraday, auto-rearm on and off.
  const scanner::BarSeries& s = Spy1m();
  std::vector<std::int64_t> opens;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 0 || s.ts[i] - s.ts[i - 1] > 3 * 3600 * std::int64_t{1'000'000'000})
      opens.push_back(s.ts[i]);
  }
  std::size_t plans = 0, events = 0, exits = 0, replans = 0;
  for (std::size_t day = 5; day < opens.size() && day < 5 + 12 * 9; day += 9) {
    for (int minutes = 35; minutes < 390 - 60; minutes += 45) {
      const UnixNanos as_of(opens[day] + minutes * kMinute);
      for (Direction dir : {Direction::kLong, Direction::kShort}) {
        const Style style = minutes % 2 == 0 ? Style::kIntraday : Style::kScalp;
        const auto plan = ScannerPlan(as_of, style, dir);
        if (!plan)
          continue;
        std::vector<UnixNanos> asked;
        FollowerOptions options;
        options.auto_rearm = (minutes / 45) % 2 == 0;
        PlanFollower f = Make(*plan, options, [&asked](const ReplanRequest& r) -> std::optional<scanner::Plan> {
          asked.push_back(r.as_of);
          if (asked.size() > 3)
            return std::nullopt;
          return ScannerPlan(r.as_of, r.previous.style, r.previous.direction);
        });
        const auto out = Replay(f, SpyBars(plan->data_as_of, plan->data_as_of + std::chrono::hours(8)));
        CheckStream(out, plan->plan_id);
        ++plans;
        events += out.size();
        for (const PlanDelta& d : out) {
          exits += d.kind == DeltaKind::kStoppedOut || d.kind == DeltaKind::kExited;
          replans += d.kind == DeltaKind::kReplanOffered;
        }
      }
    }
  }
  EXPECT_GT(plans, 100u);
  EXPECT_GT(exits, 20u);
  EXPECT_GT(replans, 10u);
  RecordProperty("plans", static_cast<int>(plans));
  RecordProperty("events", static_cast<int>(events));
}

// Lists (as_of, outcome) for scanner plans on SPY sessions, to pick replay fixtures:
// --gtest_also_run_disabled_tests --gtest_filter='*FindReplayFixtures*'
TEST_F(RealSessions, DISABLED_FindReplayFixtures) {
  for (int day = 16; day <= 19; ++day) {
    for (int hour = 10; hour <= 14; ++hour) {
      for (int minute : {0, 30}) {
        char local[32];
        std::snprintf(local, sizeof(local), "2025-09-%02d %02d:%02d", day, hour, minute);
        const UnixNanos as_of = LocalTime(calendar::Exchange::kNyse, local);
        for (Direction dir : {Direction::kLong, Direction::kShort}) {
          const auto plan = ScannerPlan(as_of, Style::kScalp, dir);
          if (!plan)
            continue;
          PlanFollower f = Make(*plan);
          const auto bars = SpyBars(plan->data_as_of, plan->data_as_of + std::chrono::hours(3));
          std::size_t exit_index = 0;
          const bool simple = EntryThenStop(*plan, bars, &exit_index).has_value();
          const bool breakeven = EntryTp1ThenBreakeven(*plan, bars, &exit_index).has_value();
          std::string kinds;
          for (const PlanDelta& d : Replay(f, bars))
            kinds += std::getenv("TD_FIXTURE_VERBOSE") != nullptr ? "\n  " + PlanDeltaMessageToJson(d)
                                                                  : std::string(DeltaKindName(d.kind)) + " ";
          std::printf("%s %s %s stop=%d breakeven=%d: %s\n", local, std::string(scanner::DirectionName(dir)).c_str(),
                      plan->plan_id.c_str(), simple ? 1 : 0, breakeven ? 1 : 0, kinds.c_str());
        }
      }
    }
  }
}

}  // namespace
}  // namespace td::plans
