// Internal to core/codec: the growing output buffer shared by the decompressors. It never grows
// past limit + 1 bytes, so a decompression bomb costs at most the limit in memory; holding
// limit + 1 bytes is how a decoder learns the limit was crossed. One per call; not shared.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include "core/status.h"

namespace vigil::codec::internal {

class CappedOutput {
 public:
  // `size_hint` is a guess of the final size (e.g. a frame header's content size).
  CappedOutput(size_t limit, size_t size_hint) : limit_(limit) {
    buf_.resize(std::min(Cap(), std::max<size_t>(size_hint, kMinChunk)));
  }

  // Writable space after `used()`; grows the buffer when it is full. Returns false when the
  // buffer already holds more than the limit allows, i.e. the limit has been exceeded.
  bool EnsureSpace() {
    if (used_ < buf_.size()) return true;
    if (buf_.size() >= Cap()) return false;
    buf_.resize(std::min(Cap(), std::max(buf_.size() * 2, kMinChunk)));
    return true;
  }

  char* free_begin() { return buf_.data() + used_; }
  size_t free_size() const { return buf_.size() - used_; }
  void Commit(size_t n) { used_ += n; }
  size_t used() const { return used_; }
  bool exceeded() const { return used_ > limit_; }

  Status LimitError() const {
    return Status::ResourceExhausted("decompressed body exceeds " + std::to_string(limit_) +
                                     " bytes");
  }

  std::string Take() && {
    buf_.resize(used_);
    return std::move(buf_);
  }

 private:
  static constexpr size_t kMinChunk = 64 * 1024;
  size_t Cap() const { return limit_ == SIZE_MAX ? limit_ : limit_ + 1; }

  size_t limit_;
  size_t used_ = 0;
  std::string buf_;
};

}  // namespace vigil::codec::internal
