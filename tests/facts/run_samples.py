#!/usr/bin/env python3
"""run_samples.py SMBSCOPE [DIR]: check_facts.py on every DIR/*.pcap that has a
.facts beside it (DIR defaults to samples/). Fails if a capture fails, or if
DIR holds no capture with facts."""
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    binary = sys.argv[1]
    d = pathlib.Path(sys.argv[2]) if len(sys.argv) == 3 else HERE.parents[1] / "samples"
    pairs = [(p, p.with_suffix(".facts")) for p in sorted(d.glob("*.pcap")) if p.with_suffix(".facts").exists()]
    if not pairs:
        print(f"FAIL: no capture with facts in {d}")
        return 1
    bad = []
    for pcap, facts in pairs:
        print(f"=== {pcap.name}", flush=True)
        rc = subprocess.run([sys.executable, str(HERE / "check_facts.py"), binary, str(pcap), str(facts)]).returncode
        if rc != 0:
            bad.append(pcap.name)
    print(f"{len(pairs) - len(bad)} captures passed, {len(bad)} failed" + (f": {' '.join(bad)}" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
