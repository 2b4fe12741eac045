// SPDX-License-Identifier: MIT
#include "system/iv_history.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <initializer_list>

#include "persistence/migrations.hpp"

namespace td::system {
namespace {

constexpr std::array<persistence::Migration, 1> kMigrations = {{
    {1, "iv_history",
     "CREATE TABLE iv_history ("
     " underlying TEXT NOT NULL,"
     " session_date TEXT NOT NULL,"
     " atm_iv_30d REAL NOT NULL CHECK (atm_iv_30d > 0),"
     " source TEXT NOT NULL,"
     " recorded_at INTEGER NOT NULL,"
     " PRIMARY KEY (underlying, session_date)) WITHOUT ROWID;"},
}};

Status CheckReading(double iv) {
  if (!std::isfinite(iv) || iv <= 0.0 || iv > 20.0) {
    return Error::InvalidArgument("an ATM IV must be a positive decimal (0.18 = 18 %)", "atm_iv_30d");
  }
  return {};
}

/// The first failure among several bind results (binding fails only on a misuse, but it is still checked).
Status FirstFailure(std::initializer_list<Status> results) {
  for (const Status& status : results) {
    if (!status.ok()) {
      return status;
    }
  }
  return {};
}

Result<IvHistoryRow> ReadRow(persistence::Statement& statement) {
  IvHistoryRow row;
  row.underlying = std::string(statement.ColumnText(0));
  auto date = ParseSessionDate(statement.ColumnText(1));
  if (!date.ok()) {
    return Error::Corrupt("iv_history holds an unreadable session date");
  }
  row.session = *date;
  row.atm_iv_30d = statement.ColumnDouble(2);
  row.source = std::string(statement.ColumnText(3));
  row.recorded_at = UnixNanos(statement.ColumnInt64(4));
  return row;
}

}  // namespace

std::string FormatSessionDate(CivilDate date) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", date.year, date.month, date.day);
  return buf;
}

Result<CivilDate> ParseSessionDate(std::string_view text) {
  CivilDate date;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      std::sscanf(std::string(text).c_str(), "%4d-%2d-%2d", &date.year, &date.month, &date.day) != 3 ||
      !IsValidDate(date)) {
    return Error::InvalidArgument("a session date must be YYYY-MM-DD, was '" + std::string(text.substr(0, 16)) + "'",
                                  "session_date");
  }
  return date;
}

Result<std::unique_ptr<IvHistoryStore>> IvHistoryStore::Open(const std::filesystem::path& path, const Clock& clock) {
  auto db = persistence::Database::Open(path);
  if (!db.ok()) {
    return db.error();
  }
  auto migrated = persistence::Migrate(*db, kMigrations);
  if (!migrated.ok()) {
    return migrated.error();
  }
  return std::unique_ptr<IvHistoryStore>(new IvHistoryStore(std::move(db).value(), clock));
}

Status IvHistoryStore::Record(std::string_view underlying, CivilDate session, double atm_iv_30d,
                              std::string_view source) {
  if (auto status = CheckReading(atm_iv_30d); !status.ok()) {
    return status;
  }
  std::lock_guard lock(mutex_);
  auto statement = db_.Prepare(
      "INSERT INTO iv_history (underlying, session_date, atm_iv_30d, source, recorded_at) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (underlying, session_date) DO UPDATE SET atm_iv_30d = excluded.atm_iv_30d, "
      "source = excluded.source, recorded_at = excluded.recorded_at");
  if (!statement.ok()) {
    return statement.error();
  }
  const std::string date = FormatSessionDate(session);
  if (auto bound = FirstFailure({statement->Bind(1, underlying), statement->Bind(2, std::string_view(date)),
                                 statement->Bind(3, atm_iv_30d), statement->Bind(4, source),
                                 statement->Bind(5, clock_.Now().nanos())});
      !bound.ok()) {
    return bound;
  }
  return statement->Run();
}

Result<std::size_t> IvHistoryStore::Backfill(std::string_view underlying,
                                             const std::vector<std::pair<CivilDate, double>>& readings,
                                             std::string_view source) {
  std::lock_guard lock(mutex_);
  auto tx = db_.Begin();
  if (!tx.ok()) {
    return tx.error();
  }
  auto statement = db_.Prepare(
      "INSERT OR IGNORE INTO iv_history (underlying, session_date, atm_iv_30d, source, recorded_at) "
      "VALUES (?, ?, ?, ?, ?)");
  if (!statement.ok()) {
    return statement.error();
  }
  const std::int64_t now = clock_.Now().nanos();
  std::size_t added = 0;
  for (const auto& [session, iv] : readings) {
    if (!CheckReading(iv).ok()) {
      continue;
    }
    const std::string date = FormatSessionDate(session);
    if (auto bound = FirstFailure({statement->Bind(1, underlying), statement->Bind(2, std::string_view(date)),
                                   statement->Bind(3, iv), statement->Bind(4, source), statement->Bind(5, now)});
        !bound.ok()) {
      return bound.error();
    }
    if (auto status = statement->Run(); !status.ok()) {
      return status.error();
    }
    added += static_cast<std::size_t>(db_.Changes());
    if (auto status = statement->Reset(); !status.ok()) {
      return status.error();
    }
  }
  if (auto status = tx->Commit(); !status.ok()) {
    return status.error();
  }
  return added;
}

Result<std::vector<IvHistoryRow>> IvHistoryStore::Before(std::string_view underlying, CivilDate before,
                                                         std::size_t limit) {
  std::lock_guard lock(mutex_);
  auto statement = db_.Prepare(
      "SELECT underlying, session_date, atm_iv_30d, source, recorded_at FROM iv_history "
      "WHERE underlying = ? AND session_date < ? ORDER BY session_date DESC LIMIT ?");
  if (!statement.ok()) {
    return statement.error();
  }
  const std::string date = FormatSessionDate(before);
  if (auto bound = FirstFailure({statement->Bind(1, underlying), statement->Bind(2, std::string_view(date)),
                                 statement->Bind(3, static_cast<std::int64_t>(limit))});
      !bound.ok()) {
    return bound.error();
  }
  std::vector<IvHistoryRow> rows;
  while (true) {
    auto step = statement->Step();
    if (!step.ok()) {
      return step.error();
    }
    if (!*step) {
      break;
    }
    auto row = ReadRow(*statement);
    if (!row.ok()) {
      return row.error();
    }
    rows.push_back(std::move(row).value());
  }
  return rows;
}

Result<std::optional<IvHistoryRow>> IvHistoryStore::At(std::string_view underlying, CivilDate session) {
  std::lock_guard lock(mutex_);
  auto statement = db_.Prepare(
      "SELECT underlying, session_date, atm_iv_30d, source, recorded_at FROM iv_history "
      "WHERE underlying = ? AND session_date = ?");
  if (!statement.ok()) {
    return statement.error();
  }
  const std::string date = FormatSessionDate(session);
  if (auto bound = FirstFailure({statement->Bind(1, underlying), statement->Bind(2, std::string_view(date))});
      !bound.ok()) {
    return bound.error();
  }
  auto step = statement->Step();
  if (!step.ok()) {
    return step.error();
  }
  if (!*step) {
    return std::optional<IvHistoryRow>{};
  }
  auto row = ReadRow(*statement);
  if (!row.ok()) {
    return row.error();
  }
  return std::optional<IvHistoryRow>(std::move(row).value());
}

Result<std::int64_t> IvHistoryStore::Count(std::string_view underlying) {
  std::lock_guard lock(mutex_);
  auto statement = db_.Prepare("SELECT COUNT(*) FROM iv_history WHERE underlying = ?");
  if (!statement.ok()) {
    return statement.error();
  }
  if (auto bound = statement->Bind(1, underlying); !bound.ok()) {
    return bound.error();
  }
  auto step = statement->Step();
  if (!step.ok()) {
    return step.error();
  }
  return *step ? statement->ColumnInt64(0) : std::int64_t{0};
}

}  // namespace td::system
