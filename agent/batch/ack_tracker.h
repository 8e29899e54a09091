// Decides when tail checkpoints may advance: a flush ("cut") covers the lines read up to its
// checkpoint mark and is finished when every envelope cut from it was acknowledged by the
// collector (or given up on, which is counted as a drop). Checkpoints advance over the longest
// finished prefix of cuts, so a restart never skips lines that were not delivered.
// Owned by the agent's event-loop thread; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "agent/tail/tail_types.h"

namespace vigil::agent {

class AckTracker {
 public:
  // Registers cut `id` (strictly increasing) with `pending` envelopes in flight. Returns the
  // checkpoints to persist if this (empty) cut completes the prefix at once.
  std::optional<std::vector<tail::Checkpoint>> AddCut(uint64_t id, size_t pending,
                                                      std::vector<tail::Checkpoint> mark);
  // One envelope of cut `id` is finished. Returns the checkpoints to persist when the finished
  // prefix advanced, else nothing.
  std::optional<std::vector<tail::Checkpoint>> Complete(uint64_t id);

  size_t outstanding_cuts() const { return cuts_.size(); }
  bool idle() const { return cuts_.empty(); }

 private:
  struct Cut {
    size_t pending = 0;
    std::vector<tail::Checkpoint> mark;
  };
  std::optional<std::vector<tail::Checkpoint>> PopFinishedPrefix();

  std::map<uint64_t, Cut> cuts_;
};

}  // namespace vigil::agent
