#!/bin/bash
# tests/fresh/run.sh SMBSCOPE: captures smbscope has never seen. Regenerates
# every scenario with samples/make_samples.sh (real smbd and clients in a private
# network namespace, new ports, challenges, UIDs, TIDs, FIDs) into a temp dir,
# then runs check_facts.py on each new capture against its new facts, and
# the rewrite suite over the new captures. When not root: exit 77 (skip), or
# a failure under CI=true; a failing regeneration fails the test. Bounded by
# FRESH_TIMEOUT seconds (default 900) for the regeneration.
set -u
SMBSCOPE=$(realpath "${1:?usage: run.sh SMBSCOPE}")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=${PYTHON:-python3}

. "$ROOT/tests/tools/ci_env.sh"  # missing WHAT: fail under CI=true, else skip (77)
[ "$(id -u)" = 0 ] || missing "not root"

T=$(mktemp -d /tmp/smbscope-fresh.XXXXXX)
trap 'rm -rf "$T"' EXIT
# make_samples.sh cleans up (smbd, tcpdump, namespace) on SIGTERM
if ! SAMPLES_OUT=$T timeout -k 30 "${FRESH_TIMEOUT:-900}" "$ROOT/samples/make_samples.sh" >"$T/make.log" 2>&1; then
    echo "FAIL: make_samples.sh failed"; tail -n 40 "$T/make.log"; exit 1
fi
missing=
for f in "$ROOT"/samples/*.facts; do
    n=$(basename "$f" .facts)
    [ -s "$T/$n.pcap" ] && [ -s "$T/$n.facts" ] || missing="$missing $n"
done
[ -z "$missing" ] || { echo "FAIL: not regenerated:$missing"; exit 1; }
rc=0
"$PY" "$ROOT/tests/facts/run_samples.py" "$SMBSCOPE" "$T" || rc=1
# and against tshark's field values (counts, statuses, paths, files, accounts)
"$PY" "$ROOT/tests/tools/tshark_compare.py" "$SMBSCOPE" "$T"/*.pcap || rc=1
# the same unseen captures, rewritten (reordered, duplicated, overlapped, cut
# into tiny segments, a segment dropped, started mid-stream, snap-length cut)
"$PY" "$ROOT/tests/rewrite/run.py" "$SMBSCOPE" "$T" || rc=1
exit $rc
