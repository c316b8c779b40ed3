#!/bin/bash
# Test live capture without touching any real network: replay a pcap onto a
# veth pair that lives in a private network namespace, while a capture
# command listens on the other end.
#
#   samples/replay_live.sh FILE.pcap CAPTURE-COMMAND [ARGS...]
#   e.g. samples/replay_live.sh samples/seed-445.pcap smbscope -i v1 ...
#        samples/replay_live.sh samples/seed-445.pcap tcpdump -i v1 -w /tmp/x.pcap
#
# Steps: ip netns add smbscope-test-$$; inside it (IPv6 off, so the kernel
# adds no ICMPv6 chatter) a veth pair v0 <-> v1, both up, no addresses;
# CAPTURE-COMMAND runs inside the namespace in the background; after
# REPLAY_WAIT seconds `tcpreplay -i v0 --topspeed FILE` runs inside the
# namespace; after REPLAY_DRAIN more seconds the capture command gets SIGINT
# (SIGTERM if it is still running REPLAY_STOP_TIMEOUT seconds later).  The
# namespace is deleted on exit whatever happens.  Exit status: the capture
# command's.
#
# Environment: REPLAY_WAIT (default 1), REPLAY_DRAIN (1),
#   REPLAY_STOP_TIMEOUT (10), REPLAY_MTU (1500; veth allows up to 65535, for
#   captures with larger frames), REPLAY_ARGS (extra tcpreplay options).
set -euo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 2 ] || usage
PCAP=$1; shift
[ -r "$PCAP" ] || { echo "replay_live: cannot read $PCAP" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "replay_live: must run as root" >&2; exit 2; }

WAIT=${REPLAY_WAIT:-1}
DRAIN=${REPLAY_DRAIN:-1}
STOP_TIMEOUT=${REPLAY_STOP_TIMEOUT:-10}
MTU=${REPLAY_MTU:-1500}

pkgs=()
command -v tcpreplay >/dev/null 2>&1 || pkgs+=(tcpreplay)
command -v ip >/dev/null 2>&1 || pkgs+=(iproute2)
command -v sysctl >/dev/null 2>&1 || pkgs+=(procps)
if [ ${#pkgs[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y "${pkgs[@]}" >&2
fi

NS=smbscope-test-$$
NS_CREATED=
CAP_PID=

cleanup() {
    local rc=$?
    set +e
    trap '' INT TERM
    if [ -n "$CAP_PID" ] && kill -0 "$CAP_PID" 2>/dev/null; then
        kill -TERM "$CAP_PID" 2>/dev/null
        wait "$CAP_PID" 2>/dev/null
    fi
    [ -n "$NS_CREATED" ] && ip netns del "$NS" 2>/dev/null
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

NSX=(ip netns exec "$NS")
ip netns add "$NS"
NS_CREATED=1
"${NSX[@]}" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
"${NSX[@]}" ip link set lo up
"${NSX[@]}" ip link add v0 mtu "$MTU" type veth peer name v1 mtu "$MTU"
"${NSX[@]}" ip link set v0 up
"${NSX[@]}" ip link set v1 up

# The capture command, in the namespace, in the background; `ip netns exec`
# execs in place, so $! is the command's own PID.
"${NSX[@]}" "$@" &
CAP_PID=$!
sleep "$WAIT"
kill -0 "$CAP_PID" 2>/dev/null || {
    wait "$CAP_PID"; rc=$?; CAP_PID=
    echo "replay_live: capture command exited early ($rc)" >&2; exit 1; }

# shellcheck disable=SC2086
"${NSX[@]}" tcpreplay -i v0 --topspeed ${REPLAY_ARGS:-} "$PCAP" >&2
sleep "$DRAIN"

kill -INT "$CAP_PID" 2>/dev/null || true
for _ in $(seq $((STOP_TIMEOUT * 10))); do
    kill -0 "$CAP_PID" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$CAP_PID" 2>/dev/null && kill -TERM "$CAP_PID" 2>/dev/null
set +e
wait "$CAP_PID"
rc=$?
set -e
CAP_PID=
exit $rc
