#!/usr/bin/env bash
# What an idle supervisor costs: golaunch's memory and CPU while SERVICES services sit ready,
# against an idle `sleep` measured over the same window (the floor for any process), and
# against golaunch with one service (so the cost per extra service can be read off).
#
#   tests/bench/idle_bench.sh BUILD_DIR [SERVICES] [SECONDS]
#
# Each service is the binder fixture (a tiny Go program) listening on its own loopback port,
# picked by the kernel. Four runs: SERVICES and 1 service, each with `--monitor notify` and
# `--monitor off`. After "all_ready" and one second to settle, a window of SECONDS (default
# 10) is measured from /proc for golaunch's process (all threads) plus its helper processes
# (forked golaunch processes: the orphan guard, a tracer): CPU = the scheduler's run time of
# every thread (schedstat, ns) and utime+stime ticks; wakeups = voluntary context switches;
# RSS = VmRSS of the main process at the end of the window; PSS = Pss of main + helpers
# (smaps_rollup; shared pages counted once). The services themselves are not counted.
# Targets: < 15 MB RSS and ~0 % CPU with 50 services.
# With $BENCH_RESULTS set (tests/bench/run_all.sh), the figures are also written there.
# Loopback only, bounded in time, and only what this script started is stopped.
set -euo pipefail

build=${1:?usage: idle_bench.sh BUILD_DIR [SERVICES] [SECONDS]}
services=${2:-50}
seconds=${3:-10}
golaunch=$(realpath "$build/golaunch")
binder=$(realpath "$build/tests/fixtures/binder")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/bench_lib.sh
source "$here/bench_lib.sh"

work=$(mktemp -d)
cleanup() {
    local pid
    for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

manifest() { # file count -> a manifest of COUNT binder services on free ports
    local file=$1 count=$2 i=0 port
    {
        printf 'version = 1\nname = "idle"\n[defaults]\nrestart = "no"\n'
        printf 'startup_timeout = "30s"\nstop_grace = "5s"\n'
        while read -r port; do
            printf '[services.s%d]\ncmd = ["%s", "-addr", "127.0.0.1:${port}"]\n' "$i" "$binder"
            printf 'ports = { tcp = %d }\n' "$port"
            i=$((i + 1))
        done < <(free_ports "$count")
    } >"$file"
}

# sample_window SECONDS GOLAUNCH_PID SLEEP_PID: prints "main_rss_kb pss_kb ticks helpers
# sleep_rss_kb sleep_ticks cpu_us wakeups sleep_cpu_us", measured over the window.
sample_window() {
    python3 - "$@" <<'PY'
import os, sys, time

window, main, sleeper = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
exe = os.readlink("/proc/%d/exe" % main)

def stat(pid):
    text = open("/proc/%d/stat" % pid).read()
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])  # ppid, utime + stime

def helpers():
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == main:
            continue
        try:
            if stat(int(name))[0] == main and os.readlink("/proc/%s/exe" % name) == exe:
                found.append(int(name))
        except OSError:
            pass
    return found

def status_kb(pid, key):
    for line in open("/proc/%d/status" % pid):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0

def pss_kb(pid):
    for line in open("/proc/%d/smaps_rollup" % pid):
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0

def threads(pids):  # {(pid, tid): (run ns, voluntary switches)}
    found = {}
    for pid in pids:
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                run = int(open("/proc/%d/task/%s/schedstat" % (pid, tid)).read().split()[0])
                switches = status_kb(int(tid), "voluntary_ctxt_switches")
            except OSError:
                continue
            found[(pid, tid)] = (run, switches)
    return found

def delta(before, after, index):  # threads that ended in the window are not counted
    return sum(v[index] - before.get(k, (0, 0))[index] for k, v in after.items())

group = [main] + helpers()
ticks0 = sum(stat(p)[1] for p in group)
sleep0 = stat(sleeper)[1]
threads0, sleep_threads0 = threads(group), threads([sleeper])
time.sleep(window)
ticks1 = sum(stat(p)[1] for p in group)
sleep1 = stat(sleeper)[1]
threads1, sleep_threads1 = threads(group), threads([sleeper])
print(status_kb(main, "VmRSS"), sum(pss_kb(p) for p in group), ticks1 - ticks0,
      len(group) - 1, status_kb(sleeper, "VmRSS"), sleep1 - sleep0,
      delta(threads0, threads1, 0) // 1000, delta(threads0, threads1, 1),
      delta(sleep_threads0, sleep_threads1, 0) // 1000)
PY
}

# One measured run: writes the sample_window line to $work/sample (no subshell, so the
# EXIT trap sees every job started here).
idle_run() { # mode count
    local mode=$1 count=$2 pid sleeper
    manifest "$work/m.toml" "$count"
    timeout -s KILL $((seconds + 90)) "$golaunch" run "$work/m.toml" --monitor "$mode" --json \
        --no-network >"$work/out.json" 2>"$work/err.txt" &
    pid=$!
    if ! wait_for_event "$work/out.json" all_ready 40; then
        echo "golaunch did not get $count services ready:" >&2
        tail -n 20 "$work/out.json" "$work/err.txt" >&2
        kill -INT "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        return 1
    fi
    sleep $((seconds + 20)) &
    sleeper=$!
    sleep 1
    # timeout's child is golaunch itself (timeout forks and execs it).
    sample_window "$seconds" "$(pgrep -P "$pid" -x golaunch | head -n1)" "$sleeper" \
        >"$work/sample"
    kill "$sleeper" 2>/dev/null || true
    wait "$sleeper" 2>/dev/null || true
    kill -INT "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

hz=$(getconf CLK_TCK)
echo "== idle supervisor: $services services vs 1 service vs an idle sleep (${seconds}s windows; ticks are 1/$hz s)"
for mode in notify off; do
    for count in "$services" 1; do
        idle_run "$mode" "$count"
        read -r rss pss ticks helpers sleep_rss sleep_ticks cpu_us wakeups sleep_cpu_us \
            <"$work/sample"
        cpu=$(awk -v us="$cpu_us" -v s="$seconds" 'BEGIN { printf "%.3f", us / 1e4 / s }')
        printf '%-7s %3d services: RSS %6d kB, PSS (with %d helpers) %6d kB, CPU %d us = %s %% (%d ticks), %d wakeups | sleep: RSS %d kB, CPU %d us (%d ticks)\n' \
            "$mode" "$count" "$rss" "$helpers" "$pss" "$cpu_us" "$cpu" "$ticks" "$wakeups" \
            "$sleep_rss" "$sleep_cpu_us" "$sleep_ticks"
        bench_result "idle_${mode}_$count" "$rss" "$pss" "$cpu_us" "$wakeups" "$helpers" \
            "$seconds" "$ticks" "$hz"
        bench_result "idle_sleep_${mode}_$count" "$sleep_rss" "$sleep_cpu_us" "$sleep_ticks"
    done
done
