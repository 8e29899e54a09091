// The sampler copies merged series under exactly the names, labels and values the Prometheus
// page shows, plus native histograms under the family name, and only what rules select.
#include "collector/rules/service/series_sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>

#include "exporters/prometheus/prometheus_collectable.h"

namespace vigil::rules {
namespace {

using Key = std::pair<std::string, std::map<std::string, std::string>>;

// Parses `name{a="x",b="y"} value` lines of a text page (values here hold no quotes).
std::map<Key, double> ParsePage(const std::string& text) {
  std::map<Key, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    Key key;
    size_t brace = line.find('{'), space = line.rfind(' ');
    if (brace == std::string::npos || brace > space) {
      key.first = line.substr(0, space);
    } else {
      key.first = line.substr(0, brace);
      std::string labels = line.substr(brace + 1, line.rfind('}') - brace - 1);
      size_t pos = 0;
      while (pos < labels.size()) {
        size_t eq = labels.find("=\"", pos), end = labels.find('"', eq + 2);
        key.second[labels.substr(pos, eq - pos)] = labels.substr(eq + 2, end - eq - 2);
        pos = end + 2;  // past `",`
      }
    }
    out[key] = std::stod(line.substr(space + 1));
  }
  return out;
}

class SeriesSamplerTest : public testing::Test {
 protected:
  SeriesSamplerTest() : store_(Options()) {
    const auto now = Now();
    aggregate::Labels a{{"service_name", "checkout"}, {"http_route", "/cart"}};
    aggregate::Labels b{{"service_name", "users"}, {"http_route", "/login"}};
    hist::ExpHistogram h;
    for (int i = 1; i <= 200; ++i) h.Record(i / 1000.0);
    aggregate::MetricInfo dur("http_server_request_duration_seconds", "latency");
    EXPECT_TRUE(store_.MergeHistogram(dur, a, h, now).ok());
    h.Record(3.0);
    EXPECT_TRUE(store_.MergeHistogram(dur, b, h, now).ok());
    aggregate::MetricInfo errors("http_server_request_errors_total", "errors");
    EXPECT_TRUE(store_.AddCounter(errors, a, 7).ok());
    aggregate::MetricInfo temp("queue_depth", "depth");
    EXPECT_TRUE(store_.SetGauge(temp, b, -2.5).ok());
    aggregate::ExplicitHistogram eh;
    eh.bounds = {0.1, 1};
    eh.counts = {3, 4, 5};
    eh.count = 12;
    eh.sum = 9.5;
    aggregate::MetricInfo sizes("payload_size_bytes", "sizes");
    EXPECT_TRUE(store_.MergeExplicitHistogram(sizes, a, eh).ok());
  }
  static aggregate::StoreOptions Options() {
    aggregate::StoreOptions o;
    o.window = std::chrono::seconds(60);
    o.slot = std::chrono::seconds(5);
    return o;
  }
  static std::chrono::system_clock::time_point Now() {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(kT));
  }
  static constexpr int64_t kT = 1'700'000'000'000;
  aggregate::SeriesStore store_;
};

TEST_F(SeriesSamplerTest, EverySampleIsWhatThePageShows) {
  exporters::PrometheusOptions po;
  exporters::PrometheusCollectable page(store_, po, [] { return Now(); });
  const std::map<Key, double> shown = ParsePage(page.RenderText());
  ASSERT_GT(shown.size(), 30u);

  SeriesSampler sampler(store_, po);
  eval::SampleStore samples;
  SelectedNames all;
  all.all = true;
  const size_t n = sampler.SampleInto(all, kT, samples);

  std::map<Key, double> sampled;
  size_t native = 0;
  samples.VisitLatest(kT, [&](const eval::Labels& labels, const eval::Sample& s) {
    Key key;
    for (const auto& [k, v] : labels) {
      if (k == "__name__") {
        key.first = v;
      } else {
        key.second[k] = v;
      }
    }
    if (s.h) {
      ++native;
      EXPECT_EQ(key.first, "http_server_request_duration_seconds");
      EXPECT_EQ(static_cast<double>(s.h->count()),
                shown.at({key.first + "_count", key.second}));
      return;
    }
    sampled[key] = s.v;
  });
  EXPECT_EQ(native, 2u);
  EXPECT_EQ(n, sampled.size() + native);
  ASSERT_EQ(sampled.size(), shown.size());
  for (const auto& [key, value] : shown) {
    auto it = sampled.find(key);
    ASSERT_NE(it, sampled.end()) << "not sampled: " << key.first;
    EXPECT_NEAR(it->second, value, std::fabs(value) * 1e-12) << key.first;
  }
}

TEST_F(SeriesSamplerTest, OnlySelectedNamesAreCopied) {
  SeriesSampler sampler(store_, exporters::PrometheusOptions{});
  eval::SampleStore samples;
  SelectedNames names;
  names.names = {"http_server_request_errors_total", "http_server_request_duration_seconds_count"};
  EXPECT_EQ(sampler.SampleInto(names, kT, samples), 3u);  // 1 counter + 2 _count series
  std::set<std::string> seen;
  samples.VisitLatest(0, [&](const eval::Labels& labels, const eval::Sample&) {
    seen.insert(std::string(eval::LabelValue(labels, "__name__")));
  });
  EXPECT_EQ(seen, (std::set<std::string>{"http_server_request_errors_total",
                                         "http_server_request_duration_seconds_count"}));
  EXPECT_EQ(sampler.SampleInto(SelectedNames{}, kT + 1000, samples), 0u);
}

TEST(CollectSelectedNamesTest, NamesFromEverySelectorAndAllForNamelessOnes) {
  auto compile = [](const std::string& expr) {
    std::vector<RuleGroup> groups(1);
    groups[0].name = "g";
    Rule r;
    r.kind = Rule::Kind::kRecording;
    r.name = "out";
    r.expr = expr;
    groups[0].rules.push_back(r);
    auto compiled = CompileRuleGroups(std::move(groups), std::chrono::seconds(15));
    EXPECT_TRUE(compiled.ok()) << compiled.status().message();
    return CollectSelectedNames(*compiled);
  };
  SelectedNames n = compile(
      "sum by (s) (rate(a_total[5m])) / on (s) group_left max(b offset 1m) + "
      "absent({__name__=\"c\"})");
  EXPECT_FALSE(n.all);
  EXPECT_EQ(n.names, (std::unordered_set<std::string>{"a_total", "b", "c"}));
  EXPECT_TRUE(compile("count({job=\"x\"})").all);
  EXPECT_TRUE(compile("count({__name__=~\"a.*\"})").all);
}

}  // namespace
}  // namespace vigil::rules
