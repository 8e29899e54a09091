#include "agent/derive/red_metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/parse/json_line_parser.h"

namespace vigil::derive {
namespace {

parse::ParsedLine Line(std::string_view service, std::string_view route, int status, double seconds,
                       bool is_error = false) {
  parse::ParsedLine line;
  line.service = service;
  line.route = route;
  line.status = status;
  line.duration_seconds = seconds;
  line.is_error = is_error;
  return line;
}

const SeriesDelta* Find(const std::vector<SeriesDelta>& deltas, std::string_view service,
                        std::string_view route, int status) {
  for (const SeriesDelta& d : deltas) {
    if (!d.overflow && d.service == service && d.route == route && d.status == status) return &d;
  }
  return nullptr;
}

uint64_t TotalCount(const std::vector<SeriesDelta>& deltas) {
  uint64_t total = 0;
  for (const SeriesDelta& d : deltas) total += d.duration.count();
  return total;
}

TEST(RedMetricsTest, CountsPerSeries) {
  RedMetrics red(RedOptions{});
  for (int i = 0; i < 3; ++i) red.Record(Line("a", "/x", 200, 0.010));
  red.Record(Line("a", "/x", 500, 0.200, /*is_error=*/true));
  red.Record(Line("a", "/x", 500, 0.300, /*is_error=*/true));
  red.Record(Line("b", "/x", 200, 1.0));
  red.Record(Line("a", "", 200, 0.5));
  red.Record(Line("a", "/x", 200, -1));  // no duration: a log record, not a request

  EXPECT_EQ(red.stats().requests, 7u);
  EXPECT_EQ(red.stats().series, 4u);
  const std::vector<SeriesDelta> deltas = red.TakeDeltas();
  ASSERT_EQ(deltas.size(), 4u);

  const SeriesDelta* ok = Find(deltas, "a", "/x", 200);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->duration.count(), 3u);
  EXPECT_NEAR(ok->duration.sum(), 0.030, 1e-12);
  EXPECT_EQ(ok->errors, 0u);

  const SeriesDelta* failed = Find(deltas, "a", "/x", 500);
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->duration.count(), 2u);
  EXPECT_EQ(failed->errors, 2u);
  EXPECT_NEAR(failed->duration.sum(), 0.5, 1e-12);

  ASSERT_NE(Find(deltas, "b", "/x", 200), nullptr);
  ASSERT_NE(Find(deltas, "a", "", 200), nullptr);
  EXPECT_EQ(TotalCount(deltas), 7u);
  for (const SeriesDelta& d : deltas) EXPECT_FALSE(d.overflow);
}

TEST(RedMetricsTest, HistogramOptionsAreUsed) {
  RedOptions options;
  options.histogram.scale = 3;
  options.histogram.max_buckets = 160;
  RedMetrics red(options);
  red.Record(Line("a", "/", 200, 0.25));
  const std::vector<SeriesDelta> deltas = red.TakeDeltas();
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].duration.scale(), 3);
  EXPECT_EQ(deltas[0].duration.options().max_buckets, 160u);
}

TEST(RedMetricsTest, TakeDeltasResetsAndReportsOnlySeriesWithData) {
  RedMetrics red(RedOptions{});
  red.Record(Line("a", "/x", 200, 0.1, true));
  red.Record(Line("b", "/y", 200, 0.2));
  ASSERT_EQ(red.TakeDeltas().size(), 2u);
  EXPECT_TRUE(red.TakeDeltas().empty());

  red.Record(Line("b", "/y", 200, 0.4));
  const std::vector<SeriesDelta> deltas = red.TakeDeltas();
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].service, "b");
  EXPECT_EQ(deltas[0].duration.count(), 1u);  // the earlier 0.2 s went out with the first take
  EXPECT_NEAR(deltas[0].duration.sum(), 0.4, 1e-12);
  EXPECT_EQ(deltas[0].errors, 0u);
  EXPECT_EQ(red.stats().series, 2u);  // keys are kept
  EXPECT_EQ(red.stats().requests, 3u);
}

TEST(RedMetricsTest, CopiesKeysOutOfTheLine) {
  RedMetrics red(RedOptions{});
  std::string service = "checkout", route = "/pay";
  red.Record(Line(service, route, 201, 0.1));
  service.assign("XXXXXXXX");
  route.assign("XXXX");
  red.Record(Line("checkout", "/pay", 201, 0.1));  // same series as the first
  const std::vector<SeriesDelta> deltas = red.TakeDeltas();
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_EQ(deltas[0].service, "checkout");
  EXPECT_EQ(deltas[0].route, "/pay");
  EXPECT_EQ(deltas[0].duration.count(), 2u);
}

TEST(RedMetricsTest, FoldsSeriesBeyondTheLimitIntoOneOverflowSeries) {
  RedOptions options;
  options.max_series = 3;
  RedMetrics red(options);
  uint64_t recorded = 0, expected_overflow = 0;
  for (int i = 0; i < 10; ++i) {
    const std::string route = "/r" + std::to_string(i);
    for (int k = 0; k <= i; ++k) {
      red.Record(Line("svc", route, 200, 0.001 * (k + 1), /*is_error=*/k == 0));
      ++recorded;
      if (i >= 3) ++expected_overflow;
    }
  }
  red.Record(Line("svc", "/r0", 200, 0.5));  // a known series still gets its own data
  ++recorded;

  EXPECT_EQ(red.stats().requests, recorded);
  EXPECT_EQ(red.stats().overflow_requests, expected_overflow);
  EXPECT_EQ(red.stats().series, 3u);
  const std::vector<SeriesDelta> deltas = red.TakeDeltas();
  ASSERT_EQ(deltas.size(), 4u);
  const SeriesDelta& overflow = deltas.back();
  EXPECT_TRUE(overflow.overflow);
  EXPECT_EQ(overflow.service, "");
  EXPECT_EQ(overflow.route, "");
  EXPECT_EQ(overflow.status, 0);
  EXPECT_EQ(overflow.duration.count(), expected_overflow);
  EXPECT_EQ(overflow.errors, 7u);           // one error per folded route
  EXPECT_EQ(TotalCount(deltas), recorded);  // nothing lost
  ASSERT_NE(Find(deltas, "svc", "/r0", 200), nullptr);
  EXPECT_EQ(Find(deltas, "svc", "/r0", 200)->duration.count(), 2u);
  for (size_t i = 0; i + 1 < deltas.size(); ++i) EXPECT_FALSE(deltas[i].overflow);
}

TEST(RedMetricsTest, ZeroMaxSeriesSendsEverythingToOverflow) {
  RedOptions options;
  options.max_series = 0;
  RedMetrics red(options);
  red.Record(Line("a", "/", 200, 0.1));
  red.Record(Line("b", "/", 200, 0.1));
  const std::vector<SeriesDelta> deltas = red.TakeDeltas();
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_TRUE(deltas[0].overflow);
  EXPECT_EQ(deltas[0].duration.count(), 2u);
  EXPECT_EQ(red.stats().overflow_requests, 2u);
}

TEST(RedMetricsTest, EvictsIdleSeriesAndFreesTheirSlots) {
  RedOptions options;
  options.max_series = 1;
  options.evict_after_idle_flushes = 2;
  RedMetrics red(options);
  red.Record(Line("a", "/", 200, 0.1));
  red.Record(Line("b", "/", 200, 0.1));  // no room: overflow
  EXPECT_EQ(red.stats().overflow_requests, 1u);
  ASSERT_EQ(red.TakeDeltas().size(), 2u);

  EXPECT_TRUE(red.TakeDeltas().empty());  // "a" idle once
  EXPECT_EQ(red.stats().series, 1u);
  EXPECT_TRUE(red.TakeDeltas().empty());  // idle twice: forgotten
  EXPECT_EQ(red.stats().series, 0u);
  EXPECT_EQ(red.stats().evicted_series, 1u);

  red.Record(Line("b", "/", 200, 0.3));  // takes the freed slot
  EXPECT_EQ(red.stats().overflow_requests, 1u);
  const std::vector<SeriesDelta> deltas = red.TakeDeltas();
  ASSERT_EQ(deltas.size(), 1u);
  EXPECT_FALSE(deltas[0].overflow);
  EXPECT_EQ(deltas[0].service, "b");
  EXPECT_EQ(deltas[0].duration.count(), 1u);

  red.Record(Line("a", "/", 200, 0.2));  // "a" now overflows; it is no longer known
  EXPECT_EQ(red.stats().overflow_requests, 2u);
}

TEST(RedMetricsTest, ActiveSeriesAreNeverEvictedAndZeroDisablesEviction) {
  RedOptions options;
  options.evict_after_idle_flushes = 1;
  RedMetrics red(options);
  for (int flush = 0; flush < 5; ++flush) {
    red.Record(Line("a", "/", 200, 0.1));
    ASSERT_EQ(red.TakeDeltas().size(), 1u);
  }
  EXPECT_EQ(red.stats().evicted_series, 0u);

  options.evict_after_idle_flushes = 0;
  RedMetrics keep(options);
  keep.Record(Line("a", "/", 200, 0.1));
  for (int flush = 0; flush < 100; ++flush) keep.TakeDeltas();
  EXPECT_EQ(keep.stats().series, 1u);
  EXPECT_EQ(keep.stats().evicted_series, 0u);
}

TEST(RedMetricsTest, MemoryGrowsWithSeries) {
  RedMetrics red(RedOptions{});
  const size_t empty = red.MemoryBytes();
  EXPECT_GT(empty, sizeof(RedMetrics));
  for (int i = 0; i < 100; ++i) {
    red.Record(Line("service-with-a-long-name", "/route/" + std::to_string(i), 200, 0.01 * i));
  }
  EXPECT_GT(red.MemoryBytes(), empty + 100 * sizeof(hist::ExpHistogram));
}

TEST(RedMetricsTest, WorksOnParsedLines) {
  parse::JsonLineParser parser(parse::FieldMapping{}, parse::ErrorRule{});
  RedMetrics red(RedOptions{});
  const std::vector<std::string> lines = {
      R"({"service":"api","route":"/a","status":200,"duration_ms":10})",
      R"({"service":"api","route":"/a","status":"200","duration_ms":"30ms"})",
      R"({"service":"api","route":"/a","status":200,"duration_ms":20,"level":"error"})",
      R"({"service":"api","route":"/a","status":503,"duration_ms":5})",
      R"({"service":"api","msg":"no duration: not a request"})",
  };
  for (const std::string& text : lines) {
    std::string buffer = text + std::string(64, ' ');
    parse::ParsedLine line;
    ASSERT_EQ(parser.Parse(std::string_view(buffer.data(), text.size()), &line),
              parse::ParseError::kNone);
    red.Record(line);
  }
  const std::vector<SeriesDelta> deltas = red.TakeDeltas();
  ASSERT_EQ(deltas.size(), 2u);
  const SeriesDelta* ok = Find(deltas, "api", "/a", 200);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->duration.count(), 3u);
  EXPECT_NEAR(ok->duration.sum(), 0.060, 1e-12);
  EXPECT_EQ(ok->errors, 1u);  // the error level
  const SeriesDelta* unavailable = Find(deltas, "api", "/a", 503);
  ASSERT_NE(unavailable, nullptr);
  EXPECT_EQ(unavailable->errors, 1u);
}

}  // namespace
}  // namespace vigil::derive
