#!/usr/bin/python3
"""A syslog socket for the tests: binds an AF_UNIX datagram socket at
SOCKET and appends every datagram it receives, one per line, to LOG.
Writes its PID to PIDFILE once it listens.  Stopped by SIGTERM.

    syslog-sink.py SOCKET LOG PIDFILE
"""
import os
import signal
import socket
import sys

sock_path, log_path, pid_path = sys.argv[1:4]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
# Any user may log, as with /dev/log.
os.chmod(sock_path, 0o666)
with open(pid_path + ".tmp", "w") as f:
    f.write("%d\n" % os.getpid())
os.rename(pid_path + ".tmp", pid_path)
with open(log_path, "ab", buffering=0) as log:
    while True:
        data = s.recv(65536)
        log.write(data.rstrip(b"\0\n") + b"\n")
