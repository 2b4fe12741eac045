// SPDX-License-Identifier: MIT
#include "persistence/sqlite.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <vector>

#include "persistence/migrations.hpp"
#include "unit/persistence/temp_dir.hpp"

namespace td::persistence {
namespace {

using testing::TempDir;

TEST(SqliteTest, OpensFilesInWalModeWithForeignKeysAndRoundTripsTypes) {
  TempDir dir;
  auto db = Database::Open(dir / "app.db");
  ASSERT_TRUE(db.ok()) << db.error().ToString();
  EXPECT_EQ(db->JournalMode().value(), "wal");
  EXPECT_EQ(db->QueryInt64("PRAGMA foreign_keys").value(), 1);
  EXPECT_EQ(db->QueryInt64("PRAGMA synchronous").value(), 1);  // NORMAL
  EXPECT_EQ(db->QueryInt64("PRAGMA busy_timeout").value(), 5000);

  ASSERT_TRUE(db->Exec("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES (?1, ?2, :s, ?4, ?5)");
  ASSERT_TRUE(insert.ok()) << insert.error().ToString();
  const std::vector<std::byte> blob{std::byte{0}, std::byte{0xff}, std::byte{7}};
  ASSERT_TRUE(insert->Bind(1, std::int64_t{-9'000'000'000'000}).ok());
  ASSERT_TRUE(insert->Bind(2, 2.5).ok());
  ASSERT_TRUE(insert->Bind(":s", std::string_view("NSE:NIFTY")).ok());
  ASSERT_TRUE(insert->Bind(4, std::span<const std::byte>(blob)).ok());
  ASSERT_TRUE(insert->BindNull(5).ok());
  ASSERT_TRUE(insert->Run().ok());
  EXPECT_EQ(db->Changes(), 1);
  EXPECT_EQ(db->LastInsertRowId(), 1);
  // Reuse after Reset, with an empty blob that must stay a blob.
  ASSERT_TRUE(insert->Reset().ok());
  ASSERT_TRUE(insert->Bind(1, 2).ok());
  ASSERT_TRUE(insert->Bind(4, std::span<const std::byte>()).ok());
  ASSERT_TRUE(insert->Run().ok());

  auto select = db->Prepare("SELECT i, r, s, b, n, typeof(b) FROM t ORDER BY rowid");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(select->Step().value());
  EXPECT_EQ(select->ColumnCount(), 6);
  EXPECT_EQ(select->ColumnName(2), "s");
  EXPECT_EQ(select->ColumnInt64(0), -9'000'000'000'000);
  EXPECT_DOUBLE_EQ(select->ColumnDouble(1), 2.5);
  EXPECT_EQ(select->ColumnText(2), "NSE:NIFTY");
  const auto read_blob = select->ColumnBlob(3);
  EXPECT_EQ(std::vector<std::byte>(read_blob.begin(), read_blob.end()), blob);
  EXPECT_TRUE(select->IsNull(4));
  ASSERT_TRUE(select->Step().value());
  EXPECT_EQ(select->ColumnInt64(0), 2);
  EXPECT_EQ(select->ColumnText(5), "blob");
  EXPECT_TRUE(select->IsNull(2));
  EXPECT_FALSE(select->Step().value());
}

TEST(SqliteTest, ErrorsCarrySqliteMessages) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  auto bad = db->Prepare("SELEC 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("syntax error"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(db->Prepare("SELECT 1; SELECT 2").ok());

  ASSERT_TRUE(db->Exec("CREATE TABLE p (id INTEGER PRIMARY KEY); "
                       "CREATE TABLE c (pid INTEGER REFERENCES p(id))")
                  .ok());
  const Status fk = db->Exec("INSERT INTO c VALUES (42)");
  ASSERT_FALSE(fk.ok());
  EXPECT_EQ(fk.error().code, ErrorCode::kConflict);
  EXPECT_NE(fk.error().message.find("FOREIGN KEY"), std::string::npos) << fk.error().message;

  auto statement = db->Prepare("SELECT ?1");
  ASSERT_TRUE(statement.ok());
  EXPECT_FALSE(statement->Bind(5, 1).ok());
  EXPECT_FALSE(statement->Bind(":missing", 1).ok());

  auto missing = Database::Open("/nonexistent-dir/x.db");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
}

TEST(SqliteTest, RefusesAFileThatIsNotADatabase) {
  TempDir dir;
  {
    std::ofstream out(dir / "junk.db", std::ios::binary);
    out << std::string(4096, 'x');
  }
  auto db = Database::Open(dir / "junk.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::kCorruptData);
}

TEST(SqliteTest, TransactionRollsBackUnlessCommitted) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (v INTEGER)").ok());
  {
    auto tx = db->Begin();
    ASSERT_TRUE(tx.ok());
    EXPECT_TRUE(db->InTransaction());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
  }
  EXPECT_FALSE(db->InTransaction());
  EXPECT_EQ(db->QueryInt64("SELECT count(*) FROM t").value(), 0);
  {
    auto tx = db->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(tx->Commit().ok());
    EXPECT_FALSE(tx->active());
  }
  EXPECT_EQ(db->QueryInt64("SELECT sum(v) FROM t").value(), 2);
  {
    auto tx = db->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (3)").ok());
    ASSERT_TRUE(tx->Rollback().ok());
  }
  EXPECT_EQ(db->QueryInt64("SELECT sum(v) FROM t").value(), 2);
}

const Migration kV1[] = {
    {1, "create_plans", "CREATE TABLE plans (id TEXT PRIMARY KEY, symbol TEXT NOT NULL)"},
};
const Migration kV2[] = {
    {1, "create_plans", "CREATE TABLE plans (id TEXT PRIMARY KEY, symbol TEXT NOT NULL)"},
    {2, "plan_versions",
     "CREATE TABLE plan_versions (plan_id TEXT NOT NULL REFERENCES plans(id), version INTEGER NOT NULL);"
     "CREATE INDEX plan_versions_by_plan ON plan_versions(plan_id)"},
};

TEST(MigrationsTest, AppliesFreshThenOnlyNewStepsOnReopen) {
  TempDir dir;
  {
    auto db = Database::Open(dir / "app.db");
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(SchemaVersion(*db).value(), 0);
    auto report = Migrate(*db, kV1);
    ASSERT_TRUE(report.ok()) << report.error().ToString();
    EXPECT_EQ(report->from_version, 0);
    EXPECT_EQ(report->to_version, 1);
    EXPECT_EQ(report->applied, std::vector<int>{1});
    ASSERT_TRUE(db->Exec("INSERT INTO plans VALUES ('p1', 'NSE:NIFTY')").ok());
  }
  {
    auto db = Database::Open(dir / "app.db");
    ASSERT_TRUE(db.ok());
    auto again = Migrate(*db, kV1);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->applied.empty());
    auto upgrade = Migrate(*db, kV2);
    ASSERT_TRUE(upgrade.ok()) << upgrade.error().ToString();
    EXPECT_EQ(upgrade->from_version, 1);
    EXPECT_EQ(upgrade->applied, std::vector<int>{2});
    EXPECT_EQ(SchemaVersion(*db).value(), 2);
    EXPECT_EQ(db->QueryInt64("SELECT count(*) FROM plans").value(), 1);  // data survives
    EXPECT_EQ(db->QueryInt64("SELECT count(*) FROM schema_migrations WHERE name = 'plan_versions'").value(), 1);
  }
}

TEST(MigrationsTest, RefusesADatabaseNewerThanTheCode) {
  TempDir dir;
  auto db = Database::Open(dir / "app.db");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(Migrate(*db, kV2).ok());
  auto old_code = Migrate(*db, kV1);
  ASSERT_FALSE(old_code.ok());
  EXPECT_EQ(old_code.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(old_code.error().message.find("newer"), std::string::npos);
}

TEST(MigrationsTest, RefusesHistoryThatDisagreesWithTheCode) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(Migrate(*db, kV1).ok());
  const Migration renamed[] = {{1, "something_else", "SELECT 1"}, {2, "x", "SELECT 1"}};
  auto result = Migrate(*db, renamed);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kConflict);
}

TEST(MigrationsTest, FailedMigrationRollsBackEntirely) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  const Migration broken[] = {
      kV2[0],
      {2, "half_broken", "CREATE TABLE good (x INTEGER); INSERT INTO plans VALUES ('a', 'b'); CREATE TABL oops"},
  };
  auto result = Migrate(*db, broken);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("migration 2 'half_broken' failed and was rolled back"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(SchemaVersion(*db).value(), 1);  // step 1 committed on its own
  EXPECT_EQ(db->QueryInt64("SELECT count(*) FROM sqlite_master WHERE name = 'good'").value(), 0);
  EXPECT_EQ(db->QueryInt64("SELECT count(*) FROM plans").value(), 0);
  EXPECT_FALSE(db->InTransaction());
  // The fixed migration then applies cleanly.
  auto fixed = Migrate(*db, kV2);
  ASSERT_TRUE(fixed.ok()) << fixed.error().ToString();
  EXPECT_EQ(fixed->applied, std::vector<int>{2});
}

TEST(MigrationsTest, RejectsMalformedLists) {
  auto db = Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  const Migration unordered[] = {{2, "b", "SELECT 1"}, {1, "a", "SELECT 1"}};
  EXPECT_EQ(Migrate(*db, unordered).error().code, ErrorCode::kInvalidArgument);
  const Migration zero[] = {{0, "a", "SELECT 1"}};
  EXPECT_EQ(Migrate(*db, zero).error().code, ErrorCode::kInvalidArgument);
  const Migration unnamed[] = {{1, "", "SELECT 1"}};
  EXPECT_EQ(Migrate(*db, unnamed).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace td::persistence
