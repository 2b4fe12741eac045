// SPDX-License-Identifier: MIT
#pragma once

// Core cycles spent by the calling thread in user mode between StartCycles and StopCycles (Linux perf_event):
// a figure that does not move with the clock, nor with the time the kernel takes during the loop, both of which
// move CPU time per item (this VM spends about a tenth of a timed loop's CPU time in the kernel). A busy sibling
// thread on the same physical core still raises it. The counter is opened once per process; StopCycles returns
// -1 where perf_event_open is refused.
//
// Out of line, and without an object of their own around the timed loop: a counter object with a destructor
// around a streaming loop changed its code (EMA's state went through the stack, 6 -> 15 cycles per bar).

#include <benchmark/benchmark.h>

#include <cstdint>

#if defined(__linux__)
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace td::bench {

inline int CycleCounterFd() {
#if defined(__linux__)
  static const int fd = [] {
    perf_event_attr attr{};
    attr.type = PERF_TYPE_HARDWARE;
    attr.size = sizeof(attr);
    attr.config = PERF_COUNT_HW_CPU_CYCLES;
    attr.disabled = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    return static_cast<int>(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
  }();
  return fd;
#else
  return -1;
#endif
}

[[gnu::noinline]] inline void StartCycles() {
#if defined(__linux__)
  if (const int fd = CycleCounterFd(); fd >= 0) {
    ioctl(fd, PERF_EVENT_IOC_RESET, 0);
    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
  }
#endif
}

[[gnu::noinline]] inline double StopCycles() {
#if defined(__linux__)
  std::uint64_t cycles = 0;
  if (const int fd = CycleCounterFd();
      fd >= 0 && ioctl(fd, PERF_EVENT_IOC_DISABLE, 0) == 0 && read(fd, &cycles, sizeof(cycles)) == sizeof(cycles)) {
    return static_cast<double>(cycles);
  }
#endif
  return -1.0;
}

/// Sets counter `name` to StopCycles' count per unit of work, `units_per_iteration` units in each benchmark
/// iteration (bars of a series, one solve, one chain); left out where the counter was refused.
inline void ReportCycles(benchmark::State& state, const char* name, double cycles, double units_per_iteration) {
  if (cycles >= 0.0 && state.iterations() > 0) {
    state.counters[name] = cycles / (static_cast<double>(state.iterations()) * units_per_iteration);
  }
}

}  // namespace td::bench
