#!/usr/bin/env python3
"""Time a command against another as whole processes, in turn, and print medians and pair-by-pair ratios.

    scripts/paired-runs.py [-n RUNS] [--warmup N] [--timeout SECONDS] --vs 'COMMAND_B' -- COMMAND_A [ARG ...]
    scripts/paired-runs.py [-n RUNS] -- COMMAND [ARG ...]

Each command runs RUNS times after N warm-up runs (not counted), A B A B ..., so a drift in the machine's speed
falls on both. For every run the operating system's own accounting of the finished process is taken (user and
system CPU seconds and peak resident memory, from wait4(2), as /usr/bin/time -v reports them) and its wall time.
It prints, per figure, the minimum, median and maximum of each command and, with --vs, of the ratio A/B taken pair by
pair. COMMAND_B is split as a shell splits words; neither command is given a shell (use `sh -c '...'` for one).
Output of the commands is discarded. Used for the figures of docs/BENCHMARKS.md; the machine is shared, so quote
medians and ratios, and note `uptime`.
"""

import os
import shlex
import statistics
import subprocess
import sys
import time


def run(command):
    """One whole run of `command`: user, sys, cpu, wall seconds and peak RSS in MiB."""
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return {"user": usage.ru_utime, "sys": usage.ru_stime, "cpu": usage.ru_utime + usage.ru_stime, "wall": wall,
            "rss_mib": usage.ru_maxrss / 1024, "exit": process.returncode}


def summary(values):
    return "%10.3f %10.3f %10.3f" % (min(values), statistics.median(values), max(values))


def main(argv):
    runs, warmup, timeout, other = 5, 1, 3600.0, None
    while argv and argv[0] != "--":
        option, value, argv = argv[0], argv[1] if len(argv) > 1 else None, argv[2:]
        if value is None:
            break
        if option == "-n":
            runs = int(value)
        elif option == "--warmup":
            warmup = int(value)
        elif option == "--timeout":
            timeout = float(value)
        elif option == "--vs":
            other = shlex.split(value)
        else:
            print(__doc__.strip(), file=sys.stderr)
            return 2
    if not argv or argv[0] != "--" or len(argv) < 2 or runs < 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    command = argv[1:]
    commands = [command] + ([other] if other else [])
    deadline = time.monotonic() + timeout
    for _ in range(warmup):
        for c in commands:
            run(c)
    results = [[] for _ in commands]
    for _ in range(runs):
        if time.monotonic() > deadline:
            break
        for index, c in enumerate(commands):
            results[index].append(run(c))
    print("load average %s; %d counted runs of each command" % (os.getloadavg(), len(results[0])))
    names = ["A: " + shlex.join(command)] + (["B: " + shlex.join(other)] if other else [])
    for name, rows in zip(names, results):
        print(name)
        print("  %-8s %10s %10s %10s" % ("figure", "min", "median", "max"))
        for key in ("user", "sys", "cpu", "wall", "rss_mib"):
            print("  %-8s %s" % (key, summary([r[key] for r in rows])))
        codes = sorted({r["exit"] for r in rows})
        print("  exit codes: %s" % codes)
    if other:
        print("ratio A/B, pair by pair")
        for key in ("cpu", "wall", "rss_mib"):
            ratios = [a[key] / b[key] for a, b in zip(results[0], results[1]) if b[key] > 0]
            if ratios:
                print("  %-8s %s" % (key, summary(ratios)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
