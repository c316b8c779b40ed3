#!/bin/bash
# mkreal: the real-traffic bench capture of issue 12 (the case the issue
# measured): four parallel SMB1 reads of four different 128 MiB files of
# random bytes, real Samba and real clients, real TCP retransmissions.
#
#   sudo tests/bench/mkreal.sh OUTDIR        # as root, on Debian 12
#
# writes OUTDIR/real.pcap (about 590 MB) and OUTDIR/real-manifest.json (what
# tests/bench/benchcheck.py checks smbscope's output against: every file's
# client address and port, name, size, SHA-256; the READ_ANDX count the
# clients sent; the retransmissions tshark counts, when tshark is installed).
#
# Two private network namespaces joined by a veth pair (MTU 1500; checksum,
# TSO, GSO and GRO offloads off, so the capture holds Ethernet-sized frames
# with real checksums): the server side runs the samples' private smbd
# (samples/smbd_private.sh, SMB1 only), the client side four concurrent
# impacket SMB1 clients (tests/bench/real_client.py: READ_ANDX of 61440 bytes,
# like the bigread-445 sample). Each side drops about 1 in
# REAL_LOSS_PER_MILLE's inverse of the SMB segments it receives (nftables
# numgen: this kernel has no netem), after tcpdump on the server's veth has
# seen them: the capture, like a sensor beside the server, holds each lost
# segment and TCP's retransmission of it. Nothing leaves the namespaces;
# everything started is stopped by PID on exit, failure included.
#
# Environment:
#   REAL_FILE_MIB=N        each file's size in MiB (default 128; small to try the script)
#   REAL_LOSS_PER_MILLE=N  segments dropped per 1000 in each direction (default 1, i.e. 0.1%)
#   REAL_KEEP_TMP=1        keep the temp dir (smb.conf, logs, the files served)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
FILE_MIB=${REAL_FILE_MIB:-128}
LOSS=${REAL_LOSS_PER_MILLE:-1}
NFILES=4

HOST=10.201.0.1               # the server's end of the veth pair
CLIENT_IP=10.201.0.2
SMB_USER=smbscope             # the samples' account and names
SMB_PASS=SmbScope1
SMB_DOMAIN=SMBSCOPE
SRV_NAME=SMBSCOPESRV
CLI_NAME=SMBSCOPECLI

log() { printf '[mkreal] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# the private smbd: smbd_private_setup, _start, _stop
. "$ROOT/samples/smbd_private.sh"

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "must run as root (ip netns, nft, smbd on 445, tcpdump)"
[[ $FILE_MIB =~ ^[0-9]+$ ]] && [ "$FILE_MIB" -gt 0 ] || die "REAL_FILE_MIB: a positive integer"
[[ $LOSS =~ ^[0-9]+$ ]] && [ "$LOSS" -le 1000 ] || die "REAL_LOSS_PER_MILLE: 0 to 1000"
mkdir -p "$1"
OUT=$(cd "$1" && pwd)

# ---------------------------------------------------------------- packages
pkgs=()
command -v smbd >/dev/null 2>&1 || pkgs+=(samba)
command -v smbpasswd >/dev/null 2>&1 || pkgs+=(samba-common-bin)
command -v tcpdump >/dev/null 2>&1 || pkgs+=(tcpdump)
command -v ip >/dev/null 2>&1 || pkgs+=(iproute2)
command -v ethtool >/dev/null 2>&1 || pkgs+=(ethtool)
command -v nft >/dev/null 2>&1 || pkgs+=(nftables)
{ command -v ps && command -v pgrep; } >/dev/null 2>&1 || pkgs+=(procps)
{ [ -x "$PY" ] && "$PY" -c 'import impacket.smb' 2>/dev/null; } || pkgs+=(python3 python3-impacket)
smbd_install_pkgs ${pkgs[@]+"${pkgs[@]}"}

# ---------------------------------------------------------------- state
T=$(mktemp -d /tmp/smbscope-real.XXXXXX)
chmod 755 "$T"                  # smbd's user must traverse to the shares
NS_SRV=smbscope-real-srv-$$
NS_CLI=smbscope-real-cli-$$
NS_MADE=()
SMBD_PID=
TCPDUMP_PID=
CLIENT_PIDS=()
PART=$OUT/real.pcap.part

cleanup() {
    local rc=$? p
    set +e
    trap '' INT TERM
    for p in "${CLIENT_PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    if [ -n "$TCPDUMP_PID" ]; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null
        wait "$TCPDUMP_PID" 2>/dev/null
    fi
    smbd_private_stop
    for p in "${NS_MADE[@]}"; do ip netns del "$p" 2>/dev/null; done
    rm -f "$PART"
    if [ "${REAL_KEEP_TMP:-0}" = 1 ]; then
        log "kept $T"
    else
        rm -rf "$T"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

NSX=(ip netns exec "$NS_SRV")    # smbd_private.sh runs smbd in NSX
NSC=(ip netns exec "$NS_CLI")
t_start=$EPOCHREALTIME

# ---------------------------------------------------------------- network
ip netns add "$NS_SRV"
NS_MADE+=("$NS_SRV")
ip netns add "$NS_CLI"
NS_MADE+=("$NS_CLI")
"${NSX[@]}" ip link add name srv0 type veth peer name cli0 netns "$NS_CLI"
"${NSX[@]}" ip addr add "$HOST/24" dev srv0
"${NSC[@]}" ip addr add "$CLIENT_IP/24" dev cli0
for ns in NSX NSC; do
    declare -n run=$ns
    dev=$([ $ns = NSX ] && echo srv0 || echo cli0)
    "${run[@]}" ip link set lo up
    "${run[@]}" ip link set "$dev" mtu 1500 up
    # no checksum offload (the capture would hold partial checksums) and no
    # TSO/GSO/GRO (it would hold 64 KiB super-packets): frames as on Ethernet
    "${run[@]}" ethtool -K "$dev" tx off tso off gso off gro off >/dev/null 2>&1 ||
        die "could not turn offloads off on $dev"
    # the loss: on input, after the server's tcpdump has seen the segment
    port=$([ $ns = NSX ] && echo dport || echo sport)
    "${run[@]}" nft -f - <<EOF
table inet smbscope_loss {
    chain input {
        type filter hook input priority 0; policy accept;
        tcp $port 445 numgen random mod 1000 < $LOSS counter drop
    }
}
EOF
    unset -n run
done

# ---------------------------------------------------------------- server
smbd_private_setup
log "writing $NFILES files of $FILE_MIB MiB"
# name size sha256 per line; seeded, so the same files every time
"$PY" - "$T/share/public" "$FILE_MIB" "$NFILES" >"$T/files" <<'EOF'
import hashlib, os, random, sys
d, mib, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    name, rng, h = f"real{i}.bin", random.Random(f"smbscope-real:{i}"), hashlib.sha256()
    with open(os.path.join(d, name), "wb") as f:
        for _ in range(mib):
            block = rng.randbytes(1 << 20)
            h.update(block)
            f.write(block)
    print(name, mib << 20, h.hexdigest())
EOF
chmod 644 "$T/share/public/"*
smbd_private_start

# ---------------------------------------------------------------- capture
rm -f "$PART" "$OUT/real.pcap" "$OUT/real-manifest.json"
# a 128 MiB kernel buffer: tcpdump's writes must never lose a packet
"${NSX[@]}" tcpdump -i srv0 -B 131072 -s 0 -Z root -w "$PART" 'tcp port 445' 2>"$T/log/tcpdump.log" &
TCPDUMP_PID=$!
for _ in $(seq 100); do
    grep -q 'listening on' "$T/log/tcpdump.log" 2>/dev/null && break
    kill -0 "$TCPDUMP_PID" 2>/dev/null || { cat "$T/log/tcpdump.log"; die "tcpdump died"; }
    sleep 0.1
done
t_cap=$EPOCHREALTIME
i=0
while read -r name _ _; do
    "${NSC[@]}" "$PY" "$HERE/real_client.py" "$name" --host "$HOST" --user "$SMB_USER" \
        --password "$SMB_PASS" --domain "$SMB_DOMAIN" --server-name "$SRV_NAME" \
        --client-name "$CLI_NAME" >"$T/facts$i" 2>"$T/log/client$i.log" &
    CLIENT_PIDS+=($!)
    i=$((i + 1))
done <"$T/files"
failed=0
for i in "${!CLIENT_PIDS[@]}"; do
    wait "${CLIENT_PIDS[$i]}" || { failed=1; cat "$T/facts$i" "$T/log/client$i.log" >&2; }
done
CLIENT_PIDS=()
t_done=$EPOCHREALTIME
sleep 1                                 # let the last segments land
kill -INT "$TCPDUMP_PID"
wait "$TCPDUMP_PID" || true
TCPDUMP_PID=
[ $failed = 0 ] || { tail -n 30 "$T/log/smbd.log" >&2; die "a client failed"; }
cat "$T/log/tcpdump.log" >&2
grep -q '^0 packets dropped by kernel' "$T/log/tcpdump.log" ||
    die "tcpdump lost packets: the capture would not hold what was sent"
drops=0
for ns in NSX NSC; do
    declare -n run=$ns
    n=$("${run[@]}" nft list table inet smbscope_loss | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')
    drops=$((drops + n))
    unset -n run
done
log "clients done in $(awk -v a="$t_cap" -v b="$t_done" 'BEGIN{printf "%.1f", b - a}') s; $drops segments dropped on the path"

# ---------------------------------------------------------------- manifest
retx=null reord=null
if command -v tshark >/dev/null 2>&1; then
    log "counting retransmissions with tshark"
    read -r retx reord < <(tshark -n -r "$PART" -Y 'tcp.analysis.retransmission or tcp.analysis.out_of_order' \
        -T fields -e tcp.analysis.retransmission -e tcp.analysis.out_of_order -E separator=/s -E occurrence=f |
        awk '{ if ($0 ~ /^[^ ]/) r++; else o++ } END { print r + 0, o + 0 }')
fi
"$PY" - "$T" "$PART" "$OUT/real-manifest.json" "$NFILES" "$drops" "$retx" "$reord" \
    "$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$T/log/tcpdump.log")" <<'EOF'
import json, os, sys
t, pcap, out, n, drops, retx, reord, packets = sys.argv[1:]
files, reads = [], 0
served = [line.split() for line in open(os.path.join(t, "files"))]
for i in range(int(n)):
    facts = {}
    for line in open(os.path.join(t, f"facts{i}")):
        k, _, v = line.rstrip("\n").partition("=")
        facts.setdefault(k, v)
    name, size, sha = served[i]
    # the client's own view must be the file served, or the manifest would lie
    if (facts["read.bytes"], facts["read.sha256"]) != (size, sha):
        sys.exit(f"client {i} read {facts['read.bytes']} bytes, sha256 {facts['read.sha256']}; served {size} {sha}")
    files.append({"client": facts["client.ip"], "port": int(facts["client.port"]), "name": "\\" + name,
                  "size": int(size), "sha256": sha})
    reads += int(facts["read.requests"])
entry = {"pcap": "real.pcap", "packets": int(packets), "bytes": os.path.getsize(pcap), "read_andx": reads,
         "write_andx": 0, "dropped_on_path": int(drops),
         # what tshark flags (tcp.analysis.retransmission / .out_of_order); null: tshark not installed
         "retransmitted": None if retx == "null" else int(retx),
         "reordered": None if reord == "null" else int(reord), "files": files}
with open(out, "w") as f:
    json.dump({"generator": "tests/bench/mkreal.sh", "captures": {"real": entry}}, f, indent=1, sort_keys=True)
    f.write("\n")
EOF
mv "$PART" "$OUT/real.pcap"
log "$OUT/real.pcap: $(stat -c %s "$OUT/real.pcap") bytes, $(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' \
    "$T/log/tcpdump.log") packets, retransmitted $retx, out of order $reord (tshark); $drops dropped on the path;" \
    "made in $(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b - a}') s"
