# tests/tools/ci_env.sh: the shell twin of ci_env.py, sourced by the bash tests.
# missing WHAT: a prerequisite is missing. Under CI (CI=true) that is a
# failure (exit 1), so a green CI means the test really ran; elsewhere a skip
# (exit 77, which meson reports as SKIP). The reason is printed either way.
missing() {
    if [ "${CI:-}" = true ]; then echo "FAIL: $1 (CI=true: a missing prerequisite is a failure, not a skip)"; exit 1; fi
    echo "SKIP: $1 (outside CI this is a skip; under CI=true it fails)"; exit 77
}
