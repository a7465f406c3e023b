#!/usr/bin/env bash
# Request rate of the server suite against ota-refserver, as a ratio of what
# wrk reaches against the same server in the same run (same machine, same
# moment: the ratio is what to compare across machines, not the raw rates).
# Usage: bench/server_throughput.sh [BUILD_DIR]   (default build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
otaconf=$build/otaconf
refserver=$build/ota-refserver
[ -x "$otaconf" ] && [ -x "$refserver" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: scripts/install-deps.sh installs it" >&2; exit 2; }

work=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
"$refserver" --port 0 --quiet --threads 4 >"$work/url" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(head -n 1 "$work/url")

auth=$("$otaconf" token --key KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw= --res products/123123 --ttl 3600)
query='dev_id=6523&manuf=%E4%B8%AD%E5%9B%BD%E7%A7%BB%E5%8A%A8&model=M5310&type=1&version=1.2&signals=10&powers=30&cdn=true'
cat >"$work/check.lua" <<LUA
wrk.headers["Authorization"] = "$auth"
wrk.headers["Content-Type"] = "application/json"
LUA
wrk_rate=$(wrk -t2 -c4 -d5s -s "$work/check.lua" "$url/ota/check?$query" | awk '/Requests\/sec/ {print $2}')

# The harness: the whole catalog with many property cases, 4 connections.
line=$("$otaconf" server --url "$url" --cases 2000 --concurrency 4 | head -n 1)
requests=$(echo "$line" | sed -E 's/.* ([0-9]+) requests in ([0-9]+) ms/\1/')
ms=$(echo "$line" | sed -E 's/.* ([0-9]+) requests in ([0-9]+) ms/\2/')
harness_rate=$(awk -v r="$requests" -v m="$ms" 'BEGIN {printf "%.0f", r * 1000 / m}')

# The default run against the embedded server, end to end (process start included).
start=$(date +%s%N)
"$otaconf" server >/dev/null
default_ms=$(( ($(date +%s%N) - start) / 1000000 ))

echo "wrk (2 threads, 4 connections, 5 s, one check request): ${wrk_rate} requests/s"
echo "otaconf server --cases 2000 (4 connections): ${requests} requests in ${ms} ms = ${harness_rate} requests/s"
awk -v h="$harness_rate" -v w="$wrk_rate" 'BEGIN {printf "ratio harness/wrk: %.2f\n", h / w}'
echo "default otaconf server run (embedded reference, 40 property cases): ${default_ms} ms"
