// SPDX-License-Identifier: MIT
#include "persistence/migrations.hpp"

#include <map>
#include <string>

namespace td::persistence {
namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))";

Status ValidateList(std::span<const Migration> migrations) {
  int previous = 0;
  for (const Migration& m : migrations) {
    if (m.version <= previous) {
      return Error::InvalidArgument("migration versions must start at 1 and strictly increase; " +
                                        std::to_string(m.version) + " follows " + std::to_string(previous),
                                    "version");
    }
    if (m.name.empty() || m.sql.empty()) {
      return Error::InvalidArgument("migration " + std::to_string(m.version) + " needs a name and SQL", "name");
    }
    previous = m.version;
  }
  return {};
}

Result<std::map<int, std::string>> RecordedHistory(Database& db) {
  auto statement = db.Prepare("SELECT version, name FROM schema_migrations ORDER BY version");
  if (!statement.ok()) {
    return statement.error();
  }
  std::map<int, std::string> history;
  while (true) {
    auto row = statement->Step();
    if (!row.ok()) {
      return row.error();
    }
    if (!*row) {
      return history;
    }
    history.emplace(static_cast<int>(statement->ColumnInt64(0)), std::string(statement->ColumnText(1)));
  }
}

/// Checks the recorded history against the code's list; returns the current version.
Result<int> CheckHistory(const std::map<int, std::string>& history, std::span<const Migration> migrations) {
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  const int current = history.empty() ? 0 : history.rbegin()->first;
  if (current > latest) {
    return Error::Unprocessable("database schema version " + std::to_string(current) +
                                    " is newer than this build knows (" + std::to_string(latest) +
                                    "); refusing to open it with older code",
                                "schema_version");
  }
  std::map<int, std::string_view> known;
  for (const Migration& m : migrations) {
    known.emplace(m.version, m.name);
  }
  for (const auto& [version, name] : history) {
    auto it = known.find(version);
    if (it == known.end()) {
      return Error{ErrorCode::kConflict,
                   "database records migration " + std::to_string(version) + " '" + name + "' that this build lacks",
                   "schema_version"};
    }
    if (it->second != name) {
      return Error{ErrorCode::kConflict,
                   "migration " + std::to_string(version) + " is '" + name + "' in the database but '" +
                       std::string(it->second) + "' in this build",
                   "schema_version"};
    }
  }
  for (const Migration& m : migrations) {
    if (m.version <= current && history.find(m.version) == history.end()) {
      return Error{ErrorCode::kConflict,
                   "migration " + std::to_string(m.version) + " '" + std::string(m.name) +
                       "' is missing below the database version " + std::to_string(current),
                   "schema_version"};
    }
  }
  return current;
}

}  // namespace

Result<int> SchemaVersion(Database& db) {
  auto exists = db.QueryInt64("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!exists.ok()) {
    return exists.error();
  }
  if (*exists == 0) {
    return 0;
  }
  auto version = db.QueryInt64("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!version.ok()) {
    return version.error();
  }
  return static_cast<int>(*version);
}

Result<MigrationReport> Migrate(Database& db, std::span<const Migration> migrations) {
  TD_TRY(ValidateList(migrations));
  TD_TRY(db.Exec(kCreateTable));
  MigrationReport report;
  {
    auto history = RecordedHistory(db);
    if (!history.ok()) {
      return history.error();
    }
    auto current = CheckHistory(*history, migrations);
    if (!current.ok()) {
      return current.error();
    }
    report.from_version = *current;
    report.to_version = *current;
  }
  for (const Migration& m : migrations) {
    if (m.version <= report.to_version) {
      continue;
    }
    auto transaction = db.Begin();
    if (!transaction.ok()) {
      return transaction.error();
    }
    // Another process may have migrated while we waited for the write lock; look again under it.
    auto version = SchemaVersion(db);
    if (!version.ok()) {
      return version.error();
    }
    if (*version >= m.version) {
      report.to_version = *version;
      continue;  // the transaction rolls back: nothing was written
    }
    if (Status applied = db.Exec(m.sql); !applied.ok()) {
      Error error = applied.error();
      error.message = "migration " + std::to_string(m.version) + " '" + std::string(m.name) +
                      "' failed and was rolled back: " + error.message;
      return error;
    }
    auto record = db.Prepare("INSERT INTO schema_migrations(version, name) VALUES (?1, ?2)");
    if (!record.ok()) {
      return record.error();
    }
    TD_TRY(record->Bind(1, m.version));
    TD_TRY(record->Bind(2, m.name));
    TD_TRY(record->Run());
    TD_TRY(transaction->Commit());
    report.applied.push_back(m.version);
    report.to_version = m.version;
  }
  return report;
}

}  // namespace td::persistence
