# Turns two snapshots of the collector's Prometheus page into a per-service RED table.
# Used by scripts/demo.sh; POSIX awk (mawk is fine).
#
#   awk -v prev=PREV_STATE -v state_out=NEW_STATE -v dt=SECONDS -f red_table.awk PREV_STATE PAGE
#
# PREV_STATE is what the previous call wrote to state_out (an empty file the first time: the
# deltas are then totals since the start). Per service_name it prints:
#   req/s   delta of the sum of http_server_request_duration_seconds_count, over dt
#   err%    delta of http_server_request_errors_total / delta of the count
#   p50 p95 p99  interpolated from the deltas of the classic buckets summed over every route,
#           status and agent, as histogram_quantile() does (exact merge, bucket resolution)
#   win-p99 the collector's last-minute window p99 gauge of the service's busiest series
#           (route + status with the largest _count): quantiles of different series cannot be
#           merged, and a max would just show the slowest error series
# A counter that went down (collector restart) shows "reset".

function label(labels, name,    i, rest) {
  i = index(labels, "," name "=\"")
  if (i == 0) return ""
  rest = substr(labels, i + length(name) + 3)
  return substr(rest, 1, index(rest, "\"") - 1)
}

function fmt_seconds(s) {
  if (s == "") return "-"
  if (s + 0 >= 1) return sprintf("%.2fs", s)
  return sprintf("%.1fms", s * 1000)
}

# histogram_quantile over the cumulative bucket deltas of one service.
function quantile(q, svc,    n, i, j, k, parts, tmp, les, total, rank, below, lower, c) {
  n = 0
  for (k in dbucket) {
    split(k, parts, SUBSEP)
    if (parts[1] == svc) les[++n] = parts[2]
  }
  for (i = 2; i <= n; i++) {  # insertion sort, numeric, +Inf last
    tmp = les[i]
    for (j = i - 1; j >= 1 && lekey(les[j]) > lekey(tmp); j--) les[j + 1] = les[j]
    les[j + 1] = tmp
  }
  if (n == 0) return ""
  total = dbucket[svc, les[n]]
  if (total <= 0) return ""
  rank = q * total
  below = 0
  lower = 0
  for (i = 1; i <= n; i++) {
    c = dbucket[svc, les[i]]
    if (c >= rank) {
      if (les[i] == "+Inf") return lower  # like Prometheus: the highest finite bound
      if (c == below) return les[i]
      return lower + (les[i] - lower) * (rank - below) / (c - below)
    }
    below = c
    lower = les[i]
  }
  return lower
}

function lekey(le) { return le == "+Inf" ? 1e308 : le + 0 }

BEGIN { FS = "\t" }

FILENAME == prev {
  if ($1 == "C") pcount[$2] = $3
  else if ($1 == "E") perr[$2] = $3
  else if ($1 == "B") pbucket[$2, $3] = $4
  next
}

# The Prometheus page: "name{labels} value [timestamp]"; labels may contain "{" and "}"
# (routes like /api/cart/{id}), so the label set ends at the last "} ".
/^http_server_request_/ {
  line = $0
  open = index(line, "{")
  if (open == 0) next
  name = substr(line, 1, open - 1)
  rb = 0
  for (i = length(line); i > open; i--) if (substr(line, i, 2) == "} ") { rb = i; break }
  if (rb == 0) next
  labels = "," substr(line, open + 1, rb - open - 1)
  split(substr(line, rb + 2), rest, " ")
  value = rest[1]
  svc = label(labels, "service_name")
  if (svc == "") next
  seen[svc] = 1
  key = svc SUBSEP label(labels, "http_route") SUBSEP label(labels, "http_response_status_code")
  if (name == "http_server_request_duration_seconds_count") {
    count[svc] += value
    if (!(svc in busiest) || value + 0 > busiest_count[svc]) {
      busiest[svc] = key
      busiest_count[svc] = value + 0
    }
  } else if (name == "http_server_request_errors_total") err[svc] += value
  else if (name == "http_server_request_duration_seconds_bucket") bucket[svc, label(labels, "le")] += value
  else if (name == "http_server_request_duration_window_seconds" && label(labels, "quantile") == "0.99")
    win99[key] = value
}

END {
  printf "%-12s %9s %7s %9s %9s %9s %9s\n", "service", "req/s", "err%", "p50", "p95", "p99", "win-p99"
  nsvc = 0
  for (s in seen) names[++nsvc] = s
  for (i = 2; i <= nsvc; i++) {
    tmp = names[i]
    for (j = i - 1; j >= 1 && names[j] > tmp; j--) names[j + 1] = names[j]
    names[j + 1] = tmp
  }
  if (nsvc == 0) print "(no request series on the page yet)"
  reset = 0
  for (k in bucket) {
    dbucket[k] = bucket[k] - pbucket[k]
    if (dbucket[k] < 0) reset = 1
  }
  for (i = 1; i <= nsvc; i++) {
    s = names[i]
    dc = count[s] - pcount[s]
    de = err[s] - perr[s]
    if (dc < 0 || de < 0 || reset) {
      printf "%-12s %9s\n", s, "reset"
      continue
    }
    rate = dt > 0 ? dc / dt : 0
    ratio = dc > 0 ? sprintf("%.2f", 100 * de / dc) : "-"
    printf "%-12s %9.1f %7s %9s %9s %9s %9s\n", s, rate, ratio, fmt_seconds(quantile(0.5, s)),
      fmt_seconds(quantile(0.95, s)), fmt_seconds(quantile(0.99, s)),
      fmt_seconds((s in busiest) && (busiest[s] in win99) ? win99[busiest[s]] : "")
  }
  for (s in count) printf "C\t%s\t%s\n", s, count[s] > state_out
  for (s in err) printf "E\t%s\t%s\n", s, err[s] > state_out
  for (k in bucket) {
    split(k, parts, SUBSEP)
    printf "B\t%s\t%s\t%s\n", parts[1], parts[2], bucket[k] > state_out
  }
  close(state_out)
}
