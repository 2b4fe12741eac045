// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace td::app {

/// The flags of `tradedesk keys create|list|revoke`; empty strings mean "not given".
struct KeysFlags {
  std::string config;    // TOML file (default ./tradedesk.toml when it exists)
  std::string data_dir;  // where keys.db lives (default: the config's storage.data_dir)
  std::string user;      // create: the key's user
  bool admin = false;    // create: may act for other users via X-User-Id
  std::string label;     // create: free text, e.g. "ChatGPT coach"
  std::string id;        // revoke: key id ("k_...")
  bool json = false;     // machine-readable output
};

/// The `keys` subcommand and its children, so the caller can see which one was parsed.
struct KeysCommands {
  CLI::App* keys = nullptr;
  CLI::App* create = nullptr;
  CLI::App* list = nullptr;
  CLI::App* revoke = nullptr;
};

/// Adds `keys create`, `keys list` and `keys revoke` to `app`, binding their flags to `flags`.
KeysCommands AddKeysCommands(CLI::App& app, KeysFlags& flags);

/// Creates a key and prints it once with its id. Exit codes: 0 ok, 1 the store cannot be opened or written,
/// 2 bad usage (invalid user, label or configuration).
int RunKeysCreate(const KeysFlags& flags);
/// Prints every key's id, user, admin flag, label and times; never a secret. Exit codes: 0 ok, 1, 2 as above.
int RunKeysList(const KeysFlags& flags);
/// Revokes a key by id; a running server stops accepting it on its next request. Exit codes: 0 ok, 1 no such
/// key or the store failed, 2 bad usage.
int RunKeysRevoke(const KeysFlags& flags);

}  // namespace td::app
