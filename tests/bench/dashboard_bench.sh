#!/usr/bin/env bash
# The dashboard in headless chromium (tests/tools/dashboard_check.mjs, playwright-core): page load
# to the first services table, and log latency (a request to a fixture that prints a line for
# it -> the line visible in the page's DOM), median of ROUNDS each. Baseline in the same run:
# `curl` of the same run's GET /services (the JSON the table is drawn from, without a browser).
# Then the same at SERVICES services (default 200: the fixture and SERVICES-1 `sleep`s), where
# "usable" is measured too: the page's Total Blocking Time (the main thread's time beyond 50 ms
# in each long task) over the load and the pokes, and a restart by the keyboard.
#
#   tests/bench/dashboard_bench.sh BUILD_DIR [ROUNDS] [SERVICES]    (default 10, 200)
#
# Needs node with tests/tools/node_modules (npm ci there) and /usr/bin/chromium. One httpserver
# fixture on a loopback port from the kernel; bounded (60 s to ready, 120 s for the browser);
# stops only what it started.
set -euo pipefail

build=${1:?usage: dashboard_bench.sh BUILD_DIR [ROUNDS] [SERVICES]}
rounds=${2:-10}
many=${3:-200}
golaunch=$(realpath "$build/golaunch")
server=$(realpath "$build/tests/fixtures/httpserver")
here=$(cd "$(dirname "$0")" && pwd)
tools=$(cd "$here/../tools" && pwd)
# shellcheck source=tests/bench/bench_lib.sh
source "$here/bench_lib.sh"

work=$(mktemp -d)
run_pid=
stop_run() {
    [[ -z $run_pid ]] || kill -INT "$run_pid" 2>/dev/null || true
    [[ -z $run_pid ]] || wait "$run_pid" 2>/dev/null || true
    run_pid=
}
cleanup() {
    stop_run
    rm -rf "$work"
}
trap cleanup EXIT

# measure SERVICES: a run of the fixture and SERVICES-1 sleeps with --dashboard; prints
# "load log log_max curl blocking rounds" (medians, ms) on stdout.
measure() {
    local count=$1 port url base token seen
    port=$(free_ports 1)
    {
        printf 'version = 1\nname = "dashbench"\n[services.web]\n'
        printf 'cmd = ["%s", "-name", "web", "-log-requests", "-addr", "127.0.0.1:${port}"]\n' "$server"
        printf 'ports = { http = %s }\n' "$port"
        for i in $(seq 2 "$count"); do
            printf '[services.s%03d]\nshell = "exec sleep 600"\nrestart = "no"\n' "$i"
        done
    } >"$work/golaunch.toml"
    rm -f "$work/run.log"
    (cd "$work" && exec "$golaunch" run --json --dashboard >"$work/run.log" 2>&1) &
    run_pid=$!
    wait_for_event "$work/run.log" all_ready 120 || { echo "$count services not ready in 120 s" >&2; exit 1; }
    url=$(grep -o '"url":"http://127.0.0.1:[0-9]*/?token=[0-9a-f]*"' "$work/run.log" | head -1 | cut -d'"' -f4)
    base=${url%%\?*}
    token=${url##*=}
    local json_ms=()
    for _ in $(seq "$rounds"); do
        json_ms+=("$(curl -s -o /dev/null -w '%{time_total}' -b "golaunch_token=$token" "${base}services" |
            awk '{printf "%.1f", $1 * 1000}')")
    done
    local restart=
    [[ $count -gt 1 ]] && restart=', "restart": "s002"'
    local options
    options=$(printf '{"url": "%s", "poke": "http://127.0.0.1:%s", "rounds": %s, "expect": %s%s}' \
        "$url" "$port" "$rounds" "$count" "$restart")
    seen=$(cd "$tools" && timeout -k 5 180 node dashboard_check.mjs "$options" | tail -1)
    echo "$seen" | cut -c1-2000 >&2
    stop_run
    python3 - "$seen" "$count" "${json_ms[@]}" <<'PY'
import json, statistics, sys
seen = json.loads(sys.argv[1])
if "error" in seen:
    sys.exit("browser: " + seen["error"])
count = int(sys.argv[2])
if len(seen["services"]) != count or seen["lanes"] != count:
    sys.exit("browser: %d rows and %d timeline lanes, not %d" % (len(seen["services"]), seen["lanes"], count))
if count > 1 and seen["restart"]["before"] == seen["restart"]["after"]:
    sys.exit("browser: the restart gave no new pid")
json_ms = [float(v) for v in sys.argv[3:]]
print("%.1f %.1f %.1f %.1f %.0f %d" % (statistics.median(seen["load_ms"]), statistics.median(seen["log_ms"]),
                                       max(seen["log_ms"]), statistics.median(json_ms), seen["blocking_ms"],
                                       len(seen["load_ms"])))
PY
}

# In this shell, not a subshell: a failure's exit runs the trap that stops the run.
measure 1 >"$work/one"
read -r load log log_max json blocking n <"$work/one"
echo "dashboard: page load to the services table median ${load} ms; log line -> DOM median ${log} ms (max ${log_max} ms); curl GET /services median ${json} ms; ${n} rounds"
measure "$many" >"$work/many"
read -r load_many log_many log_max_many json_many blocking_many n_many <"$work/many"
echo "dashboard at $many services: page load median ${load_many} ms; log line -> DOM median ${log_many} ms (max ${log_max_many} ms); blocking ${blocking_many} ms; curl GET /services median ${json_many} ms; ${n_many} rounds"
bench_result dashboard "$load" "$log" "$log_max" "$json" "$n" "$many" "$load_many" "$log_many" "$json_many" "$blocking_many"
