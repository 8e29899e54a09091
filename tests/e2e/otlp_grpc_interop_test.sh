#!/usr/bin/env bash
# OTLP/gRPC interop with code nobody here wrote: the official OpenTelemetry JS SDK's gRPC
# exporters (@grpc/grpc-js, pinned in tests/interop) send spans, metrics and logs to vigil-agent's
# OTLP/gRPC receiver; the agent forwards to collector A, which exports spans and logs over
# OTLP/gRPC to collector B's gRPC receiver and metrics over OTLP/HTTP to the loopback sink; B
# exports spans and logs over OTLP/HTTP to the same sink. check.js then asserts what
# otlp_interop_test.sh asserts (every span and log record exactly once and unchanged, metric
# totals, span-derived counts and p99). Finally bad gRPC calls (garbage protobuf, unknown
# method, a message over the limit) get their clear status and the agent keeps serving.
# Usage: otlp_grpc_interop_test.sh BUILD_DIR
BUILD=$(cd "${1:?usage: otlp_grpc_interop_test.sh BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/vigil-grpc-interop.XXXXXX)
source "$(dirname "$0")/lib.sh"

INTEROP=$SRC/tests/interop
AGENT=$BUILD/agent/vigil-agent
COLLECTOR=$BUILD/collector/vigil-collector
for b in "$AGENT" "$COLLECTOR"; do [ -x "$b" ] || fail "missing $b"; done
require_interop @opentelemetry/exporter-trace-otlp-grpc

has_option "$AGENT" receiver grpc_listen ||
  fail "missing feature: vigil-agent has no OTLP/gRPC receiver (option receiver.grpc_listen)"
has_option "$COLLECTOR" otlp grpc_listen ||
  fail "missing feature: vigil-collector has no OTLP/gRPC receiver (option otlp.grpc_listen)"

P_SINK=$(free_port); P_OTLP_A=$(free_port); P_PROM_A=$(free_port); P_CADM_A=$(free_port)
P_OTLP_B=$(free_port); P_GRPC_B=$(free_port); P_PROM_B=$(free_port); P_CADM_B=$(free_port)
P_AADM=$(free_port); P_RECV=$(free_port); P_GRPC=$(free_port)
mkdir -p "$WORK/logs"
MAX_BODY=1048576  # the agent's receiver.max_body_bytes, also its gRPC message limit

cat >"$WORK/collector-b.yaml" <<YAML
admin: {listen: "127.0.0.1:$P_CADM_B"}
otlp: {listen: "127.0.0.1:$P_OTLP_B", grpc_listen: "127.0.0.1:$P_GRPC_B"}
prometheus: {listen: "127.0.0.1:$P_PROM_B"}
exporters:
  otlp:
    - endpoint: "http://127.0.0.1:$P_SINK"
      signals: [traces, logs]
      compression: gzip
      timeout: 5s
YAML
cat >"$WORK/collector-a.yaml" <<YAML
admin: {listen: "127.0.0.1:$P_CADM_A"}
otlp: {listen: "127.0.0.1:$P_OTLP_A"}
prometheus: {listen: "127.0.0.1:$P_PROM_A"}
aggregate: {window: 5m, slot: 5s}
exporters:
  otlp:
    - endpoint: "127.0.0.1:$P_GRPC_B"
      protocol: grpc
      signals: [traces, logs]
      compression: gzip
      timeout: 5s
      headers: {x-interop-test: "1"}
    - endpoint: "http://127.0.0.1:$P_SINK"
      signals: [metrics]
      compression: gzip
      metrics_temporality: cumulative
      metrics_interval: 1s
      timeout: 5s
YAML
cat >"$WORK/agent.yaml" <<YAML
agent: {id: "grpc-interop-agent", state_dir: "$WORK/state"}
admin: {listen: "127.0.0.1:$P_AADM"}
tail: {include: ["$WORK/logs/*.jsonl"], scan_interval: 200ms}
forward: {endpoint: "http://127.0.0.1:$P_OTLP_A", flush_interval: 500ms}
receiver:
  enabled: true
  listen: "127.0.0.1:$P_RECV"
  grpc_listen: "127.0.0.1:$P_GRPC"
  max_body_bytes: $MAX_BODY
YAML
for c in collector-a collector-b; do
  "$COLLECTOR" --config "$WORK/$c.yaml" --check-config >"$WORK/check-$c.log" 2>&1 ||
    fail "$c config rejected: $(cat "$WORK/check-$c.log")"
done
"$AGENT" --config "$WORK/agent.yaml" --check-config >"$WORK/check-agent.log" 2>&1 ||
  fail "agent config rejected: $(cat "$WORK/check-agent.log")"

start sink node "$INTEROP/sink.js" --port "$P_SINK" --dir "$WORK/sink"
wait_for 20 "sink ready" http_ok "http://127.0.0.1:$P_SINK/stats"
start collector-b "$COLLECTOR" --config "$WORK/collector-b.yaml"; B_PID=$LAST_PID
wait_for 20 "collector B ready" http_ok "http://127.0.0.1:$P_CADM_B/readyz"
start collector-a "$COLLECTOR" --config "$WORK/collector-a.yaml"; A_PID=$LAST_PID
wait_for 20 "collector A ready" http_ok "http://127.0.0.1:$P_CADM_A/readyz"
start agent "$AGENT" --config "$WORK/agent.yaml"; AGENT_PID=$LAST_PID
wait_for 20 "agent ready" http_ok "http://127.0.0.1:$P_AADM/readyz"
grpc_up() { (echo >"/dev/tcp/127.0.0.1/$P_GRPC") 2>/dev/null; }
wait_for 20 "agent OTLP/gRPC receiver on 127.0.0.1:$P_GRPC" grpc_up

echo "sending the workload with the OpenTelemetry JS SDK's gRPC exporters to the agent"
timeout 120 node "$INTEROP/send_workload.js" --protocol grpc --url "http://127.0.0.1:$P_GRPC" \
  --expect "$WORK/expected.json" --spans 3000 --logs 240 >"$WORK/workload.log" 2>&1 ||
  fail "the SDK could not deliver the workload over gRPC: $(tail -n 5 "$WORK/workload.log")"
cat "$WORK/workload.log"

echo "checking what reached the sink (spans and logs through collector A -> gRPC -> B)"
timeout 120 node "$INTEROP/check.js" --expected "$WORK/expected.json" --sink "$WORK/sink" \
  --prom "http://127.0.0.1:$P_PROM_A/metrics" --wait 60 | tee "$WORK/check.out"
[ "${PIPESTATUS[0]}" = 0 ] || fail "interop checks failed (see above)"

metric_sum() { curl -fsS --max-time 5 "$1" | awk -v m="$2" 'index($0, m) == 1 {s += $NF} END {printf "%d\n", s}'; }
spans_in=$(metric_sum "http://127.0.0.1:$P_AADM/metrics" 'vigil_agent_otlp_received_items_total{signal="traces"}')
want_spans=$(node -e 'console.log(require(process.argv[1]).spans.length)' "$WORK/expected.json")
[ "$spans_in" = "$want_spans" ] || fail "agent counted $spans_in spans received, the SDK sent $want_spans"
rejected=$(metric_sum "http://127.0.0.1:$P_AADM/metrics" vigil_agent_otlp_rejected_items_total)
[ "$rejected" = 0 ] || fail "agent rejected $rejected items"
for adm in "$P_CADM_A" "$P_CADM_B"; do
  failed=$(metric_sum "http://127.0.0.1:$adm/metrics" vigil_collector_exporter_failed_items_total)
  [ "$failed" = 0 ] || fail "collector (admin $adm) failed to export $failed items"
done
spans_b=$(metric_sum "http://127.0.0.1:$P_CADM_B/metrics" 'vigil_collector_received_items_total{signal="traces"}')
[ "$spans_b" = "$want_spans" ] ||
  fail "collector B received $spans_b spans over gRPC, want $want_spans"

echo "bad OTLP/gRPC calls to the agent"
timeout 60 node "$INTEROP/grpc_bad_input.js" --target "127.0.0.1:$P_GRPC" \
  --too-large $((MAX_BODY + 4096)) | tee "$WORK/bad.out"
[ "${PIPESTATUS[0]}" = 0 ] || fail "bad-input checks failed (see above)"
http_ok "http://127.0.0.1:$P_AADM/healthz" || fail "agent stopped serving after bad input"

for pid in "$AGENT_PID" "$A_PID" "$B_PID"; do
  stop_pid "$pid"; rc=$STOP_RC; [ "$rc" = 0 ] || fail "process $pid exited $rc on SIGTERM"
done
echo "PASS otlp_grpc_interop_test"
