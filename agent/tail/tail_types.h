// The plain value types of the log-file tailer: its options, a file's identity, a checkpoint, the
// counters, and the LineSink interface lines are delivered to. Plain values (LineSink is an
// interface implemented by the caller); no shared state, no thread-safety of their own.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::tail {

// Bytes readable after every line handed to LineSink::OnLine (simdjson::SIMDJSON_PADDING), so a
// JSON parser can parse the line in place without copying it.
inline constexpr size_t kLinePadding = 64;

struct TailOptions {
  std::vector<std::string> include;   // glob patterns (glob(3)), e.g. /var/log/app/*.jsonl
  std::vector<std::string> exclude;   // glob patterns matched against found paths (fnmatch)
  size_t max_line_bytes = 64 * 1024;  // longer lines are skipped to the next newline and counted
  size_t read_buffer_bytes = 256 * 1024;
  size_t fingerprint_bytes = 1024;
  std::chrono::milliseconds scan_interval{1000};  // how often globs are re-expanded
  // Files with no checkpoint found by the first scan: from byte 0 (else from their end). Files
  // that appear later, and the successor of a file rotated while the agent was stopped, are
  // always read from byte 0: they are new since the agent started watching.
  bool read_new_files_from_start = true;
  // Keep reading a rotated-away/deleted file until EOF and idle this long.
  std::chrono::milliseconds rotated_drain_timeout{5000};
};

// Identifies one file's contents across renames and restarts: the inode (dev, ino) plus a hash of
// the file's first `fingerprint_len` bytes (at most TailOptions::fingerprint_bytes), which tells a
// recycled inode or a copy apart from the file a checkpoint was taken of.
struct FileKey {
  uint64_t dev = 0, ino = 0, fingerprint = 0;
  uint32_t fingerprint_len = 0;
  bool operator==(const FileKey&) const = default;
};

// Where to resume one file: `offset` is just past the last line delivered.
struct Checkpoint {
  FileKey key;
  std::string path;
  uint64_t offset = 0;
  bool operator==(const Checkpoint&) const = default;
};

struct TailStats {
  uint64_t lines = 0;  // lines delivered to the sink
  uint64_t bytes = 0;  // bytes read from files (what Poll returns, summed)
  uint64_t lines_too_long = 0, files_opened = 0, files_rotated = 0, files_truncated = 0,
           files_deleted = 0, files_released = 0, read_errors = 0;
  // Final lines without a newline delivered when a rotated/deleted file was released.
  uint64_t partial_lines_flushed = 0;
};

class LineSink {
 public:
  virtual ~LineSink() = default;
  // `line` excludes the newline (and a trailing '\r'). Its memory is valid only during the call
  // and is followed by at least kLinePadding readable bytes (simdjson::SIMDJSON_PADDING) so a
  // parser can read it in place.
  virtual void OnLine(std::string_view line, std::string_view path) = 0;
};

}  // namespace vigil::tail
