#include "agent/tail/tailer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "tests/agent/tail/tail_test_util.h"

namespace vigil::tail {
namespace {

using testing::AppendFile;
using testing::NumberedLines;
using testing::OptionsFor;
using testing::PollUntilIdle;
using testing::RecordingSink;
using testing::TempDir;
using testing::WriteFile;

TEST(TailerTest, GlobsAndExcludes) {
  TempDir dir;
  WriteFile(dir / "a.jsonl", NumberedLines("a", 0, 3));
  WriteFile(dir / "b.jsonl", NumberedLines("b", 0, 2));
  WriteFile(dir / "c.log", NumberedLines("c", 0, 2));
  WriteFile(dir / "d.jsonl.gz", NumberedLines("d", 0, 2));
  TailOptions opts = OptionsFor(dir / "*.jsonl");
  opts.include.push_back(dir / "*.gz");
  opts.exclude = {"*.gz"};
  Tailer tailer(opts, {});
  RecordingSink sink;
  EXPECT_EQ(PollUntilIdle(tailer, sink), 12u + 8u);
  EXPECT_EQ(sink.LinesFrom(dir / "a.jsonl"), (std::vector<std::string>{"a-0", "a-1", "a-2"}));
  EXPECT_EQ(sink.LinesFrom(dir / "b.jsonl"), (std::vector<std::string>{"b-0", "b-1"}));
  EXPECT_EQ(sink.lines.size(), 5u);
  EXPECT_EQ(tailer.open_files(), 2u);
  EXPECT_EQ(tailer.stats().files_opened, 2u);
  EXPECT_EQ(tailer.stats().lines, 5u);
}

TEST(TailerTest, NewFilesArePickedUpOnRescanFromTheStart) {
  TempDir dir;
  WriteFile(dir / "a.log", "a\n");
  TailOptions opts = OptionsFor(dir / "*.log");
  opts.read_new_files_from_start = false;  // applies to files present at start only
  Tailer tailer(opts, {});
  RecordingSink sink;
  PollUntilIdle(tailer, sink);
  EXPECT_TRUE(sink.lines.empty());  // a.log existed: read from its end
  AppendFile(dir / "a.log", "a2\n");
  WriteFile(dir / "b.log", "b1\nb2\n");
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(sink.LinesFrom(dir / "a.log"), std::vector<std::string>{"a2"});
  EXPECT_EQ(sink.LinesFrom(dir / "b.log"), (std::vector<std::string>{"b1", "b2"}));
}

TEST(TailerTest, ScanIntervalIsHonoured) {
  TempDir dir;
  TailOptions opts = OptionsFor(dir / "*.log");
  opts.scan_interval = std::chrono::hours(1);
  Tailer tailer(opts, {});
  RecordingSink sink;
  PollUntilIdle(tailer, sink);  // the first Poll always scans
  WriteFile(dir / "late.log", "x\n");
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(tailer.open_files(), 0u);
  EXPECT_TRUE(sink.lines.empty());
}

TEST(TailerTest, PartialLastLineWaitsForItsNewline) {
  TempDir dir;
  const std::string path = dir / "a.log";
  WriteFile(path, "one\ntw");
  Tailer tailer(OptionsFor(path), {});
  RecordingSink sink;
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(sink.lines, std::vector<std::string>{"one"});
  std::vector<Checkpoint> cps = tailer.Snapshot();
  ASSERT_EQ(cps.size(), 1u);
  EXPECT_EQ(cps[0].offset, 4u);
  EXPECT_EQ(cps[0].path, path);
  AppendFile(path, "o\n");
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(sink.lines, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(tailer.Snapshot()[0].offset, 8u);
}

TEST(TailerTest, LongLinesAreCountedNotDelivered) {
  TempDir dir;
  const std::string path = dir / "a.log";
  WriteFile(path, "x\n" + std::string(5000, 'y') + "\nz\n");
  TailOptions opts = OptionsFor(path);
  opts.max_line_bytes = 1000;
  opts.read_buffer_bytes = 4096;
  Tailer tailer(opts, {});
  RecordingSink sink;
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(sink.lines, (std::vector<std::string>{"x", "z"}));
  EXPECT_EQ(tailer.stats().lines_too_long, 1u);
}

TEST(TailerTest, PollHonoursItsBudgetAndAHugeFileDoesNotStarveOthers) {
  TempDir dir;
  // Sorted first, so a naive reader would drain it before touching the small file.
  WriteFile(dir / "a-huge.log", NumberedLines(std::string(200, 'h'), 0, 20000));  // ~4 MB
  WriteFile(dir / "b-small.log", NumberedLines("small", 0, 5));
  TailOptions opts = OptionsFor(dir / "*.log");
  opts.read_buffer_bytes = 64 * 1024;
  Tailer tailer(opts, {});
  RecordingSink sink;
  const size_t budget = 256 * 1024;
  size_t n = tailer.Poll(sink, budget);
  EXPECT_GT(n, 0u);
  EXPECT_LE(n, budget);
  EXPECT_EQ(sink.LinesFrom(dir / "b-small.log").size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_LE(tailer.Poll(sink, budget), budget);
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(sink.lines.size(), 20005u);
}

TEST(TailerTest, EveryFileProgressesUnderTinyBudgets) {
  TempDir dir;
  for (char c = 'a'; c <= 'e'; ++c) {
    WriteFile(dir / (std::string(1, c) + ".log"), NumberedLines(std::string(1, c), 0, 100));
  }
  Tailer tailer(OptionsFor(dir / "*.log"), {});
  RecordingSink sink;
  // 5 files, 30 bytes per Poll: the round-robin start rotates so every file gets a turn.
  for (int i = 0; i < 10; ++i) tailer.Poll(sink, 30);
  for (char c = 'a'; c <= 'e'; ++c) {
    EXPECT_FALSE(sink.LinesFrom(dir / (std::string(1, c) + ".log")).empty()) << c;
  }
  PollUntilIdle(tailer, sink, 30);
  EXPECT_EQ(sink.lines.size(), 500u);
  for (const auto& [line, count] : sink.Counts()) EXPECT_EQ(count, 1) << line;
}

TEST(TailerTest, UnreadableFileIsCountedOnceAndSkipped) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  TempDir dir;
  WriteFile(dir / "a.log", "a\n");
  WriteFile(dir / "b.log", "b\n");
  ASSERT_EQ(::chmod((dir / "a.log").c_str(), 0), 0);
  Tailer tailer(OptionsFor(dir / "*.log"), {});
  RecordingSink sink;
  PollUntilIdle(tailer, sink);
  tailer.Poll(sink, 1 << 20);
  EXPECT_EQ(sink.lines, std::vector<std::string>{"b"});
  EXPECT_EQ(tailer.stats().read_errors, 1u);
}

}  // namespace
}  // namespace vigil::tail
