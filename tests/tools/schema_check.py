"""Validate smbscope NDJSON against smbscope.schema.json (shared by the test runners)."""
import json
import pathlib

SCHEMA_PATH = pathlib.Path(__file__).resolve().parents[2] / "smbscope.schema.json"


def load_validator():
    """the schema's validator; ImportError without python's jsonschema"""
    import jsonschema
    schema = json.loads(SCHEMA_PATH.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def check_lines(validator, text, where, piece=False, smb_every=1):
    """Return a list of problems: lines that are not JSON objects, violate the schema,
    or break the record order rules (stats last and once; with --summary the
    summary records follow it, and --summary-only writes them alone). Periodic
    stats records (--stats-interval: `interval` true) may come anywhere; a
    piece (a rotated file but the last) may lack the final stats.
    validator None: no schema check (jsonschema missing); smb_every N: only
    every N-th `smb` record is validated (a flood's are all alike, and
    validation is what makes a flood slow to check)."""
    problems = []
    lines = text.splitlines()
    records = []
    n_smb = 0
    for i, line in enumerate(lines, 1):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"{where}:{i}: not JSON: {e}")
            continue
        records.append(rec)
        if rec.get("type") == "smb":
            n_smb += 1
            if n_smb % smb_every:
                continue
        if validator is None:
            continue
        for err in validator.iter_errors(rec):
            problems.append(f"{where}:{i}: {err.message} at {list(err.absolute_path)}")
    kinds = [r.get("type") for r in records if not (r.get("type") == "stats" and r.get("interval") is True)]
    n_summary = kinds.count("summary")
    body = kinds[:len(kinds) - n_summary]
    if "summary" in body:
        problems.append(f"{where}: summary records must come last")
    elif body or not n_summary:
        if piece and "stats" not in body:
            pass
        elif body.count("stats") != 1 or body[-1] != "stats":
            problems.append(f"{where}: expected exactly one stats record, last (before any summary)")
    return problems, records
