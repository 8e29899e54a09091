// The collector's self-metrics, read at scrape time from the components' own atomic counters
// (receiver and its cumulative tracker, store, dedup cache, OTLP server). The referenced objects
// must outlive the result.
#pragma once

#include <prometheus/collectable.h>

#include <memory>

#include "collector/aggregate/series_store.h"
#include "collector/dedup/idempotency_cache.h"
#include "collector/receive/otlp_http_receiver.h"
#include "core/net/http_server.h"

namespace vigil::collector {

std::shared_ptr<prometheus::Collectable> MakeCollectorCollectable(
    const receive::OtlpHttpReceiver& receiver, const aggregate::SeriesStore& store,
    const dedup::IdempotencyCache& dedup, const net::HttpServerStats& otlp_server);

}  // namespace vigil::collector
