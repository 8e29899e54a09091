#include "core/send/retry_after.h"

#include <gtest/gtest.h>

#include <chrono>

namespace vigil::send {
namespace {

using std::chrono::milliseconds;

// 1994-11-06 08:49:37 UTC, the RFC's example instant.
std::chrono::system_clock::time_point Example() {
  return std::chrono::sys_days{std::chrono::year{1994} / 11 / 6} + std::chrono::hours(8) +
         std::chrono::minutes(49) + std::chrono::seconds(37);
}

TEST(RetryAfterTest, DelaySeconds) {
  auto now = std::chrono::system_clock::now();
  ASSERT_TRUE(ParseRetryAfter("120", now).ok());
  EXPECT_EQ(*ParseRetryAfter("120", now), milliseconds(120000));
  EXPECT_EQ(*ParseRetryAfter(" 0 ", now), milliseconds(0));
  EXPECT_EQ(*ParseRetryAfter("99999999999999999999", now), std::chrono::hours(24));  // capped
}

TEST(RetryAfterTest, HttpDate) {
  const auto now = Example();
  EXPECT_EQ(*ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), milliseconds(0));
  EXPECT_EQ(*ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", now), milliseconds(30000));
  EXPECT_EQ(*ParseRetryAfter("Mon, 07 Nov 1994 08:49:37 GMT", now), std::chrono::hours(24));
  // In the past: come back now.
  EXPECT_EQ(*ParseRetryAfter("Sat, 05 Nov 1994 08:49:37 GMT", now), milliseconds(0));
}

TEST(RetryAfterTest, MalformedValuesAreClearErrors) {
  const auto now = Example();
  for (std::string_view bad : {"", "soon", "-5", "1.5", "12abc", "Sun, 06 Nov 1994 08:49:37 UTC",
                               "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                               "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                               "Sun, 06 Nov 1994 25:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT"}) {
    auto r = ParseRetryAfter(bad, now);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("Retry-After"), std::string::npos);
    EXPECT_NE(r.status().message().find(std::string(bad)), std::string::npos);
  }
}

}  // namespace
}  // namespace vigil::send
