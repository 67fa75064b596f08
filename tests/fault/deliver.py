#!/usr/bin/env python3
"""Delivers messages into postdesk-ingest the way an MTA does, with faults.

Usage: deliver.py [--kill P] [--max-delay MS] [--seed N] [--user U]
                  --figures FILE -- INGEST-ARGV... < LIST

LIST holds one message file per line, delivered in that order.  Each
delivery is retried, as an MTA retries, on any non-zero exit and on a
kill, until ingest exits 0 (at most --max-attempts times; a message that
never got 0 counts as lost).  With --kill P, each attempt is killed with
SIGKILL after a random delay of up to --max-delay ms with probability P
(the kill can come after ingest has already exited: that is a delivery).
With --first-kill, each message's first attempt gets its kill for sure.

The figures go to --figures as JSON: delivered, lost, attempts, kills
(attempts a SIGKILL really ended), tempfail (exits 75), other exits and
the longest wait from a message's first attempt to its exit 0 (ms).
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time


def attempt(argv, path, kill_p, max_delay, rnd, user, first=False):
    with open(path, "rb") as f:
        p = subprocess.Popen(argv, stdin=f, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, user=user,
                             group=user, extra_groups=[] if user else None)
        if first or rnd.random() < kill_p:
            deadline = time.monotonic() + rnd.uniform(0, max_delay) / 1000
            # Fault timing, not a wait for a condition: the kill lands
            # at a random point of the run (or after it ended).
            while p.poll() is None and time.monotonic() < deadline:
                time.sleep(0.0005)
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
        return p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kill", type=float, default=0.0)
    ap.add_argument("--max-delay", type=float, default=30.0)
    ap.add_argument("--max-attempts", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first-kill", action="store_true",
                    help="always kill a message's first attempt")
    ap.add_argument("--user", default=None)
    ap.add_argument("--figures", required=True)
    ap.add_argument("argv", nargs="+")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    fig = {"delivered": 0, "lost": 0, "attempts": 0, "kills": 0,
           "tempfail": 0, "other": 0, "longest_wait_ms": 0}
    for line in sys.stdin:
        path = line.strip()
        if not path:
            continue
        t0 = time.monotonic()
        for n in range(a.max_attempts):
            fig["attempts"] += 1
            rc = attempt(a.argv, path, a.kill, a.max_delay, rnd, a.user,
                         a.first_kill and n == 0)
            if rc == 0:
                fig["delivered"] += 1
                ms = int((time.monotonic() - t0) * 1000)
                fig["longest_wait_ms"] = max(fig["longest_wait_ms"], ms)
                break
            if rc == -signal.SIGKILL:
                fig["kills"] += 1
            elif rc == 75:
                fig["tempfail"] += 1
            else:
                fig["other"] += 1
                print(f"deliver: {path}: exit {rc}", file=sys.stderr)
        else:
            fig["lost"] += 1
            print(f"deliver: {path}: never delivered", file=sys.stderr)
    with open(a.figures, "w") as f:
        json.dump(fig, f)
    return 0 if fig["lost"] == 0 and fig["other"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
