#include "collector/collector_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "core/config/yaml_document.h"

namespace vigil::collector {
namespace {

// Every collector config shipped in config/ must load, so the examples never rot.
TEST(CollectorConfig, EveryShippedExampleLoads) {
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(VIGIL_SOURCE_DIR "/config")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("collector", 0) != 0 || entry.path().extension() != ".yaml") continue;
    Result<CollectorConfig> cfg = LoadCollectorConfig(entry.path().string());
    EXPECT_TRUE(cfg.ok()) << name << ": " << cfg.status().message();
    ++loaded;
  }
  EXPECT_GE(loaded, 1);
}

TEST(CollectorConfig, EmbeddedDefaultIsTheShippedExample) {
  Result<std::string> file = config::ReadTextFile(VIGIL_SOURCE_DIR "/config/collector.yaml");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(DefaultCollectorConfigText(), *file);
  setenv("VIGIL_PROM_ADDR", "127.0.0.1:19464", 1);
  Result<CollectorConfig> cfg = LoadCollectorConfig("");
  unsetenv("VIGIL_PROM_ADDR");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->prometheus.listen, "127.0.0.1:19464");
  EXPECT_EQ(cfg->otlp.listen, "0.0.0.0:4318");
  EXPECT_EQ(cfg->prometheus.quantiles, (std::vector<double>{0.5, 0.95, 0.99}));
}

TEST(CollectorConfig, ErrorsNamePositionAndExpectation) {
  Result<CollectorConfig> r = ParseCollectorConfig("otlp:\n  max_body_bytes: [1]\n", "c.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("c.yaml:2:19: otlp.max_body_bytes: expected a size, got a list"),
            std::string::npos)
      << r.status().message();
  r = ParseCollectorConfig("prometheus:\n  quantiles: [0.5, 1.5]\n", "c.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("each must be in [0, 1]"), std::string::npos);
  r = ParseCollectorConfig("aggregate:\n  window: 7s\n  slot: 5s\n", "c.yaml");
  EXPECT_FALSE(r.ok());
  r = ParseCollectorConfig("treads: 4\n", "c.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("c.yaml:1:1: treads: unknown key"), std::string::npos);
}

TEST(CollectorConfig, MissingFileIsAClearError) {
  Result<CollectorConfig> r = LoadCollectorConfig("/nonexistent/collector.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot read /nonexistent/collector.yaml"), std::string::npos);
}

}  // namespace
}  // namespace vigil::collector
