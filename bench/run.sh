#!/usr/bin/env bash
# bench/run.sh: every performance figure of the project, each measured in
# this run as a ratio or a rate (bench/README.md records a run and what the
# figures mean). Builds the release and fuzz presets first. Ends with one
# line per figure, the number first after the colon:
#   harness/wrk, latency efficiency, client_parser/json_baseline,
#   adapter-lib parses/s, adapter-cmd parses/s,
#   report 500 runs MB, report 500 runs interactive s
# Usage: bench/run.sh [FUZZ_SECONDS]   (default 10: each fuzz target's run)
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${1:-10}
build=build/release
for tool in wrk chromium python3; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 2; }
done
cmake --preset release >/dev/null && cmake --build --preset release >/dev/null
cmake --preset fuzz >/dev/null && cmake --build --preset fuzz --target client_parser_fuzzer json_baseline_fuzzer fuzz_dictionary >/dev/null

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
first_line_of() {  # first_line_of FILE: waits (5 s at most) for a program to print its URL there
  for _ in $(seq 50); do [ -s "$1" ] && break; sleep 0.1; done
  head -n 1 "$1"
}
rate_of() {  # rate_of "otaconf ... N requests in M ms" -> N*1000/M
  echo "$1" | sed -E 's/.* ([0-9]+) (requests|parses) in ([0-9]+) ms.*/\1 \3/' | awk '{printf "%.0f", $1 * 1000 / $2}'
}

# 1. The server suite against ota-refserver, against wrk on the same server.
"$build/ota-refserver" --port 0 --quiet --threads 4 >"$work/url" &
pids+=($!)
url=$(first_line_of "$work/url")
auth=$("$build/otaconf" token --key KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw= --res products/123123 --ttl 3600)
query='dev_id=6523&manuf=%E4%B8%AD%E5%9B%BD%E7%A7%BB%E5%8A%A8&model=M5310&type=1&version=1.2&signals=10&powers=30&cdn=true'
printf 'wrk.headers["Authorization"] = "%s"\nwrk.headers["Content-Type"] = "application/json"\n' "$auth" >"$work/check.lua"
wrk_rate=$(wrk -t2 -c4 -d5s -s "$work/check.lua" "$url/ota/check?$query" | awk '/Requests\/sec/ {print $2}')
harness=$("$build/otaconf" server --url "$url" --cases 2000 --concurrency 4 | head -n 1)
harness_rate=$(rate_of "$harness")
echo "wrk (2 threads, 4 connections, 5 s): $wrk_rate requests/s"
echo "otaconf server --cases 2000 --concurrency 4: $harness_rate requests/s"

# 2. The property against the same server 50 ms away: ideal = connections / round trip.
python3 bench/delay_proxy.py "${url#http://}" 50 >"$work/far" &
pids+=($!)
far=$(first_line_of "$work/far")
distant=$("$build/otaconf" server --url "$far" --only server.property --cases 400 --concurrency 4 | head -n 1)
distant_rate=$(rate_of "$distant")
echo "otaconf server --only server.property --cases 400 --concurrency 4, 50 ms away: $distant_rate requests/s (ideal 80)"

# 3. The client_parser fuzz target against bare nlohmann::json::parse, side by side, same corpus.
fuzz_rate() {
  mkdir -p "$work/$1"
  build/fuzz/fuzz/$1_fuzzer -seed=1 -max_total_time="$fuzz_seconds" -max_len=4096 -print_final_stats=1 \
    -dict=build/fuzz/fuzz/otaconf.dict "$work/$1" corpus/client_parser >"$work/$1.log" 2>&1 || true
  grep -a 'stat::average_exec_per_sec' "$work/$1.log" | awk '{print $2}' >"$work/$1.rate"
}
fuzz_rate client_parser & fuzz_rate json_baseline; wait %%
echo "client_parser: $(cat "$work/client_parser.rate") execs/s, json_baseline: $(cat "$work/json_baseline.rate") execs/s"

# 4. Adapters: the reference client's parser through each, bodies pipelined.
lib_rate=$("$build/bench/adapter_rate" --lib "$build/libotaclient_adapter.so" | awk '/^pipelined/ {print $2}')
cmd_rate=$("$build/bench/adapter_rate" --cmd "$build/otaclient-adapter" | awk '/^pipelined/ {print $2}')

# 5. One report of 500 runs (synthetic, made from real ones), loaded in headless Chromium.
"$build/otaconf" server --cases 5 --quiet --results "$work/s.json" >/dev/null || true
"$build/otaconf" server --cases 5 --quiet --mutant no-version-check --results "$work/m.json" >/dev/null || true
"$build/otaconf" client --adapter-lib "$build/libotaclient_adapter.so" --cases 10 --quiet --results "$work/c.json" >/dev/null
python3 reports/tests/make_results.py "$work/runs" 500 "$work/s.json" "$work/m.json" "$work/c.json" >/dev/null
"$build/otaconf" report "$work/runs" -o "$work/report.html" >/dev/null
report_mb=$(awk -v b="$(stat -c %s "$work/report.html")" 'BEGIN {printf "%.1f", b / 1e6}')
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --user-data-dir="$work/chromium" --dump-dom "file://$work/report.html" >"$work/dom.html" 2>/dev/null
interactive_ms=$(grep -o 'data-interactive-ms="[0-9.]*"' "$work/dom.html" | head -n 1 | grep -o '[0-9.]*')

echo
awk -v h="$harness_rate" -v w="$wrk_rate" 'BEGIN {printf "harness/wrk: %.2f\n", h / w}'
awk -v r="$distant_rate" 'BEGIN {printf "latency efficiency: %.2f\n", r / 80}'
awk -v p="$(cat "$work/client_parser.rate")" -v b="$(cat "$work/json_baseline.rate")" \
  'BEGIN {printf "client_parser/json_baseline: %.3f\n", p / b}'
echo "adapter-lib parses/s: $lib_rate"
echo "adapter-cmd parses/s: $cmd_rate"
echo "report 500 runs MB: $report_mb"
awk -v ms="${interactive_ms:-nan}" 'BEGIN {printf "report 500 runs interactive s: %.2f\n", ms / 1000}'
