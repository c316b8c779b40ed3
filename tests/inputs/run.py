#!/usr/bin/env python3
"""run.py SMBSCOPE: many inputs read as one capture (issue 10 item 4; src/capture/inputs.h).

* samples/bigread-445.pcap (one 3 MiB read, one connection) split with
  `editcap -c 400` into 7 files: given as 7 -r (in order and reversed), as a
  directory (pcap parts, and pcapng parts; a non-capture file in it is
  skipped with a note), gzip, zstd
  and xz compressed (whole, through -r - too, and every part compressed with
  a different codec in one directory) -- every run writes exactly the bytes
  of the run on the whole file: the stats record included, since one capture
  read in pieces is still the same packets in the same order (no stats field
  differs, so none is ignored).
* a `mergecap` pcapng of three captures on interfaces with different link
  types and snap lengths (seed-445 rewritten to Linux cooked SLL, nofile-445
  cut at 200 bytes, chain-445 rewritten to raw IP), which libpcap 1.10 refuses
  at record 1: read completely, and its records are the union of the three
  captures' own records (connection ids aside: they number connections in
  the order met).
* two files each holding every other packet: the merge alternates per packet
  (same records; stats.reasm_memory_peak may differ, see below).
* bad inputs: truncated .gz/.zst/.xz, a .gz without its trailer, a truncated split part, a truncated
  pcapng, a directory without captures, a missing file among several, a gzip
  of something that is not a capture: exit 1, and stderr names the file;
  standard input twice, and -o naming a file inside an -r directory: exit 2.
"""
import json
import os
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "rewrite"))
sys.path.insert(0, str(ROOT / "tests" / "tools"))
import ci_env  # noqa: E402
import pcaprw as rw  # noqa: E402

SAMPLES = ROOT / "samples"
failures = []


def check(name, ok, detail=""):
    print(("ok: " if ok else "FAIL: ") + name + ("" if ok or not detail else f" -- {detail}"), flush=True)
    if not ok:
        failures.append(name)


def smbscope(*args, stdin=None):
    p = subprocess.run([SMBSCOPE, "--format", "json", *map(str, args)], stdin=stdin,
                       capture_output=True, timeout=300)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def records(out):
    return [json.loads(line) for line in out.decode().splitlines()]


def sll(pc):
    """Ethernet frames as Linux cooked (SLL v1) frames: the same IP packets"""
    out = []
    for p in pc.packets:
        d = p.data
        # packet type 0 (to us), ARPHRD_ETHER, address length 6, source MAC + 2 padding, ethertype
        hdr = struct.pack(">HHH", 0, 1, 6) + d[6:12] + b"\0\0" + d[12:14]
        out.append(rw.Packet(p.sec, p.frac, hdr + d[14:], p.orig + 2))
    return rw.Pcap(pc.magic, pc.snaplen, 113, out)


def rawip(pc):
    """Ethernet frames as LINKTYPE_RAW: the IP packets alone"""
    out = [rw.Packet(p.sec, p.frac, p.data[14:], p.orig - 14) for p in pc.packets]
    return rw.Pcap(pc.magic, pc.snaplen, 101, out)


def idbs(path):
    """(linktype, snaplen) of each little-endian pcapng interface block"""
    b, o, res = open(path, "rb").read(), 0, []
    while o + 8 <= len(b):
        t, n = struct.unpack_from("<II", b, o)
        if t == 1:
            res.append(struct.unpack_from("<HxxI", b, o + 8))
        o += n
    return res


def set_idb_snaplen(path, snaplen):
    """Wireshark 4.0 writes 262144 in an IDB whatever editcap -s cut at: say
    what the capture really holds (as tcpdump -s 200 -w x.pcapng would)"""
    b, o = bytearray(open(path, "rb").read()), 0
    while o + 8 <= len(b):
        t, n = struct.unpack_from("<II", b, o)
        if t == 1:
            struct.pack_into("<I", b, o + 12, snaplen)
        o += n
    open(path, "wb").write(b)


def no_conn_id(r):
    r = json.loads(json.dumps(r))
    if "conn" in r:
        r["conn"].pop("id", None)
    return json.dumps(r, sort_keys=True)


def same_as_whole(name, run, whole):
    rc, out, err = run
    check(f"{name}: exit 0", rc == 0, err)
    check(f"{name}: exactly the records of the whole capture (stats included)", out == whole,
          f"{len(out)} vs {len(whole)} bytes")


def main():
    for tool in ("editcap", "mergecap", "gzip", "zstd", "xz"):
        if not shutil.which(tool):
            return ci_env.missing(f"{tool} (wireshark-common, gzip, zstd, xz-utils)")
    t = pathlib.Path(tempfile.mkdtemp(prefix="smbscope-inputs-"))
    try:
        run_all(t)
    finally:
        shutil.rmtree(t)
    print(f"{len(failures)} failed")
    return 1 if failures else 0


def run_all(t):
    big = SAMPLES / "bigread-445.pcap"
    rc, whole, err = smbscope("-r", big)
    check("whole capture: exit 0", rc == 0, err)
    check("  has the read (so comparisons compare something)", b'"command":"READ_ANDX"' in whole)

    # -- split ---------------------------------------------------------------
    parts_dir = t / "parts"
    parts_dir.mkdir()
    subprocess.run(["editcap", "-F", "pcap", "-c", "400", big, parts_dir / "part.pcap"], check=True,
                   capture_output=True)
    parts = sorted(parts_dir.iterdir())
    check("editcap -c 400 made 7 files", len(parts) == 7, str(len(parts)))
    # editcap's default output format: the same split read by pcapng.c instead of libpcap
    ng_dir = t / "parts-ng"
    ng_dir.mkdir()
    subprocess.run(["editcap", "-F", "pcapng", "-c", "400", big, ng_dir / "part.pcapng"], check=True,
                   capture_output=True)
    same_as_whole("-r DIR of 7 pcapng parts", smbscope("-r", ng_dir), whole)
    same_as_whole("7 x -r in order", smbscope(*[a for p in parts for a in ("-r", p)]), whole)
    same_as_whole("7 x -r reversed (merged by time, not by order)",
                  smbscope(*[a for p in reversed(parts) for a in ("-r", p)]), whole)
    # interleaved: every other packet in each of two files, so the merge must
    # alternate between them packet by packet
    pc = rw.read_pcap(big)
    ev, od = t / "even.pcap", t / "odd.pcap"
    rw.write_pcap(ev, pc.like(pc.packets[0::2]))
    rw.write_pcap(od, pc.like(pc.packets[1::2]))
    # Packets of one microsecond split across the two files cannot be put back
    # in their original order (the merge only has the times): those ties go to
    # the file that started first, so TCP may see a segment early and hold it
    # -- reasm_memory_peak is the one stats field that may differ here.
    rc, out, err = smbscope("-r", od, "-r", ev)
    check("every other packet in each of 2 files: exit 0", rc == 0, err)
    want = records(whole)
    got = records(out)
    for r in (want[-1], got[-1]):
        r.pop("reasm_memory_peak")
    check("  the records of the whole capture (stats but reasm_memory_peak included)", got == want)
    (parts_dir / "README.txt").write_text("not a capture\n")
    rc, out, err = smbscope("-r", parts_dir)
    same_as_whole("-r DIR", (rc, out, err), whole)
    check("  the non-capture file is skipped with a note naming it", "README.txt: not a pcap or pcapng file" in err
          and "skipped" in err, err)

    # -- compressed ----------------------------------------------------------
    codecs = {"gz": ["gzip", "-c"], "zst": ["zstd", "-q", "-c"], "xz": ["xz", "-c"]}
    for ext, cmd in codecs.items():
        z = t / f"bigread.{ext}"
        z.write_bytes(subprocess.run(cmd + [big], check=True, capture_output=True).stdout)
        same_as_whole(f"-r bigread.{ext}", smbscope("-r", z), whole)
        # by magic, not by name
        odd = t / f"renamed-{ext}.pcap"
        shutil.copy(z, odd)
        same_as_whole(f"-r {ext} named .pcap", smbscope("-r", odd), whole)
        with open(z, "rb") as f:
            same_as_whole(f"-r - < bigread.{ext}", smbscope("-r", "-", stdin=f), whole)
    mixed = t / "mixed"
    mixed.mkdir()
    names = list(codecs) + [None]
    for i, p in enumerate(parts):
        ext = names[i % len(names)]
        if ext is None:
            shutil.copy(p, mixed / p.name)
        else:
            (mixed / f"{p.name}.{ext}").write_bytes(
                subprocess.run(codecs[ext] + [p], check=True, capture_output=True).stdout)
    same_as_whole("-r DIR of parts compressed gzip/zstd/xz/plain", smbscope("-r", mixed), whole)
    # a gzip of several members (cat a.gz b.gz) is one stream
    multi = t / "multi.gz"
    half = big.read_bytes()
    cut = 24 + 16 + struct.unpack_from("<I", half, 24 + 8)[0]  # after the first record
    multi.write_bytes(subprocess.run(["gzip", "-c"], input=half[:cut], capture_output=True).stdout
                      + subprocess.run(["gzip", "-c"], input=half[cut:], capture_output=True).stdout)
    same_as_whole("a gzip of two members", smbscope("-r", multi), whole)

    # -- pcapng with interfaces of different link types and snap lengths ----
    a, b, c = t / "seed-sll.pcap", t / "nofile-200.pcapng", t / "chain-raw.pcap"
    rw.write_pcap(a, sll(rw.read_pcap(SAMPLES / "seed-445.pcap")))
    subprocess.run(["editcap", "-F", "pcapng", "-s", "200", SAMPLES / "nofile-445.pcap", b], check=True,
                   capture_output=True)
    set_idb_snaplen(b, 200)
    b_ref = t / "nofile-200.pcap"
    subprocess.run(["editcap", "-s", "200", SAMPLES / "nofile-445.pcap", b_ref], check=True, capture_output=True)
    rw.write_pcap(c, rawip(rw.read_pcap(SAMPLES / "chain-445.pcap")))
    merged = t / "merged.pcapng"
    subprocess.run(["mergecap", "-w", merged, a, b, c], check=True, capture_output=True)
    ifs = idbs(merged)
    check("mergecap wrote 3 interfaces, link types differ, snap lengths differ",
          len(ifs) == 3 and len({i[0] for i in ifs}) == 3 and len({i[1] for i in ifs}) >= 2, str(ifs))
    rc, out, err = smbscope("-r", merged)
    check("merged pcapng: exit 0", rc == 0, err)
    got = records(out)
    union, total = [], 0
    for ref in (a, b_ref, c):
        rrc, rout, rerr = smbscope("-r", ref)
        check(f"  {ref.name} alone: exit 0", rrc == 0, rerr)
        recs = records(rout)
        union += [r for r in recs if r["type"] != "stats"]
        total += recs[-1]["packets"]
    check("  the SLL rewrite decodes as the Ethernet original did",
          [no_conn_id(r) for r in records(smbscope("-r", a)[1])][:-1]
          == [no_conn_id(r) for r in records(smbscope("-r", SAMPLES / "seed-445.pcap")[1])][:-1])
    check("  read completely: every packet of the three", got[-1]["packets"] == total,
          f'{got[-1]["packets"]} vs {total}')
    check("  no packet was bad", got[-1]["bad_packets"] == 0, str(got[-1]["bad_packets"]))
    # notices are left out: some rules span connections (smb1_in_use fires once per address pair, and
    # the three captures share 127.0.0.1 -> 127.0.0.1), so one run of the merge rightly has fewer
    check("  records = the union of the three captures' records (notices aside)",
          sorted(no_conn_id(r) for r in got if r["type"] not in ("stats", "notice"))
          == sorted(no_conn_id(r) for r in union if r["type"] != "notice"))

    # -- bad inputs ----------------------------------------------------------
    def bad(name, args, want_rc, *needles, stdin=None):
        rc, out, err = smbscope(*args, stdin=stdin)
        check(f"{name}: exit {want_rc}", rc == want_rc, f"exit {rc}: {err}")
        for n in needles:
            check(f"  stderr says {n!r}", n in err, err)
        return out

    for ext in codecs:
        data = (t / f"bigread.{ext}").read_bytes()
        cutf = t / f"cut.pcap.{ext}"
        cutf.write_bytes(data[: len(data) * 2 // 3])
        out = bad(f"truncated .{ext}", ["-r", cutf], 1, f"{cutf}: ", "truncated")
        check("  what came before is still analyzed", b'"command":"READ_ANDX"' in out and b'"type":"stats"' in out)
    # the gzip trailer (CRC-32, size) lost: every record is there, the stream is not complete
    gzdata = (t / "bigread.gz").read_bytes()
    notrail = t / "notrailer.pcap.gz"
    notrail.write_bytes(gzdata[:-8])
    bad("a .gz without its trailer", ["-r", notrail], 1, f"{notrail}: gzip data truncated")
    cutp = t / "cutparts"
    cutp.mkdir()
    for p in parts:
        shutil.copy(p, cutp / p.name)
    victim = sorted(cutp.iterdir())[3]
    victim.write_bytes(victim.read_bytes()[:-100])
    out = bad("a truncated part among 7", ["-r", cutp], 1, f"{victim}", "cannot read record")
    check("  the parts after it are still read", b'"type":"stats"' in out)
    ngcut = t / "cut.pcapng"
    ngcut.write_bytes(merged.read_bytes()[:-50])
    bad("a truncated pcapng", ["-r", ngcut], 1, f"{ngcut}: truncated block")
    empty = t / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("nothing here\n")
    bad("a directory without captures", ["-r", empty], 1, f"{empty}: no pcap or pcapng files")
    missing = t / "missing.pcap"
    out = bad("a missing file among several", ["-r", parts[0], "-r", missing, "-r", parts[1]], 1,
              f"{missing}: No such file")
    check("  the others are still read", b'"type":"stats"' in out and b'"type":"conn"' in out)
    notcap = t / "notes.gz"
    notcap.write_bytes(subprocess.run(["gzip", "-c"], input=b"hello\n" * 100, capture_output=True).stdout)
    bad("a gzip that is not a capture", ["-r", notcap], 1, f"{notcap}: not a pcap or pcapng file inside its gzip")
    with open(big, "rb") as f:
        bad("-r - twice", ["-r", "-", "-r", "-"], 2, "standard input", stdin=f)
    target = parts_dir / parts[2].name
    before = target.read_bytes()
    bad("-o naming a file of an -r directory", ["-r", parts_dir, "-o", target], 2, "refusing to overwrite")
    check("  that file is untouched", target.read_bytes() == before)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: run.py SMBSCOPE")
    SMBSCOPE = os.path.realpath(sys.argv[1])
    sys.exit(main())
