// The vocabulary of JSON-line parsing: which keys mean what (FieldMapping), what counts as an
// error (ErrorRule), why a line was dropped (ParseError) and the parsed result (ParsedLine).
// Plain values; a ParsedLine borrows memory from its parser and line (see ParsedLine).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::parse {

// Unit of a duration given as a plain JSON number (or a numeric string without a unit).
enum class DurationUnit { kSeconds, kMilliseconds, kMicroseconds, kNanoseconds };

// Names of the top-level keys that carry each field. Keys are matched byte for byte against the
// raw (still escaped) key in the line; nested paths ("http.route" as a path) are not supported,
// so a key spelled with a dot is just a top-level key containing a dot.
struct FieldMapping {
  std::string ts = "ts", level = "level", service = "service", route = "route", status = "status",
              duration = "duration_ms", message = "msg", trace_id = "trace_id";
  // For plain numbers; strings like "12.5ms", "1.2s", "350us", "800ns", "1m", "1m30s" carry
  // their own unit.
  DurationUnit duration_unit = DurationUnit::kMilliseconds;
  std::string default_service = "unknown_service";
};

// A line is an error when status >= status_min or its level is one of `levels`
// (ASCII case-insensitive).
struct ErrorRule {
  int status_min = 500;
  std::vector<std::string> levels = {"error", "fatal", "critical", "panic"};
};

enum class ParseError { kNone, kMalformedJson, kNotAnObject, kBadDuration, kBadStatus };

// "none", "malformed_json", "not_an_object", "bad_duration", "bad_status": the `reason` label
// of the drop counters.
std::string_view ParseErrorName(ParseError error);

// The fields of one line. The string_views point into the parser's buffer or the line itself
// and stay valid until the next JsonLineParser::Parse call or until the line's memory changes.
struct ParsedLine {
  std::string_view service, route, level, message, trace_id;
  int status = 0;                // 0 = absent
  double duration_seconds = -1;  // < 0 = absent: a log record but not a request
  int64_t ts_unix_nano = 0;      // 0 = absent (or unreadable: the caller uses the observed time)
  int severity_number = 0;       // OTLP SeverityNumber; 0 = unspecified
  bool is_error = false;         // per ErrorRule

  bool has_duration() const { return duration_seconds >= 0; }

  // Back to the defaults above. Member by member on purpose: `*this = ParsedLine{}` compiles to
  // a copy through the stack that stalls on store forwarding, a sixth of a parse.
  void Reset() {
    service = route = level = message = trace_id = {};
    status = 0;
    duration_seconds = -1;
    ts_unix_nano = 0;
    severity_number = 0;
    is_error = false;
  }
};

}  // namespace vigil::parse
