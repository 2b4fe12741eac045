// SPDX-License-Identifier: MIT
// The order emulator on replayed real market data: SPY trade ticks of 2013-10-07 (AlgoSeek via Lean) and NIFTY
// 1-minute bars of Nov 2022. For every scenario the firing tick/bar is computed here, independently, from the
// prices themselves; the emulator must release on exactly that print, on the instrument's own exchange, in
// exactly the record's quantity.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "data/archive.hpp"
#include "unit/execution/emulator_harness.hpp"

namespace td::execution {
namespace {

using testing::Desk;
using testing::EmulatorTempDir;
using testing::Px;
using testing::Qty;
using testing::TapeBroker;

std::filesystem::path DataDir() {
  if (const char* env = std::getenv("TRADEDESK_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::filesystem::path(TD_SOURCE_DIR) / ".." / "shared" / "data";
}

struct Print {
  UnixNanos ts;
  Price price;
  Quantity size;
};

/// SPY regular-session trade prints of 2013-10-07, suspicious ones left out.
std::vector<Print> LoadSpyTicks(const std::filesystem::path& path) {
  auto bytes = data::ReadWholeFile(path);
  EXPECT_TRUE(bytes.ok());
  auto zip = data::ZipArchive::Parse(*bytes);
  EXPECT_TRUE(zip.ok());
  auto text = zip->Extract(zip->entries().at(0));
  EXPECT_TRUE(text.ok());
  // Midnight ET of 2013-10-07 (EDT, UTC-4).
  const std::int64_t midnight = (DaysFromCivil(CivilDate{2013, 10, 7}) * 86'400 + 4 * 3'600) * 1'000'000'000LL;
  std::vector<Print> out;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    std::int64_t ms = 0;
    std::int64_t deci_cents = 0;
    std::int64_t size = 0;
    char exchange[8] = {};
    long long condition = 0;
    int suspicious = 0;
    if (std::sscanf(line.c_str(), "%ld,%ld,%ld,%7[^,],%lld,%d", &ms, &deci_cents, &size, exchange, &condition,
                    &suspicious) != 6) {
      ADD_FAILURE() << "bad row " << line;
      continue;
    }
    if (suspicious != 0 || ms < 34'200'000 || ms >= 57'600'000) {
      continue;
    }
    out.push_back(Print{UnixNanos(midnight + ms * 1'000'000), Price::FromRaw(deci_cents * 100'000, 4),
                        Quantity::FromUnits(size)});
  }
  return out;
}

struct Session {
  std::vector<Print> bars;  // close of each regular 1-minute bar (09:16 .. 15:30 labels), bar-end time
};

/// NIFTY 1-minute closes per session (the pre-open print and post-close rows left out).
std::vector<Session> LoadNifty(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<Session> sessions;
  std::string line;
  std::string current_day;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    std::string cell;
    while (std::getline(row, cell, ',')) {
      cells.push_back(cell);
    }
    if (cells.size() < 7) {
      continue;
    }
    const std::string& day = cells[1];
    const std::string& hhmm = cells[2];
    if (hhmm < "09:16" || hhmm > "15:30") {
      continue;
    }
    if (day != current_day) {
      sessions.emplace_back();
      current_day = day;
    }
    const CivilDate date{std::stoi(day.substr(0, 4)), std::stoi(day.substr(4, 2)), std::stoi(day.substr(6, 2))};
    const std::int64_t minutes = std::stoi(hhmm.substr(0, 2)) * 60 + std::stoi(hhmm.substr(3, 2));
    // IST is UTC+05:30.
    const std::int64_t seconds = DaysFromCivil(date) * 86'400 + minutes * 60 - 19'800;
    sessions.back().bars.push_back(Print{UnixNanos::FromSeconds(seconds), *Price::Parse(cells[6]), Qty(0)});
  }
  return sessions;
}

/// Replays prints through broker and emulator in the order a live kernel sees them: the broker's book first
/// (resting limits fill), then the emulator (virtual lines fire).
class Replayer {
 public:
  Replayer(TestClock& clock, TapeBroker& broker, Desk& desk, InstrumentId id)
      : clock_(clock), broker_(broker), desk_(desk), id_(std::move(id)) {}
  void Play(const Print& print, std::size_t index) {
    if (print.ts > clock_.Now()) {
      clock_.AdvanceTo(print.ts);
    }
    broker_.now = print.ts;
    broker_.OnTape(print.price, print.size, index);
    desk_.emulator->OnTrade(TradeTick{id_, print.price, print.size, AggressorSide::kNone, print.ts, print.ts});
  }

 private:
  TestClock& clock_;
  TapeBroker& broker_;
  Desk& desk_;
  InstrumentId id_;
};

/// The first index >= from where `hit` is true, or npos.
template <typename F>
std::size_t FirstFrom(const std::vector<Print>& prints, std::size_t from, F hit) {
  for (std::size_t i = from; i < prints.size(); ++i) {
    if (hit(prints[i].price)) {
      return i;
    }
  }
  return std::string::npos;
}

class SpyTickReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto path = DataDir() / "ticks" / "lean_equity_20131007" / "tick_spy_20131007_trade.zip";
    if (!std::filesystem::exists(path)) {
      GTEST_SKIP() << "market data not found: " << path;
    }
    prints_ = LoadSpyTicks(path);
    ASSERT_GT(prints_.size(), 200'000u);
  }
  static std::vector<Instrument> Spy() {
    return {*Instrument::Equity(kSpy, ContractSpec{Px("0.01"), Qty(1), Qty(1), 2})};
  }
  static Price Cents(double dollars) { return *Price::FromDouble(dollars, 2); }

  inline static const InstrumentId kSpy = InstrumentId::Of("ARCA:SPY");
  std::vector<Print> prints_;
  EmulatorTempDir dir_;
  TestClock clock_{UnixNanos::FromSeconds(1'381'104'000)};  // 2013-10-07 00:00 UTC
  TapeBroker broker_;
};

TEST_F(SpyTickReplayTest, BuyTriggerThenBracketFireOnThePrintsThePricesSay) {
  Desk desk(dir_ / "", clock_, broker_, Spy());
  Replayer replay(clock_, broker_, desk, kSpy);
  replay.Play(prints_[0], 0);
  const Price trigger = Cents(prints_[0].price.AsDouble() + 0.25);
  EntryRequest request;
  request.instrument_id = kSpy;
  request.side = Side::kBuy;
  request.kind = EntryKind::kTrigger;
  request.quantity = Qty(300);
  request.price = trigger;
  request.bracket.take_profit_points = Px("0.40");
  request.bracket.stop_loss_points = Px("0.30");
  auto id = desk.emulator->PlaceEntry(request);
  ASSERT_TRUE(id.ok()) << id.error().ToString();

  const std::size_t fire = FirstFrom(prints_, 1, [&](Price p) { return p >= trigger; });
  ASSERT_NE(fire, std::string::npos) << "the data never reaches the trigger";
  for (std::size_t i = 1; i < prints_.size() && broker_.submits.size() < 2; ++i) {
    replay.Play(prints_[i], i);
  }
  ASSERT_GE(broker_.submits.size(), 1u);
  EXPECT_EQ(broker_.submit_tape_index[0], fire);
  EXPECT_EQ(broker_.submits[0].side, Side::kBuy);
  EXPECT_EQ(broker_.submits[0].quantity, Qty(300));
  EXPECT_EQ(broker_.submits[0].instrument_id.exchange(), "ARCA");
  // The record is anchored at the fill (the print that fired); its exit is the first later print that
  // reaches either line.
  const Price fill = prints_[fire].price;
  const auto* attached = [&]() -> const EmulatedBracketAttached* {
    for (const auto& e : desk.events) {
      if (const auto* a = std::get_if<EmulatedBracketAttached>(&e)) {
        return a;
      }
    }
    return nullptr;
  }();
  ASSERT_NE(attached, nullptr);
  EXPECT_EQ(attached->entry_price, fill);
  EXPECT_LE(std::abs(attached->take_profit->AsDouble() - (fill.AsDouble() + 0.40)), 0.0051);
  EXPECT_LE(std::abs(attached->stop_loss->AsDouble() - (fill.AsDouble() - 0.30)), 0.0051);
  const Price tp = *attached->take_profit;
  const Price sl = *attached->stop_loss;
  const std::size_t exit = FirstFrom(prints_, fire + 1, [&](Price p) { return p >= tp || p <= sl; });
  ASSERT_NE(exit, std::string::npos);
  ASSERT_EQ(broker_.submits.size(), 2u);
  EXPECT_EQ(broker_.submit_tape_index[1], exit);
  EXPECT_EQ(broker_.submits[1].side, Side::kSell);
  EXPECT_EQ(broker_.submits[1].quantity, Qty(300));
  EXPECT_EQ(broker_.submits[1].instrument_id, kSpy);
  const auto& closed = std::get<EmulatedBracketClosed>(desk.events.back());
  EXPECT_EQ(closed.reason_code, prints_[exit].price >= tp ? "take_profit" : "stop_loss");
  EXPECT_TRUE(desk.emulator->brackets().empty());
}

TEST_F(SpyTickReplayTest, SellTriggerBelowFiresOnTheFirstPrintAtOrUnderIt) {
  Desk desk(dir_ / "", clock_, broker_, Spy());
  Replayer replay(clock_, broker_, desk, kSpy);
  // Start at 11:00 ET.
  std::size_t start = 0;
  while (prints_[start].ts < prints_[0].ts + std::chrono::minutes(90)) {
    ++start;
  }
  replay.Play(prints_[start], start);
  const Price trigger = Cents(prints_[start].price.AsDouble() - 0.20);
  EntryRequest request;
  request.instrument_id = kSpy;
  request.side = Side::kSell;
  request.kind = EntryKind::kTrigger;
  request.quantity = Qty(100);
  request.price = trigger;
  request.bracket.take_profit_points = Px("0.50");
  request.bracket.stop_loss_points = Px("0.15");
  ASSERT_TRUE(desk.emulator->PlaceEntry(request).ok());
  const std::size_t fire = FirstFrom(prints_, start + 1, [&](Price p) { return p <= trigger; });
  ASSERT_NE(fire, std::string::npos);
  for (std::size_t i = start + 1; i < prints_.size() && broker_.submits.size() < 2; ++i) {
    replay.Play(prints_[i], i);
  }
  ASSERT_GE(broker_.submits.size(), 1u);
  EXPECT_EQ(broker_.submit_tape_index[0], fire);
  EXPECT_EQ(broker_.submits[0].side, Side::kSell);
  const Price fill = prints_[fire].price;
  const auto& record = std::get<EmulatedBracketAttached>(
      *std::find_if(desk.events.begin(), desk.events.end(),
                    [](const EmulatorEvent& e) { return std::holds_alternative<EmulatedBracketAttached>(e); }));
  EXPECT_EQ(record.position_side, Side::kSell);
  const Price tp = *record.take_profit;
  const Price sl = *record.stop_loss;
  EXPECT_LT(tp, fill);
  EXPECT_GT(sl, fill);
  const std::size_t exit = FirstFrom(prints_, fire + 1, [&](Price p) { return p <= tp || p >= sl; });
  ASSERT_NE(exit, std::string::npos);
  ASSERT_EQ(broker_.submits.size(), 2u);
  EXPECT_EQ(broker_.submit_tape_index[1], exit);
  EXPECT_EQ(broker_.submits[1].side, Side::kBuy);
  EXPECT_EQ(broker_.submits[1].quantity, Qty(100));
}

TEST_F(SpyTickReplayTest, PendingLimitFillsPartlyPrintByPrintAndEachPartIsProtectedAndExitedOnItsOwn) {
  Desk desk(dir_ / "", clock_, broker_, Spy());
  Replayer replay(clock_, broker_, desk, kSpy);
  std::size_t start = 0;
  while (prints_[start].ts < prints_[0].ts + std::chrono::minutes(150)) {  // 12:00 ET
    ++start;
  }
  replay.Play(prints_[start], start);
  const Price limit = Cents(prints_[start].price.AsDouble() - 0.15);
  const std::int64_t total = 2'000;
  EntryRequest request;
  request.instrument_id = kSpy;
  request.side = Side::kBuy;
  request.kind = EntryKind::kLimit;
  request.quantity = Qty(total);
  request.price = limit;
  request.bracket.take_profit_points = Px("0.35");
  request.bracket.stop_loss_points = Px("0.20");
  auto id = desk.emulator->PlaceEntry(request);
  ASSERT_TRUE(id.ok());
  ASSERT_EQ(broker_.submits.size(), 1u);
  EXPECT_EQ(broker_.submits[0].type, OrderType::kLimit);

  // Independently: which prints fill how much (each print through the limit fills up to its size).
  struct ExpectedFill {
    std::size_t index;
    std::int64_t qty;
  };
  std::vector<ExpectedFill> fills;
  std::int64_t leaves = total;
  for (std::size_t i = start + 1; i < prints_.size() && leaves > 0; ++i) {
    if (prints_[i].price <= limit) {
      const std::int64_t size = prints_[i].size.raw() / kFixedScale;
      const std::int64_t qty = std::min(size, leaves);
      fills.push_back({i, qty});
      leaves -= qty;
    }
  }
  ASSERT_EQ(leaves, 0) << "the day never fills the limit";
  ASSERT_GT(fills.size(), 1u) << "the scenario needs partial fills";
  const Price tp = limit + Px("0.35");
  const Price sl = limit - Px("0.20");
  // Every record exits on the first print at or after its own fill that reaches TP or SL.
  std::vector<std::size_t> expected_exits;
  for (const ExpectedFill& f : fills) {
    const std::size_t exit = FirstFrom(prints_, f.index, [&](Price p) { return p >= tp || p <= sl; });
    ASSERT_NE(exit, std::string::npos);
    expected_exits.push_back(exit);
  }
  const std::size_t last_exit = *std::max_element(expected_exits.begin(), expected_exits.end());
  for (std::size_t i = start + 1; i <= last_exit; ++i) {
    replay.Play(prints_[i], i);
  }
  // One record per fill, each with its own quantity and lines.
  std::vector<EmulatedBracketAttached> attached;
  std::vector<EmulatedExitReleased> released;
  for (const auto& e : desk.events) {
    if (const auto* a = std::get_if<EmulatedBracketAttached>(&e)) {
      attached.push_back(*a);
    } else if (const auto* r = std::get_if<EmulatedExitReleased>(&e)) {
      released.push_back(*r);
    }
  }
  ASSERT_EQ(attached.size(), fills.size());
  ASSERT_EQ(released.size(), fills.size());
  std::int64_t sum = 0;
  for (std::size_t n = 0; n < fills.size(); ++n) {
    EXPECT_EQ(attached[n].quantity, Qty(fills[n].qty)) << n;
    EXPECT_EQ(attached[n].entry_price, limit);
    EXPECT_EQ(attached[n].take_profit, tp);
    EXPECT_EQ(attached[n].stop_loss, sl);
    sum += fills[n].qty;
  }
  EXPECT_EQ(sum, total);
  // Every exit went out on its expected print, selling exactly its record's quantity.
  std::int64_t sold = 0;
  for (std::size_t n = 0; n < fills.size(); ++n) {
    const auto sent = std::find_if(broker_.submits.begin(), broker_.submits.end(), [&](const SubmitOrder& s) {
      return s.client_order_id == released[n].client_order_id;
    });
    ASSERT_NE(sent, broker_.submits.end());
    const std::size_t at = broker_.submit_tape_index[static_cast<std::size_t>(sent - broker_.submits.begin())];
    const auto record = std::find_if(attached.begin(), attached.end(),
                                     [&](const auto& a) { return a.line_id == released[n].line_id; });
    const std::size_t which = static_cast<std::size_t>(record - attached.begin());
    EXPECT_EQ(at, expected_exits[which]) << "record " << which;
    EXPECT_EQ(sent->side, Side::kSell);
    EXPECT_EQ(sent->quantity, record->quantity);
    sold += sent->quantity.raw() / kFixedScale;
  }
  EXPECT_EQ(sold, total) << "never more than the position";
  EXPECT_TRUE(desk.emulator->brackets().empty());
  EXPECT_TRUE(desk.emulator->entries().empty());
}

// ---- NIFTY 1-minute closes on an NFO future: trailing stages and triggers, every session of a month ----------

struct TrailOutcome {
  std::size_t bar = std::string::npos;
  std::string leg;
  Price stop;
};

/// The trailing rule, written out plainly: best since entry, highest stage reached, candidate stop rounded
/// away from the price to 0.05, stop never loosens; TP before SL on each close.
TrailOutcome ExpectedTrail(const std::vector<Print>& bars, bool is_long, Price entry, Price tp, Price sl) {
  const double tick = 0.05;
  double best = entry.AsDouble();
  double stop = sl.AsDouble();
  for (std::size_t i = 1; i < bars.size(); ++i) {
    const double c = bars[i].price.AsDouble();
    if (is_long ? c > best : c < best) {
      best = c;
      const double profit = is_long ? best - entry.AsDouble() : entry.AsDouble() - best;
      std::optional<double> candidate;
      if (profit >= 30) {
        candidate = is_long ? best - 12 : best + 12;
      } else if (profit >= 15) {
        candidate = entry.AsDouble();
      }
      if (candidate) {
        const double snapped = is_long ? std::floor(*candidate / tick + 1e-9) * tick
                                       : std::ceil(*candidate / tick - 1e-9) * tick;
        stop = is_long ? std::max(stop, snapped) : std::min(stop, snapped);
      }
    }
    if (is_long ? c >= tp.AsDouble() : c <= tp.AsDouble()) {
      return {i, "take_profit", *Price::FromDouble(stop, 2)};
    }
    if (is_long ? c <= stop + 1e-9 : c >= stop - 1e-9) {
      return {i, "stop_loss", *Price::FromDouble(stop, 2)};
    }
  }
  return {std::string::npos, "closed", *Price::FromDouble(stop, 2)};
}

TEST(NiftyBarReplayTest, TrailingStagesAndTriggersOnEverySessionOfNovember2022) {
  const auto path = DataDir() / "india" / "index_1min" / "NIFTY_1min_2022_NOV.txt";
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << "market data not found: " << path;
  }
  const std::vector<Session> sessions = LoadNifty(path);
  ASSERT_EQ(sessions.size(), 21u);
  // The index closes drive a NIFTY future on NFO (tick 0.05, lot 50): what matters here is the routing to
  // the derivative's own exchange and lot-sized quantities, not the basis.
  const InstrumentId future = InstrumentId::Of("NFO:NIFTY22NOVFUT");
  const Instrument instrument = *Instrument::Future(future, InstrumentId::Of("NSE:NIFTY"), CivilDate{2022, 11, 24},
                                                    ContractSpec{Px("0.05"), Qty(50), Qty(1), 2});
  EmulatorTempDir dir;
  TestClock clock(UnixNanos::FromSeconds(1'667'000'000));
  TapeBroker broker;
  Desk desk(dir / "", clock, broker, {instrument});
  Replayer replay(clock, broker, desk, future);
  TrailingPlan plan;
  plan.stages = {{Px("15"), TrailStage::Mode::kLock, Px("0")}, {Px("30"), TrailStage::Mode::kTrail, Px("12")}};
  std::size_t take_profits = 0;
  std::size_t stops = 0;
  std::size_t trails_moved = 0;
  std::size_t triggers_fired = 0;
  for (std::size_t s = 0; s < sessions.size(); ++s) {
    SCOPED_TRACE("session " + std::to_string(s));
    const std::vector<Print>& bars = sessions[s].bars;
    ASSERT_GT(bars.size(), 300u);
    const bool is_long = s % 2 == 0;
    // Part 1: a bracket with a trailing plan on the first close, squared off at the last bar if still open.
    broker.submits.clear();
    broker.submit_tape_index.clear();
    replay.Play(bars[0], 0);
    const Price entry = bars[0].price;
    const Price tp = is_long ? entry + Px("60") : entry - Px("60");
    const Price sl = is_long ? entry - Px("20") : entry + Px("20");
    BracketRequest request;
    request.instrument_id = future;
    request.position_side = is_long ? Side::kBuy : Side::kSell;
    request.product = Product::kNrml;
    request.quantity = Qty(100);
    request.entry_price = entry;
    request.take_profit = tp;
    request.stop_loss = sl;
    request.trailing = plan;
    auto id = desk.emulator->AttachBracket(request);
    ASSERT_TRUE(id.ok()) << id.error().ToString();
    const TrailOutcome expected = ExpectedTrail(bars, is_long, entry, tp, sl);
    for (std::size_t i = 1; i < bars.size() && broker.submits.empty(); ++i) {
      replay.Play(bars[i], i);
    }
    // The stop as it last stood: the latest change the trailing plan journaled, else the initial one.
    Price last_stop = sl;
    for (const auto& e : desk.events) {
      if (const auto* changed = std::get_if<EmulatedBracketChanged>(&e); changed && changed->line_id == *id) {
        last_stop = *changed->stop_loss;
      }
    }
    EXPECT_EQ(last_stop, expected.stop);
    if (expected.bar == std::string::npos) {
      ASSERT_TRUE(broker.submits.empty());
      ASSERT_TRUE(desk.emulator->CloseBracket(*id).ok());
    } else {
      ASSERT_EQ(broker.submits.size(), 1u);
      EXPECT_EQ(broker.submit_tape_index[0], expected.bar);
      EXPECT_EQ(std::get<EmulatedBracketClosed>(desk.events.back()).reason_code, expected.leg);
      (expected.leg == "take_profit" ? take_profits : stops) += 1;
    }
    ASSERT_FALSE(broker.submits.empty());
    EXPECT_EQ(broker.submits[0].instrument_id.exchange(), "NFO");
    EXPECT_EQ(broker.submits[0].quantity, Qty(100));
    EXPECT_EQ(broker.submits[0].side, is_long ? Side::kSell : Side::kBuy);
    EXPECT_EQ(broker.submits[0].product, Product::kNrml);
    if (expected.stop != sl) {
      ++trails_moved;
    }
    EXPECT_TRUE(desk.emulator->brackets().empty());

    // Part 2: a trigger from the 60th close, 25 points away against the session's direction of part 1.
    broker.submits.clear();
    broker.submit_tape_index.clear();
    const std::size_t start = 60;
    replay.Play(bars[start], start);
    const bool buy = !is_long;
    const Price level = buy ? bars[start].price + Px("25") : bars[start].price - Px("25");
    EntryRequest trigger;
    trigger.instrument_id = future;
    trigger.side = buy ? Side::kBuy : Side::kSell;
    trigger.kind = EntryKind::kTrigger;
    trigger.product = Product::kMis;
    trigger.quantity = Qty(50);
    trigger.price = level;
    auto placed = desk.emulator->PlaceEntry(trigger);
    ASSERT_TRUE(placed.ok()) << placed.error().ToString();
    std::size_t fire = std::string::npos;
    for (std::size_t i = start + 1; i < bars.size(); ++i) {
      if (buy ? bars[i].price >= level : bars[i].price <= level) {
        fire = i;
        break;
      }
    }
    for (std::size_t i = start + 1; i < bars.size(); ++i) {
      replay.Play(bars[i], i);
    }
    if (fire == std::string::npos) {
      EXPECT_TRUE(broker.submits.empty());
      ASSERT_TRUE(desk.emulator->CancelEntry(*placed).ok());
    } else {
      ++triggers_fired;
      ASSERT_EQ(broker.submits.size(), 1u);
      EXPECT_EQ(broker.submit_tape_index[0], fire);
      EXPECT_EQ(broker.submits[0].side, trigger.side);
      EXPECT_EQ(broker.submits[0].instrument_id.exchange(), "NFO");
      EXPECT_EQ(broker.submits[0].quantity, Qty(50));
      ASSERT_EQ(desk.emulator->brackets().size(), 1u);
      const EmulatedBracket& record = desk.emulator->brackets().begin()->second;
      EXPECT_EQ(record.entry_price, bars[fire].price);
      EXPECT_EQ(record.quantity, Qty(50));
      ASSERT_TRUE(desk.emulator->RemoveBracket(record.id).ok());  // squared off outside this test
    }
    EXPECT_TRUE(desk.emulator->entries().empty());
  }
  // The month exercises every path at least once.
  EXPECT_GT(take_profits, 0u);
  EXPECT_GT(stops, 0u);
  EXPECT_GT(trails_moved, 0u);
  EXPECT_GT(triggers_fired, 0u);
  std::printf("NIFTY Nov-2022: %zu take profits, %zu stops, %zu sessions with a trailed stop, %zu triggers fired\n",
              take_profits, stops, trails_moved, triggers_fired);
}

}  // namespace
}  // namespace td::execution
