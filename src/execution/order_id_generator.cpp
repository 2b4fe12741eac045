// SPDX-License-Identifier: MIT
#include "execution/order_id_generator.hpp"

#include <charconv>

#include "core/check.hpp"

namespace td::execution {

namespace {
constexpr std::size_t kCounterDigits = 12;
constexpr std::uint64_t kCounterLimit = 999'999'999'999ULL;
}  // namespace

ClientOrderIdGenerator::ClientOrderIdGenerator(std::string prefix, std::uint64_t last_counter)
    : prefix_(std::move(prefix)), dashed_prefix_(prefix_ + "-"), counter_(last_counter) {
  TD_CHECK(!prefix_.empty() && prefix_.size() <= 16) << "client order id prefix must be 1..16 characters";
  for (char c : prefix_) {
    TD_CHECK((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) << "bad client order id prefix " << prefix_;
  }
}

ClientOrderId ClientOrderIdGenerator::Next() {
  TD_CHECK(counter_ < kCounterLimit) << "client order id counter exhausted";
  ++counter_;
  return ClientOrderId::Sequenced(dashed_prefix_, counter_, kCounterDigits);
}

void ClientOrderIdGenerator::Observe(const ClientOrderId& id) {
  const std::string_view text = id.value();
  if (text.size() != prefix_.size() + 1 + kCounterDigits || text.compare(0, prefix_.size(), prefix_) != 0 ||
      text[prefix_.size()] != '-') {
    return;
  }
  std::uint64_t value = 0;
  const char* first = text.data() + prefix_.size() + 1;
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr != last) {
    return;
  }
  counter_ = std::max(counter_, value);
}

}  // namespace td::execution
