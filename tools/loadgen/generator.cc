#include "tools/loadgen/generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <thread>

#include "core/version.h"
#include "tools/loadgen/catalogue.h"
#include "tools/loadgen/ground_truth.h"
#include "tools/loadgen/line_formatter.h"
#include "tools/loadgen/log_sink.h"
#include "tools/loadgen/request_model.h"

namespace vigil::tools {
namespace {

using Clock = std::chrono::steady_clock;

// Unpaced runs write in chunks this large; paced runs flush at every tick so tailers see lines
// within a few milliseconds of their timestamp.
constexpr size_t kFlushBytes = 1 << 20;
constexpr auto kPaceTick = std::chrono::milliseconds(5);

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string TsString(int64_t ms) {
  char buf[24];
  FormatRfc3339Millis(ms, buf);
  return std::string(buf, sizeof(buf));
}

}  // namespace

Result<RunSummary> Generator::Run() {
  const LoadgenOptions& o = options_;
  Result<LogSink> opened = LogSink::Open(o.out);
  if (!opened.ok()) return opened.status();
  LogSink sink = std::move(opened).value();

  const std::vector<ServiceSpec> catalogue = BuildCatalogue(o.services);
  TrafficMix mix;
  mix.error_ratio = o.error_ratio;
  mix.client_error_ratio = o.client_error_ratio;
  mix.slow_tail_ratio = o.slow_tail_ratio;
  mix.spike_at_s = o.spike_at_s;
  mix.spike_duration_s = o.spike_duration_s;
  mix.spike_error_ratio = o.spike_error_ratio;
  mix.spike_latency_factor = o.spike_latency_factor;
  RequestModel model(catalogue, mix, o.seed);
  LineFormatter formatter;
  std::unique_ptr<GroundTruth> truth;
  if (!o.truth_path.empty()) truth = std::make_unique<GroundTruth>();

  const int64_t start_ms = o.start_unix_ms >= 0 ? o.start_unix_ms : NowUnixMs();
  const double log_rate = o.LogClockRate();
  const Clock::time_point wall_start = Clock::now();
  const auto deadline = o.duration_s > 0
                            ? wall_start + std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(o.duration_s))
                            : Clock::time_point::max();

  std::string buf;
  buf.reserve(kFlushBytes + 4096);
  RunSummary summary;
  summary.first_ts_ms = start_ms;
  summary.last_ts_ms = start_ms;
  uint64_t lines_in_file = 0;
  uint64_t lines_since_fsync = 0;
  uint64_t allowed = UINT64_MAX;  // lines the pace allows so far

  auto flush = [&]() -> Status {
    if (buf.empty()) return Status::Ok();
    Status st = sink.Write(buf);
    buf.clear();
    return st;
  };

  bool done = false;
  while (!done) {
    if (o.rate > 0 && summary.lines >= allowed) {
      // Ahead of the pace: hand over what we have, then wait for the next tick.
      VIGIL_RETURN_IF_ERROR(flush());
      std::this_thread::sleep_for(kPaceTick);
    }
    if (o.rate > 0 || (summary.lines & 1023) == 0) {
      const Clock::time_point now = Clock::now();
      if (now >= deadline || (stop_ != nullptr && stop_->load(std::memory_order_relaxed))) break;
      if (o.rate > 0) {
        const double elapsed = std::chrono::duration<double>(now - wall_start).count();
        allowed = static_cast<uint64_t>(std::floor(elapsed * o.rate)) + 1;
        if (summary.lines >= allowed) continue;
      }
    }

    const uint64_t i = summary.lines;
    const double elapsed_log = static_cast<double>(i) / log_rate;
    const int64_t ts_ms =
        start_ms + static_cast<int64_t>(std::floor(static_cast<double>(i) * 1000.0 / log_rate));
    const Request req = model.Next(elapsed_log);
    const FlatRoute& route = model.routes()[req.route_index];
    const size_t before = buf.size();
    formatter.Append(ts_ms, route.service, route.spec->route, req, buf);
    summary.bytes += buf.size() - before;
    ++summary.lines;
    summary.last_ts_ms = ts_ms;
    ++lines_in_file;
    ++lines_since_fsync;
    if (truth) {
      truth->Add(req.route_index, route.service, route.spec->route, req.status, req.level,
                 req.duration_us);
    }

    done = (o.max_lines > 0 && summary.lines >= o.max_lines) ||
           (o.max_bytes > 0 && summary.bytes >= o.max_bytes);
    if (buf.size() >= kFlushBytes) VIGIL_RETURN_IF_ERROR(flush());
    if (o.fsync_every > 0 && lines_since_fsync >= o.fsync_every) {
      VIGIL_RETURN_IF_ERROR(flush());
      VIGIL_RETURN_IF_ERROR(sink.Fsync());
      lines_since_fsync = 0;
    }
    if (o.rotate_every > 0 && lines_in_file >= o.rotate_every && !done) {
      VIGIL_RETURN_IF_ERROR(flush());
      VIGIL_RETURN_IF_ERROR(sink.Rotate(o.rotate_mode, o.rotate_keep));
      lines_in_file = 0;
      ++summary.rotations;
    }
  }
  VIGIL_RETURN_IF_ERROR(flush());
  if (o.fsync_every > 0) VIGIL_RETURN_IF_ERROR(sink.Fsync());
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - wall_start).count();

  if (truth) {
    std::string header = "\"generator\":\"vigil-loadgen\",\"version\":\"";
    header += kVersion;
    header += "\",\"seed\":" + std::to_string(o.seed);
    header += ",\"lines\":" + std::to_string(summary.lines);
    header += ",\"bytes\":" + std::to_string(summary.bytes);
    header += ",\"first_ts\":\"" + TsString(summary.first_ts_ms) + "\"";
    header += ",\"last_ts\":\"" + TsString(summary.last_ts_ms) + "\"";
    VIGIL_RETURN_IF_ERROR(truth->WriteJson(o.truth_path, header));
  }
  return summary;
}

}  // namespace vigil::tools
