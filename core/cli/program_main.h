// The shared main() of vigil's programs: flag handling (--help, --version, --config,
// --check-config, --print-default-config, --describe-config, --log-level), config loading with
// clear errors, start-up, waiting for SIGTERM/SIGINT (SIGHUP is reported and ignored until
// reload exists) and graceful shutdown. Each program supplies a ProgramSpec.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "core/status.h"

namespace vigil::cli {

// What a program runs once its config is valid.
class Service {
 public:
  virtual ~Service() = default;
  virtual Status Start() = 0;
  // Delivers or flushes what it holds within its configured deadline.
  virtual Status Shutdown() = 0;
};

// Adapts any type with Start()/Shutdown() returning Status.
template <typename T>
class ServiceAdapter : public Service {
 public:
  explicit ServiceAdapter(std::unique_ptr<T> impl) : impl_(std::move(impl)) {}
  Status Start() override { return impl_->Start(); }
  Status Shutdown() override { return impl_->Shutdown(); }

 private:
  std::unique_ptr<T> impl_;
};

struct ProgramSpec {
  std::string name;      // "vigil-agent"
  std::string about;     // a paragraph for --help
  std::string env_help;  // the environment variables the default config reads
  std::function<const std::string&()> default_config_text;
  std::function<void(std::ostream&)> describe_config;
  // Loads and validates the config at `path` (empty: the embedded default) and builds the
  // service without starting it. Errors name file, line and column.
  std::function<Result<std::unique_ptr<Service>>(const std::string& path)> load;
};

// Returns the process exit code: 0 on success and after a graceful shutdown, 1 when the config
// is invalid or start-up fails, 2 for bad command-line usage.
int ProgramMain(int argc, const char* const* argv, const ProgramSpec& spec);

}  // namespace vigil::cli
