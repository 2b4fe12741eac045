// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace td::persistence {

/// On-disk layout (all integers little-endian):
///   file header, 32 bytes: magic "TDJOURNL" | u32 format version | u32 header size (32) |
///                          u64 first sequence | u32 reserved (0) | u32 CRC of the previous 28 bytes
///   frame: u32 frame magic | u32 payload length | u64 sequence | i64 ts (ns) | u32 type id |
///          u32 CRC of the previous 28 bytes | payload | u32 CRC of header (32 bytes) + payload
/// The header CRC makes the length trustworthy before the payload is read; sequences are contiguous.
/// The CRC is CRC-32 (IEEE, zlib's values) in format version 1 and CRC-32C (Castagnoli; the SSE4.2 crc32
/// instruction) in version 2. New journals are written as version 2; a version 1 journal is still read, and a
/// writer appends to it in version 1 (one checksum per file).
inline constexpr std::uint32_t kJournalFormatVersion = 2;
inline constexpr std::uint32_t kJournalOldestReadableVersion = 1;
inline constexpr std::size_t kJournalFileHeaderSize = 32;
inline constexpr std::size_t kJournalFrameHeaderSize = 32;
inline constexpr std::size_t kJournalFrameTrailerSize = 4;
/// Largest payload a reader accepts; writers may set a lower limit.
inline constexpr std::uint32_t kJournalMaxPayload = 64u << 20;

/// When an appended frame reaches the disk.
enum class FsyncPolicy : std::uint8_t {
  kEveryFrame,  // written and fdatasync'ed before Append returns: an acknowledged frame is durable
  kBatch,       // group commit: fdatasync every `batch_frames` frames or `batch_interval`, or on Flush()
  kNone,        // buffered, written when the buffer fills or on Flush/Close, never synced (tests, backtests)
};

/// How a journal is written.
struct JournalOptions {
  FsyncPolicy fsync = FsyncPolicy::kEveryFrame;
  std::uint32_t batch_frames = 64;
  Duration batch_interval = std::chrono::milliseconds(5);
  std::uint32_t max_payload = 16u << 20;
  std::size_t buffer_bytes = 1u << 20;  // user-space buffer for kBatch and kNone
};

/// One frame as read back; `payload` points into the reader's buffer until the next read.
struct FrameView {
  std::uint64_t sequence = 0;
  std::uint32_t type_id = 0;
  UnixNanos ts;
  std::span<const std::byte> payload;
  std::uint64_t offset = 0;  // byte offset of the frame in the file
};

/// What reading (or recovering) a journal found at its end.
struct JournalTail {
  std::uint64_t frames = 0;         // good frames
  std::uint64_t last_sequence = 0;  // 0 when there are none
  std::uint64_t end_offset = 0;     // byte offset just past the last good frame
  std::uint64_t torn_bytes = 0;     // bytes after end_offset that form no complete, valid frame
};

namespace detail {
class FrameScanner;
}

/// Reads a journal front to back, verifying every checksum and the sequence order. A partial or invalid
/// frame at the very end (a torn tail: a crash mid-append) ends the iteration cleanly and is reported in
/// tail(); an invalid frame followed by a valid one is corruption, returned as a CorruptData error naming
/// the byte offset. Never modifies the file.
class JournalReader {
 public:
  static Result<JournalReader> Open(const std::filesystem::path& path);

  JournalReader(JournalReader&&) noexcept;
  JournalReader& operator=(JournalReader&&) noexcept;
  ~JournalReader();

  /// Reads the next frame into `frame`: true when read, false at the end.
  Result<bool> Next(FrameView& frame);
  /// Valid once Next has returned false.
  const JournalTail& tail() const;
  std::uint64_t first_sequence() const;
  /// The file's format version (1 or 2).
  std::uint32_t format_version() const;

 private:
  explicit JournalReader(std::unique_ptr<detail::FrameScanner> scanner);
  std::unique_ptr<detail::FrameScanner> scanner_;
};

/// Calls `on_frame` for every frame in order; stops at the first error (its own or the callback's).
Result<JournalTail> ReplayJournal(const std::filesystem::path& path,
                                  const std::function<Status(const FrameView&)>& on_frame);

/// The single writer of a journal file (an exclusive lock keeps out a second writer). Opening recovers:
/// it verifies every frame and cuts a torn tail back to the last good frame; it refuses a journal with
/// corruption in the middle. After any write or sync failure the writer is poisoned and every later call
/// returns that error: what reached the disk is unknown, so the journal must be reopened (and recovered).
class JournalWriter {
 public:
  static Result<JournalWriter> Open(const std::filesystem::path& path, const JournalOptions& options = {});

  JournalWriter(JournalWriter&&) noexcept;
  JournalWriter& operator=(JournalWriter&&) noexcept;
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;
  /// Flushes buffered frames (and syncs unless the policy is kNone); errors are lost, so Close() first.
  ~JournalWriter();

  /// Appends a frame and returns its sequence number (1, 2, …). Durable on return under kEveryFrame.
  Result<std::uint64_t> Append(std::uint32_t type_id, UnixNanos ts, std::span<const std::byte> payload);
  /// Writes buffered frames and fdatasyncs them (any policy).
  Status Flush();
  /// kBatch: flushes when the oldest unsynced frame has waited batch_interval (call from a kernel timer).
  Status FlushIfDue();
  /// Flushes and closes; the writer is unusable afterwards.
  Status Close();

  std::uint64_t last_sequence() const { return next_sequence_ - 1; }
  /// The highest sequence known to be on disk (fdatasync'ed).
  std::uint64_t durable_sequence() const { return durable_sequence_; }
  /// What recovery found when the journal was opened (torn_bytes = bytes cut off).
  const JournalTail& recovered() const { return recovered_; }
  const std::filesystem::path& path() const { return path_; }
  /// The file's format version: kJournalFormatVersion for a new file, else what the file was written in.
  std::uint32_t format_version() const { return version_; }

 private:
  JournalWriter() = default;
  Status WriteBuffer();
  Status Sync();
  Status Fail(Error error);

  std::filesystem::path path_;
  JournalOptions options_;
  int fd_ = -1;
  std::uint64_t file_end_ = 0;  // bytes on disk (written)
  std::uint64_t next_sequence_ = 1;
  std::uint64_t written_sequence_ = 0;  // last sequence handed to the OS
  std::uint64_t durable_sequence_ = 0;
  std::uint32_t unsynced_frames_ = 0;
  std::chrono::steady_clock::time_point oldest_unsynced_{};
  std::vector<std::byte> buffer_;
  JournalTail recovered_;
  std::uint32_t version_ = kJournalFormatVersion;
  std::unique_ptr<Error> failure_;
};

}  // namespace td::persistence
