// vigil-collector's configuration: typed structs filled from YAML by option tables that reject
// unknown keys and report file:line:column. Loaded once at start-up (and by --check-config);
// a plain value afterwards.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "collector/aggregate/series_store.h"
#include "core/status.h"
#include "exporters/alertmanager/alertmanager_options.h"
#include "exporters/otlp/otlp_endpoint.h"
#include "exporters/prometheus/prometheus_collectable.h"

namespace vigil::collector {

struct AdminSettings {
  std::string listen = "127.0.0.1:9102";
};

struct OtlpSettings {
  std::string listen = "0.0.0.0:4318";
  // OTLP/gRPC with the same handling and limits; "" (the default without a config): none.
  std::string grpc_listen;
  size_t max_body_bytes = 16 << 20;
  size_t max_decompressed_bytes = 64 << 20;
  // CUMULATIVE streams (series x producer) whose last value is remembered.
  size_t max_cumulative_streams = 1'000'000;
  // Retry-After (seconds) of the 503 answered while a forward queue (exporters.otlp) is full.
  int retry_after_seconds = 1;
};

struct PrometheusSettings {
  std::string listen = "0.0.0.0:9464";
  std::vector<double> buckets = exporters::PrometheusOptions{}.bucket_bounds;
  std::vector<double> quantiles = exporters::PrometheusOptions{}.quantiles;
  exporters::PrometheusOptions ToOptions() const { return {buckets, quantiles}; }
};

struct DedupSettings {
  size_t max_keys = 1'000'000;
};

struct ExportersSettings {
  std::vector<exporters::OtlpEndpointOptions> otlp;  // OTLP/HTTP or OTLP/gRPC destinations
};

// Prometheus rule files evaluated over the merged series.
struct RulesSettings {
  // Paths or globs; relative ones are resolved against the config file's directory.
  std::vector<std::string> files;
  std::chrono::milliseconds evaluation_interval{15000};  // for groups without their own
  std::chrono::milliseconds lookback{300000};            // instant-selector lookback
  // Alert state (pending since, firing since) is saved here after each evaluation and read at
  // start-up, so a restart never turns a firing alert back to pending. Empty: not kept.
  std::string state_file;
  // Base of each alert's generatorURL.
  std::string external_url = "http://localhost:9464";
  // Added to every alert sent and visible to templates as $externalLabels.
  std::map<std::string, std::string> external_labels;
  // How often a firing alert is sent again to Alertmanager.
  std::chrono::milliseconds resend_delay{60000};
};

struct ShutdownSettings {
  std::chrono::milliseconds deadline{10000};
};

struct CollectorConfig {
  AdminSettings admin;
  OtlpSettings otlp;
  PrometheusSettings prometheus;
  aggregate::StoreOptions aggregate;
  DedupSettings dedup;
  ExportersSettings exporters;
  RulesSettings rules;
  exporters::AlertmanagerOptions alerting;  // where alerts go; no destination: nowhere
  int threads = 2;
  ShutdownSettings shutdown;
};

const std::string& DefaultCollectorConfigText();
Result<CollectorConfig> ParseCollectorConfig(const std::string& yaml_text, const std::string& name);
// Reads `path`, or the embedded default when `path` is empty.
Result<CollectorConfig> LoadCollectorConfig(const std::string& path);
void DescribeCollectorConfig(std::ostream& os);

}  // namespace vigil::collector
