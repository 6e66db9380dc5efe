#!/usr/bin/env python3
"""Edit -> serving: how soon a saved .go file is served, `golaunch run --watch` vs reflex.

    tests/bench/edit_bench.py BUILD_DIR [ROUNDS]

A Go module made in a temp dir: cmd/api serves msg.Text() over HTTP. Each round rewrites
msg/msg.go with a new text, then polls GET / every 2 ms until the new text comes back.
  golaunch  `golaunch run --json --watch`: edit -> the new text served, and from golaunch's
            events the build time (`rebuilt` build_ms), the downtime (old stop -> new ready,
            `downtime_ms`) and so its own overhead: edit -> ready minus the build (the 100 ms
            debounce included, and given apart)
  reflex    `reflex -r '\\.go$' -s -- go run ./cmd/api` (Debian's reflex), the usual loop
            without golaunch: edit -> the new text served
Each tool has its own copy of the module (each would rebuild on the other's edits otherwise);
both use the same GOCACHE, warmed before the first round. Rounds alternate between the two.
Then idle with watch: 20 go services of one module under `run --watch`, all ready, and
golaunch's CPU ticks (utime+stime of all its threads) over 10 s: watching must cost ~nothing.
Prints medians and the ratio; with $BENCH_RESULTS set (tests/bench/run_all.sh) the figures are
appended there. Loopback only, ports from the kernel; every process is started here and killed
at its deadline.
"""
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime

DEADLINE = 60.0
DEBOUNCE_MS = 100.0

MAIN_GO = """package main

import (
	"flag"
	"fmt"
	"net/http"

	"example.com/edit/msg"
)

func main() {
	addr := flag.String("addr", "", "")
	flag.Parse()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, msg.Text()) })
	fmt.Println("listening on", *addr)
	if err := http.ListenAndServe(*addr, nil); err != nil {
		panic(err)
	}
}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_msg(work, text):
    path = os.path.join(work, "msg", "msg.go")
    with open(path + ".new", "w") as f:
        f.write('package msg\n\nfunc Text() string { return "%s" }\n' % text)
    os.replace(path + ".new", path)  # as editors save: one event, never a half file


def make_module(work):
    os.makedirs(os.path.join(work, "msg"))
    os.makedirs(os.path.join(work, "cmd", "api"))
    with open(os.path.join(work, "go.mod"), "w") as f:
        f.write("module example.com/edit\n\ngo 1.19\n")
    with open(os.path.join(work, "cmd", "api", "main.go"), "w") as f:
        f.write(MAIN_GO)
    write_msg(work, "start")


def get(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=0.5) as r:
            return r.read().decode()
    except Exception:
        return None


def wait_for_text(port, text, deadline):
    while time.monotonic() < deadline:
        if get(port) == text:
            return time.monotonic()
        time.sleep(0.002)
    return None


class Events:
    """golaunch's NDJSON events, read on a thread."""

    def __init__(self, proc):
        self.lines = []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc):
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            with self.lock:
                self.lines.append(event)

    def find(self, name, after):
        with self.lock:
            return [e for e in self.lines[after:] if e.get("event") == name]

    def count(self):
        with self.lock:
            return len(self.lines)


def event_epoch(event):
    return datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=__import__("datetime").timezone.utc).timestamp()


def idle_watch_ticks(build, work, env, services=20, seconds=10.0):
    """golaunch's utime+stime ticks over `seconds` with `services` watched go services."""
    ports = [free_port() for _ in range(services)]
    text = 'version = 1\nname = "idle"\n'
    for i, port in enumerate(ports):
        text += ('[services.s%d]\ngo = "./cmd/api"\nargs = ["-addr", "127.0.0.1:${ports.s%d.http}"]'
                 '\nports = { http = %d }\n' % (i, i, port))
    with open(os.path.join(work, "idle.toml"), "w") as f:
        f.write(text)
    proc = subprocess.Popen([os.path.join(build, "golaunch"), "run", "idle.toml", "--json",
                             "--no-network", "--watch"], cwd=work, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        events = Events(proc)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not events.find("all_ready", 0):
            time.sleep(0.1)
        if not events.find("all_ready", 0):
            sys.exit("edit_bench: the 20 watched services did not get ready")
        time.sleep(1.0)

        def ticks():
            total = 0
            for task in os.listdir("/proc/%d/task" % proc.pid):
                with open("/proc/%d/task/%s/stat" % (proc.pid, task)) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            return total
        before = ticks()
        time.sleep(seconds)
        return ticks() - before
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def main():
    build = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    if shutil.which("reflex") is None:
        sys.exit("edit_bench: reflex is not installed (apt-get install reflex)")
    top = tempfile.mkdtemp(prefix="golaunch-edit-bench-")
    work = os.path.join(top, "golaunch")
    other = os.path.join(top, "reflex")
    env = dict(os.environ, GOCACHE=os.path.join(top, ".gocache"), GOFLAGS="-mod=mod")
    procs = []
    try:
        make_module(work)
        make_module(other)
        subprocess.run(["go", "build", "-o", os.devnull, "./cmd/api"], cwd=work, env=env,
                       check=True, timeout=300)  # the standard library into the cache
        gl_port, rf_port = free_port(), free_port()
        with open(os.path.join(work, "golaunch.toml"), "w") as f:
            f.write('version = 1\nname = "edit"\n[services.api]\ngo = "./cmd/api"\n'
                    'args = ["-addr", "127.0.0.1:${ports.api.http}"]\n'
                    'ports = { http = %d }\nwatch = true\n' % gl_port)
        gl = subprocess.Popen([os.path.join(build, "golaunch"), "run", "--json", "--no-network"],
                              cwd=work, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, start_new_session=True)
        procs.append(gl)
        events = Events(gl)
        rf = subprocess.Popen(["reflex", "-r", r"\.go$", "-s", "--", "go", "run", "./cmd/api",
                               "-addr", "127.0.0.1:%d" % rf_port],
                              cwd=other, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
        procs.append(rf)
        deadline = time.monotonic() + DEADLINE
        if wait_for_text(gl_port, "start", deadline) is None or \
           wait_for_text(rf_port, "start", deadline) is None:
            sys.exit("edit_bench: the servers did not come up")
        time.sleep(1.0)
        golaunch, reflex, builds, overheads, downtimes = [], [], [], [], []
        for i in range(rounds):
            # golaunch round
            seen = events.count()
            text = "golaunch %d" % i
            t0_wall = time.time()
            t0 = time.monotonic()
            write_msg(work, text)
            served = wait_for_text(gl_port, text, time.monotonic() + DEADLINE)
            if served is None:
                sys.exit("edit_bench: golaunch did not serve the edit")
            golaunch.append((served - t0) * 1000)
            for _ in range(500):
                if events.find("rebuilt", seen):
                    break
                time.sleep(0.01)
            rebuilt = events.find("rebuilt", seen)[0]
            builds.append(rebuilt["build_ms"])
            downtimes.append(rebuilt["downtime_ms"])
            ready = events.find("ready", seen)[-1]
            overheads.append((event_epoch(ready) - t0_wall) * 1000 - rebuilt["build_ms"])
            time.sleep(0.5)
            # reflex round: the same edit, its own server
            text = "reflex %d" % i
            t0 = time.monotonic()
            write_msg(other, text)
            served = wait_for_text(rf_port, text, time.monotonic() + DEADLINE)
            if served is None:
                sys.exit("edit_bench: reflex did not serve the edit")
            reflex.append((served - t0) * 1000)
            time.sleep(0.5)
            print("round %d: golaunch %.0f ms (build %d, downtime %.1f), reflex %.0f ms"
                  % (i, golaunch[-1], builds[-1], downtimes[-1], reflex[-1]), file=sys.stderr)
        for proc in procs:  # the edit loop is over: stop both before the idle window
            os.killpg(proc.pid, signal.SIGINT if proc is procs[0] else signal.SIGTERM)
            proc.wait(timeout=30)
        procs = []
        idle = idle_watch_ticks(build, work, env)
        g, r = statistics.median(golaunch), statistics.median(reflex)
        b, o, d = statistics.median(builds), statistics.median(overheads), statistics.median(
            downtimes)
        print("edit -> serving, median of %d: golaunch %.0f ms (go build %.0f ms, golaunch's "
              "overhead %.0f ms of which %.0f ms debounce, downtime %.1f ms); reflex + go run "
              "%.0f ms; golaunch/reflex %.2f; idle with --watch, 20 services: %d CPU ticks in 10 s"
              % (rounds, g, b, o, DEBOUNCE_MS, d, r, g / r, idle))
        results = os.environ.get("BENCH_RESULTS")
        if results:
            with open(results, "a") as f:
                f.write("edit %d %.0f %.0f %.0f %.1f %.0f %d\n" % (rounds, g, b, o, d, r, idle))
    finally:
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGINT if proc is procs[0] else signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
