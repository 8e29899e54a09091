#include "collector/aggregate/series_store.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

namespace vigil::aggregate {

struct SeriesStore::Family {
  std::string name;
  std::string help;
  std::string otlp_name;
  std::string unit;
  MetricKind kind;
  // Series of this family across all shards; checked against max_series_per_metric.
  std::atomic<size_t> series{0};
};

struct SeriesStore::Series {
  Family* family = nullptr;
  Labels labels;
  // kHistogram
  hist::ExpHistogram cumulative;
  std::vector<hist::ExpHistogram> slots;  // ring, indexed by epoch % slot_count
  std::vector<int64_t> slot_epochs;       // the epoch each ring entry holds
  // kCounter, kGauge
  double counter = 0;
  double gauge = 0;
  // kExplicitHistogram
  ExplicitHistogram explicit_hist;
  std::chrono::system_clock::time_point start = std::chrono::system_clock::now();
};

struct SeriesStore::Shard {
  mutable std::mutex mu;
  std::unordered_map<std::string, std::unique_ptr<Series>> series;
};

namespace {

constexpr int64_t kNoEpoch = std::numeric_limits<int64_t>::min();

// Returns labels sorted by name; most callers already pass them sorted, so avoid the copy then.
const Labels& SortedLabels(const Labels& in, Labels& scratch) {
  auto by_name = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (std::is_sorted(in.begin(), in.end(), by_name)) return in;
  scratch = in;
  std::stable_sort(scratch.begin(), scratch.end(), by_name);
  return scratch;
}

void AppendSized(std::string& out, std::string_view s) {
  // Length-prefixed so that no choice of names and values can make two label sets collide.
  uint32_t n = static_cast<uint32_t>(s.size());
  out.append(reinterpret_cast<const char*>(&n), sizeof(n));
  out.append(s);
}

std::string SeriesKey(std::string_view family, const Labels& labels) {
  std::string key;
  size_t size = family.size() + 4;
  for (const auto& [k, v] : labels) size += k.size() + v.size() + 8;
  key.reserve(size);
  AppendSized(key, family);
  for (const auto& [k, v] : labels) {
    AppendSized(key, k);
    AppendSized(key, v);
  }
  return key;
}

}  // namespace

SeriesStore::SeriesStore(StoreOptions options) : options_(std::move(options)) {
  if (options_.slot.count() <= 0) options_.slot = std::chrono::seconds(1);
  if (options_.window < options_.slot) options_.window = options_.slot;
  // Round up so the ring always covers at least the whole window.
  slot_count_ = static_cast<size_t>((options_.window.count() + options_.slot.count() - 1) /
                                    options_.slot.count());
  for (auto& shard : shards_) shard = std::make_unique<Shard>();
}

SeriesStore::~SeriesStore() = default;

int64_t SeriesStore::SlotEpoch(std::chrono::system_clock::time_point t) const {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  int64_t slot = options_.slot.count();
  // Floor division so times before 1970 (tests) still map to consecutive epochs.
  int64_t q = secs / slot;
  if (secs % slot != 0 && secs < 0) --q;
  return q;
}

Result<SeriesStore::Family*> SeriesStore::GetFamily(const MetricInfo& metric, MetricKind kind) {
  auto clash = [&] {
    return Status::InvalidArgument("metric family '" + std::string(metric.name) +
                                   "' already holds another metric type");
  };
  {
    std::shared_lock lock(families_mu_);
    auto it = families_.find(std::string(metric.name));
    if (it != families_.end()) {
      if (it->second->kind != kind) return clash();
      return it->second.get();
    }
  }
  std::unique_lock lock(families_mu_);
  auto [it, inserted] = families_.try_emplace(std::string(metric.name));
  if (inserted) {
    it->second = std::make_unique<Family>();
    it->second->name = std::string(metric.name);
    it->second->help = std::string(metric.help);
    it->second->otlp_name = std::string(metric.otlp_name);
    it->second->unit = std::string(metric.unit);
    it->second->kind = kind;
  } else if (it->second->kind != kind) {
    return clash();
  }
  return it->second.get();
}

template <typename Update>
Status SeriesStore::Write(const MetricInfo& metric, MetricKind kind, const Labels& labels,
                          Update&& update) {
  auto family = GetFamily(metric, kind);
  if (!family.ok()) return family.status();
  Labels scratch;
  const Labels& sorted = SortedLabels(labels, scratch);
  std::string key = SeriesKey(metric.name, sorted);
  Shard& shard = *shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard lock(shard.mu);
  auto series = GetSeries(shard, *family, key, sorted);
  if (!series.ok()) return series.status();
  return update(**series);
}

Result<SeriesStore::Series*> SeriesStore::GetSeries(Shard& shard, Family* family,
                                                    const std::string& key,
                                                    const Labels& sorted_labels) {
  auto it = shard.series.find(key);
  if (it != shard.series.end()) return it->second.get();

  // Claim a place under the family's bound before creating anything.
  size_t current = family->series.load(std::memory_order_relaxed);
  do {
    if (current >= options_.max_series_per_metric) {
      stats_.series_dropped_cardinality.fetch_add(1, std::memory_order_relaxed);
      return Status::ResourceExhausted("metric '" + family->name + "' is at its limit of " +
                                       std::to_string(options_.max_series_per_metric) +
                                       " series; new series are dropped");
    }
  } while (!family->series.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));

  auto series = std::make_unique<Series>();
  series->family = family;
  series->labels = sorted_labels;
  if (family->kind == MetricKind::kHistogram) {
    series->cumulative = hist::ExpHistogram(options_.histogram);
    series->slots.assign(slot_count_, hist::ExpHistogram(options_.histogram));
    series->slot_epochs.assign(slot_count_, kNoEpoch);
  }
  Series* raw = series.get();
  shard.series.emplace(key, std::move(series));
  total_series_.fetch_add(1, std::memory_order_relaxed);
  stats_.series_created.fetch_add(1, std::memory_order_relaxed);
  return raw;
}

Status SeriesStore::MergeHistogram(const MetricInfo& metric, const Labels& labels,
                                   const hist::ExpHistogram& delta,
                                   std::chrono::system_clock::time_point now) {
  const int64_t epoch = SlotEpoch(now);
  return Write(metric, MetricKind::kHistogram, labels, [&](Series& s) {
    s.cumulative.Merge(delta);
    const size_t pos = static_cast<size_t>(
        ((epoch % static_cast<int64_t>(slot_count_)) + static_cast<int64_t>(slot_count_)) %
        static_cast<int64_t>(slot_count_));
    if (s.slot_epochs[pos] < epoch) {
      // The ring entry holds an expired slot (or none): start it afresh for this epoch.
      s.slots[pos].Clear();
      s.slot_epochs[pos] = epoch;
    }
    // A delta stamped older than what the ring entry now holds (the clock stepped back) only
    // counts in the cumulative state; the window never shows data from a wrong slot.
    if (s.slot_epochs[pos] == epoch) s.slots[pos].Merge(delta);
    stats_.histogram_merges.fetch_add(1, std::memory_order_relaxed);
    return Status::Ok();
  });
}

Status SeriesStore::AddCounter(const MetricInfo& metric, const Labels& labels, double delta) {
  if (!(delta >= 0) || std::isinf(delta)) {
    return Status::InvalidArgument("counter '" + std::string(metric.name) +
                                   "' delta must be a finite non-negative number, got " +
                                   std::to_string(delta));
  }
  return Write(metric, MetricKind::kCounter, labels, [&](Series& s) {
    s.counter += delta;
    stats_.counter_adds.fetch_add(1, std::memory_order_relaxed);
    return Status::Ok();
  });
}

Status SeriesStore::SetGauge(const MetricInfo& metric, const Labels& labels, double value) {
  if (std::isnan(value)) {
    return Status::InvalidArgument("gauge '" + std::string(metric.name) + "' value is NaN");
  }
  return Write(metric, MetricKind::kGauge, labels, [&](Series& s) {
    s.gauge = value;
    stats_.gauge_writes.fetch_add(1, std::memory_order_relaxed);
    return Status::Ok();
  });
}

Status SeriesStore::AddGauge(const MetricInfo& metric, const Labels& labels, double delta) {
  if (!std::isfinite(delta)) {
    return Status::InvalidArgument("gauge '" + std::string(metric.name) +
                                   "' delta must be finite, got " + std::to_string(delta));
  }
  return Write(metric, MetricKind::kGauge, labels, [&](Series& s) {
    s.gauge += delta;
    stats_.gauge_writes.fetch_add(1, std::memory_order_relaxed);
    return Status::Ok();
  });
}

Status SeriesStore::MergeExplicitHistogram(const MetricInfo& metric, const Labels& labels,
                                           const ExplicitHistogram& delta) {
  return Write(metric, MetricKind::kExplicitHistogram, labels, [&](Series& s) {
    // A new series is created empty: it takes the bounds of the first point merged into it.
    if (s.explicit_hist.counts.empty()) {
      s.explicit_hist.bounds = delta.bounds;
      s.explicit_hist.counts.assign(delta.counts.size(), 0);
    }
    VIGIL_RETURN_IF_ERROR(s.explicit_hist.Merge(delta));
    stats_.explicit_histogram_merges.fetch_add(1, std::memory_order_relaxed);
    return Status::Ok();
  });
}

void SeriesStore::Visit(const Visitor& visitor, std::chrono::system_clock::time_point now) const {
  const int64_t newest = SlotEpoch(now);
  const int64_t oldest = newest - static_cast<int64_t>(slot_count_) + 1;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    for (const auto& [key, series] : shard->series) {
      const Family& f = *series->family;
      SeriesView view{.family = f.name,
                      .help = f.help,
                      .kind = f.kind,
                      .labels = series->labels,
                      .otlp_name = f.otlp_name,
                      .unit = f.unit,
                      .key = key,
                      .start = series->start};
      hist::ExpHistogram window(options_.histogram);
      switch (f.kind) {
        case MetricKind::kHistogram:
          for (size_t i = 0; i < series->slots.size(); ++i) {
            int64_t e = series->slot_epochs[i];
            if (e >= oldest && e <= newest) window.Merge(series->slots[i]);
          }
          view.cumulative = &series->cumulative;
          view.window = &window;
          break;
        case MetricKind::kExplicitHistogram:
          view.explicit_histogram = &series->explicit_hist;
          break;
        case MetricKind::kCounter:
          view.counter = series->counter;
          break;
        case MetricKind::kGauge:
          view.gauge = series->gauge;
          break;
      }
      visitor(view);
    }
  }
}

}  // namespace vigil::aggregate
