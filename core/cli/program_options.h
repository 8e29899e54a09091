// Command-line options shared by vigil-agent and vigil-collector. Parsed once in main; a plain
// value afterwards.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::cli {

struct ProgramOptions {
  std::string config_path;            // --config FILE; empty = the embedded default config
  bool check_config = false;          // --check-config: validate and exit
  bool print_default_config = false;  // --print-default-config
  bool describe_config = false;       // --describe-config: every option, its default and meaning
  bool version = false;
  bool help = false;
  std::string log_level = "info";  // --log-level trace|debug|info|warn|error
  std::vector<std::string> positional;
};

// Errors name the offending argument.
Result<ProgramOptions> ParseProgramOptions(int argc, const char* const* argv);

// The --help text. `about` is a paragraph describing the program; `extra` more lines.
std::string UsageText(const std::string& program, const std::string& about,
                      const std::string& extra = "");

// Sets spdlog's default logger level and pattern; InvalidArgument for an unknown level.
Status ConfigureLogging(const std::string& level);

}  // namespace vigil::cli
