#!/usr/bin/env python3
"""The naive way a script waits for a port: try to connect every INTERVAL_MS until it works.

    tcp_probe.py PORT [INTERVAL_MS] [LIMIT_SECONDS] [STARTED_FILE]

Connects to 127.0.0.1:PORT at a fixed period (default 100 ms, counted from the start, so a
slow attempt does not shift the next one), and prints the wall clock of the first successful
connect in Unix microseconds. Exits 1 without output when LIMIT_SECONDS (default 10) pass
first. STARTED_FILE, when given, is created just before the first attempt, so a caller can
start the service only once the probe runs (Python's own start-up can take 100s of ms).
The baseline of the listen() -> ready row in tests/bench/monitor_bench.sh.
"""
import socket
import sys
import time


def connects(port):
    s = socket.socket()
    s.settimeout(1.0)
    try:
        s.connect(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def main():
    port = int(sys.argv[1])
    interval = float(sys.argv[2] if len(sys.argv) > 2 else 100) / 1000.0
    limit = float(sys.argv[3] if len(sys.argv) > 3 else 10)
    if len(sys.argv) > 4:
        open(sys.argv[4], "w").close()
    start = time.monotonic()
    attempt = 0
    while True:
        if connects(port):
            print(time.time_ns() // 1000, flush=True)
            return 0
        attempt += 1
        due = start + attempt * interval
        if due - start > limit:
            return 1
        time.sleep(max(0.0, due - time.monotonic()))


if __name__ == "__main__":
    sys.exit(main())
