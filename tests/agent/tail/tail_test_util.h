// Helpers for the tailer tests: a temporary directory removed at scope exit, file writers, and
// a LineSink that records what it was given. Test-only; single-threaded.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/tail/tailer.h"
#include "tests/support/temp_dir.h"

namespace vigil::tail::testing {

using ::vigil::testing::TempDir;

inline void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  ASSERT_TRUE(out.good()) << path;
}

inline void AppendFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  ASSERT_TRUE(out.good()) << path;
}

// Lines "<prefix>-<i>" for i in [from, to), each newline-terminated.
inline std::string NumberedLines(std::string_view prefix, int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) {
    out += std::string(prefix) + "-" + std::to_string(i) + "\n";
  }
  return out;
}

struct RecordingSink : LineSink {
  void OnLine(std::string_view line, std::string_view path) override {
    // Touch the promised padding: under AddressSanitizer a short buffer fails here.
    volatile char last = line.data()[line.size() + kLinePadding - 1];
    (void)last;
    lines.emplace_back(line);
    paths.emplace_back(path);
  }
  std::map<std::string, int> Counts() const {
    std::map<std::string, int> counts;
    for (const std::string& l : lines) ++counts[l];
    return counts;
  }
  std::vector<std::string> LinesFrom(const std::string& path) const {
    std::vector<std::string> out;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (paths[i] == path) out.push_back(lines[i]);
    }
    return out;
  }
  std::vector<std::string> lines;
  std::vector<std::string> paths;
};

// Polls until a Poll returns 0 (bounded, so a bug cannot hang the test binary).
inline size_t PollUntilIdle(Tailer& tailer, LineSink& sink, size_t max_bytes = 1 << 20) {
  size_t total = 0;
  for (int i = 0; i < 100000; ++i) {
    size_t n = tailer.Poll(sink, max_bytes);
    if (n == 0) return total;
    total += n;
  }
  ADD_FAILURE() << "tailer never went idle";
  return total;
}

inline TailOptions OptionsFor(const std::string& pattern) {
  TailOptions opts;
  opts.include = {pattern};
  opts.scan_interval = std::chrono::milliseconds(0);  // rescan on every Poll
  return opts;
}

}  // namespace vigil::tail::testing
