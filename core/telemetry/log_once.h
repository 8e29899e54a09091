// Logs a warning the first time each reason occurs (a limit hit, a kind of bad input), so a
// flood of bad requests costs one log line per reason while the self-metrics count every one.
// Thread-safe; meant for rare paths (it takes a mutex).
#pragma once

#include <spdlog/spdlog.h>

#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace vigil::telemetry {

class LogOnce {
 public:
  // Logs `fmt` with `args` at warn level if `reason` was not logged before; returns whether it
  // logged.
  template <typename... Args>
  bool Warn(std::string_view reason, spdlog::format_string_t<Args...> fmt, Args&&... args) {
    if (!FirstTime(reason)) return false;
    spdlog::warn(fmt, std::forward<Args>(args)...);
    return true;
  }

 private:
  bool FirstTime(std::string_view reason) {
    std::lock_guard lock(mu_);
    return seen_.emplace(reason).second;
  }

  std::mutex mu_;
  std::set<std::string, std::less<>> seen_;
};

}  // namespace vigil::telemetry
