// Tailer: follows the log files matching a set of globs and delivers their complete lines to a
// LineSink, surviving rotation (rename+create, copytruncate, delete) and restarts (checkpoints
// keyed by FileKey). Owned and polled by the agent's pipeline thread; not thread-safe. Poll does
// bounded work, shared round-robin across files, and never blocks waiting for data.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "agent/tail/file_reader.h"
#include "agent/tail/scanner.h"
#include "agent/tail/tail_types.h"

namespace vigil::tail {

class Tailer {
 public:
  // `restored`: checkpoints from a previous run (CheckpointStore::Load). Each applies only to a
  // file whose FileKey matches; the first Poll resolves them.
  Tailer(TailOptions opts, std::vector<Checkpoint> restored);

  // Re-scans globs if scan_interval elapsed, then reads up to max_bytes across files,
  // delivering each complete line to sink. Returns bytes consumed (0 = idle).
  size_t Poll(LineSink& sink, size_t max_bytes);

  // Offsets of every tracked file just past the last line delivered (what a checkpoint must
  // record). Before the first Poll: the restored checkpoints, unchanged.
  std::vector<Checkpoint> Snapshot() const;

  const TailStats& stats() const { return stats_; }
  size_t open_files() const { return files_.size(); }

 private:
  using Clock = std::chrono::steady_clock;

  struct Tracked {
    std::unique_ptr<FileReader> reader;
    bool draining = false;       // rotated away or deleted: read to EOF, then released
    bool reached_eof = false;    // saw EOF since opened or since it left its path
    bool eof_this_poll = false;  // no more reads in the current Poll
    Clock::time_point last_data;
    // The file that left this path before this one appeared there: read to its end first so
    // a path's lines come out in the order they were written.
    const FileReader* wait_for = nullptr;
  };

  void Rescan(Clock::time_point now);
  // Opens a file found by the scan; `vacated` maps a path to the reader that just left it.
  void OpenFound(const FoundFile& found, bool first_scan,
                 const std::unordered_map<std::string, const FileReader*>& vacated,
                 Clock::time_point now);
  // After the first scan: follows restored checkpoints whose file left the globs (renamed
  // while the agent was stopped) to drain them from their offsets.
  void ResolveRenamedWhileStopped(Clock::time_point now);
  const Checkpoint* MatchRestored(const FileReader& reader);
  bool Blocked(Tracked& t) const;
  void ReleaseDrained(LineSink& sink, Clock::time_point now);
  std::unique_ptr<FileReader> OpenOrWarn(const std::string& path);

  TailOptions opts_;
  ReaderLimits limits_;
  Scanner scanner_;
  LineBuffer buf_;
  std::vector<Checkpoint> restored_;
  std::vector<bool> restored_used_;
  bool scanned_ = false;
  Clock::time_point last_scan_;
  std::vector<Tracked> files_;
  size_t cursor_ = 0;                            // where the next Poll's round-robin starts
  std::unordered_set<std::string> open_failed_;  // paths warned about, to log once
  TailStats stats_;
};

}  // namespace vigil::tail
