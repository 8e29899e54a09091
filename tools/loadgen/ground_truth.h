// GroundTruth records every generated request so that tests and the demo can compare what the
// pipeline reports with what was really written: exact counts, errors, sums and nearest-rank
// quantiles per (service, route, status) and per service. Keeps every duration in memory (4
// bytes a request), so it is only built when asked for. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace vigil::tools {

struct TruthSeries {
  std::string service;
  std::string route;
  int status = 0;
  uint64_t count = 0;
  uint64_t errors = 0;
  uint64_t sum_us = 0;
  std::vector<uint32_t> durations_us;
};

// Nearest-rank quantile of sorted values: the ceil(q*n)-th smallest (1-based). 0 if empty.
uint32_t NearestRank(const std::vector<uint32_t>& sorted, double q);

// Renders whole microseconds as seconds with six decimals, exactly ("12.000345").
std::string MicrosAsSeconds(uint64_t us);

class GroundTruth {
 public:
  // `route_id` is any stable small id for the (service, route) pair (the generator's route
  // index); service/route names are copied the first time the pair is seen.
  void Add(int route_id, std::string_view service, std::string_view route, int status,
           std::string_view level, uint32_t duration_us);

  // Sorts the durations and writes the summary JSON (see --help) to `path`, atomically: a
  // temporary file renamed over the target, so a reader never sees half a summary.
  Status WriteJson(const std::string& path, const std::string& header_fields);

  // The JSON text WriteJson writes; `header_fields` are extra top-level members, already
  // rendered ("\"lines\":10,\"seed\":1"), placed before "series".
  std::string RenderJson(const std::string& header_fields);

  uint64_t total_count() const { return total_; }

 private:
  std::unordered_map<uint64_t, TruthSeries> series_;
  uint64_t total_ = 0;
};

}  // namespace vigil::tools
