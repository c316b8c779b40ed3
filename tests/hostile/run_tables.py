#!/usr/bin/env python3
"""run_tables: the records of a connection full of sessions, trees and opens
that then reads FIDs it never opened (tests/hostile/mkstate.py, small). The
hash tables must not change what is written, nor its order: files then
sessions at the end, in creation order; every READ_ANDX names no file; the
per-connection caps trip with their anomalies.
usage: run_tables.py SMBSCOPE"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import summary  # noqa: E402


def run(smb, pcap, *opts):
    r = summary.run_json(smb, pcap, *opts, validate=False)
    assert r.rc == 0 and not r.problems, (r.rc, r.stderr, r.problems[:3])
    return r.records


def main():
    smb = sys.argv[1]
    ids, reads = 300, 500
    with tempfile.TemporaryDirectory() as d:
        pcap = os.path.join(d, "t.pcap")
        subprocess.run([sys.executable, os.path.join(HERE, "mkstate.py"), "tables", pcap, str(ids), str(reads)],
                       check=True)
        recs = run(smb, pcap)
        smbr = [r for r in recs if r["type"] == "smb"]
        files = [r for r in recs if r["type"] == "file"]
        sess = [r for r in recs if r["type"] == "session"]
        anomalies = [r for r in recs if r["type"] == "anomaly"]
        assert not anomalies, anomalies[:3]
        assert len(smbr) == 3 * ids + reads, len(smbr)
        rd = [r for r in smbr if r["command"] == "READ_ANDX"]
        assert len(rd) == reads
        assert all(r["status"] == "STATUS_INVALID_HANDLE" and r["file"] is None for r in rd), rd[0]
        assert all(r["fid"] >= 0x8000 for r in rd)
        # files, then sessions, each in creation order (never hash order)
        kinds = [r["type"] for r in recs if r["type"] in ("file", "session")]
        assert kinds == ["file"] * ids + ["session"] * ids, kinds[:5]
        assert [f["fid"] for f in files] == list(range(1, ids + 1))
        assert [f["name"] for f in files] == ["\\file%d.bin" % i for i in range(1, ids + 1)]
        assert [f["share"] for f in files] == ["\\\\SRV\\share%d" % i for i in range(1, ids + 1)]
        assert [f["user"] for f in files] == ["user%d" % i for i in range(1, ids + 1)]
        assert [s["uid"] for s in sess] == list(range(1, ids + 1))
        assert all(s["files"] == ["\\file%d.bin" % s["uid"]] and s["shares"] == ["\\\\SRV\\share%d" % s["uid"]]
                   for s in sess), sess[0]
        stats = recs[-1]
        assert stats["type"] == "stats" and stats["records"]["anomaly"] == 0

        # the per-connection caps: each names what it refused, the rest go on
        recs = run(smb, pcap, "--max-sessions", "100", "--max-trees", "50", "--max-open-files", "200")
        # every occurrence, written or (past --max-anomalies-per-conn) only counted
        names = dict([r for r in recs if r["type"] == "stats"][0]["anomalies"])
        written = {}
        for r in recs:
            if r["type"] == "anomaly":
                written[r["name"]] = written.get(r["name"], 0) + 1
        assert all(n <= 100 for n in written.values()), written
        assert names.get("tree_limit") == ids - 50, names
        assert names.get("open_files_limit") == ids - 200, names
        # a session is refused at its SESSION_SETUP response and again at its
        # open (which would make it): at least once per refused UID
        assert names.get("session_limit", 0) >= ids - 100, names
        sess = [r for r in recs if r["type"] == "session"]
        assert [s["uid"] for s in sess] == list(range(1, 101))
        files = [r for r in recs if r["type"] == "file"]
        assert [f["fid"] for f in files] == list(range(1, 201))
    print("ok: %d ids, %d reads of unknown FIDs; caps" % (ids, reads))


if __name__ == "__main__":
    main()
