#!/usr/bin/env bash
# Ctrl-C -> exit: how long golaunch takes to stop a 5-service stack, from SIGINT to its exit
# (every service stopped and waited for), against a baseline golaunch binary in the same run.
#
#   tests/bench/stop_bench.sh BUILD_DIR [BASELINE_GOLAUNCH] [ROUNDS]
#
# The stack: five httpserver fixtures on loopback ports picked by the kernel, one of which
# starts a `sleep` grandchild. Each round starts golaunch, waits for "all_ready", sends SIGINT
# and times until the process has exited. Rounds alternate between the two binaries (the
# machine's noise hits both); the medians and their ratio are printed. Without a baseline only
# BUILD_DIR's golaunch is measured. Loopback only, bounded (ROUNDS, default 20, and 20 s a
# round), and only what this script started is stopped.
set -euo pipefail

build=${1:?usage: stop_bench.sh BUILD_DIR [BASELINE_GOLAUNCH] [ROUNDS]}
baseline=${2:-}
rounds=${3:-20}
golaunch=$(realpath "$build/golaunch")
server=$(realpath "$build/tests/fixtures/httpserver")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/bench_lib.sh
source "$here/bench_lib.sh"

work=$(mktemp -d)
cleanup() {
    local pid
    for pid in $(jobs -p); do kill -9 "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

write_manifest() {
    local file=$1 i=0 port
    {
        echo 'version = 1'
        echo 'name = "stopbench"'
        echo '[defaults]'
        echo 'restart = "no"'
        for port in $(free_ports 5); do
            i=$((i + 1))
            echo "[services.s$i]"
            echo "cmd = [\"$server\", \"-name\", \"s$i\"$([[ $i == 1 ]] && echo ", \"-sleeper-pidfile\", \"$work/sleeper.pid\"")]"
            echo "ports = { http = $port }"
        done
    } >"$file"
}

# one_round BINARY RESULTS_FILE: appends the microseconds from SIGINT to exit.
one_round() {
    local binary=$1 results=$2 out="$work/out" pid start end waited=0
    write_manifest "$work/app.toml"
    "$binary" run "$work/app.toml" --json --no-network >"$out" 2>&1 &
    pid=$!
    until grep -q '"event":"all_ready"' "$out" 2>/dev/null; do
        sleep 0.01
        waited=$((waited + 1))
        if ((waited > 2000)) || ! kill -0 "$pid" 2>/dev/null; then
            echo "stop_bench: $binary never got ready" >&2
            kill -9 "$pid" 2>/dev/null || true
            return 1
        fi
    done
    start=${EPOCHREALTIME/[.,]/}
    kill -INT "$pid"
    wait "$pid" || true
    end=${EPOCHREALTIME/[.,]/}
    echo $((end - start)) >>"$results"
}

: >"$work/new"
: >"$work/base"
for ((round = 0; round < rounds; round++)); do
    one_round "$golaunch" "$work/new"
    if [[ -n $baseline ]]; then
        one_round "$(realpath "$baseline")" "$work/base"
    fi
done
new_ms=$(median $(cat "$work/new") | awk '{ printf "%.1f", $1 / 1000 }')
echo "stop_bench: Ctrl-C -> exit, 5 services, median of $rounds: $new_ms ms ($golaunch)"
bench_result stop_new_ms "$new_ms"
if [[ -n $baseline ]]; then
    base_ms=$(median $(cat "$work/base") | awk '{ printf "%.1f", $1 / 1000 }')
    ratio=$(awk -v a="$new_ms" -v b="$base_ms" 'BEGIN { printf "%.2f", a / b }')
    echo "stop_bench: baseline median $base_ms ms ($baseline); new/baseline $ratio"
    bench_result stop_base_ms "$base_ms"
fi
