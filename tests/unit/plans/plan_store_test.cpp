// SPDX-License-Identifier: MIT
#include "plans/plan_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "persistence/sqlite.hpp"
#include "unit/persistence/temp_dir.hpp"

namespace td::plans {
namespace {

using persistence::testing::TempDir;
using namespace std::chrono_literals;

const UserScope kAlice{"alice", false};
const UserScope kBob{"bob", false};
const UserScope kAdmin{"root", true};

constexpr UnixNanos kAsOf = UnixNanos::FromSeconds(1'732'000'000);

NewPlan MakePlan(std::string symbol = "NSE:NIFTY", std::string reason = "created") {
  NewPlan plan;
  plan.symbol = std::move(symbol);
  plan.style = "intraday";
  plan.strategy = "orb_retest";
  plan.reason = std::move(reason);
  plan.as_of = kAsOf;
  plan.plan_json = R"({"entry":100.5})";
  plan.layers_json = R"({"levels":[],"zones":[],"overlays":[]})";
  plan.layers_as_of = kAsOf;
  return plan;
}

class PlanStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = OpenStore(); }

  std::unique_ptr<PlanStore> OpenStore() {
    auto store = PlanStore::Open(dir_ / "plans.db", clock_);
    EXPECT_TRUE(store.ok()) << store.error().ToString();
    return std::move(store).value();
  }

  StoredPlan MustCreate(const UserScope& scope, NewPlan plan) {
    auto created = store_->Create(scope, std::move(plan));
    EXPECT_TRUE(created.ok()) << created.error().ToString();
    return std::move(created).value();
  }

  /// Counts rows straight from the file, bypassing the store (to prove a failed call wrote nothing).
  std::int64_t CountRows(std::string_view table) {
    auto db = persistence::Database::Open(dir_ / "plans.db");
    EXPECT_TRUE(db.ok());
    auto count = db->QueryInt64("SELECT COUNT(*) FROM " + std::string(table));
    EXPECT_TRUE(count.ok());
    return *count;
  }

  TempDir dir_;
  TestClock clock_{UnixNanos::FromSeconds(1'732'000'100)};
  std::unique_ptr<PlanStore> store_;
};

void ExpectError(const Status& status, ErrorCode code, std::string_view field) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, code) << status.error().ToString();
  EXPECT_EQ(status.error().field, field) << status.error().ToString();
}

template <typename T>
void ExpectError(const Result<T>& result, ErrorCode code, std::string_view field) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, code) << result.error().ToString();
  EXPECT_EQ(result.error().field, field) << result.error().ToString();
}

TEST_F(PlanStoreTest, CreateAssignsARandomIdAndVersionOne) {
  std::string seen_id;
  auto created = store_->Create(kAlice, MakePlan("nse:nifty"), [&](std::string_view plan_id, NewPlan& plan) {
    seen_id = std::string(plan_id);
    plan.plan_json = R"({"plan_id":")" + seen_id + R"("})";
  });
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(created->plan_id, seen_id);
  ASSERT_EQ(created->plan_id.size(), 27U);
  EXPECT_EQ(created->plan_id.substr(0, 3), "pl_");
  EXPECT_EQ(created->plan_id.find_first_not_of("0123456789abcdef", 3), std::string::npos);
  EXPECT_EQ(created->version, 1);
  EXPECT_EQ(created->user, "alice");
  EXPECT_EQ(created->symbol, "NSE:NIFTY");  // normalised
  EXPECT_EQ(created->created_at, clock_.Now());

  auto got = store_->Get(kAlice, created->plan_id);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(got->plan_json, R"({"plan_id":")" + seen_id + R"("})");
  EXPECT_EQ(got->layers_json, R"({"levels":[],"zones":[],"overlays":[]})");
  EXPECT_EQ(got->layers_as_of, kAsOf);
  EXPECT_EQ(got->as_of, kAsOf);
  EXPECT_EQ(got->style, "intraday");
  EXPECT_EQ(got->strategy, "orb_retest");
  EXPECT_EQ(got->reason, "created");
  EXPECT_FALSE(got->parent_plan_id.has_value());

  auto second = MustCreate(kAlice, MakePlan());
  EXPECT_NE(second.plan_id, created->plan_id);
}

TEST_F(PlanStoreTest, VersionsAreAppendedAndHistoryIsKept) {
  const StoredPlan first = MustCreate(kAlice, MakePlan());
  clock_.Advance(60s);
  NewPlan rescaled = MakePlan("NSE:NIFTY", "rescale");
  rescaled.plan_json = R"({"entry":101})";
  rescaled.layers_as_of = kAsOf + 60s;
  auto v2 = store_->AddVersion(kAlice, first.plan_id, rescaled);
  ASSERT_TRUE(v2.ok()) << v2.error().ToString();
  EXPECT_EQ(v2->version, 2);
  clock_.Advance(60s);
  auto v3 = store_->AddVersion(kAlice, first.plan_id, MakePlan("NSE:NIFTY", "replan"));
  ASSERT_TRUE(v3.ok()) << v3.error().ToString();
  EXPECT_EQ(v3->version, 3);

  auto latest = store_->Get(kAlice, first.plan_id);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version, 3);
  EXPECT_EQ(latest->reason, "replan");

  auto second = store_->Get(kAlice, first.plan_id, 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->plan_json, R"({"entry":101})");
  EXPECT_EQ(second->layers_as_of, kAsOf + 60s);
  EXPECT_EQ(second->created_at, first.created_at + 60s);

  auto original = store_->Get(kAlice, first.plan_id, 1);
  ASSERT_TRUE(original.ok());
  EXPECT_EQ(original->plan_json, R"({"entry":100.5})");

  ExpectError(store_->Get(kAlice, first.plan_id, 4), ErrorCode::kNotFound, "version");
  ExpectError(store_->Get(kAlice, first.plan_id, 0), ErrorCode::kInvalidArgument, "version");

  auto history = store_->History(kAlice, first.plan_id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3U);
  EXPECT_EQ((*history)[0].version, 1);
  EXPECT_EQ((*history)[0].reason, "created");
  EXPECT_EQ((*history)[1].reason, "rescale");
  EXPECT_EQ((*history)[2].version, 3);
  EXPECT_EQ((*history)[2].created_at, first.created_at + 120s);

  // A version must keep the plan's symbol.
  ExpectError(store_->AddVersion(kAlice, first.plan_id, MakePlan("NSE:BANKNIFTY")), ErrorCode::kUnprocessable,
              "symbol");
  // The versions are immutable in the file itself, not only through the store.
  auto db = persistence::Database::Open(dir_ / "plans.db");
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE(db->Exec("UPDATE plans SET plan_json = '{}'").ok());
  EXPECT_FALSE(db->Exec("DELETE FROM plans").ok());
  EXPECT_EQ(CountRows("plans"), 3);
}

TEST_F(PlanStoreTest, ListIsNewestFirstAndFiltersBySymbol) {
  const StoredPlan nifty = MustCreate(kAlice, MakePlan("NSE:NIFTY"));
  clock_.Advance(1s);
  const StoredPlan bank = MustCreate(kAlice, MakePlan("NSE:BANKNIFTY"));
  clock_.Advance(1s);
  const StoredPlan spy = MustCreate(kAlice, MakePlan("NYSE:SPY"));
  clock_.Advance(1s);
  const StoredPlan bobs = MustCreate(kBob, MakePlan("NSE:NIFTY"));

  auto all = store_->List(kAlice, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3U);
  EXPECT_EQ((*all)[0].plan_id, spy.plan_id);
  EXPECT_EQ((*all)[1].plan_id, bank.plan_id);
  EXPECT_EQ((*all)[2].plan_id, nifty.plan_id);

  auto limited = store_->List(kAlice, 2);
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->size(), 2U);
  EXPECT_EQ((*limited)[0].plan_id, spy.plan_id);

  // A new version lists the plan once, at its latest version, and moves it to the front.
  clock_.Advance(1s);
  ASSERT_TRUE(store_->AddVersion(kAlice, nifty.plan_id, MakePlan("NSE:NIFTY", "replan")).ok());
  all = store_->List(kAlice, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3U);
  EXPECT_EQ((*all)[0].plan_id, nifty.plan_id);
  EXPECT_EQ((*all)[0].version, 2);

  auto by_symbol = store_->List(kAlice, 10, "nse:nifty");
  ASSERT_TRUE(by_symbol.ok());
  ASSERT_EQ(by_symbol->size(), 1U);
  EXPECT_EQ((*by_symbol)[0].plan_id, nifty.plan_id);

  auto admin_nifty = store_->List(kAdmin, 10, "NSE:NIFTY");
  ASSERT_TRUE(admin_nifty.ok());
  ASSERT_EQ(admin_nifty->size(), 2U);
  EXPECT_EQ((*admin_nifty)[0].plan_id, nifty.plan_id);
  EXPECT_EQ((*admin_nifty)[1].plan_id, bobs.plan_id);

  auto bob_all = store_->List(kBob, 200);
  ASSERT_TRUE(bob_all.ok());
  ASSERT_EQ(bob_all->size(), 1U);
  EXPECT_EQ((*bob_all)[0].plan_id, bobs.plan_id);

  ExpectError(store_->List(kAlice, 0), ErrorCode::kInvalidArgument, "limit");
  ExpectError(store_->List(kAlice, 201), ErrorCode::kInvalidArgument, "limit");
  ExpectError(store_->List(kAlice, 10, "NIFTY"), ErrorCode::kInvalidArgument, "symbol");
}

TEST_F(PlanStoreTest, AnotherUserCannotSeeOrExtendAPlan) {
  const StoredPlan plan = MustCreate(kAlice, MakePlan());
  ASSERT_TRUE(store_->AddVersion(kAlice, plan.plan_id, MakePlan("NSE:NIFTY", "replan")).ok());

  // Someone else's plan looks exactly like a missing one.
  ExpectError(store_->Get(kBob, plan.plan_id), ErrorCode::kNotFound, "plan_id");
  ExpectError(store_->Get(kBob, plan.plan_id, 1), ErrorCode::kNotFound, "plan_id");
  ExpectError(store_->Get(kBob, plan.plan_id, 99), ErrorCode::kNotFound, "plan_id");
  ExpectError(store_->Get(kBob, "pl_000000000000000000000000"), ErrorCode::kNotFound, "plan_id");
  ExpectError(store_->History(kBob, plan.plan_id), ErrorCode::kNotFound, "plan_id");
  auto missing = store_->Get(kBob, "pl_000000000000000000000000");
  auto hidden = store_->Get(kBob, plan.plan_id);
  ASSERT_FALSE(missing.ok());
  ASSERT_FALSE(hidden.ok());
  EXPECT_EQ(missing.error().message, hidden.error().message);

  ExpectError(store_->AddVersion(kBob, plan.plan_id, MakePlan("NSE:NIFTY", "replan")), ErrorCode::kNotFound,
              "plan_id");
  EXPECT_EQ(CountRows("plans"), 2);
  auto history = store_->History(kAlice, plan.plan_id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2U);

  // Bob cannot name Alice's plan as a parent either.
  NewPlan child = MakePlan();
  child.reason = "replan";
  child.parent_plan_id = plan.plan_id;
  ExpectError(store_->Create(kBob, child), ErrorCode::kNotFound, "parent_plan_id");
  EXPECT_EQ(CountRows("plans"), 2);
  auto alice_child = store_->Create(kAlice, child);
  ASSERT_TRUE(alice_child.ok()) << alice_child.error().ToString();
  auto reread = store_->Get(kAlice, alice_child->plan_id);
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->parent_plan_id, plan.plan_id);
}

TEST_F(PlanStoreTest, AdminSeesAndExtendsEveryonesPlans) {
  const StoredPlan plan = MustCreate(kAlice, MakePlan());
  auto got = store_->Get(kAdmin, plan.plan_id);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(got->user, "alice");
  auto version = store_->Get(kAdmin, plan.plan_id, 1);
  ASSERT_TRUE(version.ok());
  ASSERT_TRUE(store_->History(kAdmin, plan.plan_id).ok());

  auto v2 = store_->AddVersion(kAdmin, plan.plan_id, MakePlan("NSE:NIFTY", "rescale"));
  ASSERT_TRUE(v2.ok()) << v2.error().ToString();
  EXPECT_EQ(v2->user, "alice");  // the plan keeps its owner
  auto as_alice = store_->Get(kAlice, plan.plan_id);
  ASSERT_TRUE(as_alice.ok());
  EXPECT_EQ(as_alice->version, 2);
}

TEST_F(PlanStoreTest, PlanInputIsValidatedWithFieldNames) {
  auto with = [](auto change) {
    NewPlan plan = MakePlan();
    change(plan);
    return plan;
  };
  ExpectError(store_->Create(kAlice, with([](NewPlan& p) { p.symbol = "NIFTY"; })), ErrorCode::kInvalidArgument,
              "symbol");
  ExpectError(store_->Create(kAlice, with([](NewPlan& p) { p.style = "weekly"; })), ErrorCode::kInvalidArgument,
              "style");
  ExpectError(store_->Create(kAlice, with([](NewPlan& p) { p.strategy = "no_such_strategy"; })),
              ErrorCode::kInvalidArgument, "strategy");
  ExpectError(store_->Create(kAlice, with([](NewPlan& p) { p.reason = ""; })), ErrorCode::kInvalidArgument,
              "reason");
  ExpectError(store_->Create(kAlice, with([](NewPlan& p) { p.reason = "Drop Table"; })),
              ErrorCode::kInvalidArgument, "reason");
  ExpectError(store_->Create(kAlice, with([](NewPlan& p) { p.parent_plan_id = "plan-1"; })),
              ErrorCode::kInvalidArgument, "parent_plan_id");
  ExpectError(store_->Create(kAlice, with([](NewPlan& p) { p.as_of = UnixNanos(); })), ErrorCode::kInvalidArgument,
              "as_of");
  ExpectError(store_->Create(kAlice, with([](NewPlan& p) { p.layers_as_of = UnixNanos(); })),
              ErrorCode::kInvalidArgument, "layers_as_of");
  ExpectError(store_->Create(kAlice, with([](NewPlan& p) { p.plan_json = ""; })), ErrorCode::kInvalidArgument,
              "plan_json");
  ExpectError(store_->Create(kAlice, with([](NewPlan& p) { p.layers_json = "[1]"; })),
              ErrorCode::kInvalidArgument, "layers_json");
  ExpectError(store_->Create(UserScope{"", false}, MakePlan()), ErrorCode::kInvalidArgument, "user");
  // A malformed id names no plan: the same not_found as any absent plan.
  ExpectError(store_->Get(kAlice, "pl_XYZ"), ErrorCode::kNotFound, "plan_id");
  ExpectError(store_->History(kAlice, "nope"), ErrorCode::kNotFound, "plan_id");
  ExpectError(store_->AddVersion(kAlice, "' OR 1=1 --", MakePlan()), ErrorCode::kNotFound, "plan_id");
  EXPECT_EQ(CountRows("plans"), 0);

  // Style is stored in its canonical spelling.
  auto leap = store_->Create(kAlice, with([](NewPlan& p) { p.style = "LEAP"; }));
  ASSERT_TRUE(leap.ok()) << leap.error().ToString();
  EXPECT_EQ(leap->style, "leaps");
}

TEST_F(PlanStoreTest, WatchlistsCrud) {
  auto put = store_->PutWatchlist(kAlice, "Momentum", {"nse:reliance", "AAPL", "NSE:RELIANCE", "brk.b"});
  ASSERT_TRUE(put.ok()) << put.error().ToString();
  EXPECT_EQ(put->symbols, (std::vector<std::string>{"NSE:RELIANCE", "AAPL", "BRK.B"}));
  EXPECT_EQ(put->updated_at, clock_.Now());

  auto got = store_->GetWatchlist(kAlice, "Momentum");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "Momentum");
  EXPECT_EQ(got->symbols, put->symbols);

  // The same name for another user is another list; the admin does not see Alice's watchlists.
  ASSERT_TRUE(store_->PutWatchlist(kBob, "Momentum", {"MSFT"}).ok());
  ExpectError(store_->GetWatchlist(kAdmin, "Momentum"), ErrorCode::kNotFound, "name");
  auto bobs = store_->GetWatchlist(kBob, "Momentum");
  ASSERT_TRUE(bobs.ok());
  EXPECT_EQ(bobs->symbols, (std::vector<std::string>{"MSFT"}));

  // Put replaces (unique by user and name).
  clock_.Advance(5s);
  auto replaced = store_->PutWatchlist(kAlice, "Momentum", {"TSLA"});
  ASSERT_TRUE(replaced.ok());
  ASSERT_TRUE(store_->PutWatchlist(kAlice, "Banks", {"NSE:HDFCBANK", "NSE:ICICIBANK"}).ok());
  auto lists = store_->ListWatchlists(kAlice);
  ASSERT_TRUE(lists.ok());
  ASSERT_EQ(lists->size(), 2U);
  EXPECT_EQ((*lists)[0].name, "Banks");
  EXPECT_EQ((*lists)[1].name, "Momentum");
  EXPECT_EQ((*lists)[1].symbols, (std::vector<std::string>{"TSLA"}));
  EXPECT_EQ((*lists)[1].updated_at, clock_.Now());
  EXPECT_EQ(CountRows("watchlists"), 3);

  ASSERT_TRUE(store_->DeleteWatchlist(kAlice, "Momentum").ok());
  ExpectError(store_->GetWatchlist(kAlice, "Momentum"), ErrorCode::kNotFound, "name");
  ExpectError(store_->DeleteWatchlist(kAlice, "Momentum"), ErrorCode::kNotFound, "name");
  // Bob's list of the same name is untouched.
  EXPECT_TRUE(store_->GetWatchlist(kBob, "Momentum").ok());
  ExpectError(store_->DeleteWatchlist(kBob, "Banks"), ErrorCode::kNotFound, "name");
  EXPECT_TRUE(store_->GetWatchlist(kAlice, "Banks").ok());
}

TEST_F(PlanStoreTest, WatchlistValidationNamesTheField) {
  ExpectError(store_->PutWatchlist(kAlice, "", {"AAPL"}), ErrorCode::kInvalidArgument, "name");
  ExpectError(store_->PutWatchlist(kAlice, std::string(65, 'w'), {"AAPL"}), ErrorCode::kInvalidArgument, "name");
  ExpectError(store_->PutWatchlist(kAlice, " padded", {"AAPL"}), ErrorCode::kInvalidArgument, "name");
  ExpectError(store_->PutWatchlist(kAlice, "tab\there", {"AAPL"}), ErrorCode::kInvalidArgument, "name");
  ExpectError(store_->PutWatchlist(kAlice, "bad\xff", {"AAPL"}), ErrorCode::kInvalidArgument, "name");
  ExpectError(store_->PutWatchlist(kAlice, "empty", {}), ErrorCode::kInvalidArgument, "symbols");
  ExpectError(store_->PutWatchlist(kAlice, "big", std::vector<std::string>(201, "AAPL")),
              ErrorCode::kInvalidArgument, "symbols");
  ExpectError(store_->PutWatchlist(kAlice, "blank", {"AAPL", ""}), ErrorCode::kInvalidArgument, "symbols[1]");
  ExpectError(store_->PutWatchlist(kAlice, "long", {std::string(41, 'A')}), ErrorCode::kInvalidArgument,
              "symbols[0]");
  ExpectError(store_->PutWatchlist(kAlice, "chars", {"AAPL", "MSFT", "M&M"}), ErrorCode::kInvalidArgument,
              "symbols[2]");
  ExpectError(store_->PutWatchlist(kAlice, "space", {"NSE: SBIN"}), ErrorCode::kInvalidArgument, "symbols[0]");
  ExpectError(store_->PutWatchlist(kAlice, "comma", {"A,B"}), ErrorCode::kInvalidArgument, "symbols[0]");
  ExpectError(store_->PutWatchlist(kAlice, "colons", {"A:B:C"}), ErrorCode::kInvalidArgument, "symbols[0]");
  ExpectError(store_->PutWatchlist(kAlice, "colon", {":SBIN"}), ErrorCode::kInvalidArgument, "symbols[0]");
  EXPECT_EQ(CountRows("watchlists"), 0);

  // The limits themselves are accepted.
  std::vector<std::string> two_hundred;
  for (int i = 0; i < 200; ++i) {
    two_hundred.push_back("S" + std::to_string(i));
  }
  auto full = store_->PutWatchlist(kAlice, std::string(64, 'w'), two_hundred);
  ASSERT_TRUE(full.ok()) << full.error().ToString();
  EXPECT_EQ(full->symbols.size(), 200U);
  EXPECT_TRUE(store_->PutWatchlist(kAlice, "edge", {std::string(40, 'A'), "NSE:M_M-1.X"}).ok());
  ExpectError(store_->PutWatchlist(kAlice, "Indices ★", {"^VIX"}), ErrorCode::kInvalidArgument, "symbols[0]");
  EXPECT_TRUE(store_->PutWatchlist(kAlice, "Indices ★", {"CBOE:VIX"}).ok());
}

TEST_F(PlanStoreTest, JournalEntriesCrud) {
  const StoredPlan plan = MustCreate(kAlice, MakePlan("NSE:SBIN"));
  NewJournalEntry entry;
  entry.plan_id = plan.plan_id;
  entry.text = "Took the ORB retest; stop under VWAP.";
  entry.outcome = "open";
  auto added = store_->AddJournalEntry(kAlice, entry);
  ASSERT_TRUE(added.ok()) << added.error().ToString();
  EXPECT_GT(added->id, 0);
  EXPECT_EQ(added->user, "alice");
  EXPECT_EQ(added->symbol, "NSE:SBIN");  // taken from the linked plan
  EXPECT_FALSE(added->pnl.has_value());
  EXPECT_EQ(added->created_at, clock_.Now());

  clock_.Advance(30min);
  NewJournalEntry closed = entry;
  closed.symbol = "NSE:SBIN";
  closed.outcome = "win";
  closed.pnl = 1250.5;
  closed.text = "Target 1 hit.";
  auto updated = store_->UpdateJournalEntry(kAlice, added->id, closed);
  ASSERT_TRUE(updated.ok()) << updated.error().ToString();
  EXPECT_EQ(updated->outcome, "win");
  ASSERT_TRUE(updated->pnl.has_value());
  EXPECT_DOUBLE_EQ(*updated->pnl, 1250.5);
  EXPECT_EQ(updated->created_at, added->created_at);
  EXPECT_EQ(updated->updated_at, clock_.Now());

  NewJournalEntry note;
  note.text = "General note, no trade.";
  auto second = store_->AddJournalEntry(kAlice, note);
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->symbol, "");
  EXPECT_EQ(second->outcome, "");
  auto bobs = store_->AddJournalEntry(kBob, note);
  ASSERT_TRUE(bobs.ok());

  auto list = store_->ListJournalEntries(kAlice, 10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2U);
  EXPECT_EQ((*list)[0].id, second->id);
  EXPECT_EQ((*list)[1].id, added->id);
  EXPECT_EQ((*list)[1].text, "Target 1 hit.");
  EXPECT_EQ((*list)[1].plan_id, plan.plan_id);
  auto one = store_->ListJournalEntries(kAlice, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1U);
  auto admin_list = store_->ListJournalEntries(kAdmin, 10);
  ASSERT_TRUE(admin_list.ok());
  EXPECT_EQ(admin_list->size(), 3U);

  // Bob can neither update Alice's entry nor link her plan.
  ExpectError(store_->UpdateJournalEntry(kBob, added->id, note), ErrorCode::kNotFound, "id");
  auto unchanged = store_->ListJournalEntries(kAlice, 10);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ((*unchanged)[1].text, "Target 1 hit.");
  ExpectError(store_->AddJournalEntry(kBob, entry), ErrorCode::kNotFound, "plan_id");
  ExpectError(store_->UpdateJournalEntry(kAlice, 9999, note), ErrorCode::kNotFound, "id");
  ExpectError(store_->ListJournalEntries(kAlice, 0), ErrorCode::kInvalidArgument, "limit");
  EXPECT_EQ(CountRows("journal_entries"), 3);
}

TEST_F(PlanStoreTest, JournalValidationNamesTheField) {
  auto with = [](auto change) {
    NewJournalEntry entry;
    entry.text = "note";
    change(entry);
    return entry;
  };
  ExpectError(store_->AddJournalEntry(kAlice, with([](NewJournalEntry& e) { e.text = ""; })),
              ErrorCode::kInvalidArgument, "text");
  ExpectError(store_->AddJournalEntry(kAlice, with([](NewJournalEntry& e) { e.text = std::string(4001, 'x'); })),
              ErrorCode::kInvalidArgument, "text");
  ExpectError(store_->AddJournalEntry(kAlice, with([](NewJournalEntry& e) { e.text = "bad \xc3\x28"; })),
              ErrorCode::kInvalidArgument, "text");
  ExpectError(store_->AddJournalEntry(kAlice, with([](NewJournalEntry& e) { e.outcome = "breakeven"; })),
              ErrorCode::kInvalidArgument, "outcome");
  ExpectError(store_->AddJournalEntry(kAlice, with([](NewJournalEntry& e) { e.outcome = "WIN"; })),
              ErrorCode::kInvalidArgument, "outcome");
  ExpectError(store_->AddJournalEntry(
                  kAlice, with([](NewJournalEntry& e) { e.pnl = std::numeric_limits<double>::quiet_NaN(); })),
              ErrorCode::kInvalidArgument, "pnl");
  ExpectError(store_->AddJournalEntry(kAlice, with([](NewJournalEntry& e) { e.symbol = "NSE SBIN"; })),
              ErrorCode::kInvalidArgument, "symbol");
  ExpectError(store_->AddJournalEntry(kAlice, with([](NewJournalEntry& e) { e.plan_id = "42"; })),
              ErrorCode::kInvalidArgument, "plan_id");
  ExpectError(store_->AddJournalEntry(kAlice, with([](NewJournalEntry& e) { e.plan_id = "pl_000000000000000000000000"; })),
              ErrorCode::kNotFound, "plan_id");
  ExpectError(store_->UpdateJournalEntry(kAlice, 0, with([](NewJournalEntry&) {})), ErrorCode::kInvalidArgument,
              "id");
  EXPECT_EQ(CountRows("journal_entries"), 0);

  // 4000 characters is the limit in characters, not bytes.
  std::string four_thousand;
  for (int i = 0; i < 4000; ++i) {
    four_thousand += "\xc3\xa9";  // é
  }
  auto at_limit = store_->AddJournalEntry(kAlice, with([&](NewJournalEntry& e) { e.text = four_thousand; }));
  ASSERT_TRUE(at_limit.ok()) << at_limit.error().ToString();
  for (const std::string outcome : {"", "open", "win", "loss", "scratch"}) {
    EXPECT_TRUE(store_->AddJournalEntry(kAlice, with([&](NewJournalEntry& e) { e.outcome = outcome; })).ok())
        << outcome;
  }
}

TEST_F(PlanStoreTest, EverythingIsThereAfterReopen) {
  const StoredPlan plan = MustCreate(kAlice, MakePlan());
  ASSERT_TRUE(store_->AddVersion(kAlice, plan.plan_id, MakePlan("NSE:NIFTY", "replan")).ok());
  ASSERT_TRUE(store_->PutWatchlist(kAlice, "Core", {"NSE:NIFTY", "NSE:BANKNIFTY"}).ok());
  NewJournalEntry entry;
  entry.plan_id = plan.plan_id;
  entry.text = "Journal survives.";
  entry.outcome = "loss";
  entry.pnl = -300.25;
  auto added = store_->AddJournalEntry(kAlice, entry);
  ASSERT_TRUE(added.ok());
  store_.reset();

  store_ = OpenStore();  // reopening re-runs the (already applied) migrations
  auto got = store_->Get(kAlice, plan.plan_id);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(got->version, 2);
  auto first = store_->Get(kAlice, plan.plan_id, 1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->plan_json, plan.plan_json);
  EXPECT_EQ(first->layers_json, plan.layers_json);
  auto watchlist = store_->GetWatchlist(kAlice, "Core");
  ASSERT_TRUE(watchlist.ok());
  EXPECT_EQ(watchlist->symbols, (std::vector<std::string>{"NSE:NIFTY", "NSE:BANKNIFTY"}));
  auto journal = store_->ListJournalEntries(kAlice, 10);
  ASSERT_TRUE(journal.ok());
  ASSERT_EQ(journal->size(), 1U);
  EXPECT_EQ((*journal)[0].id, added->id);
  ASSERT_TRUE((*journal)[0].pnl.has_value());
  EXPECT_DOUBLE_EQ(*(*journal)[0].pnl, -300.25);
  EXPECT_EQ((*journal)[0].outcome, "loss");

  auto db = persistence::Database::Open(dir_ / "plans.db");
  ASSERT_TRUE(db.ok());
  auto mode = db->JournalMode();
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, "wal");
  auto version = db->QueryInt64("SELECT MAX(version) FROM schema_migrations");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 3);
}

TEST_F(PlanStoreTest, ConcurrentCreatesGetUniqueIdsAndVersions) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::vector<StoredPlan>> created(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const UserScope scope{"user" + std::to_string(t), false};
      for (int i = 0; i < kPerThread; ++i) {
        auto plan = store_->Create(scope, MakePlan());
        if (!plan.ok()) {
          ADD_FAILURE() << plan.error().ToString();
          return;
        }
        // Each thread also versions its first plan, racing the others for the connection.
        if (!created[t].empty()) {
          auto version = store_->AddVersion(scope, created[t].front().plan_id, MakePlan("NSE:NIFTY", "rescale"));
          if (!version.ok() || version->version != i + 1) {
            ADD_FAILURE() << "version " << (version.ok() ? version->version : -1) << " at step " << i;
            return;
          }
        }
        created[t].push_back(std::move(plan).value());
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  std::set<std::string> ids;
  for (const auto& plans : created) {
    ASSERT_EQ(plans.size(), static_cast<std::size_t>(kPerThread));
    for (const auto& plan : plans) {
      EXPECT_EQ(plan.version, 1);
      ids.insert(plan.plan_id);
    }
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) {
    const UserScope scope{"user" + std::to_string(t), false};
    auto history = store_->History(scope, created[t].front().plan_id);
    ASSERT_TRUE(history.ok());
    ASSERT_EQ(history->size(), static_cast<std::size_t>(kPerThread));
    for (std::size_t v = 0; v < history->size(); ++v) {
      EXPECT_EQ((*history)[v].version, static_cast<int>(v) + 1);
    }
    auto listed = store_->List(scope, 200);
    ASSERT_TRUE(listed.ok());
    EXPECT_EQ(listed->size(), static_cast<std::size_t>(kPerThread));
  }
  EXPECT_EQ(CountRows("plans"), kThreads * kPerThread + kThreads * (kPerThread - 1));
}

// A child process creates plans and reports each acknowledged id through a pipe; it is killed with
// SIGKILL mid-stream. Every acknowledged plan must be in the file after reopening.
TEST(PlanStoreCrashTest, AcknowledgedPlansSurviveSigkill) {
  TempDir dir;
  const auto path = dir / "crash.db";
  constexpr std::size_t kIdLength = 27;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    LiveClock clock;
    auto store = PlanStore::Open(path, clock);
    if (!store.ok()) {
      ::_exit(2);
    }
    while (true) {
      auto plan = (*store)->Create(kAlice, MakePlan());
      if (!plan.ok() || plan->plan_id.size() != kIdLength) {
        ::_exit(3);
      }
      if (::write(fds[1], plan->plan_id.data(), kIdLength) != static_cast<ssize_t>(kIdLength)) {
        ::_exit(4);
      }
    }
  }
  ::close(fds[1]);
  std::vector<std::string> acknowledged;
  std::string id(kIdLength, '\0');
  auto read_id = [&] { return ::read(fds[0], id.data(), kIdLength) == static_cast<ssize_t>(kIdLength); };
  while (acknowledged.size() < 20 && read_id()) {
    acknowledged.push_back(id);
  }
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  while (read_id()) {
    acknowledged.push_back(id);  // acknowledged before the kill landed
  }
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  ASSERT_GE(acknowledged.size(), 20U);

  TestClock clock;
  auto store = PlanStore::Open(path, clock);
  ASSERT_TRUE(store.ok()) << store.error().ToString();
  for (const auto& plan_id : acknowledged) {
    auto plan = (*store)->Get(kAlice, plan_id);
    ASSERT_TRUE(plan.ok()) << plan_id << ": " << plan.error().ToString();
    EXPECT_EQ(plan->plan_json, R"({"entry":100.5})");
  }
  auto listed = (*store)->List(kAlice, 200);
  ASSERT_TRUE(listed.ok());
  EXPECT_GE(listed->size(), std::min<std::size_t>(acknowledged.size(), 200));
}

TEST_F(PlanStoreTest, CreateAndUpdateWatchlistKeepTheirOwnSemantics) {
  auto created = store_->CreateWatchlist(kAlice, "tech", {"us:aapl", "US:MSFT"});
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(created->symbols, (std::vector<std::string>{"US:AAPL", "US:MSFT"}));
  // Creating again is a conflict and changes nothing; another user may use the same name.
  ExpectError(store_->CreateWatchlist(kAlice, "tech", {"US:NVDA"}), ErrorCode::kAlreadyExists, "name");
  EXPECT_EQ(store_->GetWatchlist(kAlice, "tech")->symbols.size(), 2u);
  ASSERT_TRUE(store_->CreateWatchlist(kBob, "tech", {"US:NVDA"}).ok());
  clock_.Advance(1s);
  auto updated = store_->UpdateWatchlist(kAlice, "tech", {"US:NVDA", "us:nvda", "US:AMD"});
  ASSERT_TRUE(updated.ok()) << updated.error().ToString();
  EXPECT_EQ(updated->symbols, (std::vector<std::string>{"US:NVDA", "US:AMD"}));
  EXPECT_EQ(store_->GetWatchlist(kAlice, "tech")->updated_at, clock_.Now());
  EXPECT_EQ(store_->GetWatchlist(kBob, "tech")->symbols, (std::vector<std::string>{"US:NVDA"}));
  // Update never creates; validation names the field before anything is written.
  ExpectError(store_->UpdateWatchlist(kAlice, "missing", {"US:SPY"}), ErrorCode::kNotFound, "name");
  ExpectError(store_->UpdateWatchlist(kAlice, "tech", {}), ErrorCode::kInvalidArgument, "symbols");
  ExpectError(store_->CreateWatchlist(kAlice, "", {"US:SPY"}), ErrorCode::kInvalidArgument, "name");
  ExpectError(store_->CreateWatchlist(kAlice, "x", {"US:SPY", "bad symbol"}), ErrorCode::kInvalidArgument,
              "symbols[1]");
  EXPECT_EQ(CountRows("watchlists"), 2);
}

TEST_F(PlanStoreTest, JournalEntriesAreReadByIdAndFiltered) {
  const StoredPlan nifty = MustCreate(kAlice, MakePlan("NSE:NIFTY"));
  NewJournalEntry linked;
  linked.plan_id = nifty.plan_id;
  linked.text = "took the ORB retest";
  linked.outcome = "open";
  auto first = store_->AddJournalEntry(kAlice, linked);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->symbol, "NSE:NIFTY");
  clock_.Advance(24h);
  NewJournalEntry spy;
  spy.symbol = "us:spy";
  spy.text = "faded the open";
  spy.outcome = "loss";
  spy.pnl = -120.5;
  auto second = store_->AddJournalEntry(kAlice, spy);
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  auto bobs = store_->AddJournalEntry(kBob, spy);
  ASSERT_TRUE(bobs.ok());

  auto got = store_->GetJournalEntry(kAlice, first->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->plan_id, nifty.plan_id);
  EXPECT_EQ(got->text, "took the ORB retest");
  ExpectError(store_->GetJournalEntry(kBob, first->id), ErrorCode::kNotFound, "id");
  ExpectError(store_->GetJournalEntry(kAlice, bobs->id), ErrorCode::kNotFound, "id");
  ExpectError(store_->GetJournalEntry(kAlice, 0), ErrorCode::kInvalidArgument, "id");
  EXPECT_TRUE(store_->GetJournalEntry(kAdmin, bobs->id).ok());

  auto ids = [](const Result<std::vector<JournalEntry>>& entries) {
    std::vector<std::int64_t> out;
    for (const JournalEntry& e : *entries) out.push_back(e.id);
    return out;
  };
  EXPECT_EQ(ids(store_->ListJournalEntries(kAlice, 10)), (std::vector<std::int64_t>{second->id, first->id}));
  JournalFilter by_symbol;
  by_symbol.symbol = "US:SPY";
  EXPECT_EQ(ids(store_->ListJournalEntries(kAlice, 10, by_symbol)), (std::vector<std::int64_t>{second->id}));
  JournalFilter by_plan;
  by_plan.plan_id = nifty.plan_id;
  EXPECT_EQ(ids(store_->ListJournalEntries(kAlice, 10, by_plan)), (std::vector<std::int64_t>{first->id}));
  EXPECT_TRUE(store_->ListJournalEntries(kBob, 10, by_plan)->empty());
  JournalFilter window;
  window.from = first->created_at;
  window.to = first->created_at + 1h;
  EXPECT_EQ(ids(store_->ListJournalEntries(kAlice, 10, window)), (std::vector<std::int64_t>{first->id}));
  window.from = first->created_at + 1h;
  window.to.reset();
  EXPECT_EQ(ids(store_->ListJournalEntries(kAlice, 10, window)), (std::vector<std::int64_t>{second->id}));
  EXPECT_EQ(ids(store_->ListJournalEntries(kAdmin, 10, by_symbol)), (std::vector<std::int64_t>{bobs->id, second->id}));
  ExpectError(store_->ListJournalEntries(kAlice, 0, by_symbol), ErrorCode::kInvalidArgument, "limit");
}

}  // namespace
}  // namespace td::plans
