#include "agent/tail/scanner.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "tests/agent/tail/tail_test_util.h"

namespace vigil::tail {
namespace {

using testing::TempDir;
using testing::WriteFile;

std::vector<std::string> Paths(const std::vector<FoundFile>& found) {
  std::vector<std::string> out;
  for (const FoundFile& f : found) out.push_back(f.path);
  return out;
}

TEST(ScannerTest, ExpandsGlobsAndAppliesExcludes) {
  TempDir dir;
  WriteFile(dir / "b.jsonl", "");
  WriteFile(dir / "a.jsonl", "");
  WriteFile(dir / "c.log", "");
  WriteFile(dir / "old.jsonl.gz", "");
  WriteFile(dir / "debug-x.jsonl", "");
  std::filesystem::create_directory(dir / "sub.jsonl");  // a directory is not tailed

  Scanner scanner({dir / "*.jsonl", dir / "*.gz"}, {"*.gz", dir / "debug-*"});
  EXPECT_EQ(Paths(scanner.Scan()), (std::vector<std::string>{dir / "a.jsonl", dir / "b.jsonl"}));
  EXPECT_TRUE(scanner.Excluded("/anywhere/x.gz"));
  EXPECT_FALSE(scanner.Excluded(dir / "a.jsonl"));
}

TEST(ScannerTest, NoMatchAndMissingDirectoryGiveNothing) {
  TempDir dir;
  Scanner scanner({dir / "*.jsonl", dir / "missing/*.log"}, {});
  EXPECT_TRUE(scanner.Scan().empty());
}

TEST(ScannerTest, SeesNewFilesAndReportsInodes) {
  TempDir dir;
  Scanner scanner({dir / "*.log"}, {});
  EXPECT_TRUE(scanner.Scan().empty());
  WriteFile(dir / "x.log", "1\n");
  std::vector<FoundFile> found = scanner.Scan();
  ASSERT_EQ(found.size(), 1u);
  struct stat st;
  ASSERT_EQ(::stat((dir / "x.log").c_str(), &st), 0);
  EXPECT_EQ(found[0].ino, static_cast<uint64_t>(st.st_ino));
  EXPECT_EQ(found[0].dev, static_cast<uint64_t>(st.st_dev));
}

TEST(ScannerTest, EachInodeOnce) {
  TempDir dir;
  WriteFile(dir / "a.log", "1\n");
  ASSERT_EQ(::link((dir / "a.log").c_str(), (dir / "b.log").c_str()), 0);
  ASSERT_EQ(::symlink((dir / "a.log").c_str(), (dir / "c.log").c_str()), 0);
  Scanner scanner({dir / "*.log"}, {});
  EXPECT_EQ(Paths(scanner.Scan()), std::vector<std::string>{dir / "a.log"});
}

TEST(ScannerTest, FindByInode) {
  TempDir dir;
  WriteFile(dir / "a.log", "1\n");
  WriteFile(dir / "b.log", "2\n");
  struct stat st;
  ASSERT_EQ(::stat((dir / "b.log").c_str(), &st), 0);
  std::optional<FoundFile> found = Scanner::FindByInode(dir.path(), st.st_dev, st.st_ino);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->path, dir / "b.log");
  EXPECT_FALSE(Scanner::FindByInode(dir.path(), st.st_dev + 1, st.st_ino).has_value());
  EXPECT_FALSE(Scanner::FindByInode(dir / "missing", st.st_dev, st.st_ino).has_value());
}

}  // namespace
}  // namespace vigil::tail
