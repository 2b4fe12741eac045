// SPDX-License-Identifier: MIT
#include "core/memory.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <cstdlib>
#include <vector>

namespace td {
namespace {

long MinorFaults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kOwnAllocator = true;  // the sanitizers replace malloc: mallopt has no effect on their heaps
#else
constexpr bool kOwnAllocator = false;
#endif

TEST(PrefaultHeap, LaterAllocationsReuseMappedPagesInsteadOfFaulting) {
  if (kOwnAllocator) {
    GTEST_SKIP() << "the sanitizer's allocator is not glibc's";
  }
  const HeapReserve reserve = PrefaultHeap(64u << 20);
#if defined(__GLIBC__)
  ASSERT_TRUE(reserve.supported);
  EXPECT_GE(reserve.bytes, 64u << 20);
#else
  GTEST_SKIP() << "not glibc";
#endif
  // 32 MiB in 1 MiB blocks, every page written: 8,192 pages, each a fault on a heap that was not prefaulted.
  constexpr std::size_t kBlocks = 32;
  constexpr std::size_t kBlock = 1u << 20;
  const long before = MinorFaults();
  std::vector<unsigned char*> blocks;
  for (std::size_t b = 0; b < kBlocks; ++b) {
    auto* block = static_cast<unsigned char*>(std::malloc(kBlock));
    ASSERT_NE(block, nullptr);
    for (std::size_t offset = 0; offset < kBlock; offset += 4096) {
      block[offset] = static_cast<unsigned char>(offset);
    }
    blocks.push_back(block);
  }
  const long faults = MinorFaults() - before;
  for (unsigned char* block : blocks) {
    std::free(block);
  }
  EXPECT_LT(faults, static_cast<long>(kBlocks * kBlock / 4096 / 20)) << "pages faulted: " << faults;
}

}  // namespace
}  // namespace td
