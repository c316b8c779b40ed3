#!/bin/bash
# Regenerate smbscope's real SMB1 sample captures (samples/*.pcap + *.facts).
#
#   sudo samples/make_samples.sh          # as root, on Debian 12
#
# A private Samba smbd (own smb.conf, own passdb/lock/state/cache/pid dirs in
# a temp dir) runs inside a private network namespace, listening on
# 127.0.0.1:445 and :139 of that namespace's loopback; real clients (impacket's
# SMB1 class, smbclient -m NT1) talk to it while tcpdump records the
# namespace's lo.  Nothing leaves the namespace.  Each capture gets a .facts
# file written by the client itself (key=value lines).
#
# Environment:
#   SAMPLES_OUT=DIR     write the captures there instead of samples/
#   SAMPLES_KEEP_TMP=1  keep the temp dir (smb.conf, smbd log) for debugging
#   SAMPLES_LO_MTU=N    MTU of the namespace's lo (default 1500: Ethernet-
#                       sized frames, so captures replay onto a veth)
#   SCENARIOS="A B"     make only these captures (names as in samples/, e.g.
#                       "chain-445 pipe-445"): the others, and their goldens,
#                       stay as committed. Default: all of them.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${SAMPLES_OUT:-$HERE}
CLIENTS=$HERE/clients
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
LO_MTU=${SAMPLES_LO_MTU:-1500}

HOST=127.0.0.1
SMB_USER=smbscope
SMB_PASS=SmbScope1            # <= 14 chars so it has an LM hash
SMB_DOMAIN=SMBSCOPE
SRV_NAME=SMBSCOPESRV
CLI_NAME=SMBSCOPECLI
SMALL_FILE=hello.txt
BIG_FILE=big.bin
BIG_SIZE=$((3 * 1024 * 1024))

log() { printf '[make_samples] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# the private smbd: smbd_private_setup, _start, _stop
. "$HERE/smbd_private.sh"

[ "$(id -u)" = 0 ] || die "must run as root (smbd on 139/445, tcpdump, ip netns)"

# ---------------------------------------------------------------- packages
pkgs=()
command -v smbd >/dev/null 2>&1 || pkgs+=(samba)
command -v smbpasswd >/dev/null 2>&1 || pkgs+=(samba-common-bin)
command -v smbclient >/dev/null 2>&1 || pkgs+=(smbclient)
command -v tcpdump >/dev/null 2>&1 || pkgs+=(tcpdump)
command -v tshark >/dev/null 2>&1 || pkgs+=(tshark)
command -v ip >/dev/null 2>&1 || pkgs+=(iproute2)
command -v ethtool >/dev/null 2>&1 || pkgs+=(ethtool)
command -v openssl >/dev/null 2>&1 || pkgs+=(openssl)
# ps and pgrep (smbd checks and cleanup); not in a minimal Debian 12 image
{ command -v ps && command -v pgrep; } >/dev/null 2>&1 || pkgs+=(procps)
[ -x "$PY" ] || pkgs+=(python3)
if [ -x "$PY" ] && ! "$PY" -c 'import impacket.smb' 2>/dev/null; then
    pkgs+=(python3-impacket)
elif [ ! -x "$PY" ]; then
    pkgs+=(python3-impacket)
fi
smbd_install_pkgs ${pkgs[@]+"${pkgs[@]}"}

# ---------------------------------------------------------------- state
T=$(mktemp -d /tmp/smbscope-samples.XXXXXX)
chmod 755 "$T"                  # smbd's user must traverse to the shares
NS=smbscope-samples-$$
NS_CREATED=
SMBD_PID=
TCPDUMP_PID=

cleanup() {
    local rc=$?
    set +e
    trap '' INT TERM
    if [ -n "$TCPDUMP_PID" ]; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null
        wait "$TCPDUMP_PID" 2>/dev/null
    fi
    smbd_private_stop
    [ -n "$NS_CREATED" ] && ip netns del "$NS" 2>/dev/null
    if [ "${SAMPLES_KEEP_TMP:-0}" = 1 ]; then
        log "kept $T"
    else
        rm -rf "$T"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

NSX=(ip netns exec "$NS")

# ---------------------------------------------------------------- namespace
ip netns add "$NS"
NS_CREATED=1
"${NSX[@]}" ip link set lo mtu "$LO_MTU" up
# No TSO/GSO/GRO on this lo: frames in the capture are what an Ethernet
# would carry (<= MTU+14), not 64 KiB super-packets.
"${NSX[@]}" ethtool -K lo tso off gso off gro off >/dev/null 2>&1 ||
    log "warning: could not turn offloads off on the namespace's lo"

# ---------------------------------------------------------------- server
smbd_private_setup
mkdir -p "$T"/client/{private,lock,state,cache}

printf 'Hello from the smbscope SMB1 sample share.\nRead with OPEN_ANDX + READ_ANDX.\n' \
    >"$T/share/public/$SMALL_FILE"
"$PY" -c 'import random, sys
sys.stdout.buffer.write(random.Random(1).randbytes(int(sys.argv[1])))' \
    "$BIG_SIZE" >"$T/share/public/$BIG_FILE"
chmod 644 "$T/share/public/"*
SMALL_SHA=$(sha256sum "$T/share/public/$SMALL_FILE" | cut -d' ' -f1)
SMALL_LEN=$(stat -c %s "$T/share/public/$SMALL_FILE")
BIG_SHA=$(sha256sum "$T/share/public/$BIG_FILE" | cut -d' ' -f1)

cat >"$T/client.conf" <<EOF
[global]
    workgroup = $SMB_DOMAIN
    netbios name = $CLI_NAME
    client min protocol = NT1
    client max protocol = NT1
    private dir = $T/client/private
    lock directory = $T/client/lock
    state directory = $T/client/state
    cache directory = $T/client/cache
    log file = $T/log/client.log
EOF

smbd_private_start

# ---------------------------------------------------------------- capture
mkdir -p "$OUT"
ARGS=(--host "$HOST" --user "$SMB_USER" --password "$SMB_PASS"
      --domain "$SMB_DOMAIN" --server-name "$SRV_NAME"
      --client-name "$CLI_NAME" --small-file "$SMALL_FILE"
      --big-file "$BIG_FILE")

# the scenarios this run makes (SCENARIOS, or all)
ALL_SCENARIOS="seed-445 seed-139 bigread-445 badlogon-445 badshare-445 nofile-445
    nofile-dos-445 anon-445 lm-445 ntlmv2-445 netbios-negative-139 smbclient-nt1
    chain-445 pipe-445 svcctl-445 samr-445 winreg-445 brute-445"
SCENARIOS=${SCENARIOS:-$ALL_SCENARIOS}
for n in $SCENARIOS; do
    [[ " $(echo $ALL_SCENARIOS) " == *" $n "* ]] || die "unknown scenario $n (known: $(echo $ALL_SCENARIOS))"
done
wanted() { [[ " $(echo $SCENARIOS) " == *" $1 "* ]]; }

# capture NAME CMD...: record lo while CMD runs; CMD's stdout -> NAME.facts
# (nothing when NAME is not among SCENARIOS)
capture() {
    local name=$1; shift
    wanted "$name" || return 0
    local pcap=$OUT/$name.pcap facts=$OUT/$name.facts tlog=$T/log/tcpdump-$name.log
    rm -f "$pcap" "$facts"
    "${NSX[@]}" tcpdump -i lo -U -Z root -w "$pcap" \
        'tcp port 139 or tcp port 445' 2>"$tlog" &
    TCPDUMP_PID=$!
    for _ in $(seq 100); do
        grep -q 'listening on' "$tlog" 2>/dev/null && break
        kill -0 "$TCPDUMP_PID" 2>/dev/null || { cat "$tlog"; die "tcpdump died"; }
        sleep 0.1
    done
    local rc=0
    "${NSX[@]}" "$@" >"$facts" 2>"$T/log/client-$name.log" || rc=$?
    sleep 1                                 # let the last segments land
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
    if [ "$rc" != 0 ]; then
        cat "$facts" "$T/log/client-$name.log" >&2
        tail -n 30 "$T/log/smbd.log" >&2
        die "$name: client exited $rc"
    fi
    log "$name: $(stat -c %s "$pcap") bytes"
}

S=("$PY" "$CLIENTS/smb1_scenarios.py")
capture seed-445             "${S[@]}" seed-445 "${ARGS[@]}"
capture seed-139             "${S[@]}" seed-139 "${ARGS[@]}"
capture bigread-445          "${S[@]}" bigread-445 "${ARGS[@]}"
capture badlogon-445         "${S[@]}" badlogon-445 "${ARGS[@]}"
capture badshare-445         "${S[@]}" badshare-445 "${ARGS[@]}"
capture nofile-445           "${S[@]}" nofile-445 "${ARGS[@]}"
capture nofile-dos-445       "${S[@]}" nofile-dos-445 "${ARGS[@]}"
capture anon-445             "${S[@]}" anon-445 "${ARGS[@]}"
capture lm-445               "${S[@]}" lm-445 "${ARGS[@]}"
capture ntlmv2-445           "${S[@]}" ntlmv2-445 "${ARGS[@]}"
capture netbios-negative-139 "${S[@]}" netbios-negative-139 "${ARGS[@]}"
capture chain-445            "${S[@]}" chain-445 "${ARGS[@]}"
capture pipe-445             "${S[@]}" pipe-445 "${ARGS[@]}"
capture svcctl-445           "${S[@]}" svcctl-445 "${ARGS[@]}"
capture samr-445             "${S[@]}" samr-445 "${ARGS[@]}"
capture winreg-445           "${S[@]}" winreg-445 "${ARGS[@]}"
capture brute-445            "${S[@]}" brute-445 "${ARGS[@]}"
mkdir -p "$T/client/work"
capture smbclient-nt1 "$PY" "$CLIENTS/smbclient_nt1.py" --conf "$T/client.conf" \
    --workdir "$T/client/work" --host "$HOST" --user "$SMB_USER" \
    --password "$SMB_PASS" --domain "$SMB_DOMAIN" --small-file "$SMALL_FILE"

# ---------------------------------------------------------------- checks
fact() { sed -n "s/^$2=//p" "$OUT/$1.facts" | head -n1; }
# check WHAT GOT WANT, only for captures this run made
check() { wanted "${1%% *}" || return 0; [ "$2" = "$3" ] || die "$1: expected '$3', client saw '$2'"; }
for n in seed-445 seed-139 lm-445 ntlmv2-445 smbclient-nt1 chain-445; do
    wanted "$n" || continue
    check "$n read.sha256" "$(fact "$n" read.sha256)" "$SMALL_SHA"
    check "$n read.bytes" "$(fact "$n" read.bytes)" "$SMALL_LEN"
done
wanted bigread-445 && check "bigread-445 read.sha256" "$(fact bigread-445 read.sha256)" "$BIG_SHA"
wanted bigread-445 && check "bigread-445 read.bytes" "$(fact bigread-445 read.bytes)" "$BIG_SIZE"
wanted badlogon-445 && check badlogon-445 "$(fact badlogon-445 session_setup.status)" STATUS_LOGON_FAILURE
wanted brute-445 && check brute-445 "$(fact brute-445 brute.failed_logons)" "$(fact brute-445 brute.tries)"
wanted badshare-445 && check badshare-445 "$(fact badshare-445 tree_connect.status)" STATUS_BAD_NETWORK_NAME
wanted nofile-445 && check nofile-445 "$(fact nofile-445 open.status)" STATUS_OBJECT_NAME_NOT_FOUND
wanted nofile-dos-445 && check nofile-dos-445 "$(fact nofile-dos-445 open.status)" \
    "ERRDOS/ERRbadfile (DOS class=0x01 code=0x0002)"
wanted anon-445 && check anon-445 "$(fact anon-445 tree_connect.status)" STATUS_SUCCESS
wanted smbclient-nt1 && check "smbclient-nt1 upload" "$(sha256sum "$T/share/upload/upload.txt" | cut -d' ' -f1)" \
    "$(fact smbclient-nt1 write.sha256)"
wanted chain-445 && check "chain-445 chain.read_fid" "$(fact chain-445 chain.read_fid)" 0xFFFF
wanted pipe-445 && check "pipe-445 pipe.status" "$(fact pipe-445 pipe.status)" STATUS_SUCCESS
wanted pipe-445 && check "pipe-445 rpc.shares" "$(fact pipe-445 rpc.shares | tr ',' '\n' | grep -cix 'PUBLIC\|UPLOAD')" 2

# Every capture must be SMB1 only (no SMB2 negotiate/frames).
if command -v tshark >/dev/null 2>&1; then
    for p in "$OUT"/*.pcap; do
        wanted "$(basename "$p" .pcap)" || continue
        n2=$(tshark -r "$p" -Y smb2 2>/dev/null | wc -l)
        [ "$n2" = 0 ] || die "$p contains $n2 SMB2 frames"
    done
    "$PY" "$HERE/summarize.py" "$OUT"/*.pcap
fi
log "done: $(ls "$OUT"/*.pcap | wc -l) captures in $OUT"
