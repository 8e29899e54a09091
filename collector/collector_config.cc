#include "collector/collector_config.h"

#include <filesystem>

#include "collector/default_config.h"
#include "core/config/option_table.h"
#include "core/config/yaml_document.h"
#include "core/net/tls_options.h"

namespace vigil::collector {
namespace {

using config::OptionTable;

std::shared_ptr<const OptionTable<CollectorConfig>> Table() {
  auto admin = std::make_shared<OptionTable<AdminSettings>>();
  admin->String("listen", &AdminSettings::listen, "host:port for /metrics, /healthz, /readyz");

  auto otlp = std::make_shared<OptionTable<OtlpSettings>>();
  otlp->String("listen", &OtlpSettings::listen, "host:port of the OTLP/HTTP receiver")
      .String("grpc_listen", &OtlpSettings::grpc_listen,
              "host:port of the OTLP/gRPC receiver (same handling; a message is limited by "
              "max_body_bytes after gRPC decompression); empty: no gRPC")
      .ByteSize("max_body_bytes", &OtlpSettings::max_body_bytes,
                "Larger request bodies are refused with 413")
      .ByteSize("max_decompressed_bytes", &OtlpSettings::max_decompressed_bytes,
                "Bodies that inflate beyond this are refused with 413 (zip-bomb guard)")
      .Integer("max_cumulative_streams", &OtlpSettings::max_cumulative_streams, size_t{1},
               size_t{100'000'000},
               "CUMULATIVE streams (series x producer) remembered to turn points into deltas")
      .Integer("retry_after_seconds", &OtlpSettings::retry_after_seconds, 1, 3600,
               "Retry-After of the 503 sent for logs or spans while a forward queue is full");

  auto prom = std::make_shared<OptionTable<PrometheusSettings>>();
  prom->String("listen", &PrometheusSettings::listen, "host:port of the page Prometheus scrapes")
      .DoubleList("buckets", &PrometheusSettings::buckets,
                  "Upper bounds (seconds) of the classic _bucket{le} series")
      .DoubleList("quantiles", &PrometheusSettings::quantiles,
                  "Quantiles of the *_window_seconds gauges");

  auto aggregate = std::make_shared<OptionTable<aggregate::StoreOptions>>();
  aggregate
      ->Integer("max_series_per_metric", &aggregate::StoreOptions::max_series_per_metric, size_t{1},
                size_t{100'000'000},
                "Series per metric; new series beyond it are dropped and counted")
      .Duration("window", &aggregate::StoreOptions::window, "Span of the quantile gauges")
      .Duration("slot", &aggregate::StoreOptions::slot, "Granularity of the window");

  auto dedup = std::make_shared<OptionTable<DedupSettings>>();
  dedup->Integer("max_keys", &DedupSettings::max_keys, size_t{1}, size_t{100'000'000},
                 "Batch idempotency keys remembered");

  auto retry = std::make_shared<OptionTable<exporters::RetrySettings>>();
  retry
      ->Duration("initial_interval", &exporters::RetrySettings::initial_interval,
                 "First retry waits up to this (full jitter), doubling each time")
      .Duration("max_interval", &exporters::RetrySettings::max_interval,
                "Longest wait between tries")
      .Duration("max_elapsed", &exporters::RetrySettings::max_elapsed,
                "Give a batch up (counted as retries_exhausted) after this; 0 = never");

  using exporters::OtlpEndpointOptions;
  auto endpoint = std::make_shared<OptionTable<OtlpEndpointOptions>>();
  endpoint
      ->String("endpoint", &OtlpEndpointOptions::endpoint,
               "http/protobuf: base URL (http[s]://host:port), /v1/<signal> is appended; grpc: "
               "host:port (or http://host:port; https://host:port for TLS)")
      .Enum("protocol", &OtlpEndpointOptions::protocol,
            {{"http/protobuf", exporters::Protocol::kHttpProtobuf},
             {"grpc", exporters::Protocol::kGrpc}},
            "OTLP transport")
      .StringList("signals", &OtlpEndpointOptions::signals,
                  "What to send here: traces, logs (forwarded as received), metrics (the store)")
      .StringMap("headers", &OtlpEndpointOptions::headers, "Extra request headers")
      .Enum("compression", &OtlpEndpointOptions::compression,
            {{"zstd", exporters::CompressionSetting::kZstd},
             {"gzip", exporters::CompressionSetting::kGzip},
             {"none", exporters::CompressionSetting::kNone}},
            "Request body encoding (grpc: gzip or none; zstd means gzip there)")
      .Duration("timeout", &OtlpEndpointOptions::timeout, "Per request")
      .Enum("metrics_temporality", &OtlpEndpointOptions::metrics_temporality,
            {{"cumulative", exporters::Temporality::kCumulative},
             {"delta", exporters::Temporality::kDelta}},
            "Cumulative: the merged totals; delta: the change since the previous export")
      .Duration("metrics_interval", &OtlpEndpointOptions::metrics_interval,
                "How often metrics are exported")
      .ByteSize("queue_max_bytes", &OtlpEndpointOptions::queue_max_bytes,
                "Bytes queued for this endpoint; beyond it batches are dropped and counted")
      .Section("retry", &OtlpEndpointOptions::retry, retry, "Retry on 429/502/503/504 and errors")
      .Section("tls", &OtlpEndpointOptions::tls, net::TlsOptionTable(),
               "TLS for https:// endpoints: ca_file, cert_file/key_file (mTLS), "
               "insecure_skip_verify");

  auto exporters_table = std::make_shared<OptionTable<ExportersSettings>>();
  exporters_table->SectionList("otlp", &ExportersSettings::otlp, endpoint,
                               "OTLP destinations (http/protobuf or grpc)");

  auto rules = std::make_shared<OptionTable<RulesSettings>>();
  rules
      ->PathList("files", &RulesSettings::files,
                 "Prometheus rule files (paths or globs; relative: to this file's directory)")
      .Duration("evaluation_interval", &RulesSettings::evaluation_interval,
                "How often groups without their own interval are evaluated")
      .Duration("lookback", &RulesSettings::lookback,
                "How far back an instant selector looks for a sample (Prometheus: 5m)")
      .Path("state_file", &RulesSettings::state_file,
            "Where alert state is kept across restarts; empty: not kept")
      .String("external_url", &RulesSettings::external_url, "Base of alerts' generatorURL")
      .StringMap("external_labels", &RulesSettings::external_labels,
                 "Labels added to every alert sent; $externalLabels in templates")
      .Duration("resend_delay", &RulesSettings::resend_delay,
                "How often a firing alert is sent again");

  auto shutdown = std::make_shared<OptionTable<ShutdownSettings>>();
  shutdown->Duration("deadline", &ShutdownSettings::deadline,
                     "On SIGTERM/SIGINT, time allowed for requests in progress");

  auto root = std::make_shared<OptionTable<CollectorConfig>>();
  root->Section("admin", &CollectorConfig::admin, admin, "Self-monitoring endpoint")
      .Section("otlp", &CollectorConfig::otlp, otlp, "OTLP/HTTP and OTLP/gRPC receivers")
      .Section("prometheus", &CollectorConfig::prometheus, prom, "Prometheus page")
      .Section("aggregate", &CollectorConfig::aggregate, aggregate, "Merged series")
      .Section("dedup", &CollectorConfig::dedup, dedup, "Retried-batch detection")
      .Section("exporters", &CollectorConfig::exporters, exporters_table,
               "Where received data is sent on")
      .Section("rules", &CollectorConfig::rules, rules, "Alerting and recording rules")
      .Section("alerting", &CollectorConfig::alerting, exporters::AlertmanagerOptionTable(),
               "Alertmanagers and webhooks that receive the rules' alerts")
      .Integer("threads", &CollectorConfig::threads, 1, 64, "Event-loop threads")
      .Section("shutdown", &CollectorConfig::shutdown, shutdown, "Graceful shutdown");
  return root;
}

const std::shared_ptr<const OptionTable<CollectorConfig>>& TableOnce() {
  static const auto table = Table();
  return table;
}

}  // namespace

const std::string& DefaultCollectorConfigText() {
  static const std::string text = kDefaultCollectorConfig;
  return text;
}

Result<CollectorConfig> ParseCollectorConfig(const std::string& yaml_text,
                                             const std::string& name) {
  Result<YAML::Node> doc = config::ParseYamlText(yaml_text, name);
  if (!doc.ok()) return doc.status();
  CollectorConfig cfg;
  config::LoadContext ctx{.file = name, .base_dir = config::ConfigDirOf(name)};
  VIGIL_RETURN_IF_ERROR(TableOnce()->Load(ctx, *doc, "", &cfg));
  auto fail = [&](const std::string& what) { return Status::InvalidArgument(name + ": " + what); };
  for (double q : cfg.prometheus.quantiles) {
    if (!(q >= 0 && q <= 1)) return fail("prometheus.quantiles: each must be in [0, 1]");
  }
  for (double b : cfg.prometheus.buckets) {
    if (!(b > 0)) return fail("prometheus.buckets: each bound must be > 0");
  }
  if (cfg.aggregate.slot.count() <= 0 || cfg.aggregate.window < cfg.aggregate.slot ||
      cfg.aggregate.window.count() % cfg.aggregate.slot.count() != 0) {
    return fail("aggregate.window must be a positive multiple of aggregate.slot");
  }
  if (cfg.otlp.max_decompressed_bytes < cfg.otlp.max_body_bytes) {
    return fail("otlp.max_decompressed_bytes must be >= otlp.max_body_bytes");
  }
  for (size_t i = 0; i < cfg.exporters.otlp.size(); ++i) {
    Status st = exporters::ValidateOtlpEndpointOptions(cfg.exporters.otlp[i]);
    if (!st.ok()) return fail("exporters.otlp[" + std::to_string(i) + "]: " + st.message());
  }
  if (cfg.rules.evaluation_interval.count() <= 0) {
    return fail("rules.evaluation_interval must be > 0");
  }
  if (cfg.rules.lookback.count() <= 0) return fail("rules.lookback must be > 0");
  if (cfg.rules.resend_delay.count() <= 0) return fail("rules.resend_delay must be > 0");
  if (cfg.alerting.enabled()) {
    Status st = exporters::ValidateAlertmanagerOptions(cfg.alerting);
    if (!st.ok()) return fail("alerting." + st.message());
  }
  return cfg;
}

Result<CollectorConfig> LoadCollectorConfig(const std::string& path) {
  if (path.empty()) {
    return ParseCollectorConfig(DefaultCollectorConfigText(), "<embedded default config>");
  }
  Result<std::string> text = config::ReadTextFile(path);
  if (!text.ok()) return text.status();
  return ParseCollectorConfig(*text, path);
}

void DescribeCollectorConfig(std::ostream& os) {
  os << "# vigil-collector configuration: every option, its default and meaning.\n";
  TableOnce()->Describe(os, 0, CollectorConfig{});
}

}  // namespace vigil::collector
