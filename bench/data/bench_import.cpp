// SPDX-License-Identifier: MIT
// Import speed on the real files: the largest bar files of the shared data folder, each parsed (format
// detection, decompression, every row) and imported into a fresh bar store, reporting wall-clock rows/s and
// MB/s next to this thread's CPU rate. Wall time on a shared machine includes waiting for a core; the CPU
// figure is what one core does.
//
// Usage: bench_import [DATA_DIR] [FILES=8]   (DATA_DIR defaults to $TRADEDESK_DATA_DIR, else ../shared/data)
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "data/bar_import.hpp"
#include "data/bar_store.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double WallSince(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

double CpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// Best (shortest) wall and CPU seconds over runs.
struct Timing {
  double wall = 1e300;
  double cpu = 1e300;
  void Add(double wall_seconds, double cpu_seconds) {
    wall = std::min(wall, wall_seconds);
    cpu = std::min(cpu, cpu_seconds);
  }
};

fs::path DefaultDataDir() {
  if (const char* env = std::getenv("TRADEDESK_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return "../shared/data";
}

bool LooksLikeBarFile(const fs::path& path) {
  const std::string name = path.filename().string();
  for (const char* ext : {".csv", ".txt", ".zip", ".gz"}) {
    const std::string e(ext);
    if (name.size() > e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0) {
      return name != "SHA256SUMS" && name.rfind("README", 0) != 0;
    }
  }
  return false;
}

/// A bench instrument named after the file ("BENCH:SPY_1MIN_..."), for layouts that do not name one.
td::InstrumentId InstrumentFor(const fs::path& path) {
  std::string symbol;
  for (char c : path.stem().string()) {
    const auto u = static_cast<unsigned char>(c);
    symbol.push_back(std::isalnum(u) != 0 ? static_cast<char>(std::toupper(u)) : '_');
  }
  return td::InstrumentId::Of("BENCH:" + symbol.substr(0, 40));
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path data_dir = argc > 1 ? fs::path(argv[1]) : DefaultDataDir();
  const std::size_t wanted = argc > 2 ? static_cast<std::size_t>(std::max(1, std::atoi(argv[2]))) : 8;
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec)) {
    std::fprintf(stderr, "bench_import: no data directory %s (give one, or set TRADEDESK_DATA_DIR)\n",
                 data_dir.string().c_str());
    return 1;
  }
  std::vector<std::pair<std::uintmax_t, fs::path>> candidates;
  for (const auto& entry : fs::recursive_directory_iterator(data_dir, ec)) {
    if (entry.is_regular_file(ec) && LooksLikeBarFile(entry.path())) {
      candidates.emplace_back(entry.file_size(ec), entry.path());
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return a.first > b.first; });

  const fs::path root = fs::temp_directory_path() / ("td_bench_import_" + std::to_string(::getpid()));
  std::printf("bench_import: the %zu largest bar files of %s; parse = best of 3, import = fresh store\n", wanted,
              data_dir.string().c_str());
  std::printf("%-44s %8s %9s | %-29s | %-29s | %s\n", "file", "MB", "rows", "parse: M rows/s wall  CPU",
              "import: M rows/s wall  CPU", "MB/s wall (parse, import)");
  double total_bytes = 0;
  double total_rows = 0;
  Timing total_parse;
  Timing total_import;
  total_parse.wall = total_parse.cpu = total_import.wall = total_import.cpu = 0;
  std::size_t done = 0;
  for (const auto& [size, path] : candidates) {
    if (done == wanted) {
      break;
    }
    td::data::ImportOptions options;
    options.instrument = InstrumentFor(path);
    Timing parse;
    std::uint64_t rows = 0;
    bool usable = true;
    for (int run = 0; run < 3 && usable; ++run) {
      const auto wall_start = Clock::now();
      const double cpu_start = CpuNow();
      auto parsed = td::data::ParseBarFile(path, options);
      const double wall = WallSince(wall_start);
      const double cpu = CpuNow() - cpu_start;
      if (!parsed.ok() || parsed->report.rows == 0 || parsed->report.bad_rows * 2 > parsed->report.rows) {
        usable = false;  // not a bar file (option chains, F&O activity reports): not what this measures
        break;
      }
      rows = parsed->report.rows;
      parse.Add(wall, cpu);
    }
    if (!usable) {
      continue;
    }
    td::data::BarStore store(root / std::to_string(done));
    const auto wall_start = Clock::now();
    const double cpu_start = CpuNow();
    auto imported = td::data::ImportFile(path, options, store);
    Timing import;
    import.Add(WallSince(wall_start), CpuNow() - cpu_start);
    if (!imported.ok()) {
      std::fprintf(stderr, "import of %s failed: %s\n", path.string().c_str(), imported.error().ToString().c_str());
      fs::remove_all(root, ec);
      return 1;
    }
    const double mb = static_cast<double>(size) / 1e6;
    const double n = static_cast<double>(rows);
    std::string name = fs::relative(path, data_dir, ec).string();
    if (name.size() > 44) {
      name = "..." + name.substr(name.size() - 41);
    }
    std::printf("%-44s %8.2f %9llu | %13.2f %13.2f | %13.2f %13.2f | %8.1f %8.1f\n", name.c_str(), mb,
                static_cast<unsigned long long>(rows), n / parse.wall / 1e6, n / parse.cpu / 1e6,
                n / import.wall / 1e6, n / import.cpu / 1e6, mb / parse.wall, mb / import.wall);
    total_bytes += static_cast<double>(size);
    total_rows += n;
    total_parse.wall += parse.wall;
    total_parse.cpu += parse.cpu;
    total_import.wall += import.wall;
    total_import.cpu += import.cpu;
    ++done;
  }
  fs::remove_all(root, ec);
  if (done == 0) {
    std::fprintf(stderr, "bench_import: no bar file found under %s\n", data_dir.string().c_str());
    return 1;
  }
  std::printf("%-44s %8.2f %9.0f | %13.2f %13.2f | %13.2f %13.2f | %8.1f %8.1f\n", "all", total_bytes / 1e6,
              total_rows, total_rows / total_parse.wall / 1e6, total_rows / total_parse.cpu / 1e6,
              total_rows / total_import.wall / 1e6, total_rows / total_import.cpu / 1e6,
              total_bytes / 1e6 / total_parse.wall, total_bytes / 1e6 / total_import.wall);
  std::printf("MB are bytes on disk (compressed files count compressed). Load average: ");
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) == 3) {
    std::printf("%.2f %.2f %.2f\n", load[0], load[1], load[2]);
  } else {
    std::printf("unknown\n");
  }
  return 0;
}
