#include "core/otlp/log_encoder.h"

#include <array>

#include "core/otlp/wire_writer.h"

namespace vigil::otlp {
namespace {

// Field numbers from opentelemetry/proto/{collector/logs,logs,resource,common}/v1.
constexpr uint32_t kRequestResourceLogs = 1;  // ExportLogsServiceRequest.resource_logs
constexpr uint32_t kResourceLogsResource = 1;
constexpr uint32_t kResourceLogsScopeLogs = 2;
constexpr uint32_t kResourceAttributes = 1;
constexpr uint32_t kScopeLogsScope = 1;
constexpr uint32_t kScopeLogsLogRecords = 2;
constexpr uint32_t kScopeName = 1;
constexpr uint32_t kKeyValueKey = 1;
constexpr uint32_t kKeyValueValue = 2;
constexpr uint32_t kAnyValueString = 1;

// LogRecord tags, precomputed: all of them fit in one byte.
constexpr char kTagTime = MakeTag(1, WireType::kFixed64);
constexpr char kTagSeverityNumber = MakeTag(2, WireType::kVarint);
constexpr char kTagSeverityText = MakeTag(3, WireType::kLen);
constexpr char kTagBody = MakeTag(5, WireType::kLen);
constexpr char kTagAttributes = MakeTag(6, WireType::kLen);
constexpr char kTagTraceId = MakeTag(9, WireType::kLen);
constexpr char kTagSpanId = MakeTag(10, WireType::kLen);
constexpr char kTagObservedTime = MakeTag(11, WireType::kFixed64);
constexpr char kTagKey = MakeTag(kKeyValueKey, WireType::kLen);
constexpr char kTagValue = MakeTag(kKeyValueValue, WireType::kLen);
constexpr char kTagString = MakeTag(kAnyValueString, WireType::kLen);
constexpr char kTagBytes = MakeTag(7, WireType::kLen);  // AnyValue.bytes_value
constexpr char kTagLogRecord = MakeTag(kScopeLogsLogRecords, WireType::kLen);

constexpr std::string_view kServiceNameKey = "service.name";
constexpr std::string_view kDefaultService = "unknown_service";

// 0..15 for hex digits, 0xFF otherwise.
constexpr std::array<uint8_t, 256> kHexValue = [] {
  std::array<uint8_t, 256> t{};
  t.fill(0xFF);
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<uint8_t>(i);
  for (int i = 0; i < 6; ++i) {
    t['a' + i] = static_cast<uint8_t>(10 + i);
    t['A' + i] = static_cast<uint8_t>(10 + i);
  }
  return t;
}();

// Decodes exactly N bytes from 2N hex digits; false on a wrong length, a non-hex digit, or an
// all-zero id (OTLP treats an all-zero trace or span id as absent).
template <size_t N>
bool DecodeId(std::string_view hex, std::array<char, N>& out) {
  if (hex.size() != 2 * N) return false;
  uint8_t any = 0;
  for (size_t i = 0; i < N; ++i) {
    uint8_t hi = kHexValue[static_cast<uint8_t>(hex[2 * i])];
    uint8_t lo = kHexValue[static_cast<uint8_t>(hex[2 * i + 1])];
    if ((hi | lo) & 0xF0) return false;
    uint8_t b = static_cast<uint8_t>((hi << 4) | lo);
    any |= b;
    out[i] = static_cast<char>(b);
  }
  return any != 0;
}

// Body of an AnyValue holding `s` as string_value.
constexpr size_t StringAnyValueSize(size_t n) { return LenFieldSize(kAnyValueString, n); }

// Body of a KeyValue with a string value.
constexpr size_t StringKeyValueSize(std::string_view key, std::string_view value) {
  return LenFieldSize(kKeyValueKey, key.size()) +
         LenFieldSize(kKeyValueValue, StringAnyValueSize(value.size()));
}

char* PutLen(char* p, char tag, size_t len) {
  *p++ = tag;
  return PutVarint(p, len);
}

char* PutStringKeyValue(char* p, std::string_view key, std::string_view value) {
  p = PutLen(p, kTagKey, key.size());
  p = PutRaw(p, key);
  p = PutLen(p, kTagValue, StringAnyValueSize(value.size()));
  p = PutLen(p, kTagString, value.size());
  return PutRaw(p, value);
}

}  // namespace

LogBatchEncoder::LogBatchEncoder(std::string scope_name) : scope_name_(std::move(scope_name)) {}

void LogBatchEncoder::BeginResource(std::string_view service_name) {
  if (current_ != nullptr && current_->service == service_name) return;
  auto it = by_service_.find(service_name);
  if (it != by_service_.end()) {
    current_ = it->second;
    return;
  }
  auto g = std::make_unique<Group>();
  g->service = std::string(service_name);
  current_ = g.get();
  by_service_.emplace(g->service, current_);
  groups_.push_back(std::move(g));
}

void LogBatchEncoder::Add(const LogRecordView& r) {
  if (current_ == nullptr) BeginResource(kDefaultService);

  // Pass 1: the exact LogRecord length, so the record is written once with no back-patching.
  std::array<char, 16> trace_id;
  std::array<char, 8> span_id;
  const bool has_trace = DecodeId(r.trace_id_hex, trace_id);
  const bool has_span = DecodeId(r.span_id_hex, span_id);
  const bool has_severity = r.severity_number >= 1 && r.severity_number <= 24;
  const size_t any_len = StringAnyValueSize(r.body.size());

  size_t len = LenFieldSize(5, any_len);
  if (r.time_unix_nano != 0) len += 9;
  if (r.observed_time_unix_nano != 0) len += 9;
  if (has_severity) len += 2;  // tag + a one-byte varint (<= 24)
  if (!r.severity_text.empty()) len += LenFieldSize(3, r.severity_text.size());
  for (const auto& [k, v] : r.attributes) len += LenFieldSize(6, StringKeyValueSize(k, v));
  if (has_trace) len += 2 + 16;
  if (has_span) len += 2 + 8;

  // Pass 2: write fields in field-number order (what libprotobuf emits too).
  std::string& out = current_->records;
  const size_t old = out.size();
  out.resize(old + 1 + VarintSize(len) + len);
  char* p = out.data() + old;
  p = PutLen(p, kTagLogRecord, len);
  if (r.time_unix_nano != 0) {
    *p++ = kTagTime;
    p = PutFixed64(p, static_cast<uint64_t>(r.time_unix_nano));
  }
  if (has_severity) {
    *p++ = kTagSeverityNumber;
    *p++ = static_cast<char>(r.severity_number);
  }
  if (!r.severity_text.empty()) {
    p = PutLen(p, kTagSeverityText, r.severity_text.size());
    p = PutRaw(p, r.severity_text);
  }
  p = PutLen(p, kTagBody, any_len);
  p = PutLen(p, r.body_is_bytes ? kTagBytes : kTagString, r.body.size());
  p = PutRaw(p, r.body);
  for (const auto& [k, v] : r.attributes) {
    p = PutLen(p, kTagAttributes, StringKeyValueSize(k, v));
    p = PutStringKeyValue(p, k, v);
  }
  if (has_trace) {
    p = PutLen(p, kTagTraceId, 16);
    p = PutRaw(p, {trace_id.data(), 16});
  }
  if (has_span) {
    p = PutLen(p, kTagSpanId, 8);
    p = PutRaw(p, {span_id.data(), 8});
  }
  if (r.observed_time_unix_nano != 0) {
    *p++ = kTagObservedTime;
    p = PutFixed64(p, static_cast<uint64_t>(r.observed_time_unix_nano));
  }
  ++current_->count;
  ++records_;
}

LogBatchEncoder::GroupSizes LogBatchEncoder::SizesOf(const Group& g) const {
  GroupSizes s;
  s.resource = LenFieldSize(kResourceAttributes, StringKeyValueSize(kServiceNameKey, g.service));
  const size_t scope = scope_name_.empty() ? 0 : LenFieldSize(kScopeName, scope_name_.size());
  s.scope_logs =
      (scope_name_.empty() ? 0 : LenFieldSize(kScopeLogsScope, scope)) + g.records.size();
  s.resource_logs = LenFieldSize(kResourceLogsResource, s.resource) +
                    LenFieldSize(kResourceLogsScopeLogs, s.scope_logs);
  return s;
}

size_t LogBatchEncoder::bytes() const {
  size_t total = 0;
  for (const auto& g : groups_) {
    if (g->count == 0) continue;
    total += LenFieldSize(kRequestResourceLogs, SizesOf(*g).resource_logs);
  }
  return total;
}

std::string LogBatchEncoder::Finish() {
  std::string out;
  out.reserve(bytes());
  WireWriter w(&out);
  std::vector<std::unique_ptr<Group>> kept;
  kept.reserve(groups_.size());
  for (auto& g : groups_) {
    if (g->count == 0 && g.get() != current_) {
      // Idle for a whole batch: release its buffer so services that went away cost nothing.
      by_service_.erase(g->service);
      continue;
    }
    if (g->count > 0) {
      const GroupSizes s = SizesOf(*g);
      w.LenPrefix(kRequestResourceLogs, s.resource_logs);
      w.LenPrefix(kResourceLogsResource, s.resource);
      w.LenPrefix(kResourceAttributes, StringKeyValueSize(kServiceNameKey, g->service));
      w.String(kKeyValueKey, kServiceNameKey);
      w.LenPrefix(kKeyValueValue, StringAnyValueSize(g->service.size()));
      w.String(kAnyValueString, g->service);
      w.LenPrefix(kResourceLogsScopeLogs, s.scope_logs);
      if (!scope_name_.empty()) {
        w.LenPrefix(kScopeLogsScope, LenFieldSize(kScopeName, scope_name_.size()));
        w.String(kScopeName, scope_name_);
      }
      w.Raw(g->records);
      g->records.clear();  // keeps capacity for the next batch
      g->count = 0;
    }
    kept.push_back(std::move(g));
  }
  groups_ = std::move(kept);
  records_ = 0;
  return out;
}

}  // namespace vigil::otlp
