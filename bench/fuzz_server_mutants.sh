#!/usr/bin/env bash
# bench/fuzz_server_mutants.sh [SECONDS]: how long `otaconf fuzz-server`
# takes to find each ota-refserver mutant, from an empty corpus with a fixed
# seed (SECONDS each at most, default 20; release build). Prints one line per
# mutant (its clause, the ms to the first finding, the clauses that FAILed:
# "end" when its own clause was graded at the end of the run, by the
# envelope rules or across answers, not in a bucket of its own) and the
# median and worst over the bucketed ones (fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
build=build/release
cmake --preset release >/dev/null && cmake --build --preset release >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
found=()
printf '%-32s %-10s %10s  %s\n' mutant clause 'first ms' 'buckets (clause)'
while IFS=$'\t' read -r mutant clause _; do
  "$build/otaconf" fuzz-server --start "$build/ota-refserver --port {port} --quiet --fault-injection --mutant $mutant" \
    --fault-injection --duration "$seconds" --seed 1 --quiet >"$work/out" 2>&1 || true
  first=$(grep -o 'the first after [0-9]*' "$work/out" | grep -o '[0-9]*$' || true)
  # Buckets (check server.fuzz) and what the envelope rules and the ledger grade (server.envelope, at the end).
  buckets=$(grep -oE '^  (FAIL|ERROR) [A-Z0-9_.]+ \[server.(fuzz|envelope)\]' "$work/out" | awk '{print $2}' |
    sort -u | tr '\n' ' ' || true)
  if [[ " $buckets " == *" $clause "* && -n $first ]]; then
    found+=("$first")
    printf '%-32s %-10s %10s  %s\n' "$mutant" "$clause" "$first" "$buckets"
  elif [[ " $buckets " == *" $clause "* ]]; then
    # Graded at the end (the envelope rules, or readings::Ledger across answers), not a bucket of its own.
    printf '%-32s %-10s %10s  %s\n' "$mutant" "$clause" "end" "$buckets"
  else
    printf '%-32s %-10s %10s  %s\n' "$mutant" "$clause" "-" "${buckets:-none} (not found on its clause in ${seconds} s)"
  fi
done < <("$build/ota-refserver" --list-mutants)
if ((${#found[@]})); then
  sorted=$(printf '%s\n' "${found[@]}" | sort -n)
  median=$(echo "$sorted" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
  echo "found in a bucket on their clause: ${#found[@]} of $("$build/ota-refserver" --list-mutants | wc -l); median ${median} ms, worst $(echo "$sorted" | tail -n 1) ms"
fi
