#!/usr/bin/env bash
# Span throughput, end to end on loopback: a Node load generator (tests/interop/span_loadgen.js)
# POSTs pre-encoded OTLP protobuf span batches (1000 server spans each) as fast as it can to
# vigil-agent's OTLP receiver; the agent derives span metrics and forwards the spans to
# vigil-collector, which exports them over OTLP/HTTP to a count-only Node sink (nothing decoded:
# the sink must not be the bottleneck). Runs until BENCH_SPANS spans were accepted or
# BENCH_SECONDS went by, then until the collector has exported every accepted span.
# Prints spans/s (accepted by the agent, and delivered to the sink), CPU-seconds per million
# spans for agent and collector (from /proc/PID/stat), their peak RSS, and back-pressure retries.
# Usage: bench/spans_throughput.sh BUILD_DIR
# Env: BENCH_SPANS (default 3000000), BENCH_SECONDS (default 60), BENCH_CONCURRENCY (default 4),
#      BENCH_SPANS_PER_REQUEST (default 1000), BENCH_COMPRESSION (collector -> sink: zstd|gzip|
#      none, default zstd), BENCH_LOADGEN_GZIP=1 (the load generator gzips its bodies).
set -euo pipefail
BUILD=$(cd "${1:?usage: spans_throughput.sh BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
INTEROP=$SRC/tests/interop
SPANS=${BENCH_SPANS:-3000000}
SECONDS_MAX=${BENCH_SECONDS:-60}
CONC=${BENCH_CONCURRENCY:-4}
PER_REQ=${BENCH_SPANS_PER_REQUEST:-1000}
COMPRESSION=${BENCH_COMPRESSION:-zstd}
WORK=$(mktemp -d /tmp/vigil-spanbench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
die() {
  echo "spans_throughput: $*" >&2
  for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "---- $f" >&2; tail -n 15 "$f" >&2; }; done
  exit 1
}
port() { local p; while :; do p=$((20000 + RANDOM % 12000)); (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo $p; return; }; done; }
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
rss_kib() { awk -v k="$2" '$1 == k ":" {print $2}' "/proc/$1/status"; }
metric_sum() { curl -fsS --max-time 5 "http://127.0.0.1:$1/metrics" | awk -v m="$2" 'index($0, m) == 1 {s += $NF} END {printf "%d\n", s}'; }
wait_http() { for _ in $(seq 100); do curl -fsS --max-time 1 "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; die "$1 never answered"; }

for b in "$BUILD/agent/vigil-agent" "$BUILD/collector/vigil-collector"; do [ -x "$b" ] || die "missing $b"; done
[ -d "$INTEROP/node_modules/@opentelemetry/otlp-transformer" ] ||
  die "tests/interop/node_modules is missing: run scripts/install-deps.sh"
has_option() {  # PROGRAM SECTION KEY: --describe-config lists KEY inside the top-level SECTION
  "$1" --describe-config 2>&1 | awk -v s="$2" -v k="$3" '
    /^[^ #]/ { in_s = (index($0, s ":") == 1) }
    in_s && index($0, "  " k ":") == 1 { found = 1 }
    END { exit !found }'
}
has_option "$BUILD/agent/vigil-agent" receiver listen || die "vigil-agent has no OTLP receiver (receiver.listen)"
has_option "$BUILD/collector/vigil-collector" exporters otlp || die "vigil-collector has no OTLP exporter (exporters.otlp)"

P_SINK=$(port); P_OTLP=$(port); P_PROM=$(port); P_CADM=$(port); P_AADM=$(port); P_RECV=$(port)
mkdir -p "$WORK/logs"
cat >"$WORK/collector.yaml" <<YAML
admin: {listen: "127.0.0.1:$P_CADM"}
otlp: {listen: "127.0.0.1:$P_OTLP"}
prometheus: {listen: "127.0.0.1:$P_PROM"}
exporters:
  otlp:
    - endpoint: "http://127.0.0.1:$P_SINK"
      signals: [traces]
      compression: $COMPRESSION
YAML
cat >"$WORK/agent.yaml" <<YAML
agent: {id: "bench-agent", state_dir: "$WORK/state"}
admin: {listen: "127.0.0.1:$P_AADM"}
tail: {include: ["$WORK/logs/*.jsonl"]}
forward: {endpoint: "http://127.0.0.1:$P_OTLP"}
receiver: {enabled: true, listen: "127.0.0.1:$P_RECV"}
YAML

node "$INTEROP/sink.js" --port "$P_SINK" --count-only >"$WORK/sink.log" 2>&1 &
SINK_PID=$!; PIDS+=($SINK_PID)
"$BUILD/collector/vigil-collector" --config "$WORK/collector.yaml" --log-level warn >"$WORK/collector.log" 2>&1 &
CPID=$!; PIDS+=($CPID)
"$BUILD/agent/vigil-agent" --config "$WORK/agent.yaml" --log-level warn >"$WORK/agent.log" 2>&1 &
APID=$!; PIDS+=($APID)
wait_http "http://127.0.0.1:$P_SINK/stats"
wait_http "http://127.0.0.1:$P_CADM/readyz"
wait_http "http://127.0.0.1:$P_AADM/readyz"
sleep 0.5

A0=$(cpu_seconds $APID); C0=$(cpu_seconds $CPID); S0=$(cpu_seconds $SINK_PID)
T0=$(date +%s.%N)
LG_ARGS=(--url "http://127.0.0.1:$P_RECV" --spans-per-request "$PER_REQ" --concurrency "$CONC"
  --requests $(((SPANS + PER_REQ - 1) / PER_REQ)) --seconds "$SECONDS_MAX")
[ "${BENCH_LOADGEN_GZIP:-0}" = 1 ] && LG_ARGS+=(--gzip)
node "$INTEROP/span_loadgen.js" "${LG_ARGS[@]}" \
  >"$WORK/loadgen.out" 2>"$WORK/loadgen.log" || die "load generator failed: $(cat "$WORK/loadgen.out")"
T_SENT=$(date +%s.%N)
read -r ACCEPTED RETRIES LG_CPU < <(node -e '
  const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(j.spans, j.retries, j.cpu_seconds)' "$WORK/loadgen.out")

# Until the collector has exported every span the agent accepted (bounded).
exported=0
for _ in $(seq 1200); do
  exported=$(metric_sum "$P_CADM" 'vigil_collector_exporter_sent_items_total{endpoint="http://127.0.0.1:'"$P_SINK"'",signal="traces"}')
  [ "$exported" -ge "$ACCEPTED" ] && break
  sleep 0.05
done
T_DONE=$(date +%s.%N)
[ "$exported" -ge "$ACCEPTED" ] || die "only $exported of $ACCEPTED spans exported after 60 s"
A1=$(cpu_seconds $APID); C1=$(cpu_seconds $CPID); S1=$(cpu_seconds $SINK_PID)
A_PEAK=$(rss_kib $APID VmHWM); C_PEAK=$(rss_kib $CPID VmHWM)
SINK_SPANS=$(curl -fsS "http://127.0.0.1:$P_SINK/stats" | node -e '
  let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => {
    const j = JSON.parse(s); console.log(j.uncounted_requests.traces ? "n/a (zstd)" : j.items.traces, j.bytes.traces); });')
AGENT_IN=$(metric_sum "$P_AADM" 'vigil_agent_otlp_received_items_total{signal="traces"}')

awk -v acc="$ACCEPTED" -v agent_in="$AGENT_IN" -v exported="$exported" -v t0="$T0" -v ts="$T_SENT" \
    -v td="$T_DONE" -v a0="$A0" -v a1="$A1" -v c0="$C0" -v c1="$C1" -v s0="$S0" -v s1="$S1" \
    -v apeak="$A_PEAK" -v cpeak="$C_PEAK" -v retries="$RETRIES" -v sink="$SINK_SPANS" \
    -v lgcpu="$LG_CPU" -v per="$PER_REQ" -v conc="$CONC" -v comp="$COMPRESSION" 'BEGIN {
  m = acc / 1e6
  printf "workload              %d spans accepted by the agent (%d counted by it) in %d-span requests, %d connections\n", acc, agent_in, per, conc
  printf "collector -> sink     %d spans exported (%s), compression %s; sink count/bytes: %s\n", exported, "vigil_collector_exporter_sent_items_total", comp, sink
  printf "accepted              %.0f spans/s (%.2f s, 503/429 retries %d)\n", acc / (ts - t0), ts - t0, retries
  printf "end to end            %.0f spans/s (%.2f s until the collector exported the last span)\n", acc / (td - t0), td - t0
  printf "agent CPU             %.2f s = %.2f CPU-s per million spans\n", a1 - a0, (a1 - a0) / m
  printf "collector CPU         %.2f s = %.2f CPU-s per million spans\n", c1 - c0, (c1 - c0) / m
  printf "sink CPU (node)       %.2f s = %.2f CPU-s per million spans; load generator %.2f CPU-s per million\n", s1 - s0, (s1 - s0) / m, lgcpu / m
  printf "peak RSS              agent %.1f MiB, collector %.1f MiB\n", apeak / 1024, cpeak / 1024
}'
