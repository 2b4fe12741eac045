// SPDX-License-Identifier: MIT
#pragma once

// Internal to the module: the byte-level encoding shared by the order codec and the emulator codec.
// Little-endian integers, u32-length-prefixed strings, fixed point as raw i64 + precision byte, optional values
// behind a 0/1 flag. The reader never throws: the first problem is kept and every later read returns zero.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/fixed_point.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"

namespace td::execution::wire {

class ByteWriter {
 public:
  // Journal payloads are a few hundred bytes at most: a recycled buffer of this thread (see Recycle), or one
  // allocation up front instead of doubling from one byte.
  ByteWriter() {
    auto& spare = SpareBuffers();
    if (!spare.empty()) {
      out_ = std::move(spare.back());
      spare.pop_back();
      out_.clear();
    } else {
      out_.reserve(256);
    }
  }
  /// Gives a written buffer back once its bytes are journaled, so the next frame on this thread needs no
  /// allocation (the order path writes several frames per order).
  static void Recycle(std::vector<std::byte>&& buffer) {
    auto& spare = SpareBuffers();
    if (spare.size() < kMaxSpareBuffers && buffer.capacity() != 0 && buffer.capacity() <= kMaxSpareCapacity) {
      spare.push_back(std::move(buffer));
    }
  }
  void U8(std::uint8_t v) { out_.push_back(static_cast<std::byte>(v)); }
  void U32(std::uint32_t v) { PutLittleEndian(v, 4); }
  void U64(std::uint64_t v) { PutLittleEndian(v, 8); }
  void I64(std::int64_t v) { U64(static_cast<std::uint64_t>(v)); }
  void Str(std::string_view s) {
    U32(static_cast<std::uint32_t>(s.size()));
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    out_.insert(out_.end(), p, p + s.size());
  }
  void Time(UnixNanos t) { I64(t.nanos()); }
  template <typename F>
  void Fixed(F v) {
    I64(v.raw());
    U8(static_cast<std::uint8_t>(v.precision()));
  }
  template <typename F>
  void OptFixed(const std::optional<F>& v) {
    U8(v ? 1 : 0);
    if (v) {
      Fixed(*v);
    }
  }
  template <typename E>
  void Enum(E e) {
    U8(static_cast<std::uint8_t>(e));
  }
  std::vector<std::byte> Take() { return std::move(out_); }

 private:
  void PutLittleEndian(std::uint64_t v, std::size_t n) {
    std::byte bytes[8];
    for (std::size_t i = 0; i < n; ++i) {
      bytes[i] = static_cast<std::byte>((v >> (8 * i)) & 0xff);
    }
    out_.insert(out_.end(), bytes, bytes + n);
  }
  static constexpr std::size_t kMaxSpareBuffers = 16;
  static constexpr std::size_t kMaxSpareCapacity = 64 * 1024;
  static std::vector<std::vector<std::byte>>& SpareBuffers() {
    thread_local std::vector<std::vector<std::byte>> spare;
    return spare;
  }
  std::vector<std::byte> out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> in) : in_(in) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  bool AtEnd() const { return pos_ == in_.size(); }

  std::uint8_t U8() { return Need(1) ? static_cast<std::uint8_t>(in_[pos_++]) : 0; }
  std::uint32_t U32() {
    if (!Need(4)) {
      return 0;
    }
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      v |= static_cast<std::uint32_t>(in_[pos_++]) << (8 * i);
    }
    return v;
  }
  std::uint64_t U64() {
    if (!Need(8)) {
      return 0;
    }
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) {
      v |= static_cast<std::uint64_t>(in_[pos_++]) << (8 * i);
    }
    return v;
  }
  std::int64_t I64() { return static_cast<std::int64_t>(U64()); }
  std::string Str() {
    const std::uint32_t n = U32();
    if (!Need(n)) {
      return {};
    }
    std::string s(reinterpret_cast<const char*>(in_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  UnixNanos Time() { return UnixNanos(I64()); }
  bool Bool() {
    const std::uint8_t v = U8();
    if (v > 1) {
      Fail("bad flag");
    }
    return v == 1;
  }
  template <typename F>
  F Fixed() {
    const std::int64_t raw = I64();
    const int precision = U8();
    if (!ok()) {
      return F{};
    }
    if (precision > kFixedPrecision) {
      Fail("bad precision");
      return F{};
    }
    if constexpr (std::is_same_v<F, Quantity>) {
      if (raw < 0) {
        Fail("negative quantity");
        return F{};
      }
    }
    return F::FromRaw(raw, precision);
  }
  template <typename F>
  std::optional<F> OptFixed() {
    if (!Bool()) {
      return std::nullopt;
    }
    return Fixed<F>();
  }
  template <typename E>
  E Enum(std::uint8_t max) {
    const std::uint8_t v = U8();
    if (v > max) {
      Fail("enum out of range");
    }
    return static_cast<E>(v);
  }
  /// A validated strong id; `allow_empty` lets "" stand for "none".
  template <typename Id>
  Id StrongId(bool allow_empty = false) {
    const std::string text = Str();
    if (!ok() || (allow_empty && text.empty())) {
      return Id{};
    }
    auto parsed = Id::Parse(text);
    if (!parsed.ok()) {
      Fail(parsed.error().message);
      return Id{};
    }
    return *parsed;
  }
  InstrumentId Instrument() {
    const std::string text = Str();
    if (!ok()) {
      return {};
    }
    auto parsed = InstrumentId::Parse(text);
    if (!parsed.ok()) {
      Fail(parsed.error().message);
      return {};
    }
    return *parsed;
  }
  void Fail(std::string why) {
    if (error_.empty()) {
      error_ = std::move(why);
    }
  }

 private:
  bool Need(std::size_t n) {
    if (!ok()) {
      return false;
    }
    if (in_.size() - pos_ < n) {
      Fail("truncated");
      return false;
    }
    return true;
  }
  std::span<const std::byte> in_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace td::execution::wire
