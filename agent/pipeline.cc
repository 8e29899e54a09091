#include "agent/pipeline.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "agent/batch/metrics_encoder.h"
#include "core/version.h"

namespace vigil::agent {
namespace {

int64_t NowUnixNano() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

DropReason ToDropReason(parse::ParseError e) {
  switch (e) {
    case parse::ParseError::kNotAnObject:
      return DropReason::kNotAnObject;
    case parse::ParseError::kBadDuration:
      return DropReason::kBadDuration;
    case parse::ParseError::kBadStatus:
      return DropReason::kBadStatus;
    default:
      return DropReason::kMalformedJson;
  }
}

// Work done per Poll call: bounded so the flush timer and the stop request are looked at often,
// and so a batch overshoots forward.max_batch_bytes by at most about a quarter of it (a batch is
// cut between polls; its bodies are what the send queue holds in memory).
constexpr size_t kMaxPollBytes = 4 << 20;
constexpr auto kIdleSleep = std::chrono::milliseconds(50);

}  // namespace

Pipeline::Pipeline(const AgentConfig& cfg, EnvelopeFactory& envelopes,
                   std::vector<tail::Checkpoint> restored, AgentStats& stats, Hooks hooks)
    : cfg_(cfg),
      envelopes_(envelopes),
      stats_(stats),
      hooks_(std::move(hooks)),
      tailer_(cfg.tail, std::move(restored)),
      parser_(cfg.fields, cfg.errors),
      red_(cfg.metrics),
      logs_("vigil-agent") {}

void Pipeline::Run(std::stop_token stop) {
  interval_start_unix_nano_ = static_cast<uint64_t>(NowUnixNano());
  next_flush_ = std::chrono::steady_clock::now() + cfg_.forward.flush_interval;
  while (!stop.stop_requested()) {
    size_t consumed = 0;
    bool waited = false;
    // Back-pressure: leave the data in the files while the queue cannot take another batch.
    if (hooks_.has_room(cfg_.forward.max_batch_bytes * 2, kIdleSleep)) {
      observed_now_unix_nano_ = NowUnixNano();
      consumed = tailer_.Poll(
          *this, std::clamp<size_t>(cfg_.forward.max_batch_bytes / 4, 64 << 10, kMaxPollBytes));
    } else {
      stats_.backpressure_polls.fetch_add(1, std::memory_order_relaxed);
      waited = true;  // has_room already waited; no idle sleep on top
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= next_flush_ || logs_.bytes() >= cfg_.forward.max_batch_bytes) {
      CutBatch();
      next_flush_ = now + cfg_.forward.flush_interval;
    }
    PublishStats();
    if (consumed == 0 && !waited) {
      auto wake = std::min(next_flush_, std::chrono::steady_clock::now() + kIdleSleep);
      std::this_thread::sleep_until(wake);
    }
  }
  CutBatch();  // everything read so far goes out with the final batch
  PublishStats();
}

void Pipeline::OnLine(std::string_view line, std::string_view /*path*/) {
  parse::ParsedLine p;
  parse::ParseError err = parser_.Parse(line, &p);
  bool forward = cfg_.forward.forward_logs;
  if (err == parse::ParseError::kNone) {
    if (p.has_duration()) red_.Record(p);
  } else {
    // Not a request we can measure; the raw line is still forwarded as a log record so nothing
    // the service wrote is lost. Counted, and logged once with the reason.
    stats_.Drop(ToDropReason(err));
    if (!logged_malformed_) {
      logged_malformed_ = true;
      spdlog::warn(
          "a log line was not usable for metrics ({}); such lines are counted in "
          "vigil_agent_dropped_total and still forwarded as log records",
          parse::ParseErrorName(err));
    }
    p = parse::ParsedLine{};
  }
  if (!forward) return;
  otlp::LogRecordView r;
  r.time_unix_nano = p.ts_unix_nano;
  r.observed_time_unix_nano = observed_now_unix_nano_;
  r.severity_number = p.severity_number;
  r.severity_text = p.level;
  r.body = line;
  // A line that is not UTF-8 cannot be an OTLP string value; send its bytes instead.
  r.body_is_bytes =
      err != parse::ParseError::kNone && !simdjson::validate_utf8(line.data(), line.size());
  r.trace_id_hex = p.trace_id;
  logs_.BeginResource(
      err == parse::ParseError::kNone ? p.service : std::string_view(cfg_.fields.default_service));
  logs_.Add(r);
}

void Pipeline::CutBatch() {
  Cut cut;
  cut.id = next_cut_++;
  cut.cut_at = std::chrono::steady_clock::now();
  uint64_t now = static_cast<uint64_t>(NowUnixNano());
  std::vector<derive::SeriesDelta> deltas = red_.TakeDeltas();
  if (!deltas.empty()) {
    EncodedMetrics m = EncodeRedMetrics(deltas, interval_start_unix_nano_, now, kVersion);
    cut.envelopes.push_back(
        envelopes_.Make(send::Signal::kMetrics, std::move(m.body), m.data_points));
  }
  interval_start_unix_nano_ = now;
  if (logs_.records() > 0) {
    size_t n = logs_.records();
    stats_.log_records.fetch_add(n, std::memory_order_relaxed);
    cut.envelopes.push_back(envelopes_.Make(send::Signal::kLogs, logs_.Finish(), n));
  }
  cut.mark = tailer_.Snapshot();
  stats_.batches_cut.fetch_add(1, std::memory_order_relaxed);
  hooks_.emit(std::move(cut));
}

void Pipeline::PublishStats() {
  const tail::TailStats& t = tailer_.stats();
  auto set = [](auto& a, auto v) { a.store(v, std::memory_order_relaxed); };
  set(stats_.lines_read, t.lines);
  set(stats_.bytes_read, t.bytes);
  set(stats_.files_opened, t.files_opened);
  set(stats_.files_rotated, t.files_rotated + t.files_deleted);
  set(stats_.files_truncated, t.files_truncated);
  set(stats_.read_errors, t.read_errors);
  set(stats_.dropped[static_cast<int>(DropReason::kLineTooLong)], t.lines_too_long);
  if (t.lines_too_long > 0 && !logged_too_long_) {
    logged_too_long_ = true;
    spdlog::warn(
        "a line longer than tail.max_line_bytes ({} bytes) was skipped; such lines are "
        "counted in vigil_agent_dropped_total{{reason=\"line_too_long\"}}",
        cfg_.tail.max_line_bytes);
  }
  set(stats_.open_files, static_cast<int64_t>(tailer_.open_files()));
  const derive::RedStats& r = red_.stats();
  set(stats_.requests_derived, r.requests);
  set(stats_.overflow_requests, r.overflow_requests);
  set(stats_.series, static_cast<int64_t>(r.series));
}

}  // namespace vigil::agent
