#!/usr/bin/env python3
"""Hostile peers for `ctest -L reliability` (docs/reliability.md).

usage: hostile.py OTACONF SOURCE_DIR CASE

Each case runs one otaconf command against a peer that misbehaves in one way
and asserts what a user is owed whatever the peer does: the command ends in
bounded time, its memory stays bounded, it exits with a documented status
(never a crash), and its results JSON and JUnit XML are written and valid.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xml.dom.minidom

OTACONF, SOURCE, CASE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
MAX_SECONDS = 40     # per case; the whole label stays under a minute on 2 cores
MAX_RSS_MIB = 300    # otaconf's own peak resident memory


def fail(message):
    print("FAIL:", CASE + ":", message)
    sys.exit(1)


# ---- hostile HTTP servers ---------------------------------------------------

OK_JSON = b'{"errno":8,"error":"manuf or model inconsistency"}'


def answer_ok(conn):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                 % (len(OK_JSON), OK_JSON))


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data


def forever(send):
    try:
        while True:
            send()
    except OSError:
        pass


def serve_slow(conn):  # one byte a second, forever
    read_request(conn)
    forever(lambda: (conn.sendall(b"H"), time.sleep(1)))


def serve_endless_body(conn):
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n")
    block = b"x" * 65536
    forever(lambda: conn.sendall(block))


def serve_endless_chunked(conn):
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    block = b"10000\r\n" + b"x" * 65536 + b"\r\n"
    forever(lambda: conn.sendall(block))


def serve_endless_headers(conn):
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    block = b"X-Filler: " + b"y" * 100 + b"\r\n"
    forever(lambda: conn.sendall(block * 100))


def serve_huge_header(conn):  # one header line of 1 MiB
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"z" * (1 << 20) + b"\r\nContent-Length: 0\r\n\r\n")


def serve_non_utf8(conn):  # a well-formed answer whose header name and body are not UTF-8
    while read_request(conn):
        body = b'{"errno":8,"error":"\xb9\xfa\xbc\xd2 \xff"}'
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-\xff\xfe: \xc0\xaf\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))


def serve_two_lengths(conn):  # two framings of one answer: a smuggling pair
    while read_request(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                     b"Content-Length: 5\r\n\r\n%s" % (len(OK_JSON), OK_JSON))


def serve_close(conn):  # accepts, reads, answers nothing
    read_request(conn)


def serve_garbage(conn):
    read_request(conn)
    conn.sendall(os.urandom(4096))


SERVERS = {
    "slow": serve_slow, "endless-body": serve_endless_body, "endless-chunked": serve_endless_chunked,
    "endless-headers": serve_endless_headers, "huge-header": serve_huge_header, "non-utf8": serve_non_utf8,
    "close": serve_close, "garbage": serve_garbage, "two-lengths": serve_two_lengths,
}


def start_server(handler, honest_requests=2):
    """Serves `handler` on a free loopback port; the first `honest_requests`
    requests (otaconf's probe among them) get a plain answer first."""
    honest = [honest_requests]
    lock = threading.Lock()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def one(conn):
        with conn:
            try:
                while True:
                    with lock:
                        left = honest[0]
                        honest[0] -= 1
                    if left <= 0:
                        break
                    if not read_request(conn):
                        return
                    answer_ok(conn)
                handler(conn)
            except OSError:
                pass

    def accept():
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=one, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


# ---- running otaconf and checking what it owes -------------------------------

def peak_rss_mib(process):
    """otaconf's own peak resident memory (VmHWM), sampled until it exits:
    its children (parsers, devices) have budgets of their own."""
    peak = 0
    while process.poll() is None:
        try:
            with open("/proc/%d/status" % process.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            pass
        time.sleep(0.02)
    return peak


def run(args, allowed_exits, work):
    started = time.monotonic()
    process = subprocess.Popen([OTACONF] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work)
    peak = [0]
    sampler = threading.Thread(target=lambda: peak.__setitem__(0, peak_rss_mib(process)))
    sampler.start()
    try:
        stdout, stderr = process.communicate(timeout=MAX_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        fail("otaconf did not finish within %d s" % MAX_SECONDS)
    sampler.join()
    done = subprocess.CompletedProcess(args, process.returncode, stdout, stderr)
    seconds = time.monotonic() - started
    rss_mib = peak[0]
    out = done.stdout.decode("utf-8", "replace")
    err = done.stderr.decode("utf-8", "replace")
    print("%s: exit %d in %.1f s, peak RSS %.0f MiB" % (CASE, done.returncode, seconds, rss_mib))
    if done.returncode not in allowed_exits:
        fail("exit %d, expected one of %s\n--- stdout\n%s\n--- stderr\n%s" % (done.returncode, allowed_exits,
                                                                             out[-3000:], err[-3000:]))
    if rss_mib > MAX_RSS_MIB:
        fail("peak RSS %.0f MiB > %d MiB" % (rss_mib, MAX_RSS_MIB))
    if "internal error" in err:
        fail("internal error: " + err[-2000:])
    return out, err


def check_outputs(work, expect_in_results=None):
    results = os.path.join(work, "r.json")
    junit = os.path.join(work, "j.xml")
    for path in (results, junit):
        if not os.path.exists(path):
            fail(path + " was not written")
    with open(results, "rb") as f:
        raw = f.read()
    try:
        document = json.loads(raw.decode("utf-8"))  # strict: the file is valid UTF-8
    except (UnicodeDecodeError, ValueError) as error:
        fail("results JSON is not valid UTF-8 JSON: %s" % error)
    try:
        xml.dom.minidom.parse(junit)
    except Exception as error:  # noqa: BLE001 - any parse error fails the case
        fail("JUnit XML does not parse: %s" % error)
    if expect_in_results and expect_in_results not in raw.decode("utf-8"):
        fail("results lack %r" % expect_in_results)
    return document


def server_case(mode, expect_text, may_fail=False):
    port = start_server(SERVERS[mode])
    with tempfile.TemporaryDirectory() as work:
        # The probe before the run refuses a server that answers nothing: exit 2, one line.
        out, err = run(["server", "--url", "http://127.0.0.1:%d" % port, "--timeout", "1", "--cases", "5",
                        "--results", "r.json", "--junit", "j.xml"], (1, 2, 3), work)
        if "cannot reach" in err:
            if len(err.strip().splitlines()) != 1:
                fail("a refused probe should say so in one line: " + err)
            if expect_text and expect_text not in err:
                fail("stderr lacks %r: %s" % (expect_text, err))
            return
        document = check_outputs(work, expect_text)
        verdicts = document["summary"]
        print("  summary:", json.dumps(verdicts)[:300])
        # Nothing this server sent was an answer: no verdict may blame a clause.
        if not may_fail and verdicts.get("FAIL", 0):
            fail("FAIL verdicts from a server that never answered: %s" % json.dumps(verdicts))


# ---- hostile adapters (client) and devices (client-e2e) -------------------------

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = ("y_", "n_")  # the first vector of each kind: a few parses, quickly


def small_vectors(work):
    """A directory with a few response vectors (a run's parses stay few)."""
    source = os.path.join(SOURCE, "corpus", "vectors", "response")
    target = os.path.join(work, "vectors")
    os.mkdir(target)
    names = sorted(n[:-5] for n in os.listdir(source) if n.endswith(".json"))
    for prefix in VECTORS:
        name = next(n for n in names if n.startswith(prefix))
        for suffix in (".json", ".body"):
            with open(os.path.join(source, name + suffix), "rb") as f, \
                    open(os.path.join(target, name + suffix), "wb") as g:
                g.write(f.read())
    return target


def leftovers(marker):
    """Processes whose command line holds `marker` (they should all be gone)."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    if marker.encode() in f.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


def no_leftovers(marker):
    time.sleep(0.3)
    left = leftovers(marker)
    for pid in left:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    if left:
        fail("processes left running after the run: %s" % left)


def client_case(adapter_args, expect_text, allowed=(1, 3), marker=None):
    with tempfile.TemporaryDirectory() as work:
        run(["client"] + adapter_args + ["--vectors", small_vectors(work), "--cases", "3", "--timeout", "1",
             "--adapter-memory", "256", "--results", "r.json", "--junit", "j.xml"], allowed, work)
        check_outputs(work, expect_text)
    if marker:
        no_leftovers(marker)


def adapter_case(mode, expect_text, marker=None):
    command = "%s %s %s" % (sys.executable, os.path.join(HERE, "hostile_adapter.py"), mode)
    client_case(["--adapter-cmd", command], expect_text, marker=marker)


def library(mode):
    return os.environ["HOSTILE_LIB_HOSTILE_" + mode.upper().replace("-", "_")]


def library_case(mode, expect_text, allowed=(1, 3)):
    client_case(["--adapter-lib", library(mode)], expect_text, allowed)


def library_refused(mode, expect_text):
    """A library that cannot even be loaded is a usage error: exit 2, one line."""
    with tempfile.TemporaryDirectory() as work:
        _, err = run(["client", "--adapter-lib", library(mode), "--timeout", "1"], (2,), work)
        if len(err.strip().splitlines()) != 1 or expect_text not in err:
            fail("expected one line with %r, got: %s" % (expect_text, err))


def device_case(mode, expect_text, marker=None, scenarios="fixture,errno-8"):
    command = "%s %s %s" % (sys.executable, os.path.join(HERE, "hostile_device.py"), mode)
    with tempfile.TemporaryDirectory() as work:
        run(["client-e2e", "--cmd", command, "--scenario", scenarios, "--timeout", "2",
             "--results", "r.json", "--junit", "j.xml"], (1, 3), work)
        check_outputs(work, expect_text)
    if marker:
        no_leftovers(marker)


CASES = {
    "adapter-close-and-stay": lambda: adapter_case("close-and-stay", "the adapter closed its"),
    "adapter-double-lines": lambda: adapter_case("double-lines", "protocol out of step"),
    "adapter-flood": lambda: adapter_case("flood", "without a newline"),
    "adapter-memory-hog": lambda: adapter_case("memory-hog", "MiB of memory"),
    "adapter-orphan": lambda: adapter_case("orphan", None, marker="otaconf-hostile-orphan"),
    "library-constructor-crash": lambda: library_refused("constructor-crash", "killed by signal 11"),
    "library-constructor-loop": lambda: library_refused("constructor-loop", "still running: killed by otaconf"),
    "library-memory-hog": lambda: library_case("memory-hog", "MiB of memory"),
    "library-not-utf8": lambda: library_case("not-utf8", "\\\\xff"),
    "library-stdout-flood": lambda: library_case("stdout-flood", "bytes, the last 2000 shown", allowed=(0, 1, 3)),
    "device-gbk-manuf": lambda: device_case("gbk-manuf", "\\\\xb2\\\\xe2"),
    "device-flooder": lambda: device_case("flooder", None, marker="otaconf-hostile-flooder"),
    "device-output-flood": lambda: device_case("output-flood", "bytes not kept"),
    "device-hang": lambda: device_case("hang", "did not finish within 2 s"),
    "server-slow": lambda: server_case("slow", "deadline of 1 s"),
    "server-endless-body": lambda: server_case("endless-body", "past the limit of"),
    "server-endless-chunked": lambda: server_case("endless-chunked", "passed the limit of"),
    "server-endless-headers": lambda: server_case("endless-headers", "passed the limit"),
    "server-huge-header": lambda: server_case("huge-header", "passed the limit"),
    "server-non-utf8": lambda: server_case("non-utf8", None, may_fail=True),
    "server-close": lambda: server_case("close", "without answering"),
    "server-garbage": lambda: server_case("garbage", None),
    "server-two-lengths": lambda: server_case("two-lengths", "Content-Length headers that disagree"),
}

if CASE not in CASES:
    fail("unknown case; cases: " + ", ".join(sorted(CASES)))
CASES[CASE]()
print("ok:", CASE)
