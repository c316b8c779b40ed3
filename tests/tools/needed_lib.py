#!/usr/bin/env python3
"""needed_lib.py BINARY LIB: BINARY's dynamic section names LIB (a prefix of a
NEEDED entry), so the loader really maps it. Used for the allocator: under LTO
with --as-needed the linker once dropped jemalloc silently and the binary ran
on glibc's malloc, which only a benchmark would have noticed."""
import subprocess
import sys


def main():
    binary, lib = sys.argv[1], sys.argv[2]
    out = subprocess.run(["readelf", "-d", binary], check=True, capture_output=True, text=True).stdout
    needed = [line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line]
    if not any(n.startswith(lib) for n in needed):
        print(f"{binary} does not load {lib}; it needs: {', '.join(needed)}")
        return 1
    print(f"{binary} loads {lib}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
