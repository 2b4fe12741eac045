// SPDX-License-Identifier: MIT
// Feeds arbitrary bytes to the journal reader and to writer recovery. Neither may crash; and whenever
// recovery accepts a file, appending to it and reading it back must succeed with every frame intact.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "persistence/journal.hpp"

namespace {

const std::filesystem::path& FuzzPath() {
  // tmpfs when available: recovery fsyncs, which on a disk would dominate every run.
  static const std::filesystem::path dir = std::filesystem::is_directory("/dev/shm")
                                               ? std::filesystem::path("/dev/shm")
                                               : std::filesystem::temp_directory_path();
  static const std::filesystem::path path = dir / ("td-fuzz-journal-" + std::to_string(::getpid()));
  return path;
}

void WriteInput(const std::uint8_t* data, std::size_t size) {
  std::ofstream out(FuzzPath(), std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using td::persistence::FrameView;
  WriteInput(data, size);
  std::uint64_t frames_read = 0;
  bool reader_clean = false;
  if (auto reader = td::persistence::JournalReader::Open(FuzzPath()); reader.ok()) {
    FrameView frame;
    while (true) {
      auto more = reader->Next(frame);
      if (!more.ok() || !*more) {
        reader_clean = more.ok();
        break;
      }
      ++frames_read;
    }
  }

  auto writer = td::persistence::JournalWriter::Open(
      FuzzPath(), td::persistence::JournalOptions{.fsync = td::persistence::FsyncPolicy::kNone});
  if (!writer.ok()) {
    return 0;
  }
  // Recovery and the reader must agree on what the file holds.
  if (reader_clean && writer->recovered().frames != frames_read) {
    std::fprintf(stderr, "reader saw %llu frames, recovery %llu\n", static_cast<unsigned long long>(frames_read),
                 static_cast<unsigned long long>(writer->recovered().frames));
    std::abort();
  }
  const std::byte payload[3] = {std::byte{1}, std::byte{2}, std::byte{3}};
  auto sequence = writer->Append(7, td::UnixNanos(1), payload);
  if (!sequence.ok() || !writer->Close().ok()) {
    std::abort();
  }
  auto reader = td::persistence::JournalReader::Open(FuzzPath());
  if (!reader.ok()) {
    std::abort();
  }
  FrameView frame;
  std::uint64_t count = 0;
  std::uint64_t last = 0;
  while (true) {
    auto more = reader->Next(frame);
    if (!more.ok()) {
      std::abort();  // a recovered journal plus one append must read back cleanly
    }
    if (!*more) {
      break;
    }
    ++count;
    last = frame.sequence;
  }
  if (last != *sequence || reader->tail().torn_bytes != 0 || count != writer->recovered().frames + 1) {
    std::abort();
  }
  return 0;
}
