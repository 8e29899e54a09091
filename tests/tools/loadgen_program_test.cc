// Tests of the vigil-loadgen program itself: exit codes and messages, and that SIGTERM ends an
// unbounded paced run cleanly with a truth file that matches the log.
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace vigil::tools {
namespace {

namespace fs = std::filesystem;

class LoadgenProgramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("vigil_loadgen_prog_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static size_t CountLines(const fs::path& p) {
    std::ifstream f(p);
    size_t n = 0;
    for (std::string line; std::getline(f, line);) ++n;
    return n;
  }

  fs::path dir_;
};

// Runs the real program; returns its exit status and captures stdout+stderr.
int RunProgram(const std::string& args, std::string* output) {
  const std::string cmd = std::string(VIGIL_LOADGEN_BIN) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  output->clear();
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), p)) > 0;) output->append(buf, n);
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(LoadgenProgramTest, ExitCodesAndMessages) {
  std::string out;
  EXPECT_EQ(RunProgram("--help", &out), 0);
  EXPECT_NE(out.find("Usage: vigil-loadgen"), std::string::npos);
  EXPECT_EQ(RunProgram("--version", &out), 0);
  EXPECT_NE(out.find("vigil-loadgen "), std::string::npos);
  EXPECT_EQ(RunProgram("--lines 1 --nope", &out), 2);
  EXPECT_NE(out.find("vigil-loadgen: unknown option '--nope'"), std::string::npos) << out;
  EXPECT_EQ(RunProgram("", &out), 2);
  EXPECT_NE(out.find("unbounded"), std::string::npos) << out;
  EXPECT_EQ(RunProgram("--lines 3 --out " + (dir_ / "missing" / "x").string(), &out), 1);
  EXPECT_NE(out.find("cannot open"), std::string::npos) << out;
  const fs::path file = dir_ / "p.jsonl";
  EXPECT_EQ(RunProgram("--lines 25 --quiet --out " + file.string(), &out), 0);
  EXPECT_EQ(out, "");
  EXPECT_EQ(CountLines(file), 25u);
  EXPECT_EQ(RunProgram("--lines 5 --out " + file.string(), &out), 0);
  EXPECT_NE(out.find("vigil-loadgen: 5 lines, "), std::string::npos) << out;
  EXPECT_EQ(CountLines(file), 30u);
}

TEST_F(LoadgenProgramTest, SigtermEndsAnUnboundedRunWithAMatchingTruthFile) {
  const std::string out = (dir_ / "app.jsonl").string();
  const std::string truth = (dir_ / "truth.json").string();
  std::vector<std::string> args = {VIGIL_LOADGEN_BIN, "--rate", "2000",    "--quiet",
                                   "--out",           out,      "--truth", truth};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, VIGIL_LOADGEN_BIN, nullptr, nullptr, argv.data(), environ), 0);
  // Let it write something (how much does not matter), then stop it.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.load(truth).get(doc), simdjson::SUCCESS);
  uint64_t lines = 0;
  ASSERT_EQ(doc["lines"].get(lines), simdjson::SUCCESS);
  EXPECT_EQ(lines, CountLines(out));
  uint64_t bytes = 0;
  ASSERT_EQ(doc["bytes"].get(bytes), simdjson::SUCCESS);
  EXPECT_EQ(bytes, fs::exists(out) ? fs::file_size(out) : 0u);
}

}  // namespace
}  // namespace vigil::tools
