#include "collector/rules/service/series_sampler.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>
#include <variant>

namespace vigil::rules {
namespace {

// Walks every selector of an expression tree.
void CollectNames(const promql::Expr& e, SelectedNames* out) {
  auto selector = [&](const promql::VectorSelector& vs) {
    if (!vs.metric_name.empty()) {
      out->names.insert(vs.metric_name);
      return;
    }
    for (const promql::LabelMatcher& m : vs.matchers) {
      if (m.name == eval::kMetricNameLabel && m.op == promql::MatchOp::kEqual) {
        out->names.insert(m.value);
        return;
      }
    }
    out->all = true;
  };
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, promql::VectorSelector>) {
          selector(n);
        } else if constexpr (std::is_same_v<T, promql::MatrixSelector>) {
          selector(n.selector);
        } else if constexpr (std::is_same_v<T, promql::Call>) {
          for (const auto& a : n.args) CollectNames(*a, out);
        } else if constexpr (std::is_same_v<T, promql::Aggregate>) {
          if (n.param) CollectNames(*n.param, out);
          CollectNames(*n.expr, out);
        } else if constexpr (std::is_same_v<T, promql::Binary>) {
          CollectNames(*n.lhs, out);
          CollectNames(*n.rhs, out);
        } else if constexpr (std::is_same_v<T, promql::Unary> || std::is_same_v<T, promql::Paren>) {
          CollectNames(*n.expr, out);
        }
      },
      e.node);
}

struct Pending {
  eval::Labels labels;
  double v = 0;
  eval::HistogramPtr h;
};

eval::Labels WithName(const aggregate::Labels& labels, std::string name) {
  eval::Labels out;
  out.reserve(labels.size() + 2);
  out.emplace_back(std::string(eval::kMetricNameLabel), std::move(name));
  for (const auto& l : labels) out.push_back(l);
  return out;
}

}  // namespace

SelectedNames CollectSelectedNames(const std::vector<CompiledGroup>& groups) {
  SelectedNames out;
  for (const CompiledGroup& g : groups) {
    for (const CompiledRule& r : g.rules) CollectNames(*r.expr, &out);
  }
  return out;
}

SeriesSampler::SeriesSampler(const aggregate::SeriesStore& store,
                             exporters::PrometheusOptions page_options)
    : store_(store), options_(std::move(page_options)) {
  auto& b = options_.bucket_bounds;
  b.erase(std::remove_if(b.begin(), b.end(), [](double v) { return !std::isfinite(v); }), b.end());
  std::sort(b.begin(), b.end());
  b.erase(std::unique(b.begin(), b.end()), b.end());
}

size_t SeriesSampler::SampleInto(const SelectedNames& names, int64_t t_ms,
                                 eval::SampleStore& out) const {
  if (!names.all && names.names.empty()) return 0;
  // Gathered under the store's shard locks, appended after them: receivers merging into the
  // store never wait on the sample store.
  std::vector<Pending> pending;
  auto add = [&](const aggregate::Labels& labels, std::string name, double v,
                 eval::HistogramPtr h = nullptr) {
    if (!names.Contains(name)) return;
    pending.push_back({WithName(labels, std::move(name)), v, std::move(h)});
  };
  auto add_bucket = [&](const aggregate::Labels& labels, const std::string& name, double le,
                        double count) {
    if (!names.Contains(name)) return;
    aggregate::Labels with_le = labels;
    with_le.emplace_back("le", exporters::FormatLabelNumber(le));
    pending.push_back({WithName(with_le, name), count, nullptr});
  };
  constexpr double kInf = std::numeric_limits<double>::infinity();

  store_.Visit(
      [&](const aggregate::SeriesView& s) {
        const std::string family(s.family);
        switch (s.kind) {
          case aggregate::MetricKind::kCounter:
            add(s.labels, family, s.counter);
            return;
          case aggregate::MetricKind::kGauge:
            add(s.labels, family, s.gauge);
            return;
          case aggregate::MetricKind::kExplicitHistogram: {
            const aggregate::ExplicitHistogram& h = *s.explicit_histogram;
            uint64_t cumulative = 0;
            for (size_t i = 0; i < h.counts.size(); ++i) {
              cumulative += h.counts[i];
              add_bucket(s.labels, family + "_bucket", i < h.bounds.size() ? h.bounds[i] : kInf,
                         static_cast<double>(cumulative));
            }
            add(s.labels, family + "_sum", h.sum);
            add(s.labels, family + "_count", static_cast<double>(h.count));
            return;
          }
          case aggregate::MetricKind::kHistogram: {
            const hist::ExpHistogram& h = *s.cumulative;
            if (names.Contains(family)) {
              add(s.labels, family, 0, std::make_shared<const hist::ExpHistogram>(h));
            }
            const std::string bucket = family + "_bucket";
            if (names.Contains(bucket)) {
              for (double le : options_.bucket_bounds) {
                add_bucket(s.labels, bucket, le, static_cast<double>(h.CountAtOrBelow(le)));
              }
              add_bucket(s.labels, bucket, kInf, static_cast<double>(h.count()));
            }
            add(s.labels, family + "_sum", h.sum());
            add(s.labels, family + "_count", static_cast<double>(h.count()));
            if (s.window == nullptr || s.window->empty()) return;
            const std::string window = exporters::WindowFamilyName(family);
            if (names.Contains(window)) {
              for (double q : options_.quantiles) {
                aggregate::Labels with_q = s.labels;
                with_q.emplace_back("quantile", exporters::FormatLabelNumber(q));
                pending.push_back({WithName(with_q, window), s.window->Quantile(q), nullptr});
              }
            }
            add(s.labels, window + "_sum", h.sum());
            add(s.labels, window + "_count", static_cast<double>(h.count()));
            return;
          }
        }
      },
      std::chrono::system_clock::time_point(std::chrono::milliseconds(t_ms)));

  size_t appended = 0;
  for (Pending& p : pending) {
    Status st = p.h ? out.AppendHistogram(p.labels, t_ms, std::move(p.h))
                    : out.Append(p.labels, t_ms, p.v);
    if (st.ok()) ++appended;
  }
  return appended;
}

}  // namespace vigil::rules
