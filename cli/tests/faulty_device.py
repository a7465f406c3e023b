#!/usr/bin/env python3
"""Device clients with one seeded fault each, for the client-e2e tests: the
judgements of `otaconf client-e2e` must catch each (cli_test.sh,
client_e2e_faults). Built on the example device's helpers.

usage: faulty_device.py FAULT
  download-when-data  downloads whenever the answer carries data, whatever errno says
  tight-recheck       asks again at once, twice, after an answer other than a download
  pows-spelling       reports its battery level as `pows` (a spelling strict does not read)
"""
import hashlib
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "adapters", "python"))
import ota_adapter  # noqa: E402
import ota_device  # noqa: E402


def check(env, extra):
    params = {"dev_id": env["OTA_DEV_ID"], "manuf": env["OTA_MANUF"], "model": env["OTA_MODEL"],
              "type": env.get("OTA_TYPE", "1"), "version": env["OTA_VERSION"], "cdn": "false"}
    params.update(extra)
    headers = {"Content-Type": "application/json", "Authorization": ota_device.token(env["OTA_KEY"], env["OTA_RES"])}
    return ota_device.get(env["OTACONF_URL"] + "/ota/check?" + urllib.parse.urlencode(params), headers)[1]


def download(data):
    host = data["ip"] if ":" in data["ip"] else data["ip"] + ":80"
    status, package = ota_device.get("http://" + host + "/ota/download/" + urllib.parse.quote(str(data["token"])), {})
    ok = status == 200 and len(package) == data["size"] and hashlib.md5(package).hexdigest() == data["md5"].lower()
    return 0 if ok else 1


def main(fault):
    env = os.environ
    extra = {"signals": "20", "pows": "15"} if fault == "pows-spelling" else {}
    body = check(env, extra)
    if fault == "download-when-data":
        import json
        try:
            data = json.loads(body).get("data")
        except ValueError:
            data = None
        if isinstance(data, dict) and "token" in data:
            return download(data)
    try:
        answer = ota_adapter.parse(body, env.get("OTA_PROFILE", "strict"))
    except ota_adapter.Rejected:
        return 1
    if answer["action"] != "download" and fault == "tight-recheck":
        for _ in range(2):
            answer = ota_adapter.parse(check(env, extra), env.get("OTA_PROFILE", "strict"))
    if answer["action"] != "download":
        return ota_device.EXIT.get(answer["action"], 1)
    return download(answer["data"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
