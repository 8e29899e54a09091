// ProgramMain's dispatch: subcommands run instead of the service, --help lists them, stray
// arguments are refused naming the commands, and SIGHUP's Reload reaches services that have one.
#include "core/cli/program_main.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::cli {
namespace {

ProgramSpec Spec(std::vector<std::string>* seen) {
  ProgramSpec spec;
  spec.name = "vigil-test";
  spec.about = "A test program.";
  spec.default_config_text = [] {
    static const std::string text = "a: 1\n";
    return std::cref(text).get();
  };
  spec.describe_config = [](std::ostream& os) { os << "a: the option\n"; };
  spec.load = [](const std::string&) -> Result<std::unique_ptr<Service>> {
    return Status::InvalidArgument("no config in this test");
  };
  spec.subcommands.push_back({"check-things", "FILE...", "Checks things.",
                              [seen](const std::vector<std::string>& args) {
                                *seen = args;
                                return args.empty() ? 2 : 7;
                              }});
  return spec;
}

int RunMain(const std::vector<const char*>& args, const ProgramSpec& spec) {
  return ProgramMain(static_cast<int>(args.size()), args.data(), spec);
}

TEST(ProgramMainTest, SubcommandGetsTheRemainingWordsAndItsExitCode) {
  std::vector<std::string> seen;
  ProgramSpec spec = Spec(&seen);
  EXPECT_EQ(RunMain({"vigil-test", "check-things", "a.yaml", "--verbose", "b.yaml"}, spec), 7);
  EXPECT_EQ(seen, (std::vector<std::string>{"a.yaml", "--verbose", "b.yaml"}));
  EXPECT_EQ(RunMain({"vigil-test", "check-things"}, spec), 2);
  EXPECT_TRUE(seen.empty());
}

TEST(ProgramMainTest, HelpListsSubcommands) {
  std::vector<std::string> seen;
  ProgramSpec spec = Spec(&seen);
  testing::internal::CaptureStdout();
  EXPECT_EQ(RunMain({"vigil-test", "--help"}, spec), 0);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("vigil-test check-things FILE..."), std::string::npos) << out;
  EXPECT_NE(out.find("Checks things."), std::string::npos) << out;
  EXPECT_NE(out.find("SIGHUP"), std::string::npos) << out;
}

TEST(ProgramMainTest, StrayArgumentIsAUsageErrorNamingTheCommands) {
  std::vector<std::string> seen;
  ProgramSpec spec = Spec(&seen);
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunMain({"vigil-test", "check-thing"}, spec), 2);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("unexpected argument check-thing; commands are: check-things"),
            std::string::npos)
      << err;
}

TEST(ProgramMainTest, InvalidConfigExitsOne) {
  std::vector<std::string> seen;
  ProgramSpec spec = Spec(&seen);
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunMain({"vigil-test", "--check-config"}, spec), 1);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("invalid config: no config in this test"),
            std::string::npos);
}

struct Reloadable {
  int reloads = 0;
  Status Start() { return Status::Ok(); }
  Status Shutdown() { return Status::Ok(); }
  Status Reload() {
    ++reloads;
    return Status::InvalidArgument("bad rule file");
  }
};

struct NotReloadable {
  Status Start() { return Status::Ok(); }
  Status Shutdown() { return Status::Ok(); }
};

TEST(ServiceAdapterTest, ReloadReachesServicesThatHaveOne) {
  auto impl = std::make_unique<Reloadable>();
  Reloadable* raw = impl.get();
  ServiceAdapter<Reloadable> a(std::move(impl));
  Status st = a.Reload();
  EXPECT_EQ(raw->reloads, 1);
  EXPECT_EQ(st.message(), "bad rule file");

  ServiceAdapter<NotReloadable> b(std::make_unique<NotReloadable>());
  EXPECT_EQ(b.Reload().code(), StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace vigil::cli
