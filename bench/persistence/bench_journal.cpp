// SPDX-License-Identifier: MIT
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "persistence/journal.hpp"

namespace td::persistence {
namespace {

std::filesystem::path BenchPath() {
  return std::filesystem::temp_directory_path() / ("td-bench-journal-" + std::to_string(::getpid()));
}

// Appends frames of `range(0)` payload bytes under a policy; reports frames/s and bytes/s (MB/s).
void RunAppend(benchmark::State& state, FsyncPolicy policy) {
  const auto path = BenchPath();
  std::filesystem::remove(path);
  auto writer = JournalWriter::Open(path, JournalOptions{.fsync = policy, .batch_frames = 64});
  if (!writer.ok()) {
    state.SkipWithError(writer.error().ToString().c_str());
    return;
  }
  const std::vector<std::byte> payload(static_cast<std::size_t>(state.range(0)), std::byte{0x5a});
  std::int64_t ts = 0;
  for (auto _ : state) {
    auto sequence = writer->Append(307, UnixNanos(++ts), payload);
    if (!sequence.ok()) {
      state.SkipWithError(sequence.error().ToString().c_str());
      break;
    }
  }
  if (Status closed = writer->Close(); !closed.ok()) {
    state.SkipWithError(closed.error().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload.size() + kJournalFrameHeaderSize +
                                                                         kJournalFrameTrailerSize));
  std::filesystem::remove(path);
}

void BM_JournalAppendNone(benchmark::State& state) {
  RunAppend(state, FsyncPolicy::kNone);
}
void BM_JournalAppendBatch(benchmark::State& state) {
  RunAppend(state, FsyncPolicy::kBatch);
}
void BM_JournalAppendEveryFrame(benchmark::State& state) {
  RunAppend(state, FsyncPolicy::kEveryFrame);
}

BENCHMARK(BM_JournalAppendNone)->Arg(64)->Arg(512)->Arg(4096)->UseRealTime();
BENCHMARK(BM_JournalAppendBatch)->Arg(64)->Arg(512)->UseRealTime();
BENCHMARK(BM_JournalAppendEveryFrame)->Arg(64)->Arg(512)->Iterations(2000)->UseRealTime();

// Reads back and verifies a 100k-frame journal: replay speed at startup and crash recovery.
void BM_JournalReplay(benchmark::State& state) {
  const auto path = BenchPath();
  std::filesystem::remove(path);
  constexpr int kFrames = 100'000;
  {
    auto writer = JournalWriter::Open(path, JournalOptions{.fsync = FsyncPolicy::kNone});
    const std::vector<std::byte> payload(static_cast<std::size_t>(state.range(0)), std::byte{1});
    for (int i = 0; i < kFrames; ++i) {
      static_cast<void>(writer->Append(100, UnixNanos(i), payload));
    }
    static_cast<void>(writer->Close());
  }
  for (auto _ : state) {
    std::uint64_t bytes = 0;
    auto tail = ReplayJournal(path, [&](const FrameView& frame) {
      bytes += frame.payload.size();
      return Status();
    });
    if (!tail.ok() || tail->frames != kFrames) {
      state.SkipWithError("replay failed");
      break;
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * kFrames);
  std::filesystem::remove(path);
}
BENCHMARK(BM_JournalReplay)->Arg(64)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace td::persistence

BENCHMARK_MAIN();
