#!/usr/bin/env python3
"""The benchmark generator's own test (never timed): tests/bench/mkbench.py
--scale tiny writes both captures twice (byte-identical: it is deterministic);
smbscope's JSON on each must match the manifest (tests/bench/benchcheck.py:
every file with the expected sha256, size and complete=true, the READ_ANDX /
WRITE_ANDX counts, no anomaly), and the check must catch one flipped hex
digit of one expected sha256. With tshark: every IP and TCP checksum good,
tshark's READ_ANDX / WRITE_ANDX request counts equal the manifest's, and it
sees the retransmissions and reorders the manifest says were written.
Without tshark: exit 77 (skip) after the smbscope checks, exit 1 under CI=true.

Usage: gen_check.py SMBSCOPE OUTDIR"""
import filecmp
import json
import pathlib
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tools"))
import benchcheck  # noqa: E402
import ci_env  # noqa: E402

CAPTURES = ("large", "short")


def generate(out):
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([sys.executable, str(HERE / "mkbench.py"), str(out), "--scale", "tiny"], check=True)


def tshark_count(pcap, *args):
    p = subprocess.run(["tshark", "-n", "-r", str(pcap), *args, "-T", "fields", "-e", "frame.number"],
                       capture_output=True, text=True, check=True)
    return len(p.stdout.split())


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    smbscope, out = sys.argv[1], pathlib.Path(sys.argv[2])
    failed = []

    def check(what, ok, detail=""):
        print(f"{'ok' if ok else 'FAIL'}: {what}{' ' + detail if detail else ''}", flush=True)
        if not ok:
            failed.append(what)

    generate(out / "a")
    generate(out / "b")
    for name in ("large.pcap", "short.pcap", "manifest.json"):
        check(f"mkbench is deterministic ({name})", filecmp.cmp(out / "a" / name, out / "b" / name, shallow=False))
    manifest = json.loads((out / "a" / "manifest.json").read_text())

    for cap in CAPTURES:
        entry = manifest["captures"][cap]
        pcap = out / "a" / entry["pcap"]
        p = subprocess.run([smbscope, "-r", str(pcap), "--format", "json"], capture_output=True, text=True,
                           timeout=300)
        check(f"{cap}: smbscope exits 0, nothing on stderr", p.returncode == 0 and not p.stderr,
              f"(exit {p.returncode}) {p.stderr[:500]}")
        lines = p.stdout.splitlines()
        bad = benchcheck.problems(entry, lines)
        check(f"{cap}: smbscope reports the {len(entry['files'])} files of the manifest", not bad,
              "\n  ".join([""] + bad[:20]))
        check(f"{cap}: the capture holds reads, retransmissions and reorders",
              entry["read_andx"] > 0 and entry["retransmitted"] > 0 and entry["reordered"] > 0,
              str({k: v for k, v in entry.items() if k != "files"}))
        # the check itself must be able to fail: one hex digit of one expected sha256 flipped
        wrong = json.loads(json.dumps(entry))
        f0 = wrong["files"][len(wrong["files"]) // 2]
        f0["sha256"] = ("0" if f0["sha256"][0] != "0" else "1") + f0["sha256"][1:]
        bad = benchcheck.problems(wrong, lines)
        check(f"{cap}: a wrong expected sha256 is caught",
              len(bad) == 1 and f0["name"] in bad[0] and f0["sha256"] in bad[0], str(bad[:3]))

    if not shutil.which("tshark"):
        return 1 if failed else ci_env.missing("tshark")
    for cap in CAPTURES:
        entry = manifest["captures"][cap]
        pcap = out / "a" / entry["pcap"]
        n = tshark_count(pcap, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                         "-Y", "tcp.checksum.status != 1 || ip.checksum.status != 1")
        check(f"{cap}: every IP and TCP checksum is good (tshark)", n == 0, f"{n} frames with a bad one")
        for cmd, code in (("read_andx", "0x2e"), ("write_andx", "0x2f")):
            n = tshark_count(pcap, "-o", "tcp.reassemble_out_of_order:TRUE",
                             "-Y", f"smb.cmd == {code} && smb.flags.response == 0")
            check(f"{cap}: tshark sees the manifest's {cmd.upper()} requests", n == entry[cmd],
                  f"tshark {n}, manifest {entry[cmd]}")
        n = tshark_count(pcap, "-Y", "tcp.analysis.spurious_retransmission")
        check(f"{cap}: tshark sees each segment sent twice as a retransmission", n == entry["retransmitted"],
              f"tshark {n}, manifest {entry['retransmitted']}")
        n = tshark_count(pcap, "-Y", "tcp.analysis.out_of_order")
        check(f"{cap}: tshark sees out-of-order segments", 0 < n <= entry["reordered"],
              f"tshark {n}, manifest {entry['reordered']} reordered")
    print(f"{'FAIL' if failed else 'ok'}: {len(failed)} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
