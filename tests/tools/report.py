"""report: the per-check "ok"/"FAIL" lines and the list of failed checks that
the end-to-end run.py scripts (tests/extract, tests/rewrite) print and exit on."""

failures = []


def report(name, problems):
    """one check: "ok  NAME", or "FAIL NAME" and its first 12 problems (NAME joins failures)"""
    print(f"{'ok  ' if not problems else 'FAIL'} {name}")
    for p in problems[:12]:
        print("     ", p)
    if problems:
        failures.append(name)
