#!/bin/bash
# tests/live/run.sh SMBSCOPE: live capture. For seed-445 and bigread-445,
# samples/replay_live.sh replays the capture onto a veth in a private network
# namespace while `SMBSCOPE -i v1 --format json -o OUT` listens there; after the
# replay it gets SIGINT. Then: exit status 0, and OUT holds the same records as
# the offline run (tests/live/compare.py). If not root or if network
# namespaces are unavailable: exit 77 (skip), or a failure under CI=true.
set -u
SMBSCOPE=$(realpath "${1:?usage: run.sh SMBSCOPE}")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=${PYTHON:-python3}

. "$ROOT/tests/tools/ci_env.sh"  # missing WHAT: fail under CI=true, else skip (77)
[ "$(id -u)" = 0 ] || missing "not root"
PROBE=smbscope-probe-$$
if ! ip netns add "$PROBE" 2>/dev/null; then missing "network namespaces unavailable (ip netns add failed)"; fi
ip netns del "$PROBE"

T=$(mktemp -d /tmp/smbscope-live.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail=0
for name in seed-445 bigread-445; do
    out=$T/$name.json
    REPLAY_DRAIN=2 timeout -k 10 300 "$ROOT/samples/replay_live.sh" "$ROOT/samples/$name.pcap" \
        "$SMBSCOPE" -i v1 --format json -o "$out" 2>"$T/$name.err"
    rc=$?
    if [ "$rc" != 0 ]; then
        echo "FAIL live $name: exit status $rc"; sed 's/^/      /' "$T/$name.err" | tail -n 20
        fail=1; continue
    fi
    "$PY" "$ROOT/tests/live/compare.py" "$SMBSCOPE" "$ROOT/samples/$name.pcap" "$out" || fail=1
done
[ $fail = 0 ] && echo "live: all ok"
exit $fail
