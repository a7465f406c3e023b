#!/usr/bin/env python3
"""Device clients (docs/client-e2e.md) that misbehave, for hostile.py.

usage: hostile_device.py MODE
  gbk-manuf    sends its check with manuf in raw GBK bytes (not UTF-8), header and body too
  flooder      leaves a helper (marked otaconf-hostile-flooder) sending checks forever, and exits
  output-flood prints without end
  hang         never finishes
"""
import os
import socket
import subprocess
import sys
import time
import urllib.parse


def send_raw(url, request_line_target, extra_headers=b"", body=b""):
    address = urllib.parse.urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as conn:
        conn.sendall(b"GET " + request_line_target + b" HTTP/1.1\r\nHost: " + address.netloc.encode() +
                     b"\r\nContent-Type: application/json\r\n" + extra_headers +
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        while conn.recv(65536):
            pass


def main(mode):
    url = os.environ["OTACONF_URL"]
    if mode == "gbk-manuf":
        manuf = "中国移动".encode("gbk")  # bytes, sent as they are
        target = (b"/ota/check?dev_id=" + os.environ["OTA_DEV_ID"].encode() + b"&manuf=" + manuf +
                  b"&model=" + os.environ["OTA_MODEL"].encode() + b"&type=1&version=" +
                  os.environ["OTA_VERSION"].encode())
        send_raw(url, target, b"X-\xb2\xe2: \xca\xd4\r\nAuthorization: \xff\xfe\r\n", b'{"manuf":"' + manuf + b'"}')
        sys.stdout.buffer.write(b"sent manuf " + manuf + b"\n")
        return 1
    if mode == "flooder":
        subprocess.Popen([sys.executable, "-c", FLOODER, url])
        return 10
    if mode == "output-flood":
        block = b"\xff" * 65536
        while True:
            sys.stdout.buffer.write(block)
    if mode == "hang":
        time.sleep(3600)
    return 2


FLOODER = """
import socket, sys, urllib.parse
sys.argv[0] = 'otaconf-hostile-flooder'
address = urllib.parse.urlsplit(sys.argv[1])
while True:
    try:
        with socket.create_connection((address.hostname, address.port), timeout=2) as c:
            c.sendall(b'GET /ota/check HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n')
            while c.recv(65536):
                pass
    except OSError:
        pass
"""

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
