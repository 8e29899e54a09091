// File fingerprints: a hash of a file's first bytes, which together with (dev, inode) tells the
// same file apart from a recycled inode or a copy. Stateless functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"

namespace vigil::tail {

// Incremental 64-bit FNV-1a: hashing "ab" equals hashing "a" then "b" (a prefix hash can be
// computed from a stream of chunks).
class Fnv1a64 {
 public:
  void Update(std::string_view data);
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

uint64_t HashBytes(std::string_view data);

struct HeadHash {
  uint64_t hash = 0;
  uint32_t len = 0;  // bytes hashed: min(max_len, file length)
};

// Hashes the first min(max_len, file length) bytes of `fd` (read with pread; the fd's position
// is untouched).
Result<HeadHash> HashFileHead(int fd, uint32_t max_len);

// True when the file is at least `len` bytes long and its first `len` bytes hash to `hash`.
Result<bool> HeadMatches(int fd, uint64_t hash, uint32_t len);

}  // namespace vigil::tail
