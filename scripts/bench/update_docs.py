#!/usr/bin/env python3
"""Rewrite the generated sections of docs/PERFORMANCE.md after a bench run (called by scripts/bench.sh).

usage: update_docs.py DOC SUMMARY_MD EXPLAIN_TXT CITY DAY INDEXES SEQSCANS

Replaces the text between <!-- bench:results:begin --> and <!-- bench:results:end --> with SUMMARY_MD, and between
<!-- bench:plan:begin --> and <!-- bench:plan:end --> with the EXPLAIN output. Everything else is left alone; a
missing marker pair is an error (nothing is written).
"""
import re
import sys


def replace(text, name, body):
    pat = re.compile(r"(<!-- bench:%s:begin -->\n).*?(<!-- bench:%s:end -->)" % (name, name), re.S)
    if not pat.search(text):
        sys.exit(f"update_docs: markers bench:{name}:begin/end not found")
    return pat.sub(lambda m: m.group(1) + body.rstrip("\n") + "\n" + m.group(2), text, count=1)


def main():
    doc, summary, explain, city, day, indexes, seqscans = sys.argv[1:8]
    text = open(doc).read()
    plan = open(explain).read().rstrip("\n")
    plan_section = (
        f"Query: city{int(city):02d}, check-in today+{day}, 3 nights, strategies off (`scripts/bench/search.sql` with "
        f"`city={city}`, `d={day}`), after the load scenarios.\n"
        f"Indexes used: {indexes}. Sequential scans: {seqscans}.\n\n```text\n{plan}\n```\n"
    )
    text = replace(text, "results", open(summary).read())
    text = replace(text, "plan", plan_section)
    open(doc, "w").write(text)
    print(f"update_docs: rewrote the generated sections of {doc}", file=sys.stderr)


if __name__ == "__main__":
    main()
