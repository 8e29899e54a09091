// Aggregation operators (sum, avg, min, max, count, topk, bottomk, quantile) with by/without
// grouping, following Prometheus 2.42's arithmetic so results match promtool to the bit.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <unordered_map>
#include <utility>

#include "collector/rules/eval/eval_internal.h"

namespace vigil::eval::internal {
namespace {

using promql::AggregateOp;

// topk/bottomk keep a bounded heap exactly as Go's container/heap would, so that which of
// several equal values survives matches Prometheus. `less` is "evicted first".
class SelectionHeap {
 public:
  explicit SelectionHeap(bool bottom) : bottom_(bottom) {}

  // Go's vectorByValueHeap / vectorByReverseValueHeap ordering: NaN sorts first (evicted
  // first) in both.
  bool Less(double a, double b) const {
    if (std::isnan(a)) return true;
    return bottom_ ? a > b : a < b;
  }

  void Offer(Sample s, int64_t k) {
    if (static_cast<int64_t>(items_.size()) < k) {
      items_.push_back(std::move(s));
      Up(items_.size() - 1);
      return;
    }
    const double top = items_[0].v;
    bool better = bottom_ ? top > s.v : top < s.v;
    if (better || (std::isnan(top) && !std::isnan(s.v))) {
      items_[0] = std::move(s);
      if (k > 1) Fix0();
    }
  }

  // Best first, as Prometheus returns them.
  Vector Take() {
    std::stable_sort(items_.begin(), items_.end(),
                     [this](const Sample& a, const Sample& b) { return Less(b.v, a.v); });
    return std::move(items_);
  }

 private:
  bool LessAt(size_t i, size_t j) const { return Less(items_[i].v, items_[j].v); }
  void Up(size_t j) {
    while (j > 0) {
      size_t i = (j - 1) / 2;
      if (!LessAt(j, i)) break;
      std::swap(items_[i], items_[j]);
      j = i;
    }
  }
  bool Down(size_t i0) {
    size_t i = i0;
    const size_t n = items_.size();
    while (true) {
      size_t j = 2 * i + 1;
      if (j >= n) break;
      if (j + 1 < n && LessAt(j + 1, j)) ++j;
      if (!LessAt(j, i)) break;
      std::swap(items_[i], items_[j]);
      i = j;
    }
    return i > i0;
  }
  void Fix0() {
    if (!Down(0)) Up(0);
  }

  bool bottom_;
  Vector items_;
};

struct Group {
  Labels labels;
  bool has_float = false;
  double value = 0;                               // sum, min, max
  double mean = 0;                                // avg
  size_t count = 0;                               // samples seen (count, avg's divisor)
  std::shared_ptr<hist::ExpHistogram> histogram;  // sum of native histogram samples
  std::vector<double> values;                     // quantile
  std::unique_ptr<SelectionHeap> heap;            // topk, bottomk
};

Labels GroupLabels(const Labels& l, const promql::Aggregate& agg) {
  Labels out;
  for (const auto& kv : l) {
    bool listed =
        std::find(agg.grouping.begin(), agg.grouping.end(), kv.first) != agg.grouping.end();
    if (agg.without ? (!listed && kv.first != kMetricNameLabel) : listed) out.push_back(kv);
  }
  return out;
}

void AddFloat(Group& g, AggregateOp op, double v) {
  ++g.count;
  if (!g.has_float) {
    g.has_float = true;
    g.value = v;
    g.mean = v;
    if (op == AggregateOp::kQuantile) g.values.push_back(v);
    return;
  }
  switch (op) {
    case AggregateOp::kSum:
      g.value += v;
      break;
    case AggregateOp::kAvg:
      // Incremental mean as in 2.42, with its guards for infinities.
      if (std::isinf(g.mean)) {
        if (std::isinf(v) && (g.mean > 0) == (v > 0)) break;
        if (!std::isinf(v) && !std::isnan(v)) break;
      }
      g.mean += v / static_cast<double>(g.count) - g.mean / static_cast<double>(g.count);
      break;
    case AggregateOp::kMax:
      if (g.value < v || std::isnan(g.value)) g.value = v;
      break;
    case AggregateOp::kMin:
      if (g.value > v || std::isnan(g.value)) g.value = v;
      break;
    case AggregateOp::kQuantile:
      g.values.push_back(v);
      break;
    default:
      break;
  }
}

// Prometheus's quantile(): linear interpolation between the closest ranks.
double Quantile(double q, std::vector<double>& values) {
  if (values.empty() || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  std::sort(values.begin(), values.end(), [](double a, double b) {
    if (std::isnan(a)) return !std::isnan(b);
    return a < b;
  });
  const double n = static_cast<double>(values.size());
  const double rank = q * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  return values[static_cast<size_t>(lower)] * (1 - weight) +
         values[static_cast<size_t>(upper)] * weight;
}

}  // namespace

Result<Vector> ApplyAggregate(const promql::Aggregate& agg, std::optional<double> param, Vector in,
                              int64_t t_ms) {
  const AggregateOp op = agg.op;
  const bool selects = op == AggregateOp::kTopk || op == AggregateOp::kBottomk;
  int64_t k = 0;
  if (selects) {
    double f = param.value_or(0);
    // 2^63 itself does not fit; the comparison with the double 2^63 excludes it.
    if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) {
      return Status::InvalidArgument("Scalar value " + FormatGoFloat(f) + " overflows int64");
    }
    k = static_cast<int64_t>(f);
    if (k < 1) return Vector{};
  }

  std::unordered_map<std::string, size_t> index;
  std::vector<Group> groups;  // in order of first appearance, as Prometheus emits them
  for (Sample& s : in) {
    Labels gl = GroupLabels(s.labels, agg);
    auto [it, added] = index.try_emplace(EncodeLabels(gl), groups.size());
    if (added) {
      Group& g = groups.emplace_back();
      g.labels = std::move(gl);
      if (selects) g.heap = std::make_unique<SelectionHeap>(op == AggregateOp::kBottomk);
    }
    Group& g = groups[it->second];
    if (s.h) {
      // Native histograms take part in count and sum only (merged bucket by bucket).
      if (op == AggregateOp::kCount) {
        ++g.count;
      } else if (op == AggregateOp::kSum || op == AggregateOp::kAvg) {
        ++g.count;
        if (!g.histogram) {
          g.histogram = std::make_shared<hist::ExpHistogram>(*s.h);
        } else {
          g.histogram->Merge(*s.h);
        }
      }
      continue;
    }
    if (selects) {
      g.heap->Offer(std::move(s), k);
      continue;
    }
    AddFloat(g, op, s.v);
  }

  Vector out;
  for (Group& g : groups) {
    if (selects) {
      for (Sample& s : g.heap->Take()) {
        s.t_ms = t_ms;
        out.push_back(std::move(s));
      }
      continue;
    }
    Sample s;
    s.t_ms = t_ms;
    s.labels = std::move(g.labels);
    switch (op) {
      case AggregateOp::kCount:
        s.v = static_cast<double>(g.count);
        break;
      case AggregateOp::kSum:
        // As in 2.42, a group holding any histogram yields the histogram sum.
        if (g.histogram) {
          s.h = std::move(g.histogram);
        } else {
          s.v = g.value;
        }
        break;
      case AggregateOp::kAvg:
        // An integer-count histogram cannot hold a mean, so such groups have no result.
        if (g.histogram) continue;
        s.v = g.mean;
        break;
      case AggregateOp::kMin:
      case AggregateOp::kMax:
        if (!g.has_float) continue;
        s.v = g.value;
        break;
      case AggregateOp::kQuantile:
        if (!g.has_float) continue;
        s.v = Quantile(param.value_or(0), g.values);
        break;
      default:
        continue;
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace vigil::eval::internal
