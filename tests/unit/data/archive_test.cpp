// SPDX-License-Identifier: MIT
#include "data/archive.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>

#include "data_test_util.hpp"

namespace td::data {
namespace {

std::string GzipOf(std::string_view text) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&s, static_cast<uLong>(text.size())) + 32, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  s.avail_in = static_cast<uInt>(text.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

std::string RawDeflate(std::string_view text) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&s, static_cast<uLong>(text.size())) + 32, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  s.avail_in = static_cast<uInt>(text.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

void Put16(std::string& s, std::uint16_t v) {
  s.push_back(static_cast<char>(v & 0xff));
  s.push_back(static_cast<char>(v >> 8));
}
void Put32(std::string& s, std::uint32_t v) {
  Put16(s, static_cast<std::uint16_t>(v & 0xffff));
  Put16(s, static_cast<std::uint16_t>(v >> 16));
}

struct Member {
  std::string name;
  std::string text;
  bool deflate;
};

// Writes a minimal zip the way common tools do (local headers, central directory, end record).
std::string MakeZip(const std::vector<Member>& members) {
  std::string zip;
  std::string central;
  for (const Member& m : members) {
    const std::string data = m.deflate ? RawDeflate(m.text) : m.text;
    const auto crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(m.text.data()), static_cast<uInt>(m.text.size())));
    const auto offset = static_cast<std::uint32_t>(zip.size());
    Put32(zip, 0x04034b50);
    Put16(zip, 20);
    Put16(zip, 0);
    Put16(zip, m.deflate ? 8 : 0);
    Put32(zip, 0);
    Put32(zip, crc);
    Put32(zip, static_cast<std::uint32_t>(data.size()));
    Put32(zip, static_cast<std::uint32_t>(m.text.size()));
    Put16(zip, static_cast<std::uint16_t>(m.name.size()));
    Put16(zip, 0);
    zip += m.name;
    zip += data;
    Put32(central, 0x02014b50);
    Put16(central, 20);
    Put16(central, 20);
    Put16(central, 0);
    Put16(central, m.deflate ? 8 : 0);
    Put32(central, 0);
    Put32(central, crc);
    Put32(central, static_cast<std::uint32_t>(data.size()));
    Put32(central, static_cast<std::uint32_t>(m.text.size()));
    Put16(central, static_cast<std::uint16_t>(m.name.size()));
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0);
    Put32(central, 0);
    Put32(central, offset);
    central += m.name;
  }
  const auto cd_offset = static_cast<std::uint32_t>(zip.size());
  zip += central;
  Put32(zip, 0x06054b50);
  Put16(zip, 0);
  Put16(zip, 0);
  Put16(zip, static_cast<std::uint16_t>(members.size()));
  Put16(zip, static_cast<std::uint16_t>(members.size()));
  Put32(zip, static_cast<std::uint32_t>(central.size()));
  Put32(zip, cd_offset);
  Put16(zip, 0);
  return zip;
}

TEST(Gunzip, RoundTripsAndConcatenatedMembers) {
  const std::string text = "datetime,open\n" + std::string(100000, 'x') + "\n";
  auto once = Gunzip(GzipOf(text));
  ASSERT_TRUE(once.ok()) << once.error().ToString();
  EXPECT_EQ(*once, text);
  auto twice = Gunzip(GzipOf("abc") + GzipOf("def"));
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(*twice, "abcdef");
}

TEST(Gunzip, RejectsTruncatedAndCorruptStreams) {
  const std::string gz = GzipOf(std::string(5000, 'y'));
  EXPECT_FALSE(Gunzip(gz.substr(0, gz.size() / 2)).ok());
  std::string corrupt = gz;
  corrupt[12] = static_cast<char>(corrupt[12] ^ 0x55);
  corrupt[13] = static_cast<char>(corrupt[13] ^ 0x55);
  EXPECT_FALSE(Gunzip(corrupt).ok());
  EXPECT_FALSE(Gunzip("not gzip").ok());
  EXPECT_FALSE(Gunzip(gz, 100).ok()) << "output limit";
}

TEST(ZipArchive, ReadsStoredAndDeflatedMembers) {
  const std::string zip = MakeZip({{"a.csv", "1,2,3\n", false}, {"dir/b.csv", std::string(4000, 'q'), true}});
  auto archive = ZipArchive::Parse(zip);
  ASSERT_TRUE(archive.ok()) << archive.error().ToString();
  ASSERT_EQ(archive->entries().size(), 2U);
  EXPECT_EQ(archive->entries()[0].name, "a.csv");
  EXPECT_EQ(archive->entries()[1].method, 8);
  EXPECT_EQ(archive->Extract(archive->entries()[0]).value(), "1,2,3\n");
  EXPECT_EQ(archive->Extract(archive->entries()[1]).value(), std::string(4000, 'q'));
}

TEST(ZipArchive, DetectsCrcMismatchAndTruncation) {
  std::string zip = MakeZip({{"a.csv", "hello world, hello world", false}});
  const std::size_t data_at = 30 + 5;
  zip[data_at] = 'H';
  auto archive = ZipArchive::Parse(zip);
  ASSERT_TRUE(archive.ok());
  auto extracted = archive->Extract(archive->entries()[0]);
  ASSERT_FALSE(extracted.ok());
  EXPECT_NE(extracted.error().message.find("CRC"), std::string::npos);
  const std::string good = MakeZip({{"a.csv", "abc", true}});
  for (std::size_t cut = 0; cut < good.size(); ++cut) {
    auto partial = ZipArchive::Parse(std::string_view(good).substr(0, cut));
    if (partial.ok()) {
      for (const auto& entry : partial->entries()) {
        (void)partial->Extract(entry);
      }
    }
  }
  EXPECT_FALSE(ZipArchive::Parse("PK\x05\x06").ok());
}

TEST(ZipArchive, ReadsRealLeanArchive) {
  TD_REQUIRE_DATA("us_equity/daily/lean/daily_spy.zip");
  auto bytes = ReadWholeFile(testing::DataDir() / "us_equity/daily/lean/daily_spy.zip");
  ASSERT_TRUE(bytes.ok());
  ASSERT_TRUE(LooksZip(*bytes));
  auto archive = ZipArchive::Parse(*bytes);
  ASSERT_TRUE(archive.ok()) << archive.error().ToString();
  ASSERT_EQ(archive->entries().size(), 1U);
  EXPECT_EQ(archive->entries()[0].name, "spy.csv");
  auto text = archive->Extract(archive->entries()[0]);
  ASSERT_TRUE(text.ok()) << text.error().ToString();
  EXPECT_EQ(text->size(), 326552U);
  EXPECT_EQ(text->substr(0, 15), "19980102 00:00,");
}

}  // namespace
}  // namespace td::data
