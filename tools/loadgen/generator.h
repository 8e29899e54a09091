// Generator runs one load-generation session: draws requests, formats lines into a large
// buffer, writes it to the LogSink in big chunks (or paced, for --rate), rotates, and feeds the
// ground truth. One Run per object; single-threaded; a stop flag (set from a signal handler)
// ends the run early and cleanly.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "core/status.h"
#include "tools/loadgen/options.h"

namespace vigil::tools {

struct RunSummary {
  uint64_t lines = 0;
  uint64_t bytes = 0;
  uint64_t rotations = 0;
  double wall_seconds = 0;
  int64_t first_ts_ms = 0;
  int64_t last_ts_ms = 0;
};

class Generator {
 public:
  // `stop` may be null; when set to true, the run ends after the current line.
  Generator(LoadgenOptions options, const std::atomic<bool>* stop)
      : options_(std::move(options)), stop_(stop) {}

  // Writes the workload, then the truth file if asked for. Errors are I/O errors.
  Result<RunSummary> Run();

 private:
  LoadgenOptions options_;
  const std::atomic<bool>* stop_;
};

}  // namespace vigil::tools
