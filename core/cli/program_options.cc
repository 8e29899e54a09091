#include "core/cli/program_options.h"

#include <spdlog/spdlog.h>

namespace vigil::cli {

Result<ProgramOptions> ParseProgramOptions(int argc, const char* const* argv) {
  ProgramOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string& flag) -> Result<std::string> {
      if (size_t eq = a.find('='); eq != std::string::npos) return a.substr(eq + 1);
      if (i + 1 >= argc) return Status::InvalidArgument(flag + " needs a value");
      return std::string(argv[++i]);
    };
    auto is = [&](const char* flag) {
      return a == flag || a.rfind(std::string(flag) + "=", 0) == 0;
    };
    if (is("--config") || a == "-c") {
      Result<std::string> v = value("--config");
      if (!v.ok()) return v.status();
      o.config_path = *v;
    } else if (is("--log-level")) {
      Result<std::string> v = value("--log-level");
      if (!v.ok()) return v.status();
      o.log_level = *v;
    } else if (a == "--check-config") {
      o.check_config = true;
    } else if (a == "--print-default-config") {
      o.print_default_config = true;
    } else if (a == "--describe-config") {
      o.describe_config = true;
    } else if (a == "--version") {
      o.version = true;
    } else if (a == "--help" || a == "-h") {
      o.help = true;
    } else if (!a.empty() && a[0] == '-') {
      return Status::InvalidArgument("unknown option " + a + " (see --help)");
    } else {
      o.positional.push_back(a);
    }
  }
  return o;
}

std::string UsageText(const std::string& program, const std::string& about,
                      const std::string& extra) {
  std::string s = "Usage: " + program + " [--config FILE] [options]\n\n" + about + "\n\nOptions:\n";
  s += "  -c, --config FILE        YAML config file. ${VAR} and ${VAR:-default} are expanded from\n"
       "                           the environment. Without it, the embedded default config runs.\n"
       "      --check-config       Validate the config (file, line, column on error) and exit.\n"
       "      --print-default-config  Print the embedded default config and exit.\n"
       "      --describe-config    Print every config option with its default and meaning.\n"
       "      --log-level LEVEL    trace, debug, info (default), warn or error.\n"
       "      --version            Print the version and exit.\n"
       "  -h, --help               This text.\n";
  s += extra;
  s +=
      "\nSignals: SIGTERM and SIGINT flush what is buffered and exit 0 within shutdown.deadline;\n"
      "         SIGHUP reloads what can change while running and logs what it did.\n";
  return s;
}

Status ConfigureLogging(const std::string& level) {
  spdlog::level::level_enum l = spdlog::level::from_str(level);
  if (l == spdlog::level::off && level != "off") {
    return Status::InvalidArgument("unknown log level \"" + level +
                                   "\"; expected trace, debug, info, warn, error or off");
  }
  spdlog::set_level(l);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%n] %v");
  return Status::Ok();
}

}  // namespace vigil::cli
