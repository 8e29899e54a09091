// The agent's pipeline thread: tails files, parses each line, records request metrics and
// encodes log records, and every flush_interval (or max_batch_bytes of logs) cuts a Cut: the
// envelopes to send plus the tail checkpoints they cover. Everything here is owned by that one
// thread, so the per-line path takes no locks; the only shared state is AgentStats (atomics)
// and the `has_room` / `emit` callbacks the Agent provides.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "agent/agent_config.h"
#include "agent/agent_stats.h"
#include "agent/batch/envelope_factory.h"
#include "agent/derive/red_metrics.h"
#include "agent/parse/json_line_parser.h"
#include "agent/tail/tailer.h"
#include "core/otlp/log_encoder.h"
#include "core/send/exporter.h"

namespace vigil::agent {

struct Cut {
  uint64_t id = 0;
  std::vector<send::EnvelopePtr> envelopes;
  std::vector<tail::Checkpoint> mark;  // offsets just past the last line in this cut
  std::chrono::steady_clock::time_point cut_at;
};

class Pipeline : public tail::LineSink {
 public:
  struct Hooks {
    // Whether `bytes` more fit in the send queue; if not, waits up to `wait` for room to appear.
    // False: the queue is full, stop reading (the data stays in the files).
    std::function<bool(size_t bytes, std::chrono::milliseconds wait)> has_room;
    std::function<void(Cut&&)> emit;  // hands a cut to the event loop
  };

  // `envelopes` (shared with the OTLP receiver's batcher) names every envelope cut here.
  Pipeline(const AgentConfig& cfg, EnvelopeFactory& envelopes,
           std::vector<tail::Checkpoint> restored, AgentStats& stats, Hooks hooks);

  // The thread body. Returns after `stop` is requested, having cut a final batch of everything
  // read so far (no more lines are read after the stop request).
  void Run(std::stop_token stop);

  void OnLine(std::string_view line, std::string_view path) override;

 private:
  void CutBatch();
  void PublishStats();

  const AgentConfig& cfg_;
  EnvelopeFactory& envelopes_;
  AgentStats& stats_;
  Hooks hooks_;
  tail::Tailer tailer_;
  parse::JsonLineParser parser_;
  derive::RedMetrics red_;
  otlp::LogBatchEncoder logs_;
  uint64_t next_cut_ = 1;
  uint64_t interval_start_unix_nano_ = 0;
  int64_t observed_now_unix_nano_ = 0;  // refreshed per poll, not per line
  std::chrono::steady_clock::time_point next_flush_;
  bool logged_too_long_ = false, logged_malformed_ = false;
};

}  // namespace vigil::agent
