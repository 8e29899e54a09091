#include "agent/agent.h"

#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <future>
#include <random>

#include "core/net/grpc/otlp_grpc_methods.h"
#include "core/send/otlp_http_exporter.h"
#include "core/send/retry_exporter.h"
#include "core/version.h"

namespace vigil::agent {
namespace {

std::string RandomBootId() {
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

SignalIndex IndexOf(send::Signal s) {
  switch (s) {
    case send::Signal::kLogs:
      return SignalIndex::kLogs;
    case send::Signal::kTraces:
      return SignalIndex::kTraces;
    case send::Signal::kMetrics:
      break;
  }
  return SignalIndex::kMetrics;
}

uint64_t NowUnixNano() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

Agent::Agent(AgentConfig cfg)
    : cfg_(std::move(cfg)),
      boot_id_(RandomBootId()),
      envelopes_(cfg_.agent.id, boot_id_),
      loop_(1),
      registry_(std::make_shared<prometheus::Registry>()),
      checkpoints_(cfg_.agent.state_dir) {}

Agent::~Agent() {
  if (started_ && !stopped_) (void)Shutdown();
}

Status Agent::Start() {
  std::error_code ec;
  std::filesystem::create_directories(cfg_.agent.state_dir, ec);
  if (ec) {
    return Status::FailedPrecondition("agent.state_dir " + cfg_.agent.state_dir +
                                      ": cannot create: " + ec.message());
  }
  Result<std::vector<tail::Checkpoint>> restored = checkpoints_.Load();
  std::vector<tail::Checkpoint> resume;
  if (restored.ok()) {
    resume = std::move(*restored);
  } else {
    // A damaged checkpoint must not keep the agent down: set it aside for inspection and start
    // over, which re-reads files from their start (duplicates, never gaps).
    spdlog::error("{}; moving it aside and starting without checkpoints",
                  restored.status().message());
    std::filesystem::rename(checkpoints_.path(), checkpoints_.path() + ".corrupt", ec);
  }

  Result<std::unique_ptr<send::OtlpHttpExporter>> http = send::OtlpHttpExporter::Create(
      loop_, send::OtlpHttpOptions{.endpoint = cfg_.forward.endpoint,
                                   .timeout = cfg_.forward.timeout,
                                   .max_connections = cfg_.forward.max_connections,
                                   .compress = true,
                                   .zstd_level = cfg_.forward.zstd_level,
                                   .headers = {},
                                   .tls = cfg_.forward.tls});
  if (!http.ok()) return http.status().WithContext("forward.endpoint");
  http_ = std::shared_ptr<send::Exporter>(std::move(*http));
  retry_ = std::make_shared<send::RetryExporter>(
      loop_.executor(), http_,
      send::RetryOptions{.initial_interval = cfg_.forward.initial_backoff,
                         .max_interval = cfg_.forward.max_backoff,
                         .max_elapsed = cfg_.forward.max_elapsed});
  // The pipeline's own accounting (unacked_bytes_) applies back-pressure before the queue is
  // full; the queue's bound is a backstop that should never be reached.
  queue_ = std::make_unique<send::QueueExporter>(
      loop_.executor(), retry_,
      send::QueueOptions{
          .max_bytes = cfg_.forward.queue_max_bytes + 4 * cfg_.forward.max_batch_bytes,
          .max_in_flight = cfg_.forward.max_in_flight});

  admin_ = std::make_unique<telemetry::AdminServer>(loop_, cfg_.admin.listen, registry_);
  admin_->AddCollectable(MakeAgentCollectable(stats_));
  loop_.Start();
  started_ = true;
  VIGIL_RETURN_IF_ERROR(admin_->Start().WithContext("admin.listen"));

  Pipeline::Hooks hooks;
  hooks.has_room = [this](size_t bytes, std::chrono::milliseconds wait) {
    auto fits = [&] {
      return unacked_bytes_.load(std::memory_order_relaxed) + bytes <= cfg_.forward.queue_max_bytes;
    };
    if (fits()) return true;
    std::unique_lock lock(room_mu_);
    return room_cv_.wait_for(lock, wait, fits);
  };
  hooks.emit = [this](Cut&& cut) {
    size_t bytes = 0;
    for (const auto& e : cut.envelopes) bytes += e->body.size();
    unacked_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    cuts_emitted_.fetch_add(1, std::memory_order_release);
    auto shared = std::make_shared<Cut>(std::move(cut));
    loop_.executor().Post([this, shared] { OnCut(std::move(*shared)); });
  };
  VIGIL_RETURN_IF_ERROR(StartReceiver());
  pipeline_ =
      std::make_unique<Pipeline>(cfg_, envelopes_, std::move(resume), stats_, std::move(hooks));
  pipeline_thread_ = std::jthread([this](std::stop_token st) { pipeline_->Run(st); });
  admin_->SetReady(true);
  spdlog::info(
      "vigil-agent {} started: id {}, boot {}, tailing {}, forwarding to {}, admin on {}{}",
      kVersion, cfg_.agent.id, boot_id_, fmt::join(cfg_.tail.include, ", "), cfg_.forward.endpoint,
      cfg_.admin.listen,
      (otlp_server_ ? ", OTLP/HTTP on " + cfg_.receiver.listen : std::string()) +
          (grpc_server_ ? ", OTLP/gRPC on " + cfg_.receiver.grpc_listen : std::string()));
  return Status::Ok();
}

void Agent::OnCut(Cut cut) {
  const uint64_t id = cut.id;
  const auto cut_at = cut.cut_at;
  if (auto cps = tracker_.AddCut(id, cut.envelopes.size(), std::move(cut.mark)))
    SaveCheckpoints(*cps);
  if (cut.envelopes.empty()) cuts_finished_.fetch_add(1, std::memory_order_release);
  stats_.outstanding_cuts.store(static_cast<int64_t>(tracker_.outstanding_cuts()));
  auto remaining = std::make_shared<size_t>(cut.envelopes.size());
  for (send::EnvelopePtr& e : cut.envelopes) {
    Send(e, [this, id, cut_at, remaining](bool ok) {
      if (ok) {
        stats_.ObserveBatchLatency(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - cut_at).count());
      }
      if (auto cps = tracker_.Complete(id)) SaveCheckpoints(*cps);
      stats_.outstanding_cuts.store(static_cast<int64_t>(tracker_.outstanding_cuts()));
      if (--*remaining == 0) cuts_finished_.fetch_add(1, std::memory_order_release);
    });
  }
}

void Agent::Send(send::EnvelopePtr e, std::function<void(bool ok)> then) {
  const size_t bytes = e->body.size();
  stats_.queue_bytes.fetch_add(static_cast<int64_t>(bytes));
  stats_.queue_envelopes.fetch_add(1);
  queue_->Push(e, [this, e, bytes, then = std::move(then)](const send::PushResult& r) {
    stats_.queue_bytes.fetch_sub(static_cast<int64_t>(bytes));
    stats_.queue_envelopes.fetch_sub(1);
    {
      std::lock_guard lock(room_mu_);  // so the pipeline cannot miss the wake-up
      unacked_bytes_.fetch_sub(bytes, std::memory_order_relaxed);
    }
    room_cv_.notify_one();
    const int sig = static_cast<int>(IndexOf(e->signal));
    stats_.retries.store(retry_->stats().retries.load(std::memory_order_relaxed),
                         std::memory_order_relaxed);
    if (r.status.ok()) {
      stats_.envelopes_sent[sig].fetch_add(1, std::memory_order_relaxed);
      stats_.items_sent[sig].fetch_add(e->items, std::memory_order_relaxed);
      stats_.bytes_sent[sig].fetch_add(bytes, std::memory_order_relaxed);
    } else {
      DropReason reason = r.status.code() == StatusCode::kResourceExhausted ? DropReason::kQueueFull
                          : r.retryable ? DropReason::kRetryExhausted
                                        : DropReason::kRejectedByCollector;
      stats_.Drop(reason, e->items);
      spdlog::error("batch {} ({} {}) dropped ({}): {}", e->key, e->items,
                    send::SignalName(e->signal), DropReasonName(reason), r.status.message());
    }
    then(r.status.ok());
  });
}

Status Agent::StartReceiver() {
  if (!cfg_.receiver.enabled) return Status::Ok();
  receive::BatcherOptions bo;
  bo.max_batch_bytes = cfg_.forward.max_batch_bytes;
  bo.span_metrics = cfg_.span_metrics.enabled;
  bo.red = cfg_.metrics;
  bo.spans = derive::SpanMetricsOptions{.kinds = cfg_.span_metrics.kind_values,
                                        .error_status_min = cfg_.errors.status_min,
                                        .default_service = cfg_.fields.default_service};
  bo.cumulative =
      derive::CumulativeToDeltaOptions{.max_series = cfg_.receiver.max_cumulative_series,
                                       .idle_timeout = cfg_.receiver.cumulative_series_idle,
                                       .agent_start_unix_nano = NowUnixNano()};
  receive::BatcherHooks hooks;
  hooks.reserve = [this](size_t bytes) {
    unacked_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  };
  hooks.send = [this](send::EnvelopePtr e) {
    otlp_emitted_.fetch_add(1, std::memory_order_release);
    Send(std::move(e), [this](bool) { otlp_finished_.fetch_add(1, std::memory_order_release); });
  };
  batcher_ = std::make_unique<receive::OtlpBatcher>(std::move(bo), envelopes_, stats_,
                                                    std::move(hooks), kVersion);
  const size_t queue_max = cfg_.forward.queue_max_bytes;
  receiver_ = std::make_unique<receive::OtlpReceiver>(
      receive::ReceiverOptions{.max_body_bytes = cfg_.receiver.max_body_bytes,
                               .max_decompressed_bytes = cfg_.receiver.max_decompressed_bytes},
      *batcher_, stats_, [this, queue_max](size_t bytes) {
        if (bytes > queue_max) return receive::Room::kNever;
        const size_t used = unacked_bytes_.load(std::memory_order_relaxed);
        if (used + bytes > queue_max || (bytes == 0 && used >= queue_max)) {
          return receive::Room::kFull;
        }
        return receive::Room::kYes;
      });
  otlp_server_ = std::make_unique<net::HttpServer>(
      loop_, net::HttpServerOptions{.listen = cfg_.receiver.listen,
                                    .max_body_bytes = cfg_.receiver.max_body_bytes});
  receiver_->Register(*otlp_server_);
  VIGIL_RETURN_IF_ERROR(otlp_server_->Start().WithContext("receiver.listen"));
  if (!cfg_.receiver.grpc_listen.empty()) {
    // Runs the same handlers on the loop thread: one place for validation, limits and counts.
    grpc_server_ = std::make_unique<net::GrpcServer>(
        loop_.executor(),
        net::GrpcServerOptions{.listen = cfg_.receiver.grpc_listen,
                               .max_message_bytes = cfg_.receiver.max_body_bytes});
    for (const net::OtlpGrpcMethod& m : net::kOtlpGrpcMethods) {
      grpc_server_->Handle(std::string(m.method), std::string(m.http_path),
                           [this, signal = m.signal](const net::HttpRequest& r) {
                             return receiver_->Handle(signal, r);
                           });
    }
    VIGIL_RETURN_IF_ERROR(grpc_server_->Start().WithContext("receiver.grpc_listen"));
  }
  ScheduleOtlpFlush();
  return Status::Ok();
}

void Agent::ScheduleOtlpFlush() {
  std::lock_guard lock(flush_mu_);
  if (receiver_stopped_) return;
  flush_timer_ = loop_.executor().After(cfg_.forward.flush_interval, [this] {
    batcher_->Flush();
    stats_.otlp_server_body_too_large.store(otlp_server_->stats().body_too_large.load(),
                                            std::memory_order_relaxed);
    ScheduleOtlpFlush();
  });
}

void Agent::StopReceiver() {
  if (!otlp_server_) return;
  otlp_server_->Stop();  // no handler runs after this returns
  if (grpc_server_) grpc_server_->Stop();
  {
    std::lock_guard lock(flush_mu_);
    receiver_stopped_ = true;
    if (flush_timer_) flush_timer_->Cancel();
  }
  // The final cut runs on the loop, which owns the batcher.
  std::promise<void> flushed;
  loop_.executor().Post([this, &flushed] {
    batcher_->Flush();
    flushed.set_value();
  });
  flushed.get_future().wait();
}

void Agent::SaveCheckpoints(const std::vector<tail::Checkpoint>& cps) {
  if (Status s = checkpoints_.Save(cps); s.ok()) {
    stats_.checkpoints_saved.fetch_add(1, std::memory_order_relaxed);
  } else {
    stats_.checkpoint_errors.fetch_add(1, std::memory_order_relaxed);
    spdlog::error("saving checkpoints: {}", s.message());
  }
}

Status Agent::Shutdown() {
  if (stopped_) return Status::Ok();
  stopped_ = true;
  if (admin_) admin_->SetReady(false, "shutting down");
  const auto deadline = std::chrono::steady_clock::now() + cfg_.shutdown.deadline;
  if (pipeline_thread_.joinable()) {
    pipeline_thread_.request_stop();
    pipeline_thread_.join();  // cuts and emits the final batch before returning
  }
  Status result;
  if (started_) {
    StopReceiver();
    auto unfinished = [this] {
      return (cuts_emitted_.load(std::memory_order_acquire) -
              cuts_finished_.load(std::memory_order_acquire)) +
             (otlp_emitted_.load(std::memory_order_acquire) -
              otlp_finished_.load(std::memory_order_acquire));
    };
    while (unfinished() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    uint64_t left = unfinished();
    if (left > 0) {
      result = Status::DeadlineExceeded(std::to_string(left) +
                                        " batches not acknowledged within shutdown.deadline; "
                                        "tailed lines are not checkpointed and will be read "
                                        "again, OTLP-received data is lost");
    } else {
      spdlog::info("all batches acknowledged; checkpoints saved");
    }
  }
  if (admin_) admin_->Stop();
  loop_.Stop();
  return result;
}

uint16_t Agent::admin_port() const { return admin_ ? admin_->port() : 0; }

uint16_t Agent::otlp_port() const { return otlp_server_ ? otlp_server_->port() : 0; }

uint16_t Agent::otlp_grpc_port() const { return grpc_server_ ? grpc_server_->port() : 0; }

}  // namespace vigil::agent
