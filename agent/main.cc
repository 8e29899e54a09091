// vigil-agent: tails JSON-lines logs and receives OTLP from applications, derives per-service
// request metrics and forwards them with the raw data to a vigil-collector over OTLP/HTTP.
#include <memory>

#include "agent/agent.h"
#include "agent/agent_config.h"
#include "core/cli/program_main.h"

namespace {

constexpr const char* kAbout =
    "Tails JSON-lines log files and receives OTLP/HTTP (traces, metrics, logs) from applications,\n"
    "derives per-service request counts, error counts and latency histograms from log lines and\n"
    "server spans, and forwards them (with the raw log records, spans and application metrics)\n"
    "to vigil-collector over OTLP/HTTP with zstd. Lines are checkpointed only once the collector\n"
    "has acknowledged them.";

constexpr const char* kEnv =
    "\nEnvironment used by the default config:\n"
    "  VIGIL_AGENT_ID          agent id (default: host name)\n"
    "  VIGIL_STATE_DIR         checkpoint directory (default /var/lib/vigil-agent)\n"
    "  VIGIL_LOG_GLOB          files to tail (default /var/log/app/*.jsonl)\n"
    "  VIGIL_COLLECTOR_URL     collector OTLP/HTTP URL (default http://127.0.0.1:4318)\n"
    "  VIGIL_AGENT_ADMIN_ADDR  /metrics, /healthz, /readyz (default 127.0.0.1:9101)\n"
    "  VIGIL_AGENT_OTLP_ADDR   OTLP/HTTP receiver for applications: POST /v1/traces,\n"
    "                          /v1/metrics, /v1/logs (default 127.0.0.1:4318)\n"
    "  VIGIL_AGENT_OTLP_GRPC_ADDR  OTLP/gRPC receiver for applications (default\n"
    "                          127.0.0.1:4317; empty turns it off)\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace vigil;
  cli::ProgramSpec spec;
  spec.name = "vigil-agent";
  spec.about = kAbout;
  spec.env_help = kEnv;
  spec.default_config_text = agent::DefaultAgentConfigText;
  spec.describe_config = agent::DescribeAgentConfig;
  spec.load = [](const std::string& path) -> Result<std::unique_ptr<cli::Service>> {
    Result<agent::AgentConfig> cfg = agent::LoadAgentConfig(path);
    if (!cfg.ok()) return cfg.status();
    return std::unique_ptr<cli::Service>(std::make_unique<cli::ServiceAdapter<agent::Agent>>(
        std::make_unique<agent::Agent>(std::move(*cfg))));
  };
  return cli::ProgramMain(argc, argv, spec);
}
