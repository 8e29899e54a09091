// Rule evaluation costs at collector scale: 500 services x 20 routes of RED metrics sampled the
// way the collector samples them (classic `le` buckets, _count, _sum, error counters, a memory
// gauge; ~110k series with 5 minutes of 15 s samples), evaluated by 100 recording and alerting
// rules. Measures the SampleStore's memory per sample, one evaluation cycle, one SeriesSampler
// tick, and plain Selects of every series as the data-access floor. Single-threaded program.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "collector/aggregate/series_store.h"
#include "collector/rules/engine/rule_engine.h"
#include "collector/rules/eval/sample_store.h"
#include "collector/rules/rule_file/rule_file_loader.h"
#include "collector/rules/service/series_sampler.h"
#include "core/histogram/exp_histogram.h"
#include "exporters/prometheus/prometheus_collectable.h"

namespace vigil::rules {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;  // first sample
constexpr int64_t kStepMs = 15'000;         // evaluation interval
constexpr int kSteps = 21;                  // 5 minutes of history, both ends included
constexpr int64_t kEvalT = kT0 + (kSteps - 1) * kStepMs;
constexpr int kWords = 50, kInstances = 10, kTeams = 10;  // 500 services, 10 teams of 50
constexpr const char* kDuration = "http_server_request_duration_seconds";
constexpr const char* kErrors = "http_server_request_errors_total";
constexpr const char* kMemory = "process_resident_memory_bytes";
// The collector's page shows the bounds it is configured with; 8 buckets with +Inf here.
const std::vector<double> kBounds = {0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
const char* const kLe[] = {"0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"};

const char* const kWordList[kWords] = {
    "cart",      "checkout",  "payment",   "orders",   "users",   "auth",    "search",  "catalog",
    "pricing",   "inventory", "shipping",  "billing",  "invoice", "tax",     "reviews", "ratings",
    "recommend", "ads",       "email",     "sms",      "push",    "profile", "session", "gateway",
    "bff",       "media",     "images",    "upload",   "export",  "import",  "report",  "audit",
    "ledger",    "wallet",    "coupon",    "loyalty",  "support", "chat",    "tickets", "geo",
    "routing",   "tracking",  "warehouse", "supplier", "returns", "fraud",   "risk",    "kyc",
    "config",    "flags"};
// clang-format off
const char* const kRoutes[] = {
    "/", "/health", "/metrics", "/login", "/logout", "/api/v1/users", "/api/v1/users/{id}",
    "/api/v1/orders", "/api/v1/orders/{id}", "/api/v1/cart", "/api/v1/cart/items",
    "/api/v1/payments", "/api/v1/search", "/api/v1/products", "/api/v1/products/{id}",
    "/api/v1/inventory", "/api/v1/shipping", "/api/v2/recommendations", "/static/{path}",
    "/graphql"};
// clang-format on
constexpr int kRouteCount = sizeof(kRoutes) / sizeof(kRoutes[0]);

std::string ServiceName(int s) {
  return std::string(kWordList[s / kInstances]) + "-" + std::to_string(s % kInstances);
}

// One (service, route) stream of requests: a rate, a lognormal latency, an error ratio.
struct Stream {
  double rate = 0, median = 0, error_ratio = 0;
  uint64_t buckets[8] = {}, count = 0, errors = 0;
  double sum = 0;
  bool restarts = false;  // the service restarts mid-window: every counter starts from 0
};

double LogNormalCdf(double x, double median, double sigma) {
  return 0.5 * std::erfc(-(std::log(x) - std::log(median)) / (sigma * std::sqrt(2.0)));
}

std::vector<Stream> MakeStreams(std::mt19937_64& rng) {
  std::lognormal_distribution<double> rate(std::log(2.0), 1.3), median(std::log(0.04), 0.8);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Stream> out(kWords * kInstances * kRouteCount);
  for (size_t i = 0; i < out.size(); ++i) {
    Stream& s = out[i];
    const int route = static_cast<int>(i % kRouteCount),
              service = static_cast<int>(i / kRouteCount);
    s.rate = route == 1 ? 0.2 : std::clamp(rate(rng), 0.02, 400.0);  // /health: probes
    s.median = route == 1 ? 0.002 : median(rng);
    const double p = u(rng);
    s.error_ratio = p < 0.90   ? 0.005 * u(rng)
                    : p < 0.98 ? 0.01 + 0.04 * u(rng)
                               : 0.1 + 0.2 * u(rng);
    s.restarts = service % 50 == 7;
    // Counters have been running for hours before the window opens.
    const double n0 = std::floor(s.rate * 3600 * (1 + 40 * u(rng)));
    for (int b = 0; b < 8; ++b) {
      s.buckets[b] = b < 7 ? static_cast<uint64_t>(n0 * LogNormalCdf(kBounds[b], s.median, 0.9))
                           : static_cast<uint64_t>(n0);
    }
    s.count = static_cast<uint64_t>(n0);
    s.errors = static_cast<uint64_t>(n0 * s.error_ratio);
    s.sum = n0 * s.median * std::exp(0.9 * 0.9 / 2);
  }
  return out;
}

void Advance(Stream& s, int step, std::mt19937_64& rng) {
  if (s.restarts && step == 12) s = Stream{s.rate, s.median, s.error_ratio, {}, 0, 0, 0, true};
  const uint64_t n = std::poisson_distribution<uint64_t>(s.rate * kStepMs / 1000.0)(rng);
  for (int b = 0; b < 7; ++b) {
    s.buckets[b] +=
        static_cast<uint64_t>(std::llround(n * LogNormalCdf(kBounds[b], s.median, 0.9)));
  }
  s.buckets[7] += n;
  s.count += n;
  s.errors += std::binomial_distribution<uint64_t>(n, s.error_ratio)(rng);
  s.sum += n * s.median * std::exp(0.9 * 0.9 / 2);
}

size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

// The shared data set, loaded once (time-major, as the collector appends) by the first benchmark.
struct Dataset {
  eval::SampleStore store;
  size_t rss_delta = 0;
  double load_seconds = 0;
};

Dataset& Data() {
  static Dataset* data = [] {
    auto* d = new Dataset;
    const size_t rss_before = ResidentBytes();
    const auto start = std::chrono::steady_clock::now();
    std::mt19937_64 rng(42);
    std::vector<Stream> streams = MakeStreams(rng);
    std::vector<double> memory(kWords * kInstances);
    for (double& m : memory) m = std::lognormal_distribution<double>(std::log(3e8), 0.7)(rng);
    for (int step = 0; step < kSteps; ++step) {
      const int64_t t = kT0 + step * kStepMs;
      for (size_t i = 0; i < streams.size(); ++i) {
        Stream& s = streams[i];
        Advance(s, step, rng);
        const int service = static_cast<int>(i / kRouteCount);
        eval::Labels l = {{"__name__", ""},
                          {"http_route", kRoutes[i % kRouteCount]},
                          {"service_name", ServiceName(service)}};
        auto append = [&](const char* name, double v) {
          l[0].second = name;
          (void)d->store.Append(l, t, v);
        };
        append(kErrors, static_cast<double>(s.errors));
        append((std::string(kDuration) + "_count").c_str(), static_cast<double>(s.count));
        append((std::string(kDuration) + "_sum").c_str(), s.sum);
        l.emplace_back("le", "");
        for (int b = 0; b < 8; ++b) {
          l.back().second = kLe[b];
          append((std::string(kDuration) + "_bucket").c_str(), static_cast<double>(s.buckets[b]));
        }
        if (i % kRouteCount == 0) {
          (void)d->store.Append({{"__name__", kMemory}, {"service_name", ServiceName(service)}}, t,
                                std::floor(memory[service] * (1 + 0.05 * std::sin(step + i))));
        }
      }
    }
    d->load_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    d->rss_delta = ResidentBytes() - rss_before;
    return d;
  }();
  return *data;
}

// --- The rules -----------------------------------------------------------------------------

std::string Record(const std::string& name, const std::string& expr) {
  return "      - record: " + name + "\n        expr: '" + expr + "'\n";
}

std::string Alert(const std::string& name, const std::string& expr, const std::string& for_d,
                  const std::string& severity, const std::string& summary) {
  std::string out = "      - alert: " + name + "\n        expr: '" + expr + "'\n";
  if (!for_d.empty()) out += "        for: " + for_d + "\n";
  out += "        labels:\n          severity: " + severity + "\n";
  out += "        annotations:\n          summary: '" + summary + "'\n";
  return out;
}

// 12 recording rules, 8 fleet-wide alerts, 8 alerts for each of 10 teams: 100 rules.
std::string RuleText() {
  const std::string d = kDuration, e = kErrors;
  const std::string rate_count = "rate(" + d + "_count[5m])";
  std::string y = "groups:\n  - name: red-recording\n    interval: 15s\n    rules:\n";
  y += Record("service:http_requests:rate5m", "sum by (service_name) (" + rate_count + ")");
  y += Record("service:http_errors:rate5m", "sum by (service_name) (rate(" + e + "[5m]))");
  y += Record("service:http_error_ratio:rate5m",
              "service:http_errors:rate5m / on(service_name) service:http_requests:rate5m");
  y += Record("service:http_latency_seconds:p99_5m",
              "histogram_quantile(0.99, sum by (service_name, le) (rate(" + d + "_bucket[5m])))");
  y += Record("service:http_latency_seconds:p50_5m",
              "histogram_quantile(0.5, sum by (service_name, le) (rate(" + d + "_bucket[5m])))");
  y += Record("service:http_latency_seconds:mean_5m", "sum by (service_name) (rate(" + d +
                                                          "_sum[5m])) / on(service_name) "
                                                          "service:http_requests:rate5m");
  y += Record("route:http_requests:rate5m",
              "sum by (service_name, http_route) (" + rate_count + ")");
  y += Record("route:http_error_ratio:rate5m",
              "sum by (service_name, http_route) (rate(" + e +
                  "[5m])) / on(service_name, http_route) route:http_requests:rate5m");
  y += Record("route:http_latency_seconds:p99_5m",
              "histogram_quantile(0.99, sum by (service_name, http_route, le) (rate(" + d +
                  "_bucket{http_route!~\"/health|/metrics\"}[5m])))");
  y += Record("service:http_apdex:5m", "(sum by (service_name) (rate(" + d +
                                           "_bucket{le=\"0.25\"}[5m])) + on(service_name) sum by "
                                           "(service_name) (rate(" +
                                           d +
                                           "_bucket{le=\"1\"}[5m]))) / 2 / on(service_name) "
                                           "service:http_requests:rate5m");
  y += Record("fleet:http_requests:rate5m", "sum(service:http_requests:rate5m)");
  y += Record("fleet:top_services:rate5m", "topk(10, service:http_requests:rate5m)");

  const std::string pct = "{{ $labels.service_name }}: {{ $value | humanizePercentage }}";
  const std::string val = "{{ $labels.service_name }}: {{ $value | humanize }}";
  y += "  - name: fleet-alerts\n    interval: 15s\n    rules:\n";
  y += Alert("ErrorBudgetBurnFast", "service:http_error_ratio:rate5m > (14.4 * 0.01)", "2m", "page",
             pct);
  y += Alert("RouteErrorRatioHigh",
             "route:http_error_ratio:rate5m{http_route!~\"/health|/metrics\"} > 0.2 and "
             "on(service_name, http_route) route:http_requests:rate5m > 0.1",
             "5m", "ticket", pct);
  y += Alert("ManyRoutesFailing",
             "count by (service_name) (route:http_error_ratio:rate5m > 0.05) > 3", "5m", "page",
             val);
  y += Alert("SlowestRoutes", "topk(5, route:http_latency_seconds:p99_5m) > 2.5", "5m", "ticket",
             val);
  y += Alert("ErrorsBurst", "sum by (service_name) (increase(" + e + "[5m])) > 500", "5m", "page",
             val);
  y += Alert("FleetErrorRatio",
             "sum(service:http_errors:rate5m) / sum(service:http_requests:rate5m) > 0.02", "5m",
             "page", "fleet: {{ $value | humanizePercentage }}");
  y += Alert("ServiceRestarted",
             "sum by (service_name) (resets(" + d + "_count{http_route=\"/\"}[5m])) > 0", "",
             "info", val);
  y += Alert("SlowAndBusy",
             "service:http_latency_seconds:mean_5m > 0.25 and on(service_name) "
             "service:http_requests:rate5m > 5",
             "10m", "ticket", val);

  for (int t = 0; t < kTeams; ++t) {
    std::string re, team = kWordList[t * 5];
    for (int w = 0; w < 5; ++w) re += std::string(w ? "|" : "") + kWordList[t * 5 + w] + "-.*";
    const std::string sel = "service_name=~\"" + re + "\"";
    // Odd teams watch a service that does not report, so their absent() alert is active.
    const std::string lead = team + (t % 2 ? "-cron" : "-0");
    team[0] = static_cast<char>(std::toupper(team[0]));
    y += "  - name: team-" + team + "\n    interval: 15s\n    rules:\n";
    y += Alert(team + "ErrorRateHigh", "service:http_error_ratio:rate5m{" + sel + "} > 0.05", "5m",
               "page", pct);
    y += Alert(team + "LatencyP99High", "service:http_latency_seconds:p99_5m{" + sel + "} > 1",
               "10m", "page", val);
    y += Alert(team + "RouteErrors",
               "sum by (service_name, http_route) (rate(" + e + "{" + sel +
                   "}[5m])) / on(service_name, http_route) sum by (service_name, http_route) "
                   "(rate(" +
                   d + "_count{" + sel + "}[5m])) > 0.1",
               "5m", "ticket", pct);
    y += Alert(team + "RouteLatency",
               "histogram_quantile(0.99, sum by (service_name, http_route, le) (rate(" + d +
                   "_bucket{" + sel + ", http_route!~\"/health|/metrics\"}[5m]))) > 2",
               "5m", "ticket", val);
    y += Alert(team + "TrafficLow", "service:http_requests:rate5m{" + sel + "} < 0.5", "15m",
               "info", val);
    y += Alert(team + "LeadMissing",
               "absent(" + d + "_count{service_name=\"" + lead + "\", http_route=\"/\"})", "10m",
               "page", "no requests from " + lead);
    y += Alert(team + "MemoryHigh",
               "avg_over_time(" + std::string(kMemory) + "{" + sel + "}[5m]) > 1.5e9", "10m",
               "ticket", val);
    y += Alert(team + "SloBreach",
               "1 - (sum by (service_name) (rate(" + d + "_bucket{" + sel +
                   ", le=\"0.5\"}[5m])) / on(service_name) sum by (service_name) (rate(" + d +
                   "_count{" + sel + "}[5m]))) > 0.1",
               "10m", "ticket", pct);
  }
  return y;
}

std::vector<CompiledGroup> CompileRules() {
  auto groups = ParseRuleText(RuleText(), "bench-rules.yaml");
  if (!groups.ok()) {
    std::fprintf(stderr, "rules: %s\n", groups.status().ToString().c_str());
    std::abort();
  }
  auto compiled = CompileRuleGroups(std::move(groups).value(), std::chrono::milliseconds(kStepMs));
  if (!compiled.ok()) {
    std::fprintf(stderr, "rules: %s\n", compiled.status().ToString().c_str());
    std::abort();
  }
  return std::move(compiled).value();
}

// Forwards to the store and counts what the evaluator asked for.
class CountingQueryable : public eval::Queryable {
 public:
  explicit CountingQueryable(const eval::Queryable& inner) : inner_(inner) {}
  void Select(const std::vector<promql::LabelMatcher>& matchers, int64_t mint_ms, int64_t maxt_ms,
              eval::Matrix* out) const override {
    const size_t first = out->size();
    inner_.Select(matchers, mint_ms, maxt_ms, out);
    series += out->size() - first;
    for (size_t i = first; i < out->size(); ++i) samples += (*out)[i].floats.size();
  }
  mutable size_t series = 0, samples = 0;

 private:
  const eval::Queryable& inner_;
};

std::vector<RuleHealth> g_last_health;  // printed after the run: where a cycle's time goes

// --- Benchmarks ------------------------------------------------------------------------------

// Loads the data set (timed once) and reports the SampleStore's memory per retained sample.
void BM_SampleStoreMemory(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(&Data());
  const eval::SampleStoreStats st = Data().store.stats();
  const double samples = static_cast<double>(st.float_samples + st.histogram_samples);
  state.counters["series"] = static_cast<double>(st.series);
  state.counters["samples"] = samples;
  state.counters["bytes_per_sample"] = static_cast<double>(st.bytes) / samples;
  state.counters["rss_bytes_per_sample"] = static_cast<double>(Data().rss_delta) / samples;
  state.counters["rss_MiB"] = static_cast<double>(Data().rss_delta) / (1 << 20);
  state.counters["load_ns_per_sample"] = Data().load_seconds * 1e9 / samples;
}
BENCHMARK(BM_SampleStoreMemory)->Iterations(1)->Unit(benchmark::kMillisecond);

// The data-access floor: one Select per raw family over the 5 minute range, every series.
void BM_SelectAllSeries(benchmark::State& state) {
  const eval::SampleStore& store = Data().store;
  const std::string d = kDuration;
  std::vector<std::string> names = {d + "_bucket", d + "_count", d + "_sum", kErrors, kMemory};
  size_t samples = 0;
  for (auto _ : state) {
    samples = 0;
    for (const std::string& name : names) {
      eval::Matrix m;
      store.Select({{"__name__", promql::MatchOp::kEqual, name, nullptr}}, kEvalT - 300'000, kEvalT,
                   &m);
      for (const eval::Series& s : m) samples += s.floats.size();
    }
    benchmark::DoNotOptimize(samples);
  }
  state.counters["samples"] = static_cast<double>(samples);
  state.counters["per_sample"] = benchmark::Counter(
      static_cast<double>(samples),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SelectAllSeries)->Unit(benchmark::kMillisecond)->MinTime(2);

// One rule-evaluation cycle: every group once at the same time, as RuleService does per tick.
void BM_EvalCycle(benchmark::State& state) {
  eval::SampleStore& store = Data().store;
  RuleEngine engine(CompileRules(), {});
  size_t rules = 0;
  for (const CompiledGroup& g : engine.groups()) rules += g.rules.size();
  // Earlier ticks, so recorded series and pending alerts exist as they would in steady state.
  for (int64_t t = kEvalT - 2 * kStepMs; t < kEvalT; t += kStepMs) {
    for (size_t g = 0; g < engine.groups().size(); ++g) engine.EvalGroup(g, t, store);
  }
  size_t written = 0, failed = 0;
  double eval_ms = 0;  // the engine's own measure, summed over iterations
  for (auto _ : state) {
    written = failed = 0;
    for (size_t g = 0; g < engine.groups().size(); ++g) {
      GroupEvalResult r = engine.EvalGroup(g, kEvalT, store);
      written += r.samples_written;
      failed += r.rules_failed;
      eval_ms += std::chrono::duration<double, std::milli>(r.duration).count();
    }
  }
  // What the rules read, for comparison with BM_SelectAllSeries: the same expressions again
  // over a counting view of the store (untimed).
  CountingQueryable counting(store);
  for (const CompiledGroup& g : engine.groups()) {
    for (const CompiledRule& r : g.rules) (void)eval::Evaluate(*r.expr, kEvalT, counting);
  }
  g_last_health = engine.Health();
  if (failed > 0) {
    for (const RuleHealth& h : g_last_health) {
      if (!h.ok) std::fprintf(stderr, "%s: %s\n", h.name.c_str(), h.last_error.c_str());
    }
    state.SkipWithError("rules failed");
  }
  state.counters["rules"] = static_cast<double>(rules);
  state.counters["samples_written"] = static_cast<double>(written);
  state.counters["alerts_active"] = static_cast<double>(engine.Alerts().size());
  state.counters["ms_per_rule"] =
      benchmark::Counter(eval_ms / static_cast<double>(rules), benchmark::Counter::kAvgIterations);
  state.counters["selected_series"] = static_cast<double>(counting.series);
  state.counters["selected_samples"] = static_cast<double>(counting.samples);
}
BENCHMARK(BM_EvalCycle)->Unit(benchmark::kMillisecond)->MinTime(10);

// One SeriesSampler tick: 10,000 (service, route) exponential histograms rendered as classic
// buckets + _sum + _count, plus 10,000 error counters and 500 gauges, into a SampleStore that
// already holds 5 minutes of earlier ticks (trimmed outside the timing, as RuleService trims).
void BM_SampleInto(benchmark::State& state) {
  aggregate::SeriesStore series;
  const auto now = std::chrono::system_clock::time_point(std::chrono::milliseconds(kT0));
  std::mt19937_64 rng(7);
  std::vector<hist::ExpHistogram> shapes(kRouteCount);
  for (int r = 0; r < kRouteCount; ++r) {
    std::lognormal_distribution<double> lat(std::log(0.01 * (r + 1)), 0.9);
    for (int i = 0; i < 500; ++i) shapes[r].Record(lat(rng));
  }
  const aggregate::MetricInfo dur(kDuration, "request latency"), err(kErrors, "errors"),
      mem(kMemory, "rss");
  for (int s = 0; s < kWords * kInstances; ++s) {
    for (int r = 0; r < kRouteCount; ++r) {
      aggregate::Labels l = {{"service_name", ServiceName(s)}, {"http_route", kRoutes[r]}};
      (void)series.MergeHistogram(dur, l, shapes[(r + s) % kRouteCount], now);
      (void)series.AddCounter(err, l, static_cast<double>(s % 7));
    }
    (void)series.SetGauge(mem, {{"service_name", ServiceName(s)}}, 3e8);
  }
  exporters::PrometheusOptions page;
  page.bucket_bounds = kBounds;
  SeriesSampler sampler(series, page);
  const SelectedNames names = CollectSelectedNames(CompileRules());
  eval::SampleStore out;
  int64_t t = kT0;
  for (int i = 0; i < kSteps - 1; ++i, t += kStepMs) sampler.SampleInto(names, t, out);
  size_t appended = 0;
  for (auto _ : state) {
    appended = sampler.SampleInto(names, t, out);
    state.PauseTiming();
    out.DropBefore(t - 300'000);
    t += kStepMs;
    state.ResumeTiming();
  }
  state.counters["series_in"] = static_cast<double>(series.series());
  state.counters["samples_per_tick"] = static_cast<double>(appended);
  state.counters["per_sample"] = benchmark::Counter(
      static_cast<double>(appended),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SampleInto)->Unit(benchmark::kMillisecond)->MinTime(5);

// Where the last cycle's time went, slowest rules first.
void PrintSlowestRules() {
  std::vector<RuleHealth> h = g_last_health;
  if (h.empty()) return;
  std::sort(h.begin(), h.end(), [](const RuleHealth& a, const RuleHealth& b) {
    return a.last_duration > b.last_duration;
  });
  double total = 0;
  for (const RuleHealth& r : h)
    total += std::chrono::duration<double, std::milli>(r.last_duration).count();
  std::printf("\nlast cycle: %zu rules, %.1f ms; slowest:\n", h.size(), total);
  for (size_t i = 0; i < std::min<size_t>(12, h.size()); ++i) {
    std::printf("  %8.2f ms  %6zu series  %s/%s\n",
                std::chrono::duration<double, std::milli>(h[i].last_duration).count(),
                h[i].last_samples, h[i].group.c_str(), h[i].name.c_str());
  }
}

}  // namespace
}  // namespace vigil::rules

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  vigil::rules::PrintSlowestRules();
  return 0;
}
