#!/usr/bin/env python3
"""A small OneNET OTA "check" server: a worked example of a conformant server.

It implements the v1 device API of spec/onenet-ota-v1.json with the Python 3
standard library only:

  GET /ota/check            the check call (errno 0,1,2,7,8,9,10,11,13,19)
  GET /ota/download/{token} the package named by a token that check issued,
                            whole (200) or a byte range (206)

Its state (products with access keys, devices, upgrade tasks, packages) is an
otaconf fixture, by default reference/fixtures/default.json of the source tree
(or share/otaconf/fixtures/default.json of an installation); --fixture FILE
names another. --profile strict|lenient|as-documented picks which spellings,
types and encodings of the parameters are accepted: start it with the profile
otaconf tests it under.

Test it with otaconf (which replaces {port} with a free loopback port):

  otaconf server --profile strict --cases 40 \\
    --start "python3 examples/python-server/ota_server.py --profile strict --port {port}"

(the same with lenient or as-documented in both places). Other options:
--fault-injection honours the fixture's fault-injection header (errno 7, for
otaconf server --fault-injection); --quiet drops the JSON log line written to
stderr per request.

Or run it by hand (--port 0 picks a free port; the URL is printed on stdout):

  python3 ota_server.py --port 8080 &
  auth=$(otaconf token --key KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw= --res products/123123)
  curl -H "Authorization: $auth" \\
    "http://127.0.0.1:8080/ota/check?dev_id=6523&manuf=%E4%B8%AD%E5%9B%BD%E7%A7%BB%E5%8A%A8&model=M5310&type=1&version=1.2&cdn=true"
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote_to_bytes

# ---- profiles: the spec's decisions this server acts on ----------------------

NAMES = ["dev_id", "manuf", "model", "type", "version", "signals", "powers", "cdn"]
TABLE_SPELLINGS = {"Dev_id": "dev_id", "Manuf": "manuf", "Model": "model", "Type": "type",
                   "Version": "version", "Signals": "signals", "Pows": "powers", "CDN": "cdn"}

PROFILES = {
    # Only the canonical wire format: lower-case names in the query string.
    "strict": dict(json_body=False, spellings="lowercase", pows=False, cdn_optional=False,
                   content_type_required=False, raw_token_values=False, expiry_leeway=0,
                   version_printable=False, signals_int32=False, dev_id_any_string=False,
                   dev_id_integer=False, integral_numbers=False, threshold_gt=False,
                   range_all_forms=False),
    # What real clients send too: any casing, pows, a JSON body, cdn omitted, raw token values.
    "lenient": dict(json_body=True, spellings="any-case", pows=True, cdn_optional=True,
                    content_type_required=False, raw_token_values=True, expiry_leeway=300,
                    version_printable=True, signals_int32=True, dev_id_any_string=True,
                    dev_id_integer=True, integral_numbers=True, threshold_gt=False,
                    range_all_forms=True),
    # The document read literally: its table's spellings, Content-Type required, "greater than".
    "as-documented": dict(json_body=True, spellings="documented", pows=True, cdn_optional=False,
                          content_type_required=True, raw_token_values=False, expiry_leeway=0,
                          version_printable=True, signals_int32=True, dev_id_any_string=True,
                          dev_id_integer=True, integral_numbers=False, threshold_gt=True,
                          range_all_forms=False),
}

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
MAX_BODY = 64 * 1024
TOKEN_TTL = 2 * 24 * 3600  # download tokens live two days, as the later API documents


def ascii_lower(text):
    """Lower-cases A-Z only (str.lower() would also fold e.g. the Kelvin sign into 'k')."""
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def spellings_for(rules):
    """The parameter spellings a profile accepts, mapped to canonical names."""
    accepted = {name: name for name in NAMES}
    if rules["pows"]:
        accepted["pows"] = "powers"
    if rules["spellings"] != "lowercase":
        for spelling, name in TABLE_SPELLINGS.items():
            if spelling != "Pows" or rules["pows"]:
                accepted[spelling] = name
    if rules["spellings"] == "any-case":
        accepted = {ascii_lower(s): n for s, n in accepted.items()}
    return accepted


# ---- the fixture and its packages ----------------------------------------------

MASK64 = (1 << 64) - 1


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def seeded_bytes(seed, offset, length):
    """Bytes [offset, offset+length) of a generated package: one splitmix64 block
    per 8 bytes, little-endian, exactly as otaconf's fixtures define them."""
    first, last = offset // 8, (offset + length + 7) // 8
    blocks = b"".join(struct.pack("<Q", splitmix64((seed * 0x100000001B3 + i) & MASK64))
                      for i in range(first, last))
    start = offset - first * 8
    return blocks[start:start + length]


class Package:
    def __init__(self, spec, fixture_dir):
        self.id = spec["id"]
        self.seed, self.path, self.available = spec.get("seed"), None, True
        if self.seed is not None:
            self.size = spec["size"]
        else:  # a file, which must lie under the fixture's directory
            base = os.path.realpath(fixture_dir)
            self.path = os.path.realpath(os.path.join(fixture_dir, spec["file"]))
            inside = os.path.commonpath([base, self.path]) == base
            self.available = inside and os.path.isfile(self.path) and os.access(self.path, os.R_OK)
            self.size = os.path.getsize(self.path) if self.available else 0
        digest = hashlib.md5()
        for offset in range(0, self.size, 1 << 16):
            chunk = self.read(offset, 1 << 16)
            if chunk is None:
                self.available = False
                break
            digest.update(chunk)
        self.md5 = digest.hexdigest()  # lower-case hex

    def read(self, offset, length):
        length = max(0, min(length, self.size - offset))
        if self.seed is not None:
            return seeded_bytes(self.seed, offset, length)
        try:
            with open(self.path, "rb") as f:
                f.seek(offset)
                data = f.read(length)
            return data if len(data) == length else None
        except OSError:
            return None


class Fixture:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            root = json.load(f)
        directory = os.path.dirname(os.path.abspath(path))
        self.products = {p["id"]: p for p in root["products"]}
        self.devices = {d["dev_id"]: d for d in root["devices"]}
        self.packages = {p["id"]: Package(p, directory) for p in root["packages"]}
        self.tasks = root["tasks"]
        self.fault_injection = root.get("fault_injection")

    def task_for(self, device, task_type):
        """The task of the device's product and this type that targets the device."""
        for task in self.tasks:
            if (task["product"] == device["product"] and task["type"] == task_type
                    and ("devices" not in task or device["dev_id"] in task["devices"])):
                return task
        return None

    def access_key(self, product_id, device_name):
        """The key a token's res names: a device's key, or its product's."""
        if device_name is None:
            product = self.products.get(product_id)
            return product["access_key"] if product else None
        for device in self.devices.values():
            if device["product"] == product_id and device["name"] == device_name:
                return device.get("access_key")
        return None


# ---- the Authorization token ---------------------------------------------------

def percent_decode(text, plus_is_space=False):
    """Percent-decodes to bytes; None for a malformed escape."""
    raw = text.encode("utf-8", "surrogateescape")
    if re.search(rb"%(?![0-9A-Fa-f]{2})", raw):
        return None
    return unquote_to_bytes(raw.replace(b"+", b" ") if plus_is_space else raw)


def is_percent_encoded(text):
    """Whether every character is unreserved or a well-formed %XX escape."""
    return re.fullmatch(r"(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*", text) is not None


def token_value(value, raw_ok):
    """A token value: URL-encoded, or (lenient) raw as the vendor's curl examples send it."""
    if is_percent_encoded(value):
        return percent_decode(value).decode("utf-8", "replace")
    if not raw_ok:
        return None
    decoded = percent_decode(value) if "%" in value else None
    return decoded.decode("utf-8", "replace") if decoded is not None else value


RESOURCE = re.compile(r"products/([0-9]{1,20})(?:/devices/([^/]+))?")


def verify_token(header, fixture, rules, now):
    """Returns (scope, None) for a valid token, or (None, reason). The scope is
    (product_id, device_name or None)."""
    if not header:
        return None, "missing"
    values = {}
    for pair in header.split("&"):
        key, equals, value = pair.partition("=")
        decoded = token_value(value, rules["raw_token_values"]) if equals else None
        if decoded is None or key in values:
            return None, "malformed"
        values[key] = decoded
    if any(k not in values for k in ("version", "res", "et", "method", "sign")):
        return None, "malformed"
    res, et, method = values["res"], values["et"], values["method"]
    resource = RESOURCE.fullmatch(res)
    if (values["version"] != "2018-10-31" or not re.fullmatch(r"[0-9]{1,19}", et) or int(et) > INT64_MAX
            or resource is None or method not in ("md5", "sha1", "sha256")):
        return None, "malformed"
    key = fixture.access_key(resource.group(1), resource.group(2))
    if key is None:
        return None, "unknown key"
    try:
        key_bytes = base64.b64decode(key, validate=True)
    except ValueError:
        return None, "unknown key"
    message = "\n".join([et, method, res, values["version"]]).encode("utf-8")
    expected = base64.b64encode(hmac.new(key_bytes, message, method).digest()).decode("ascii")
    if not hmac.compare_digest(expected.encode(), values["sign"].encode("utf-8", "replace")):
        return None, "bad signature"
    if int(et) < now - rules["expiry_leeway"]:
        return None, "expired"
    return (resource.group(1), resource.group(2)), None


def covers(scope, device):
    product, device_name = scope
    return device["product"] == product and (device_name is None or device_name == device["name"])


# ---- the check call's parameters -------------------------------------------------

class ParamError(Exception):
    pass


class QueryText(str):
    """A value from the query string: text, parsed by each field's type. (A JSON
    body's values are typed: there "1" is a string, not the integer 1.)"""


def same_value(a, b):
    """A parameter sent twice counts once when it reads the same (a query's
    text and a JSON value compare as query text)."""
    def text(v):
        return v if isinstance(v, str) else json.dumps(v)
    if isinstance(a, QueryText) or isinstance(b, QueryText):
        return text(a) == text(b)
    return json.dumps(a) == json.dumps(b)


def collect(pairs, accepted, fold, values):
    """Adds (spelling, value) pairs under their canonical names; unknown names are ignored."""
    for spelling, value in pairs:
        name = accepted.get(ascii_lower(spelling) if fold else spelling)
        if name is None:
            continue
        if name in values and not same_value(values[name], value):
            raise ParamError(f"parameter {name} is given twice with different values")
        values[name] = value


def query_pairs(query):
    pairs = []
    for item in query.split("&"):
        if not item:
            continue
        key, _, value = item.partition("=")
        key_bytes, value_bytes = percent_decode(key, True), percent_decode(value, True)
        if key_bytes is None or value_bytes is None:
            raise ParamError("malformed percent-encoding in the query string")
        try:
            pairs.append((key_bytes.decode("utf-8"), QueryText(value_bytes.decode("utf-8"))))
        except UnicodeDecodeError:
            raise ParamError("a query parameter is not valid UTF-8") from None
    return pairs


def body_pairs(body):
    def no_constants(name):
        raise ValueError(name)
    pairs = []
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=no_constants,
                              object_pairs_hook=lambda p: pairs.append(p) or dict(p))
        json.dumps(document, ensure_ascii=False).encode("utf-8")  # no lone surrogates
    except (ValueError, UnicodeError, RecursionError):
        raise ParamError("the request body is not JSON") from None
    if not isinstance(document, dict):
        raise ParamError("the request body is not a JSON object")
    return pairs[-1]  # the outermost object's members, duplicates included


def read_params(query, body, content_type, rules):
    """The request's parameters, typed and checked against the profile's domains."""
    values, fold = {}, rules["spellings"] == "any-case"
    accepted = spellings_for(rules)
    collect(query_pairs(query), accepted, fold, values)
    if rules["json_body"] and body.strip():
        collect(body_pairs(body), accepted, fold, values)
    if rules["content_type_required"]:
        media = content_type.split(";")[0].replace(" ", "").lower()
        if media != "application/json":
            raise ParamError("the Content-Type header must be application/json")

    def text(name):
        if name not in values:
            return None
        v = values[name]
        if isinstance(v, str):
            return str(v)
        if name == "dev_id" and rules["dev_id_integer"] and type(v) is int:
            return str(v)
        raise ParamError(f"{name} must be a string")

    def integer(name):
        if name not in values:
            return None
        v = values[name]
        if isinstance(v, QueryText):
            if not re.fullmatch(r"-?[0-9]{1,19}", v):
                raise ParamError(f"{name} must be an integer")
            v = int(v)
        elif type(v) is float and rules["integral_numbers"] and abs(v) <= 2 ** 53 and v == int(v):
            v = int(v)  # 1.0 is the integer 1 where the profile reads JSON numbers by value
        elif type(v) is not int:
            raise ParamError(f"{name} must be an integer")
        if not INT64_MIN <= v <= INT64_MAX:
            raise ParamError(f"{name} is out of range")
        return v

    def boolean(name):
        if name not in values:
            return None
        v = values[name]
        if isinstance(v, QueryText) and v in ("true", "false"):
            return v == "true"
        if type(v) is bool:
            return v
        raise ParamError(f"{name} must be true or false")

    p = {"dev_id": text("dev_id"), "manuf": text("manuf"), "model": text("model"),
         "version": text("version"), "type": integer("type"), "signals": integer("signals"),
         "powers": integer("powers"), "cdn": boolean("cdn")}
    for name in ("dev_id", "manuf", "model", "type", "version") + (() if rules["cdn_optional"] else ("cdn",)):
        if p[name] is None:
            raise ParamError(f"the required parameter {name} is missing")
    p["cdn"] = bool(p["cdn"])

    if p["dev_id"] == "" or (not rules["dev_id_any_string"] and not re.fullmatch(r"[0-9]{1,20}", p["dev_id"])):
        raise ParamError("dev_id must be 1-20 decimal digits")
    for name in ("manuf", "model"):
        if not 1 <= len(p[name].encode("utf-8")) <= 64:
            raise ParamError(f"{name} must be 1-64 bytes")
    version_rule = r"[\x21-\x7e]{1,64}" if rules["version_printable"] else r"[A-Za-z0-9_.-]{1,20}"
    if not re.fullmatch(version_rule, p["version"]):
        raise ParamError("version has characters or a length the profile does not allow")
    if p["type"] not in (1, 2):
        raise ParamError("type must be 1 (FOTA) or 2 (SOTA)")
    s = p["signals"]
    if s is not None and not (INT32_MIN <= s <= INT32_MAX if rules["signals_int32"]
                              else 0 <= s <= 31 or s == 99):  # the AT+CSQ scale, 99 unknown
        raise ParamError("signals is out of range")
    if p["powers"] is not None and not 0 <= p["powers"] <= 100:
        raise ParamError("powers must be a percentage 0-100")
    return p


# ---- the server ------------------------------------------------------------------

class OtaService:
    def __init__(self, fixture, profile, fault_injection):
        self.fixture, self.rules = fixture, PROFILES[profile]
        self.fault_injection = fault_injection and fixture.fault_injection
        self.tokens, self.lock = {}, threading.Lock()  # download token -> (package id, expiry)

    def check(self, query, body, headers, self_address):
        """The check call's decision, in the reference order:
        7 (fault), 1 (token), 2 (parameters), 1 (device / scope), 11, 19, 13, 8, 9, 10, 7 (package), 0."""
        fi = self.fault_injection
        if fi and headers.get(fi["header"]) == fi["value"]:
            return 7, "internal error: injected fault", None
        try:
            params, problem = read_params(query, body, headers.get("Content-Type", ""), self.rules), None
        except ParamError as e:
            params, problem = None, str(e)
        authorizations = headers.get_all("Authorization") or []
        if len(authorizations) > 1:
            return 1, "authorization failed: sent twice", None
        scope, why = verify_token(authorizations[0] if authorizations else "", self.fixture, self.rules,
                                  int(time.time()))
        if scope is None:
            return 1, f"authorization failed: {why}", None
        if problem:
            return 2, f"parameter error: {problem}", None

        device = self.fixture.devices.get(params["dev_id"])
        if device is None:
            return 1, f"unknown device {params['dev_id']}", None
        if not covers(scope, device):
            return 1, "authorization failed: the token does not cover this device", None
        task = self.fixture.task_for(device, params["type"])
        if task is None:
            return 11, f"the device has no upgrade task of type {params['type']}", None
        if task["status"] == "suspended":
            return 19, "the task is suspended", None
        if task["status"] == "invalid":
            return 13, "the task is invalid", None
        if params["manuf"] != task["manuf"] or params["model"] != task["model"]:
            return 8, "manuf or model differ from the task's", None
        if params["version"] not in task["from_versions"]:
            return 9, f"version {params['version']} is not one the task upgrades from", None
        if (self.below(params["signals"], task.get("signal"))
                or self.below(params["powers"], task.get("power"))):
            return 10, "signal or power below the task's threshold", None
        package = self.fixture.packages.get(task["package"])
        if package is None or not package.available:
            return 7, "internal error: the task's package cannot be read", None
        return 0, "succ", self.task_data(task, package, params["cdn"], self_address)

    def below(self, value, threshold):
        """An omitted value skips the comparison; 'ge' passes an equal value, 'gt' does not."""
        if value is None or threshold is None:
            return False
        return value <= threshold if self.rules["threshold_gt"] else value < threshold

    def task_data(self, task, package, cdn, self_address):
        token = "ota_" + secrets.token_hex(16)
        with self.lock:
            now = time.time()
            for stale in [t for t, (_, expiry) in self.tokens.items() if expiry < now]:
                del self.tokens[stale]
            self.tokens[token] = (package.id, now + TOKEN_TTL)
        by_ip, by_name = self_address
        host = task["download"]["domain" if cdn else "ip"]  # a domain name for devices that resolve names
        if host == "@self":
            host = by_name if cdn else by_ip
        return {"target": task["target"], "token": token, "size": package.size,
                "signal": task.get("signal", 0), "power": task.get("power", 0),
                "retry": task.get("retry", 0), "interval": task.get("interval", 0),
                "md5": package.md5, "ip": host}

    def package_of(self, token):
        with self.lock:
            entry = self.tokens.get(token)
        if entry is None or entry[1] < time.time():
            return None
        return self.fixture.packages.get(entry[0])

    def byte_range(self, header, size):
        """None for the whole file, 'unsatisfiable', or (first, last) inclusive."""
        spec = header
        if header.startswith("bytes="):
            spec = header[6:]
        elif self.rules["range_all_forms"] and header.startswith("Range="):
            spec = header[6:]
        elif not self.rules["range_all_forms"]:
            return None  # not a form this profile reads: the whole file
        first, dash, last = spec.partition("-")
        number = re.compile(r"[0-9]{1,19}")
        if not dash or "," in spec or size == 0:
            return None
        if first == "":  # bytes=-n: the last n bytes
            if not number.fullmatch(last):
                return None
            n = int(last)
            return "unsatisfiable" if n == 0 else (size - min(n, size), size - 1)
        if not number.fullmatch(first) or not (last == "" or number.fullmatch(last)):
            return None
        first, last = int(first), (int(last) if last else size - 1)
        if first >= size:
            return "unsatisfiable"
        if first > last:
            return None  # not a valid range: the whole file
        return first, min(last, size - 1)  # an end past the package is clamped


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every answer carries Content-Length
    timeout = 5                     # seconds a silent connection is kept
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    service = None                  # set in main()
    quiet = False

    def answer(self, status, body, content_type="application/json", extra=(), close=False):
        payload = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False,
                                                                  separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in extra:
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        if not self.quiet:
            errno = body.get("errno") if isinstance(body, dict) else None
            line = {"time": round(time.time(), 3), "method": self.command, "path": self.path.split("?")[0],
                    "status": status, "errno": errno}
            sys.stderr.write(json.dumps(line) + "\n")

    def send_error(self, code, message=None, explain=None):
        """HTTP-level errors (bad request line, 414, 431, 501, ...) with a JSON body too."""
        if not getattr(self, "command", None):
            self.command = "GET"
        self.request_version = "HTTP/1.1"  # a status line even for a garbled (HTTP/0.9-looking) request
        self.answer(code, {"error": message or self.responses.get(code, ("error",))[0]}, close=True)

    def log_message(self, format, *args):
        pass  # answer() logs one JSON line per request

    def read_body(self):
        """The body by Content-Length (GET included: the JSON-body encoding), or None after an error answer."""
        lengths = set(self.headers.get_all("Content-Length") or [])
        if self.headers.get("Transfer-Encoding") is not None:
            if lengths:
                self.send_error(400, "Content-Length and Transfer-Encoding at once")
            else:
                self.send_error(501, "Transfer-Encoding is not supported: send Content-Length")
            return None
        if len(lengths) > 1 or (lengths and not re.fullmatch(r"[0-9]{1,18}", next(iter(lengths)))):
            self.send_error(400, "conflicting or malformed Content-Length")
            return None
        length = int(next(iter(lengths))) if lengths else 0
        if length > MAX_BODY:
            self.send_error(413, "the body is larger than 64 KiB")
            return None
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            self.close_connection = True
            return None
        return body

    def route(self):
        body = self.read_body()
        if body is None:
            return
        path, _, query = self.path.partition("?")
        if path == "/ota/check":
            if self.command != "GET":
                return self.answer(405, {"errno": 2, "error": "the check call is a GET"}, extra=[("Allow", "GET")])
            host, _ = self.connection.getsockname()[:2]
            port = self.server.server_address[1]
            self_address = (f"{host}:{port}", f"localhost:{port}")
            raw_query = query.encode("latin-1").decode("utf-8", "surrogateescape")
            code, message, data = self.service.check(raw_query, body, self.headers, self_address)
            envelope = {"errno": code, "error": message}
            if data is not None:
                envelope["data"] = data
            return self.answer(200, envelope)
        if path.startswith("/ota/download/"):
            if self.command not in ("GET", "HEAD"):
                return self.answer(405, {"error": "the download is a GET"}, extra=[("Allow", "GET, HEAD")])
            return self.download(path[len("/ota/download/"):])
        return self.answer(404, {"error": f"no such endpoint: {path}"})

    def download(self, token):
        package = self.service.package_of(token)
        if package is None:
            return self.answer(404, {"error": "unknown or expired download token"})
        size = package.size
        chosen = self.service.byte_range(self.headers.get("Range", ""), size)
        if chosen == "unsatisfiable":
            return self.answer(416, {"error": "the range lies outside the package"},
                               extra=[("Content-Range", f"bytes */{size}")])
        first, last = chosen if chosen else (0, size - 1)
        data = package.read(first, last - first + 1)
        if data is None:
            return self.answer(500, {"error": "the package cannot be read"})
        extra = [("Content-Disposition", f'attachment; filename="{package.id}.bin"'), ("Accept-Ranges", "bytes")]
        if chosen:
            extra.append(("Content-Range", f"bytes {first}-{last}/{size}"))
        self.answer(206 if chosen else 200, data, "application/octet-stream", extra)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = route


def default_fixture():
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.path.join(here, "..", "..", "reference", "fixtures", "default.json"),  # source tree
                  os.path.join(here, "..", "..", "fixtures", "default.json"),  # share/otaconf/examples/...
                  os.path.join(here, "..", "..", "share", "otaconf", "fixtures", "default.json")]
    for candidate in candidates:
        if os.path.isfile(candidate):
            return os.path.normpath(candidate)
    return os.path.normpath(candidates[0])


def main():
    parser = argparse.ArgumentParser(description="A OneNET OTA check server (an otaconf example).")
    parser.add_argument("--fixture", default=default_fixture(),
                        help="the server's state, an otaconf fixture (default: %(default)s)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="strict",
                        help="which spellings, types and encodings are accepted (default: strict)")
    parser.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--fault-injection", action="store_true",
                        help="honour the fixture's fault-injection header (errno 7)")
    parser.add_argument("--quiet", action="store_true", help="no per-request log lines on stderr")
    parser.add_argument("--tls-cert", help="serve https with this PEM certificate (with --tls-key)")
    parser.add_argument("--tls-key", help="the PEM private key of --tls-cert")
    args = parser.parse_args()
    try:
        fixture = Fixture(args.fixture)
        server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
        if args.tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(args.tls_cert, args.tls_key)
            server.socket = context.wrap_socket(server.socket, server_side=True)
    except (OSError, ValueError, KeyError, ssl.SSLError) as e:
        print(f"ota_server: {e}", file=sys.stderr)
        return 2
    Handler.service = OtaService(fixture, args.profile, args.fault_injection)
    Handler.quiet = args.quiet
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    scheme = "https" if args.tls_cert else "http"
    print(f"{scheme}://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
