#include "agent/batch/ack_tracker.h"

namespace vigil::agent {

std::optional<std::vector<tail::Checkpoint>> AckTracker::AddCut(
    uint64_t id, size_t pending, std::vector<tail::Checkpoint> mark) {
  cuts_[id] = Cut{pending, std::move(mark)};
  return PopFinishedPrefix();
}

std::optional<std::vector<tail::Checkpoint>> AckTracker::Complete(uint64_t id) {
  auto it = cuts_.find(id);
  if (it == cuts_.end() || it->second.pending == 0) return std::nullopt;  // unknown: ignore
  --it->second.pending;
  return PopFinishedPrefix();
}

std::optional<std::vector<tail::Checkpoint>> AckTracker::PopFinishedPrefix() {
  std::optional<std::vector<tail::Checkpoint>> latest;
  while (!cuts_.empty() && cuts_.begin()->second.pending == 0) {
    latest = std::move(cuts_.begin()->second.mark);
    cuts_.erase(cuts_.begin());
  }
  return latest;
}

}  // namespace vigil::agent
