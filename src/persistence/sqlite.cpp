// SPDX-License-Identifier: MIT
#include "persistence/sqlite.hpp"

#include <sqlite3.h>

#include <climits>
#include <utility>

namespace td::persistence {
namespace {

Error SqliteError(sqlite3* db, int code, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  message += " (sqlite code " + std::to_string(code) + ")";
  const int primary = code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Error{ErrorCode::kUnavailable, std::move(message), {}};
  }
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
    return Error::Corrupt(std::move(message));
  }
  if (primary == SQLITE_CONSTRAINT) {
    return Error{ErrorCode::kConflict, std::move(message), {}};
  }
  if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN || primary == SQLITE_FULL || primary == SQLITE_READONLY ||
      primary == SQLITE_PERM) {
    return Error::Io(std::move(message));
  }
  if (primary == SQLITE_RANGE || primary == SQLITE_MISMATCH || primary == SQLITE_ERROR) {
    return Error::InvalidArgument(std::move(message));
  }
  return Error::Internal(std::move(message));
}

}  // namespace

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Status Statement::Check(int code, std::string_view what) const {
  if (code == SQLITE_OK) {
    return {};
  }
  return SqliteError(db_, code, what);
}

Status Statement::Bind(int index, std::int64_t value) {
  TD_CHECK(stmt_ != nullptr) << "Bind on an empty Statement";
  return Check(sqlite3_bind_int64(stmt_, index, value), "bind integer");
}

Status Statement::Bind(int index, double value) {
  TD_CHECK(stmt_ != nullptr) << "Bind on an empty Statement";
  return Check(sqlite3_bind_double(stmt_, index, value), "bind real");
}

Status Statement::Bind(int index, std::string_view value) {
  TD_CHECK(stmt_ != nullptr) << "Bind on an empty Statement";
  if (value.size() > static_cast<std::size_t>(INT_MAX)) {
    return Error::InvalidArgument("text too long to bind");
  }
  return Check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT),
               "bind text");
}

Status Statement::Bind(int index, std::span<const std::byte> value) {
  TD_CHECK(stmt_ != nullptr) << "Bind on an empty Statement";
  if (value.size() > static_cast<std::size_t>(INT_MAX)) {
    return Error::InvalidArgument("blob too long to bind");
  }
  // A zero-length blob must still be a blob, not NULL: SQLite needs a non-null pointer for that.
  static constexpr std::byte kEmpty{};
  const void* data = value.empty() ? &kEmpty : static_cast<const void*>(value.data());
  return Check(sqlite3_bind_blob(stmt_, index, data, static_cast<int>(value.size()), SQLITE_TRANSIENT), "bind blob");
}

Status Statement::BindNull(int index) {
  TD_CHECK(stmt_ != nullptr) << "Bind on an empty Statement";
  return Check(sqlite3_bind_null(stmt_, index), "bind null");
}

Result<int> Statement::ParameterIndex(std::string_view name) const {
  TD_CHECK(stmt_ != nullptr) << "ParameterIndex on an empty Statement";
  const std::string key(name);
  const int index = sqlite3_bind_parameter_index(stmt_, key.c_str());
  if (index == 0) {
    return Error::InvalidArgument("no parameter named '" + key + "'", key);
  }
  return index;
}

Result<bool> Statement::Step() {
  TD_CHECK(stmt_ != nullptr) << "Step on an empty Statement";
  const int code = sqlite3_step(stmt_);
  if (code == SQLITE_ROW) {
    return true;
  }
  if (code == SQLITE_DONE) {
    return false;
  }
  Error error = SqliteError(db_, code, "step");
  sqlite3_reset(stmt_);
  return error;
}

Status Statement::Run() {
  while (true) {
    auto row = Step();
    if (!row.ok()) {
      return row.error();
    }
    if (!*row) {
      return {};
    }
  }
}

Status Statement::Reset() {
  TD_CHECK(stmt_ != nullptr) << "Reset on an empty Statement";
  sqlite3_reset(stmt_);
  return Check(sqlite3_clear_bindings(stmt_), "clear bindings");
}

int Statement::ColumnCount() const {
  return sqlite3_column_count(stmt_);
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::ColumnDouble(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string_view Statement::ColumnText(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) {
    return {};
  }
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

std::span<const std::byte> Statement::ColumnBlob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (blob == nullptr) {
    return {};
  }
  return {static_cast<const std::byte*>(blob), static_cast<std::size_t>(size)};
}

std::string_view Statement::ColumnName(int column) const {
  const char* name = sqlite3_column_name(stmt_, column);
  return name == nullptr ? std::string_view{} : std::string_view{name};
}

Result<Database> Database::Open(const std::filesystem::path& path, const DatabaseOptions& options) {
  int flags = SQLITE_OPEN_NOMUTEX;
  if (options.read_only) {
    flags |= SQLITE_OPEN_READONLY;
  } else {
    flags |= SQLITE_OPEN_READWRITE;
    if (options.create) {
      flags |= SQLITE_OPEN_CREATE;
    }
  }
  sqlite3* raw = nullptr;
  const std::string name = path.string();
  const int code = sqlite3_open_v2(name.c_str(), &raw, flags, nullptr);
  Database db(raw);  // owns the handle even when opening failed
  if (code != SQLITE_OK) {
    return SqliteError(raw, code, "open '" + name + "'");
  }
  sqlite3_extended_result_codes(raw, 1);
  if (sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count())) != SQLITE_OK) {
    return SqliteError(raw, sqlite3_errcode(raw), "busy timeout");
  }
  TD_TRY(db.Exec("PRAGMA foreign_keys = ON"));
  // Reading the schema here surfaces "file is not a database" at open time rather than on first use.
  TD_TRY(db.QueryInt64("PRAGMA schema_version"));
  if (!options.read_only && name != ":memory:" && !name.empty()) {
    auto journal = db.Prepare("PRAGMA journal_mode = WAL");
    if (!journal.ok()) {
      return journal.error();
    }
    auto row = journal->Step();
    if (!row.ok()) {
      return row.error();
    }
    if (!*row || journal->ColumnText(0) != "wal") {
      return Error::Io("could not switch '" + name + "' to WAL mode");
    }
  }
  TD_TRY(db.Exec("PRAGMA synchronous = NORMAL"));
  return db;
}

Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Database::~Database() {
  sqlite3_close_v2(db_);
}

Status Database::Exec(std::string_view sql) {
  TD_CHECK(db_ != nullptr) << "Exec on a closed Database";
  const std::string text(sql);
  char* message = nullptr;
  const int code = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (code == SQLITE_OK) {
    return {};
  }
  std::string detail = message != nullptr ? message : sqlite3_errstr(code);
  sqlite3_free(message);
  Error error = SqliteError(db_, code, "exec");
  error.message = "exec: " + detail + " (sqlite code " + std::to_string(code) + ")";
  return error;
}

Result<Statement> Database::Prepare(std::string_view sql) {
  TD_CHECK(db_ != nullptr) << "Prepare on a closed Database";
  if (sql.size() > static_cast<std::size_t>(INT_MAX)) {
    return Error::InvalidArgument("SQL text too long");
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int code = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, &tail);
  Statement statement(db_, stmt);
  if (code != SQLITE_OK) {
    return SqliteError(db_, code, "prepare");
  }
  if (stmt == nullptr) {
    return Error::InvalidArgument("prepare: no SQL statement in the text");
  }
  const std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
  if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    return Error::InvalidArgument("prepare: more than one statement; use Exec for scripts");
  }
  return statement;
}

Result<Transaction> Database::Begin() {
  TD_TRY(Exec("BEGIN IMMEDIATE"));
  return Transaction(this);
}

Result<std::int64_t> Database::QueryInt64(std::string_view sql) {
  auto statement = Prepare(sql);
  if (!statement.ok()) {
    return statement.error();
  }
  auto row = statement->Step();
  if (!row.ok()) {
    return row.error();
  }
  if (!*row) {
    return Error::NotFound("query returned no row");
  }
  return statement->ColumnInt64(0);
}

std::int64_t Database::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_);
}

std::int64_t Database::Changes() const {
  return sqlite3_changes64(db_);
}

Result<std::string> Database::JournalMode() {
  auto statement = Prepare("PRAGMA journal_mode");
  if (!statement.ok()) {
    return statement.error();
  }
  auto row = statement->Step();
  if (!row.ok()) {
    return row.error();
  }
  if (!*row) {
    return Error::Internal("PRAGMA journal_mode returned nothing");
  }
  return std::string(statement->ColumnText(0));
}

bool Database::InTransaction() const {
  return db_ != nullptr && sqlite3_get_autocommit(db_) == 0;
}

Transaction::~Transaction() {
  if (db_ != nullptr) {
    static_cast<void>(Rollback());
  }
}

Status Transaction::Commit() {
  TD_CHECK(db_ != nullptr) << "Commit on a finished transaction";
  Database* db = db_;
  Status status = db->Exec("COMMIT");
  if (status.ok()) {
    db_ = nullptr;
  }
  return status;
}

Status Transaction::Rollback() {
  TD_CHECK(db_ != nullptr) << "Rollback on a finished transaction";
  Database* db = std::exchange(db_, nullptr);
  if (!db->InTransaction()) {
    return {};  // SQLite already rolled back (e.g. after a constraint failure with ON CONFLICT ROLLBACK)
  }
  return db->Exec("ROLLBACK");
}

}  // namespace td::persistence
