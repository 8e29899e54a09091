#include "tools/loadgen/options.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>

#include "tools/loadgen/catalogue.h"
#include "tools/loadgen/line_formatter.h"

namespace vigil::tools {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<uint64_t> ParseUint(std::string_view flag, std::string_view text) {
  uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return Status::InvalidArgument(std::string(flag) + ": expected a non-negative integer, got '" +
                                   std::string(text) + "'");
  }
  return v;
}

Result<double> ParseDouble(std::string_view flag, std::string_view text, double lo, double hi) {
  double v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty() || !std::isfinite(v)) {
    return Status::InvalidArgument(std::string(flag) + ": expected a number, got '" +
                                   std::string(text) + "'");
  }
  if (v < lo || v > hi) {
    return Status::InvalidArgument(std::string(flag) + ": " + std::string(text) + " is outside [" +
                                   std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return v;
}

using Setter = std::function<Status(LoadgenOptions&, std::string_view flag, std::string_view v)>;

struct Flag {
  std::string_view name;
  bool takes_value;
  Setter set;
};

// Setters that assign a parsed number to one member.
Setter SetDouble(double LoadgenOptions::*member, double lo, double hi) {
  return [=](LoadgenOptions& o, std::string_view flag, std::string_view v) {
    Result<double> d = ParseDouble(flag, v, lo, hi);
    if (!d.ok()) return d.status();
    o.*member = *d;
    return Status::Ok();
  };
}

Setter SetUint(uint64_t LoadgenOptions::*member, uint64_t lo) {
  return [=](LoadgenOptions& o, std::string_view flag, std::string_view v) {
    Result<uint64_t> n = ParseUint(flag, v);
    if (!n.ok()) return n.status();
    if (*n < lo) {
      return Status::InvalidArgument(std::string(flag) + ": must be >= " + std::to_string(lo));
    }
    o.*member = *n;
    return Status::Ok();
  };
}

Setter SetInt(int LoadgenOptions::*member, int lo, int hi) {
  return [=](LoadgenOptions& o, std::string_view flag, std::string_view v) {
    Result<uint64_t> n = ParseUint(flag, v);
    if (!n.ok()) return n.status();
    if (*n < static_cast<uint64_t>(lo) || *n > static_cast<uint64_t>(hi)) {
      return Status::InvalidArgument(std::string(flag) + ": " + std::string(v) + " is outside [" +
                                     std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    o.*member = static_cast<int>(*n);
    return Status::Ok();
  };
}

const std::vector<Flag>& Flags() {
  static const std::vector<Flag> flags = {
      {"--out", true,
       [](LoadgenOptions& o, std::string_view flag, std::string_view v) {
         if (v.empty()) return Status::InvalidArgument(std::string(flag) + ": empty path");
         o.out = std::string(v);
         return Status::Ok();
       }},
      {"--services", true, SetInt(&LoadgenOptions::services, 1, kMaxServices)},
      {"--rate", true, SetDouble(&LoadgenOptions::rate, 0, 1e9)},
      {"--duration", true, SetDouble(&LoadgenOptions::duration_s, 0.001, 1e9)},
      {"--lines", true, SetUint(&LoadgenOptions::max_lines, 1)},
      {"--bytes", true,
       [](LoadgenOptions& o, std::string_view flag, std::string_view v) {
         Result<uint64_t> n = ParseSize(v);
         if (!n.ok()) return n.status().WithContext(flag);
         if (*n == 0) return Status::InvalidArgument(std::string(flag) + ": must be > 0");
         o.max_bytes = *n;
         return Status::Ok();
       }},
      {"--seed", true, SetUint(&LoadgenOptions::seed, 0)},
      {"--start-time", true,
       [](LoadgenOptions& o, std::string_view flag, std::string_view v) {
         Result<int64_t> ms = ParseRfc3339(v);
         if (!ms.ok()) return ms.status().WithContext(flag);
         o.start_unix_ms = *ms;
         return Status::Ok();
       }},
      {"--error-ratio", true, SetDouble(&LoadgenOptions::error_ratio, 0, 1)},
      {"--client-error-ratio", true, SetDouble(&LoadgenOptions::client_error_ratio, 0, 1)},
      {"--slow-tail-ratio", true, SetDouble(&LoadgenOptions::slow_tail_ratio, 0, 1)},
      {"--spike-at", true, SetDouble(&LoadgenOptions::spike_at_s, 0, 1e9)},
      {"--spike-duration", true, SetDouble(&LoadgenOptions::spike_duration_s, 0.001, 1e9)},
      {"--spike-error-ratio", true, SetDouble(&LoadgenOptions::spike_error_ratio, 0, 1)},
      {"--spike-latency-factor", true,
       SetDouble(&LoadgenOptions::spike_latency_factor, 0.01, 1000)},
      {"--rotate-every", true, SetUint(&LoadgenOptions::rotate_every, 1)},
      {"--rotate-mode", true,
       [](LoadgenOptions& o, std::string_view flag, std::string_view v) {
         if (v == "rename") {
           o.rotate_mode = RotateMode::kRename;
         } else if (v == "copytruncate") {
           o.rotate_mode = RotateMode::kCopyTruncate;
         } else {
           return Status::InvalidArgument(std::string(flag) +
                                          ": expected 'rename' or 'copytruncate', got '" +
                                          std::string(v) + "'");
         }
         return Status::Ok();
       }},
      {"--rotate-keep", true, SetInt(&LoadgenOptions::rotate_keep, 1, 1000)},
      {"--truth", true,
       [](LoadgenOptions& o, std::string_view flag, std::string_view v) {
         if (v.empty()) return Status::InvalidArgument(std::string(flag) + ": empty path");
         o.truth_path = std::string(v);
         return Status::Ok();
       }},
      {"--fsync-every", true, SetUint(&LoadgenOptions::fsync_every, 1)},
      {"--quiet", false,
       [](LoadgenOptions& o, std::string_view, std::string_view) {
         o.quiet = true;
         return Status::Ok();
       }},
      {"--help", false,
       [](LoadgenOptions& o, std::string_view, std::string_view) {
         o.show_help = true;
         return Status::Ok();
       }},
      {"--version", false,
       [](LoadgenOptions& o, std::string_view, std::string_view) {
         o.show_version = true;
         return Status::Ok();
       }},
  };
  return flags;
}

Status Validate(const LoadgenOptions& o) {
  if (o.error_ratio + o.client_error_ratio > 1.0) {
    return Status::InvalidArgument("--error-ratio plus --client-error-ratio exceeds 1");
  }
  if (o.spike_error_ratio + o.client_error_ratio > 1.0) {
    return Status::InvalidArgument("--spike-error-ratio plus --client-error-ratio exceeds 1");
  }
  if (o.rotate_every > 0 && o.out == "-") {
    return Status::InvalidArgument("--rotate-every needs --out FILE (cannot rotate stdout)");
  }
  if (o.rate == 0 && o.duration_s == 0 && o.max_lines == 0 && o.max_bytes == 0) {
    return Status::InvalidArgument(
        "unbounded: with --rate 0 (as fast as possible) give --duration, --lines or --bytes");
  }
  return Status::Ok();
}

}  // namespace

Result<LoadgenOptions> ParseOptions(const std::vector<std::string>& args) {
  LoadgenOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::string_view value;
    bool has_inline_value = false;
    if (const size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline_value = true;
    }
    const Flag* flag = nullptr;
    for (const Flag& f : Flags()) {
      if (f.name == arg) flag = &f;
    }
    if (flag == nullptr) {
      return Status::InvalidArgument("unknown option '" + std::string(arg) + "' (see --help)");
    }
    if (flag->takes_value && !has_inline_value) {
      if (i + 1 >= args.size()) {
        return Status::InvalidArgument(std::string(arg) + ": missing value");
      }
      value = args[++i];
    } else if (!flag->takes_value && has_inline_value) {
      return Status::InvalidArgument(std::string(arg) + ": takes no value");
    }
    VIGIL_RETURN_IF_ERROR(flag->set(o, arg, value));
  }
  if (o.show_help || o.show_version) return o;
  VIGIL_RETURN_IF_ERROR(Validate(o));
  return o;
}

Result<uint64_t> ParseSize(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0) {
    return Status::InvalidArgument("expected a size like 1GiB, 512MiB or 1000, got '" +
                                   std::string(text) + "'");
  }
  Result<uint64_t> n = ParseUint("size", text.substr(0, digits));
  if (!n.ok()) return n.status();
  const std::string suffix = Lower(text.substr(digits));
  uint64_t mult = 0;
  if (suffix.empty() || suffix == "b") mult = 1;
  if (suffix == "k" || suffix == "kib") mult = 1ULL << 10;
  if (suffix == "m" || suffix == "mib") mult = 1ULL << 20;
  if (suffix == "g" || suffix == "gib") mult = 1ULL << 30;
  if (suffix == "t" || suffix == "tib") mult = 1ULL << 40;
  if (suffix == "kb") mult = 1000ULL;
  if (suffix == "mb") mult = 1000ULL * 1000;
  if (suffix == "gb") mult = 1000ULL * 1000 * 1000;
  if (suffix == "tb") mult = 1000ULL * 1000 * 1000 * 1000;
  if (mult == 0) {
    return Status::InvalidArgument("unknown size suffix '" + std::string(text.substr(digits)) +
                                   "' (use B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)");
  }
  if (*n > UINT64_MAX / mult) {
    return Status::InvalidArgument("size '" + std::string(text) + "' is too large");
  }
  return *n * mult;
}

Result<int64_t> ParseRfc3339(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(
        "expected UTC time like 2026-11-23T10:00:00Z or "
        "2026-11-23T10:00:00.123Z, got '" +
        std::string(text) + "'");
  };
  // Positions of the digits in "YYYY-MM-DDTHH:MM:SS".
  if (text.size() < 20) return bad();
  auto num = [&](size_t pos, size_t len, int* out) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, s, ms = 0;
  if (!num(0, 4, &y) || text[4] != '-' || !num(5, 2, &mo) || text[7] != '-' || !num(8, 2, &d) ||
      (text[10] != 'T' && text[10] != 't') || !num(11, 2, &h) || text[13] != ':' ||
      !num(14, 2, &mi) || text[16] != ':' || !num(17, 2, &s)) {
    return bad();
  }
  std::string_view rest = text.substr(19);
  if (rest.size() == 5 && rest[0] == '.') {
    if (!num(20, 3, &ms)) return bad();
    rest = rest.substr(4);
  }
  if (rest != "Z" && rest != "z") return bad();
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return bad();
  // Reject days a month does not have by a round trip through the civil calendar.
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t ry;
  unsigned rm, rd;
  CivilFromDays(days, &ry, &rm, &rd);
  if (ry != y || static_cast<int>(rm) != mo || static_cast<int>(rd) != d) return bad();
  return ((days * 86400 + h * 3600 + mi * 60 + s) * 1000) + ms;
}

std::string UsageText() {
  return R"(vigil-loadgen: writes realistic JSON-lines request logs for vigil's demo, tests and
benchmarks, one ~200-byte line per simulated HTTP request:
  {"ts":"2026-11-23T10:00:00.123Z","level":"info","service":"checkout",
   "route":"/api/cart/{id}","status":200,"duration_ms":12.345,"msg":"request completed",
   "trace_id":"<32 hex>"}

Usage: vigil-loadgen [options]

Output
  --out FILE               append to FILE (created if missing); "-" = stdout (default)
  --truth FILE             at the end (or on SIGINT/SIGTERM) write an exact summary (JSON):
                           per (service, route, status) and per service: count, errors
                           (status >= 500 or level "error"), sum_seconds, and nearest-rank
                           p50/p95/p99_seconds. Keeps every duration in memory (4 B/line).
  --fsync-every N          fsync the file after every N lines
  --quiet                  no summary line on stderr at the end

Amount and pace (stops at the first bound reached; with --rate > 0 and no bound it runs
until SIGINT/SIGTERM)
  --rate N                 lines per second (default 0 = as fast as possible)
  --duration SECONDS       wall-clock run time
  --lines N                number of lines
  --bytes SIZE             stop once SIZE bytes are written (1GiB, 512MiB, 10MB, 4096)

Workload
  --services N             number of services, 1..64 (default 4: checkout, catalog, payments,
                           users, each with 3-4 routes; more are synthetic "service-5", ...)
  --seed N                 random seed (default 1); with --start-time the output is
                           byte-for-byte reproducible
  --start-time TIME        ts of the first line, UTC, e.g. 2026-11-23T10:00:00Z (default: now)
  --error-ratio R          share of 5xx responses (default 0.01)
  --client-error-ratio R   share of 4xx responses, not errors (default 0.03)
  --slow-tail-ratio R      share of requests in the slow tail, ~6x slower (default 0.02)
  --spike-at S             start an error spike S seconds in (log clock, see below)
  --spike-duration S       length of the spike (default 10)
  --spike-error-ratio R    share of 5xx inside the spike (default 0.3)
  --spike-latency-factor F latency multiplier inside the spike (default 1)
  Latency per route: lognormal around a route-specific median (5 ms .. 300 ms) plus the
  slow tail; 503s are fast, 504s take ~3 s.

  Log clock: line i carries ts = start + i / rate; with --rate 0 the clock advances 10000
  lines per second. The spike window is measured on this clock.

Rotation
  --rotate-every N         rotate after every N lines
  --rotate-mode MODE       rename (default): FILE -> FILE.1, new FILE;
                           copytruncate: copy FILE to FILE.1, truncate FILE in place
  --rotate-keep K          keep FILE.1 .. FILE.K (default 5)

  --help                   this text
  --version                print the version

Exit status: 0 done, 1 I/O error, 2 bad usage.
)";
}

}  // namespace vigil::tools
