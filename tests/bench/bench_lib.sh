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
