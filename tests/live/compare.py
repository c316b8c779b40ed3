#!/usr/bin/env python3
"""compare.py SMBSCOPE PCAP LIVE.json: the NDJSON smbscope wrote while PCAP was
replayed onto an interface must hold the same nbss/smb/file/session records
(without timestamps, latencies and connection ids, but with each record's
client and server endpoints: tcpreplay sends the same addresses and ports), the
same connections (endpoints and midstream of each conn record) and the same
SMB1 command counts as `smbscope -r PCAP`, and its stats record must carry a
`capture` object."""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tools"))
import summary  # noqa: E402

KEEP = ("nbss", "smb", "file", "session")


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    binary, pcap, live_path = sys.argv[1:]
    problems, live = summary.parse_ndjson(pathlib.Path(live_path).read_text(), live_path)
    offline = summary.run_json(binary, pcap)
    if offline.rc != 0 or offline.problems:
        problems += [f"offline run: exit {offline.rc}"] + offline.problems
    a, b = summary.normalize(offline.records, KEEP), summary.normalize(live, KEEP)
    if not a:
        problems.append("offline run reported no nbss/smb/file/session record")
    problems += summary.diff(a, b, "offline", "live")
    # the connections themselves: same endpoints, same orientation, same midstream
    # (state and counters differ: the live run ends on SIGINT, and the kernel may
    # re-segment nothing but the capture may still drop)
    ends = lambda recs: sorted((json.dumps(r.get("conn"), sort_keys=True), r.get("midstream"))  # noqa: E731
                               for r in summary.normalize(recs, ("conn",)))
    if ends(offline.records) != ends(live):
        problems.append(f"connections: offline {ends(offline.records)}, live {ends(live)}")
    stats = [r for r in live if r.get("type") == "stats"]
    st = stats[-1] if stats else {}
    if st.get("smb1_commands") != offline.stats().get("smb1_commands"):
        problems.append(f"smb1_commands: offline {offline.stats().get('smb1_commands')}, live {st.get('smb1_commands')}")
    if not isinstance(st.get("capture"), dict):
        problems.append(f"stats.capture: want an object, got {st.get('capture')!r}")
    else:
        print(f"     stats.capture: {st['capture']}")
    name = pathlib.Path(pcap).name
    print(f"{'ok  ' if not problems else 'FAIL'} live {name}: {len(b)} records")
    for p in problems[:15]:
        print("     ", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
