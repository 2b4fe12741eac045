// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "scanner/plan.hpp"
#include "scanner/scan.hpp"

namespace td::scanner {

/// Writes a plan as JSON with the payload field names of the plan route (prices at their precision, other
/// numbers through std::to_chars, keys in a fixed order so the text is stable for golden files).
std::string PlanToJson(const Plan& plan, bool include_key_levels = true);
/// Writes a scan page (candidates with compact plans: no key-level set).
std::string ScanPageToJson(const ScanPage& page);

}  // namespace td::scanner
