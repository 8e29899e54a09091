// LineFormatter renders one request as a JSON-lines log record, appending to a caller's buffer
// without allocating per line (the generator writes gigabytes). Caches the date-time prefix of
// the current second. Not thread-safe; one per generator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tools/loadgen/request_model.h"

namespace vigil::tools {

// Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" (24 chars) for Unix time `unix_ms` (UTC) into `out`.
void FormatRfc3339Millis(int64_t unix_ms, char* out);

// Days since 1970-01-01 of a proleptic Gregorian civil date, and back.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d);

class LineFormatter {
 public:
  // Appends one line, '\n' included, e.g.
  // {"ts":"2026-11-23T10:00:00.123Z","level":"info","service":"checkout",
  //  "route":"/api/cart/{id}","status":200,"duration_ms":12.345,"msg":"request completed",
  //  "trace_id":"<32 hex>"}
  // `service` and `route` are written verbatim, so they must need no JSON escaping.
  void Append(int64_t unix_ms, std::string_view service, std::string_view route, const Request& req,
              std::string& out);

 private:
  int64_t cached_second_ = INT64_MIN;
  char cached_prefix_[19] = {};  // "YYYY-MM-DDTHH:MM:SS"
};

}  // namespace vigil::tools
