// LogBatchEncoder: builds an OTLP ExportLogsServiceRequest byte by byte, without libprotobuf
// objects, so the agent's per-line path costs a size computation and one append. Records are
// grouped per service (one ResourceLogs each). Owned by one thread (the pipeline); reused
// across batches, so per-service buffers keep their capacity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vigil::otlp {

// One log line, borrowed: every view must stay valid only for the duration of Add().
struct LogRecordView {
  int64_t time_unix_nano = 0;           // 0 = unknown (field omitted)
  int64_t observed_time_unix_nano = 0;  // 0 = field omitted
  int severity_number = 0;              // OTLP SeverityNumber 1..24; anything else is omitted
  std::string_view severity_text{};
  std::string_view body{};  // the raw line, sent as AnyValue.string_value
  // Send the body as AnyValue.bytes_value instead: for lines that are not valid UTF-8, which a
  // protobuf string field must be (receivers reject the whole request otherwise).
  bool body_is_bytes = false;
  // 32 hex digits (either case) -> 16-byte trace_id; anything else (wrong length, a non-hex
  // digit, all zeros, which OTLP calls invalid) is silently left out.
  std::string_view trace_id_hex{};
  std::string_view span_id_hex{};  // 16 hex digits -> 8-byte span_id, same rules
  // String-valued attributes, written in the given order.
  std::span<const std::pair<std::string_view, std::string_view>> attributes{};
};

class LogBatchEncoder {
 public:
  // `scope_name` becomes InstrumentationScope.name of every ScopeLogs (omitted when empty).
  explicit LogBatchEncoder(std::string scope_name = "vigil");

  // Directs the following Add() calls to the ResourceLogs of `service_name`
  // (resource attribute service.name). Cheap when the service does not change.
  void BeginResource(std::string_view service_name);

  // Appends one record to the current service ("unknown_service" before any BeginResource).
  void Add(const LogRecordView& r);

  // Exact size in bytes of what Finish() would return now.
  size_t bytes() const;
  size_t records() const { return records_; }

  // The serialized ExportLogsServiceRequest holding every record added since the last call,
  // services in first-seen order; empty string when there are none. Resets the batch.
  std::string Finish();

 private:
  struct Group {
    std::string service;
    std::string records;  // concatenated ScopeLogs.log_records fields (tag, length, body)
    size_t count = 0;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  // Sizes of the wrappers around a group's records.
  struct GroupSizes {
    size_t resource;       // Resource body
    size_t scope_logs;     // ScopeLogs body
    size_t resource_logs;  // ResourceLogs body
  };
  GroupSizes SizesOf(const Group& g) const;

  std::string scope_name_;
  std::vector<std::unique_ptr<Group>> groups_;  // first-seen order
  std::unordered_map<std::string, Group*, StringHash, std::equal_to<>> by_service_;
  Group* current_ = nullptr;
  size_t records_ = 0;
};

}  // namespace vigil::otlp
