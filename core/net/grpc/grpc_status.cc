#include "core/net/grpc/grpc_status.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "core/otlp/wire_writer.h"
#include "core/text/ascii.h"

namespace vigil::net {
namespace {

using google::protobuf::internal::WireFormatLite;

constexpr std::string_view kRetryInfoType = "type.googleapis.com/google.rpc.RetryInfo";
constexpr size_t kMaxMessage = 1024;
constexpr int64_t kMaxDelayMs = 24LL * 3600 * 1000;

std::string Printable(std::string_view s) {
  std::string out;
  out.reserve(std::min(s.size(), kMaxMessage));
  for (char c : s.substr(0, kMaxMessage)) out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  if (s.size() > kMaxMessage) out += "...";
  return out;
}

// Reads one length-delimited field's bytes as a view into `bytes`.
bool ReadBytes(google::protobuf::io::CodedInputStream& in, std::string* out) {
  uint32_t len = 0;
  if (!in.ReadVarint32(&len)) return false;
  return in.ReadString(out, static_cast<int>(len));
}

// google.protobuf.Duration{1 int64 seconds, 2 int32 nanos} in milliseconds.
bool DecodeDuration(std::string_view bytes, int64_t* ms) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  int64_t seconds = 0, nanos = 0;
  while (uint32_t tag = in.ReadTag()) {
    const uint32_t field = WireFormatLite::GetTagFieldNumber(tag);
    const auto type = WireFormatLite::GetTagWireType(tag);
    uint64_t v = 0;
    if ((field == 1 || field == 2) && type == WireFormatLite::WIRETYPE_VARINT) {
      if (!in.ReadVarint64(&v)) return false;
      (field == 1 ? seconds : nanos) = static_cast<int64_t>(v);
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return false;
    }
  }
  if (!in.ConsumedEntireMessage()) return false;
  seconds = std::clamp<int64_t>(seconds, 0, kMaxDelayMs / 1000);
  *ms = std::min(kMaxDelayMs, seconds * 1000 + std::max<int64_t>(nanos, 0) / 1'000'000);
  return true;
}

// google.protobuf.Any{1 type_url, 2 value}: the delay when it holds a RetryInfo{1 Duration}.
bool DecodeAny(std::string_view bytes, std::optional<std::chrono::milliseconds>* delay) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  std::string type_url, value;
  while (uint32_t tag = in.ReadTag()) {
    const uint32_t field = WireFormatLite::GetTagFieldNumber(tag);
    const bool len =
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    if (len && field == 1) {
      if (!ReadBytes(in, &type_url)) return false;
    } else if (len && field == 2) {
      if (!ReadBytes(in, &value)) return false;
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return false;
    }
  }
  if (!in.ConsumedEntireMessage()) return false;
  if (type_url != kRetryInfoType) return true;
  google::protobuf::io::CodedInputStream info(reinterpret_cast<const uint8_t*>(value.data()),
                                              static_cast<int>(value.size()));
  int64_t ms = 0;
  while (uint32_t tag = info.ReadTag()) {
    if (WireFormatLite::GetTagFieldNumber(tag) == 1 &&
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      std::string duration;
      if (!ReadBytes(info, &duration) || !DecodeDuration(duration, &ms)) return false;
    } else if (!WireFormatLite::SkipField(&info, tag)) {
      return false;
    }
  }
  if (!info.ConsumedEntireMessage()) return false;
  *delay = std::chrono::milliseconds(ms);
  return true;
}

}  // namespace

std::string GrpcCodeName(GrpcCode code) {
  static constexpr std::string_view kNames[] = {"OK",
                                                "CANCELLED",
                                                "UNKNOWN",
                                                "INVALID_ARGUMENT",
                                                "DEADLINE_EXCEEDED",
                                                "NOT_FOUND",
                                                "ALREADY_EXISTS",
                                                "PERMISSION_DENIED",
                                                "RESOURCE_EXHAUSTED",
                                                "FAILED_PRECONDITION",
                                                "ABORTED",
                                                "OUT_OF_RANGE",
                                                "UNIMPLEMENTED",
                                                "INTERNAL",
                                                "UNAVAILABLE",
                                                "DATA_LOSS",
                                                "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  if (i >= 0 && i < static_cast<int>(std::size(kNames))) return std::string(kNames[i]);
  return "CODE_" + std::to_string(i);
}

GrpcCode GrpcCodeForHttpStatus(int http_status) {
  if (http_status >= 200 && http_status < 300) return GrpcCode::OK;
  switch (http_status) {
    case 400:
    case 415:
      return GrpcCode::INVALID_ARGUMENT;
    case 401:
      return GrpcCode::UNAUTHENTICATED;
    case 403:
      return GrpcCode::PERMISSION_DENIED;
    case 404:
    case 405:
    case 501:
      return GrpcCode::UNIMPLEMENTED;
    case 413:
      return GrpcCode::RESOURCE_EXHAUSTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcCode::UNAVAILABLE;
    case 500:
      return GrpcCode::INTERNAL;
    default:
      return GrpcCode::UNKNOWN;
  }
}

bool IsRetryableGrpcCode(GrpcCode code, bool has_retry_info) {
  switch (code) {
    case GrpcCode::CANCELLED:
    case GrpcCode::DEADLINE_EXCEEDED:
    case GrpcCode::ABORTED:
    case GrpcCode::OUT_OF_RANGE:
    case GrpcCode::UNAVAILABLE:
    case GrpcCode::DATA_LOSS:
      return true;
    case GrpcCode::RESOURCE_EXHAUSTED:
      return has_retry_info;
    default:
      return false;
  }
}

std::string ErrorMessageOfBody(const HttpResponse& response) {
  std::string text;
  std::string_view type = response.content_type;
  type = type.substr(0, type.find(';'));
  if (text::EqualsIgnoreAsciiCase(text::TrimAsciiSpace(type), "application/x-protobuf")) {
    auto st = DecodeRpcStatus(response.body);
    if (st.ok()) text = Printable(st->message);
  } else {
    text = Printable(response.body);
  }
  return text.empty() ? "HTTP " + std::to_string(response.status) : text;
}

GrpcReply GrpcReplyFromHttp(const HttpResponse& response) {
  GrpcReply reply;
  reply.code = GrpcCodeForHttpStatus(response.status);
  if (reply.code == GrpcCode::OK) {
    reply.response = response.body;
    return reply;
  }
  reply.message = ErrorMessageOfBody(response);
  if (reply.code == GrpcCode::UNAVAILABLE) {
    std::string_view after = text::TrimAsciiSpace(response.Header("Retry-After"));
    int64_t seconds = -1;
    auto [end, ec] = std::from_chars(after.data(), after.data() + after.size(), seconds);
    if (!after.empty() && ec == std::errc() && end == after.data() + after.size() && seconds >= 0) {
      reply.details =
          EncodeRpcStatus(static_cast<int>(reply.code), reply.message,
                          std::chrono::milliseconds(std::min(seconds * 1000, kMaxDelayMs)));
    }
  }
  return reply;
}

std::string EncodeRpcStatus(int code, std::string_view message,
                            std::optional<std::chrono::milliseconds> retry_delay) {
  std::string out;
  otlp::WireWriter w(&out);
  w.Int32(1, code);
  w.String(2, message);
  if (retry_delay) {
    std::string duration, info, any;
    otlp::WireWriter d(&duration);
    d.Int64(1, retry_delay->count() / 1000);
    d.Int32(2, static_cast<int32_t>((retry_delay->count() % 1000) * 1'000'000));
    otlp::WireWriter(&info).Bytes(1, duration);
    otlp::WireWriter a(&any);
    a.String(1, kRetryInfoType);
    a.Bytes(2, info);
    w.Bytes(3, any);
  }
  return out;
}

Result<RpcStatus> DecodeRpcStatus(std::string_view bytes) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  RpcStatus st;
  auto bad = [] { return Status::InvalidArgument("malformed google.rpc.Status"); };
  while (uint32_t tag = in.ReadTag()) {
    const uint32_t field = WireFormatLite::GetTagFieldNumber(tag);
    const auto type = WireFormatLite::GetTagWireType(tag);
    if (field == 1 && type == WireFormatLite::WIRETYPE_VARINT) {
      uint64_t v = 0;
      if (!in.ReadVarint64(&v)) return bad();
      st.code = static_cast<int>(static_cast<int32_t>(v));
    } else if (field == 2 && type == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!ReadBytes(in, &st.message)) return bad();
    } else if (field == 3 && type == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      std::string any;
      if (!ReadBytes(in, &any) || !DecodeAny(any, &st.retry_delay)) return bad();
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return bad();
    }
  }
  if (!in.ConsumedEntireMessage()) return bad();
  return st;
}

}  // namespace vigil::net
