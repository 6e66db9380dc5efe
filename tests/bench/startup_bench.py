#!/usr/bin/env python3
"""Time to ready: what golaunch adds between "start it" and "it accepts connections".

    tests/bench/startup_bench.py BUILD_DIR [ROUNDS]

Each round picks one free loopback port (from the kernel) and starts the httpserver fixture
on it three ways, in an order that rotates from round to round:
  direct   the binary itself; done when it prints "listening on" (right after its listen(),
           so the port already accepts; a connect checks it)
  notify   `golaunch run --json --no-network --stop-when-ready --monitor notify`, a manifest
           with that one service; done when golaunch prints the "ready" event
  off      the same with `--monitor off` (readiness by polling the socket table)
The clock runs from just before the process is spawned to the line being read from its
stdout pipe, so both sides pay the same spawn and pipe costs. golaunch's run includes its
preflight (no DNS: the manifest names no hosts); the time to its "starting" event (preflight
and monitor set-up done, nothing launched yet) is printed beside. Prints the medians and
golaunch/direct.
With $BENCH_RESULTS set (tests/bench/run_all.sh), the figures are also appended there.
Loopback only; every process is started here, waited for, and killed if it outlives its
deadline.
"""
import json
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

LINE_DEADLINE = 20.0  # seconds for any one start


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port, limit=5.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return True
        time.sleep(0.01)
    return False


def accepts(port):
    with socket.socket() as s:
        s.settimeout(1.0)
        return s.connect_ex(("127.0.0.1", port)) == 0


def first_line(process, matches, seen=None):
    """Reads process's stdout until matches(line); returns (monotonic time, line) or None.
    seen(line, time), when given, is called for every line before it."""
    end = time.monotonic() + LINE_DEADLINE
    buffer = b""
    fd = process.stdout.fileno()
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            return None
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            now = time.monotonic()
            if matches(line):
                return now, line
            if seen:
                seen(line, now)


def stop(process, sig):
    if process.poll() is None:
        process.send_signal(sig)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_direct(server, port):
    start = time.monotonic()
    process = subprocess.Popen([server, "-addr", "127.0.0.1:%d" % port],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        found = first_line(process, lambda line: b"listening on" in line)
        if found is None or not accepts(port):
            raise RuntimeError("the server did not listen on %d" % port)
        return (found[0] - start) * 1000.0, None
    finally:
        stop(process, signal.SIGTERM)


def event_name(line):
    try:
        return json.loads(line).get("event")
    except ValueError:
        return None


def run_golaunch(golaunch, server, port, mode, work):
    manifest = os.path.join(work, "m.toml")
    with open(manifest, "w") as f:
        f.write('version = 1\nname = "startup"\n[services.svc]\n'
                'cmd = ["%s", "-addr", "127.0.0.1:${port}"]\n'
                'ports = { http = %d }\nrestart = "no"\nstartup_timeout = "15s"\n'
                % (server, port))
    starting = []

    def seen(line, now):
        if not starting and event_name(line) == "starting":
            starting.append(now)

    start = time.monotonic()
    process = subprocess.Popen([golaunch, "run", manifest, "--json", "--no-network",
                                "--stop-when-ready", "--monitor", mode],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        found = first_line(process, lambda line: event_name(line) == "ready", seen)
        if found is None or not starting:
            raise RuntimeError("golaunch --monitor %s did not report ready on %d" % (mode, port))
        return (found[0] - start) * 1000.0, (starting[0] - start) * 1000.0
    finally:
        stop(process, signal.SIGINT)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    golaunch = os.path.realpath(os.path.join(build, "golaunch"))
    server = os.path.realpath(os.path.join(build, "tests", "fixtures", "httpserver"))
    kinds = ["direct", "notify", "off"]
    times = {kind: [] for kind in kinds}
    before_start = {kind: [] for kind in kinds}  # spawn -> golaunch's "starting" event
    with tempfile.TemporaryDirectory() as work:
        for round_index in range(rounds):
            port = free_port()
            shift = round_index % len(kinds)
            for kind in kinds[shift:] + kinds[:shift]:
                if not port_free(port):
                    raise RuntimeError("port %d still busy" % port)
                if kind == "direct":
                    took, starting = run_direct(server, port)
                else:
                    took, starting = run_golaunch(golaunch, server, port, kind, work)
                times[kind].append(took)
                if starting is not None:
                    before_start[kind].append(starting)
    direct = statistics.median(times["direct"])
    print("time to ready, median of %d rounds (spawn -> line read):" % rounds)
    print("  direct (binary prints 'listening on')  %7.2f ms  (min %.2f, max %.2f)"
          % (direct, min(times["direct"]), max(times["direct"])))
    for kind in ("notify", "off"):
        median = statistics.median(times[kind])
        print("  golaunch --monitor %-6s ready event  %7.2f ms  (min %.2f, max %.2f; spawn -> "
              "\"starting\" event, i.e. preflight and monitor set-up done: %.2f ms) = +%.2f ms, "
              "%.2fx direct"
              % (kind, median, min(times[kind]), max(times[kind]),
                 statistics.median(before_start[kind]), median - direct, median / direct))
    results = os.environ.get("BENCH_RESULTS")
    if results:
        with open(results, "a") as f:
            f.write("startup_direct %.3f %d\n" % (direct, rounds))
            for kind in ("notify", "off"):
                f.write("startup_%s %.3f %.3f\n" % (kind, statistics.median(times[kind]),
                                                   statistics.median(before_start[kind])))


if __name__ == "__main__":
    main()
