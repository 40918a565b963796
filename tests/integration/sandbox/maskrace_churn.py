#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Change a workspace the way a parallel call can, until STOP appears.

maskrace_churn.py MODE WS STOP

  swap  `mv a b; mkdir a; echo fake > a/.env`, hold 50 ms, put b back as a,
        hold 20 ms: the plan (made by path, in the launcher) sees the real
        a/.env, and the mounts (later, by path) find the fake one.
  move  move the directory s (holding .env) from one fN/ to another, at
        random, every 0.5 ms: during pid 1's walk it lands, now and then,
        in a directory already listed.
  npm   what a package manager does in node_modules: unpack a package in
        .staging/, rename it into place, retire an old one (rename, then
        delete), a package every millisecond or so.
  listed  rename the directory x to secrets once pid 1's walk has listed
        it: x is opened (IN_OPEN) by the plan's scan first, then by pid 1's
        walk, whose listing of the rest of the workspace is still to come.
        Armed for each call by a file STOP.arm (which it removes); writes
        STOP.done once it renamed.
  plant  write a secret to x/.env right after the plan listed x (its first
        IN_OPEN once armed, as for listed): pid 1's walk must not take x
        for the directory the plan listed.  The secret is in STOP.secret.

Prints the number of changes made.  Every step tolerates what the sandbox's
own setup leaves behind (an empty mount point it created for a mask), as a
real parallel process would.
"""
import ctypes
import os
import random
import select
import struct
import shutil
import sys
import time


def clear(path):
    while os.path.lexists(path):
        try:
            os.rename(path, "junk")
        except OSError:
            pass
        shutil.rmtree("junk", ignore_errors=True)


def move(src, dst):
    while True:
        clear(dst)
        try:
            os.rename(src, dst)
            return
        except OSError:
            pass


def fresh_dir(path):
    """An empty directory at path; what the sandbox's setup puts there in
    between (an empty mount point for a mask) is cleared again."""
    while True:
        clear(path)
        try:
            os.mkdir(path)
            return
        except FileExistsError:
            pass


def swap(stop):
    n = 0
    while not os.path.exists(stop):
        move("a", "b")
        fresh_dir("a")
        try:
            with open("a/.env", "w") as f:
                f.write("fake\n")
        except OSError:
            pass  # a moved away meanwhile: the fake is for the next round
        time.sleep(0.05)
        move("b", "a")
        time.sleep(0.02)
        n += 1
    return n


def mover(stop):
    dirs = sorted(d for d in os.listdir(".") if d.startswith("f"))
    here = next(d for d in dirs if os.path.isdir(d + "/s"))
    n = 0
    while not os.path.exists(stop):
        there = random.choice(dirs)
        try:
            os.rename(here + "/s", there + "/s")
            here = there
            n += 1
        except OSError:
            pass  # a mask's empty mount point sits there: pick another
        time.sleep(0.0005)
    return n


def npm(stop):
    os.makedirs("node_modules/.staging", exist_ok=True)
    n = 0
    live = []
    while not os.path.exists(stop):
        name = "churn%d" % n
        stage = "node_modules/.staging/" + name
        for sub in ("lib", "lib/util", "dist"):
            os.makedirs(stage + "/" + sub, exist_ok=True)
            for i in range(4):
                with open("%s/%s/f%d.js" % (stage, sub, i), "w") as f:
                    f.write("module.exports = %d\n" % i)
        os.rename(stage, "node_modules/" + name)
        live.append(name)
        if len(live) > 50:
            old = live.pop(0)
            os.rename("node_modules/" + old, "node_modules/.%s-retired" % old)
            shutil.rmtree("node_modules/.%s-retired" % old, ignore_errors=True)
        n += 1
        time.sleep(0.001)
    return n


IN_OPEN = 0x20
IN_ISDIR = 0x40000000


def on_open(stop, nth, act):
    """For each arming, act() at the nth IN_OPEN of directory x."""
    libc = ctypes.CDLL(None, use_errno=True)
    ifd = libc.inotify_init1(os.O_CLOEXEC)
    if ifd < 0 or libc.inotify_add_watch(ifd, b"x", IN_OPEN) < 0:
        raise OSError(ctypes.get_errno(), "inotify")
    arm, done = stop + ".arm", stop + ".done"
    n = 0
    while not os.path.exists(stop):
        if not os.path.exists(arm):
            time.sleep(0.005)
            continue
        while select.select([ifd], [], [], 0)[0]:  # opens before this call's
            os.read(ifd, 65536)
        os.unlink(arm)
        opens = 0
        while opens < nth and not os.path.exists(stop):
            if not select.select([ifd], [], [], 0.05)[0]:
                continue
            buf = os.read(ifd, 65536)
            at = 0
            while at < len(buf):
                _, mask, _, size = struct.unpack_from("iIII", buf, at)
                at += 16 + size
                if mask & IN_OPEN and mask & IN_ISDIR and size == 0:  # x itself
                    opens += 1
        if opens == nth:
            act()
            n += 1
            open(done, "w").close()
    return n


def listed(stop):
    return on_open(stop, 2, lambda: os.rename("x", "secrets"))


def plant(stop):
    with open(stop + ".secret") as f:
        secret = f.read()

    def write():
        with open("x/.env", "w") as f:
            f.write(secret)

    return on_open(stop, 1, write)


def main():
    mode, ws, stop = sys.argv[1:4]
    os.chdir(ws)
    print({"swap": swap, "move": mover, "npm": npm, "listed": listed, "plant": plant}[mode](stop))


if __name__ == "__main__":
    main()
