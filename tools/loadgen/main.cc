// vigil-loadgen: command-line entry point. Parses options, installs SIGINT/SIGTERM handlers
// that end the run cleanly (the truth file is still written), runs the generator.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "core/version.h"
#include "tools/loadgen/generator.h"
#include "tools/loadgen/options.h"

namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnSignal(int) { g_stop.store(true, std::memory_order_relaxed); }

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  vigil::Result<vigil::tools::LoadgenOptions> options = vigil::tools::ParseOptions(args);
  if (!options.ok()) {
    std::fprintf(stderr, "vigil-loadgen: %s\n", options.status().message().c_str());
    return 2;
  }
  if (options->show_help) {
    std::fputs(vigil::tools::UsageText().c_str(), stdout);
    return 0;
  }
  if (options->show_version) {
    std::printf("vigil-loadgen %s\n", vigil::kVersion);
    return 0;
  }

  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout pipe becomes a write error, not a kill

  const bool quiet = options->quiet;
  vigil::tools::Generator generator(std::move(options).value(), &g_stop);
  vigil::Result<vigil::tools::RunSummary> summary = generator.Run();
  if (!summary.ok()) {
    std::fprintf(stderr, "vigil-loadgen: %s\n", summary.status().ToString().c_str());
    return 1;
  }
  if (!quiet) {
    const double secs = summary->wall_seconds > 0 ? summary->wall_seconds : 1e-9;
    std::fprintf(stderr,
                 "vigil-loadgen: %llu lines, %llu bytes, %llu rotations in %.3f s "
                 "(%.0f lines/s, %.1f MiB/s)\n",
                 static_cast<unsigned long long>(summary->lines),
                 static_cast<unsigned long long>(summary->bytes),
                 static_cast<unsigned long long>(summary->rotations), summary->wall_seconds,
                 static_cast<double>(summary->lines) / secs,
                 static_cast<double>(summary->bytes) / secs / (1 << 20));
  }
  return 0;
}
