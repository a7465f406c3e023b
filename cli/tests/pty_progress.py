#!/usr/bin/env python3
"""On a terminal, otaconf shows a progress line on stderr and colours its
verdicts; in a pipe, neither (cli/CMakeLists.txt: cli.pty_progress).

usage: pty_progress.py OTACONF"""
import os
import pty
import subprocess
import sys

OTACONF = sys.argv[1]
ARGS = [OTACONF, "server", "--cases", "40"]


def on_a_terminal(env):
    """Runs otaconf with stdout and stderr on a pseudo-terminal; returns what it wrote."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(ARGS, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal, env=env)
    os.close(terminal)
    out = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal's other side closed: otaconf is done
            break
        if not chunk:
            break
        out += chunk
    os.close(controller)
    process.wait(timeout=120)
    return process.returncode, out


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


env = dict(os.environ, TERM="xterm")
env.pop("NO_COLOR", None)
code, out = on_a_terminal(env)
if code != 0:
    fail("exit %d on a terminal:\n%r" % (code, out[-2000:]))
if b"cases judged" not in out:
    fail("no progress line on a terminal:\n%r" % out[-2000:])
if b"\x1b[32mPASS\x1b[0m" not in out:
    fail("no colour on a terminal:\n%r" % out[-2000:])

code, out = on_a_terminal(dict(env, NO_COLOR="1"))
if b"\x1b[32m" in out:
    fail("NO_COLOR set, yet colour")

piped = subprocess.run(ARGS, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120, env=env)
if piped.returncode != 0:
    fail("exit %d in a pipe" % piped.returncode)
both = piped.stdout + piped.stderr
if b"\x1b[" in both or b"cases judged" in both:
    fail("escape codes or a progress line in a pipe:\n%r" % both[-2000:])
print("ok: progress and colour on a terminal, neither in a pipe")
