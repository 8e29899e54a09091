#include "agent/tail/fingerprint.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace vigil::tail {

void Fnv1a64::Update(std::string_view data) {
  uint64_t h = h_;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h_ = h;
}

uint64_t HashBytes(std::string_view data) {
  Fnv1a64 h;
  h.Update(data);
  return h.value();
}

Result<HeadHash> HashFileHead(int fd, uint32_t max_len) {
  // Chunks on the stack: fingerprints are small and computed rarely (on open, on rescans and
  // while a young file grows), so no buffer is kept around for them.
  char chunk[4096];
  Fnv1a64 h;
  uint32_t done = 0;
  while (done < max_len) {
    size_t want = std::min<size_t>(sizeof(chunk), max_len - done);
    ssize_t n = ::pread(fd, chunk, want, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(std::string("reading file head: ") + std::strerror(errno));
    }
    if (n == 0) break;  // the file is shorter than max_len
    h.Update(std::string_view(chunk, static_cast<size_t>(n)));
    done += static_cast<uint32_t>(n);
  }
  return HeadHash{h.value(), done};
}

Result<bool> HeadMatches(int fd, uint64_t hash, uint32_t len) {
  Result<HeadHash> head = HashFileHead(fd, len);
  if (!head.ok()) return head.status();
  return head->len == len && head->hash == hash;
}

}  // namespace vigil::tail
