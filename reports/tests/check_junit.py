#!/usr/bin/env python3
"""Checks JUnit XML against the results files it was made from.

Usage: check_junit.py JUNIT.xml RESULTS.json...  (one testsuite per file, in order)

Every result entry must be exactly one <testcase classname=CHECK
name="CLAUSE CHECK"> whose child says its verdict (FAIL -> failure, ERROR ->
error, NOT-TESTABLE -> skipped, NON-STRICT and INFO -> system-out only, PASS ->
nothing); every (check, clause) of run.plan without an entry must be one
<skipped> testcase too; and every tests/failures/errors/skipped count must
be right.
Prints each problem and exits 1 when there is one.
"""
import json
import sys
import xml.etree.ElementTree as ET

CHILD = {"FAIL": "failure", "ERROR": "error", "NOT-TESTABLE": "skipped", "NON-STRICT": "system-out",
         "INFO": "system-out", "PASS": None}
problems = []


def expect(condition, message):
    if not condition:
        problems.append(message)


def counts_of(element):
    return [int(element.get(k, "-1")) for k in ("tests", "failures", "errors", "skipped")]


def check_suite(suite, results):
    cases = suite.findall("testcase")
    entries = results["results"]
    recorded = {(e["check"], e["clause"]) for e in entries}
    unreached = []
    for p in results["run"].get("plan", []):
        pair = (p["check"], p["clause"])
        if pair not in recorded and pair not in unreached:
            unreached.append(pair)
    expect(len(cases) == len(entries) + len(unreached),
           "%s: %d testcases for %d entries and %d unreached planned pairs"
           % (suite.get("name"), len(cases), len(entries), len(unreached)))
    verdicts = [e["verdict"] for e in entries]
    want = [len(entries) + len(unreached), verdicts.count("FAIL"), verdicts.count("ERROR"),
            verdicts.count("NOT-TESTABLE") + len(unreached)]
    expect(counts_of(suite) == want, "%s: counts %s, expected %s" % (suite.get("name"), counts_of(suite), want))
    by_name = {}
    for case in cases:
        by_name.setdefault(case.get("name"), []).append(case)
    for e in entries:
        name = e["clause"] + " " + e["check"]
        found = by_name.get(name, [])
        expect(len(found) == 1, "%s: %d testcases named %r" % (suite.get("name"), len(found), name))
        if len(found) != 1:
            continue
        case = found[0]
        expect(case.get("classname") == e["check"], "%s: classname %r" % (name, case.get("classname")))
        children = [c.tag for c in case]
        wanted = [CHILD[e["verdict"]]] if CHILD[e["verdict"]] else []
        expect(children == wanted, "%s (%s): children %s, expected %s" % (name, e["verdict"], children, wanted))
        if e["verdict"] in ("FAIL", "ERROR") and children == wanted:
            child = case[0]
            expect(child.get("message") == e["message"], "%s: message attribute differs" % name)
            expect(child.get("type") == e["verdict"], "%s: type %r" % (name, child.get("type")))
            expect(e["message"] in (child.text or ""), "%s: the evidence text lacks the message" % name)
            if "curl" in e["evidence"]:
                expect(e["evidence"]["curl"] in child.text, "%s: the evidence text lacks the curl command" % name)
    for check, clause in unreached:
        found = by_name.get(clause + " " + check, [])
        expect(len(found) == 1 and [c.tag for c in found[0]] == ["skipped"],
               "%s %s: planned but unreached, not one skipped testcase" % (clause, check))
    return want


def main():
    root = ET.parse(sys.argv[1]).getroot()
    docs = [json.load(open(f)) for f in sys.argv[2:]]
    expect(root.tag == "testsuites", "root is <%s>" % root.tag)
    suites = root.findall("testsuite")
    expect(len(suites) == len(docs), "%d testsuites for %d results files" % (len(suites), len(docs)))
    total = [0, 0, 0, 0]
    for suite, doc in zip(suites, docs):
        want = check_suite(suite, doc)
        total = [a + b for a, b in zip(total, want)]
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        expect(props.get("side") == doc["run"]["side"], "%s: side property %r" % (suite.get("name"), props.get("side")))
    expect(counts_of(root) == total, "testsuites counts %s, expected %s" % (counts_of(root), total))
    for p in problems[:40]:
        print("junit: " + p)
    print("junit: %d suites, %d testcases, failures=%d errors=%d skipped=%d; %d problem(s)"
          % (len(suites), total[0], total[1], total[2], total[3], len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
