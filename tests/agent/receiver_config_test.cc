// The receiver and span_metrics sections of the agent config.
#include <gtest/gtest.h>

#include <cstdlib>

#include "agent/agent_config.h"

namespace vigil::agent {
namespace {

constexpr const char* kBase = "agent:\n  state_dir: /tmp/s\ntail:\n  include: [/x]\n";

TEST(ReceiverConfig, OffWithoutASectionOnInTheShippedDefault) {
  Result<AgentConfig> plain = ParseAgentConfig(kBase, "a.yaml");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_FALSE(plain->receiver.enabled);

  setenv("VIGIL_AGENT_OTLP_ADDR", "0.0.0.0:14318", 1);
  Result<AgentConfig> shipped = LoadAgentConfig("");
  unsetenv("VIGIL_AGENT_OTLP_ADDR");
  ASSERT_TRUE(shipped.ok()) << shipped.status().ToString();
  EXPECT_TRUE(shipped->receiver.enabled);
  EXPECT_EQ(shipped->receiver.listen, "0.0.0.0:14318");
  EXPECT_EQ(shipped->span_metrics.kind_values, (std::vector<int>{2, 5}));

  Result<AgentConfig> fallback = LoadAgentConfig("");
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(fallback->receiver.listen, "127.0.0.1:4318");
}

TEST(ReceiverConfig, OptionsLoad) {
  Result<AgentConfig> cfg = ParseAgentConfig(
      std::string(kBase) +
          "receiver:\n  enabled: true\n  listen: 127.0.0.1:5318\n  max_body_bytes: 1MiB\n"
          "  max_decompressed_bytes: 4MiB\n  max_cumulative_series: 50\n"
          "  cumulative_series_idle: 1m\nspan_metrics:\n  kinds: [client]\n",
      "a.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->receiver.max_body_bytes, size_t{1} << 20);
  EXPECT_EQ(cfg->receiver.max_decompressed_bytes, size_t{4} << 20);
  EXPECT_EQ(cfg->receiver.max_cumulative_series, 50u);
  EXPECT_EQ(cfg->receiver.cumulative_series_idle, std::chrono::minutes(1));
  EXPECT_EQ(cfg->span_metrics.kind_values, std::vector<int>{3});
}

TEST(ReceiverConfig, BadValuesAreStartUpErrors) {
  Result<AgentConfig> kind =
      ParseAgentConfig(std::string(kBase) + "span_metrics:\n  kinds: [server, rpc]\n", "a.yaml");
  ASSERT_FALSE(kind.ok());
  EXPECT_NE(kind.status().message().find("span_metrics.kinds: unknown span kind \"rpc\""),
            std::string::npos)
      << kind.status().message();

  Result<AgentConfig> big = ParseAgentConfig(
      std::string(kBase) + "receiver:\n  max_decompressed_bytes: 64MiB\n", "a.yaml");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("receiver.max_decompressed_bytes must not exceed"),
            std::string::npos)
      << big.status().message();

  Result<AgentConfig> key =
      ParseAgentConfig(std::string(kBase) + "receiver:\n  port: 4318\n", "a.yaml");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("receiver.port: unknown key"), std::string::npos)
      << key.status().message();
}

TEST(ReceiverConfig, AReceiverAloneNeedsNoTailedFiles) {
  Result<AgentConfig> cfg =
      ParseAgentConfig("agent:\n  state_dir: /tmp/s\nreceiver:\n  enabled: true\n", "a.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_TRUE(cfg->tail.include.empty());
  EXPECT_FALSE(ParseAgentConfig("agent:\n  state_dir: /tmp/s\n", "a.yaml").ok());
}

}  // namespace
}  // namespace vigil::agent
