#!/bin/sh
# run_memory: build and run the reassembly memory check in both modes, printing its numbers.
# usage: tests/bench/run_memory.sh [builddir]   (default: build)
set -eu
b=${1:-build}
ninja -C "$b" tests/bench/reasm_memory >/dev/null
for m in hole budget; do
    "$b/tests/bench/reasm_memory" "$m"
done
