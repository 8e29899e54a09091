// The shared main() of vigil's programs: flag handling (--help, --version, --config,
// --check-config, --print-default-config, --describe-config, --log-level), subcommands
// (`vigil-collector check-rules FILE...`), config loading with clear errors, start-up, waiting
// for signals (SIGHUP reloads, SIGTERM/SIGINT shut down gracefully). Each program supplies a
// ProgramSpec.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include "core/status.h"

namespace vigil::cli {

// What a program runs once its config is valid.
class Service {
 public:
  virtual ~Service() = default;
  virtual Status Start() = 0;
  // Delivers or flushes what it holds within its configured deadline.
  virtual Status Shutdown() = 0;
  // SIGHUP: re-reads what can change while running. On error the old settings stay in force
  // and the Status says why.
  virtual Status Reload() { return Status::Unimplemented("reload is not supported"); }
};

// Adapts any type with Start()/Shutdown() returning Status.
template <typename T>
class ServiceAdapter : public Service {
 public:
  explicit ServiceAdapter(std::unique_ptr<T> impl) : impl_(std::move(impl)) {}
  Status Start() override { return impl_->Start(); }
  Status Shutdown() override { return impl_->Shutdown(); }
  Status Reload() override {
    if constexpr (requires(T& t) { t.Reload(); }) {
      return impl_->Reload();
    } else {
      return Service::Reload();
    }
  }

 private:
  std::unique_ptr<T> impl_;
};

// A command run instead of the service: `<program> <name> ARGS...`.
struct Subcommand {
  std::string name;     // "check-rules"
  std::string args;     // "FILE..." for the usage line
  std::string summary;  // one line for --help
  // Gets the words after the name (its own --help included); returns the exit code.
  std::function<int(const std::vector<std::string>& args)> run;
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
  std::vector<Subcommand> subcommands;
};

// Returns the process exit code: 0 on success and after a graceful shutdown, 1 when the config
// is invalid or start-up fails, 2 for bad command-line usage.
int ProgramMain(int argc, const char* const* argv, const ProgramSpec& spec);

}  // namespace vigil::cli
