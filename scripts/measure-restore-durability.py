#!/usr/bin/env python3
"""How a restore makes its staged files durable, side by side: the same
files (FILES small files of ~SIZE bytes in one directory, as a bot's
`data/guilds/`), written into a fresh directory of the filesystem the
restore writes to, then made durable one of three ways:

  syncfs      one syncfs(2) at the end (what `steward backup restore` does)
  fdatasync   fdatasync(2) of each file through its open fd before closing it
  range+pass  sync_file_range(WRITE) of each file as it is closed, then an
              fdatasync pass over every file (reopened) and an fsync of the
              directory

Each way runs RUNS times, alternating, and the medians are printed (whole
time: writing and flushing). Nothing else should write to that filesystem
meanwhile.

Usage: scripts/measure-restore-durability.py [RUNS] [FILES] [SIZE] [DIR]
(DIR defaults to $TMPDIR or /tmp; it must be on the filesystem to measure).
"""

import ctypes
import os
import shutil
import statistics
import sys
import tempfile
import time

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
FILES = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
SIZE = int(sys.argv[3]) if len(sys.argv) > 3 else 4000
BASE = sys.argv[4] if len(sys.argv) > 4 else os.environ.get("TMPDIR", "/tmp")

libc = ctypes.CDLL("libc.so.6", use_errno=True)
SYNC_FILE_RANGE_WRITE = 2


def check(ret):
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def syncfs(fd):
    check(libc.syncfs(fd))


def sync_file_range(fd):
    check(libc.sync_file_range(fd, ctypes.c_longlong(0), ctypes.c_longlong(0),
                               ctypes.c_uint(SYNC_FILE_RANGE_WRITE)))


def run(way, payloads):
    top = tempfile.mkdtemp(prefix="durability.", dir=BASE)
    dirpath = os.path.join(top, "guilds")
    os.mkdir(dirpath)
    os.sync()  # start each run with nothing dirty
    start = time.monotonic()
    for i, data in enumerate(payloads):
        fd = os.open(os.path.join(dirpath, f"{i}.json"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, data)
        if way == "fdatasync":
            os.fdatasync(fd)
        elif way == "range+pass":
            sync_file_range(fd)
        os.close(fd)
    dfd = os.open(dirpath, os.O_RDONLY | os.O_DIRECTORY)
    if way == "syncfs":
        syncfs(dfd)
    elif way == "range+pass":
        for i in range(len(payloads)):
            fd = os.open(os.path.join(dirpath, f"{i}.json"), os.O_RDONLY)
            os.fdatasync(fd)
            os.close(fd)
        os.fsync(dfd)
    elif way == "fdatasync":
        os.fsync(dfd)
    os.close(dfd)
    took = time.monotonic() - start
    shutil.rmtree(top)
    return took


def main():
    payloads = [os.urandom(SIZE // 2).hex().encode() for _ in range(FILES)]
    ways = ["syncfs", "fdatasync", "range+pass"]
    times = {w: [] for w in ways}
    for r in range(RUNS):
        order = ways if r % 2 == 0 else list(reversed(ways))
        for way in order:
            times[way].append(run(way, payloads))
        print(f"run {r + 1}/{RUNS}", file=sys.stderr)
    print(f"== {FILES} files of {SIZE} bytes in {BASE}, medians of {RUNS} runs ==")
    for way in ways:
        runs = " ".join(f"{t:.2f}" for t in times[way])
        print(f"{way:<12} {statistics.median(times[way]):7.2f} s   (runs: {runs})")


main()
