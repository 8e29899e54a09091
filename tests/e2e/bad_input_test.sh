#!/usr/bin/env bash
# Bad input against the real programs on loopback. Agent: a malformed JSON line, a line over
# tail.max_line_bytes, binary garbage, and a file deleted while tailed are each counted with
# their reason, and every valid request around them is still counted exactly; SIGTERM delivers
# what was read even though the flush interval has not come. Collector: a zstd bomb, a wrong
# Content-Type and a truncated protobuf are refused with a clear 4xx while the data it already
# merged stays intact and it keeps serving.
# Usage: bad_input_test.sh BUILD_DIR
BUILD=$(cd "${1:?usage: bad_input_test.sh BUILD_DIR}" && pwd)
WORK=$(mktemp -d /tmp/vigil-bad.XXXXXX)
source "$(dirname "$0")/lib.sh"

AGENT=$BUILD/agent/vigil-agent
COLLECTOR=$BUILD/collector/vigil-collector
P_OTLP=$(free_port); P_PROM=$(free_port); P_CADM=$(free_port); P_A=$(free_port)
mkdir -p "$WORK/logs"

cat >"$WORK/collector.yaml" <<YAML
admin: {listen: "127.0.0.1:$P_CADM"}
otlp: {listen: "127.0.0.1:$P_OTLP", max_body_bytes: 1MiB, max_decompressed_bytes: 4MiB}
prometheus: {listen: "127.0.0.1:$P_PROM"}
YAML
# A long flush interval: only the shutdown flush can deliver the last lines in time.
cat >"$WORK/agent.yaml" <<YAML
agent: {id: bad, state_dir: "$WORK/state"}
admin: {listen: "127.0.0.1:$P_A"}
tail: {include: ["$WORK/logs/*.jsonl"], scan_interval: 100ms, max_line_bytes: 4KiB, rotated_drain_timeout: 500ms}
forward: {endpoint: "http://127.0.0.1:$P_OTLP", flush_interval: 1s}
shutdown: {deadline: 15s}
YAML

# A config error stops start-up with file, line, column and what was expected.
printf 'agent:\n  state_dir: /tmp/x\ntail:\n  include: [/tmp/x/*.log]\n  max_line_bytes: huge\n' >"$WORK/broken.yaml"
if "$AGENT" --config "$WORK/broken.yaml" >"$WORK/broken.out" 2>&1; then fail "agent started with a broken config"; fi
grep -q "broken.yaml:5:19: tail.max_line_bytes: expected a size" "$WORK/broken.out" ||
  fail "unclear config error: $(cat "$WORK/broken.out")"
if "$AGENT" --config "$WORK/broken.yaml" --check-config >/dev/null 2>&1; then fail "--check-config accepted a broken config"; fi
echo "config error: $(cat "$WORK/broken.out")"

start collector "$COLLECTOR" --config "$WORK/collector.yaml"; COLLECTOR_PID=$LAST_PID
wait_for 20 "collector ready" http_ok "http://127.0.0.1:$P_CADM/readyz"
start agent "$AGENT" --config "$WORK/agent.yaml"; AGENT_PID=$LAST_PID
wait_for 20 "agent ready" http_ok "http://127.0.0.1:$P_A/readyz"

line() { printf '{"ts":"2026-11-23T10:00:00.000Z","level":"%s","service":"svc","route":"%s","status":%d,"duration_ms":%s}\n' "$@"; }
F=$WORK/logs/app.jsonl
{
  line info /ok 200 10
  echo '{"service":"svc","route":"/broken", "status":200, "duration_ms": 5'   # truncated JSON
  line info /ok 200 11
  printf '{"msg":"%s"}\n' "$(head -c 6000 /dev/zero | tr '\0' x)"          # over 4KiB
  line error /ok 200 12
  head -c 300 /dev/urandom | tr -d '\n'; echo                              # binary garbage
  line info /ok 503 13
} >>"$F"

# A second file that is deleted while tailed: its lines must still be counted.
G=$WORK/logs/gone.jsonl
for i in $(seq 1 50); do line info /gone 200 "$i"; done >"$G"
sleep 0.5
rm -f "$G"

PAGE="http://127.0.0.1:$P_PROM/metrics"
count_of() { page_values "$PAGE" http_server_request_duration_seconds_count | awk -v k="$1" '$1 == k {print $2}'; }
errors_of() { page_values "$PAGE" http_server_request_errors_total | awk -v k="$1" '$1 == k {print $2}'; }
expect_count() { [ "$(count_of "$1")" = "$2" ]; }
wait_for 20 "3 /ok 200 requests" expect_count "svc|/ok|200" 3
wait_for 20 "1 /ok 503 request" expect_count "svc|/ok|503" 1
wait_for 20 "50 requests from the deleted file" expect_count "svc|/gone|200" 50
[ "$(errors_of 'svc|/ok|200')" = 1 ] || fail "level=error line not counted as an error"
[ "$(errors_of 'svc|/ok|503')" = 1 ] || fail "status 503 not counted as an error"
[ -z "$(count_of 'svc|/broken|200')" ] || fail "the truncated line was turned into a request"

AM=$(curl -fsS "http://127.0.0.1:$P_A/metrics")
dropped() { echo "$AM" | awk -v r="$1" 'index($0, "vigil_agent_dropped_total{reason=\"" r "\"}") == 1 {print $2}'; }
[ "$(dropped malformed_json)" = 2 ] || fail "malformed_json drops: $(dropped malformed_json), want 2 (truncated + garbage)"
[ "$(dropped line_too_long)" = 1 ] || fail "line_too_long drops: $(dropped line_too_long), want 1"
grep -q "line longer than tail.max_line_bytes" "$WORK/agent.log" || fail "line_too_long was not logged"
echo "agent: bad lines counted by reason, valid lines exact"

# Collector bad requests; the merged series must be intact afterwards.
post() { curl -s -o "$WORK/resp.txt" -w '%{http_code}' "http://127.0.0.1:$P_OTLP/v1/metrics" "$@"; }
head -c $((64 << 20)) /dev/zero | zstd -q -c >"$WORK/bomb.zst"
code=$(post -H 'Content-Type: application/x-protobuf' -H 'Content-Encoding: zstd' --data-binary @"$WORK/bomb.zst")
[ "$code" = 413 ] || fail "zstd bomb: HTTP $code, want 413 ($(cat "$WORK/resp.txt"))"
echo "zstd bomb -> $code: $(head -c 200 "$WORK/resp.txt")"
code=$(post -H 'Content-Type: text/plain' --data-binary 'hello')
[ "$code" = 415 ] || fail "wrong content type: HTTP $code, want 415"
echo "text/plain -> $code: $(head -c 200 "$WORK/resp.txt")"
printf '\x0a\xff\x01\x0a' >"$WORK/trunc.pb"
code=$(post -H 'Content-Type: application/x-protobuf' --data-binary @"$WORK/trunc.pb")
[ "$code" = 400 ] || fail "truncated protobuf: HTTP $code, want 400"
echo "truncated protobuf -> $code: $(head -c 200 "$WORK/resp.txt")"
expect_count "svc|/ok|200" 3 || fail "merged data changed after bad requests"
collector_page=$(curl -fsS "http://127.0.0.1:$P_CADM/metrics")
grep -q 'vigil_collector_rejected_requests_total{reason="decompressed_too_large"} 1' <<<"$collector_page" ||
  fail "the bomb was not counted"
grep -q "refused POST /v1/metrics from .* with HTTP 413: decompressed zstd body exceeds" "$WORK/collector.log" ||
  fail "the refused bomb was not logged with its reason"

# SIGTERM delivers lines read since the last flush.
for i in $(seq 1 40); do line info /late 200 "$i"; done >>"$F"
wait_for 10 "agent to read the late lines" bash -c "curl -fsS http://127.0.0.1:$P_A/metrics | grep -q '^vigil_agent_requests_derived_total 9[0-9]'"
stop_pid "$AGENT_PID"; rc=$STOP_RC; [ "$rc" = 0 ] || fail "agent exited $rc on SIGTERM"
[ "$(count_of 'svc|/late|200')" = 40 ] || fail "late lines after SIGTERM: $(count_of 'svc|/late|200'), want 40"
grep -q "all batches acknowledged" "$WORK/agent.log" || fail "agent did not report a clean flush"
stop_pid "$COLLECTOR_PID"; rc=$STOP_RC; [ "$rc" = 0 ] || fail "collector exited $rc on SIGTERM"
echo "PASS bad_input_test"
