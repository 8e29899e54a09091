// vigil-collector: receives OTLP from vigil agents (and any OTLP client), merges histograms and
// counters per series and serves them on a Prometheus page.
#include <memory>

#include "collector/collector.h"
#include "collector/collector_config.h"
#include "core/cli/program_main.h"

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
  cli::ProgramSpec spec;
  spec.name = "vigil-collector";
  spec.about = kAbout;
  spec.env_help = kEnv;
  spec.default_config_text = collector::DefaultCollectorConfigText;
  spec.describe_config = collector::DescribeCollectorConfig;
  spec.load = [](const std::string& path) -> Result<std::unique_ptr<cli::Service>> {
    Result<collector::CollectorConfig> cfg = collector::LoadCollectorConfig(path);
    if (!cfg.ok()) return cfg.status();
    return std::unique_ptr<cli::Service>(
        std::make_unique<cli::ServiceAdapter<collector::Collector>>(
            std::make_unique<collector::Collector>(std::move(*cfg))));
  };
  return cli::ProgramMain(argc, argv, spec);
}
