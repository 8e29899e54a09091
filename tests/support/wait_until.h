// Test helper shared by the test binaries: polls a condition with a bound, so a test that
// waits on another thread or a real socket never hangs and never sleeps longer than needed.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace vigil::testing {

// Polls `pred` until it holds or `limit` passes; returns its last value.
inline bool WaitUntil(const std::function<bool()>& pred,
                      std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace vigil::testing
