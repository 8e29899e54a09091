#include "agent/tail/checkpoint_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "agent/tail/fingerprint.h"

namespace vigil::tail {
namespace {

// Format, one record a line, fields separated by one space, the path last (percent-escaped so
// it may hold spaces and newlines):
//   vigil-tail-checkpoints 1
//   <dev> <ino> <fingerprint, 16 hex> <fingerprint_len> <offset> <path>
//   end <record count> <FNV-1a 64 of every byte before this line, 16 hex>
// The trailer catches a torn or hand-edited file; the rename makes tearing unlikely already.
constexpr std::string_view kHeader = "vigil-tail-checkpoints 1";
constexpr size_t kMaxFileBytes = 64 << 20;

std::string Hex16(uint64_t v) {
  char out[17];
  std::snprintf(out, sizeof(out), "%016llx", static_cast<unsigned long long>(v));
  return out;
}

void AppendEscaped(std::string& out, std::string_view path) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (unsigned char c : path) {
    if (c == '%' || c == '\n' || c == '\r') {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
}

bool Unescape(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= in.size()) return false;
    auto [p, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
    if (ec != std::errc() || p != in.data() + i + 3) return false;
    out += static_cast<char>(value);
    i += 2;
  }
  return true;
}

// Splits off the next space-terminated field of `line`.
bool NextField(std::string_view& line, std::string_view& field) {
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0) return false;
  field = line.substr(0, sp);
  line.remove_prefix(sp + 1);
  return true;
}

template <typename T>
bool ParseNumber(std::string_view s, T& out, int base = 10) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

Status SysError(const std::string& what, const std::string& path) {
  return Status::Unavailable(what + " " + path + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysError("writing", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

CheckpointStore::CheckpointStore(std::string state_dir)
    : state_dir_(std::move(state_dir)), path_(state_dir_ + "/tail.checkpoints") {}

std::string CheckpointStore::Encode(const std::vector<Checkpoint>& cps) {
  std::string out(kHeader);
  out += '\n';
  for (const Checkpoint& cp : cps) {
    out += std::to_string(cp.key.dev) + ' ' + std::to_string(cp.key.ino) + ' ' +
           Hex16(cp.key.fingerprint) + ' ' + std::to_string(cp.key.fingerprint_len) + ' ' +
           std::to_string(cp.offset) + ' ';
    AppendEscaped(out, cp.path);
    out += '\n';
  }
  const uint64_t hash = HashBytes(out);
  out += "end " + std::to_string(cps.size()) + ' ' + Hex16(hash) + '\n';
  return out;
}

Result<std::vector<Checkpoint>> CheckpointStore::Decode(std::string_view text,
                                                        const std::string& name) {
  auto corrupt = [&](size_t line_no, const std::string& why) {
    return Status::DataLoss("checkpoint file " + name + " is corrupt: line " +
                            std::to_string(line_no) + ": " + why);
  };
  if (text.empty() || text.back() != '\n') {
    return Status::DataLoss("checkpoint file " + name +
                            " is corrupt: truncated (no final newline)");
  }
  std::vector<Checkpoint> cps;
  size_t pos = 0, line_no = 0;
  bool ended = false;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl - pos);
    const size_t line_start = pos;
    pos = nl + 1;
    ++line_no;
    if (ended) return corrupt(line_no, "data after the end line");
    if (line_no == 1) {
      if (line != kHeader) return corrupt(1, "expected header \"" + std::string(kHeader) + "\"");
      continue;
    }
    if (line.substr(0, 4) == "end ") {
      line.remove_prefix(4);
      std::string_view count_field;
      size_t count = 0;
      uint64_t hash = 0;
      if (!NextField(line, count_field) || !ParseNumber(count_field, count) || line.size() != 16 ||
          !ParseNumber(line, hash, 16)) {
        return corrupt(line_no, "malformed end line");
      }
      if (count != cps.size()) {
        return corrupt(line_no, "end line counts " + std::to_string(count) + " records, found " +
                                    std::to_string(cps.size()));
      }
      if (hash != HashBytes(text.substr(0, line_start))) {
        return corrupt(line_no, "checksum mismatch");
      }
      ended = true;
      continue;
    }
    Checkpoint cp;
    std::string_view dev, ino, fp, fp_len, offset;
    if (!NextField(line, dev) || !NextField(line, ino) || !NextField(line, fp) ||
        !NextField(line, fp_len) || !NextField(line, offset) || line.empty()) {
      return corrupt(line_no, "expected 6 fields: dev ino fingerprint length offset path");
    }
    if (!ParseNumber(dev, cp.key.dev) || !ParseNumber(ino, cp.key.ino) || fp.size() != 16 ||
        !ParseNumber(fp, cp.key.fingerprint, 16) || !ParseNumber(fp_len, cp.key.fingerprint_len) ||
        !ParseNumber(offset, cp.offset)) {
      return corrupt(line_no, "bad number");
    }
    if (!Unescape(line, cp.path)) return corrupt(line_no, "bad escape in path");
    cps.push_back(std::move(cp));
  }
  if (!ended) return corrupt(line_no, "missing end line (file truncated?)");
  return cps;
}

Result<std::vector<Checkpoint>> CheckpointStore::Load() const {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::vector<Checkpoint>{};
    return SysError("opening", path_);
  }
  std::string text;
  char chunk[16384];
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = SysError("reading", path_);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    text.append(chunk, static_cast<size_t>(n));
    if (text.size() > kMaxFileBytes) {
      ::close(fd);
      return Status::DataLoss("checkpoint file " + path_ + " is corrupt: larger than " +
                              std::to_string(kMaxFileBytes) + " bytes");
    }
  }
  ::close(fd);
  return Decode(text, path_);
}

Status CheckpointStore::Save(const std::vector<Checkpoint>& cps) const {
  if (::mkdir(state_dir_.c_str(), 0755) != 0 && errno != EEXIST) {
    return SysError("creating state directory", state_dir_);
  }
  const std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return SysError("creating", tmp);
  Status s = WriteAll(fd, Encode(cps), tmp);
  if (s.ok() && ::fsync(fd) != 0) s = SysError("fsync", tmp);
  if (::close(fd) != 0 && s.ok()) s = SysError("closing", tmp);
  if (s.ok() && ::rename(tmp.c_str(), path_.c_str()) != 0) s = SysError("renaming to", path_);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  // The rename is durable only once the directory entry is.
  int dfd = ::open(state_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return SysError("opening directory", state_dir_);
  if (::fsync(dfd) != 0) s = SysError("fsync directory", state_dir_);
  ::close(dfd);
  return s;
}

}  // namespace vigil::tail
