#!/usr/bin/env bash
# End-to-end tests of the otaconf command: exit codes and what it prints.
# Usage: cli_test.sh OTACONF SOURCE_DIR CASE
set -u
otaconf=$1
src=$2
case_name=$3
spec=$src/spec/onenet-ota-v1.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL [$case_name]: $*"; echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/err"; exit 1; }

run() { "$otaconf" "$@" >"$work/out" 2>"$work/err"; echo $? >"$work/code"; }
expect_exit() { [ "$(cat "$work/code")" = "$1" ] || fail "exit $(cat "$work/code"), expected $1"; }
expect_out() { grep -Eq -- "$1" "$work/out" || fail "stdout lacks /$1/"; }
# Errors are one line on stderr that names the file.
expect_one_error_line() {
  [ "$(wc -l <"$work/err")" = 1 ] || fail "expected exactly one stderr line"
  grep -Fq -- "$1" "$work/err" || fail "stderr does not name $1"
  grep -Eq -- "$2" "$work/err" || fail "stderr lacks /$2/"
}
# mutation --results-dir: a results file per mutant, FAIL on the clause it
# declares, and one per reference profile, clean; otaconf report loads them.
# The last two lines of `otaconf mutation`: every mutant killed, every legal
# variant passing (at least `min_mutants` and 6 of them).
expect_scores() {
  local min_mutants=$1
  local scores
  scores=$(tail -n 2 "$work/out")
  [[ $scores =~ ^mutation\ score:\ ([0-9]+)/([0-9]+)$'\n'variant\ score:\ ([0-9]+)/([0-9]+)$ ]] ||
    fail "the last two lines are '$scores'"
  [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] || fail "not every mutant was killed"
  [ "${BASH_REMATCH[2]}" -ge "$min_mutants" ] || fail "fewer than $min_mutants mutants"
  [ "${BASH_REMATCH[3]}" = "${BASH_REMATCH[4]}" ] || fail "a legal variant was judged a fault"
  [ "${BASH_REMATCH[4]}" -ge 6 ] || fail "fewer than 6 legal variants"
  mutants=${BASH_REMATCH[2]}
  variants=${BASH_REMATCH[4]}
}
expect_mutant_results() {
  local dir=$1 mutants=$2 variants=$3
  [ "$(ls "$dir"/mutant-*.json | wc -l)" = "$mutants" ] || fail "not one results file per mutant in $dir"
  [ "$(ls "$dir"/variant-*.json | wc -l)" = "$variants" ] || fail "not one results file per variant in $dir"
  [ "$(ls "$dir"/reference-*.json | wc -l)" = 3 ] || fail "not one reference results file per profile in $dir"
  python3 - "$dir" <<'PY' || fail "mutant results"
import glob, json, sys
for path in sorted(glob.glob(sys.argv[1] + "/*.json")):
    doc = json.load(open(path))
    mutant = doc["run"].get("mutant")
    variant = doc["run"].get("variant")
    verdicts = {c["id"]: c["verdict"] for c in doc["clauses"]}
    if "/mutant-" in path:
        assert mutant and path.endswith("mutant-%s.json" % mutant["name"]), path
        assert verdicts.get(mutant["clause"]) == "FAIL", "%s: %s is %s" % (path, mutant["clause"], verdicts.get(mutant["clause"]))
    elif "/variant-" in path:
        assert variant and path.endswith("variant-%s.json" % variant["name"]), path
        assert doc["summary"]["FAIL"] == 0 and doc["summary"]["ERROR"] == 0, path
    else:
        assert mutant is None and variant is None and doc["summary"]["FAIL"] == 0, path
PY
  expect_entries_in_plan "$dir"/*.json
  "$otaconf" report "$dir" -o "$work/report.html" --junit "$work/junit.xml" >/dev/null 2>"$work/err" ||
    fail "otaconf report cannot read $dir"
}
# Every entry of these results is a (check, clause) of its run's plan and
# names a clause of the spec: JUnit's testcase set is the plan's, whatever
# the run reached (issue 14), and no verdict lands on an unknown clause.
expect_entries_in_plan() {
  python3 - "$spec" "$@" <<'PY' || fail "an entry outside its run's plan"
import json, sys
ids = {c["id"] for c in json.load(open(sys.argv[1]))["clauses"]}
for path in sys.argv[2:]:
    doc = json.load(open(path))
    plan = {(p["check"], p["clause"]) for p in doc["run"]["plan"]}
    assert plan, path + ": no plan"
    for e in doc["results"]:
        assert (e["check"], e["clause"]) in plan, "%s: %s %s not planned" % (path, e["check"], e["clause"])
        assert e["clause"] in ids, "%s: %s is no clause of the spec" % (path, e["clause"])
PY
}
# A copy of the shipped spec with its sources, edited by sed.
edited_spec() {
  mkdir -p "$work/spec"
  cp -r "$src/spec/sources" "$work/spec/"
  sed "$1" "$spec" >"$work/spec/edited.json"
  echo "$work/spec/edited.json"
}

case $case_name in
  lint_shipped)
    run spec lint "$spec"; expect_exit 0; expect_out '^.*: 0 findings \(clauses=' ;;
  lint_default_file)
    run spec lint; expect_exit 0; expect_out 'onenet-ota-v1.json: 0 findings' ;;
  show_counts)
    run spec show "$spec"; expect_exit 0
    last=$(tail -n 1 "$work/out")
    [[ $last =~ ^clauses=([0-9]+)\ ambiguities=([0-9]+)\ error_codes=([0-9]+)\ fields=([0-9]+)\ profiles=([0-9]+)$ ]] ||
      fail "last line is '$last'"
    [ "${BASH_REMATCH[1]}" -ge 40 ] || fail "fewer than 40 clauses"
    [ "${BASH_REMATCH[2]}" -ge 15 ] || fail "fewer than 15 ambiguities"
    [ "${BASH_REMATCH[3]}" -ge 8 ] || fail "fewer than 8 error codes" ;;
  show_quotes_every_clause)
    run spec show "$spec"; expect_exit 0
    # every clause line is followed by at least one [doc] quote line
    awk '/^== Clauses/{c=1;next} /^== /{c=0} c&&/^  [A-Z]/{if(id&&!q){print id; bad=1} id=$1; q=0} c&&/\[doc\] "/{q=1}
         END{if(id&&!q){print id; bad=1} exit bad}' "$work/out" || fail "a clause without a [doc] quote" ;;
  dict)
    run spec dict "$spec"; expect_exit 0; expect_out '^kw[0-9]+="dev_id"$'; expect_out '^kw[0-9]+="\\"powers\\":"$' ;;
  missing_file)
    run spec show "$work/none.json"; expect_exit 2; expect_one_error_line "$work/none.json" 'cannot read the file' ;;
  not_json)
    printf '{"format": ' >"$work/broken.json"
    run spec show "$work/broken.json"; expect_exit 2; expect_one_error_line "$work/broken.json" 'not valid JSON' ;;
  schema_violation)
    file=$(edited_spec 's/"level": "MUST"/"level": "MUSTNT"/')
    run spec show "$file"; expect_exit 2; expect_one_error_line "$file" ': /clauses/0/level: ' ;;
  dangling_reference)
    file=$(edited_spec 's/"precedence": \[7,/"precedence": [42, 7,/')
    run spec dict "$file"; expect_exit 2; expect_one_error_line "$file" 'code 42 in the precedence' ;;
  lint_finding)
    file=$(edited_spec 's/"Request mode: \*\* GET\*\*"/"Request mode: ** POST**"/')
    run spec lint "$file"; expect_exit 1; expect_out 'quote not found verbatim'; expect_out ': [1-9][0-9]* findings? ' ;;
  lint_lists_every_error)
    printf '{"format": "otaconf-spec/1"}' >"$work/thin.json"
    run spec lint "$work/thin.json"; expect_exit 2
    [ "$(grep -c 'Missing required property' "$work/err")" -ge 10 ] || fail "lint should list every error" ;;
  usage_error)
    run spec frobnicate; expect_exit 2 ;;
  no_subcommand)
    run; expect_exit 2 ;;
  help)
    run --help; expect_exit 0; expect_out 'spec' ;;
  token_worked_example)
    run token --key KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw= --res products/123123 --et 1537255523; expect_exit 0
    expect_out '^version=2018-10-31&res=products%2F123123&et=1537255523&method=sha1&sign=lsaPSiiGvEFFjXu5WU7a6IkScqE%3D$' ;;
  server_embedded)
    run server --cases 10 --results "$work/results.json"; expect_exit 0
    expect_out '^PASS=[0-9]+ FAIL=0 NON-STRICT=0 '
    grep -q '"format": "otaconf-results/1"' "$work/results.json" || fail "no results JSON written" ;;
  server_url)
    "$REFSERVER" --port 0 --fault-injection --quiet >"$work/url" 2>"$work/server.err" &
    server_pid=$!
    for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
    url=$(head -n 1 "$work/url")
    run server --url "$url" --fault-injection --cases 10
    kill "$server_pid"; wait "$server_pid"
    expect_exit 0; expect_out "at $url, profile strict"; expect_out '^PASS=[0-9]+ FAIL=0 ' ;;
  server_mutant_fails)
    run server --mutant no-version-check --cases 10; expect_exit 1
    expect_out '^  FAIL ERR.09 \[server.error-codes\]'; expect_out 'reproduce: curl -sS -i ' ;;
  server_bad_url)
    run server --url 'ftp://nowhere'; expect_exit 2; expect_one_error_line '--url' 'not a URL' ;;
  server_unreachable)
    run server --url http://127.0.0.1:1; expect_exit 2; expect_one_error_line 'http://127.0.0.1:1' 'cannot reach' ;;
  server_bad_fixture)
    run server --fixture "$work/none.json"; expect_exit 2; expect_one_error_line "$work/none.json" 'cannot read the file' ;;
  client_reference_library)
    for profile in strict lenient as-documented; do
      run client --adapter-lib "$CLIENT_LIBRARY" --profile "$profile" --cases 30 --results "$work/client-$profile.json"
      expect_exit 0; expect_out '^PASS=[0-9]+ FAIL=0 NON-STRICT=0 [A-Z=0-9 -]*ERROR=0 '
      grep -q '"side": "client"' "$work/client-$profile.json" || fail "no client results JSON"
    done ;;
  client_reference_subprocess)
    for profile in strict lenient as-documented; do
      run client --adapter-cmd "$CLIENT_COMMAND" --profile "$profile" --cases 30
      expect_exit 0; expect_out '^PASS=[0-9]+ FAIL=0 NON-STRICT=0 [A-Z=0-9 -]*ERROR=0 '
    done ;;
  client_example_python)
    for profile in strict lenient as-documented; do
      run client --adapter-cmd "python3 $src/docs/adapters/python/ota_adapter.py" --profile "$profile" --cases 30
      expect_exit 0; expect_out '^PASS=[0-9]+ FAIL=0 NON-STRICT=0 [A-Z=0-9 -]*ERROR=0 '
    done ;;
  client_example_c)
    # cJSON keeps numbers as doubles. It cannot tell 0 from 0.0: a reading the
    # register allows (AMB.JSON_NUMBER), so NON-STRICT, never FAIL. It cannot
    # hold sizes past 2^53 exactly: a wrong size under every reading, FAIL.
    run client --adapter-lib "$C_EXAMPLE" --profile strict --cases 30; expect_exit 1
    expect_out '^  NON-STRICT RESP.ERRNO.TYPE .*n_gen_errno_(float|exponent).*AMB.JSON_NUMBER'
    expect_out '^  FAIL RESP.DATA.SIZE .*[ny]_gen_data_size_'
    unexpected=$(grep '^  FAIL' "$work/out" | grep -vE 'FAIL RESP.DATA.SIZE .*[ny]_gen_data_size_' || true)
    [ -z "$unexpected" ] || fail "failures beyond cJSON's known limit: $unexpected"
    true ;;
  client_mutation_score)
    run mutation --side client --cases 30 --results-dir "$work/mutants"; expect_exit 0
    expect_scores 12
    expect_mutant_results "$work/mutants" "$mutants" "$variants" ;;
  client_bad_adapter)
    run client --adapter-lib "$work/none.so"; expect_exit 2; expect_one_error_line "$work/none.so" 'cannot load adapter library'
    run client --adapter-cmd "$work/none-parser --flag"; expect_exit 2; expect_one_error_line "$work/none-parser" 'cannot run' ;;
  client_e2e_example)
    run client-e2e --cmd "python3 $src/docs/adapters/python/ota_device.py" --results "$work/e2e.json"; expect_exit 0
    expect_out '^  fixture: expected download, exit 0, 1 check request\(s\), downloaded$'
    expect_out '^  errno-19: expected retry-later, exit 11, '
    expect_out '^  errno-19-with-data: expected retry-later, exit 11, 1 check request\(s\)$'
    expect_out '^PASS=[0-9]+ FAIL=0 NON-STRICT=0 INFO=0 NOT-TESTABLE=0 ERROR=0 '
    run client-e2e --cmd 'exit 0' --results "$work/never.json"; expect_exit 1
    expect_entries_in_plan "$work/e2e.json" "$work/never.json" ;;
  client_e2e_broken)
    # A "client" that never asks and always claims success.
    run client-e2e --cmd 'exit 0' --scenario fixture,errno-8,malformed; expect_exit 1
    expect_out '^  FAIL EP.CHECK.PATH \[client-e2e.behaviour\] .*never called the check endpoint'
    expect_out '^  FAIL CLI.PARSE.REJECT \[client-e2e.behaviour\] malformed: expected reject, the device exited 0' ;;
  client_e2e_faults)
    # Devices with one seeded fault each: every one is caught on its clause.
    device="python3 $src/cli/tests/faulty_device.py"
    run client-e2e --cmd "$device download-when-data" --scenario fixture,errno-10,errno-10-with-data; expect_exit 1
    expect_out '^  errno-10-with-data: expected retry-later, exit 0, 1 check request\(s\), downloaded$'
    expect_out '^  FAIL CLI.ACTION.NO_DOWNLOAD_ON_ERROR \[client-e2e.behaviour\] errno-10-with-data: requested the download path'
    run client-e2e --cmd "$device tight-recheck" --scenario fixture,errno-19; expect_exit 0
    expect_out '^  NON-STRICT CLI.RECHECK.BACKOFF \[client-e2e.behaviour\] errno-19: checked 3 times, two of them [0-9]+ ms apart'
    run client-e2e --cmd "$device pows-spelling" --scenario fixture; expect_exit 0
    expect_out "^  NON-STRICT REQ.NAMES \\[mock.requests\\] the device sends powers as 'pows', which a server under strict does not read"
    run client-e2e --cmd "$device pows-spelling" --scenario fixture --profile lenient; expect_exit 0
    expect_out '^PASS=[0-9]+ FAIL=0 NON-STRICT=0 ' ;;
  mock_scenarios)
    run mock --list-scenarios; expect_exit 0; expect_out '^bad-md5	no-download	'; expect_out '^errno-19	retry-later	' ;;
  vectors_up_to_date)
    run vectors generate --check; expect_exit 0; expect_out ' 0 stale$' ;;
  mutation_score)
    run mutation --side server --cases 10 --results-dir "$work/mutants"; expect_exit 0
    expect_scores 20
    expect_mutant_results "$work/mutants" "$mutants" "$variants" ;;
  server_selection_empty)
    run server --only 'NOPE.*'; expect_exit 2; expect_one_error_line "--only" 'select no clause' ;;
  client_vectors_missing)
    run client --adapter-cmd "$CLIENT_COMMAND" --vectors "$work/none"; expect_exit 2
    expect_one_error_line "$work/none" 'not a directory of vectors' ;;
  cli_ux)
    # Know before you run; typos forgiven; machine output; a server team's fixture path.
    run server --dry-run; expect_exit 0
    expect_out '^server.error-codes: '; expect_out ' ERR.09 '; expect_out '^server clauses no selected check judges'
    run server --dry-run --only server.params; expect_exit 0
    grep -q '^server.error-codes' "$work/out" && fail "--only server.params still lists server.error-codes"
    run sever; expect_exit 2; grep -q "did you mean 'server'" "$work/err" || fail "no suggestion for 'sever'"
    run server --resuls x; expect_exit 2; grep -q "did you mean '--results'" "$work/err" || fail "no suggestion for --resuls"
    run server --cases 3 --results -; expect_exit 0
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["summary"]["PASS"] > 0' "$work/out" ||
      fail "--results - did not put the results JSON alone on stdout"
    grep -q '^PASS=' "$work/err" || fail "--results -: the summary line should move to stderr"
    run server --cases 3 --record "$work/run.har"; expect_exit 0
    python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["log"]["entries"]; assert len(e) > 50 and e[0]["request"]["url"].startswith("http://127.0.0.1:") and "status" in e[0]["response"], len(e)' "$work/run.har" ||
      fail "--record wrote no HAR entries"
    # Known deviations: a mutant's own results as the baseline keep the run green; another mutant's do not.
    run server --mutant unchecked-sha256-signature --cases 5 --results "$work/known.json"; expect_exit 1
    run server --mutant unchecked-sha256-signature --cases 5 --baseline "$work/known.json"; expect_exit 0
    expect_out '^  known \(baseline\): FAIL AUTH.TOKEN.SIGNATURE'
    run server --mutant ip-default-port --cases 5 --baseline "$work/known.json"; expect_exit 1
    run server --cases 5 --baseline "$work/known.json"; expect_exit 0
    expect_out '^  fixed since the baseline: AUTH.TOKEN.SIGNATURE'
    run completion bash; expect_exit 0; cp "$work/out" "$work/completion.bash"
    words=$(bash -c 'source "$1"; COMP_WORDS=(otaconf server --resu); COMP_CWORD=2; _otaconf; echo "${COMPREPLY[*]}"' _ "$work/completion.bash")
    [ "$words" = "--results" ] || fail "completion of 'server --resu' gave '$words'"
    words=$(bash -c 'source "$1"; COMP_WORDS=(otaconf fixture ex); COMP_CWORD=2; _otaconf; echo "${COMPREPLY[*]}"' _ "$work/completion.bash")
    [ "$words" = "export-packages" ] || fail "completion of 'fixture ex' gave '$words'"
    run server --dry-run -H 'X-Gateway-Key: k1'; expect_exit 0
    run client --dry-run; expect_exit 0
    expect_out '^client.vectors \([0-9]+ vectors\): '; expect_out '^client.round-trip \(100 cases\)'
    expect_out '^client clauses no selected check judges'
    run client --dry-run --only client.vectors; expect_exit 0
    grep -q '^client.round-trip' "$work/out" && fail "client --only client.vectors still plans client.round-trip"
    expect_out '^client.vectors '
    run client-e2e --dry-run --scenario fixture,errno-9; expect_exit 0
    expect_out '^client-e2e.behaviour \(2 scenarios\): '; expect_out ' CLI.ACTION.09( |$)'
    run client-e2e --dry-run --scenario no-such; expect_exit 2
    run spec show --judged-by; expect_exit 0
    expect_out '^ERR.09 \(MUST, server\): server.error-codes server.near-misses server.property; on any answer of'
    expect_out '^CLI.MD5.VERIFY \(MUST, client\): client-e2e.behaviour$'
    expect_out '^[0-9]+ clauses, [0-9]+ judged by no check$'
    # JUnit: the same testcases whatever --cases; the end of a run names what it did not judge.
    run server --cases 2 --junit "$work/few.xml"; expect_exit 0
    expect_out '^  not judged by this run \([0-9]+ server clauses\): .*no selected check judges .*EP.CHECK.METHOD'
    run server --cases 40 --junit "$work/many.xml"; expect_exit 0
    python3 - "$work/few.xml" "$work/many.xml" <<'PY' || fail "the JUnit testcases depend on --cases"
import sys, xml.etree.ElementTree as ET
few, many = ({(t.get("classname"), t.get("name")) for t in ET.parse(f).iter("testcase")} for f in sys.argv[1:3])
assert few == many and len(few) > 100, (len(few), len(many), sorted(few ^ many)[:5])
PY
    run server --cases 3 -H 'bad header'; expect_exit 2
    run fixture init; expect_exit 0; cp "$work/out" "$work/f.json"
    run fixture lint "$work/f.json"; expect_exit 0; expect_out ' 0 problems'
    echo '{"products": []}' >"$work/bad.json"
    run fixture lint "$work/bad.json"; expect_exit 1
    run fixture export-packages "$src/reference/fixtures/default.json" "$work/packages"; expect_exit 0
    python3 - "$work/packages" "$src/reference/fixtures/default.json" <<'PY' || fail "exported packages do not match"
import hashlib, json, os, sys
manifest = json.load(open(os.path.join(sys.argv[1], "manifest.json")))
assert len(manifest) >= 4, manifest
for p in manifest:
    data = open(os.path.join(sys.argv[1], p["file"]), "rb").read()
    assert len(data) == p["size"] and hashlib.md5(data).hexdigest() == p["md5"], p
PY
    true ;;
  server_redact_tokens)
    # --redact-tokens: no signature in what is printed, the results or JUnit (a mutant makes FAILs with curl lines).
    run server --mutant unchecked-sha256-signature --redact-tokens --cases 5 --results "$work/r.json" --junit "$work/j.xml"
    expect_exit 1
    expect_out 'sign=REDACTED'
    if grep -Eo 'sign=[^&"'"'"' ]+' "$work/out" "$work/r.json" "$work/j.xml" | grep -Ev 'sign=(REDACTED|SIGN)$'; then
      fail "a signature was not redacted"
    fi
    run server --reproduce garbage; expect_exit 2
    expect_one_error_line "--reproduce" 'is not a reproduce string'
    run token --key KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw= --res products/1 --et 99999999999999; expect_exit 2 ;;
  client_errors_only)
    # An adapter that answers garbage: nothing can be judged, ERROR only: exit 3.
    run client --adapter-cmd "sh -c 'while read -r line; do echo not-json; done'" --cases 5; expect_exit 3
    expect_out '^PASS=0 FAIL=0 NON-STRICT=0 INFO=0 NOT-TESTABLE=0 ERROR=[1-9]' ;;
  server_http_server)
    # A server that is no OTA server (Python's http.server: 404 pages): FAILs, a valid results file, a report.
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    (cd "$work" && exec timeout 120 python3 -m http.server "$port" --bind 127.0.0.1) >/dev/null 2>&1 &
    server_pid=$!
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    run server --url "http://127.0.0.1:$port" --cases 10 --results "$work/r.json" --junit "$work/j.xml"
    kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null
    expect_exit 1; expect_out '^  FAIL ERR.00 '
    python3 - "$work/r.json" <<'PY' || fail "results of a 404 server"
import json, sys
doc = json.load(open(sys.argv[1]))
entries = [e for e in doc["results"] if e["clause"] == "ERR.DETERMINISM"]
assert entries and all(e["verdict"] == "PASS" for e in entries), entries
assert doc["summary"]["FAIL"] > 0
PY
    "$otaconf" report "$work/r.json" -o "$work/r.html" >/dev/null 2>"$work/err" || fail "otaconf report refused the results"
    grep -q '<testsuite' "$work/j.xml" || fail "no JUnit" ;;
  server_variant_grades)
    # A legal variant (HTTP 401 for a refused token): NON-STRICT, exit 0; FAIL with --enforce-decisions;
    # exit 1 with --fail-on non-strict.
    run server --variant http-401-on-auth --cases 10; expect_exit 0
    expect_out '^  NON-STRICT .*AMB.AUTH_ERROR'
    run server --variant http-401-on-auth --cases 10 --enforce-decisions --results "$work/e.json"; expect_exit 1
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["run"]["enforce_decisions"] is True' "$work/e.json" ||
      fail "enforce_decisions not in the run"
    run server --variant http-401-on-auth --cases 10 --fail-on non-strict; expect_exit 1 ;;
  server_replay)
    # The failures of a mutant's run, replayed: against the same fault they still fail (exit 1, a curl line);
    # against the fixed server they pass now (exit 0); a client run does not replay (exit 2).
    "$REFSERVER" --port 0 --quiet --mutant no-version-check >"$work/url" 2>/dev/null &
    mutant_pid=$!
    "$REFSERVER" --port 0 --quiet >"$work/url2" 2>/dev/null &
    fixed_pid=$!
    for _ in $(seq 50); do [ -s "$work/url" ] && [ -s "$work/url2" ] && break; sleep 0.1; done
    run server --url "$(cat "$work/url")" --cases 5 --results "$work/r.json"; code_run=$(cat "$work/code")
    run replay "$work/r.json"; code_same=$(cat "$work/code"); cp "$work/out" "$work/same.out"
    run replay "$work/r.json" --url "$(cat "$work/url2")"; code_fixed=$(cat "$work/code"); cp "$work/out" "$work/fixed.out"
    kill "$mutant_pid" "$fixed_pid"; wait 2>/dev/null
    [ "$code_run" = 1 ] || fail "the mutant's run: exit $code_run"
    [ "$code_same" = 1 ] || fail "replay against the same fault: exit $code_same"
    grep -q '^  still fails: FAIL ERR.09 \[server.error-codes\] now errno 0, the oracle expects errno 9' "$work/same.out" ||
      fail "no 'still fails' for ERR.09: $(cat "$work/same.out")"
    grep -q '^      reproduce: curl ' "$work/same.out" || fail "a case that still fails has no curl line"
    [ "$code_fixed" = 0 ] || fail "replay against the fixed server: exit $code_fixed"
    grep -q '^replayed [1-9][0-9]* failing cases of .*: 0 still fail, [1-9][0-9]* pass now' "$work/fixed.out" ||
      fail "not every case passes against the fixed server: $(cat "$work/fixed.out")"
    run client --adapter-cmd "$CLIENT_COMMAND" --cases 5 --results "$work/c.json"
    run replay "$work/c.json"; expect_exit 2; expect_one_error_line 'otaconf replay' 'only server runs replay' ;;
  fuzz_server)
    # A campaign finds the mutant's fault as a bucket on its clause, minimised, with a curl line; against the
    # unmodified server it finds nothing; a corpus carries over; SIGINT still writes the results.
    run fuzz-server --start "$REFSERVER --port {port} --quiet --mutant no-version-check" --requests 3000 \
      --corpus "$work/corpus" --results "$work/f.json"; expect_exit 1
    expect_out '^  FAIL ERR.09 \[server.fuzz\] bucket 1 .*minimised from [0-9]+ to [0-9]+ bytes'
    expect_out '^      reproduce: curl -sS -i '
    expect_out '^  corpus: 0 read, [1-9][0-9]* added; '
    run fuzz-server --start "$REFSERVER --port {port} --quiet" --requests 3000 --corpus "$work/corpus"; expect_exit 0
    expect_out '^  corpus: [1-9][0-9]* read, [0-9]+ added; [0-9]+ answer shapes; 0 finding buckets$'
    expect_out '^PASS=[0-9]+ FAIL=0 NON-STRICT=0 '
    "$otaconf" fuzz-server --start "$REFSERVER --port {port} --quiet" --duration 0 --results "$work/i.json" \
      --junit "$work/i.xml" >"$work/out" 2>"$work/err" &
    pid=$!
    sleep 2; kill -INT "$pid"; wait "$pid"; echo $? >"$work/code"; expect_exit 0
    expect_out ' requests in [0-9]+ ms \(interrupted\)$'
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["run"]["requests"] > 0' "$work/i.json" ||
      fail "an interrupted campaign wrote no results"
    grep -q '<testsuite' "$work/i.xml" || fail "an interrupted campaign wrote no JUnit"
    run fuzz-server --requests 10; expect_exit 2; expect_one_error_line 'fuzz-server' 'needs the server under test' ;;
  server_tls_provision)
    # A self-signed https server: refused until trusted (--cacert) or told not to verify (--insecure);
    # --provision runs first with the fixture; --rate-limit spaces the requests.
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 \
      -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || fail "openssl cannot make a certificate"
    timeout 300 python3 "$src/examples/python-server/ota_server.py" --port 0 --quiet --tls-cert "$work/cert.pem" \
      --tls-key "$work/key.pem" >"$work/url" 2>"$work/server.err" &
    server_pid=$!
    for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
    url=$(head -n 1 "$work/url")
    case $url in https://127.0.0.1:*) ;; *) kill "$server_pid"; fail "the TLS example server printed '$url'" ;; esac
    run server --url "$url" --cases 3; code_untrusted=$(cat "$work/code"); cp "$work/err" "$work/untrusted.err"
    run server --url "$url" --cases 3 --cacert "$work/cert.pem" --results "$work/trusted.json"; code_trusted=$(cat "$work/code")
    run server --url "$url" --cases 3 --insecure --provision 'test -s {fixture} && echo "$OTACONF_URL" >'"$work/provisioned"
    code_insecure=$(cat "$work/code")
    run server --url "$url" --cases 3 --insecure --provision 'echo no database >&2; exit 3'; code_failed=$(cat "$work/code")
    cp "$work/err" "$work/provision.err"
    run server --url "$url" --cases 2 --insecure --rate-limit 25 --only server.params --results "$work/rated.json"
    code_rated=$(cat "$work/code")
    kill "$server_pid"; wait "$server_pid" 2>/dev/null
    [ "$code_untrusted" = 2 ] || fail "an untrusted certificate: exit $code_untrusted"
    grep -q "certificate is not trusted (self.signed certificate; --cacert" "$work/untrusted.err" ||
      fail "the untrusted certificate is not explained: $(cat "$work/untrusted.err")"
    [ "$code_trusted" = 0 ] || fail "--cacert: exit $code_trusted"
    [ "$code_insecure" = 0 ] || fail "--insecure with --provision: exit $code_insecure"
    [ "$(cat "$work/provisioned")" = "$url" ] || fail "--provision did not run with the fixture and URL"
    [ "$code_failed" = 2 ] || fail "a failing --provision: exit $code_failed"
    grep -q -- "--provision: exited with status 3; its output: no database" "$work/provision.err" ||
      fail "a failing --provision is not explained: $(cat "$work/provision.err")"
    [ "$code_rated" = 0 ] || fail "--rate-limit: exit $code_rated"
    # 25 requests/s: n requests take at least (n-1)/25 s (a lower bound, which sleeping guarantees).
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["run"]; n=r["requests"]; assert n >= 10 and r["duration_ms"] >= (n-1)*40*0.98, (n, r["duration_ms"])' "$work/rated.json" ||
      fail "--rate-limit 25 did not space the requests" ;;
  *) echo "unknown case $case_name"; exit 2 ;;
esac
echo "ok [$case_name]"
