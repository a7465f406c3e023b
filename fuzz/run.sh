#!/usr/bin/env bash
# fuzz/run.sh TARGET [SECONDS]: builds the fuzz preset (clang-14, libFuzzer,
# ASan+UBSan), fuzzes TARGET (e.g. client_parser) for SECONDS (default 300)
# with the spec's dictionary and the target's corpus, one job per core
# (-fork), then merges what found new coverage back into corpus/<target>/
# (adapter and json_baseline read client_parser's corpus and merge nowhere).
# Crashes land in build/fuzz/artifacts/TARGET/; make each one a regression
# file (corpus/<target>/regressions/<name>) once it is fixed.
# Environment: OTACONF_FUZZ_MUTANT picks a reference mutant to hunt;
# OTACONF_FUZZ_MUTATOR=bytes turns the spec-driven mutator off.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:?usage: fuzz/run.sh TARGET [SECONDS]  (targets: $(ls fuzz/*_fuzzer.cc | sed 's|fuzz/||;s|_fuzzer.cc||' | tr '\n' ' '))}
seconds=${2:-300}
[[ -f fuzz/${target}_fuzzer.cc || $target == c_server_example ]] || { echo "fuzz/run.sh: no target '$target'" >&2; exit 2; }

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${target}_fuzzer" fuzz_dictionary

corpus_name=$target
case $target in adapter | json_baseline) corpus_name=client_parser ;; c_server_example) corpus_name=server_handler ;; esac
corpus=corpus/$corpus_name
work=build/fuzz/work/$target
artifacts=build/fuzz/artifacts/$target
mkdir -p "$work" "$artifacts"

fuzzer=build/fuzz/fuzz/${target}_fuzzer
options=(-dict=build/fuzz/fuzz/otaconf.dict -max_total_time="$seconds" -print_final_stats=1
         -artifact_prefix="$artifacts/" -timeout=10 -rss_limit_mb=2048)
[[ $target == spec_loader ]] && options+=(-max_len=262144)
jobs=$(nproc)
if ((jobs > 1)); then options+=(-fork="$jobs" -ignore_crashes=1); fi

status=0
"$fuzzer" "${options[@]}" "$work" "$corpus" || status=$?

# Keep only what adds coverage: merge the new inputs into the target's own
# corpus (libFuzzer names them by content hash). adapter and json_baseline
# borrow client_parser's corpus and leave it alone: what they find stays in
# $work.
if [[ $corpus_name == "$target" ]]; then
  "$fuzzer" -merge=1 -dict=build/fuzz/fuzz/otaconf.dict "$corpus" "$work" 2>&1 | tail -n 1
fi
echo "fuzz/run.sh: $target done (status $status); crashes, if any, in $artifacts/"
exit "$status"
