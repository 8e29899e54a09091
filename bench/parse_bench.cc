// Cost per line of the agent's hot path: JsonLineParser::Parse on realistic ~200-byte JSON log
// lines, RedMetrics::Record alone, and the two together.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "agent/derive/red_metrics.h"
#include "agent/parse/json_line_parser.h"

namespace {

using vigil::derive::RedMetrics;
using vigil::derive::RedOptions;
using vigil::parse::ErrorRule;
using vigil::parse::FieldMapping;
using vigil::parse::JsonLineParser;
using vigil::parse::ParsedLine;
using vigil::parse::ParseError;

// Lines laid out back to back with '\n' as in a file chunk, plus the trailing padding Parse
// needs after the last one.
struct Corpus {
  std::string buffer;
  std::vector<std::string_view> lines;
  size_t bytes = 0;
};

Corpus MakeCorpus(size_t count) {
  static const char* kServices[] = {"checkout", "cart", "payments", "search", "users"};
  static const char* kRoutes[] = {"/api/v1/orders/{id}", "/api/v1/cart", "/api/v1/pay",
                                  "/api/v1/search",      "/healthz",     "/api/v1/users/{id}",
                                  "/api/v1/orders",      "/api/v1/items"};
  static const int kStatuses[] = {200, 200, 200, 200, 201, 204, 304, 400, 404, 500, 503};
  static const char* kLevels[] = {"info", "info", "info", "debug", "warn", "error"};
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency_ms(3.0, 1.0);
  Corpus corpus;
  std::vector<std::pair<size_t, size_t>> spans;
  char line[512];
  for (size_t i = 0; i < count; ++i) {
    const int n = std::snprintf(
        line, sizeof(line),
        R"({"ts":"2024-05-01T12:%02zu:%02zu.%03zuZ","level":"%s","service":"%s","route":"%s",)"
        R"("status":%d,"duration_ms":%.3f,"msg":"request completed","trace_id":"%016llx%016llx"})",
        (i / 60) % 60, i % 60, i % 1000, kLevels[rng() % 6], kServices[rng() % 5],
        kRoutes[rng() % 8], kStatuses[rng() % 11], latency_ms(rng),
        static_cast<unsigned long long>(rng()), static_cast<unsigned long long>(rng()));
    spans.emplace_back(corpus.buffer.size(), static_cast<size_t>(n));
    corpus.buffer.append(line, n);
    corpus.buffer.push_back('\n');
    corpus.bytes += n;
  }
  corpus.buffer.append(64, ' ');
  for (const auto& [offset, size] : spans) {
    corpus.lines.emplace_back(corpus.buffer.data() + offset, size);
  }
  return corpus;
}

const Corpus& SharedCorpus() {
  static const Corpus corpus = MakeCorpus(4096);
  return corpus;
}

void BM_Parse(benchmark::State& state) {
  const Corpus& corpus = SharedCorpus();
  JsonLineParser parser(FieldMapping{}, ErrorRule{});
  ParsedLine out;
  size_t i = 0;
  for (auto _ : state) {
    const ParseError error = parser.Parse(corpus.lines[i], &out);
    if (error != ParseError::kNone) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(out);
    if (++i == corpus.lines.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * corpus.bytes / corpus.lines.size());
  state.counters["line_bytes"] = static_cast<double>(corpus.bytes) / corpus.lines.size();
}
BENCHMARK(BM_Parse);

// Record alone, on lines whose strings outlive the loop (copied out of the parser).
void BM_Record(benchmark::State& state) {
  const Corpus& corpus = SharedCorpus();
  JsonLineParser parser(FieldMapping{}, ErrorRule{});
  std::vector<std::string> storage;
  storage.reserve(corpus.lines.size() * 2);
  std::vector<ParsedLine> lines;
  for (std::string_view text : corpus.lines) {
    ParsedLine line;
    if (parser.Parse(text, &line) != ParseError::kNone) state.SkipWithError("parse failed");
    storage.emplace_back(line.service);
    line.service = storage.back();
    storage.emplace_back(line.route);
    line.route = storage.back();
    line.level = line.message = line.trace_id = {};
    lines.push_back(line);
  }
  RedMetrics red(RedOptions{});
  size_t i = 0;
  for (auto _ : state) {
    red.Record(lines[i]);
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["series"] = static_cast<double>(red.stats().series);
}
BENCHMARK(BM_Record);

// The pipeline's per-line work, with a flush (TakeDeltas) every 100k lines.
void BM_ParseAndRecord(benchmark::State& state) {
  const Corpus& corpus = SharedCorpus();
  JsonLineParser parser(FieldMapping{}, ErrorRule{});
  RedMetrics red(RedOptions{});
  ParsedLine out;
  size_t i = 0, since_flush = 0;
  for (auto _ : state) {
    if (parser.Parse(corpus.lines[i], &out) == ParseError::kNone) red.Record(out);
    if (++i == corpus.lines.size()) i = 0;
    if (++since_flush == 100'000) {
      since_flush = 0;
      benchmark::DoNotOptimize(red.TakeDeltas());
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * corpus.bytes / corpus.lines.size());
}
BENCHMARK(BM_ParseAndRecord);

}  // namespace

BENCHMARK_MAIN();
