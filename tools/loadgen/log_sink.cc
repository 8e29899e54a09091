#include "tools/loadgen/log_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace vigil::tools {
namespace {

Status Errno(std::string_view what, const std::string& path) {
  return Status::Unavailable(std::string(what) + " " + path + ": " + std::strerror(errno));
}

int OpenAppend(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

Status WriteAll(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Result<LogSink> LogSink::Open(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("output path is empty");
  if (path == "-") return LogSink(path, STDOUT_FILENO);
  const int fd = OpenAppend(path);
  if (fd < 0) return Errno("cannot open", path);
  return LogSink(path, fd);
}

LogSink::LogSink(LogSink&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) {
  other.fd_ = -1;
}

LogSink& LogSink::operator=(LogSink&& other) noexcept {
  if (this != &other) {
    Close();
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

LogSink::~LogSink() { Close(); }

void LogSink::Close() {
  if (fd_ >= 0 && fd_ != STDOUT_FILENO) ::close(fd_);
  fd_ = -1;
}

Status LogSink::Write(std::string_view data) {
  return WriteAll(fd_, data.data(), data.size(), path_);
}

Status LogSink::Fsync() {
  if (is_stdout()) return Status::Ok();
  if (::fsync(fd_) != 0) return Errno("fsync", path_);
  return Status::Ok();
}

Status LogSink::ShiftOldFiles(int keep) {
  // FILE.(keep-1) -> FILE.keep overwrites the oldest, so at most `keep` survive.
  for (int k = keep - 1; k >= 1; --k) {
    const std::string from = path_ + "." + std::to_string(k);
    const std::string to = path_ + "." + std::to_string(k + 1);
    if (std::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
      return Errno("cannot rename", from);
    }
  }
  return Status::Ok();
}

Status LogSink::Rotate(RotateMode mode, int keep) {
  if (is_stdout()) return Status::FailedPrecondition("cannot rotate standard output");
  if (keep < 1) return Status::InvalidArgument("rotate keep must be >= 1");
  VIGIL_RETURN_IF_ERROR(ShiftOldFiles(keep));
  const std::string first = path_ + ".1";
  if (mode == RotateMode::kRename) {
    if (std::rename(path_.c_str(), first.c_str()) != 0) return Errno("cannot rename", path_);
    Close();
    fd_ = OpenAppend(path_);
    if (fd_ < 0) return Errno("cannot reopen", path_);
    return Status::Ok();
  }
  // copytruncate: the writer keeps its descriptor; O_APPEND puts the next write at offset 0.
  const int in = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Errno("cannot open", path_);
  const int out = ::open(first.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    ::close(in);
    return Errno("cannot create", first);
  }
  std::vector<char> buf(1 << 20);
  Status st;
  while (st.ok()) {
    const ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      st = Errno("read", path_);
      break;
    }
    if (n == 0) break;
    st = WriteAll(out, buf.data(), static_cast<size_t>(n), first);
  }
  ::close(in);
  ::close(out);
  VIGIL_RETURN_IF_ERROR(st);
  if (::ftruncate(fd_, 0) != 0) return Errno("cannot truncate", path_);
  return Status::Ok();
}

}  // namespace vigil::tools
