#!/usr/bin/env bash
# The dashboard in headless chromium (tests/tools/dashboard_check.mjs, playwright-core): page load
# to the first services table, and log latency (a request to a fixture that prints a line for
# it -> the line visible in the page's DOM), median of ROUNDS each. Baseline in the same run:
# `curl` of the same run's GET /services (the JSON the table is drawn from, without a browser).
#
#   tests/bench/dashboard_bench.sh BUILD_DIR [ROUNDS]      (default 10)
#
# Needs node with tests/tools/node_modules (npm ci there) and /usr/bin/chromium. One httpserver
# fixture on a loopback port from the kernel; bounded (60 s to ready, 120 s for the browser);
# stops only what it started.
set -euo pipefail

build=${1:?usage: dashboard_bench.sh BUILD_DIR [ROUNDS]}
rounds=${2:-10}
golaunch=$(realpath "$build/golaunch")
server=$(realpath "$build/tests/fixtures/httpserver")
here=$(cd "$(dirname "$0")" && pwd)
tools=$(cd "$here/../tools" && pwd)
# shellcheck source=tests/bench/bench_lib.sh
source "$here/bench_lib.sh"

work=$(mktemp -d)
run_pid=
cleanup() {
    [[ -z $run_pid ]] || kill -INT "$run_pid" 2>/dev/null || true
    [[ -z $run_pid ]] || wait "$run_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/golaunch.toml" <<TOML
version = 1
name = "dashbench"
[services.web]
cmd = ["$server", "-name", "web", "-log-requests", "-addr", "127.0.0.1:\${port}"]
ports = { http = $port }
TOML
(cd "$work" && exec "$golaunch" run --json --dashboard >"$work/run.log" 2>&1) &
run_pid=$!
for _ in $(seq 600); do
    grep -q '"event":"all_ready"' "$work/run.log" && break
    sleep 0.1
done
grep -q '"event":"all_ready"' "$work/run.log" || { echo "not ready in 60 s" >&2; exit 1; }
url=$(grep -o '"url":"http://127.0.0.1:[0-9]*/?token=[0-9a-f]*"' "$work/run.log" | head -1 | cut -d'"' -f4)
base=${url%%\?*}
token=${url##*=}

json_ms=()
for _ in $(seq "$rounds"); do
    json_ms+=("$(curl -s -o /dev/null -w '%{time_total}' -b "golaunch_token=$token" "${base}services" |
        awk '{printf "%.1f", $1 * 1000}')")
done
options=$(printf '{"url": "%s", "poke": "http://127.0.0.1:%s", "rounds": %s}' "$url" "$port" "$rounds")
seen=$(cd "$tools" && timeout -k 5 120 node dashboard_check.mjs "$options" | tail -1)
echo "$seen" >&2
python3 - "$seen" "${json_ms[@]}" <<'PY' >"$work/medians"
import json, statistics, sys
seen = json.loads(sys.argv[1])
if "error" in seen:
    sys.exit("browser: " + seen["error"])
json_ms = [float(v) for v in sys.argv[2:]]
print("%.1f %.1f %.1f %.1f %d" % (statistics.median(seen["load_ms"]), statistics.median(seen["log_ms"]),
                                  max(seen["log_ms"]), statistics.median(json_ms), len(seen["load_ms"])))
PY
read -r load log log_max json n <"$work/medians"
echo "dashboard: page load to the services table median ${load} ms; log line -> DOM median ${log} ms (max ${log_max} ms); curl GET /services median ${json} ms; ${n} rounds"
bench_result dashboard "$load" "$log" "$log_max" "$json" "$n"
