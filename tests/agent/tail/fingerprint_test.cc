#include "agent/tail/fingerprint.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "tests/agent/tail/tail_test_util.h"

namespace vigil::tail {
namespace {

using testing::TempDir;
using testing::WriteFile;

class FdCloser {
 public:
  explicit FdCloser(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY)) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

TEST(FingerprintTest, HashIsIncrementalOverChunks) {
  Fnv1a64 h;
  h.Update("hello ");
  h.Update("world");
  EXPECT_EQ(h.value(), HashBytes("hello world"));
  EXPECT_NE(HashBytes("hello world"), HashBytes("hello worle"));
  EXPECT_NE(HashBytes(""), HashBytes(std::string(1, '\0')));
}

TEST(FingerprintTest, ShortFileHashesWhatItHas) {
  TempDir dir;
  WriteFile(dir / "f", "abc\n");
  FdCloser f(dir / "f");
  Result<HeadHash> head = HashFileHead(f.fd(), 1024);
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->len, 4u);
  EXPECT_EQ(head->hash, HashBytes("abc\n"));
}

TEST(FingerprintTest, LongFileHashesOnlyTheHead) {
  TempDir dir;
  std::string data(10000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
  WriteFile(dir / "f", data);
  FdCloser f(dir / "f");
  Result<HeadHash> head = HashFileHead(f.fd(), 5000);  // spans several pread chunks
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->len, 5000u);
  EXPECT_EQ(head->hash, HashBytes(std::string_view(data).substr(0, 5000)));
}

TEST(FingerprintTest, PrefixMatch) {
  TempDir dir;
  WriteFile(dir / "f", "hello world\n");
  FdCloser f(dir / "f");
  EXPECT_TRUE(*HeadMatches(f.fd(), HashBytes("hello"), 5));
  EXPECT_FALSE(*HeadMatches(f.fd(), HashBytes("jello"), 5));
  // Longer than the file: the file cannot be the one whose head was hashed.
  EXPECT_FALSE(*HeadMatches(f.fd(), HashBytes("hello world\nmore"), 16));
}

TEST(FingerprintTest, BadFdIsAnError) {
  Result<HeadHash> head = HashFileHead(-1, 16);
  ASSERT_FALSE(head.ok());
  EXPECT_NE(head.status().message().find("reading file head"), std::string::npos);
}

}  // namespace
}  // namespace vigil::tail
