// SPDX-License-Identifier: MIT
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "core/check.hpp"
#include "core/error.hpp"

namespace td {

/// Either a value or an Error. Expected failures travel as values; accessing the wrong side aborts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    TD_CHECK(ok()) << "Result::value() on an error: " << std::get<1>(state_).ToString();
    return std::get<0>(state_);
  }
  const T& value() const& {
    TD_CHECK(ok()) << "Result::value() on an error: " << std::get<1>(state_).ToString();
    return std::get<0>(state_);
  }
  T&& value() && {
    TD_CHECK(ok()) << "Result::value() on an error: " << std::get<1>(state_).ToString();
    return std::get<0>(std::move(state_));
  }
  const Error& error() const {
    TD_CHECK(!ok()) << "Result::error() on a value";
    return std::get<1>(state_);
  }
  T value_or(T fallback) const { return ok() ? std::get<0>(state_) : std::move(fallback); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> state_;
};

/// A Result that carries no value: success, or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    TD_CHECK(!ok_) << "Result::error() on success";
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

/// Returns the error of `expr` from the enclosing function when it failed.
#define TD_TRY(expr)                         \
  do {                                       \
    auto td_try_result_ = (expr);            \
    if (!td_try_result_.ok()) {              \
      return td_try_result_.error();         \
    }                                        \
  } while (false)

}  // namespace td
