#!/usr/bin/env bash
# bench/fuzz_throughput.sh [SECONDS]: execs/s of every fuzz target (fuzz
# preset: libFuzzer + ASan + UBSan) on its own seed corpus, SECONDS each
# (default 20), two targets at a time (one per core). Then the ratio that
# fuzz/README.md reports: client_parser vs json_baseline (bare
# nlohmann::json::parse) on the same corpus, same flags, run side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
cmake --preset fuzz >/dev/null
targets=$(ls fuzz/*_fuzzer.cc | sed 's|fuzz/||;s|_fuzzer.cc||')
cmake --build --preset fuzz --target fuzz_dictionary $(for t in $targets; do echo "${t}_fuzzer"; done) >/dev/null
scratch=build/fuzz/bench && rm -rf "$scratch" && mkdir -p "$scratch"

run() {  # run TARGET -> prints execs/s
  local target=$1 corpus=$1
  case $target in adapter | json_baseline) corpus=client_parser ;; esac
  mkdir -p "$scratch/$target"
  build/fuzz/fuzz/${target}_fuzzer -seed=1 -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    -dict=build/fuzz/fuzz/otaconf.dict "$scratch/$target" "corpus/$corpus" >"$scratch/$target.log" 2>&1 || true
  grep -a 'stat::average_exec_per_sec' "$scratch/$target.log" | awk '{print $2}'
}

# client_parser and json_baseline first, side by side: the ratio's pair.
set -- client_parser json_baseline $(echo "$targets" | grep -v -x -e client_parser -e json_baseline)
while (($#)); do
  a=$1; b=${2:-}
  if [[ -n $b ]]; then
    run "$a" >"$scratch/$a.rate" & run "$b" >"$scratch/$b.rate"; wait
    shift 2
  else
    run "$a" >"$scratch/$a.rate"; shift
  fi
done
printf '%-16s %10s\n' target 'execs/s'
for t in $targets; do printf '%-16s %10s\n' "$t" "$(cat "$scratch/$t.rate")"; done
parser=$(cat "$scratch/client_parser.rate") baseline=$(cat "$scratch/json_baseline.rate")
echo "client_parser / json_baseline = $(awk -v p="$parser" -v b="$baseline" 'BEGIN {printf "%.3f", p / b}') (same corpus, same flags, side by side)"
