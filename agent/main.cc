// vigil-agent: tails JSON-lines logs and receives OTLP from applications, derives per-service
// request metrics and forwards them with the raw data to a vigil-collector over OTLP/HTTP.
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "agent/agent.h"
#include "agent/agent_config.h"
#include "core/cli/program_options.h"
#include "core/cli/signals.h"
#include "core/version.h"

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
    "                          /v1/metrics, /v1/logs (default 127.0.0.1:4318)\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace vigil;
  Result<cli::ProgramOptions> opts = cli::ParseProgramOptions(argc, argv);
  if (!opts.ok()) {
    std::cerr << "vigil-agent: " << opts.status().message() << "\n";
    return 2;
  }
  if (opts->help) {
    std::cout << cli::UsageText("vigil-agent", kAbout, kEnv);
    return 0;
  }
  if (opts->version) {
    std::cout << "vigil-agent " << kVersion << "\n";
    return 0;
  }
  if (opts->print_default_config) {
    std::cout << agent::DefaultAgentConfigText();
    return 0;
  }
  if (opts->describe_config) {
    agent::DescribeAgentConfig(std::cout);
    return 0;
  }
  if (Status s = cli::ConfigureLogging(opts->log_level); !s.ok()) {
    std::cerr << "vigil-agent: " << s.message() << "\n";
    return 2;
  }
  Result<agent::AgentConfig> cfg = agent::LoadAgentConfig(opts->config_path);
  if (!cfg.ok()) {
    std::cerr << "vigil-agent: invalid config: " << cfg.status().message() << "\n";
    return 1;
  }
  if (opts->check_config) {
    std::cout << "config OK: "
              << (opts->config_path.empty() ? "<embedded default>" : opts->config_path) << "\n";
    return 0;
  }

  cli::BlockTerminationSignals();
  agent::Agent agent(std::move(*cfg));
  if (Status s = agent.Start(); !s.ok()) {
    spdlog::critical("cannot start: {}", s.message());
    (void)agent.Shutdown();
    return 1;
  }
  for (;;) {
    int sig = cli::WaitForSignal();
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: configuration reload is not supported by the agent yet; ignoring");
      continue;
    }
    spdlog::info("{} received: delivering what is buffered, then exiting",
                 sig == SIGTERM ? "SIGTERM" : "SIGINT");
    break;
  }
  Status s = agent.Shutdown();
  if (!s.ok()) {
    spdlog::warn("shutdown: {}", s.message());
  }
  return 0;
}
