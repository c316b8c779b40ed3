#!/usr/bin/env bash
# Throughput and memory benchmark: smbscope vs tshark vs a bare libpcap read
# loop, on one generated capture, measured in one run. Prints seconds, MB/s,
# ratios and peak RSS. Usage: run.sh SMBSCOPE PCAP_LOOP [COPIES]
set -euo pipefail
smbscope=$1 loop=$2 copies=${3:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
[ -x /usr/bin/time ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$root/tests/bench/mkbig.py" "$work/big.pcap" "$copies" \
    "$root/samples/bigread-445.pcap" "$root/samples/smbclient-nt1.pcap" "$root/samples/seed-445.pcap"
size=$(stat -c %s "$work/big.pcap")
echo "capture: $copies connections, $((size / 1048576)) MiB"

measure() { # name cmd...: best of 3 wall seconds and the peak RSS
    local name=$1 best="" rss=0 t r
    shift
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; return 1; }
        read -r t r <"$work/time"
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
        [ "$r" -gt "$rss" ] && rss=$r
    done
    echo "$name $best $rss"
}

{
    measure pcap_loop "$loop" "$work/big.pcap"
    measure smbscope_text "$smbscope" -r "$work/big.pcap"
    measure smbscope_json "$smbscope" -r "$work/big.pcap" --format json
    if command -v tshark >/dev/null; then
        measure tshark tshark -n -r "$work/big.pcap" -o tcp.reassemble_out_of_order:TRUE -Y smb -T fields -e smb.cmd
    fi
} >"$work/results"
awk -v size="$size" '
    { t[$1] = $2; m[$1] = $3; order[++n] = $1 }
    END {
        for (i = 1; i <= n; i++) {
            k = order[i]
            printf "%-14s %7.3f s  %8.1f MB/s  peak RSS %6.1f MiB", k, t[k], size / 1e6 / (t[k] > 0 ? t[k] : 1e-3), m[k] / 1024
            if (k != "pcap_loop" && t["pcap_loop"] > 0) printf "  %5.2fx the bare libpcap loop", t[k] / t["pcap_loop"]
            if (k ~ /smbscope/ && t["tshark"] > 0) printf "  tshark takes %5.1fx as long", t["tshark"] / t[k]
            printf "\n"
        }
    }' "$work/results"
