// CheckpointStore: persists the tailer's checkpoints in `<state_dir>/tail.checkpoints`, a small
// versioned text file with a checksum trailer, replaced atomically on every save. Stateless
// besides the directory name; concurrent Save calls on one directory must be serialized.
#pragma once

#include <string>
#include <vector>

#include "agent/tail/tail_types.h"
#include "core/status.h"

namespace vigil::tail {

class CheckpointStore {
 public:
  explicit CheckpointStore(std::string state_dir);

  // Missing file -> empty; unreadable -> Unavailable; corrupt -> DataLoss naming the file and
  // the line at fault.
  Result<std::vector<Checkpoint>> Load() const;

  // Atomic: write a temporary file, fsync it, rename it over the old one, fsync the directory.
  // Creates state_dir (one level) if it is missing.
  Status Save(const std::vector<Checkpoint>& cps) const;

  const std::string& path() const { return path_; }

  // The file's text for `cps`, and its parse (exposed for tests and tools).
  static std::string Encode(const std::vector<Checkpoint>& cps);
  static Result<std::vector<Checkpoint>> Decode(std::string_view text, const std::string& name);

 private:
  std::string state_dir_;
  std::string path_;
};

}  // namespace vigil::tail
