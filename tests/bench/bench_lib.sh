# shellcheck shell=bash
# Shared by the benchmark scripts in tests/bench (sourced, not run).

# time_once FILE CMD...: appends the wall time of one run, in microseconds, to FILE.
# $EPOCHREALTIME (bash 5) costs no fork, so the timer adds nothing to what it measures.
time_once() {
    local file=$1
    shift
    local start=${EPOCHREALTIME/[.,]/}
    "$@" >/dev/null 2>&1 || true
    local end=${EPOCHREALTIME/[.,]/}
    echo $((end - start)) >>"$file"
}

# bench_result KEY VALUE...: records one figure as a "KEY VALUE..." line in the file named by
# $BENCH_RESULTS (set by tests/bench/run_all.sh, which builds its table from them); a no-op
# when the script runs on its own.
bench_result() {
    if [[ -n ${BENCH_RESULTS:-} ]]; then
        echo "$*" >>"$BENCH_RESULTS"
    fi
}

# wait_for_event FILE EVENT SECONDS: true once golaunch's --json output in FILE holds an
# EVENT event, false after SECONDS (polled every 50 ms).
wait_for_event() {
    local limit=$(($3 * 20)) i
    for ((i = 0; i < limit; i++)); do
        grep -q "\"event\":\"$2\"" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# free_ports N: N distinct loopback ports, one a line, handed out by the kernel (all held at
# once, then released), so no fixed port is ever used.
free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
held = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
print("\n".join(str(s.getsockname()[1]) for s in held))
PY
}

# median VALUES...: the median (mean of the middle two for an even count).
median() {
    printf '%s\n' "$@" | sort -g |
        awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'
}
