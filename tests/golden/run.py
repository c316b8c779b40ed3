#!/usr/bin/env python3
"""Golden tests: every samples/*.pcap through smbscope in text and JSON,
compared byte for byte with tests/golden/<name>.txt / .json; the JSON is
validated against the schema, and runs with no hashing thread (--threads 0)
and with three (--threads 3) must be byte-identical to the default run.
--update rewrites the goldens (do it deliberately and read the diff)."""
import difflib
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tools"))
import schema_check  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run(binary, pcap, fmt, extra=()):
    p = subprocess.run([binary, "-r", str(pcap), "--format", fmt, *extra], capture_output=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"{pcap.name} --format {fmt}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    if p.stderr:
        raise RuntimeError(f"{pcap.name} --format {fmt}: unexpected stderr: {p.stderr.decode(errors='replace')}")
    return p.stdout


def main():
    binary = sys.argv[1]
    update = "--update" in sys.argv
    validator = schema_check.load_validator()
    pcaps = sorted((ROOT / "samples").glob("*.pcap"))
    if not pcaps:
        print("no samples found")
        return 1
    failed = 0
    for pcap in pcaps:
        for fmt, ext in (("text", "txt"), ("json", "json")):
            out = run(binary, pcap, fmt)
            name = f"{pcap.stem}.{ext}"
            problems = []
            for threads in ("0", "3"):
                if run(binary, pcap, fmt, ("--threads", threads)) != out:
                    problems.append(f"output with --threads {threads} differs from the default run's")
            if fmt == "json":
                probs, _ = schema_check.check_lines(validator, out.decode(), name)
                problems += probs
            golden = ROOT / "tests" / "golden" / name
            if update:
                golden.write_bytes(out)
            elif not golden.exists():
                problems.append(f"missing golden {golden} (run with --update and read it)")
            elif golden.read_bytes() != out:
                diff = difflib.unified_diff(golden.read_text().splitlines(), out.decode().splitlines(),
                                            "golden/" + name, "actual", lineterm="", n=1)
                problems.append("differs from golden:\n" + "\n".join(list(diff)[:60]))
            status = "ok" if not problems else "FAIL"
            print(f"{status}: {name}")
            for p in problems[:20]:
                print("   ", p)
            failed += bool(problems)
    total = 2 * len(pcaps)
    print(f"{total - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
