// Tests of what vigil-loadgen writes: the shape of every line (parsed with simdjson), that the
// ground truth equals an independent recount of the file, determinism, the error spike, the
// byte bound, both rotation modes, I/O errors, and the program's exit codes.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "tools/loadgen/generator.h"
#include "tools/loadgen/log_sink.h"
#include "tools/loadgen/options.h"

namespace vigil::tools {
namespace {

namespace fs = std::filesystem;

class LoadgenOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("vigil_loadgen_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  LoadgenOptions Options(uint64_t lines) {
    LoadgenOptions o;
    o.out = (dir_ / "app.jsonl").string();
    o.max_lines = lines;
    o.seed = 7;
    o.start_unix_ms = 1795428000000;  // 2026-11-23T10:00:00Z
    return o;
  }

  static RunSummary RunOk(const LoadgenOptions& o) {
    Generator g(o, nullptr);
    Result<RunSummary> r = g.Run();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RunSummary{};
  }

  static std::string ReadAll(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

  static std::vector<std::string> Lines(const fs::path& p) {
    std::vector<std::string> out;
    std::ifstream f(p);
    for (std::string line; std::getline(f, line);) out.push_back(line);
    return out;
  }

  fs::path dir_;
};

struct Recount {
  uint64_t count = 0;
  uint64_t errors = 0;
  uint64_t sum_us = 0;
  std::vector<uint64_t> durations;
};

// "12.345" -> 12345 (ms with three decimals to microseconds), exactly, from the text.
uint64_t MillisTextToMicros(std::string_view raw) {
  const size_t dot = raw.find('.');
  EXPECT_NE(dot, std::string_view::npos) << raw;
  EXPECT_EQ(raw.size() - dot - 1, 3u) << "duration_ms must have 3 decimals: " << raw;
  std::string digits(raw.substr(0, dot));
  digits += raw.substr(dot + 1);
  return std::stoull(digits);
}

// p-th percentile by nearest rank, computed the textbook way on a copy.
uint64_t Percentile(std::vector<uint64_t> v, int p) {
  std::sort(v.begin(), v.end());
  size_t rank = (v.size() * p + 99) / 100;
  return v[std::max<size_t>(rank, 1) - 1];
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

TEST_F(LoadgenOutputTest, EveryLineIsAJsonObjectOfTheExpectedShape) {
  LoadgenOptions o = Options(3000);
  o.error_ratio = 0.1;
  const RunSummary s = RunOk(o);
  EXPECT_EQ(s.lines, 3000u);
  EXPECT_EQ(s.bytes, fs::file_size(o.out));

  simdjson::dom::parser parser;
  std::map<std::string, int> services;
  size_t total_len = 0;
  for (const std::string& line : Lines(o.out)) {
    total_len += line.size() + 1;
    simdjson::dom::object obj;
    ASSERT_EQ(parser.parse(line).get(obj), simdjson::SUCCESS) << line;
    std::vector<std::string> keys;
    for (auto field : obj) keys.emplace_back(field.key);
    EXPECT_EQ(keys, (std::vector<std::string>{"ts", "level", "service", "route", "status",
                                              "duration_ms", "msg", "trace_id"}));
    std::string_view ts, level, service, route, msg, trace;
    int64_t status = 0;
    double duration = 0;
    ASSERT_EQ(obj["ts"].get(ts), simdjson::SUCCESS);
    ASSERT_EQ(obj["level"].get(level), simdjson::SUCCESS);
    ASSERT_EQ(obj["service"].get(service), simdjson::SUCCESS);
    ASSERT_EQ(obj["route"].get(route), simdjson::SUCCESS);
    ASSERT_EQ(obj["status"].get(status), simdjson::SUCCESS);
    ASSERT_EQ(obj["duration_ms"].get(duration), simdjson::SUCCESS);
    ASSERT_EQ(obj["msg"].get(msg), simdjson::SUCCESS);
    ASSERT_EQ(obj["trace_id"].get(trace), simdjson::SUCCESS);
    EXPECT_EQ(ts.size(), 24u);
    EXPECT_TRUE(ts.starts_with("2026-11-23T10:00:")) << ts;
    EXPECT_TRUE(ts.ends_with("Z")) << ts;
    EXPECT_EQ(ts[19], '.');
    EXPECT_TRUE(level == "info" || level == "warn" || level == "error") << level;
    EXPECT_EQ(level == "error", status >= 500) << line;
    EXPECT_TRUE(route.starts_with("/api/")) << route;
    EXPECT_GE(status, 200);
    EXPECT_LT(status, 600);
    EXPECT_GT(duration, 0.0);
    EXPECT_FALSE(msg.empty());
    EXPECT_EQ(trace.size(), 32u);
    EXPECT_TRUE(IsLowerHex(trace)) << trace;
    ++services[std::string(service)];
  }
  EXPECT_EQ(total_len, s.bytes);
  // ~200 bytes a line on average, as the benchmarks assume.
  EXPECT_NEAR(static_cast<double>(s.bytes) / s.lines, 200.0, 15.0);
  EXPECT_EQ(services.size(), 4u);
  for (const char* name : {"checkout", "catalog", "payments", "users"}) {
    EXPECT_GT(services[name], 0) << name;
  }
}

TEST_F(LoadgenOutputTest, TruthMatchesAnIndependentRecountOfTheFile) {
  LoadgenOptions o = Options(20000);
  o.error_ratio = 0.05;
  o.services = 5;
  o.truth_path = (dir_ / "truth.json").string();
  RunOk(o);

  std::map<std::tuple<std::string, std::string, int64_t>, Recount> per_series;
  std::map<std::string, Recount> per_service;
  simdjson::dom::parser parser;
  for (const std::string& line : Lines(o.out)) {
    simdjson::dom::object obj;
    ASSERT_EQ(parser.parse(line).get(obj), simdjson::SUCCESS);
    std::string_view service, route, level;
    int64_t status = 0;
    ASSERT_EQ(obj["service"].get(service), simdjson::SUCCESS);
    ASSERT_EQ(obj["route"].get(route), simdjson::SUCCESS);
    ASSERT_EQ(obj["level"].get(level), simdjson::SUCCESS);
    ASSERT_EQ(obj["status"].get(status), simdjson::SUCCESS);
    // The raw text of the number, so the comparison is exact.
    const size_t at = line.find("\"duration_ms\":") + 14;
    const uint64_t us =
        MillisTextToMicros(std::string_view(line).substr(at, line.find(',', at) - at));
    for (Recount* r : {&per_series[{std::string(service), std::string(route), status}],
                       &per_service[std::string(service)]}) {
      ++r->count;
      r->errors += (status >= 500 || level == "error") ? 1 : 0;
      r->sum_us += us;
      r->durations.push_back(us);
    }
  }

  simdjson::dom::parser truth_parser;
  simdjson::dom::element truth;
  ASSERT_EQ(truth_parser.load(o.truth_path).get(truth), simdjson::SUCCESS);
  EXPECT_EQ(uint64_t(truth["lines"]), 20000u);
  EXPECT_EQ(uint64_t(truth["bytes"]), fs::file_size(o.out));
  EXPECT_EQ(uint64_t(truth["seed"]), 7u);
  EXPECT_EQ(std::string_view(truth["first_ts"]), "2026-11-23T10:00:00.000Z");
  EXPECT_EQ(std::string_view(truth["last_ts"]), "2026-11-23T10:00:01.999Z");

  // The summary holds exact decimals of whole microseconds, so rounding recovers them.
  auto Micros = [](simdjson::dom::element e) { return uint64_t(std::llround(double(e) * 1e6)); };
  auto check = [&](simdjson::dom::object entry, const Recount& r, const std::string& what) {
    EXPECT_EQ(uint64_t(entry["count"]), r.count) << what;
    EXPECT_EQ(uint64_t(entry["errors"]), r.errors) << what;
    EXPECT_EQ(Micros(entry["sum_seconds"]), r.sum_us) << what;
    EXPECT_EQ(Micros(entry["p50_seconds"]), Percentile(r.durations, 50)) << what;
    EXPECT_EQ(Micros(entry["p95_seconds"]), Percentile(r.durations, 95)) << what;
    EXPECT_EQ(Micros(entry["p99_seconds"]), Percentile(r.durations, 99)) << what;
  };
  size_t series_seen = 0;
  uint64_t error_total = 0;
  for (simdjson::dom::object entry : truth["series"].get_array()) {
    const std::tuple<std::string, std::string, int64_t> key{
        std::string(std::string_view(entry["service"])),
        std::string(std::string_view(entry["route"])), int64_t(entry["status"])};
    ASSERT_EQ(per_series.count(key), 1u) << std::get<0>(key) << std::get<1>(key);
    check(entry, per_series[key], std::get<0>(key) + std::get<1>(key));
    error_total += uint64_t(entry["errors"]);
    ++series_seen;
  }
  EXPECT_EQ(series_seen, per_series.size());
  EXPECT_GT(error_total, 0u);
  size_t services_seen = 0;
  for (simdjson::dom::object entry : truth["services"].get_array()) {
    const std::string name{std::string_view(entry["service"])};
    ASSERT_EQ(per_service.count(name), 1u) << name;
    check(entry, per_service[name], name);
    ++services_seen;
  }
  EXPECT_EQ(services_seen, 5u);
}

TEST_F(LoadgenOutputTest, SameSeedSameBytesOtherSeedOtherBytes) {
  LoadgenOptions a = Options(2000);
  RunOk(a);
  LoadgenOptions b = a;
  b.out = (dir_ / "b.jsonl").string();
  RunOk(b);
  LoadgenOptions c = a;
  c.out = (dir_ / "c.jsonl").string();
  c.seed = 8;
  RunOk(c);
  EXPECT_EQ(ReadAll(a.out), ReadAll(b.out));
  EXPECT_NE(ReadAll(a.out), ReadAll(c.out));
}

TEST_F(LoadgenOutputTest, ErrorSpikeRaisesTheErrorRatioOnlyInsideTheWindow) {
  // Unpaced: 10000 lines per log-clock second, so the spike covers lines 10000..19999.
  LoadgenOptions o = Options(30000);
  o.error_ratio = 0.01;
  o.spike_at_s = 1;
  o.spike_duration_s = 1;
  o.spike_error_ratio = 0.5;
  RunOk(o);
  uint64_t in = 0, in_err = 0, out = 0, out_err = 0;
  for (const std::string& line : Lines(o.out)) {
    const bool spike = line.find("\"ts\":\"2026-11-23T10:00:01.") != std::string::npos;
    const bool err = line.find("\"level\":\"error\"") != std::string::npos;
    (spike ? in : out) += 1;
    (spike ? in_err : out_err) += err ? 1 : 0;
  }
  EXPECT_EQ(in, 10000u);
  EXPECT_GT(static_cast<double>(in_err) / in, 0.4);
  EXPECT_LT(static_cast<double>(out_err) / out, 0.03);
}

TEST_F(LoadgenOutputTest, ByteBoundStopsAtTheFirstLineEndPastIt) {
  LoadgenOptions o = Options(0);
  o.max_bytes = 100000;
  const RunSummary s = RunOk(o);
  const uint64_t size = fs::file_size(o.out);
  EXPECT_EQ(size, s.bytes);
  EXPECT_GE(size, 100000u);
  EXPECT_LT(size, 100000u + 300);
  EXPECT_EQ(ReadAll(o.out).back(), '\n');
}

TEST_F(LoadgenOutputTest, AppendsToAnExistingFile) {
  LoadgenOptions o = Options(10);
  { std::ofstream(o.out) << "existing line\n"; }
  RunOk(o);
  const std::vector<std::string> lines = Lines(o.out);
  ASSERT_EQ(lines.size(), 11u);
  EXPECT_EQ(lines[0], "existing line");
}

// Both rotation modes must leave files whose concatenation, oldest first, is exactly what an
// unrotated run with the same seed writes.
void CheckRotation(const fs::path& dir, RotateMode mode) {
  LoadgenOptions plain;
  plain.out = (dir / "plain.jsonl").string();
  plain.max_lines = 350;
  plain.start_unix_ms = 0;
  Generator(plain, nullptr).Run().status().ok();
  ASSERT_EQ(fs::file_size(plain.out) > 0, true);

  LoadgenOptions rotated = plain;
  rotated.out = (dir / "app.jsonl").string();
  rotated.rotate_every = 100;
  rotated.rotate_mode = mode;
  Result<RunSummary> r = Generator(rotated, nullptr).Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rotations, 3u);

  std::string joined;
  for (const char* name : {"app.jsonl.3", "app.jsonl.2", "app.jsonl.1", "app.jsonl"}) {
    ASSERT_TRUE(fs::exists(dir / name)) << name;
    std::ifstream f(dir / name);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string text = ss.str();
    const auto lines = std::count(text.begin(), text.end(), '\n');
    EXPECT_EQ(lines, std::string(name) == "app.jsonl" ? 50 : 100) << name;
    joined += text;
  }
  EXPECT_FALSE(fs::exists(dir / "app.jsonl.4"));
  std::ifstream f(plain.out);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(joined, ss.str());
}

TEST_F(LoadgenOutputTest, RenameRotationShiftsOldFiles) {
  CheckRotation(dir_, RotateMode::kRename);
}

TEST_F(LoadgenOutputTest, CopyTruncateRotationKeepsTheSameFile) {
  // The live file must stay the same inode: that is what copytruncate means for tailers.
  const fs::path live = dir_ / "app.jsonl";
  { std::ofstream(live) << ""; }
  struct stat before {};
  ASSERT_EQ(::stat(live.c_str(), &before), 0);
  CheckRotation(dir_, RotateMode::kCopyTruncate);
  struct stat after {};
  ASSERT_EQ(::stat(live.c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
}

TEST_F(LoadgenOutputTest, RotateKeepDropsTheOldest) {
  LoadgenOptions o = Options(500);
  o.rotate_every = 100;
  o.rotate_keep = 2;
  RunOk(o);
  EXPECT_TRUE(fs::exists(o.out + ".1"));
  EXPECT_TRUE(fs::exists(o.out + ".2"));
  EXPECT_FALSE(fs::exists(o.out + ".3"));
  EXPECT_EQ(Lines(o.out).size() + Lines(o.out + ".1").size() + Lines(o.out + ".2").size(), 300u);
}

TEST_F(LoadgenOutputTest, IoErrorsAreReportedWithThePath) {
  LoadgenOptions o = Options(10);
  o.out = (dir_ / "missing-dir" / "app.jsonl").string();
  Result<RunSummary> r = Generator(o, nullptr).Run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot open " + o.out), std::string::npos)
      << r.status().message();

  LoadgenOptions t = Options(10);
  t.truth_path = (dir_ / "missing-dir" / "truth.json").string();
  r = Generator(t, nullptr).Run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("missing-dir/truth.json.tmp"), std::string::npos)
      << r.status().message();
}

TEST_F(LoadgenOutputTest, StdoutCannotBeRotated) {
  Result<LogSink> sink = LogSink::Open("-");
  ASSERT_TRUE(sink.ok());
  Status st = sink->Rotate(RotateMode::kRename, 5);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(LogSink::Open("").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LoadgenOutputTest, StopFlagEndsAnUnboundedPacedRunAndStillWritesTruth) {
  LoadgenOptions o = Options(0);
  o.rate = 1000;
  o.truth_path = (dir_ / "truth.json").string();
  std::atomic<bool> stop{true};  // already set: the run ends before the first tick
  Result<RunSummary> r = Generator(o, &stop).Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->lines, 0u);
  EXPECT_TRUE(fs::exists(o.truth_path));
}

}  // namespace
}  // namespace vigil::tools
