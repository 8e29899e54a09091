#include "agent/tail/file_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "agent/tail/fingerprint.h"
#include "tests/agent/tail/tail_test_util.h"

namespace vigil::tail {
namespace {

using testing::AppendFile;
using testing::RecordingSink;
using testing::TempDir;
using testing::WriteFile;

std::unique_ptr<FileReader> OpenOrDie(const std::string& path, ReaderLimits limits = {}) {
  Result<std::unique_ptr<FileReader>> r = FileReader::Open(path, limits);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

// Reads until EOF with the given per-call budget.
void ReadAll(FileReader& reader, LineBuffer& buf, LineSink& sink, TailStats& stats,
             size_t budget = 1 << 20) {
  size_t got = 0;
  for (int i = 0; i < 100000; ++i) {
    if (reader.Read(buf, budget, sink, stats, &got) != FileReader::ReadStatus::kData) return;
  }
  ADD_FAILURE() << "never reached EOF";
}

TEST(FileReaderTest, SplitsLinesStripsCrAndHoldsThePartialLine) {
  TempDir dir;
  const std::string path = dir / "f.log";
  WriteFile(path, "a\nbb\r\n\nc");
  auto reader = OpenOrDie(path);
  LineBuffer buf(4096);
  RecordingSink sink;
  TailStats stats;
  ReadAll(*reader, buf, sink, stats);
  EXPECT_EQ(sink.lines, (std::vector<std::string>{"a", "bb", ""}));
  EXPECT_EQ(sink.paths[0], path);
  EXPECT_EQ(reader->checkpoint_offset(), 7u);  // before the partial "c"
  EXPECT_EQ(reader->read_offset(), 8u);
  EXPECT_TRUE(reader->has_partial());
  EXPECT_EQ(stats.lines, 3u);
  EXPECT_EQ(stats.bytes, 8u);

  AppendFile(path, "d\n");
  ReadAll(*reader, buf, sink, stats);
  EXPECT_EQ(sink.lines.back(), "cd");
  EXPECT_EQ(reader->checkpoint_offset(), 10u);
  EXPECT_FALSE(reader->has_partial());
}

TEST(FileReaderTest, TinyBudgetsReassembleLines) {
  TempDir dir;
  const std::string path = dir / "f.log";
  const std::string data = testing::NumberedLines("line", 0, 50);
  WriteFile(path, data);
  for (size_t budget : {1, 2, 3, 7}) {
    auto reader = OpenOrDie(path);
    LineBuffer buf(4096);
    RecordingSink sink;
    TailStats stats;
    ReadAll(*reader, buf, sink, stats, budget);
    ASSERT_EQ(sink.lines.size(), 50u) << "budget " << budget;
    EXPECT_EQ(sink.lines[49], "line-49");
    EXPECT_EQ(reader->checkpoint_offset(), data.size());
  }
}

TEST(FileReaderTest, LinesEndWithinThePaddedBuffer) {
  TempDir dir;
  const std::string path = dir / "f.log";
  WriteFile(path, testing::NumberedLines("x", 0, 1000));
  auto reader = OpenOrDie(path);
  LineBuffer buf(256);  // lines land at the very end of the buffer often
  struct Check : LineSink {
    LineBuffer* buf;
    int bad = 0, n = 0;
    void OnLine(std::string_view line, std::string_view) override {
      ++n;
      if (line.data() < buf->data() ||
          line.data() + line.size() + kLinePadding > buf->data() + buf->capacity() + kLinePadding)
        ++bad;
    }
  } sink;
  sink.buf = &buf;
  TailStats stats;
  ReadAll(*reader, buf, sink, stats);
  EXPECT_EQ(sink.n, 1000);
  EXPECT_EQ(sink.bad, 0);
}

TEST(FileReaderTest, TooLongLinesAreSkippedAndCounted) {
  TempDir dir;
  const std::string path = dir / "f.log";
  // One too-long line spanning several buffers, one too long but inside one buffer, one of
  // exactly the limit (kept), then a normal line.
  const std::string exact(16, 'e');
  WriteFile(path, std::string(300, 'L') + "\n" + std::string(20, 'M') + "\n" + exact + "\nok\n");
  ReaderLimits limits;
  limits.max_line_bytes = 16;
  auto reader = OpenOrDie(path, limits);
  LineBuffer buf(64);
  RecordingSink sink;
  TailStats stats;
  ReadAll(*reader, buf, sink, stats, 40);
  EXPECT_EQ(sink.lines, (std::vector<std::string>{exact, "ok"}));
  EXPECT_EQ(stats.lines_too_long, 2u);
}

TEST(FileReaderTest, CheckpointStaysBeforeALongLineBeingSkipped) {
  TempDir dir;
  const std::string path = dir / "f.log";
  WriteFile(path, "a\n" + std::string(100, 'L'));  // the long line has no newline yet
  ReaderLimits limits;
  limits.max_line_bytes = 16;
  auto reader = OpenOrDie(path, limits);
  LineBuffer buf(64);
  RecordingSink sink;
  TailStats stats;
  ReadAll(*reader, buf, sink, stats);
  EXPECT_EQ(sink.lines, std::vector<std::string>{"a"});
  EXPECT_EQ(reader->checkpoint_offset(), 2u);
  EXPECT_EQ(stats.lines_too_long, 1u);
  AppendFile(path, "LL\nb\n");
  ReadAll(*reader, buf, sink, stats);
  EXPECT_EQ(sink.lines, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(stats.lines_too_long, 1u);  // counted once
  EXPECT_EQ(reader->checkpoint_offset(), 107u);
}

TEST(FileReaderTest, BinaryGarbagePassesThroughAsLines) {
  TempDir dir;
  const std::string path = dir / "f.log";
  const std::string garbage("\0\xff\xfe{\"\x01", 6);
  WriteFile(path, garbage + "\n");
  auto reader = OpenOrDie(path);
  LineBuffer buf(4096);
  RecordingSink sink;
  TailStats stats;
  ReadAll(*reader, buf, sink, stats);
  ASSERT_EQ(sink.lines.size(), 1u);
  EXPECT_EQ(sink.lines[0], garbage);
}

TEST(FileReaderTest, FlushPartialDeliversTheLastLineOnce) {
  TempDir dir;
  const std::string path = dir / "f.log";
  WriteFile(path, "a\ntail\r");
  auto reader = OpenOrDie(path);
  LineBuffer buf(4096);
  RecordingSink sink;
  TailStats stats;
  ReadAll(*reader, buf, sink, stats);
  EXPECT_TRUE(reader->FlushPartial(buf, sink, stats));
  EXPECT_FALSE(reader->FlushPartial(buf, sink, stats));
  EXPECT_EQ(sink.lines, (std::vector<std::string>{"a", "tail"}));
  EXPECT_EQ(stats.partial_lines_flushed, 1u);
  EXPECT_EQ(reader->checkpoint_offset(), 7u);
}

TEST(FileReaderTest, TruncationRestartsAtZero) {
  TempDir dir;
  const std::string path = dir / "f.log";
  WriteFile(path, testing::NumberedLines("old", 0, 10));
  auto reader = OpenOrDie(path);
  LineBuffer buf(4096);
  RecordingSink sink;
  TailStats stats;
  ReadAll(*reader, buf, sink, stats);
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  AppendFile(path, "new-0\n");
  size_t got = 0;
  EXPECT_EQ(reader->Read(buf, 1 << 20, sink, stats, &got), FileReader::ReadStatus::kTruncated);
  EXPECT_EQ(stats.files_truncated, 1u);
  ReadAll(*reader, buf, sink, stats);
  EXPECT_EQ(sink.lines.back(), "new-0");
  EXPECT_EQ(sink.lines.size(), 11u);
  EXPECT_EQ(reader->key().fingerprint, HashBytes("new-0\n"));
}

TEST(FileReaderTest, FingerprintGrowsWithTheFileUpToItsLimit) {
  TempDir dir;
  const std::string path = dir / "f.log";
  WriteFile(path, "ab\n");
  ReaderLimits limits;
  limits.fingerprint_bytes = 32;
  auto reader = OpenOrDie(path, limits);
  EXPECT_EQ(reader->key().fingerprint_len, 3u);
  EXPECT_EQ(reader->key().fingerprint, HashBytes("ab\n"));
  LineBuffer buf(4096);
  RecordingSink sink;
  TailStats stats;
  const std::string more = testing::NumberedLines("more", 0, 10);
  AppendFile(path, more);
  ReadAll(*reader, buf, sink, stats);
  EXPECT_EQ(reader->key().fingerprint_len, 32u);
  EXPECT_EQ(reader->key().fingerprint, HashBytes(("ab\n" + more).substr(0, 32)));
  EXPECT_FALSE(reader->HeadChanged());
  // Rewritten in place with another head: detected.
  WriteFile(path, std::string(64, 'z'));
  EXPECT_TRUE(reader->HeadChanged());
}

TEST(FileReaderTest, OpenErrorsNameThePath) {
  TempDir dir;
  Result<std::unique_ptr<FileReader>> missing = FileReader::Open(dir / "nope.log", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(dir / "nope.log"), std::string::npos);
  Result<std::unique_ptr<FileReader>> directory = FileReader::Open(dir.path(), {});
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(directory.status().message().find("not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace vigil::tail
