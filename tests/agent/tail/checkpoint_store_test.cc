#include "agent/tail/checkpoint_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/agent/tail/tail_test_util.h"

namespace vigil::tail {
namespace {

using testing::TempDir;
using testing::WriteFile;

std::vector<Checkpoint> Sample() {
  return {
      Checkpoint{FileKey{2049, 123456789, 0xdeadbeefcafef00dULL, 1024}, "/var/log/app/a.jsonl",
                 987654321012ULL},
      Checkpoint{FileKey{1, 2, 0, 0}, "/tmp/with space/%odd\nname\r.log", 0},
      Checkpoint{FileKey{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT32_MAX}, "/x", UINT64_MAX},
  };
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CheckpointStoreTest, MissingFileLoadsEmpty) {
  TempDir dir;
  CheckpointStore store(dir / "state");
  Result<std::vector<Checkpoint>> cps = store.Load();
  ASSERT_TRUE(cps.ok()) << cps.status().ToString();
  EXPECT_TRUE(cps->empty());
}

TEST(CheckpointStoreTest, SaveLoadRoundTrip) {
  TempDir dir;
  CheckpointStore store(dir / "state");  // created by Save
  ASSERT_TRUE(store.Save(Sample()).ok());
  Result<std::vector<Checkpoint>> cps = store.Load();
  ASSERT_TRUE(cps.ok()) << cps.status().ToString();
  EXPECT_EQ(*cps, Sample());

  ASSERT_TRUE(store.Save({}).ok());  // replaced, not appended
  cps = store.Load();
  ASSERT_TRUE(cps.ok());
  EXPECT_TRUE(cps->empty());
  // Nothing but the checkpoint file is left behind.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir / "state")) {
    EXPECT_EQ(e.path().string(), store.path());
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(CheckpointStoreTest, SaveReplacesAtomicallyOverAStaleTempFile) {
  TempDir dir;
  CheckpointStore store(dir.path());
  ASSERT_TRUE(store.Save(Sample()).ok());
  WriteFile(store.path() + ".tmp", "half-written garbage from a crash");
  std::vector<Checkpoint> one = {Sample()[0]};
  ASSERT_TRUE(store.Save(one).ok());
  EXPECT_EQ(*store.Load(), one);
  EXPECT_FALSE(std::filesystem::exists(store.path() + ".tmp"));
}

struct CorruptCase {
  const char* name;
  std::string (*mutate)(std::string);
  const char* why;
};

class CheckpointStoreCorruptTest : public ::testing::TestWithParam<CorruptCase> {};

TEST_P(CheckpointStoreCorruptTest, IsDataLossNamingTheFile) {
  TempDir dir;
  CheckpointStore store(dir.path());
  ASSERT_TRUE(store.Save(Sample()).ok());
  WriteFile(store.path(), GetParam().mutate(ReadAll(store.path())));
  Result<std::vector<Checkpoint>> cps = store.Load();
  ASSERT_FALSE(cps.ok());
  EXPECT_EQ(cps.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(cps.status().message().find(store.path()), std::string::npos) << cps.status().message();
  EXPECT_NE(cps.status().message().find(GetParam().why), std::string::npos)
      << cps.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CheckpointStoreCorruptTest,
    ::testing::Values(
        CorruptCase{"Empty", [](std::string) { return std::string(); }, "truncated"},
        CorruptCase{"NotOurs", [](std::string) { return std::string("{\"json\": 1}\n"); },
                    "expected header"},
        CorruptCase{"CutShort", [](std::string s) { return s.substr(0, s.size() / 2) + "\n"; },
                    "line"},
        CorruptCase{"NoEndLine", [](std::string s) { return s.substr(0, s.rfind("end ")); },
                    "missing end line"},
        CorruptCase{"FlippedDigit",
                    [](std::string s) {
                      s[s.find("987654321012")] = '8';
                      return s;
                    },
                    "checksum mismatch"},
        CorruptCase{"BadNumber",
                    [](std::string s) {
                      s[s.find("2049")] = 'x';
                      return s;
                    },
                    "bad number"},
        CorruptCase{"MissingFields",
                    [](std::string s) {
                      size_t at = s.find('\n') + 1;
                      return s.insert(at, "1 2 3\n");
                    },
                    "expected 6 fields"},
        CorruptCase{"WrongCount",
                    [](std::string s) {
                      s[s.rfind("end 3") + 4] = '4';
                      return s;
                    },
                    "counts 4 records"},
        CorruptCase{"TrailingData", [](std::string s) { return s + "more\n"; },
                    "data after the end line"}),
    [](const ::testing::TestParamInfo<CorruptCase>& info) { return info.param.name; });

TEST(CheckpointStoreTest, BadEscapeIsDataLoss) {
  Result<std::vector<Checkpoint>> cps =
      CheckpointStore::Decode("vigil-tail-checkpoints 1\n1 2 0000000000000000 0 0 /a%zz\n", "mem");
  ASSERT_FALSE(cps.ok());
  EXPECT_NE(cps.status().message().find("bad escape"), std::string::npos);
}

TEST(CheckpointStoreTest, UnusableStateDirIsAnErrorNamingIt) {
  TempDir dir;
  WriteFile(dir / "file", "x");
  CheckpointStore store(dir / "file");  // a file where the directory should be
  Status s = store.Save(Sample());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(dir / "file"), std::string::npos) << s.message();

  std::filesystem::create_directories(dir / "d/tail.checkpoints");  // the file is a directory
  Result<std::vector<Checkpoint>> cps = CheckpointStore(dir / "d").Load();
  ASSERT_FALSE(cps.ok());
  EXPECT_NE(cps.status().message().find(dir / "d/tail.checkpoints"), std::string::npos)
      << cps.status().message();
}

}  // namespace
}  // namespace vigil::tail
