// SPDX-License-Identifier: MIT
// Feeds arbitrary bytes to every bar-file layout parser, to format detection and to the archive readers.
// Nothing may crash, hang or trip a sanitizer; errors are fine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "data/archive.hpp"
#include "data/bar_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using td::data::BarFileFormat;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  static constexpr BarFileFormat kFormats[] = {BarFileFormat::kAuto,        BarFileFormat::kGenericCsv,
                                               BarFileFormat::kTradingView, BarFileFormat::kLeanMinute,
                                               BarFileFormat::kLeanDaily,   BarFileFormat::kIndianVendor};
  for (const BarFileFormat format : kFormats) {
    td::data::ImportOptions options;
    options.format = format;
    options.time_zone = size % 2 == 0 ? "America/New_York" : "";
    options.label = size % 3 == 0 ? td::data::BarLabel::kBarEnd : td::data::BarLabel::kBarStart;
    (void)td::data::ParseBarText(bytes, "fuzz_20131007_minute.csv", options);
  }
  (void)td::data::DetectFormat(bytes, "fuzz.csv");
  (void)td::data::Gunzip(bytes, std::size_t{1} << 24);
  auto archive = td::data::ZipArchive::Parse(bytes);
  if (archive.ok()) {
    for (const auto& entry : archive->entries()) {
      (void)archive->Extract(entry);
    }
  }
  return 0;
}
