#!/usr/bin/env python3
"""Subprocess adapters (docs/adapters.md) that misbehave, for hostile.py.

usage: hostile_adapter.py MODE
  close-and-stay  closes stdin and stdout, then keeps running
  double-lines    answers each body with two result lines
  flood           answers with an endless line (no newline), 1 MiB/s of stderr too
  memory-hog      allocates memory without end on each body
  orphan          starts a helper that outlives it (marked otaconf-hostile-orphan), then answers
"""
import json
import os
import subprocess
import sys
import time

ANSWER = json.dumps({"accepted": True, "errno": 11, "error": "no task", "data": None,
                     "action": "no-update"}) + "\n"


def bodies():
    """Yields each framed body: 'LENGTH PROFILE\\n' then LENGTH bytes."""
    stdin = sys.stdin.buffer
    while True:
        header = stdin.readline()
        if not header:
            return
        length = int(header.split()[0])
        yield stdin.read(length)


def main(mode):
    out = sys.stdout
    if mode == "close-and-stay":
        os.close(0)
        os.close(1)
        time.sleep(3600)
    if mode == "orphan":
        subprocess.Popen(["sh", "-c", "exec -a otaconf-hostile-orphan sleep 3600"])
    for _ in bodies():
        if mode == "double-lines":
            out.write(ANSWER + ANSWER)
        elif mode == "flood":
            block = "x" * 65536
            while True:
                out.write(block)
                sys.stderr.write(block)
        elif mode == "memory-hog":
            hoard = []
            while True:
                hoard.append(b"m" * (16 << 20))  # touched: resident, not just reserved
        else:
            out.write(ANSWER)
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1])
