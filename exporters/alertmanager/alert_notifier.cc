#include "exporters/alertmanager/alert_notifier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "core/net/address.h"
#include "core/net/http_client.h"
#include "core/send/retry_after.h"
#include "core/send/retry_exporter.h"
#include "core/telemetry/callback_collectable.h"
#include "core/telemetry/log_once.h"
#include "exporters/alertmanager/alert_json.h"

namespace vigil::exporters {
namespace {

constexpr size_t kMaxLoggedBody = 512;

struct Destination {
  DestinationKind kind = DestinationKind::kAlertmanager;
  std::string path;  // request path under the client's base URL
  std::unique_ptr<net::HttpClient> client;
  std::deque<AlertPtr> queue;
  // The batch being sent, owned by the send chain while `busy` (one request or retry wait).
  std::vector<AlertPtr> batch;
  bool busy = false;
  int failures = 0;  // failed tries of `batch`
  net::TimerPtr retry_timer;
  DestinationStats stats;
};

// One connection per destination: batches go one at a time anyway. The `tls` section applies to
// https:// destinations only (validation refuses it when there is none).
net::HttpClientOptions ClientOptions(const std::string& base_url, const AlertmanagerOptions& o) {
  net::HttpClientOptions c;
  c.base_url = base_url;
  c.timeout = o.timeout;
  c.max_connections = 1;
  auto url = net::ParseBaseUrl(base_url);
  if (url.ok() && url->scheme == "https") c.tls = o.tls;
  return c;
}

// Splits a webhook URL into the client's base ("http://host:port") and the request path.
std::pair<std::string, std::string> SplitWebhookUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const size_t slash = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (slash == std::string::npos) return {url, "/"};
  return {url.substr(0, slash), url.substr(slash)};
}

// The alert's labels sorted by name (the first of a repeated name wins), plus every external
// label whose name the alert does not have: Prometheus's precedence.
Labels MergeLabels(Labels labels, const std::map<std::string, std::string>& external) {
  std::stable_sort(labels.begin(), labels.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  labels.erase(std::unique(labels.begin(), labels.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first; }),
               labels.end());
  const size_t own = labels.size();
  for (const auto& [name, value] : external) {
    const auto end = labels.begin() + static_cast<std::ptrdiff_t>(own);
    const auto it = std::lower_bound(
        labels.begin(), end, name, [](const auto& l, const std::string& n) { return l.first < n; });
    if (it == end || it->first != name) labels.emplace_back(name, value);
  }
  std::sort(labels.begin(), labels.end());
  return labels;
}

std::string Truncated(std::string s) {
  if (s.size() > kMaxLoggedBody) s = s.substr(0, kMaxLoggedBody) + "...";
  return s;
}

}  // namespace

struct AlertNotifier::Core {
  net::Executor executor;
  AlertmanagerOptions opts;
  net::HttpHeaders headers;
  mutable std::mutex mu;
  std::condition_variable idle;
  std::vector<Destination> dests;  // fixed after Create
  bool stopped = false;
  std::mt19937_64 rng{std::random_device{}()};
  telemetry::LogOnce log_once;

  // Moves the next batch of `d` out of its queue when it is free to send one. Requires mu.
  bool TakeBatch(Destination& d) {
    if (d.busy || d.queue.empty()) return false;
    const size_t n = std::min(opts.max_batch, d.queue.size());
    d.batch.assign(d.queue.begin(), d.queue.begin() + static_cast<std::ptrdiff_t>(n));
    d.queue.erase(d.queue.begin(), d.queue.begin() + static_cast<std::ptrdiff_t>(n));
    d.busy = true;
    d.failures = 0;
    return true;
  }

  // Ends the current batch of `d`; true when another batch was taken. Requires mu.
  bool FinishBatch(Destination& d) {
    d.batch.clear();
    d.busy = false;
    d.retry_timer.reset();
    const bool more = TakeBatch(d);
    idle.notify_all();
    return more;
  }

  bool AllIdle() const {
    return std::all_of(dests.begin(), dests.end(),
                       [](const Destination& d) { return !d.busy && d.queue.empty(); });
  }

  NotifierStats SnapshotLocked() const {
    NotifierStats s;
    s.queue_capacity = opts.queue_capacity;
    for (const Destination& d : dests) {
      s.destinations.push_back(d.stats);
      s.destinations.back().queued = d.queue.size();
      s.destinations.back().in_flight = d.batch.size();
    }
    return s;
  }

  static void Attempt(const std::shared_ptr<Core>& core, size_t i);
  static void OnResponse(const std::shared_ptr<Core>& core, size_t i,
                         std::chrono::steady_clock::time_point start, Result<net::HttpResponse> r);
};

void AlertNotifier::Core::Attempt(const std::shared_ptr<Core>& core, size_t i) {
  Destination& d = core->dests[i];
  std::vector<AlertPtr> batch;
  {
    std::lock_guard lock(core->mu);
    if (core->stopped || !d.busy) return;
    batch = d.batch;
    ++d.stats.requests;
  }
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::string body = d.kind == DestinationKind::kAlertmanager ? AlertmanagerAlertsJson(batch)
                                                              : WebhookJson(batch, now_ms);
  std::weak_ptr<Core> weak = core;
  const auto start = std::chrono::steady_clock::now();
  d.client->Post(d.path, core->headers, std::move(body),
                 [weak, i, start](Result<net::HttpResponse> r) {
                   if (auto c = weak.lock()) OnResponse(c, i, start, std::move(r));
                 });
}

void AlertNotifier::Core::OnResponse(const std::shared_ptr<Core>& core, size_t i,
                                     std::chrono::steady_clock::time_point start,
                                     Result<net::HttpResponse> r) {
  enum class Outcome { kSent, kRetry, kRejected } outcome;
  std::optional<std::chrono::milliseconds> retry_after;
  std::string problem;
  if (!r.ok()) {
    outcome = Outcome::kRetry;
    problem = r.status().ToString();
  } else if (r->status >= 200 && r->status < 300) {
    outcome = Outcome::kSent;
  } else if (r->status == 429 || r->status >= 500) {
    outcome = Outcome::kRetry;
    problem = "HTTP " + std::to_string(r->status);
    if (std::string_view v = r->Header("Retry-After"); !v.empty()) {
      auto parsed = send::ParseRetryAfter(v, std::chrono::system_clock::now());
      if (parsed.ok()) retry_after = *parsed;  // a malformed hint is ignored: plain backoff
    }
  } else {
    outcome = Outcome::kRejected;
    problem = "HTTP " + std::to_string(r->status) + ": " + Truncated(r->body);
  }

  Destination& d = core->dests[i];
  std::optional<AlertDropReason> dropped;
  size_t batch_size = 0;
  bool more = false;
  {
    std::lock_guard lock(core->mu);
    if (core->stopped || !d.busy) return;
    d.stats.ObserveLatency(std::chrono::steady_clock::now() - start);
    batch_size = d.batch.size();
    if (outcome == Outcome::kSent) {
      d.stats.sent_alerts += batch_size;
      more = core->FinishBatch(d);
    } else if (outcome == Outcome::kRejected) {
      dropped = AlertDropReason::kRejected;
    } else {
      ++d.failures;
      const auto& ro = core->opts.retry;
      if (d.failures >= ro.max_attempts || (retry_after && *retry_after > ro.max_interval)) {
        dropped = AlertDropReason::kRetriesExhausted;
      } else {
        const auto ceiling =
            send::BackoffCeiling(send::RetryOptions{.initial_interval = ro.initial_interval,
                                                    .max_interval = ro.max_interval},
                                 d.failures - 1);
        std::uniform_int_distribution<int64_t> jitter(0, ceiling.count());
        std::chrono::milliseconds wait(jitter(core->rng));
        if (retry_after) wait = std::max(wait, *retry_after);
        ++d.stats.retries;
        std::weak_ptr<Core> weak = core;
        d.retry_timer = core->executor.After(wait, [weak, i] {
          if (auto c = weak.lock()) Attempt(c, i);
        });
        spdlog::debug("alert notifier: {} failed ({}); try {} in {}ms", d.stats.url, problem,
                      d.failures + 1, wait.count());
      }
    }
    if (dropped) {
      d.stats.dropped[static_cast<size_t>(*dropped)] += batch_size;
      more = core->FinishBatch(d);
    }
  }
  if (dropped) {
    const char* reason = AlertDropReasonName(*dropped);
    core->log_once.Warn(d.stats.url + "/" + reason,
                        "alert notifier: dropped {} alert(s) for {} {} ({}): {}; further drops "
                        "are only counted (vigil_collector_notifications_dropped_total"
                        "{{reason=\"{}\"}})",
                        batch_size, DestinationKindName(d.kind), d.stats.url, reason, problem,
                        reason);
  }
  if (more) Attempt(core, i);
}

Result<std::unique_ptr<AlertNotifier>> AlertNotifier::Create(net::EventLoop& loop,
                                                             AlertmanagerOptions options) {
  VIGIL_RETURN_IF_ERROR(ValidateAlertmanagerOptions(options));
  auto core = std::make_shared<Core>();
  core->executor = loop.executor();
  core->headers.emplace_back("Content-Type", "application/json");
  for (const auto& [k, v] : options.headers) core->headers.emplace_back(k, v);
  core->dests.resize(options.urls.size() + options.webhook_urls.size());
  size_t i = 0;
  for (const std::string& url : options.urls) {
    Destination& d = core->dests[i++];
    d.kind = DestinationKind::kAlertmanager;
    d.path = "/api/v2/alerts";
    d.stats.url = url;
    auto client = net::HttpClient::Create(loop, ClientOptions(url, options));
    if (!client.ok()) return client.status().WithContext(url);
    d.client = std::move(*client);
  }
  for (const std::string& url : options.webhook_urls) {
    Destination& d = core->dests[i++];
    d.kind = DestinationKind::kWebhook;
    auto [base, path] = SplitWebhookUrl(url);
    d.path = std::move(path);
    d.stats.url = url;
    d.stats.kind = DestinationKind::kWebhook;
    auto client = net::HttpClient::Create(loop, ClientOptions(base, options));
    if (!client.ok()) return client.status().WithContext(url);
    d.client = std::move(*client);
  }
  core->opts = std::move(options);
  return std::unique_ptr<AlertNotifier>(new AlertNotifier(std::move(core)));
}

AlertNotifier::AlertNotifier(std::shared_ptr<Core> core) : core_(std::move(core)) {}

AlertNotifier::~AlertNotifier() {
  size_t left = 0;
  {
    std::lock_guard lock(core_->mu);
    core_->stopped = true;
    for (Destination& d : core_->dests) {
      if (d.retry_timer) d.retry_timer->Cancel();
      left += d.queue.size() + d.batch.size();
    }
  }
  if (left > 0) {
    spdlog::warn(
        "alert notifier stopped with {} alert(s) not delivered (summed over "
        "destinations)",
        left);
  }
}

void AlertNotifier::Send(std::vector<NotifierAlert> alerts) {
  if (alerts.empty()) return;
  std::vector<AlertPtr> ptrs;
  ptrs.reserve(alerts.size());
  for (NotifierAlert& a : alerts) {
    a.labels = MergeLabels(std::move(a.labels), core_->opts.external_labels);
    ptrs.push_back(std::make_shared<const NotifierAlert>(std::move(a)));
  }
  std::vector<size_t> start;
  std::vector<std::pair<std::string, size_t>> overflowed;
  {
    std::lock_guard lock(core_->mu);
    if (core_->stopped) return;
    for (size_t i = 0; i < core_->dests.size(); ++i) {
      Destination& d = core_->dests[i];
      d.queue.insert(d.queue.end(), ptrs.begin(), ptrs.end());
      size_t dropped = 0;
      while (d.queue.size() > core_->opts.queue_capacity) {
        d.queue.pop_front();  // the oldest alert is the least current
        ++dropped;
      }
      if (dropped > 0) {
        d.stats.dropped[static_cast<size_t>(AlertDropReason::kQueueFull)] += dropped;
        overflowed.emplace_back(d.stats.url, dropped);
      }
      if (core_->TakeBatch(d)) start.push_back(i);
    }
  }
  for (const auto& [url, n] : overflowed) {
    core_->log_once.Warn(url + "/queue_full",
                         "alert notifier: queue for {} is full (queue_capacity {}): dropped the "
                         "{} oldest alert(s); further drops are only counted "
                         "(vigil_collector_notifications_dropped_total{{reason=\"queue_full\"}})",
                         url, core_->opts.queue_capacity, n);
  }
  std::weak_ptr<Core> weak = core_;
  for (size_t i : start) {
    core_->executor.Post([weak, i] {
      if (auto c = weak.lock()) Core::Attempt(c, i);
    });
  }
}

Status AlertNotifier::Drain(std::chrono::milliseconds deadline) {
  if (core_->executor.RunningInThisThread()) {
    return Status::FailedPrecondition("AlertNotifier::Drain called on an event-loop thread");
  }
  std::unique_lock lock(core_->mu);
  if (core_->idle.wait_for(lock, deadline, [this] { return core_->AllIdle(); })) {
    return Status::Ok();
  }
  size_t left = 0;
  for (const Destination& d : core_->dests) left += d.queue.size() + d.batch.size();
  return Status::DeadlineExceeded("alert notifier: " + std::to_string(left) +
                                  " alert(s) still queued or in flight (summed over "
                                  "destinations) after " +
                                  std::to_string(deadline.count()) + "ms");
}

NotifierStats AlertNotifier::stats() const {
  std::lock_guard lock(core_->mu);
  return core_->SnapshotLocked();
}

std::shared_ptr<prometheus::Collectable> AlertNotifier::MakeCollectable() const {
  std::weak_ptr<Core> weak = core_;
  return std::make_shared<telemetry::CallbackCollectable>(
      [weak](std::vector<prometheus::MetricFamily>& out) {
        auto core = weak.lock();
        if (!core) return;
        NotifierStats s;
        {
          std::lock_guard lock(core->mu);
          // A callback finishing on the loop may keep the core alive a moment longer.
          if (core->stopped) return;
          s = core->SnapshotLocked();
        }
        AppendNotifierFamilies(s, out);
      });
}

}  // namespace vigil::exporters
