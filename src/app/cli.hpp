// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace td::app {

/// Process exit codes of the tradedesk command line.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // a runtime failure (cannot create a directory, cannot bind, ...)
inline constexpr int kExitUsage = 2;    // bad flags or an invalid configuration

/// Runs `tradedesk serve | import | calc indicators | calc options | version | config check | config defaults |
/// config docs` and returns the exit code.
int RunCli(int argc, char** argv);

/// The multi-line text `tradedesk version` prints: name and version, git commit, compiler, build type.
std::string VersionText();

}  // namespace td::app
