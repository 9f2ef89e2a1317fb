#!/usr/bin/env python3
"""Runs a command and writes its peak resident set to a file, for the tests
that hold xdpi's memory to its documented bound (tests/t_flowmem*.sh).

  tests/peakrss.py OUT CMD [ARG...]

OUT gets one line: the most the command (and anything it waited for) ever
had resident, in KiB (getrusage(RUSAGE_CHILDREN).ru_maxrss: the kernel's
high-water mark, VmHWM, kept at exit, so nothing after a last look escapes
it). SIGINT and SIGTERM are passed on to the command, so a test stops it as
it would stop the command itself; the exit status is the command's (128 +
the signal when a signal ended it). Python standard library only.
"""
import resource
import signal
import subprocess
import sys

if len(sys.argv) < 3:
    sys.exit("usage: peakrss.py OUT CMD [ARG...]")
child = subprocess.Popen(sys.argv[2:])
for sig in (signal.SIGINT, signal.SIGTERM):
    signal.signal(sig, lambda n, _frame: child.send_signal(n))
rc = child.wait()
with open(sys.argv[1], "w") as out:
    out.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc if rc >= 0 else 128 - rc)
