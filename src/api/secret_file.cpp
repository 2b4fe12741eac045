// SPDX-License-Identifier: MIT
#include "api/secret_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace td::api {
namespace {

Error SystemError(std::string what, const std::filesystem::path& path) {
  return Error::Io(std::move(what) + " " + path.string() + ": " + std::strerror(errno));
}

/// Reads at most `limit` bytes from an open descriptor.
Result<std::string> ReadAll(int fd, const std::filesystem::path& path, std::size_t limit) {
  std::string text;
  char buffer[256];
  while (text.size() <= limit) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return SystemError("cannot read", path);
    }
    if (n == 0) {
      break;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

Result<std::string> ReadExisting(const std::filesystem::path& path, std::size_t byte_count) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return SystemError("cannot open", path);
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const Error error = SystemError("cannot stat", path);
    ::close(fd);
    return error;
  }
  if (!S_ISREG(info.st_mode) || (info.st_mode & 077) != 0) {
    ::close(fd);
    return Error{ErrorCode::kPermissionDenied,
                 "secret file " + path.string() + " must be a regular file readable only by its owner (chmod 600)",
                 {}};
  }
  auto text = ReadAll(fd, path, 2 * byte_count + 2);
  ::close(fd);
  if (!text.ok()) {
    return text.error();
  }
  std::string hex = std::move(text).value();
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) {
    hex.pop_back();
  }
  std::string bytes(byte_count, '\0');
  std::size_t decoded = 0;
  const char* end = nullptr;
  if (hex.size() != 2 * byte_count ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), hex.data(), hex.size(), nullptr,
                     &decoded, &end) != 0 ||
      decoded != byte_count) {
    return Error::Corrupt("secret file " + path.string() + " does not hold " + std::to_string(byte_count) +
                          " hex-encoded bytes");
  }
  sodium_memzero(hex.data(), hex.size());
  return bytes;
}

}  // namespace

Status EnsureSodium() {
  if (sodium_init() < 0) {
    return Error::Internal("libsodium failed to initialise");
  }
  return {};
}

std::string ToHex(std::string_view bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  hex.pop_back();
  return hex;
}

Result<std::string> LoadOrCreateSecretFile(const std::filesystem::path& path, std::size_t byte_count) {
  if (Status ready = EnsureSodium(); !ready.ok()) {
    return ready.error();
  }
  if (::access(path.c_str(), F_OK) == 0) {
    return ReadExisting(path, byte_count);
  }
  // Write the whole secret to a private temporary file, then link() it into place: link refuses to replace an
  // existing file, so a concurrent creator either wins or reads the winner's complete file, never a torn one.
  std::string suffix(8, '\0');
  randombytes_buf(suffix.data(), suffix.size());
  const std::filesystem::path temporary = path.string() + ".tmp-" + ToHex(suffix);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return SystemError("cannot create", temporary);
  }
  std::string bytes(byte_count, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  std::string line = ToHex(bytes) + "\n";
  // The umask can only narrow the mode; fchmod makes 0600 explicit whatever it is.
  bool ok = ::fchmod(fd, 0600) == 0;
  std::size_t written = 0;
  while (ok && written < line.size()) {
    const ssize_t n = ::write(fd, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    ok = n > 0;
    written += ok ? static_cast<std::size_t>(n) : 0;
  }
  sodium_memzero(line.data(), line.size());
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    const Error error = SystemError("cannot write", temporary);
    ::unlink(temporary.c_str());
    return error;
  }
  const int linked = ::link(temporary.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(temporary.c_str());
  if (linked != 0) {
    if (link_errno == EEXIST) {
      return ReadExisting(path, byte_count);
    }
    errno = link_errno;
    return SystemError("cannot create", path);
  }
  return bytes;
}

}  // namespace td::api
