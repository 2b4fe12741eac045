// SPDX-License-Identifier: MIT
#include "core/memory.hpp"

#include <cstdlib>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace td {

HeapReserve PrefaultHeap(std::size_t bytes) {
  HeapReserve out;
#if defined(__GLIBC__)
  // 32 MiB is glibc's ceiling for the mmap threshold: larger blocks are always mapped afresh.
  constexpr std::size_t kBlock = 16u << 20;
  constexpr int kMmapThreshold = 32 << 20;
  // One arena: threads started later (the trading thread) allocate from this prefaulted heap too; glibc's
  // per-thread caches still serve small blocks without taking the arena's lock. Secondary arenas would also
  // hand whole free heaps back to the kernel whatever the trim threshold.
  if (mallopt(M_ARENA_MAX, 1) == 0 || mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 0 ||
      mallopt(M_TRIM_THRESHOLD, 0x7fffffff) == 0 || mallopt(M_TOP_PAD, 16 << 20) == 0) {
    return out;
  }
  out.supported = true;
  std::vector<void*> blocks;
  blocks.reserve(bytes / kBlock + 1);
  for (std::size_t done = 0; done < bytes; done += kBlock) {
    void* block = std::malloc(kBlock);
    if (block == nullptr) {
      break;
    }
    // The touch is the point: it maps every page now. One volatile write per page (a memset of zero may be
    // turned into calloc, which skips memory it knows is fresh).
    auto* bytes_of_block = static_cast<volatile unsigned char*>(block);
    for (std::size_t offset = 0; offset < kBlock; offset += 4096) {
      bytes_of_block[offset] = 1;
    }
    blocks.push_back(block);
    out.bytes += kBlock;
  }
  // Freed blocks merge into the top of the heap, which is no longer trimmed: the pages stay mapped for reuse.
  for (void* block : blocks) {
    std::free(block);
  }
#else
  (void)bytes;
#endif
  return out;
}

}  // namespace td
