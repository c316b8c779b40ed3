#!/usr/bin/env python3
"""Convert string-keyed event call sites to registry descriptors (src/output/fields.def).

    ev_uint(e, "fid", v)            -> ev_uint(e, F(fid), v)
    fs_str(e, o, "name", s)         -> fs_str(e, o, F(name), s)
    ev_has(e, "extract_error")      -> ev_has(e, F(extract_error))
    smb1_ev_get_str(e, "user")      -> smb1_ev_get_str(e, F(user))
    ev_get(e, NULL, "latency_us")   -> ev_find(e, NULL, F(latency_us))   (src/ and dissectors/ only:
                                       tests also look keys up by name, e.g. map keys)

Usage: tests/tools/fields_convert.py [--check] [FILE_OR_DIR...]   (default: src dissectors tests)
Re-runnable: converted sites no longer match. A literal becomes F(literal) when a field has that
C name, else F(cname) of the one field whose JSON key it is; a key no field declares is listed
(declare it in src/output/fields.def, then run again). Keys with two C names (name: name/anomaly_name;
complete, partial: file flags / stats.extract counts) get the one named like the key: the
compiler (types) and the runtime membership check (record) catch a wrong pick.
--check: change nothing; exit 1 when a site would change (for CI and the integrator).
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEF = ROOT / "src" / "output" / "fields.def"

FIELD_RE = re.compile(r'^FIELD\((\w+),\s*"([^"]+)"', re.M)
ADDERS = r"(?:null|bool|int|uint|ts|str|strn|strv|ranges|obj|map)"
PATTERNS = [
    # ev_X(e, "k"  and  ev_has(e, "k"  and  smb1_ev_get_str(e, "k"
    (re.compile(r'\b((?:ev_' + ADDERS + r'|ev_has|smb1_ev_get_str)\(\s*[^,()]*(?:\([^()]*\))?[^,()]*,\s*)"([A-Za-z0-9_]+)"'), False),
    # fs_X(e, fs, "k"
    (re.compile(r'\b(fs_' + ADDERS + r'\(\s*[^,()]*(?:\([^()]*\))?[^,()]*,\s*[^,()]*,\s*)"([A-Za-z0-9_]+)"'), False),
    # ev_get(e, fs, "k") -> ev_find(e, fs, F(k)): production code only
    (re.compile(r'\bev_get(\(\s*[^,()]*,\s*[^,()]*,\s*)"([A-Za-z0-9_]+)"'), True),
]


def load_fields():
    text = DEF.read_text()
    cnames, by_json = set(), {}
    for cname, json in FIELD_RE.findall(text):
        cnames.add(cname)
        by_json.setdefault(json, []).append(cname)
    return cnames, by_json


def resolve(key, cnames, by_json):
    if key in cnames:
        return key
    c = by_json.get(key, [])
    return c[0] if len(c) == 1 else None


def files(args):
    for a in args or ["src", "dissectors", "tests"]:
        p = pathlib.Path(a)
        if not p.is_absolute() and not p.exists():
            p = ROOT / a
        if p.is_dir():
            yield from sorted(q for q in p.rglob("*") if q.suffix in (".c", ".h"))
        else:
            yield p


def production(path):
    parts = path.resolve().relative_to(ROOT).parts if path.resolve().is_relative_to(ROOT) else path.parts
    return parts and parts[0] in ("src", "dissectors")


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    cnames, by_json = load_fields()
    changed, unknown = [], []
    for path in files(args):
        if path.name in ("event.c", "event.h", "fields.c", "fields.h"):
            continue
        text = path.read_text()
        new = text
        for rx, reads in PATTERNS:
            if reads and not production(path):
                continue

            def sub(m, reads=reads):
                cname = resolve(m.group(2), cnames, by_json)
                if cname is None:
                    line = new.count("\n", 0, m.start()) + 1
                    unknown.append(f"{path}:{line}: \"{m.group(2)}\" is not a declared key")
                    return m.group(0)
                head = m.group(1)
                return ("ev_find" if reads else "") + head + f"F({cname})"

            new = rx.sub(sub, new)
        if new != text:
            changed.append(str(path))
            if not check:
                path.write_text(new)
    for c in changed:
        print(("would convert " if check else "converted ") + c)
    for u in unknown:
        print(u, file=sys.stderr)
    return 1 if (check and changed) or unknown else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
