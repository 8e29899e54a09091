#include "agent/tail/tailer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

namespace vigil::tail {
namespace {

ReaderLimits LimitsFrom(const TailOptions& opts) {
  ReaderLimits limits;
  limits.max_line_bytes = std::max<size_t>(opts.max_line_bytes, 1);
  limits.fingerprint_bytes = static_cast<uint32_t>(
      std::min<size_t>(opts.fingerprint_bytes, std::numeric_limits<uint32_t>::max()));
  return limits;
}

// The buffer must hold a carried partial line (up to max_line_bytes) plus room to read more.
size_t BufferCapacity(const TailOptions& opts) {
  return std::max(
      {opts.read_buffer_bytes, 2 * std::max<size_t>(opts.max_line_bytes, 1), size_t{4096}});
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Tailer::Tailer(TailOptions opts, std::vector<Checkpoint> restored)
    : opts_(std::move(opts)),
      limits_(LimitsFrom(opts_)),
      scanner_(opts_.include, opts_.exclude),
      buf_(BufferCapacity(opts_)),
      restored_(std::move(restored)),
      restored_used_(restored_.size(), false) {}

size_t Tailer::Poll(LineSink& sink, size_t max_bytes) {
  const Clock::time_point now = Clock::now();
  if (!scanned_ || now - last_scan_ >= opts_.scan_interval) Rescan(now);

  for (Tracked& t : files_) t.eof_this_poll = false;
  size_t consumed = 0;
  const size_t n = files_.size();
  if (n != 0 && max_bytes != 0) {
    // Round-robin, one read (at most a buffer) per file per pass, passes until the budget is
    // spent or every file is at EOF: a huge file gets its share and no more. The starting file
    // rotates between Polls so small budgets are shared too.
    const size_t start = cursor_++ % n;
    bool progress = true;
    while (progress && consumed < max_bytes) {
      progress = false;
      for (size_t i = 0; i < n && consumed < max_bytes; ++i) {
        Tracked& t = files_[(start + i) % n];
        if (t.eof_this_poll || Blocked(t)) continue;
        size_t got = 0;
        switch (t.reader->Read(buf_, max_bytes - consumed, sink, stats_, &got)) {
          case FileReader::ReadStatus::kData:
            consumed += got;
            t.last_data = now;
            progress = true;
            break;
          case FileReader::ReadStatus::kTruncated:
            t.last_data = now;
            progress = true;  // read again from 0 in the next pass
            break;
          case FileReader::ReadStatus::kEof:
          case FileReader::ReadStatus::kError:
            t.eof_this_poll = true;
            t.reached_eof = true;
            break;
        }
      }
    }
  }
  ReleaseDrained(sink, now);
  return consumed;
}

bool Tailer::Blocked(Tracked& t) const {
  if (t.wait_for == nullptr) return false;
  for (const Tracked& other : files_) {
    if (other.reader.get() == t.wait_for) {
      if (!other.reached_eof) return true;
      break;
    }
  }
  t.wait_for = nullptr;  // the predecessor reached its end (or was released)
  return false;
}

void Tailer::ReleaseDrained(LineSink& sink, Clock::time_point now) {
  for (size_t i = 0; i < files_.size();) {
    Tracked& t = files_[i];
    // Only a draining file that was just read to EOF, with nothing new for the timeout: its
    // writer has moved on to the new file.
    if (!t.draining || !t.eof_this_poll || now - t.last_data < opts_.rotated_drain_timeout) {
      ++i;
      continue;
    }
    t.reader->FlushPartial(buf_, sink, stats_);
    ++stats_.files_released;
    spdlog::debug("tail: released {} at offset {}", t.reader->path(), t.reader->read_offset());
    const FileReader* gone = t.reader.get();
    for (Tracked& other : files_) {
      if (other.wait_for == gone) other.wait_for = nullptr;
    }
    files_.erase(files_.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

std::unique_ptr<FileReader> Tailer::OpenOrWarn(const std::string& path) {
  Result<std::unique_ptr<FileReader>> opened = FileReader::Open(path, limits_);
  if (!opened.ok()) {
    // Retried on every scan (permissions may be fixed); logged and counted once per path.
    if (open_failed_.insert(path).second) {
      ++stats_.read_errors;
      spdlog::warn("tail: {}", opened.status().message());
    }
    return nullptr;
  }
  open_failed_.erase(path);
  ++stats_.files_opened;
  return std::move(opened).value();
}

void Tailer::Rescan(Clock::time_point now) {
  const bool first_scan = !scanned_;
  scanned_ = true;
  last_scan_ = now;

  const std::vector<FoundFile> found = scanner_.Scan();
  std::map<std::pair<uint64_t, uint64_t>, size_t> by_inode;
  for (size_t i = 0; i < found.size(); ++i) by_inode[{found[i].dev, found[i].ino}] = i;
  std::vector<bool> claimed(found.size(), false);
  std::unordered_map<std::string, const FileReader*> vacated;

  // Tracked files are followed by inode: an open fd pins the inode, so the same (dev, ino)
  // under a globbed path is the same file, wherever it was renamed to.
  for (Tracked& t : files_) {
    FileReader& r = *t.reader;
    auto it = by_inode.find({r.key().dev, r.key().ino});
    if (it != by_inode.end() && !claimed[it->second]) {
      claimed[it->second] = true;
      const std::string& path = found[it->second].path;
      if (path != r.path()) {
        if (!t.draining) {  // renamed to another globbed name (app.log -> app.log.1)
          ++stats_.files_rotated;
          vacated[r.path()] = &r;
          t.reached_eof = false;
        }
        r.set_path(path);
      } else if (!t.draining && r.HeadChanged()) {
        // Truncated and rewritten past the old offset between two looks (copytruncate).
        spdlog::info("tail: {} was rewritten from its start, reading from 0", r.path());
        ++stats_.files_truncated;
        r.RestartFromZero();
      }
      t.draining = false;  // a draining file renamed back into the globs is followed again
      continue;
    }
    if (t.draining) continue;
    // Gone from the globs: deleted, or renamed to an unglobbed name. Drain it through its fd.
    Result<struct stat> st = r.Stat();
    if (st.ok() && st->st_nlink == 0) {
      ++stats_.files_deleted;
    } else {
      ++stats_.files_rotated;
    }
    t.draining = true;
    t.reached_eof = false;
    t.last_data = now;
    vacated[r.path()] = &r;
  }

  for (size_t i = 0; i < found.size(); ++i) {
    if (!claimed[i]) OpenFound(found[i], first_scan, vacated, now);
  }
  if (first_scan) {
    ResolveRenamedWhileStopped(now);
    restored_.clear();
    restored_used_.clear();
  }
}

const Checkpoint* Tailer::MatchRestored(const FileReader& reader) {
  for (size_t i = 0; i < restored_.size(); ++i) {
    const Checkpoint& cp = restored_[i];
    if (restored_used_[i] || cp.key.dev != reader.key().dev || cp.key.ino != reader.key().ino) {
      continue;
    }
    // Same inode is not enough (inodes are recycled): the head the checkpoint saw must still
    // be the file's head. A shorter restored fingerprint is checked against that many bytes.
    if (!reader.HeadMatches(cp.key.fingerprint, cp.key.fingerprint_len)) continue;
    restored_used_[i] = true;
    return &cp;
  }
  return nullptr;
}

void Tailer::OpenFound(const FoundFile& found, bool first_scan,
                       const std::unordered_map<std::string, const FileReader*>& vacated,
                       Clock::time_point now) {
  std::unique_ptr<FileReader> reader = OpenOrWarn(found.path);
  if (reader == nullptr) return;
  Result<struct stat> st = reader->Stat();
  const uint64_t size = st.ok() ? static_cast<uint64_t>(st->st_size) : 0;
  uint64_t start = 0;
  if (first_scan) {
    const bool path_was_checkpointed =
        std::any_of(restored_.begin(), restored_.end(),
                    [&](const Checkpoint& cp) { return cp.path == found.path; });
    if (const Checkpoint* cp = MatchRestored(*reader)) {
      start = cp->offset;
      if (start > size) {  // truncated while the agent was stopped
        ++stats_.files_truncated;
        start = 0;
      }
    } else if (!path_was_checkpointed && !opts_.read_new_files_from_start) {
      // A checkpointed path now holding another file is the successor of a rotation that
      // happened while stopped: read it from 0 whatever the option says.
      start = size;
    }
  }
  reader->Seek(start);
  Tracked t;
  t.reader = std::move(reader);
  t.last_data = now;
  if (auto it = vacated.find(found.path); it != vacated.end()) t.wait_for = it->second;
  files_.push_back(std::move(t));
}

void Tailer::ResolveRenamedWhileStopped(Clock::time_point now) {
  for (size_t i = 0; i < restored_.size(); ++i) {
    if (restored_used_[i]) continue;
    const Checkpoint& cp = restored_[i];
    const bool tracked = std::any_of(files_.begin(), files_.end(), [&](const Tracked& t) {
      return t.reader->key().dev == cp.key.dev && t.reader->key().ino == cp.key.ino;
    });
    if (tracked) continue;  // its inode is followed already, under a new head: not this file
    std::optional<FoundFile> moved = Scanner::FindByInode(DirName(cp.path), cp.key.dev, cp.key.ino);
    if (!moved) {
      spdlog::info("tail: checkpointed file {} is gone; its checkpoint is dropped", cp.path);
      continue;
    }
    std::unique_ptr<FileReader> reader = OpenOrWarn(moved->path);
    if (reader == nullptr) continue;
    if (reader->key().dev != cp.key.dev || reader->key().ino != cp.key.ino ||
        !reader->HeadMatches(cp.key.fingerprint, cp.key.fingerprint_len)) {
      continue;  // a recycled inode, not the checkpointed file: the reader closes
    }
    Result<struct stat> st = reader->Stat();
    const uint64_t size = st.ok() ? static_cast<uint64_t>(st->st_size) : 0;
    reader->Seek(cp.offset <= size ? cp.offset : 0);
    restored_used_[i] = true;
    ++stats_.files_rotated;
    spdlog::info("tail: {} was rotated to {} while stopped; draining it from offset {}", cp.path,
                 moved->path, cp.offset);
    const FileReader* old = reader.get();
    Tracked t;
    t.reader = std::move(reader);
    t.draining = true;
    t.last_data = now;
    files_.push_back(std::move(t));
    for (Tracked& other : files_) {
      if (other.reader.get() != old && other.reader->path() == cp.path) other.wait_for = old;
    }
  }
}

std::vector<Checkpoint> Tailer::Snapshot() const {
  if (!scanned_) return restored_;
  std::vector<Checkpoint> out;
  out.reserve(files_.size());
  for (const Tracked& t : files_) {
    out.push_back(Checkpoint{t.reader->key(), t.reader->path(), t.reader->checkpoint_offset()});
  }
  return out;
}

}  // namespace vigil::tail
