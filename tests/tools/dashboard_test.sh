#!/usr/bin/env bash
# Checks dashboards/vigil-red.json and scripts/dashboard_queries.sh with real tools:
#  1. the dashboard's structure (uid, title, variables, datasource wiring, panels) with jq;
#  2. every panel expression is valid PromQL (promtool check rules on recording rules);
#  3. every metric it reads is one the collector exports (docs/ARCHITECTURE.md table);
#  4. dashboard_queries.sh against a real Prometheus loaded (promtool backfill) with series
#     shaped like the collector's: all queries return data; a dashboard with a query on a
#     missing metric makes it exit 1 naming that query; bad usage exits 2.
# Usage: dashboard_test.sh   (needs jq, curl, prometheus, promtool)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dash=$repo/dashboards/vigil-red.json
queries=$repo/scripts/dashboard_queries.sh
tmp=$(mktemp -d)
prom_pid=""
cleanup() {
  if [[ -n $prom_pid ]]; then kill "$prom_pid" 2>/dev/null || true; wait "$prom_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
check() {  # description jq-filter (must yield true)
  [[ $(jq -r "$2" "$dash") == true ]] || fail "$1 ($2)"
  echo "ok: $1"
}

# 1. Structure.
check "uid and title" '.uid == "vigil-red" and .title == "vigil — service RED"'
check "schemaVersion >= 39" '.schemaVersion >= 39'
check "datasource variable of type datasource over prometheus" \
  '[.templating.list[] | select(.name == "datasource" and .type == "datasource" and .query == "prometheus")] | length == 1'
check "service variable: label_values, multi, include all" \
  '[.templating.list[] | select(.name == "service" and .multi and .includeAll and
     (.query.query | test("^label_values\\(http_server_request_duration_seconds_count, *service_name\\)$")))] | length == 1'
check "route variable filtered by service: multi, include all" \
  '[.templating.list[] | select(.name == "route" and .multi and .includeAll and
     (.query.query | contains("service_name=~\"$service\"")) and (.query.query | endswith("http_route)")))] | length == 1'
check "every panel is a timeseries on \${datasource}" \
  '[.panels[] | select(.type != "timeseries" or .datasource.uid != "${datasource}")] | length == 0'
check "every target has a refId, an expr and \${datasource}" \
  '[.panels[].targets[] | select((.refId | not) or (.expr | not) or .datasource.uid != "${datasource}")] | length == 0'
check "panel ids are unique" '[.panels[].id] | length == (unique | length)'
check "every expr filters on \$service and \$route" \
  '[.panels[].targets[].expr | select((contains("service_name=~\"$service\"") and contains("http_route=~\"$route\"")) | not)] | length == 0'
check "rate, error ratio, histogram quantiles and the window gauge are all there" \
  '[.panels[].targets[].expr] | (any(test("^sum by \\(service_name\\) \\(rate\\(http_server_request_duration_seconds_count"))
     and any(contains("http_server_request_errors_total"))
     and any(startswith("histogram_quantile(0.5,")) and any(startswith("histogram_quantile(0.95,"))
     and any(startswith("histogram_quantile(0.99,"))
     and any(contains("http_server_request_duration_window_seconds")))'

# 2. Valid PromQL.
"$queries" --print "$dash" >"$tmp/exprs"
[[ $(wc -l <"$tmp/exprs") -ge 6 ]] || fail "expected at least 6 expressions"
{
  echo "groups:"
  echo "  - name: dashboard"
  echo "    rules:"
  n=0
  while IFS= read -r e; do
    n=$((n + 1))
    echo "      - record: dashboard:expr$n"
    echo "        expr: $(jq -Rn --arg e "$e" '$e')"
  done <"$tmp/exprs"
} >"$tmp/rules.yaml"
promtool check rules "$tmp/rules.yaml" >"$tmp/promtool.out" 2>&1 || { cat "$tmp/promtool.out" >&2; fail "promtool rejects an expression"; }
echo "ok: promtool accepts all $(wc -l <"$tmp/exprs") expressions"

# 3. Only metric families the collector exports (the table in docs/ARCHITECTURE.md).
allowed=" http_server_request_duration_seconds_bucket http_server_request_duration_seconds_count http_server_request_duration_window_seconds http_server_request_errors_total "
for m in $(grep -o 'http_server_request_[a-z_]*' "$tmp/exprs" "$dash" | sed 's/.*://' | sort -u); do
  [[ $allowed == *" $m "* ]] || fail "dashboard reads $m, which the collector does not export"
done
echo "ok: metric names match the collector's families"

# 4. Against a real Prometheus. Ten minutes of series shaped like the collector's page, ending
# now: two services, classic buckets, counters and the window gauge.
now=$(date +%s)
awk -v now="$now" 'BEGIN {
  split("checkout /api/cart/{id};catalog /api/products", svcs, ";")
  nles = split("0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 +Inf", les, " ")
  for (t = now - 600; t <= now; t += 15) {
    i = (t - now + 600) / 15
    for (s = 1; s <= 2; s++) {
      split(svcs[s], p, " ")
      base = "service_name=\"" p[1] "\",http_route=\"" p[2] "\",http_response_status_code=\"200\""
      for (b = 1; b <= nles; b++)
        printf "http_server_request_duration_seconds_bucket{%s,le=\"%s\"} %d %d\n", base, les[b], i * 10 * b, t
      printf "http_server_request_duration_seconds_count{%s} %d %d\n", base, i * 10 * nles, t
      printf "http_server_request_duration_seconds_sum{%s} %f %d\n", base, i * 2.5, t
      printf "http_server_request_errors_total{%s} %d %d\n", base, i, t
      for (q = 1; q <= 3; q++)
        printf "http_server_request_duration_window_seconds{%s,quantile=\"%s\"} %f %d\n", base, (q == 1 ? "0.5" : q == 2 ? "0.95" : "0.99"), 0.01 * q, t
    }
  }
  print "# EOF"
}' >"$tmp/data.om"
promtool tsdb create-blocks-from openmetrics "$tmp/data.om" "$tmp/tsdb" >"$tmp/backfill.out" 2>&1 ||
  { cat "$tmp/backfill.out" >&2; fail "promtool backfill"; }

printf 'global:\n  scrape_interval: 15s\nscrape_configs: []\n' >"$tmp/prometheus.yml"
for _ in $(seq 1 20); do
  port=$((20000 + RANDOM % 12000))  # below the ephemeral range
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
done
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
  --web.listen-address="127.0.0.1:$port" >"$tmp/prometheus.log" 2>&1 &
prom_pid=$!
for _ in $(seq 1 80); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/-/ready" 2>/dev/null && break
  kill -0 "$prom_pid" 2>/dev/null || { tail -n 20 "$tmp/prometheus.log" >&2; fail "prometheus exited"; }
  sleep 0.25
done

"$queries" "$dash" "http://127.0.0.1:$port" 60 >"$tmp/ok.out" 2>&1 || { cat "$tmp/ok.out" >&2; fail "dashboard_queries.sh on complete data"; }
cat "$tmp/ok.out"
[[ $(grep -c '^OK ' "$tmp/ok.out") -eq $(wc -l <"$tmp/exprs") ]] || fail "not every query reported"
grep -q '^OK    2 series  sum by (service_name) (rate(' "$tmp/ok.out" || fail "request rate should have 2 series"
echo "ok: every dashboard query returns data from a real Prometheus"

jq '.panels[0].targets[0].expr = "sum(rate(vigil_no_such_metric_total{service_name=~\"$service\"}[$__rate_interval]))"' \
  "$dash" >"$tmp/broken.json"
set +e
"$queries" "$tmp/broken.json" "http://127.0.0.1:$port" >"$tmp/broken.out" 2>&1
rc=$?
set -e
[[ $rc -eq 1 ]] || { cat "$tmp/broken.out" >&2; fail "empty result should exit 1, got $rc"; }
grep -q 'FAIL (empty result) sum(rate(vigil_no_such_metric_total{service_name=~".\*"}\[60s\]))' "$tmp/broken.out" ||
  { cat "$tmp/broken.out" >&2; fail "the failing query should be printed"; }
echo "ok: an empty query fails with exit 1 and names the query"

jq '.panels[0].targets[0].expr = "sum(rate(x[1m]"' "$dash" >"$tmp/syntax.json"
set +e
"$queries" "$tmp/syntax.json" "http://127.0.0.1:$port" >"$tmp/syntax.out" 2>&1
rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q 'FAIL (status error)' "$tmp/syntax.out" || { cat "$tmp/syntax.out" >&2; fail "a PromQL error should exit 1"; }
echo "ok: a PromQL error fails with exit 1"

set +e
"$queries" "$dash" >/dev/null 2>&1; rc_usage=$?
"$queries" /nonexistent.json http://127.0.0.1:1 >/dev/null 2>&1; rc_missing=$?
"$queries" "$dash" http://127.0.0.1:1 abc >/dev/null 2>&1; rc_range=$?
set -e
[[ $rc_usage -eq 2 && $rc_missing -eq 2 && $rc_range -eq 2 ]] || fail "bad usage should exit 2 ($rc_usage $rc_missing $rc_range)"
echo "ok: bad usage exits 2"
echo "PASS"
