#include "core/cli/program_main.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "core/cli/program_options.h"
#include "core/cli/signals.h"
#include "core/version.h"

namespace vigil::cli {
namespace {

std::string CommandsHelp(const ProgramSpec& spec) {
  if (spec.subcommands.empty()) return "";
  std::string s = "\nCommands (run instead of the service):\n";
  for (const Subcommand& c : spec.subcommands) {
    std::string head = "  " + spec.name + " " + c.name + " " + c.args;
    s += head + "\n      " + c.summary + "\n";
  }
  return s;
}

}  // namespace

int ProgramMain(int argc, const char* const* argv, const ProgramSpec& spec) {
  if (argc > 1) {
    for (const Subcommand& c : spec.subcommands) {
      if (c.name != argv[1]) continue;
      (void)ConfigureLogging("warn");
      return c.run(std::vector<std::string>(argv + 2, argv + argc));
    }
  }
  Result<ProgramOptions> opts = ParseProgramOptions(argc, argv);
  if (!opts.ok()) {
    std::cerr << spec.name << ": " << opts.status().message() << "\n";
    return 2;
  }
  if (opts->help) {
    std::cout << UsageText(spec.name, spec.about, spec.env_help + CommandsHelp(spec));
    return 0;
  }
  if (opts->version) {
    std::cout << spec.name << " " << kVersion << "\n";
    return 0;
  }
  if (opts->print_default_config) {
    std::cout << spec.default_config_text();
    return 0;
  }
  if (opts->describe_config) {
    spec.describe_config(std::cout);
    return 0;
  }
  if (!opts->positional.empty()) {
    std::cerr << spec.name << ": unexpected argument " << opts->positional.front();
    if (!spec.subcommands.empty()) {
      std::cerr << "; commands are:";
      for (const Subcommand& c : spec.subcommands) std::cerr << " " << c.name;
    }
    std::cerr << " (see --help)\n";
    return 2;
  }
  if (Status s = ConfigureLogging(opts->log_level); !s.ok()) {
    std::cerr << spec.name << ": " << s.message() << "\n";
    return 2;
  }
  const std::string shown = opts->config_path.empty() ? "<embedded default>" : opts->config_path;
  // Signals are blocked before any thread exists, so every thread inherits the mask and only
  // the main thread's sigwait sees them.
  BlockTerminationSignals();
  Result<std::unique_ptr<Service>> service = spec.load(opts->config_path);
  if (!service.ok()) {
    std::cerr << spec.name << ": invalid config: " << service.status().message() << "\n";
    return 1;
  }
  if (opts->check_config) {
    std::cout << "config OK: " << shown << "\n";
    return 0;
  }
  if (Status s = (*service)->Start(); !s.ok()) {
    spdlog::critical("cannot start: {}", s.message());
    (void)(*service)->Shutdown();
    return 1;
  }
  for (;;) {
    int sig = WaitForSignal();
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP received: reloading");
      if (Status s = (*service)->Reload(); !s.ok()) {
        spdlog::error("reload failed, the previous configuration stays in force: {}",
                      s.message());
      }
      continue;
    }
    spdlog::info("{} received: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    break;
  }
  if (Status s = (*service)->Shutdown(); !s.ok()) spdlog::warn("shutdown: {}", s.message());
  return 0;
}

}  // namespace vigil::cli
