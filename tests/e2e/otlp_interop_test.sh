#!/usr/bin/env bash
# Interop with code nobody here wrote: the official OpenTelemetry JS SDK (tests/interop, pinned
# in its package-lock.json) sends spans, metrics and logs to vigil-agent's OTLP receiver; the
# agent forwards to vigil-collector, which exports over OTLP/HTTP (gzip, cumulative metrics) to a
# loopback sink that decodes with the OpenTelemetry project's generated protobuf codec. Asserts
# that every span and log record arrived exactly once and unchanged, that metric totals equal
# what was recorded, that span-derived request counts are exact, and that the collector's p99
# per service/route/status is within 1% of the exact p99 of the span durations sent.
# Usage: otlp_interop_test.sh BUILD_DIR
BUILD=$(cd "${1:?usage: otlp_interop_test.sh BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/vigil-interop.XXXXXX)
source "$(dirname "$0")/lib.sh"

INTEROP=$SRC/tests/interop
AGENT=$BUILD/agent/vigil-agent
COLLECTOR=$BUILD/collector/vigil-collector
for b in "$AGENT" "$COLLECTOR"; do [ -x "$b" ] || fail "missing $b"; done
require_interop @opentelemetry/sdk-trace-base

has_option "$AGENT" receiver listen ||
  fail "missing feature: vigil-agent has no OTLP receiver (option receiver.listen)"
has_option "$AGENT" receiver enabled ||
  fail "missing feature: vigil-agent's OTLP receiver cannot be enabled (option receiver.enabled)"
has_option "$COLLECTOR" exporters otlp ||
  fail "missing feature: vigil-collector has no OTLP exporter (option exporters.otlp)"

P_SINK=$(free_port); P_OTLP=$(free_port); P_PROM=$(free_port); P_CADM=$(free_port)
P_AADM=$(free_port); P_RECV=$(free_port)
mkdir -p "$WORK/logs"

cat >"$WORK/collector.yaml" <<YAML
admin: {listen: "127.0.0.1:$P_CADM"}
otlp: {listen: "127.0.0.1:$P_OTLP"}
prometheus: {listen: "127.0.0.1:$P_PROM"}
aggregate: {window: 5m, slot: 5s}
exporters:
  otlp:
    - endpoint: "http://127.0.0.1:$P_SINK"
      signals: [traces, logs, metrics]
      compression: gzip
      metrics_temporality: cumulative
      metrics_interval: 1s
      timeout: 5s
      headers: {x-interop-test: "1"}
YAML
cat >"$WORK/agent.yaml" <<YAML
agent: {id: "interop-agent", state_dir: "$WORK/state"}
admin: {listen: "127.0.0.1:$P_AADM"}
tail: {include: ["$WORK/logs/*.jsonl"], scan_interval: 200ms}
forward: {endpoint: "http://127.0.0.1:$P_OTLP", flush_interval: 500ms}
receiver: {enabled: true, listen: "127.0.0.1:$P_RECV"}
YAML
"$COLLECTOR" --config "$WORK/collector.yaml" --check-config >"$WORK/check-collector.log" 2>&1 ||
  fail "collector config rejected: $(cat "$WORK/check-collector.log")"
"$AGENT" --config "$WORK/agent.yaml" --check-config >"$WORK/check-agent.log" 2>&1 ||
  fail "agent config rejected: $(cat "$WORK/check-agent.log")"

start sink node "$INTEROP/sink.js" --port "$P_SINK" --dir "$WORK/sink"
wait_for 20 "sink ready" http_ok "http://127.0.0.1:$P_SINK/stats"
start collector "$COLLECTOR" --config "$WORK/collector.yaml"; COLLECTOR_PID=$LAST_PID
wait_for 20 "collector ready" http_ok "http://127.0.0.1:$P_CADM/readyz"
start agent "$AGENT" --config "$WORK/agent.yaml"; AGENT_PID=$LAST_PID
wait_for 20 "agent ready" http_ok "http://127.0.0.1:$P_AADM/readyz"
recv_up() { (echo >"/dev/tcp/127.0.0.1/$P_RECV") 2>/dev/null; }
wait_for 20 "agent OTLP receiver on 127.0.0.1:$P_RECV" recv_up

echo "sending the workload with the OpenTelemetry JS SDK to the agent"
timeout 120 node "$INTEROP/send_workload.js" --url "http://127.0.0.1:$P_RECV" \
  --expect "$WORK/expected.json" --spans 3000 --logs 240 >"$WORK/workload.log" 2>&1 ||
  fail "the SDK could not deliver the workload to the agent: $(tail -n 5 "$WORK/workload.log")"
cat "$WORK/workload.log"

echo "checking what reached the sink and the collector's Prometheus page"
timeout 120 node "$INTEROP/check.js" --expected "$WORK/expected.json" --sink "$WORK/sink" \
  --prom "http://127.0.0.1:$P_PROM/metrics" --wait 60 | tee "$WORK/check.out"
[ "${PIPESTATUS[0]}" = 0 ] || fail "interop checks failed (see above)"

# Nothing refused or lost on the way, by the programs' own counts.
metric_sum() { curl -fsS --max-time 5 "$1" | awk -v m="$2" 'index($0, m) == 1 {s += $NF} END {printf "%d\n", s}'; }
spans_in=$(metric_sum "http://127.0.0.1:$P_AADM/metrics" 'vigil_agent_otlp_received_items_total{signal="traces"}')
want_spans=$(node -e 'console.log(require(process.argv[1]).spans.length)' "$WORK/expected.json")
[ "$spans_in" = "$want_spans" ] || fail "agent counted $spans_in spans received, the SDK sent $want_spans"
rejected=$(metric_sum "http://127.0.0.1:$P_AADM/metrics" vigil_agent_otlp_rejected_items_total)
[ "$rejected" = 0 ] || fail "agent rejected $rejected items"
failed=$(metric_sum "http://127.0.0.1:$P_CADM/metrics" vigil_collector_exporter_failed_items_total)
[ "$failed" = 0 ] || fail "collector failed to export $failed items"

for pid in "$AGENT_PID" "$COLLECTOR_PID"; do
  stop_pid "$pid"; rc=$STOP_RC; [ "$rc" = 0 ] || fail "process $pid exited $rc on SIGTERM"
done
echo "PASS otlp_interop_test"
