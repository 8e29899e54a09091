#!/usr/bin/env bash
# A two-agent demo on loopback: builds vigil, starts one collector and two agents (each tailing
# its own log directory), runs vigil-loadgen into both directories (four services, a latency
# mix, an error spike partway through) and prints a per-service RED table every 5 seconds, read
# back from the collector's Prometheus page. The collector also evaluates an error-ratio alert
# rule and notifies a local Alertmanager (Debian's prometheus-alertmanager), so the spike fires
# an alert and resolves it. Ends after DEMO_SECONDS of load plus a short drain, then compares
# the collector's request counts with what loadgen wrote.
#
# Env: DEMO_SECONDS (default 120), DEMO_RATE lines/s per log (default 200), DEMO_SKIP_BUILD=1,
#      BUILD_DIR (default build/), DEMO_AGENT_CONFIG / DEMO_COLLECTOR_CONFIG (config files;
#      default: the first of config/{vigil-,}{agent,collector}.yaml that exists, else none).
# Everything lives in .demo/ under the repository (wiped at start). Only processes started
# here are stopped on exit.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${DEMO_SECONDS:-120}
rate=${DEMO_RATE:-200}
build_dir=${BUILD_DIR:-$repo/build}
work=$repo/.demo
poll=5
drain=15

[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "demo: DEMO_SECONDS must be a positive integer" >&2; exit 2; }
[[ $rate =~ ^[1-9][0-9]*$ ]] || { echo "demo: DEMO_RATE must be a positive integer" >&2; exit 2; }

if [[ ${DEMO_SKIP_BUILD:-0} != 1 ]]; then
  "$repo/scripts/install-deps.sh"
  "$repo/scripts/build.sh" "$build_dir" -DVIGIL_BUILD_BENCH=OFF
fi
collector_bin=$build_dir/collector/vigil-collector
agent_bin=$build_dir/agent/vigil-agent
loadgen_bin=$build_dir/tools/vigil-loadgen
for bin in "$collector_bin" "$agent_bin" "$loadgen_bin"; do
  [[ -x $bin ]] || { echo "demo: $bin is missing (build failed?)" >&2; exit 1; }
done

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$work"
mkdir -p "$work"/agent1/{logs,state} "$work"/agent2/{logs,state}

# A port nobody listens on now (the programs bind right after, so the window is tiny).
taken_ports=" "
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 12000))  # below the ephemeral range
    [[ $taken_ports == *" $port "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      taken_ports+="$port "
      echo "$port"
      return
    fi
  done
}
otlp_port=$(free_port)
prom_port=$(free_port)
am_port=$(free_port)
collector_admin=$(free_port)
agent1_admin=$(free_port)
agent2_admin=$(free_port)

find_config() {  # override candidates...
  local c
  if [[ -n $1 ]]; then echo "$1"; return; fi
  shift
  for c in "$@"; do [[ -f $repo/config/$c ]] && { echo "$repo/config/$c"; return; }; done
}
collector_config=$(find_config "${DEMO_COLLECTOR_CONFIG:-}" vigil-collector.yaml collector.yaml)
agent_config=$(find_config "${DEMO_AGENT_CONFIG:-}" vigil-agent.yaml agent.yaml)
collector_args=()
agent_args=()
am_bin=$(command -v prometheus-alertmanager || command -v alertmanager || true)
if [[ -z ${DEMO_COLLECTOR_CONFIG:-} && -n $collector_config ]]; then
  # The shipped config plus an alert rule sized for a short demo: error ratio over 15s above 5%
  # for 10s, evaluated every 5s.
  cat >"$work/demo.rules.yaml" <<'YAML'
groups:
  - name: demo-red
    rules:
      - record: service:http_request_error_ratio:rate15s
        expr: |
          sum by (service_name) (rate(http_server_request_errors_total[15s]))
            / on (service_name) sum by (service_name) (rate(http_server_request_duration_seconds_count[15s]))
      - alert: HighErrorRatio
        expr: service:http_request_error_ratio:rate15s > 0.05
        for: 10s
        labels: {severity: page}
        annotations:
          summary: "{{ $labels.service_name }}: {{ $value | humanizePercentage }} of requests fail"
YAML
  { cat "$collector_config"
    printf '\nrules:\n  files: [demo.rules.yaml]\n  evaluation_interval: 5s\n'
    printf '  state_file: %s/alerts.json\n' "$work"
    [[ -n $am_bin ]] && printf 'alerting:\n  urls: ["http://127.0.0.1:%s"]\n' "$am_port"
  } >"$work/collector.yaml"
  collector_config=$work/collector.yaml
fi
[[ -n $collector_config ]] && collector_args=(--config "$collector_config")
[[ -n $agent_config ]] && agent_args=(--config "$agent_config")

wait_ready() {  # name url pid log
  for _ in $(seq 1 60); do
    if ! kill -0 "$3" 2>/dev/null; then
      echo "demo: $1 exited during start-up; last lines of $4:" >&2
      tail -n 20 "$4" >&2
      exit 1
    fi
    curl -fsS -o /dev/null --max-time 1 "$2" 2>/dev/null && return 0
    sleep 0.25
  done
  echo "demo: $1 not ready after 15 s ($2); last lines of $4:" >&2
  tail -n 20 "$4" >&2
  exit 1
}

VIGIL_OTLP_ADDR=127.0.0.1:$otlp_port VIGIL_PROM_ADDR=127.0.0.1:$prom_port \
  VIGIL_COLLECTOR_ADMIN_ADDR=127.0.0.1:$collector_admin \
  "$collector_bin" "${collector_args[@]}" >"$work/collector.log" 2>&1 &
pids+=($!)
wait_ready collector "http://127.0.0.1:$collector_admin/readyz" $! "$work/collector.log"

for n in 1 2; do
  admin_var=agent${n}_admin
  VIGIL_AGENT_ID=demo-agent-$n VIGIL_STATE_DIR=$work/agent$n/state \
    VIGIL_LOG_GLOB="$work/agent$n/logs/*.jsonl" VIGIL_COLLECTOR_URL=http://127.0.0.1:$otlp_port \
    VIGIL_AGENT_ADMIN_ADDR=127.0.0.1:${!admin_var} \
    VIGIL_AGENT_OTLP_ADDR=127.0.0.1:$(free_port) VIGIL_AGENT_OTLP_GRPC_ADDR=127.0.0.1:$(free_port) \
    "$agent_bin" "${agent_args[@]}" >"$work/agent$n.log" 2>&1 &
  pids+=($!)
  wait_ready "agent $n" "http://127.0.0.1:${!admin_var}/readyz" $! "$work/agent$n.log"
done

am_url=""
if [[ -n $am_bin && $collector_config == "$work/collector.yaml" ]]; then
  printf 'route: {receiver: demo, group_wait: 1s, group_interval: 5s, repeat_interval: 1h}\nreceivers: [{name: demo}]\n' >"$work/alertmanager.yml"
  "$am_bin" --config.file="$work/alertmanager.yml" --storage.path="$work/alertmanager" \
    --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= >"$work/alertmanager.log" 2>&1 &
  pids+=($!)
  wait_ready alertmanager "http://127.0.0.1:$am_port/-/ready" $! "$work/alertmanager.log"
  am_url=http://127.0.0.1:$am_port
fi

spike_at=$((seconds * 2 / 5))
spike_len=$((seconds / 6 > 5 ? seconds / 6 : 5))
loadgen_pids=()
for n in 1 2; do
  # Same services on both "hosts" (two replicas), different seeds: the collector must merge.
  "$loadgen_bin" --out "$work/agent$n/logs/app.jsonl" --rate "$rate" --duration "$seconds" \
    --seed "$n" --services 4 --error-ratio 0.01 --spike-at "$spike_at" \
    --spike-duration "$spike_len" --spike-error-ratio 0.25 --spike-latency-factor 2 \
    --rotate-every $((rate * 60)) --truth "$work/agent$n/truth.json" \
    >"$work/loadgen$n.log" 2>&1 &
  pids+=($!)
  loadgen_pids+=($!)
done

page_url=http://127.0.0.1:$prom_port/metrics
cat <<INFO

vigil demo running for ${seconds}s (+${drain}s drain), ${rate} lines/s into each of 2 logs;
error spike (25% 5xx, 2x latency) from ${spike_at}s to $((spike_at + spike_len))s.
  collector Prometheus page  $page_url
  collector admin            http://127.0.0.1:$collector_admin/metrics  /healthz  /readyz
  agent 1 admin              http://127.0.0.1:$agent1_admin/metrics
  agent 2 admin              http://127.0.0.1:$agent2_admin/metrics
  collector OTLP/HTTP        http://127.0.0.1:$otlp_port/v1/metrics
  Alertmanager               ${am_url:-not started (prometheus-alertmanager missing or own config)}
  logs written               $work/agent1/logs/app.jsonl, $work/agent2/logs/app.jsonl
  program logs               $work/{collector,agent1,agent2,loadgen1,loadgen2}.log
  config                     collector: ${collector_config:-built-in defaults}, agent: ${agent_config:-built-in defaults}
Table: req/s and err% from deltas of _count / errors_total between polls; p50/p95/p99
interpolated from the summed deltas of the classic _bucket series of all routes (what
histogram_quantile does, at bucket resolution); win-p99 = the collector's last-minute window
p99 gauge of the service's busiest series (route + status). Ctrl-C stops early.
INFO

state=$work/table.state
: >"$state"
last=$(date +%s.%N)
start=$last
deadline=$(( $(date +%s) + seconds + drain ))
load_done_at=""
while :; do
  sleep "$poll"
  for n in 1 2; do
    kill -0 "${pids[n]}" 2>/dev/null || { echo "demo: agent $n died; see $work/agent$n.log" >&2; tail -n 20 "$work/agent$n.log" >&2; exit 1; }
  done
  kill -0 "${pids[0]}" 2>/dev/null || { echo "demo: collector died; see $work/collector.log" >&2; tail -n 20 "$work/collector.log" >&2; exit 1; }
  now=$(date +%s.%N)
  dt=$(awk -v a="$last" -v b="$now" 'BEGIN { printf "%.3f", b - a }')
  elapsed=$(awk -v a="$start" -v b="$now" 'BEGIN { printf "%.0f", b - a }')
  last=$now
  if ! curl -fsS --max-time 3 "$page_url" -o "$work/page.txt"; then
    echo "demo: could not read $page_url" >&2
    continue
  fi
  phase=load
  (( elapsed >= spike_at && elapsed < spike_at + spike_len )) && phase="load, ERROR SPIKE"
  (( elapsed >= seconds )) && phase=drain
  echo
  echo "--- t=${elapsed}s ($phase) ---"
  awk -v prev="$state" -v state_out="$state.new" -v dt="$dt" -f "$repo/scripts/red_table.awk" \
    "$state" "$work/page.txt"
  mv "$state.new" "$state"
  # Alerts as the collector evaluates them (ALERTS on its page) and as Alertmanager holds them.
  alerts=$({ grep '^ALERTS{' "$work/page.txt" || true; } |
    sed -E 's/^ALERTS\{(.*)\} .*/\1/; s/.*alertname="([^"]*)".*alertstate="([^"]*)".*service_name="([^"]*)".*/\1 \3 \2/' |
    sort | awk '{ printf "%s%s(%s) %s", sep, $1, $2, $3; sep = ", " }')
  if [[ -n $am_url ]]; then
    in_am=$(curl -fsS --max-time 2 "$am_url/api/v2/alerts" 2>/dev/null |
      jq -r '[.[] | .labels.alertname + "(" + (.labels.service_name // "") + ")"] | join(", ")' 2>/dev/null || true)
    echo "alerts: ${alerts:-none}; in Alertmanager: ${in_am:-none}"
  else
    echo "alerts: ${alerts:-none}"
  fi
  (( $(date +%s) >= deadline )) && break
done

# Every loadgen has finished by now; its truth file holds exactly what it wrote.
for pid in "${loadgen_pids[@]}"; do wait "$pid" || echo "demo: a loadgen failed; see $work/loadgen*.log" >&2; done
echo
echo "--- end of run: requests per service, written by loadgen vs counted by the collector ---"
jq -r '.services[] | "\(.service)\t\(.count)\t\(.errors)"' "$work"/agent{1,2}/truth.json |
  awk -F'\t' -v page="$work/page.txt" '
    { written[$1] += $2; werr[$1] += $3 }
    END {
      while ((getline line < page) > 0) {
        if (line !~ /^http_server_request_(duration_seconds_count|errors_total)\{/) continue
        n = split(line, f, " "); v = f[n]
        i = index(line, "service_name=\""); s = substr(line, i + 14); s = substr(s, 1, index(s, "\"") - 1)
        if (line ~ /^http_server_request_duration_seconds_count/) seen[s] += v; else serr[s] += v
      }
      printf "%-12s %10s %10s %10s %10s\n", "service", "written", "collector", "errors", "collector"
      ok = 1
      for (s in written) {
        printf "%-12s %10d %10d %10d %10d\n", s, written[s], seen[s], werr[s], serr[s]
        if (written[s] != seen[s] || werr[s] != serr[s]) ok = 0
      }
      print ok ? "exact match" : "MISMATCH (agents may still be flushing, or data was lost)"
    }'
