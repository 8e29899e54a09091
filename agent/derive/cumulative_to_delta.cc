#include "agent/derive/cumulative_to_delta.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace vigil::derive {
namespace {

namespace pb = opentelemetry::proto;
using pb::metrics::v1::AggregationTemporality;
using pb::metrics::v1::Metric;

constexpr uint32_t kNoRecordedValue = pb::metrics::v1::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK;

// Length-prefixed, so that no choice of strings can make two different series share a key.
void AppendField(std::string_view s, std::string* key) {
  const uint32_t n = static_cast<uint32_t>(s.size());
  char len[sizeof n];
  std::memcpy(len, &n, sizeof n);
  key->append(len, sizeof n);
  key->append(s);
}

// Attributes sorted by key: the same set in another order is the same series.
void AppendAttributes(const google::protobuf::RepeatedPtrField<pb::common::v1::KeyValue>& attrs,
                      std::string* key) {
  std::vector<const pb::common::v1::KeyValue*> sorted;
  sorted.reserve(static_cast<size_t>(attrs.size()));
  for (const auto& kv : attrs) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->key() < b->key(); });
  std::string value;
  for (const auto* kv : sorted) {
    AppendField(kv->key(), key);
    value.clear();
    kv->value().SerializeToString(&value);
    AppendField(value, key);
  }
  key->push_back('\x1d');
}

bool IsConverted(const Metric& m) {
  constexpr auto kCumulative = AggregationTemporality::AGGREGATION_TEMPORALITY_CUMULATIVE;
  switch (m.data_case()) {
    case Metric::kSum:
      return m.sum().is_monotonic() && m.sum().aggregation_temporality() == kCumulative;
    case Metric::kHistogram:
      return m.histogram().aggregation_temporality() == kCumulative;
    case Metric::kExponentialHistogram:
      return m.exponential_histogram().aggregation_temporality() == kCumulative;
    default:
      return false;
  }
}

}  // namespace

// Per point type: what the series remembers and how the previous state is subtracted.
struct PointOps {
  template <typename S>
  static void Save(S& s, const pb::metrics::v1::NumberDataPoint& p) {
    s.is_int = p.value_case() == pb::metrics::v1::NumberDataPoint::kAsInt;
    s.int_value = p.as_int();
    s.double_value = p.as_double();
  }
  template <typename S>
  static bool Subtract(const S& s, pb::metrics::v1::NumberDataPoint* p) {
    const bool is_int = p->value_case() == pb::metrics::v1::NumberDataPoint::kAsInt;
    if (is_int != s.is_int) return false;
    if (is_int) {
      if (p->as_int() < s.int_value) return false;
      p->set_as_int(p->as_int() - s.int_value);
    } else {
      if (p->as_double() < s.double_value) return false;
      p->set_as_double(p->as_double() - s.double_value);
    }
    return true;
  }
  template <typename S>
  static void Save(S& s, const pb::metrics::v1::HistogramDataPoint& p) {
    s.histogram = SnapshotOf(p);
  }
  template <typename S>
  static bool Subtract(const S& s, pb::metrics::v1::HistogramDataPoint* p) {
    return SubtractHistogram(s.histogram, p);
  }
  template <typename S>
  static void Save(S& s, const pb::metrics::v1::ExponentialHistogramDataPoint& p) {
    s.exp_histogram = SnapshotOf(p);
  }
  template <typename S>
  static bool Subtract(const S& s, pb::metrics::v1::ExponentialHistogramDataPoint* p) {
    return SubtractExpHistogram(s.exp_histogram, p);
  }
};

CumulativeToDelta::CumulativeToDelta(CumulativeToDeltaOptions options) : options_(options) {}

CumulativeToDelta::Series* CumulativeToDelta::Lookup(const std::string& key, bool* created,
                                                     uint64_t now_unix_nano) {
  *created = false;
  auto it = series_.find(key);
  if (it == series_.end()) {
    if (series_.size() >= options_.max_series) return nullptr;
    it = series_.emplace(key, Series{}).first;
    *created = true;
  }
  it->second.last_seen = now_unix_nano;
  return &it->second;
}

template <typename Point>
void CumulativeToDelta::ConvertPoints(google::protobuf::RepeatedPtrField<Point>* points,
                                      const std::string& prefix, uint64_t now_unix_nano,
                                      ConvertOutcome* out) {
  std::string key;
  int kept = 0;
  for (int i = 0; i < points->size(); ++i) {
    Point& p = *points->Mutable(i);
    bool forward = false;
    if (p.flags() & kNoRecordedValue) {
      ++out->no_value;
    } else {
      key = prefix;
      AppendAttributes(p.attributes(), &key);
      bool created = false;
      Series* s = Lookup(key, &created, now_unix_nano);
      const uint64_t start = p.start_time_unix_nano();
      if (s == nullptr) {
        ++out->series_limit;
      } else if (created) {
        forward = start != 0 && start > options_.agent_start_unix_nano;
        ++(forward ? out->converted : out->baselines);
        s->start_time = start;
        s->time = p.time_unix_nano();
        PointOps::Save(*s, p);
      } else if (p.time_unix_nano() <= s->time) {
        ++out->stale;
      } else {
        Series next = *s;  // the cumulative state, taken before `p` becomes a delta
        PointOps::Save(next, p);
        next.start_time = start;
        next.time = p.time_unix_nano();
        const bool restarted = start != 0 && start != s->start_time;
        if (restarted || !PointOps::Subtract(*s, &p)) {
          // A reset: everything in `p` accrued since it. Without a start time, since the
          // previous point is the best bound known.
          ++out->resets;
          if (start == 0) p.set_start_time_unix_nano(s->time);
        } else {
          p.set_start_time_unix_nano(s->time);
        }
        *s = std::move(next);
        forward = true;
        ++out->converted;
      }
    }
    if (forward) {
      if (kept != i) points->SwapElements(kept, i);
      ++kept;
    }
  }
  while (points->size() > kept) points->RemoveLast();
}

ConvertOutcome CumulativeToDelta::Convert(
    pb::collector::metrics::v1::ExportMetricsServiceRequest* req, uint64_t now_unix_nano) {
  ConvertOutcome out;
  auto* resources = req->mutable_resource_metrics();
  for (int r = 0; r < resources->size();) {
    pb::metrics::v1::ResourceMetrics& rm = *resources->Mutable(r);
    std::string resource_key;
    AppendAttributes(rm.resource().attributes(), &resource_key);
    auto* scopes = rm.mutable_scope_metrics();
    const bool had_scopes = !scopes->empty();
    for (int s = 0; s < scopes->size();) {
      pb::metrics::v1::ScopeMetrics& sm = *scopes->Mutable(s);
      std::string scope_key = resource_key;
      AppendField(sm.scope().name(), &scope_key);
      AppendField(sm.scope().version(), &scope_key);
      AppendAttributes(sm.scope().attributes(), &scope_key);
      auto* metrics = sm.mutable_metrics();
      const bool had_metrics = !metrics->empty();
      for (int m = 0; m < metrics->size();) {
        Metric& metric = *metrics->Mutable(m);
        if (!IsConverted(metric)) {
          ++m;
          continue;
        }
        std::string prefix = scope_key;
        AppendField(metric.name(), &prefix);
        prefix.push_back(static_cast<char>('0' + metric.data_case()));
        constexpr auto kDelta = AggregationTemporality::AGGREGATION_TEMPORALITY_DELTA;
        int left = 0;
        if (metric.has_sum()) {
          ConvertPoints(metric.mutable_sum()->mutable_data_points(), prefix, now_unix_nano, &out);
          metric.mutable_sum()->set_aggregation_temporality(kDelta);
          left = metric.sum().data_points_size();
        } else if (metric.has_histogram()) {
          ConvertPoints(metric.mutable_histogram()->mutable_data_points(), prefix, now_unix_nano,
                        &out);
          metric.mutable_histogram()->set_aggregation_temporality(kDelta);
          left = metric.histogram().data_points_size();
        } else {
          auto* eh = metric.mutable_exponential_histogram();
          ConvertPoints(eh->mutable_data_points(), prefix, now_unix_nano, &out);
          eh->set_aggregation_temporality(kDelta);
          left = eh->data_points_size();
        }
        if (left == 0) {
          metrics->DeleteSubrange(m, 1);
        } else {
          ++m;
        }
      }
      if (had_metrics && metrics->empty()) {
        scopes->DeleteSubrange(s, 1);
      } else {
        ++s;
      }
    }
    if (had_scopes && scopes->empty()) {
      resources->DeleteSubrange(r, 1);
    } else {
      ++r;
    }
  }
  stats_.converted += out.converted;
  stats_.baselines += out.baselines;
  stats_.resets += out.resets;
  stats_.stale += out.stale;
  stats_.series_limit += out.series_limit;
  return out;
}

void CumulativeToDelta::EvictIdle(uint64_t now_unix_nano) {
  const uint64_t idle = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(options_.idle_timeout).count());
  std::erase_if(series_, [&](const auto& entry) {
    const bool old = now_unix_nano > entry.second.last_seen + idle;
    if (old) ++stats_.evicted;
    return old;
  });
}

}  // namespace vigil::derive
