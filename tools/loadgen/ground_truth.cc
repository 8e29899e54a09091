#include "tools/loadgen/ground_truth.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <tuple>

namespace vigil::tools {
namespace {

struct Stats {
  uint64_t count = 0;
  uint64_t errors = 0;
  uint64_t sum_us = 0;
  std::vector<uint32_t> sorted;
};

void AppendStats(std::string& out, const Stats& s) {
  out += "\"count\":" + std::to_string(s.count);
  out += ",\"errors\":" + std::to_string(s.errors);
  out += ",\"sum_seconds\":" + MicrosAsSeconds(s.sum_us);
  out += ",\"p50_seconds\":" + MicrosAsSeconds(NearestRank(s.sorted, 0.50));
  out += ",\"p95_seconds\":" + MicrosAsSeconds(NearestRank(s.sorted, 0.95));
  out += ",\"p99_seconds\":" + MicrosAsSeconds(NearestRank(s.sorted, 0.99));
}

}  // namespace

uint32_t NearestRank(const std::vector<uint32_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  // Integer arithmetic on q in millionths avoids 0.95*100 landing on 95.00000000000001.
  const uint64_t n = sorted.size();
  const uint64_t q_millionths = static_cast<uint64_t>(std::llround(q * 1e6));
  uint64_t rank = (q_millionths * n + 999999) / 1000000;
  rank = std::clamp<uint64_t>(rank, 1, n);
  return sorted[rank - 1];
}

std::string MicrosAsSeconds(uint64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%llu.%06llu", static_cast<unsigned long long>(us / 1000000),
                static_cast<unsigned long long>(us % 1000000));
  return buf;
}

void GroundTruth::Add(int route_id, std::string_view service, std::string_view route, int status,
                      std::string_view level, uint32_t duration_us) {
  const uint64_t key = (static_cast<uint64_t>(route_id) << 32) | static_cast<uint32_t>(status);
  TruthSeries& s = series_[key];
  if (s.count == 0) {
    s.service = std::string(service);
    s.route = std::string(route);
    s.status = status;
  }
  ++s.count;
  ++total_;
  if (status >= 500 || level == "error") ++s.errors;
  s.sum_us += duration_us;
  s.durations_us.push_back(duration_us);
}

std::string GroundTruth::RenderJson(const std::string& header_fields) {
  // Ordered output makes summaries diffable between runs.
  std::map<std::tuple<std::string, std::string, int>, TruthSeries*> ordered;
  std::map<std::string, Stats> per_service;
  for (auto& [key, s] : series_) {
    ordered[{s.service, s.route, s.status}] = &s;
    Stats& agg = per_service[s.service];
    agg.count += s.count;
    agg.errors += s.errors;
    agg.sum_us += s.sum_us;
    agg.sorted.insert(agg.sorted.end(), s.durations_us.begin(), s.durations_us.end());
  }

  std::string out = "{";
  out += header_fields;
  if (!header_fields.empty()) out += ",";
  out += "\"series\":[";
  bool first = true;
  for (auto& [key, s] : ordered) {
    std::sort(s->durations_us.begin(), s->durations_us.end());
    Stats stats{s->count, s->errors, s->sum_us, {}};
    stats.sorted.swap(s->durations_us);
    out += first ? "\n" : ",\n";
    first = false;
    out += "{\"service\":\"" + s->service + "\",\"route\":\"" + s->route +
           "\",\"status\":" + std::to_string(s->status) + ",";
    AppendStats(out, stats);
    out += "}";
    stats.sorted.swap(s->durations_us);  // keep the data for a later call
  }
  out += "\n],\"services\":[";
  first = true;
  for (auto& [name, stats] : per_service) {
    std::sort(stats.sorted.begin(), stats.sorted.end());
    out += first ? "\n" : ",\n";
    first = false;
    out += "{\"service\":\"" + name + "\",";
    AppendStats(out, stats);
    out += "}";
  }
  out += "\n]}\n";
  return out;
}

Status GroundTruth::WriteJson(const std::string& path, const std::string& header_fields) {
  const std::string text = RenderJson(header_fields);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return Status::Unavailable("cannot create " + tmp);
    f << text;
    f.flush();
    if (!f) return Status::Unavailable("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Unavailable("cannot rename " + tmp + " to " + path);
  }
  return Status::Ok();
}

}  // namespace vigil::tools
