// FileReader: one open log file: its fd, read offset, the partial line carried between reads,
// line splitting and the offset a checkpoint must record. Owned by the Tailer (single thread);
// not thread-safe. Lines are split in place in a LineBuffer shared by all readers of a Tailer.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "agent/tail/tail_types.h"
#include "core/status.h"

namespace vigil::tail {

// The read buffer: `capacity` bytes plus kLinePadding readable bytes after them, so every line
// split in place is followed by the padding a parser may read.
class LineBuffer {
 public:
  explicit LineBuffer(size_t capacity);
  char* data() { return data_.get(); }
  size_t capacity() const { return capacity_; }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_;
};

struct ReaderLimits {
  size_t max_line_bytes = 64 * 1024;
  uint32_t fingerprint_bytes = 1024;
};

class FileReader {
 public:
  enum class ReadStatus {
    kData,       // bytes were read (and their complete lines delivered)
    kEof,        // nothing new at the read offset
    kTruncated,  // the file shrank below the read offset: restarted at 0 (counted)
    kError,      // the read failed (counted in read_errors, logged once until a read succeeds)
  };

  // Opens `path` read-only (regular files only), computes its key, positions at offset 0.
  static Result<std::unique_ptr<FileReader>> Open(std::string path, const ReaderLimits& limits);
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  // Positions at `offset` (a checkpoint or the file's end), forgetting any partial line.
  void Seek(uint64_t offset);

  // Reads at most `budget` bytes (and at most what fits in `buf` beside the carried partial
  // line), delivers every complete line to `sink`, keeps the last partial line. `*bytes_read`
  // is the number of bytes read from the file.
  ReadStatus Read(LineBuffer& buf, size_t budget, LineSink& sink, TailStats& stats,
                  size_t* bytes_read);

  // Delivers the pending partial line (bytes after the last newline) as a line, once. Used
  // when a rotated or deleted file is released: its writer is gone, no newline will follow.
  bool FlushPartial(LineBuffer& buf, LineSink& sink, TailStats& stats);

  // True when the file's first key().fingerprint_len bytes no longer hash to the fingerprint:
  // it was truncated and rewritten (copytruncate) since the head was hashed.
  bool HeadChanged() const;

  // Starts over at byte 0 with a fresh fingerprint (the file was truncated).
  void RestartFromZero();

  // True when the file is at least `len` bytes long and its first `len` bytes hash to `hash`
  // (a restored checkpoint's key matches this file's head).
  bool HeadMatches(uint64_t hash, uint32_t len) const;

  Result<struct stat> Stat() const;

  const FileKey& key() const { return key_; }
  const std::string& path() const { return path_; }
  void set_path(std::string path) { path_ = std::move(path); }
  // Just past the last line delivered or skipped: what a checkpoint records.
  uint64_t checkpoint_offset() const { return checkpoint_offset_; }
  uint64_t read_offset() const { return read_offset_; }
  bool has_partial() const { return !carry_.empty() || skipping_; }

 private:
  FileReader(int fd, std::string path, const ReaderLimits& limits);
  void GrowFingerprint();

  int fd_;
  std::string path_;
  ReaderLimits limits_;
  FileKey key_;
  uint64_t read_offset_ = 0;        // next byte to read
  uint64_t checkpoint_offset_ = 0;  // start of the first undelivered line
  std::string carry_;               // the partial line after the last newline read
  bool skipping_ = false;           // inside a line longer than max_line_bytes
  bool error_logged_ = false;
};

}  // namespace vigil::tail
