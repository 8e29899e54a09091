#!/usr/bin/env bash
# End to end on loopback: two agents tail files that loadgen writes (rotated by rename midway),
# one collector merges, a real Prometheus scrapes it. Asserts exact request and error counts
# per series, p99 within 1% of the exact p99, no line lost at rotation or across an agent
# restart (with a rotation while it was down), SIGTERM exits 0, and every dashboard panel query
# returns data from the real Prometheus.
# Usage: pipeline_test.sh BUILD_DIR
BUILD=$(cd "${1:?usage: pipeline_test.sh BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/vigil-e2e.XXXXXX)
source "$(dirname "$0")/lib.sh"

AGENT=$BUILD/agent/vigil-agent
COLLECTOR=$BUILD/collector/vigil-collector
LOADGEN=$BUILD/tools/vigil-loadgen
for b in "$AGENT" "$COLLECTOR" "$LOADGEN"; do [ -x "$b" ] || fail "missing $b"; done
command -v prometheus >/dev/null || fail "prometheus is not installed (scripts/install-deps.sh)"

P_OTLP=$(free_port); P_PROM=$(free_port); P_CADM=$(free_port)
P_A=$(free_port); P_B=$(free_port); P_PROMETHEUS=$(free_port)
mkdir -p "$WORK"/logs-a "$WORK"/logs-b

cat >"$WORK/collector.yaml" <<YAML
admin: {listen: "127.0.0.1:$P_CADM"}
otlp: {listen: "127.0.0.1:$P_OTLP"}
prometheus: {listen: "127.0.0.1:$P_PROM"}
aggregate: {window: 2m, slot: 5s}
YAML
for x in a b; do
  port=$P_A; [ $x = b ] && port=$P_B
  cat >"$WORK/agent-$x.yaml" <<YAML
agent: {id: "agent-$x", state_dir: "$WORK/state-$x"}
admin: {listen: "127.0.0.1:$port"}
tail: {include: ["$WORK/logs-$x/app.jsonl*"], scan_interval: 200ms}
forward: {endpoint: "http://127.0.0.1:$P_OTLP", flush_interval: 500ms}
YAML
done
"$AGENT" --config "$WORK/agent-a.yaml" --check-config >/dev/null || fail "agent config rejected"
"$COLLECTOR" --config "$WORK/collector.yaml" --check-config >/dev/null || fail "collector config rejected"

start collector "$COLLECTOR" --config "$WORK/collector.yaml"; COLLECTOR_PID=$LAST_PID
wait_for 20 "collector ready" http_ok "http://127.0.0.1:$P_CADM/readyz"
start agent-a "$AGENT" --config "$WORK/agent-a.yaml"; AGENT_A=$LAST_PID
start agent-b "$AGENT" --config "$WORK/agent-b.yaml"; AGENT_B=$LAST_PID
wait_for 20 "agent a ready" http_ok "http://127.0.0.1:$P_A/readyz"
wait_for 20 "agent b ready" http_ok "http://127.0.0.1:$P_B/readyz"

cat >"$WORK/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: vigil
    static_configs: [{targets: ["127.0.0.1:$P_PROM"]}]
YAML
start prometheus prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$P_PROMETHEUS"
wait_for 30 "prometheus ready" http_ok "http://127.0.0.1:$P_PROMETHEUS/-/ready"

# Both agents see the same services and routes, so their series merge in the collector.
"$LOADGEN" --out "$WORK/logs-a/app.jsonl" --lines 24000 --rate 8000 --seed 1 --error-ratio 0.03 \
  --rotate-every 9000 --rotate-keep 10 --quiet &
LG_A=$!
"$LOADGEN" --out "$WORK/logs-b/app.jsonl" --lines 16000 --rate 8000 --seed 2 --error-ratio 0.03 \
  --rotate-every 7000 --rotate-keep 10 --quiet &
LG_B=$!
wait $LG_A || fail "loadgen a failed"
wait $LG_B || fail "loadgen b failed"
ls "$WORK"/logs-a "$WORK"/logs-b | tr '\n' ' '; echo

PAGE="http://127.0.0.1:$P_PROM/metrics"
total_count() { page_values "$PAGE" http_server_request_duration_seconds_count | awk '{s += $2} END {printf "%d\n", s}'; }
expect_total() { [ "$(total_count)" = "$1" ]; }

check_against_truth() {
  local label=$1
  truth "$WORK"/logs-a/* "$WORK"/logs-b/* >"$WORK/truth.txt"
  local want
  want=$(awk '{s += $2} END {print s}' "$WORK/truth.txt")
  echo "$label: $want requests in the files; waiting for the collector to count them all"
  wait_for 60 "collector total $want (has $(total_count))" expect_total "$want"
  page_values "$PAGE" http_server_request_duration_seconds_count >"$WORK/counts.txt"
  page_values "$PAGE" http_server_request_errors_total >"$WORK/errors.txt"
  page_values "$PAGE" http_server_request_duration_window_seconds >"$WORK/quantiles.txt"
  awk -v label="$label" '
    FILENAME ~ /counts/ { count[$1] = $2; next }
    FILENAME ~ /errors/ { errs[$1] = $2; next }
    FILENAME ~ /quantiles/ { q[$1] = $2; next }
    {
      key = $1; n++
      if (count[key] + 0 != $2) { printf "%s: count %s: collector %s, files %s\n", label, key, count[key], $2; bad++ }
      if (errs[key] + 0 != $3) { printf "%s: errors %s: collector %s, files %s\n", label, key, errs[key], $3; bad++ }
      p99 = q[key "|0.99"]
      if (p99 == "") { printf "%s: no p99 for %s\n", label, key; bad++; next }
      rel = (p99 - $6) / $6; if (rel < 0) rel = -rel
      if (rel > worst) worst = rel
      if (rel > 0.01) { printf "%s: p99 %s: collector %s, exact %s (%.3f%%)\n", label, key, p99, $6, rel * 100; bad++ }
    }
    END {
      printf "%s: %d series checked; worst p99 relative error %.4f%%\n", label, n, worst * 100
      exit bad > 0
    }' "$WORK/counts.txt" "$WORK/errors.txt" "$WORK/quantiles.txt" "$WORK/truth.txt" ||
    fail "$label: collector disagrees with the log files"
}

check_against_truth "after rotation"

# Latency: one more line must show up on the page within a few seconds.
before=$(total_count)
t0=$(date +%s.%N)
printf '{"ts":"2026-11-23T10:00:00.000Z","level":"info","service":"probe","route":"/probe","status":200,"duration_ms":3.5}\n' >>"$WORK/logs-a/app.jsonl"
wait_for 10 "the probe line to be counted" expect_total $((before + 1))
awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "line-to-page latency: %.2f s\n", b - a }'

# Restart without loss: stop agent a, write more and rotate while it is down, start it again.
stop_pid "$AGENT_A"; rc=$STOP_RC; [ "$rc" = 0 ] || fail "agent a exited $rc on SIGTERM"
"$LOADGEN" --out "$WORK/logs-a/app.jsonl" --lines 3000 --seed 3 --quiet
mv "$WORK/logs-a/app.jsonl" "$WORK/logs-a/app.jsonl.99"
"$LOADGEN" --out "$WORK/logs-a/app.jsonl" --lines 2000 --seed 4 --quiet
start agent-a2 "$AGENT" --config "$WORK/agent-a.yaml"; AGENT_A=$LAST_PID
check_against_truth "after restart"

# Dashboard panels against the real Prometheus that scraped the collector.
expect_prom_total() {
  curl -fsS "http://127.0.0.1:$P_PROMETHEUS/api/v1/query" \
    --data-urlencode 'query=sum(http_server_request_duration_seconds_count)' |
    jq -e --arg want "$1" '.data.result[0].value[1] == $want' >/dev/null
}
want=$(awk '{s += $2} END {print s}' "$WORK/truth.txt")
wait_for 30 "prometheus to scrape the final count $want" expect_prom_total "$want"
sleep 3  # a few more scrapes so rate() has points on both sides
bash "$SRC/scripts/dashboard_queries.sh" "$SRC/dashboards/vigil-red.json" \
  "http://127.0.0.1:$P_PROMETHEUS" || fail "a dashboard query returned no data"

# Self-metrics: counted, nothing dropped.
# (Pages are read into variables first: `curl | grep -q` under pipefail fails when grep exits early.)
agent_page=$(curl -fsS "http://127.0.0.1:$P_B/metrics")
grep -q '^vigil_agent_sent_batches_total{signal="metrics"} [1-9]' <<<"$agent_page" ||
  fail "agent b reports no metric batches sent"
collector_page=$(curl -fsS "http://127.0.0.1:$P_CADM/metrics")
grep -q '^vigil_collector_merged_points_total [1-9]' <<<"$collector_page" ||
  fail "collector reports no merged points"

for pid in "$AGENT_A" "$AGENT_B" "$COLLECTOR_PID"; do
  stop_pid "$pid"; rc=$STOP_RC; [ "$rc" = 0 ] || fail "process $pid exited $rc on SIGTERM"
done
echo "PASS pipeline_test"
