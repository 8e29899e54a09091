// SampleStore: appends (order, replacement, bad labels), Select's matchers and inclusive
// bounds, DropBefore, VisitLatest, stats, and readers running beside a writer.
#include "collector/rules/eval/sample_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "collector/rules/promql/label_regex.h"
#include "tests/collector/rules/eval/eval_test_util.h"

namespace vigil::eval {
namespace {

using testing::SeriesLabels;

promql::LabelMatcher M(std::string name, promql::MatchOp op, std::string value) {
  promql::LabelMatcher m;
  m.name = std::move(name);
  m.op = op;
  m.value = std::move(value);
  if (m.op == promql::MatchOp::kRegexMatch || m.op == promql::MatchOp::kRegexNoMatch) {
    m.regex = promql::CompileAnchoredRegex(m.value).value();
  }
  return m;
}

std::vector<std::string> Names(const Matrix& m) {
  std::vector<std::string> out;
  for (const Series& s : m) out.push_back(LabelsToString(s.labels));
  return out;
}

class SampleStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Append(SeriesLabels(R"(up{job="a",instance="1"})"), 1000, 1).ok());
    ASSERT_TRUE(store_.Append(SeriesLabels(R"(up{job="b",instance="2"})"), 1000, 0).ok());
    ASSERT_TRUE(store_.Append(SeriesLabels(R"(up{job="a"})"), 1000, 1).ok());
    ASSERT_TRUE(store_.Append(SeriesLabels(R"(other{job="a"})"), 1000, 7).ok());
  }
  SampleStore store_;
};

TEST_F(SampleStoreTest, SelectsByNameAndLabelMatchers) {
  using promql::MatchOp;
  Matrix out;
  store_.Select({M("__name__", MatchOp::kEqual, "up"), M("job", MatchOp::kEqual, "a")}, 0, 2000,
                &out);
  EXPECT_EQ(Names(out),
            (std::vector<std::string>{R"(up{instance="1", job="a"})", R"(up{job="a"})"}));
  out.clear();
  // An absent label matches as "": instance="" selects the series without one.
  store_.Select({M("__name__", MatchOp::kEqual, "up"), M("instance", MatchOp::kEqual, "")}, 0, 2000,
                &out);
  EXPECT_EQ(Names(out), (std::vector<std::string>{R"(up{job="a"})"}));
  out.clear();
  store_.Select({M("job", MatchOp::kNotEqual, "b"), M("__name__", MatchOp::kRegexMatch, "u.|ot.*")},
                0, 2000, &out);
  // Series come out in creation order, as Prometheus's head returns them.
  EXPECT_EQ(Names(out), (std::vector<std::string>{R"(up{instance="1", job="a"})", R"(up{job="a"})",
                                                  R"(other{job="a"})"}));
  out.clear();
  store_.Select({M("__name__", MatchOp::kEqual, "up"), M("instance", MatchOp::kRegexNoMatch, "1|")},
                0, 2000, &out);
  EXPECT_EQ(Names(out), (std::vector<std::string>{R"(up{instance="2", job="b"})"}));
  out.clear();
  store_.Select({M("__name__", MatchOp::kEqual, "missing")}, 0, 2000, &out);
  EXPECT_TRUE(out.empty());
}

TEST_F(SampleStoreTest, SelectBoundsAreInclusiveAndEmptySeriesAreLeftOut) {
  auto l = SeriesLabels(R"(ts{a="1"})");
  for (int64_t t : {100, 200, 300}) ASSERT_TRUE(store_.Append(l, t, static_cast<double>(t)).ok());
  std::vector<promql::LabelMatcher> ms{M("__name__", promql::MatchOp::kEqual, "ts")};
  Matrix out;
  store_.Select(ms, 200, 300, &out);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].floats.size(), 2u);
  EXPECT_EQ(out[0].floats[0].t_ms, 200);
  EXPECT_EQ(out[0].floats[1].t_ms, 300);
  out.clear();
  store_.Select(ms, 201, 299, &out);
  EXPECT_TRUE(out.empty());
  store_.Select(ms, 300, 100, &out);  // inverted range
  EXPECT_TRUE(out.empty());
}

TEST_F(SampleStoreTest, AppendOrderingAndReplacement) {
  auto l = SeriesLabels(R"(x{a="1"})");
  ASSERT_TRUE(store_.Append(l, 100, 1).ok());
  ASSERT_TRUE(store_.Append(l, 100, 2).ok());  // same time: replaces
  Status st = store_.Append(l, 99, 3);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "out of order sample");
  // A histogram at the same time replaces the float, and the other way round.
  auto h = std::make_shared<hist::ExpHistogram>();
  ASSERT_TRUE(store_.AppendHistogram(l, 100, h).ok());
  Matrix out;
  store_.Select({M("__name__", promql::MatchOp::kEqual, "x")}, 0, 1000, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].floats.empty());
  ASSERT_EQ(out[0].histograms.size(), 1u);
  EXPECT_EQ(store_.AppendHistogram(l, 50, h).message(), "out of order sample");
  ASSERT_TRUE(store_.Append(l, 100, 5).ok());
  out.clear();
  store_.Select({M("__name__", promql::MatchOp::kEqual, "x")}, 0, 1000, &out);
  ASSERT_EQ(out[0].floats.size(), 1u);
  EXPECT_EQ(out[0].floats[0].v, 5);
  EXPECT_TRUE(out[0].histograms.empty());
}

TEST_F(SampleStoreTest, RejectsBadLabels) {
  Status st = store_.Append({{"job", "a"}}, 1, 1);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "series has no metric name (\"__name__\" label)");
  st = store_.Append({{"__name__", "m"}, {"a", "1"}, {"a", "2"}}, 1, 1);
  EXPECT_EQ(st.message(), "duplicate label name \"a\"");
  EXPECT_EQ(store_.AppendHistogram({{"__name__", "m"}}, 1, nullptr).message(),
            "histogram sample is null");
  // Unsorted input and empty values are normalized: these are one series.
  ASSERT_TRUE(store_.Append({{"b", "2"}, {"__name__", "n"}, {"c", ""}}, 1, 1).ok());
  ASSERT_TRUE(store_.Append({{"__name__", "n"}, {"b", "2"}}, 2, 2).ok());
  EXPECT_EQ(store_.stats().series, 5u);
}

TEST_F(SampleStoreTest, DropBeforeRemovesOldSamplesAndEmptySeries) {
  auto l = SeriesLabels(R"(up{job="a"})");
  ASSERT_TRUE(store_.Append(l, 2000, 2).ok());
  store_.DropBefore(1500);
  SampleStoreStats st = store_.stats();
  EXPECT_EQ(st.series, 1u);
  EXPECT_EQ(st.float_samples, 1u);
  Matrix out;
  store_.Select({M("__name__", promql::MatchOp::kEqual, "up")}, 0, 5000, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].floats[0].t_ms, 2000);
  // A dropped series can come back; the name index must not hold a dangling entry.
  ASSERT_TRUE(store_.Append(SeriesLabels(R"(up{job="b",instance="2"})"), 3000, 1).ok());
  out.clear();
  store_.Select({M("__name__", promql::MatchOp::kEqual, "up")}, 0, 5000, &out);
  EXPECT_EQ(out.size(), 2u);
}

TEST_F(SampleStoreTest, VisitLatestPassesNewestSampleSince) {
  ASSERT_TRUE(store_.Append(SeriesLabels(R"(up{job="a"})"), 2000, 3).ok());
  auto h = std::make_shared<hist::ExpHistogram>();
  h->Record(1.5);
  ASSERT_TRUE(store_.AppendHistogram(SeriesLabels("lat"), 2500, h).ok());
  std::vector<std::string> seen;
  store_.VisitLatest(2000, [&](const Labels& l, const Sample& s) {
    seen.push_back(LabelsToString(l) + "@" + std::to_string(s.t_ms) + "=" +
                   (s.h ? "h" + std::to_string(s.h->count()) : std::to_string(s.v)));
  });
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"lat@2500=h1", R"(up{job="a"}@2000=3.000000)"}));
}

TEST(SampleStoreStatsTest, BytesTrackRetainedSamplesCompactly) {
  SampleStore store;
  constexpr int kSeries = 50, kSamples = 400;
  for (int i = 0; i < kSeries; ++i) {
    Labels l{{"__name__", "metric_with_a_long_name"}, {"instance", "host-" + std::to_string(i)}};
    for (int t = 0; t < kSamples; ++t) ASSERT_TRUE(store.Append(l, t, t).ok());
  }
  SampleStoreStats st = store.stats();
  EXPECT_EQ(st.series, static_cast<size_t>(kSeries));
  EXPECT_EQ(st.float_samples, static_cast<size_t>(kSeries * kSamples));
  EXPECT_EQ(st.histogram_samples, 0u);
  const double per_sample = static_cast<double>(st.bytes) / (kSeries * kSamples);
  EXPECT_GE(per_sample, 16.0);  // the points themselves
  EXPECT_LE(per_sample, 24.0);  // growth slack and per-series overhead stay small
  store.DropBefore(kSamples - 10);
  SampleStoreStats after = store.stats();
  EXPECT_EQ(after.float_samples, static_cast<size_t>(kSeries * 10));
  EXPECT_LT(after.bytes, st.bytes / 4);  // the arrays shrink after a large drop
}

TEST(SampleStoreConcurrencyTest, ReadersSeeConsistentSeriesWhileWriterAppends) {
  SampleStore store;
  Labels l = SeriesLabels(R"(c{a="1"})");
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    promql::LabelMatcher m;
    m.name = "__name__";
    m.value = "c";
    while (!done.load()) {
      Matrix out;
      store.Select({m}, 0, INT64_MAX, &out);
      // Values equal timestamps, in order: a torn read would break either.
      for (const Series& s : out) {
        for (size_t i = 0; i < s.floats.size(); ++i) {
          if (s.floats[i].v != static_cast<double>(s.floats[i].t_ms) ||
              (i > 0 && s.floats[i].t_ms <= s.floats[i - 1].t_ms)) {
            ++bad;
          }
        }
      }
    }
  });
  for (int64_t t = 0; t < 3000; ++t) {
    ASSERT_TRUE(store.Append(l, t, static_cast<double>(t)).ok());
    if (t % 500 == 499) store.DropBefore(t - 100);
  }
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace vigil::eval
