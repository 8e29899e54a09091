// Decoders for the textual and numeric shapes a log field can take: durations with units,
// RFC 3339 / epoch timestamps, HTTP status codes and level names. Pure functions on their
// arguments; thread-safe; no allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "agent/parse/parsed_line.h"

namespace vigil::parse {

// Seconds in one `unit`.
double DurationUnitSeconds(DurationUnit unit);

// Seconds from a duration string: one or more "<decimal><unit>" parts (units ns, us, µs, ms, s,
// m, h; e.g. "12.5ms", "1m30s") or a bare decimal counted in `bare_unit`. Signs, exponents,
// blanks and unknown units are rejected (nullopt).
std::optional<double> ParseDurationText(std::string_view text, DurationUnit bare_unit);

// Nanoseconds since the Unix epoch from "YYYY-MM-DD(T|t| )HH:MM:SS[(.|,)fraction][Z|±HH:MM]".
// A missing zone is read as UTC; fraction digits beyond nanoseconds are ignored. nullopt when
// the text or a calendar field is invalid, or the instant is not after the epoch.
std::optional<int64_t> ParseRfc3339UnixNano(std::string_view text);

// Nanoseconds since the epoch from an epoch number whose unit is guessed from its magnitude:
// below 1e11 seconds, below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds.
// nullopt for values <= 0.
std::optional<int64_t> EpochIntegerToUnixNano(int64_t value);
std::optional<int64_t> EpochDoubleToUnixNano(double value);

// An HTTP status from a JSON number or numeric string: a whole number in [100, 999].
std::optional<int> StatusFromInteger(int64_t value);
std::optional<int> StatusFromText(std::string_view text);

// OTLP SeverityNumber for a level name (ASCII case-insensitive): trace=1, debug=5,
// info/notice=9, warn/warning=13, error/err=17, fatal/critical/crit/panic/alert/emerg=21,
// otherwise 0.
int SeverityNumberFromLevel(std::string_view level);

// The level name for a numeric level as written by pino/bunyan (10 trace ... 60 fatal), or ""
// when the number is not one of those.
std::string_view LevelNameFromNumber(int64_t level);

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

}  // namespace vigil::parse
