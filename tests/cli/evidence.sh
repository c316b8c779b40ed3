#!/bin/bash
# tests/cli/evidence.sh SMBSCOPE: -o can never destroy an input. Naming the
# input itself, a symlink to it, a hard link to it, or (with -r -) the file
# standard input reads is a usage error (exit 2) that says why, and the input
# is byte-for-byte untouched; an ordinary -o still works.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:-}" "evidence.sh SMBSCOPE"
cp "$ROOT/samples/seed-445.pcap" "$T/evidence.pcap"
ln -s evidence.pcap "$T/symlink.pcap"
ln "$T/evidence.pcap" "$T/hardlink.pcap"
mkdir "$T/sub"
SUM=$(sha256sum <"$T/evidence.pcap")
untouched() { [ "$(sha256sum <"$T/evidence.pcap")" = "$SUM" ]; }

for out in "$T/evidence.pcap" "$T/symlink.pcap" "$T/hardlink.pcap" "$T/sub/../evidence.pcap"; do
    "$SMBSCOPE" -r "$T/evidence.pcap" -o "$out" >"$T/o" 2>"$T/e"
    rc=$?
    check "-o $(basename "$out") naming the input is a usage error (2)" [ "$rc" = 2 ]
    check "  says it refuses to overwrite the input" grep -q "refusing to overwrite the input" "$T/e"
    check "  the input is untouched" untouched
done
"$SMBSCOPE" -r "$T/symlink.pcap" -o "$T/evidence.pcap" >"$T/o" 2>"$T/e"
check "input through a symlink, -o the file itself (2)" [ "$?" = 2 ]
check "  the input is untouched" untouched
"$SMBSCOPE" -r - -o "$T/evidence.pcap" <"$T/evidence.pcap" >"$T/o" 2>"$T/e"
check "-r - reading the file -o names (2)" [ "$?" = 2 ]
check "  the input is untouched" untouched
"$SMBSCOPE" -r "$T/evidence.pcap" -o "$T/out.txt" >"$T/o" 2>"$T/e"
check "an ordinary -o still works (0)" [ "$?" = 0 ]
check "  and writes the transcript" grep -q "STATS" "$T/out.txt"
check "  the input is untouched" untouched

summary
