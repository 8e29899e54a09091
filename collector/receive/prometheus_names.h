// Translation of OTLP metric names, units and attributes into Prometheus family and label names,
// following the OpenTelemetry-to-Prometheus compatibility rules vigil documents in
// docs/ARCHITECTURE.md. Pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "opentelemetry/proto/common/v1/common.pb.h"

namespace vigil::receive {

// Replaces every character outside [a-zA-Z0-9_:] with '_', collapses runs of '_' and prefixes
// '_' when the result would start with a digit. "http.server.request.duration" ->
// "http_server_request_duration".
std::string SanitizeMetricName(std::string_view name);

// Same for label names, which may not contain ':' either. Collapsing '_' runs keeps names clear
// of the "__" prefix Prometheus reserves ("__x" -> "_x"); a leading digit gets "key_" before it.
std::string SanitizeLabelName(std::string_view name);

// The Prometheus suffix for an OTLP (UCUM) unit, without the leading '_': "s" -> "seconds",
// "ms" -> "milliseconds", "By" -> "bytes", "1" -> "ratio", "{request}" -> "" (annotations only
// say what is counted), "m/s" -> "meters_per_second". Unknown units are sanitized as they are.
std::string UnitSuffix(std::string_view unit);

// The family name: sanitized name + "_" + unit suffix (unless already there) + "_total" for
// monotonic sums (unless already there). Histogram families come without `_bucket` etc.
std::string PrometheusFamilyName(std::string_view otlp_name, std::string_view unit,
                                 bool monotonic_counter);

// An attribute value as a label value: strings as they are, ints in decimal, doubles in the
// shortest round-trip form, bools as "true"/"false", bytes as lowercase hex, arrays and
// key-value lists as compact JSON-like text.
std::string AttributeValueText(const opentelemetry::proto::common::v1::AnyValue& value);

}  // namespace vigil::receive
