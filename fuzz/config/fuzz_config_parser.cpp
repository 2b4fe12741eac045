// SPDX-License-Identifier: MIT
// Feeds arbitrary bytes to the config loader as TOML. It must never crash, and whatever it accepts must
// render to TOML that loads back to the same configuration.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.hpp"
#include "core/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const td::config::LoadedConfig loaded = td::config::ParseConfigText(text, "fuzz.toml");
  for (const td::Error& error : loaded.errors) {
    TD_CHECK(!error.message.empty()) << "an error without a message";
    (void)td::config::FormatConfigError(error);
  }
  if (loaded.ok()) {
    const std::string rendered = td::config::RenderToml(loaded.config);
    const td::config::LoadedConfig again = td::config::ParseConfigText(rendered, "rendered.toml");
    TD_CHECK(again.ok()) << "rendered config does not load:\n" << rendered;
    TD_CHECK(td::config::RenderToml(again.config) == rendered) << "render is not stable:\n" << rendered;
  }
  return 0;
}
