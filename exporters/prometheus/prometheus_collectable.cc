#include "exporters/prometheus/prometheus_collectable.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <utility>

namespace vigil::exporters {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::vector<ClientMetric::Label> ToClientLabels(const aggregate::Labels& labels) {
  std::vector<ClientMetric::Label> out;
  out.reserve(labels.size() + 1);
  for (const auto& [name, value] : labels) out.push_back({name, value});
  return out;
}

// A classic histogram with the series' own bounds: cumulative `le` counts.
ClientMetric ExplicitToClient(const aggregate::Labels& labels,
                              const aggregate::ExplicitHistogram& h) {
  ClientMetric m;
  m.label = ToClientLabels(labels);
  m.histogram.sample_count = h.count;
  m.histogram.sample_sum = h.sum;
  m.histogram.bucket.reserve(h.counts.size());
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    const double le = i < h.bounds.size() ? h.bounds[i] : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back({cumulative, le});
  }
  return m;
}

// The window's length as words for the summary's help text.
std::string WindowHelp(std::string_view family, std::chrono::seconds window) {
  return "Quantiles of " + std::string(family) + " over the last " +
         std::to_string(window.count()) + "s (sliding window).";
}

}  // namespace

std::string FormatLabelNumber(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  if (ec != std::errc()) return std::to_string(v);
  return std::string(buf.data(), end);
}

std::string WindowFamilyName(std::string_view family) {
  static constexpr std::array<std::string_view, 9> kUnits = {
      "_seconds", "_milliseconds", "_microseconds", "_nanoseconds", "_bytes",
      "_ratio",   "_minutes",      "_hours",        "_percent"};
  for (std::string_view unit : kUnits) {
    if (EndsWith(family, unit) && family.size() > unit.size()) {
      return std::string(family.substr(0, family.size() - unit.size())) + "_window" +
             std::string(unit);
    }
  }
  return std::string(family) + "_window";
}

PrometheusCollectable::PrometheusCollectable(const aggregate::SeriesStore& store,
                                             PrometheusOptions options, Clock clock)
    : store_(store), options_(std::move(options)), clock_(std::move(clock)) {
  auto& b = options_.bucket_bounds;
  // +Inf is added on render; NaN is no bound at all.
  b.erase(std::remove_if(b.begin(), b.end(), [](double v) { return !std::isfinite(v); }), b.end());
  std::sort(b.begin(), b.end());
  b.erase(std::unique(b.begin(), b.end()), b.end());
  auto& q = options_.quantiles;
  q.erase(std::remove_if(q.begin(), q.end(), [](double v) { return !(v >= 0 && v <= 1); }),
          q.end());
  std::sort(q.begin(), q.end());
  q.erase(std::unique(q.begin(), q.end()), q.end());
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
}

std::vector<MetricFamily> PrometheusCollectable::Collect() const {
  // Keyed by name so the output is sorted and a family's series (spread over the store's
  // shards) land together.
  std::map<std::string, MetricFamily, std::less<>> families;
  auto family_for = [&](std::string_view name, std::string_view help, MetricType type) {
    auto it = families.find(name);
    if (it == families.end()) {
      MetricFamily f;
      f.name = std::string(name);
      // promtool rejects a family without help text.
      f.help = help.empty() ? std::string(name) : std::string(help);
      f.type = type;
      it = families.emplace(f.name, std::move(f)).first;
    }
    return &it->second;
  };

  const auto window = store_.options().window;
  store_.Visit(
      [&](const aggregate::SeriesView& s) {
        if (s.kind == aggregate::MetricKind::kCounter) {
          ClientMetric m;
          m.label = ToClientLabels(s.labels);
          m.counter.value = s.counter;
          family_for(s.family, s.help, MetricType::Counter)->metric.push_back(std::move(m));
          return;
        }
        if (s.kind == aggregate::MetricKind::kGauge) {
          ClientMetric m;
          m.label = ToClientLabels(s.labels);
          m.gauge.value = s.gauge;
          family_for(s.family, s.help, MetricType::Gauge)->metric.push_back(std::move(m));
          return;
        }
        if (s.kind == aggregate::MetricKind::kExplicitHistogram) {
          family_for(s.family, s.help, MetricType::Histogram)
              ->metric.push_back(ExplicitToClient(s.labels, *s.explicit_histogram));
          return;
        }
        const hist::ExpHistogram& h = *s.cumulative;
        ClientMetric m;
        m.label = ToClientLabels(s.labels);
        m.histogram.sample_count = h.count();
        m.histogram.sample_sum = h.sum();
        m.histogram.bucket.reserve(options_.bucket_bounds.size() + 1);
        for (double le : options_.bucket_bounds) {
          m.histogram.bucket.push_back({h.CountAtOrBelow(le), le});
        }
        m.histogram.bucket.push_back({h.count(), std::numeric_limits<double>::infinity()});
        family_for(s.family, s.help, MetricType::Histogram)->metric.push_back(std::move(m));

        // An empty window has no quantiles; leaving the series out beats rendering NaN.
        if (s.window == nullptr || s.window->empty() || options_.quantiles.empty()) return;
        // A SUMMARY, not a GAUGE: promtool refuses a `quantile` label on anything else. Its
        // _sum/_count are the cumulative ones, as in a client library's summary whose
        // quantiles cover a sliding window, so rate() over them stays meaningful.
        ClientMetric w;
        w.label = ToClientLabels(s.labels);
        w.summary.sample_count = h.count();
        w.summary.sample_sum = h.sum();
        w.summary.quantile.reserve(options_.quantiles.size());
        for (double q : options_.quantiles)
          w.summary.quantile.push_back({q, s.window->Quantile(q)});
        family_for(WindowFamilyName(s.family), WindowHelp(s.family, window), MetricType::Summary)
            ->metric.push_back(std::move(w));
      },
      clock_());

  std::vector<MetricFamily> out;
  out.reserve(families.size());
  for (auto& [name, family] : families) {
    std::sort(family.metric.begin(), family.metric.end(),
              [](const ClientMetric& a, const ClientMetric& b) { return a.label < b.label; });
    out.push_back(std::move(family));
  }
  return out;
}

std::string PrometheusCollectable::RenderText() const {
  std::ostringstream os;
  prometheus::TextSerializer().Serialize(os, Collect());
  return os.str();
}

}  // namespace vigil::exporters
