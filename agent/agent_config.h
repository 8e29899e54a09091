// vigil-agent's configuration: typed structs filled from YAML by option tables that reject
// unknown keys and report file:line:column. Loaded once at start-up (and by --check-config);
// a plain value afterwards.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "agent/derive/red_metrics.h"
#include "agent/parse/parsed_line.h"
#include "agent/tail/tail_types.h"
#include "core/net/tls_options.h"
#include "core/status.h"

namespace vigil::agent {

struct IdentitySettings {
  std::string id;         // agent id in idempotency keys; empty = the host name
  std::string state_dir;  // checkpoints live here
};

struct AdminSettings {
  std::string listen = "127.0.0.1:9101";
};

struct ForwardSettings {
  std::string endpoint = "http://127.0.0.1:4318";  // the collector's OTLP/HTTP base URL
  std::chrono::milliseconds flush_interval{1000};
  size_t max_batch_bytes = 2 << 20;  // a batch is cut early when its logs reach this size
  int zstd_level = 1;
  bool forward_logs = true;
  std::chrono::milliseconds timeout{10000};
  size_t max_connections = 4;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::milliseconds max_elapsed{0};  // 0 = retry until delivered
  size_t queue_max_bytes = 16 << 20;         // reading pauses (back-pressure) when full
  size_t max_in_flight = 4;
  net::TlsOptions tls;  // for an https:// endpoint: ca_file, cert_file/key_file, skip-verify
};

// The OTLP/HTTP receiver for applications (agent/receive/). A config without a `receiver`
// section leaves it off, so configs written before it existed keep their behaviour and several
// agents on one host do not fight over port 4318; config/agent.yaml turns it on.
struct ReceiverSettings {
  bool enabled = false;
  std::string listen = "127.0.0.1:4318";
  // OTLP/gRPC on the same receiver; "" (the default without a config) serves no gRPC.
  std::string grpc_listen;
  size_t max_body_bytes = 8 << 20;
  size_t max_decompressed_bytes = 16 << 20;
  size_t max_cumulative_series = 10000;
  std::chrono::milliseconds cumulative_series_idle{600000};
};

// Request metrics from received spans (agent/derive/span_metrics.h).
struct SpanMetricsSettings {
  bool enabled = true;
  std::vector<std::string> kinds = {"server", "consumer"};
  std::vector<int> kind_values;  // `kinds` resolved by ParseAgentConfig; not an option
};

struct ShutdownSettings {
  std::chrono::milliseconds deadline{10000};
};

struct AgentConfig {
  IdentitySettings agent;
  AdminSettings admin;
  tail::TailOptions tail;
  parse::FieldMapping fields;
  parse::ErrorRule errors;
  derive::RedOptions metrics;
  ForwardSettings forward;
  ReceiverSettings receiver;
  SpanMetricsSettings span_metrics;
  ShutdownSettings shutdown;
};

// The default config compiled into the binary (config/agent.yaml).
const std::string& DefaultAgentConfigText();

// Parses and validates; `name` is used in error messages (the file path).
Result<AgentConfig> ParseAgentConfig(const std::string& yaml_text, const std::string& name);
// Reads `path`, or the embedded default when `path` is empty.
Result<AgentConfig> LoadAgentConfig(const std::string& path);
// --describe-config output.
void DescribeAgentConfig(std::ostream& os);

}  // namespace vigil::agent
