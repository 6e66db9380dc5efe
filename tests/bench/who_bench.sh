#!/usr/bin/env bash
# Times `golaunch who PORT` against `ss -ltnp` and `lsof` with many sockets open.
#
#   tests/bench/who_bench.sh path/to/golaunch [SOCKETS] [REPS]
#
# Starts two helpers on 127.0.0.1 (ephemeral ports only): an older "target" process with one
# listener, then a newer "crowd" process holding SOCKETS listeners (default 1500). ss and lsof
# always read every fd of every process. golaunch reads small fd tables first (newest first)
# and stops at the owner: the "target" row is the common case (a dev server behind a big fd
# table), the "crowd" row its worst case (the owner is the big table, its socket the last fd,
# so every fd on the machine is read). Everything is killed at the end; the run is bounded.
# With $BENCH_RESULTS set (tests/bench/run_all.sh), the medians are also written there.
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

# shellcheck source=tests/bench/bench_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"

# "median ms (mean ms)" of the microsecond samples in FILE.
summary() {
    sort -n "$1" | awk '{ v[NR] = $1; sum += $1 }
        END { printf "%.3f %.3f\n", v[int((NR + 1) / 2)] / 1000, sum / NR / 1000 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }'; }

bench_port() { # label port
    local label=$1 port=$2
    if ! "$golaunch" who "$port" | grep -q "pid ${pids[0]}\|pid ${pids[1]}"; then
        echo "golaunch who $port does not name the helper:" >&2
        "$golaunch" who "$port" >&2 || true
        exit 1
    fi
    local dir="$work/$label"
    mkdir -p "$dir"
    # Interleaved, so that load from elsewhere on the machine hits every tool alike.
    for ((i = 0; i < reps; i++)); do
        time_once "$dir/who" "$golaunch" who "$port"
        time_once "$dir/ss" ss -ltnp "sport = :$port"
        if ((have_lsof && i % (reps / lsof_reps) == 0)); then
            time_once "$dir/lsof" lsof -nP -iTCP:"$port" -sTCP:LISTEN
        fi
        if (($(date +%s) > deadline)); then
            echo "(time bound reached after $((i + 1)) runs)"
            break
        fi
    done
    local who ss lsof
    read -r who who_mean < <(summary "$dir/who")
    read -r ss ss_mean < <(summary "$dir/ss")
    printf '%-6s golaunch who %7s ms | ss -ltnp %7s ms = %6s' "$label" "$who" "$ss" \
        "$(ratio "$ss" "$who")"
    if [[ -s $dir/lsof ]]; then
        read -r lsof lsof_mean < <(summary "$dir/lsof")
        printf ' | lsof %7s ms = %6s' "$lsof" "$(ratio "$lsof" "$who")"
    fi
    printf '   (means: %s / %s ms)\n' "$who_mean" "$ss_mean"
    bench_result "who_$label" "$who" "$ss" "${lsof:--}" "$reps" "$sockets"
}

have_lsof=0
command -v lsof >/dev/null && have_lsof=1
for tool in "$golaunch" ss; do # warm up caches
    "$tool" --version >/dev/null 2>&1 || true
done

if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 5 --runs "$reps" "$golaunch who $target_port" \
        "ss -ltnp 'sport = :$target_port'" --export-markdown "$work/hyperfine.md" >/dev/null
    cat "$work/hyperfine.md"
fi
echo "median per call over $reps runs (lsof: $lsof_reps); ratio = other / golaunch:"
bench_port target "$target_port"
bench_port crowd "$crowd_port"
