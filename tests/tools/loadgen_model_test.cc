// Tests of vigil-loadgen's building blocks: calendar arithmetic, nearest-rank quantiles,
// exact second rendering, the catalogue, and the request model's mix.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tools/loadgen/catalogue.h"
#include "tools/loadgen/ground_truth.h"
#include "tools/loadgen/line_formatter.h"
#include "tools/loadgen/request_model.h"

namespace vigil::tools {
namespace {

std::string Ts(int64_t ms) {
  char buf[24];
  FormatRfc3339Millis(ms, buf);
  return std::string(buf, 24);
}

TEST(CalendarTest, FormatsKnownInstants) {
  EXPECT_EQ(Ts(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(Ts(951782400000 + 5), "2000-02-29T00:00:00.005Z");
  EXPECT_EQ(Ts(1795428000123), "2026-11-23T10:00:00.123Z");
  EXPECT_EQ(Ts(-1), "1969-12-31T23:59:59.999Z");
}

TEST(CalendarTest, DaysRoundTripOverFourCenturies) {
  for (int64_t days = -20000; days < 146097 * 2; days += 37) {
    int64_t y;
    unsigned m, d;
    CivilFromDays(days, &y, &m, &d);
    ASSERT_EQ(DaysFromCivil(y, m, d), days);
  }
}

TEST(LineFormatterTest, LongestPossibleLineIsWhole) {
  // The largest values each field can take must still fit the formatter's reserved space.
  Request req{};
  req.status = 504;
  req.level = "error";
  req.msg = "upstream timeout";
  req.duration_us = UINT32_MAX;
  req.trace_hi = UINT64_MAX;
  req.trace_lo = 0;
  std::string out = "previous\n";
  LineFormatter f;
  f.Append(253402300799999, "service-64", "/api/items/{id}/history", req, out);
  f.Append(253402300799999, "service-64", "/api/items/{id}/history", req, out);
  const std::string line =
      "{\"ts\":\"9999-12-31T23:59:59.999Z\",\"level\":\"error\",\"service\":\"service-64\","
      "\"route\":\"/api/items/{id}/history\",\"status\":504,\"duration_ms\":4294967.295,"
      "\"msg\":\"upstream timeout\",\"trace_id\":\"ffffffffffffffff0000000000000000\"}\n";
  EXPECT_EQ(out, "previous\n" + line + line);
}

TEST(GroundTruthTest, NearestRankFollowsTheDefinition) {
  std::vector<uint32_t> v(100);
  for (uint32_t i = 0; i < 100; ++i) v[i] = i + 1;  // 1..100
  EXPECT_EQ(NearestRank(v, 0.50), 50u);
  EXPECT_EQ(NearestRank(v, 0.95), 95u);
  EXPECT_EQ(NearestRank(v, 0.99), 99u);
  EXPECT_EQ(NearestRank(v, 1.0), 100u);
  EXPECT_EQ(NearestRank({7}, 0.99), 7u);
  EXPECT_EQ(NearestRank({1, 2, 3}, 0.5), 2u);  // ceil(1.5) = 2nd
  EXPECT_EQ(NearestRank({1, 2, 3, 4}, 0.5), 2u);
  EXPECT_EQ(NearestRank({}, 0.5), 0u);
}

TEST(GroundTruthTest, SecondsAreExactDecimals) {
  EXPECT_EQ(MicrosAsSeconds(0), "0.000000");
  EXPECT_EQ(MicrosAsSeconds(12000345), "12.000345");
  EXPECT_EQ(MicrosAsSeconds(999999), "0.999999");
}

TEST(GroundTruthTest, CountsErrorsByStatusOrLevel) {
  GroundTruth t;
  t.Add(0, "svc", "/a", 200, "info", 1000);
  t.Add(0, "svc", "/a", 200, "error", 3000);  // logged as error despite a 200
  t.Add(0, "svc", "/a", 503, "warn", 2000);
  t.Add(1, "svc", "/b", 503, "error", 5);
  EXPECT_EQ(t.total_count(), 4u);
  const std::string json = t.RenderJson("\"lines\":4");
  EXPECT_NE(json.find("{\"lines\":4,\"series\":["), std::string::npos) << json;
  EXPECT_NE(json.find("{\"service\":\"svc\",\"route\":\"/a\",\"status\":200,\"count\":2,"
                      "\"errors\":1,\"sum_seconds\":0.004000,\"p50_seconds\":0.001000"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("{\"service\":\"svc\",\"count\":4,\"errors\":3,\"sum_seconds\":0.006005"),
            std::string::npos)
      << json;
  // Rendering twice gives the same text (the data survives the first render).
  EXPECT_EQ(json, t.RenderJson("\"lines\":4"));
}

TEST(CatalogueTest, HandMadeServicesThenSyntheticOnes) {
  const std::vector<ServiceSpec> four = BuildCatalogue(4);
  ASSERT_EQ(four.size(), 4u);
  EXPECT_EQ(four[0].name, "checkout");
  EXPECT_EQ(four[3].name, "users");
  const std::vector<ServiceSpec> six = BuildCatalogue(6);
  ASSERT_EQ(six.size(), 6u);
  EXPECT_EQ(six[5].name, "service-6");
  EXPECT_EQ(BuildCatalogue(1).size(), 1u);
  std::set<std::string> names;
  for (const ServiceSpec& s : BuildCatalogue(kMaxServices)) {
    EXPECT_TRUE(names.insert(s.name).second) << "duplicate " << s.name;
    std::set<std::string> routes;
    for (const RouteSpec& r : s.routes) {
      EXPECT_TRUE(routes.insert(r.route).second) << "duplicate " << s.name << r.route;
    }
    EXPECT_GE(s.routes.size(), 3u);
  }
}

TEST(RequestModelTest, MixFollowsTheRatiosAndRouteMedians) {
  const std::vector<ServiceSpec> cat = BuildCatalogue(4);
  TrafficMix mix;
  mix.error_ratio = 0.1;
  mix.client_error_ratio = 0.05;
  mix.slow_tail_ratio = 0;
  RequestModel model(cat, mix, 3);
  const int n = 100000;
  int errors = 0, client = 0;
  std::map<int, std::vector<uint32_t>> ok_durations;
  for (int i = 0; i < n; ++i) {
    const Request r = model.Next(0);
    ASSERT_GE(r.duration_us, 1u);
    if (r.status >= 500) {
      ++errors;
      EXPECT_EQ(r.level, "error");
    } else if (r.status >= 400) {
      ++client;
      EXPECT_EQ(r.level, "warn");
    } else {
      EXPECT_EQ(r.level, "info");
      ok_durations[r.route_index].push_back(r.duration_us);
    }
  }
  EXPECT_NEAR(errors / double(n), 0.1, 0.01);
  EXPECT_NEAR(client / double(n), 0.05, 0.01);
  // Without the slow tail, each route's median is its lognormal median (within 10%).
  for (auto& [index, v] : ok_durations) {
    std::sort(v.begin(), v.end());
    const double median_ms = v[v.size() / 2] / 1000.0;
    const double want = model.routes()[index].spec->median_ms;
    EXPECT_NEAR(median_ms, want, want * 0.1) << model.routes()[index].spec->route;
  }
}

TEST(RequestModelTest, SpikeWindowIsHalfOpen) {
  const std::vector<ServiceSpec> cat = BuildCatalogue(1);
  TrafficMix mix;
  mix.spike_at_s = 10;
  mix.spike_duration_s = 5;
  RequestModel model(cat, mix, 1);
  EXPECT_FALSE(model.InSpike(9.999));
  EXPECT_TRUE(model.InSpike(10));
  EXPECT_TRUE(model.InSpike(14.999));
  EXPECT_FALSE(model.InSpike(15));
  TrafficMix none;
  EXPECT_FALSE(RequestModel(cat, none, 1).InSpike(0));
}

}  // namespace
}  // namespace vigil::tools
