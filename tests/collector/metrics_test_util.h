// Test helpers for the collector's metric tests: building OTLP metric messages, calling the
// receiver's handler with a real HTTP request value, reading Prometheus text samples and running
// the real `promtool check metrics`. Stateless inline functions.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"

namespace vigil::testing {

namespace otlp_pb = opentelemetry::proto;

template <typename Point>
void AddStringAttr(Point* p, const std::string& key, const std::string& value) {
  auto* kv = p->add_attributes();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

// A request with one resource (service.name, plus service.instance.id when given) and one scope.
inline otlp_pb::metrics::v1::ScopeMetrics* AddScope(
    otlp_pb::collector::metrics::v1::ExportMetricsServiceRequest& req, const std::string& service,
    const std::string& instance = "") {
  auto* rm = req.add_resource_metrics();
  AddStringAttr(rm->mutable_resource(), "service.name", service);
  if (!instance.empty()) AddStringAttr(rm->mutable_resource(), "service.instance.id", instance);
  return rm->add_scope_metrics();
}

// "name{labels}" -> value, from the text format's sample lines.
inline std::map<std::string, double> PromSamples(const std::string& text) {
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

struct PromtoolResult {
  int exit_code = -1;  // -2: promtool is not installed
  std::string output;
};

inline PromtoolResult RunPromtool(const std::string& text) {
  if (access("/usr/bin/promtool", X_OK) != 0) return {-2, ""};
  auto dir = std::filesystem::temp_directory_path();
  const std::string tag = std::to_string(getpid()) + "_" + std::to_string(rand());
  auto in = dir / ("vigil_coll_promtool_in_" + tag);
  auto out = dir / ("vigil_coll_promtool_out_" + tag);
  std::ofstream(in) << text;
  std::string cmd =
      "/usr/bin/promtool check metrics < " + in.string() + " > " + out.string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  PromtoolResult r;
  r.exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  std::ifstream o(out);
  r.output.assign(std::istreambuf_iterator<char>(o), {});
  std::filesystem::remove(in);
  std::filesystem::remove(out);
  return r;
}

}  // namespace vigil::testing
