#!/usr/bin/env bash
# Times `golaunch check` on a generated 20-service manifest (20 [hosts] names, one Go service)
# against baselines measured in the same run: `golaunch --version` (process start) and
# `ss -ltn` (one socket-table dump). Then runs tests/bench/who_bench.sh once for its ratios.
#
#   tests/bench/check_bench.sh path/to/golaunch [REPS]
#
# Rows:
#   no-network   check --no-network: ports, port rules, IPv6, hosts file, firewall, go
#   network/all  with network, every name already in the hosts file: nothing to resolve
#   network/miss with network, 10 names missing from the hosts file: each one is resolved
#                for real against /etc/resolv.conf's nameservers (in parallel, deadline 1.5 s)
# Only loopback ports the kernel hands out are used; nothing listens on them. Bounded in time.
# Environment: BENCH_LOOPBACK_ONLY=1 skips network/miss (its lookups leave the machine);
# BENCH_SKIP_WHO=1 skips the who_bench.sh run; $BENCH_RESULTS receives the medians
# (tests/bench/run_all.sh sets all three).
set -euo pipefail

golaunch=$(realpath "${1:?usage: check_bench.sh path/to/golaunch [REPS]}")
reps=${2:-30}
net_reps=$(( reps < 10 ? reps : 10 ))
deadline=$(( $(date +%s) + 240 ))
here=$(cd "$(dirname "$0")" && pwd)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=tests/bench/bench_lib.sh
source "$here/bench_lib.sh"

# 20 distinct free loopback ports (bound and released by the kernel).
mapfile -t ports < <(free_ports 20)

mkdir -p "$work/cmd/svc0"
printf 'module example.com/bench\n\ngo 1.19\n' >"$work/go.mod"
printf 'package main\n\nfunc main() {}\n' >"$work/cmd/svc0/main.go"
{
    printf 'version = 1\nname = "bench"\n[hosts]\n'
    for i in $(seq 0 19); do printf '"svc%d.bench.test" = "127.0.0.1"\n' "$i"; done
    for i in $(seq 0 19); do
        printf '[services.svc%d]\n' "$i"
        if ((i == 0)); then printf 'go = "./cmd/svc0"\n'; else printf 'cmd = ["true"]\n'; fi
        printf 'args = ["-addr", "127.0.0.1:${port}"]\n'
        printf 'ports = { http = %d }\n' "${ports[$i]}"
        printf 'hosts = ["svc%d.bench.test"]\n' "$i"
        if ((i > 0)); then printf 'depends_on = ["svc%d"]\n' $((i - 1)); fi
    done
} >"$work/app.toml"
{
    printf '127.0.0.1 localhost\n::1 localhost\n'
    for i in $(seq 0 19); do printf '127.0.0.1 svc%d.bench.test\n' "$i"; done
} >"$work/hosts.all"
{
    printf '127.0.0.1 localhost\n::1 localhost\n'
    for i in $(seq 0 9); do printf '127.0.0.1 svc%d.bench.test\n' "$i"; done
} >"$work/hosts.half"

summary() { # "median_ms mean_ms max_ms"
    sort -n "$1" | awk '{ v[NR] = $1; sum += $1 }
        END { printf "%.2f %.2f %.2f\n", v[int((NR + 1) / 2)] / 1000, sum / NR / 1000, v[NR] / 1000 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", (b > 0 ? a / b : 0) }'; }

check=("$golaunch" check "$work/app.toml")
# Sanity: the manifest loads and every check ran (exit 0 or 3 only).
set +e
"${check[@]}" --no-network --hosts-file "$work/hosts.all" >"$work/sample.txt" 2>&1
code=$?
set -e
if ((code != 0 && code != 3)); then
    echo "golaunch check failed (exit $code):" >&2
    cat "$work/sample.txt" >&2
    exit 1
fi
echo "sample: $(tail -n1 "$work/sample.txt")"

"$golaunch" --version >/dev/null
ss -ltn >/dev/null
for ((i = 0; i < reps; i++)); do # interleaved: load from elsewhere hits every row alike
    time_once "$work/version" "$golaunch" --version
    time_once "$work/true" /bin/true
    time_once "$work/ss" ss -ltn
    time_once "$work/nonet" "${check[@]}" --no-network --hosts-file "$work/hosts.all"
    if ((i < net_reps)); then
        time_once "$work/netall" "${check[@]}" --hosts-file "$work/hosts.all"
        if [[ ${BENCH_LOOPBACK_ONLY:-0} != 1 ]]; then
            time_once "$work/netmiss" "${check[@]}" --hosts-file "$work/hosts.half"
        fi
    fi
    if (($(date +%s) > deadline)); then
        echo "(time bound reached after $((i + 1)) rounds)"
        break
    fi
done

read -r version _ _ < <(summary "$work/version")
read -r ss _ _ < <(summary "$work/ss")
echo "golaunch check, 20 services / 20 ports / 20 names; median ms over $reps runs" \
    "(network rows: $net_reps); x = check / baseline"
printf '%-28s %8s ms\n' "golaunch --version" "$version"
printf '%-28s %8s ms\n' "ss -ltn" "$ss"
read -r true_ms _ _ < <(summary "$work/true")
printf '%-28s %8s ms  (golaunch --version = %s of it)\n' "/bin/true" "$true_ms" \
    "$(ratio "$version" "$true_ms")"
bench_result check_baselines "$version" "$ss" "$reps" "$net_reps"
bench_result check_true "$true_ms"
for row in nonet:no-network netall:network/all netmiss:network/miss; do
    file=${row%%:*}
    label=${row#*:}
    [[ -s $work/$file ]] || continue
    read -r median mean max < <(summary "$work/$file")
    printf '%-28s %8s ms  (mean %s, max %s)  = %s golaunch --version, %s ss -ltn\n' \
        "check $label" "$median" "$mean" "$max" "$(ratio "$median" "$version")" \
        "$(ratio "$median" "$ss")"
    bench_result "check_$file" "$median" "$mean" "$max"
done

if [[ ${BENCH_SKIP_WHO:-0} != 1 ]]; then
    echo
    echo "--- tests/bench/who_bench.sh (one run) ---"
    "$here/who_bench.sh" "$golaunch" 1500 100
fi
