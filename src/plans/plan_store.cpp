// SPDX-License-Identifier: MIT
#include "plans/plan_store.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>
#include <utility>

#include "core/ids.hpp"
#include "persistence/migrations.hpp"
#include "scanner/strategies.hpp"
#include "scanner/types.hpp"

namespace td::plans {
namespace {

using persistence::Database;
using persistence::Migration;
using persistence::Statement;

// Released migrations never change; new schema goes in a new step.
constexpr std::string_view kPlansSchemaV1 = R"sql(
CREATE TABLE plans (
  plan_id        TEXT    NOT NULL,
  version        INTEGER NOT NULL CHECK (version >= 1),
  user           TEXT    NOT NULL,
  symbol         TEXT    NOT NULL,
  style          TEXT    NOT NULL,
  strategy       TEXT    NOT NULL,
  as_of          INTEGER NOT NULL,
  created_at     INTEGER NOT NULL,
  reason         TEXT    NOT NULL,
  parent_plan_id TEXT,
  plan_json      TEXT    NOT NULL,
  layers_json    TEXT    NOT NULL,
  layers_as_of   INTEGER NOT NULL,
  PRIMARY KEY (plan_id, version)
);
CREATE INDEX plans_by_user_created ON plans (user, created_at);
CREATE INDEX plans_by_symbol_created ON plans (symbol, created_at);
CREATE INDEX plans_by_created ON plans (created_at);
CREATE TRIGGER plans_versions_are_immutable BEFORE UPDATE ON plans
BEGIN SELECT RAISE(ABORT, 'plan versions are immutable'); END;
CREATE TRIGGER plans_history_is_kept BEFORE DELETE ON plans
BEGIN SELECT RAISE(ABORT, 'plan history is kept forever'); END;
)sql";

constexpr std::string_view kWatchlistsSchemaV2 = R"sql(
CREATE TABLE watchlists (
  user       TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  symbols    TEXT    NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (user, name)
);
)sql";

constexpr std::string_view kJournalSchemaV3 = R"sql(
CREATE TABLE journal_entries (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  user       TEXT    NOT NULL,
  plan_id    TEXT,
  symbol     TEXT    NOT NULL,
  text       TEXT    NOT NULL,
  outcome    TEXT    NOT NULL CHECK (outcome IN ('', 'open', 'win', 'loss', 'scratch')),
  pnl        REAL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX journal_entries_by_user ON journal_entries (user, id);
)sql";

constexpr std::array<Migration, 3> kMigrations = {{
    {1, "plans", kPlansSchemaV1},
    {2, "watchlists", kWatchlistsSchemaV2},
    {3, "journal_entries", kJournalSchemaV3},
}};

constexpr std::string_view kPlanIdPrefix = "pl_";
constexpr std::size_t kPlanIdRandomBytes = 12;  // 96 bits: 24 hex characters
constexpr std::size_t kMaxReasonChars = 32;
constexpr std::size_t kMaxPlanJsonBytes = 4 * 1024 * 1024;
constexpr std::size_t kMaxUserChars = 64;
constexpr std::size_t kMaxWatchlistSymbolChars = 40;
constexpr int kCreateAttempts = 3;
constexpr std::array<std::string_view, 5> kOutcomes = {"", "open", "win", "loss", "scratch"};

#define TD_PLAN_COLUMNS \
  "plan_id, version, user, symbol, style, strategy, as_of, created_at, reason, parent_plan_id, plan_json, " \
  "layers_json, layers_as_of"

// Rows are visible to their owner, and to an admin; the filter lives in every statement's WHERE clause.
#define TD_SCOPED "(:admin = 1 OR user = :user)"

/// Resets a statement on every exit path, so no read transaction stays open between calls.
class StatementUse {
 public:
  explicit StatementUse(Statement& statement) : statement_(statement) {}
  ~StatementUse() { static_cast<void>(statement_.Reset()); }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  Statement& operator*() { return statement_; }
  Statement* operator->() { return &statement_; }

 private:
  Statement& statement_;
};

Status BindScope(Statement& statement, const UserScope& scope) {
  TD_TRY(statement.Bind(":admin", scope.admin ? 1 : 0));
  TD_TRY(statement.Bind(":user", std::string_view(scope.user)));
  return {};
}

Status BindOptionalText(Statement& statement, std::string_view name, const std::optional<std::string>& value) {
  if (!value) {
    auto index = statement.ParameterIndex(name);
    if (!index.ok()) {
      return index.error();
    }
    return statement.BindNull(*index);
  }
  return statement.Bind(name, std::string_view(*value));
}

std::optional<std::string> OptionalText(const Statement& statement, int column) {
  if (statement.IsNull(column)) {
    return std::nullopt;
  }
  return std::string(statement.ColumnText(column));
}

StoredPlan ReadPlan(const Statement& row) {
  StoredPlan plan;
  plan.plan_id = std::string(row.ColumnText(0));
  plan.version = static_cast<int>(row.ColumnInt64(1));
  plan.user = std::string(row.ColumnText(2));
  plan.symbol = std::string(row.ColumnText(3));
  plan.style = std::string(row.ColumnText(4));
  plan.strategy = std::string(row.ColumnText(5));
  plan.as_of = UnixNanos(row.ColumnInt64(6));
  plan.created_at = UnixNanos(row.ColumnInt64(7));
  plan.reason = std::string(row.ColumnText(8));
  plan.parent_plan_id = OptionalText(row, 9);
  plan.plan_json = std::string(row.ColumnText(10));
  plan.layers_json = std::string(row.ColumnText(11));
  plan.layers_as_of = UnixNanos(row.ColumnInt64(12));
  return plan;
}

std::vector<std::string> SplitSymbols(std::string_view joined) {
  std::vector<std::string> symbols;
  while (!joined.empty()) {
    const std::size_t comma = joined.find(',');
    symbols.emplace_back(joined.substr(0, comma));
    if (comma == std::string_view::npos) {
      break;
    }
    joined.remove_prefix(comma + 1);
  }
  return symbols;
}

std::string JoinSymbols(const std::vector<std::string>& symbols) {
  std::string joined;
  for (const auto& symbol : symbols) {
    if (!joined.empty()) {
      joined += ',';
    }
    joined += symbol;  // symbols cannot contain ',' (validated), so the join is unambiguous
  }
  return joined;
}

JournalEntry ReadJournalEntry(const Statement& row) {
  JournalEntry entry;
  entry.id = row.ColumnInt64(0);
  entry.user = std::string(row.ColumnText(1));
  entry.plan_id = OptionalText(row, 2);
  entry.symbol = std::string(row.ColumnText(3));
  entry.text = std::string(row.ColumnText(4));
  entry.outcome = std::string(row.ColumnText(5));
  if (!row.IsNull(6)) {
    entry.pnl = row.ColumnDouble(6);
  }
  entry.created_at = UnixNanos(row.ColumnInt64(7));
  entry.updated_at = UnixNanos(row.ColumnInt64(8));
  return entry;
}

/// Counts the code points of valid UTF-8; nullopt when the bytes are not valid UTF-8.
std::optional<std::size_t> Utf8Length(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    if (lead < 0x80) {
      length = 1;
      code_point = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + length > text.size()) {
      return std::nullopt;
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        return std::nullopt;
      }
      code_point = (code_point << 6) | (next & 0x3F);
    }
    constexpr std::array<std::uint32_t, 5> kSmallestOfLength = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kSmallestOfLength[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return std::nullopt;  // overlong forms, surrogates and out-of-range values are not text
    }
    i += length;
    ++count;
  }
  return count;
}

Status ValidateScope(const UserScope& scope) {
  if (scope.user.empty() || scope.user.size() > kMaxUserChars) {
    return Error::InvalidArgument("user must be 1.." + std::to_string(kMaxUserChars) + " characters", "user");
  }
  for (const char c : scope.user) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F) {
      return Error::InvalidArgument("user must not contain spaces or control characters", "user");
    }
  }
  return {};
}

bool IsPlanIdShaped(std::string_view plan_id) {
  if (plan_id.size() != kPlanIdPrefix.size() + 2 * kPlanIdRandomBytes || !plan_id.starts_with(kPlanIdPrefix)) {
    return false;
  }
  return std::all_of(plan_id.begin() + static_cast<std::ptrdiff_t>(kPlanIdPrefix.size()), plan_id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Status ValidatePlanId(std::string_view plan_id, std::string_view field) {
  if (!IsPlanIdShaped(plan_id)) {
    return Error::InvalidArgument("plan id must be 'pl_' followed by 24 lowercase hex characters",
                                  std::string(field));
  }
  return {};
}

Status ValidateJsonObjectText(std::string_view text, std::string_view field) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  const std::size_t last = text.find_last_not_of(" \t\r\n");
  if (first == std::string_view::npos || text[first] != '{' || text[last] != '}') {
    return Error::InvalidArgument(std::string(field) + " must be a JSON object", std::string(field));
  }
  if (text.size() > kMaxPlanJsonBytes) {
    return Error::InvalidArgument(std::string(field) + " is larger than 4 MiB", std::string(field));
  }
  return {};
}

/// Checks a plan version's fields and brings symbol, style and reason to their canonical spelling.
Status NormalizeNewPlan(NewPlan& plan) {
  auto instrument = InstrumentId::Parse(plan.symbol);
  if (!instrument.ok()) {
    return Error::InvalidArgument(instrument.error().message, "symbol");
  }
  plan.symbol = instrument->value();
  auto style = scanner::ParseStyle(plan.style);
  if (!style.ok()) {
    return Error::InvalidArgument("style must be scalp, intraday, swing or leaps", "style");
  }
  plan.style = std::string(scanner::StyleName(*style));
  if (!scanner::ParseStrategyKey(plan.strategy)) {
    return Error::InvalidArgument("unknown strategy key '" + plan.strategy + "'", "strategy");
  }
  if (plan.reason.empty() || plan.reason.size() > kMaxReasonChars ||
      !std::all_of(plan.reason.begin(), plan.reason.end(),
                   [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; })) {
    return Error::InvalidArgument("reason must be 1..32 characters of a-z and '_'", "reason");
  }
  if (plan.parent_plan_id) {
    TD_TRY(ValidatePlanId(*plan.parent_plan_id, "parent_plan_id"));
  }
  if (plan.as_of.nanos() <= 0) {
    return Error::InvalidArgument("as_of must be a time after the epoch", "as_of");
  }
  if (plan.layers_as_of.nanos() <= 0) {
    return Error::InvalidArgument("layers_as_of must be a time after the epoch", "layers_as_of");
  }
  TD_TRY(ValidateJsonObjectText(plan.plan_json, "plan_json"));
  TD_TRY(ValidateJsonObjectText(plan.layers_json, "layers_json"));
  return {};
}

Status ValidateLimit(std::size_t limit) {
  if (limit < 1 || limit > kMaxListLimit) {
    return Error::InvalidArgument("limit must be 1.." + std::to_string(kMaxListLimit), "limit");
  }
  return {};
}

Status ValidateWatchlistName(std::string_view name) {
  auto length = Utf8Length(name);
  if (!length || *length == 0 || *length > kMaxWatchlistNameChars) {
    return Error::InvalidArgument("name must be 1..64 characters of UTF-8 text", "name");
  }
  if (std::isspace(static_cast<unsigned char>(name.front())) != 0 ||
      std::isspace(static_cast<unsigned char>(name.back())) != 0) {
    return Error::InvalidArgument("name must not start or end with white space", "name");
  }
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      return Error::InvalidArgument("name must not contain control characters", "name");
    }
  }
  return {};
}

/// Upper-cases and checks one watchlist or journal symbol: [A-Z0-9:._-]{1,40}, "EXCH:SYM" or bare.
Result<std::string> NormalizeSymbol(std::string_view symbol, const std::string& field) {
  if (symbol.empty() || symbol.size() > kMaxWatchlistSymbolChars) {
    return Error::InvalidArgument("symbol must be 1..40 characters", field);
  }
  std::string upper;
  upper.reserve(symbol.size());
  for (const char c : symbol) {
    const char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const bool allowed = (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == ':' || u == '.' || u == '_' ||
                         u == '-';
    if (!allowed) {
      return Error::InvalidArgument("symbol '" + std::string(symbol) + "' may hold only A-Z 0-9 : . _ -", field);
    }
    upper += u;
  }
  const std::size_t colon = upper.find(':');
  if (colon != std::string::npos &&
      (colon == 0 || colon + 1 == upper.size() || upper.find(':', colon + 1) != std::string::npos)) {
    return Error::InvalidArgument("symbol '" + std::string(symbol) + "' must be EXCH:SYM or a bare symbol", field);
  }
  return upper;
}

Status ValidateJournalEntry(NewJournalEntry& entry) {
  if (entry.plan_id) {
    TD_TRY(ValidatePlanId(*entry.plan_id, "plan_id"));
  }
  if (!entry.symbol.empty()) {
    auto symbol = NormalizeSymbol(entry.symbol, "symbol");
    if (!symbol.ok()) {
      return symbol.error();
    }
    entry.symbol = std::move(symbol).value();
  }
  auto length = Utf8Length(entry.text);
  if (!length) {
    return Error::InvalidArgument("text must be valid UTF-8", "text");
  }
  if (*length == 0) {
    return Error::InvalidArgument("text must not be empty", "text");
  }
  if (*length > kMaxJournalTextChars) {
    return Error::InvalidArgument("text must be at most " + std::to_string(kMaxJournalTextChars) + " characters",
                                  "text");
  }
  if (std::find(kOutcomes.begin(), kOutcomes.end(), entry.outcome) == kOutcomes.end()) {
    return Error::InvalidArgument("outcome must be open, win, loss, scratch or empty", "outcome");
  }
  if (entry.pnl && !std::isfinite(*entry.pnl)) {
    return Error::InvalidArgument("pnl must be a finite number", "pnl");
  }
  return {};
}

Result<std::string> NewPlanId() {
  std::array<unsigned char, kPlanIdRandomBytes> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, 2 * kPlanIdRandomBytes + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  return std::string(kPlanIdPrefix) + hex.data();
}

Error NotFoundPlan() { return Error::NotFound("no such plan", "plan_id"); }

/// A plan looked up by id: a malformed id names no plan, so it is not_found like any other absent one.
Status CheckLookupId(std::string_view plan_id) {
  if (!IsPlanIdShaped(plan_id)) {
    return NotFoundPlan();
  }
  return {};
}

}  // namespace

/// Every statement the store runs, compiled once at Open.
struct PlanStore::Statements {
  Statement insert_plan;
  Statement latest_visible_version;  // owner, symbol and latest version of a plan the scope can see
  Statement get_latest;
  Statement get_version;
  Statement history;
  Statement list_all;
  Statement list_by_symbol;
  Statement put_watchlist;
  Statement get_watchlist;
  Statement list_watchlists;
  Statement delete_watchlist;
  Statement create_watchlist;
  Statement update_watchlist;
  Statement visible_plan_symbol;
  Statement insert_journal;
  Statement update_journal;
  Statement get_journal;
  Statement list_journal;
};

namespace {

Status PrepareAll(Database& db, auto& s) {
  auto prepare = [&db](Statement& target, std::string_view sql) -> Status {
    auto statement = db.Prepare(sql);
    if (!statement.ok()) {
      return statement.error();
    }
    target = std::move(statement).value();
    return {};
  };
  TD_TRY(prepare(s.insert_plan,
                 "INSERT INTO plans (" TD_PLAN_COLUMNS ") VALUES (:plan_id, :version, :owner, :symbol, :style, "
                 ":strategy, :as_of, :created_at, :reason, :parent_plan_id, :plan_json, :layers_json, "
                 ":layers_as_of)"));
  TD_TRY(prepare(s.latest_visible_version,
                 "SELECT user, symbol, MAX(version) FROM plans WHERE plan_id = :plan_id AND " TD_SCOPED
                 " GROUP BY plan_id"));
  TD_TRY(prepare(s.get_latest, "SELECT " TD_PLAN_COLUMNS " FROM plans WHERE plan_id = :plan_id AND " TD_SCOPED
                               " ORDER BY version DESC LIMIT 1"));
  TD_TRY(prepare(s.get_version, "SELECT " TD_PLAN_COLUMNS " FROM plans WHERE plan_id = :plan_id AND "
                                "version = :version AND " TD_SCOPED));
  TD_TRY(prepare(s.history, "SELECT version, as_of, created_at, reason FROM plans WHERE plan_id = :plan_id AND "
                            TD_SCOPED " ORDER BY version"));
  // The latest version of each visible plan; the most recently written first (rowid breaks ties between
  // inserts stamped with the same clock time, e.g. under a test clock).
  TD_TRY(prepare(s.list_all, "SELECT " TD_PLAN_COLUMNS " FROM plans AS p WHERE " TD_SCOPED
                             " AND version = (SELECT MAX(version) FROM plans AS q WHERE q.plan_id = p.plan_id)"
                             " ORDER BY created_at DESC, rowid DESC LIMIT :limit"));
  TD_TRY(prepare(s.list_by_symbol, "SELECT " TD_PLAN_COLUMNS " FROM plans AS p WHERE symbol = :symbol AND "
                                   TD_SCOPED
                                   " AND version = (SELECT MAX(version) FROM plans AS q WHERE q.plan_id = p.plan_id)"
                                   " ORDER BY created_at DESC, rowid DESC LIMIT :limit"));
  TD_TRY(prepare(s.put_watchlist,
                 "INSERT INTO watchlists (user, name, symbols, updated_at) VALUES (:user, :name, :symbols, "
                 ":updated_at) ON CONFLICT (user, name) DO UPDATE SET symbols = excluded.symbols, "
                 "updated_at = excluded.updated_at"));
  // Watchlists are personal: even an admin reads only their own, so these bind the user alone.
  TD_TRY(prepare(s.get_watchlist,
                 "SELECT name, symbols, updated_at FROM watchlists WHERE user = :user AND name = :name"));
  TD_TRY(prepare(s.list_watchlists,
                 "SELECT name, symbols, updated_at FROM watchlists WHERE user = :user ORDER BY name"));
  TD_TRY(prepare(s.delete_watchlist, "DELETE FROM watchlists WHERE user = :user AND name = :name"));
  TD_TRY(prepare(s.create_watchlist,
                 "INSERT INTO watchlists (user, name, symbols, updated_at) VALUES (:user, :name, :symbols, "
                 ":updated_at) ON CONFLICT (user, name) DO NOTHING"));
  TD_TRY(prepare(s.update_watchlist, "UPDATE watchlists SET symbols = :symbols, updated_at = :updated_at "
                                     "WHERE user = :user AND name = :name"));
  TD_TRY(prepare(s.visible_plan_symbol,
                 "SELECT symbol FROM plans WHERE plan_id = :plan_id AND " TD_SCOPED " ORDER BY version DESC LIMIT 1"));
  TD_TRY(prepare(s.insert_journal,
                 "INSERT INTO journal_entries (user, plan_id, symbol, text, outcome, pnl, created_at, updated_at) "
                 "VALUES (:owner, :plan_id, :symbol, :text, :outcome, :pnl, :now, :now)"));
  TD_TRY(prepare(s.update_journal,
                 "UPDATE journal_entries SET plan_id = :plan_id, symbol = :symbol, text = :text, outcome = :outcome, "
                 "pnl = :pnl, updated_at = :now WHERE id = :id AND " TD_SCOPED));
  TD_TRY(prepare(s.get_journal, "SELECT id, user, plan_id, symbol, text, outcome, pnl, created_at, updated_at "
                                "FROM journal_entries WHERE id = :id AND " TD_SCOPED));
  TD_TRY(prepare(s.list_journal, "SELECT id, user, plan_id, symbol, text, outcome, pnl, created_at, updated_at "
                                 "FROM journal_entries WHERE " TD_SCOPED
                                 " AND (:symbol = '' OR symbol = :symbol) AND (:plan_id IS NULL OR plan_id = :plan_id)"
                                 " AND created_at >= :from AND created_at < :to ORDER BY id DESC LIMIT :limit"));
  return {};
}

}  // namespace

PlanStore::PlanStore(Database db, const Clock& clock)
    : db_(std::move(db)), statements_(std::make_unique<Statements>()), clock_(clock) {}

PlanStore::~PlanStore() = default;

Result<std::unique_ptr<PlanStore>> PlanStore::Open(const std::filesystem::path& db_path, const Clock& clock) {
  if (sodium_init() < 0) {
    return Error::Internal("libsodium failed to initialise; no CSPRNG for plan ids");
  }
  auto db = Database::Open(db_path);
  if (!db.ok()) {
    return db.error();
  }
  // A plan acknowledged by Create must survive a crash of the machine, not only of the process: sync the
  // WAL on every commit. Plans are written at human pace, so the fsync per commit is affordable.
  TD_TRY(db->Exec("PRAGMA synchronous = FULL"));
  auto migrated = persistence::Migrate(*db, kMigrations);
  if (!migrated.ok()) {
    return migrated.error();
  }
  std::unique_ptr<PlanStore> store(new PlanStore(std::move(db).value(), clock));
  TD_TRY(PrepareAll(store->db_, *store->statements_));
  return store;
}

Result<StoredPlan> PlanStore::InsertVersionLocked(const std::string& plan_id, int version, const std::string& user,
                                                  NewPlan plan) {
  const UnixNanos created_at = clock_.Now();
  StatementUse insert(statements_->insert_plan);
  TD_TRY(insert->Bind(":plan_id", std::string_view(plan_id)));
  TD_TRY(insert->Bind(":version", version));
  TD_TRY(insert->Bind(":owner", std::string_view(user)));
  TD_TRY(insert->Bind(":symbol", std::string_view(plan.symbol)));
  TD_TRY(insert->Bind(":style", std::string_view(plan.style)));
  TD_TRY(insert->Bind(":strategy", std::string_view(plan.strategy)));
  TD_TRY(insert->Bind(":as_of", plan.as_of.nanos()));
  TD_TRY(insert->Bind(":created_at", created_at.nanos()));
  TD_TRY(insert->Bind(":reason", std::string_view(plan.reason)));
  TD_TRY(BindOptionalText(*insert, ":parent_plan_id", plan.parent_plan_id));
  TD_TRY(insert->Bind(":plan_json", std::string_view(plan.plan_json)));
  TD_TRY(insert->Bind(":layers_json", std::string_view(plan.layers_json)));
  TD_TRY(insert->Bind(":layers_as_of", plan.layers_as_of.nanos()));
  TD_TRY(insert->Run());

  StoredPlan stored;
  stored.plan_id = plan_id;
  stored.version = version;
  stored.user = user;
  stored.symbol = std::move(plan.symbol);
  stored.style = std::move(plan.style);
  stored.strategy = std::move(plan.strategy);
  stored.as_of = plan.as_of;
  stored.created_at = created_at;
  stored.reason = std::move(plan.reason);
  stored.parent_plan_id = std::move(plan.parent_plan_id);
  stored.plan_json = std::move(plan.plan_json);
  stored.layers_json = std::move(plan.layers_json);
  stored.layers_as_of = plan.layers_as_of;
  return stored;
}

Result<StoredPlan> PlanStore::Create(const UserScope& scope, NewPlan plan,
                                     const std::function<void(std::string_view plan_id, NewPlan&)>& fill_id) {
  TD_TRY(ValidateScope(scope));
  for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
    auto plan_id = NewPlanId();
    if (!plan_id.ok()) {
      return plan_id.error();
    }
    NewPlan candidate = plan;
    // The caller's callback runs outside the lock: it may be slow (rendering JSON) and must not deadlock
    // by calling back into the store.
    if (fill_id) {
      fill_id(*plan_id, candidate);
    }
    TD_TRY(NormalizeNewPlan(candidate));

    std::lock_guard lock(mutex_);
    auto transaction = db_.Begin();
    if (!transaction.ok()) {
      return transaction.error();
    }
    if (candidate.parent_plan_id) {
      StatementUse parent(statements_->latest_visible_version);
      TD_TRY(parent->Bind(":plan_id", std::string_view(*candidate.parent_plan_id)));
      TD_TRY(BindScope(*parent, scope));
      auto row = parent->Step();
      if (!row.ok()) {
        return row.error();
      }
      if (!*row) {
        return Error::NotFound("no such parent plan", "parent_plan_id");
      }
    }
    auto stored = InsertVersionLocked(*plan_id, 1, scope.user, std::move(candidate));
    if (!stored.ok()) {
      if (stored.error().code == ErrorCode::kConflict) {
        continue;  // 96 random bits collided with an existing id: draw another
      }
      return stored.error();
    }
    TD_TRY(transaction->Commit());
    return stored;
  }
  return Error{ErrorCode::kConflict, "could not draw an unused plan id", "plan_id"};
}

Result<StoredPlan> PlanStore::AddVersion(const UserScope& scope, std::string_view plan_id, NewPlan plan) {
  TD_TRY(ValidateScope(scope));
  TD_TRY(CheckLookupId(plan_id));
  TD_TRY(NormalizeNewPlan(plan));

  std::lock_guard lock(mutex_);
  // IMMEDIATE: the version number read below cannot be taken by another connection before our insert.
  auto transaction = db_.Begin();
  if (!transaction.ok()) {
    return transaction.error();
  }
  std::string owner;
  int latest = 0;
  {
    StatementUse head(statements_->latest_visible_version);
    TD_TRY(head->Bind(":plan_id", plan_id));
    TD_TRY(BindScope(*head, scope));
    auto row = head->Step();
    if (!row.ok()) {
      return row.error();
    }
    if (!*row) {
      return NotFoundPlan();
    }
    owner = std::string(head->ColumnText(0));
    if (head->ColumnText(1) != plan.symbol) {
      return Error::Unprocessable("a new version must keep the plan's symbol " + std::string(head->ColumnText(1)),
                                  "symbol");
    }
    latest = static_cast<int>(head->ColumnInt64(2));
  }
  if (plan.parent_plan_id) {
    StatementUse parent(statements_->latest_visible_version);
    TD_TRY(parent->Bind(":plan_id", std::string_view(*plan.parent_plan_id)));
    TD_TRY(BindScope(*parent, scope));
    auto row = parent->Step();
    if (!row.ok()) {
      return row.error();
    }
    if (!*row) {
      return Error::NotFound("no such parent plan", "parent_plan_id");
    }
  }
  // The version keeps the plan's owner even when an admin writes it.
  auto stored = InsertVersionLocked(std::string(plan_id), latest + 1, owner, std::move(plan));
  if (!stored.ok()) {
    return stored.error();
  }
  TD_TRY(transaction->Commit());
  return stored;
}

Result<StoredPlan> PlanStore::GetLocked(const UserScope& scope, std::string_view plan_id,
                                        std::optional<int> version) {
  if (!version) {
    StatementUse get(statements_->get_latest);
    TD_TRY(get->Bind(":plan_id", plan_id));
    TD_TRY(BindScope(*get, scope));
    auto row = get->Step();
    if (!row.ok()) {
      return row.error();
    }
    if (!*row) {
      return NotFoundPlan();
    }
    return ReadPlan(*get);
  }
  {
    StatementUse get(statements_->get_version);
    TD_TRY(get->Bind(":plan_id", plan_id));
    TD_TRY(get->Bind(":version", *version));
    TD_TRY(BindScope(*get, scope));
    auto row = get->Step();
    if (!row.ok()) {
      return row.error();
    }
    if (*row) {
      return ReadPlan(*get);
    }
  }
  // Tell "no such version" from "no such plan" only for a plan the scope can see.
  StatementUse head(statements_->latest_visible_version);
  TD_TRY(head->Bind(":plan_id", plan_id));
  TD_TRY(BindScope(*head, scope));
  auto row = head->Step();
  if (!row.ok()) {
    return row.error();
  }
  if (!*row) {
    return NotFoundPlan();
  }
  return Error::NotFound("plan has no version " + std::to_string(*version), "version");
}

Result<StoredPlan> PlanStore::Get(const UserScope& scope, std::string_view plan_id, std::optional<int> version) {
  TD_TRY(ValidateScope(scope));
  TD_TRY(CheckLookupId(plan_id));
  if (version && *version < 1) {
    return Error::InvalidArgument("version must be 1 or more", "version");
  }
  std::lock_guard lock(mutex_);
  return GetLocked(scope, plan_id, version);
}

Result<std::vector<PlanVersionSummary>> PlanStore::History(const UserScope& scope, std::string_view plan_id) {
  TD_TRY(ValidateScope(scope));
  TD_TRY(CheckLookupId(plan_id));
  std::lock_guard lock(mutex_);
  StatementUse history(statements_->history);
  TD_TRY(history->Bind(":plan_id", plan_id));
  TD_TRY(BindScope(*history, scope));
  std::vector<PlanVersionSummary> versions;
  while (true) {
    auto row = history->Step();
    if (!row.ok()) {
      return row.error();
    }
    if (!*row) {
      break;
    }
    versions.push_back(PlanVersionSummary{static_cast<int>(history->ColumnInt64(0)),
                                          UnixNanos(history->ColumnInt64(1)), UnixNanos(history->ColumnInt64(2)),
                                          std::string(history->ColumnText(3))});
  }
  if (versions.empty()) {
    return NotFoundPlan();
  }
  return versions;
}

Result<std::vector<StoredPlan>> PlanStore::List(const UserScope& scope, std::size_t limit, std::string_view symbol) {
  TD_TRY(ValidateScope(scope));
  TD_TRY(ValidateLimit(limit));
  std::string normalized_symbol;
  if (!symbol.empty()) {
    auto instrument = InstrumentId::Parse(symbol);
    if (!instrument.ok()) {
      return Error::InvalidArgument(instrument.error().message, "symbol");
    }
    normalized_symbol = instrument->value();
  }
  std::lock_guard lock(mutex_);
  StatementUse list(symbol.empty() ? statements_->list_all : statements_->list_by_symbol);
  TD_TRY(BindScope(*list, scope));
  TD_TRY(list->Bind(":limit", static_cast<std::int64_t>(limit)));
  if (!symbol.empty()) {
    TD_TRY(list->Bind(":symbol", std::string_view(normalized_symbol)));
  }
  std::vector<StoredPlan> plans;
  while (true) {
    auto row = list->Step();
    if (!row.ok()) {
      return row.error();
    }
    if (!*row) {
      break;
    }
    plans.push_back(ReadPlan(*list));
  }
  return plans;
}

Result<std::vector<std::string>> NormalizeWatchlistSymbols(const std::vector<std::string>& symbols) {
  if (symbols.empty()) {
    return Error::InvalidArgument("a watchlist needs at least one symbol", "symbols");
  }
  if (symbols.size() > kMaxWatchlistSymbols) {
    return Error::InvalidArgument("a watchlist holds at most " + std::to_string(kMaxWatchlistSymbols) + " symbols",
                                  "symbols");
  }
  std::vector<std::string> normalized;
  normalized.reserve(symbols.size());
  std::set<std::string, std::less<>> seen;
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    auto symbol = NormalizeSymbol(symbols[i], "symbols[" + std::to_string(i) + "]");
    if (!symbol.ok()) {
      return symbol.error();
    }
    if (seen.insert(*symbol).second) {
      normalized.push_back(std::move(symbol).value());
    }
  }
  return normalized;
}

Result<Watchlist> PlanStore::WriteWatchlist(const UserScope& scope, std::string_view name,
                                            const std::vector<std::string>& symbols, WatchlistWrite write) {
  TD_TRY(ValidateScope(scope));
  TD_TRY(ValidateWatchlistName(name));
  auto normalized = NormalizeWatchlistSymbols(symbols);
  if (!normalized.ok()) {
    return normalized.error();
  }
  std::lock_guard lock(mutex_);
  const UnixNanos now = clock_.Now();
  Statement& statement = write == WatchlistWrite::kCreate   ? statements_->create_watchlist
                         : write == WatchlistWrite::kUpdate ? statements_->update_watchlist
                                                            : statements_->put_watchlist;
  StatementUse use(statement);
  TD_TRY(use->Bind(":user", std::string_view(scope.user)));
  TD_TRY(use->Bind(":name", name));
  TD_TRY(use->Bind(":symbols", std::string_view(JoinSymbols(*normalized))));
  TD_TRY(use->Bind(":updated_at", now.nanos()));
  TD_TRY(use->Run());
  // Create inserts only a new name and update changes only an existing one: no row touched says which failed.
  if (write == WatchlistWrite::kCreate && db_.Changes() == 0) {
    return Error{ErrorCode::kAlreadyExists, "a watchlist with this name exists", "name"};
  }
  if (write == WatchlistWrite::kUpdate && db_.Changes() == 0) {
    return Error::NotFound("no such watchlist", "name");
  }
  return Watchlist{std::string(name), std::move(normalized).value(), now};
}

Result<Watchlist> PlanStore::PutWatchlist(const UserScope& scope, std::string_view name,
                                          std::vector<std::string> symbols) {
  return WriteWatchlist(scope, name, symbols, WatchlistWrite::kPut);
}

Result<Watchlist> PlanStore::CreateWatchlist(const UserScope& scope, std::string_view name,
                                             std::vector<std::string> symbols) {
  return WriteWatchlist(scope, name, symbols, WatchlistWrite::kCreate);
}

Result<Watchlist> PlanStore::UpdateWatchlist(const UserScope& scope, std::string_view name,
                                             std::vector<std::string> symbols) {
  return WriteWatchlist(scope, name, symbols, WatchlistWrite::kUpdate);
}

Result<Watchlist> PlanStore::GetWatchlist(const UserScope& scope, std::string_view name) {
  TD_TRY(ValidateScope(scope));
  TD_TRY(ValidateWatchlistName(name));
  std::lock_guard lock(mutex_);
  StatementUse get(statements_->get_watchlist);
  TD_TRY(get->Bind(":user", std::string_view(scope.user)));
  TD_TRY(get->Bind(":name", name));
  auto row = get->Step();
  if (!row.ok()) {
    return row.error();
  }
  if (!*row) {
    return Error::NotFound("no such watchlist", "name");
  }
  return Watchlist{std::string(get->ColumnText(0)), SplitSymbols(get->ColumnText(1)), UnixNanos(get->ColumnInt64(2))};
}

Result<std::vector<Watchlist>> PlanStore::ListWatchlists(const UserScope& scope) {
  TD_TRY(ValidateScope(scope));
  std::lock_guard lock(mutex_);
  StatementUse list(statements_->list_watchlists);
  TD_TRY(list->Bind(":user", std::string_view(scope.user)));
  std::vector<Watchlist> watchlists;
  while (true) {
    auto row = list->Step();
    if (!row.ok()) {
      return row.error();
    }
    if (!*row) {
      break;
    }
    watchlists.push_back(
        Watchlist{std::string(list->ColumnText(0)), SplitSymbols(list->ColumnText(1)), UnixNanos(list->ColumnInt64(2))});
  }
  return watchlists;
}

Status PlanStore::DeleteWatchlist(const UserScope& scope, std::string_view name) {
  TD_TRY(ValidateScope(scope));
  TD_TRY(ValidateWatchlistName(name));
  std::lock_guard lock(mutex_);
  StatementUse remove(statements_->delete_watchlist);
  TD_TRY(remove->Bind(":user", std::string_view(scope.user)));
  TD_TRY(remove->Bind(":name", name));
  TD_TRY(remove->Run());
  if (db_.Changes() == 0) {
    return Error::NotFound("no such watchlist", "name");
  }
  return {};
}

Result<JournalEntry> PlanStore::GetJournalEntryLocked(const UserScope& scope, std::int64_t id) {
  StatementUse get(statements_->get_journal);
  TD_TRY(get->Bind(":id", id));
  TD_TRY(BindScope(*get, scope));
  auto row = get->Step();
  if (!row.ok()) {
    return row.error();
  }
  if (!*row) {
    return Error::NotFound("no such journal entry", "id");
  }
  return ReadJournalEntry(*get);
}

namespace {

/// Binds the writable fields of a journal entry (shared by insert and update).
Status BindJournalFields(Statement& statement, const NewJournalEntry& entry, UnixNanos now) {
  TD_TRY(BindOptionalText(statement, ":plan_id", entry.plan_id));
  TD_TRY(statement.Bind(":symbol", std::string_view(entry.symbol)));
  TD_TRY(statement.Bind(":text", std::string_view(entry.text)));
  TD_TRY(statement.Bind(":outcome", std::string_view(entry.outcome)));
  if (entry.pnl) {
    TD_TRY(statement.Bind(":pnl", *entry.pnl));
  } else {
    auto index = statement.ParameterIndex(":pnl");
    if (!index.ok()) {
      return index.error();
    }
    TD_TRY(statement.BindNull(*index));
  }
  TD_TRY(statement.Bind(":now", now.nanos()));
  return {};
}

}  // namespace

namespace {

/// A linked plan must be one the scope can see; an entry without a symbol takes the plan's.
Status ResolveJournalPlanLink(Statement& visible_plan_symbol, const UserScope& scope, NewJournalEntry& entry) {
  if (!entry.plan_id) {
    return {};
  }
  StatementUse plan(visible_plan_symbol);
  TD_TRY(plan->Bind(":plan_id", std::string_view(*entry.plan_id)));
  TD_TRY(BindScope(*plan, scope));
  auto row = plan->Step();
  if (!row.ok()) {
    return row.error();
  }
  if (!*row) {
    return NotFoundPlan();
  }
  if (entry.symbol.empty()) {
    entry.symbol = std::string(plan->ColumnText(0));
  }
  return {};
}

}  // namespace

Result<JournalEntry> PlanStore::AddJournalEntry(const UserScope& scope, NewJournalEntry entry) {
  TD_TRY(ValidateScope(scope));
  TD_TRY(ValidateJournalEntry(entry));
  std::lock_guard lock(mutex_);
  auto transaction = db_.Begin();
  if (!transaction.ok()) {
    return transaction.error();
  }
  TD_TRY(ResolveJournalPlanLink(statements_->visible_plan_symbol, scope, entry));
  const UnixNanos now = clock_.Now();
  {
    StatementUse insert(statements_->insert_journal);
    TD_TRY(insert->Bind(":owner", std::string_view(scope.user)));
    TD_TRY(BindJournalFields(*insert, entry, now));
    TD_TRY(insert->Run());
  }
  const std::int64_t id = db_.LastInsertRowId();
  TD_TRY(transaction->Commit());
  return JournalEntry{id, scope.user, std::move(entry.plan_id), std::move(entry.symbol), std::move(entry.text),
                      std::move(entry.outcome), entry.pnl, now, now};
}

Result<JournalEntry> PlanStore::UpdateJournalEntry(const UserScope& scope, std::int64_t id, NewJournalEntry entry) {
  TD_TRY(ValidateScope(scope));
  if (id < 1) {
    return Error::InvalidArgument("id must be 1 or more", "id");
  }
  TD_TRY(ValidateJournalEntry(entry));
  std::lock_guard lock(mutex_);
  auto transaction = db_.Begin();
  if (!transaction.ok()) {
    return transaction.error();
  }
  TD_TRY(ResolveJournalPlanLink(statements_->visible_plan_symbol, scope, entry));
  {
    StatementUse update(statements_->update_journal);
    TD_TRY(update->Bind(":id", id));
    TD_TRY(BindScope(*update, scope));
    TD_TRY(BindJournalFields(*update, entry, clock_.Now()));
    TD_TRY(update->Run());
  }
  if (db_.Changes() == 0) {
    return Error::NotFound("no such journal entry", "id");
  }
  auto updated = GetJournalEntryLocked(scope, id);
  if (!updated.ok()) {
    return updated.error();
  }
  TD_TRY(transaction->Commit());
  return updated;
}

Result<JournalEntry> PlanStore::GetJournalEntry(const UserScope& scope, std::int64_t id) {
  TD_TRY(ValidateScope(scope));
  if (id < 1) {
    return Error::InvalidArgument("id must be 1 or more", "id");
  }
  std::lock_guard lock(mutex_);
  return GetJournalEntryLocked(scope, id);
}

Result<std::vector<JournalEntry>> PlanStore::ListJournalEntries(const UserScope& scope, std::size_t limit) {
  return ListJournalEntries(scope, limit, JournalFilter{});
}

Result<std::vector<JournalEntry>> PlanStore::ListJournalEntries(const UserScope& scope, std::size_t limit,
                                                                const JournalFilter& filter) {
  TD_TRY(ValidateScope(scope));
  TD_TRY(ValidateLimit(limit));
  std::lock_guard lock(mutex_);
  StatementUse list(statements_->list_journal);
  TD_TRY(BindScope(*list, scope));
  TD_TRY(list->Bind(":limit", static_cast<std::int64_t>(limit)));
  TD_TRY(list->Bind(":symbol", std::string_view(filter.symbol)));
  TD_TRY(BindOptionalText(*list, ":plan_id", filter.plan_id));
  TD_TRY(list->Bind(":from", filter.from ? filter.from->nanos() : std::numeric_limits<std::int64_t>::min()));
  TD_TRY(list->Bind(":to", filter.to ? filter.to->nanos() : std::numeric_limits<std::int64_t>::max()));
  std::vector<JournalEntry> entries;
  while (true) {
    auto row = list->Step();
    if (!row.ok()) {
      return row.error();
    }
    if (!*row) {
      break;
    }
    entries.push_back(ReadJournalEntry(*list));
  }
  return entries;
}

}  // namespace td::plans
