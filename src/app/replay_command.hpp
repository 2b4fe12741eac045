// SPDX-License-Identifier: MIT
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace td::app {

/// The flags of `tradedesk replay`; empty strings mean "not given".
struct ReplayFlags {
  std::vector<std::string> journals;  // orders.journal and/or the emulator's journal
  std::string data_dir;               // alternative: <data_dir>/orders.journal
  std::string format = "text";        // text or json
  std::string until;                  // ISO 8601 time, or a frame sequence number
};

/// Adds the `replay` subcommand to `app`, binding its flags to `flags`.
CLI::App* AddReplayCommand(CLI::App& app, ReplayFlags& flags);

/// Reads the journals with the reader start-up recovery uses (never modifying them) and prints what they prove:
/// every order with its lifecycle in journal order, its final status, filled quantity and average price, the
/// emulated lines still open, and the positions the fills imply. A torn tail (a crash mid-append) is reported
/// and is not an error. Exit codes: 0 ok (torn tail included), 1 a journal cannot be read or is corrupt (the
/// message names the byte offset), 2 bad usage.
int RunReplay(const ReplayFlags& flags, std::ostream& out, std::ostream& err);
int RunReplay(const ReplayFlags& flags);

}  // namespace td::app
