#include "tools/loadgen/line_formatter.h"

#include <cassert>
#include <charconv>
#include <cstring>

namespace vigil::tools {
namespace {

void Put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Appends a string literal's bytes; the compiler turns it into a fixed-size copy.
template <size_t N>
char* PutLit(char* p, const char (&lit)[N]) {
  std::memcpy(p, lit, N - 1);
  return p + N - 1;
}

char* PutStr(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// Bytes of a line apart from its service, route, level and msg strings, rounded up.
constexpr size_t kFixedMax = 192;

char* PutHex64(char* p, uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    p[i] = kDigits[v & 0xf];
    v >>= 4;
  }
  return p + 16;
}

}  // namespace

// Civil-date arithmetic in 400-year eras (the Gregorian cycle), after H. Hinnant's public
// description of the algorithm.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t days, int64_t* y, unsigned* m, unsigned* d) {
  days += 719468;
  const int64_t era = FloorDiv(days, 146097);
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

void FormatRfc3339Millis(int64_t unix_ms, char* out) {
  const int64_t secs = FloorDiv(unix_ms, 1000);
  const unsigned ms = static_cast<unsigned>(unix_ms - secs * 1000);
  const int64_t days = FloorDiv(secs, 86400);
  const unsigned sod = static_cast<unsigned>(secs - days * 86400);
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  const unsigned yy = static_cast<unsigned>(y % 10000);
  Put2(out, yy / 100);
  Put2(out + 2, yy % 100);
  out[4] = '-';
  Put2(out + 5, m);
  out[7] = '-';
  Put2(out + 8, d);
  out[10] = 'T';
  Put2(out + 11, sod / 3600);
  out[13] = ':';
  Put2(out + 14, sod / 60 % 60);
  out[16] = ':';
  Put2(out + 17, sod % 60);
  out[19] = '.';
  out[20] = static_cast<char>('0' + ms / 100);
  Put2(out + 21, ms % 100);
  out[23] = 'Z';
}

void LineFormatter::Append(int64_t unix_ms, std::string_view service, std::string_view route,
                           const Request& req, std::string& out) {
  const int64_t second = FloorDiv(unix_ms, 1000);
  if (second != cached_second_) {
    char full[24];
    FormatRfc3339Millis(second * 1000, full);
    std::memcpy(cached_prefix_, full, sizeof(cached_prefix_));
    cached_second_ = second;
  }
  const unsigned ms = static_cast<unsigned>(unix_ms - second * 1000);

  // Upper bound of one line: 93 bytes of keys and punctuation, 24 of ts, at most 3 of status,
  // 11 of duration_ms (uint32 us) and 32 of trace id (163), rounded up, plus the strings.
  const size_t max_len =
      kFixedMax + service.size() + route.size() + req.level.size() + req.msg.size();
  const size_t old_size = out.size();
  out.resize(old_size + max_len);
  char* p = out.data() + old_size;

  p = PutLit(p, "{\"ts\":\"");
  p = PutStr(p, std::string_view(cached_prefix_, sizeof(cached_prefix_)));
  *p++ = '.';
  *p++ = static_cast<char>('0' + ms / 100);
  Put2(p, ms % 100);
  p += 2;
  p = PutLit(p, "Z\",\"level\":\"");
  p = PutStr(p, req.level);
  p = PutLit(p, "\",\"service\":\"");
  p = PutStr(p, service);
  p = PutLit(p, "\",\"route\":\"");
  p = PutStr(p, route);
  p = PutLit(p, "\",\"status\":");
  p = std::to_chars(p, p + 8, req.status).ptr;
  p = PutLit(p, ",\"duration_ms\":");
  p = std::to_chars(p, p + 12, req.duration_us / 1000).ptr;
  const unsigned frac = req.duration_us % 1000;
  *p++ = '.';
  *p++ = static_cast<char>('0' + frac / 100);
  Put2(p, frac % 100);
  p += 2;
  p = PutLit(p, ",\"msg\":\"");
  p = PutStr(p, req.msg);
  p = PutLit(p, "\",\"trace_id\":\"");
  p = PutHex64(p, req.trace_hi);
  p = PutHex64(p, req.trace_lo);
  p = PutLit(p, "\"}\n");
  assert(static_cast<size_t>(p - out.data()) <= old_size + max_len);
  out.resize(static_cast<size_t>(p - out.data()));
}

}  // namespace vigil::tools
