# tests/cli/lib.sh: what the command-line tests (run.sh, evidence.sh) share,
# sourced as `. lib.sh SMBSCOPE USAGE`: SMBSCOPE (absolute), ROOT (the
# checkout), T (a scratch directory removed on exit), and check/summary,
# which count and print each assertion and give the exit status.
[ -n "${1:-}" ] || { echo "usage: $2" >&2; exit 2; }
SMBSCOPE=$(realpath "$1")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { # name condition...
    local name=$1
    shift
    if "$@"; then pass=$((pass + 1)); echo "ok: $name"; else fail=$((fail + 1)); echo "FAIL: $name"; fi
}
summary() { # the last command of a test: the counts, and its exit status
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ]
}
