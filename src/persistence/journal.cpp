// SPDX-License-Identifier: MIT
#include "persistence/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

namespace td::persistence {
namespace {

constexpr char kFileMagic[8] = {'T', 'D', 'J', 'O', 'U', 'R', 'N', 'L'};
constexpr std::uint32_t kFrameMagic = 0xC5E1A3F7;  // rare byte pattern, so scans for the next frame stay cheap
constexpr std::size_t kReadChunk = 1u << 20;
constexpr std::size_t kFrameOverhead = kJournalFrameHeaderSize + kJournalFrameTrailerSize;

void Put32(std::byte* out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out[i] = static_cast<std::byte>((value >> (8 * i)) & 0xff);
  }
}
void Put64(std::byte* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<std::byte>((value >> (8 * i)) & 0xff);
  }
}
std::uint32_t Get32(const std::byte* in) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= static_cast<std::uint32_t>(in[i]) << (8 * i);
  }
  return value;
}
std::uint64_t Get64(const std::byte* in) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value |= static_cast<std::uint64_t>(in[i]) << (8 * i);
  }
  return value;
}

// Checksums. Format version 1 uses CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320: zlib's values); version 2
// uses CRC-32C (Castagnoli, reflected 0x82F63B78), which x86-64 computes with the SSE4.2 crc32 instruction eight
// bytes per instruction: a journal frame (about 100 bytes) costs a few dozen instructions instead of hundreds.
// Without SSE4.2, and for version 1, eight 256-entry tables ("slicing by 8") process eight bytes per step.
enum class ChecksumKind : std::uint8_t { kCrc32, kCrc32c };

ChecksumKind ChecksumOf(std::uint32_t version) {
  return version == 1 ? ChecksumKind::kCrc32 : ChecksumKind::kCrc32c;
}

struct CrcTables {
  std::uint32_t t[8][256];
};

constexpr CrcTables MakeCrcTables(std::uint32_t polynomial) {
  CrcTables tables{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) {
      c = (c & 1u) != 0 ? polynomial ^ (c >> 1) : c >> 1;
    }
    tables.t[0][i] = c;
  }
  for (std::uint32_t i = 0; i < 256; ++i) {
    for (int slice = 1; slice < 8; ++slice) {
      const std::uint32_t prev = tables.t[slice - 1][i];
      tables.t[slice][i] = (prev >> 8) ^ tables.t[0][prev & 0xffu];
    }
  }
  return tables;
}

constexpr CrcTables kCrc32Tables = MakeCrcTables(0xEDB88320u);
constexpr CrcTables kCrc32cTables = MakeCrcTables(0x82F63B78u);

std::uint32_t SliceBy8(const CrcTables& tables, std::uint32_t crc, const std::byte* data, std::size_t size) {
  const auto& t = tables.t;
  std::uint32_t c = ~crc;
  while (size >= 8) {
    const std::uint32_t lo = c ^ (static_cast<std::uint32_t>(data[0]) | static_cast<std::uint32_t>(data[1]) << 8 |
                                  static_cast<std::uint32_t>(data[2]) << 16 | static_cast<std::uint32_t>(data[3]) << 24);
    const std::uint32_t hi = static_cast<std::uint32_t>(data[4]) | static_cast<std::uint32_t>(data[5]) << 8 |
                             static_cast<std::uint32_t>(data[6]) << 16 | static_cast<std::uint32_t>(data[7]) << 24;
    c = t[7][lo & 0xffu] ^ t[6][(lo >> 8) & 0xffu] ^ t[5][(lo >> 16) & 0xffu] ^ t[4][lo >> 24] ^
        t[3][hi & 0xffu] ^ t[2][(hi >> 8) & 0xffu] ^ t[1][(hi >> 16) & 0xffu] ^ t[0][hi >> 24];
    data += 8;
    size -= 8;
  }
  while (size-- > 0) {
    c = t[0][(c ^ static_cast<std::uint32_t>(*data++)) & 0xffu] ^ (c >> 8);
  }
  return ~c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t Crc32cSse42(std::uint32_t crc, const std::byte* data,
                                                             std::size_t size) {
  std::uint64_t c = ~crc;
  while (size >= 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, data, 8);  // x86-64 is little-endian, as the CRC's byte order
    c = __builtin_ia32_crc32di(c, word);
    data += 8;
    size -= 8;
  }
  auto c32 = static_cast<std::uint32_t>(c);
  while (size-- > 0) {
    c32 = __builtin_ia32_crc32qi(c32, static_cast<unsigned char>(*data++));
  }
  return ~c32;
}

const bool kHasSse42 = __builtin_cpu_supports("sse4.2");
#endif

/// Continues a checksum over more bytes: CrcUpdate(k, CrcUpdate(k, 0, a), b) is the checksum of a followed by b.
std::uint32_t CrcUpdate(ChecksumKind kind, std::uint32_t crc, const std::byte* data, std::size_t size) {
  if (kind == ChecksumKind::kCrc32) {
    return SliceBy8(kCrc32Tables, crc, data, size);
  }
#if defined(__x86_64__)
  if (kHasSse42) {
    return Crc32cSse42(crc, data, size);
  }
#endif
  return SliceBy8(kCrc32cTables, crc, data, size);
}

std::uint32_t Crc(ChecksumKind kind, const std::byte* data, std::size_t size) {
  return CrcUpdate(kind, 0, data, size);
}

Error ErrnoError(std::string what, const std::filesystem::path& path) {
  return Error::Io(what + " '" + path.string() + "': " + std::strerror(errno));
}

std::string At(std::uint64_t offset) {
  return "at byte offset " + std::to_string(offset);
}

void EncodeFileHeader(std::byte* out, std::uint64_t first_sequence) {
  std::memcpy(out, kFileMagic, sizeof(kFileMagic));
  Put32(out + 8, kJournalFormatVersion);
  Put32(out + 12, static_cast<std::uint32_t>(kJournalFileHeaderSize));
  Put64(out + 16, first_sequence);
  Put32(out + 24, 0);
  Put32(out + 28, Crc(ChecksumOf(kJournalFormatVersion), out, 28));
}

}  // namespace

namespace detail {

/// Walks the frames of an open journal file with pread through a read window; shared by reader and writer.
class FrameScanner {
 public:
  FrameScanner(int fd, std::uint64_t size, std::filesystem::path path, bool owns_fd)
      : fd_(fd), size_(size), path_(std::move(path)), owns_fd_(owns_fd) {}
  FrameScanner(const FrameScanner&) = delete;
  FrameScanner& operator=(const FrameScanner&) = delete;
  ~FrameScanner() {
    if (owns_fd_ && fd_ >= 0) {
      ::close(fd_);
    }
  }

  /// Validates the file header. A file shorter than a header whose bytes could begin one is an empty
  /// journal whose header write was torn (header_missing()).
  Status ReadHeader() {
    if (size_ < kJournalFileHeaderSize) {
      auto bytes = Read(0, static_cast<std::size_t>(size_));
      if (!bytes.ok()) {
        return bytes.error();
      }
      const std::size_t compare = std::min<std::size_t>(bytes->size(), sizeof(kFileMagic));
      if (compare > 0 && std::memcmp(bytes->data(), kFileMagic, compare) != 0) {
        return Error::Corrupt("'" + path_.string() + "' is not a tradedesk journal (bad magic)");
      }
      header_missing_ = true;
      done_ = true;
      tail_.end_offset = 0;
      tail_.torn_bytes = size_;
      return {};
    }
    auto header = Read(0, kJournalFileHeaderSize);
    if (!header.ok()) {
      return header.error();
    }
    const std::byte* h = header->data();
    if (std::memcmp(h, kFileMagic, sizeof(kFileMagic)) != 0) {
      return Error::Corrupt("'" + path_.string() + "' is not a tradedesk journal (bad magic)");
    }
    const std::uint32_t version = Get32(h + 8);
    if (version < kJournalOldestReadableVersion || version > kJournalFormatVersion) {
      // A header that checks out under neither checksum is damaged; one that does is a format we do not know.
      if (Get32(h + 28) != Crc(ChecksumKind::kCrc32, h, 28) && Get32(h + 28) != Crc(ChecksumKind::kCrc32c, h, 28)) {
        return Error::Corrupt("journal '" + path_.string() + "': file header checksum mismatch " + At(0));
      }
      return Error::Unprocessable("journal '" + path_.string() + "' has format version " + std::to_string(version) +
                                  "; this build reads versions " + std::to_string(kJournalOldestReadableVersion) +
                                  " to " + std::to_string(kJournalFormatVersion));
    }
    checksum_ = ChecksumOf(version);
    if (Get32(h + 28) != Crc(checksum_, h, 28)) {
      return Error::Corrupt("journal '" + path_.string() + "': file header checksum mismatch " + At(0));
    }
    version_ = version;
    if (Get32(h + 12) != kJournalFileHeaderSize || Get64(h + 16) == 0) {
      return Error::Corrupt("journal '" + path_.string() + "': malformed file header " + At(0));
    }
    first_sequence_ = Get64(h + 16);
    expected_ = first_sequence_;
    offset_ = kJournalFileHeaderSize;
    tail_.end_offset = offset_;
    return {};
  }

  Result<bool> Next(FrameView& frame) {
    if (failure_) {
      return *failure_;
    }
    if (done_) {
      return false;
    }
    if (offset_ == size_) {
      done_ = true;
      return false;
    }
    Header header;
    std::span<const std::byte> payload;
    auto verdict = Inspect(offset_, header, &payload);
    if (!verdict.ok()) {
      return verdict.error();
    }
    if (*verdict == Verdict::kOk) {
      if (header.sequence != expected_) {
        return Fail(Error::Corrupt("journal '" + path_.string() + "': frame " + At(offset_) + " has sequence " +
                                   std::to_string(header.sequence) + ", expected " + std::to_string(expected_)));
      }
      frame.sequence = header.sequence;
      frame.type_id = header.type_id;
      frame.ts = UnixNanos(header.ts);
      frame.payload = payload;
      frame.offset = offset_;
      offset_ += kFrameOverhead + header.length;
      ++expected_;
      ++tail_.frames;
      tail_.last_sequence = header.sequence;
      tail_.end_offset = offset_;
      return true;
    }
    // A bad or incomplete frame. If any valid later frame exists this is damage in the middle of the
    // journal, which must never be silently cut; otherwise it is the torn tail of an interrupted append.
    auto next_valid = FindValidFrame(offset_ + 1);
    if (!next_valid.ok()) {
      return next_valid.error();
    }
    if (next_valid->has_value()) {
      return Fail(Error::Corrupt("journal '" + path_.string() + "': corrupt frame " + At(offset_) +
                                 " followed by a valid frame " + At(**next_valid)));
    }
    done_ = true;
    tail_.end_offset = offset_;
    tail_.torn_bytes = size_ - offset_;
    return false;
  }

  const JournalTail& tail() const { return tail_; }
  std::uint64_t first_sequence() const { return first_sequence_; }
  bool header_missing() const { return header_missing_; }
  /// The file's format version (what a new file gets when the header is missing).
  std::uint32_t version() const { return version_; }

 private:
  enum class Verdict { kOk, kIncomplete, kInvalid };
  struct Header {
    std::uint32_t length = 0;
    std::uint64_t sequence = 0;
    std::int64_t ts = 0;
    std::uint32_t type_id = 0;
  };

  Error Fail(Error error) {
    failure_ = error;
    return error;
  }

  /// Returns `n` bytes at `offset` (which the caller keeps inside the file); valid until the next Read.
  Result<std::span<const std::byte>> Read(std::uint64_t offset, std::size_t n) {
    if (offset >= window_offset_ && offset + n <= window_offset_ + window_.size()) {
      return std::span<const std::byte>(window_).subspan(static_cast<std::size_t>(offset - window_offset_), n);
    }
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(std::max(n, kReadChunk), size_ - offset));
    window_.resize(want);
    window_offset_ = offset;
    std::size_t got = 0;
    while (got < want) {
      const ssize_t r = ::pread(fd_, window_.data() + got, want - got, static_cast<off_t>(offset + got));
      if (r < 0 && errno == EINTR) {
        continue;
      }
      if (r <= 0) {
        window_.clear();
        return r < 0 ? ErrnoError("read journal", path_)
                     : Error::Io("journal '" + path_.string() + "' shrank while being read");
      }
      got += static_cast<std::size_t>(r);
    }
    return std::span<const std::byte>(window_).first(n);
  }

  Result<Verdict> Inspect(std::uint64_t offset, Header& header, std::span<const std::byte>* payload) {
    if (size_ - offset < kJournalFrameHeaderSize) {
      return Verdict::kIncomplete;
    }
    auto head = Read(offset, kJournalFrameHeaderSize);
    if (!head.ok()) {
      return head.error();
    }
    const std::byte* h = head->data();
    if (Get32(h) != kFrameMagic || Get32(h + 28) != Crc(checksum_, h, 28)) {
      return Verdict::kInvalid;
    }
    header.length = Get32(h + 4);
    header.sequence = Get64(h + 8);
    header.ts = static_cast<std::int64_t>(Get64(h + 16));
    header.type_id = Get32(h + 24);
    if (header.length > kJournalMaxPayload) {
      return Verdict::kInvalid;
    }
    const std::uint64_t total = kFrameOverhead + header.length;
    if (size_ - offset < total) {
      return Verdict::kIncomplete;
    }
    auto whole = Read(offset, static_cast<std::size_t>(total));
    if (!whole.ok()) {
      return whole.error();
    }
    const std::size_t covered = kJournalFrameHeaderSize + header.length;
    if (Get32(whole->data() + covered) != Crc(checksum_, whole->data(), covered)) {
      return Verdict::kInvalid;
    }
    if (payload != nullptr) {
      *payload = whole->subspan(kJournalFrameHeaderSize, header.length);
    }
    return Verdict::kOk;
  }

  /// The offset of the first complete, valid frame at or after `from` whose sequence is not behind.
  Result<std::optional<std::uint64_t>> FindValidFrame(std::uint64_t from) {
    std::byte magic[4];
    Put32(magic, kFrameMagic);
    for (std::uint64_t p = from; p + kFrameOverhead <= size_; ++p) {
      auto bytes = Read(p, 4);
      if (!bytes.ok()) {
        return bytes.error();
      }
      if (std::memcmp(bytes->data(), magic, 4) != 0) {
        continue;
      }
      Header header;
      auto verdict = Inspect(p, header, nullptr);
      if (!verdict.ok()) {
        return verdict.error();
      }
      if (*verdict == Verdict::kOk && header.sequence >= expected_) {
        return std::optional<std::uint64_t>(p);
      }
    }
    return std::optional<std::uint64_t>();
  }

  int fd_;
  std::uint64_t size_;
  std::filesystem::path path_;
  bool owns_fd_;
  std::vector<std::byte> window_;
  std::uint64_t window_offset_ = 0;
  std::uint64_t offset_ = 0;
  std::uint64_t first_sequence_ = 1;
  std::uint64_t expected_ = 1;
  bool header_missing_ = false;
  std::uint32_t version_ = kJournalFormatVersion;
  ChecksumKind checksum_ = ChecksumOf(kJournalFormatVersion);
  bool done_ = false;
  std::optional<Error> failure_;
  JournalTail tail_;
};

}  // namespace detail

JournalReader::JournalReader(std::unique_ptr<detail::FrameScanner> scanner) : scanner_(std::move(scanner)) {}
JournalReader::JournalReader(JournalReader&&) noexcept = default;
JournalReader& JournalReader::operator=(JournalReader&&) noexcept = default;
JournalReader::~JournalReader() = default;

Result<JournalReader> JournalReader::Open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Error::NotFound("journal '" + path.string() + "' does not exist", "path");
    }
    return ErrnoError("open journal", path);
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    Error error = ErrnoError("stat journal", path);
    ::close(fd);
    return error;
  }
  auto scanner = std::make_unique<detail::FrameScanner>(fd, static_cast<std::uint64_t>(info.st_size), path, true);
  TD_TRY(scanner->ReadHeader());
  return JournalReader(std::move(scanner));
}

Result<bool> JournalReader::Next(FrameView& frame) {
  return scanner_->Next(frame);
}
const JournalTail& JournalReader::tail() const {
  return scanner_->tail();
}
std::uint64_t JournalReader::first_sequence() const {
  return scanner_->first_sequence();
}
std::uint32_t JournalReader::format_version() const {
  return scanner_->version();
}

Result<JournalTail> ReplayJournal(const std::filesystem::path& path,
                                  const std::function<Status(const FrameView&)>& on_frame) {
  auto reader = JournalReader::Open(path);
  if (!reader.ok()) {
    return reader.error();
  }
  FrameView frame;
  while (true) {
    auto more = reader->Next(frame);
    if (!more.ok()) {
      return more.error();
    }
    if (!*more) {
      return reader->tail();
    }
    TD_TRY(on_frame(frame));
  }
}

Result<JournalWriter> JournalWriter::Open(const std::filesystem::path& path, const JournalOptions& options) {
  if (options.max_payload == 0 || options.max_payload > kJournalMaxPayload) {
    return Error::InvalidArgument("max_payload must be within 1.." + std::to_string(kJournalMaxPayload), "max_payload");
  }
  if (options.fsync == FsyncPolicy::kBatch && (options.batch_frames == 0 || options.batch_interval <= Duration{})) {
    return Error::InvalidArgument("kBatch needs batch_frames > 0 and a positive batch_interval", "batch_frames");
  }
  JournalWriter writer;
  writer.path_ = path;
  writer.options_ = options;
  writer.fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (writer.fd_ < 0) {
    return ErrnoError("open journal", path);
  }
  if (::flock(writer.fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return Error{ErrorCode::kUnavailable, "journal '" + path.string() + "' is open in another writer", "path"};
    }
    return ErrnoError("lock journal", path);
  }
  struct stat info {};
  if (::fstat(writer.fd_, &info) != 0) {
    return ErrnoError("stat journal", path);
  }
  detail::FrameScanner scanner(writer.fd_, static_cast<std::uint64_t>(info.st_size), path, false);
  TD_TRY(scanner.ReadHeader());
  if (scanner.header_missing()) {
    // New file, or a crash tore the header write: no frame can have been acknowledged. Start afresh.
    std::byte header[kJournalFileHeaderSize];
    EncodeFileHeader(header, 1);
    if (::ftruncate(writer.fd_, 0) != 0) {
      return ErrnoError("truncate journal", path);
    }
    if (::pwrite(writer.fd_, header, sizeof(header), 0) != static_cast<ssize_t>(sizeof(header))) {
      return ErrnoError("write journal header", path);
    }
    if (::fsync(writer.fd_) != 0) {
      return ErrnoError("sync journal", path);
    }
    // The new directory entry must be durable too, or the whole file could vanish with its frames.
    const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) {
      return ErrnoError("open journal directory", dir);
    }
    const int synced = ::fsync(dir_fd);
    ::close(dir_fd);
    if (synced != 0) {
      return ErrnoError("sync journal directory", dir);
    }
    writer.recovered_.end_offset = kJournalFileHeaderSize;
    writer.recovered_.torn_bytes = scanner.tail().torn_bytes;
    writer.file_end_ = kJournalFileHeaderSize;
    writer.next_sequence_ = 1;
    return writer;
  }
  FrameView frame;
  while (true) {
    auto more = scanner.Next(frame);
    if (!more.ok()) {
      return more.error();
    }
    if (!*more) {
      break;
    }
  }
  writer.recovered_ = scanner.tail();
  if (writer.recovered_.torn_bytes > 0 &&
      ::ftruncate(writer.fd_, static_cast<off_t>(writer.recovered_.end_offset)) != 0) {
    return ErrnoError("truncate torn journal tail", path);
  }
  // Whatever an earlier writer left unsynced is made durable now, so recovered frames count as durable.
  if (::fdatasync(writer.fd_) != 0) {
    return ErrnoError("sync journal", path);
  }
  writer.file_end_ = writer.recovered_.end_offset;
  writer.version_ = scanner.version();  // a version 1 journal stays version 1: one checksum per file
  writer.next_sequence_ = writer.recovered_.frames > 0 ? writer.recovered_.last_sequence + 1 : scanner.first_sequence();
  writer.written_sequence_ = writer.next_sequence_ - 1;
  writer.durable_sequence_ = writer.written_sequence_;
  return writer;
}

JournalWriter::JournalWriter(JournalWriter&& other) noexcept
    : path_(std::move(other.path_)),
      options_(other.options_),
      fd_(std::exchange(other.fd_, -1)),
      file_end_(other.file_end_),
      next_sequence_(other.next_sequence_),
      written_sequence_(other.written_sequence_),
      durable_sequence_(other.durable_sequence_),
      unsynced_frames_(other.unsynced_frames_),
      oldest_unsynced_(other.oldest_unsynced_),
      buffer_(std::move(other.buffer_)),
      recovered_(other.recovered_),
      version_(other.version_),
      failure_(std::move(other.failure_)) {}

JournalWriter& JournalWriter::operator=(JournalWriter&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      static_cast<void>(Close());
    }
    path_ = std::move(other.path_);
    options_ = other.options_;
    fd_ = std::exchange(other.fd_, -1);
    file_end_ = other.file_end_;
    next_sequence_ = other.next_sequence_;
    written_sequence_ = other.written_sequence_;
    durable_sequence_ = other.durable_sequence_;
    unsynced_frames_ = other.unsynced_frames_;
    oldest_unsynced_ = other.oldest_unsynced_;
    buffer_ = std::move(other.buffer_);
    recovered_ = other.recovered_;
    version_ = other.version_;
    failure_ = std::move(other.failure_);
  }
  return *this;
}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) {
    static_cast<void>(Close());
  }
}

Status JournalWriter::Fail(Error error) {
  failure_ = std::make_unique<Error>(error);
  return error;
}

Result<std::uint64_t> JournalWriter::Append(std::uint32_t type_id, UnixNanos ts, std::span<const std::byte> payload) {
  if (failure_) {
    return *failure_;
  }
  if (fd_ < 0) {
    return Error{ErrorCode::kUnavailable, "journal '" + path_.string() + "' is closed", {}};
  }
  if (payload.size() > options_.max_payload) {
    return Error::InvalidArgument(
        "frame payload of " + std::to_string(payload.size()) + " bytes exceeds " + std::to_string(options_.max_payload),
        "payload");
  }
  const std::uint64_t sequence = next_sequence_;
  const auto length = static_cast<std::uint32_t>(payload.size());
  const std::size_t start = buffer_.size();
  buffer_.resize(start + kFrameOverhead + length);
  std::byte* out = buffer_.data() + start;
  Put32(out, kFrameMagic);
  Put32(out + 4, length);
  Put64(out + 8, sequence);
  Put64(out + 16, static_cast<std::uint64_t>(ts.nanos()));
  Put32(out + 24, type_id);
  const ChecksumKind checksum = ChecksumOf(version_);
  const std::uint32_t header_crc = Crc(checksum, out, 28);
  Put32(out + 28, header_crc);
  if (length > 0) {
    std::memcpy(out + kJournalFrameHeaderSize, payload.data(), length);
  }
  // The frame CRC covers the header too: continue from the header's first 28 bytes instead of hashing them again.
  Put32(out + kJournalFrameHeaderSize + length,
        CrcUpdate(checksum, header_crc, out + 28, kJournalFrameHeaderSize - 28 + length));
  ++next_sequence_;

  switch (options_.fsync) {
    case FsyncPolicy::kEveryFrame:
      TD_TRY(WriteBuffer());
      TD_TRY(Sync());
      break;
    case FsyncPolicy::kBatch: {
      const auto now = std::chrono::steady_clock::now();
      if (unsynced_frames_ == 0) {
        oldest_unsynced_ = now;
      }
      ++unsynced_frames_;
      if (unsynced_frames_ >= options_.batch_frames || now - oldest_unsynced_ >= options_.batch_interval) {
        TD_TRY(WriteBuffer());
        TD_TRY(Sync());
      } else if (buffer_.size() >= options_.buffer_bytes) {
        TD_TRY(WriteBuffer());
      }
      break;
    }
    case FsyncPolicy::kNone:
      if (buffer_.size() >= options_.buffer_bytes) {
        TD_TRY(WriteBuffer());
      }
      break;
  }
  return sequence;
}

Status JournalWriter::WriteBuffer() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::pwrite(fd_, buffer_.data() + done, buffer_.size() - done, static_cast<off_t>(file_end_ + done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return Fail(ErrnoError("write journal", path_));
    }
    done += static_cast<std::size_t>(n);
  }
  file_end_ += done;
  buffer_.clear();
  written_sequence_ = next_sequence_ - 1;
  return {};
}

Status JournalWriter::Sync() {
  if (::fdatasync(fd_) != 0) {
    // After a failed sync the kernel may have dropped the dirty pages: never retry and trust it.
    return Fail(ErrnoError("sync journal", path_));
  }
  durable_sequence_ = written_sequence_;
  unsynced_frames_ = 0;
  return {};
}

Status JournalWriter::Flush() {
  if (failure_) {
    return *failure_;
  }
  if (fd_ < 0) {
    return Error{ErrorCode::kUnavailable, "journal '" + path_.string() + "' is closed", {}};
  }
  TD_TRY(WriteBuffer());
  if (durable_sequence_ == written_sequence_ && unsynced_frames_ == 0) {
    return {};
  }
  return Sync();
}

Status JournalWriter::FlushIfDue() {
  if (options_.fsync != FsyncPolicy::kBatch || unsynced_frames_ == 0) {
    return failure_ ? Status(*failure_) : Status();
  }
  if (std::chrono::steady_clock::now() - oldest_unsynced_ < options_.batch_interval) {
    return {};
  }
  return Flush();
}

Status JournalWriter::Close() {
  if (fd_ < 0) {
    return {};
  }
  Status status = failure_ ? Status(*failure_) : WriteBuffer();
  if (status.ok() && options_.fsync != FsyncPolicy::kNone) {
    status = Sync();
  }
  ::close(fd_);  // also releases the writer lock
  fd_ = -1;
  return status;
}

}  // namespace td::persistence
