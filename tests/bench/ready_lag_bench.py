#!/usr/bin/env python3
"""HTTP readiness lag: how soon golaunch's `ready = { http = ... }` sees a server serve.

    tests/bench/ready_lag_bench.py BUILD_DIR [RUNS]

The healthserver fixture listens at once and answers GET /health with 503 for 300 ms, then 200
("first 200 at <us>" and "serving at <us>" on its stdout, from its own clock). Each run:
  golaunch  `golaunch run --json --no-network --stop-when-ready` with that one service and
            ready = { http = "http://127.0.0.1:${port}/health" }: the lag from the fixture's first
            200 to golaunch's "ready" event (its time_unix_us), and from the moment the fixture
            became healthy ("serving at") to the event
  compose   the same fixture started directly, polled the way a docker-compose healthcheck with
            `interval: 1s` does (first check one interval after start, then every interval, each
            a GET with a 1 s timeout): the lag from "serving at" to the first passing check
Runs alternate between the two (the machine's noise hits both). Prints the medians and their
ratio; with $BENCH_RESULTS set (tests/bench/run_all.sh) the figures are appended there.
Loopback only, ports from the kernel; every process is started here and killed if it outlives
its deadline.
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

UNHEALTHY = "300ms"
DEADLINE = 20.0
COMPOSE_INTERVAL = 1.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def printed_us(line, marker):
    at = line.find(marker + " at ")
    return int(line[at + len(marker) + 4:].split()[0]) if at >= 0 else None


def golaunch_run(build, fixture, work):
    port = free_port()
    manifest = os.path.join(work, "app.toml")
    with open(manifest, "w") as f:
        f.write('version = 1\nname = "readylag"\n[services.api]\n'
                'cmd = [%s, "-addr", "127.0.0.1:${port}", "-unhealthy-for", "%s"]\n'
                'ports = { http = %d }\n'
                'ready = { http = "http://127.0.0.1:${port}/health" }\n'
                % (json.dumps(fixture), UNHEALTHY, port))
    proc = subprocess.Popen([os.path.join(build, "golaunch"), "run", manifest, "--json",
                             "--no-network", "--stop-when-ready"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    timer = threading.Timer(DEADLINE, proc.kill)
    timer.start()
    first_200 = serving = ready = None
    try:
        for line in proc.stdout:
            event = json.loads(line)
            if event.get("event") == "log":
                first_200 = first_200 or printed_us(event["line"], "first 200")
                serving = serving or printed_us(event["line"], "serving")
            elif event.get("event") == "ready" and event.get("service") == "api":
                ready = event["time_unix_us"]
        proc.wait()
    finally:
        timer.cancel()
    if None in (first_200, serving, ready):
        raise RuntimeError("golaunch run gave no figures (exit %s)" % proc.returncode)
    return (ready - first_200) / 1000.0, (ready - serving) / 1000.0


def compose_run(fixture):
    port = free_port()
    proc = subprocess.Popen([fixture, "-addr", "127.0.0.1:%d" % port, "-unhealthy-for", UNHEALTHY],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    started = time.time()
    serving = []

    def read():
        for line in proc.stdout:
            value = printed_us(line, "serving")
            if value:
                serving.append(value)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        check = 1
        while time.time() - started < DEADLINE:
            time.sleep(max(0.0, started + check * COMPOSE_INTERVAL - time.time()))
            check += 1
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/health" % port,
                                            timeout=1.0) as response:
                    if response.status == 200:
                        passed = time.time()
                        break
            except Exception:
                continue
        else:
            raise RuntimeError("the compose-style check never passed")
    finally:
        proc.kill()
        proc.wait()
    reader.join(timeout=2)
    if not serving:
        raise RuntimeError("the fixture did not say when it became healthy")
    return (passed * 1e6 - serving[0]) / 1000.0


def main():
    build = os.path.realpath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    fixture = os.path.join(build, "tests", "fixtures", "healthserver")
    first_lags, healthy_lags, compose_lags = [], [], []
    with tempfile.TemporaryDirectory() as work:
        for i in range(runs):
            order = [0, 1] if i % 2 == 0 else [1, 0]
            for which in order:
                if which == 0:
                    first, healthy = golaunch_run(build, fixture, work)
                    first_lags.append(first)
                    healthy_lags.append(healthy)
                else:
                    compose_lags.append(compose_run(fixture))
            print("run %d: first 200 -> ready %.2f ms, healthy -> ready %.1f ms, compose-style "
                  "healthy -> passing %.0f ms" % (i + 1, first_lags[-1], healthy_lags[-1],
                                                 compose_lags[-1]), file=sys.stderr)
    first, healthy, compose = (statistics.median(v) for v in
                               (first_lags, healthy_lags, compose_lags))
    print("ready lag (%d runs): first 200 -> ready median %.2f ms (max %.2f); healthy -> ready "
          "median %.1f ms; compose-style 1 s healthcheck: healthy -> passing median %.0f ms; "
          "golaunch/compose %.3f" % (runs, first, max(first_lags), healthy, compose,
                                     healthy / compose))
    results = os.environ.get("BENCH_RESULTS")
    if results:
        with open(results, "a") as f:
            f.write("ready_lag %d %.2f %.2f %.1f %.0f\n" % (runs, first, max(first_lags), healthy,
                                                          compose))


if __name__ == "__main__":
    main()
