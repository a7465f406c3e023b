#!/usr/bin/env bash
# The main job: install dependencies, build, check the shipped spec, run the
# server suite against the bundled reference server in every profile and the
# mutation analysis, writing results under build/reports/.
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
"$otaconf" mutation --side server | tee "$reports/server-mutation.txt" | tail -n 1

echo "main-job: results in $reports/ (server-reference-*.json, server-mutation.txt, spec-summary.txt)"
