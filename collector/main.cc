// vigil-collector: receives OTLP from vigil agents (and any OTLP client), merges histograms and
// counters per series and serves them on a Prometheus page.
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "collector/collector.h"
#include "collector/collector_config.h"
#include "core/cli/program_options.h"
#include "core/cli/signals.h"
#include "core/version.h"

namespace {

constexpr const char* kAbout =
    "Receives OTLP/HTTP from vigil agents and OpenTelemetry SDKs, merges request histograms and\n"
    "counters per series across agents (each retried batch at most once), and serves them on a\n"
    "Prometheus page: classic _bucket{le}/_sum/_count and p50/p95/p99 window gauges.";

constexpr const char* kEnv =
    "\nEnvironment used by the default config:\n"
    "  VIGIL_OTLP_ADDR             OTLP/HTTP receiver (default 0.0.0.0:4318)\n"
    "  VIGIL_PROM_ADDR             Prometheus page (default 0.0.0.0:9464)\n"
    "  VIGIL_COLLECTOR_ADMIN_ADDR  /metrics, /healthz, /readyz (default 127.0.0.1:9102)\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace vigil;
  Result<cli::ProgramOptions> opts = cli::ParseProgramOptions(argc, argv);
  if (!opts.ok()) {
    std::cerr << "vigil-collector: " << opts.status().message() << "\n";
    return 2;
  }
  if (opts->help) {
    std::cout << cli::UsageText("vigil-collector", kAbout, kEnv);
    return 0;
  }
  if (opts->version) {
    std::cout << "vigil-collector " << kVersion << "\n";
    return 0;
  }
  if (opts->print_default_config) {
    std::cout << collector::DefaultCollectorConfigText();
    return 0;
  }
  if (opts->describe_config) {
    collector::DescribeCollectorConfig(std::cout);
    return 0;
  }
  if (Status s = cli::ConfigureLogging(opts->log_level); !s.ok()) {
    std::cerr << "vigil-collector: " << s.message() << "\n";
    return 2;
  }
  Result<collector::CollectorConfig> cfg = collector::LoadCollectorConfig(opts->config_path);
  if (!cfg.ok()) {
    std::cerr << "vigil-collector: invalid config: " << cfg.status().message() << "\n";
    return 1;
  }
  if (opts->check_config) {
    std::cout << "config OK: " << (opts->config_path.empty() ? "<embedded default>" : opts->config_path)
              << "\n";
    return 0;
  }

  cli::BlockTerminationSignals();
  collector::Collector collector(std::move(*cfg));
  if (Status s = collector.Start(); !s.ok()) {
    spdlog::critical("cannot start: {}", s.message());
    (void)collector.Shutdown();
    return 1;
  }
  for (;;) {
    int sig = cli::WaitForSignal();
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: configuration reload is not supported yet; ignoring");
      continue;
    }
    spdlog::info("{} received: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    break;
  }
  if (Status s = collector.Shutdown(); !s.ok()) spdlog::warn("shutdown: {}", s.message());
  return 0;
}
