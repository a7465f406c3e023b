#!/usr/bin/env python3
"""Synthetic otaconf results files for report tests, built from real ones.

Usage: make_results.py OUT_DIR COUNT TEMPLATE.json...

Each of COUNT files takes a template's run, clauses and evidence (so clause
ids, levels and sides come from a real run, not from the spec), names a
different implementation, and gives every clause several entries with
verdicts drawn from a seeded generator: every verdict occurs. The file
numbered 0 also carries markup in its first FAIL's message, which the report must show as
text. The files follow reports/results.schema.json; otaconf report checks.
"""
import copy
import json
import os
import random
import sys

VERDICTS = ["PASS", "FAIL", "NON-STRICT", "INFO", "NOT-TESTABLE", "ERROR"]
WEIGHTS = [70, 10, 5, 5, 5, 5]
SEVERITY = {"PASS": 0, "NOT-TESTABLE": 1, "INFO": 2, "NON-STRICT": 3, "FAIL": 4, "ERROR": 5}
HOSTILE = "</script><script>document.body.setAttribute('data-pwned','1')</script><!-- <b>bold</b>"
CHECKS_PER_CLAUSE = 3


def entry(template_entry, clause, check, verdict, rng, index):
    e = copy.deepcopy(template_entry) if template_entry else {"evidence": {}}
    cases = rng.randint(1, 40)
    e.update({"check": check, "title": "synthetic " + check, "clause": clause["id"], "level": clause["level"],
              "verdict": verdict, "cases": cases, "counts": {verdict: cases},
              "message": "synthetic %s of %s (entry %d)" % (verdict, clause["id"], index)})
    if verdict == "FAIL":
        e["evidence"]["reproduce"] = "BAKCAAAAAAAA%04d" % index
        e["evidence"]["expected"] = {"errno": 0}
        e["evidence"]["observed"] = {"errno": 9}
    return e


def make(template, number, rng):
    doc = copy.deepcopy(template)
    side = doc["run"]["side"]
    doc["run"]["implementation"] = "synthetic-%s-%02d" % (side, number)
    doc["run"].pop("mutant", None)
    doc["run"]["seed"] = number
    evidence_pool = [e for e in template["results"] if e["evidence"]] or [None]
    results, worst = [], {}
    for clause in doc["clauses"]:
        for k in range(CHECKS_PER_CLAUSE):
            verdict = rng.choices(VERDICTS, WEIGHTS)[0]
            results.append(entry(rng.choice(evidence_pool), clause, "%s.synthetic-%d" % (side, k), verdict, rng,
                                 len(results)))
            if SEVERITY[verdict] >= SEVERITY.get(worst.get(clause["id"]), -1):
                worst[clause["id"]] = verdict
    if number == 0:
        next(e for e in results if e["verdict"] == "FAIL")["message"] = HOSTILE
    for clause in doc["clauses"]:
        clause["verdict"] = worst.get(clause["id"])
    results.sort(key=lambda e: (e["check"], e["clause"]))
    summary = {v: 0 for v in VERDICTS}
    for e in results:
        summary[e["verdict"]] += 1
    summary["must_failures"] = sum(1 for e in results if e["verdict"] == "FAIL" and e["level"] == "MUST")
    doc["summary"] = summary
    doc["results"] = results
    doc["observations"] = [dict(o, observation=o["observation"] + " (variant %d)" % (number % 3))
                           for o in template["observations"]]
    return doc


def main():
    out_dir, count, templates = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    docs = [json.load(open(t)) for t in templates]
    rng = random.Random(20261129)
    os.makedirs(out_dir, exist_ok=True)
    for i in range(count):
        with open(os.path.join(out_dir, "synthetic-%02d.json" % i), "w") as f:
            json.dump(make(docs[i % len(docs)], i, rng), f, indent=1)


if __name__ == "__main__":
    main()
