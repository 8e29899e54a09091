#!/usr/bin/env bash
# Agent throughput, end to end: a generated file of ~200-byte JSON lines (default 1 GiB) is
# tailed by vigil-agent (metrics derived, raw lines forwarded as OTLP logs, zstd) into a
# vigil-collector on loopback, from start until every line is acknowledged by the collector.
# Prints MB/s, lines/s, CPU-seconds per GB for agent and collector, their peak RSS, and their
# idle RSS. With mtail installed (Debian package) and BENCH_MTAIL=1, mtail (regex, counter +
# histogram, no forwarding) runs over the same file in the same run as a baseline.
# Usage: bench/agent_throughput.sh BUILD_DIR [SIZE]   (SIZE as loadgen --bytes, default 1GiB)
set -euo pipefail
BUILD=$(cd "${1:?usage: agent_throughput.sh BUILD_DIR [SIZE]}" && pwd)
SIZE=${2:-1GiB}
SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/vigil-bench.XXXXXX)
DATA_DIR=${BENCH_DATA_DIR:-$BUILD/bench-data}
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
port() { local p; while :; do p=$((20000 + RANDOM % 12000)); (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo $p; return; }; done; }
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
rss_kib() { awk -v k="$2" '$1 == k ":" {print $2}' "/proc/$1/status"; }
metric() { curl -fsS "http://127.0.0.1:$1/metrics" | awk -v m="$2" 'index($0, m " ") == 1 {printf "%d\n", $2}'; }

mkdir -p "$DATA_DIR"
DATA=$DATA_DIR/lines-$SIZE.jsonl
AGENT_ARGS=()
[ -n "${BENCH_AGENT_CONFIG:-}" ] && AGENT_ARGS=(--config "$BENCH_AGENT_CONFIG")
if [ ! -s "$DATA" ]; then
  echo "generating $SIZE of JSON lines into $DATA"
  "$BUILD/tools/vigil-loadgen" --out "$DATA.tmp" --bytes "$SIZE" --seed 42 --error-ratio 0.02 --quiet
  mv "$DATA.tmp" "$DATA"
fi
BYTES=$(stat -c %s "$DATA")
LINES=$(wc -l <"$DATA")
P_OTLP=$(port); P_PROM=$(port); P_CADM=$(port); P_AADM=$(port)
VIGIL_OTLP_ADDR=127.0.0.1:$P_OTLP VIGIL_PROM_ADDR=127.0.0.1:$P_PROM VIGIL_COLLECTOR_ADMIN_ADDR=127.0.0.1:$P_CADM \
  "$BUILD/collector/vigil-collector" --log-level warn >"$WORK/collector.log" 2>&1 &
CPID=$!; PIDS+=($CPID)
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$P_CADM/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

# Idle RSS of the agent: started on an empty directory first.
mkdir -p "$WORK/empty"
VIGIL_STATE_DIR=$WORK/state-idle VIGIL_LOG_GLOB="$WORK/empty/*.jsonl" VIGIL_COLLECTOR_URL=http://127.0.0.1:$P_OTLP \
  VIGIL_AGENT_ADMIN_ADDR=127.0.0.1:$P_AADM "$BUILD/agent/vigil-agent" --log-level warn >"$WORK/agent-idle.log" 2>&1 &
IPID=$!; PIDS+=($IPID)
sleep 3
AGENT_IDLE=$(rss_kib $IPID VmRSS); COLLECTOR_IDLE=$(rss_kib $CPID VmRSS)
kill -TERM $IPID; wait $IPID || true

C0=$(cpu_seconds $CPID)
T0=$(date +%s.%N)
VIGIL_STATE_DIR=$WORK/state VIGIL_LOG_GLOB="$DATA" VIGIL_COLLECTOR_URL=http://127.0.0.1:$P_OTLP \
  VIGIL_AGENT_ADMIN_ADDR=127.0.0.1:$P_AADM "$BUILD/agent/vigil-agent" "${AGENT_ARGS[@]}" --log-level warn >"$WORK/agent.log" 2>&1 &
APID=$!; PIDS+=($APID)
LIMIT=${BENCH_TIMEOUT:-600}
last=-1
while :; do
  acked=$(metric $P_AADM 'vigil_agent_sent_items_total{signal="logs"}' 2>/dev/null || echo 0)
  [ "${acked:-0}" -ge "$LINES" ] && break
  now=$(date +%s.%N)
  if awk -v a="$T0" -v b="$now" -v l="$LIMIT" 'BEGIN {exit !(b - a > l)}'; then
    echo "timed out after ${LIMIT}s with $acked of $LINES lines acknowledged" >&2; exit 1
  fi
  if [ "$acked" != "$last" ] && [ -t 1 ]; then printf '\r%d / %d lines acknowledged' "${acked:-0}" "$LINES"; last=$acked; fi
  sleep 0.05
done
T1=$(date +%s.%N)
[ -t 1 ] && echo
A_CPU=$(cpu_seconds $APID); C_CPU=$(awk -v a="$(cpu_seconds $CPID)" -v b="$C0" 'BEGIN {print a - b}')
A_PEAK=$(rss_kib $APID VmHWM); C_PEAK=$(rss_kib $CPID VmHWM)
REQS=$(metric $P_AADM vigil_agent_requests_derived_total)

awk -v bytes="$BYTES" -v lines="$LINES" -v t0="$T0" -v t1="$T1" -v acpu="$A_CPU" -v ccpu="$C_CPU" \
    -v apeak="$A_PEAK" -v cpeak="$C_PEAK" -v aidle="$AGENT_IDLE" -v cidle="$COLLECTOR_IDLE" -v reqs="$REQS" 'BEGIN {
  secs = t1 - t0; gb = bytes / 1e9
  printf "input                 %.3f GB, %d lines (%.0f bytes/line), %d requests derived\n", gb, lines, bytes / lines, reqs
  printf "wall time             %.2f s (start to every line acknowledged)\n", secs
  printf "throughput            %.1f MB/s, %.0f lines/s\n", bytes / 1e6 / secs, lines / secs
  printf "agent CPU             %.2f s = %.2f CPU-s/GB = %.1f MB/s per core\n", acpu, acpu / gb, bytes / 1e6 / acpu
  printf "collector CPU         %.2f s = %.2f CPU-s/GB\n", ccpu, ccpu / gb
  printf "peak RSS              agent %.1f MiB, collector %.1f MiB\n", apeak / 1024, cpeak / 1024
  printf "idle RSS              agent %.1f MiB, collector %.1f MiB\n", aidle / 1024, cidle / 1024
}'

if [ "${BENCH_MTAIL:-0}" = 1 ] && command -v mtail >/dev/null; then
  cat >"$WORK/red.mtail" <<'MTAIL'
counter requests_total by service, route, status
histogram request_duration_seconds by service, route buckets 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
/"service":"(?P<service>[^"]*)","route":"(?P<route>[^"]*)","status":(?P<status>\d+),"duration_ms":(?P<ms>[0-9.]+)/ {
  requests_total[$service][$route][$status]++
  request_duration_seconds[$service][$route] = float($ms) / 1000.0
}
MTAIL
  MT0=$(date +%s.%N)
  mtail --progs "$WORK/red.mtail" --logs "$DATA" --one_shot --one_shot_format=prometheus >"$WORK/mtail.out" 2>"$WORK/mtail.log" &
  MPID=$!
  peak=0; cpu=0
  while kill -0 $MPID 2>/dev/null; do
    r=$(rss_kib $MPID VmHWM 2>/dev/null || echo 0); [ "${r:-0}" -gt "$peak" ] && peak=$r
    c=$(cpu_seconds $MPID 2>/dev/null || echo "$cpu"); cpu=$c
    sleep 0.2
  done
  wait $MPID || true
  awk -v bytes="$BYTES" -v cpu="$cpu" -v peak="$peak" -v acpu="$A_CPU" 'BEGIN {
    gb = bytes / 1e9
    printf "mtail (same file)     %.2f CPU-s/GB (at least; sampled), peak RSS %.1f MiB; vigil agent uses %.2fx its CPU\n", cpu / gb, peak / 1024, acpu / cpu
  }'
fi
