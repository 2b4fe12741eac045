// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace td::data {

/// Inflates a gzip stream (RFC 1952), including several concatenated members. Fails on a corrupt or
/// truncated stream, or when the output would exceed `max_output` bytes.
Result<std::string> Gunzip(std::string_view compressed, std::size_t max_output = std::size_t{1} << 34);

/// One member of a zip archive, as listed by its central directory.
struct ZipEntry {
  std::string name;
  std::uint16_t method = 0;  // 0 stored, 8 deflate; others are refused on extraction
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t size = 0;
  std::uint64_t local_header_offset = 0;
};

/// A read-only view of a zip archive held in memory: the central directory is parsed up front and
/// members are inflated on demand (stored and deflate methods, CRC-32 checked; no zip64, no encryption).
class ZipArchive {
 public:
  /// Parses the end-of-central-directory record and every central directory entry of `bytes`, which must
  /// outlive the archive.
  static Result<ZipArchive> Parse(std::string_view bytes);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  /// Returns the uncompressed bytes of `entry`.
  Result<std::string> Extract(const ZipEntry& entry) const;

 private:
  std::string_view bytes_;
  std::vector<ZipEntry> entries_;
};

/// Reads a whole file into memory.
Result<std::string> ReadWholeFile(const std::filesystem::path& path);

/// True when `bytes` start with the gzip magic.
bool LooksGzip(std::string_view bytes);
/// True when `bytes` start with a zip local file header (or are an empty zip).
bool LooksZip(std::string_view bytes);

}  // namespace td::data
