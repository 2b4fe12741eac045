// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <unordered_map>
#include <vector>

#include "core/check.hpp"
#include "core/ids.hpp"
#include "execution/order.hpp"

namespace td::execution {

/// The day's orders in the order they were created, with a hash index by client order id.
///
/// Orders never move once added (events and callers hold pointers to them) and storage is taken a chunk of
/// kChunkSize orders at a time, so adding an order costs no allocation of its own: only the index node. An
/// ordered map did both, and its inserts walked string comparisons down every order of the day whenever ids
/// from different sources ("EMU-…", "TD-…") interleave.
class OrderStore {
 public:
  static constexpr std::size_t kChunkSize = 32;

  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Order;
    using difference_type = std::ptrdiff_t;
    using pointer = const Order*;
    using reference = const Order&;

    Iterator() = default;
    Iterator(const OrderStore* store, std::size_t index) : store_(store), index_(index) {}
    reference operator*() const { return store_->At(index_); }
    pointer operator->() const { return &store_->At(index_); }
    Iterator& operator++() {
      ++index_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++index_;
      return before;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.index_ == b.index_; }

   private:
    const OrderStore* store_ = nullptr;
    std::size_t index_ = 0;
  };

  OrderStore() = default;
  OrderStore(const OrderStore&) = delete;
  OrderStore& operator=(const OrderStore&) = delete;
  ~OrderStore() {
    for (std::size_t i = 0; i < size_; ++i) {
      std::launder(reinterpret_cast<Order*>(Slot(i)))->~Order();
    }
  }

  /// Adds an order under its client order id; aborts if the id is already taken (callers check first).
  Order& Add(Order order) {
    if (size_ == chunks_.size() * kChunkSize) {
      chunks_.push_back(std::unique_ptr<Chunk>(new Chunk));  // default-initialised: not zeroed
    }
    Order* placed = new (Slot(size_)) Order(std::move(order));
    ++size_;
    const bool inserted = index_.emplace(placed->client_order_id(), placed).second;
    TD_CHECK(inserted) << "order " << placed->client_order_id().value() << " added twice";
    return *placed;
  }

  Order* Find(const ClientOrderId& id) {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : it->second;
  }
  const Order* Find(const ClientOrderId& id) const {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : it->second;
  }

  /// Sizes the index for `orders` so growing to that many never rehashes on the order path.
  void Reserve(std::size_t orders) { index_.reserve(orders); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, size_); }
  /// The order created `index`-th (0-based), in creation order.
  const Order& At(std::size_t index) const { return *std::launder(reinterpret_cast<const Order*>(Slot(index))); }

 private:
  struct Chunk {
    alignas(Order) std::byte bytes[kChunkSize * sizeof(Order)];
  };
  std::byte* Slot(std::size_t index) const {
    return chunks_[index / kChunkSize]->bytes + (index % kChunkSize) * sizeof(Order);
  }

  std::vector<std::unique_ptr<Chunk>> chunks_;
  std::size_t size_ = 0;
  std::unordered_map<ClientOrderId, Order*> index_;
};

}  // namespace td::execution
