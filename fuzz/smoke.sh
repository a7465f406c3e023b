#!/usr/bin/env bash
# fuzz/smoke.sh [SECONDS]: when clang-14 is present, builds every fuzz
# target with the fuzz preset (libFuzzer + ASan + UBSan) and runs each for
# SECONDS (default 20) on a scratch copy of its corpus; fails on the first
# crash or oracle failure. CI (.ci/run) calls it after the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
if ! command -v clang++-14 >/dev/null; then
  echo "fuzz/smoke.sh: clang++-14 not found; skipping the fuzz smoke run"
  exit 0
fi
# Every fuzz/<subject>_fuzzer.cc, and the example C server handler
# (examples/c-server/) under the server_handler target.
targets="$(ls fuzz/*_fuzzer.cc | sed 's|fuzz/||;s|_fuzzer.cc||') c_server_example"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target fuzz_dictionary $(for t in $targets; do echo "${t}_fuzzer"; done)
ctest --preset fuzz  # fuzz.linkage: the targets need only glibc and the compiler's runtime
for target in $targets; do
  corpus_name=$target
  case $target in adapter | json_baseline) corpus_name=client_parser ;; c_server_example) corpus_name=server_handler ;; esac
  scratch=build/fuzz/smoke/$target
  rm -rf "$scratch" && mkdir -p "$scratch"
  max_len=4096
  [[ $target == spec_loader ]] && max_len=262144
  if ! build/fuzz/fuzz/${target}_fuzzer -dict=build/fuzz/fuzz/otaconf.dict -max_total_time="$seconds" \
      -max_len=$max_len -timeout=10 -artifact_prefix="$scratch/" -print_final_stats=1 \
      "$scratch" "corpus/$corpus_name" >"$scratch.log" 2>&1; then
    grep -a -m1 -A12 'ORACLE FAILURE\|ERROR: \|runtime error' "$scratch.log" || tail -n 20 "$scratch.log"
    echo "fuzz/smoke.sh: $target FAILED (log $scratch.log, input in $scratch/)" >&2
    exit 1
  fi
  echo "fuzz/smoke.sh: $target ok ($(grep -a -m1 'stat::number_of_executed_units' "$scratch.log" | awk '{print $2}') runs in ${seconds}s)"
done
