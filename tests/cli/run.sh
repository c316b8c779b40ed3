#!/bin/bash
# tests/cli/run.sh SMBSCOPE: the command line's promises: exit codes (0 ok,
# 1 input not read completely, 2 usage), -r - (stdin), -o, -f, --format,
# --tcp-overlap, -h/--version, a truncated capture (everything before the damage written,
# stderr says where), an unsupported link type.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "${1:-}" "run.sh SMBSCOPE"
run() { # rc-var out err cmd...
    local out=$1 err=$2
    shift 2
    "$@" >"$out" 2>"$err"
    echo $?
}
S="$ROOT/samples/seed-445.pcap"
B="$ROOT/samples/bigread-445.pcap"

rc=$(run "$T/o" "$T/e" "$SMBSCOPE")
check "no input is a usage error (2)" [ "$rc" = 2 ]
check "  and says what to give" grep -q -- "-r FILE" "$T/e"
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" --bogus)
check "unknown option (2)" [ "$rc" = 2 ]
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" --format xml)
check "bad --format (2)" [ "$rc" = 2 ]
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" --max-flows zero)
check "bad limit value (2)" [ "$rc" = 2 ]
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" --tcp-overlap bogus)
check "bad --tcp-overlap (2)" [ "$rc" = 2 ]
check "  says what it takes" grep -q "first or last" "$T/e"
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" -i lo)
check "both -r and -i (2)" [ "$rc" = 2 ]
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" -f "tcp port")
check "bad BPF filter (2)" [ "$rc" = 2 ]
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" "$B")
check "a stray argument (a second file without -r) is a usage error (2)" [ "$rc" = 2 ]
check "  names it" grep -q -- "$B" "$T/e"
check "  and nothing is written" [ ! -s "$T/o" ]
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -h)
check "-h (0) prints usage" [ "$rc" = 0 ]
check "  every limit option documented" grep -q -- "--max-file-verify" "$T/o"
check "  the overlap policy documented" grep -q -- "--tcp-overlap first|last" "$T/o"
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" --version)
check "--version (0)" [ "$rc" = 0 ]
check "  prints the version" grep -q "^smbscope [0-9]" "$T/o"
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$T/does-not-exist.pcap")
check "missing file (1)" [ "$rc" = 1 ]
check "  says why" grep -qi "no such file" "$T/e"

rc=$(run "$T/file.txt" "$T/e" "$SMBSCOPE" -r "$S")
check "a sample (0)" [ "$rc" = 0 ]
check "  writes a transcript (so the comparisons below compare something)" grep -q "READ_ANDX STATUS_SUCCESS" "$T/file.txt"
rc=$(run "$T/last.txt" "$T/e" "$SMBSCOPE" -r "$S" --tcp-overlap last)
check "--tcp-overlap last (0)" [ "$rc" = 0 ]
check "  same transcript as the default (no conflicts in the sample)" cmp -s "$T/file.txt" "$T/last.txt"
rc=$(run "$T/first.txt" "$T/e" "$SMBSCOPE" -r "$S" --tcp-overlap first)
check "--tcp-overlap first (0)" [ "$rc" = 0 ]
check "  the default: same transcript as without the option" cmp -s "$T/file.txt" "$T/first.txt"
rc=$(run "$T/stdin.txt" "$T/e" bash -c "\"$SMBSCOPE\" -r - < \"$S\"")
check "-r - reads stdin (0)" [ "$rc" = 0 ]
check "  same transcript as the file" cmp -s "$T/file.txt" "$T/stdin.txt"
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" -o "$T/out.txt")
check "-o FILE (0)" [ "$rc" = 0 ]
check "  nothing at all on stdout" [ ! -s "$T/o" ]
check "  nothing on stderr" [ ! -s "$T/e" ]
check "  same transcript in the file" cmp -s "$T/file.txt" "$T/out.txt"
rc=$(run "$T/file.json" "$T/e" "$SMBSCOPE" -r "$S" --format json)
check "--format json (0)" [ "$rc" = 0 ]
check "  writes records" grep -q '"type":"stats"' "$T/file.json"
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" --format json -o "$T/out.json")
check "-o FILE --format json (0)" [ "$rc" = 0 ]
check "  nothing at all on stdout" [ ! -s "$T/o" ]
check "  nothing on stderr" [ ! -s "$T/e" ]
check "  same records in the file" cmp -s "$T/file.json" "$T/out.json"
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" -f "tcp port 9")
check "-f filter that matches nothing (0)" [ "$rc" = 0 ]
check "  no SMB records" bash -c "! grep -q NEGOTIATE '$T/o'"
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" -f "tcp port 445" --format json)
check "-f and --format json (0)" [ "$rc" = 0 ]
check "  one JSON object per line" python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$T/o"

# a capture cut in the middle of a record, late in the big read
size=$(stat -c %s "$B")
head -c $((size * 2 / 3)) "$B" >"$T/cut.pcap"
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$T/cut.pcap")
check "truncated capture (1)" [ "$rc" = 1 ]
check "  stderr says what and where" grep -qE "truncated|record [0-9]+" "$T/e"
check "  everything before the damage is written" grep -q "READ_ANDX STATUS_SUCCESS" "$T/o"
check "  the connection and run still end properly" grep -q " STATS " "$T/o"
check "  the file read so far is reported, incomplete" grep -q "FILE start=+[0-9.]* name=.big.bin.*complete=false" "$T/o"

# an unsupported link type (LINKTYPE_USER0 = 147)
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x93\x00\x00\x00' >"$T/user0.pcap"
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$T/user0.pcap")
check "unsupported link type (1)" [ "$rc" = 1 ]
check "  says so" grep -q "unsupported link type 147" "$T/e"

# output that cannot be written
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" -o /dev/full)
check "write failure (1)" [ "$rc" = 1 ]
check "  says so" grep -qi "writ" "$T/e"
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" --summary-only -o /dev/full)
check "write failure of the summary alone (1)" [ "$rc" = 1 ]

# --sensor: a name a SIEM keys on as is
for bad in "" "two words" "a/b" "$(printf 'x%.0s' {1..65})"; do
    rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" --sensor "$bad")
    check "bad --sensor '${bad:0:10}' (2)" [ "$rc" = 2 ]
done
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" --sensor dc1.tap:2_a-b)
check "--sensor dc1.tap:2_a-b (0)" [ "$rc" = 0 ]
check "  on the header and STATS lines" [ "$(grep -c 'sensor=dc1.tap:2_a-b' "$T/o")" = 2 ]

# --summary: after the records, in the same format, to -o; --summary-only alone
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" --summary -o "$T/sum.txt")
check "--summary -o FILE (0)" [ "$rc" = 0 ]
check "  nothing at all on stdout" [ ! -s "$T/o" ]
check "  the summary follows STATS" [ "$(grep -n -m1 '^== SUMMARY ' "$T/sum.txt" | cut -d: -f1)" = \
    "$(( $(grep -n '^-- .* STATS ' "$T/sum.txt" | cut -d: -f1) + 1 ))" ]
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" --summary-only)
check "--summary-only (0)" [ "$rc" = 0 ]
check "  only == lines" bash -c "[ -s '$T/o' ] && ! grep -qv '^== ' '$T/o'"
rc=$(run "$T/o" "$T/e" "$SMBSCOPE" -r "$S" --max-summary 0)
check "--max-summary 0 (2)" [ "$rc" = 2 ]

summary
