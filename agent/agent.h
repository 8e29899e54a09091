// vigil-agent as an object: owns the event loop (HTTP client, exporters, admin endpoint, OTLP
// receiver and its batcher), the pipeline thread, the ack tracker and the checkpoint store, and
// wires them together. Tailed cuts and OTLP-received envelopes share one key sequence, one send
// queue and one byte budget (forward.queue_max_bytes). Created
// and driven by main (or a test): Start once, Shutdown once. Not thread-safe itself; its parts
// document their own threads.
#pragma once

#include <prometheus/registry.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agent/agent_config.h"
#include "agent/agent_stats.h"
#include "agent/batch/ack_tracker.h"
#include "agent/batch/envelope_factory.h"
#include "agent/pipeline.h"
#include "agent/receive/otlp_batcher.h"
#include "agent/receive/otlp_receiver.h"
#include "agent/tail/checkpoint_store.h"
#include "core/net/event_loop.h"
#include "core/net/grpc/grpc_server.h"
#include "core/net/http_server.h"
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
  // The OTLP receiver's bound port; 0 when receiver.enabled is false or before Start.
  uint16_t otlp_port() const;
  // The OTLP/gRPC receiver's bound port; 0 when receiver.grpc_listen is empty or before Start.
  uint16_t otlp_grpc_port() const;
  const AgentStats& stats() const { return stats_; }

 private:
  void OnCut(Cut cut);  // event-loop thread
  // Pushes `e` into the send queue with the shared accounting (stats, unacked bytes, room
  // wake-up); `then(ok)` runs when the envelope is finished. Event-loop thread.
  void Send(send::EnvelopePtr e, std::function<void(bool ok)> then);
  Status StartReceiver();    // main thread, after the loop started
  void ScheduleOtlpFlush();  // event-loop thread (or before the first tick)
  void StopReceiver();       // main thread: stop serving, cut the last batches
  void SaveCheckpoints(const std::vector<tail::Checkpoint>& cps);  // event-loop thread

  AgentConfig cfg_;
  AgentStats stats_;
  std::string boot_id_;
  EnvelopeFactory envelopes_;
  net::EventLoop loop_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<telemetry::AdminServer> admin_;
  std::shared_ptr<send::Exporter> http_;
  std::shared_ptr<send::RetryExporter> retry_;
  std::unique_ptr<send::QueueExporter> queue_;
  tail::CheckpointStore checkpoints_;
  AckTracker tracker_;                             // event-loop thread
  std::unique_ptr<receive::OtlpBatcher> batcher_;  // event-loop thread
  std::unique_ptr<receive::OtlpReceiver> receiver_;
  std::unique_ptr<net::HttpServer> otlp_server_;
  std::unique_ptr<net::GrpcServer> grpc_server_;  // same handlers as otlp_server_
  net::TimerPtr flush_timer_;
  std::mutex flush_mu_;  // guards flush_timer_ and receiver_stopped_
  bool receiver_stopped_ = false;
  std::atomic<uint64_t> otlp_emitted_{0}, otlp_finished_{0};
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
