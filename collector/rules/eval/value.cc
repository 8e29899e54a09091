#include "collector/rules/eval/value.h"

#include <algorithm>

#include "collector/rules/eval/eval_internal.h"
#include "core/text/quote.h"

namespace vigil::eval {
namespace {

auto FindLabel(const Labels& labels, std::string_view name) {
  return std::lower_bound(labels.begin(), labels.end(), name,
                          [](const auto& l, std::string_view n) { return l.first < n; });
}

}  // namespace

namespace internal {}  // namespace internal

std::string_view LabelValue(const Labels& labels, std::string_view name) {
  auto it = FindLabel(labels, name);
  if (it == labels.end() || it->first != name) return {};
  return it->second;
}

Labels DropMetricName(const Labels& labels) {
  Labels out;
  out.reserve(labels.size());
  for (const auto& l : labels) {
    if (l.first != kMetricNameLabel) out.push_back(l);
  }
  return out;
}

void SetLabel(Labels& labels, std::string_view name, std::string_view value) {
  auto it = std::lower_bound(labels.begin(), labels.end(), name,
                             [](const auto& l, std::string_view n) { return l.first < n; });
  bool present = it != labels.end() && it->first == name;
  if (value.empty()) {
    if (present) labels.erase(it);
    return;
  }
  if (present) {
    it->second = std::string(value);
  } else {
    labels.emplace(it, std::string(name), std::string(value));
  }
}

std::string LabelsToString(const Labels& labels) {
  // common/model's Metric.String(): the name outside the braces, "{}" for no labels at all.
  std::string out(LabelValue(labels, kMetricNameLabel));
  size_t others = 0;
  for (const auto& l : labels) others += l.first != kMetricNameLabel;
  if (others == 0 && !out.empty()) return out;
  out.push_back('{');
  bool first = true;
  for (const auto& l : labels) {
    if (l.first == kMetricNameLabel) continue;
    if (!first) out += ", ";
    first = false;
    out += l.first;
    out.push_back('=');
    text::AppendGoQuoted(&out, l.second);
  }
  out.push_back('}');
  return out;
}

bool HasDuplicateLabelsets(const Vector& v) {
  if (v.size() < 2) return false;
  std::vector<std::pair<size_t, const Labels*>> hashed;
  hashed.reserve(v.size());
  for (const Sample& s : v) {
    size_t h = s.labels.size();
    for (const auto& [name, value] : s.labels) {
      h = h * 1000003 ^ std::hash<std::string>{}(name);
      h = h * 1000003 ^ std::hash<std::string>{}(value);
    }
    hashed.emplace_back(h, &s.labels);
  }
  std::sort(hashed.begin(), hashed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < hashed.size(); ++i) {
    // Equal hashes are rare: compare every pair in the run of equal hashes.
    for (size_t j = i; j > 0 && hashed[j - 1].first == hashed[i].first; --j) {
      if (*hashed[j - 1].second == *hashed[i].second) return true;
    }
  }
  return false;
}

}  // namespace vigil::eval
