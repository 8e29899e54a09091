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

// Rule files, the alert state file and TLS files are taken from the config file's directory,
// as Prometheus resolves the files its config names.
TEST(CollectorConfig, RelativeFilePathsAreTakenFromTheConfigDirectory) {
  const std::string dir = VIGIL_SOURCE_DIR "/config";
  Result<CollectorConfig> shipped = LoadCollectorConfig(dir + "/collector-alerting.yaml");
  ASSERT_TRUE(shipped.ok()) << shipped.status().message();
  ASSERT_FALSE(shipped->rules.files.empty());
  for (const std::string& f : shipped->rules.files) {
    EXPECT_EQ(f.rfind(dir + "/", 0), 0u) << f;
  }
  Result<CollectorConfig> cfg = ParseCollectorConfig(
      "rules:\n  files: [r/*.yaml]\n  state_file: alerts.json\n"
      "alerting:\n  urls: [https://am:9093]\n  tls: {cert_file: c.pem, key_file: /k.pem}\n",
      "/etc/vigil/collector.yaml");
  ASSERT_FALSE(cfg.ok());  // the TLS files do not exist; the error names the resolved path
  EXPECT_NE(cfg.status().message().find("\"/etc/vigil/c.pem\""), std::string::npos)
      << cfg.status().message();
  cfg = ParseCollectorConfig("rules:\n  files: [r/*.yaml]\n  state_file: alerts.json\n",
                             "/etc/vigil/collector.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->rules.files, std::vector<std::string>{"/etc/vigil/r/*.yaml"});
  EXPECT_EQ(cfg->rules.state_file, "/etc/vigil/alerts.json");
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
  EXPECT_NE(
      r.status().message().find("c.yaml:2:19: otlp.max_body_bytes: expected a size, got a list"),
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
  EXPECT_NE(r.status().message().find("cannot read /nonexistent/collector.yaml"),
            std::string::npos);
}

}  // namespace
}  // namespace vigil::collector

namespace vigil::collector {
namespace {

TEST(CollectorConfig, ExportersLoadWithEveryOption) {
  setenv("VIGIL_TEST_TOKEN", "abc", 1);
  Result<CollectorConfig> r = ParseCollectorConfig(
      "exporters:\n"
      "  otlp:\n"
      "    - endpoint: http://tempo:4318\n"
      "      signals: [traces, logs, metrics]\n"
      "      headers: {authorization: \"Bearer ${VIGIL_TEST_TOKEN}\"}\n"
      "      compression: gzip\n"
      "      timeout: 3s\n"
      "      metrics_temporality: delta\n"
      "      metrics_interval: 15s\n"
      "      queue_max_bytes: 8MiB\n"
      "      retry: {initial_interval: 2s, max_interval: 20s, max_elapsed: 1m}\n"
      "    - endpoint: http://other:4318\n",
      "c.yaml");
  unsetenv("VIGIL_TEST_TOKEN");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->exporters.otlp.size(), 2u);
  const exporters::OtlpEndpointOptions& a = r->exporters.otlp[0];
  EXPECT_EQ(a.endpoint, "http://tempo:4318");
  EXPECT_EQ(a.signals, (std::vector<std::string>{"traces", "logs", "metrics"}));
  EXPECT_EQ(a.headers.at("authorization"), "Bearer abc");
  EXPECT_EQ(a.compression, exporters::CompressionSetting::kGzip);
  EXPECT_EQ(a.timeout, std::chrono::seconds(3));
  EXPECT_EQ(a.metrics_temporality, exporters::Temporality::kDelta);
  EXPECT_EQ(a.metrics_interval, std::chrono::seconds(15));
  EXPECT_EQ(a.queue_max_bytes, size_t{8} << 20);
  EXPECT_EQ(a.retry.initial_interval, std::chrono::seconds(2));
  EXPECT_EQ(a.retry.max_elapsed, std::chrono::minutes(1));
  const exporters::OtlpEndpointOptions& b = r->exporters.otlp[1];  // all defaults
  EXPECT_EQ(b.compression, exporters::CompressionSetting::kZstd);
  EXPECT_EQ(b.metrics_temporality, exporters::Temporality::kCumulative);
  EXPECT_EQ(b.metrics_interval, std::chrono::seconds(10));
  EXPECT_EQ(b.signals.size(), 3u);
}

TEST(CollectorConfig, BadExportersAreClearErrors) {
  auto err = [](const std::string& yaml) {
    Result<CollectorConfig> r = ParseCollectorConfig(yaml, "c.yaml");
    return r.ok() ? std::string("ok") : r.status().message();
  };
  EXPECT_NE(
      err("exporters:\n  otlp:\n    - endpoint: http://a\n      compression: brotli\n")
          .find("c.yaml:4:20: exporters.otlp[0].compression: expected one of zstd, gzip, none"),
      std::string::npos);
  EXPECT_NE(err("exporters:\n  otlp:\n    - endpoint: http://a\n      signals: [spans]\n")
                .find("exporters.otlp[0]: signals: unknown signal \"spans\""),
            std::string::npos);
  EXPECT_NE(
      err("exporters:\n  otlp:\n    - endpoint: ftp://a\n")
          .find("exporters.otlp[0]: endpoint \"ftp://a\" must start with http:// or https://"),
      std::string::npos);
  EXPECT_NE(err("exporters:\n  otlp:\n    - endpoint: https://a\n      tls: {ca_file: /nope.pem}\n")
                .find("exporters.otlp[0]: tls.ca_file \"/nope.pem\": cannot be read"),
            std::string::npos);
  EXPECT_NE(err("exporters:\n  otlp:\n    endpoint: http://a\n")
                .find("exporters.otlp: expected a list of maps"),
            std::string::npos);
  EXPECT_NE(err("exporters:\n  otlp:\n    - endpoint: http://a\n      temporality: delta\n")
                .find("exporters.otlp[0].temporality: unknown key"),
            std::string::npos);
}

}  // namespace
}  // namespace vigil::collector
