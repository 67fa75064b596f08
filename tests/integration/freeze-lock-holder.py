#!/usr/bin/env python3
"""freeze-lock-holder.py DB SECONDS [PID]: SIGSTOP the process that holds
DB's write lock, and print its PID.

In WAL mode SQLite's write lock is a POSIX lock on byte 120 of DB-shm
(WAL_WRITE_LOCK), listed in /proc/locks with its owner's PID.  Polls
until a process holds it, stops that process, and confirms the lock
is still its own once it is stopped (it cannot let go then); a holder
that let go in between is continued and the wait goes on.  Exits 1
when no holder was caught within SECONDS, 2 as soon as PID (the program
expected to take the lock) has exited without being caught.
"""
import os
import signal
import sys
import time


def holders(dev_ino):
    """PIDs that hold the WAL write lock of the -shm file DEV_INO."""
    found = []
    with open("/proc/locks") as f:
        for line in f:
            w = line.split()
            # 1: POSIX  ADVISORY  WRITE 4242 08:01:1234 120 120
            if len(w) < 8 or w[1] != "POSIX" or w[3] != "WRITE":
                continue
            maj, mi, ino = w[5].split(":")
            if (int(maj, 16), int(mi, 16), int(ino)) != dev_ino:
                continue
            if int(w[6]) <= 120 <= (2**63 if w[7] == "EOF" else int(w[7])):
                found.append(int(w[4]))
    return found


def stopped(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0] in ("T", "t")


def gone(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def main():
    shm, limit = sys.argv[1] + "-shm", float(sys.argv[2])
    watch = int(sys.argv[3]) if len(sys.argv) > 3 else None
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if watch is not None and gone(watch):
            return 2
        try:
            st = os.stat(shm)
            key = (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)
            pids = holders(key)
        except FileNotFoundError:
            continue
        for pid in pids:
            try:
                os.kill(pid, signal.SIGSTOP)
                while not stopped(pid) and time.monotonic() < deadline:
                    pass
                if stopped(pid) and pid in holders(key):
                    print(pid)
                    return 0
                os.kill(pid, signal.SIGCONT)
            except (ProcessLookupError, FileNotFoundError):
                pass
    return 1


sys.exit(main())
