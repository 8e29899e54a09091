#include "agent/agent_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/config/yaml_document.h"
#include "tests/support/test_pki.h"

namespace vigil::agent {
namespace {

// Every agent config shipped in config/ must load, so the examples never rot.
TEST(AgentConfig, EveryShippedExampleLoads) {
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(VIGIL_SOURCE_DIR "/config")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("agent", 0) != 0 || entry.path().extension() != ".yaml") continue;
    Result<AgentConfig> cfg = LoadAgentConfig(entry.path().string());
    EXPECT_TRUE(cfg.ok()) << name << ": " << cfg.status().message();
    ++loaded;
  }
  EXPECT_GE(loaded, 1);
}

TEST(AgentConfig, EmbeddedDefaultIsTheShippedExample) {
  Result<std::string> file = config::ReadTextFile(VIGIL_SOURCE_DIR "/config/agent.yaml");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(DefaultAgentConfigText(), *file);
  Result<AgentConfig> cfg = LoadAgentConfig("");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_FALSE(cfg->agent.id.empty());  // filled with the host name
  EXPECT_EQ(cfg->forward.flush_interval, std::chrono::seconds(1));
}

TEST(AgentConfig, EnvironmentVariablesFillTheExample) {
  setenv("VIGIL_LOG_GLOB", "/tmp/x/*.log", 1);
  setenv("VIGIL_COLLECTOR_URL", "http://10.1.2.3:14318", 1);
  setenv("VIGIL_AGENT_ID", "host-a", 1);
  Result<AgentConfig> cfg = LoadAgentConfig("");
  unsetenv("VIGIL_LOG_GLOB");
  unsetenv("VIGIL_COLLECTOR_URL");
  unsetenv("VIGIL_AGENT_ID");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->tail.include, std::vector<std::string>{"/tmp/x/*.log"});
  EXPECT_EQ(cfg->forward.endpoint, "http://10.1.2.3:14318");
  EXPECT_EQ(cfg->agent.id, "host-a");
}

TEST(AgentConfig, UnknownKeyAndWrongTypeAreStartUpErrors) {
  Result<AgentConfig> bad_key = ParseAgentConfig(
      "agent:\n  state_dir: /tmp/s\ntail:\n  include: [/x]\n  max_line_byte: 1KiB\n", "a.yaml");
  ASSERT_FALSE(bad_key.ok());
  EXPECT_NE(bad_key.status().message().find("a.yaml:5:3: tail.max_line_byte: unknown key"),
            std::string::npos)
      << bad_key.status().message();

  Result<AgentConfig> bad_type = ParseAgentConfig(
      "agent:\n  state_dir: /tmp/s\ntail:\n  include: [/x]\nforward:\n  flush_interval: often\n",
      "a.yaml");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(
      bad_type.status().message().find("a.yaml:6:19: forward.flush_interval: expected a duration"),
      std::string::npos)
      << bad_type.status().message();
}

TEST(AgentConfig, CrossFieldChecks) {
  EXPECT_NE(ParseAgentConfig("agent:\n  state_dir: /s\n", "a.yaml")
                .status()
                .message()
                .find("tail.include: at least one glob"),
            std::string::npos);
  EXPECT_NE(
      ParseAgentConfig("agent:\n  state_dir: /s\ntail:\n  include: [/x]\nforward:\n  endpoint: "
                       "collector:4318\n",
                       "a.yaml")
          .status()
          .message()
          .find("expected an http:// or https:// URL"),
      std::string::npos);
}

TEST(AgentConfig, ForwardTlsIsCheckedAtStartUp) {
  const std::string base = "agent:\n  state_dir: /s\ntail:\n  include: [/x]\nforward:\n";
  Result<AgentConfig> ok = ParseAgentConfig(
      base + "  endpoint: https://collector:4318\n  tls: {insecure_skip_verify: true}\n", "a.yaml");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_TRUE(ok->forward.tls.insecure_skip_verify);
  EXPECT_NE(ParseAgentConfig(base + "  endpoint: https://c:4318\n  tls: {ca_file: /no/ca.pem}\n",
                             "a.yaml")
                .status()
                .message()
                .find("forward.tls.ca_file \"/no/ca.pem\""),
            std::string::npos);
  EXPECT_NE(ParseAgentConfig(
                base + "  endpoint: http://c:4318\n  tls: {insecure_skip_verify: true}\n", "a.yaml")
                .status()
                .message()
                .find("forward.tls: set only for an https:// endpoint"),
            std::string::npos);
}

// File paths in a config file are taken from that file's directory, whatever the working
// directory: a relative ca_file next to the config is found, and so is state_dir.
TEST(AgentConfig, RelativeFilePathsAreTakenFromTheConfigDirectory) {
  vigil::testing::TestPki pki;  // writes ca.pem into pki.dir()
  const std::string file = pki.dir() + "/agent.yaml";
  std::ofstream(file) << "agent:\n  state_dir: state\ntail:\n  include: [/x]\nforward:\n"
                         "  endpoint: https://collector:4318\n  tls: {ca_file: ca.pem}\n";
  Result<AgentConfig> cfg = LoadAgentConfig(file);
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->forward.tls.ca_file, pki.ca().cert_file);
  EXPECT_EQ(cfg->agent.state_dir, pki.dir() + "/state");

  // The same text read from elsewhere names the file it could not read, as resolved.
  std::filesystem::create_directory(pki.dir() + "/other");
  std::ofstream(pki.dir() + "/other/agent.yaml")
      << "agent:\n  state_dir: /s\ntail:\n  include: [/x]\nforward:\n"
         "  endpoint: https://collector:4318\n  tls: {ca_file: ca.pem}\n";
  Result<AgentConfig> missing = LoadAgentConfig(pki.dir() + "/other/agent.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("ca_file \"" + pki.dir() + "/other/ca.pem\""),
            std::string::npos)
      << missing.status().message();
}

TEST(AgentConfig, DescribeMentionsEverySection) {
  std::ostringstream os;
  DescribeAgentConfig(os);
  for (const char* s :
       {"agent:", "tail:", "fields:", "errors:", "metrics:", "forward:", "shutdown:"}) {
    EXPECT_NE(os.str().find(s), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace vigil::agent
