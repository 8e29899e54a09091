#!/usr/bin/env bash
# End to end alerting on loopback: two agents tail request logs whose error ratio jumps from
# 0.5% to 20% for a while; the collector evaluates a Prometheus rule file
# (error ratio > 5% for 30s, per service) and notifies a real Alertmanager.
# Asserts: the alert reaches Alertmanager no earlier than `for` after the jump and no later than
# `for` + two evaluation intervals (+ the rule's 10s rate window to see the jump); the rule file
# passes promtool check rules and vigil-collector check-rules; a SIGHUP with a broken rule file
# keeps the old rules running and says why; a collector restart while the alert fires goes
# straight back to firing (never pending) and Alertmanager never sees it resolved; the alert
# resolves in Alertmanager after the spike ends.
# Usage: alerting_test.sh BUILD_DIR
BUILD=$(cd "${1:?usage: alerting_test.sh BUILD_DIR}" && pwd)
WORK=$(mktemp -d /tmp/vigil-alert.XXXXXX)
source "$(dirname "$0")/lib.sh"

AGENT=$BUILD/agent/vigil-agent
COLLECTOR=$BUILD/collector/vigil-collector
LOADGEN=$BUILD/tools/vigil-loadgen
AM=$(command -v prometheus-alertmanager || command -v alertmanager || true)
for b in "$AGENT" "$COLLECTOR" "$LOADGEN"; do [ -x "$b" ] || fail "missing $b"; done
[ -n "$AM" ] || fail "prometheus-alertmanager is not installed (scripts/install-deps.sh)"
command -v promtool >/dev/null || fail "promtool is not installed (scripts/install-deps.sh)"

INTERVAL=5     # rules.evaluation_interval, seconds
FOR=30         # the rule's `for`
WINDOW=10      # the rule's rate window
SPIKE_AT=15    # seconds after the load starts (loadgen's clock is the wall clock at --rate)
SPIKE_LEN=85   # long enough for the fire, reload and restart checks to happen inside it

P_OTLP=$(free_port); P_PROM=$(free_port); P_CADM=$(free_port)
P_A=$(free_port); P_B=$(free_port); P_AM=$(free_port)
mkdir -p "$WORK"/logs-a "$WORK"/logs-b "$WORK/am"

cat >"$WORK/rules.yaml" <<YAML
groups:
  - name: red
    rules:
      - record: service:request_errors:ratio_rate10s
        expr: |
          sum by (service_name) (rate(http_server_request_errors_total[${WINDOW}s]))
            / sum by (service_name) (rate(http_server_request_duration_seconds_count[${WINDOW}s]))
      - alert: HighErrorRatio
        expr: service:request_errors:ratio_rate10s > 0.05
        for: ${FOR}s
        labels: {severity: page}
        annotations:
          summary: "{{ \$labels.service_name }}: {{ \$value | humanizePercentage }} of requests fail"
YAML
cp "$WORK/rules.yaml" "$WORK/rules.good"
promtool check rules "$WORK/rules.yaml" >/dev/null || fail "promtool rejects the rule file"
"$COLLECTOR" check-rules "$WORK/rules.yaml" >"$WORK/check.out" || fail "check-rules: $(cat "$WORK/check.out")"
grep -q "SUCCESS: 2 rules found" "$WORK/check.out" || fail "check-rules said: $(cat "$WORK/check.out")"

cat >"$WORK/am.yml" <<YAML
route: {receiver: sink, group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
receivers: [{name: sink}]
YAML
start alertmanager "$AM" --config.file="$WORK/am.yml" --storage.path="$WORK/am" \
  --web.listen-address="127.0.0.1:$P_AM" --cluster.listen-address=
wait_for 30 "alertmanager ready" http_ok "http://127.0.0.1:$P_AM/-/ready"

cat >"$WORK/collector.yaml" <<YAML
admin: {listen: "127.0.0.1:$P_CADM"}
otlp: {listen: "127.0.0.1:$P_OTLP"}
prometheus: {listen: "127.0.0.1:$P_PROM"}
rules:
  files: [rules.yaml]
  evaluation_interval: ${INTERVAL}s
  state_file: "$WORK/alert-state.json"
  external_labels: {cluster: e2e}
alerting:
  urls: ["http://127.0.0.1:$P_AM"]
YAML
for x in a b; do
  port=$P_A; [ $x = b ] && port=$P_B
  cat >"$WORK/agent-$x.yaml" <<YAML
agent: {id: "agent-$x", state_dir: "$WORK/state-$x"}
admin: {listen: "127.0.0.1:$port"}
tail: {include: ["$WORK/logs-$x/app.jsonl"], scan_interval: 200ms}
forward: {endpoint: "http://127.0.0.1:$P_OTLP", flush_interval: 500ms}
YAML
done
"$COLLECTOR" --config "$WORK/collector.yaml" --check-config >/dev/null || fail "collector config rejected"

start collector "$COLLECTOR" --config "$WORK/collector.yaml"; COLLECTOR_PID=$LAST_PID
wait_for 20 "collector ready" http_ok "http://127.0.0.1:$P_CADM/readyz"
start agent-a "$AGENT" --config "$WORK/agent-a.yaml"
start agent-b "$AGENT" --config "$WORK/agent-b.yaml"
wait_for 20 "agent a ready" http_ok "http://127.0.0.1:$P_A/readyz"
wait_for 20 "agent b ready" http_ok "http://127.0.0.1:$P_B/readyz"

now() { date +%s.%N; }
T0=$(now)
for x in a b; do
  seed=1; [ $x = b ] && seed=2
  start loadgen-$x "$LOADGEN" --out "$WORK/logs-$x/app.jsonl" --rate 400 --duration 125 --seed $seed \
    --services 2 --error-ratio 0.005 --spike-at $SPIKE_AT --spike-duration $SPIKE_LEN \
    --spike-error-ratio 0.2
done
JUMP=$(echo "$T0 + $SPIKE_AT" | bc)

# The checkout alert as Alertmanager holds it: "active", "resolved"-ish absence, or nothing.
am_alert() {
  curl -fsS --max-time 2 "http://127.0.0.1:$P_AM/api/v2/alerts?filter=alertname%3D%22HighErrorRatio%22&filter=service_name%3D%22checkout%22" 2>/dev/null |
    jq -r '.[0] | if . == null then "none" else .status.state end' 2>/dev/null || echo none
}
am_firing() { [ "$(am_alert)" = active ]; }
page() { curl -fsS --max-time 2 "http://127.0.0.1:$P_PROM/metrics" 2>/dev/null || true; }

# 1. Fires: not before the jump + for, within for + two evaluation intervals (+ the window).
EARLIEST=$(echo "$JUMP + $FOR" | bc)
LATEST=$(echo "$JUMP + $FOR + 2 * $INTERVAL + $WINDOW" | bc)
until am_firing; do
  if [ "$(echo "$(now) > $LATEST + 5" | bc)" = 1 ]; then fail "no alert in Alertmanager $(echo "$(now) - $JUMP" | bc)s after the jump"; fi
  sleep 0.2
done
FIRED=$(now)
DELAY=$(echo "$FIRED - $JUMP" | bc)
printf 'alert in Alertmanager %.1fs after the error ratio jumped (for: %ss, interval: %ss)\n' "$DELAY" $FOR $INTERVAL
page | grep '^service:request_errors' || true
[ "$(echo "$FIRED >= $EARLIEST" | bc)" = 1 ] || fail "alert arrived before for had passed (${DELAY}s)"
[ "$(echo "$FIRED <= $LATEST" | bc)" = 1 ] || fail "alert arrived ${DELAY}s after the jump, later than for + 2 intervals + window"
AM_JSON=$(curl -fsS "http://127.0.0.1:$P_AM/api/v2/alerts?filter=service_name%3D%22checkout%22")
echo "$AM_JSON" | jq -e '.[0].labels.severity == "page" and .[0].labels.cluster == "e2e" and
  (.[0].annotations.summary | test("^checkout: [0-9.]+% of requests fail$")) and
  (.[0].generatorURL | length > 0)' >/dev/null || fail "alert content: $AM_JSON"
page | grep -q '^ALERTS{.*alertstate="firing".*service_name="checkout"' || fail "ALERTS firing missing from the page"

# 2. SIGHUP with a broken rule file: refused, old rules keep running.
printf 'groups:\n  - name: red\n    rules:\n      - alert: Broken\n        expr: sum(rate(x[5m]) by\n' >"$WORK/rules.yaml"
kill -HUP "$COLLECTOR_PID"
wait_for 10 "reload refusal in the log" grep -q "reload failed" "$WORK/collector.log"
grep "reload failed" "$WORK/collector.log" | grep -q "rules.yaml:5" || fail "reload error does not name file:line: $(grep 'reload failed' "$WORK/collector.log")"
cp "$WORK/rules.good" "$WORK/rules.yaml"
sleep $INTERVAL
am_firing || fail "alert no longer firing after a refused reload"

# 3. Restart while firing: straight back to firing, never pending, never resolved in AM.
stop_pid "$COLLECTOR_PID"
[ "$STOP_RC" = 0 ] || fail "collector exited $STOP_RC on SIGTERM"
jq -e '.' "$WORK/alert-state.json" >/dev/null || fail "alert state file is not JSON"
start collector2 "$COLLECTOR" --config "$WORK/collector.yaml"; COLLECTOR_PID=$LAST_PID
wait_for 20 "collector ready again" http_ok "http://127.0.0.1:$P_CADM/readyz"
SEEN_FIRING=0
SPIKE_END=$(echo "$T0 + $SPIKE_AT + $SPIKE_LEN" | bc)
CHECK_UNTIL=$(echo "$(now) + 3 * $INTERVAL" | bc)   # three evaluations of the new process
[ "$(echo "$CHECK_UNTIL < $SPIKE_END" | bc)" = 1 ] ||
  fail "the run is too slow for its timeline: the restart check would outlast the spike"
while [ "$(echo "$(now) < $CHECK_UNTIL" | bc)" = 1 ]; do
  P=$(page)
  if echo "$P" | grep -q '^ALERTS{.*alertstate="pending".*service_name="checkout"'; then
    fail "after the restart the alert went back to pending"
  fi
  echo "$P" | grep -q '^ALERTS{.*alertstate="firing".*service_name="checkout"' && SEEN_FIRING=1
  [ "$(am_alert)" = active ] || fail "Alertmanager lost or resolved the alert across the restart ($(am_alert))"
  sleep 0.25
done
[ $SEEN_FIRING = 1 ] || fail "the restarted collector never showed the alert firing"
echo "restart: alert stayed firing"

# 4. Resolves after the spike ends.
DEADLINE=$(echo "$SPIKE_END + $WINDOW + 3 * $INTERVAL + 5" | bc)
while am_firing; do
  [ "$(echo "$(now) < $DEADLINE" | bc)" = 1 ] || fail "alert still active $(echo "$(now) - $SPIKE_END" | bc)s after the spike ended"
  sleep 0.5
done
printf 'resolved in Alertmanager %.1fs after the spike ended\n' "$(echo "$(now) - $SPIKE_END" | bc)"
stop_pid "$COLLECTOR_PID"
[ "$STOP_RC" = 0 ] || fail "collector exited $STOP_RC on SIGTERM"
echo "PASS alerting"
