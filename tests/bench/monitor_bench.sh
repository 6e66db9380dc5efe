#!/usr/bin/env bash
# The bind monitor's cost and benefit, each as a ratio against a baseline from the same run:
#  1. throughput: wrk against the Go httpserver fixture started directly, under
#     `golaunch run --monitor off` and under `--monitor notify` (target: notify >= 0.98 of
#     off), rounds interleaved to share noise;
#  2. listen() -> ready: the binder fixture prints the wall clock just before its listen();
#     golaunch's ready event carries its own wall clock (target < 1 ms). Baselines, same runs:
#     a naive script's wait, tests/bench/tcp_probe.py connecting every 100 ms from just
#     before golaunch starts (its first successful connect), and `--monitor poll` (golaunch polling the
#     socket table every 5 ms). The binder's delay before listening is drawn at random
#     (50-150 ms) so the probe's phase is not fixed.
#
#   tests/bench/monitor_bench.sh BUILD_DIR [ROUNDS] [SECONDS] [LAG_RUNS]
#
# With $BENCH_RESULTS set (tests/bench/run_all.sh), the figures are also written there.
#
# Loopback only, ports from the kernel, everything started here is stopped here.
set -euo pipefail

build=${1:?usage: monitor_bench.sh BUILD_DIR [ROUNDS] [SECONDS] [LAG_RUNS]}
rounds=${2:-3}
seconds=${3:-5}
lag_runs=${4:-20}
golaunch=$build/golaunch
server=$build/tests/fixtures/httpserver
binder=$build/tests/fixtures/binder
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/bench_lib.sh
source "$here/bench_lib.sh"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 2; }

work=$(mktemp -d)
cleanup() { # only this shell's own jobs that are still running: never a recycled pid
    local pid
    for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { free_ports 1; }
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
    pid=$!
    wait_listening "$port"
    rps "$port"
    kill -INT "$pid"; wait "$pid" 2>/dev/null || true
    wait_free "$port"
}
for round in $(seq 1 "$rounds"); do
    port=$(free_port)
    timeout -s KILL $((seconds + 30)) "$server" -addr "127.0.0.1:$port" >/dev/null &
    pid=$!
    wait_listening "$port"
    direct+=("$(rps "$port")")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    wait_free "$port"

    unmonitored+=("$(under_golaunch off)")
    monitored+=("$(under_golaunch notify)")
    echo "round $round: direct ${direct[-1]}, golaunch --monitor off ${unmonitored[-1]}, --monitor notify ${monitored[-1]} req/s"
done
md=$(median "${direct[@]}"); mm=$(median "${monitored[@]}"); mu=$(median "${unmonitored[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a/b}'; }
echo "median req/s: direct $md, --monitor off $mu, --monitor notify $mm"
echo "ratio of medians: notify/direct $(ratio "$mm" "$md"), off/direct $(ratio "$mu" "$md"), notify/off $(ratio "$mm" "$mu")"
# The target's figure: notify/off within each round (the two ran back to back, so they share
# that moment's load), its median over the rounds and the spread, so noise shows as noise.
paired=()
for i in "${!monitored[@]}"; do
    paired+=("$(ratio "${monitored[$i]}" "${unmonitored[$i]}")")
done
spread=$(printf '%s\n' "${paired[@]}" | sort -g | awk '{a[NR]=$1} END {printf "min %s, max %s", a[1], a[NR]}')
echo "notify/off per round: ${paired[*]}; median $(median "${paired[@]}") ($spread; target >= 0.98)"

bench_result throughput_rounds "$rounds" "$seconds"
bench_result throughput_direct "$md" "${direct[@]}"
bench_result throughput_off "$mu" "${unmonitored[@]}"
bench_result throughput_notify "$mm" "${monitored[@]}"

echo "== listen() -> ready event: --monitor notify vs a 100 ms TCP probe vs --monitor poll ($lag_runs runs each)"
# One run: the TCP probe starts polling, then golaunch starts (in the background); the
# probe's first connect and golaunch's ready event are both compared with the binder's
# before-listen clock. Prints "READY_LAG_US PROBE_LAG_US" (a field is "-" when missing).
lag_run() { # mode
    local port delay_ms pid probe
    port=$(free_port)
    delay_ms=$((50 + RANDOM % 101))
    manifest "$work/l.toml" "$port" "$binder" -addr "127.0.0.1:$port" -delay "${delay_ms}ms"
    rm -f "$work/probe.txt" "$work/probe.started"
    timeout -s KILL 15 python3 "$here/tcp_probe.py" "$port" 100 10 "$work/probe.started" \
        >"$work/probe.txt" &
    probe=$!
    for _ in $(seq 1 500); do [[ -e $work/probe.started ]] && break; sleep 0.01; done
    timeout -s KILL 20 "$golaunch" run "$work/l.toml" --monitor "$1" --json --no-network \
        >"$work/out.json" 2>/dev/null &
    pid=$!
    wait "$probe" || true
    kill -INT "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    wait_free "$port"
    python3 - "$work/out.json" "$work/probe.txt" <<'PY'
import json, sys
before = ready = probe = None
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == "log" and e.get("line", "").startswith("before-listen"):
        before = int(e["line"].split()[2]) / 1000.0
    if e.get("event") == "ready" and ready is None:
        ready = e.get("time_unix_us")
text = open(sys.argv[2]).read().split()
if text:
    probe = int(text[0])
lag = lambda t: "-" if before is None or t is None else "%.0f" % (t - before)
print(lag(ready), lag(probe))
PY
}
summary() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) {print "no samples"; exit} printf "%d runs, median %d us, p90 %d us, max %d us", NR, a[int((NR+1)/2)], a[int(NR*0.9+0.5)], a[NR]}'; }
for mode in notify poll; do
    for _ in $(seq 1 "$lag_runs"); do lag_run "$mode"; done >"$work/lag.$mode"
done
awk '$1 != "-" {print $1}' "$work/lag.notify" >"$work/notify"
awk '$1 != "-" {print $1}' "$work/lag.poll" >"$work/poll"
awk '$2 != "-" {print $2}' "$work/lag.notify" "$work/lag.poll" >"$work/probe"
notify=$(summary <"$work/notify")
poll=$(summary <"$work/poll")
probe=$(summary <"$work/probe")
echo "notify:             $notify"
echo "poll (5 ms):        $poll"
echo "TCP probe (100 ms): $probe"
field() { echo "$1" | sed -n "s/.*$2 \([0-9]*\) us.*/\1/p"; }
nm=$(field "$notify" median); pm=$(field "$poll" median); tm=$(field "$probe" median)
echo "median lag ratio notify/probe: $(awk -v a="$nm" -v b="$tm" 'BEGIN {printf "%.4f", (b > 0 ? a/b : 0)}')," \
    "notify/poll: $(awk -v a="$nm" -v b="$pm" 'BEGIN {printf "%.3f", (b > 0 ? a/b : 0)}') (target: notify < 1000 us)"
bench_result lag_notify "$(wc -l <"$work/notify")" "$nm" "$(field "$notify" p90)" "$(field "$notify" max)"
bench_result lag_poll "$(wc -l <"$work/poll")" "$pm" "$(field "$poll" p90)" "$(field "$poll" max)"
bench_result lag_probe "$(wc -l <"$work/probe")" "$tm" "$(field "$probe" p90)" "$(field "$probe" max)"
