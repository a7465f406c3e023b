#!/usr/bin/env bash
# Tests of otaconf report and --junit, and of the HTML report in headless
# Chromium (exit 77, skipped, when /usr/bin/chromium is absent).
# Usage: report_test.sh OTACONF SOURCE_DIR ARTIFACT_DIR CASE
set -u
otaconf=$1
src=$2
case_name=$4
here=$(cd "$(dirname "$0")" && pwd)
artifacts=$(mkdir -p "$3" && cd "$3" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/out"; : >"$work/err"

fail() { echo "FAIL [$case_name]: $*"; echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/err"; exit 1; }
run() { "$otaconf" "$@" >"$work/out" 2>"$work/err"; echo $? >"$work/code"; }
expect_exit() { [ "$(cat "$work/code")" = "$1" ] || fail "exit $(cat "$work/code"), expected $1"; }
expect_one_error_line() {
  [ "$(wc -l <"$work/err")" = 1 ] || fail "expected exactly one stderr line"
  grep -Fq -- "$1" "$work/err" || fail "stderr does not name $1"
  grep -Eq -- "$2" "$work/err" || fail "stderr lacks /$2/"
}

# Results of real runs: the reference server, a server mutant, the reference
# client parser and the example device client end to end.
real_results() {
  "$otaconf" server --cases 5 --quiet --results "$work/server-reference.json" >/dev/null || fail "server run"
  "$otaconf" server --cases 5 --quiet --mutant no-version-check --results "$work/server-mutant.json" >/dev/null
  [ -s "$work/server-mutant.json" ] || fail "server mutant run wrote nothing"
  "$otaconf" client --adapter-lib "$CLIENT_LIBRARY" --cases 10 --quiet --implementation "otaclient (reference)" \
    --results "$work/client-reference.json" >/dev/null || fail "client run"
  "$otaconf" client-e2e --cmd "python3 $src/docs/adapters/python/ota_device.py" --scenario fixture,errno-9,malformed \
    --results "$work/client-e2e.json" >/dev/null || fail "client-e2e run"
  real=("$work/server-reference.json" "$work/server-mutant.json" "$work/client-reference.json" "$work/client-e2e.json")
}

ambiguity_count() {
  "$otaconf" spec show | tail -n 1 | sed -E 's/.* ambiguities=([0-9]+) .*/\1/'
}

chromium_or_skip() {
  chromium=${CHROMIUM:-/usr/bin/chromium}
  [ -x "$chromium" ] || { echo "SKIP [$case_name]: $chromium is absent (scripts/install-deps.sh installs it)"; exit 77; }
}

# browse PAGE NAME: the DOM after the page's JS ran its self-test (a filter
# timed, a cell clicked), and a screenshot kept in the artifact directory.
browse() {
  local flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --no-default-browser-check
               --disable-extensions --hide-scrollbars --user-data-dir="$work/chromium" --enable-logging=stderr --v=0)
  timeout 90 "$chromium" "${flags[@]}" --dump-dom "file://$1#selftest" >"$work/dom.html" 2>"$work/chromium.err" ||
    fail "chromium --dump-dom failed: $(tail -n 5 "$work/chromium.err")"
  if grep -E 'Uncaught|CONSOLE.*(Error|error)' "$work/chromium.err" >"$work/console-errors"; then
    fail "console errors: $(cat "$work/console-errors")"
  fi
  timeout 90 "$chromium" "${flags[@]}" --window-size=1600,2400 --screenshot="$artifacts/$2.png" "file://$1#selftest" \
    >/dev/null 2>>"$work/chromium.err" || fail "chromium --screenshot failed"
  [ "$(stat -c %s "$artifacts/$2.png")" -gt 20000 ] || fail "the screenshot $artifacts/$2.png is nearly empty"
  cp "$work/dom.html" "$artifacts/$2.dom.html"
}

case $case_name in
  junit_structure)
    real_results
    python3 "$here/make_results.py" "$work/synthetic" 2 "$work/server-reference.json" "$work/client-reference.json"
    files=("${real[@]}" "$work/synthetic/synthetic-00.json" "$work/synthetic/synthetic-01.json")
    run report "${files[@]}" --junit "$work/junit.xml"; expect_exit 0
    grep -Eq "^otaconf report: 6 run\(s\), [0-9]+ result entries; JUnit $work/junit.xml$" "$work/out" || fail "summary line"
    python3 "$here/check_junit.py" "$work/junit.xml" "${files[@]}" || fail "JUnit structure"
    # Every verdict occurs in the synthetic files, so every mapping was checked.
    for tag in '<failure ' '<error ' '<skipped ' '<system-out>'; do
      grep -q "$tag" "$work/junit.xml" || fail "no $tag in the JUnit XML"
    done ;;
  run_commands_junit)
    run server --cases 5 --mutant no-version-check --results "$work/s.json" --junit "$work/s.xml"; expect_exit 1
    python3 "$here/check_junit.py" "$work/s.xml" "$work/s.json" || fail "server --junit"
    grep -q '<failure message=' "$work/s.xml" || fail "the mutant's FAIL is no <failure>"
    run client --adapter-lib "$CLIENT_LIBRARY" --cases 10 --results "$work/c.json" --junit "$work/c.xml"; expect_exit 0
    python3 "$here/check_junit.py" "$work/c.xml" "$work/c.json" || fail "client --junit"
    run client-e2e --cmd 'exit 0' --scenario fixture,malformed --results "$work/e.json" --junit "$work/e.xml"; expect_exit 1
    python3 "$here/check_junit.py" "$work/e.xml" "$work/e.json" || fail "client-e2e --junit"
    run report "$work/e.json" --junit "$work/e2.xml"; expect_exit 0
    python3 "$here/check_junit.py" "$work/e2.xml" "$work/e.json" || fail "report --junit of client-e2e results"
    run server --cases 5 --junit "$work/no-such-dir/j.xml"; expect_exit 2
    expect_one_error_line "$work/no-such-dir/j.xml" 'cannot write the file' ;;
  html_self_contained)
    real_results
    run report "${real[@]}" -o "$work/report.html" --title 'Two <sides>'; expect_exit 0
    grep -Fq "; HTML $work/report.html" "$work/out" || fail "no absolute path printed"
    grep -q '<title>Two &lt;sides&gt;</title>' "$work/report.html" || fail "title not set or not escaped"
    [ "$(grep -c '<script type="application/json" id="report-data">' "$work/report.html")" = 1 ] || fail "no data blob"
    ! grep -Eiq '<(link|img|iframe)|<script[^>]* src=|@import|url\(' "$work/report.html" || fail "the page loads something"
    python3 - "$work/report.html" <<'PY' || fail "the data blob"
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
blob = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S).group(1)
assert "</" not in blob, "unescaped </ in the blob"
data = json.loads(blob)
assert [r["run"]["side"] for r in data["runs"]] == ["server", "server", "client", "mock"], data["runs"]
assert data["runs"][1]["run"]["mutant"]["name"] == "no-version-check"
assert data["runs"][1]["verdicts"]["ERR.09"] == "FAIL"
assert any(o for r in data["runs"] for o in r["observations"]), "no observations"
assert data["ambiguities"] and all("decisions" in a for a in data["ambiguities"])
PY
    ;;
  bad_inputs)
    real_results
    run report "$work/none.json" -o "$work/r.html"; expect_exit 2
    expect_one_error_line "$work/none.json" 'cannot read the file'
    printf '{"format": ' >"$work/broken.json"
    run report "${real[0]}" "$work/broken.json" -o "$work/r.html"; expect_exit 2
    expect_one_error_line "$work/broken.json" 'not valid JSON'
    sed 's/"verdict": "PASS"/"verdict": "OK"/' "${real[0]}" >"$work/wrong.json"
    run report "$work/wrong.json" --junit "$work/j.xml"; expect_exit 2
    expect_one_error_line "$work/wrong.json" ': /(clauses|results)/[0-9]+/verdict: '
    run report "$src/spec/onenet-ota-v1.json" -o "$work/r.html"; expect_exit 2
    expect_one_error_line "onenet-ota-v1.json" ': '
    run report "${real[0]}"; expect_exit 2; expect_one_error_line '-o' 'give -o'
    run report "${real[0]}" -o "$work/no-such-dir/r.html"; expect_exit 2
    expect_one_error_line "$work/no-such-dir/r.html" 'cannot write the file'
    [ ! -e "$work/r.html" ] || fail "a report was written from bad input" ;;
  browser_matrix)
    chromium_or_skip
    real_results
    python3 "$here/make_results.py" "$work/synthetic" 1 "$work/server-mutant.json"
    files=("$work/synthetic/synthetic-00.json" "${real[@]}")
    run report "${files[@]}" -o "$artifacts/report-matrix.html"; expect_exit 0
    browse "$artifacts/report-matrix.html" report-matrix
    python3 "$here/check_dom.py" "$work/dom.html" --runs 5 --min-rows 30 --min-ambiguities "$(ambiguity_count)" \
      --hostile || fail "the rendered page"
    echo "screenshot: $artifacts/report-matrix.png" ;;
  browser_large)
    chromium_or_skip
    real_results
    python3 "$here/make_results.py" "$work/synthetic" 50 "${real[@]}"
    run report "$work/synthetic" -o "$artifacts/report-large.html"; expect_exit 0
    grep -Eq '^otaconf report: 50 run\(s\), [0-9]{4,} result entries' "$work/out" || fail "expected thousands of entries"
    cat "$work/out"
    ls -l "$artifacts/report-large.html" | awk '{print "html bytes: " $5}'
    start=$EPOCHREALTIME
    browse "$artifacts/report-large.html" report-large
    awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "chromium: two loads (DOM, screenshot) in %.1f s\n", b - a }' 
    python3 "$here/check_dom.py" "$work/dom.html" --runs 50 --min-rows 30 --min-ambiguities "$(ambiguity_count)" \
      --max-ms 5000 --hostile || fail "the rendered page" ;;
  *) echo "unknown case $case_name"; exit 2 ;;
esac
echo "ok [$case_name]"
