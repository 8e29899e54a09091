// Parsing of the HTTP Retry-After header (RFC 9110 10.2.3), which 429 and 503 replies use to
// say when to come back. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string_view>

#include "core/status.h"

namespace vigil::send {

// `value` is delay-seconds ("120") or an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"; the
// obsolete RFC 850 and asctime forms are not accepted). A date in the past gives 0. Delays
// are capped at one day so a hostile value cannot park a batch forever. Anything else is
// InvalidArgument quoting the value.
Result<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                  std::chrono::system_clock::time_point now);

}  // namespace vigil::send
