"""Validate smbscope NDJSON against smbscope.schema.json (shared by the test runners)."""
import json
import pathlib

import jsonschema

SCHEMA_PATH = pathlib.Path(__file__).resolve().parents[2] / "smbscope.schema.json"


def load_validator():
    schema = json.loads(SCHEMA_PATH.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def check_lines(validator, text, where):
    """Return a list of problems: lines that are not JSON objects, violate the schema,
    or break the record order rules (stats last and once)."""
    problems = []
    lines = text.splitlines()
    records = []
    for i, line in enumerate(lines, 1):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"{where}:{i}: not JSON: {e}")
            continue
        for err in validator.iter_errors(rec):
            problems.append(f"{where}:{i}: {err.message} at {list(err.absolute_path)}")
        records.append(rec)
    stats = [r for r in records if r.get("type") == "stats"]
    if len(stats) != 1 or (records and records[-1].get("type") != "stats"):
        problems.append(f"{where}: expected exactly one stats record, last")
    return problems, records
