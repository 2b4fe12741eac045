// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace td::api {

/// Makes sure libsodium is initialised (idempotent, thread-safe); Internal when it cannot be.
Status EnsureSodium();

/// Lowercase hex of `bytes`.
std::string ToHex(std::string_view bytes);

/// Reads the hex secret in `path` (`byte_count` bytes, i.e. 2*byte_count hex characters plus an optional
/// trailing newline), creating it with fresh random bytes and mode 0600 when it does not exist. Refuses a
/// file that group or others may read or write, or whose content is not that many hex bytes. Returns the raw
/// bytes. Creation uses O_EXCL, so two processes racing to create it agree on one secret.
Result<std::string> LoadOrCreateSecretFile(const std::filesystem::path& path, std::size_t byte_count);

}  // namespace td::api
