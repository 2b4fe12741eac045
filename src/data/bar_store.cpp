// SPDX-License-Identifier: MIT
#include "data/bar_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

namespace td::data {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'T', 'D', 'B', 'A', 'R', 'S', '\0', '\1'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderSize = 128;
constexpr std::size_t kSpecBytes = 16;
constexpr std::size_t kInstrumentBytes = 96;
constexpr const char* kHeaderFile = "header";
constexpr std::array<const char*, kStoreColumnCount> kColumnFiles = {"open.i64",   "high.i64", "low.i64",  "close.i64",
                                                                     "volume.i64", "ts.i64",   "check.u64"};

std::string Errno(const std::string& what, const fs::path& path) {
  return what + " '" + path.string() + "': " + std::strerror(errno);
}

Status WriteAll(int fd, const void* data, std::size_t size, const fs::path& path) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return Error::Io(Errno("cannot write", path));
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

std::string EncodeHeader(const SeriesHeader& header) {
  std::string bytes(kHeaderSize, '\0');
  std::memcpy(bytes.data(), kMagic, sizeof kMagic);
  std::memcpy(bytes.data() + 8, &kVersion, sizeof kVersion);
  bytes[12] = static_cast<char>(header.price_precision);
  bytes[13] = static_cast<char>(header.volume_precision);
  const std::string spec = header.spec.ToString();
  std::memcpy(bytes.data() + 16, spec.data(), std::min(spec.size(), kSpecBytes - 1));
  const std::string& id = header.instrument.value();
  std::memcpy(bytes.data() + 32, id.data(), std::min(id.size(), kInstrumentBytes - 1));
  return bytes;
}

Result<SeriesHeader> DecodeHeader(std::string_view bytes, const fs::path& path) {
  const auto corrupt = [&](const std::string& why) {
    return Error::Corrupt("bar series header '" + path.string() + "': " + why);
  };
  if (bytes.size() != kHeaderSize || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return corrupt("bad magic or size");
  }
  std::uint32_t version = 0;
  std::memcpy(&version, bytes.data() + 8, sizeof version);
  if (version != kVersion) {
    return corrupt("unsupported version " + std::to_string(version));
  }
  SeriesHeader header;
  header.price_precision = static_cast<unsigned char>(bytes[12]);
  header.volume_precision = static_cast<unsigned char>(bytes[13]);
  if (header.price_precision > kFixedPrecision || header.volume_precision > kFixedPrecision) {
    return corrupt("precision out of range");
  }
  const std::string_view spec = bytes.substr(16, kSpecBytes);
  auto parsed_spec = BarSpec::Parse(spec.substr(0, spec.find('\0')));
  if (!parsed_spec.ok()) {
    return corrupt("bad bar spec");
  }
  header.spec = *parsed_spec;
  const std::string_view id = bytes.substr(32, kInstrumentBytes);
  auto instrument = InstrumentId::Parse(id.substr(0, id.find('\0')));
  if (!instrument.ok()) {
    return corrupt("bad instrument id");
  }
  header.instrument = *instrument;
  return header;
}

Result<SeriesHeader> ReadHeader(const fs::path& dir) {
  const fs::path path = dir / kHeaderFile;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Error::NotFound("no bar series at '" + dir.string() + "'");
    }
    return Error::Io(Errno("cannot open", path));
  }
  std::string bytes(kHeaderSize + 1, '\0');
  const ssize_t n = ::pread(fd, bytes.data(), bytes.size(), 0);
  ::close(fd);
  if (n < 0) {
    return Error::Io(Errno("cannot read", path));
  }
  bytes.resize(static_cast<std::size_t>(n));
  return DecodeHeader(bytes, path);
}

// The number of complete records: every column holds at least that many whole values, and the last
// record's check matches. Torn or garbage tail records are walked back over.
template <typename ColumnAt>
std::size_t CompleteRecords(std::size_t whole, const ColumnAt& at) {
  std::size_t n = whole;
  while (n > 0) {
    const std::size_t i = n - 1;
    const std::int64_t ts = at(StoreColumn::kTs, i);
    const auto check = static_cast<std::uint64_t>(at(StoreColumn::kCheck, i));
    if (check == BarRecordCheck(ts, at(StoreColumn::kOpen, i), at(StoreColumn::kHigh, i), at(StoreColumn::kLow, i),
                                at(StoreColumn::kClose, i), at(StoreColumn::kVolume, i)) &&
        (i == 0 || at(StoreColumn::kTs, i - 1) < ts)) {
      break;
    }
    --n;
  }
  return n;
}

std::string EscapeSymbol(std::string_view symbol) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : symbol) {
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-') {
      out.push_back(c);
    } else {
      const auto u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string IsoOf(std::int64_t ts) {
  return UnixNanos(ts).ToIso8601();
}

}  // namespace

std::uint64_t BarRecordCheck(std::int64_t ts, std::int64_t open, std::int64_t high, std::int64_t low,
                             std::int64_t close, std::int64_t volume) {
  std::uint64_t h = 0x9E3779B97F4A7C15ULL;
  for (const std::int64_t v : {ts, open, high, low, close, volume}) {
    h ^= static_cast<std::uint64_t>(v);
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
  }
  h ^= h >> 29;
  h *= 0x94D049BB133111EBULL;
  h ^= h >> 32;
  return h == 0 ? 1 : h;
}

BarSeries::BarSeries(BarSeries&& other) noexcept
    : header_(std::move(other.header_)), size_(std::exchange(other.size_, 0)), maps_(std::exchange(other.maps_, {})) {}

BarSeries& BarSeries::operator=(BarSeries&& other) noexcept {
  if (this != &other) {
    Unmap();
    header_ = std::move(other.header_);
    size_ = std::exchange(other.size_, 0);
    maps_ = std::exchange(other.maps_, {});
  }
  return *this;
}

BarSeries::~BarSeries() {
  Unmap();
}

void BarSeries::Unmap() {
  for (auto& [address, length] : maps_) {
    if (address != nullptr) {
      ::munmap(address, length);
    }
    address = nullptr;
    length = 0;
  }
  size_ = 0;
}

Result<BarSeries> BarSeries::Open(const fs::path& dir) {
  auto header = ReadHeader(dir);
  if (!header.ok()) {
    return header.error();
  }
  BarSeries series;
  series.header_ = std::move(*header);
  std::size_t whole = SIZE_MAX;
  for (std::size_t c = 0; c < kStoreColumnCount; ++c) {
    const fs::path path = dir / kColumnFiles[c];
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) {
        whole = 0;
        continue;
      }
      return Error::Io(Errno("cannot open", path));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return Error::Io(Errno("cannot stat", path));
    }
    const auto length = static_cast<std::size_t>(st.st_size);
    whole = std::min(whole, length / sizeof(std::int64_t));
    if (length > 0) {
      void* address = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fd, 0);
      if (address == MAP_FAILED) {
        ::close(fd);
        return Error::Io(Errno("cannot map", path));
      }
      ::madvise(address, length, MADV_SEQUENTIAL);
      series.maps_[c] = {address, length};
    }
    ::close(fd);
  }
  if (whole == SIZE_MAX) {
    whole = 0;
  }
  const auto& maps = series.maps_;
  series.size_ = CompleteRecords(whole, [&](StoreColumn column, std::size_t i) {
    return static_cast<const std::int64_t*>(maps[static_cast<std::size_t>(column)].first)[i];
  });
  return series;
}

Bar BarSeries::At(std::size_t i) const {
  TD_CHECK(i < size_) << "bar " << i << " of " << size_;
  Bar bar;
  bar.ts_event = UnixNanos(ts()[i]);
  bar.ts_init = bar.ts_event;
  bar.open = Price::FromRaw(open()[i], header_.price_precision);
  bar.high = Price::FromRaw(high()[i], header_.price_precision);
  bar.low = Price::FromRaw(low()[i], header_.price_precision);
  bar.close = Price::FromRaw(close()[i], header_.price_precision);
  bar.volume = Quantity::FromRaw(volume()[i], header_.volume_precision);
  return bar;
}

std::size_t BarSeries::LowerBound(UnixNanos t) const {
  const auto times = ts();
  return static_cast<std::size_t>(std::lower_bound(times.begin(), times.end(), t.nanos()) - times.begin());
}

std::pair<std::size_t, std::size_t> BarSeries::Range(UnixNanos from, UnixNanos to) const {
  const std::size_t first = LowerBound(from);
  const std::size_t last = std::max(first, LowerBound(to));
  return {first, last};
}

BarColumns BarSeries::Slice(std::size_t first, std::size_t last) const {
  TD_CHECK(first <= last && last <= size_) << "slice " << first << ".." << last << " of " << size_;
  BarColumns out;
  out.price_precision = header_.price_precision;
  out.volume_precision = header_.volume_precision;
  const auto copy = [&](std::span<const std::int64_t> from, std::vector<std::int64_t>& to) {
    to.assign(from.begin() + static_cast<std::ptrdiff_t>(first), from.begin() + static_cast<std::ptrdiff_t>(last));
  };
  copy(ts(), out.ts);
  copy(open(), out.open);
  copy(high(), out.high);
  copy(low(), out.low);
  copy(close(), out.close);
  copy(volume(), out.volume);
  return out;
}

Status BarSeries::Verify() const {
  const auto check = Column(StoreColumn::kCheck);
  for (std::size_t i = 0; i < size_; ++i) {
    if (static_cast<std::uint64_t>(check[i]) !=
        BarRecordCheck(ts()[i], open()[i], high()[i], low()[i], close()[i], volume()[i])) {
      return Error::Corrupt("bar series " + header_.instrument.value() + " " + header_.spec.ToString() + ": record " +
                            std::to_string(i) + " fails its check");
    }
    if (i > 0 && ts()[i] <= ts()[i - 1]) {
      return Error::Corrupt("bar series " + header_.instrument.value() + ": record " + std::to_string(i) +
                            " does not follow its predecessor in time");
    }
  }
  return {};
}

BarWriter::BarWriter(BarWriter&& other) noexcept
    : dir_(std::move(other.dir_)),
      header_(std::move(other.header_)),
      lock_fd_(std::exchange(other.lock_fd_, -1)),
      fds_(std::exchange(other.fds_, {-1, -1, -1, -1, -1, -1, -1})),
      size_(other.size_),
      repaired_(other.repaired_),
      last_ts_(other.last_ts_) {}

BarWriter& BarWriter::operator=(BarWriter&& other) noexcept {
  if (this != &other) {
    Close();
    dir_ = std::move(other.dir_);
    header_ = std::move(other.header_);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
    fds_ = std::exchange(other.fds_, {-1, -1, -1, -1, -1, -1, -1});
    size_ = other.size_;
    repaired_ = other.repaired_;
    last_ts_ = other.last_ts_;
  }
  return *this;
}

BarWriter::~BarWriter() {
  Close();
}

void BarWriter::Close() {
  for (int& fd : fds_) {
    if (fd >= 0) {
      ::close(fd);
    }
    fd = -1;
  }
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);  // releases the flock
    lock_fd_ = -1;
  }
}

Status BarWriter::WriteHeader() {
  const fs::path path = dir_ / kHeaderFile;
  const fs::path temp = dir_ / "header.tmp";
  const std::string bytes = EncodeHeader(header_);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Error::Io(Errno("cannot create", temp));
  }
  Status written = WriteAll(fd, bytes.data(), bytes.size(), temp);
  if (written.ok() && ::fsync(fd) != 0) {
    written = Error::Io(Errno("cannot sync", temp));
  }
  ::close(fd);
  if (!written.ok()) {
    return written;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return Error::Io(Errno("cannot rename onto", path));
  }
  return {};
}

Result<BarWriter> BarWriter::Open(const fs::path& dir, const SeriesHeader& header) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return Error::Io("cannot create '" + dir.string() + "': " + ec.message());
  }
  BarWriter writer;
  writer.dir_ = dir;
  const fs::path lock_path = dir / "lock";
  writer.lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (writer.lock_fd_ < 0) {
    return Error::Io(Errno("cannot open", lock_path));
  }
  if (::flock(writer.lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Error{ErrorCode::kUnavailable, "bar series '" + dir.string() + "' is open by another writer", {}};
  }
  auto existing = ReadHeader(dir);
  if (existing.ok()) {
    if (existing->instrument != header.instrument || existing->spec != header.spec) {
      return Error::Unprocessable("bar series '" + dir.string() + "' holds " + existing->instrument.value() + " " +
                                  existing->spec.ToString());
    }
    writer.header_ = std::move(*existing);
  } else if (existing.error().code == ErrorCode::kNotFound) {
    writer.header_ = header;
    TD_TRY(writer.WriteHeader());
  } else {
    return existing.error();
  }
  std::array<std::size_t, kStoreColumnCount> lengths{};
  std::size_t whole = SIZE_MAX;
  for (std::size_t c = 0; c < kStoreColumnCount; ++c) {
    const fs::path path = dir / kColumnFiles[c];
    writer.fds_[c] = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (writer.fds_[c] < 0) {
      return Error::Io(Errno("cannot open", path));
    }
    struct stat st {};
    if (::fstat(writer.fds_[c], &st) != 0) {
      return Error::Io(Errno("cannot stat", path));
    }
    lengths[c] = static_cast<std::size_t>(st.st_size);
    whole = std::min(whole, lengths[c] / sizeof(std::int64_t));
  }
  const auto read_value = [&](StoreColumn column, std::size_t i) {
    std::int64_t value = 0;
    const auto c = static_cast<std::size_t>(column);
    if (::pread(writer.fds_[c], &value, sizeof value, static_cast<off_t>(i * sizeof value)) != sizeof value) {
      value = 0;
    }
    return value;
  };
  const std::size_t n = CompleteRecords(whole, read_value);
  for (std::size_t c = 0; c < kStoreColumnCount; ++c) {
    const std::size_t keep = n * sizeof(std::int64_t);
    if (lengths[c] != keep) {
      if (::ftruncate(writer.fds_[c], static_cast<off_t>(keep)) != 0) {
        return Error::Io(Errno("cannot truncate", dir / kColumnFiles[c]));
      }
    }
  }
  for (const std::size_t length : lengths) {
    writer.repaired_ += length - n * sizeof(std::int64_t);
  }
  writer.size_ = n;
  writer.last_ts_ = n > 0 ? read_value(StoreColumn::kTs, n - 1) : 0;
  return writer;
}

Result<AppendReport> BarWriter::Append(const BarColumns& bars) {
  AppendReport report;
  const std::size_t count = bars.size();
  TD_CHECK(bars.open.size() == count && bars.high.size() == count && bars.low.size() == count &&
           bars.close.size() == count && bars.volume.size() == count)
      << "BarColumns with columns of different lengths";
  if (bars.price_precision < 0 || bars.price_precision > kFixedPrecision || bars.volume_precision < 0 ||
      bars.volume_precision > kFixedPrecision) {
    return Error::InvalidArgument("precision must be within 0..9");
  }
  for (std::size_t i = 0; i < count; ++i) {
    const bool consistent = bars.low[i] <= bars.high[i] && bars.low[i] <= bars.open[i] &&
                            bars.open[i] <= bars.high[i] && bars.low[i] <= bars.close[i] &&
                            bars.close[i] <= bars.high[i] && bars.volume[i] >= 0;
    if (!consistent) {
      return Error::InvalidArgument("bar " + std::to_string(i) + " at " + IsoOf(bars.ts[i]) +
                                    " is inconsistent (needs low <= open, close <= high and volume >= 0)");
    }
  }
  // Decide which bars are new before writing anything, so a rejected batch leaves the series untouched.
  std::vector<std::size_t> fresh;
  fresh.reserve(count);
  std::int64_t last = size_ > 0 ? last_ts_ : INT64_MIN;
  std::optional<BarSeries> stored;
  for (std::size_t i = 0; i < count; ++i) {
    const std::int64_t t = bars.ts[i];
    if (t > last) {
      fresh.push_back(i);
      last = t;
      continue;
    }
    bool identical = false;
    if (size_ > 0 && t <= last_ts_) {
      if (!stored) {
        auto opened = BarSeries::Open(dir_);
        if (!opened.ok()) {
          return opened.error();
        }
        stored.emplace(std::move(*opened));
      }
      const std::size_t at = stored->LowerBound(UnixNanos(t));
      identical = at < stored->size() && stored->ts()[at] == t && stored->open()[at] == bars.open[i] &&
                  stored->high()[at] == bars.high[i] && stored->low()[at] == bars.low[i] &&
                  stored->close()[at] == bars.close[i] && stored->volume()[at] == bars.volume[i];
    } else {
      const auto it = std::lower_bound(fresh.begin(), fresh.end(), t,
                                       [&](std::size_t j, std::int64_t value) { return bars.ts[j] < value; });
      identical = it != fresh.end() && bars.SameBar(*it, bars, i);
    }
    if (!identical) {
      return Error{ErrorCode::kConflict,
                   "bar " + std::to_string(i) + " at " + IsoOf(t) + " is not after the last bar at " + IsoOf(last) +
                       " and differs from any stored bar with that time",
                   {}};
    }
    ++report.duplicates;
  }
  if (fresh.empty()) {
    return report;
  }
  if (bars.price_precision > header_.price_precision || bars.volume_precision > header_.volume_precision) {
    header_.price_precision = std::max(header_.price_precision, bars.price_precision);
    header_.volume_precision = std::max(header_.volume_precision, bars.volume_precision);
    TD_TRY(WriteHeader());
  }
  std::vector<std::int64_t> buffer(fresh.size());
  const std::array<const std::vector<std::int64_t>*, kStoreColumnCount - 1> sources = {
      &bars.open, &bars.high, &bars.low, &bars.close, &bars.volume, &bars.ts};
  for (std::size_t c = 0; c < kStoreColumnCount; ++c) {
    for (std::size_t k = 0; k < fresh.size(); ++k) {
      const std::size_t i = fresh[k];
      buffer[k] = c < sources.size()
                      ? (*sources[c])[i]
                      : static_cast<std::int64_t>(BarRecordCheck(bars.ts[i], bars.open[i], bars.high[i], bars.low[i],
                                                                 bars.close[i], bars.volume[i]));
    }
    TD_TRY(WriteAll(fds_[c], buffer.data(), buffer.size() * sizeof(std::int64_t), dir_ / kColumnFiles[c]));
  }
  size_ += fresh.size();
  last_ts_ = bars.ts[fresh.back()];
  report.appended = fresh.size();
  return report;
}

Status BarWriter::Sync() {
  for (std::size_t c = 0; c < kStoreColumnCount; ++c) {
    if (fds_[c] >= 0 && ::fsync(fds_[c]) != 0) {
      return Error::Io(Errno("cannot sync", dir_ / kColumnFiles[c]));
    }
  }
  return {};
}

fs::path BarStore::SeriesDir(const InstrumentId& instrument, BarSpec spec) const {
  return root_ / "bars" / std::string(instrument.exchange()) / EscapeSymbol(instrument.symbol()) / spec.ToString();
}

Result<BarWriter> BarStore::OpenWriter(const InstrumentId& instrument, BarSpec spec, int price_precision,
                                       int volume_precision) const {
  if (instrument.empty()) {
    return Error::InvalidArgument("instrument is required", "instrument");
  }
  return BarWriter::Open(SeriesDir(instrument, spec),
                         SeriesHeader{instrument, spec, price_precision, volume_precision});
}

Result<AppendReport> BarStore::Append(const InstrumentId& instrument, BarSpec spec, const BarColumns& bars) const {
  auto writer = OpenWriter(instrument, spec, bars.price_precision, bars.volume_precision);
  if (!writer.ok()) {
    return writer.error();
  }
  return writer->Append(bars);
}

Result<BarSeries> BarStore::Open(const InstrumentId& instrument, BarSpec spec) const {
  return BarSeries::Open(SeriesDir(instrument, spec));
}

std::vector<std::pair<InstrumentId, BarSpec>> BarStore::List() const {
  std::vector<std::pair<InstrumentId, BarSpec>> out;
  std::error_code ec;
  const fs::path bars = root_ / "bars";
  if (!fs::is_directory(bars, ec)) {
    return out;
  }
  for (fs::recursive_directory_iterator it(bars, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().filename() == kHeaderFile) {
      auto header = ReadHeader(it->path().parent_path());
      if (header.ok()) {
        out.emplace_back(header->instrument, header->spec);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace td::data
