// SPDX-License-Identifier: MIT
#include "persistence/journal.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "unit/persistence/temp_dir.hpp"

namespace td::persistence {
namespace {

using testing::TempDir;

std::vector<std::byte> Bytes(std::string_view text) {
  std::vector<std::byte> out(text.size());
  std::memcpy(out.data(), text.data(), text.size());
  return out;
}

std::string Text(std::span<const std::byte> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

/// A deterministic payload for frame `n`: its length varies, so frames differ in size.
std::string PayloadFor(std::uint64_t n) {
  return "frame-" + std::to_string(n) + std::string(n % 37, '*');
}

struct ReadBack {
  std::vector<FrameView> frames;
  std::vector<std::string> payloads;
  JournalTail tail;
};

ReadBack ReadAll(const std::filesystem::path& path) {
  ReadBack result;
  auto reader = JournalReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.error().ToString();
  if (!reader.ok()) {
    return result;
  }
  FrameView frame;
  while (true) {
    auto more = reader->Next(frame);
    EXPECT_TRUE(more.ok()) << more.error().ToString();
    if (!more.ok() || !*more) {
      break;
    }
    result.frames.push_back(frame);
    result.payloads.push_back(Text(frame.payload));
  }
  result.tail = reader->tail();
  return result;
}

std::vector<char> FileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteFileBytes(const std::filesystem::path& path, const std::vector<char>& bytes, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(size));
}

/// Writes `count` frames with kNone and returns the byte offset where each frame starts (plus the end).
std::vector<std::uint64_t> WriteFrames(const std::filesystem::path& path, std::uint64_t count) {
  auto writer = JournalWriter::Open(path, JournalOptions{.fsync = FsyncPolicy::kNone});
  EXPECT_TRUE(writer.ok());
  std::vector<std::uint64_t> offsets;
  std::uint64_t offset = kJournalFileHeaderSize;
  for (std::uint64_t n = 1; n <= count; ++n) {
    offsets.push_back(offset);
    const auto payload = Bytes(PayloadFor(n));
    EXPECT_EQ(
        writer->Append(static_cast<std::uint32_t>(100 + n % 3), UnixNanos(static_cast<std::int64_t>(n * 1000)), payload)
            .value(),
        n);
    offset += kJournalFrameHeaderSize + payload.size() + kJournalFrameTrailerSize;
  }
  offsets.push_back(offset);
  EXPECT_TRUE(writer->Close().ok());
  return offsets;
}

TEST(JournalTest, RoundTripsFramesAcrossReopen) {
  TempDir dir;
  const auto path = dir / "orders.journal";
  {
    auto writer = JournalWriter::Open(path, JournalOptions{.fsync = FsyncPolicy::kEveryFrame});
    ASSERT_TRUE(writer.ok()) << writer.error().ToString();
    EXPECT_EQ(writer->Append(300, UnixNanos(11), Bytes("first")).value(), 1U);
    EXPECT_EQ(writer->durable_sequence(), 1U);
    EXPECT_EQ(writer->Append(301, UnixNanos(-5), {}).value(), 2U);  // empty payload, negative ts allowed
    ASSERT_TRUE(writer->Close().ok());
  }
  {
    auto writer = JournalWriter::Open(path, JournalOptions{.fsync = FsyncPolicy::kBatch, .batch_frames = 2});
    ASSERT_TRUE(writer.ok());
    EXPECT_EQ(writer->recovered().frames, 2U);
    EXPECT_EQ(writer->recovered().torn_bytes, 0U);
    EXPECT_EQ(writer->Append(307, UnixNanos(33), Bytes("third")).value(), 3U);
    EXPECT_EQ(writer->durable_sequence(), 2U);  // batched, not yet synced
    EXPECT_EQ(writer->Append(307, UnixNanos(44), Bytes("fourth")).value(), 4U);
    EXPECT_EQ(writer->durable_sequence(), 4U);  // batch of two reached
    EXPECT_EQ(writer->Append(307, UnixNanos(55), Bytes("fifth")).value(), 5U);
    ASSERT_TRUE(writer->Flush().ok());
    EXPECT_EQ(writer->durable_sequence(), 5U);
  }
  const ReadBack back = ReadAll(path);
  ASSERT_EQ(back.frames.size(), 5U);
  EXPECT_EQ(back.payloads, (std::vector<std::string>{"first", "", "third", "fourth", "fifth"}));
  EXPECT_EQ(back.frames[0].type_id, 300U);
  EXPECT_EQ(back.frames[0].ts, UnixNanos(11));
  EXPECT_EQ(back.frames[1].ts, UnixNanos(-5));
  EXPECT_EQ(back.frames[4].sequence, 5U);
  EXPECT_EQ(back.frames[0].offset, kJournalFileHeaderSize);
  EXPECT_EQ(back.tail.frames, 5U);
  EXPECT_EQ(back.tail.last_sequence, 5U);
  EXPECT_EQ(back.tail.torn_bytes, 0U);
  EXPECT_EQ(back.tail.end_offset, std::filesystem::file_size(path));

  std::vector<std::uint64_t> sequences;
  auto tail = ReplayJournal(path, [&](const FrameView& f) {
    sequences.push_back(f.sequence);
    return f.sequence == 4 ? Status(Error::Internal("stop here")) : Status();
  });
  ASSERT_FALSE(tail.ok());
  EXPECT_EQ(tail.error().message, "stop here");
  EXPECT_EQ(sequences, (std::vector<std::uint64_t>{1, 2, 3, 4}));
}

TEST(JournalTest, BatchPolicyFlushesWhenTheIntervalHasPassed) {
  TempDir dir;
  auto writer = JournalWriter::Open(dir / "j", JournalOptions{.fsync = FsyncPolicy::kBatch,
                                                              .batch_frames = 1000,
                                                              .batch_interval = std::chrono::milliseconds(1)});
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->Append(1, UnixNanos(1), Bytes("a")).ok());
  EXPECT_EQ(writer->durable_sequence(), 0U);
  usleep(5000);
  ASSERT_TRUE(writer->FlushIfDue().ok());
  EXPECT_EQ(writer->durable_sequence(), 1U);
}

TEST(JournalTest, EmptyAndMissingJournals) {
  TempDir dir;
  EXPECT_EQ(JournalReader::Open(dir / "missing").error().code, ErrorCode::kNotFound);
  {
    auto writer = JournalWriter::Open(dir / "empty");
    ASSERT_TRUE(writer.ok());
  }
  EXPECT_EQ(std::filesystem::file_size(dir / "empty"), kJournalFileHeaderSize);
  const ReadBack back = ReadAll(dir / "empty");
  EXPECT_TRUE(back.frames.empty());
  EXPECT_EQ(back.tail.end_offset, kJournalFileHeaderSize);
}

TEST(JournalTest, RejectsForeignFilesOversizedPayloadsAndASecondWriter) {
  TempDir dir;
  {
    std::ofstream out(dir / "foreign", std::ios::binary);
    out << "this is not a journal at all, just some text";
  }
  EXPECT_EQ(JournalReader::Open(dir / "foreign").error().code, ErrorCode::kCorruptData);
  EXPECT_EQ(JournalWriter::Open(dir / "foreign").error().code, ErrorCode::kCorruptData);

  auto writer = JournalWriter::Open(dir / "j", JournalOptions{.fsync = FsyncPolicy::kNone, .max_payload = 8});
  ASSERT_TRUE(writer.ok());
  auto big = writer->Append(1, UnixNanos(1), Bytes("123456789"));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(writer->Append(1, UnixNanos(1), Bytes("12345678")).value(), 1U);  // not poisoned by bad input

  auto second = JournalWriter::Open(dir / "j");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(JournalWriter::Open(dir / "x", JournalOptions{.max_payload = 0}).error().code, ErrorCode::kInvalidArgument);
}

TEST(JournalTest, RefusesAnUnknownFormatVersion) {
  TempDir dir;
  WriteFrames(dir / "j", 1);
  auto bytes = FileBytes(dir / "j");
  bytes[8] = 3;  // format version 3 (unknown), with the header checksum made valid again
  const auto crc = static_cast<std::uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), 28));
  for (int i = 0; i < 4; ++i) {
    bytes[static_cast<std::size_t>(28 + i)] = static_cast<char>((crc >> (8 * i)) & 0xff);
  }
  WriteFileBytes(dir / "j", bytes, bytes.size());
  EXPECT_EQ(JournalReader::Open(dir / "j").error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(JournalWriter::Open(dir / "j").error().code, ErrorCode::kUnprocessable);
  bytes[8] = 1;  // back to version 1 but now with a stale checksum
  WriteFileBytes(dir / "j", bytes, bytes.size());
  EXPECT_EQ(JournalReader::Open(dir / "j").error().code, ErrorCode::kCorruptData);
}

std::uint32_t ZlibCrc(const char* data, std::size_t size) {
  return static_cast<std::uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(size)));
}

std::uint32_t Le32(const std::vector<char>& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)])) << (8 * i);
  }
  return value;
}

/// CRC-32C computed bit by bit: an independent reference for the writer's hardware / table routine.
std::uint32_t ReferenceCrc32c(const char* data, std::size_t size) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) {
    c ^= static_cast<unsigned char>(data[i]);
    for (int k = 0; k < 8; ++k) {
      c = (c & 1u) != 0 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
  }
  return ~c;
}

void PutLe(std::vector<char>& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

/// A format-version-1 journal (zlib CRC-32), as builds before version 2 wrote them, built byte by byte.
std::vector<char> VersionOneJournal(int frames) {
  std::vector<char> out = {'T', 'D', 'J', 'O', 'U', 'R', 'N', 'L'};
  PutLe(out, 1, 4);   // version
  PutLe(out, 32, 4);  // header size
  PutLe(out, 1, 8);   // first sequence
  PutLe(out, 0, 4);
  PutLe(out, ZlibCrc(out.data(), 28), 4);
  for (int n = 1; n <= frames; ++n) {
    const std::string payload = PayloadFor(static_cast<std::uint64_t>(n));
    const std::size_t start = out.size();
    PutLe(out, 0xC5E1A3F7u, 4);
    PutLe(out, payload.size(), 4);
    PutLe(out, static_cast<std::uint64_t>(n), 8);
    PutLe(out, static_cast<std::uint64_t>(n) * 1000, 8);
    PutLe(out, 100, 4);
    PutLe(out, ZlibCrc(out.data() + start, 28), 4);
    out.insert(out.end(), payload.begin(), payload.end());
    PutLe(out, ZlibCrc(out.data() + start, out.size() - start), 4);
  }
  return out;
}

TEST(JournalTest, Crc32cReferenceMatchesTheStandardCheckValue) {
  EXPECT_EQ(ReferenceCrc32c("123456789", 9), 0xE3069283u);
}

// New journals are format version 2 with CRC-32C checksums. Payload sizes cover every remainder of the
// eight-byte stride of the hardware and table routines.
TEST(JournalTest, NewJournalsCarryCrc32cChecksums) {
  TempDir dir;
  const auto offsets = WriteFrames(dir / "j", 40);
  const auto bytes = FileBytes(dir / "j");
  EXPECT_EQ(Le32(bytes, 8), kJournalFormatVersion);
  EXPECT_EQ(Le32(bytes, 28), ReferenceCrc32c(bytes.data(), 28));
  for (std::size_t i = 0; i + 1 < offsets.size(); ++i) {
    const auto start = static_cast<std::size_t>(offsets[i]);
    const auto end = static_cast<std::size_t>(offsets[i + 1]);
    EXPECT_EQ(Le32(bytes, start + 28), ReferenceCrc32c(bytes.data() + start, 28)) << "frame " << i + 1;
    EXPECT_EQ(Le32(bytes, end - 4), ReferenceCrc32c(bytes.data() + start, end - 4 - start)) << "frame " << i + 1;
  }
  EXPECT_EQ(JournalReader::Open(dir / "j")->format_version(), kJournalFormatVersion);
}

// Journals written before version 2 (zlib CRC-32) are still read, recovered and appended to, in their own
// format: the appended frames carry CRC-32 too, so the file keeps one checksum throughout.
TEST(JournalTest, VersionOneJournalsAreStillReadAndAppendedInVersionOne) {
  TempDir dir;
  const auto path = dir / "old.journal";
  auto bytes = VersionOneJournal(3);
  WriteFileBytes(path, bytes, bytes.size());
  ReadBack old = ReadAll(path);
  ASSERT_EQ(old.frames.size(), 3u);
  EXPECT_EQ(old.payloads[2], PayloadFor(3));
  EXPECT_EQ(JournalReader::Open(path)->format_version(), 1u);

  // A torn tail on a version 1 journal is cut as on any other.
  WriteFileBytes(path, bytes, bytes.size() - 3);
  {
    auto writer = JournalWriter::Open(path, JournalOptions{.fsync = FsyncPolicy::kNone});
    ASSERT_TRUE(writer.ok()) << writer.error().ToString();
    EXPECT_EQ(writer->format_version(), 1u);
    EXPECT_EQ(writer->recovered().frames, 2u);
    EXPECT_GT(writer->recovered().torn_bytes, 0u);
    EXPECT_EQ(writer->Append(100, UnixNanos(9000), Bytes("appended-3")).value(), 3u);
    EXPECT_EQ(writer->Append(101, UnixNanos(9001), Bytes("appended-4")).value(), 4u);
    ASSERT_TRUE(writer->Close().ok());
  }
  ReadBack after = ReadAll(path);
  ASSERT_EQ(after.frames.size(), 4u);
  EXPECT_EQ(after.payloads[1], PayloadFor(2));
  EXPECT_EQ(after.payloads[3], "appended-4");
  const auto file = FileBytes(path);
  EXPECT_EQ(Le32(file, 8), 1u);
  const auto start = static_cast<std::size_t>(after.frames[3].offset);
  EXPECT_EQ(Le32(file, file.size() - 4), ZlibCrc(file.data() + start, file.size() - 4 - start));
}

// Cutting the file at every byte of the last frame simulates every possible torn append: the earlier
// frames must survive, the partial one is cut on open-for-append, and appends continue after it.
TEST(JournalTest, TornTailOfEveryLengthIsCutAndAppendsContinue) {
  TempDir dir;
  const auto source = dir / "source";
  const auto offsets = WriteFrames(source, 4);
  const auto bytes = FileBytes(source);
  const std::uint64_t last_start = offsets[3];
  ASSERT_EQ(bytes.size(), offsets[4]);
  for (std::uint64_t cut = last_start; cut < bytes.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    const auto path = dir / ("cut-" + std::to_string(cut));
    WriteFileBytes(path, bytes, cut);

    const ReadBack before = ReadAll(path);  // the reader reports the torn tail without touching the file
    ASSERT_EQ(before.frames.size(), 3U);
    EXPECT_EQ(before.tail.end_offset, last_start);
    EXPECT_EQ(before.tail.torn_bytes, cut - last_start);
    EXPECT_EQ(std::filesystem::file_size(path), cut);

    {
      auto writer = JournalWriter::Open(path, JournalOptions{.fsync = FsyncPolicy::kNone});
      ASSERT_TRUE(writer.ok()) << writer.error().ToString();
      EXPECT_EQ(writer->recovered().frames, 3U);
      EXPECT_EQ(writer->recovered().torn_bytes, cut - last_start);
      EXPECT_EQ(std::filesystem::file_size(path), last_start);
      EXPECT_EQ(writer->Append(200, UnixNanos(9), Bytes("after-recovery")).value(), 4U);
      ASSERT_TRUE(writer->Close().ok());
    }
    const ReadBack after = ReadAll(path);
    ASSERT_EQ(after.frames.size(), 4U);
    EXPECT_EQ(after.payloads[0], PayloadFor(1));
    EXPECT_EQ(after.payloads[2], PayloadFor(3));
    EXPECT_EQ(after.payloads[3], "after-recovery");
    EXPECT_EQ(after.tail.torn_bytes, 0U);
    std::filesystem::remove(path);
  }
}

TEST(JournalTest, TornFileHeaderIsRecreated) {
  TempDir dir;
  WriteFrames(dir / "source", 0);
  const auto bytes = FileBytes(dir / "source");
  for (std::size_t cut = 0; cut < kJournalFileHeaderSize; ++cut) {
    const auto path = dir / ("h" + std::to_string(cut));
    WriteFileBytes(path, bytes, cut);
    auto writer = JournalWriter::Open(path);
    ASSERT_TRUE(writer.ok()) << cut << ": " << writer.error().ToString();
    EXPECT_EQ(writer->Append(1, UnixNanos(1), Bytes("x")).value(), 1U);
  }
}

TEST(JournalTest, BadChecksumOnTheLastFrameIsATornTail) {
  TempDir dir;
  const auto offsets = WriteFrames(dir / "j", 3);
  auto bytes = FileBytes(dir / "j");
  bytes[offsets[2] + kJournalFrameHeaderSize + 1] ^= 0x01;  // inside the last payload
  WriteFileBytes(dir / "j", bytes, bytes.size());
  auto writer = JournalWriter::Open(dir / "j", JournalOptions{.fsync = FsyncPolicy::kNone});
  ASSERT_TRUE(writer.ok()) << writer.error().ToString();
  EXPECT_EQ(writer->recovered().frames, 2U);
  EXPECT_EQ(writer->last_sequence(), 2U);
}

// Damage to any frame that is followed by a good frame is corruption: an error naming the byte offset,
// and the file is left as it was.
TEST(JournalTest, FlippedByteInTheMiddleIsReportedAsCorruption) {
  TempDir dir;
  const auto source = dir / "source";
  const auto offsets = WriteFrames(source, 5);
  const auto bytes = FileBytes(source);
  // Every byte of frames 2..4 (frame 5 stays good, so each damaged frame has a valid successor).
  for (std::uint64_t at = offsets[1]; at < offsets[4]; ++at) {
    SCOPED_TRACE("flip at " + std::to_string(at));
    auto damaged = bytes;
    damaged[at] ^= 0x40;
    const auto path = dir / "damaged";
    WriteFileBytes(path, damaged, damaged.size());
    std::uint64_t bad_frame = 0;
    while (offsets[bad_frame + 1] <= at) {
      ++bad_frame;
    }
    const std::string expected_offset = "at byte offset " + std::to_string(offsets[bad_frame]);

    auto reader = JournalReader::Open(path);
    ASSERT_TRUE(reader.ok());
    FrameView frame;
    std::uint64_t good = 0;
    Result<bool> more = reader->Next(frame);
    while (more.ok() && *more) {
      ++good;
      more = reader->Next(frame);
    }
    ASSERT_FALSE(more.ok());
    EXPECT_EQ(good, bad_frame);
    EXPECT_EQ(more.error().code, ErrorCode::kCorruptData);
    EXPECT_NE(more.error().message.find(expected_offset), std::string::npos) << more.error().message;

    auto writer = JournalWriter::Open(path, JournalOptions{.fsync = FsyncPolicy::kNone});
    ASSERT_FALSE(writer.ok());
    EXPECT_EQ(writer.error().code, ErrorCode::kCorruptData);
    EXPECT_EQ(std::filesystem::file_size(path), damaged.size());  // nothing cut
  }
}

TEST(JournalTest, SequenceGapIsCorruption) {
  TempDir dir;
  const auto offsets = WriteFrames(dir / "a", 3);
  auto bytes = FileBytes(dir / "a");
  // Drop frame 2 entirely: frame 3 follows frame 1, each frame intact on its own.
  std::vector<char> spliced(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(offsets[1]));
  spliced.insert(spliced.end(), bytes.begin() + static_cast<std::ptrdiff_t>(offsets[2]), bytes.end());
  WriteFileBytes(dir / "b", spliced, spliced.size());
  auto writer = JournalWriter::Open(dir / "b");
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.error().code, ErrorCode::kCorruptData);
  EXPECT_NE(writer.error().message.find("expected 2"), std::string::npos) << writer.error().message;
}

// A child appends with kEveryFrame and reports each acknowledged sequence through a pipe; it is killed
// with SIGKILL mid-stream. Every acknowledged frame must be present, intact, after reopening.
TEST(JournalCrashTest, EveryAcknowledgedFrameSurvivesSigkill) {
  TempDir dir;
  const auto path = dir / "crash.journal";
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    auto writer = JournalWriter::Open(path, JournalOptions{.fsync = FsyncPolicy::kEveryFrame});
    if (!writer.ok()) {
      ::_exit(2);
    }
    for (std::uint64_t n = 1;; ++n) {
      const std::string payload = PayloadFor(n);
      auto sequence = writer->Append(307, UnixNanos(static_cast<std::int64_t>(n)),
                                     std::span(reinterpret_cast<const std::byte*>(payload.data()), payload.size()));
      if (!sequence.ok() || *sequence != n) {
        ::_exit(3);
      }
      if (::write(fds[1], &n, sizeof(n)) != static_cast<ssize_t>(sizeof(n))) {
        ::_exit(4);
      }
    }
  }
  ::close(fds[1]);
  std::vector<std::uint64_t> acknowledged;
  std::uint64_t n = 0;
  while (acknowledged.size() < 200 && ::read(fds[0], &n, sizeof(n)) == static_cast<ssize_t>(sizeof(n))) {
    acknowledged.push_back(n);
  }
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  while (::read(fds[0], &n, sizeof(n)) == static_cast<ssize_t>(sizeof(n))) {
    acknowledged.push_back(n);  // acknowledged before the kill landed
  }
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  ASSERT_GE(acknowledged.size(), 200U);

  auto writer = JournalWriter::Open(path, JournalOptions{.fsync = FsyncPolicy::kNone});
  ASSERT_TRUE(writer.ok()) << writer.error().ToString();
  EXPECT_GE(writer->last_sequence(), acknowledged.back());
  ASSERT_TRUE(writer->Close().ok());
  const ReadBack back = ReadAll(path);
  ASSERT_GE(back.frames.size(), acknowledged.size());
  for (std::size_t i = 0; i < acknowledged.size(); ++i) {
    ASSERT_EQ(acknowledged[i], i + 1);
    EXPECT_EQ(back.frames[i].sequence, acknowledged[i]);
    EXPECT_EQ(back.payloads[i], PayloadFor(acknowledged[i]));
  }
}

}  // namespace
}  // namespace td::persistence
