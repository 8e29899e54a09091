#include "exporters/prometheus/prometheus_collectable.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace vigil::exporters {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::system_clock;
const Clock::time_point kT0 = Clock::time_point(seconds(1'700'000'000));

// "name{labels}" -> value, from the text format's sample lines.
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    std::string value = line.substr(space + 1);
    out[line.substr(0, space)] = value == "+Inf" ? INFINITY : std::stod(value);
  }
  return out;
}

struct CheckResult {
  int exit_code = -1;
  std::string output;
};

// Runs `promtool check metrics` on `text`; exit_code -2 when promtool is not installed.
CheckResult PromtoolCheck(const std::string& text) {
  if (access("/usr/bin/promtool", X_OK) != 0) return {-2, ""};
  auto dir = std::filesystem::temp_directory_path();
  auto in = dir / ("vigil_promtool_in_" + std::to_string(getpid()));
  auto out = dir / ("vigil_promtool_out_" + std::to_string(getpid()));
  std::ofstream(in) << text;
  std::string cmd =
      "/usr/bin/promtool check metrics < " + in.string() + " > " + out.string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  CheckResult r;
  r.exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  std::ifstream o(out);
  r.output.assign(std::istreambuf_iterator<char>(o), {});
  std::filesystem::remove(in);
  std::filesystem::remove(out);
  return r;
}

class PrometheusCollectableTest : public ::testing::Test {
 protected:
  aggregate::SeriesStore store_{aggregate::StoreOptions{}};
  Clock::time_point now_ = kT0;
  PrometheusCollectable collectable_{store_, PrometheusOptions{}, [this] { return now_; }};
};

TEST_F(PrometheusCollectableTest, RendersClassicBucketsSumCountAndWindowQuantiles) {
  // Values spread over (0, 1] s plus a few outliers, none within 3% of a bucket bound: the
  // exponential buckets are ~1% wide, so every value lands on a known side of every bound.
  const std::vector<double> bounds = collectable_.options().bucket_bounds;
  std::vector<double> values;
  for (int i = 1; i <= 1000; ++i) {
    double v = i / 1000.0;
    bool near = std::any_of(bounds.begin(), bounds.end(),
                            [&](double le) { return std::fabs(v / le - 1) < 0.03; });
    if (!near) values.push_back(v);
  }
  values.insert(values.end(), {3.3, 7.7, 42.0});
  hist::ExpHistogram h{hist::ExpHistogramOptions{}};
  double sum = 0;
  for (double v : values) {
    h.Record(v);
    sum += v;
  }
  aggregate::Labels labels = {{"http_route", "/api"}, {"service_name", "checkout"}};
  ASSERT_TRUE(store_
                  .MergeHistogram({"http_server_request_duration_seconds", "Request latency."},
                                  labels, h, kT0)
                  .ok());

  const std::string text = collectable_.RenderText();
  auto samples = Samples(text);
  const std::string base = "http_server_request_duration_seconds";
  const std::string lbl = "http_route=\"/api\",service_name=\"checkout\"";
  for (double le : collectable_.options().bucket_bounds) {
    uint64_t expected =
        std::count_if(values.begin(), values.end(), [&](double v) { return v <= le; });
    std::string key = base + "_bucket{" + lbl + ",le=\"" + FormatLabelNumber(le) + "\"}";
    ASSERT_EQ(samples.count(key), 1u) << key << "\n" << text;
    EXPECT_EQ(samples[key], static_cast<double>(expected)) << key;
  }
  EXPECT_EQ(samples[base + "_bucket{" + lbl + ",le=\"+Inf\"}"], values.size());
  EXPECT_EQ(samples[base + "_count{" + lbl + "}"], values.size());
  EXPECT_NEAR(samples[base + "_sum{" + lbl + "}"], sum, 1e-9 * sum);
  EXPECT_NE(text.find("# TYPE " + base + " histogram"), std::string::npos) << text;

  // Window quantiles, against the nearest-rank quantiles of the raw values (the histogram's
  // relative error is well under 2% at the default scale).
  const std::string window = "http_server_request_duration_window_seconds";
  EXPECT_NE(text.find("# TYPE " + window + " summary"), std::string::npos) << text;
  // The summary's _count/_sum are the cumulative ones.
  EXPECT_EQ(samples[window + "_count{" + lbl + "}"], values.size());
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double quantile : collectable_.options().quantiles) {
    std::string key = window + "{" + lbl + ",quantile=\"" + FormatLabelNumber(quantile) + "\"}";
    ASSERT_EQ(samples.count(key), 1u) << key << "\n" << text;
    size_t rank = static_cast<size_t>(std::ceil(quantile * sorted.size()));
    double want = sorted[rank - 1];
    EXPECT_NEAR(samples[key], want, want * 0.02) << key;
  }

  CheckResult check = PromtoolCheck(text);
  if (check.exit_code == -2) GTEST_SKIP() << "promtool not installed";
  EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << text;
}

TEST_F(PrometheusCollectableTest, EmptyWindowIsOmittedButCumulativeStays) {
  hist::ExpHistogram h{hist::ExpHistogramOptions{}};
  h.Record(0.2);
  ASSERT_TRUE(store_.MergeHistogram({"rpc_duration_seconds", "h"}, {{"a", "b"}}, h, kT0).ok());
  now_ = kT0 + seconds(600);
  const std::string text = collectable_.RenderText();
  EXPECT_EQ(text.find("rpc_duration_window_seconds"), std::string::npos) << text;
  EXPECT_EQ(Samples(text)["rpc_duration_seconds_count{a=\"b\"}"], 1);
}

TEST_F(PrometheusCollectableTest, CountersAndAwkwardLabelValuesPassPromtool) {
  ASSERT_TRUE(store_
                  .AddCounter({"http_server_request_errors_total", "Failed requests."},
                              {{"http_route", "/a\"b\\c\nd"}, {"service_name", "s"}}, 3)
                  .ok());
  ASSERT_TRUE(store_.AddCounter({"http_server_request_errors_total", ""}, {}, 4).ok());
  hist::ExpHistogram h{hist::ExpHistogramOptions{}};
  h.Record(-1);
  h.Record(0);
  h.Record(0.5);
  ASSERT_TRUE(store_.MergeHistogram({"queue_depth", "no unit here"}, {}, h, kT0).ok());

  const std::string text = collectable_.RenderText();
  EXPECT_NE(text.find("# TYPE http_server_request_errors_total counter"), std::string::npos)
      << text;
  auto samples = Samples(text);
  EXPECT_EQ(samples["http_server_request_errors_total"], 4) << text;
  EXPECT_EQ(samples["queue_depth_count"], 3) << text;
  EXPECT_EQ(samples["queue_depth_bucket{le=\"0.005\"}"], 2) << text;
  EXPECT_NE(text.find("queue_depth_window{quantile=\"0.5\"}"), std::string::npos) << text;

  CheckResult check = PromtoolCheck(text);
  if (check.exit_code == -2) GTEST_SKIP() << "promtool not installed";
  EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << text;
}

TEST_F(PrometheusCollectableTest, PromtoolRejectsBrokenTextSoTheCheckCanFail) {
  CheckResult check = PromtoolCheck("# TYPE x_total counter\nx_total{a=\"1\" 1\n");
  if (check.exit_code == -2) GTEST_SKIP() << "promtool not installed";
  EXPECT_NE(check.exit_code, 0);
}

TEST(PrometheusCollectableOptionsTest, BoundsAndQuantilesAreCleanedUp) {
  aggregate::SeriesStore store{aggregate::StoreOptions{}};
  PrometheusCollectable c(store, PrometheusOptions{.bucket_bounds = {1, 0.5, 1, INFINITY, NAN},
                                                   .quantiles = {0.9, 1.5, -1, 0.5}});
  EXPECT_EQ(c.options().bucket_bounds, (std::vector<double>{0.5, 1}));
  EXPECT_EQ(c.options().quantiles, (std::vector<double>{0.5, 0.9}));
}

TEST(WindowFamilyNameTest, KeepsTheUnitLast) {
  EXPECT_EQ(WindowFamilyName("http_server_request_duration_seconds"),
            "http_server_request_duration_window_seconds");
  EXPECT_EQ(WindowFamilyName("payload_bytes"), "payload_window_bytes");
  EXPECT_EQ(WindowFamilyName("queue_depth"), "queue_depth_window");
  EXPECT_EQ(FormatLabelNumber(0.95), "0.95");
  EXPECT_EQ(FormatLabelNumber(2.5), "2.5");
  EXPECT_EQ(FormatLabelNumber(10), "10");
}

}  // namespace
}  // namespace vigil::exporters
