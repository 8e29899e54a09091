// Rotation while the tailer runs: rename+create, copytruncate, deletion, drain and release.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "agent/tail/tailer.h"
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

constexpr auto kNever = std::chrono::hours(1);
constexpr auto kNow = std::chrono::milliseconds(0);

void Rename(const std::string& from, const std::string& to) {
  ASSERT_EQ(std::rename(from.c_str(), to.c_str()), 0);
}

void ExpectEachOnce(const RecordingSink& sink) {
  for (const auto& [line, count] : sink.Counts()) EXPECT_EQ(count, 1) << line;
}

TEST(TailerRotationTest, RenameAndCreateDrainsTheOldFileFirst) {
  TempDir dir;
  const std::string path = dir / "app.log";
  WriteFile(path, NumberedLines("old", 0, 3));
  TailOptions opts = OptionsFor(path);
  opts.rotated_drain_timeout = kNever;
  Tailer tailer(opts, {});
  RecordingSink sink;
  PollUntilIdle(tailer, sink);

  // logrotate renames; the writer still holds the old file and writes to it before reopening.
  Rename(path, dir / "app.log.1");
  AppendFile(dir / "app.log.1", NumberedLines("old", 3, 6));
  WriteFile(path, NumberedLines("new", 0, 3));
  PollUntilIdle(tailer, sink, 8);  // small budgets: both files get turns in the round-robin

  EXPECT_EQ(sink.lines, (std::vector<std::string>{"old-0", "old-1", "old-2", "old-3", "old-4",
                                                  "old-5", "new-0", "new-1", "new-2"}));
  EXPECT_EQ(tailer.stats().files_rotated, 1u);
  EXPECT_EQ(tailer.open_files(), 2u);  // the old one stays open until idle for the timeout
  EXPECT_EQ(tailer.stats().files_released, 0u);
  AppendFile(dir / "app.log.1", "old-6\n");  // late writes still arrive
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(sink.lines.back(), "old-6");
  EXPECT_EQ(tailer.Snapshot().size(), 2u);
}

TEST(TailerRotationTest, DrainedRotatedFileIsReleased) {
  TempDir dir;
  const std::string path = dir / "app.log";
  WriteFile(path, NumberedLines("old", 0, 3));
  TailOptions opts = OptionsFor(path);
  opts.rotated_drain_timeout = kNow;
  Tailer tailer(opts, {});
  RecordingSink sink;
  PollUntilIdle(tailer, sink);
  Rename(path, dir / "app.log.1");
  AppendFile(dir / "app.log.1", "old-3\n");
  WriteFile(path, "new-0\n");
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(sink.lines.size(), 5u);
  EXPECT_EQ(sink.LinesFrom(path).back(), "new-0");
  EXPECT_EQ(tailer.stats().files_released, 1u);
  EXPECT_EQ(tailer.open_files(), 1u);
  ASSERT_EQ(tailer.Snapshot().size(), 1u);
  EXPECT_EQ(tailer.Snapshot()[0].offset, 6u);
}

TEST(TailerRotationTest, FinalPartialLineOfARotatedFileIsDeliveredAtRelease) {
  TempDir dir;
  const std::string path = dir / "app.log";
  WriteFile(path, "a\nunfinished");
  TailOptions opts = OptionsFor(path);
  opts.rotated_drain_timeout = kNever;
  {
    Tailer tailer(opts, {});
    RecordingSink sink;
    PollUntilIdle(tailer, sink);
    Rename(path, dir / "app.log.1");
    PollUntilIdle(tailer, sink);
    EXPECT_EQ(sink.lines, std::vector<std::string>{"a"});  // still waiting for a newline
    EXPECT_EQ(tailer.Snapshot()[0].offset, 2u);
  }
  Rename(dir / "app.log.1", path);
  opts.rotated_drain_timeout = kNow;
  Tailer tailer(opts, {});
  RecordingSink sink;
  PollUntilIdle(tailer, sink);
  Rename(path, dir / "app.log.1");
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(sink.lines, (std::vector<std::string>{"a", "unfinished"}));
  EXPECT_EQ(tailer.stats().partial_lines_flushed, 1u);
  EXPECT_EQ(tailer.stats().files_released, 1u);
}

TEST(TailerRotationTest, RenameWithinTheGlobIsFollowedWithoutRereading) {
  TempDir dir;
  const std::string path = dir / "app.log";
  WriteFile(path, NumberedLines("old", 0, 3));
  Tailer tailer(OptionsFor(dir / "app.log*"), {});
  RecordingSink sink;
  PollUntilIdle(tailer, sink);
  Rename(path, dir / "app.log.1");
  AppendFile(dir / "app.log.1", "old-3\n");
  WriteFile(path, "new-0\n");
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(sink.lines.size(), 5u);
  ExpectEachOnce(sink);
  EXPECT_EQ(sink.LinesFrom(dir / "app.log.1"), std::vector<std::string>{"old-3"});
  EXPECT_EQ(tailer.stats().files_rotated, 1u);
  EXPECT_EQ(tailer.open_files(), 2u);  // both paths exist and are globbed
}

TEST(TailerRotationTest, CopyTruncateRestartsAtZero) {
  TempDir dir;
  const std::string path = dir / "app.log";
  WriteFile(path, NumberedLines("before", 0, 20));
  Tailer tailer(OptionsFor(path), {});
  RecordingSink sink;
  PollUntilIdle(tailer, sink);
  std::filesystem::copy_file(path, dir / "app.log.1");  // cp: same head, another inode
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  AppendFile(path, "after-0\n");
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(sink.lines.size(), 21u);
  EXPECT_EQ(sink.lines.back(), "after-0");
  EXPECT_EQ(tailer.stats().files_truncated, 1u);
  EXPECT_EQ(tailer.Snapshot()[0].offset, 8u);
}

TEST(TailerRotationTest, CopyTruncateRegrownPastTheOffsetIsCaughtByTheFingerprint) {
  TempDir dir;
  const std::string path = dir / "app.log";
  WriteFile(path, NumberedLines("before", 0, 2));
  Tailer tailer(OptionsFor(path), {});
  RecordingSink sink;
  PollUntilIdle(tailer, sink);
  // Truncated and rewritten beyond the old offset before the tailer looked again: the size
  // check alone cannot see it, the changed head can.
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  AppendFile(path, NumberedLines("after", 0, 10));
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(tailer.stats().files_truncated, 1u);
  EXPECT_EQ(sink.lines.size(), 12u);
  EXPECT_EQ(sink.lines[2], "after-0");
  EXPECT_EQ(sink.lines.back(), "after-9");
}

TEST(TailerRotationTest, DeletedFileIsDrainedThroughItsFdThenReleased) {
  TempDir dir;
  const std::string path = dir / "app.log";
  WriteFile(path, NumberedLines("x", 0, 100));
  TailOptions opts = OptionsFor(path);
  opts.rotated_drain_timeout = kNow;
  Tailer tailer(opts, {});
  RecordingSink sink;
  tailer.Poll(sink, 50);  // opened, read only partly
  ASSERT_EQ(::unlink(path.c_str()), 0);
  PollUntilIdle(tailer, sink, 50);
  EXPECT_EQ(sink.lines.size(), 100u);
  EXPECT_EQ(sink.lines.back(), "x-99");
  EXPECT_EQ(tailer.stats().files_deleted, 1u);
  EXPECT_EQ(tailer.stats().files_released, 1u);
  EXPECT_EQ(tailer.open_files(), 0u);
  EXPECT_TRUE(tailer.Snapshot().empty());
}

TEST(TailerRotationTest, RepeatedRotationsLoseAndRepeatNothing) {
  TempDir dir;
  const std::string path = dir / "app.log";
  TailOptions opts = OptionsFor(path);
  opts.rotated_drain_timeout = kNow;
  Tailer tailer(opts, {});
  RecordingSink sink;
  int next = 0;
  for (int round = 0; round < 5; ++round) {
    WriteFile(path, NumberedLines("round" + std::to_string(round) + "-padding", 0, 10));
    next += 10;
    tailer.Poll(sink, 64);            // part of the file only
    Rename(path, dir / "app.log.1");  // the previous .1 is replaced (deleted)
  }
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(static_cast<int>(sink.lines.size()), next);
  ExpectEachOnce(sink);
}

}  // namespace
}  // namespace vigil::tail
