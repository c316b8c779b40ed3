#!/bin/bash
# tests/live/sensor.sh SMBSCOPE: smbscope as a sensor, live, in a private
# network namespace (a veth pair v0 <-> v1; tcpreplay sends on v0, smbscope
# captures on v1; nothing touches a real network):
#   hup     SIGHUP after `mv out out.1`: two valid files, together the offline run's records;
#           as root without -Z, stderr warns about it
#   rotate  --rotate 1 during a paced replay: several valid files, together the offline run
#   drop    -Z nobody: /proc/PID/status shows every uid and gid nobody's, and it
#           still captures (the offline run's records); --stats-interval 1 gives periodic
#           stats records (interval: true), also while idle
#   drops   a forced loss (--buffer-size 4096, the reader stopped with SIGSTOP during a
#           top-speed replay): a line on stderr and an anomaly capture_drops
#   tty     JSON on a terminal (script(1) gives a pty): records show while the capture
#           runs, not when it ends (live output is never queued for an output thread)
#   fanout  three processes in one --fanout group: together the offline records of five
#           replayed captures
# If not root or without network namespaces: exit 77 (skip), or a failure under CI=true.
set -u
SMBSCOPE=$(realpath "${1:?usage: sensor.sh SMBSCOPE}")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=${PYTHON:-python3}
S=$ROOT/samples

. "$ROOT/tests/tools/ci_env.sh"  # missing WHAT: fail under CI=true, else skip (77)
[ "$(id -u)" = 0 ] || missing "not root"
command -v tcpreplay >/dev/null || missing "tcpreplay not installed"
NS=smbscope-sensor-$$
ip netns add "$NS" 2>/dev/null || missing "network namespaces unavailable (ip netns add failed)"
T=$(mktemp -d /tmp/smbscope-sensor.XXXXXX)
chmod 0755 "$T"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null; kill -TERM "$p" 2>/dev/null; done
    wait 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
NSX=(ip netns exec "$NS")
"${NSX[@]}" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
"${NSX[@]}" ip link set lo up
"${NSX[@]}" ip link add v0 type veth peer name v1
"${NSX[@]}" ip link set v0 up
"${NSX[@]}" ip link set v1 up

fail=0
bad() { echo "FAIL $*"; fail=1; }
# start NAME ARGS...: smbscope -i v1 ARGS in the namespace, in the background; PID in $PID
start() {
    local name=$1; shift
    "${NSX[@]}" "$SMBSCOPE" -i v1 "$@" 2>"$T/$name.err" &
    PID=$!
    PIDS+=("$PID")
    sleep 1
    kill -0 "$PID" 2>/dev/null || { bad "$name: smbscope exited early: $(tail -n 3 "$T/$name.err")"; return 1; }
}
# stop NAME: SIGINT, and the exit status must be 0
stop() {
    kill -INT "$PID" 2>/dev/null
    local rc=0
    wait "$PID" || rc=$?
    [ "$rc" = 0 ] || bad "$1: exit status $rc: $(tail -n 3 "$T/$1.err")"
}
replay() { "${NSX[@]}" tcpreplay -i v0 "$@" >/dev/null 2>&1; }

# --- SIGHUP after mv -------------------------------------------------------------------
mkdir "$T/hup"
if start hup --format json -o "$T/hup/out.json"; then
    replay --pps 1000 "$S/bigread-445.pcap" &
    RP=$!
    sleep 1.2
    mv "$T/hup/out.json" "$T/hup/out.json.1"
    kill -HUP "$PID"
    wait "$RP"
    sleep 1
    kill -0 "$PID" 2>/dev/null || bad "hup: smbscope did not survive SIGHUP"
    stop hup
    [ -s "$T/hup/out.json.1" ] && [ -s "$T/hup/out.json" ] || bad "hup: want records in both files: $(wc -l "$T"/hup/*)"
    echo "     hup: $(wc -l < "$T/hup/out.json.1") lines before SIGHUP, $(wc -l < "$T/hup/out.json") after"
    "$PY" "$ROOT/tests/live/compare.py" "$SMBSCOPE" "$S/bigread-445.pcap" "$T/hup/out.json.1" "$T/hup/out.json" || fail=1
    grep -q "warning: capturing as root" "$T/hup.err" || bad "hup: no warning on stderr about running as root"
fi

# --- JSON on a terminal ------------------------------------------------------------------
"${NSX[@]}" script -qfc "$SMBSCOPE -i v1 --format json --sensor ttycase" "$T/tty.out" >/dev/null 2>&1 &
TP=$!
PIDS+=("$TP")
sleep 1
replay "$S/seed-445.pcap"
sleep 1.5
seen=$(grep -c '"type"' "$T/tty.out")
pkill -INT -f -- "--sensor ttycase"
wait "$TP" 2>/dev/null
[ "$seen" -ge 5 ] || bad "tty: $seen records on the terminal while capturing, want them as they happen"
echo "     tty: $seen records shown while capturing"

# --- --rotate 1 ------------------------------------------------------------------------
mkdir "$T/rot"
if start rot --format json --rotate 1 -o "$T/rot/r-%Y%m%d-%H%M%S.json"; then
    replay --pps 700 "$S/bigread-445.pcap"
    sleep 0.5
    stop rot
    mapfile -t files < <(ls "$T/rot"/r-*.json | sort)
    [ "${#files[@]}" -ge 3 ] || bad "rotate: ${#files[@]} files, want at least 3"
    echo "     rotate: ${#files[@]} files"
    "$PY" "$ROOT/tests/live/compare.py" "$SMBSCOPE" "$S/bigread-445.pcap" "${files[@]}" || fail=1
fi

# --- -Z nobody, --stats-interval 1 -------------------------------------------------------
mkdir "$T/z"
if start z -Z nobody --stats-interval 1 --format json -o "$T/z/out.json"; then
    uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$PID/status")
    gids=$(awk '/^Gid:/ {print $2, $3, $4, $5}' "/proc/$PID/status")
    groups=$(awk '/^Groups:/ {$1 = ""; print}' "/proc/$PID/status" | xargs)
    want_gid=$(id -g nobody)
    [ "$uids" = "65534 65534 65534 65534" ] || bad "-Z nobody: Uid: $uids"
    [ "$gids" = "$want_gid $want_gid $want_gid $want_gid" ] || bad "-Z nobody: Gid: $gids"
    [ "$groups" = "$(id -G nobody | tr ' ' '\n' | grep -vx "$want_gid" | xargs)" ] || [ "$groups" = "$(id -G nobody)" ] ||
        bad "-Z nobody: Groups: $groups, want $(id -G nobody)"
    capeff=$(awk '/^CapEff:/ {print $2}' "/proc/$PID/status")
    [ "$capeff" = 0000000000000000 ] || bad "-Z nobody: CapEff $capeff, want none"
    echo "     -Z nobody: Uid $uids, Gid $gids, Groups '$groups', CapEff $capeff"
    replay --topspeed "$S/seed-445.pcap"
    sleep 2.5
    stop z
    "$PY" "$ROOT/tests/live/compare.py" "$SMBSCOPE" "$S/seed-445.pcap" "$T/z/out.json" || fail=1
    grep -q "warning: capturing as root" "$T/z.err" && bad "-Z: warned about root although -Z was given"
    "$PY" - "$T/z/out.json" <<'PYEOF' || fail=1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
iv = [r for r in recs if r["type"] == "stats" and r.get("interval") is True]
idle = [r for r in iv if r["packets"] == 0]
ok = len(iv) >= 3 and idle and all("capture" in r and r["since"] < r["ts"] for r in iv)
print(f"{'ok  ' if ok else 'FAIL'} --stats-interval 1: {len(iv)} interval records, {len(idle)} of an idle second")
sys.exit(0 if ok else 1)
PYEOF
fi

# --- forced drops --------------------------------------------------------------------------
mkdir "$T/d"
if start drops --buffer-size 4096 --format json -o "$T/d/out.json"; then
    kill -STOP "$PID"        # a reader that cannot keep up: the kernel buffer fills
    replay --topspeed "$S/bigread-445.pcap"
    kill -CONT "$PID"
    sleep 1.5
    # told as it happens: before the capture stops
    grep -q "the capture lost [1-9][0-9]* packets" "$T/drops.err" || bad "drops: nothing on stderr while running: $(cat "$T/drops.err")"
    stop drops
    grep -m1 "the capture lost" "$T/drops.err" | sed 's/^/     stderr: /'
    "$PY" - "$T/d/out.json" <<'PYEOF' || fail=1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
an = [r for r in recs if r["type"] == "anomaly" and r["name"] == "capture_drops"]
st = [r for r in recs if r["type"] == "stats"][-1]
ok = an and all("conn" not in r and r["dropped"] + r["if_dropped"] > 0 for r in an) and \
    st["capture"]["dropped"] > 0 and st["anomalies"].get("capture_drops") == len(an)
print(f"{'ok  ' if ok else 'FAIL'} drops: {len(an)} capture_drops anomalies, stats.capture {st['capture']}")
sys.exit(0 if ok else 1)
PYEOF
fi

# --- --fanout --------------------------------------------------------------------------------
mkdir "$T/f"
FP=()
for k in 0 1 2; do
    "${NSX[@]}" "$SMBSCOPE" -i v1 --fanout 4242 --format json -o "$T/f/out$k.json" 2>"$T/fanout$k.err" &
    FP+=($!)
    PIDS+=($!)
done
sleep 1
set -- seed-445 bigread-445 nofile-445 anon-445 lm-445
for s in "$@"; do replay --topspeed "$S/$s.pcap"; done
sleep 1
for k in 0 1 2; do
    kill -INT "${FP[$k]}"
    rc=0; wait "${FP[$k]}" || rc=$?
    [ "$rc" = 0 ] || bad "fanout $k: exit status $rc: $(tail -n 3 "$T/fanout$k.err")"
done
echo "     fanout: records per process: $(for k in 0 1 2; do grep -c '"type":"conn"' "$T/f/out$k.json"; done | xargs) connections"
"$PY" "$ROOT/tests/live/compare.py" "$SMBSCOPE" "$(printf "$S/%s.pcap," "$@" | sed 's/,$//')" \
    "$T/f/out0.json" "$T/f/out1.json" "$T/f/out2.json" --processes || fail=1
spread=$(for k in 0 1 2; do grep -q '"type":"conn"' "$T/f/out$k.json" && echo x; done | wc -l)
[ "$spread" -ge 2 ] || bad "fanout: all connections went to one process ($spread with any)"

[ $fail = 0 ] && echo "live sensor: all ok"
exit $fail
