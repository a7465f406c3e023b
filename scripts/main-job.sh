#!/usr/bin/env bash
# The main job: install dependencies, build, run otaconf on the shipped spec
# and (as later issues land) against the bundled reference implementations,
# writing reports under build/reports/.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release

otaconf=build/release/otaconf
reports=build/reports
mkdir -p "$reports"

"$otaconf" spec lint spec/onenet-ota-v1.json
"$otaconf" spec show spec/onenet-ota-v1.json | tee "$reports/spec-summary.txt" | tail -n 1
"$otaconf" spec dict spec/onenet-ota-v1.json >"$reports/onenet-ota-v1.dict"
echo "main-job: spec summary in $reports/spec-summary.txt, dictionary in $reports/onenet-ota-v1.dict"
