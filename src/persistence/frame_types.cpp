// SPDX-License-Identifier: MIT
#include "persistence/frame_types.hpp"

#include <algorithm>

namespace td::persistence {

std::optional<std::string_view> FrameTypeName(std::uint32_t id) {
  const auto it = std::lower_bound(kFrameTypes.begin(), kFrameTypes.end(), id,
                                   [](const FrameTypeInfo& info, std::uint32_t key) { return info.id() < key; });
  if (it == kFrameTypes.end() || it->id() != id) {
    return std::nullopt;
  }
  return it->name;
}

std::optional<FrameType> FrameTypeFromName(std::string_view name) {
  for (const FrameTypeInfo& info : kFrameTypes) {
    if (info.name == name) {
      return info.type;
    }
  }
  return std::nullopt;
}

}  // namespace td::persistence
