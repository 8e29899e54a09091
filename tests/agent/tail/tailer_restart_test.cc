// Restarts: a new Tailer given the previous one's Snapshot resumes exactly after the last line
// delivered, and a checkpoint applies only to the file it was taken of.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "agent/tail/checkpoint_store.h"
#include "agent/tail/fingerprint.h"
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

FileKey KeyOf(const std::string& path, std::string_view head) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return FileKey{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                 HashBytes(head), static_cast<uint32_t>(head.size())};
}

TEST(TailerRestartTest, ResumesExactlyAfterTheLastDeliveredLine) {
  TempDir dir;
  constexpr int kLines = 3000;
  WriteFile(dir / "a.log", NumberedLines("a", 0, kLines));
  WriteFile(dir / "b.log", NumberedLines("b", 0, kLines) + "b-partial");
  const TailOptions opts = OptionsFor(dir / "*.log");
  RecordingSink sink;
  std::vector<Checkpoint> cps;
  {
    Tailer first(opts, {});
    for (int i = 0; i < 7; ++i) first.Poll(sink, 1000);  // stops mid-line, mid-buffer
    ASSERT_LT(sink.lines.size(), 2u * kLines);
    ASSERT_GT(sink.lines.size(), 0u);
    cps = first.Snapshot();
  }
  // Through the store, as the agent does.
  CheckpointStore store(dir / "state");
  ASSERT_TRUE(store.Save(cps).ok());
  Result<std::vector<Checkpoint>> loaded = store.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(*loaded, cps);

  Tailer second(opts, *loaded);
  PollUntilIdle(second, sink);
  EXPECT_EQ(sink.lines.size(), 2u * kLines);
  std::map<std::string, int> counts = sink.Counts();
  for (int i = 0; i < kLines; ++i) {
    EXPECT_EQ(counts["a-" + std::to_string(i)], 1) << i;
    EXPECT_EQ(counts["b-" + std::to_string(i)], 1) << i;
  }
  EXPECT_EQ(counts.count("b-partial"), 0u);
}

TEST(TailerRestartTest, RotationWhileStoppedDrainsTheOldFileThenReadsTheNewOne) {
  TempDir dir;
  const std::string path = dir / "app.log";
  WriteFile(path, NumberedLines("old", 0, 10));
  const TailOptions opts = OptionsFor(path);
  RecordingSink sink;
  std::vector<Checkpoint> cps;
  {
    Tailer first(opts, {});
    first.Poll(sink, 30);
    cps = first.Snapshot();
  }
  const size_t delivered = sink.lines.size();
  ASSERT_GT(delivered, 0u);
  ASSERT_LT(delivered, 10u);
  // While stopped: rotated by rename, the writer wrote more to the old file, then a new one.
  ASSERT_EQ(std::rename(path.c_str(), (dir / "app.log.1").c_str()), 0);
  AppendFile(dir / "app.log.1", NumberedLines("old", 10, 12));
  WriteFile(path, NumberedLines("new", 0, 5));

  TailOptions opts2 = opts;
  opts2.read_new_files_from_start = false;  // the successor is read from 0 anyway
  Tailer second(opts2, cps);
  PollUntilIdle(second, sink, 8);  // small budgets: both files get turns in the round-robin
  std::vector<std::string> want;
  for (int i = 0; i < 12; ++i) want.push_back("old-" + std::to_string(i));
  for (int i = 0; i < 5; ++i) want.push_back("new-" + std::to_string(i));
  EXPECT_EQ(sink.lines, want);  // in order, none twice, none missing
  EXPECT_EQ(second.stats().files_rotated, 1u);
}

TEST(TailerRestartTest, ShorterRestoredFingerprintMatchesAsAPrefix) {
  TempDir dir;
  const std::string path = dir / "app.log";
  WriteFile(path, "a-0\n");  // shorter than fingerprint_bytes when checkpointed
  const TailOptions opts = OptionsFor(path);
  RecordingSink sink;
  std::vector<Checkpoint> cps;
  {
    Tailer first(opts, {});
    PollUntilIdle(first, sink);
    cps = first.Snapshot();
  }
  ASSERT_EQ(cps.size(), 1u);
  EXPECT_EQ(cps[0].key.fingerprint_len, 4u);
  AppendFile(path, NumberedLines("a", 1, 500));  // now far longer than fingerprint_bytes
  Tailer second(opts, cps);
  PollUntilIdle(second, sink);
  EXPECT_EQ(sink.lines.size(), 500u);
  for (const auto& [line, count] : sink.Counts()) EXPECT_EQ(count, 1) << line;
  EXPECT_EQ(second.Snapshot()[0].key.fingerprint_len, 1024u);
}

TEST(TailerRestartTest, RecycledInodeWithAnotherHeadIsReadFromZero) {
  TempDir dir;
  const std::string path = dir / "app.log";
  WriteFile(path, NumberedLines("fresh", 0, 5));
  // A checkpoint of an earlier file that had this inode (deleted, inode recycled by the
  // filesystem): same dev and inode, another head.
  Checkpoint cp{KeyOf(path, "old-0\nold-1\n"), path, 12};
  Tailer tailer(OptionsFor(path), {cp});
  RecordingSink sink;
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(sink.lines.size(), 5u);
  EXPECT_EQ(sink.lines.front(), "fresh-0");
}

TEST(TailerRestartTest, MatchingKeyResumesAtTheOffset) {
  TempDir dir;
  const std::string path = dir / "app.log";
  const std::string data = NumberedLines("x", 0, 5);
  WriteFile(path, data);
  Checkpoint cp{KeyOf(path, data), path, 12};  // after "x-0\nx-1\nx-2\n"
  Tailer tailer(OptionsFor(path), {cp});
  RecordingSink sink;
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(sink.lines, (std::vector<std::string>{"x-3", "x-4"}));
}

TEST(TailerRestartTest, ACopyWithTheSameHeadDoesNotInheritTheCheckpoint) {
  TempDir dir;
  const std::string path = dir / "app.log";
  WriteFile(path, NumberedLines("x", 0, 10));
  const TailOptions opts = OptionsFor(dir / "app.log*");
  RecordingSink sink;
  std::vector<Checkpoint> cps;
  {
    Tailer first(opts, {});
    first.Poll(sink, 20);
    cps = first.Snapshot();
  }
  const size_t delivered = sink.lines.size();
  ASSERT_GT(cps[0].offset, 0u);
  // While stopped: copytruncate (cp, then truncate, then the writer writes more than the old
  // offset), so the original keeps its inode but not its head, and the copy has the head but
  // another inode.
  std::filesystem::copy_file(path, dir / "app.log.1");
  WriteFile(path, NumberedLines("y", 0, 10));
  Tailer second(opts, cps);
  sink = RecordingSink{};
  PollUntilIdle(second, sink);
  // Neither file resumes at the old offset: both are read whole.
  EXPECT_EQ(sink.LinesFrom(path).size(), 10u);
  EXPECT_EQ(sink.LinesFrom(path).front(), "y-0");
  EXPECT_EQ(sink.LinesFrom(dir / "app.log.1").size(), 10u);
  EXPECT_GT(delivered, 0u);
}

TEST(TailerRestartTest, OffsetBeyondTheFileMeansTruncatedWhileStopped) {
  TempDir dir;
  const std::string path = dir / "app.log";
  const std::string data = NumberedLines("x", 0, 3);
  WriteFile(path, data);
  Checkpoint cp{KeyOf(path, data), path, 1000};
  Tailer tailer(OptionsFor(path), {cp});
  RecordingSink sink;
  PollUntilIdle(tailer, sink);
  EXPECT_EQ(sink.lines.size(), 3u);
  EXPECT_EQ(tailer.stats().files_truncated, 1u);
}

TEST(TailerRestartTest, SnapshotBeforeTheFirstPollIsTheRestoredState) {
  Checkpoint cp{FileKey{1, 2, 3, 4}, "/nowhere/app.log", 99};
  Tailer tailer(OptionsFor("/nowhere/*.log"), {cp});
  EXPECT_EQ(tailer.Snapshot(), std::vector<Checkpoint>{cp});
  RecordingSink sink;
  tailer.Poll(sink, 1024);
  EXPECT_TRUE(tailer.Snapshot().empty());  // its file is gone: nothing to resume
}

}  // namespace
}  // namespace vigil::tail
