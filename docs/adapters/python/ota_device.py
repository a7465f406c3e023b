#!/usr/bin/env python3
"""A small device client for the OneNET OTA check API: asks whether an
upgrade waits, downloads and verifies it. It shows how `otaconf client-e2e`
judges a whole device client (docs/client-e2e.md); it parses answers with
ota_adapter.py beside it.

Configuration (what client-e2e sets): OTACONF_URL, OTA_KEY (base64 access
key), OTA_RES (token resource), OTA_DEV_ID, OTA_MANUF, OTA_MODEL, OTA_TYPE,
OTA_VERSION, OTA_PROFILE.

Exit status: 0 upgraded (package fetched, size and MD5 verified), 10 no
update, 11 retry later, 1 the answer was rejected or the package failed
verification, 2 transport error.
"""
import base64
import hashlib
import hmac
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ota_adapter  # noqa: E402

EXIT = {"download": 0, "no-update": 10, "retry-later": 11}


def token(key, res, lifetime=3600, method="sha1"):
    """A OneNET Authorization value (the notes' algorithm), values URL-encoded."""
    version, et = "2018-10-31", str(int(time.time()) + lifetime)
    message = "\n".join([et, method, res, version]).encode()
    sign = base64.b64encode(hmac.new(base64.b64decode(key), message, method).digest()).decode()
    fields = [("version", version), ("res", res), ("et", et), ("method", method), ("sign", sign)]
    return "&".join(name + "=" + urllib.parse.quote(value, safe="") for name, value in fields)


def get(url, headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def main():
    env = os.environ
    query = urllib.parse.urlencode({"dev_id": env["OTA_DEV_ID"], "manuf": env["OTA_MANUF"], "model": env["OTA_MODEL"],
                                    "type": env.get("OTA_TYPE", "1"), "version": env["OTA_VERSION"], "cdn": "false"})
    headers = {"Content-Type": "application/json", "Authorization": token(env["OTA_KEY"], env["OTA_RES"])}
    try:
        _, body = get(env["OTACONF_URL"] + "/ota/check?" + query, headers)
    except OSError as error:
        print("transport error:", error, file=sys.stderr)
        return 2
    try:
        answer = ota_adapter.parse(body, env.get("OTA_PROFILE", "strict"))
    except ota_adapter.Rejected as why:
        print("rejected the answer:", why, file=sys.stderr)
        return 1
    if answer["action"] != "download":
        return EXIT.get(answer["action"], 1)
    data = answer["data"]
    host = data["ip"] if ":" in data["ip"] else data["ip"] + ":80"
    try:
        status, package = get("http://" + host + "/ota/download/" + urllib.parse.quote(data["token"]), {})
    except OSError as error:
        print("download failed:", error, file=sys.stderr)
        return 2
    if status != 200 or len(package) != data["size"] or hashlib.md5(package).hexdigest() != data["md5"].lower():
        print("the package does not match size and md5: not upgrading", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
