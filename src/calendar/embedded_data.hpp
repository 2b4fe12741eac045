// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace td::calendar::data {

/// The bytes of data/india_nse_bse.csv, embedded at build time.
extern const std::string_view kIndiaNseBseCsv;
/// The bytes of data/us_nyse_cboe.csv, embedded at build time.
extern const std::string_view kUsNyseCboeCsv;

}  // namespace td::calendar::data
