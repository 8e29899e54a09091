#include "collector/rules/eval/sample_store.h"

#include <algorithm>
#include <mutex>
#include <utility>

namespace vigil::eval {

struct SampleStore::SeriesData {
  uint64_t id = 0;  // creation order, like a Prometheus head series reference
  Labels labels;
  std::vector<FloatPoint> floats;
  std::vector<HistogramPoint> histograms;

  bool empty() const { return floats.empty() && histograms.empty(); }
  // Time of the newest sample; only meaningful when !empty().
  int64_t last_t() const {
    int64_t t = INT64_MIN;
    if (!floats.empty()) t = floats.back().t_ms;
    if (!histograms.empty()) t = std::max(t, histograms.back().t_ms);
    return t;
  }
};

namespace {

// Appends with 1.25x growth instead of the library's 2x: a series' sample array is long-lived
// and its size settles at the retention window, so slack is what memory per sample costs.
template <typename T>
void AppendCompact(std::vector<T>& v, T value) {
  if (v.size() == v.capacity()) v.reserve(v.size() + v.size() / 4 + 4);
  v.push_back(std::move(value));
}

// Appends `p` to `same` keeping the series in time order: an older sample is refused, and one at
// the series' last time replaces that sample, of either kind (one sample per series and time).
template <typename Series, typename P, typename Q>
Status AppendInOrder(const Series& s, std::vector<P>& same, std::vector<Q>& other, P p) {
  if (!s.empty()) {
    const int64_t last = s.last_t();
    if (p.t_ms < last) return Status::InvalidArgument("out of order sample");
    if (p.t_ms == last) {
      if (!same.empty() && same.back().t_ms == p.t_ms) {
        same.back() = std::move(p);
        return Status::Ok();
      }
      other.pop_back();
    }
  }
  AppendCompact(same, std::move(p));
  return Status::Ok();
}

void AppendVarint(std::string& out, size_t n) {
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
}

// Length-prefixed, so no label content can make two different label sets collide.
std::string EncodeKey(const Labels& sorted) {
  std::string key;
  for (const auto& [name, value] : sorted) {
    AppendVarint(key, name.size());
    key += name;
    AppendVarint(key, value.size());
    key += value;
  }
  return key;
}

// Sorts, drops empty values (Prometheus treats them as absent) and checks the name.
Result<Labels> Normalize(const Labels& labels) {
  Labels out;
  out.reserve(labels.size());
  for (const auto& l : labels) {
    if (!l.second.empty()) out.push_back(l);
  }
  std::sort(out.begin(), out.end());
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].first == out[i - 1].first) {
      return Status::InvalidArgument("duplicate label name \"" + out[i].first + "\"");
    }
  }
  if (LabelValue(out, kMetricNameLabel).empty()) {
    return Status::InvalidArgument("series has no metric name (\"__name__\" label)");
  }
  out.shrink_to_fit();
  return out;
}

size_t StringHeapBytes(const std::string& s) {
  // libstdc++ keeps up to 15 characters inline.
  return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

template <typename Points>
auto RangeOf(const Points& points, int64_t mint, int64_t maxt) {
  auto lo = std::lower_bound(points.begin(), points.end(), mint,
                             [](const auto& p, int64_t t) { return p.t_ms < t; });
  auto hi =
      std::upper_bound(lo, points.end(), maxt, [](int64_t t, const auto& p) { return t < p.t_ms; });
  return std::make_pair(lo, hi);
}

template <typename Points>
void EraseBefore(Points& points, int64_t t) {
  auto it = std::lower_bound(points.begin(), points.end(), t,
                             [](const auto& p, int64_t x) { return p.t_ms < x; });
  points.erase(points.begin(), it);
  // A retention that shrank (or a burst that passed) should not pin its peak allocation.
  if (points.capacity() > 2 * points.size() + 16) points.shrink_to_fit();
}

}  // namespace

SampleStore::SampleStore() = default;
SampleStore::~SampleStore() = default;

Status SampleStore::Append(const Labels& labels, int64_t t_ms, double v) {
  Result<Labels> norm = Normalize(labels);
  if (!norm.ok()) return norm.status();
  std::string key = EncodeKey(norm.value());
  std::unique_lock lock(mu_);
  SeriesData& s = SeriesLocked(std::move(key), std::move(norm).value());
  return AppendInOrder(s, s.floats, s.histograms, FloatPoint{t_ms, v});
}

Status SampleStore::AppendHistogram(const Labels& labels, int64_t t_ms, HistogramPtr h) {
  if (h == nullptr) return Status::InvalidArgument("histogram sample is null");
  Result<Labels> norm = Normalize(labels);
  if (!norm.ok()) return norm.status();
  std::string key = EncodeKey(norm.value());
  std::unique_lock lock(mu_);
  SeriesData& s = SeriesLocked(std::move(key), std::move(norm).value());
  return AppendInOrder(s, s.histograms, s.floats, HistogramPoint{t_ms, std::move(h)});
}

SampleStore::SeriesData& SampleStore::SeriesLocked(std::string key, Labels labels) {
  auto it = series_.find(key);
  if (it != series_.end()) return *it->second;
  auto data = std::make_unique<SeriesData>();
  data->labels = std::move(labels);
  data->id = next_id_++;
  SeriesData& s = *data;
  by_name_[std::string(LabelValue(s.labels, kMetricNameLabel))].push_back(&s);
  series_.emplace(std::move(key), std::move(data));
  return s;
}

void SampleStore::DropBefore(int64_t t_ms) {
  std::unique_lock lock(mu_);
  bool any_emptied = false;
  for (auto& [key, s] : series_) {
    EraseBefore(s->floats, t_ms);
    EraseBefore(s->histograms, t_ms);
    any_emptied |= s->empty();
  }
  if (!any_emptied) return;
  // Unlink from the name index before the series objects go away.
  for (auto it = by_name_.begin(); it != by_name_.end();) {
    std::erase_if(it->second, [](const SeriesData* s) { return s->empty(); });
    it = it->second.empty() ? by_name_.erase(it) : std::next(it);
  }
  std::erase_if(series_, [](const auto& kv) { return kv.second->empty(); });
}

void SampleStore::Select(const std::vector<promql::LabelMatcher>& matchers, int64_t mint_ms,
                         int64_t maxt_ms, Matrix* out) const {
  if (mint_ms > maxt_ms) return;
  std::vector<const SeriesData*> hits;
  auto consider = [&](const SeriesData* s) {
    for (const promql::LabelMatcher& m : matchers) {
      if (!m.Matches(LabelValue(s->labels, m.name))) return;
    }
    hits.push_back(s);
  };

  std::shared_lock lock(mu_);
  const promql::LabelMatcher* name_eq = nullptr;
  for (const promql::LabelMatcher& m : matchers) {
    if (m.name == kMetricNameLabel && m.op == promql::MatchOp::kEqual) name_eq = &m;
  }
  if (name_eq != nullptr) {
    auto it = by_name_.find(name_eq->value);
    if (it != by_name_.end()) {
      for (const SeriesData* s : it->second) consider(s);
    }
  } else {
    for (const auto& [key, s] : series_) consider(s.get());
  }
  // Prometheus's head hands series to instant queries in creation (series reference) order;
  // results that depend on input order (topk ties, which duplicate an error names) follow it.
  std::sort(hits.begin(), hits.end(),
            [](const SeriesData* a, const SeriesData* b) { return a->id < b->id; });
  for (const SeriesData* s : hits) {
    auto [flo, fhi] = RangeOf(s->floats, mint_ms, maxt_ms);
    auto [hlo, hhi] = RangeOf(s->histograms, mint_ms, maxt_ms);
    if (flo == fhi && hlo == hhi) continue;
    Series& series = out->emplace_back();
    series.labels = s->labels;
    series.floats.assign(flo, fhi);
    series.histograms.assign(hlo, hhi);
  }
}

void SampleStore::VisitLatest(int64_t since_ms,
                              const std::function<void(const Labels&, const Sample&)>& fn) const {
  std::shared_lock lock(mu_);
  for (const auto& [key, s] : series_) {
    if (s->empty() || s->last_t() < since_ms) continue;
    Sample sample;
    bool histogram_newest =
        !s->histograms.empty() &&
        (s->floats.empty() || s->histograms.back().t_ms > s->floats.back().t_ms);
    if (histogram_newest) {
      sample.t_ms = s->histograms.back().t_ms;
      sample.h = s->histograms.back().h;
    } else {
      sample.t_ms = s->floats.back().t_ms;
      sample.v = s->floats.back().v;
    }
    fn(s->labels, sample);
  }
}

SampleStoreStats SampleStore::stats() const {
  std::shared_lock lock(mu_);
  SampleStoreStats st;
  st.series = series_.size();
  // Hash table: one bucket pointer per bucket, and per node the key/value pair, the next
  // pointer and the cached hash.
  st.bytes += series_.bucket_count() * sizeof(void*);
  for (const auto& [key, s] : series_) {
    st.float_samples += s->floats.size();
    st.histogram_samples += s->histograms.size();
    st.bytes += sizeof(std::pair<const std::string, std::unique_ptr<SeriesData>>) +
                2 * sizeof(void*) + StringHeapBytes(key);
    st.bytes += sizeof(SeriesData) + s->labels.capacity() * sizeof(Labels::value_type);
    for (const auto& [name, value] : s->labels) {
      st.bytes += StringHeapBytes(name) + StringHeapBytes(value);
    }
    st.bytes += s->floats.capacity() * sizeof(FloatPoint);
    st.bytes += s->histograms.capacity() * sizeof(HistogramPoint);
    for (const HistogramPoint& p : s->histograms) {
      // make_shared's control block shares the allocation; ~16 bytes of counts.
      if (p.h) st.bytes += p.h->MemoryBytes() + 16;
    }
  }
  st.bytes += by_name_.bucket_count() * sizeof(void*);
  for (const auto& [name, list] : by_name_) {
    st.bytes += sizeof(std::pair<const std::string, std::vector<SeriesData*>>) + 2 * sizeof(void*) +
                StringHeapBytes(name) + list.capacity() * sizeof(void*);
  }
  return st;
}

}  // namespace vigil::eval
