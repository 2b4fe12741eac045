// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>

namespace td {

/// What PrefaultHeap did.
struct HeapReserve {
  std::size_t bytes = 0;  // touched and kept by the allocator for later allocations
  bool supported = false;  // false where the allocator cannot be told to keep memory (not glibc)
};

/// Makes the first `bytes` of future heap growth free of page faults.
///
/// A trading process keeps the day's orders, fills and journal frames, so its heap grows all day, and every
/// new 4 KiB page costs a page fault (one to a few microseconds in a VM) on the order path that first touches
/// it: half of the fills measured in bench_tick_to_fill had one. This touches `bytes` of heap once at start-up
/// and tells glibc's allocator to keep it (no trimming back to the kernel, blocks up to 32 MiB from the heap
/// instead of fresh mappings, one arena for every thread), so later allocations reuse pages that are already
/// mapped. Call it once, early, before other threads start: a thread that has already allocated keeps its own
/// arena, which is not covered.
HeapReserve PrefaultHeap(std::size_t bytes);

}  // namespace td
