// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace td::persistence {

/// How a database file is opened.
struct DatabaseOptions {
  std::chrono::milliseconds busy_timeout{5000};  // how long to wait for another writer's lock
  bool read_only = false;
  bool create = true;  // create the file when missing (ignored when read_only)
};

/// A prepared statement: bind parameters (1-based), Step through rows, read columns (0-based).
/// Column views (text, blob) stay valid until the next Step, Reset or destruction.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Status Bind(int index, std::int64_t value);
  Status Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Status Bind(int index, double value);
  /// Binds text; the bytes are copied, so temporaries are fine.
  Status Bind(int index, std::string_view value);
  Status Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  /// Binds a blob; the bytes are copied.
  Status Bind(int index, std::span<const std::byte> value);
  Status BindNull(int index);
  /// Binds a named parameter (":name", "@name", "$name").
  template <typename T>
  Status Bind(std::string_view name, const T& value) {
    auto index = ParameterIndex(name);
    if (!index.ok()) {
      return index.error();
    }
    return Bind(*index, value);
  }
  Result<int> ParameterIndex(std::string_view name) const;

  /// Advances to the next row: true when a row is ready, false when done.
  Result<bool> Step();
  /// Runs a statement that returns no rows (or ignores them) to completion.
  Status Run();
  /// Rewinds for another execution and clears bindings.
  Status Reset();

  int ColumnCount() const;
  bool IsNull(int column) const;
  std::int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  std::string_view ColumnText(int column) const;
  std::span<const std::byte> ColumnBlob(int column) const;
  std::string_view ColumnName(int column) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Status Check(int code, std::string_view what) const;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Transaction;

/// One SQLite connection. Files are opened in WAL mode with synchronous=NORMAL, a busy timeout and
/// foreign keys on. Used from one thread at a time. Every failure comes back as an Error carrying SQLite's
/// own message.
class Database {
 public:
  /// Opens (or creates) `path`; ":memory:" gives a private in-memory database.
  static Result<Database> Open(const std::filesystem::path& path, const DatabaseOptions& options = {});

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  /// Runs one or more statements with no parameters.
  Status Exec(std::string_view sql);
  /// Compiles a single statement.
  Result<Statement> Prepare(std::string_view sql);
  /// Begins an IMMEDIATE transaction (takes the write lock now, so it cannot fail later on upgrade).
  Result<Transaction> Begin();
  /// Runs a query expected to return one integer in its first row's first column (e.g. a count).
  Result<std::int64_t> QueryInt64(std::string_view sql);

  std::int64_t LastInsertRowId() const;
  /// Rows changed by the last INSERT/UPDATE/DELETE.
  std::int64_t Changes() const;
  /// The journal mode in effect ("wal" for files, "memory" for :memory:).
  Result<std::string> JournalMode();
  bool InTransaction() const;
  sqlite3* handle() { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

/// A transaction that rolls back when it goes out of scope without Commit().
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status Commit();
  Status Rollback();
  bool active() const { return db_ != nullptr; }

 private:
  friend class Database;
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_ = nullptr;
};

}  // namespace td::persistence
