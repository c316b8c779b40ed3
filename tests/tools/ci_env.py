"""What a test does when something it needs is missing: under CI (CI=true, as
.ci/run is run) that is a failure, so a green CI always means the test really
ran; elsewhere it is a skip (exit 77, which meson reports as SKIP), and the
reason is printed either way."""
import os
import sys

SKIP = 77


def in_ci():
    return os.environ.get("CI", "").lower() == "true"


def missing(what):
    """exit status for a test that cannot run because `what` is missing"""
    if in_ci():
        print(f"FAIL: {what} (CI=true: a missing prerequisite is a failure, not a skip)", flush=True)
        return 1
    print(f"SKIP: {what} (outside CI this is a skip; under CI=true it fails)", flush=True)
    return SKIP


def jsonschema_validator():
    """the schema validator, or None when python's jsonschema module is missing:
    under CI that is fatal (exit 1); elsewhere a loud note on stderr"""
    import schema_check
    try:
        return schema_check.load_validator()
    except ImportError as e:
        if in_ci():
            print(f"FAIL: cannot validate against the schema: {e} ({sys.executable}); "
                  "install python3-jsonschema", flush=True)
            sys.exit(1)
        print(f"NOTE: JSON is NOT validated against the schema: {e} ({sys.executable})",
              file=sys.stderr, flush=True)
        return None
