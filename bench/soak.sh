#!/usr/bin/env bash
# Soak: ota-refserver under 64 keep-alive connections (wrk) for N seconds,
# while slow clients trickle requests in a byte at a time and others open
# connections and go quiet. Prints requests, errors (socket errors and
# answers that are not 200 for the load; slow clients that were never
# answered) and the server's RSS growth after warm-up. Reported in
# bench/README.md, asserted by no timed test.
# Usage: bench/soak.sh [SECONDS] [BUILD_DIR]   (defaults: 60, build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=${2:-build/release}
otaconf=$build/otaconf
refserver=$build/ota-refserver
[ -x "$otaconf" ] && [ -x "$refserver" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: scripts/install-deps.sh installs it" >&2; exit 2; }

work=$(mktemp -d)
trap 'kill "$server_pid" ${slow_pid:-} 2>/dev/null || true; rm -rf "$work"' EXIT
"$refserver" --port 0 --quiet --token-ttl 3600 >"$work/url" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(head -n 1 "$work/url")
port=${url##*:}

auth=$("$otaconf" token --key KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw= --res products/123123 --ttl $((seconds + 3600)))
query='dev_id=6523&manuf=%E4%B8%AD%E5%9B%BD%E7%A7%BB%E5%8A%A8&model=M5310&type=1&version=1.2&signals=10&powers=30&cdn=true'
cat >"$work/check.lua" <<LUA
wrk.headers["Authorization"] = "$auth"
wrk.headers["Content-Type"] = "application/json"
non200 = 0
response = function(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("SOAK requests=%d socket_errors=%d non200=%d p99_ms=%.1f\n", summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(99) / 1000))
end
LUA

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status"; }

# Slow clients for the whole soak: 16 that send a request a byte every
# 200 ms (each must still be answered: 200), 16 that connect and say nothing.
python3 - "$port" "$seconds" "$auth" >"$work/slow.out" <<'PY' &
import socket, sys, threading, time
port, seconds, auth = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
request = ("GET /ota/check?dev_id=6523&manuf=x&model=M5310&type=1&version=1.2 HTTP/1.1\r\nHost: x\r\n"
           "Authorization: %s\r\nConnection: close\r\n\r\n" % auth).encode()
answered, unanswered, lock = [0], [0], threading.Lock()
end = time.monotonic() + seconds
def trickle():
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
                for i in range(len(request)):
                    c.sendall(request[i:i + 1]); time.sleep(0.2 / 10)  # the request in ~1 s
                data = c.recv(64)
            with lock:
                if data.startswith(b"HTTP/1.1 200"): answered[0] += 1
                else: unanswered[0] += 1
        except OSError:
            with lock: unanswered[0] += 1
def quiet():
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
                c.recv(64)  # the server closes idle connections
        except OSError:
            pass
threads = [threading.Thread(target=trickle) for _ in range(16)] + [threading.Thread(target=quiet) for _ in range(16)]
for t in threads: t.start()
for t in threads: t.join()
print("SLOW answered=%d unanswered=%d" % (answered[0], unanswered[0]))
PY
slow_pid=$!

warm=$(( seconds / 6 > 2 ? seconds / 6 : 2 ))
wrk -t2 -c64 -d"${seconds}s" --timeout 5s -s "$work/check.lua" "$url/ota/check?$query" >"$work/wrk.out" &
wrk_pid=$!
sleep "$warm"
rss_warm=$(rss_kib)
wait "$wrk_pid"
rss_end=$(rss_kib)
wait "$slow_pid"

soak=$(grep '^SOAK' "$work/wrk.out")
slow=$(grep '^SLOW' "$work/slow.out")
get() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }
requests=$(get "$soak" requests)
errors=$(( $(get "$soak" socket_errors) + $(get "$soak" non200) + $(get "$slow" unanswered) ))
echo "ota-refserver soak, ${seconds} s: wrk 64 connections + 16 trickling + 16 silent clients"
echo "requests: ${requests} ($(awk -v r="$requests" -v s="$seconds" 'BEGIN {printf "%.0f", r / s}')/s), p99 $(get "$soak" p99_ms) ms"
echo "slow clients answered: $(get "$slow" answered), unanswered: $(get "$slow" unanswered)"
echo "errors: ${errors}"
echo "RSS after warm-up (${warm} s): $((rss_warm / 1024)) MiB, at the end: $((rss_end / 1024)) MiB, growth $(( (rss_end - rss_warm) / 1024 )) MiB"
[ "$errors" -eq 0 ]
