#include "agent/tail/file_reader.h"

#include <fcntl.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/tail/fingerprint.h"

namespace vigil::tail {

static_assert(kLinePadding >= simdjson::SIMDJSON_PADDING,
              "lines must be followed by the padding simdjson reads past the end");

LineBuffer::LineBuffer(size_t capacity)
    : data_(new char[capacity + kLinePadding]), capacity_(capacity) {
  // The padding is never written by reads; zero it so a parser reading past a line's end at the
  // buffer's tail sees defined bytes.
  std::memset(data_.get() + capacity, 0, kLinePadding);
}

Result<std::unique_ptr<FileReader>> FileReader::Open(std::string path, const ReaderLimits& limits) {
  // O_NONBLOCK: the path was a regular file when scanned, but if it was swapped for a FIFO in
  // between, opening must not block the pipeline thread.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return Status::Unavailable("opening " + path + ": " + std::strerror(errno));
  }
  std::unique_ptr<FileReader> reader(new FileReader(fd, std::move(path), limits));
  Result<struct stat> st = reader->Stat();
  if (!st.ok()) return st.status();
  if (!S_ISREG(st->st_mode)) {
    return Status::FailedPrecondition(reader->path_ + " is not a regular file");
  }
  reader->key_.dev = static_cast<uint64_t>(st->st_dev);
  reader->key_.ino = static_cast<uint64_t>(st->st_ino);
  Result<HeadHash> head = HashFileHead(fd, limits.fingerprint_bytes);
  if (!head.ok()) return head.status().WithContext(reader->path_);
  reader->key_.fingerprint = head->hash;
  reader->key_.fingerprint_len = head->len;
  return reader;
}

FileReader::FileReader(int fd, std::string path, const ReaderLimits& limits)
    : fd_(fd), path_(std::move(path)), limits_(limits) {}

FileReader::~FileReader() { ::close(fd_); }

void FileReader::Seek(uint64_t offset) {
  read_offset_ = offset;
  checkpoint_offset_ = offset;
  carry_.clear();
  skipping_ = false;
}

Result<struct stat> FileReader::Stat() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    return Status::Unavailable("fstat " + path_ + ": " + std::strerror(errno));
  }
  return st;
}

void FileReader::RestartFromZero() {
  Seek(0);
  key_.fingerprint_len = 0;
  key_.fingerprint = HashBytes({});
  GrowFingerprint();
}

void FileReader::GrowFingerprint() {
  Result<HeadHash> head = HashFileHead(fd_, limits_.fingerprint_bytes);
  // A failed or shorter re-read keeps the old fingerprint: it is still a valid prefix hash.
  if (head.ok() && head->len >= key_.fingerprint_len) {
    key_.fingerprint = head->hash;
    key_.fingerprint_len = head->len;
  }
}

bool FileReader::HeadMatches(uint64_t hash, uint32_t len) const {
  Result<bool> same = tail::HeadMatches(fd_, hash, len);
  return same.ok() && *same;
}

bool FileReader::HeadChanged() const {
  if (key_.fingerprint_len == 0) return false;
  Result<bool> same = tail::HeadMatches(fd_, key_.fingerprint, key_.fingerprint_len);
  return same.ok() && !*same;
}

FileReader::ReadStatus FileReader::Read(LineBuffer& buf, size_t budget, LineSink& sink,
                                        TailStats& stats, size_t* bytes_read) {
  *bytes_read = 0;
  char* const data = buf.data();
  const size_t carry = carry_.size();
  // The buffer always has room past a carried line: it is larger than max_line_bytes and the
  // carry never exceeds max_line_bytes (a longer partial line switches to skipping).
  const size_t room = buf.capacity() - carry;
  const size_t want = std::min(budget, room);
  if (want == 0) return ReadStatus::kEof;

  ssize_t n;
  do {
    n = ::pread(fd_, data + carry, want, static_cast<off_t>(read_offset_));
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    ++stats.read_errors;
    if (!error_logged_) {
      spdlog::warn("tail: reading {} at offset {}: {}", path_, read_offset_, std::strerror(errno));
      error_logged_ = true;
    }
    return ReadStatus::kError;
  }
  error_logged_ = false;
  if (n == 0) {
    // At EOF: a file now shorter than what was read was truncated in place (copytruncate).
    Result<struct stat> st = Stat();
    if (st.ok() && static_cast<uint64_t>(st->st_size) < read_offset_) {
      spdlog::info("tail: {} truncated (size {} < offset {}), reading from 0", path_, st->st_size,
                   read_offset_);
      ++stats.files_truncated;
      RestartFromZero();
      return ReadStatus::kTruncated;
    }
    return ReadStatus::kEof;
  }

  if (carry != 0) std::memcpy(data, carry_.data(), carry);
  const uint64_t base = read_offset_ - carry;  // file offset of data[0]
  read_offset_ += static_cast<uint64_t>(n);
  *bytes_read = static_cast<size_t>(n);
  stats.bytes += static_cast<uint64_t>(n);

  const char* p = data;
  const char* const end = data + carry + static_cast<size_t>(n);
  if (skipping_) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
    if (nl == nullptr) {
      if (key_.fingerprint_len < limits_.fingerprint_bytes) GrowFingerprint();
      return ReadStatus::kData;  // still inside the long line: discard, keep the checkpoint
    }
    skipping_ = false;
    p = nl + 1;
  }
  const size_t max_line = limits_.max_line_bytes;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
    if (nl == nullptr) break;
    size_t len = static_cast<size_t>(nl - p);
    if (len > max_line) {
      ++stats.lines_too_long;
    } else {
      if (len != 0 && p[len - 1] == '\r') --len;
      sink.OnLine(std::string_view(p, len), path_);
      ++stats.lines;
    }
    p = nl + 1;
  }
  checkpoint_offset_ = base + static_cast<uint64_t>(p - data);
  const size_t rest = static_cast<size_t>(end - p);
  if (rest > max_line) {
    // Never buffer more than a line may hold: drop it and skip to its newline. The checkpoint
    // stays at the line's start, so a restart skips (and counts) it again rather than losing
    // the line after it.
    ++stats.lines_too_long;
    skipping_ = true;
    carry_.clear();
  } else {
    carry_.assign(p, rest);
  }
  if (key_.fingerprint_len < limits_.fingerprint_bytes) GrowFingerprint();
  return ReadStatus::kData;
}

bool FileReader::FlushPartial(LineBuffer& buf, LineSink& sink, TailStats& stats) {
  if (skipping_) {  // the too-long line was counted when skipping began
    skipping_ = false;
    checkpoint_offset_ = read_offset_;
    return false;
  }
  if (carry_.empty()) return false;
  size_t len = carry_.size();
  std::memcpy(buf.data(), carry_.data(), len);  // the buffer provides the padding
  if (buf.data()[len - 1] == '\r') --len;
  sink.OnLine(std::string_view(buf.data(), len), path_);
  ++stats.lines;
  ++stats.partial_lines_flushed;
  carry_.clear();
  checkpoint_offset_ = read_offset_;
  return true;
}

}  // namespace vigil::tail
