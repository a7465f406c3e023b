#!/usr/bin/env bash
# The main job: install dependencies, build, check the shipped spec, run the
# server and client suites against the bundled reference implementations in
# every profile, their mutation analyses and the example device client end
# to end, writing results under build/reports/, then one HTML report of them
# all (a clause x implementation matrix: which clause caught which mutant)
# and JUnit XML. The last line names the report.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release

otaconf=build/release/otaconf
reports=build/reports
mkdir -p "$reports"

"$otaconf" spec lint spec/onenet-ota-v1.json
"$otaconf" spec show spec/onenet-ota-v1.json >"$reports/spec-summary.txt"
tail -n 1 "$reports/spec-summary.txt"
"$otaconf" spec dict spec/onenet-ota-v1.json >"$reports/onenet-ota-v1.dict"

for profile in strict lenient as-documented; do
  "$otaconf" server --profile "$profile" --quiet --results "$reports/server-reference-$profile.json"
done
# Mutation analyses keep one results file per mutant (the run that decided
# it), per legal variant and per reference profile, for the report's matrix;
# they end with the mutation score (every mutant FAILs on its clause) and the
# variant score (no legal variant FAILs).
rm -rf "$reports/mutants-server" "$reports/mutants-client"
"$otaconf" mutation --side server --results-dir "$reports/mutants-server" | tee "$reports/server-mutation.txt" | tail -n 2

for profile in strict lenient as-documented; do
  "$otaconf" client --adapter-lib build/release/libotaclient_adapter.so --profile "$profile" --quiet \
    --implementation "otaclient (reference)" --results "$reports/client-reference-$profile.json"
done
"$otaconf" mutation --side client --results-dir "$reports/mutants-client" | tee "$reports/client-mutation.txt" | tail -n 2
"$otaconf" client-e2e --cmd "python3 docs/adapters/python/ota_device.py" --results "$reports/client-e2e-example.json" | tail -n 1

# The reference runs of every profile, the example device, every mutant and every legal variant.
"$otaconf" report --title "otaconf: reference implementations, their mutants and legal variants" \
  "$reports"/server-reference-*.json "$reports"/client-reference-*.json "$reports/client-e2e-example.json" \
  "$reports"/mutants-server/mutant-*.json "$reports"/mutants-client/mutant-*.json \
  "$reports"/mutants-server/variant-*.json "$reports"/mutants-client/variant-*.json \
  -o "$reports/report.html" --junit "$reports/junit.xml"

echo "main-job: results in $reports/"
echo "main-job: report at $(cd "$reports" && pwd)/report.html"
