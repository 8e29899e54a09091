// LogSink is the file (or stdout) the generator appends lines to, with the two rotation styles
// log tailers must survive: rename-and-recreate and copy-then-truncate. Owns its descriptor;
// closed on destruction. Not thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::tools {

enum class RotateMode {
  kRename,        // FILE -> FILE.1 (older ones shift up), then a new empty FILE
  kCopyTruncate,  // copy FILE to FILE.1 (older ones shift up), then truncate FILE in place
};

class LogSink {
 public:
  // Opens `path` for appending (created 0644 if missing); "-" means standard output.
  static Result<LogSink> Open(const std::string& path);

  LogSink(LogSink&& other) noexcept;
  LogSink& operator=(LogSink&& other) noexcept;
  LogSink(const LogSink&) = delete;
  LogSink& operator=(const LogSink&) = delete;
  ~LogSink();

  // Writes all of `data` (retrying short writes and EINTR).
  Status Write(std::string_view data);
  Status Fsync();
  // Rotates, keeping at most `keep` old files (FILE.1 .. FILE.keep). Not for standard output.
  Status Rotate(RotateMode mode, int keep);

  const std::string& path() const { return path_; }
  bool is_stdout() const { return path_ == "-"; }

 private:
  LogSink(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  Status ShiftOldFiles(int keep);
  void Close();

  std::string path_;
  int fd_ = -1;
};

}  // namespace vigil::tools
