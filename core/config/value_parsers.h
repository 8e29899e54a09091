// Parsers for the scalar kinds config files use: durations ("250ms", "1m30s"), byte sizes
// ("64KiB", "1MB", "4096"), integers, floats and booleans. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "core/status.h"

namespace vigil::config {

// Go-style durations: a sequence of <number><unit>, units ns, us, ms, s, m, h. "0" is allowed.
Result<std::chrono::nanoseconds> ParseDuration(std::string_view text);
// Sizes with an optional unit: B, KB/MB/GB (powers of 1000), KiB/MiB/GiB (powers of 1024).
Result<uint64_t> ParseByteSize(std::string_view text);
Result<int64_t> ParseInt(std::string_view text);
Result<double> ParseDouble(std::string_view text);
// true/false, yes/no, on/off (case-insensitive).
Result<bool> ParseBool(std::string_view text);

// Formats for --help and error messages: "1s", "250ms", "64KiB".
std::string FormatDuration(std::chrono::nanoseconds d);
std::string FormatByteSize(uint64_t bytes);

}  // namespace vigil::config
