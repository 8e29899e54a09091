#!/usr/bin/env bash
# Checks scripts/red_table.awk (the demo's per-service table) on two snapshots of a page in
# the collector's format: rates and error ratios from deltas, quantiles interpolated from the
# summed bucket deltas of several routes, routes containing braces, the window gauge of the
# busiest series, and counter resets.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; cat "$tmp/out" >&2 2>/dev/null || true; exit 1; }

# page A N M: checkout route /api/cart/{id} with N requests (N/10 <= 0.01 s, the rest
# <= 0.1 s), route /api/checkout with M requests all 5xx between 0.1 and 1 s.
page() {
  local n=$1 m=$2 s='service_name="checkout"'
  cat <<PAGE
# HELP http_server_request_duration_seconds request duration
# TYPE http_server_request_duration_seconds histogram
http_server_request_duration_seconds_bucket{$s,http_route="/api/cart/{id}",http_response_status_code="200",le="0.01"} $((n / 10))
http_server_request_duration_seconds_bucket{$s,http_route="/api/cart/{id}",http_response_status_code="200",le="0.1"} $n
http_server_request_duration_seconds_bucket{$s,http_route="/api/cart/{id}",http_response_status_code="200",le="1"} $n
http_server_request_duration_seconds_bucket{$s,http_route="/api/cart/{id}",http_response_status_code="200",le="+Inf"} $n
http_server_request_duration_seconds_sum{$s,http_route="/api/cart/{id}",http_response_status_code="200"} 1.5
http_server_request_duration_seconds_count{$s,http_route="/api/cart/{id}",http_response_status_code="200"} $n
http_server_request_duration_seconds_bucket{$s,http_route="/api/checkout",http_response_status_code="500",le="0.01"} 0
http_server_request_duration_seconds_bucket{$s,http_route="/api/checkout",http_response_status_code="500",le="0.1"} 0
http_server_request_duration_seconds_bucket{$s,http_route="/api/checkout",http_response_status_code="500",le="1"} $m
http_server_request_duration_seconds_bucket{$s,http_route="/api/checkout",http_response_status_code="500",le="+Inf"} $m
http_server_request_duration_seconds_count{$s,http_route="/api/checkout",http_response_status_code="500"} $m
http_server_request_errors_total{$s,http_route="/api/checkout",http_response_status_code="500"} $m
http_server_request_duration_window_seconds{$s,http_route="/api/cart/{id}",http_response_status_code="200",quantile="0.99"} 0.2
http_server_request_duration_window_seconds{$s,http_route="/api/checkout",http_response_status_code="500",quantile="0.99"} 0.9
http_server_request_duration_window_seconds{$s,http_route="/api/checkout",http_response_status_code="500",quantile="0.5"} 7
http_server_request_duration_seconds_count{service_name="users",http_route="/api/login",http_response_status_code="200"} 0
PAGE
}
table() {  # prev_state page new_state dt
  awk -v prev="$1" -v state_out="$3" -v dt="$4" -f "$repo/scripts/red_table.awk" "$1" "$2" >"$tmp/out"
}
row() { awk -v s="$1" '$1 == s' "$tmp/out"; }

: >"$tmp/s0"
page 1000 0 >"$tmp/p1"
table "$tmp/s0" "$tmp/p1" "$tmp/s1" 10
# 1000 requests in 10 s, no errors; p50 rank 500 in (0.01, 0.1]: 0.01 + 0.09 * 400/900;
# p95: 0.01 + 0.09 * 850/900.
[[ $(row checkout) == "checkout         100.0    0.00    50.0ms    95.0ms    99.0ms   200.0ms" ]] || fail "first table"
[[ $(row users) == "users              0.0       -         -         -         -         -" ]] || fail "idle service"
head -n 1 "$tmp/out" | grep -q '^service  *req/s  *err%  *p50  *p95  *p99  *win-p99$' || fail "header"

page 1900 100 >"$tmp/p2"
table "$tmp/s1" "$tmp/p2" "$tmp/s2" 5
# Deltas: 900 + 100 requests in 5 s, 100 errors; buckets merged across both routes:
# <=0.01: 90, <=0.1: 900, <=1: 1000. p50: 0.01 + 0.09 * 410/810; p95 rank 950 in (0.1, 1]:
# 0.1 + 0.9 * 50/100.
[[ $(row checkout) == "checkout         200.0   10.00    55.6ms   550.0ms   910.0ms   200.0ms" ]] || fail "delta table"
echo "ok: rates, error ratio and merged quantiles from deltas"

# Once /api/checkout has more requests than /api/cart/{id}, its window p99 is shown.
page 1900 5000 >"$tmp/p3"
table "$tmp/s2" "$tmp/p3" "$tmp/s2b" 5
[[ $(row checkout | awk '{print $NF}') == 900.0ms ]] || fail "window gauge of the busiest series"
echo "ok: window p99 of the busiest series"

table "$tmp/s2" "$tmp/p1" "$tmp/s3" 5
[[ $(row checkout) == "checkout         reset" ]] || fail "counter reset"
echo "ok: counter reset"

printf '# nothing yet\n' >"$tmp/empty"
table "$tmp/s0" "$tmp/empty" "$tmp/s4" 5
grep -q 'no request series on the page yet' "$tmp/out" || fail "empty page"
echo "ok: empty page"
echo PASS
