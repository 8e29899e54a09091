// vigil-agent as an object: owns the event loop (HTTP client, exporters, admin endpoint), the
// pipeline thread, the ack tracker and the checkpoint store, and wires them together. Created
// and driven by main (or a test): Start once, Shutdown once. Not thread-safe itself; its parts
// document their own threads.
#pragma once

#include <prometheus/registry.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "agent/agent_config.h"
#include "agent/agent_stats.h"
#include "agent/batch/ack_tracker.h"
#include "agent/pipeline.h"
#include "agent/tail/checkpoint_store.h"
#include "core/net/event_loop.h"
#include "core/send/exporter.h"
#include "core/send/queue_exporter.h"
#include "core/send/retry_exporter.h"
#include "core/status.h"
#include "core/telemetry/admin_server.h"

namespace vigil::agent {

class Agent {
 public:
  explicit Agent(AgentConfig cfg);
  ~Agent();

  // Restores checkpoints, binds the admin endpoint, starts the loop and the pipeline. Errors name
  // what failed (state dir, address).
  Status Start();

  // Stops reading, delivers what was read until shutdown.deadline and saves checkpoints. OK when
  // everything read was acknowledged; DeadlineExceeded otherwise (the undelivered lines are not
  // checkpointed, so the next start reads them again).
  Status Shutdown();

  uint16_t admin_port() const;
  const AgentStats& stats() const { return stats_; }

 private:
  void OnCut(Cut cut);                    // event-loop thread
  void SaveCheckpoints(const std::vector<tail::Checkpoint>& cps);  // event-loop thread

  AgentConfig cfg_;
  AgentStats stats_;
  std::string boot_id_;
  net::EventLoop loop_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<telemetry::AdminServer> admin_;
  std::shared_ptr<send::Exporter> http_;
  std::shared_ptr<send::RetryExporter> retry_;
  std::unique_ptr<send::QueueExporter> queue_;
  tail::CheckpointStore checkpoints_;
  AckTracker tracker_;                    // event-loop thread
  std::unique_ptr<Pipeline> pipeline_;
  std::jthread pipeline_thread_;
  // Bytes emitted by the pipeline and not yet finished: the back-pressure signal.
  std::atomic<size_t> unacked_bytes_{0};
  std::atomic<uint64_t> cuts_emitted_{0}, cuts_finished_{0};
  // Wakes the pipeline when acknowledgements free queue room (back-pressure without polling).
  std::mutex room_mu_;
  std::condition_variable room_cv_;
  bool started_ = false, stopped_ = false;
};

}  // namespace vigil::agent
