// SPDX-License-Identifier: MIT
#include "app/keys_command.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <system_error>

#include "api/json_writer.hpp"
#include "api/key_store.hpp"
#include "app/cli.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"

namespace td::app {
namespace {

struct OpenedStore {
  std::unique_ptr<api::KeyStore> store;
  int exit_code = kExitOk;
};

const Clock& WallClock() {
  static const LiveClock clock;
  return clock;
}

/// Loads the configuration like `serve` does (so both find the same data directory and pepper) and opens the
/// key store there.
OpenedStore OpenStore(const KeysFlags& flags) {
  config::LoadRequest request;
  if (!flags.config.empty()) {
    request.file = std::filesystem::path(flags.config);
  } else if (std::error_code ec; std::filesystem::is_regular_file("tradedesk.toml", ec)) {
    request.file = std::filesystem::path("tradedesk.toml");
  }
  request.environment = config::ProcessEnvironment();
  if (!flags.data_dir.empty()) {
    request.overrides.push_back(config::Override{"storage.data_dir", flags.data_dir, "--data-dir"});
  }
  const config::LoadedConfig loaded = config::LoadConfig(request);
  if (!loaded.ok()) {
    std::cerr << "tradedesk keys: the configuration is invalid:\n";
    for (const Error& error : loaded.errors) {
      std::cerr << "  " << config::FormatConfigError(error) << '\n';
    }
    return {nullptr, kExitUsage};
  }
  auto store = api::KeyStore::Open(loaded.config.storage.data_dir, WallClock(), loaded.config.auth.pepper);
  if (!store.ok()) {
    std::cerr << "tradedesk keys: cannot open the key store in " << loaded.config.storage.data_dir << ": "
              << store.error().ToString() << '\n';
    return {nullptr, store.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure};
  }
  return {std::move(store).value(), kExitOk};
}

std::string IsoOrEmpty(const std::optional<UnixNanos>& time) {
  return time ? time->ToIso8601() : std::string();
}

void WriteInfo(api::JsonWriter& json, const api::KeyInfo& info) {
  json.Key("id").String(info.id);
  json.Key("user").String(info.user);
  json.Key("admin").Bool(info.admin);
  json.Key("label").String(info.label);
  json.Key("created_at").String(info.created_at.ToIso8601());
  json.Key("revoked_at");
  info.revoked_at ? json.String(info.revoked_at->ToIso8601()) : json.Null();
  json.Key("last_used_at");
  info.last_used_at ? json.String(info.last_used_at->ToIso8601()) : json.Null();
}

}  // namespace

KeysCommands AddKeysCommands(CLI::App& app, KeysFlags& flags) {
  KeysCommands commands;
  commands.keys = app.add_subcommand("keys", "Manage API keys (stored as argon2id hashes in <data_dir>/keys.db).");
  commands.keys->require_subcommand(1);
  const auto common = [&flags](CLI::App* cmd) {
    cmd->add_option("--data-dir", flags.data_dir, "Data directory holding keys.db (default: storage.data_dir, ./var)");
    cmd->add_option("--config", flags.config, "TOML config file (default: ./tradedesk.toml when it exists)");
    cmd->add_flag("--json", flags.json, "Print JSON instead of text");
  };
  commands.create = commands.keys->add_subcommand("create", "Create a key and print it once, with its id.");
  commands.create->add_option("--user", flags.user, "User the key acts as ([A-Za-z0-9._@-], 1-64 characters)")
      ->required();
  commands.create->add_flag("--admin", flags.admin, "Admin key: may act as another user through X-User-Id");
  commands.create->add_option("--label", flags.label, "Free-text label, e.g. where the key is used");
  common(commands.create);
  commands.list = commands.keys->add_subcommand("list", "List keys: id, user, admin, label, times. Never secrets.");
  common(commands.list);
  commands.revoke = commands.keys->add_subcommand("revoke", "Revoke a key by id; a running server refuses it at once.");
  commands.revoke->add_option("id", flags.id, "Key id (k_ followed by 12 hex characters)")->required();
  common(commands.revoke);
  return commands;
}

int RunKeysCreate(const KeysFlags& flags) {
  OpenedStore opened = OpenStore(flags);
  if (!opened.store) {
    return opened.exit_code;
  }
  auto created = opened.store->Create(flags.user, flags.admin, flags.label);
  if (!created.ok()) {
    std::cerr << "tradedesk keys create: " << created.error().ToString() << '\n';
    return created.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  if (flags.json) {
    api::JsonWriter json;
    json.BeginObject();
    json.Key("key").String(created->key);
    WriteInfo(json, created->info);
    json.EndObject();
    std::cout << json.str() << '\n';
  } else {
    std::cout << "id:    " << created->id << '\n'
              << "user:  " << created->info.user << (created->info.admin ? " (admin)" : "") << '\n'
              << "label: " << created->info.label << '\n'
              << "key:   " << created->key << '\n';
  }
  std::cout.flush();
  std::cerr << "tradedesk keys create: store the key now; it is not shown again (only its hash is kept).\n";
  return kExitOk;
}

int RunKeysList(const KeysFlags& flags) {
  OpenedStore opened = OpenStore(flags);
  if (!opened.store) {
    return opened.exit_code;
  }
  auto keys = opened.store->List();
  if (!keys.ok()) {
    std::cerr << "tradedesk keys list: " << keys.error().ToString() << '\n';
    return kExitFailure;
  }
  if (flags.json) {
    api::JsonWriter json;
    json.BeginObject();
    json.Key("keys").BeginArray();
    for (const api::KeyInfo& info : *keys) {
      json.BeginObject();
      WriteInfo(json, info);
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
    std::cout << json.str() << '\n';
    return kExitOk;
  }
  if (keys->empty()) {
    std::cout << "no keys; create one with: tradedesk keys create --user NAME\n";
    return kExitOk;
  }
  for (const api::KeyInfo& info : *keys) {
    std::cout << info.id << "  user=" << info.user << (info.admin ? "  admin" : "")
              << "  created=" << info.created_at.ToIso8601()
              << "  last_used=" << (info.last_used_at ? IsoOrEmpty(info.last_used_at) : std::string("never"))
              << (info.revoked() ? "  REVOKED=" + IsoOrEmpty(info.revoked_at) : std::string())
              << (info.label.empty() ? std::string() : "  label=" + info.label) << '\n';
  }
  return kExitOk;
}

int RunKeysRevoke(const KeysFlags& flags) {
  OpenedStore opened = OpenStore(flags);
  if (!opened.store) {
    return opened.exit_code;
  }
  if (Status revoked = opened.store->Revoke(flags.id); !revoked.ok()) {
    std::cerr << "tradedesk keys revoke: " << revoked.error().ToString() << '\n';
    return kExitFailure;
  }
  std::cout << "revoked " << flags.id << '\n';
  return kExitOk;
}

}  // namespace td::app
