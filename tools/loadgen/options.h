// Command-line options of vigil-loadgen: the table of flags, their parsing and validation, and
// the --help text. Plain values, parsed once at start-up.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "tools/loadgen/log_sink.h"

namespace vigil::tools {

// With --rate 0 lines are written as fast as possible, but their timestamps still advance at
// this many lines per second, so a seed gives the same file and the spike lands on a line.
inline constexpr double kUnpacedLogClockRate = 10000;

struct LoadgenOptions {
  std::string out = "-";
  int services = 4;
  double rate = 0;         // lines per second, 0 = unpaced
  double duration_s = 0;   // wall-clock bound, 0 = none
  uint64_t max_lines = 0;  // 0 = none
  uint64_t max_bytes = 0;  // 0 = none
  uint64_t seed = 1;
  int64_t start_unix_ms = -1;  // log clock origin; < 0 = the time at start-up
  double error_ratio = 0.01;
  double client_error_ratio = 0.03;
  double slow_tail_ratio = 0.02;
  double spike_at_s = -1;
  double spike_duration_s = 10;
  double spike_error_ratio = 0.3;
  double spike_latency_factor = 1.0;
  uint64_t rotate_every = 0;
  RotateMode rotate_mode = RotateMode::kRename;
  int rotate_keep = 5;
  std::string truth_path;
  uint64_t fsync_every = 0;
  bool quiet = false;
  bool show_help = false;
  bool show_version = false;

  // Lines per second of the log clock (ts field, spike window).
  double LogClockRate() const { return rate > 0 ? rate : kUnpacedLogClockRate; }
};

// Parses the arguments after the program name; "--flag value" and "--flag=value" both work.
Result<LoadgenOptions> ParseOptions(const std::vector<std::string>& args);

// "1GiB", "512MiB", "10KB", "1000", "2k": binary (KiB/MiB/GiB/TiB, K/M/G/T) and decimal
// (KB/MB/GB/TB) suffixes, case-insensitive, optional "B".
Result<uint64_t> ParseSize(std::string_view text);

// "2026-11-23T10:00:00Z" or "2026-11-23T10:00:00.123Z" (UTC only) to Unix milliseconds.
Result<int64_t> ParseRfc3339(std::string_view text);

std::string UsageText();

}  // namespace vigil::tools
