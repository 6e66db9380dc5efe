#!/usr/bin/env bash
# The log path's speed: a service writes MB megabytes of log lines (default 200) and golaunch
# relays them, prefixed, to /dev/null; the baseline is the same generator piped through
# `sed 's/^/svc      | /'` (the same prefix, the same bytes out). Both run the generator
# `yes '<a typical 96-byte log line>' | head -c BYTES`. Rounds are interleaved; the medians
# are compared as throughput (golaunch/sed: 1.0 = as fast as sed; target >= 0.9). golaunch's
# VmHWM (peak RSS) is read from /proc while it runs (sampled every 20 ms; it only grows).
# golaunch runs `run --no-network` on a one-service manifest with `restart = "no"`: the
# service ends by itself and golaunch exits 0 once it has.
#
#   tests/bench/log_bench.sh BUILD_DIR [ROUNDS] [MB]
#
# GOLAUNCH_BIN=path measures another golaunch binary (e.g. an older build) instead.
# With $BENCH_RESULTS set (tests/bench/run_all.sh), the figures are also written there.
set -euo pipefail

build=${1:?usage: log_bench.sh BUILD_DIR [ROUNDS] [MB]}
rounds=${2:-3}
megabytes=${3:-200}
golaunch=$(realpath "${GOLAUNCH_BIN:-$build/golaunch}")
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/bench_lib.sh
source "$here/bench_lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bytes=$((megabytes * 1000000))
line='2026/11/26 00:04:53 api: GET /items/42 200 1.2ms remote=127.0.0.1:51234 user-agent=curl/7.88'
generator="yes '$line' | head -c $bytes"
cat >"$work/golaunch.toml" <<TOML
version = 1
name = "logbench"
[services.svc]
shell = "$generator"
restart = "no"
TOML

# run_golaunch: prints "MICROSECONDS VMHWM_KB EXIT_CODE".
run_golaunch() {
    python3 - "$golaunch" "$work/golaunch.toml" <<'PY'
import os, subprocess, sys, time
start = time.monotonic()
child = subprocess.Popen([sys.argv[1], "run", "--no-network", sys.argv[2]],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         cwd=os.path.dirname(sys.argv[2]))
hwm = 0
while child.poll() is None:
    try:
        with open("/proc/%d/status" % child.pid) as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    hwm = max(hwm, int(line.split()[1]))
    except OSError:
        pass
    time.sleep(0.02)
print(int((time.monotonic() - start) * 1e6), hwm, child.returncode)
PY
}

gl_times=() sed_times=() hwms=()
for ((round = 1; round <= rounds; round++)); do
    read -r us hwm code < <(run_golaunch)
    if ((code != 0)); then
        echo "golaunch exited $code" >&2
        exit 1
    fi
    gl_times+=("$us") hwms+=("$hwm")
    : >"$work/sed.us"
    time_once "$work/sed.us" sh -c "$generator | sed 's/^/svc      | /' >/dev/null"
    sed_times+=("$(cat "$work/sed.us")")
    echo "round $round: golaunch ${us} us (VmHWM ${hwm} kB), sed $(cat "$work/sed.us") us" >&2
done
: >"$work/gen.us"
time_once "$work/gen.us" sh -c "$generator >/dev/null"
gl=$(median "${gl_times[@]}")
sed_us=$(median "${sed_times[@]}")
hwm=$(printf '%s\n' "${hwms[@]}" | sort -n | tail -1)
gen=$(cat "$work/gen.us")
python3 - "$gl" "$sed_us" "$gen" "$hwm" "$megabytes" "$rounds" <<'PY'
import sys
gl, sed, gen, hwm, mb, rounds = (float(v) for v in sys.argv[1:7])
print("log path, %d MB of lines to /dev/null (median of %d): golaunch %.2f s (%.0f MB/s), "
      "sed %.2f s (%.0f MB/s), generator alone %.2f s; throughput golaunch/sed %.3f; "
      "golaunch VmHWM %.1f MB"
      % (mb, rounds, gl / 1e6, mb / (gl / 1e6), sed / 1e6, mb / (sed / 1e6), gen / 1e6,
         sed / gl, hwm / 1024))
PY
bench_result log_path "$gl" "$sed_us" "$gen" "$hwm" "$megabytes" "$rounds"
