// Scanner: expands the tailer's include globs (glob(3)), drops paths matching an exclude pattern
// (fnmatch) and non-regular files, and finds a file by inode in a directory (to follow a file
// renamed while the agent was stopped). Stateless between calls; used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigil::tail {

struct FoundFile {
  std::string path;
  uint64_t dev = 0, ino = 0;
};

class Scanner {
 public:
  Scanner(std::vector<std::string> include, std::vector<std::string> exclude);

  // Regular files matching an include pattern and no exclude pattern, sorted by path, each
  // inode once (the first path in order wins over hard links and symlinks to it).
  std::vector<FoundFile> Scan() const;

  // True when `path` matches an exclude pattern.
  bool Excluded(const std::string& path) const;

  // The first regular file in `dir` whose inode is (dev, ino), if any.
  static std::optional<FoundFile> FindByInode(const std::string& dir, uint64_t dev, uint64_t ino);

 private:
  std::vector<std::string> include_;
  std::vector<std::string> exclude_;
};

}  // namespace vigil::tail
