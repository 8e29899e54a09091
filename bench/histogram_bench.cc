// ExpHistogram costs: Record ns/op on pre-generated lognormal latencies, index mapping, merge,
// quantile and `le` rendering, and memory per histogram for typical latency ranges (counters).
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/histogram/exp_histogram.h"

namespace vigil::hist {
namespace {

// Request latencies in seconds: median 50 ms, long right tail.
std::vector<double> Latencies(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(std::log(0.05), 1.2);
  std::vector<double> out(n);
  for (double& v : out) v = dist(rng);
  return out;
}

ExpHistogram Filled(size_t n, uint64_t seed, ExpHistogramOptions o = {}) {
  ExpHistogram h(o);
  for (double v : Latencies(n, seed)) h.Record(v);
  return h;
}

void BM_Record(benchmark::State& state) {
  const std::vector<double> values = Latencies(1 << 16, 1);
  ExpHistogram h({.scale = static_cast<int32_t>(state.range(0))});
  size_t i = 0;
  for (auto _ : state) {
    h.Record(values[i++ & (values.size() - 1)]);
  }
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(state.iterations());
  state.counters["final_scale"] = h.scale();
}
BENCHMARK(BM_Record)->Arg(0)->Arg(3)->Arg(6)->Arg(10);

void BM_ValueToIndex(benchmark::State& state) {
  const std::vector<double> values = Latencies(1 << 16, 2);
  EnsureIndexTable();
  size_t i = 0;
  int32_t acc = 0;
  for (auto _ : state) {
    acc += ValueToIndex(values[i++ & (values.size() - 1)], 6);
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValueToIndex);

// Index at a scale finer than the table: the exact slow path.
void BM_ValueToIndexAboveTable(benchmark::State& state) {
  const std::vector<double> values = Latencies(1 << 10, 3);
  EnsureIndexTable();
  size_t i = 0;
  int32_t acc = 0;
  for (auto _ : state) {
    acc += ValueToIndex(values[i++ & (values.size() - 1)], 16);
  }
  benchmark::DoNotOptimize(acc);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValueToIndexAboveTable);

// Collector steady state: merging an agent's delta histogram into a long-lived one.
void BM_Merge(benchmark::State& state) {
  const ExpHistogram part = Filled(static_cast<size_t>(state.range(0)), 4);
  ExpHistogram total = Filled(100000, 5);
  for (auto _ : state) {
    total.Merge(part);
  }
  benchmark::DoNotOptimize(total.count());
  state.counters["buckets"] = part.positive().hi() - part.positive().lo();
}
BENCHMARK(BM_Merge)->Arg(100)->Arg(10000);

void BM_MergeData(benchmark::State& state) {
  const ExpHistogramData part = Filled(10000, 6).ToData();
  ExpHistogram total = Filled(100000, 7);
  for (auto _ : state) {
    benchmark::DoNotOptimize(total.MergeData(part).ok());
  }
}
BENCHMARK(BM_MergeData);

void BM_Quantile(benchmark::State& state) {
  const ExpHistogram h = Filled(1000000, 8);
  double acc = 0;
  for (auto _ : state) {
    acc += h.Quantile(0.99);
  }
  benchmark::DoNotOptimize(acc);
}
BENCHMARK(BM_Quantile);

// One Prometheus scrape of a series: the classic default `le` buckets.
void BM_CountAtOrBelowDefaultBuckets(benchmark::State& state) {
  const ExpHistogram h = Filled(1000000, 9);
  const double les[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  uint64_t acc = 0;
  for (auto _ : state) {
    for (double le : les) acc += h.CountAtOrBelow(le);
  }
  benchmark::DoNotOptimize(acc);
}
BENCHMARK(BM_CountAtOrBelowDefaultBuckets);

// Memory of one histogram holding 100k log-uniform values over a latency range (default options).
void BM_MemoryBytes(benchmark::State& state) {
  const double lo = std::pow(10.0, static_cast<double>(state.range(0)));
  const double hi = std::pow(10.0, static_cast<double>(state.range(1)));
  std::mt19937_64 rng(10);
  std::uniform_real_distribution<double> exponent(std::log(lo), std::log(hi));
  ExpHistogram h;
  for (int i = 0; i < 100000; ++i) h.Record(std::exp(exponent(rng)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.MemoryBytes());
  }
  state.counters["memory_bytes"] = static_cast<double>(h.MemoryBytes());
  state.counters["buckets"] = h.positive().hi() - h.positive().lo();
  state.counters["counter_bytes"] = h.positive().width();
  state.counters["scale"] = h.scale();
}
// 1 ms..10 s, 100 us..1 s, 1 us..100 s, and a tight 10..100 ms service.
BENCHMARK(BM_MemoryBytes)->Args({-3, 1})->Args({-4, 0})->Args({-6, 2})->Args({-2, -1});

}  // namespace
}  // namespace vigil::hist

BENCHMARK_MAIN();
