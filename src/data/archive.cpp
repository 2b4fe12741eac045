// SPDX-License-Identifier: MIT
#include "data/archive.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>

namespace td::data {
namespace {

constexpr std::uint32_t kLocalHeaderSig = 0x04034b50;
constexpr std::uint32_t kCentralSig = 0x02014b50;
constexpr std::uint32_t kEndSig = 0x06054b50;
constexpr std::size_t kEndSize = 22;
constexpr std::size_t kCentralSize = 46;
constexpr std::size_t kLocalSize = 30;
// Deflate cannot expand more than about 1032:1, so a larger declared size is a lie (or a bomb).
constexpr std::uint64_t kMaxDeflateRatio = 1032;

std::uint16_t Le16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) | (static_cast<unsigned char>(b[at + 1]) << 8));
}
std::uint32_t Le32(std::string_view b, std::size_t at) {
  return static_cast<std::uint32_t>(Le16(b, at)) | (static_cast<std::uint32_t>(Le16(b, at + 2)) << 16);
}

// Runs zlib inflate over `in` with the given window bits, appending to `out`; stops at the end of one
// stream. Returns the number of input bytes consumed.
Result<std::size_t> InflateStream(std::string_view in, int window_bits, std::size_t max_output, std::string& out) {
  z_stream stream{};
  if (inflateInit2(&stream, window_bits) != Z_OK) {
    return Error::Internal("inflateInit2 failed");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  std::size_t consumed_total = 0;
  int rc = Z_OK;
  while (true) {
    // zlib counts in uInt; feed at most 1 GiB at a time.
    const std::size_t remaining_in = in.size() - consumed_total;
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + consumed_total));
    stream.avail_in = static_cast<uInt>(std::min<std::size_t>(remaining_in, std::size_t{1} << 30));
    const uInt fed = stream.avail_in;
    if (out.size() == out.capacity() || out.capacity() - out.size() < 65536) {
      out.reserve(std::max<std::size_t>(out.capacity() * 2, out.size() + 65536));
    }
    const std::size_t old_size = out.size();
    const std::size_t room = std::min<std::size_t>(out.capacity() - old_size, std::size_t{1} << 30);
    out.resize(old_size + room);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + old_size);
    stream.avail_out = static_cast<uInt>(room);
    rc = inflate(&stream, Z_NO_FLUSH);
    out.resize(old_size + (room - stream.avail_out));
    consumed_total += fed - stream.avail_in;
    if (rc == Z_STREAM_END) {
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      const std::string why = stream.msg != nullptr ? stream.msg : "inflate error";
      inflateEnd(&stream);
      return Error::Corrupt("compressed data is corrupt: " + why);
    }
    if (out.size() > max_output) {
      inflateEnd(&stream);
      return Error::Corrupt("decompressed data exceeds the limit of " + std::to_string(max_output) + " bytes");
    }
    if (rc == Z_BUF_ERROR && stream.avail_in == 0 && consumed_total >= in.size()) {
      inflateEnd(&stream);
      return Error::Corrupt("compressed data is truncated");
    }
  }
  inflateEnd(&stream);
  if (out.size() > max_output) {
    return Error::Corrupt("decompressed data exceeds the limit of " + std::to_string(max_output) + " bytes");
  }
  return consumed_total;
}

}  // namespace

Result<std::string> Gunzip(std::string_view compressed, std::size_t max_output) {
  std::string out;
  std::size_t pos = 0;
  bool first = true;
  while (pos < compressed.size()) {
    const std::string_view rest = compressed.substr(pos);
    if (!LooksGzip(rest)) {
      if (first) {
        return Error::Corrupt("not a gzip stream");
      }
      // Trailing zero padding after the last member is common and harmless.
      if (std::all_of(rest.begin(), rest.end(), [](char c) { return c == 0; })) {
        break;
      }
      return Error::Corrupt("garbage after gzip member at byte " + std::to_string(pos));
    }
    auto used = InflateStream(rest, 16 + MAX_WBITS, max_output, out);
    if (!used.ok()) {
      return used.error();
    }
    pos += *used;
    first = false;
  }
  if (first) {
    return Error::Corrupt("empty gzip input");
  }
  return out;
}

Result<ZipArchive> ZipArchive::Parse(std::string_view bytes) {
  if (bytes.size() < kEndSize) {
    return Error::Corrupt("zip: too short for an end-of-central-directory record");
  }
  // The end record sits at the very end unless a comment (at most 65535 bytes) follows it.
  std::size_t end_at = std::string_view::npos;
  const std::size_t lowest = bytes.size() > kEndSize + 65535 ? bytes.size() - kEndSize - 65535 : 0;
  for (std::size_t at = bytes.size() - kEndSize + 1; at-- > lowest;) {
    if (Le32(bytes, at) == kEndSig && at + kEndSize + Le16(bytes, at + 20) == bytes.size()) {
      end_at = at;
      break;
    }
  }
  if (end_at == std::string_view::npos) {
    return Error::Corrupt("zip: end-of-central-directory record not found");
  }
  const std::uint16_t count = Le16(bytes, end_at + 10);
  const std::uint32_t cd_size = Le32(bytes, end_at + 12);
  const std::uint32_t cd_offset = Le32(bytes, end_at + 16);
  if (count == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_offset == 0xFFFFFFFFu) {
    return Error::Corrupt("zip: zip64 archives are not supported");
  }
  if (std::uint64_t{cd_offset} + cd_size > end_at) {
    return Error::Corrupt("zip: central directory lies outside the file");
  }
  ZipArchive archive;
  archive.bytes_ = bytes;
  std::size_t at = cd_offset;
  for (std::uint16_t i = 0; i < count; ++i) {
    if (at + kCentralSize > end_at || Le32(bytes, at) != kCentralSig) {
      return Error::Corrupt("zip: central directory entry " + std::to_string(i) + " is malformed");
    }
    ZipEntry entry;
    const std::uint16_t flags = Le16(bytes, at + 8);
    entry.method = Le16(bytes, at + 10);
    entry.crc32 = Le32(bytes, at + 16);
    entry.compressed_size = Le32(bytes, at + 20);
    entry.size = Le32(bytes, at + 24);
    const std::size_t name_len = Le16(bytes, at + 28);
    const std::size_t extra_len = Le16(bytes, at + 30);
    const std::size_t comment_len = Le16(bytes, at + 32);
    entry.local_header_offset = Le32(bytes, at + 42);
    if (at + kCentralSize + name_len + extra_len + comment_len > end_at) {
      return Error::Corrupt("zip: central directory entry " + std::to_string(i) + " runs past its end");
    }
    if ((flags & 1U) != 0) {
      return Error::Corrupt("zip: encrypted members are not supported");
    }
    entry.name = std::string(bytes.substr(at + kCentralSize, name_len));
    // Zip64 extended information (extra field 0x0001) holds, in this order, whichever of the sizes and
    // the offset are saturated at 0xFFFFFFFF in the fixed fields. Writers such as .NET's set it even for
    // small members.
    std::size_t extra = at + kCentralSize + name_len;
    const std::size_t extra_end = extra + extra_len;
    while (extra + 4 <= extra_end) {
      const std::uint16_t id = Le16(bytes, extra);
      const std::size_t len = Le16(bytes, extra + 2);
      if (extra + 4 + len > extra_end) {
        return Error::Corrupt("zip: extra field of entry " + std::to_string(i) + " is malformed");
      }
      if (id == 0x0001) {
        std::size_t field = extra + 4;
        const auto take = [&](std::uint64_t& value) -> bool {
          if (value != 0xFFFFFFFFu) {
            return true;
          }
          if (field + 8 > extra + 4 + len) {
            return false;
          }
          value = static_cast<std::uint64_t>(Le32(bytes, field)) |
                  (static_cast<std::uint64_t>(Le32(bytes, field + 4)) << 32);
          field += 8;
          return true;
        };
        if (!take(entry.size) || !take(entry.compressed_size) || !take(entry.local_header_offset)) {
          return Error::Corrupt("zip: zip64 field of entry " + std::to_string(i) + " is too short");
        }
      }
      extra += 4 + len;
    }
    archive.entries_.push_back(std::move(entry));
    at += kCentralSize + name_len + extra_len + comment_len;
  }
  return archive;
}

Result<std::string> ZipArchive::Extract(const ZipEntry& entry) const {
  const std::string where = "zip member '" + entry.name + "': ";
  const std::uint64_t at = entry.local_header_offset;
  if (at > bytes_.size() || at + kLocalSize > bytes_.size() || Le32(bytes_, at) != kLocalHeaderSig) {
    return Error::Corrupt(where + "local header missing");
  }
  const std::uint64_t data_at = at + kLocalSize + Le16(bytes_, at + 26) + Le16(bytes_, at + 28);
  if (entry.compressed_size > bytes_.size() || data_at + entry.compressed_size > bytes_.size()) {
    return Error::Corrupt(where + "data runs past the end of the archive");
  }
  const std::string_view data = bytes_.substr(data_at, entry.compressed_size);
  std::string out;
  if (entry.method == 0) {
    if (entry.size != entry.compressed_size) {
      return Error::Corrupt(where + "stored member with differing sizes");
    }
    out.assign(data);
  } else if (entry.method == 8) {
    if (entry.size > (entry.compressed_size + 1) * kMaxDeflateRatio) {
      return Error::Corrupt(where + "declared size is impossible for its compressed size");
    }
    out.reserve(entry.size);
    auto used = InflateStream(data, -MAX_WBITS, entry.size, out);
    if (!used.ok()) {
      return Error::Corrupt(where + used.error().message);
    }
  } else {
    return Error::Corrupt(where + "compression method " + std::to_string(entry.method) + " is not supported");
  }
  if (out.size() != entry.size) {
    return Error::Corrupt(where + "inflated to " + std::to_string(out.size()) + " bytes, expected " +
                          std::to_string(entry.size));
  }
  const auto crc = static_cast<std::uint32_t>(
      crc32_z(0L, reinterpret_cast<const Bytef*>(out.data()), static_cast<z_size_t>(out.size())));
  if (crc != entry.crc32) {
    return Error::Corrupt(where + "CRC-32 mismatch");
  }
  return out;
}

Result<std::string> ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error::Io("cannot open '" + path.string() + "': " + std::strerror(errno));
  }
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) {
    return Error::Io("cannot size '" + path.string() + "'");
  }
  in.seekg(0, std::ios::beg);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (size > 0 && !in.read(bytes.data(), size)) {
    return Error::Io("cannot read '" + path.string() + "'");
  }
  return bytes;
}

bool LooksGzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

bool LooksZip(std::string_view bytes) {
  return bytes.size() >= 4 && (Le32(bytes, 0) == kLocalHeaderSig || Le32(bytes, 0) == kEndSig);
}

}  // namespace td::data
