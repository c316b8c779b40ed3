#!/usr/bin/env python3
"""compare.py SMBSCOPE PCAP[,PCAP...] LIVE.json [LIVE.json...] [--processes]:
the NDJSON smbscope wrote while PCAP was replayed onto an interface must hold
the same nbss/smb/file/session records (without timestamps, latencies and
connection ids, but with each record's client and server endpoints: tcpreplay
sends the same addresses and ports), the same connections (endpoints and
midstream of each conn record) and the same SMB1 command counts as
`smbscope -r PCAP`, and its stats record must carry a `capture` object.

Several LIVE files are the files of one run in order (SIGHUP, --rotate: each
valid on its own, the last holding the stats record) or, with --processes,
the outputs of several processes (--fanout), compared as a whole with the
stats' SMB1 counts summed. Several PCAPs (comma-separated) were replayed one
after the other; records are then compared in any order."""
import collections
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tools"))
import summary  # noqa: E402

KEEP = ("nbss", "smb", "file", "session")


def main():
    args = [a for a in sys.argv[1:] if a != "--processes"]
    processes = "--processes" in sys.argv
    if len(args) < 3:
        print(__doc__)
        return 2
    binary, pcaps, live_paths = args[0], args[1].split(","), args[2:]
    problems, live, finals = [], [], []
    for i, path in enumerate(live_paths):
        piece = not processes and i < len(live_paths) - 1
        p, recs = summary.parse_ndjson(pathlib.Path(path).read_text(), path, piece=piece)
        problems += p
        live += recs
        finals += [r for r in recs if r.get("type") == "stats" and not r.get("interval")]
    offline, commands = [], collections.Counter()
    for pcap in pcaps:
        run = summary.run_json(binary, pcap)
        if run.rc != 0 or run.problems:
            problems += [f"offline run of {pcap}: exit {run.rc}"] + run.problems
        offline += run.records
        commands.update(run.stats().get("smb1_commands") or {})
    ordered = len(pcaps) == 1 and not processes

    def norm(recs, keep):
        # `start` is a time like ts: the replay's, not the capture file's
        out = [{k: v for k, v in r.items() if k != "start"} for r in summary.normalize(recs, keep)]
        return out if ordered else sorted(out, key=lambda r: json.dumps(r, sort_keys=True))
    a, b = norm(offline, KEEP), norm(live, KEEP)
    if not a:
        problems.append("offline run reported no nbss/smb/file/session record")
    problems += summary.diff(a, b, "offline", "live")
    # the connections themselves: same endpoints, same orientation, same midstream
    # (state and counters differ: the live run ends on SIGINT, and the kernel may
    # re-segment nothing but the capture may still drop)
    ends = lambda recs: sorted((json.dumps(r.get("conn"), sort_keys=True), r.get("midstream"))  # noqa: E731
                               for r in norm(recs, ("conn",)))
    if ends(offline) != ends(live):
        problems.append(f"connections: offline {ends(offline)}, live {ends(live)}")
    want_finals = len(live_paths) if processes else 1
    if len(finals) != want_finals:
        problems.append(f"{len(finals)} final stats records, want {want_finals}")
    live_commands = collections.Counter()
    for st in finals:
        live_commands.update(st.get("smb1_commands") or {})
        if not isinstance(st.get("capture"), dict):
            problems.append(f"stats.capture: want an object, got {st.get('capture')!r}")
        else:
            print(f"     stats.capture: {st['capture']}")
    if live_commands != commands:
        problems.append(f"smb1_commands: offline {dict(commands)}, live {dict(live_commands)}")
    name = ",".join(pathlib.Path(p).name for p in pcaps)
    print(f"{'ok  ' if not problems else 'FAIL'} live {name}: {len(b)} records in {len(live_paths)} file(s)")
    for p in problems[:15]:
        print("     ", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
