#!/usr/bin/env python3
"""A device-style parser of OneNET OTA check responses, written in Python,
plugged into otaconf through the subprocess protocol (docs/adapters.md).

Run it:  otaconf client --adapter-cmd "python3 docs/adapters/python/ota_adapter.py"

Protocol: frames "<length> <profile>\n<body bytes>" arrive on stdin; for each,
one JSON object is written on stdout, on one line, flushed.
"""
import json
import re
import sys

ACTIONS = {0: "download", 1: "no-update", 2: "no-update", 7: "retry-later", 8: "no-update",
           9: "no-update", 10: "retry-later", 11: "no-update", 13: "no-update", 19: "retry-later"}
TABLE = {"errno": "Error no", "error": "Error", "data": "Data", "target": "Target", "token": "Token",
         "size": "Size", "signal": "Signal", "power": "The power", "retry": "Retry",
         "interval": "Interval", "md5": "MD5", "ip": "IP"}
INT32 = (-2**31, 2**31 - 1)


class Rejected(Exception):
    pass


def member(obj, name, profile):
    """The member `name`, spelled as the profile allows."""
    if name in obj:
        return obj[name]
    if profile in ("as-documented", "lenient") and TABLE[name] in obj:
        return obj[TABLE[name]]
    if profile == "lenient":
        for key, value in obj.items():
            if key.lower() in (name, TABLE[name].lower()):
                return value
    raise Rejected(name + " is missing")


def integer(value, name, low, high, profile="strict"):
    # Lenient reads JSON numbers by value: 0.0 and 1e1 are the integers 0 and 10.
    if profile == "lenient" and isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Rejected(name + " is not an integer in range")
    return value


def text(value, name, pattern):
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise Rejected(name + " has characters or a length the profile does not allow")
    return value


def any_text(value, name, max_bytes):
    """Any string of 1..max_bytes bytes of UTF-8 (newlines included)."""
    if not isinstance(value, str) or not 1 <= len(value.encode("utf-8", "surrogatepass")) <= max_bytes:
        raise Rejected(name + " has characters or a length the profile does not allow")
    return value


def read_data(data, profile):
    strict = profile == "strict"
    get = lambda name: member(data, name, profile)
    number = lambda name, low, high: integer(get(name), name, low, high, profile)
    md5_pattern = {"strict": r"[0-9a-f]{32}", "lenient": r"[0-9a-fA-F]{32}"}.get(profile)
    signal = number("signal", *((0, 99) if strict else INT32))
    if strict and 31 < signal < 99:
        raise Rejected("signal is out of range")
    # Strict holds power to a percentage and counts to >= 0; the others read the table's bare "int".
    return {
        "target": text(get("target"), "target", r"[A-Za-z0-9_.-]{1,20}" if strict else r"[\x21-\x7e]{1,64}"),
        "token": text(get("token"), "token", r"[A-Za-z0-9_-]{1,128}" if strict else r"[A-Za-z0-9._~-]{1,128}"),
        "size": number("size", 0, 2**64 - 1 if profile == "lenient" else 2**63 - 1),
        "signal": signal,
        "power": number("power", *((0, 100) if strict else INT32)),
        "retry": number("retry", *((0, 2**31 - 1) if strict else INT32)),
        "interval": number("interval", *((0, 2**31 - 1) if strict else INT32)),
        "md5": (text(get("md5"), "md5", md5_pattern) if md5_pattern else any_text(get("md5"), "md5", 128)).lower(),
        "ip": text(get("ip"), "ip", r"[A-Za-z0-9.-]{1,255}(:[0-9]{1,5})?"),
    }


def parse(body, profile):
    if b"\0" in body:
        raise Rejected("a NUL byte in the body")
    if body.startswith(b"\xef\xbb\xbf"):
        if profile != "lenient":
            raise Rejected("a byte order mark precedes the JSON")
        body = body[3:]

    def no_duplicates(pairs):
        if len({key for key, _ in pairs}) != len(pairs) and profile != "lenient":
            raise Rejected("a member is given twice")
        return dict(pairs)

    def no_constants(name):
        raise Rejected(name + " is not JSON")

    try:
        document = json.loads(body.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constants)
    except (ValueError, RecursionError) as error:
        raise Rejected("not JSON: " + str(error)[:80])
    if not isinstance(document, dict):
        raise Rejected("the body is not a JSON object")
    code = integer(member(document, "errno", profile), "errno", -2**63, 2**63 - 1, profile)
    # Strict: the table lists every code. Otherwise a code it does not list is a failure: ask again later.
    if code not in ACTIONS and profile == "strict":
        raise Rejected("errno is not a code of the table")
    error = member(document, "error", profile)
    if not isinstance(error, str):
        raise Rejected("error is not a string")
    result = {"accepted": True, "errno": code, "error": error, "data": None, "action": ACTIONS.get(code, "retry-later")}
    if code == 0:
        data = member(document, "data", profile)
        if not isinstance(data, dict):
            raise Rejected("errno 0 without a data object")
        result["data"] = read_data(data, profile)
    return result


def main():
    stdin, stdout = sys.stdin.buffer, sys.stdout
    while True:
        header = stdin.readline()
        if not header:
            return
        length, _, profile = header.decode().strip().partition(" ")
        body = stdin.read(int(length))
        try:
            result = parse(body, profile or "strict")
        except Rejected as why:
            result = {"accepted": False, "reason": str(why), "action": "none"}
        stdout.write(json.dumps(result) + "\n")
        stdout.flush()


if __name__ == "__main__":
    main()
