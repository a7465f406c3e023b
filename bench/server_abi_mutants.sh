#!/usr/bin/env bash
# bench/server_abi_mutants.sh [BUILD_DIR]: replays the server_handler seed
# corpus through the in-process server ABI against every ota-refserver
# mutant (decisions enforced, and judged against the document only) and
# every legal variant in every profile (document only), and prints what
# stopped the replay. Numbers in docs/server-abi.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/dev}
replay=$build/fuzz/server_handler_replay
refserver=$build/ota-refserver
[[ -x $replay && -x $refserver ]] || { echo "build $build first (cmake --build --preset dev)" >&2; exit 2; }

first_failure() { "$@" corpus/server_handler 2>&1 | grep -a -m1 "ORACLE FAILURE" | sed 's/ORACLE FAILURE: //' | cut -c1-70 || true; }

echo "| mutant | decisions enforced | document only |"
echo "|---|---|---|"
enforced=0 document=0 total=0
for mutant in $($refserver --list-mutants | awk '{print $1}'); do
  a=$(OTACONF_FUZZ_MUTANT=$mutant OTACONF_FUZZ_ENFORCE_DECISIONS=1 first_failure "$replay")
  b=$(OTACONF_FUZZ_MUTANT=$mutant OTACONF_FUZZ_ENFORCE_DECISIONS=0 first_failure "$replay")
  total=$((total + 1)); [[ -n $a ]] && enforced=$((enforced + 1)); [[ -n $b ]] && document=$((document + 1))
  echo "| $mutant | ${a:-not stopped} | ${b:-not stopped} |"
done
echo
echo "mutants stopped: $enforced/$total with decisions enforced, $document/$total judged against the document"
stopped=0 runs=0
for variant in $($refserver --list-variants | awk '{print $1}'); do
  for profile in strict lenient as-documented; do
    runs=$((runs + 1))
    r=$(OTACONF_FUZZ_VARIANT=$variant OTACONF_FUZZ_PROFILE=$profile OTACONF_FUZZ_ENFORCE_DECISIONS=0 first_failure "$replay")
    if [[ -n $r ]]; then stopped=$((stopped + 1)); echo "legal variant $variant ($profile) stopped: $r"; fi
  done
done
echo "legal variants stopped: $stopped of $runs (variant, profile) replays"
