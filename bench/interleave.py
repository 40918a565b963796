#!/usr/bin/env python3
"""Run commands round-robin (a fresh random order every round) and print, per
command, the median wall time, CPU time (user + system of the command and all
its descendants, from wait4) and minor page faults, with ratios to the last
command given (the peer).  Interleaving matters on a shared machine: the
load changes over a run, and it then changes for every command alike.

Usage: interleave.py [--runs N] [--warmup N] [--title T] [--rt PRIO] NAME=COMMAND...
COMMAND is split on spaces (no shell); its stdout goes to /dev/null and any
non-zero exit stops the run."""
import argparse, ctypes, os, random, statistics, sys, time

# A subreaper: a descendant the command leaves behind (a sandbox's pid 1
# that reported the call's end and is still exiting: clawjail's and bwrap's
# launchers both go on without reaping it) is reparented here and reaped
# after the wall time is taken, its CPU and faults counted for the command.
# Without this, whatever such a process and its children used is nobody's.
PR_SET_CHILD_SUBREAPER = 36
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("interleave.py: prctl(PR_SET_CHILD_SUBREAPER) failed")

ap = argparse.ArgumentParser()
ap.add_argument("--runs", type=int, default=200)
ap.add_argument("--warmup", type=int, default=10)
ap.add_argument("--title", default="")
ap.add_argument("--rt", type=int, default=0, metavar="PRIO",
                help="run this driver and every command under SCHED_FIFO at PRIO (needs root): "
                     "ordinary (CFS) work on the machine then waits while a command runs, so a build "
                     "or test run beside the benchmark does not decide the result")
ap.add_argument("cmds", nargs="+")
a = ap.parse_args()
if a.rt:
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(a.rt))  # inherited by every command
    except OSError as e:
        sys.exit(f"interleave.py: --rt: {e}")
cmds = []
for c in a.cmds:
    name, _, line = c.partition("=")
    if not line:
        sys.exit(f"interleave.py: {c!r} is not NAME=COMMAND")
    cmds.append((name, line.split()))
res = {n: ([], [], []) for n, _ in cmds}
devnull = [(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)]
for i in range(a.warmup + a.runs):
    order = cmds[:]
    random.shuffle(order)
    for name, argv in order:
        t = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=devnull)
        _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - t
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            sys.exit(f"interleave.py: {name} exited with {code}: {' '.join(argv)}")
        cpu, faults = ru.ru_utime + ru.ru_stime, ru.ru_minflt
        while True:  # what it left behind (reparented here), to the last one
            try:
                _, _, oru = os.wait4(-1, 0)
            except ChildProcessError:
                break
            cpu, faults = cpu + oru.ru_utime + oru.ru_stime, faults + oru.ru_minflt
        if i >= a.warmup:
            w, c, f = res[name]
            w.append(wall * 1000)
            c.append(cpu * 1000)
            f.append(faults)
peer = cmds[-1][0]
med = {n: tuple(statistics.median(x) for x in v) for n, v in res.items()}
print(f"-- {a.title} ({a.runs} interleaved runs, load average {os.getloadavg()[0]:.1f})")
for name, _ in cmds:
    w, c, f = med[name]
    line = f"{name:9s} median {w:8.3f} ms   cpu {c:7.3f} ms   minor faults {f:5.0f}"
    if name != peer:
        pw, pc, _ = med[peer]
        line += f"   {w / pw:.2f}x {peer} (cpu {c / pc:.2f}x)"
    print(line)
