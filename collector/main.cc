// vigil-collector: receives OTLP from vigil agents (and any OTLP client), merges histograms and
// counters per series and serves them on a Prometheus page.
#include <iostream>
#include <memory>

#include "collector/collector.h"
#include "collector/collector_config.h"
#include "collector/rules/service/rule_commands.h"
#include "collector/rules/service/rule_service.h"
#include "core/cli/program_main.h"

namespace {

constexpr const char* kAbout =
    "Receives OTLP/HTTP from vigil agents and OpenTelemetry SDKs, merges request histograms and\n"
    "counters per series across agents (each retried batch at most once), and serves them on a\n"
    "Prometheus page: classic _bucket{le}/_sum/_count and p50/p95/p99 window gauges. Evaluates\n"
    "Prometheus alerting and recording rules (rules.files) over the merged series and sends\n"
    "alerts to Alertmanager; SIGHUP reloads the rule files.";

constexpr const char* kEnv =
    "\nEnvironment used by the default config:\n"
    "  VIGIL_OTLP_ADDR             OTLP/HTTP receiver (default 0.0.0.0:4318)\n"
    "  VIGIL_OTLP_GRPC_ADDR        OTLP/gRPC receiver, e.g. 0.0.0.0:4317 (default: off)\n"
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
    // Rule files are part of the config: --check-config and start-up fail on a bad one.
    if (!cfg->rules.files.empty()) {
      Result<std::vector<std::string>> files = rules::ExpandRuleFileGlobs(cfg->rules.files);
      if (!files.ok()) return files.status();
      Result<std::vector<rules::CompiledGroup>> groups =
          rules::LoadAndCompileRules(*files, cfg->rules.evaluation_interval);
      if (!groups.ok()) return groups.status();
    }
    return std::unique_ptr<cli::Service>(
        std::make_unique<cli::ServiceAdapter<collector::Collector>>(
            std::make_unique<collector::Collector>(std::move(*cfg), path)));
  };
  spec.subcommands.push_back(
      {"check-rules", "FILE...", "Check Prometheus rule files (as start-up would) and exit.",
       [](const std::vector<std::string>& args) {
         return rules::RunCheckRules(args, std::cout, std::cerr);
       }});
  spec.subcommands.push_back(
      {"test-rules", "FILE...",
       "Run rule unit tests written in promtool's format against vigil's rule engine.",
       [](const std::vector<std::string>& args) {
         return rules::RunTestRules(args, std::cout, std::cerr);
       }});
  return cli::ProgramMain(argc, argv, spec);
}
