// check-rules and test-rules as a user runs them: each kind of bad rule file fails with its
// file:line:col and what is wrong, good files succeed, and usage errors exit 2.
#include "collector/rules/service/rule_commands.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace vigil::rules {
namespace {

namespace fs = std::filesystem;

class RuleCommandsTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigil-rule-commands-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }

  int Check(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    return RunCheckRules(args, out_, err_);
  }

  fs::path dir_;
  std::ostringstream out_, err_;
};

TEST_F(RuleCommandsTest, GoodFileReportsItsRules) {
  std::string f = Write("good.yaml",
                        "groups:\n  - name: g\n    rules:\n      - record: a:b\n        expr: sum(x)\n"
                        "      - alert: A\n        expr: a:b > 1\n        for: 1m\n");
  EXPECT_EQ(Check({f}), 0);
  EXPECT_EQ(out_.str(), "Checking " + f + "\n  SUCCESS: 2 rules found\n\n");
}

TEST_F(RuleCommandsTest, EachBadFileFailsWithPositionAndReason) {
  struct Case {
    const char* name;
    const char* text;
    const char* expect;  // after the file name
  };
  const Case cases[] = {
      {"syntax.yaml",
       "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(rate(x[5m]) by\n",
       ":5:"},
      {"function.yaml",
       "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: holt_winters(x[5m], 0.5, 0.5)\n",
       "holt_winters"},
      {"template.yaml",
       "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x > 1\n"
       "        annotations:\n          summary: \"{{ $labels.x \"\n",
       ":7:"},
      {"duplicate.yaml",
       "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: x\n"
       "  - name: g\n    rules:\n      - record: s\n        expr: y\n",
       "g"},
      {"duration.yaml",
       "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x > 1\n        for: 5 minutes\n",
       ":6:"},
  };
  for (const Case& c : cases) {
    std::string f = Write(c.name, c.text);
    EXPECT_EQ(Check({f}), 1) << c.name;
    const std::string out = out_.str();
    EXPECT_NE(out.find("  FAILED:\n" + f), std::string::npos) << c.name << ": " << out;
    EXPECT_NE(out.find(c.expect), std::string::npos) << c.name << ": " << out;
  }
}

TEST_F(RuleCommandsTest, OneBadFileFailsTheRunButAllAreChecked) {
  std::string good = Write("good.yaml", "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: x\n");
  std::string bad = Write("bad.yaml", "groups: 3\n");
  EXPECT_EQ(Check({bad, good}), 1);
  EXPECT_NE(out_.str().find("Checking " + good + "\n  SUCCESS: 1 rules found"), std::string::npos)
      << out_.str();
}

TEST_F(RuleCommandsTest, UsageErrors) {
  EXPECT_EQ(Check({}), 2);
  EXPECT_NE(err_.str().find("Usage: vigil-collector check-rules FILE..."), std::string::npos);
  EXPECT_EQ(Check({"--help"}), 0);
  EXPECT_NE(out_.str().find("Usage:"), std::string::npos);
  EXPECT_EQ(Check({"--bogus"}), 2);
  EXPECT_NE(err_.str().find("unknown option --bogus"), std::string::npos);
  std::ostringstream out, err;
  EXPECT_EQ(RunTestRules({}, out, err), 2);
  EXPECT_EQ(RunTestRules({(dir_ / "missing.yaml").string()}, out, err), 1);
  EXPECT_NE(out.str().find("missing.yaml"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace vigil::rules
