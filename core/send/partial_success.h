// What both OTLP exporters (HTTP and gRPC) do with a successful reply: read its partial_success
// (items the backend rejected and why), count it, and log it at most once a minute so a backend
// that rejects part of every batch cannot fill the log. Also the one way a server's text is made
// safe for a log line. Functions are pure; PartialSuccessLog is thread-safe (atomics).
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "core/send/exporter.h"

namespace vigil::send {

struct PartialSuccess {
  int64_t rejected = 0;
  std::string message;
  bool any() const { return rejected > 0 || !message.empty(); }
};

// partial_success of the signal's Export*ServiceResponse in `body`; empty when the body does
// not parse or has none.
PartialSuccess ParsePartialSuccess(Signal signal, std::string_view body);

// `text` cut to 512 bytes ("..." marks the cut), control and non-ASCII bytes as spaces,
// trailing spaces dropped.
std::string PrintableText(std::string_view text);

// One per exporter: counts every partial success into the two counters and logs it as a
// warning naming `who` (the endpoint) at most once a minute.
class PartialSuccessLog {
 public:
  void Record(std::string_view who, Signal signal, const PartialSuccess& ps,
              std::atomic<uint64_t>& responses, std::atomic<uint64_t>& rejections);

 private:
  std::atomic<int64_t> last_log_{std::numeric_limits<int64_t>::min()};
};

}  // namespace vigil::send
