#!/usr/bin/env bash
# Times `golaunch who PORT` against `ss -ltnp` and `lsof` with many sockets open.
#
#   tests/bench/who_bench.sh path/to/golaunch [SOCKETS] [REPS]
#
# Starts two helpers on 127.0.0.1 (ephemeral ports only): an older "target" process with one
# listener, then a newer "crowd" process holding SOCKETS listeners (default 1500). golaunch
# scans newest processes first, so for the target port it has to read through the crowd's
# whole fd table, like ss and lsof always do. Also times a port owned by the crowd (its last
# socket). Everything is killed at the end; the whole run is bounded by a timeout.
set -euo pipefail

golaunch=${1:?usage: who_bench.sh path/to/golaunch [SOCKETS] [REPS]}
sockets=${2:-1500}
reps=${3:-200}
lsof_reps=$(( reps < 20 ? reps : 20 ))
helper_lifetime=300 # seconds; the helpers exit on their own after this at the latest
deadline=$(( $(date +%s) + 240 ))

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/listen.py" <<'EOF'
import socket, sys, time, resource
count, out, lifetime = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = min(hard, count + 64) if hard != resource.RLIM_INFINITY else count + 64
if soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
held, ports = [], []
for _ in range(count):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    held.append(s)
    ports.append(s.getsockname()[1])
with open(out + ".tmp", "w") as f:
    f.write("\n".join(map(str, ports)) + "\n")
import os
os.rename(out + ".tmp", out)
time.sleep(lifetime)
EOF

start_helper() { # count outfile
    python3 "$work/listen.py" "$1" "$2" "$helper_lifetime" &
    pids+=($!)
    for _ in $(seq 1 200); do
        [[ -s $2 ]] && return 0
        sleep 0.05
    done
    echo "helper did not start" >&2
    exit 1
}

start_helper 1 "$work/target.ports"
start_helper "$sockets" "$work/crowd.ports"
target_port=$(head -n1 "$work/target.ports")
crowd_port=$(tail -n1 "$work/crowd.ports")
echo "processes: $(ls /proc | grep -c '^[0-9]'), open fds in /proc/*/fd: $(ls /proc/[0-9]*/fd 2>/dev/null | grep -c '^[0-9]')"
echo "target port $target_port (older process), crowd port $crowd_port (last of $sockets sockets)"

# mean_ms REPS CMD...: mean wall time per run in milliseconds (3 decimals), output discarded.
mean_ms() {
    local reps=$1
    shift
    "$@" >/dev/null 2>&1 || true # warm up caches
    local start end
    start=$(date +%s%N)
    for ((i = 0; i < reps; i++)); do
        "$@" >/dev/null 2>&1 || true
        if (( $(date +%s) > deadline )); then
            reps=$((i + 1))
            break
        fi
    done
    end=$(date +%s%N)
    awk -v ns=$((end - start)) -v n="$reps" 'BEGIN { printf "%.3f", ns / n / 1e6 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }'; }

bench_port() { # label port
    local label=$1 port=$2
    if ! "$golaunch" who "$port" | grep -q "pid ${pids[0]}\|pid ${pids[1]}"; then
        echo "golaunch who $port does not name the helper:" >&2
        "$golaunch" who "$port" >&2 || true
        exit 1
    fi
    local who ss_ms lsof_ms="n/a"
    who=$(mean_ms "$reps" "$golaunch" who "$port")
    ss_ms=$(mean_ms "$reps" ss -ltnp "sport = :$port")
    if command -v lsof >/dev/null; then
        lsof_ms=$(mean_ms "$lsof_reps" lsof -nP -iTCP:"$port" -sTCP:LISTEN)
    fi
    printf '%-6s golaunch who %8s ms | ss -ltnp %8s ms (%s) | lsof %8s ms (%s)\n' "$label" \
        "$who" "$ss_ms" "$(ratio "$ss_ms" "$who")" "$lsof_ms" \
        "$( [[ $lsof_ms == n/a ]] && echo n/a || ratio "$lsof_ms" "$who")"
}

if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 5 --runs "$reps" "$golaunch who $target_port" \
        "ss -ltnp 'sport = :$target_port'" --export-markdown "$work/hyperfine.md" >/dev/null
    cat "$work/hyperfine.md"
fi
echo "mean per call over $reps runs (lsof: $lsof_reps), ratio = other / golaunch:"
bench_port target "$target_port"
bench_port crowd "$crowd_port"
