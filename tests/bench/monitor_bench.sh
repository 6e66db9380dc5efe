#!/usr/bin/env bash
# The bind monitor's cost and benefit, each as a ratio against a baseline from the same run:
#  1. throughput: wrk against the Go httpserver fixture started directly (baseline) and under
#     `golaunch run --monitor notify` (target >= 0.98), rounds interleaved A/B to share noise;
#  2. listen() -> ready: the binder fixture prints the wall clock just before its listen();
#     golaunch's ready event carries its own wall clock (target < 1 ms), with `--monitor poll`
#     (socket-table polling every 5 ms) as the baseline.
#
#   tests/bench/monitor_bench.sh BUILD_DIR [ROUNDS] [SECONDS]
#
# Loopback only, ports from the kernel, everything started here is stopped here.
set -euo pipefail

build=${1:?usage: monitor_bench.sh BUILD_DIR [ROUNDS] [SECONDS]}
rounds=${2:-3}
seconds=${3:-5}
golaunch=$build/golaunch
server=$build/tests/fixtures/httpserver
binder=$build/tests/fixtures/binder
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_listening() { # port
    for _ in $(seq 1 500); do
        ss -Hltn "sport = :$1" | grep -q LISTEN && return 0
        sleep 0.01
    done
    echo "nothing listens on $1" >&2; return 1
}
wait_free() { # port
    for _ in $(seq 1 500); do
        ss -Hltn "sport = :$1" | grep -q LISTEN || return 0
        sleep 0.01
    done
}
rps() { # port -> requests/second
    wrk -t1 -c32 -d"${seconds}s" "http://127.0.0.1:$1/" | awk '/Requests\/sec/ {print $2}'
}
manifest() { # file port program args...
    local file=$1 port=$2 program=$3; shift 3
    local args=""
    for a in "$@"; do args+="\"$a\", "; done
    cat >"$file" <<TOML
version = 1
name = "bench"
[services.svc]
cmd = ["$program", ${args%, }]
ports = { http = $port }
startup_timeout = "10s"
restart = "no"
TOML
}

echo "== throughput: httpserver direct vs under golaunch --monitor off / notify ($rounds x ${seconds}s, wrk -t1 -c32)"
direct=(); monitored=(); unmonitored=()
under_golaunch() { # mode -> requests/second
    port=$(free_port)
    manifest "$work/m.toml" "$port" "$server" -addr "127.0.0.1:$port"
    timeout -s KILL $((seconds + 30)) "$golaunch" run "$work/m.toml" --monitor "$1" --quiet >/dev/null 2>&1 &
    pid=$!; pids+=("$pid")
    wait_listening "$port"
    rps "$port"
    kill -INT "$pid"; wait "$pid" 2>/dev/null || true
    wait_free "$port"
}
for round in $(seq 1 "$rounds"); do
    port=$(free_port)
    timeout -s KILL $((seconds + 30)) "$server" -addr "127.0.0.1:$port" >/dev/null &
    pid=$!; pids+=("$pid")
    wait_listening "$port"
    direct+=("$(rps "$port")")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    wait_free "$port"

    unmonitored+=("$(under_golaunch off)")
    monitored+=("$(under_golaunch notify)")
    echo "round $round: direct ${direct[-1]}, golaunch --monitor off ${unmonitored[-1]}, --monitor notify ${monitored[-1]} req/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
md=$(median "${direct[@]}"); mm=$(median "${monitored[@]}"); mu=$(median "${unmonitored[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a/b}'; }
echo "median req/s: direct $md, --monitor off $mu, --monitor notify $mm"
echo "ratio notify/direct $(ratio "$mm" "$md") (target >= 0.98), off/direct $(ratio "$mu" "$md"), notify/off $(ratio "$mm" "$mu")"

echo "== listen() -> ready event: --monitor notify vs --monitor poll (20 runs each)"
lag_runs() { # mode -> prints one lag in microseconds per run
    for _ in $(seq 1 20); do
        port=$(free_port)
        manifest "$work/l.toml" "$port" "$binder" -addr "127.0.0.1:$port" -delay 50ms
        timeout -s KILL 20 "$golaunch" run "$work/l.toml" --monitor "$1" --json --stop-when-ready \
            >"$work/out.json" 2>/dev/null || true
        python3 - "$work/out.json" <<'PY'
import json, sys
before = ready = None
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == "log" and e.get("line", "").startswith("before-listen"):
        before = int(e["line"].split()[2]) / 1000.0
    if e.get("event") == "ready":
        ready = e.get("time_unix_us")
if before is not None and ready is not None:
    print("%.0f" % (ready - before))
PY
    done
}
summary() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) {print "no samples"; exit} printf "%d runs, median %d us, p90 %d us, max %d us", NR, a[int((NR+1)/2)], a[int(NR*0.9+0.5)], a[NR]}'; }
notify=$(lag_runs notify | summary)
poll=$(lag_runs poll | summary)
echo "notify: $notify"
echo "poll:   $poll"
nm=$(echo "$notify" | sed -n 's/.*median \([0-9]*\) us.*/\1/p')
pm=$(echo "$poll" | sed -n 's/.*median \([0-9]*\) us.*/\1/p')
echo "median lag ratio notify/poll: $(awk -v a="$nm" -v b="$pm" 'BEGIN {printf "%.3f", a/b}') (target: notify < 1000 us)"
