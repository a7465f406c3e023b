#!/usr/bin/env python3
"""Checks the DOM Chromium dumped after the report's JS ran (#selftest).

Usage: check_dom.py DOM.html --runs N --min-rows N --min-ambiguities N [--max-ms MS] [--hostile]

Asserts that the script ran without errors (body data-js-errors="0", the
self-test done), that the matrix table was built (MIN_ROWS rows or more,
RUNS columns, a cell per row and column), that clicking a cell filled the
evidence panel, that the ambiguity register and findings were rendered (and
opening a finding showed its evidence), and
(with --hostile: the data held make_results.py's markup) that markup in
the data stayed text. Prints the timings the page measured and, with
--max-ms, fails when rendering or filtering took longer.
"""
import argparse
import sys
from html.parser import HTMLParser


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.body = {}
        self.rows = self.cells = self.cols = self.ambiguities = self.findings = 0
        self.evidence = None
        self.in_matrix = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "body":
            self.body = a
        elif tag == "table" and a.get("id") == "matrix":
            self.in_matrix = True
        elif self.in_matrix and tag == "tr" and "mrow" in classes:
            self.rows += 1
        elif self.in_matrix and tag == "td" and "cell" in classes:
            self.cells += 1
        elif self.in_matrix and tag == "th" and "col" in classes:
            self.cols += 1
        elif tag == "aside" and a.get("id") == "evidence":
            self.evidence = a.get("data-showing")
        elif tag == "div" and "amb" in classes:
            self.ambiguities += 1
        elif tag == "details" and "finding" in classes:
            self.findings += 1

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_matrix = False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dom")
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--min-rows", type=int, required=True)
    parser.add_argument("--min-ambiguities", type=int, required=True)
    parser.add_argument("--max-ms", type=float)
    parser.add_argument("--hostile", action="store_true")
    args = parser.parse_args()
    runs, min_rows, min_ambiguities, max_ms = args.runs, args.min_rows, args.min_ambiguities, args.max_ms
    text = open(args.dom, encoding="utf-8").read()
    dom = Dom()
    dom.feed(text)
    b = dom.body
    problems = []

    def expect(condition, message):
        if not condition:
            problems.append(message)

    expect(b.get("data-js-errors") == "0", "data-js-errors is %r" % b.get("data-js-errors"))
    expect(b.get("data-selftest") == "done", "the self-test did not finish")
    expect("data-pwned" not in b, "markup in the data ran as script")
    if args.hostile:
        expect("&lt;/script&gt;&lt;script&gt;document.body.setAttribute" in text,
               "markup in a message was not shown as text")
    expect(dom.cols == runs, "%d matrix columns for %d runs" % (dom.cols, runs))
    expect(dom.rows >= min_rows, "%d matrix rows, expected at least %d" % (dom.rows, min_rows))
    expect(dom.cells == dom.rows * dom.cols, "%d cells for %d x %d" % (dom.cells, dom.rows, dom.cols))
    expect(str(dom.rows) == b.get("data-matrix-rows"), "data-matrix-rows disagrees")
    expect(dom.evidence and "@" in dom.evidence, "clicking a cell showed no evidence (%r)" % dom.evidence)
    expect(dom.ambiguities >= min_ambiguities, "%d ambiguities rendered, expected %d" % (dom.ambiguities, min_ambiguities))
    expect(dom.findings > 0, "no findings rendered")
    expect(b.get("data-finding-evidence") == "1", "opening a finding showed %r entries" % b.get("data-finding-evidence"))
    timings = {k: b.get("data-" + k) for k in ("parse-ms", "render-ms", "filter-ms", "evidence-ms")}
    print("browser: %d runs, %d rows, %d cells, %d findings shown; parse %s ms, render %s ms, filter %s ms, evidence %s ms"
          % (dom.cols, dom.rows, dom.cells, dom.findings, timings["parse-ms"], timings["render-ms"], timings["filter-ms"],
             timings["evidence-ms"]))
    for key in ("render-ms", "filter-ms"):
        expect(timings[key] is not None, "no %s measured" % key)
        if max_ms is not None and timings[key] is not None:
            expect(float(timings[key]) < max_ms, "%s = %s ms, bound %s ms" % (key, timings[key], max_ms))
    for p in problems:
        print("dom: " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
