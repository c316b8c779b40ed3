#!/usr/bin/env python3
"""Mutation testing for smbscope: plant one bug at a time, see whether the suite notices.

Each mutant in tests/mutants/mutants.py replaces one exact piece of text (found exactly
once in its file) with a plausible mistake. The harness copies the working tree once into
a scratch directory, builds it (meson, -Dtests=true, no sanitizers), checks that the
unmutated suite passes, then for each mutant: applies it, rebuilds, runs the fast suites
and, only when they all pass, the slow ones, and last the fast suites again in an
ASan+UBSan build (the second pass of ./run test: a use-after-free a normal build lets
pass is caught there; --no-asan skips it); then restores the file. A mutant is killed
when any test fails or times out, survives when every test passes.

    python3 tests/mutants/run.py                 # every mutant
    python3 tests/mutants/run.py --only NAME ... # some of them
    python3 tests/mutants/run.py --list          # what the list holds
    python3 tests/mutants/run.py --check         # the list is well-formed and not stale (no build)

Output (stdout), one line per mutant, then the tally:
    KILLED name by test1,test2        (a timeout is marked: test1(timeout); "(asan)": in the sanitizer pass)
    BUILD name: did not compile       (counted as killed, but replace it with a better mutant)
    SURVIVED name (file: why)
    EQUIVALENT name: reason           (not counted in N: it cannot change behaviour)
    STALE name: ...                   (its original text is not found exactly once; fails the run)
    mutants: K killed / N
Exit status 0 only when every non-equivalent mutant is killed and none is stale.
Python 3 standard library only: no Debian-packaged mutation tool for C exists (mull is not
in Debian), and text replacement keeps each mutant readable and reviewable.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
from mutants import MUTANTS  # noqa: E402

KINDS = {"operator", "constant", "boundary", "statement", "swap"}
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
# suites run first; the rest only for mutants that survive these
FAST_SUITES = ["unit", "cli", "regress", "golden", "memory"]
# need root / network namespaces and regenerate captures: only with --full
FULL_ONLY_SUITES = {"fresh", "live"}
# the harness's own check of this list: a mutated tree fails it by construction
OWN_SUITE = "mutants"
FAILED_RESULTS = {"FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def check_list(root):
    """Problems with the mutant list against the tree at root (empty when all is well)."""
    problems = []
    seen = set()
    for i, m in enumerate(MUTANTS):
        name = m.get("name", f"#{i}")
        for key in ("name", "kind", "file", "orig", "repl", "why"):
            # repl may be empty (a dropped statement); everything else must say something
            if not isinstance(m.get(key), str) or (key != "repl" and not m.get(key)):
                problems.append(f"BAD {name}: missing or empty '{key}'")
        extra = set(m) - {"name", "kind", "file", "orig", "repl", "why", "equivalent"}
        if extra:
            problems.append(f"BAD {name}: unknown keys {sorted(extra)}")
        if not NAME_RE.match(name):
            problems.append(f"BAD {name}: name must be lower-case snake_case")
        if name in seen:
            problems.append(f"BAD {name}: duplicate name")
        seen.add(name)
        if m.get("kind") not in KINDS:
            problems.append(f"BAD {name}: kind must be one of {sorted(KINDS)}")
        if "\n" in m.get("why", ""):
            problems.append(f"BAD {name}: 'why' must be one line")
        if "equivalent" in m and not (isinstance(m["equivalent"], str) and m["equivalent"].strip()):
            problems.append(f"BAD {name}: an equivalent mutant needs a written reason")
        if m.get("orig") == m.get("repl"):
            problems.append(f"BAD {name}: replacement equals the original")
        path = root / m.get("file", "")
        if not m.get("file") or not path.is_file():
            problems.append(f"STALE {name}: file {m.get('file')} does not exist")
            continue
        n = path.read_text(encoding="utf-8").count(m.get("orig") or "\0")
        if n != 1:
            problems.append(f"STALE {name}: original text found {n} times in {m['file']} (must be exactly once)")
    return problems


def run(cmd, cwd=None, quiet=True, timeout=None):
    log("+ " + " ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], cwd=cwd, timeout=timeout,
                          stdout=subprocess.PIPE if quiet else None,
                          stderr=subprocess.STDOUT if quiet else None, text=True)


def copy_tree(scratch):
    """Copy tracked and untracked-but-not-ignored files: the working tree as it is now."""
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         check=True, stdout=subprocess.PIPE).stdout
    tree = scratch / "smbscope"
    for rel in sorted(set(p for p in out.decode().split("\0") if p)):
        src = ROOT / rel
        if not src.exists() and not src.is_symlink():
            continue  # deleted in the working tree, not yet in the index
        dst = tree / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)
    # ../shared (public captures for interop) must resolve from the copy as from the tree
    shared = (ROOT / ".." / "shared").resolve()
    if shared.exists():
        (scratch / "shared").symlink_to(shared)
    return tree


def list_tests(build):
    """{test name: set of suites} as meson reports them."""
    out = subprocess.run(["meson", "test", "-C", str(build), "--list", "--no-rebuild"], check=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    tests = {}
    for line in out.splitlines():
        m = re.match(r"^\S+?:(\S+) / (\S+)$", line.strip())
        if m:
            tests.setdefault(m.group(2), set()).add(m.group(1))
    return tests


def tiers(tests, full):
    fast, slow = [], []
    for name, suites in sorted(tests.items()):
        if OWN_SUITE in suites or (suites & FULL_ONLY_SUITES and not full):
            continue
        (fast if suites & set(FAST_SUITES) else slow).append(name)
    return [t for t in (fast, slow) if t]


# the second pass of ./run test: the same suite under AddressSanitizer + UBSan
ASAN_ENV = {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1",
            "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1"}


def defined_tests(build):
    """The names of the tests a build directory defines."""
    out = subprocess.run(["meson", "test", "-C", build, "--no-rebuild", "--list"], capture_output=True, text=True)
    return {line.split(" / ")[-1].strip() for line in out.stdout.splitlines() if " / " in line}


def run_tests(build, names, jobs, mult, env=None, maxfail=0):
    """Run the named tests; return ({failed test: result}, {result: count}). maxfail > 0: stop
    after that many failures (a killed mutant needs one; the rest of the tier would only list
    more killers)."""
    logbase = "mutants"
    logfile = build / "meson-logs" / (logbase + ".json")
    if logfile.exists():
        logfile.unlink()
    extra = ["--maxfail", str(maxfail)] if maxfail else []
    subprocess.run(["meson", "test", "-C", build, "--no-rebuild", "--num-processes", str(jobs),
                    "--timeout-multiplier", str(mult), "--logbase", logbase, *extra, *names],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    failed, counts = {}, {}
    if not logfile.exists():
        return {"meson-test": "ERROR"}, counts
    seen = set()
    for line in logfile.read_text().splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        name = r["name"].split(" / ")[-1]  # "project:suite / name"
        seen.add(name)
        counts[r["result"]] = counts.get(r["result"], 0) + 1
        if r["result"] in FAILED_RESULTS:
            failed[name] = r["result"]
    if not maxfail or not failed:
        for name in set(names) - seen:
            failed[name] = "ERROR"  # asked for but never reported
    return failed, counts


def touch_newer(path):
    """Set mtime past anything ninja has seen, so the next build recompiles this file."""
    t = time.time_ns() + 1_000_000_000
    os.utime(path, ns=(t, t))


def main():
    ap = argparse.ArgumentParser(description="plant one bug at a time and check that the suite catches it")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="run only these mutants")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--check", action="store_true", help="check the list against the tree (no build) and exit")
    ap.add_argument("--jobs", type=int, default=2, help="ninja jobs and parallel tests (default 2)")
    ap.add_argument("--full", action="store_true", help="also run the root-only suites (fresh, live)")
    ap.add_argument("--timeout-multiplier", default="0.5",
                    help="scales each test's meson timeout (default 0.5: a mutant that loops is cut short)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch copy (its path is printed)")
    ap.add_argument("--all-killers", action="store_true",
                    help="run each tier to its end and list every test that kills a mutant (slower; by "
                         "default a tier stops at its first failing test)")
    ap.add_argument("--no-asan", action="store_true",
                    help="do not try a survivor under ASan+UBSan (./run test's second pass, which catches "
                         "memory errors a normal build lets pass)")
    a = ap.parse_args()

    problems = check_list(ROOT)
    if a.check:
        for p in problems:
            print(p)
        print(f"mutant list: {len(MUTANTS)} mutants, {len(problems)} problems")
        return 1 if problems else 0
    if a.list:
        for m in MUTANTS:
            eq = f" [equivalent: {m['equivalent']}]" if "equivalent" in m else ""
            print(f"{m['name']:32} {m['kind']:9} {m['file']:28} {m['why']}{eq}")
        return 0

    chosen = MUTANTS
    if a.only:
        names = {m["name"] for m in MUTANTS}
        unknown = [n for n in a.only if n not in names]
        if unknown:
            log(f"unknown mutant(s): {', '.join(unknown)} (see --list)")
            return 2
        chosen = [m for m in MUTANTS if m["name"] in a.only]

    t_start = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="smbscope-mutants-"))
    # mkdtemp makes it 0700: tests that drop privileges (-Z nobody) must still reach the
    # copy's samples and build
    os.chmod(scratch, 0o755)
    try:
        tree = copy_tree(scratch)
        build = tree / "build"
        # no link-time optimization: each mutant relinks every test program,
        # and LTO would make that several times slower without changing behaviour
        r = run(["meson", "setup", build, "-Dtests=true", "-Db_lto=false"], cwd=tree)
        if r.returncode != 0:
            log(r.stdout)
            log("meson setup failed in the scratch copy")
            return 2
        r = run(["ninja", "-C", build, "-j", a.jobs])
        if r.returncode != 0:
            log(r.stdout)
            log("the unmutated tree does not build")
            return 2
        suites = tiers(list_tests(build), a.full)
        log(f"tiers: {' | '.join(','.join(t) for t in suites)}")
        for tier in suites:
            failed, _ = run_tests(build, tier, a.jobs, a.timeout_multiplier)
            if failed:
                log(f"the unmutated suite fails ({', '.join(sorted(failed))}): fix that first")
                return 2
        log(f"baseline passes ({time.monotonic() - t_start:.0f} s)")

        killed = counted = 0
        stale = False
        for m in chosen:
            t0 = time.monotonic()
            if "equivalent" in m:
                print(f"EQUIVALENT {m['name']}: {m['equivalent']}", flush=True)
                continue
            counted += 1
            path = tree / m["file"]
            text = path.read_text(encoding="utf-8")
            n = text.count(m["orig"])
            if n != 1:
                print(f"STALE {m['name']}: original text found {n} times in {m['file']}", flush=True)
                stale = True
                continue
            path.write_text(text.replace(m["orig"], m["repl"]), encoding="utf-8")
            touch_newer(path)
            try:
                if run(["ninja", "-C", build, "-j", a.jobs]).returncode != 0:
                    print(f"BUILD {m['name']}: did not compile (counted as killed; replace it with a better mutant)",
                          flush=True)
                    killed += 1
                    continue
                failed = {}
                for tier in suites:
                    failed, _ = run_tests(build, tier, a.jobs, a.timeout_multiplier,
                                          maxfail=0 if a.all_killers else 1)
                    if failed:
                        break
                asan = ""
                if not failed and not a.no_asan:
                    # survived the normal build: the suite's sanitizer pass is the last chance
                    abuild = tree / "build-asan"
                    if not (abuild / "build.ninja").exists():
                        run(["meson", "setup", abuild, "-Dtests=true", "-Db_sanitize=address,undefined",
                             "-Db_lundef=false", "-Db_lto=false", "-Doptimization=2"], cwd=tree)
                    if run(["ninja", "-C", abuild, "-j", a.jobs]).returncode == 0:
                        # only the tests that build defines: one the sanitizer build leaves out by
                        # design (allocator) would read as "asked for, never reported" and kill
                        # every survivor falsely
                        failed, _ = run_tests(abuild, [t for t in suites[0] if t in defined_tests(abuild)],
                                              a.jobs, 3, ASAN_ENV)
                        asan = " (asan)"
                if failed:
                    killed += 1
                    by = ",".join(f"{t}(timeout)" if res == "TIMEOUT" else t for t, res in sorted(failed.items())) + asan
                    print(f"KILLED {m['name']} by {by}", flush=True)
                else:
                    print(f"SURVIVED {m['name']} ({m['file']}: {m['why']})", flush=True)
            finally:
                path.write_text(text, encoding="utf-8")
                touch_newer(path)
                log(f"{m['name']}: {time.monotonic() - t0:.0f} s")
        print(f"mutants: {killed} killed / {counted}", flush=True)
        log(f"total {time.monotonic() - t_start:.0f} s")
        return 0 if killed == counted and not stale else 1
    finally:
        if a.keep:
            log(f"scratch copy kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
