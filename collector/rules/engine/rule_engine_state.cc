// RuleEngine alert-state persistence (SerializeState/RestoreState and their files) and the
// hand-over of state across a config reload (InheritState).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "collector/rules/engine/alert_state_codec.h"
#include "collector/rules/engine/rule_engine.h"
#include "collector/rules/engine/rule_state.h"

namespace vigil::rules {
namespace {

Status IoError(const std::string& what, const std::string& path) {
  return Status::Internal(what + " " + path + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::string RuleEngine::SerializeState() const {
  std::vector<PersistedAlert> alerts;
  for (size_t g = 0; g < groups_.size(); ++g) {
    for (size_t r = 0; r < groups_[g].rules.size(); ++r) {
      const RuleState& st = state_[g][r];
      if (st.active.empty()) continue;
      int ordinal = RuleOrdinal(groups_[g], r);
      for (const auto& [labels, tracked] : st.active) {
        alerts.push_back({groups_[g].name, groups_[g].rules[r].rule.name, ordinal, tracked.alert});
      }
    }
  }
  return EncodeAlertState(alerts);
}

Status RuleEngine::RestoreState(std::string_view document) {
  Result<std::vector<PersistedAlert>> alerts = DecodeAlertState(document);
  if (!alerts.ok()) return alerts.status();
  for (PersistedAlert& p : *alerts) {
    size_t g = 0;
    while (g < groups_.size() && groups_[g].name != p.group) ++g;
    if (g == groups_.size()) continue;
    int r = FindRule(groups_[g], Rule::Kind::kAlerting, p.rule, p.rule_index);
    if (r < 0) continue;
    const CompiledRule& rule = groups_[g].rules[r];
    // The state is taken as saved: a firing alert stays firing with its original active_at and
    // fired_at, so a restart neither re-waits `for` nor sends it back to pending.
    TrackedAlert tracked{std::move(p.alert), false};
    tracked.restored = options_.hold_restored_alerts;
    tracked.alert.group = groups_[g].name;
    tracked.alert.alertname = rule.rule.name;
    tracked.alert.expr = rule.rule.expr;
    eval::Labels key = tracked.alert.labels;
    state_[g][r].active[std::move(key)] = std::move(tracked);
  }
  return Status::Ok();
}

void RuleEngine::InheritState(const RuleEngine& previous) {
  if (&previous == this) return;
  for (size_t g = 0; g < groups_.size(); ++g) {
    size_t og = 0;
    while (og < previous.groups_.size() && previous.groups_[og].name != groups_[g].name) ++og;
    if (og == previous.groups_.size()) continue;
    const CompiledGroup& old_group = previous.groups_[og];
    std::vector<bool> taken(old_group.rules.size(), false);
    for (size_t r = 0; r < groups_[g].rules.size(); ++r) {
      const Rule& rule = groups_[g].rules[r].rule;
      int orr = FindRule(old_group, rule.kind, rule.name, RuleOrdinal(groups_[g], r));
      if (orr < 0) continue;
      taken[orr] = true;
      const RuleState& old_state = previous.state_[og][orr];
      RuleState& st = state_[g][r];
      st.active = old_state.active;
      for (auto& [labels, tracked] : st.active) tracked.alert.expr = rule.expr;
      // Carrying the written series over keeps stale markers right across the reload.
      st.series_prev = old_state.series_prev;
    }
    std::vector<eval::Labels>& orphans = orphaned_series_[g];
    orphans = previous.orphaned_series_[og];
    for (size_t orr = 0; orr < old_group.rules.size(); ++orr) {
      if (taken[orr]) continue;
      const auto& series = previous.state_[og][orr].series_prev;
      orphans.insert(orphans.end(), series.begin(), series.end());
    }
  }
}

Status RuleEngine::SaveStateFile(const std::string& path) const {
  const std::string document = SerializeState();
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create", tmp);
  Status written = WriteAll(fd, document, tmp);
  if (written.ok() && ::fsync(fd) != 0) written = IoError("cannot fsync", tmp);
  ::close(fd);
  if (!written.ok()) {
    ::unlink(tmp.c_str());
    return written;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = IoError("cannot rename " + tmp + " to", path);
    ::unlink(tmp.c_str());
    return s;
  }
  // The rename is only durable once the directory entry is.
  std::string dir = DirectoryOf(path);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return IoError("cannot open directory", dir);
  Status synced = ::fsync(dfd) == 0 ? Status::Ok() : IoError("cannot fsync directory", dir);
  ::close(dfd);
  return synced;
}

Status RuleEngine::LoadStateFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::Ok();  // first start: nothing saved yet
    return IoError("cannot open", path);
  }
  std::string document;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = IoError("cannot read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    document.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  Status restored = RestoreState(document);
  if (!restored.ok()) return Status::InvalidArgument(path + ": " + restored.message());
  return Status::Ok();
}

}  // namespace vigil::rules
