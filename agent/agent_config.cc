#include "agent/agent_config.h"

#include <unistd.h>

#include <limits>

#include "agent/default_config.h"
#include "agent/derive/span_metrics.h"
#include "core/config/option_table.h"
#include "core/config/yaml_document.h"

namespace vigil::agent {
namespace {

using config::OptionTable;
constexpr size_t kMaxSize = std::numeric_limits<size_t>::max();

std::shared_ptr<const OptionTable<AgentConfig>> Table() {
  auto identity = std::make_shared<OptionTable<IdentitySettings>>();
  identity
      ->String("id", &IdentitySettings::id,
               "Agent id used in batch idempotency keys; empty = host name")
      .Path("state_dir", &IdentitySettings::state_dir,
            "Directory for tail checkpoints (relative: to this file's directory)");

  auto admin = std::make_shared<OptionTable<AdminSettings>>();
  admin->String("listen", &AdminSettings::listen, "host:port for /metrics, /healthz, /readyz");

  auto tail = std::make_shared<OptionTable<tail::TailOptions>>();
  tail->StringList("include", &tail::TailOptions::include,
                   "Glob patterns of JSON-lines files to tail")
      .StringList("exclude", &tail::TailOptions::exclude, "Glob patterns of paths to skip")
      .ByteSize("max_line_bytes", &tail::TailOptions::max_line_bytes,
                "Longer lines are skipped and counted as dropped (reason line_too_long)")
      .ByteSize("read_buffer_bytes", &tail::TailOptions::read_buffer_bytes, "Read size per file")
      .ByteSize("fingerprint_bytes", &tail::TailOptions::fingerprint_bytes,
                "Bytes of a file's head hashed into its identity")
      .Duration("scan_interval", &tail::TailOptions::scan_interval,
                "How often globs are re-expanded")
      .Bool("read_new_files_from_start", &tail::TailOptions::read_new_files_from_start,
            "Files found at first start without a checkpoint are read from the beginning")
      .Duration("rotated_drain_timeout", &tail::TailOptions::rotated_drain_timeout,
                "How long a rotated or deleted file is kept open after its last byte");

  auto fields = std::make_shared<OptionTable<parse::FieldMapping>>();
  fields->String("ts", &parse::FieldMapping::ts, "Key of the timestamp (RFC 3339 or epoch number)")
      .String("level", &parse::FieldMapping::level, "Key of the log level")
      .String("service", &parse::FieldMapping::service, "Key of the service name")
      .String("route", &parse::FieldMapping::route, "Key of the route template")
      .String("status", &parse::FieldMapping::status, "Key of the HTTP status code")
      .String("duration", &parse::FieldMapping::duration,
              "Key of the request duration (number in duration_unit, or a string like \"12.5ms\")")
      .Enum("duration_unit", &parse::FieldMapping::duration_unit,
            {{"s", parse::DurationUnit::kSeconds},
             {"ms", parse::DurationUnit::kMilliseconds},
             {"us", parse::DurationUnit::kMicroseconds},
             {"ns", parse::DurationUnit::kNanoseconds}},
            "Unit of plain-number durations")
      .String("message", &parse::FieldMapping::message, "Key of the message")
      .String("trace_id", &parse::FieldMapping::trace_id, "Key of the trace id (32 hex digits)")
      .String("default_service", &parse::FieldMapping::default_service,
              "Service name for lines without one");

  auto errors = std::make_shared<OptionTable<parse::ErrorRule>>();
  errors
      ->Integer("status_min", &parse::ErrorRule::status_min, 100, 1000,
                "A request with status >= this is an error")
      .StringList("levels", &parse::ErrorRule::levels, "Levels that make a line an error");

  auto histogram = std::make_shared<OptionTable<hist::ExpHistogramOptions>>();
  histogram
      ->Integer("scale", &hist::ExpHistogramOptions::scale, -10, 20,
                "Exponential histogram scale (6: quantiles within 0.6%)")
      .Integer("max_buckets", &hist::ExpHistogramOptions::max_buckets, uint32_t{16},
               uint32_t{16384}, "Bucket bound per histogram; beyond it the histogram downscales");

  auto metrics = std::make_shared<OptionTable<derive::RedOptions>>();
  metrics
      ->Integer("max_series", &derive::RedOptions::max_series, size_t{1}, size_t{10'000'000},
                "Series per metric; beyond it requests fold into one overflow series")
      .Section("histogram", &derive::RedOptions::histogram, histogram, "Latency histogram layout");

  auto forward = std::make_shared<OptionTable<ForwardSettings>>();
  forward->String("endpoint", &ForwardSettings::endpoint, "Collector OTLP/HTTP base URL")
      .Duration("flush_interval", &ForwardSettings::flush_interval, "A batch is cut this often")
      .ByteSize("max_batch_bytes", &ForwardSettings::max_batch_bytes,
                "A batch is cut early when its log records reach this size")
      .Integer("zstd_level", &ForwardSettings::zstd_level, -7, 19, "zstd compression level")
      .Bool("forward_logs", &ForwardSettings::forward_logs, "Forward raw log lines as OTLP logs")
      .Duration("timeout", &ForwardSettings::timeout, "Per-request timeout")
      .Integer("max_connections", &ForwardSettings::max_connections, size_t{1}, size_t{64},
               "Connections to the collector")
      .Duration("initial_backoff", &ForwardSettings::initial_backoff, "First retry delay")
      .Duration("max_backoff", &ForwardSettings::max_backoff, "Longest retry delay")
      .Duration("max_elapsed", &ForwardSettings::max_elapsed,
                "Give up on a batch after this long (0 = never; a drop is counted)")
      .ByteSize("queue_max_bytes", &ForwardSettings::queue_max_bytes,
                "Unacknowledged bytes in memory; reading pauses when full")
      .Integer("max_in_flight", &ForwardSettings::max_in_flight, size_t{1}, size_t{256},
               "Concurrent requests to the collector")
      .Section("tls", &ForwardSettings::tls, net::TlsOptionTable(),
               "TLS for an https:// collector: ca_file (default: the system store), "
               "cert_file/key_file (mTLS), insecure_skip_verify");

  auto receiver = std::make_shared<OptionTable<ReceiverSettings>>();
  receiver
      ->Bool("enabled", &ReceiverSettings::enabled,
             "Serve OTLP/HTTP (POST /v1/traces, /v1/metrics, /v1/logs) for applications; off "
             "when the section is absent, on in config/agent.yaml")
      .String("listen", &ReceiverSettings::listen, "host:port of the OTLP/HTTP receiver")
      .String("grpc_listen", &ReceiverSettings::grpc_listen,
              "host:port of the OTLP/gRPC receiver (same handling and limits; a message is "
              "limited by max_body_bytes after gRPC decompression); empty: no gRPC")
      .ByteSize("max_body_bytes", &ReceiverSettings::max_body_bytes,
                "Largest request body as sent (compressed); larger requests get 413")
      .ByteSize("max_decompressed_bytes", &ReceiverSettings::max_decompressed_bytes,
                "Largest body after Content-Encoding (gzip/zstd bomb guard); larger get 413")
      .Integer("max_cumulative_series", &ReceiverSettings::max_cumulative_series, size_t{1},
               size_t{10'000'000},
               "Cumulative series tracked for delta conversion; points of further series are "
               "rejected in partial_success")
      .Duration("cumulative_series_idle", &ReceiverSettings::cumulative_series_idle,
                "A cumulative series without points for this long is forgotten");

  auto span_metrics = std::make_shared<OptionTable<SpanMetricsSettings>>();
  span_metrics
      ->Bool("enabled", &SpanMetricsSettings::enabled,
             "Derive request metrics (as from logs) from received spans")
      .StringList("kinds", &SpanMetricsSettings::kinds,
                  "Span kinds that are requests: internal, server, client, producer, consumer");

  auto shutdown = std::make_shared<OptionTable<ShutdownSettings>>();
  shutdown->Duration("deadline", &ShutdownSettings::deadline,
                     "On SIGTERM/SIGINT, time allowed to deliver what is buffered");

  auto root = std::make_shared<OptionTable<AgentConfig>>();
  root->Section("agent", &AgentConfig::agent, identity, "Identity and state")
      .Section("admin", &AgentConfig::admin, admin, "Self-monitoring endpoint")
      .Section("tail", &AgentConfig::tail, tail, "Log files to tail")
      .Section("fields", &AgentConfig::fields, fields, "JSON keys of each field")
      .Section("errors", &AgentConfig::errors, errors, "What counts as an error")
      .Section("metrics", &AgentConfig::metrics, metrics, "Derived request metrics")
      .Section("forward", &AgentConfig::forward, forward, "Delivery to the collector")
      .Section("receiver", &AgentConfig::receiver, receiver, "OTLP/HTTP from applications")
      .Section("span_metrics", &AgentConfig::span_metrics, span_metrics,
               "Request metrics from received spans")
      .Section("shutdown", &AgentConfig::shutdown, shutdown, "Graceful shutdown");
  return root;
}

const std::shared_ptr<const OptionTable<AgentConfig>>& TableOnce() {
  static const auto table = Table();
  return table;
}

AgentConfig Defaults() {
  AgentConfig c;
  c.agent.state_dir = "/var/lib/vigil-agent";
  c.metrics.max_series = 10000;
  return c;
}

}  // namespace

const std::string& DefaultAgentConfigText() {
  static const std::string text = kDefaultAgentConfig;
  return text;
}

Result<AgentConfig> ParseAgentConfig(const std::string& yaml_text, const std::string& name) {
  Result<YAML::Node> doc = config::ParseYamlText(yaml_text, name);
  if (!doc.ok()) return doc.status();
  AgentConfig cfg = Defaults();
  config::LoadContext ctx{.file = name, .base_dir = config::ConfigDirOf(name)};
  VIGIL_RETURN_IF_ERROR(TableOnce()->Load(ctx, *doc, "", &cfg));
  // Cross-field checks that a single option row cannot express.
  auto fail = [&](const std::string& what) { return Status::InvalidArgument(name + ": " + what); };
  if (cfg.tail.include.empty() && !cfg.receiver.enabled) {
    return fail("tail.include: at least one glob pattern is required (or receiver.enabled)");
  }
  if (cfg.agent.state_dir.empty()) return fail("agent.state_dir: a directory is required");
  if (cfg.forward.endpoint.rfind("http://", 0) != 0 &&
      cfg.forward.endpoint.rfind("https://", 0) != 0) {
    return fail("forward.endpoint: expected an http:// or https:// URL, got \"" +
                cfg.forward.endpoint + "\"");
  }
  if (cfg.forward.tls.configured()) {
    if (cfg.forward.endpoint.rfind("https://", 0) != 0) {
      return fail("forward.tls: set only for an https:// endpoint");
    }
    Status st = net::ValidateTlsOptions(cfg.forward.tls);
    if (!st.ok()) return fail("forward." + st.message());
  }
  if (cfg.forward.flush_interval.count() <= 0) return fail("forward.flush_interval must be > 0");
  if (cfg.forward.queue_max_bytes < 2 * cfg.forward.max_batch_bytes) {
    return fail("forward.queue_max_bytes must be at least twice forward.max_batch_bytes");
  }
  if (cfg.tail.max_line_bytes == 0 || cfg.tail.read_buffer_bytes < cfg.tail.max_line_bytes) {
    return fail("tail.read_buffer_bytes must be >= tail.max_line_bytes > 0");
  }
  if (cfg.receiver.max_decompressed_bytes > cfg.forward.queue_max_bytes) {
    return fail(
        "receiver.max_decompressed_bytes must not exceed forward.queue_max_bytes (a "
        "request larger than the send queue could never be accepted)");
  }
  cfg.span_metrics.kind_values.clear();
  for (const std::string& k : cfg.span_metrics.kinds) {
    Result<int> v = derive::ParseSpanKind(k);
    if (!v.ok()) return fail("span_metrics.kinds: " + v.status().message());
    cfg.span_metrics.kind_values.push_back(*v);
  }
  if (cfg.agent.id.empty()) {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    cfg.agent.id = host[0] != '\0' ? host : "vigil-agent";
  }
  return cfg;
}

Result<AgentConfig> LoadAgentConfig(const std::string& path) {
  if (path.empty()) return ParseAgentConfig(DefaultAgentConfigText(), "<embedded default config>");
  Result<std::string> text = config::ReadTextFile(path);
  if (!text.ok()) return text.status();
  return ParseAgentConfig(*text, path);
}

void DescribeAgentConfig(std::ostream& os) {
  os << "# vigil-agent configuration: every option, its default and meaning.\n";
  TableOnce()->Describe(os, 0, Defaults());
}

}  // namespace vigil::agent
