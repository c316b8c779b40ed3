#!/usr/bin/env python3
"""conn.uid joins records across runs and sensors: every sample and public
capture (../shared/pcaps/public, when present) runs twice in JSON; a
connection's uid must be the same in both runs, the same on every record of
the connection, one per connection id, and distinct across every connection
of every input -- except the same connection (same endpoints, same first
packet to the microsecond) found in two files: the public corpus holds copies
and cuts of one capture, and a uid that is the same for the same input must
be the same there. --sensor must put `sensor` on every record and give every
connection another uid."""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def records(binary, pcap, *extra):
    p = subprocess.run([binary, "-r", str(pcap), "--format", "json", *extra], capture_output=True, timeout=300)
    # exit 1 is a damaged public capture: what was read is still written
    if p.returncode not in (0, 1):
        raise RuntimeError(f"{pcap}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


def identity(recs):
    """{conn id: (client, server, first packet)} from the conn records"""
    out = {}
    for r in recs:
        if r.get("type") == "conn":
            c = r["conn"]
            out[c["id"]] = (c["client"]["ip"], c["client"]["port"], c["server"]["ip"], c["server"]["port"], r["start"])
    return out


def uids_of(recs, where, problems):
    """{conn id: uid}, checking one uid per conn id and one conn id per uid"""
    by_id = {}
    for r in recs:
        c = r.get("conn")
        if not c:
            continue
        u = c.get("uid")
        if not isinstance(u, str) or len(u) != 18 or u[0] != "C":
            problems.append(f"{where}: bad uid {u!r} on {c.get('id')}")
            continue
        if by_id.setdefault(c["id"], u) != u:
            problems.append(f"{where}: {c['id']} carries two uids {by_id[c['id']]} and {u}")
    if len(set(by_id.values())) != len(by_id):
        problems.append(f"{where}: two connections share a uid")
    return by_id


def main():
    binary = sys.argv[1]
    shared = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent / "shared"
    inputs = sorted((ROOT / "samples").glob("*.pcap"))
    public = shared / "pcaps" / "public"
    if public.is_dir():
        inputs += sorted(p for p in public.rglob("*") if p.suffix in (".pcap", ".pcapng", ".cap"))
    problems, seen = [], {}
    n_conns = same_conn = 0
    for pcap in inputs:
        where = str(pcap.relative_to(pcap.parents[1]))
        recs = records(binary, pcap)
        first = uids_of(recs, where, problems)
        again = uids_of(records(binary, pcap), where, problems)
        ident = identity(recs)
        if first != again:
            problems.append(f"{where}: uids differ between two runs of the same input")
        for cid, u in first.items():
            if u in seen and seen[u][1] == ident.get(cid):
                same_conn += 1   # the same connection in another file of the corpus
            elif u in seen:
                problems.append(f"{where}: {cid} has uid {u}, already {seen[u][0]} (another connection)")
            seen[u] = (f"{where} {cid}", ident.get(cid))
        n_conns += len(first)
    # --sensor: on every record, the stats record included
    seed = ROOT / "samples" / "seed-445.pcap"
    recs = records(binary, seed, "--sensor", "tap-1")
    if not recs or any(r.get("sensor") != "tap-1" for r in recs):
        problems.append("--sensor tap-1: a record without sensor=tap-1")
    plain = uids_of(records(binary, seed), "seed", problems)
    tap1 = uids_of(recs, "seed tap-1", problems)
    tap2 = uids_of(records(binary, seed, "--sensor", "tap-2"), "seed tap-2", problems)
    if set(plain.values()) & set(tap1.values()) or set(tap1.values()) & set(tap2.values()):
        problems.append("--sensor: two sensors give a connection the same uid")
    for p in problems[:30]:
        print("FAIL:", p)
    print(f"{len(inputs)} inputs, {n_conns} connections, {len(seen)} distinct uids "
          f"({same_conn} connections seen again in another file), {len(problems)} problems")
    return 1 if problems or n_conns == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
