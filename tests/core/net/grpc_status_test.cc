// The HTTP <-> gRPC status rules and the google.rpc.Status / RetryInfo encoding.
#include "core/net/grpc/grpc_status.h"

#include <gtest/gtest.h>

#include "core/otlp/wire_writer.h"

namespace vigil::net {
namespace {

TEST(GrpcStatusTest, HttpStatusesMapToTheirGrpcCodes) {
  EXPECT_EQ(GrpcCodeForHttpStatus(200), GrpcCode::OK);
  EXPECT_EQ(GrpcCodeForHttpStatus(204), GrpcCode::OK);
  EXPECT_EQ(GrpcCodeForHttpStatus(400), GrpcCode::INVALID_ARGUMENT);
  EXPECT_EQ(GrpcCodeForHttpStatus(415), GrpcCode::INVALID_ARGUMENT);
  EXPECT_EQ(GrpcCodeForHttpStatus(413), GrpcCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(GrpcCodeForHttpStatus(429), GrpcCode::UNAVAILABLE);
  EXPECT_EQ(GrpcCodeForHttpStatus(503), GrpcCode::UNAVAILABLE);
  EXPECT_EQ(GrpcCodeForHttpStatus(404), GrpcCode::UNIMPLEMENTED);
  EXPECT_EQ(GrpcCodeForHttpStatus(500), GrpcCode::INTERNAL);
  EXPECT_EQ(GrpcCodeForHttpStatus(401), GrpcCode::UNAUTHENTICATED);
  EXPECT_EQ(GrpcCodeForHttpStatus(418), GrpcCode::UNKNOWN);
}

TEST(GrpcStatusTest, RetryableCodesFollowTheOtlpSpec) {
  for (GrpcCode c : {GrpcCode::CANCELLED, GrpcCode::DEADLINE_EXCEEDED, GrpcCode::ABORTED,
                     GrpcCode::OUT_OF_RANGE, GrpcCode::UNAVAILABLE, GrpcCode::DATA_LOSS}) {
    EXPECT_TRUE(IsRetryableGrpcCode(c, false)) << GrpcCodeName(c);
  }
  for (GrpcCode c :
       {GrpcCode::UNKNOWN, GrpcCode::INVALID_ARGUMENT, GrpcCode::NOT_FOUND,
        GrpcCode::ALREADY_EXISTS, GrpcCode::PERMISSION_DENIED, GrpcCode::UNAUTHENTICATED,
        GrpcCode::FAILED_PRECONDITION, GrpcCode::UNIMPLEMENTED, GrpcCode::INTERNAL}) {
    EXPECT_FALSE(IsRetryableGrpcCode(c, true)) << GrpcCodeName(c);
  }
  EXPECT_FALSE(IsRetryableGrpcCode(GrpcCode::RESOURCE_EXHAUSTED, false));
  EXPECT_TRUE(IsRetryableGrpcCode(GrpcCode::RESOURCE_EXHAUSTED, true));
  EXPECT_EQ(GrpcCodeName(GrpcCode::UNAVAILABLE), "UNAVAILABLE");
  EXPECT_EQ(GrpcCodeName(static_cast<GrpcCode>(99)), "CODE_99");
}

TEST(GrpcStatusTest, RpcStatusRoundTripsWithRetryInfo) {
  std::string bytes = EncodeRpcStatus(14, "queue full", std::chrono::milliseconds(2500));
  auto st = DecodeRpcStatus(bytes);
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_EQ(st->code, 14);
  EXPECT_EQ(st->message, "queue full");
  ASSERT_TRUE(st->retry_delay.has_value());
  EXPECT_EQ(st->retry_delay->count(), 2500);

  auto plain = DecodeRpcStatus(EncodeRpcStatus(3, "bad"));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->code, 3);
  EXPECT_FALSE(plain->retry_delay.has_value());
}

TEST(GrpcStatusTest, OtherDetailsAreSkippedAndHugeDelaysCapped) {
  std::string any_other, any_retry, info, duration, status;
  otlp::WireWriter(&any_other).String(1, "type.googleapis.com/google.rpc.DebugInfo");
  otlp::WireWriter d(&duration);
  d.Int64(1, 10'000'000);  // ~116 days
  otlp::WireWriter(&info).Bytes(1, duration);
  otlp::WireWriter a(&any_retry);
  a.String(1, "type.googleapis.com/google.rpc.RetryInfo");
  a.Bytes(2, info);
  otlp::WireWriter w(&status);
  w.Int32(1, 8);
  w.Bytes(3, any_other);
  w.Bytes(3, any_retry);
  w.Fixed32(9, 7);  // an unknown field
  auto st = DecodeRpcStatus(status);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->code, 8);
  ASSERT_TRUE(st->retry_delay.has_value());
  EXPECT_EQ(*st->retry_delay, std::chrono::hours(24));
}

TEST(GrpcStatusTest, MalformedRpcStatusIsInvalidArgument) {
  std::string truncated = EncodeRpcStatus(3, "a message");
  truncated.resize(truncated.size() - 2);
  auto st = DecodeRpcStatus(truncated);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.status().message().find("google.rpc.Status"), std::string::npos);
  EXPECT_FALSE(DecodeRpcStatus("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff").ok());
}

TEST(GrpcStatusTest, ErrorMessagesComeFromTheBodyOfEitherKind) {
  HttpResponse proto;
  proto.status = 400;
  proto.content_type = "application/x-protobuf";
  proto.body = EncodeRpcStatus(3, "trace id of 15 bytes");
  EXPECT_EQ(ErrorMessageOfBody(proto), "trace id of 15 bytes");

  HttpResponse text = HttpResponse::Text(413, "  body too large\n");
  EXPECT_EQ(ErrorMessageOfBody(text), "body too large");

  HttpResponse empty = HttpResponse::Text(503, "");
  EXPECT_EQ(ErrorMessageOfBody(empty), "HTTP 503");

  HttpResponse garbage;
  garbage.status = 400;
  garbage.content_type = "application/x-protobuf";
  garbage.body = "\xff\xff";
  EXPECT_EQ(ErrorMessageOfBody(garbage), "HTTP 400");
}

TEST(GrpcStatusTest, RepliesCarryTheBodyOrTheErrorAndRetryInfo) {
  HttpResponse ok;
  ok.body = "response-bytes";
  GrpcReply r = GrpcReplyFromHttp(ok);
  EXPECT_EQ(r.code, GrpcCode::OK);
  EXPECT_EQ(r.response, "response-bytes");

  HttpResponse busy = HttpResponse::Text(503, "busy");
  busy.headers.emplace_back("Retry-After", "3");
  r = GrpcReplyFromHttp(busy);
  EXPECT_EQ(r.code, GrpcCode::UNAVAILABLE);
  EXPECT_EQ(r.message, "busy");
  auto st = DecodeRpcStatus(r.details);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->code, 14);
  EXPECT_EQ(st->retry_delay, std::chrono::milliseconds(3000));

  busy.headers = {{"Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"}};
  EXPECT_EQ(GrpcReplyFromHttp(busy).details, "");  // only delay-seconds become RetryInfo
  EXPECT_EQ(GrpcReplyFromHttp(HttpResponse::Text(413, "x")).details, "");
}

}  // namespace
}  // namespace vigil::net
